// The ISS's block translator (cpu/blocks.ts) must be architecturally invisible: a program run
// with translation on ends in exactly the state it reaches with every instruction interpreted —
// registers, pc, retired count, gas, every byte of memory, output, stop reason — both at its end
// and when an instruction limit or the gas limit stops it in the middle of a translated block.
// Translation is forced on first sight (hot = 0) so every block start is exercised.

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
import { PROGRAMS, compile, C_DIR, CC, runEvminf } from './c/build.js';
import { requireTools } from './tools.js';
import { join } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as sem from '../isa/semantics.js';
import { apply, SEM_NAMES } from '../cpu/blocks.js';

interface Outcome {
  end: FrameEnd;
  pc: number;
  retired: number;
  gas: number;
  x: number[];
  memory: string[];
  stdout: string;
  translated: number;
}

interface RunOptions {
  translate: boolean;
  maxInstructions?: number;
  gas?: number;
  devices?: Device[];
}

function run(elf: Uint8Array, o: RunOptions): Outcome {
  const m = createModel('iss', loadElf(elf), { gas: o.gas, pset: o.gas === undefined ? undefined : 0x0f, devices: o.devices });
  m.translate = o.translate;
  m.hot = 0;
  const host = new LinuxHost();
  const end = new CallManager(m, host).run({ maxInstructions: o.maxInstructions ?? 50_000_000 });
  return outcome(m, end, new TextDecoder().decode(host.output(1)));
}

function outcome(m: Iss, end: FrameEnd, stdout: string): Outcome {
  return {
    end, pc: m.pc >>> 0, retired: m.retired, gas: m.gasUsed, x: Array.from(m.x), stdout, translated: m.translatedBlocks,
    memory: m.mem.regions.map((r) => `${r.name}:${Buffer.from(r.u8).toString('base64')}`),
  };
}

/** Runs `elf` both ways and expects the same outcome; returns the translated one. */
function same(elf: Uint8Array, o: Omit<RunOptions, 'translate'> = {}): Outcome {
  const interp = run(elf, { ...o, translate: false });
  const blocks = run(elf, { ...o, translate: true });
  expect(interp.translated).toBe(0);
  expect({ ...blocks, translated: 0 }).toEqual(interp);
  return blocks;
}

// Translated code applies the one-expression semantic functions inline (cpu/blocks.ts apply): the
// text is read from the functions themselves, and must compute what they do.
describe('semantic functions applied inline', () => {
  const EDGES = [0, 1, 2, 3, 4, 31, 32, 33, 0x7fff, 0x8000, 0xffff, 0x10000, 0x3fffffff, 0x40000000, 0x7fffffff, -0x80000000, -1, -2, -31, -32, -0x8000, -0x40000000, -0x40000001];
  const rng = new XorShift32(0x5eed);
  const values = [...EDGES, ...Array.from({ length: 40 }, () => rng.next() | 0)];

  test('the common operations are inlined, the ones with a body are called', () => {
    for (const f of ['add', 'sub', 'sll', 'srl', 'sra', 'xor', 'or', 'and', 'slt', 'sltu', 'mul', 'bne', 'beq', 'bltu', 'jalr', 'misaligned', 'sextByte', 'sextHalf'] as const) {
      const args = ['r1', 'r2'].slice(0, (sem as unknown as Record<string, () => unknown>)[f]!.length);
      expect(apply(f, ...args).startsWith(`${f}(`), f).toBe(false);
    }
    for (const f of ['mulhu', 'div', 'divu', 'rem', 'remu'] as const) expect(apply(f, 'r1', 'r2')).toBe(`${f}(r1, r2)`);
    expect(apply('extend', 'r1', '1', 'true')).toBe('extend(r1, 1, true)');
  });

  test('every inlined expression equals its function, over edge and random operands', () => {
    const table = sem as unknown as Record<string, (...a: number[]) => number | boolean>;
    for (const name of SEM_NAMES) {
      const f = table[name]!;
      const arity = f.length;
      const args = ['p', 'q', 'w'].slice(0, arity);
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      const inline = new Function(...SEM_NAMES, ...args, `return ${apply(name, ...args)};`) as (...a: unknown[]) => number | boolean;
      const fns = SEM_NAMES.map((n) => table[n]!);
      for (const a of values) {
        for (const b of arity >= 2 ? values : [0]) {
          const xs = arity === 3 ? [a, [1, 2, 4][(b >>> 0) % 3]!, (b & 1) === 1] : [a, b].slice(0, arity); // extend(raw, width, signed)
          expect(inline(...fns, ...xs), `${name}(${xs.join(', ')})`).toBe(f(...(xs as number[])));
        }
      }
    }
  });

  test('an argument with work in it is not repeated: a body that uses its parameter twice is called', () => {
    // sextByte uses its parameter once: a memory read may go in whole.
    expect(apply('sextByte', 'u0[a - b0]')).toBe('(((u0[a - b0]) << 24) >> 24)');
    // mulh's body calls mulhu and uses both parameters twice: it is called.
    expect(apply('mulh', 'u0[a]', 'r2')).toBe('mulh(u0[a], r2)');
  });
});

