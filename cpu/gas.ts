// Gas counter: the one place gas changes. Each instruction is charged its class's base cost
// when it enters MEM — the point after which only an older instruction's trap can squash it —
// so any pipeline timing charges exactly what the ISS charges (docs/gas.md). Stalls cost nothing.

import { gasCostsByOp, GAS_INFINITE } from './iss.js';
import type { Signals } from './signals.js';

export class GasCounter {
  /** Gas used so far (a double: gas totals can exceed 2^32; mirrored low bits in `r_used`). */
  used = 0;
  limit = GAS_INFINITE;
  cost: Float64Array = gasCostsByOp();
  /** Trace view: the low 32 bits of gas used and gas left. */
  declare readonly r_used: number;
  declare readonly o_left: number;
  /** Inputs: an instruction to charge this cycle, and its row index. */
  declare readonly i_charge: number;
  declare readonly i_op: number;
  /** High when the instruction being charged would exceed the limit. */
  declare readonly o_out: number;
  /** Gas left once this cycle's charge is taken (what a GAS instruction in MEM reads). */
  declare readonly o_left_next: number;
  private usedD = 0;

  constructor(sig: Signals, path: string) {
    this.r_used = sig.add(`${path}.used`);
    this.o_left = sig.add(`${path}.left`);
    this.i_charge = sig.add(`${path}.charge`, 1);
    this.i_op = sig.add(`${path}.op`, 8);
    this.o_out = sig.add(`${path}.out_of_gas`, 1);
    this.o_left_next = sig.add(`${path}.left_next`);
  }

  evaluate(v: Int32Array): void {
    let next = this.used;
    let out = 0;
    if (v[this.i_charge]) {
      next = this.used + this.cost[v[this.i_op]!]!;
      if (next > this.limit) { out = 1; next = this.used; }
    }
    this.usedD = next;
    v[this.o_out] = out;
    v[this.o_left_next] = this.limit === GAS_INFINITE ? -1 : this.limit - next;
  }

  /** Withdraw this cycle's charge: the instruction faulted and does not retire. */
  cancel(v: Int32Array): void {
    this.usedD = this.used;
    v[this.o_left_next] = this.limit === GAS_INFINITE ? -1 : this.limit - this.used;
  }

  /** Set the counter from outside the pipeline (the call-management unit, a frame switch). */
  set(v: Int32Array, used: number): void {
    this.used = this.usedD = used;
    v[this.r_used] = used;
    v[this.o_left] = this.limit === GAS_INFINITE ? -1 : this.limit - used;
  }

  commit(v: Int32Array): void {
    if (this.usedD === this.used) return;
    this.used = this.usedD;
    v[this.r_used] = this.used;
    v[this.o_left] = this.limit === GAS_INFINITE ? -1 : this.limit - this.used;
  }
}
