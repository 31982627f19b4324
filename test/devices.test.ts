// Memory-mapped devices on the shared bus: both models reach them the same way, the zero
// response for frames lacking the device's permission, and DATA UNAVAILABLE unwinding every
// frame to the host.

import { describe, expect, test } from 'vitest';
import { assembleToElf } from '../isa/asm.js';
import { CallManager, DataUnavailable } from '../cpu/frames.js';
import { LinuxHost } from '../cpu/host.js';
import { createModel, type ModelKind } from '../cpu/machine.js';
import { loadElf } from '../cpu/program.js';
import type { Device } from '../peripherals/device.js';

const CRYPTO = 4;

/** A scratch device: a data register and a register whose read is DATA UNAVAILABLE. */
class ScratchDevice implements Device {
  readonly name = 'scratch';
  readonly base = 0xf000_0000;
  readonly end = 0xf000_0010;
  readonly perm = CRYPTO;
  waitStates = 3;
  data = 0;
  writes = 0;
  read(addr: number, strb: number): number {
    if (addr === this.base + 4) throw new DataUnavailable('preimage of 0x1234 not held');
    let v = 0;
    for (let i = 0; i < 4; i++) if (strb & (1 << i)) v |= ((this.data >>> (8 * i)) & 0xff) << (8 * i);
    return v;
  }
  write(addr: number, strb: number, data: number): void {
    this.writes++;
    for (let i = 0; i < 4; i++) {
      if (strb & (1 << i)) this.data = (this.data & ~(0xff << (8 * i))) | (data & (0xff << (8 * i)));
    }
  }
}

const ROOT = `
  .text
  .globl _start
_start:
  li t0, 0xf0000000
  li t1, 0x11223344
  sw t1, 0(t0)
  sb zero, 1(t0)
  lw a0, 0(t0)
  lhu a1, 2(t0)
  la s0, desc
  eval a2, s0
  la t2, output
  lw a3, 0(t2)
  li a7, 93
  ecall
child:
  li t0, 0xf0000000
  lw t1, 0(t0)
  li t3, 0x55
  sw t3, 0(t0)
  ${'${CHILD_EXTRA}'}
  addi sp, sp, -16
  sw t1, 0(sp)
  mv a0, sp
  li a1, 4
  return a0, a1
child_end:
  .data
  .balign 4
desc: .word ${'${PSET}'}, child, child_end - child, 0, 0, output, 4, 100000, 0, 0, 64, 0, 0
output: .word 0
`;

function run(model: ModelKind, pset: number, childExtra = '') {
  const dev = new ScratchDevice();
  const src = ROOT.replace('${PSET}', String(pset)).replace('${CHILD_EXTRA}', childExtra);
  const m = createModel(model, loadElf(assembleToElf(src, { file: 'devices.S' })), { devices: [dev] });
  const cm = new CallManager(m, new LinuxHost());
  const end = cm.run({ maxInstructions: 100_000 });
  return { end, x: m.x, dev, cycles: m.cycles };
}

describe.each(['iss', 'cycle'] as const)('devices on the %s', (model) => {
  test('byte-strobed stores and loads reach the device register', () => {
    const r = run(model, CRYPTO);
    expect(r.end).toEqual({ kind: 'exit', code: 0x44 });
    expect(r.x[10]! >>> 0).toBe(0x11220044);
    expect(r.x[11]).toBe(0x1122);
  });

  test('a child holding the permission reads and writes the device', () => {
    const r = run(model, CRYPTO);
    expect(r.x[12]).toBe(0); // EVAL status SUCCESS
    expect(r.x[13]! >>> 0).toBe(0x11220044); // what the child read
    expect(r.dev.data).toBe(0x55); // the child's write landed
  });

  test('zero response: a child without the permission reads 0 and its write is dropped', () => {
    const r = run(model, 0);
    expect(r.x[12]).toBe(0);
    expect(r.x[13]).toBe(0);
    expect(r.dev.data >>> 0).toBe(0x11220044);
    expect(r.dev.writes).toBe(2); // the root's two stores only
  });

  test('DATA UNAVAILABLE cannot be caught: it unwinds every frame to the host', () => {
    const r = run(model, CRYPTO, 'lw t4, 4(t0)');
    expect(r.end).toEqual({ kind: 'unavailable', detail: 'preimage of 0x1234 not held', depth: 1 });
  });
});

test('device wait states cost cycles on the cycle model only, never results', () => {
  const iss = run('iss', CRYPTO), cyc = run('cycle', CRYPTO);
  expect(cyc.x.slice(10, 14)).toEqual(iss.x.slice(10, 14));
  expect(cyc.cycles).toBeGreaterThan(0);
});
