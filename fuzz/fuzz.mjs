#!/usr/bin/env node
// `npm run fuzz [-- options]`: the long hardening run. Bad programs (mutants of every seed
// program through main(), judged by fuzz/cli-outcome.ts, accepted ones compiled and verified)
// and bad bytecode (fuzz/sandbox.ts over corpus programs, mutants and random streams) run in
// worker threads; a watchdog names any case that stops answering (a hang) by seed and index
// and carries on with a fresh worker. Prints counts, failures and verifier/machine
// disagreements; exits 1 when anything failed.
//
//   --programs N     bad-program cases (default 100000)
//   --executions N   stop the bytecode fuzz after N executions of accepted programs (default 1000000)
//   --runs N         runs per engine of each accepted program (default 32)
//   --seed N         (default 1); the same seed replays the same cases
//   --workers N      (default 2)
//   --only programs|bytecode
//   --replay KIND:INDEX   one case (programs:24011, bytecode:7236), described, then run

import os from 'node:os';
import { Worker } from 'node:worker_threads';

const args = parseArgs(process.argv.slice(2));
const SEED = args.seed ?? 1;
const PROGRAMS = args.only === 'bytecode' ? 0 : (args.programs ?? 100_000);
const EXECUTIONS = args.only === 'programs' ? 0 : (args.executions ?? 1_000_000);
const RUNS = args.runs ?? 32;
const WORKERS = Math.max(1, args.workers ?? Math.min(2, os.cpus().length));
/** A case that answers nothing for this long is a hang. */
const HANG_MS = { programs: 60_000, bytecode: 180_000 };
const CHUNK = { programs: 250, bytecode: 100 };

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(programs|executions|runs|seed|workers|only|replay)$/.exec(argv[i]);
    if (!m) {
      process.stderr.write(`fuzz: unknown argument '${argv[i]}' (see the head of fuzz/fuzz.mjs)\n`);
      process.exit(2);
    }
    const v = argv[++i];
    out[m[1]] = m[1] === 'only' || m[1] === 'replay' ? v : Number(v);
  }
  return out;
}

if (args.replay !== undefined) await replay(args.replay);

/** --replay KIND:INDEX: says what the case is, runs it alone (no time limit) and prints the result. */
async function replay(spec) {
  const m = /^(programs|bytecode):(\d+)$/.exec(spec);
  if (!m) {
    process.stderr.write(`fuzz: --replay wants programs:INDEX or bytecode:INDEX, not '${spec}'\n`);
    process.exit(2);
  }
  const w = new Worker(new URL('./fuzz-worker.mjs', import.meta.url));
  await new Promise((resolve) => {
    w.on('message', (msg) => {
      if (msg.type === 'ready') w.postMessage({ kind: m[1], seed: SEED, runs: RUNS, from: Number(m[2]), to: Number(m[2]) + 1, describe: true });
      else if (msg.type === 'described') process.stdout.write(`${m[1]} case seed ${SEED} index ${m[2]}:\n${msg.text}\n`);
      else if (msg.type === 'done') process.stdout.write(`result: ${JSON.stringify(msg.result, null, 2)}\n`);
      else if (msg.type === 'range-done') w.terminate().then(resolve);
    });
  });
  process.exit(0);
}

const started = Date.now();
const report = {
  programs: { cases: 0, 'exit-0': 0, error: 0, 'program-exit': 0, verified: 0 },
  bytecode: {
    subjects: 0, accepted: 0, rejected: 0, executions: { interp: 0, 'interp-facts': 0, jit: 0, 'jit-unchecked': 0 }, unverifiedRuns: 0, endings: {},
  },
  failures: new Map(),
  disagreements: new Map(),
};

function addFailure(text) {
  // Group by the first line with numbers taken out; keep the first example in full.
  const key = text.split('\n')[0].replace(/\d+/g, 'N').slice(0, 200);
  const e = report.failures.get(key);
  if (e) e.count++;
  else report.failures.set(key, { count: 1, example: text });
}

function absorb(kind, result) {
  if (kind === 'programs') {
    report.programs.cases++;
    if (result.ending) report.programs[result.ending]++;
    report.programs.verified += result.verified;
    if (result.failure) addFailure(result.failure);
    return;
  }
  const c = result.counts;
  const b = report.bytecode;
  if (c) {
    b.subjects += c.subjects;
    b.accepted += c.accepted;
    b.rejected += c.rejected;
    for (const e of Object.keys(b.executions)) b.executions[e] += c.executions[e];
    b.unverifiedRuns += c.unverifiedRuns;
    for (const [k, n] of Object.entries(c.endings)) b.endings[k] = (b.endings[k] ?? 0) + n;
  }
  for (const f of result.failures) addFailure(f);
  for (const d of result.disagreements) {
    const e = report.disagreements.get(d.kind);
    if (e) e.count++;
    else report.disagreements.set(d.kind, { count: 1, example: d.example });
  }
}

const executions = () => Object.values(report.bytecode.executions).reduce((a, b) => a + b, 0);

