// Fetch unit (IF): holds the PC, requests the instruction word over the bus's instruction
// port and hands the fetched instruction — with its predecoded control word from the code ROM's
// decode cache — to IF/ID. Redirects (taken branch in EX, restart from WB) win over stalls.

import { Op } from '../isa/table.js';
import type { Bus } from './bus.js';
import type { Mmu } from './mmu.js';
import type { Region } from './memory.js';
import type { PipeReg, Signals } from './signals.js';
import { Cause } from './trap.js';

/** IF/ID fields. */
export const enum IfId { VALID, PC, INSN, CTL, IMM, EXC }
export const IFID_FIELDS = [['valid', 1], ['pc', 32], ['insn', 32], ['ctl', 32], ['imm', 32], ['exc', 6]] as const;

export class FetchUnit {
  /** Register: address of the instruction being fetched. */
  declare readonly r_pc: number;
  /** Inputs: redirect fetch (valid + target); hold (IF/ID cannot accept). */
  declare readonly i_redirect: number;
  declare readonly i_target: number;
  declare readonly i_hold: number;
  private pcD = 0;
  private code: Region | null = null;

  private declare readonly bus: Bus;
  private declare readonly mmu: Mmu;
  private declare readonly ifid: PipeReg;

  constructor(sig: Signals, path: string, bus: Bus, mmu: Mmu, ifid: PipeReg) {
    this.bus = bus;
    this.mmu = mmu;
    this.ifid = ifid;
    this.r_pc = sig.add(`${path}.pc`);
    this.i_redirect = sig.add(`${path}.redirect`, 1);
    this.i_target = sig.add(`${path}.target`);
    this.i_hold = sig.add(`${path}.hold`, 1);
  }

  evaluate(v: Int32Array): void {
    const d = this.ifid.d, bus = this.bus.i;
    const pc = v[this.r_pc]! >>> 0;
    if (v[this.i_redirect]) {
      // The instruction fetched this cycle is on the wrong path: drop it.
      v[bus.req] = 0;
      this.bus.evaluateInstr(v);
      d[IfId.VALID] = 0;
      this.pcD = v[this.i_target]!;
      return;
    }
    if (v[this.i_hold]) {
      v[bus.req] = 0;
      this.bus.evaluateInstr(v);
      this.pcD = pc;
      return;
    }
    let code = this.code;
    if (code === null || pc < code.base || pc + 4 > code.end) code = this.code = this.mmu.codeRegion(pc);
    if (code === null) {
      // Fetch fault: travels down the pipe and traps only if it reaches WB.
      v[bus.req] = 0;
      this.bus.evaluateInstr(v);
      d[IfId.VALID] = 1; d[IfId.PC] = pc; d[IfId.INSN] = 0; d[IfId.CTL] = Op.ILLEGAL; d[IfId.IMM] = 0;
      d[IfId.EXC] = Cause.FETCH_FAULT + 1;
      this.pcD = pc;
      return;
    }
    const i = (pc - code.base) >>> 2;
    const rom = code.code!;
    const word = rom.word[i]!;
    if (!this.bus.fetch(v, pc, word)) { d[IfId.VALID] = 0; this.pcD = pc; return; }
    d[IfId.VALID] = 1;
    d[IfId.PC] = pc;
    d[IfId.INSN] = word;
    d[IfId.CTL] = rom.ctl[i]!;
    d[IfId.IMM] = rom.imm[i]!;
    d[IfId.EXC] = 0;
    this.pcD = (pc + 4) | 0;
  }

  commit(v: Int32Array): void {
    v[this.r_pc] = this.pcD;
  }

  /** Restart fetch at `pc` (reset, or after a frame switch). */
  reset(v: Int32Array, pc: number): void {
    v[this.r_pc] = pc;
    this.pcD = pc;
    this.code = null;
  }
}