describe('random programs: translated and interpreted runs agree', () => {
  const rng = new XorShift32(0x5eed_b10c);
  const programs = Array.from({ length: 60 }, (_, i) => {
    const p = randomProgram(1000 + i);
    return { seed: p.seed, elf: assembleToElf(p.source, { file: `rand-${p.seed}.S` }) };
  });

  test.each(programs.map((p) => [p.seed, p.elf] as const))('seed %i: to the end', (_seed, elf) => {
    const r = same(elf);
    expect(r.translated).toBeGreaterThan(10);
    expect(['exit', 'trap']).toContain(r.end.kind);
  });

  test('stopped by an instruction limit anywhere, including inside blocks', () => {
    for (const p of programs.slice(0, 15)) {
      const total = run(p.elf, { translate: false }).retired;
      for (let k = 0; k < 12; k++) {
        const limit = 1 + rng.int(total);
        const r = same(p.elf, { maxInstructions: limit });
        expect(r.retired).toBeLessThanOrEqual(limit);
      }
    }
  });

  test('stopped by running out of gas anywhere, including inside blocks', () => {
    let outOfGas = 0;
    for (const p of programs.slice(15, 30)) {
      const total = run(p.elf, { translate: false, gas: 1e12 }).gas;
      for (let k = 0; k < 12; k++) {
        const r = same(p.elf, { gas: 1 + rng.int(total) });
        if (r.end.kind === 'trap' && r.end.cause === 24) outOfGas++;
      }
    }
    expect(outOfGas).toBeGreaterThan(150);
  });
});

describe('blocks around devices and faults', () => {
  const POLL = `
    .text
    .globl _start
_start:
    li s0, 0xf0000000
    la s1, buf
    li s2, 200
    li a0, 0
1:  lw t0, 0(s0)        # a device read in the middle of a hot block: the block bails out
    add a0, a0, t0
    sw a0, 0(s1)
    lw t1, 0(s1)
    sw t1, 0(s0)        # a device write
    addi s2, s2, -1
    bnez s2, 1b
    li t2, 0x40000000
    lw t3, 0(t2)        # unmapped: a load fault inside a translated block
    li a7, 93
    ecall
    .data
buf: .word 0
`;

  test('device accesses inside hot loops go through the interpreter, every time', () => {
    const elf = assembleToElf(POLL, { file: 'poll.S' });
    const outcomes = [false, true].map((translate) => {
      const dev = new Counter();
      const r = run(elf, { translate, devices: [dev] });
      return { r, reads: dev.reads, value: dev.value };
    });
    expect(outcomes[1]!.r.translated).toBeGreaterThan(0);
    expect(outcomes[1]!.reads).toBe(200);
    expect(outcomes[1]!.value).toBe(outcomes[0]!.value);
    expect({ ...outcomes[1]!.r, translated: 0 }).toEqual(outcomes[0]!.r);
    expect(outcomes[1]!.r.end).toMatchObject({ kind: 'trap', cause: 5 });
  });
});

