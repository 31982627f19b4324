// Encoder: the inverse of the decoder, driven by the same table rows.

import { Fmt, TABLE } from './table.js';

export interface Operands {
  rd?: number;
  rs1?: number;
  rs2?: number;
  /**
   * The immediate as the decoder returns it: the sign-extended value for I/S; the byte offset
   * for B/J; the already-shifted value (imm << 12) for U; shamt for shifts; pred<<4|succ for fence.
   */
  imm?: number;
}

/** Per row: bit 0 rd, bit 1 rs1, bit 2 rs2 appear in its operand syntax. */
const USES = TABLE.map((r) => {
  const t = r.syntax.split(/[,()]/);
  return (t.includes('rd') ? 1 : 0) | (t.includes('rs1') ? 2 : 0) | (t.includes('rs2') ? 4 : 0);
});

/** Thrown when an operand does not fit its field; the assembler turns it into a located error. */
export class EncodeError extends Error {}

function checkReg(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 31) throw new EncodeError(`${name} must be a register x0..x31`);
  return v;
}

function checkSigned(what: string, v: number, bits: number, align = 1): number {
  const lo = -(2 ** (bits - 1)), hi = 2 ** (bits - 1) - 1;
  if (!Number.isInteger(v) || v < lo || v > hi) throw new EncodeError(`${what} ${v} out of range [${lo}, ${hi}]`);
  if (v % align !== 0) throw new EncodeError(`${what} ${v} is not a multiple of ${align}`);
  return v;
}

/** Encode row `op` with the given operands into a 32-bit instruction word (unsigned). */
export function encode(op: number, o: Operands): number {
  const r = TABLE[op];
  if (!r) throw new EncodeError(`no instruction with index ${op}`);
  // Only the fields the row's syntax names are encoded; the rest stay as the row fixes them.
  const uses = USES[op]!;
  const rd = uses & 1 ? checkReg('rd', o.rd ?? 0) : 0;
  const rs1 = uses & 2 ? checkReg('rs1', o.rs1 ?? 0) : 0;
  const rs2 = uses & 4 ? checkReg('rs2', o.rs2 ?? 0) : 0;
  const imm = o.imm ?? 0;
  let w = r.match;
  switch (r.fmt) {
    case Fmt.R:
      w |= (rd << 7) | (rs1 << 15) | (rs2 << 20);
      break;
    case Fmt.I: {
      const v = checkSigned('immediate', imm, 12);
      w |= (rd << 7) | (rs1 << 15) | ((v & 0xfff) << 20);
      break;
    }
    case Fmt.SHIFT:
      if (!Number.isInteger(imm) || imm < 0 || imm > 31) throw new EncodeError(`shift amount ${imm} out of range [0, 31]`);
      w |= (rd << 7) | (rs1 << 15) | (imm << 20);
      break;
    case Fmt.S: {
      const v = checkSigned('offset', imm, 12);
      w |= ((v & 0x1f) << 7) | (rs1 << 15) | (rs2 << 20) | (((v >> 5) & 0x7f) << 25);
      break;
    }
    case Fmt.B: {
      const v = checkSigned('branch offset', imm, 13, 2);
      w |= (((v >> 11) & 1) << 7) | (((v >> 1) & 0xf) << 8) | (rs1 << 15) | (rs2 << 20) | (((v >> 5) & 0x3f) << 25) | (((v >> 12) & 1) << 31);
      break;
    }
    case Fmt.U:
      if (!Number.isInteger(imm) || (imm & 0xfff) !== 0) throw new EncodeError(`U-type immediate ${imm} has low bits set`);
      w |= (rd << 7) | (imm & 0xfffff000);
      break;
    case Fmt.J: {
      const v = checkSigned('jump offset', imm, 21, 2);
      w |= (rd << 7) | (((v >> 12) & 0xff) << 12) | (((v >> 11) & 1) << 20) | (((v >> 1) & 0x3ff) << 21) | (((v >> 20) & 1) << 31);
      break;
    }
    case Fmt.FENCE:
      if (!Number.isInteger(imm) || imm < 0 || imm > 0xff) throw new EncodeError(`fence sets ${imm} out of range`);
      w |= imm << 20;
      break;
    case Fmt.SYS:
      break;
  }
  return w >>> 0;
}
