// Register file: 32 x 32-bit, x0 hard-wired to zero, two read ports and one write port.
// Written at the clock edge; a read in the same cycle as a write to that register returns the
// new value (write-before-read, as in the classic 5-stage pipeline), so WB→ID needs no stall.

import type { Signals } from './signals.js';

export class RegFile {
  /** First slot of x0..x31 (`evm.core.rf.x0` …). */
  declare readonly base: number;
  declare readonly i_we: number;
  declare readonly i_waddr: number;
  declare readonly i_wdata: number;
  /** The architectural registers, a view over their signal slots. */
  declare readonly x: Int32Array;

  constructor(sig: Signals, path: string) {
    this.base = sig.addArray(`${path}.x`, 32);
    this.i_we = sig.add(`${path}.we`, 1);
    this.i_waddr = sig.add(`${path}.waddr`, 5);
    this.i_wdata = sig.add(`${path}.wdata`);
    this.x = sig.v.subarray(this.base, this.base + 32);
  }

  /** Read port (combinational), with the write port bypassed in. */
  read(v: Int32Array, r: number): number {
    if (r === 0) return 0;
    if (v[this.i_we] && v[this.i_waddr] === r) return v[this.i_wdata]!;
    return v[this.base + r]!;
  }

  commit(v: Int32Array): void {
    const r = v[this.i_waddr]!;
    if (v[this.i_we] && r !== 0) v[this.base + r] = v[this.i_wdata]!;
  }
}
