// Exact-cycle tests: one or more per row of docs/timing.md. Each expected count is worked out by
// hand from that document: cycles = N + 4 + Σ penalties, N = instructions executed.

import { describe, expect, test } from 'vitest';
import { assembleToElf } from '../isa/asm.js';
import { createModel } from '../cpu/machine.js';
import { loadElf } from '../cpu/program.js';
import { LinuxHost } from '../cpu/host.js';
import { runToEnd, type RunResult } from '../cpu/runner.js';
import type { CoreOptions } from '../cpu/core.js';

const EXIT = '\n li a7, 93\n ecall\n';
const DATA = '\n.data\n.balign 4\ndata: .word 0x11223344, 0x55667788, 41, 0\n';

function cycles(body: string, opts: CoreOptions = {}): RunResult {
  const elf = assembleToElf(`.text\n.globl _start\n_start:\n${body}\n${DATA}`, { file: 'timing.S' });
  const core = createModel('cycle', loadElf(elf), opts);
  const r = runToEnd(core, new LinuxHost(), { maxCycles: 10_000 });
  // Same program on the ISS: the same architectural end, whatever the timing.
  const iss = createModel('iss', loadElf(elf));
  const ri = runToEnd(iss, new LinuxHost(), { maxInstructions: 10_000 });
  expect({ reason: r.reason, exit: r.exitCode, n: r.instructions, gas: r.gas }).toEqual({ reason: ri.reason, exit: ri.exitCode, n: ri.instructions, gas: ri.gas });
  return r;
}

// [row, description, program, instructions executed, expected cycles, expected exit code, options]
const ROWS: [string, string, string, number, number, number, CoreOptions?][] = [
  ['base', 'straight line: N + 4', ` li a0, 7${EXIT}`, 3, 7, 7],
  ['T1', 'ALU chain with distance-1 dependencies', ` addi a0, zero, 1\n addi a0, a0, 2\n add a1, a0, a0\n lui a2, 1\n auipc a3, 0\n fence${EXIT}`, 8, 12, 3],
  ['T2', 'MUL is single cycle', ` li a0, 6\n li a1, 7\n mul a0, a0, a1\n mulh a2, a0, a1\n mulhu a3, a0, a1\n mulhsu a4, a0, a1${EXIT}`, 8, 12, 42],
  ['T3', 'DIV occupies EX for 32 cycles', ` li a0, 84\n li a1, 2\n div a0, a0, a1${EXIT}`, 5, 5 + 4 + 31, 42],
  ['T3', 'division by zero takes the same time', ` li a0, 84\n divu a0, a0, zero${EXIT}`, 4, 4 + 4 + 31, 255],
  ['T3', 'two divisions back to back', ` li a0, 100\n li a1, 5\n div a0, a0, a1\n rem a2, a0, a1${EXIT}`, 6, 6 + 4 + 62, 20],
  ['T4', 'not-taken branch', ` li a0, 1\n beq a0, zero, 1f\n li a0, 5\n1:${EXIT}`, 5, 9, 5],
  ['T5', 'taken branch', ` li a0, 1\n bne a0, zero, 1f\n li a0, 5\n1:${EXIT}`, 4, 4 + 4 + 2, 1],
  ['T5', 'JAL', ` li a0, 3\n j 1f\n li a0, 9\n1:${EXIT}`, 4, 10, 3],
  ['T5', 'JALR', ` li a0, 4\n la t0, 1f\n jr t0\n li a0, 9\n1:${EXIT}`, 6, 12, 4],
  ['T5', 'a loop: 3 taken back-branches', ` li a0, 0\n li t0, 4\n1: addi a0, a0, 2\n addi t0, t0, -1\n bnez t0, 1b${EXIT}`, 2 + 12 + 2, 16 + 4 + 6, 8],
  ['T6', 'forwarding from MEM and WB', ` li a0, 1\n li a1, 2\n add a2, a0, a1\n add a0, a2, a0${EXIT}`, 6, 10, 4],
  ['T7', 'distance 3 through the register file', ` li a0, 5\n nop\n nop\n addi a0, a0, 1${EXIT}`, 6, 10, 6],
  ['T8', 'load-use stall', ` la t0, data\n lw a0, 8(t0)\n addi a0, a0, 1${EXIT}`, 6, 6 + 4 + 1, 42],
  ['T8', 'load then use at distance 2: no stall', ` la t0, data\n lw a0, 8(t0)\n nop\n addi a0, a0, 1${EXIT}`, 7, 11, 42],
  ['T8', 'store data from a load: load-use', ` la t0, data\n lw a1, 8(t0)\n sw a1, 12(t0)\n lw a0, 12(t0)${EXIT}`, 7, 7 + 4 + 1, 41],
  ['T8', 'GAS then use', ` gas a0\n addi a0, a0, 0${EXIT}`, 4, 4 + 4 + 1, 255],
  ['T9', 'aligned loads and stores', ` la t0, data\n sw t0, 12(t0)\n lbu a0, 0(t0)\n lb a1, 1(t0)\n sh a0, 12(t0)${EXIT}`, 8, 12, 0x44],
  ['T9', 'misaligned inside one word', ` la t0, data\n lh a0, 1(t0)${EXIT}`, 5, 9, 0x33],
  ['T10', 'misaligned load across a word boundary', ` la t0, data\n lw a0, 1(t0)${EXIT}`, 5, 5 + 4 + 1, 0x33],
  ['T10', 'misaligned store across a word boundary', ` la t0, data\n li t1, 0x2a\n sh t1, 3(t0)\n lbu a0, 3(t0)${EXIT}`, 7, 7 + 4 + 1, 42],
  ['T11', 'two wait states per data transaction', ` la t0, data\n lw a1, 0(t0)\n sw t0, 12(t0)\n li a0, 3${EXIT}`, 7, 7 + 4 + 2 + 2, 3, { waitStates: 2 }],
  ['T11', 'wait states on both halves of a split access', ` la t0, data\n lw a0, 2(t0)${EXIT}`, 5, 5 + 4 + 1 + 2 * 3, 0x22, { waitStates: 3 }],
  ['T12', 'ECALL served by the host refills the pipeline', ` li a0, 1\n la a1, data\n li a2, 1\n li a7, 64\n ecall\n li a0, 0${EXIT}`, 9, 9 + 4 + 4, 0],
  ['T3+T8', 'division consuming a load', ` la t0, data\n lw a1, 8(t0)\n div a0, a1, a1${EXIT}`, 6, 6 + 4 + 1 + 31, 1],
  ['T3+T5', 'branch on a division result', ` li a1, 3\n div a0, a1, a1\n bnez a0, 1f\n li a0, 9\n1:${EXIT}`, 5, 5 + 4 + 31 + 2, 1],
];

