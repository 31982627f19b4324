// Hazard and forwarding unit. Combinational, from the latched pipeline registers:
//  - forwarding into EX: EX/MEM result (distance 1), else MEM/WB value (distance 2); distance 3
//    is covered by the register file's write-before-read;
//  - load-use: a load (or GAS, whose value is read in MEM) in EX whose rd is read by the instruction in ID stalls ID and IF one cycle.

import { CTL, Ctl } from './control.js';
import type { Signals } from './signals.js';

export class HazardUnit {
  /** Outputs: forwarding selects (0 register file, 1 EX/MEM, 2 MEM/WB) and the load-use stall. */
  declare readonly o_fwd_a: number;
  declare readonly o_fwd_b: number;
  declare readonly o_load_use: number;

  constructor(sig: Signals, path: string) {
    this.o_fwd_a = sig.add(`${path}.fwd_a`, 2);
    this.o_fwd_b = sig.add(`${path}.fwd_b`, 2);
    this.o_load_use = sig.add(`${path}.load_use`, 1);
  }

  /**
   * @param exmemRd rd written by the instruction in MEM (0 when none or a load still in MEM)
   * @param memwbRd rd written by the instruction in WB (0 when none)
   * @returns both selects, fwd_a in bits 0..1 and fwd_b in bits 2..3
   */
  forward(v: Int32Array, rs1: number, rs2: number, exmemRd: number, memwbRd: number): number {
    const a = rs1 === 0 ? 0 : rs1 === exmemRd ? 1 : rs1 === memwbRd ? 2 : 0;
    const b = rs2 === 0 ? 0 : rs2 === exmemRd ? 1 : rs2 === memwbRd ? 2 : 0;
    v[this.o_fwd_a] = a;
    v[this.o_fwd_b] = b;
    return a | (b << 2);
  }

  /** Load-use check between the instruction in EX (op, rd) and the one in ID (ctl word). */
  loadUse(v: Int32Array, exValid: number, exOp: number, exRd: number, idValid: number, idCtl: number): boolean {
    let stall = false;
    if (exValid && idValid && CTL[exOp]! & Ctl.LATE_RESULT && exRd !== 0) {
      const c = CTL[idCtl & 0xff]!;
      stall = ((c & Ctl.USES_RS1) !== 0 && ((idCtl >> 16) & 31) === exRd) || ((c & Ctl.USES_RS2) !== 0 && (idCtl >>> 24) === exRd);
    }
    v[this.o_load_use] = stall ? 1 : 0;
    return stall;
  }
}
