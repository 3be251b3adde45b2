#!/usr/bin/env node
// The `tsdl` command. The TypeScript sources are compiled to dist/ by `npm install` (prepare).
'use strict';
const path = require('path');
const fs = require('fs');
const main = path.join(__dirname, '..', 'dist', 'cli', 'src', 'main.js');
if (!fs.existsSync(main)) {
  process.stderr.write('tsdl is not built yet: run `npm install` (or `npm run build`) in ' + path.resolve(__dirname, '..') + '\n');
  process.exit(1);
}
require(main).main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => { process.stderr.write('tsdl: ' + (err && err.message ? err.message : String(err)) + '\n'); process.exitCode = 1; },
);
