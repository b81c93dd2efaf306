// Structured control flow for one function's blocks, so the generated JavaScript can use
// plain `for (;;)` loops and labelled blocks instead of a dispatch loop: each loop is the span
// from a back-edge target to its last back-edge source, each forward jump a `break` out of a
// labelled block that ends where its target starts (opened at the innermost loop holding the
// target, so blocks and loops nest). In: blocks in address order. Out: a tree of spans, or
// null when the flow is not structurable this way (loops that cross, a jump into a loop body);
// the caller then emits a dispatch loop. Not: code generation.

import type { JitBlock } from './cfg.js';

export interface Span {
  readonly kind: 'root' | 'loop' | 'region';
  /** Block indexes covered, inclusive. */
  readonly first: number;
  readonly last: number;
  /** Loop: its header block; region: the block its `break` lands on (last + 1). */
  readonly target: number;
  readonly children: Span[];
}

/** Block indexes a block can go to by a jump (not by falling through), and its fall-through. */
export function edgesOf(blocks: readonly JitBlock[], index: Map<number, number>, i: number): { jumps: number[]; fall: number | undefined } {
  const e = blocks[i]!.end;
  const at = (slot: number): number => index.get(slot)!;
  switch (e.kind) {
    case 'fall':
      return { jumps: [], fall: at(e.next) };
    case 'call':
      return { jumps: [], fall: at(e.next) };
    case 'jump':
      return { jumps: [at(e.target)], fall: undefined };
    case 'cond':
      return { jumps: [at(e.target)], fall: at(e.next) };
    default:
      return { jumps: [], fall: undefined };
  }
}

export function structure(blocks: readonly JitBlock[]): Span | null {
  const index = new Map(blocks.map((b, i) => [b.start, i]));
  const n = blocks.length;
  // Loops: header → last block with a back-edge to it.
  const loopEnd = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const { jumps, fall } = edgesOf(blocks, index, i);
    if (fall !== undefined && fall !== i + 1) return null; // falling through must reach the next block
    for (const t of jumps) if (t <= i) loopEnd.set(t, Math.max(loopEnd.get(t) ?? -1, i));
  }
  const loops = [...loopEnd].map(([h, e]) => ({ h, e })).sort((a, b) => a.h - b.h || b.e - a.e);
  // Loops must nest.
  const open: { h: number; e: number }[] = [];
  for (const l of loops) {
    while (open.length > 0 && open[open.length - 1]!.e < l.h) open.pop();
    if (open.length > 0 && open[open.length - 1]!.e < l.e) return null;
    open.push(l);
  }
  /** Innermost loop with h < t <= e. */
  const enclosing = (t: number): { h: number; e: number } | undefined => {
    let best: { h: number; e: number } | undefined;
    for (const l of loops) if (l.h < t && t <= l.e && (best === undefined || l.h > best.h)) best = l;
    return best;
  };
  const regionStart = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    for (const t of edgesOf(blocks, index, i).jumps) {
      if (t <= i || t === i + 1) continue;
      const l = enclosing(t);
      if (l !== undefined && i < l.h) return null; // a jump into a loop's body from before it
      regionStart.set(t, l?.h ?? 0);
    }
  }
  const spans: Span[] = [
    ...loops.map((l): Span => ({ kind: 'loop', first: l.h, last: l.e, target: l.h, children: [] })),
    ...[...regionStart].map(([t, s]): Span => ({ kind: 'region', first: s, last: t - 1, target: t, children: [] })),
  ];
  // Outer spans first: earlier start, then later end, then a region around a loop of the same extent.
  spans.sort((a, b) => a.first - b.first || b.last - a.last || (a.kind === b.kind ? 0 : a.kind === 'region' ? -1 : 1));
  const root: Span = { kind: 'root', first: 0, last: n - 1, target: -1, children: [] };
  const stack: Span[] = [root];
  for (const s of spans) {
    while (stack[stack.length - 1]!.last < s.first) stack.pop();
    const parent = stack[stack.length - 1]!;
    if (s.last > parent.last) return null;
    parent.children.push(s);
    stack.push(s);
  }
  return root;
}
