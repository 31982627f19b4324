// The ISS's region translator (cpu/regions.ts) must be architecturally invisible, as blocks are:
// a run with regions ends in exactly the state of a run with every instruction interpreted —
// registers, pc, retired count, gas, every byte of memory, output, stop reason — at its end and
// when an instruction limit or the gas gate stops it inside a region's loop, around device
// accesses (which bail out), across address spaces sharing one compiled region (its site
// caches belong to one epoch), and for different code at the same addresses.

import { Counter } from './programs.js';
import { describe, expect, test } from 'vitest';
import { assembleToElf } from '../isa/asm.js';
import { randomProgram, XorShift32 } from '../verify/randprog.js';
import { CallManager, type FrameEnd } from '../cpu/frames.js';
import { LinuxHost } from '../cpu/host.js';
import type { Iss } from '../cpu/iss.js';
import { createModel } from '../cpu/machine.js';
import { loadElf } from '../cpu/program.js';
import type { Device } from '../peripherals/device.js';

interface Outcome {
  end: FrameEnd;
  pc: number;
  retired: number;
  gas: number;
  x: number[];
  memory: string[];
  stdout: string;
}

type Mode = 'interpret' | 'blocks' | 'regions';

interface RunOptions {
  maxInstructions?: number;
  gas?: number;
  devices?: Device[];
  /** Visits before a region forms (Iss.regionHot; 3 unless given). */
  regionHot?: number;
}

function model(elf: Uint8Array, mode: Mode, o: RunOptions): Iss {
  const m = createModel('iss', loadElf(elf), { gas: o.gas, pset: o.gas === undefined ? undefined : 0x0f, devices: o.devices });
  m.translate = mode !== 'interpret';
  m.regions = mode === 'regions';
  m.hot = 0;
  m.regionHot = o.regionHot ?? 3;
  return m;
}

function outcome(m: Iss, end: FrameEnd, host: LinuxHost): Outcome {
  return {
    end, pc: m.pc >>> 0, retired: m.retired, gas: m.gasUsed, x: Array.from(m.x),
    stdout: new TextDecoder().decode(host.output(1)),
    memory: m.mem.regions.map((r) => `${r.name}:${Buffer.from(r.u8).toString('base64')}`),
  };
}

function run(elf: Uint8Array, mode: Mode, o: RunOptions = {}): { out: Outcome; regions: number } {
  const m = model(elf, mode, o);
  const host = new LinuxHost();
  const end = new CallManager(m, host).run({ maxInstructions: o.maxInstructions ?? 50_000_000 });
  return { out: outcome(m, end, host), regions: m.translatedRegions };
}

/** Runs `elf` interpreted, with blocks only and with regions; expects one outcome. Returns the regions formed. */
function same(elf: Uint8Array, o: RunOptions = {}): { out: Outcome; regions: number } {
  const interp = run(elf, 'interpret', o);
  const blocks = run(elf, 'blocks', o);
  const regions = run(elf, 'regions', o);
  expect(interp.regions).toBe(0);
  expect(blocks.regions).toBe(0);
  expect(blocks.out).toEqual(interp.out);
  expect(regions.out).toEqual(interp.out);
  return regions;
}

// A loop over an array with a call and its return inside (a region of several blocks: the loop
// head, the callee, the return site), a path taken every 8th iteration, loads and stores of
// every width, and a final checksum. 8 * ITER instructions or so.
const LOOP = (iterations: number, seed: number): string => `
    .text
    .globl _start
_start:
    li s0, ${iterations}
    la s1, buf
    li s2, ${seed}
    li s3, 0
1:  andi t0, s3, 63
    slli t1, t0, 2
    add t1, s1, t1
    lw a0, 0(t1)
    mv a1, s2
    jal ra, mix
    sw a0, 0(t1)
    sh a0, 2(t1)
    lbu t2, 1(t1)
    lb t3, 3(t1)
    add s2, s2, t2
    xor s2, s2, t3
    andi t4, s3, 7
    bnez t4, 2f
    mul s2, s2, a0       # every 8th iteration
    divu t5, s2, s0
    add s2, s2, t5
2:  addi s3, s3, 1
    bne s3, s0, 1b
    mv a0, s2
    andi a0, a0, 127
    li a7, 93
    ecall
mix:
    slli a2, a0, 5
    srli a3, a1, 3
    xor a0, a2, a3
    add a0, a0, a1
    ret
    .data
buf:
${Array.from({ length: 64 }, () => `    .word ${seed * 7 + 1}`).join('\n')}
`;

