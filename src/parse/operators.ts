// The binary operators' binding strength, bpftrace's table (docs/language_parsing.md),
// shared by the semantics (which groups a flat operand chain by it) and the printer
// (which adds parentheses where it requires). Higher binds tighter; all are
// left-associative. Data only.

import type { BinaryOp } from './ast.js';

export const BINARY_PRECEDENCE: Readonly<Record<BinaryOp, number>> = {
  '||': 1,
  '&&': 2,
  '|': 3,
  '^': 4,
  '&': 5,
  '==': 6,
  '!=': 6,
  '<': 7,
  '>': 7,
  '<=': 7,
  '>=': 7,
  '<<': 8,
  '>>': 8,
  '+': 9,
  '-': 9,
  '*': 10,
  '/': 10,
  '%': 10,
};
