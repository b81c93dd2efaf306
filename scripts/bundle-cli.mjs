#!/usr/bin/env node
// Bundles the built CLI (dist/cli/main.js and everything it imports, ohm-js included) into
// one CommonJS file, dist/bundle/cli.cjs, and writes V8's code cache for it,
// dist/bundle/cli.cjs.cache, after a training run in this process: bin/cli-loader.js then
// starts without resolving, reading and compiling ~150 small modules. Run after tsc (npm run
// build does). Not: type checking or the grammar (scripts/build-grammar.js).

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'dist', 'cli', 'main.js');
const outFile = path.join(root, 'dist', 'bundle', 'cli.cjs');
const cacheFile = `${outFile}.cache`;
const ohmCjs = path.join(root, 'node_modules', 'ohm-js', 'dist', 'ohm.cjs');

// The grammar bundle loads Ohm through createRequire, which a bundler cannot follow: make it
// an import of Ohm's one-file CommonJS build so Ohm is inside the bundle and its cache.
const OHM_REQUIRE = "import { createRequire } from 'node:module';\nconst { makeRecipe } = createRequire(import.meta.url)('ohm-js');";

const inlineOhm = {
  name: 'bpftrace-ts:inline-ohm',
  resolveId(source) {
    return source === 'ohm-js' ? ohmCjs : null;
  },
  transform(code, id) {
    if (!id.endsWith('bpftrace.ohm-bundle.js')) return null;
    if (!code.includes(OHM_REQUIRE)) throw new Error(`${id}: the grammar bundle no longer loads Ohm as scripts/bundle-cli.mjs expects`);
    return code.replace(OHM_REQUIRE, "import { makeRecipe } from 'ohm-js';");
  },
};

/**
 * Node built-ins that only some runs use (system(), coloured diagnostics, yargs' help), which
 * CommonJS output would require at the top of the bundle: each becomes a module whose
 * functions require the built-in on first call, and whose default export reads it on first
 * property access. Only function exports are offered (a build fails on any other import).
 */
const LAZY_BUILTINS = ['node:child_process', 'node:tty', 'node:os', 'node:fs/promises', 'assert', 'node:assert'];
const LAZY_PREFIX = '\0lazy-builtin:';
const require = createRequire(import.meta.url);

/** A plain function (not a class, whose instances and `new` a wrapper would not keep). */
function plainFunction(value) {
  return typeof value === 'function' && (value.prototype === undefined || Object.getOwnPropertyNames(value.prototype).length <= 1);
}

const lazyBuiltins = {
  name: 'bpftrace-ts:lazy-builtins',
  resolveId(source) {
    return LAZY_BUILTINS.includes(source) ? LAZY_PREFIX + source : null;
  },
  load(id) {
    if (!id.startsWith(LAZY_PREFIX)) return null;
    const name = id.slice(LAZY_PREFIX.length);
    const exported = require(name);
    const lines = [
      "import { createRequire } from 'node:module';",
      'let loaded;',
      `const load = () => (loaded ??= createRequire(import.meta.url)(${JSON.stringify(name)}));`,
    ];
    const keys = Object.keys(exported).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default');
    for (const k of keys) if (plainFunction(exported[k])) lines.push(`export function ${k}(...args) { return load().${k}(...args); }`);
    lines.push(`export default { ${keys.map((k) => `get ${k}() { return load().${k}; }`).join(', ')} };`);
    return lines.join('\n');
  },
};

/**
 * A program run once at build time so that what a run needs is compiled into the code cache
 * (V8 caches the functions compiled so far). Only BEGIN: caching what a traced run compiles
 * too (the world, the JIT) makes the cache half as large again, and every start-up reads it.
 */
const TRAINING = [['-e', 'BEGIN { printf("%d %s\\n", pid, comm); exit(); }']];

/** A CliIo that keeps nothing (the training runs' output is not wanted). */
const quietIo = {
  writeOut: () => undefined,
  writeErr: () => undefined,
  readStdin: async () => '',
  env: {},
  errIsTTY: false,
  writeOutBinary: () => undefined,
  outputBroken: () => false,
  outputError: () => undefined,
  onInterrupt: () => () => undefined,
  cwd: () => root,
};

async function bundle() {
  const build = await rolldown({ input: entry, platform: 'node', plugins: [inlineOhm, lazyBuiltins], logLevel: 'silent' });
  fs.rmSync(path.dirname(outFile), { recursive: true, force: true });
  await build.write({ format: 'cjs', file: outFile, codeSplitting: false });
  await build.close();
}

async function writeCodeCache() {
  const { evaluateBundle } = await import('../bin/cli-loader.js');
  const { exports, script } = evaluateBundle(undefined);
  for (const argv of TRAINING) {
    const code = await exports.main(argv, quietIo);
    if (code !== 0) throw new Error(`training run ${JSON.stringify(argv)} exited with ${code}`);
  }
  fs.writeFileSync(cacheFile, script.createCachedData());
}

await bundle();
try {
  await writeCodeCache();
} catch (e) {
  // Without a cache the CLI still starts, only slower: say so, and leave no stale cache behind.
  fs.rmSync(cacheFile, { force: true });
  process.stderr.write(`scripts/bundle-cli.mjs: no code cache written: ${e instanceof Error ? e.message : String(e)}\n`);
}
