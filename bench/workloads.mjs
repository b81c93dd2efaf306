// The bench's one-liners and, for each, a hand-written JavaScript baseline that computes the
// same result from the same recorded event stream: what a skilled engineer would write
// without eBPF (word-keyed open-addressing tables, no string keys, no allocation per event).
// Each workload names the recording it runs on (STREAMS), its bpftrace program, a baseline
// factory, and how to reduce the program's printed maps and the baseline's state to one
// comparable summary (a mismatch is reported: a baseline that computes something else would
// make its ratio meaningless). Not: the timing (bench/lib) or the report (bench/run.mjs).

import { WordTable } from './lib/word-table.mjs';

const tp = (category, event) => ({ kind: 'tracepoint', category, event });

/** Recordings, by name: the probes they record (in the order baselines' handlers take them). */
export const STREAMS = {
  sys_enter: [tp('raw_syscalls', 'sys_enter')],
  sys_exit_read: [tp('syscalls', 'sys_exit_read')],
  read_pair: [tp('syscalls', 'sys_enter_read'), tp('syscalls', 'sys_exit_read')],
};

const TWO32 = 4294967296;

/** The signed 64-bit field at word w of a context buffer, as a number (exact below 2^53). */
const s64 = (c, w) => c[w + 1] * TWO32 + (c[w] >>> 0);

/** bpftrace's power-of-two bucket: 0 negative, 1 zero, 2 + floor(log2 v) above. */
function log2Bucket(v) {
  if (v < 0) return 0;
  if (v === 0) return 1;
  if (v < TWO32) return 2 + 31 - Math.clz32(v);
  return 2 + 32 + 31 - Math.clz32(Math.floor(v / TWO32));
}

/** Non-zero bucket counts in bucket order (what a printed histogram shows). */
const nonZero = (counts) => Array.from(counts).filter((c) => c > 0);

// ── reading the program's printed maps ───────────────────────────────────────────────────

/** name → { entries: [[key, value]], buckets: [counts] } from bpftrace's text output. */
export function parseMaps(text) {
  const maps = new Map();
  let hist;
  for (const line of text.split('\n')) {
    const m = /^(@\w*)(\[.*\])?: ?(.*)$/.exec(line);
    if (m) {
      const e = maps.get(m[1]) ?? { entries: [], buckets: [] };
      maps.set(m[1], e);
      if (m[3] === '') hist = e;
      else {
        e.entries.push([m[2] ?? '', m[3]]);
        hist = undefined;
      }
      continue;
    }
    const b = /^[[(].*?[\])]\s+(\d+)\s+\|/.exec(line);
    if (b && hist) hist.buckets.push(Number(b[1]));
  }
  return maps;
}

const entries = (maps, name) => maps.get(name)?.entries ?? [];
const keyedTotal = (maps, name) => {
  const es = entries(maps, name);
  return { keys: es.length, total: es.reduce((a, [, v]) => a + Number(v), 0) };
};
const histOf = (maps, name) => nonZero(maps.get(name)?.buckets ?? []);

// ── the workloads ────────────────────────────────────────────────────────────────────────

