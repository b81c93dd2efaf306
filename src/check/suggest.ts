// Did-you-mean suggestions: the candidate closest to a misspelt name by edit distance
// (Levenshtein, with adjacent transpositions counting as one edit). In: a name and the
// names that exist; out: the best one, or undefined when nothing is close enough.

/** Optimal string alignment distance between a and b. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => Array.from({ length: n + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[m]![n]!;
}

/** True when every character of `short` appears in `long`, in order. */
function isSubsequence(short: string, long: string): boolean {
  let i = 0;
  for (const ch of long) if (ch === short[i]) i++;
  return i === short.length;
}

/**
 * The candidate nearest to `name`, if its distance is at most a third of the name's length
 * (at least 1, at most 3). A name that is the candidate with letters left out (`cnt` for
 * `count`, `sys_enter_opena` for `sys_enter_openat`) counts as closer than a substitution.
 * Ties go to the first candidate in the given order.
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    if (c === name) continue;
    // A name with a few letters left out is still recognisable (`cnt` for `count`).
    const dropped = c.length > name.length && c.length - name.length <= 3 && name.length >= 3 && isSubsequence(name, c);
    // Cheap bound: lengths alone already exceed the limit.
    if (!dropped && Math.abs(c.length - name.length) > limit) continue;
    const dist = editDistance(name, c);
    if (!dropped && dist > limit) continue;
    const score = dropped ? (c.length - name.length) / 2 - 0.1 : dist;
    if (score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}
