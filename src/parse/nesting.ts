// How deep a syntax tree may be before the stages after the parser refuse it. In: a Program
// (or any AST node) and where its nodes came from; out: a located diagnostic on the first
// node nested deeper than MAX_NESTING, or undefined. The walk itself is iterative, so it
// cannot run out of stack on the trees it exists to refuse. Not: the grammar's own limit
// (Ohm recurses per parenthesis; parseProgram reports that one as 'too-deep').

import type { Diagnostic } from '../diag/diagnostic.js';
import { parseMessages } from '../diag/messages.js';
import type { SourceFile, Span } from '../diag/source.js';

/**
 * Every stage after the parser (checker, compiler, dumps, printers) walks the tree
 * recursively, one to three JavaScript frames per level. A flat operator chain (`1 + 1 + …`,
 * `a || b || …`) parses without recursion into a tree as deep as it is long; unoptimised,
 * the checker ran out of Node's default stack at about 1,400 such levels. 500 leaves room for
 * callers deeper in the stack and for stages that spend more per level; the grammar already
 * stops parenthesised nesting at about 250 levels.
 */
export const MAX_NESTING = 500;

interface Node {
  readonly kind: string;
  readonly span: Span;
}

const isNode = (v: unknown): v is Node =>
  typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string' && 'span' in v;

/**
 * The first node (in depth-first order) deeper than `limit` levels, counting AST nodes
 * only, as a 'nesting-limit' error. `sourceOf` names the file of nodes that came from
 * imports or macros (default: `source`).
 */
export function nestingLimitError(
  root: object,
  source: SourceFile,
  sourceOf: (node: object) => SourceFile = () => source,
  limit: number = MAX_NESTING,
): Diagnostic | undefined {
  // Expansion can share a subtree between parents: walk a node again only when it is
  // reached deeper than before, so shared subtrees cost no more than the deepest path.
  const deepest = new Map<object, number>();
  const stack: [object, number][] = [[root, isNode(root) ? 1 : 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if ((deepest.get(value) ?? -1) >= depth) continue;
    deepest.set(value, depth);
    if (isNode(value) && depth > limit) {
      const m = parseMessages.nestingLimit(limit);
      return { severity: 'error', id: m.id, message: m.text, span: value.span, source: sourceOf(value), hints: m.hints ?? [] };
    }
    const children = Array.isArray(value) ? value : Object.entries(value).flatMap(([k, v]) => (k === 'span' ? [] : [v]));
    // Pushed in reverse so the first child is walked first (the reported node is the
    // leftmost too-deep one).
    for (let i = children.length - 1; i >= 0; i--) {
      const child: unknown = children[i];
      if (typeof child === 'object' && child !== null) stack.push([child, isNode(child) ? depth + 1 : depth]);
    }
  }
  return undefined;
}
