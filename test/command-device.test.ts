// The command-device shape (peripherals/command.ts) and the parts of the device contract every
// peripheral relies on: a command performed whole in the CMD access, busy as wait states, the
// gas port (a refused charge makes the CMD store out of gas — cause 24, identically on both
// models — and changes nothing), and the reset of every device at each frame switch.

import { describe, expect, test } from 'vitest';
import { assemble, assembleToElf } from '../isa/asm.js';
import { CallManager } from '../cpu/frames.js';
import { LinuxHost } from '../cpu/host.js';
import { createModel, type ModelKind } from '../cpu/machine.js';
import { loadElf } from '../cpu/program.js';
import { PermBit } from '../cpu/perm.js';
import { CommandDevice, REFUSED } from '../peripherals/command.js';
import type { DeviceMap } from '../peripherals/regmap.js';
import { lockstep } from './lockstep.js';
import { restore, snapshot } from '../debug/snapshot.js';
import { DEFAULT_GAS_COSTS, Op, TABLE } from '../isa/table.js';

const BASE = 0xf00f_0000;
const MAP: DeviceMap = {
  name: 'fill',
  prefix: 'FILL',
  title: 'test unit: fill memory',
  base: BASE,
  size: 0x20,
  perm: ['CRYPTO'],
  regs: [
    { name: 'CMD', offset: 0x00, access: 'rw', doc: '' },
    { name: 'STATUS', offset: 0x04, access: 'r', doc: '' },
    { name: 'DST', offset: 0x08, access: 'rw', doc: '' },
    { name: 'LEN', offset: 0x0c, access: 'rw', doc: '' },
    { name: 'VALUE', offset: 0x10, access: 'rw', doc: '' },
    { name: 'SUM', offset: 0x14, access: 'r', doc: '' },
  ],
  commands: [{ name: 'FILL', value: 1, doc: '' }],
  statuses: [],
  constants: [],
};
const GAS_BASE = 10, CYC_BASE = 3;
const gasOf = (len: number): number => GAS_BASE + len;
const cyclesOf = (len: number): number => CYC_BASE + Math.ceil(len / 4);

/** FILL writes LEN bytes of VALUE's low byte at DST; SUM = LEN * byte. */
class FillUnit extends CommandDevice {
  constructor() { super(MAP); }
  protected command(): number {
    const dst = this.reg(0x08), len = this.reg(0x0c) >>> 0, byte = this.reg(0x10) & 0xff;
    if (len > 4096 || !this.canWrite(dst, len)) {
      if (!this.spend(GAS_BASE, 1)) return REFUSED;
      this.setReg(0x14, 0);
      return 1;
    }
    if (!this.spend(gasOf(len), cyclesOf(len))) return REFUSED;
    this.put(dst, new Uint8Array(len).fill(byte));
    this.setReg(0x14, len * byte);
    return 0;
  }
}

/** Program FILL of `len` bytes at buf, then read STATUS and SUM. */
const fillProgram = (len: number, extra = ''): string => `
  .text
  .globl _start
_start:
  li t0, 0x${BASE.toString(16)}
  la t1, buf
  sw t1, 8(t0)
  li t2, ${len}
  sw t2, 12(t0)
  li t3, 0x5a
  sw t3, 16(t0)
  li t4, 1
cmd:
  sw t4, 0(t0)
  lw a1, 4(t0)
  lw a2, 20(t0)
  ${extra}
  li a0, 0
  li a7, 93
  ecall
  .data
  .balign 4
buf: .space 64
`;

function run(model: ModelKind, src: string, o: { gas?: number; pset?: number } = {}) {
  const dev = new FillUnit();
  const m = createModel(model, loadElf(assembleToElf(src, { file: 'fill.S' })), { devices: [dev], gas: o.gas, pset: o.pset });
  const end = new CallManager(m, new LinuxHost()).run({ maxCycles: 1_000_000, maxInstructions: 100_000 });
  const sym = assemble(src, { file: 'fill.S' }).symbols.get('buf');
  const buf = sym === undefined ? new Uint8Array(0) : m.mem.peek(sym.value, 64)!;
  return { end, x: Array.from(m.x), gas: m.gasUsed, pc: m.pc >>> 0, retired: m.retired, dev, buf: Array.from(buf), cycles: (m as { cycles?: number }).cycles };
}

