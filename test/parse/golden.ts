// Test helper: compare text with a golden file, or (re)write it when UPDATE_GOLDEN=1.

import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

export const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

export function expectGolden(file: string, actual: string): void {
  if (UPDATE || !fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
    if (!UPDATE) throw new Error(`golden file ${file} was missing and has been written; review it and run again`);
    return;
  }
  expect(actual).toBe(fs.readFileSync(file, 'utf8'));
}
