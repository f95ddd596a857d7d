#!/usr/bin/env node
// Runs one of the project's TypeScript entry points (npm start, serve, bench) after checking that `npm ci` has run,
// so that a fresh clone gets "run npm ci" instead of a module-not-found stack trace.
'use strict';
const path = require('path');

const entry = process.argv[2];
if (!entry) {
  console.error('usage: node scripts/run-ts.js <entry.ts> [args...]');
  process.exit(2);
}

const needed = ['esbuild-register', 'fastify', 'better-sqlite3', 'miniprogram-automator'];
const missing = needed.filter((name) => {
  try {
    require.resolve(name);
    return false;
  } catch {
    return true;
  }
});
if (missing.length > 0) {
  console.error(`Missing dependencies (${missing.join(', ')}). Run \`npm ci\` in ${path.resolve(__dirname, '..')} first.`);
  process.exit(1);
}

require('esbuild-register/dist/node').register({ target: 'node20' });
process.argv.splice(1, 2, path.resolve(entry));
require(path.resolve(entry));