describe('random programs: regions, blocks and the interpreter agree', () => {
  const rng = new XorShift32(0x5eed_4e61);
  const programs = Array.from({ length: 40 }, (_, i) => {
    const p = randomProgram(5000 + i);
    return assembleToElf(p.source, { file: `rand-${p.seed}.S` });
  });

  test('to the end, forming regions at the first visit and at the third', () => {
    let formed = 0;
    for (const elf of programs) {
      formed += same(elf, { regionHot: 0 }).regions;
      formed += same(elf).regions;
    }
    expect(formed).toBeGreaterThan(40);
  });

  test('stopped by an instruction limit anywhere', () => {
    for (const elf of programs.slice(0, 12)) {
      const total = run(elf, 'interpret').out.retired;
      for (let k = 0; k < 8; k++) same(elf, { maxInstructions: 1 + rng.int(total) });
    }
  });

  test('stopped by the gas gate anywhere', () => {
    let outOfGas = 0;
    for (const elf of programs.slice(12, 24)) {
      const total = run(elf, 'interpret', { gas: 1e12 }).out.gas;
      for (let k = 0; k < 8; k++) {
        const r = same(elf, { gas: 1 + rng.int(total) });
        if (r.out.end.kind === 'trap' && r.out.end.cause === 24) outOfGas++;
      }
    }
    expect(outOfGas).toBeGreaterThan(60);
  });
});

describe('a hot loop with a call, run as a region', () => {
  const elf = assembleToElf(LOOP(3000, 5), { file: 'loop.S' });
  const total = run(elf, 'interpret').out.retired;

  test('runs as a region to the same end (at the default threshold as well)', () => {
    expect(same(elf).regions).toBeGreaterThan(0);
    const r = run(elf, 'regions', { regionHot: 512 });
    expect(r.regions).toBeGreaterThan(0);
    expect(r.out).toEqual(run(elf, 'interpret').out);
    expect(total).toBeGreaterThan(50_000);
  });

  test('an instruction limit inside the region loop retires exactly as many instructions, the same gas and pc', () => {
    const rng = new XorShift32(77);
    for (let k = 0; k < 24; k++) {
      const limit = 1000 + rng.int(total - 2000);
      const r = same(elf, { maxInstructions: limit, gas: 1e12 });
      expect(r.regions).toBeGreaterThan(0);
      expect(r.out.retired).toBe(limit);
      expect(r.out.end.kind).toBe('limit');
    }
  });

  test('the gas gate inside the region loop stops at the instruction the interpreter stops at', () => {
    const full = run(elf, 'interpret', { gas: 1e12 }).out.gas;
    const rng = new XorShift32(78);
    for (let k = 0; k < 24; k++) {
      const r = same(elf, { gas: 1000 + rng.int(full - 2000) });
      expect(r.regions).toBeGreaterThan(0);
      expect(r.out.end).toMatchObject({ kind: 'trap', cause: 24 });
    }
  });

  test('a program run again reuses the compiled region and ends the same', () => {
    const a = run(elf, 'regions'), b = run(elf, 'regions');
    expect(b.out).toEqual(a.out);
  });
});

