#!/usr/bin/env node
// The package's command. Installed, it runs the compiled CLI (dist/bin/shield-right.js, built by
// `npm run build` at prepack): no TypeScript toolchain at run time. In a repository checkout (the
// TypeScript source sits beside this file) it runs the source through tsx, a development dependency,
// so `npm start` and `npx shield-right` work right after `npm ci` and never run a stale build.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

if (existsSync(join(__dirname, 'shield-right.ts'))) {
  // Both loaders: the CLI loads each command with a dynamic import(), which Node hands to the ESM loader.
  require('tsx/cjs');
  import('tsx/esm').then(() => require('./shield-right.ts'));
} else {
  require('../dist/bin/shield-right.js');
}
