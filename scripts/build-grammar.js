#!/usr/bin/env node
// Compiles grammar/bpftrace.ohm once, at build time, into a recipe bundle (plain JS that
// rebuilds the grammar object without parsing Ohm source) plus its TypeScript types, so
// that bpftrace-ts never compiles the grammar at startup. Writes:
//   src/parse/generated/bpftrace.ohm-bundle.js   (imported by src/parse; vitest reads it)
//   src/parse/generated/bpftrace.ohm-bundle.d.ts (action dictionaries checked by tsc)
//   dist/parse/generated/bpftrace.ohm-bundle.js  (tsc does not copy a .js that has a .d.ts)
// It does not run tsc.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ohm from 'ohm-js';
import { generateTypes } from '@ohm-js/cli/src/helpers/generateTypes.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const grammarPath = path.join(root, 'grammar', 'bpftrace.ohm');
const bundleName = 'bpftrace.ohm-bundle';

export function buildGrammar() {
  const source = fs.readFileSync(grammarPath, 'utf8');
  let grammars;
  try {
    grammars = ohm.grammars(source);
  } catch (e) {
    // A mistake in the grammar itself: show Ohm's message, which points into the .ohm file.
    process.stderr.write(`grammar/bpftrace.ohm: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
  const names = Object.keys(grammars);
  if (names.length !== 1) throw new Error(`expected one grammar in ${grammarPath}, found ${names.length}`);
  const grammar = grammars[names[0]];

  const banner = '// Generated from grammar/bpftrace.ohm by scripts/build-grammar.js. Do not edit.\n';
  // Ohm's single-file CommonJS build loads in a fraction of the time of its ESM tree, and
  // a recipe without source positions (only used to explain mistakes in the grammar itself)
  // is a third of the size: both matter for a startup budget of 0.15 s.
  const recipe = JSON.stringify(stripSourcePositions(JSON.parse(grammar.toRecipe())));
  const js =
    `${banner}import { createRequire } from 'node:module';\n` +
    `const { makeRecipe } = createRequire(import.meta.url)('ohm-js');\n` +
    `const grammar = makeRecipe(${JSON.stringify(recipe)});\n` +
    `export default grammar;\n`;
  const dts = `${banner}${generateTypes(grammars)}`;

  const outputs = [
    [path.join(root, 'src', 'parse', 'generated', `${bundleName}.js`), js],
    [path.join(root, 'src', 'parse', 'generated', `${bundleName}.d.ts`), dts],
    [path.join(root, 'dist', 'parse', 'generated', `${bundleName}.js`), js],
  ];
  for (const [file, text] of outputs) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Leave unchanged files alone so watchers and tsc's incremental state stay quiet.
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) continue;
    fs.writeFileSync(file, text);
  }
}

/** Drops `sourceInterval` meta information and the grammar text from a recipe. */
function stripSourcePositions(value) {
  if (Array.isArray(value)) return value.map(stripSourcePositions);
  if (value !== null && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'sourceInterval' || k === 'source') continue;
      out[k] = stripSourcePositions(v);
    }
    return out;
  }
  return value;
}

/**
 * vitest globalSetup: a test run straight after a checkout (before `npm run build`) still
 * finds the bundle, and one made from an older grammar/bpftrace.ohm is rebuilt.
 */
export function setup() {
  const bundle = path.join(root, 'src', 'parse', 'generated', `${bundleName}.js`);
  if (fs.existsSync(bundle) && fs.statSync(bundle).mtimeMs >= fs.statSync(grammarPath).mtimeMs) return;
  buildGrammar();
  // Unchanged output is not rewritten; mark it current so the next run skips the build.
  const now = new Date();
  fs.utimesSync(bundle, now, now);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildGrammar();
}
