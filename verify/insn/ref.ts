// Reference results for the instruction tests, written from the RISC-V Unprivileged ISA
// (20191213, ch. 2 RV32I and ch. 7 M) with BigInt arithmetic. Deliberately independent of
// isa/semantics.ts: the models' arithmetic is checked against this, and this against QEMU.
// Values are unsigned 32-bit numbers (0..2^32-1) in and out.

const M32 = (1n << 32n) - 1n;
const u = (v: number): bigint => BigInt(v >>> 0);
const s = (v: number): bigint => BigInt(v | 0);
/** Wrap a mathematical result to 32 bits, as an unsigned number. */
const w = (b: bigint): number => Number(b & M32);
const bool = (c: boolean): number => (c ? 1 : 0);
/** §2.4: register shifts use the low five bits of rs2. */
const shamt = (b: number): bigint => u(b) & 31n;

/** R-type RV32I and M operations: rd = op(rs1, rs2). */
export const RR_REF: Readonly<Record<string, (a: number, b: number) => number>> = {
  add: (a, b) => w(u(a) + u(b)),
  sub: (a, b) => w(u(a) - u(b)),
  sll: (a, b) => w(u(a) << shamt(b)),
  slt: (a, b) => bool(s(a) < s(b)),
  sltu: (a, b) => bool(u(a) < u(b)),
  xor: (a, b) => w(u(a) ^ u(b)),
  srl: (a, b) => w(u(a) >> shamt(b)),
  sra: (a, b) => w(s(a) >> shamt(b)),
  or: (a, b) => w(u(a) | u(b)),
  and: (a, b) => w(u(a) & u(b)),
  // §7.1: the low and high halves of the 64-bit product (BigInt >> is an arithmetic shift).
  mul: (a, b) => w(s(a) * s(b)),
  mulh: (a, b) => w((s(a) * s(b)) >> 32n),
  mulhsu: (a, b) => w((s(a) * u(b)) >> 32n),
  mulhu: (a, b) => w((u(a) * u(b)) >> 32n),
  // §7.2, table 7.1: division by zero and the signed overflow INT_MIN / -1 do not trap.
  // BigInt division truncates toward zero and % takes the dividend's sign, as RISC-V does.
  div: (a, b) => (u(b) === 0n ? 0xffffffff : s(a) === -(2n ** 31n) && s(b) === -1n ? 0x80000000 : w(s(a) / s(b))),
  divu: (a, b) => (u(b) === 0n ? 0xffffffff : w(u(a) / u(b))),
  rem: (a, b) => (u(b) === 0n ? a >>> 0 : s(a) === -(2n ** 31n) && s(b) === -1n ? 0 : w(s(a) % s(b))),
  remu: (a, b) => (u(b) === 0n ? a >>> 0 : w(u(a) % u(b))),
};

/** I-type operations: rd = op(rs1, imm) with imm the sign-extended 12-bit immediate (or shamt). */
export const IMM_REF: Readonly<Record<string, (a: number, imm: number) => number>> = {
  addi: (a, i) => RR_REF.add!(a, i),
  slti: (a, i) => RR_REF.slt!(a, i),
  sltiu: (a, i) => RR_REF.sltu!(a, i),
  xori: (a, i) => RR_REF.xor!(a, i),
  ori: (a, i) => RR_REF.or!(a, i),
  andi: (a, i) => RR_REF.and!(a, i),
  slli: (a, i) => RR_REF.sll!(a, i),
  srli: (a, i) => RR_REF.srl!(a, i),
  srai: (a, i) => RR_REF.sra!(a, i),
};

/** Conditional branches: taken or not (§2.5). */
export const BRANCH_REF: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  beq: (a, b) => u(a) === u(b),
  bne: (a, b) => u(a) !== u(b),
  blt: (a, b) => s(a) < s(b),
  bge: (a, b) => s(a) >= s(b),
  bltu: (a, b) => u(a) < u(b),
  bgeu: (a, b) => u(a) >= u(b),
};

/** 0x-prefixed eight-digit hex of a 32-bit value. */
export const hex = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');
