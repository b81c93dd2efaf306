// Splits the text of one attach point (`uprobe:/bin/bash:readline`, `kprobe:vfs_read+8`,
// `uprobe:"/a b":cpp:"A::f"`) into provider, `:`-separated parts and an offset, after
// substituting positional parameters (`uprobe:$1:func`). Syntax only: aliases, wildcards
// and targets are resolved by the checker against the probe catalog.

/** Providers whose function part may carry `+offset` (bpftrace's kprobe and uprobe forms). */
const OFFSET_PROVIDERS = new Set(['kprobe', 'k', 'uprobe', 'u']);

export interface SplitAttachPoint {
  readonly provider: string;
  readonly parts: readonly string[];
  readonly offset?: bigint;
}

/**
 * Replaces `$N` with the N-th positional parameter; one not given is empty, as bpftrace
 * 0.23 reads it (`$1 { }` alone has no attach point). Without `positional` (no command
 * line known, e.g. formatting a program) the text stays as written.
 */
export function substitutePositionals(raw: string, positional: readonly string[] | undefined): string {
  if (!positional) return raw;
  return raw.replace(/\$([0-9]+)/g, (whole, digits: string) => positional[Number(digits) - 1] ?? '');
}

/** Splits on `:` outside double quotes; quoted stretches lose their quotes and escapes. */
function splitParts(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '\\' && i + 1 < text.length) current += text[++i]!;
      else if (c === '"') quoted = false;
      else current += c;
    } else if (c === '"') {
      quoted = true;
    } else if (c === ':') {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

export function splitAttachPoint(raw: string): SplitAttachPoint {
  const colon = raw.indexOf(':');
  if (colon < 0) return { provider: raw, parts: [] };
  const provider = raw.slice(0, colon);
  const parts = splitParts(raw.slice(colon + 1));
  if (OFFSET_PROVIDERS.has(provider) && parts.length > 0) {
    const last = parts[parts.length - 1]!;
    const m = /^(.+)\+(0[xX][0-9a-fA-F]+|[0-9]+)$/.exec(last);
    if (m) {
      parts[parts.length - 1] = m[1]!;
      return { provider, parts, offset: BigInt(m[2]!) };
    }
  }
  return { provider, parts };
}
