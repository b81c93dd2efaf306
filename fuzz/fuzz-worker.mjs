// A fuzz worker thread. It boots a Vite module runner (the cases are TypeScript, run from
// source, so no build is needed) and answers each job — a kind, a seed and a range of case
// numbers — with one message per case, posting 'start' before each so the main thread's
// watchdog knows which case is running should it never finish. Not: judging (fuzz-cases.ts).

import { fileURLToPath } from 'node:url';
import { parentPort } from 'node:worker_threads';
import { createServer, createServerModuleRunner } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const server = await createServer({
  configFile: false,
  root,
  logLevel: 'error',
  server: { middlewareMode: true, hmr: false, ws: false },
  appType: 'custom',
  optimizeDeps: { noDiscovery: true, include: [] },
});
const runner = createServerModuleRunner(server.environments.ssr, { hmr: false });
const cases = await runner.import(fileURLToPath(new URL('./fuzz-cases.ts', import.meta.url)));

parentPort.on('message', async (job) => {
  if (job.describe) parentPort.postMessage({ type: 'described', text: cases.describeCase(job.kind, job.seed, job.from) });
  for (let i = job.from; i < job.to; i++) {
    parentPort.postMessage({ type: 'start', index: i });
    let result;
    try {
      result = job.kind === 'programs' ? await cases.programCaseAt(job.seed, i) : cases.bytecodeCaseAt(job.seed, i, job.runs);
    } catch (e) {
      // The cases catch what they test; anything here is the harness's own bug, reported as a failure.
      const failure = `the fuzz harness threw on ${job.kind} case ${i}: ${e instanceof Error ? e.stack : String(e)}`;
      result = job.kind === 'programs' ? { verified: 0, failure } : { failures: [failure], disagreements: [], counts: undefined };
    }
    parentPort.postMessage({ type: 'done', index: i, result });
  }
  parentPort.postMessage({ type: 'range-done' });
});
parentPort.postMessage({ type: 'ready' });
