// Structural equality of AST values, ignoring where they came from (spans): the judge of
// round trips (source → AST → printed source → AST). Input: any two AST values (nodes,
// arrays of nodes). Output: equal or not, or the first path where they differ. It does not
// compare meaning (`0x10` and `16` differ: literals keep their text).

/** Keys that record positions, not structure. */
const POSITION_KEYS = new Set(['span', 'valueSpan']);

/** A copy of an AST value without position fields (handy for `toEqual` diffs in tests). */
export function withoutSpans<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutSpans) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (POSITION_KEYS.has(k) || v === undefined) continue;
      out[k] = withoutSpans(v);
    }
    return out as T;
  }
  return value;
}

/** The first path at which `a` and `b` differ (ignoring spans), or undefined when equal. */
export function astDifference(a: unknown, b: unknown, path = '$'): string | undefined {
  if (a === b) return undefined;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return path;
    if (a.length !== b.length) return `${path}.length (${a.length} vs ${b.length})`;
    for (let i = 0; i < a.length; i++) {
      const d = astDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      if (POSITION_KEYS.has(k)) continue;
      const d = astDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return `${path} (${String(a)} vs ${String(b)})`;
}

/** True when `a` and `b` have the same structure and values, spans aside. */
export function sameAst(a: unknown, b: unknown): boolean {
  return astDifference(a, b) === undefined;
}
