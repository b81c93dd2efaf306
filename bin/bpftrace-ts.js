#!/usr/bin/env node
// Launcher: everything lives in the built CLI (npm install runs the build); cli-loader.js
// picks the one-file bundle with its code cache when the build made one.
import { loadMain } from './cli-loader.js';

const main = await loadMain();
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
