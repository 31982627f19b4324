// Multiply/divide unit (M extension, chapter 7). The multiplier is a single-cycle array in EX;
// the divider is iterative: DIV_CYCLES cycles in EX with `busy` high, stalling the pipeline
// behind it (docs/timing.md). Results come from the shared semantics, so they equal the ISS.

import { CTL, Ctl, FN } from './control.js';
import * as sem from '../isa/semantics.js';
import type { Signals } from './signals.js';

/** Cycles a DIV/DIVU/REM/REMU occupies EX: one radix-2 step per quotient bit. */
export const DIV_CYCLES = 32;

export class Mdu {
  declare readonly i_op: number;
  declare readonly i_a: number;
  declare readonly i_b: number;
  /** Level: a division is in EX. */
  declare readonly i_start: number;
  declare readonly o_result: number;
  /** High while a division is in progress and its result is not yet valid. */
  declare readonly o_busy: number;
  /** Registers: cycles of the current division still to go; its result is ready. */
  declare readonly r_count: number;
  declare readonly r_done: number;
  private countD = 0;
  private doneD = 0;
  /**
   * False while the unit is at rest — start low at its last evaluation and no division under way
   * (count and done zero) — so that EX need not evaluate it: its outputs would not change.
   */
  active = false;

  constructor(sig: Signals, path: string) {
    this.i_op = sig.add(`${path}.op`, 8);
    this.i_a = sig.add(`${path}.a`);
    this.i_b = sig.add(`${path}.b`);
    this.i_start = sig.add(`${path}.start`, 1);
    this.o_result = sig.add(`${path}.result`);
    this.o_busy = sig.add(`${path}.busy`, 1);
    this.r_count = sig.add(`${path}.count`, 6);
    this.r_done = sig.add(`${path}.done`, 1);
  }

  evaluate(v: Int32Array): void {
    this.active = true;
    const op = v[this.i_op]!, a = v[this.i_a]!, b = v[this.i_b]!;
    if (!v[this.i_start] || (CTL[op]! & Ctl.IS_DIV) === 0) {
      v[this.o_busy] = 0; this.countD = 0; this.doneD = 0;
    } else if (v[this.r_done]) {
      v[this.o_busy] = 0; this.countD = 0; this.doneD = 1;
    } else {
      // One quotient bit per cycle; the result is valid in the last of DIV_CYCLES cycles.
      const c = v[this.r_count] === 0 ? DIV_CYCLES : v[this.r_count]!;
      v[this.o_busy] = c > 1 ? 1 : 0;
      this.countD = c - 1;
      this.doneD = c === 1 ? 1 : 0;
    }
    // Only the M rows' functions: the unit drives 0 for any other row it sees.
    const r = CTL[op]! & Ctl.IS_MDU ? sem.compute(FN[op]!, a, b) : 0;
    v[this.o_result] = r;
  }

  /** The division leaves EX this cycle (or is squashed): return to idle at the edge. */
  release(): void {
    this.countD = 0;
    this.doneD = 0;
  }

  commit(v: Int32Array): void {
    if (!this.active) return; // at rest: the registers already hold their (zero) next state
    v[this.r_count] = this.countD;
    v[this.r_done] = this.doneD;
    this.active = v[this.i_start] !== 0 || this.countD !== 0 || this.doneD !== 0;
  }
}