describe('a command device on both models', () => {
  test('a command: results, memory and gas identical; gas = instructions + the device charge', () => {
    const iss = run('iss', fillProgram(10)), cyc = run('cycle', fillProgram(10));
    expect(iss.end).toEqual({ kind: 'exit', code: 0 });
    expect(iss.x[11]).toBe(0);
    expect(iss.x[12]).toBe(10 * 0x5a);
    expect(iss.buf.slice(0, 11)).toEqual([...Array(10).fill(0x5a), 0]);
    expect({ x: cyc.x, gas: cyc.gas, buf: cyc.buf, end: cyc.end, retired: cyc.retired }).toEqual({ x: iss.x, gas: iss.gas, buf: iss.buf, end: iss.end, retired: iss.retired });
    // The same program without the command costs exactly the device's charge less.
    const bare = run('iss', fillProgram(10).replace('sw t4, 0(t0)', 'sw t4, 8(t0)'));
    expect(iss.gas - bare.gas).toBe(gasOf(10));
    expect(iss.dev.stats).toMatchObject({ ops: 1, errors: 0, gas: gasOf(10), cycles: cyclesOf(10), byCommand: { FILL: 1 } });
  });

  test('lockstep with devices: gas agrees at every retirement (the device charge retires with the store)', () => {
    const r = lockstep(assembleToElf(fillProgram(33), { file: 'fill.S' }), { devices: () => [new FillUnit()] });
    expect(r.end).toEqual({ kind: 'exit', code: 0 });
    expect(r.iss.x[12]).toBe(33 * 0x5a);
  });

  test('the read after CMD waits exactly the command\'s cycles on the cycle model, none on the ISS', () => {
    const a = run('cycle', fillProgram(40)), b = run('cycle', fillProgram(4));
    // Only the wait of the STATUS read differs between the two runs.
    expect(a.cycles! - b.cycles!).toBe(cyclesOf(40) - cyclesOf(4));
  });

  test('a write of an undefined command code: BAD_COMMAND, nothing done, no gas', () => {
    const src = fillProgram(10).replace('li t4, 1', 'li t4, 7');
    const iss = run('iss', src), cyc = run('cycle', src);
    expect(iss.x[11]).toBe(2);
    expect(iss.buf.every((b) => b === 0)).toBe(true);
    expect(cyc.x).toEqual(iss.x);
    expect(cyc.gas).toBe(iss.gas);
  });
});

describe('the gas port', () => {
  // Every permission but INFINITE_GAS: the gate applies.
  const METERED = 0x3f & ~PermBit.INFINITE_GAS;
  // Gas of the program up to and including the CMD store, without the device charge.
  const before = (): number => {
    const r = run('iss', fillProgram(10).replace('sw t4, 0(t0)', 'sw t4, 8(t0)\n  ebreak'));
    expect(r.end.kind).toBe('trap');
    return r.gas;
  };

  test('a charge that does not fit: the CMD store traps out of gas (cause 24) on both models, nothing changes', () => {
    const upTo = before();
    const storeCost = DEFAULT_GAS_COSTS[TABLE[Op.SW]!.gas]!;
    for (const gas of [upTo, upTo + gasOf(10) - 1]) {
      const iss = run('iss', fillProgram(10), { gas, pset: METERED }), cyc = run('cycle', fillProgram(10), { gas, pset: METERED });
      expect(iss.end).toMatchObject({ kind: 'trap', cause: 24 });
      expect(cyc.end).toEqual(iss.end);
      // The store is not charged: gas used is what the instructions before it cost.
      expect(iss.gas).toBe(upTo - storeCost);
      expect(cyc.gas).toBe(iss.gas);
      expect(iss.buf.every((b) => b === 0)).toBe(true);
      expect(cyc.buf).toEqual(iss.buf);
      expect(iss.dev.stats.ops).toBe(0);
      expect(cyc.dev.stats.ops).toBe(0);
    }
  });

  test('the store\'s cost plus the charge exactly fitting: done', () => {
    const upTo = before();
    // Gas to the end: the CMD store, the device, then the rest of the program.
    const full = run('iss', fillProgram(10));
    const iss = run('iss', fillProgram(10), { gas: full.gas, pset: METERED }), cyc = run('cycle', fillProgram(10), { gas: full.gas, pset: METERED });
    expect(iss.end).toEqual({ kind: 'exit', code: 0 });
    expect(cyc.end).toEqual(iss.end);
    expect(cyc.gas).toBe(full.gas);
    expect(upTo).toBeLessThan(full.gas);
  });

  test('an INFINITE_GAS frame is metered and never refused', () => {
    const iss = run('iss', fillProgram(10), { gas: 1, pset: 0x3f }), cyc = run('cycle', fillProgram(10), { gas: 1, pset: 0x3f });
    expect(iss.end).toEqual({ kind: 'exit', code: 0 });
    expect(cyc.gas).toBe(iss.gas);
    expect(iss.gas).toBeGreaterThan(gasOf(10));
  });

  test('without the permission: the zero response, no charge', () => {
    const pset = 0x3f & ~PermBit.CRYPTO;
    const iss = run('iss', fillProgram(10), { pset }), cyc = run('cycle', fillProgram(10), { pset });
    expect(iss.x[11]).toBe(0);
    expect(iss.x[12]).toBe(0);
    expect(iss.buf.every((b) => b === 0)).toBe(true);
    expect(iss.dev.stats.ops).toBe(0);
    expect(cyc.x).toEqual(iss.x);
    expect(cyc.gas).toBe(iss.gas);
  });
});

