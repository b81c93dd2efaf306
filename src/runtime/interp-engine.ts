// The interpreter as an Engine: loadProgram pre-decodes the instructions (helpers bound by
// id) and each firing calls run() with the shared RunResult. In: verified instructions. Out:
// a RunnableProgram. Not: the interpreter itself (src/ebpf/interpreter.ts).

import { run } from '../ebpf/interpreter.js';
import { loadProgram } from '../ebpf/program.js';
import type { Engine } from './engine.js';

export const interpreterEngine: Engine = {
  name: 'interp',
  load(insns, m, opts) {
    const loaded = loadProgram(insns, { helpers: opts.helpers, analysis: opts.analysis, ...(opts.budget !== undefined ? { budget: opts.budget } : {}) });
    if (!loaded.ok) return { errors: loaded.errors };
    const prog = loaded.prog;
    return { run: (ctx, out) => run(prog, m, ctx, out) };
  },
};
