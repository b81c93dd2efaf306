#!/usr/bin/env node
// Launcher: everything lives in the built CLI (npm install runs the build); cli-loader.js
// picks the one-file bundle with its code cache when the build made one. CommonJS (see
// bin/package.json).
'use strict';

require('./cli-loader.js')
  .loadMain()
  .then((main) => main(process.argv.slice(2)))
  .then((code) => {
    process.exitCode = code;
  });
