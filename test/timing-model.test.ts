// The timing model (cpu/timing.ts, --model fast) against the unit-level pipeline: the same
// cycles, instructions, gas and end for C, assembly and firmware programs, the instruction
// programs of verify/insn, random programs under random wait states per slave, frame switches
// and device accesses; a wrong timing hook is caught. Then fast-forward (debug/fastforward.ts):
// the waveform from cycle N on is the full detailed run's, byte for byte, for several N per
// program, inside a divider stall and inside a frame switch among them.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assembleToElf } from '../isa/asm.js';
import type { MemoryWaitStates } from '../cpu/bus.js';
import type { CycleTracer } from '../cpu/core.js';
import { LinuxHost } from '../cpu/host.js';
import { createModel } from '../cpu/machine.js';
import { loadElf } from '../cpu/program.js';
import { runToEnd, type RunResult } from '../cpu/runner.js';
import { fastForward, type Machine } from '../debug/fastforward.js';
import type { Device } from '../peripherals/device.js';
import { standardDevices } from '../peripherals/standard.js';
import { INSTRUCTIONS, buildProgram as buildInsn } from '../verify/insn/cases.js';
import { randomProgram } from '../verify/randprog.js';
import { timingCase } from '../verify/timing.js';
import { attachVcd, VcdFile } from '../waveforms/vcd.js';
import { CC, PROGRAMS, buildProgram, removeDir, runEvminf, tempDir } from './c/build.js';
import { describeWithTools } from './tools.js';

const asm = (src: string, file = 'timing-model.S'): Uint8Array => assembleToElf(src, { file });
const example = (name: string): Uint8Array => asm(readFileSync(new URL(`../examples/${name}`, import.meta.url), 'utf8'), name);

interface Setup {
  waitStates?: MemoryWaitStates;
  /** Fresh devices for each run (their wait states set by the caller). */
  devices?: () => Device[];
  gas?: number;
}

const facts = (r: RunResult): unknown => ({ reason: r.reason, exit: r.exitCode, n: r.instructions, cycles: r.cycles, gas: r.gas, evals: r.evals, interrupts: r.interrupts, pc: r.pc });

/** Run `elf` on the cycle model and on the timing model (translated on first sight, at the default heat, in regions, interpreted): equal facts. */
function same(elf: Uint8Array, s: Setup = {}, maxInstructions = 50_000_000): RunResult {
  const opts = { waitStates: s.waitStates, gas: s.gas };
  const ref = runToEnd(createModel('cycle', loadElf(elf), { ...opts, devices: s.devices?.() ?? [] }), new LinuxHost(), { maxInstructions });
  // Translated on first sight, at the default heat, as regions formed on first sight, interpreted.
  for (const [translate, hot, regionHot] of [[true, 0, 512], [true, 16, 512], [true, 0, 0], [false, 0, 512]] as const) {
    const m = createModel('fast', loadElf(elf), { ...opts, devices: s.devices?.() ?? [] });
    m.translate = translate;
    m.hot = hot;
    m.regionHot = regionHot;
    const r = runToEnd(m, new LinuxHost(), { maxInstructions });
    expect(facts(r), `timing model, translate ${translate}, hot ${hot}, region heat ${regionHot}`).toEqual(facts(ref));
  }
  return ref;
}

const EXIT = '\n li a7, 93\n ecall\n';
const DATA = '\n.data\n.balign 4\ndata: .word 0x11223344, 0x55667788, 41, 0\n';
const prog = (body: string): Uint8Array => asm(`.text\n.globl _start\n_start:\n${body}\n${DATA}`);

