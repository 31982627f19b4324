// Register file: 32 x 32-bit, x0 hard-wired to zero, two read ports and one write port.
// Write-before-read, as in the classic 5-stage pipeline: the write port writes in the first half
// of the cycle and the read ports read in the second, so a read in the same cycle as a write to
// that register returns the new value and WB→ID needs no stall. WB drives the write port before
// ID reads, in the order the stages evaluate (back to front), so nothing is left for the edge.

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

  /** Write port (first half of the cycle), from we/waddr/wdata. */
  write(v: Int32Array): void {
    const r = v[this.i_waddr]!;
    if (v[this.i_we] && r !== 0) v[this.base + r] = v[this.i_wdata]!;
  }

  /** Read port (second half of the cycle). */
  read(v: Int32Array, r: number): number {
    return r === 0 ? 0 : v[this.base + r]!;
  }
}