/** Hands out ranges of case numbers: all program cases, then bytecode cases until the execution target. */
const queue = {
  nextProgram: 0,
  nextBytecode: 0,
  take() {
    if (this.nextProgram < PROGRAMS) {
      const from = this.nextProgram;
      this.nextProgram = Math.min(PROGRAMS, from + CHUNK.programs);
      return { kind: 'programs', from, to: this.nextProgram };
    }
    if (EXECUTIONS > 0 && executions() < EXECUTIONS) {
      const from = this.nextBytecode;
      this.nextBytecode += CHUNK.bytecode;
      return { kind: 'bytecode', from, to: this.nextBytecode };
    }
    return undefined;
  },
};

let live = 0;
let finish;
const done = new Promise((resolve) => (finish = resolve));

function startWorker(resume) {
  live++;
  const w = new Worker(new URL('./fuzz-worker.mjs', import.meta.url));
  const state = { job: undefined, current: undefined, since: Date.now(), ready: false };
  const give = (job) => {
    state.job = job;
    state.current = undefined;
    state.since = Date.now();
    if (!job) {
      w.terminate();
      return;
    }
    w.postMessage({ ...job, seed: SEED, runs: RUNS });
  };
  w.on('message', (msg) => {
    if (msg.type === 'ready') give(resume ?? queue.take());
    else if (msg.type === 'start') {
      state.current = msg.index;
      state.since = Date.now();
    } else if (msg.type === 'done') {
      absorb(state.job.kind, msg.result);
      state.since = Date.now();
    } else if (msg.type === 'range-done') give(queue.take());
  });
  w.on('error', (e) => {
    addFailure(`a fuzz worker died: ${e instanceof Error ? e.stack : String(e)}`);
  });
  w.on('exit', () => {
    clearInterval(watch);
    live--;
    if (state.replacement) startWorker(state.replacement);
    else if (live === 0) finish();
  });
  const watch = setInterval(() => {
    if (!state.job || state.current === undefined) return;
    const limit = HANG_MS[state.job.kind];
    if (Date.now() - state.since < limit) return;
    addFailure(`${state.job.kind} case seed ${SEED} index ${state.current} gave no answer within ${limit / 1000} s (a hang); see it: npm run fuzz -- --seed ${SEED} --replay ${state.job.kind}:${state.current}`);
    // Carry on after the hung case with a fresh worker.
    state.replacement = state.current + 1 < state.job.to ? { ...state.job, from: state.current + 1 } : queue.take() ?? undefined;
    if (!state.replacement) delete state.replacement;
    state.job = undefined;
    w.terminate();
  }, 1000);
}

function progress() {
  const p = report.programs;
  const b = report.bytecode;
  process.stderr.write(
    `[${Math.round((Date.now() - started) / 1000)} s] programs ${p.cases}/${PROGRAMS}, bytecode ${b.subjects} subjects, ` +
      `${executions()}/${EXECUTIONS} executions, ${[...report.failures.values()].reduce((a, f) => a + f.count, 0)} failures\n`,
  );
}

process.stderr.write(`bpftrace-ts fuzz: seed ${SEED}, ${WORKERS} workers, ${PROGRAMS} program cases, ${EXECUTIONS} bytecode executions\n`);
const ticker = setInterval(progress, 15_000);
for (let i = 0; i < WORKERS; i++) startWorker();
await done;
clearInterval(ticker);

const p = report.programs;
const b = report.bytecode;
const nf = [...report.failures.values()].reduce((a, f) => a + f.count, 0);
const lines = [
  `bpftrace-ts fuzz — seed ${SEED}, ${WORKERS} workers, ${Math.round((Date.now() - started) / 1000)} s`,
  `bad programs: ${p.cases} cases: ${p['exit-0']} exit 0, ${p['program-exit']} the program's exit(N), ${p.error} ERROR: and exit 1; ${p.verified} compiled programs of accepted cases passed the verifier`,
  `bad bytecode: ${b.subjects} programs (${b.accepted} accepted by the verifier, ${b.rejected} rejected)`,
  `  ${executions()} executions of accepted programs: interpreter ${b.executions.interp}, interpreter with verifier facts ${b.executions['interp-facts']}, JIT ${b.executions.jit}, JIT without verifier facts ${b.executions['jit-unchecked']}`,
  `  endings (interpreter): ${Object.entries(b.endings).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`,
  `  ${b.unverifiedRuns} runs of rejected programs (interpreter and unchecked JIT, faults allowed)`,
];
if (report.disagreements.size > 0) {
  lines.push('verifier/machine disagreements (accepted, then refused or faulted — fault results, not escapes):');
  for (const [kind, d] of report.disagreements) lines.push(`  ${d.count}× ${kind}`, `      e.g. ${d.example.split('\n').slice(1, 2).join(' ').trim()}`);
}
lines.push(`failures: ${nf}`);
for (const [, f] of report.failures) lines.push(`  ${f.count}× ${f.example.split('\n').join('\n      ')}`);
process.stdout.write(`${lines.join('\n')}\n`);
process.exitCode = nf > 0 ? 1 : 0;