describe('docs/timing.md cases', () => {
  const CASES: [string, string][] = [
    ['divisions, one consuming a load, a branch on a result', ` la t0, data\n lw a1, 8(t0)\n div a0, a1, a1\n li a2, 100\n rem a3, a2, a1\n bnez a3, 1f\n li a0, 9\n1: divu a4, a2, zero\n mul a5, a4, a2${EXIT}`],
    ['a loop with load-use, misaligned splits and stores', ` la t0, data\n li t1, 30\n li a0, 0\n1: lw a1, 8(t0)\n add a0, a0, a1\n sw a0, 12(t0)\n lh a2, 3(t0)\n lw a3, 1(t0)\n sh a2, 7(t0)\n addi t1, t1, -1\n bnez t1, 1b\n andi a0, a0, 255${EXIT}`],
    ['ECALLs served by the host, GAS and its use', ` li a0, 1\n la a1, data\n li a2, 1\n li a7, 64\n ecall\n gas a0\n addi a0, a0, 0\n ecall\n li a0, 0${EXIT}`],
    ['JAL, JALR, calls', ` li a0, 3\n call 1f\n j 2f\n1: addi a0, a0, 1\n ret\n2: la t0, 3f\n jr t0\n li a0, 9\n3:${EXIT}`],
    ['an illegal instruction traps in WB', ' li a0, 1\n lw a1, 0(sp)\n .word 0xffffffff'],
    ['a load fault', ' li t0, 16\n div a0, t0, t0\n lw a0, 0(t0)'],
    ['a misaligned jump target', ' la t0, data\n lw a1, 0(t0)\n jalr a1, 2(t0)'],
  ];
  test.each(CASES)('%s', (_what, body) => {
    for (const waitStates of [0, 2, { code: 1, ram: 3, stack: 2 }] as MemoryWaitStates[]) same(prog(body), { waitStates });
  });

  test('out of gas: the shortfall is found in MEM, no transaction starts', () => {
    same(prog(` la t0, data\n li t1, 100\n1: lw a0, 0(t0)\n sw a0, 4(t0)\n addi t1, t1, -1\n bnez t1, 1b${EXIT}`), { gas: 150, waitStates: 2 });
  });

  test('cycle limits stop both models at the same instruction and cycle', () => {
    const elf = prog(` la t0, data\n li t1, 50\n1: lw a0, 0(t0)\n div a1, a0, t1\n sw a1, 4(t0)\n addi t1, t1, -1\n bnez t1, 1b${EXIT}`);
    for (const maxCycles of [7, 40, 41, 42, 100, 333, 1000]) {
      const ref = runToEnd(createModel('cycle', loadElf(elf), { waitStates: 1 }), new LinuxHost(), { maxCycles });
      const r = runToEnd(createModel('fast', loadElf(elf), { waitStates: 1 }), new LinuxHost(), { maxCycles });
      expect({ n: r.instructions, cycles: r.cycles, gas: r.gas, pc: r.pc }, `max ${maxCycles}`).toEqual({ n: ref.instructions, cycles: ref.cycles, gas: ref.gas, pc: ref.pc });
    }
  });
});

describe('cycle counts past 2^32', () => {
  // A timed region counts cycles from its entry in small integers and adds them back on exit
  // (cpu/timing.ts): a model already ~2^40 cycles in (a frame switch's worth, as both models
  // count one) ends exactly as far on as the cycle model, in blocks, in regions and interpreted.
  test('a loop of loads, stores, divisions and branches from cycle 2^40 + 12345', () => {
    const elf = prog(` la t0, data\n li t1, 3000\n li a0, 0\n1: lw a1, 8(t0)\n add a0, a0, a1\n sw a0, 12(t0)\n lh a2, 3(t0)\n andi a3, t1, 7\n bnez a3, 2f\n divu a4, a0, t1\n2: addi t1, t1, -1\n bnez t1, 1b\n andi a0, a0, 255${EXIT}`);
    const start = 2 ** 40 + 12345;
    for (const waitStates of [0, 3] as MemoryWaitStates[]) {
      const ref = createModel('cycle', loadElf(elf), { waitStates });
      ref.addCycles(start, []);
      const want = facts(runToEnd(ref, new LinuxHost(), {}));
      expect((want as { cycles: number }).cycles).toBeGreaterThan(start + 3000 * 8);
      for (const [translate, regionHot] of [[true, 0], [true, 512], [false, 512]] as const) {
        const m = createModel('fast', loadElf(elf), { waitStates });
        m.translate = translate;
        m.hot = 0;
        m.regionHot = regionHot;
        m.addCycles(start, []);
        expect(facts(runToEnd(m, new LinuxHost(), {})), `ws ${String(waitStates)}, translate ${translate}, region heat ${regionHot}`).toEqual(want);
        if (translate) expect(m.translatedRegions, 'the loop ran as a region').toBeGreaterThan(0);
      }
    }
  });
});

