// ALU: the integer datapath of EX for RV32I computational instructions (spec §2.4), plus
// address generation (AUIPC). Combinational: no registers. The row's `fn` column selects the
// function; rows without one (FENCE, the system rows) give 0.

import { FN } from '../isa/table.js';
import * as sem from '../isa/semantics.js';
import type { Signals } from './signals.js';

export class Alu {
  /** Inputs: the row index selects the function; a and b are the forwarded operands. */
  declare readonly i_op: number;
  declare readonly i_a: number;
  declare readonly i_b: number;
  declare readonly o_result: number;

  constructor(sig: Signals, path: string) {
    this.i_op = sig.add(`${path}.op`, 8);
    this.i_a = sig.add(`${path}.a`);
    this.i_b = sig.add(`${path}.b`);
    this.o_result = sig.add(`${path}.result`);
  }

  /** Returns `result` too. */
  evaluate(v: Int32Array): number {
    return (v[this.o_result] = compute(v[this.i_op]!, v[this.i_a]!, v[this.i_b]!));
  }
}

/** The ALU function of row `op`, as its `fn` column selects (b is rs2 or the immediate, as its B select gives). */
export function compute(op: number, a: number, b: number): number {
  return sem.compute(FN[op]!, a, b);
}
