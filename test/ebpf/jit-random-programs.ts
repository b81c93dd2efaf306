// Random eBPF programs the verifier should accept, for the differential test of the JIT
// against the interpreter: ALU on scalars (64 and 32 bit, every operation, edge constants),
// loads and stores on the stack, a map value and the context, atomics, forward branches,
// bounded loops, helper calls (map operations, clocks, ids, probe reads), bpf-to-bpf calls and
// callbacks (bpf_loop and for_each_map_elem over each map, with random callback bodies).
// Programs are kernel-syntax text built from fast-check integers (so they shrink well).
// Register roles: r6 = ctx, r7 = array map value, r0..r5, r8, r9 scalars; the stack holds four
// initialised u64 data slots (fp-32..fp-1) and a key slot (fp-40). Not: the test itself.

import fc from 'fast-check';
import type { MapSpec } from '../../src/ebpf/maps/map.js';

export const ARRAY_SPEC: MapSpec = { name: 'arr', type: 'array', keySize: 4, valueSize: 32, maxEntries: 4 };
export const HASH_SPEC: MapSpec = { name: 'hash', type: 'hash', keySize: 8, valueSize: 8, maxEntries: 8 };
export const PERCPU_SPEC: MapSpec = { name: 'pcpu', type: 'percpu_hash', keySize: 8, valueSize: 16, maxEntries: 8 };
/** One-element array, reached with lddw map_value (direct value access needs max_entries 1). */
export const GLOBALS_SPEC: MapSpec = { name: 'globals', type: 'array', keySize: 4, valueSize: 32, maxEntries: 1 };
/** Maps by fd (index 0 unused). */
export const MAP_SPECS: readonly (MapSpec | undefined)[] = [undefined, ARRAY_SPEC, HASH_SPEC, PERCPU_SPEC, GLOBALS_SPEC];

const SCALARS = [0, 1, 2, 3, 4, 5, 8, 9];
/** Scalars a subprogram may use (r6..r9 are not readable there until written). */
const SUB_SCALARS = [0, 1, 2, 3, 4, 5];
const EDGE32 = [0, 1, -1, 2, 7, 31, 32, 63, 0x7fffffff, -0x80000000, 0xff, 0x8000, -0x8000];
const EDGE64 = [0n, 1n, -1n, 0x7fffffffffffffffn, -0x8000000000000000n, 0xffffffffn, 0x100000000n, 0x80000000n, -0x80000000n, 0x123456789abcdefn];

const ALU_OPS = ['+=', '-=', '*=', '/=', 's/=', '%=', 's%=', '|=', '&=', '^=', '<<=', '>>=', 's>>='] as const;
const JMP_OPS = ['==', '!=', '>', '>=', '<', '<=', 's>', 's>=', 's<', 's<=', '&'] as const;

/** One raw pick: a kind selector and small integers the kind interprets. */
type Pick = readonly [kind: number, a: number, b: number, c: number, d: number, e: number];

const pick = fc.tuple(
  fc.nat(99),
  fc.nat(1 << 16),
  fc.nat(1 << 16),
  fc.nat(1 << 16),
  fc.oneof(fc.constantFrom(...EDGE32), fc.integer({ min: -0x80000000, max: 0x7fffffff })),
  fc.nat(1 << 16),
);

