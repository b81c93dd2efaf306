// Loads the command line for bin/bpftrace-ts.js: the one-file bundle dist/bundle/cli.cjs
// (scripts/bundle-cli.mjs) compiled with the V8 code cache written beside it at build time,
// so a run skips parsing and compiling ~1.5 MB of JavaScript; dist/cli/main.js (tsc's
// output, many small modules) when the bundle is missing or older. Not: the CLI itself.

import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const bundleFile = new URL('../dist/bundle/cli.cjs', import.meta.url);
const cacheFile = new URL('../dist/bundle/cli.cjs.cache', import.meta.url);
const modulesEntry = new URL('../dist/cli/main.js', import.meta.url);

/** The bundle's mtime when it is at least as new as tsc's output, else undefined. */
function freshBundle() {
  try {
    const bundle = statSync(bundleFile).mtimeMs;
    let modules = 0;
    try {
      modules = statSync(modulesEntry).mtimeMs;
    } catch {
      // No tsc output beside it: the bundle is all there is.
    }
    return bundle >= modules ? bundle : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Compiles and evaluates the bundle as CommonJS would, with `cachedData` when given.
 * Returns its exports and the Script (scripts/bundle-cli.mjs writes the cache from it).
 */
export function evaluateBundle(cachedData) {
  const filename = fileURLToPath(bundleFile);
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(bundleFile, 'utf8')}\n})`;
  const script = new Script(source, { filename, cachedData });
  const module = { exports: {} };
  const dirname = fileURLToPath(new URL('.', bundleFile));
  script.runInThisContext().call(module.exports, module.exports, createRequire(filename), module, filename, dirname);
  return { exports: module.exports, script };
}

/** The CLI's main(argv): from the bundle when it is fresh, else from dist/cli/main.js. */
export async function loadMain() {
  if (freshBundle() === undefined) return (await import(modulesEntry.href)).main;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // No cache (or unreadable): V8 compiles the bundle from source, which only costs time.
  }
  // A cache from another Node version is rejected by V8 and the source is compiled instead.
  return evaluateBundle(cachedData).exports.main;
}
