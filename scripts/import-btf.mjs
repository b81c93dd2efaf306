#!/usr/bin/env node
// Extracts kernel function signatures, struct layouts and enum constants from the running
// kernel's BTF into probes/kernel/{functions,structs,types,enums}.json, structs.h and enums.h,
// following probes/kernel/selection.json.
// Input: `bpftool btf dump file /sys/kernel/btf/vmlinux format raw` (run here, or a saved
// dump passed as --raw FILE) and /proc/kallsyms. Not run at build time; see probes/README.md.
//
// usage: node scripts/import-btf.mjs [--raw dump.txt] [--c vmlinux.h] [--kallsyms FILE]

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

const rawText = opt('--raw')
  ? readFileSync(opt('--raw'), 'utf8')
  : execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'raw'], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    });
const kallsyms = readFileSync(opt('--kallsyms') ?? '/proc/kallsyms', 'utf8');
// The same BTF as C (what `bpftrace -lv 'struct x'` prints comes from libbpf's btf_dump too).
const cText = opt('--c')
  ? readFileSync(opt('--c'), 'utf8')
  : execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    });

// ── parse the raw dump ──────────────────────────────────────────────────────────────────
/** id → { kind, name, ...attrs, members: [] } */
const types = new Map();
types.set(0, { kind: 'VOID', name: 'void', members: [] });
const funcsByName = new Map();
const byKindName = new Map(); // "STRUCT sock" → id (first wins)
let cur;
for (const line of rawText.split('\n')) {
  const head = /^\[(\d+)\] (\w+) '([^']*)'(.*)$/.exec(line);
  if (head) {
    const [, id, kind, name, rest] = head;
    cur = { kind, name: name === '(anon)' ? '' : name, members: [] };
    for (const m of rest.matchAll(/(\w+)=(\S+?)(?:,|\s|$)/g)) cur[m[1]] = m[2];
    types.set(Number(id), cur);
    if (kind === 'FUNC' && !funcsByName.has(cur.name)) funcsByName.set(cur.name, Number(id));
    if (cur.name && !byKindName.has(`${kind} ${cur.name}`)) byKindName.set(`${kind} ${cur.name}`, Number(id));
    continue;
  }
  const mem = /^\t'([^']*)'(.*)$/.exec(line);
  if (mem && cur) {
    const m = { name: mem[1] === '(anon)' ? '' : mem[1] };
    for (const a of mem[2].matchAll(/(\w+)=(\S+)/g)) m[a[1]] = a[2];
    cur.members.push(m);
  }
}
const idOf = new Map([...types].map(([id, t]) => [t, id]));
const T = (id) => {
  const t = types.get(Number(id));
  if (!t) throw new Error(`BTF type ${id} missing`);
  return t;
};

// ── type rendering, as libbpf's btf_dump prints a declaration with an empty name ──────────
function baseName(t) {
  switch (t.kind) {
    case 'VOID':
      return 'void';
    case 'STRUCT':
      return t.name ? `struct ${t.name}` : 'struct {...}';
    case 'UNION':
      return t.name ? `union ${t.name}` : 'union {...}';
    case 'ENUM':
    case 'ENUM64':
      return t.name ? `enum ${t.name}` : 'enum {...}';
    case 'FWD':
      return `${t.fwd_kind === 'union' ? 'union' : 'struct'} ${t.name}`;
    default:
      return t.name;
  }
}

