// Bad programs made from good ones: a fast-check arbitrary of ProgramCase (a seed program,
// 1–4 mutations, how it reaches main: -e, stdin text or stdin bytes that are not UTF-8, and
// the command line around it) and `materialize`, which applies the mutations. Mutations work
// on a rough token list (enough to cut programs where a parser would): delete, insert, replace,
// swap, duplicate, truncate, splice two programs, random characters, huge literals.
// Not: running them (cli-outcome.ts) or deciding what is acceptable.

import fc from 'fast-check';
import type { Seed } from './seeds.js';

/** Rough bpftrace tokens; whitespace and comments are tokens too, so joining gives the text back. */
const TOKEN =
  /\s+|\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|"(?:[^"\\\n]|\\.)*"?|0[xX][0-9a-fA-F_]*|\d[\d_]*(?:[eE]\d+)?[a-zA-Z]*|[$@]?[A-Za-z_][A-Za-z0-9_]*|\$\d+|\$#|<<=|>>=|->|\+\+|--|&&|\|\||==|!=|<=|>=|<<|>>|[-+*/%&|^]=|\.\.|[^]/gy;

export function tokenize(text: string): string[] {
  TOKEN.lastIndex = 0;
  const out: string[] = [];
  let m: RegExpExecArray | null;
  while ((m = TOKEN.exec(text)) !== null && m[0] !== '') out.push(m[0]);
  return out;
}

const isSignificant = (t: string): boolean => !/^\s+$/.test(t);
const isNumber = (t: string): boolean => /^\d|^0[xX]/.test(t);

/** What mutations insert: bpftrace's punctuation, keywords, probes, builtins, calls, literals. */
export const VOCABULARY: readonly string[] = [
  ...'{ } ( ) [ ] ; , : . -> + - * / % & | ^ ~ ! = == != < > <= >= << >> && || ? ++ -- += -= *= /= %= &= |= ^= <<= >>= @ $ # " \' \\ .. /* */ //'.split(' '),
  'if', 'else', 'while', 'for', 'unroll', 'return', 'break', 'continue', 'let', 'macro', 'import', 'config', 'struct', 'union',
  'enum', 'BEGIN', 'END', 'begin', 'end', 'true', 'false', 'sizeof', 'offsetof', 'typeof', '#define', '#include', '#ifdef', '#endif',
  'kprobe:vfs_read', 'kretprobe:vfs_read', 'tracepoint:syscalls:sys_enter_openat', 'tracepoint:raw_syscalls:sys_enter',
  'interval:s:1', 'profile:hz:99', 'uprobe:/bin/bash:readline', 'fentry:vfs_read', 'usdt:/bin/x:p', 'software:cpu-clock:1',
  'hardware:cache-misses:1', 'watchpoint:0x1000:8:w', 'iter:task', 'self:signal:SIGUSR1', 't:syscalls:*', 'k:*', 'kprobe:{a,b}',
  'pid', 'tid', 'comm', 'nsecs', 'elapsed', 'args', 'args.filename', 'args->fd', 'arg0', 'arg5', 'arg9', 'retval', 'kstack',
  'ustack', 'curtask', 'cpu', 'probe', 'func', 'uid', 'cgroup', 'rand', 'jiffies', 'username',
  'printf("%d %s %lu %x %-5s %%\\n", ', 'print(', 'count()', 'sum(', 'avg(', 'min(', 'max(', 'stats(', 'hist(', 'lhist(',
  'str(', 'buf(', 'join(', 'clear(', 'zero(', 'delete(', 'exit()', 'system("ls")', 'signal(9)', 'override(0)', 'cat("/etc/passwd")',
  'ksym(', 'usym(', 'kaddr("x")', 'ntop(', 'strncmp(', 'has_key(', 'len(', 'time()', 'strftime("%s", ', 'macaddr(',
  'bswap(', 'reg("ip")', 'kptr(', 'uptr(', 'printf(', 'tseries(', 'percpuarray(', 'hash(',
  '$x', '$y', '$1', '$2', '$#', '@m', '@', '@m[1]', '@m[1, 2]', '(uint8)', '(int64 *)', '(struct task_struct *)', '(int8[4])',
  '0', '1', '-1', '255', '0x7fffffffffffffff', '18446744073709551615', '1e3', '1_000', '5s', '1ms', '"str"', '""', '"\\x41"',
  '"%s%s%s%s%s"',
];

