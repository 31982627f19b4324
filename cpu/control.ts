// Pipeline control table: one row per instruction, derived from the ISA table's columns (never
// written by hand, never from a row's position), giving what the decoder, hazard unit, stages
// and units need to know of each op.

import { Exec, TABLE } from '../isa/table.js';

export { FN } from '../isa/table.js';

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
  /** The pc (not rs1) is operand A: of the ALU (AUIPC), of the jump-target adder (JAL). */
  A_IS_PC = 1 << 11,
  /** Write-back selects read in EX/MEM from a unit: the permission set, the gas left. */
  WB_PERM = 1 << 12, WB_GAS = 1 << 13,
  /** Effects at WB: retire, then stop for the host (ECALL); a breakpoint (EBREAK). */
  IS_HOST = 1 << 14, IS_BREAK = 1 << 15,
  /** A jump (always taken; its target from the operation), and a target to check for misalignment. */
  IS_JUMP = 1 << 16, CHECK_TARGET = 1 << 17,
  /** The MDU's iterative divider (latency class `div`), not its single-cycle multiplier. */
  IS_DIV = 1 << 18,
  /** A load sign-extends. */
  LOAD_SIGNED = 1 << 19,
  /** Not a row (Op.ILLEGAL). */
  ILLEGAL = 1 << 20,
  /** MEM_WIDTH is bits 28..30. */
  WIDTH_SHIFT = 28,
}
export const CTL = new Int32Array(n).fill(Ctl.ILLEGAL);

for (let i = 0; i < TABLE.length; i++) {
  const r = TABLE[i]!;
  const tokens = r.syntax.split(/[,()]/).filter(Boolean);
  USES_RS1[i] = tokens.includes('rs1') ? 1 : 0;
  USES_RS2[i] = tokens.includes('rs2') ? 1 : 0;
  WRITES_RD[i] = r.wb !== '-' ? 1 : 0;
  IS_LOAD[i] = r.wb === 'load' ? 1 : 0;
  IS_STORE[i] = r.width !== 0 && r.wb !== 'load' ? 1 : 0;
  MEM_WIDTH[i] = r.width;
  IS_SYSTEM[i] = r.effect !== '-' ? 1 : 0;
  IS_FRAME[i] = r.effect === 'frame' ? 1 : 0;
  LATE_RESULT[i] = r.wb === 'load' || r.wb === 'gas' ? 1 : 0;
  IS_MDU[i] = r.unit === 'mdu' ? 1 : 0;
  IS_BRU[i] = r.unit === 'bru' ? 1 : 0;
  B_IS_IMM[i] = r.b !== 'rs2' ? 1 : 0;
  const flag = (on: boolean, bit: Ctl): number => (on ? bit : 0);
  CTL[i] = USES_RS1[i]! * Ctl.USES_RS1 | USES_RS2[i]! * Ctl.USES_RS2 | WRITES_RD[i]! * Ctl.WRITES_RD | IS_LOAD[i]! * Ctl.IS_LOAD
    | IS_STORE[i]! * Ctl.IS_STORE | IS_SYSTEM[i]! * Ctl.IS_SYSTEM | IS_FRAME[i]! * Ctl.IS_FRAME | LATE_RESULT[i]! * Ctl.LATE_RESULT
    | IS_MDU[i]! * Ctl.IS_MDU | IS_BRU[i]! * Ctl.IS_BRU | B_IS_IMM[i]! * Ctl.B_IS_IMM
    | flag(r.a === 'pc', Ctl.A_IS_PC) | flag(r.wb === 'perm', Ctl.WB_PERM) | flag(r.wb === 'gas', Ctl.WB_GAS)
    | flag(r.effect === 'host', Ctl.IS_HOST) | flag(r.effect === 'break', Ctl.IS_BREAK)
    | flag(r.exec === Exec.JUMP_PC || r.exec === Exec.JUMP_R, Ctl.IS_JUMP) | flag(r.checkTarget, Ctl.CHECK_TARGET)
    | flag(r.latency === 'div', Ctl.IS_DIV) | flag(r.signed, Ctl.LOAD_SIGNED)
    | MEM_WIDTH[i]! << Ctl.WIDTH_SHIFT;
}