describe('docs/timing.md, row by row', () => {
  test.each(ROWS)('%s: %s', (_row, _what, body, n, expected, exit, opts) => {
    const r = cycles(body, opts);
    expect(r.reason).toBe('exit');
    expect(r.exitCode).toBe(exit);
    expect(r.instructions).toBe(n);
    expect(r.cycles).toBe(expected);
  });

  test('T13: an exception is taken in WB; the run stops that cycle', () => {
    // li is instruction 0, the illegal word instruction 1: in WB in cycle 1 + 5.
    const r = cycles(' li a0, 1\n .word 0xffffffff\n li a0, 2');
    expect(r.reason).toBe('trap');
    expect(r.cause).toBe(2);
    expect(r.instructions).toBe(1);
    expect(r.cycles).toBe(6);
  });

  test('T13: a load fault', () => {
    const r = cycles(' li t0, 16\n nop\n lw a0, 0(t0)');
    expect(r.reason).toBe('trap');
    expect(r.cause).toBe(5);
    expect(r.cycles).toBe(3 + 4);
  });

  test('random bus stalls change cycles, never results', () => {
    const body = ` la t0, data\n li t1, 20\n li a0, 0\n1: lw a1, 8(t0)\n add a0, a0, a1\n sw a0, 12(t0)\n lh a2, 2(t0)\n addi t1, t1, -1\n bnez t1, 1b\n andi a0, a0, 255${EXIT}`;
    const base = cycles(body);
    const stalled = cycles(body, { randomStalls: 3, seed: 42 });
    expect(stalled.exitCode).toBe(base.exitCode);
    expect(stalled.instructions).toBe(base.instructions);
    expect(stalled.gas).toBe(base.gas);
    expect(stalled.cycles!).toBeGreaterThan(base.cycles!);
  });
});