export const WORKLOADS = [
  {
    name: '@[pid, comm] = count()',
    stream: 'sys_enter',
    program: 'tracepoint:raw_syscalls:sys_enter { @[pid, comm] = count(); }',
    summary: (maps) => keyedTotal(maps, '@'),
    baseline(rec, st) {
      // Key: pid as the program's 8-byte integer, then the 16 comm bytes: 6 words.
      const t = new WordTable(6, 4096);
      const counts = new Float64Array(4096);
      const key = new Int32Array(6);
      const tgid = rec.tgid;
      const comm = rec.comm;
      return {
        handlers: [
          () => {
            const e = st.cur;
            key[0] = tgid[e];
            const c = e * 4;
            key[2] = comm[c];
            key[3] = comm[c + 1];
            key[4] = comm[c + 2];
            key[5] = comm[c + 3];
            const s = t.upsert(key, 0);
            if (s >= 0) counts[s]++;
          },
        ],
        summary: () => ({ keys: t.size, total: [...t.slots()].reduce((a, s) => a + counts[s], 0) }),
      };
    },
  },
  {
    name: '@ = count()',
    stream: 'sys_enter',
    program: 'tracepoint:raw_syscalls:sys_enter { @ = count(); }',
    summary: (maps) => keyedTotal(maps, '@'),
    baseline() {
      let n = 0;
      return { handlers: [() => void n++], summary: () => ({ keys: 1, total: n }) };
    },
  },
  {
    name: '@ = hist(args.ret)',
    stream: 'sys_exit_read',
    program: 'tracepoint:syscalls:sys_exit_read { @ = hist(args.ret); }',
    summary: (maps) => histOf(maps, '@'),
    baseline(rec, st, ctx) {
      const counts = new Float64Array(67);
      const c = ctx[0];
      return { handlers: [() => void counts[log2Bucket(s64(c, 4))]++], summary: () => nonZero(counts) };
    },
  },
  {
    name: '@ = lhist(args.ret, 0, 4096, 256)',
    stream: 'sys_exit_read',
    program: 'tracepoint:syscalls:sys_exit_read { @ = lhist(args.ret, 0, 4096, 256); }',
    summary: (maps) => histOf(maps, '@'),
    baseline(rec, st, ctx) {
      const counts = new Float64Array(18);
      const c = ctx[0];
      return {
        handlers: [
          () => {
            const v = s64(c, 4);
            counts[v < 0 ? 0 : v >= 4096 ? 17 : 1 + Math.floor(v / 256)]++;
          },
        ],
        summary: () => nonZero(counts),
      };
    },
  },
  {
    name: '@[comm] = sum(args.ret)',
    stream: 'sys_exit_read',
    program: 'tracepoint:syscalls:sys_exit_read { @[comm] = sum(args.ret); }',
    summary: (maps) => keyedTotal(maps, '@'),
    baseline(rec, st, ctx) {
      const t = new WordTable(4, 4096);
      const sums = new Float64Array(4096);
      const comm = rec.comm;
      const c = ctx[0];
      return {
        handlers: [
          () => {
            const s = t.upsert(comm, st.cur * 4);
            if (s >= 0) sums[s] += s64(c, 4);
          },
        ],
        summary: () => ({ keys: t.size, total: [...t.slots()].reduce((a, s) => a + sums[s], 0) }),
      };
    },
  },
  {
    name: '@ = avg(args.ret)',
    stream: 'sys_exit_read',
    program: 'tracepoint:syscalls:sys_exit_read { @ = avg(args.ret); }',
    summary: (maps) => entries(maps, '@').map(([, v]) => v),
    baseline(rec, st, ctx) {
      let n = 0;
      let total = 0;
      const c = ctx[0];
      return {
        handlers: [
          () => {
            total += s64(c, 4);
            n++;
          },
        ],
        summary: () => [String(Math.trunc(total / n))],
      };
    },
  },
  {
    name: '@ = stats(args.ret)',
    stream: 'sys_exit_read',
    program: 'tracepoint:syscalls:sys_exit_read { @ = stats(args.ret); }',
    summary: (maps) => entries(maps, '@').map(([, v]) => v),
    baseline(rec, st, ctx) {
      let n = 0;
      let total = 0;
      const c = ctx[0];
      return {
        handlers: [
          () => {
            total += s64(c, 4);
            n++;
          },
        ],
        summary: () => [`count ${n}, average ${Math.trunc(total / n)}, total ${total}`],
      };
    },
  },
  {
    name: 'read latency: @start[tid] / hist(nsecs - @start[tid])',
    stream: 'read_pair',
    program:
      'tracepoint:syscalls:sys_enter_read { @start[tid] = nsecs; } ' +
      'tracepoint:syscalls:sys_exit_read /@start[tid]/ { @ns = hist(nsecs - @start[tid]); delete(@start[tid]); }',
    summary: (maps) => ({ pending: entries(maps, '@start').length, ns: histOf(maps, '@ns') }),
    baseline(rec, st) {
      const t = new WordTable(1, 4096);
      const start = new Float64Array(4096);
      const counts = new Float64Array(67);
      const tid = rec.tid;
      const ktime = rec.ktime;
      return {
        handlers: [
          () => {
            const s = t.upsert(tid, st.cur);
            if (s >= 0) start[s] = ktime[st.cur];
          },
          () => {
            const e = st.cur;
            const s = t.find(tid, e);
            if (s < 0 || start[s] === 0) return;
            counts[log2Bucket(ktime[e] - start[s])]++;
            t.removeFound(s);
          },
        ],
        summary: () => ({ pending: t.size, ns: nonZero(counts) }),
      };
    },
  },
  {
    name: 'printf("%d %s\\n", pid, comm) > /dev/null',
    stream: 'sys_enter',
    program: 'tracepoint:raw_syscalls:sys_enter { printf("%d %s\\n", pid, comm); }',
    output: true,
    summary: (maps, bytes) => ({ bytes }),
    baseline(rec, st, ctx, sink) {
      const tgid = rec.tgid;
      const comm = rec.comm;
      return {
        handlers: [
          () => {
            const e = st.cur;
            let s = '';
            for (let w = 0; w < 4; w++) {
              const v = comm[e * 4 + w];
              for (let b = 0; b < 4; b++) {
                const ch = (v >>> (b * 8)) & 0xff;
                if (ch === 0) {
                  w = 4;
                  break;
                }
                s += String.fromCharCode(ch);
              }
            }
            sink.out(`${tgid[e]} ${s}\n`);
          },
        ],
        summary: () => ({ bytes: sink.bytes }),
      };
    },
  },
];
