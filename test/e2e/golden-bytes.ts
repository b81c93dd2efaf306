// Compares a binary string (one char per byte, as the runtime prints) with a golden file
// read byte for byte, or writes the file when UPDATE_GOLDEN=1 (or when it is missing, which
// then fails so that a new golden file is always reviewed).

import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

export function expectGoldenBytes(file: string, actual: string): void {
  if (UPDATE || !fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.from(actual, 'latin1'));
    if (!UPDATE) throw new Error(`golden file ${file} was missing and has been written; review it and run again`);
    return;
  }
  expect(actual).toBe(fs.readFileSync(file, 'latin1'));
}
