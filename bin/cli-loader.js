// Loads the command line for bin/bpftrace-ts.js: the one-file bundle dist/bundle/cli.cjs
// (scripts/bundle-cli.mjs) compiled with the V8 code cache written beside it at build time,
// so a run skips parsing and compiling ~1.5 MB of JavaScript; dist/cli/main.js (tsc's
// output, many small modules) when the bundle is missing or older. CommonJS (bin/package.json)
// because Node starts a CommonJS entry point sooner than an ES module. Not: the CLI itself.
'use strict';

const { readFileSync, statSync } = require('node:fs');
const { createRequire } = require('node:module');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { Script } = require('node:vm');

const bundleFile = path.join(__dirname, '..', 'dist', 'bundle', 'cli.cjs');
const cacheFile = `${bundleFile}.cache`;
const modulesEntry = path.join(__dirname, '..', 'dist', 'cli', 'main.js');

/** True when the bundle exists and is at least as new as tsc's output beside it. */
function bundleIsFresh() {
  let bundle;
  try {
    bundle = statSync(bundleFile).mtimeMs;
  } catch {
    return false;
  }
  try {
    return bundle >= statSync(modulesEntry).mtimeMs;
  } catch {
    // No tsc output beside it: the bundle is all there is.
    return true;
  }
}

/**
 * Compiles and evaluates the bundle as CommonJS would, with `cachedData` when given.
 * Returns its exports and the Script (scripts/bundle-cli.mjs writes the cache from it).
 */
function evaluateBundle(cachedData) {
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(bundleFile, 'utf8')}\n})`;
  const script = new Script(source, { filename: bundleFile, cachedData });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(bundleFile), module, bundleFile, path.dirname(bundleFile));
  return { exports: module.exports, script };
}

/** The CLI's main(argv): from the bundle when it is fresh, else from dist/cli/main.js. */
async function loadMain() {
  if (!bundleIsFresh()) return (await import(pathToFileURL(modulesEntry).href)).main;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // No cache (or unreadable): V8 compiles the bundle from source, which only costs time.
  }
  // A cache from another Node version is rejected by V8 and the source is compiled instead.
  return evaluateBundle(cachedData).exports.main;
}

module.exports = { evaluateBundle, loadMain };
