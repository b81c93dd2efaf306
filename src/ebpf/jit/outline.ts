// Which parts of a structured function move into functions of their own so that none exceeds
// the size V8 still optimises. A function is a sequence of items — blocks, loops, labelled
// regions — nested as structure.ts found them; when a sequence is too big, its items are cut
// into consecutive runs of at most the limit and each run is outlined (a piece); loops and
// regions are first fitted inside. In: the span tree and each block's code size. Out: the item
// tree with outlined runs marked. Not: code (codegen.ts writes the pieces and their calls).

import type { Span } from './structure.js';

export type Item =
  | { readonly kind: 'block'; readonly index: number; readonly size: number }
  | { readonly kind: 'span'; readonly span: Span; items: Item[] }
  /** Consecutive items moved into a function of their own. */
  | { readonly kind: 'piece'; readonly items: Item[] };

/** Characters of code a piece's call site costs (save and reload of every register, dispatch). */
export const CALL_COST = 900;
/** Characters a loop or region adds around its items. */
const SPAN_COST = 40;

export function itemsOf(span: Span, sizes: readonly number[]): Item[] {
  const items: Item[] = [];
  const children = [...span.children];
  for (let i = span.first; i <= span.last; ) {
    const child = children[0];
    if (child !== undefined && child.first === i) {
      children.shift();
      items.push({ kind: 'span', span: child, items: itemsOf(child, sizes) });
      i = child.last + 1;
    } else {
      items.push({ kind: 'block', index: i, size: sizes[i]! });
      i++;
    }
  }
  return items;
}

function fitItem(it: Item, limit: number): number {
  switch (it.kind) {
    case 'block':
      return it.size;
    case 'span':
      return fitSequence(it.items, limit) + SPAN_COST;
    case 'piece':
      return CALL_COST;
  }
}

/**
 * Fits a sequence in place: returns its size as it now stands inline, at most about `limit`
 * unless a single block is bigger. Runs of items become pieces of at most `limit` each.
 */
export function fitSequence(items: Item[], limit: number): number {
  const sizes = items.map((it) => fitItem(it, limit));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total <= limit) return total;
  const out: Item[] = [];
  let run: Item[] = [];
  let acc = 0;
  const close = (): void => {
    if (run.length > 0) out.push({ kind: 'piece', items: run });
    run = [];
    acc = 0;
  };
  items.forEach((it, k) => {
    if (acc > 0 && acc + sizes[k]! > limit) close();
    run.push(it);
    acc += sizes[k]!;
  });
  close();
  items.splice(0, items.length, ...out);
  return out.length * CALL_COST;
}

/** Number of pieces in a fitted tree. */
export function countPieces(items: readonly Item[]): number {
  let n = 0;
  for (const it of items) {
    if (it.kind === 'piece') n += 1 + countPieces(it.items);
    else if (it.kind === 'span') n += countPieces(it.items);
  }
  return n;
}
