// The verifier's test table: small programs in the assembler's kernel syntax (or raw
// instructions where the assembler would refuse the malformed encoding), each accepted or
// rejected with the exact instruction index and message. Shared by verifier.test.ts and by the
// differential check against a real kernel (bench/verifier-vs-kernel.md describes it).

import type { Insn } from '../../src/ebpf/isa.js';
import type { MapSpec } from '../../src/ebpf/maps/map.js';
import type { ProgTypeName } from '../../src/ebpf/progtypes.js';
import type { VerifyOptions } from '../../src/ebpf/verifier/verify.js';

export interface VerifierCase {
  readonly name: string;
  readonly prog?: ProgTypeName;
  /** Maps by fd: maps[0] is fd 1. */
  readonly maps?: readonly MapSpec[];
  readonly asm?: string;
  readonly insns?: readonly Insn[];
  readonly opts?: Partial<VerifyOptions>;
  /** 'ok', or the failing instruction and the log's reason (possibly several lines). */
  readonly expect: 'ok' | { readonly insn: number; readonly message: string };
  /** Where our answer knowingly differs from Linux 6.18 loading the same bytes as root. */
  readonly kernelDiffers?: string;
}

const hash8: MapSpec = { name: 'counts', type: 'hash', keySize: 8, valueSize: 8, maxEntries: 1024 };
const hash16: MapSpec = { name: 'bycomm', type: 'hash', keySize: 16, valueSize: 8, maxEntries: 1024 };
const hist: MapSpec = { name: 'hist', type: 'hash', keySize: 8, valueSize: 8 * 66, maxEntries: 1024 };
const array1: MapSpec = { name: 'data', type: 'array', keySize: 4, valueSize: 64, maxEntries: 1 };
const rodata: MapSpec = { name: 'rodata', type: 'array', keySize: 4, valueSize: 32, maxEntries: 1, flags: 1 << 7 };
const ringbuf: MapSpec = { name: 'events', type: 'ringbuf', keySize: 0, valueSize: 0, maxEntries: 4096 * 64 };
const pcpu: MapSpec = { name: 'pcount', type: 'percpu_array', keySize: 4, valueSize: 8, maxEntries: 1 };

const raw = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });
const EXIT = raw(0x95, 0, 0, 0, 0);
const MOV0 = raw(0xb7, 0, 0, 0, 0);

/** key = 0 at fp-8, r2 = &key, r1 = map fd 1: the usual lookup preamble (5 slots). */
const LOOKUP8 = `*(u64 *)(r10 - 8) = 0
r2 = r10
r2 += -8
r1 = map_fd(1) ll
call 1`;

