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

  constructor(sig: Signals, path: string) {
    this.r_depth = sig.add(`${path}.depth`, 11);
    this.o_req = sig.add(`${path}.req`, 1);
    this.o_op = sig.add(`${path}.op`, 8);
  }

  evaluate(v: Int32Array): void {
    v[this.o_req] = 0;
  }

  request(v: Int32Array, op: number): void {
    v[this.o_req] = 1;
    v[this.o_op] = op;
  }
}