/** Integer literals too large for 64 bits, and their near neighbours that just fit. */
export const HUGE_LITERALS: readonly string[] = [
  '18446744073709551615', '18446744073709551616', '9223372036854775807', '9223372036854775808', '-9223372036854775808',
  '-9223372036854775809', '0xffffffffffffffff', '0x10000000000000000', '0x1_0000_0000_0000_0000', '1e19', '1e20', '9e18', '1e999',
  '99999999999999999999s', '18446744073709551615ns', '1_000_000_000_000_000_000_000', '01777777777777777777777',
  '02000000000000000000000', '18446744073709551615u', '18446744073709551616ull', '4294967296u', '99999999999999999999ms',
  '1000000000000000000d', '0x', '0x_', '1__0', '08', '1e', '1e-3', '0.5', '1.', '1ee3',
];

const hugeLiteral: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...HUGE_LITERALS),
  fc
    .tuple(fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 19, maxLength: 300 }), fc.constantFrom('', 'u', 'ul', 'll', 'ULL', 's', 'ms', 'us', 'ns', 'm', 'h', 'd'))
    .map(([d, s]) => `9${d}${s}`),
  fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: 17, maxLength: 100 }).map((h) => `0x${h}`),
);

/** Characters that break lexers: controls, NUL, quotes, lone surrogates, astral and RTL marks. */
const oddCharacter: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\0', '\x1b[31m', '\r', '\r\n', '\t', '\v', '\f', '\u2028', '\u202e', '\ufeff', '\ufffd', '😀', '"', '\\', '\n#'),
);

export type Mutation =
  | { readonly kind: 'delete'; readonly at: number; readonly len: number }
  | { readonly kind: 'insert'; readonly at: number; readonly word: string }
  | { readonly kind: 'replace'; readonly at: number; readonly word: string }
  | { readonly kind: 'swap'; readonly at: number; readonly other: number }
  | { readonly kind: 'duplicate'; readonly at: number; readonly len: number }
  | { readonly kind: 'truncate'; readonly fraction: number }
  | { readonly kind: 'splice'; readonly with: number; readonly at: number; readonly from: number }
  | { readonly kind: 'odd'; readonly at: number; readonly text: string }
  | { readonly kind: 'huge'; readonly at: number; readonly literal: string };

export const mutation = (seedCount: number): fc.Arbitrary<Mutation> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 4 }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), word: fc.constantFrom(...VOCABULARY) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), word: fc.constantFrom(...VOCABULARY) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 30 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('splice' as const), with: fc.nat(Math.max(0, seedCount - 1)), at: fc.nat(), from: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('odd' as const), at: fc.nat(), text: oddCharacter }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('huge' as const), at: fc.nat(), literal: hugeLiteral }) },
  );

/** Byte sequences that are not UTF-8: stray continuation bytes, overlong forms, surrogates, > U+10FFFF, cut sequences. */
export const BAD_UTF8: readonly (readonly number[])[] = [
  [0xff], [0xfe], [0x80], [0xbf], [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xc3], [0x00],
];

export type Transport =
  | { readonly kind: 'e' }
  | { readonly kind: 'stdin' }
  /** stdin bytes: the mutated text as UTF-8 with these bad sequences spliced in at these fractions. */
  | { readonly kind: 'bytes'; readonly bad: readonly (readonly [number, number])[] };

const transport: fc.Arbitrary<Transport> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'e' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'stdin' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('bytes' as const),
      bad: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(BAD_UTF8.length - 1)), { minLength: 1, maxLength: 4 }),
    }),
  },
);

/** Command-line extras: dumps (their printers see the mutated trees too), formats, parameters. */
const extraArgs: fc.Arbitrary<readonly string[]> = fc.oneof(
  { weight: 6, arbitrary: fc.constant([]) },
  { weight: 1, arbitrary: fc.constantFrom(['-d', 'ast'], ['-d', 'types'], ['-d', 'all'], ['-f', 'json'], ['-q'], ['--unsafe'], ['-v']) },
);
const extraParams: fc.Arbitrary<readonly string[]> = fc.oneof(
  { weight: 5, arbitrary: fc.constant([]) },
  { weight: 1, arbitrary: fc.array(fc.oneof(fc.constantFrom(...HUGE_LITERALS, '', '-', '--x', 'a b'), fc.string({ maxLength: 6 })), { maxLength: 3 }) },
);