describe('regions around devices, address spaces and other code', () => {
  const POLL = `
    .text
    .globl _start
_start:
    li s0, 0xf0000000
    la s1, buf
    li s2, 300
    li a0, 0
1:  lw t0, 0(s0)        # a device read inside the region loop: the region bails out
    add a0, a0, t0
    sw a0, 0(s1)
    jal ra, twice
    lw t1, 0(s1)
    andi t2, s2, 3
    bnez t2, 2f
    sw t1, 0(s0)        # a device write every 4th iteration
2:  addi s2, s2, -1
    bnez s2, 1b
    andi a0, a0, 255
    li a7, 93
    ecall
twice:
    lw t3, 0(s1)
    add t3, t3, t3
    sw t3, 0(s1)
    ret
    .data
buf: .word 0
`;

  test('every device access inside a region loop goes through the interpreter, in order', () => {
    const elf = assembleToElf(POLL, { file: 'poll.S' });
    const runs = (['interpret', 'regions'] as const).map((mode) => {
      const dev = new Counter();
      const r = run(elf, mode, { devices: [dev], regionHot: 2 });
      return { ...r, reads: dev.reads, writes: dev.writes, value: dev.value };
    });
    expect(runs[1]!.regions).toBeGreaterThan(0);
    expect(runs[1]!.reads).toBe(300);
    expect(runs[1]!.writes).toBe(75);
    expect({ ...runs[1]!, regions: 0 }).toEqual({ ...runs[0]!, regions: 0 });
  });

  test('a region compiled in one address space refills its caches in another (a new epoch)', () => {
    // The same code at the same addresses over different data: one compiled region serves both
    // (the compile cache is keyed by source text), and its site caches were filled by the first.
    const a = assembleToElf(LOOP(2000, 3), { file: 'a.S' });
    const b = assembleToElf(LOOP(2000, 3).replace('.word 22', '.word 99'), { file: 'b.S' });
    expect(Buffer.from(b).equals(Buffer.from(a))).toBe(false);
    const ma = model(a, 'regions', {}), mb = model(b, 'regions', {});
    const ha = new LinuxHost(), hb = new LinuxHost();
    const ca = new CallManager(ma, ha), cb = new CallManager(mb, hb);
    // Interleaved, each stopped inside its loop: each resumes under the other's epoch.
    for (let k = 1; k <= 6; k++) {
      ca.run({ maxInstructions: 2500 * k });
      cb.run({ maxInstructions: 2500 * k });
    }
    const ea = ca.run({ maxInstructions: 50_000_000 }), eb = cb.run({ maxInstructions: 50_000_000 });
    expect(ma.translatedRegions).toBeGreaterThan(0);
    expect(mb.translatedRegions).toBeGreaterThan(0);
    expect(outcome(ma, ea, ha)).toEqual(run(a, 'interpret').out);
    expect(outcome(mb, eb, hb)).toEqual(run(b, 'interpret').out);
    expect(outcome(ma, ea, ha).x).not.toEqual(outcome(mb, eb, hb).x);
  });

  test('a region entered again after the frame switched address spaces (setMemory)', () => {
    const a = assembleToElf(LOOP(2000, 3), { file: 'a.S' });
    const m = model(a, 'regions', {});
    const host = new LinuxHost();
    const cm = new CallManager(m, host);
    cm.run({ maxInstructions: 6000 });
    expect(m.translatedRegions).toBeGreaterThan(0);
    // The same space again under a new epoch: the region's caches are emptied and refilled.
    m.setMemory(m.mem);
    const end = cm.run({ maxInstructions: 50_000_000 });
    expect(outcome(m, end, host)).toEqual(run(a, 'interpret').out);
  });

  test('different code at the same addresses never runs another program\'s region', () => {
    const p = LOOP(2000, 3);
    const q = p.replace('xor a0, a2, a3', 'sub a0, a2, a3');
    const ea = assembleToElf(p, { file: 'p.S' }), eq = assembleToElf(q, { file: 'q.S' });
    const rp = same(ea), rq = same(eq);
    expect(rp.regions).toBeGreaterThan(0);
    expect(rq.regions).toBeGreaterThan(0);
    expect(rq.out.x).not.toEqual(rp.out.x);
  });
});
