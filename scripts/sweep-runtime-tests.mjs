#!/usr/bin/env node
// Conformance sweep: bpftrace's own runtime test cases (tests/runtime/* of an upstream
// checkout, read at run time, never copied here) run through bpftrace-ts and checked the way
// bpftrace's python runner checks them; kernel-independent cases also run through a real
// bpftrace 0.23 and the two outputs are compared exactly. A developer tool, not a test.
//
// Usage: node scripts/sweep-runtime-tests.mjs [--ref DIR] [--filter REGEX] [--jobs N]
//          [--no-bpftrace] [--bpftrace PATH] [--cache DIR] [--show fail|diff|all] [--json FILE]
// Needs a built CLI (npm run build); real bpftrace runs need root and are cached by command.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

// ─── command line ──────────────────────────────────────────────────────────────────────
function readArgs(argv) {
  const opts = {
    ref: '/work/ref/bpftrace',
    filter: undefined,
    jobs: 2,
    bpftrace: '/opt/bpftrace-0.23/bpftrace',
    useBpftrace: true,
    cache: path.join(os.tmpdir(), 'bpftrace-sweep-cache'),
    show: 'fail',
    json: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i];
    if (a === '--ref') opts.ref = value();
    else if (a === '--filter') opts.filter = new RegExp(value());
    else if (a === '--jobs') opts.jobs = Number(value());
    else if (a === '--bpftrace') opts.bpftrace = value();
    else if (a === '--no-bpftrace') opts.useBpftrace = false;
    else if (a === '--cache') opts.cache = value();
    else if (a === '--show') opts.show = value();
    else if (a === '--json') opts.json = value();
    else {
      console.error(`sweep: unknown argument ${a}`);
      process.exit(2);
    }
  }
  return opts;
}

// ─── reading the test files (the rules of tests/runtime/engine/parser.py) ───────────────
const DEFAULT_TIMEOUT = 5;

/** One test file → its cases, in order. Comment lines are dropped, blank lines end a case. */
function readSuite(file) {
  const suite = path.basename(file);
  const lines = readFileSync(file, 'utf8').split(/(?<=\n)/);
  const cases = [];
  let block = [];
  lines.forEach((line, i) => {
    if (line.startsWith('#')) return;
    if (line !== '\n') block.push(line);
    if ((line === '\n' || i === lines.length - 1) && block.length > 0) {
      cases.push(readCase(block, suite));
      block = [];
    }
  });
  return cases.filter((c) => archMatches(c.arch));
}

/** Directive lines → a case. A line indented past the previous directive's name continues it. */
function readCase(block, suite) {
  const c = {
    suite,
    name: '',
    run: '',
    prog: '',
    expects: [],
    exact: false,
    timeout: DEFAULT_TIMEOUT,
    befores: [],
    after: '',
    setup: '',
    cleanup: '',
    minKernel: '',
    maxKernel: '',
    requires: [],
    env: {},
    arch: [],
    features: [],
    willFail: false,
    newPidns: false,
    returnCode: 0,
  };
  let prev = '';
  for (const raw of block) {
    const item = raw.endsWith('\n') ? raw : `${raw}\n`;
    if (prev && /^\s+$/.test(item.slice(0, prev.length + 1))) {
      const text = item.slice(prev.length + 1, -1);
      if (prev === 'PROG') {
        c.prog += `\n${text}`;
        continue;
      }
      if (prev === 'EXPECT' || prev === 'EXPECT_REGEX') {
        c.expects.at(-1).text += `\n${text}`;
        continue;
      }
    }
    const trimmed = item.trim();
    const space = trimmed.search(/\s/);
    const key = space < 0 ? trimmed : trimmed.slice(0, space);
    const line = space < 0 ? '' : trimmed.slice(space).trimStart();
    prev = key;
    const expect = (mode) => c.expects.push({ mode, text: line });
    switch (key) {
      case 'NAME': c.name = line; break;
      case 'RUN': c.run = line; break;
      case 'PROG': c.prog = line; break;
      case 'EXPECT': expect('text'); break;
      case 'EXPECT_NONE': expect('text_none'); break;
      case 'EXPECT_REGEX': expect('regex'); break;
      case 'EXPECT_REGEX_NONE': expect('regex_none'); break;
      case 'EXPECT_FILE': c.exact = true; expect('file'); break;
      case 'EXPECT_JSON': c.exact = true; expect('json'); break;
      case 'TIMEOUT': c.timeout = Number(line); break;
      case 'BEFORE': c.befores.push(line); break;
      case 'AFTER': c.after = line; break;
      case 'SETUP': c.setup = line; break;
      case 'CLEANUP': c.cleanup = line; break;
      case 'MIN_KERNEL': c.minKernel = line; break;
      case 'MAX_KERNEL': c.maxKernel = line; break;
      case 'REQUIRES': c.requires.push(line); break;
      case 'ENV':
        for (const kv of line.split(/\s+/).filter(Boolean)) {
          const eq = kv.indexOf('=');
          c.env[kv.slice(0, eq)] = kv.slice(eq + 1);
        }
        break;
      case 'ARCH': c.arch = line.split('|').map((s) => s.trim()); break;
      case 'REQUIRES_FEATURE': c.features.push(...line.split(' ').map((s) => s.trim()).filter(Boolean)); break;
      case 'WILL_FAIL': c.willFail = true; break;
      case 'NEW_PIDNS': c.newPidns = true; break;
      case 'SKIP_IF_ENV_HAS': break;
      case 'RETURN_CODE': c.returnCode = Number(line); break;
      case 'LOCALIZE_TIMESTAMPS': c.localizeTs = Number(line); break;
      default: throw new Error(`${suite}: unknown directive ${key}`);
    }
  }
  return c;
}

