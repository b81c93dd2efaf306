// Programs shaped like what a bpftrace compiler emits (the instruction patterns bpftrace 0.17 +
// LLVM produce for common one-liners), in the assembler's kernel syntax. The verifier must
// accept every one; they also serve as the verification benchmark (bench/verifier.bench.ts).
// Maps are by fd: maps[0] is fd 1.

import type { MapSpec } from '../../src/ebpf/maps/map.js';
import type { ProgTypeName } from '../../src/ebpf/progtypes.js';

export interface ShapedProgram {
  readonly name: string;
  readonly prog: ProgTypeName;
  readonly ctxSize?: number;
  readonly maps: readonly MapSpec[];
  readonly asm: string;
}

const ringbuf: MapSpec = { name: 'ringbuf', type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 262144 };
const countByComm: MapSpec = { name: 'AT_', type: 'percpu_hash', keySize: 16, valueSize: 8, maxEntries: 4096 };
const startByTid: MapSpec = { name: 'AT_start', type: 'hash', keySize: 8, valueSize: 8, maxEntries: 4096 };
const histByBucket: MapSpec = { name: 'AT_ns', type: 'hash', keySize: 8, valueSize: 8, maxEntries: 4096 };
const histArray: MapSpec = { name: 'AT_lat', type: 'percpu_array', keySize: 4, valueSize: 8 * 66, maxEntries: 1 };
const loopMap: MapSpec = { name: 'AT_x', type: 'hash', keySize: 8, valueSize: 8, maxEntries: 4096 };

/** Sequential shift-and-count steps of bpftrace's log2 bucket, one per power of two. */
function log2Steps(reg: string, acc: string): string {
  return [32, 16, 8, 4, 2, 1]
    .map(
      (s) => `r1 = ${reg}
r1 >>= ${s}
if r1 == 0 goto s${s}
${acc} += ${s}
${reg} = r1
s${s}:`,
    )
    .join('\n');
}

