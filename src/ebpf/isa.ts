// The eBPF instruction set as Linux and RFC 9669 define it: opcode fields, the 8-byte
// instruction shape, and constants composed from their fields (rbpf style). Tables that
// drive encode/decode/disassembly/validation are built on these in opcodes.ts; this file
// holds no behaviour.

/** One 8-byte instruction slot. `lddw` takes two slots; the second has code 0 and carries the high imm. */
export interface Insn {
  /** 8-bit opcode. */
  readonly code: number;
  /** Destination register 0..10. */
  readonly dst: number;
  /** Source register 0..10 (or a pseudo value for lddw / call). */
  readonly src: number;
  /** Signed 16-bit offset. */
  readonly off: number;
  /** Signed 32-bit immediate. */
  readonly imm: number;
}

export const INSN_SIZE = 8;
export const MAX_BPF_STACK = 512;
/** Kernel limit for unprivileged programs is 4096; privileged programs may hold 1M instructions. */
export const BPF_MAXINSNS = 4096;
export const BPF_COMPLEXITY_LIMIT_INSNS = 1_000_000;

// ── instruction classes (low 3 bits) ─────────────────────────────────────────────────────
export const BPF_LD = 0x00;
export const BPF_LDX = 0x01;
export const BPF_ST = 0x02;
export const BPF_STX = 0x03;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_JMP32 = 0x06;
export const BPF_ALU64 = 0x07;

export const classOf = (code: number): number => code & 0x07;

// ── ALU / JMP: source bit and operation (high 4 bits) ────────────────────────────────────
export const BPF_K = 0x00; // use imm
export const BPF_X = 0x08; // use src register
/** For BPF_END: to little endian (K) / to big endian (X); in ALU64 (K) it is the unconditional bswap. */
export const BPF_TO_LE = 0x00;
export const BPF_TO_BE = 0x08;

export const BPF_ADD = 0x00;
export const BPF_SUB = 0x10;
export const BPF_MUL = 0x20;
export const BPF_DIV = 0x30; // off=1: sdiv
export const BPF_OR = 0x40;
export const BPF_AND = 0x50;
export const BPF_LSH = 0x60;
export const BPF_RSH = 0x70;
export const BPF_NEG = 0x80;
export const BPF_MOD = 0x90; // off=1: smod
export const BPF_XOR = 0xa0;
export const BPF_MOV = 0xb0; // off=8/16/32: movsx
export const BPF_ARSH = 0xc0;
export const BPF_END = 0xd0;

export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;
export const BPF_JNE = 0x50;
export const BPF_JSGT = 0x60;
export const BPF_JSGE = 0x70;
export const BPF_CALL = 0x80;
export const BPF_EXIT = 0x90;
export const BPF_JLT = 0xa0;
export const BPF_JLE = 0xb0;
export const BPF_JSLT = 0xc0;
export const BPF_JSLE = 0xd0;

export const opOf = (code: number): number => code & 0xf0;
export const sourceOf = (code: number): number => code & 0x08;

// ── LD / LDX / ST / STX: mode (high 3 bits) and size ─────────────────────────────────────
export const BPF_W = 0x00; // 4 bytes
export const BPF_H = 0x08; // 2 bytes
export const BPF_B = 0x10; // 1 byte
export const BPF_DW = 0x18; // 8 bytes

export const BPF_IMM = 0x00; // lddw
export const BPF_ABS = 0x20; // legacy packet access
export const BPF_IND = 0x40; // legacy packet access
export const BPF_MEM = 0x60;
export const BPF_MEMSX = 0x80; // sign-extending loads
export const BPF_ATOMIC = 0xc0;

export const sizeOf = (code: number): number => code & 0x18;
export const modeOf = (code: number): number => code & 0xe0;
export const SIZE_BYTES: Readonly<Record<number, 1 | 2 | 4 | 8>> = { [BPF_B]: 1, [BPF_H]: 2, [BPF_W]: 4, [BPF_DW]: 8 };

// ── atomic operations (in imm) ───────────────────────────────────────────────────────────
export const BPF_FETCH = 0x01;
export const BPF_XCHG = 0xe0 | BPF_FETCH;
export const BPF_CMPXCHG = 0xf0 | BPF_FETCH;