/** C text of type `id` declaring `inner` (a declarator, '' for an abstract one). */
function decl(id, inner = '') {
  const t = T(id);
  switch (t.kind) {
    case 'PTR': {
      const target = T(t.type_id);
      const wrap = target.kind === 'ARRAY' || target.kind === 'FUNC_PROTO';
      return decl(t.type_id, wrap ? `(*${inner})` : `*${inner}`);
    }
    case 'CONST':
    case 'VOLATILE':
    case 'RESTRICT': {
      const q = t.kind.toLowerCase();
      const target = T(t.type_id);
      if (target.kind === 'PTR') return decl(t.type_id, inner ? `${q} ${inner}` : q);
      if (target.kind === 'ARRAY') return decl(t.type_id, inner); // qualifier of elements: dropped
      return `${q} ${decl(t.type_id, inner)}`;
    }
    case 'TYPE_TAG':
      return decl(t.type_id, inner);
    case 'ARRAY':
      return decl(t.type_id, `${inner}[${t.nr_elems}]`);
    case 'FUNC_PROTO': {
      const params = t.members.map((p) => (p.type_id === '0' ? '...' : decl(p.type_id))).join(', ');
      return decl(t.ret_type_id, `${inner}(${params || 'void'})`);
    }
    default: {
      const b = baseName(t);
      if (!inner) return b;
      // "struct sock *", "char **", "char[16]": a space before '*', none before '['.
      return inner.startsWith('[') || inner.startsWith('(') && !inner.startsWith('(*') ? `${b}${inner}` : `${b} ${inner}`;
    }
  }
}

function sizeOf(id) {
  const t = T(id);
  switch (t.kind) {
    case 'VOID':
    case 'FUNC_PROTO':
    case 'FWD':
      return 0;
    case 'PTR':
      return 8;
    case 'ARRAY':
      return Number(t.nr_elems) * sizeOf(t.type_id);
    case 'TYPEDEF':
    case 'CONST':
    case 'VOLATILE':
    case 'RESTRICT':
    case 'TYPE_TAG':
      return sizeOf(t.type_id);
    default:
      return Number(t.size);
  }
}

const strip = (id) => {
  let t = T(id);
  while (['TYPEDEF', 'CONST', 'VOLATILE', 'RESTRICT', 'TYPE_TAG'].includes(t.kind)) {
    id = Number(t.type_id);
    t = T(id);
  }
  return Number(id);
};

/** The small parsed form the checker consumes (see src/probes/ctype.ts, CType). */
function shape(id, anonKey) {
  const text = decl(id);
  let pointerDepth = 0;
  let arrayLength;
  let cur = strip(id);
  // Outermost array first ("struct x *a[4]" is an array of pointers), then pointers.
  if (T(cur).kind === 'ARRAY') {
    arrayLength = 1;
    while (T(cur).kind === 'ARRAY') {
      arrayLength *= Number(T(cur).nr_elems);
      cur = strip(T(cur).type_id);
    }
  }
  while (T(cur).kind === 'PTR') {
    pointerDepth++;
    cur = strip(T(cur).type_id);
  }
  const b = T(cur);
  const baseKind = {
    VOID: 'void',
    INT: b.encoding === 'BOOL' ? 'bool' : 'int',
    FLOAT: 'float',
    STRUCT: 'struct',
    UNION: 'union',
    FWD: b.fwd_kind === 'union' ? 'union' : 'struct',
    ENUM: 'enum',
    ENUM64: 'enum',
    FUNC_PROTO: 'func',
    ARRAY: 'int', // pointer to array: treated as pointer to its first element's base below
  }[b.kind];
  if (!baseKind) throw new Error(`no base kind for ${b.kind}`);
  const anonymous = ['STRUCT', 'UNION', 'ENUM', 'ENUM64'].includes(b.kind) && !b.name;
  const out = {
    text,
    base: anonymous ? (typedefOfAnon(id) ?? anonKey ?? baseName(b)) : baseName(b),
    baseKind,
    baseSize: sizeOf(cur),
    signed: b.encoding === 'SIGNED',
    pointerDepth,
    size: sizeOf(id),
  };
  if (b.kind === 'FUNC_PROTO') out.base = 'func';
  if (arrayLength !== undefined) out.arrayLength = arrayLength;
  return out;
}

/** The typedef naming an anonymous struct/union/enum on the chain of `id` (atomic_t, kuid_t). */
function typedefOfAnon(id) {
  let t = T(id);
  let last;
  for (;;) {
    if (t.kind === 'TYPEDEF') last = t.name;
    if (['TYPEDEF', 'CONST', 'VOLATILE', 'RESTRICT', 'TYPE_TAG', 'PTR', 'ARRAY'].includes(t.kind)) {
      t = T(t.type_id);
      continue;
    }
    return last;
  }
}

