// Branch unit: evaluates branch conditions and jump targets in EX (spec §2.5). A taken branch
// or any jump redirects fetch; the two younger instructions in IF and ID are squashed.

import { CTL, Ctl, FN } from './control.js';
import * as sem from '../isa/semantics.js';
import type { Signals } from './signals.js';

export class BranchUnit {
  declare readonly i_op: number;
  declare readonly i_pc: number;
  declare readonly i_a: number;
  declare readonly i_b: number;
  declare readonly i_imm: number;
  /** High when control leaves the sequential path. */
  declare readonly o_taken: number;
  declare readonly o_target: number;
  /** High when the target is not word aligned (instruction-address-misaligned). */
  declare readonly o_misaligned: number;

  constructor(sig: Signals, path: string) {
    this.i_op = sig.add(`${path}.op`, 8);
    this.i_pc = sig.add(`${path}.pc`);
    this.i_a = sig.add(`${path}.a`);
    this.i_b = sig.add(`${path}.b`);
    this.i_imm = sig.add(`${path}.imm`);
    this.o_taken = sig.add(`${path}.taken`, 1);
    this.o_target = sig.add(`${path}.target`);
    this.o_misaligned = sig.add(`${path}.misaligned`, 1);
  }

  evaluate(v: Int32Array): void {
    const op = v[this.i_op]!, a = v[this.i_a]!, b = v[this.i_b]!, pc = v[this.i_pc]!, imm = v[this.i_imm]!;
    const c = CTL[op]!, fn = FN[op]!;
    // A branch compares a with b and targets pc + imm; a jump's operation gives its target.
    const taken = sem.taken(fn, a, b);
    const target = c & Ctl.IS_JUMP ? sem.compute(fn, c & Ctl.A_IS_PC ? pc : a, imm) : (pc + imm) | 0;
    v[this.o_taken] = taken ? 1 : 0;
    v[this.o_target] = target;
    v[this.o_misaligned] = c & Ctl.CHECK_TARGET && taken && sem.misaligned(target) ? 1 : 0;
  }
}
