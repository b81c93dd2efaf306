// `npm run conformance -- DIR [--verbose]`: runs DIR/tests/*.data (or DIR/*.data when there is
// no tests/ folder) and DIR/negative/*.data, prints each failure, skip (with its reason) and
// rejection, then a summary. Exit status 1 when any vector fails or a negative one is
// accepted, 2 on bad usage. Not: the runner itself (conformance.ts).

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runNegative, runVector } from './conformance.js';

const dataFiles = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.data')).sort() : [];

export function main(argv: readonly string[], write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): number {
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  const dirs = argv.filter((a) => !a.startsWith('-'));
  if (dirs.length !== 1 || !existsSync(dirs[0]!) || !statSync(dirs[0]!).isDirectory()) {
    write('usage: npm run conformance -- DIR [--verbose]   (DIR holds tests/*.data and optionally negative/*.data)');
    return 2;
  }
  const root = dirs[0]!;
  const testsDir = existsSync(join(root, 'tests')) ? join(root, 'tests') : root;
  const negDir = join(root, 'negative');

  let pass = 0;
  let fail = 0;
  let skip = 0;
  for (const name of dataFiles(testsDir)) {
    const o = runVector(readFileSync(join(testsDir, name), 'utf8'));
    if (o.status === 'pass') {
      pass++;
      if (verbose) write(`PASS      ${name}: ${o.detail}`);
    } else if (o.status === 'skip') {
      skip++;
      write(`SKIP      ${name}: ${o.reason}`);
    } else {
      fail++;
      write(`FAIL      ${name} [${o.stage}]: ${o.reason}`);
    }
  }

  let rejected = 0;
  let accepted = 0;
  let negSkip = 0;
  const negatives = dataFiles(negDir);
  for (const name of negatives) {
    const o = runNegative(readFileSync(join(negDir, name), 'utf8'));
    if (o.status === 'rejected') {
      rejected++;
      write(`REJECTED  negative/${name} [${o.stage}]: ${o.reason}`);
    } else if (o.status === 'skip') {
      negSkip++;
      write(`SKIP      negative/${name}: ${o.reason}`);
    } else {
      accepted++;
      write(`ACCEPTED  negative/${name}: ${o.detail} (a negative vector must be rejected)`);
    }
  }

  write(`tests:    ${pass + fail + skip} vectors, ${pass} passed, ${fail} failed, ${skip} skipped`);
  if (negatives.length > 0) {
    write(`negative: ${negatives.length} vectors, ${rejected} rejected, ${accepted} accepted, ${negSkip} skipped`);
  }
  return fail > 0 || accepted > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