// ── structs: flatten anonymous members, follow by-value members ─────────────────────────
const opaqueSizes = new Map(); // "struct x" → size, for structs referenced but not laid out
const usedTypedefs = new Set();
const signedEnums = new Set(); // enums with a negative enumerator (BTF marks them SIGNED)

const referencedEnums = new Set(); // ids of every enum a catalogued field, argument or typedef names

function noteReferences(id) {
  // Typedef names anywhere on the chain, and the struct/union/enum at its base.
  let t = T(id);
  for (;;) {
    if (t.kind === 'TYPEDEF') usedTypedefs.add(t.name);
    if (['TYPEDEF', 'CONST', 'VOLATILE', 'RESTRICT', 'TYPE_TAG', 'PTR', 'ARRAY'].includes(t.kind)) {
      t = T(t.type_id);
      continue;
    }
    break;
  }
  if (t.kind === 'ENUM' || t.kind === 'ENUM64') referencedEnums.add(idOf.get(t));
  if (['STRUCT', 'UNION', 'ENUM', 'ENUM64'].includes(t.kind) && t.name) {
    const key = baseName(t);
    if (!opaqueSizes.has(key)) opaqueSizes.set(key, Number(t.size));
    if (t.encoding === 'SIGNED') signedEnums.add(key);
  }
}

function layout(id, baseBits, out, parentKey) {
  const t = T(id);
  for (const m of t.members) {
    const bits = baseBits + Number(m.bits_offset);
    const mid = Number(m.type_id);
    const s = strip(mid);
    if (!m.name && ['STRUCT', 'UNION'].includes(T(s).kind)) {
      layout(s, bits, out, parentKey); // anonymous member: its fields belong to the parent
      continue;
    }
    const anonKey = `${parentKey}::${m.name}`;
    const field = { name: m.name, type: shape(mid, anonKey), offset: Math.floor(bits / 8), size: sizeOf(mid) };
    if (m.bitfield_size) field.bitfield = { bitOffset: bits % 8, bitWidth: Number(m.bitfield_size) };
    noteReferences(mid);
    // A struct held by value must be laid out too, or `$t.se.cfs_rq` cannot be typed.
    let v = s;
    while (T(v).kind === 'ARRAY') v = strip(T(v).type_id);
    const vt = T(v);
    if (['STRUCT', 'UNION'].includes(vt.kind)) want(v, vt.name ? baseName(vt) : (typedefOfAnon(mid) ?? anonKey));
    out.push(field);
  }
}

const selection = JSON.parse(readFileSync(join(root, 'probes/kernel/selection.json'), 'utf8'));
const structOut = {};
const queue = [];
const queued = new Set();
function want(id, key) {
  if (queued.has(key)) return;
  queued.add(key);
  queue.push({ id, key });
}
function drain() {
  while (queue.length > 0) {
    const { id, key } = queue.shift();
    const fields = [];
    layout(id, 0, fields, key);
    const t = T(id);
    structOut[key] = { name: key, size: Number(t.size), ...(t.kind === 'UNION' ? { union: true } : {}), fields };
  }
}
for (const key of selection.structs) {
  const [kw, name] = key.split(' ');
  const id = byKindName.get(`${kw === 'union' ? 'UNION' : 'STRUCT'} ${name}`);
  if (id === undefined) {
    console.error(`import-btf: ${key} not in this kernel's BTF, skipped`);
    continue;
  }
  want(id, key);
}
drain();

// Typedefs of anonymous structs (atomic_t, sigset_t, …) are laid out under the typedef's name.
function layoutTypedefStructs() {
  for (;;) {
    for (const name of [...usedTypedefs]) {
      const id = byKindName.get(`TYPEDEF ${name}`);
      if (id === undefined) continue;
      const t = T(strip(id));
      if (['STRUCT', 'UNION'].includes(t.kind) && !t.name) want(strip(id), name);
    }
    if (queue.length === 0) return;
    drain();
  }
}

// ── functions ────────────────────────────────────────────────────────────────────────────
const textSyms = new Set();
for (const line of kallsyms.split('\n')) {
  const p = line.split(/\s+/);
  if (p.length >= 3 && (p[1] === 'T' || p[1] === 't') && p[3] === undefined) textSyms.add(p[2]);
}

