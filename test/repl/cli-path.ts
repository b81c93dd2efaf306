// The command line a spawned test runs: the built CLI (bin/bpftrace-ts.js) when dist/ is
// newer than src/, else the same main() from source (fuzz/launch-source.mjs), as the
// hardening tests choose it.

import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.join(import.meta.dirname, '..', '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

const built = path.join(ROOT, 'dist', 'cli', 'main.js');
const distFresh = fs.existsSync(built) && fs.statSync(built).mtimeMs >= newestMtime(path.join(ROOT, 'src'));

/** The script to run with node. */
export const CLI = distFresh ? path.join(ROOT, 'bin', 'bpftrace-ts.js') : path.join(ROOT, 'fuzz', 'launch-source.mjs');