export const SHAPED_PROGRAMS: readonly ShapedProgram[] = [
  {
    name: '@[comm] = count(): stack key, lookup, null check, in-place increment, else update',
    prog: 'tracepoint',
    maps: [countByComm],
    asm: `r1 = 0
*(u64 *)(r10 - 8) = r1
*(u64 *)(r10 - 16) = r1
r1 = r10
r1 += -16
r2 = 16
call 16
r1 = map_fd(1) ll
r2 = r10
r2 += -16
call 1
if r0 == 0 goto new
r1 = *(u64 *)(r0 + 0)
r1 += 1
*(u64 *)(r0 + 0) = r1
goto out
new:
r1 = 1
*(u64 *)(r10 - 24) = r1
r1 = map_fd(1) ll
r2 = r10
r2 += -16
r3 = r10
r3 += -24
r4 = 0
call 2
out:
r0 = 0
exit`,
  },
  {
    name: '@start[tid] = nsecs; then lookup -> null check -> atomic add',
    prog: 'tracepoint',
    maps: [startByTid],
    asm: `call 14
*(u64 *)(r10 - 8) = r0
call 5
*(u64 *)(r10 - 16) = r0
r1 = map_fd(1) ll
r2 = r10
r2 += -8
call 1
if r0 == 0 goto insert
r1 = *(u64 *)(r10 - 16)
lock *(u64 *)(r0 + 0) += r1
goto done
insert:
r1 = map_fd(1) ll
r2 = r10
r2 += -8
r3 = r10
r3 += -16
r4 = 0
call 2
done:
r0 = 0
exit`,
  },
  {
    name: 'printf("%d %s\\n", pid, comm): a stack struct sent with ringbuf_output',
    prog: 'tracepoint',
    maps: [ringbuf],
    asm: `r6 = r1
r1 = 0
*(u64 *)(r10 - 32) = r1
call 14
r0 >>= 32
*(u64 *)(r10 - 24) = r0
r1 = 0
*(u64 *)(r10 - 16) = r1
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -16
r2 = 16
call 16
r1 = map_fd(1) ll
r2 = r10
r2 += -32
r3 = 32
r4 = 0
call 130
r0 = 0
exit`,
  },
  {
    name: 'str(args->filename): probe_read_user_str into the stack, then ringbuf_output',
    prog: 'tracepoint',
    ctxSize: 48,
    maps: [ringbuf],
    asm: `r6 = r1
r1 = 1
*(u64 *)(r10 - 80) = r1
r3 = *(u64 *)(r6 + 24)
r1 = r10
r1 += -72
r2 = 64
call 114
r1 = map_fd(1) ll
r2 = r10
r2 += -80
r3 = 72
r4 = 0
call 130
r0 = 0
exit`,
  },
  {
    name: 'hist(args->ret): branchy log2 bucket as the map key',
    prog: 'tracepoint',
    ctxSize: 24,
    maps: [histByBucket],
    asm: `r6 = *(u64 *)(r1 + 16)
r7 = 0
if r6 s< 0 goto key
r7 = 1
if r6 == 0 goto key
r7 = 2
r8 = r6
${log2Steps('r8', 'r7')}
key:
*(u64 *)(r10 - 8) = r7
r1 = map_fd(1) ll
r2 = r10
r2 += -8
call 1
if r0 == 0 goto new
r1 = 1
lock *(u64 *)(r0 + 0) += r1
goto out
new:
r1 = 1
*(u64 *)(r10 - 16) = r1
r1 = map_fd(1) ll
r2 = r10
r2 += -8
r3 = r10
r3 += -16
r4 = 0
call 2
out:
r0 = 0
exit`,
  },
  {
    name: 'hist buckets in one map value, indexed by a bounded computed offset',
    prog: 'kprobe',
    maps: [histArray],
    asm: `r6 = *(u64 *)(r1 + 112)
r7 = 0
if r6 == 0 goto idx
r7 = 1
r8 = r6
${log2Steps('r8', 'r7')}
idx:
r1 = 0
*(u32 *)(r10 - 4) = r1
r1 = map_fd(1) ll
r2 = r10
r2 += -4
call 1
if r0 == 0 goto out
if r7 > 65 goto out
r7 <<= 3
r0 += r7
r1 = 1
lock *(u64 *)(r0 + 0) += r1
out:
r0 = 0
exit`,
  },
  {
    name: 'for $i in 0..10 { @x[$i] += $i }: a bounded loop with a map update per iteration',
    prog: 'tracepoint',
    maps: [loopMap],
    asm: `r6 = 0
loop:
*(u64 *)(r10 - 8) = r6
r1 = map_fd(1) ll
r2 = r10
r2 += -8
call 1
if r0 == 0 goto insert
lock *(u64 *)(r0 + 0) += r6
goto next
insert:
*(u64 *)(r10 - 16) = r6
r1 = map_fd(1) ll
r2 = r10
r2 += -8
r3 = r10
r3 += -16
r4 = 0
call 2
next:
r6 += 1
if r6 < 10 goto loop
r0 = 0
exit`,
  },
  {
    name: 'unroll(4) string compare: comm == "bash"',
    prog: 'tracepoint',
    maps: [loopMap],
    asm: `r1 = 0
*(u64 *)(r10 - 16) = r1
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -16
r2 = 16
call 16
r7 = 0
r1 = *(u8 *)(r10 - 16)
if r1 != 98 goto ne
r1 = *(u8 *)(r10 - 15)
if r1 != 97 goto ne
r1 = *(u8 *)(r10 - 14)
if r1 != 115 goto ne
r1 = *(u8 *)(r10 - 13)
if r1 != 104 goto ne
r1 = *(u8 *)(r10 - 12)
if r1 != 0 goto ne
r7 = 1
ne:
*(u64 *)(r10 - 24) = r7
*(u64 *)(r10 - 32) = r7
r1 = map_fd(1) ll
r2 = r10
r2 += -24
r3 = r10
r3 += -32
r4 = 0
call 2
r0 = 0
exit`,
  },
  {
    name: 'kretprobe with ringbuf reserve/submit and a filter on the return value',
    prog: 'kprobe',
    maps: [ringbuf],
    asm: `r6 = *(u64 *)(r1 + 80)
if r6 s< 0 goto out
r1 = map_fd(1) ll
r2 = 24
r3 = 0
call 131
if r0 == 0 goto out
r7 = r0
r1 = 3
*(u64 *)(r7 + 0) = r1
*(u64 *)(r7 + 8) = r6
call 5
*(u64 *)(r7 + 16) = r0
r1 = r7
r2 = 0
call 132
out:
r0 = 0
exit`,
  },
];
