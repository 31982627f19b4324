// Pipeline control table: one row per instruction, derived from the ISA table's columns (never
// written by hand, never from a row's position), giving what the decoder, hazard unit, stages
// and units need to know of each op.

import { Exec, TABLE, type InsnRow } from '../isa/table.js';

export { FN } from '../isa/table.js';

const n = TABLE.length + 1;

/** Each row's control bits packed into one word, for the stages, which test several per cycle. */
export const enum Ctl {
  /** Reads rs1 / rs2 (hazard detection and forwarding); writes rd; loads; stores. */
  USES_RS1 = 1 << 0, USES_RS2 = 1 << 1, WRITES_RD = 1 << 2, IS_LOAD = 1 << 3, IS_STORE = 1 << 4,
  /** Takes effect at WB and restarts the pipeline behind it; of those, a frame instruction (CMU). */
  IS_SYSTEM = 1 << 5, IS_FRAME = 1 << 6,
  /** Result known only in MEM (loads, GAS): a dependent instruction in ID waits one cycle. */
  LATE_RESULT = 1 << 7,
  /** Executes in the MDU / branch unit. */
  IS_MDU = 1 << 8, IS_BRU = 1 << 9,
  /** The immediate (not rs2) is the ALU's b operand. */
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

const flag = (on: boolean, bit: Ctl): number => (on ? bit : 0);

/** The control word of one row: a function of the row alone, whatever its place in the table. */
export function ctlOf(r: InsnRow): number {
  const tokens = r.syntax.split(/[,()]/).filter(Boolean);
  return flag(tokens.includes('rs1'), Ctl.USES_RS1) | flag(tokens.includes('rs2'), Ctl.USES_RS2)
    | flag(r.wb !== '-', Ctl.WRITES_RD) | flag(r.wb === 'load', Ctl.IS_LOAD) | flag(r.width !== 0 && r.wb !== 'load', Ctl.IS_STORE)
    | flag(r.effect !== '-', Ctl.IS_SYSTEM) | flag(r.effect === 'frame', Ctl.IS_FRAME)
    | flag(r.wb === 'load' || r.wb === 'gas', Ctl.LATE_RESULT)
    | flag(r.unit === 'mdu', Ctl.IS_MDU) | flag(r.unit === 'bru', Ctl.IS_BRU) | flag(r.b !== 'rs2', Ctl.B_IS_IMM)
    | flag(r.a === 'pc', Ctl.A_IS_PC) | flag(r.wb === 'perm', Ctl.WB_PERM) | flag(r.wb === 'gas', Ctl.WB_GAS)
    | flag(r.effect === 'host', Ctl.IS_HOST) | flag(r.effect === 'break', Ctl.IS_BREAK)
    | flag(r.exec === Exec.JUMP_PC || r.exec === Exec.JUMP_R, Ctl.IS_JUMP) | flag(r.checkTarget, Ctl.CHECK_TARGET)
    | flag(r.latency === 'div', Ctl.IS_DIV) | flag(r.signed, Ctl.LOAD_SIGNED)
    | r.width << Ctl.WIDTH_SHIFT;
}

/** Frame instructions (EVAL, RETURN, THROW, GASTAB): charged by the call-management unit. */
export const IS_FRAME = new Uint8Array(n);

for (let i = 0; i < TABLE.length; i++) {
  CTL[i] = ctlOf(TABLE[i]!);
  IS_FRAME[i] = CTL[i]! & Ctl.IS_FRAME ? 1 : 0;
}
