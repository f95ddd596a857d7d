#!/usr/bin/env node
// miniprogram-compiler publishes its Linux wcc/wcsc without the executable bit; the build and the
// simulator both run them, so restore it once at install time instead of at every call site.
'use strict';
const fs = require('fs');
const path = require('path');

let binDir;
try {
  binDir = path.join(path.dirname(require.resolve('miniprogram-compiler/package.json')), 'bin', 'linux');
} catch {
  process.exit(0); // production install without dev dependencies: nothing to fix
}
for (const name of ['wcc', 'wcsc']) {
  const file = path.join(binDir, name);
  try {
    fs.chmodSync(file, 0o755);
  } catch (err) {
    console.warn(`postinstall: could not make ${file} executable (${err.message}); run chmod +x on it by hand`);
  }
}
