#!/usr/bin/env node
// `npm run start:prod`: the backend alone, in production, from the JavaScript that `npm run build:server` compiled
// into build/. Plain JavaScript on purpose: it runs where only the production dependencies are installed
// (`npm ci --omit=dev` or `npm prune --omit=dev`), without TypeScript, esbuild or the sandbox.
'use strict';
const fs = require('fs');
const path = require('path');

const entry = path.join(__dirname, '..', 'build', 'server', 'main.js');
if (!fs.existsSync(entry)) {
  console.error('npm run start:prod: build/server/main.js is missing. Run `npm run build:server` first (it needs the ' +
    'development dependencies; prune them afterwards if you like).');
  process.exit(1);
}
const nodeEnv = process.env.NODE_ENV;
if (nodeEnv && nodeEnv !== 'production') {
  console.error(`npm run start:prod runs the production backend, but NODE_ENV is "${nodeEnv}". Unset NODE_ENV or set ` +
    'it to production; for a development backend with the sandbox use npm run serve.');
  process.exit(1);
}
process.env.NODE_ENV = 'production';
require(entry);