describe('assembly programs, frame switches and devices', () => {
  test.each(['kvstore.S', 'statedb.S'])('examples/%s with the standard devices, at several wait states', (name) => {
    const elf = example(name);
    for (const ws of [0, 1, 3]) {
      same(elf, { waitStates: ws, devices: () => standardDevices().map((d) => { d.waitStates = (ws * 2) % 5; return d; }) });
    }
  });

  const parent = (child: string, handler = 'return a0, a1', gas = 100000): Uint8Array => asm(`
  .text
  .globl _start
_start:
  la s0, desc
  eval a0, s0
  mv s1, a0
  la s0, desc
  eval a0, s0
  add a0, a0, s1
  li a7, 93
  ecall
handler:
  ${handler}
handler_end:
child:
${child}
child_end:
  .data
  .balign 4
desc:
  .word 0, child, child_end - child
  .word input, 16
  .word output, 16
  .word ${gas}
  .word handler, handler_end - handler
  .word 256
result: .word 0
gasused: .word 0
output: .word 1, 2, 3, 4
input: .ascii "0123456789abcdef"
`);

  test('EVAL and RETURN: copies in and out, the child dividing and storing', () => {
    same(parent('  li t0, 0x20000000\n  lw a0, 0(t0)\n  li t1, 7\n  div a0, a0, t1\n  li t2, 0x40000000\n  sw a0, 0(t2)\n  mv a0, t2\n  li a1, 8\n  return a0, a1'), { waitStates: { code: 1, input: 2, ram: 1, stack: 0 } });
  });

  test('INTERRUPT served by the parent\'s handler, which throws; a child out of gas', () => {
    same(parent('  addi sp, sp, -32\n  mv a0, sp\n  li a1, 4\n  addi a2, sp, 16\n  li a3, 4\n  ecall\n  sw a0, 0(sp)\n  mv a0, sp\n  li a1, 8\n  return a0, a1', 'li a0, 9\n  throw a0'), { waitStates: 1 });
    same(parent('1: addi t0, t0, 1\n  j 1b', 'return a0, a1', 300));
  });
});

describe('riscv-tests-style instruction programs (verify/insn)', () => {
  test('every program, at 0 and 2 wait states', () => {
    for (const insn of INSTRUCTIONS) {
      const p = buildInsn(insn);
      const elf = asm(p.source, `${p.name}.S`);
      for (const waitStates of [0, 2]) expect(same(elf, { waitStates }).exitCode, p.name).toBe(0);
    }
  });
});

describeWithTools([CC], 'C programs (test/c)', () => {
  let dir: string;
  beforeAll(() => { dir = tempDir('timing-model'); });
  afterAll(() => removeDir(dir));
  test.each(PROGRAMS.map((p) => p.name))('%s at -O2, and -O0 at one wait state', (name) => {
    same(readFileSync(buildProgram(dir, name, '-O2')));
    same(readFileSync(buildProgram(dir, name, '-O0')), { waitStates: 1 });
  });
});