describe('C programs: translated and interpreted runs agree', () => {
  test.each(PROGRAMS.map((p) => [p.name] as const))('%s', (name) => {
    if (!requireTools([CC])) return;
    const dir = mkdtempSync(join(tmpdir(), 'evminf-blocks-'));
    try {
      const elf = compile([join(C_DIR, `${name}.c`)], join(dir, `${name}.elf`), '-O2');
      const r = same(elf);
      expect(r.end.kind).toBe('exit');
      const rng = new XorShift32(name.length * 7919);
      for (let k = 0; k < 4; k++) same(elf, { maxInstructions: 1 + rng.int(r.retired) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('evminf run --model iss --no-translate', () => {
  test('interprets every instruction and gives the same result', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evminf-blocks-'));
    try {
      const src = join(dir, 'loop.S');
      // A hot loop (a multiplicative hash over 5000 iterations), exit code = the hash's low byte.
      writeFileSync(src, `
        .text
        .globl _start
_start: li t0, 5000
        li a0, 17
        li t1, 0x01000193
1:      mul a0, a0, t1
        xor a0, a0, t0
        addi t0, t0, -1
        bnez t0, 1b
        andi a0, a0, 255
        li a7, 93
        ecall
`);
      let want = 17;
      for (let i = 5000; i > 0; i--) want = Math.imul(want, 0x01000193) ^ i;
      const runs = [[], ['--no-translate']].map((extra) => runEvminf(['run', '--model', 'iss', '--json', ...extra, src]));
      type Summary = { guestExitCode: number; instructions: number; gas: number; seconds?: number; translatedBlocks?: number };
      const summaries = runs.map((r) => JSON.parse(r.stdout.toString()) as Summary);
      expect(summaries[0]!.guestExitCode).toBe(want & 255);
      expect(summaries[0]!.translatedBlocks).toBe(1); // the loop body
      expect(summaries[1]!.translatedBlocks).toBe(0);
      const same = (s: Summary): Summary => ({ ...s, seconds: 0, translatedBlocks: 0 });
      expect(same(summaries[1]!)).toEqual(same(summaries[0]!));
      expect(summaries[0]!.instructions).toBe(5 + 4 * 5000 + 3); // li 5000 and li 0x01000193 are two each
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a code region past what one JavaScript array holds', () => {
  // 2^27 + 0x400 words of code ROM (a 512 MiB executable segment, zero-filled past the file):
  // one array of translated functions per word would pass V8's array limit (a RangeError that
  // the red-team campaign found); the cache keeps them in chunks allocated when used.
  test('translates and runs to the same end as the interpreter', () => {
    const src = '.text\n.globl _start\n_start:\n li t0, 200\n1: addi t0, t0, -1\n bnez t0, 1b\n li a0, 42\n li a7, 93\n ecall\n';
    const elf = assembleToElf(src);
    const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
    const phoff = dv.getUint32(28, true), phentsize = dv.getUint16(42, true), phnum = dv.getUint16(44, true);
    let patched = 0;
    for (let k = 0; k < phnum; k++) {
      const o = phoff + k * phentsize;
      if (dv.getUint32(o, true) === 1 && (dv.getUint32(o + 24, true) & 1) !== 0) { dv.setUint32(o + 20, 0x2000_1000, true); patched++; }
    }
    expect(patched).toBe(1);
    const ends = [true, false].map((translate) => {
      // Over the default memory budget (4 GiB) with the code caches counted: a larger one is given.
      const m = createModel('iss', loadElf(elf, undefined, undefined, 8 * 2 ** 30));
      m.translate = translate;
      m.hot = 0;
      const end = new CallManager(m, new LinuxHost(), { memLimit: 8 * 2 ** 30 }).run({ maxInstructions: 10_000 });
      return { end, retired: m.retired, gas: m.gasUsed, translated: m.translatedBlocks > 0 };
    });
    expect(ends[0]!.end).toMatchObject({ kind: 'exit', code: 42 });
    expect(ends[0]!.translated).toBe(true);
    expect({ ...ends[0]!, translated: false }).toEqual(ends[1]);
  });
});