const at = <T>(xs: readonly T[], i: number): T => xs[i % xs.length]!;
const hex = (v: bigint): string => (v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`);

class Writer {
  readonly lines: string[] = [];
  private label = 0;
  constructor(
    /** Label prefix, unique per function. */
    private readonly prefix: string,
    readonly scalars: readonly number[],
    /** r6 (ctx) and r7 (map value) exist: the main program. */
    readonly main: boolean,
  ) {}

  fresh(): string {
    return `${this.prefix}${this.label++}`;
  }

  get end(): string {
    return `${this.prefix}end`;
  }

  /** Restores the scalar invariant of r1..r5 after a call clobbered them. */
  reinit(p: Pick): void {
    for (let r = 1; r <= 5; r++) this.lines.push(`r${r} = ${((p[1] * (r + 3)) ^ p[2]) & 0xffff}`);
  }

  alu(p: Pick): void {
    const [, a, b, c, imm] = p;
    const d = at(this.scalars, a);
    const s = at(this.scalars, b);
    const w32 = c % 3 === 0;
    const R = (r: number): string => `${w32 ? 'w' : 'r'}${r}`;
    const kind = c % 17;
    if (kind === 13) return void this.lines.push(`${R(d)} = -${R(d)}`);
    if (kind === 14) {
      const bits = w32 ? at([8, 16], b) : at([8, 16, 32], b);
      return void this.lines.push(`${R(d)} = (s${bits})${R(s)}`);
    }
    if (kind === 15) {
      const bits = at([16, 32, 64], b);
      return void this.lines.push(`r${d} = ${at(['le', 'be', 'bswap'], a + b)}${bits} r${d}`);
    }
    if (kind === 16) return void this.lines.push(`${R(d)} = ${b % 2 ? R(s) : imm}`);
    const op = ALU_OPS[kind]!;
    const useReg = (b >> 3) % 2 === 0;
    if (op === '<<=' || op === '>>=' || op === 's>>=') {
      if (useReg) return void this.lines.push(`${R(d)} ${op} ${R(s)}`);
      return void this.lines.push(`${R(d)} ${op} ${Math.abs(imm) % (w32 ? 32 : 64)}`);
    }
    if (useReg) return void this.lines.push(`${R(d)} ${op} ${R(s)}`);
    // The verifier refuses an immediate divisor of zero.
    const v = (op.includes('/') || op.includes('%')) && imm === 0 ? 3 : imm;
    this.lines.push(`${R(d)} ${op} ${v}`);
  }

  lddw(p: Pick): void {
    const v = at(EDGE64, p[2]) ^ BigInt(p[3]);
    this.lines.push(`r${at(this.scalars, p[1])} = ${hex(BigInt.asIntN(64, v))} ll`);
  }

  /** Loads and stores on the stack data slots (fp-32..fp-1), aligned to their size. */
  stack(p: Pick): void {
    const [, a, b, c, imm] = p;
    const size = at([1, 2, 4, 8], c);
    const off = 32 - Math.floor((a % 32) / size) * size;
    const r = at(this.scalars, b);
    const ty = `${(c >> 2) % 3 === 0 && size < 8 ? 's' : 'u'}${size * 8}`;
    const mode = (c >> 4) % 3;
    if (mode === 0) this.lines.push(`r${r} = *(${ty} *)(r10 - ${off})`);
    else if (mode === 1) this.lines.push(`*(u${size * 8} *)(r10 - ${off}) = r${r}`);
    else this.lines.push(`*(u${size * 8} *)(r10 - ${off}) = ${imm}`);
  }

  /** The same through r7, the array map's value (32 bytes), or through a direct value pointer (lddw map_value). */
  mapValue(p: Pick): void {
    const [, a, b, c, imm] = p;
    if ((c >> 6) % 4 === 0) {
      this.lines.push(`r0 = map_value(4, ${8 * (a % 4)}) ll`, 'r0 = *(u64 *)(r0 + 0)');
      return;
    }
    const size = at([1, 2, 4, 8], c);
    const off = Math.floor((a % 32) / size) * size;
    const r = at(this.scalars, b);
    const mode = (c >> 4) % 3;
    if (mode === 0) this.lines.push(`r${r} = *(${(c >> 2) % 3 === 0 && size < 8 ? 's' : 'u'}${size * 8} *)(r7 + ${off})`);
    else if (mode === 1) this.lines.push(`*(u${size * 8} *)(r7 + ${off}) = r${r}`);
    else this.lines.push(`*(u${size * 8} *)(r7 + ${off}) = ${imm}`);
  }

  ctx(p: Pick): void {
    this.lines.push(`r${at(this.scalars, p[1])} = *(u64 *)(r6 + ${8 * (p[2] % 21)})`);
  }

  atomic(p: Pick): void {
    const [, a, b, c] = p;
    const wide = c % 2 === 0;
    const base = (c >> 1) % 2 === 0 || !this.main ? 'r10' : 'r7';
    const size = wide ? 8 : 4;
    const off = base === 'r10' ? -32 + Math.floor((a % 32) / size) * size : Math.floor((a % 32) / size) * size;
    const addr = `${base} ${off < 0 ? '-' : '+'} ${Math.abs(off)}`;
    const s = at(this.scalars.filter((r) => r !== 0), b);
    const S = `${wide ? 'r' : 'w'}${s}`;
    const ty = wide ? 'u64' : 'u32';
    const op = (c >> 2) % 10;
    const plain = ['+=', '|=', '&=', '^='];
    const fetch = ['add', 'or', 'and', 'xor'];
    if (op < 4) this.lines.push(`lock *(${ty} *)(${addr}) ${plain[op]} ${S}`);
    else if (op < 8) this.lines.push(`${S} = atomic_fetch_${fetch[op - 4]}((${ty} *)(${addr}), ${S})`);
    else if (op === 8) this.lines.push(wide ? `${S} = xchg_64(${addr}, ${S})` : `${S} = xchg32_32(${addr}, ${S})`);
    else this.lines.push(wide ? `r0 = cmpxchg_64(${addr}, r0, ${S})` : `w0 = cmpxchg32_32(${addr}, w0, ${S})`);
  }

  condition(p: Pick, target: string): void {
    const [, a, b, c, imm] = p;
    const w32 = c % 3 === 0;
    const R = (r: number): string => `${w32 ? 'w' : 'r'}${r}`;
    const op = at(JMP_OPS, c >> 2);
    const rhs = (b >> 5) % 2 === 0 ? R(at(this.scalars, b)) : `${imm}`;
    this.lines.push(`if ${R(at(this.scalars, a))} ${op} ${rhs} goto ${target}`);
  }

  /**
   * bpf_loop (a few iterations) or for_each_map_elem (over the array, hash or per-CPU hash)
   * calling callback k of its kind, with a NULL context.
   */
  callback(p: Pick, callbacks: number): void {
    const [, a, b] = p;
    const k = a % callbacks;
    if (b % 2 === 0) this.lines.push(`r1 = ${1 + ((b >> 1) % 5)}`, `r2 = func(lcb${k}) ll`, 'r3 = 0', 'r4 = 0', 'call 181');
    else this.lines.push(`r1 = map_fd(${1 + ((b >> 1) % 3)}) ll`, `r2 = func(ecb${k}) ll`, 'r3 = 0', 'r4 = 0', 'call 164');
    this.reinit(p);
  }

  helper(p: Pick): void {
    const [, a, b, c] = p;
    const kind = a % 9;
    switch (kind) {
      case 0: this.lines.push('call 5'); break; // ktime_get_ns
      case 1: this.lines.push('call 14'); break; // get_current_pid_tgid
      case 2: this.lines.push('call 7'); break; // get_prandom_u32
      case 3: this.lines.push('call 15'); break; // get_current_uid_gid
      case 4: { // map_update_elem(hash or percpu hash, key fp-8.., value fp-16.., flags)
        const fd = b % 2 === 0 ? 2 : 3;
        this.lines.push(`r1 = map_fd(${fd}) ll`, 'r2 = r10', `r2 += ${-32 + 8 * (c % 3)}`, 'r3 = r10', `r3 += ${fd === 3 ? -24 : -32 + 8 * (b % 4)}`, `r4 = ${c % 4}`, 'call 2');
        break;
      }
      case 5: { // map_lookup_elem(hash) and a read or increment of the value
        const fd = b % 2 === 0 ? 2 : 3;
        const skip = this.fresh();
        this.lines.push(`r1 = map_fd(${fd}) ll`, 'r2 = r10', `r2 += ${-32 + 8 * (c % 4)}`, 'call 1', `if r0 == 0 goto ${skip}`);
        // r0 is a scalar again on both paths afterwards.
        if (c % 3 === 0) this.lines.push('r1 = 1', 'lock *(u64 *)(r0 + 0) += r1', 'r0 = 7');
        else this.lines.push('r0 = *(u64 *)(r0 + 0)');
        this.lines.push(`${skip}:`);
        break;
      }
      case 6: // map_delete_elem(hash)
        this.lines.push(`r1 = map_fd(2) ll`, 'r2 = r10', `r2 += ${-32 + 8 * (c % 4)}`, 'call 3');
        break;
      case 7: // probe_read_kernel(fp-32, 8 or 16, fp-16): a region read
        this.lines.push('r1 = r10', 'r1 += -32', `r2 = ${8 * (1 + (b % 2))}`, 'r3 = r10', 'r3 += -16', 'call 113');
        break;
      default: // get_current_comm(fp-32, 16): called the generic way
        this.lines.push('r1 = r10', 'r1 += -32', 'r2 = 16', 'call 16');
        break;
    }
    this.reinit(p);
  }
}

/** What one generated program is: its text and how many subprograms it has. */
export interface RandomProgram {
  readonly text: string;
}

function body(w: Writer, picks: readonly Pick[], subs: number, callbacks = 0): void {
  // Forward branches land on item boundaries: labels are placed before the item they name.
  const labelsAt = new Map<number, string[]>();
  picks.forEach((p, i) => {
    for (const l of labelsAt.get(i) ?? []) w.lines.push(`${l}:`);
    const kind = p[0];
    if (kind < 30) w.alu(p);
    else if (kind < 34) w.lddw(p);
    else if (kind < 44) w.stack(p);
    else if (kind < 50) {
      if (w.main) w.mapValue(p);
      else w.stack(p);
    } else if (kind < 53) {
      if (w.main) w.ctx(p);
      else w.lddw(p);
    } else if (kind < 60) w.atomic(p);
    else if (kind < 72) {
      const to = i + 1 + (p[5] % 4);
      const label = w.fresh();
      if (to >= picks.length) w.condition(p, w.end);
      else {
        labelsAt.set(to, [...(labelsAt.get(to) ?? []), label]);
        w.condition(p, label);
      }
    } else if (kind < 80) w.helper(p);
    else if (kind < 88 && w.main) {
      // A bounded loop of a few ALU items, counted down in r9.
      const head = w.fresh();
      w.lines.push(`r9 = ${1 + (p[1] % 4)}`, `${head}:`);
      const inner = new Writer(`${head}_`, w.scalars.filter((r) => r !== 9), true);
      for (let k = 0; k < 1 + (p[2] % 3); k++) inner.alu([0, p[3] + k, p[2] + 3 * k, p[1] + k, p[4] ^ k, 0]);
      w.lines.push(...inner.lines, 'r9 += -1', `if r9 != 0 goto ${head}`);
    } else if (kind < 96 && subs > 0) {
      w.lines.push(`call sub${p[1] % subs}`);
      w.reinit(p);
    } else if (callbacks > 0) w.callback(p, callbacks);
    else w.alu(p);
  });
  for (const l of labelsAt.get(picks.length) ?? []) w.lines.push(`${l}:`);
}

/** Programs of up to `maxItems` items in main and in each of up to two subprograms. */
export function randomProgram(maxItems: number): fc.Arbitrary<RandomProgram> {
  return fc
    .record({
      init: fc.array(fc.integer({ min: -0x80000000, max: 0x7fffffff }), { minLength: 6, maxLength: 6 }),
      key: fc.nat(5),
      main: fc.array(pick, { minLength: 1, maxLength: maxItems }),
      subs: fc.array(fc.array(pick, { minLength: 1, maxLength: Math.max(1, maxItems >> 2) }), { maxLength: 2 }),
      callbacks: fc.array(fc.array(pick, { minLength: 1, maxLength: Math.max(1, maxItems >> 3) }), { maxLength: 2 }),
    })
    .map(({ init, key, main, subs, callbacks }) => {
      const w = new Writer('m', SCALARS, true);
      w.lines.push('r6 = r1');
      for (let k = 0; k < 4; k++) w.lines.push(`r0 = ${hex(BigInt(init[k]!) * 0x10001n)} ll`, `*(u64 *)(r10 - ${8 * (k + 1)}) = r0`);
      w.lines.push(`*(u64 *)(r10 - 40) = ${key}`, 'r1 = map_fd(1) ll', 'r2 = r10', 'r2 += -40', 'call 1', 'if r0 != 0 goto start', 'r0 = 0', 'exit', 'start:', 'r7 = r0');
      SCALARS.forEach((r, k) => w.lines.push(`r${r} = ${init[k % init.length]! ^ (k * 0x1234567)}`));
      // Every subprogram is called (an uncalled one is unreachable code).
      subs.forEach((_, k) => {
        w.lines.push(`call sub${k}`, `r8 = r0`);
        w.reinit([0, init[k]! & 0xffff, k, 0, 0, 0]);
      });
      // Every callback kind is called once (an unreferenced one is unreachable code).
      callbacks.forEach((_, k) => {
        w.callback([0, k, 0, 0, 0, 0], callbacks.length);
        w.callback([0, k, 1, 0, 0, 0], callbacks.length);
      });
      body(w, main, subs.length, callbacks.length);
      w.lines.push(`${w.end}:`, 'exit');
      subs.forEach((picks, s) => {
        // A subprogram: its own frame's data slots written first, r0 from its first argument.
        const sw = new Writer(`s${s}_`, SUB_SCALARS, false);
        sw.lines.push(`sub${s}:`);
        for (let k = 0; k < 4; k++) sw.lines.push(`*(u64 *)(r10 - ${8 * (k + 1)}) = r${k + 1}`);
        sw.lines.push('r0 = r1');
        body(sw, picks, 0);
        sw.lines.push(`${sw.end}:`, 'exit');
        w.lines.push(...sw.lines);
      });
      callbacks.forEach((picks, c) => {
        // A loop callback gets (index, NULL); an element callback (map, key, value, NULL): it
        // adds the key's first word to the value's first u64. Both end with r0 in [0, 1].
        for (const kind of ['l', 'e'] as const) {
          const cw = new Writer(`${kind}${c}_`, SUB_SCALARS, false);
          cw.lines.push(`${kind}cb${c}:`);
          if (kind === 'e') cw.lines.push('r0 = *(u64 *)(r3 + 0)', 'r5 = *(u32 *)(r2 + 0)', 'r0 += r5', '*(u64 *)(r3 + 0) = r0', 'r1 = r0');
          for (let k = 0; k < 4; k++) cw.lines.push(`*(u64 *)(r10 - ${8 * (k + 1)}) = r1`);
          cw.lines.push('r0 = r1');
          cw.reinit(picks[0]!);
          body(cw, picks, 0);
          cw.lines.push(`${cw.end}:`, 'r0 &= 1', 'exit');
          w.lines.push(...cw.lines);
        }
      });
      return { text: w.lines.join('\n') };
    });
}