function archMatches(arch) {
  if (arch.length === 0) return true;
  const host = new Set([os.arch() === 'x64' ? 'x86_64' : os.arch(), os.endianness() === 'LE' ? 'le' : 'be']);
  const pos = arch.filter((a) => !a.startsWith('!'));
  const neg = arch.filter((a) => a.startsWith('!')).map((a) => a.slice(1));
  if (pos.length > 0 && !pos.some((a) => host.has(a))) return false;
  return !neg.some((a) => host.has(a));
}

// ─── deciding what can run on the synthetic world ───────────────────────────────────────
/** Probe providers whose firing does not depend on the kernel (timers of one CPU, start, end). */
const INDEPENDENT_PROVIDERS = new Set(['BEGIN', 'END', 'begin', 'end', 'interval', 'i', 'self', 'test', 'bench']);
const PROVIDERS = [
  'kprobe', 'kretprobe', 'k', 'kr', 'uprobe', 'uretprobe', 'u', 'ur', 'usdt', 'U', 'tracepoint', 't',
  'rawtracepoint', 'rt', 'profile', 'p', 'interval', 'i', 'software', 's', 'hardware', 'h', 'watchpoint',
  'w', 'asyncwatchpoint', 'aw', 'fentry', 'f', 'fexit', 'fr', 'kfunc', 'kretfunc', 'iter', 'it', 'self',
  'test', 'bench',
];
const PROVIDER_RE = new RegExp(`(?<![\\w$@.>])(${PROVIDERS.join('|')})(?=:)`, 'g');

/** Features the synthetic world (and the machine model) has, in the runner's names. */
const WORLD_FEATURES = new Set([
  'loop', 'probe_read_kernel', 'btf', 'signal', 'get_tai_ns', 'get_func_ip', 'jiffies64', 'lookup_percpu_elem',
  'kprobe_multi', 'fentry',
]);

