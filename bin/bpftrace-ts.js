#!/usr/bin/env node
// Launcher: everything lives in the built CLI (npm install runs the build).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
