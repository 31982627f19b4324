// Gas: the one gate (docs/gas.md, docs/architecture.md "Gas"). This file owns the cost table,
// the meaning of an infinite limit and the charge rule; the ISS, its translated blocks, the
// pipeline's gas counter and the call-management unit all charge through it. The rule:
//   * a charge's cost comes from the per-op table (unsigned 32-bit, GASTAB may set any value) or
//     from a unit's dynamic cost (copies, RAM);
//   * a charge that would take gas used past the frame's gate is refused: out of gas, nothing
//     changes;
//   * a frame holding INFINITE_GAS has no gate at all (its gas is still metered): gateOf gives
//     +Infinity, which no sum of costs exceeds.
// The pipeline charges each instruction as it enters MEM — the point after which only an older
// instruction's trap can squash it — so any timing charges exactly what the ISS charges.

import { COPY_GAS_PER_WORD, DEFAULT_GAS_COSTS, Op, RAM_GAS_PER_WORD, TABLE, GAS_CLASSES } from '../isa/table.js';
import { PermBit } from './perm.js';
import type { Signals } from './signals.js';

export { COPY_GAS_PER_WORD, RAM_GAS_PER_WORD };

/** Gas limit meaning "no limit given": `gas` reads 0xffffffff. The gate still compares with it unless the frame holds INFINITE_GAS. */
export const GAS_INFINITE = Number.MAX_SAFE_INTEGER;

/** Per-op base gas cost from the table's gas class (docs/gas.md). Costs are unsigned 32-bit, held as doubles. */
export function gasCostsByOp(costs: Readonly<Record<string, number>> = DEFAULT_GAS_COSTS): Float64Array {
  const out = new Float64Array(TABLE.length + 1);
  for (let i = 0; i < TABLE.length; i++) out[i] = costs[TABLE[i]!.gas]! >>> 0;
  out[Op.ILLEGAL] = 0;
  return out;
}

/** GASTAB's write: every op of class `cls` costs `value` (as unsigned 32-bit). Returns the old cost, 0 for an unknown class. */
export function setClassCost(cost: Float64Array, cls: number, value: number): number {
  if (cls >= GAS_CLASSES.length) return 0;
  let old = 0;
  for (let i = 0; i < TABLE.length; i++) {
    if (TABLE[i]!.gas === GAS_CLASSES[cls]) { old = cost[i]!; cost[i] = value >>> 0; }
  }
  return old;
}

/** The value the gate compares gas used against: the limit, or none for an INFINITE_GAS frame. */
export function gateOf(limit: number, perm: number): number {
  return perm & PermBit.INFINITE_GAS ? Infinity : limit;
}

/** The charge rule: may `cost` be added to `used` under `gate`? (The ISS and blocks inline exactly this compare.) */
export function fits(used: number, cost: number, gate: number): boolean {
  return used + cost <= gate;
}

/** What `gas rd` reads after its charge: gas left, or 0xffffffff (-1) without a limit. */
export function gasLeft(limit: number, used: number): number {
  return limit === GAS_INFINITE ? -1 : limit - used;
}

/** Dynamic gas of copying `bytes` bytes (rounded up to words). */
export function copyGas(bytes: number): number {
  return COPY_GAS_PER_WORD * Math.ceil(bytes / 4);
}

/** Dynamic gas of allocating `bytes` bytes of child RAM. */
export function ramGas(bytes: number): number {
  return RAM_GAS_PER_WORD * Math.ceil(bytes / 4);
}

/** A frame's gas state as the call-management unit sees a model. */
export interface GasState {
  gasUsed: number;
  gasLimit: number;
  perm: number;
}

/** Charge a frame-level cost to the running frame through the gate. False: out of gas, nothing charged. */
export function charge(m: GasState, cost: number): boolean {
  if (!fits(m.gasUsed, cost, gateOf(m.gasLimit, m.perm))) return false;
  m.gasUsed += cost;
  return true;
}

export class GasCounter {
  /** Gas used so far (a double: gas totals can exceed 2^32; mirrored low bits in `r_used`). */
  used = 0;
  limit = GAS_INFINITE;
  /** What the gate compares with (gateOf(limit, perm)); set with `frame`. */
  gate = GAS_INFINITE;
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

  /** The running frame's limit and permission set (a frame switch). */
  frame(limit: number, perm: number): void {
    this.limit = limit;
    this.gate = gateOf(limit, perm);
  }

  evaluate(v: Int32Array): void {
    let next = this.used;
    let out = 0;
    if (v[this.i_charge]) {
      const c = this.cost[v[this.i_op]!]!;
      if (fits(this.used, c, this.gate)) next = this.used + c;
      else out = 1;
    }
    this.usedD = next;
    v[this.o_out] = out;
    v[this.o_left_next] = gasLeft(this.limit, next);
  }

  /**
   * A device's charge for the access in MEM (peripherals/device.ts, GasPort), through the gate
   * after this cycle's instruction charge. False: refused, nothing charged.
   */
  extra(v: Int32Array, cost: number): boolean {
    if (!fits(this.usedD, cost, this.gate)) return false;
    this.usedD += cost;
    this.used += cost;
    v[this.r_used] = this.used;
    v[this.o_left] = gasLeft(this.limit, this.used);
    return true;
  }

  /** Withdraw this cycle's charge: the instruction faulted and does not retire. */
  cancel(v: Int32Array): void {
    this.usedD = this.used;
    v[this.o_left_next] = gasLeft(this.limit, this.used);
  }

  /** Set the counter from outside the pipeline (the call-management unit, a frame switch). */
  set(v: Int32Array, used: number): void {
    this.used = this.usedD = used;
    v[this.r_used] = used;
    v[this.o_left] = gasLeft(this.limit, used);
  }

  commit(v: Int32Array): void {
    if (this.usedD === this.used) return;
    this.used = this.usedD;
    v[this.r_used] = this.used;
    v[this.o_left] = gasLeft(this.limit, this.used);
  }
}