/** The program text of a case: PROG, or the -e '…' / script file of a RUN. */
function programText(c, ref) {
  if (c.prog) return c.prog;
  const e = /(?:^|\s)-e\s+(['"])([\s\S]*?)\1(?=\s|$)/.exec(c.run);
  if (e) return e[2];
  const file = /\{\{BPFTRACE\}\}[^|;&]*?\s(runtime\/scripts\/\S+\.bt)/.exec(c.run) ?? /<\s*(runtime\/scripts\/\S+\.bt)/.exec(c.run);
  if (file) {
    const p = path.join(ref, 'tests', file[1]);
    return existsSync(p) ? readFileSync(p, 'utf8') : '';
  }
  return undefined;
}

/** Providers named by a program (strings and comments removed first). */
function providersOf(text) {
  const bare = text
    .replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, ' ')
    .replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const found = new Set();
  for (const m of bare.matchAll(PROVIDER_RE)) found.add(m[1]);
  for (const m of bare.matchAll(/(?<![\w$@.>:])(BEGIN|END|begin|end)(?=\s*[{/,]|\s*$)/g)) found.add(m[1]);
  return found;
}

const TESTPROG_AFTER_STANDINS = [
  /^\.\/testprogs\/syscall\b/,
  /^TMPDIR=\S+ \.\/testprogs\/syscall\b/,
  /^\/bin\/bash -c "echo/,
  /^\/bin\/bash -c "\.\/testprogs\/syscall/,
  /^ping\b/,
  /^lsmod$/,
  /^cat \//,
];

/**
 * skip: { reason } when the case cannot mean anything on the synthetic world; otherwise the
 * class it runs in: 'independent' (BEGIN/END/interval only; also compared with bpftrace),
 * 'world' (kernel probes the synthetic kernel stands in for), 'cli' (no program).
 */
function classify(c, ref) {
  const all = `${c.run} ${c.prog} ${c.after} ${c.befores.join(' ')} ${c.setup}`;
  if (c.newPidns) return { skip: 'pid namespace' };
  if (c.features.some((f) => !f.startsWith('!') && (f === 'dwarf' || f === 'dwunwind' || f === 'libpath_resolv' || f === 'blazesym'))) {
    return { skip: 'DWARF/BTF of test binaries' };
  }
  const text = programText(c, ref) ?? '';
  const providers = providersOf(text);
  const has = (...names) => names.some((n) => providers.has(n));
  if (has('uprobe', 'uretprobe', 'u', 'ur', 'usdt', 'U') || /\b(uprobe|uretprobe|usdt|ur?):/.test(c.run)) return { skip: 'uprobe/usdt' };
  if (has('watchpoint', 'w', 'asyncwatchpoint', 'aw')) return { skip: 'watchpoint' };
  if (/(^|\s)(-c|--cmd)\s/.test(c.run) || /\{\{BEFORE_PID\}\}|(^|\s)(-p|--pid)\s/.test(c.run) || c.befores.length > 0) {
    return { skip: 'child process (-c/-p/BEFORE)' };
  }
  if (/\bnft\b|\bbpftool\b|lsmod \||nf_tables|\bkvm\b|\bxfs\b|ip netns|\/mnt\/vmtest|9pfs/.test(all + c.requires.join(' '))) {
    return { skip: 'kernel module / host tool' };
  }
  if (c.features.some((f) => !f.startsWith('!') && !WORLD_FEATURES.has(f))) return { skip: `feature ${c.features.join(',')}` };
  if (c.features.some((f) => f.startsWith('!') && WORLD_FEATURES.has(f.slice(1)))) return { skip: `feature ${c.features.join(',')}` };
  if (/testprogs\/(?!syscall\b|true\b)/.test(all) || /\btestlibs\//.test(all)) return { skip: 'test binary' };
  if (c.after && !TESTPROG_AFTER_STANDINS.some((re) => re.test(c.after.trim()))) {
    return { skip: /kill|pidof/.test(c.after) ? 'signal sent to bpftrace' : 'AFTER command' };
  }
  if (/\s(--include|-I)\s|#include/.test(all)) return { skip: 'C headers' };
  if (c.requires.some((r) => /exit 1/.test(r))) return { skip: 'disabled upstream' };
  for (const r of c.requires) {
    if (spawnSync('sh', ['-c', r], { stdio: 'ignore' }).status !== 0) return { skip: 'unmet REQUIRES' };
  }
  if (c.minKernel && versionLess(os.release(), c.minKernel)) return { skip: 'kernel version' };
  if (c.maxKernel && versionLess(c.maxKernel, os.release())) return { skip: 'kernel version' };
  if (c.run && !/\{\{BPFTRACE\}\}/.test(c.run)) return { skip: 'no bpftrace in RUN' };
  if (text === undefined || (c.run && !/-e\s|\.bt\b/.test(c.run))) return { cls: 'cli' };
  if (providers.size > 0 && [...providers].every((p) => INDEPENDENT_PROVIDERS.has(p)) && !c.after) return { cls: 'independent' };
  if (providers.size === 0) return { cls: 'independent' };
  return { cls: 'world' };
}

function versionLess(a, b) {
  const pa = a.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) < (pb[i] ?? 0);
  }
  return false;
}

// ─── running ────────────────────────────────────────────────────────────────────────────
const shellQuote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The shell command of a case for one executable (the runner's prepare_bpf_call). */
function commandFor(c, exe) {
  if (c.run) return c.run.replace(/\{\{BPFTRACE\}\}/g, exe);
  const json = c.expects[0]?.mode === 'json' ? '-q -f json ' : '';
  return `${exe} ${json}-e ${shellQuote(c.prog)}`;
}

/** bpftrace 0.23 spells the start and end probes BEGIN and END; upstream now writes begin/end. */
function dialect023(command) {
  return command.replace(/(^|[\s;}'"])(begin|end)(?=\s*[{/,])/g, (_, pre, w) => pre + w.toUpperCase());
}

/**
 * Runs a shell command in `cwd` with a timeout (then SIGTERM, then SIGKILL a second later, as
 * the runner does), → { out, err, merged, code, timedOut } with outputs as Buffers.
 */
function runShell(command, { cwd, env, timeoutMs }) {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    const merged = [];
    child.stdout.on('data', (d) => (out.push(d), merged.push(d)));
    child.stderr.on('data', (d) => (err.push(d), merged.push(d)));
    let timedOut = false;
    const kill = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill('SIGTERM');
      setTimeout(() => kill('SIGKILL'), 1000).unref();
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ out: Buffer.concat(out), err: Buffer.concat(err), merged: Buffer.concat(merged), code: code ?? (signal ? 128 : -1), timedOut });
    });
  });
}