export interface ProgramCase {
  /** 'dry': --dry-run (parse, check, compile); 'run': 20 ms of virtual time in the synthetic world. */
  readonly mode: 'dry' | 'run';
  readonly seed: number;
  readonly mutations: readonly Mutation[];
  readonly transport: Transport;
  readonly args: readonly string[];
  readonly params: readonly string[];
}

/** Cases over these seeds; one in `runEvery` runs in the world (a run costs ~40 ms, a dry run ~2). */
export const programCase = (seeds: readonly Seed[], runEvery = 4): fc.Arbitrary<ProgramCase> =>
  fc.record({
    mode: fc.oneof({ weight: runEvery - 1, arbitrary: fc.constant('dry' as const) }, { weight: 1, arbitrary: fc.constant('run' as const) }),
    seed: fc.nat(seeds.length - 1),
    mutations: fc.array(mutation(seeds.length), { minLength: 1, maxLength: 4 }),
    transport,
    args: extraArgs,
    params: extraParams,
  });

/** A case ready to run: the command line, stdin, and the program text (for reports). */
export interface Materialized {
  readonly argv: readonly string[];
  readonly stdin?: string | Uint8Array;
  readonly text: string;
}

/** Applies one mutation to a token list. Positions wrap around the significant tokens. */
function apply(tokens: string[], m: Mutation, seeds: readonly Seed[]): string[] {
  const sig = tokens.flatMap((t, i) => (isSignificant(t) ? [i] : []));
  const pick = (n: number): number => (sig.length === 0 ? 0 : sig[n % sig.length]!);
  const t = [...tokens];
  switch (m.kind) {
    case 'delete':
      t.splice(pick(m.at), m.len);
      return t;
    case 'insert':
      t.splice(sig.length === 0 ? 0 : pick(m.at), 0, m.word, ' ');
      return t;
    case 'replace':
      if (sig.length === 0) return [m.word];
      t[pick(m.at)] = m.word;
      return t;
    case 'swap': {
      const a = pick(m.at);
      const b = pick(m.other);
      [t[a], t[b]] = [t[b]!, t[a]!];
      return t;
    }
    case 'duplicate': {
      const a = pick(m.at);
      t.splice(a, 0, ...t.slice(a, a + m.len));
      return t;
    }
    case 'truncate':
      return tokenize(t.join('').slice(0, Math.floor(t.join('').length * m.fraction)));
    case 'splice': {
      const other = tokenize(seeds[m.with]!.text);
      return [...t.slice(0, pick(m.at)), ...other.slice(other.length === 0 ? 0 : m.from % other.length)];
    }
    case 'odd': {
      const a = pick(m.at);
      const tok = t[a] ?? '';
      // Inside a token as often as between tokens: strings and identifiers see them too.
      const cut = tok.length === 0 ? 0 : m.at % (tok.length + 1);
      t[a] = tok.slice(0, cut) + m.text + tok.slice(cut);
      return t;
    }
    case 'huge': {
      const numbers = t.flatMap((tok, i) => (isNumber(tok) ? [i] : []));
      if (numbers.length > 0) t[numbers[m.at % numbers.length]!] = m.literal;
      else t.splice(pick(m.at), 0, m.literal, ' ');
      return t;
    }
  }
}

export function mutateText(seed: Seed, mutations: readonly Mutation[], seeds: readonly Seed[]): string {
  let tokens = tokenize(seed.text);
  for (const m of mutations) tokens = apply(tokens, m, seeds);
  return tokens.join('');
}

export function materialize(c: ProgramCase, seeds: readonly Seed[]): Materialized {
  const seed = seeds[c.seed]!;
  const text = mutateText(seed, c.mutations, seeds);
  const params = [...seed.params, ...c.params];
  // Runs never get --unsafe: system() would reach the host.
  const before =
    c.mode === 'dry'
      ? ['--dry-run', ...(seed.unsafe ? ['--unsafe'] : []), ...c.args]
      : ['--duration', '20ms', ...c.args.filter((a) => a !== '--unsafe')];
  switch (c.transport.kind) {
    case 'e':
      return { argv: [...before, '-e', text, ...params], text };
    case 'stdin':
      return { argv: [...before, '-', ...params], stdin: text, text };
    case 'bytes': {
      let bytes = Buffer.from(text, 'utf8');
      for (const [fraction, which] of c.transport.bad) {
        const at = Math.floor(bytes.length * fraction);
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(BAD_UTF8[which]!), bytes.subarray(at)]);
      }
      return { argv: [...before, '-', ...params], stdin: new Uint8Array(bytes), text: bytes.toString('utf8') };
    }
  }
}
