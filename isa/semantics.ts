// Architectural semantics: each instruction's effect on values, as small pure functions over
// int32 (JavaScript `number` holding a signed 32-bit value). The ISS calls these directly; the
// pipeline's ALU, MDU and branch unit call the same functions, so the models cannot drift.
// Reference: RISC-V Unprivileged ISA 20191213, §2.4 (integer computational), §2.5 (control
// transfer), §2.6 (loads/stores), chapter 7 (M: MUL/MULH*/DIV*/REM* and the division table 7.1).

export const add = (a: number, b: number): number => (a + b) | 0;
export const sub = (a: number, b: number): number => (a - b) | 0;
export const sll = (a: number, b: number): number => a << (b & 31);
export const srl = (a: number, b: number): number => (a >>> (b & 31)) | 0;
export const sra = (a: number, b: number): number => a >> (b & 31);
export const slt = (a: number, b: number): number => (a < b ? 1 : 0);
export const sltu = (a: number, b: number): number => ((a >>> 0) < (b >>> 0) ? 1 : 0);
export const xor = (a: number, b: number): number => a ^ b;
export const or = (a: number, b: number): number => a | b;
export const and = (a: number, b: number): number => a & b;

export const lui = (imm: number): number => imm | 0;
export const auipc = (pc: number, imm: number): number => (pc + imm) | 0;

// Branch conditions (§2.5).
export const beq = (a: number, b: number): boolean => a === b;
export const bne = (a: number, b: number): boolean => a !== b;
export const blt = (a: number, b: number): boolean => a < b;
export const bge = (a: number, b: number): boolean => a >= b;
export const bltu = (a: number, b: number): boolean => (a >>> 0) < (b >>> 0);
export const bgeu = (a: number, b: number): boolean => (a >>> 0) >= (b >>> 0);

/** JALR target: (rs1 + imm) with bit 0 cleared. */
export const jalrTarget = (a: number, imm: number): number => ((a + imm) & ~1) | 0;

// M extension. Products are formed from 16-bit limbs so every partial stays exact in a double.
export const mul = (a: number, b: number): number => Math.imul(a, b);

export function mulhu(a: number, b: number): number {
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const lo = al * bl, m1 = ah * bl, m2 = al * bh, hi = ah * bh;
  const carry = ((lo >>> 16) + (m1 & 0xffff) + (m2 & 0xffff)) >>> 16;
  return (hi + (m1 >>> 16) + (m2 >>> 16) + carry) | 0;
}
/** Signed high product: the unsigned one corrected for each negative operand. */
export const mulh = (a: number, b: number): number => (mulhu(a, b) - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
export const mulhsu = (a: number, b: number): number => (mulhu(a, b) - (a < 0 ? b : 0)) | 0;

// Division by zero and overflow never trap (table 7.1).
export function div(a: number, b: number): number {
  if (b === 0) return -1;
  if (a === -0x80000000 && b === -1) return a;
  return (a / b) | 0;
}
export function divu(a: number, b: number): number {
  if (b === 0) return -1;
  return ((a >>> 0) / (b >>> 0)) | 0;
}
export function rem(a: number, b: number): number {
  if (b === 0) return a;
  if (a === -0x80000000 && b === -1) return 0;
  return (a % b) | 0;
}
export function remu(a: number, b: number): number {
  if (b === 0) return a;
  return ((a >>> 0) % (b >>> 0)) | 0;
}

// Load extension (§2.6).
export const sextByte = (v: number): number => (v << 24) >> 24;
export const sextHalf = (v: number): number => (v << 16) >> 16;
export const zextByte = (v: number): number => v & 0xff;
export const zextHalf = (v: number): number => v & 0xffff;