export const VERIFIER_CASES: readonly VerifierCase[] = [
  // ── registers ─────────────────────────────────────────────────────────────────────────
  { name: 'minimal program', asm: 'r0 = 0\nexit', expect: 'ok' },
  { name: 'r0 not set at exit', asm: 'exit', expect: { insn: 0, message: 'R0 !read_ok' } },
  { name: 'uninitialised register read', asm: 'r0 = r2\nexit', expect: { insn: 0, message: 'R2 !read_ok' } },
  { name: 'uninitialised register in ALU', asm: 'r0 = 1\nr0 += r3\nexit', expect: { insn: 1, message: 'R3 !read_ok' } },
  { name: 'frame pointer is read only', insns: [raw(0xb7, 10, 0, 0, 0), MOV0, EXIT], expect: { insn: 0, message: 'frame pointer is read only' } },
  { name: 'frame pointer load target', insns: [raw(0x79, 10, 1, 8, 0), MOV0, EXIT], expect: { insn: 0, message: 'frame pointer is read only' } },
  { name: 'caller-saved registers clobbered by a call', asm: 'r2 = 1\ncall 5\nr0 = r2\nexit', expect: { insn: 2, message: 'R2 !read_ok' } },
  { name: 'callee-saved register survives a call', asm: 'r6 = 1\ncall 5\nr0 = r6\nexit', expect: 'ok' },
  { name: 'division by a zero register is allowed', asm: 'r0 = 10\nr1 = 0\nr0 /= r1\nr0 %= r1\nexit', expect: 'ok' },
  { name: 'division by immediate zero', insns: [raw(0xb7, 0, 0, 0, 1), raw(0x37, 0, 0, 0, 0), EXIT], expect: { insn: 1, message: 'div by zero' } },
  { name: 'shift out of range', insns: [raw(0xb7, 0, 0, 0, 1), raw(0x67, 0, 0, 0, 64), EXIT], expect: { insn: 1, message: 'invalid shift 64' } },
  { name: 'signed division and movsx', asm: 'r0 = -7\nr1 = 2\nr0 s/= r1\nr0 = (s8)r0\nw0 = (s16)w0\nexit', expect: 'ok' },

  // ── control flow (checked before any path is explored) ────────────────────────────────
  { name: 'unknown opcode', insns: [MOV0, raw(0x8f, 0, 1, 0, 0), EXIT], expect: { insn: 1, message: 'unknown opcode 8f' } },
  { name: 'unreachable instruction', asm: 'r0 = 0\nexit\nr0 = 1\nexit', expect: { insn: 2, message: 'unreachable insn 2' } },
  { name: 'jump out of range', insns: [MOV0, raw(0x05, 0, 0, 5, 0), EXIT], expect: { insn: 1, message: 'jump out of range from insn 1 to 7' } },
  { name: 'last instruction falls off the end', insns: [MOV0, EXIT, MOV0], expect: { insn: 2, message: 'last insn is not an exit or jmp' } },
  { name: 'jump into the middle of lddw', insns: [raw(0x15, 1, 0, 1, 0), raw(0x18, 0, 0, 0, 1), raw(0, 0, 0, 0, 0), EXIT], expect: { insn: 1, message: 'jump into the middle of ldimm64 insn 1' } },
  { name: 'lddw without its second half', insns: [MOV0, raw(0x18, 0, 0, 0, 1)], expect: { insn: 1, message: 'last insn is not an exit or jmp' } },
  {
    name: 'back-edge when bounded loops are off',
    asm: 'r1 = 0\nl: r1 += 1\nif r1 < 10 goto l\nr0 = 0\nexit',
    opts: { boundedLoops: false },
    expect: { insn: 2, message: 'back-edge from insn 2 to 1' },
    kernelDiffers: 'root may loop; the kernel gives this only without CAP_BPF',
  },
  { name: 'bounded loop accepted', asm: 'r1 = 0\nl: r1 += 1\nif r1 < 10 goto l\nr0 = 0\nexit', expect: 'ok' },
  {
    name: 'unbounded loop exhausts the budget',
    asm: 'r1 = 0\nl: r1 += 1\nif r1 != 0 goto l\nr0 = 0\nexit',
    opts: { insnBudget: 5000 },
    expect: { insn: 2, message: 'BPF program is too large. Processed 5001 insn' },
    kernelDiffers: 'the kernel budget is 1,000,000 instructions; here it is lowered to keep the test fast',
  },
  {
    name: 'loop on an unknown value is an infinite loop',
    asm: 'call 7\nl: r0 += 1\nif r0 != 0 goto l\nexit',
    expect: { insn: 1, message: 'infinite loop detected at insn 1\ncur state: R0=scalar(umin=1) R10=fp0\nold state: R0=scalar(umin=1) R10=fp0' },
  },
  { name: 'jump to itself', asm: 'r0 = 0\nl: goto l', expect: { insn: 1, message: 'infinite loop detected at insn 1\ncur state: R0=0 R1=ctx() R10=fp0\nold state: R0=0 R1=ctx() R10=fp0' } },
  { name: 'program too large (limit option)', asm: 'r0 = 0\nr0 = 1\nr0 = 2\nexit', opts: { maxInsns: 3 }, expect: { insn: 0, message: 'program is too large (4 insns)' }, kernelDiffers: 'the limit is an option here; Linux refuses such programs with E2BIG and no log' },
  { name: 'branch decided by a constant leaves dead code unexplored', asm: 'r1 = 5\nif r1 > 3 goto ok\nr0 = *(u64 *)(r9 + 0)\nok: r0 = 0\nexit', expect: 'ok' },

  // ── stack ─────────────────────────────────────────────────────────────────────────────
  { name: 'stack write beyond 512 bytes', asm: '*(u64 *)(r10 - 520) = 0\nr0 = 0\nexit', expect: { insn: 0, message: 'invalid write to stack R10 off=-520 size=8' } },
  { name: 'stack write above the frame', asm: '*(u64 *)(r10 + 0) = 0\nr0 = 0\nexit', expect: { insn: 0, message: 'invalid write to stack R10 off=0 size=8' } },
  {
    name: 'uninitialised stack read', prog: 'socket_filter',
    asm: '*(u64 *)(r10 - 24) = 0\nr0 = *(u64 *)(r10 - 16)\nexit',
    expect: { insn: 1, message: 'invalid read from stack off -16+0 size 8' },
  },
  { name: 'stack read below what was ever written', prog: 'socket_filter', asm: 'r0 = *(u64 *)(r10 - 16)\nexit', expect: { insn: 0, message: 'invalid read from stack R10 off=-16 size=8' } },
  { name: 'partially initialised stack read', prog: 'socket_filter', asm: '*(u32 *)(r10 - 8) = 0\nr0 = *(u64 *)(r10 - 8)\nexit', expect: { insn: 1, message: 'invalid read from stack off -8+4 size 8' } },
  { name: 'uninitialised stack allowed with CAP_PERFMON', asm: '*(u64 *)(r10 - 24) = 0\nr0 = *(u64 *)(r10 - 16)\nexit', opts: { allowUninitStack: true }, expect: 'ok' },
  { name: 'misaligned stack access', asm: '*(u64 *)(r10 - 16) = 0\nr0 = *(u64 *)(r10 - 12)\nexit', expect: { insn: 1, message: 'misaligned stack access off 0+0+-12 size 8' } },
  { name: 'spilled pointer keeps its type', asm: '*(u64 *)(r10 - 8) = r1\nr2 = *(u64 *)(r10 - 8)\nr0 = *(u64 *)(r2 + 16)\nexit', expect: 'ok' },
  { name: 'partial fill of a spilled pointer', asm: '*(u64 *)(r10 - 8) = r1\nr2 = *(u32 *)(r10 - 8)\nr0 = 0\nexit', expect: { insn: 1, message: 'invalid size of register fill' } },
  { name: 'partial spill of a pointer', asm: '*(u32 *)(r10 - 8) = r1\nr0 = 0\nexit', expect: { insn: 0, message: 'invalid size of register spill' } },
  { name: 'spilled scalar keeps its bounds', asm: '*(u64 *)(r10 - 16) = 0\ncall 7\nr0 &= 7\n*(u64 *)(r10 - 8) = r0\nr3 = *(u64 *)(r10 - 8)\nr2 = r10\nr2 += -16\nr2 += r3\n*(u8 *)(r2 + 0) = 1\nr0 = 0\nexit', expect: 'ok' },
  { name: 'subtraction from the stack pointer', asm: 'r2 = r10\nr2 -= 8\nr0 = 0\nexit', expect: { insn: 1, message: 'R2 subtraction from stack pointer prohibited' } },
  {
    name: 'variable stack offset within an initialised buffer',
    asm: '*(u64 *)(r10 - 16) = 0\n*(u64 *)(r10 - 8) = 0\ncall 7\nr0 &= 8\nr2 = r10\nr2 += r0\nr0 = *(u64 *)(r2 - 16)\nexit',
    expect: 'ok',
  },
  {
    name: 'variable stack offset reaching above the frame',
    asm: '*(u64 *)(r10 - 16) = 0\n*(u64 *)(r10 - 8) = 0\ncall 7\nr0 &= 24\nr2 = r10\nr2 += r0\nr0 = *(u64 *)(r2 - 16)\nexit',
    expect: { insn: 6, message: 'invalid variable-offset read from stack R2 var_off=(0x0; 0x18) off=-16 size=8' },
  },

  // ── context ───────────────────────────────────────────────────────────────────────────
  { name: 'tracepoint field read', asm: 'r0 = *(u64 *)(r1 + 16)\nexit', expect: 'ok' },
  { name: 'tracepoint record beyond its size', asm: 'r0 = *(u64 *)(r1 + 72)\nexit', opts: { ctxSize: 72 }, expect: { insn: 0, message: 'invalid bpf_context access off=72 size=8' }, kernelDiffers: 'the kernel allows any offset below 8192; the loader gives us the record size' },
  { name: 'tracepoint common fields are not readable', asm: 'r0 = *(u32 *)(r1 + 4)\nexit', expect: { insn: 0, message: 'invalid bpf_context access off=4 size=4' } },
  { name: 'tracepoint context is read-only', asm: 'r2 = 1\n*(u64 *)(r1 + 8) = r2\nr0 = 0\nexit', expect: { insn: 1, message: 'invalid bpf_context access off=8 size=8' } },
  { name: 'kprobe pt_regs read', prog: 'kprobe', asm: 'r0 = *(u64 *)(r1 + 112)\nexit', expect: 'ok' },
  { name: 'kprobe pt_regs out of bounds', prog: 'kprobe', asm: 'r0 = *(u64 *)(r1 + 168)\nexit', expect: { insn: 0, message: 'invalid bpf_context access off=168 size=8' } },
  { name: 'kprobe misaligned field', prog: 'kprobe', asm: 'r0 = *(u32 *)(r1 + 2)\nexit', expect: { insn: 0, message: 'invalid bpf_context access off=2 size=4' } },
  { name: 'perf_event regs need full-width reads', prog: 'perf_event', asm: 'r0 = *(u32 *)(r1 + 0)\nexit', expect: { insn: 0, message: 'invalid bpf_context access off=0 size=4' } },
  { name: 'perf_event sample_period narrow read', prog: 'perf_event', asm: 'r0 = *(u32 *)(r1 + 168)\nexit', expect: 'ok' },
  { name: 'raw_tracepoint args', prog: 'raw_tracepoint', asm: 'r0 = *(u64 *)(r1 + 8)\nexit', expect: 'ok' },
  { name: 'modified ctx pointer', asm: 'r1 += 8\nr0 = *(u64 *)(r1 + 8)\nexit', expect: { insn: 1, message: 'dereference of modified ctx ptr R1 off=8 disallowed' } },
  { name: 'socket filter reads skb->len and writes cb', prog: 'socket_filter', asm: 'r0 = *(u32 *)(r1 + 0)\n*(u32 *)(r1 + 48) = r0\nexit', expect: 'ok' },
  { name: 'socket filter cannot read data', prog: 'socket_filter', asm: 'r0 = *(u32 *)(r1 + 76)\nexit', expect: { insn: 0, message: 'invalid bpf_context access off=76 size=4' } },

  // ── maps and null checks ──────────────────────────────────────────────────────────────
  { name: 'lookup, null check, atomic add', maps: [hash8], asm: `${LOOKUP8}\nif r0 == 0 goto out\nr1 = 1\nlock *(u64 *)(r0 + 0) += r1\nout: r0 = 0\nexit`, expect: 'ok' },
  { name: 'missing null check', maps: [hash8], asm: `${LOOKUP8}\nr1 = *(u64 *)(r0 + 0)\nr0 = 0\nexit`, expect: { insn: 6, message: "R0 invalid mem access 'map_value_or_null'" } },
  { name: 'null branch holds a scalar 0', maps: [hash8], asm: `${LOOKUP8}\nif r0 != 0 goto out\nr1 = *(u64 *)(r0 + 0)\nout: r0 = 0\nexit`, expect: { insn: 7, message: "R0 invalid mem access 'scalar'" } },
  { name: 'pointer arithmetic before the null check', maps: [hash8], asm: `${LOOKUP8}\nr0 += 8\nr0 = 0\nexit`, expect: { insn: 6, message: 'R0 pointer arithmetic on map_value_or_null prohibited, null-check it first' } },
  { name: 'null check on a copy covers the original', maps: [hash8], asm: `${LOOKUP8}\nr6 = r0\nif r6 == 0 goto out\nr1 = *(u64 *)(r0 + 0)\nout: r0 = 0\nexit`, expect: 'ok' },
  { name: 'null check survives a spill', maps: [hash8], asm: `${LOOKUP8}\n*(u64 *)(r10 - 16) = r0\nif r0 == 0 goto out\nr1 = *(u64 *)(r10 - 16)\nr0 = *(u64 *)(r1 + 0)\nout: r0 = 0\nexit`, expect: 'ok' },
  { name: 'map value read past its end', maps: [hash8], asm: `${LOOKUP8}\nif r0 == 0 goto out\nr1 = *(u64 *)(r0 + 8)\nout: r0 = 0\nexit`, expect: { insn: 7, message: 'invalid access to map value, value_size=8 off=8 size=8\nR0 min value is outside of the allowed memory range' } },
  {
    name: 'bounded computed offset into a map value',
    maps: [hist],
    asm: `${LOOKUP8}\nif r0 == 0 goto out\nr6 = r0\ncall 7\nr0 &= 63\nr0 <<= 3\nr6 += r0\nr1 = 1\nlock *(u64 *)(r6 + 0) += r1\nout: r0 = 0\nexit`,
    expect: 'ok',
  },
  {
    name: 'unbounded computed offset into a map value',
    maps: [hist],
    asm: `${LOOKUP8}\nif r0 == 0 goto out\nr6 = r0\ncall 7\nr0 &= 0x7fffffff\nr6 += r0\nr0 = *(u8 *)(r6 + 0)\nout: r0 = 0\nexit`,
    expect: { insn: 11, message: 'R6 unbounded memory access, make sure to bounds check any such access' },
  },
  {
    name: 'unbounded scalar added to a map value pointer',
    maps: [hist],
    asm: `${LOOKUP8}\nif r0 == 0 goto out\nr6 = r0\ncall 7\nr6 += r0\nout: r0 = 0\nexit`,
    expect: { insn: 9, message: 'math between map_value pointer and register with unbounded min value is not allowed' },
  },
  {
    name: 'signed offset may be negative',
    maps: [hist],
    asm: `${LOOKUP8}\nif r0 == 0 goto out\nr6 = r0\ncall 7\nif r0 s> 64 goto out\nif r0 s< -8 goto out\nr6 += r0\nr0 = *(u8 *)(r6 + 0)\nout: r0 = 0\nexit`,
    expect: { insn: 12, message: 'R6 min value is negative, either use unsigned index or do a if (index >=0) check.' },
  },
  { name: 'key pointer must point to memory', maps: [hash8], asm: 'r2 = 0\nr1 = map_fd(1) ll\ncall 1\nr0 = 0\nexit', expect: { insn: 3, message: 'R2 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_' } },
  { name: 'key shorter than the map key', prog: 'socket_filter', maps: [hash16], asm: '*(u64 *)(r10 - 16) = 0\nr2 = r10\nr2 += -16\nr1 = map_fd(1) ll\ncall 1\nr0 = 0\nexit', expect: { insn: 5, message: 'invalid read from stack R2 off -16+8 size 16' } },
  { name: 'key reaching above the frame', maps: [hash16], asm: `${LOOKUP8}\nr0 = 0\nexit`, expect: { insn: 5, message: 'invalid read from stack R2 off=-8 size=16' } },
  { name: 'map argument must be a map', asm: '*(u64 *)(r10 - 8) = 0\nr2 = r10\nr2 += -8\nr1 = r10\ncall 1\nr0 = 0\nexit', expect: { insn: 4, message: 'R1 type=fp expected=map_ptr' } },
  { name: 'unknown map fd', asm: 'r1 = map_fd(7) ll\nr0 = 0\nexit', expect: { insn: 0, message: 'fd 7 is not pointing to valid bpf_map' } },
  {
    name: 'update with an uninitialised value',
    prog: 'socket_filter',
    maps: [hash8],
    asm: '*(u64 *)(r10 - 16) = 0\nr2 = r10\nr2 += -16\nr3 = r10\nr3 += -8\nr1 = map_fd(1) ll\nr4 = 0\ncall 2\nr0 = 0\nexit',
    expect: { insn: 8, message: 'invalid read from stack R3 off -8+0 size 8' },
  },
  { name: 'direct map value (lddw src=2)', maps: [array1], asm: 'r1 = map_value(1, 8) ll\nr0 = *(u64 *)(r1 + 56)\nexit', expect: { insn: 2, message: 'invalid access to map value, value_size=64 off=64 size=8\nR1 min value is outside of the allowed memory range' } },
  { name: 'direct map value within bounds', maps: [array1], asm: 'r1 = map_value(1, 8) ll\nr0 = *(u64 *)(r1 + 48)\nr2 = 1\nlock *(u32 *)(r1 + 4) += w2\nexit', expect: 'ok' },
  { name: 'read-only map refuses writes', maps: [rodata], asm: 'r1 = map_value(1, 0) ll\nr2 = 1\n*(u64 *)(r1 + 0) = r2\nr0 = 0\nexit', expect: { insn: 3, message: 'write into map forbidden, value_size=32 off=0 size=8' } },
  { name: 'per-CPU lookup on a per-CPU map', maps: [pcpu], asm: '*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = map_fd(1) ll\nr3 = 0\ncall 195\nr0 = 0\nexit', expect: 'ok' },
  { name: 'per-CPU lookup on a shared map', maps: [hash8], asm: `*(u64 *)(r10 - 8) = 0\nr2 = r10\nr2 += -8\nr1 = map_fd(1) ll\nr3 = 0\ncall 195\nr0 = 0\nexit`, expect: { insn: 6, message: 'cannot pass map_type 1 into func bpf_map_lookup_percpu_elem#195' } },
  {
    name: 'array element at a constant index needs no null check',
    maps: [{ name: 'arr', type: 'array', keySize: 4, valueSize: 8, maxEntries: 4 }],
    asm: '*(u32 *)(r10 - 8) = 3\nr2 = r10\nr2 += -8\nr1 = map_fd(1) ll\ncall 1\nr0 = *(u64 *)(r0 + 0)\nexit',
    expect: 'ok',
  },
  {
    name: 'array index past max_entries still needs the null check',
    maps: [{ name: 'arr', type: 'array', keySize: 4, valueSize: 8, maxEntries: 4 }],
    asm: '*(u32 *)(r10 - 8) = 4\nr2 = r10\nr2 += -8\nr1 = map_fd(1) ll\ncall 1\nr0 = *(u64 *)(r0 + 0)\nexit',
    expect: { insn: 6, message: "R0 invalid mem access 'map_value_or_null'" },
  },
  { name: 'pointer comparison', maps: [hash8], asm: `${LOOKUP8}\nr1 = r10\nif r0 == r1 goto out\nout: r0 = 0\nexit`, expect: 'ok' },

  // ── helpers ───────────────────────────────────────────────────────────────────────────
  { name: 'unknown helper', asm: 'call 1234\nr0 = 0\nexit', expect: { insn: 0, message: 'invalid func unknown#1234' } },
  { name: 'helper not allowed for the program type', asm: 'r2 = 0\ncall 58\nr0 = 0\nexit', expect: { insn: 1, message: 'program of this type cannot use helper bpf_override_return#58' }, kernelDiffers: 'kernels with CONFIG_BPF_KPROBE_OVERRIDE allow it for kprobes only, as here' },
  { name: 'get_func_ip outside kprobes and fentry', asm: 'call 173\nr0 = 0\nexit', expect: { insn: 0, message: 'func bpf_get_func_ip#173 not supported for program type 5' } },
  { name: 'get_func_ip in a kprobe', prog: 'kprobe', asm: 'call 173\nr0 = 0\nexit', expect: 'ok' },
  { name: 'get_current_comm into the stack', asm: 'r1 = r10\nr1 += -16\nr2 = 16\ncall 16\nr0 = *(u64 *)(r10 - 8)\nexit', expect: 'ok' },
  { name: 'helper buffer must be memory', asm: 'r1 = 0\nr2 = 16\ncall 16\nr0 = 0\nexit', expect: { insn: 2, message: 'R1 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_' } },
  { name: 'helper size may be negative', asm: 'call 7\nr2 = r0\nr1 = r10\nr1 += -16\ncall 16\nr0 = 0\nexit', expect: { insn: 4, message: "R2 min value is negative, either use unsigned or 'var &= const'" } },
  { name: 'helper size must be bounded', asm: 'call 7\nr2 = r0\nr2 &= 0x7fffffff\nr1 = r10\nr1 += -16\nr3 = 0\ncall 112\nr0 = 0\nexit', expect: { insn: 6, message: "R2 unbounded memory access, use 'var &= const' or 'if (var < const)'" } },
  { name: 'helper size larger than the buffer', asm: 'r1 = r10\nr1 += -16\nr2 = 32\ncall 16\nr0 = 0\nexit', expect: { insn: 3, message: 'invalid write to stack R1 off=-16 size=32' } },
  { name: 'zero size where zero is not allowed', asm: 'r1 = r10\nr1 += -16\nr2 = 0\ncall 16\nr0 = 0\nexit', expect: { insn: 3, message: 'R2 invalid zero-sized read: u64=[0,0]' } },
  { name: 'probe_read_user_str result is bounded by the size', asm: 'r1 = r10\nr1 += -64\nr2 = 64\nr3 = 0\ncall 114\nif r0 s< 1 goto out\nr1 = r10\nr1 += -64\nr1 += r0\nr0 = *(u8 *)(r1 - 1)\nout: r0 = 0\nexit', expect: 'ok' },
  { name: 'ctx argument must be the unmodified ctx', maps: [{ name: 'stacks', type: 'stack_trace', keySize: 4, valueSize: 8 * 127, maxEntries: 128 }], asm: 'r1 += 8\nr2 = map_fd(1) ll\nr3 = 0\ncall 27\nr0 = 0\nexit', expect: { insn: 4, message: 'dereference of modified ctx ptr R1 off=8 disallowed' } },
  { name: 'get_stackid with a stack_trace map', maps: [{ name: 'stacks', type: 'stack_trace', keySize: 4, valueSize: 8 * 127, maxEntries: 128 }], asm: 'r2 = map_fd(1) ll\nr3 = 0\ncall 27\nr0 = 0\nexit', expect: 'ok' },
  { name: 'ringbuf_output needs a ringbuf', maps: [hash8], asm: '*(u64 *)(r10 - 8) = 0\nr2 = r10\nr2 += -8\nr1 = map_fd(1) ll\nr3 = 8\nr4 = 0\ncall 130\nr0 = 0\nexit', expect: { insn: 7, message: 'cannot pass map_type 1 into func bpf_ringbuf_output#130' } },
  { name: 'ringbuf_output of a stack struct', maps: [ringbuf], asm: '*(u64 *)(r10 - 16) = 1\n*(u64 *)(r10 - 8) = 2\nr2 = r10\nr2 += -16\nr1 = map_fd(1) ll\nr3 = 16\nr4 = 0\ncall 130\nr0 = 0\nexit', expect: 'ok' },
  {
    name: 'ringbuf reserve, write, submit',
    maps: [ringbuf],
    asm: 'r1 = map_fd(1) ll\nr2 = 16\nr3 = 0\ncall 131\nif r0 == 0 goto out\nr1 = 7\n*(u64 *)(r0 + 8) = r1\nr1 = r0\nr2 = 0\ncall 132\nout: r0 = 0\nexit',
    expect: 'ok',
  },
  {
    name: 'ringbuf record never submitted',
    maps: [ringbuf],
    asm: 'r1 = map_fd(1) ll\nr2 = 16\nr3 = 0\ncall 131\nif r0 == 0 goto out\nr1 = 7\n*(u64 *)(r0 + 8) = r1\nout: r0 = 0\nexit',
    expect: { insn: 9, message: 'Unreleased reference id=2 alloc_insn=4\nBPF_EXIT instruction in main prog would lead to reference leak' },
  },
  {
    name: 'ringbuf record used after submit',
    maps: [ringbuf],
    asm: 'r1 = map_fd(1) ll\nr2 = 16\nr3 = 0\ncall 131\nif r0 == 0 goto out\nr6 = r0\nr1 = r0\nr2 = 0\ncall 132\nr1 = 7\n*(u64 *)(r6 + 0) = r1\nout: r0 = 0\nexit',
    expect: { insn: 11, message: "R6 invalid mem access 'scalar'" },
  },
  {
    name: 'ringbuf record written past its size',
    maps: [ringbuf],
    asm: 'r1 = map_fd(1) ll\nr2 = 16\nr3 = 0\ncall 131\nif r0 == 0 goto out\nr1 = 7\n*(u64 *)(r0 + 16) = r1\nr1 = r0\nr2 = 0\ncall 133\nout: r0 = 0\nexit',
    expect: { insn: 7, message: 'invalid access to memory, mem_size=16 off=16 size=8\nR0 min value is outside of the allowed memory range' },
  },
  { name: 'submit of a pointer never reserved', maps: [ringbuf], asm: 'r1 = r10\nr2 = 0\ncall 132\nr0 = 0\nexit', expect: { insn: 2, message: 'R1 type=fp expected=ringbuf_mem' } },
  { name: 'reserve size must be a constant', maps: [ringbuf], asm: 'call 7\nr2 = r0\nr1 = map_fd(1) ll\nr3 = 0\ncall 131\nr0 = 0\nexit', expect: { insn: 5, message: "R2 is not a known constant'" } },

  // ── pointers and arithmetic ───────────────────────────────────────────────────────────
  { name: 'bitwise operation on a pointer', asm: 'r2 = r10\nr2 &= 8\nr0 = 0\nexit', expect: { insn: 1, message: 'R2 bitwise operator &= on pointer prohibited' } },
  { name: '32-bit pointer arithmetic', asm: 'w1 += 8\nr0 = 0\nexit', expect: { insn: 0, message: 'R1 32-bit pointer arithmetic prohibited' } },
  { name: 'pointer minus pointer is a scalar', asm: 'r2 = r10\nr2 -= r1\nr0 = r2\nexit', expect: 'ok' },
  { name: 'pointer plus pointer', asm: 'r2 = r10\nr2 += r1\nr0 = 0\nexit', expect: { insn: 1, message: 'R2 pointer += pointer prohibited' } },
  { name: 'scalar as a pointer', asm: 'r1 = 0\nr0 = *(u64 *)(r1 + 0)\nexit', expect: { insn: 1, message: "R1 invalid mem access 'scalar'" } },
  { name: 'unbounded scalar added to a pointer', asm: 'call 7\nr2 = r10\nr2 += r0\nr0 = 0\nexit', expect: { insn: 2, message: 'math between fp pointer and register with unbounded min value is not allowed' } },
  { name: 'stack access through an unbounded offset', asm: 'call 7\nr0 &= 0x7fffffff\nr2 = r10\nr2 += r0\nr0 = *(u8 *)(r2 - 8)\nexit', expect: { insn: 4, message: 'invalid unbounded variable-offset read from stack R2' } },

  // ── atomics ───────────────────────────────────────────────────────────────────────────
  { name: 'atomics on the stack', asm: '*(u64 *)(r10 - 8) = 0\nr1 = 1\nlock *(u64 *)(r10 - 8) += r1\nr1 = atomic_fetch_or((u64 *)(r10 - 8), r1)\nr0 = 0\nr0 = cmpxchg_64(r10 - 8, r0, r1)\nexit', expect: 'ok' },
  { name: 'atomic on uninitialised stack', prog: 'socket_filter', asm: 'r1 = 1\nlock *(u64 *)(r10 - 8) += r1\nr0 = 0\nexit', expect: { insn: 1, message: 'invalid read from stack R10 off=-8 size=8' } },
  { name: 'atomic on the context', asm: 'r2 = 1\nlock *(u64 *)(r1 + 8) += r2\nr0 = 0\nexit', expect: { insn: 1, message: 'BPF_ATOMIC stores into R1 ctx is not allowed' } },
  { name: 'misaligned atomic on a map value', maps: [hash8], asm: `${LOOKUP8}\nif r0 == 0 goto out\nr1 = 1\nlock *(u32 *)(r0 + 2) += w1\nout: r0 = 0\nexit`, expect: { insn: 8, message: 'misaligned value access off 0+0+2 size 4' } },

  // ── bpf-to-bpf calls ──────────────────────────────────────────────────────────────────
  { name: 'subprogram call with an argument', asm: 'r1 = 5\ncall pc+2\nr0 += 1\nexit\nr0 = r1\nr0 *= 2\nexit', expect: 'ok' },
  { name: 'subprogram exits without r0', asm: 'r1 = 5\ncall pc+2\nr0 = 0\nexit\nr1 += 1\nexit', expect: { insn: 5, message: 'R0 !read_ok' }, kernelDiffers: 'Linux checks r0 only when the caller reads it' },
  { name: 'subprogram reads a caller-saved register', asm: 'r2 = 5\ncall pc+2\nr0 = 0\nexit\nr0 = r3\nexit', expect: { insn: 4, message: 'R3 !read_ok' } },
  {
    name: 'callee reads the caller stack through a pointer',
    asm: '*(u64 *)(r10 - 8) = 3\nr1 = r10\nr1 += -8\ncall pc+2\nr0 = 0\nexit\nr0 = *(u64 *)(r1 + 0)\nexit',
    expect: 'ok',
  },
  { name: 'returning a stack pointer', asm: 'call pc+2\nr0 = 0\nexit\nr0 = r10\nexit', expect: { insn: 4, message: 'cannot return stack pointer to the caller' } },
  {
    name: 'combined stack of a call chain',
    prog: 'socket_filter',
    asm: '*(u64 *)(r10 - 512) = 0\ncall pc+2\nr0 = 0\nexit\n*(u64 *)(r10 - 8) = 0\nr0 = 0\nexit',
    expect: { insn: 0, message: 'combined stack size of 2 calls is 528. Too large' },
  },
  { name: 'recursion runs out of frames', asm: 'call pc+2\nr0 = 0\nexit\ncall pc-1\nr0 = 0\nexit', expect: { insn: 3, message: 'the call stack of 9 frames is too deep' } },

  // ── callbacks (bpf_for_each_map_elem, bpf_loop) ───────────────────────────────────────
  {
    name: 'for_each_map_elem callback sums into the caller stack',
    maps: [hash8],
    asm: '*(u64 *)(r10 - 8) = 0\nr1 = map_fd(1) ll\nr2 = func(cb) ll\nr3 = r10\nr3 += -8\nr4 = 0\ncall 164\nr0 = 0\nexit\ncb: r0 = *(u64 *)(r3 + 0)\nr1 = *(u64 *)(r2 + 0)\nr1 += r0\n*(u64 *)(r4 + 0) = r1\nr0 = 0\nexit',
    expect: 'ok',
    kernelDiffers: 'Linux also wants BTF func_info for the callback, which raw instructions do not carry',
  },
  {
    name: 'callback return value out of range',
    maps: [hash8],
    asm: 'r1 = map_fd(1) ll\nr2 = func(cb) ll\nr3 = 0\nr4 = 0\ncall 164\nr0 = 0\nexit\ncb: r0 = 2\nexit',
    expect: { insn: 10, message: 'At callback return the register R0 has smin=2 smax=2 should have been in [0, 1]' },
    kernelDiffers: 'Linux also wants BTF func_info for the callback',
  },
  {
    name: 'callback key pointer bounds',
    maps: [hash8],
    asm: 'r1 = map_fd(1) ll\nr2 = func(cb) ll\nr3 = 0\nr4 = 0\ncall 164\nr0 = 0\nexit\ncb: r0 = *(u64 *)(r2 + 8)\nr0 = 0\nexit',
    expect: { insn: 9, message: 'invalid access to map key, key_size=8 off=8 size=8\nR2 min value is outside of the allowed memory range' },
    kernelDiffers: 'Linux also wants BTF func_info for the callback',
  },
  {
    name: 'callback key is read-only',
    maps: [hash8],
    asm: 'r1 = map_fd(1) ll\nr2 = func(cb) ll\nr3 = 0\nr4 = 0\ncall 164\nr0 = 0\nexit\ncb: r0 = 0\n*(u64 *)(r2 + 0) = r0\nexit',
    expect: { insn: 10, message: 'write to change key R2 not allowed' },
    kernelDiffers: 'Linux also wants BTF func_info for the callback',
  },
  {
    name: 'bpf_loop callback with its index',
    asm: 'r1 = 10\nr2 = func(cb) ll\nr3 = 0\nr4 = 0\ncall 181\nr0 = 0\nexit\ncb: r0 = r1\nr0 &= 1\nexit',
    expect: 'ok',
    kernelDiffers: 'Linux also wants BTF func_info for the callback',
  },
  {
    // The count is known only at run time: the callback's counter in the caller's stack is not
    // precise, so where the callback comes back to bpf_loop it is widened and the walk converges.
    name: 'bpf_loop with a run-time count: a caller-stack counter converges',
    asm: '*(u64 *)(r10 - 8) = 0\ncall 7\nr1 = r0\nr2 = func(cb) ll\nr3 = r10\nr3 += -8\nr4 = 0\ncall 181\nr0 = *(u64 *)(r10 - 8)\nr0 = 0\nexit\ncb: r1 = *(u64 *)(r2 + 0)\nr1 += 1\n*(u64 *)(r2 + 0) = r1\nr0 = 0\nexit',
    expect: 'ok',
    kernelDiffers: 'Linux also wants BTF func_info for the callback',
  },
  {
    name: 'bpf_loop with a run-time count: callback returns 2',
    asm: '*(u64 *)(r10 - 8) = 0\ncall 7\nr1 = r0\nr2 = func(cb) ll\nr3 = r10\nr3 += -8\nr4 = 0\ncall 181\nr0 = 0\nexit\ncb: r1 = *(u64 *)(r2 + 0)\nr1 += 1\n*(u64 *)(r2 + 0) = r1\nr0 = 2\nexit',
    expect: { insn: 15, message: 'At callback return the register R0 has smin=2 smax=2 should have been in [0, 1]' },
    kernelDiffers: 'Linux also wants BTF func_info for the callback',
  },
  {
    name: 'bpf_loop callback reads its own uninitialised stack',
    prog: 'socket_filter',
    asm: 'call 7\nr1 = r0\nr2 = func(cb) ll\nr3 = 0\nr4 = 0\ncall 181\nr0 = 0\nexit\ncb: *(u64 *)(r10 - 8) = r1\nr0 = *(u64 *)(r10 - 16)\nr0 = 0\nexit',
    expect: { insn: 10, message: 'invalid read from stack R10 off=-16 size=8' },
    kernelDiffers: 'Linux also wants BTF func_info for the callback',
  },
  {
    // A precise counter is never widened: it indexes the caller's 8-byte buffer, one byte per
    // iteration, and the ninth iteration (the run-time count allows it) writes past it.
    name: 'bpf_loop with a run-time count: a precise counter is unrolled until it overflows',
    asm: '*(u64 *)(r10 - 16) = 0\n*(u64 *)(r10 - 8) = 0\ncall 7\nr1 = r0\nr2 = func(cb) ll\nr3 = r10\nr3 += -16\nr4 = 0\ncall 181\nr0 = 0\nexit\ncb: r1 = *(u64 *)(r2 + 0)\nr3 = r2\nr3 += r1\n*(u8 *)(r3 + 8) = 1\nr1 += 1\n*(u64 *)(r2 + 0) = r1\nr0 = 0\nexit',
    expect: { insn: 15, message: 'invalid write to stack R3 off=0 size=1' },
    kernelDiffers: 'Linux also wants BTF func_info for the callback',
  },
  {
    // A constant count bounds how often the same walk enters the callback (bpf_loop iteration
    // limit): eight byte writes stay inside the buffer.
    name: 'bpf_loop with a constant count stops entering the callback at the count',
    asm: '*(u64 *)(r10 - 16) = 0\n*(u64 *)(r10 - 8) = 0\nr1 = 8\nr2 = func(cb) ll\nr3 = r10\nr3 += -16\nr4 = 0\ncall 181\nr0 = 0\nexit\ncb: r1 = *(u64 *)(r2 + 0)\nr3 = r2\nr3 += r1\n*(u8 *)(r3 + 8) = 1\nr1 += 1\n*(u64 *)(r2 + 0) = r1\nr0 = 0\nexit',
    expect: 'ok',
    kernelDiffers: 'Linux also wants BTF func_info for the callback',
  },
  { name: 'lookup in a ring buffer', maps: [ringbuf], asm: `${LOOKUP8}\nr0 = 0\nexit`, expect: { insn: 5, message: 'invalid zero-sized read' } },
  { name: 'get_stackid needs a stack_trace map', maps: [hash8], asm: 'r2 = map_fd(1) ll\nr3 = 0\ncall 27\nr0 = 0\nexit', expect: { insn: 3, message: 'cannot pass map_type 1 into func bpf_get_stackid#27' } },
  {
    name: 'submit of a moved ringbuf pointer',
    maps: [ringbuf],
    asm: 'r1 = map_fd(1) ll\nr2 = 16\nr3 = 0\ncall 131\nif r0 == 0 goto out\nr1 = r0\nr1 += 8\nr2 = 0\ncall 132\nout: r0 = 0\nexit',
    expect: { insn: 9, message: 'R1 must have zero offset when passed to release func or trusted arg to kfunc' },
  },
  { name: '32-bit subtraction on a pointer gives a scalar', asm: 'w1 -= 8\nr0 = r1\nexit', expect: 'ok' },

  // ── return codes and program types ────────────────────────────────────────────────────
  { name: 'fentry must return 0', prog: 'tracing', asm: 'r0 = 1\nexit', expect: { insn: 1, message: 'At program exit the register R0 has smin=1 smax=1 should have been in [0, 0]' } },
  { name: 'fentry reads its arguments', prog: 'tracing', opts: { ctxSize: 16 }, asm: 'r2 = *(u64 *)(r1 + 8)\nr0 = 0\nexit', expect: 'ok' },
  { name: 'legacy packet load outside socket filters', insns: [raw(0xbf, 6, 1, 0, 0), raw(0x30, 0, 0, 0, 12), EXIT], expect: { insn: 1, message: 'BPF_LD_[ABS|IND] instructions not allowed for this program type' } },
  { name: 'legacy packet load in a socket filter', prog: 'socket_filter', insns: [raw(0xbf, 6, 1, 0, 0), raw(0x30, 0, 0, 0, 12), EXIT], expect: 'ok' },
  { name: 'trusted task pointer read', asm: 'call 158\nr0 = *(u32 *)(r0 + 24)\nexit', expect: 'ok', kernelDiffers: 'without BTF the field is not type-checked; the load yields a scalar' },
  { name: '32-bit subregister bounds from a jmp32', asm: '*(u64 *)(r10 - 8) = 0\ncall 7\nif w0 > 7 goto out\nr0 &= 7\nr2 = r10\nr2 += r0\nr0 = *(u8 *)(r2 - 8)\nout: r0 = 0\nexit', expect: 'ok' },
];
