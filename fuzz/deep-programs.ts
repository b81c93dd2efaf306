// Programs nested to a given depth, one shape per way bpftrace's grammar nests: parentheses,
// blocks, ifs, else-if chains, loops, unary operators, casts, calls, tuples, indexing,
// ternaries, flat operator chains (which parse without recursion into trees as deep as they
// are long), #define chains and macro calls, and unbalanced openers. In: a depth. Out: text.
// Not: what bpftrace-ts must answer (the suites: a located error or exit 0, never a crash).

export type DeepShape = (depth: number) => string;

const rep = (s: string, n: number): string => s.repeat(Math.max(0, n));

export const DEEP_SHAPES: Readonly<Record<string, DeepShape>> = {
  parentheses: (n) => `BEGIN { $x = ${rep('(', n)}1${rep(')', n)}; }`,
  blocks: (n) => `BEGIN { ${rep('{ ', n)}$x = 1;${rep(' }', n)} }`,
  ifs: (n) => `BEGIN { $x = 1; ${rep('if ($x) { ', n)}$x++;${rep(' }', n)} }`,
  'else-if chain': (n) => `BEGIN { $x = 1; if ($x == 0) { $x = 2; }${rep(' else if ($x == 1) { $x = 3; }', n)} }`,
  whiles: (n) => `BEGIN { $i = 0; ${rep('while ($i < 1) { ', n)}$i++;${rep(' }', n)} }`,
  unrolls: (n) => `BEGIN { ${rep('unroll(1) { ', n)}@c++;${rep(' }', n)} }`,
  negations: (n) => `BEGIN { $x = ${rep('- ', n)}1; }`,
  nots: (n) => `BEGIN { $x = ${rep('!', n)}1; }`,
  complements: (n) => `BEGIN { $x = ${rep('~', n)}1; }`,
  'pre-increments': (n) => `BEGIN { $x = 0; $y = ${rep('++', n)}$x; }`,
  derefs: (n) => `kprobe:vfs_read { $x = ${rep('*', n)}arg0; }`,
  casts: (n) => `BEGIN { $x = ${rep('(uint64)', n)}1; }`,
  calls: (n) => `BEGIN { $x = ${rep('bswap(', n)}1${rep(')', n)}; }`,
  tuples: (n) => `BEGIN { $x = ${rep('(', n)}1${rep(', 2)', n)}; }`,
  indexes: (n) => `BEGIN { @m[0] = 0; $x = ${rep('@m[', n)}0${rep(']', n)}; }`,
  ternaries: (n) => `BEGIN { $x = ${rep('1 ? ', n)}1${rep(' : 2', n)}; }`,
  'plus chain': (n) => `BEGIN { $x = 1${rep(' + 1', n)}; }`,
  'or chain': (n) => `BEGIN { $x = pid == 1${rep(' || pid == 2', n)}; }`,
  'mixed chain': (n) => `BEGIN { $x = 1${rep(' + 2 * 3 - 4 / 5 & 6', Math.ceil(n / 5))}; }`,
  'field chain': (n) => `BEGIN { $x = (1, 2)${rep('.0', n)}; }`,
  'block expressions': (n) => `BEGIN { $x = ${rep('{ ', n)}1${rep(' }', n)}; }`,
  'define chain': (n) => `${Array.from({ length: n }, (_, i) => `#define D${i + 1} (D${i} + 1)`).join('\n')}\n#define D0 1\nBEGIN { $x = D${n}; }`,
  'macro calls': (n) => `macro inc($v) { $v + 1 }\nBEGIN { $x = ${rep('inc(', n)}1${rep(')', n)}; }`,
  'open parentheses': (n) => `BEGIN { $x = ${rep('(', n)}`,
  'open braces': (n) => `BEGIN ${rep('{', n)}`,
  'open brackets': (n) => `BEGIN { $x = ${rep('@m[', n)}`,
  'nested comments': (n) => `BEGIN { ${rep('/* ', n)}x${rep(' */', n)} }`,
  'string escapes': (n) => `BEGIN { printf("${rep('\\x41\\n\\t\\"', n)}"); }`,
};
