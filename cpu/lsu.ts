// Load/store unit (MEM). Checks the whole access with the MMU, then moves it over the bus's
// data port as one word transaction with byte strobes — or two when a misaligned access
// crosses a word boundary (low word first). Loads are extended as the row says (spec §2.6).

import * as sem from '../isa/semantics.js';
import type { Bus } from './bus.js';
import type { Mmu } from './mmu.js';
import { CTL, Ctl } from './control.js';
import { Perm } from './memory.js';
import type { Signals } from './signals.js';

export class Lsu {
  /** Inputs from EX/MEM. */
  declare readonly i_valid: number;
  declare readonly i_op: number;
  declare readonly i_addr: number;
  declare readonly i_width: number;
  declare readonly i_store: number;
  declare readonly i_wdata: number;
  /** Outputs: access complete this cycle (with load data), or faulted. */
  declare readonly o_done: number;
  declare readonly o_rdata: number;
  declare readonly o_fault: number;
  /** Registers: 1 while the second word of a split access is pending; the first word's data. */
  declare readonly r_phase: number;
  declare readonly r_low: number;
  private phaseD = 0;
  private lowD = 0;
  /** Evaluated this cycle (otherwise the registers already hold their next state). */
  private evaluated = false;

  private declare readonly bus: Bus;
  private declare readonly mmu: Mmu;

  constructor(sig: Signals, path: string, bus: Bus, mmu: Mmu) {
    this.bus = bus;
    this.mmu = mmu;
    this.i_valid = sig.add(`${path}.valid`, 1);
    this.i_op = sig.add(`${path}.op`, 8);
    this.i_addr = sig.add(`${path}.addr`);
    this.i_width = sig.add(`${path}.width`, 3);
    this.i_store = sig.add(`${path}.store`, 1);
    this.i_wdata = sig.add(`${path}.wdata`);
    this.o_done = sig.add(`${path}.done`, 1);
    this.o_rdata = sig.add(`${path}.rdata`);
    this.o_fault = sig.add(`${path}.fault`, 1);
    this.r_phase = sig.add(`${path}.phase`, 1);
    this.r_low = sig.add(`${path}.low`);
  }

  evaluate(v: Int32Array): void {
    const bus = this.bus.d;
    this.evaluated = true;
    const phase = v[this.r_phase]!;
    this.phaseD = phase;
    this.lowD = v[this.r_low]!;
    v[this.o_done] = 0;
    v[this.o_fault] = 0;
    if (!v[this.i_valid]) { v[bus.req] = 0; this.bus.evaluateData(v); return; }
    const addr = v[this.i_addr]! >>> 0, width = v[this.i_width]!, store = v[this.i_store]!;
    if (phase === 0 && !this.mmu.check(addr, width, store ? Perm.W : Perm.R)) {
      v[bus.req] = 0;
      this.bus.evaluateData(v);
      v[this.o_fault] = 1;
      v[this.o_done] = 1;
      return;
    }
    const lane = addr & 3;
    const split = lane + width > 4;
    // Byte lanes of the whole access as an 8-lane mask over the two words it may touch.
    const mask8 = ((1 << width) - 1) << lane;
    const word = phase === 0 ? addr & ~3 : (addr & ~3) + 4;
    const strb = phase === 0 ? mask8 & 15 : mask8 >>> 4;
    const wdata = v[this.i_wdata]!;
    v[bus.req] = 1;
    v[bus.addr] = word;
    v[bus.we] = store;
    v[bus.strb] = strb;
    // Store data shifted onto its lanes; the high part goes out in the second transaction.
    v[bus.wdata] = phase === 0 ? wdata << (8 * lane) : lane === 0 ? 0 : wdata >>> (8 * (4 - lane));
    this.bus.evaluateData(v);
    if (!v[bus.ready]) return;
    const rdata = v[bus.rdata]!;
    if (split && phase === 0) {
      this.phaseD = 1;
      this.lowD = rdata;
      return;
    }
    this.phaseD = 0;
    v[this.o_done] = 1;
    if (store) return;
    // Assemble the loaded bytes: low word (or the only word) shifted down, high word above it.
    const raw = split ? ((v[this.r_low]! >>> (8 * lane)) | (rdata << (8 * (4 - lane)))) : rdata >>> (8 * lane);
    v[this.o_rdata] = sem.extend(raw, width, (CTL[v[this.i_op]!]! & Ctl.LOAD_SIGNED) !== 0);
  }

  commit(v: Int32Array): void {
    if (!this.evaluated) return;
    this.evaluated = false;
    v[this.r_phase] = this.phaseD;
    v[this.r_low] = this.lowD;
  }
}