// ── pseudo source values ─────────────────────────────────────────────────────────────────
/** lddw src=1: imm is a map fd; the register gets a pointer to the map. */
export const BPF_PSEUDO_MAP_FD = 1;
/** lddw src=2: imm is a map fd, next imm an offset; the register gets a pointer into the map's value. */
export const BPF_PSEUDO_MAP_VALUE = 2;
/** lddw src=4: imm is the pc-relative offset of a function; the register gets its address (callbacks). */
export const BPF_PSEUDO_FUNC = 4;
/** call src=1: imm is the pc-relative offset of a local (bpf-to-bpf) function. */
export const BPF_PSEUDO_CALL = 1;
/** call src=2: kfunc call by BTF id. */
export const BPF_PSEUDO_KFUNC_CALL = 2;

// ── registers ────────────────────────────────────────────────────────────────────────────
export const R0 = 0;
export const R1 = 1;
export const R2 = 2;
export const R3 = 3;
export const R4 = 4;
export const R5 = 5;
export const R6 = 6;
export const R7 = 7;
export const R8 = 8;
export const R9 = 9;
/** Read-only frame pointer. */
export const R10 = 10;

// ── composed opcodes the compiler and tests name directly (rbpf style) ───────────────────
export const LDDW = BPF_LD | BPF_IMM | BPF_DW; // 0x18: dst = imm64
export const LDXB = BPF_LDX | BPF_MEM | BPF_B; // dst = *(u8 *)(src + off)
export const LDXH = BPF_LDX | BPF_MEM | BPF_H;
export const LDXW = BPF_LDX | BPF_MEM | BPF_W;
export const LDXDW = BPF_LDX | BPF_MEM | BPF_DW;
export const LDXSB = BPF_LDX | BPF_MEMSX | BPF_B; // dst = *(s8 *)(src + off)
export const LDXSH = BPF_LDX | BPF_MEMSX | BPF_H;
export const LDXSW = BPF_LDX | BPF_MEMSX | BPF_W;
export const STB = BPF_ST | BPF_MEM | BPF_B; // *(u8 *)(dst + off) = imm
export const STH = BPF_ST | BPF_MEM | BPF_H;
export const STW = BPF_ST | BPF_MEM | BPF_W;
export const STDW = BPF_ST | BPF_MEM | BPF_DW;
export const STXB = BPF_STX | BPF_MEM | BPF_B; // *(u8 *)(dst + off) = src
export const STXH = BPF_STX | BPF_MEM | BPF_H;
export const STXW = BPF_STX | BPF_MEM | BPF_W;
export const STXDW = BPF_STX | BPF_MEM | BPF_DW;
export const ATOMIC_W = BPF_STX | BPF_ATOMIC | BPF_W; // imm selects the operation
export const ATOMIC_DW = BPF_STX | BPF_ATOMIC | BPF_DW;

export const ADD64_IMM = BPF_ALU64 | BPF_K | BPF_ADD;
export const ADD64_REG = BPF_ALU64 | BPF_X | BPF_ADD;
export const SUB64_REG = BPF_ALU64 | BPF_X | BPF_SUB;
export const MUL64_IMM = BPF_ALU64 | BPF_K | BPF_MUL;
export const AND64_IMM = BPF_ALU64 | BPF_K | BPF_AND;
export const LSH64_IMM = BPF_ALU64 | BPF_K | BPF_LSH;
export const RSH64_IMM = BPF_ALU64 | BPF_K | BPF_RSH;
export const ARSH64_IMM = BPF_ALU64 | BPF_K | BPF_ARSH;
export const MOV64_IMM = BPF_ALU64 | BPF_K | BPF_MOV;
export const MOV64_REG = BPF_ALU64 | BPF_X | BPF_MOV;
export const MOV32_IMM = BPF_ALU | BPF_K | BPF_MOV;
export const MOV32_REG = BPF_ALU | BPF_X | BPF_MOV;

export const JA = BPF_JMP | BPF_JA;
export const JEQ_IMM = BPF_JMP | BPF_K | BPF_JEQ;
export const JEQ_REG = BPF_JMP | BPF_X | BPF_JEQ;
export const JNE_IMM = BPF_JMP | BPF_K | BPF_JNE;
export const JNE_REG = BPF_JMP | BPF_X | BPF_JNE;
export const CALL = BPF_JMP | BPF_CALL;
export const EXIT = BPF_JMP | BPF_EXIT;
