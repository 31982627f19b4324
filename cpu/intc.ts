// Interrupt controller. An ECALL (INTERRUPT) that reaches WB raises `irq` for one cycle; the
// pipeline behind it is flushed and the interrupting frame's parent serves the request — the
// host for the root frame (docs/architecture.md). `count` counts interrupts served.

import type { Signals } from './signals.js';

export class InterruptController {
  declare readonly o_irq: number;
  declare readonly r_count: number;
  private irqD = 0;

  constructor(sig: Signals, path: string) {
    this.o_irq = sig.add(`${path}.irq`, 1);
    this.r_count = sig.add(`${path}.count`);
  }

  raise(v: Int32Array): void {
    v[this.o_irq] = 1;
    this.irqD = 1;
  }

  evaluate(v: Int32Array): void {
    v[this.o_irq] = 0;
    this.irqD = 0;
  }

  commit(v: Int32Array): void {
    if (this.irqD) v[this.r_count] = (v[this.r_count]! + 1) | 0;
  }
}