describe('firmware', () => {
  test('block validation of examples/chain: the same cycles on both models', () => {
    const run = (model: string): unknown => {
      const r = runEvminf(['block', 'validate', 'examples/chain/block-1.rlp', 'examples/chain/block-2.rlp', '--genesis', 'examples/chain/genesis.json', '--model', model]);
      expect(r.status, r.stderr.toString()).toBe(0);
      return r.stdout.toString().replace(/\((cycle|fast):/g, '(model:');
    };
    const cyc = run('cycle');
    expect(cyc).toMatch(/\d+ cycles/);
    expect(run('fast')).toBe(cyc);
  });
});

describe('random programs with random wait states per slave', () => {
  test('200 programs: cycles equal (npm run timing runs 1,000)', () => {
    const bad: string[] = [];
    for (let seed = 1; seed <= 200; seed++) bad.push(...timingCase(seed).diffs);
    expect(bad).toEqual([]);
  });

  test('a wrong timing hook is caught: one extra cycle per taken branch', () => {
    const caught = [1, 2, 3].map((seed) => timingCase(seed, { fault: 1 }).diffs.length);
    // In each of its three runs: interpreted, translated blocks, regions.
    expect(caught).toEqual([3, 3, 3]);
    const r = runEvminf(['timing', '--count', '2', '--jobs', '1', '--fault-cycles', '1']);
    expect(r.status).toBe(1);
    expect(r.stdout.toString()).toContain('2 failed');
  });
});

// ---- fast-forward -------------------------------------------------------------------------

/** The first cycle at or after `from` where signal `name` is nonzero, on the full cycle-model run. */
function firstCycle(make: () => Machine, name: string, from: number): number {
  const m = make();
  const core = createModel('cycle', m.prog, { devices: m.devices });
  const slot = core.sig.slot(name)!;
  let found = -1;
  const t: CycleTracer = { cycle(c, v) { if (found < 0 && c >= from && v[slot] !== 0) found = c; } };
  core.tracer = t;
  runToEnd(core, m.host, {});
  expect(found, `${name} after ${from}`).toBeGreaterThan(0);
  return found;
}

describe('fast-forward: the waveform from N on is the full run\'s', () => {
  let dir: string;
  beforeAll(() => { dir = tempDir('ff'); });
  afterAll(() => removeDir(dir));

  /** The full detailed run's VCD from N, and the fast-forwarded one; returns the restart cycle. */
  function compare(make: () => Machine, n: number): number {
    const full = join(dir, 'full.vcd'), ff = join(dir, 'ff.vcd');
    const m = make();
    const core = createModel('cycle', m.prog, { devices: m.devices });
    const w = new VcdFile(full, core.sig, { from: n });
    attachVcd(core, w.writer);
    const ref = runToEnd(core, m.host, {});
    w.close();
    const f = fastForward(make, n);
    const w2 = new VcdFile(ff, f.core.sig, { from: n });
    attachVcd(f.core, w2.writer);
    const r = runToEnd(f.core, new LinuxHost(), { resume: f.cm });
    w2.close();
    expect(facts(r)).toEqual(facts(ref));
    const a = readFileSync(full), b = readFileSync(ff);
    expect(b.length, `N = ${n}`).toBe(a.length);
    expect(b.equals(a), `N = ${n}: the VCDs differ`).toBe(true);
    return f.cycle;
  }

  const plain = (elf: Uint8Array) => (): Machine => ({ prog: loadElf(elf), devices: [], host: new LinuxHost(() => {}) });
  const devices = (elf: Uint8Array) => (): Machine => ({ prog: loadElf(elf), devices: standardDevices(), host: new LinuxHost(() => {}) });

  test('a random program: several N, one inside a divider stall', () => {
    const make = plain(asm(randomProgram(7, { items: 300 }).source));
    const stall = firstCycle(make, 'evm.core.ex.stall', 900);
    const restarts = [400, 777, stall + 10, 2000].map((n) => compare(make, n));
    // Fast-forward did skip ahead (a restart at 0 would be the full run).
    expect(restarts.filter((c) => c > 0).length).toBeGreaterThanOrEqual(3);
  });

  test('examples/kvstore.S: N inside a frame switch, and after it', () => {
    const make = devices(example('kvstore.S'));
    const sw = firstCycle(make, 'evm.cmu.busy', 600);
    for (const n of [sw + 3, sw + 300, 2500]) compare(make, n);
  });

  test('examples/statedb.S: device accesses before and after N', () => {
    const make = devices(example('statedb.S'));
    for (const n of [500, 1500, 3000]) compare(make, n);
  });

  test('evminf run --vcd-from N fast-forwards by default; evminf step --at N shows the full run\'s cycle N', () => {
    const a = join(dir, 'cli-ff.vcd'), b = join(dir, 'cli-full.vcd');
    expect(runEvminf(['run', 'examples/kvstore.S', '--vcd', a, '--vcd-from', '1800']).status).toBe(0);
    expect(runEvminf(['run', 'examples/kvstore.S', '--vcd', b, '--vcd-from', '1800', '--no-fast-forward']).status).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    // A program without frame switches (a step is then a cycle), stopped inside a division.
    const src = join(dir, 'rand7.S'), script = join(dir, 'pipe.txt');
    writeFileSync(src, randomProgram(7, { items: 300 }).source);
    writeFileSync(script, 'pipe\nreg\n');
    const at = runEvminf(['step', src, '--at', '1500', '--script', script]);
    writeFileSync(script, 's 1500\npipe\nreg\n');
    const full = runEvminf(['step', src, '--script', script]);
    expect(at.status).toBe(0);
    const tail = (o: Buffer): string => o.toString('latin1').slice(o.toString('latin1').indexOf('(evminf) pipe'));
    expect(tail(at.stdout)).toContain('cycle 1500');
    expect(tail(at.stdout)).toBe(tail(full.stdout));
  });
});
