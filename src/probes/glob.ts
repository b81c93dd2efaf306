// Wildcard patterns of attach points: `*` (any run of characters, ':' included, as bpftrace
// matches 'category:event' strings), `?` (one character) and `{a,b}` (alternatives, nestable).
// In: a pattern; out: a predicate or the list of names it selects. Which names exist is the
// catalog's business (catalog.ts); this file only matches.

/** True when the text has any wildcard this module understands. */
export function hasWildcard(text: string): boolean {
  return /[*?{]/.test(text);
}

function escapeRegex(ch: string): string {
  return /[.+^$()|[\]\\/]/.test(ch) ? `\\${ch}` : ch;
}

/** Translates a glob into a regular expression source; braces that do not close are literal. */
function globSource(pattern: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else if (ch === '{' && closes(pattern, i)) {
      out += '(?:';
      depth++;
    } else if (ch === '}' && depth > 0) {
      out += ')';
      depth--;
    } else if (ch === ',' && depth > 0) out += '|';
    else out += escapeRegex(ch);
  }
  return out;
}

/** Whether the brace at `open` has a matching close brace. */
function closes(pattern: string, open: number): boolean {
  let depth = 0;
  for (let i = open; i < pattern.length; i++) {
    if (pattern[i] === '{') depth++;
    else if (pattern[i] === '}' && --depth === 0) return true;
  }
  return false;
}

const cache = new Map<string, RegExp>();

/** A predicate that is true for the whole strings the pattern matches. */
export function globMatcher(pattern: string): (candidate: string) => boolean {
  let re = cache.get(pattern);
  if (!re) {
    re = new RegExp(`^${globSource(pattern)}$`, 's');
    cache.set(pattern, re);
  }
  const compiled = re;
  return (candidate) => compiled.test(candidate);
}

/** The candidates the pattern matches, in their given order. */
export function globFilter(pattern: string, candidates: Iterable<string>): string[] {
  const match = globMatcher(pattern);
  const out: string[] = [];
  for (const c of candidates) if (match(c)) out.push(c);
  return out;
}
