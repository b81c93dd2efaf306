// Programs that once compiled to code the verifier refused, each with what went wrong; every
// one must compile and pass the project's verifier. (Programs whose output 0.23 recorded
// live in test/golden/compile/semantics and are verified by verify-corpus.test.ts.)

import { expect, test } from 'vitest';
import { compileSource, logTail, verifyAll } from './compile-helpers.js';

test.each([
  // A string compared with a literal took its result register before the string was read
  // into the stack: the read's helper call saved a register that held nothing (R1 !read_ok).
  ['kprobe:vfs_read { if (curtask->comm == "bash") { print(curtask->comm); } }'],
  ['kprobe:vfs_read { $c = strcontains(curtask->comm, "sh"); print($c); }'],
  ['BEGIN { if (curtask->comm == "bpftrace") { print(curtask->comm); } }'],
  // delete(@m[k1, k2]) built a scalar key (invalid read from stack R2 off=-8 size=16).
  ['config = { on_stack_limit = 0 } BEGIN { @x[1, 2] = 1; delete(@x[1, 2]); }'],
  ['BEGIN { @x[1, "a", 3] = 1; delete(@x[1, "a", 3]); }'],
])('%s', (program) => {
  const r = compileSource(program);
  if (!r.ok) throw new Error(`${r.stage}: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  for (const v of verifyAll(r.compiled)) expect(v.result.ok, `${v.name} rejected:\n${logTail(v.result)}`).toBe(true);
});