const MEMLOCK = /^WARNING: .*RLIMIT_MEMLOCK.*\n/gm;

/** Real bpftrace's run of a case, from the cache when the same command ran before. */
async function runReference(c, opts, testsDir) {
  const command = dialect023(commandFor(c, opts.bpftrace));
  const env = { PATH: process.env.PATH, ...c.env };
  const key = createHash('sha256').update(JSON.stringify([command, env, c.timeout])).digest('hex').slice(0, 24);
  const file = path.join(opts.cache, `${key}.json`);
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    return { ...saved, out: Buffer.from(saved.out, 'base64'), err: Buffer.from(saved.err, 'base64'), merged: Buffer.from(saved.merged, 'base64') };
  }
  const r = await runShell(command, { cwd: testsDir, env, timeoutMs: c.timeout * 1000 + 2000 });
  const strip = (b) => Buffer.from(b.toString('latin1').replace(MEMLOCK, ''), 'latin1');
  const result = { command, out: r.out, err: strip(r.err), merged: strip(r.merged), code: r.code, timedOut: r.timedOut };
  mkdirSync(opts.cache, { recursive: true });
  writeFileSync(
    file,
    JSON.stringify({ ...result, out: result.out.toString('base64'), err: result.err.toString('base64'), merged: result.merged.toString('base64') }),
  );
  return result;
}

/** Our run of a case: the same command with the built CLI in bpftrace's place. */
function runOurs(c, testsDir) {
  const exe = `node ${shellQuote(path.join(ROOT, 'bin', 'bpftrace-ts.js'))}`;
  const env = { PATH: process.env.PATH, TZ: process.env.TZ ?? 'UTC', ...c.env };
  // Our runs end by themselves (virtual time); the wall-clock limit only catches hangs.
  return runShell(commandFor(c, exe), { cwd: testsDir, env, timeoutMs: Math.max(20, c.timeout * 4) * 1000 });
}

// ─── checking (the runner's check_expect) ───────────────────────────────────────────────
const reEscape = (s) => s.replace(/[.*+?^${}()|[\]\\\/-]/g, '\\$&');

/** Python's `re` syntax the upstream regexes use that JavaScript spells differently. */
function pythonRegex(source) {
  return source.replace(/\(\?P<(\w+)>/g, '(?<$1>').replace(/\(\?P=(\w+)\)/g, '\\k<$1>').replace(/\\Z/g, '$(?![\\s\\S])').replace(/\\A/g, '^(?<![\\s\\S])');
}

/** Drops what came before the probes attached (the runner does so for exact expects). */
function afterAttach(output) {
  const m = /^Attaching \d+ probes?\.\.\.\n/m.exec(output);
  return m ? output.slice(m.index + m[0].length) : output;
}

function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
}