function funcEntry(name) {
  const id = funcsByName.get(name);
  if (id === undefined) return undefined;
  const proto = T(T(id).type_id);
  const args = proto.members.map((p, i) => {
    noteReferences(p.type_id);
    return { name: p.name || `arg${i}`, type: shape(p.type_id) };
  });
  noteReferences(proto.ret_type_id);
  return { name, btf: true, args, ret: shape(proto.ret_type_id) };
}

const functions = new Map();
for (const name of selection.functions) {
  const e = funcEntry(name);
  if (!e) {
    console.error(`import-btf: function ${name} not in this kernel, skipped`);
    continue;
  }
  if (!textSyms.has(name)) e.inlinedOrRenamed = true;
  functions.set(name, e);
}
for (const pat of selection.functionPatterns) {
  const re = new RegExp('^' + pat.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  for (const name of funcsByName.keys()) {
    if (!re.test(name) || functions.has(name) || !textSyms.has(name)) continue;
    const e = funcEntry(name);
    if (e && e.args.length <= 6) functions.set(name, e);
  }
}

// __x64_sys_<name>: the syscall entry every syscall passes through, one pt_regs argument.
if (selection.syscallWrappers) {
  const ptRegs = byKindName.get('STRUCT pt_regs');
  const tbl = readFileSync(join(root, 'probes/syscalls/x86_64.tbl'), 'utf8');
  for (const line of tbl.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [, name] = line.split('\t');
    const fn = `__x64_sys_${name}`;
    if (functions.has(fn) || !textSyms.has(fn)) continue;
    const fromBtf = funcEntry(fn);
    if (fromBtf) {
      functions.set(fn, fromBtf);
      continue;
    }
    // Not in BTF (no-argument calls such as getuid): the wrapper's C signature is fixed.
    functions.set(fn, {
      name: fn,
      btf: false,
      args: [
        {
          name: 'regs',
          type: {
            text: 'const struct pt_regs *',
            base: 'struct pt_regs',
            baseKind: 'struct',
            baseSize: Number(T(ptRegs).size),
            signed: false,
            pointerDepth: 1,
            size: 8,
          },
        },
      ],
      ret: { text: 'long', base: 'long', baseKind: 'int', baseSize: 8, signed: true, pointerDepth: 0, size: 8 },
    });
  }
}

// ── typedefs referenced by tracepoint format files ─────────────────────────────────────────
const tpRoot = join(root, 'probes/tracepoints');
if (existsSync(tpRoot)) {
  for (const cat of readdirSync(tpRoot)) {
    if (cat === 'index.txt') continue;
    for (const ev of readdirSync(join(tpRoot, cat))) {
      const text = readFileSync(join(tpRoot, cat, ev, 'format'), 'utf8');
      for (const m of text.matchAll(/\tfield:([^;]*);/g)) {
        const typeText = m[1].replace(/\s*[A-Za-z_]\w*\s*(\[\d*\])?\s*$/, ''); // drop the field name
        for (const word of typeText.match(/[A-Za-z_]\w*/g) ?? []) {
          if (byKindName.has(`TYPEDEF ${word}`)) usedTypedefs.add(word);
        }
        const tag = /\b(struct|union|enum) (\w+)/.exec(m[1]);
        if (tag) {
          const kind = { struct: 'STRUCT', union: 'UNION', enum: 'ENUM' }[tag[1]];
          const id = byKindName.get(`${kind} ${tag[2]}`) ?? byKindName.get(`ENUM64 ${tag[2]}`);
          if (id !== undefined) noteReferences(id);
        }
      }
    }
  }
}

layoutTypedefStructs();

const typedefs = {};
for (const name of [...usedTypedefs].sort()) {
  const id = byKindName.get(`TYPEDEF ${name}`);
  if (id === undefined) continue;
  const s = shape(T(id).type_id);
  typedefs[name] = s;
}

// Sizes of every named struct/union/enum the catalog mentions, so a type text can be sized
// without loading the layouts.
const tagSizes = {};
for (const [k, v] of opaqueSizes) tagSizes[k] = v;
for (const [k, v] of Object.entries(structOut)) if (!k.includes('::')) tagSizes[k] = v.size;

// ── enum constants ─────────────────────────────────────────────────────────────────────────
// bpftrace resolves a bare identifier (TCP_CLOSE) by dumping as C the first 32-bit BTF enum
// (kind ENUM, lowest id) holding an enumerator of that name and letting clang read it. Two
// consequences are reproduced here: ENUM64 enumerators never resolve, and neither do those of
// an anonymous enum some other BTF type refers to (`typedef enum {…} socket_state`), because
// libbpf's btf_dump prints such an enum only inline with its user, never on its own.
const referencedIds = new Set();
for (const t of types.values()) {
  for (const [k, v] of Object.entries(t)) if (k.endsWith('type_id')) referencedIds.add(Number(v));
  for (const m of t.members) if (m.type_id !== undefined) referencedIds.add(Number(m.type_id));
}
const enumIdsAscending = [...types.keys()].filter((id) => T(id).kind === 'ENUM').sort((a, b) => a - b);
const firstEnumWith = new Map(); // enumerator name → id of the first ENUM holding it
for (const id of enumIdsAscending) for (const m of T(id).members) if (!firstEnumWith.has(m.name)) firstEnumWith.set(m.name, id);
/** Whether btf_dump emits enum `id` on its own (so bpftrace can resolve its enumerators). */
const dumpedAlone = (id) => T(id).name !== '' || !referencedIds.has(id);
/** The enum's name in enums.json: its tag, or for an anonymous one a label from its first enumerator. */
const enumKey = (id) => T(id).name || `(unnamed ${T(id).members[0].name})`;

const enumIds = new Set();
for (const key of selection.enums ?? []) {
  const name = key.replace(/^enum /, '');
  const id = byKindName.get(`ENUM ${name}`);
  if (id !== undefined) enumIds.add(id);
  else if (byKindName.has(`ENUM64 ${name}`)) console.error(`import-btf: enum ${name} is 64-bit; bpftrace cannot resolve its constants, skipped`);
  else console.error(`import-btf: enum ${name} not in this kernel's BTF, skipped`);
}
for (const member of selection.anonymousEnums ?? []) {
  const id = firstEnumWith.get(member);
  if (id === undefined) console.error(`import-btf: no enum holds ${member}, skipped`);
  else if (!dumpedAlone(id)) console.error(`import-btf: the enum holding ${member} is only dumped inline (bpftrace cannot resolve it), skipped`);
  else enumIds.add(id);
}
// Named enums of catalogued fields, arguments and tracepoint fields (anonymous ones there are
// referenced, hence never dumped alone; ENUM64 ones never resolve).
for (const id of referencedEnums) if (T(id).kind === 'ENUM' && T(id).name) enumIds.add(id);

const enumConstants = {};
const enumTypes = {};
let shadowed = 0;
for (const id of [...enumIds].sort((a, b) => a - b)) {
  const t = T(id);
  const key = enumKey(id);
  enumTypes[key] = { size: Number(t.size), signed: t.encoding === 'SIGNED', ...(t.name ? {} : { anonymous: true }), btfId: id };
  for (const m of t.members) {
    // A name an earlier enum also holds resolves to that one in bpftrace; it is left out here
    // rather than given this enum's value.
    if (firstEnumWith.get(m.name) !== id) {
      shadowed++;
      continue;
    }
    const raw = Number(m.val);
    if (!Number.isInteger(raw) || raw < -(2 ** 31) || raw >= 2 ** 32) throw new Error(`enum ${key}: ${m.name} = ${m.val} is not a 32-bit value`);
    // clang hands bpftrace an enumerator's value sign-extended from 32 bits, so
    // SKB_DROP_REASON_SUBSYS_MASK (0xffff0000) is -65536 in bpftrace's arithmetic (print(X + 0)
    // shows 18446744073709486080); the constant is stored as bpftrace computes with it.
    enumConstants[m.name] = { value: raw >= 2 ** 31 ? raw - 2 ** 32 : raw, enum: key };
  }
}

/** C definition of a named 32-bit enum as libbpf's btf_dump prints it (what `bpftrace -lv 'enum x'` shows). */
function enumDefinition(t) {
  if (t.members.length === 0) return `enum ${t.name};`;
  // btf_dump keeps a non-int-sized enum's size with a mode attribute; a 2-byte one never occurs
  // in this kernel, and its spelling is unverified, so it stops the import rather than guess.
  const attr = { 1: ' __attribute__((mode(byte)))', 4: '', 8: ' __attribute__((mode(word)))' }[Number(t.size)];
  if (attr === undefined) throw new Error(`enum ${t.name}: size ${t.size} has no known btf_dump spelling`);
  return `enum ${t.name} {\n${t.members.map((m) => `\t${m.name} = ${m.val},`).join('\n')}\n}${attr};`;
}

const sortObj = (o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const kernel = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
const header = { source: `BTF of Linux ${kernel} (/sys/kernel/btf/vmlinux)`, generator: 'scripts/import-btf.mjs' };
// One struct field, function or typedef per line: readable, diffable, and compact enough to parse fast.
function pretty(value, depth, flatAt) {
  if (depth >= flatAt || value === null || typeof value !== 'object') return JSON.stringify(value);
  const pad = ' '.repeat(depth + 1);
  const end = ' '.repeat(depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => pad + pretty(v, depth + 1, flatAt)).join(',\n')}\n${end}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${pad}${JSON.stringify(k)}: ${pretty(v, depth + 1, flatAt)}`).join(',\n')}\n${end}}`;
}
const FLAT_AT = { 'functions.json': 2, 'structs.json': 4, 'types.json': 2, 'enums.json': 2 };
const write = (file, body) => writeFileSync(join(root, 'probes/kernel', file), pretty(body, 0, FLAT_AT[file]) + '\n');
write('functions.json', {
  ...header,
  functions: [...functions.values()].sort((a, b) => (a.name < b.name ? -1 : 1)),
});
write('structs.json', { ...header, structs: sortObj(structOut) });
write('types.json', { ...header, typedefs, tagSizes: sortObj(tagSizes), signedEnums: [...signedEnums].sort() });
// Constants grouped by enum (ascending BTF id), each enum's in declaration order: when two
// enumerators share a value, the later one is the name bpftrace prints for it.
write('enums.json', { ...header, enums: enumConstants, types: enumTypes });
writeFileSync(
  join(root, 'probes/kernel/enums.h'),
  `/* C definitions of the named enums in enums.json, from the BTF of Linux ${kernel}, as libbpf's btf_dump prints them; generated by scripts/import-btf.mjs. */\n\n` +
    [...enumIds]
      .filter((id) => T(id).name)
      .map((id) => enumDefinition(T(id)))
      .sort()
      .map((d) => d + '\n')
      .join('\n'),
);
// C definitions of the named structs laid out above, as btf_dump writes them, for -lv.
const defs = new Map();
{
  const lines = cText.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^((?:struct|union) [A-Za-z_]\w*) \{(\};)?$/.exec(lines[i]);
    if (!m || !structOut[m[1]] || defs.has(m[1])) continue;
    if (m[2]) {
      defs.set(m[1], lines[i]); // an empty struct: `struct lock_class_key {};`
      continue;
    }
    let j = i;
    while (!/^\}.*;$/.test(lines[j])) j++;
    defs.set(m[1], lines.slice(i, j + 1).join('\n'));
    i = j;
  }
}
writeFileSync(
  join(root, 'probes/kernel/structs.h'),
  `/* C definitions of the structs in structs.json, from the BTF of Linux ${kernel}; generated by scripts/import-btf.mjs. */\n\n` +
    [...defs.keys()]
      .sort()
      .map((k) => defs.get(k) + '\n')
      .join('\n'),
);

console.error(
  `import-btf: ${functions.size} functions, ${Object.keys(structOut).length} structs, ` +
    `${Object.keys(tagSizes).length} sized tags, ${Object.keys(typedefs).length} typedefs, ` +
    `${Object.keys(enumConstants).length} enum constants of ${Object.keys(enumTypes).length} enums (${shadowed} shadowed by earlier enums)`,
);