describe('frame switches reset the devices', () => {
  // The root programs DST, EVALs a child that reads DST back into its output, then reads DST itself.
  const src = `
  .text
  .globl _start
_start:
  li t0, 0x${BASE.toString(16)}
  li t1, 0x1234
  sw t1, 8(t0)
  la s0, desc
  eval a0, s0
  lw a2, 8(t0)
  la t2, output
  lw a3, 0(t2)
  li a0, 0
  li a7, 93
  ecall
child:
  li t0, 0x${BASE.toString(16)}
  lw t1, 8(t0)
  li t2, 0x40000000
  sw t1, 0(t2)
  li t3, 0x777
  sw t3, 8(t0)
  li a0, 0x40000000
  li a1, 4
  return a0, a1
child_end:
  .data
  .balign 4
desc:
  .word ${PermBit.CRYPTO}, child, child_end - child
  .word 0, 0
  .word output, 4
  .word 100000
  .word 0, 0
  .word 256
result: .word 0
gasused: .word 0
output: .word 0xdeadbeef
`;

  test.each(['iss', 'cycle'] as const)('%s: the child reads 0 where the parent wrote, the parent reads 0 after the child', (model) => {
    const r = run(model, src);
    expect(r.end).toEqual({ kind: 'exit', code: 0 });
    expect(r.x[13] >>> 0).toBe(0); // what the child read
    expect(r.x[12]).toBe(0); // what the parent reads after the child wrote 0x777
  });
});

describe('snapshots', () => {
  test('a snapshot taken while a command is busy replays the same run (cycles, registers, memory, stats)', () => {
    const src = fillProgram(60);
    const whole = run('cycle', src);
    const dev = new FillUnit();
    const m = createModel('cycle', loadElf(assembleToElf(src, { file: 'fill.S' })), { devices: [dev] });
    const host = new LinuxHost();
    const cm = new CallManager(m, host);
    while (m.clock.pending === 0) expect(cm.run({ maxCycles: m.cycles + 1 })).toEqual({ kind: 'limit' });
    cm.run({ maxCycles: m.cycles + 5 });
    expect(m.clock.pending).toBe(1);
    const snap = snapshot(m, [cm, host]);
    const finish = () => {
      const end = cm.run({ maxCycles: 1_000_000 });
      return { end, x: Array.from(m.x), gas: m.gasUsed, cycles: m.cycles, stats: structuredClone(dev.stats) };
    };
    const first = finish();
    restore(m, snap);
    expect(m.clock.pending).toBe(1);
    const second = finish();
    expect(second).toEqual(first);
    expect(first.cycles).toBe(whole.cycles);
    expect(first.x).toEqual(whole.x);
    expect(first.stats.ops).toBe(1);
  });
});