function checkExpect(e, output, testsDir) {
  try {
    switch (e.mode) {
      case 'text':
        return new RegExp(`^\\s*${reEscape(e.text)}\\s*$`, 'm').test(output);
      case 'text_none':
        return !new RegExp(`^\\s*${reEscape(e.text)}\\s*$`, 'm').test(output);
      case 'regex':
        return new RegExp(pythonRegex(e.text), 'm').test(output);
      case 'regex_none':
        return !new RegExp(pythonRegex(e.text), 'm').test(output);
      case 'file':
        return afterAttach(output).trim() === readFileSync(path.join(testsDir, e.text), 'utf8').trim();
      case 'json': {
        const body = afterAttach(output).trim();
        const want = readFileSync(path.join(testsDir, e.text), 'utf8').trim();
        if (e.text.endsWith('.ndjson')) {
          const a = body.split('\n');
          const b = want.split('\n');
          return a.length === b.length && a.every((l, i) => deepEqual(JSON.parse(l), JSON.parse(b[i])));
        }
        return !body.includes('\n') && deepEqual(JSON.parse(body), JSON.parse(want));
      }
    }
  } catch {
    return false;
  }
  return false;
}

/** The runner's verdict on one run: expects, then the exit code (unless it timed out). */
function verdict(c, r, testsDir) {
  const output = r.merged.toString('utf8');
  const failed = c.expects.filter((e) => !checkExpect(e, output, testsDir));
  if (!r.timedOut) {
    if (r.code !== c.returnCode && !c.willFail) return { ok: false, why: `exit code ${r.code}` };
    if (r.code === 0 && c.willFail) return { ok: false, why: 'exit code 0 but WILL_FAIL' };
  }
  if (failed.length > 0) return { ok: false, why: `expected ${failed.map((e) => `${e.mode}: ${e.text}`).join(' | ')}` };
  return { ok: true };
}

/** Lines our CLI adds that bpftrace has no counterpart for when a run is ended from outside. */
const OUR_DURATION_NOTE = /^bpftrace-ts: stopped after .* of virtual time.*\n/m;

// ─── the sweep ──────────────────────────────────────────────────────────────────────────
async function pool(items, jobs, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, jobs) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i], i);
      }
    }),
  );
}

async function main() {
  const opts = readArgs(process.argv.slice(2));
  const testsDir = path.join(opts.ref, 'tests');
  const runtimeDir = path.join(testsDir, 'runtime');
  if (!existsSync(path.join(ROOT, 'dist', 'bundle'))) {
    console.error('sweep: build first (npm run build)');
    process.exit(2);
  }
  const useRef = opts.useBpftrace && existsSync(opts.bpftrace) && process.getuid?.() === 0;
  if (opts.useBpftrace && !useRef) console.error(`sweep: not comparing with ${opts.bpftrace} (missing, or not root)`);

  const files = readdirSync(runtimeDir)
    .filter((f) => !f.startsWith('.') && !['engine', 'scripts', 'outputs'].includes(f))
    .sort();
  const cases = files.flatMap((f) => readSuite(path.join(runtimeDir, f)));
  const selected = cases.filter((c) => !opts.filter || opts.filter.test(`${c.suite}.${c.name}`));

  const results = [];
  let done = 0;
  // Cases that name the same fixed file (the file-output suite's /tmp/bpftrace-file-output-test)
  // would race each other in parallel: they run one at a time.
  const sharesAFile = (c) => /\/tmp\/bpftrace-[\w-]+/.test(c.run ?? '');
  const work = async (c) => {
    const id = `${c.suite}.${c.name}`;
    const k = classify(c, opts.ref);
    if (k.skip) {
      results.push({ id, suite: c.suite, status: 'skip', reason: k.skip });
      return;
    }
    const ours = await runOurs(c, testsDir);
    const v = verdict(c, ours, testsDir);
    const res = { id, suite: c.suite, cls: k.cls, status: v.ok ? 'pass' : 'fail', why: v.why, command: commandFor(c, 'bpftrace') };
    res.ours = { out: ours.out.toString('utf8'), err: ours.err.toString('utf8'), code: ours.code, timedOut: ours.timedOut };
    if (useRef && k.cls === 'independent') {
      const ref = await runReference(c, opts, testsDir);
      const refVerdict = verdict(c, ref, testsDir);
      res.ref = { out: ref.out.toString('utf8'), err: ref.err.toString('utf8'), code: ref.code, timedOut: ref.timedOut, passes: refVerdict.ok };
      const ourErr = ref.timedOut ? res.ours.err.replace(OUR_DURATION_NOTE, '') : res.ours.err;
      const refCodeComparable = !ref.timedOut;
      res.same = ours.out.equals(ref.out) && ourErr === res.ref.err && (!refCodeComparable || ours.code === ref.code);
      res.refRejects = ref.code !== 0 && !ref.timedOut && /ERROR/.test(res.ref.err) && !/ERROR/.test(c.expects.map((e) => e.text).join(' '));
    }
    results.push(res);
    done++;
    if (done % 50 === 0) process.stderr.write(`sweep: ${done} run\n`);
  };
  await pool(selected.filter((c) => !sharesAFile(c)), opts.jobs, work);
  await pool(selected.filter(sharesAFile), 1, work);

  report(results, opts);
  if (opts.json) writeFileSync(opts.json, JSON.stringify(results.sort((a, b) => a.id.localeCompare(b.id)), null, 1));
}

