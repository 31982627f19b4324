// Programs and devices more than one test file uses.

import type { Device } from '../peripherals/device.js';

/** A bus slave at 0xf000_0000 whose reads count up from the last value written; it counts its accesses. */
export class Counter implements Device {
  readonly name = 'counter';
  readonly base = 0xf000_0000;
  readonly end = 0xf000_0010;
  readonly perm = 0;
  waitStates = 0;
  reads = 0;
  writes = 0;
  value = 0;
  read(): number { this.reads++; return this.value++; }
  write(_a: number, _s: number, d: number): void { this.writes++; this.value = d; }
}

/** docs/stepper.md's loop: a taken branch, a load-use stall, a write to stdout and an exit (docs/timing.md T5, T8, T12). */
export const LOOP = `
        .text
        .globl _start
_start:
        li      a0, 0
        li      t0, 3
loop:
        addi    a0, a0, 5
        addi    t0, t0, -1
        bnez    t0, loop
        la      t1, data
        lw      a1, 0(t1)
        add     a0, a0, a1
        li      a0, 1
        la      a1, msg
        li      a2, 3
        li      a7, 64
        ecall
        li      a0, 22
        li      a7, 93
        ecall
        .data
data:   .word 7
msg:    .ascii "hi\\n"
`;
