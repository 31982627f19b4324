// Pipeline control table: one row per instruction, derived from the ISA table (never written
// by hand), giving what the decoder, hazard unit and stages need to know of each op.

import { Op, TABLE } from '../isa/table.js';

const n = TABLE.length + 1;
/** Reads rs1 / rs2 (for hazard detection and forwarding). */
export const USES_RS1 = new Uint8Array(n);
export const USES_RS2 = new Uint8Array(n);
/** Writes rd. */
export const WRITES_RD = new Uint8Array(n);
export const IS_LOAD = new Uint8Array(n);
export const IS_STORE = new Uint8Array(n);
/** Access width in bytes for loads and stores. */
export const MEM_WIDTH = new Uint8Array(n);
/** Takes effect at WB and restarts the pipeline behind it (ECALL, EBREAK, frame instructions). */
export const IS_SYSTEM = new Uint8Array(n);
/** Frame instructions (EVAL, RETURN, THROW, GASTAB): charged by the call-management unit. */
export const IS_FRAME = new Uint8Array(n);
/** Result known only in MEM (loads, GAS): a dependent instruction in ID waits one cycle. */
export const LATE_RESULT = new Uint8Array(n);
/** Executes in the MDU / branch unit. */
export const IS_MDU = new Uint8Array(n);
export const IS_BRU = new Uint8Array(n);
/** The immediate (not rs2) is the ALU's b operand. */
export const B_IS_IMM = new Uint8Array(n);

/** The same rows packed into one word per op, for the stages, which test several per cycle. */
export const enum Ctl {
  USES_RS1 = 1 << 0, USES_RS2 = 1 << 1, WRITES_RD = 1 << 2, IS_LOAD = 1 << 3, IS_STORE = 1 << 4,
  IS_SYSTEM = 1 << 5, IS_FRAME = 1 << 6, LATE_RESULT = 1 << 7, IS_MDU = 1 << 8, IS_BRU = 1 << 9,
  B_IS_IMM = 1 << 10,
  /** MEM_WIDTH is bits 12..14. */
  WIDTH_SHIFT = 12,
}
export const CTL = new Uint16Array(n);

for (let i = 0; i < TABLE.length; i++) {
  const r = TABLE[i]!;
  const tokens = r.syntax.split(/[,()]/).filter(Boolean);
  USES_RS1[i] = tokens.includes('rs1') ? 1 : 0;
  USES_RS2[i] = tokens.includes('rs2') ? 1 : 0;
  WRITES_RD[i] = tokens[0] === 'rd' ? 1 : 0;
  IS_LOAD[i] = r.gas === 'load' ? 1 : 0;
  IS_STORE[i] = r.gas === 'store' ? 1 : 0;
  MEM_WIDTH[i] = r.unit === 'lsu' ? [1, 2, 4, 0, 1, 2][(r.match >>> 12) & 7]! : 0;
  IS_SYSTEM[i] = r.latency === 'system' && i !== Op.GAS && i !== Op.PERM ? 1 : 0;
  IS_FRAME[i] = IS_SYSTEM[i] && i !== Op.ECALL && i !== Op.EBREAK ? 1 : 0;
  LATE_RESULT[i] = r.gas === 'load' || i === Op.GAS ? 1 : 0;
  IS_MDU[i] = r.unit === 'mdu' ? 1 : 0;
  IS_BRU[i] = r.unit === 'bru' ? 1 : 0;
  B_IS_IMM[i] = r.fmt !== 0 /* Fmt.R */ ? 1 : 0;
  CTL[i] = USES_RS1[i]! * Ctl.USES_RS1 | USES_RS2[i]! * Ctl.USES_RS2 | WRITES_RD[i]! * Ctl.WRITES_RD | IS_LOAD[i]! * Ctl.IS_LOAD
    | IS_STORE[i]! * Ctl.IS_STORE | IS_SYSTEM[i]! * Ctl.IS_SYSTEM | IS_FRAME[i]! * Ctl.IS_FRAME | LATE_RESULT[i]! * Ctl.LATE_RESULT
    | IS_MDU[i]! * Ctl.IS_MDU | IS_BRU[i]! * Ctl.IS_BRU | B_IS_IMM[i]! * Ctl.B_IS_IMM | MEM_WIDTH[i]! << Ctl.WIDTH_SHIFT;
}