function report(results, opts) {
  results.sort((a, b) => a.id.localeCompare(b.id));
  const show = (r) => {
    console.log(`--- ${r.status.toUpperCase()} ${r.id} [${r.cls}]${r.why ? ` ${r.why}` : ''}`);
    console.log(`    $ ${r.command}`);
    const indent = (s) => s.replace(/\n$/, '').replace(/^/gm, '    | ');
    console.log(`    ours (exit ${r.ours.code}${r.ours.timedOut ? ', timed out' : ''}):\n${indent(r.ours.out + r.ours.err)}`);
    if (r.ref) console.log(`    0.23 (exit ${r.ref.code}${r.ref.timedOut ? ', timed out' : ''}):\n${indent(r.ref.out + r.ref.err)}`);
  };
  for (const r of results) {
    if (r.status === 'skip') continue;
    if (opts.show === 'all' || (opts.show === 'fail' && r.status === 'fail') || (opts.show === 'diff' && (r.status === 'fail' || r.same === false))) show(r);
  }

  const table = (title, keyOf) => {
    const rows = new Map();
    for (const r of results) {
      const key = keyOf(r);
      if (key === undefined) continue;
      const row = rows.get(key) ?? { pass: 0, fail: 0, skip: 0, same: 0, differ: 0, refRejects: 0 };
      row[r.status]++;
      if (r.same === true) row.same++;
      else if (r.same === false && r.refRejects) row.refRejects++;
      else if (r.same === false) row.differ++;
      rows.set(key, row);
    }
    console.log(`\n${title}`);
    console.log(`${'category'.padEnd(34)} ${'pass'.padStart(5)} ${'fail'.padStart(5)} ${'skip'.padStart(5)}   0.23: ${'same'.padStart(4)} ${'differ'.padStart(6)} ${'rejects'.padStart(7)}`);
    const total = { pass: 0, fail: 0, skip: 0, same: 0, differ: 0, refRejects: 0 };
    for (const [key, row] of [...rows].sort((a, b) => a[0].localeCompare(b[0]))) {
      for (const f of Object.keys(total)) total[f] += row[f];
      console.log(`${key.padEnd(34)} ${String(row.pass).padStart(5)} ${String(row.fail).padStart(5)} ${String(row.skip).padStart(5)}         ${String(row.same).padStart(4)} ${String(row.differ).padStart(6)} ${String(row.refRejects).padStart(7)}`);
    }
    console.log(`${'total'.padEnd(34)} ${String(total.pass).padStart(5)} ${String(total.fail).padStart(5)} ${String(total.skip).padStart(5)}         ${String(total.same).padStart(4)} ${String(total.differ).padStart(6)} ${String(total.refRejects).padStart(7)}`);
  };
  table('by class (independent: BEGIN/END/interval only, compared with bpftrace 0.23; world: kernel probes on the synthetic kernel; cli: no program)', (r) =>
    r.status === 'skip' ? `skipped: ${r.reason}` : r.cls,
  );
  table('by suite', (r) => r.suite);
}

await main();
