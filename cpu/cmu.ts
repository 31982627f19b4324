// Call-management unit. Holds the frame depth and, when a frame instruction (EVAL, RETURN,
// THROW, GASTAB) reaches WB, requests the frame switch from the machine that owns the frames
// (docs/architecture.md); the pipeline is flushed behind it either way.

import type { Signals } from './signals.js';

export class CallManagementUnit {
  /** Register: call depth of the running frame (0 for the root frame). */
  declare readonly r_depth: number;
  /** Output: a frame instruction is at WB this cycle (its row index in `o_op`). */
  declare readonly o_req: number;
  declare readonly o_op: number;
  /**
   * Frame-switch outputs, driven only on the cycles the unit spends switching (the pipeline is
   * stopped then): busy, the cycles left after this one, and during copy cycles the word's
   * source address (frame left) and destination address (frame entered); 0 otherwise.
   */
  declare readonly o_busy: number;
  declare readonly o_left: number;
  declare readonly o_src: number;
  declare readonly o_dst: number;

  constructor(sig: Signals, path: string) {
    this.r_depth = sig.add(`${path}.depth`, 11);
    this.o_req = sig.add(`${path}.req`, 1);
    this.o_op = sig.add(`${path}.op`, 8);
    this.o_busy = sig.add(`${path}.busy`, 1);
    this.o_left = sig.add(`${path}.left`, 32);
    this.o_src = sig.add(`${path}.src`, 32);
    this.o_dst = sig.add(`${path}.dst`, 32);
  }

  /** Drive one switch cycle's outputs. */
  switching(v: Int32Array, left: number, src: number, dst: number): void {
    v[this.o_busy] = 1;
    v[this.o_left] = left;
    v[this.o_src] = src;
    v[this.o_dst] = dst;
  }

  /** Back to rest after a switch. */
  idle(v: Int32Array): void {
    v[this.o_busy] = 0;
    v[this.o_left] = 0;
    v[this.o_src] = 0;
    v[this.o_dst] = 0;
  }

  evaluate(v: Int32Array): void {
    v[this.o_req] = 0;
  }

  request(v: Int32Array, op: number): void {
    v[this.o_req] = 1;
    v[this.o_op] = op;
  }
}
