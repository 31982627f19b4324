// Architectural semantics: each instruction's effect on values, as small pure functions over
// int32 (JavaScript `number` holding a signed 32-bit value), written once. The ISA table names
// one of them in each row (its `fn` column); the ISS, the block translator and the pipeline's
// ALU, MDU and branch unit all reach them through that column, so the models cannot drift.
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
/** LUI: the U-immediate itself (operand A is not used). AUIPC is `add` with operand A the pc. */
export const lui = (_a: number, imm: number): number => imm | 0;

// Branch conditions (§2.5).
export const beq = (a: number, b: number): boolean => a === b;
export const bne = (a: number, b: number): boolean => a !== b;
export const blt = (a: number, b: number): boolean => a < b;
export const bge = (a: number, b: number): boolean => a >= b;
export const bltu = (a: number, b: number): boolean => (a >>> 0) < (b >>> 0);
export const bgeu = (a: number, b: number): boolean => (a >>> 0) >= (b >>> 0);

// Jump targets (§2.5): JAL from the pc, JALR from rs1 with bit 0 cleared.
export const jal = (pc: number, imm: number): number => (pc + imm) | 0;
export const jalr = (a: number, imm: number): number => ((a + imm) & ~1) | 0;

/** A control-transfer target that is not on a 4-byte boundary raises instruction-address-misaligned (IALIGN = 32, §2.2). */
export const misaligned = (target: number): boolean => (target & 3) !== 0;

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

// Load extension (§2.6): a load reads `width` bytes (zero-extended, as a typed array or a bus
// lane gives them) and the row says whether to sign-extend them.
export const sextByte = (v: number): number => (v << 24) >> 24;
export const sextHalf = (v: number): number => (v << 16) >> 16;
/** The low `width` bytes of `raw`, sign- or zero-extended to 32 bits. */
export function extend(raw: number, width: number, signed: boolean): number {
  const s = 32 - 8 * width;
  return signed ? (raw << s) >> s : ((raw << s) >>> s) | 0;
}

/**
 * Operation selectors: the `fn` column of isa/table.ts as a number, one per function above
 * (FN_NAMES[fn] is its name here). `compute` and `taken` dispatch on them, so a unit or the
 * ISS selects an operation by its row's column, never by the row's position.
 */
export const enum Fn {
  NONE,
  ADD, SUB, SLL, SRL, SRA, SLT, SLTU, XOR, OR, AND, LUI,
  MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU,
  BEQ, BNE, BLT, BGE, BLTU, BGEU,
  JAL, JALR,
}

/** The function of each Fn, by its exported name (index = Fn value; '' for NONE). */
export const FN_NAMES = Object.freeze([
  '',
  'add', 'sub', 'sll', 'srl', 'sra', 'slt', 'sltu', 'xor', 'or', 'and', 'lui',
  'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu',
  'beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu',
  'jal', 'jalr',
] as const);

/** A function name a table row can name. */
export type FnName = Exclude<(typeof FN_NAMES)[number], ''>;

/** The value `fn` gives for operands a and b: rd for ALU and MDU functions, the target for jumps, 0 otherwise. */
export function compute(fn: number, a: number, b: number): number {
  switch (fn) {
    case Fn.ADD: return add(a, b);
    case Fn.SUB: return sub(a, b);
    case Fn.SLL: return sll(a, b);
    case Fn.SRL: return srl(a, b);
    case Fn.SRA: return sra(a, b);
    case Fn.SLT: return slt(a, b);
    case Fn.SLTU: return sltu(a, b);
    case Fn.XOR: return xor(a, b);
    case Fn.OR: return or(a, b);
    case Fn.AND: return and(a, b);
    case Fn.LUI: return lui(a, b);
    case Fn.MUL: return mul(a, b);
    case Fn.MULH: return mulh(a, b);
    case Fn.MULHSU: return mulhsu(a, b);
    case Fn.MULHU: return mulhu(a, b);
    case Fn.DIV: return div(a, b);
    case Fn.DIVU: return divu(a, b);
    case Fn.REM: return rem(a, b);
    case Fn.REMU: return remu(a, b);
    case Fn.JAL: return jal(a, b);
    case Fn.JALR: return jalr(a, b);
    default: return 0;
  }
}

/** Whether control leaves the sequential path: a branch's condition; jumps always; false otherwise. */
export function taken(fn: number, a: number, b: number): boolean {
  switch (fn) {
    case Fn.BEQ: return beq(a, b);
    case Fn.BNE: return bne(a, b);
    case Fn.BLT: return blt(a, b);
    case Fn.BGE: return bge(a, b);
    case Fn.BLTU: return bltu(a, b);
    case Fn.BGEU: return bgeu(a, b);
    case Fn.JAL: case Fn.JALR: return true;
    default: return false;
  }
}
