// Cycle stepping: snapshots, the debugger (forward, breakpoints, watchpoints, back-stepping),
// the pipeline line trace and the `evminf step` terminal stepper. Expected cycle numbers are
// worked out from docs/timing.md: instruction k (0-based along the executed path) enters the
// MEM/WB register at the end of cycle k + 4 + (penalties before it) and retires in the next.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assembleToElf } from '../isa/asm.js';
import type { Core, CoreOptions } from '../cpu/core.js';
import { Debugger } from '../debug/debugger.js';
import { CallManager, type FrameEnd } from '../cpu/frames.js';
import { LinuxHost } from '../cpu/host.js';
import { LINE_TRACE_HEADER, LineTracer } from '../waveforms/linetrace.js';
import { createModel } from '../cpu/machine.js';
import { loadElf, type LoadedProgram } from '../cpu/program.js';
import { restore, snapshot } from '../debug/snapshot.js';
import { PROMPT, Stepper } from '../bin/step.js';
import { EXIT } from '../cpu/exit-codes.js';
import { runTool } from './tools.js';
import { LOOP } from './programs.js';

// Everything with state that outlives a cycle: loads, stores, a misaligned access across a word
// boundary, the divider, host writes, and (per test) random bus stalls and wait states.
const BUSY = `
        .text
        .globl _start
_start:
        la      s0, buf
        li      s1, 40
        li      s2, 0
1:      lw      t0, 0(s0)
        add     s2, s2, t0
        sw      s2, 4(s0)
        lh      t1, 3(s0)
        xor     s2, s2, t1
        li      t2, 7
        divu    t3, s2, t2
        mul     t4, t3, t2
        sub     s2, s2, t4
        addi    s2, s2, 65
        sb      s2, 9(s0)
        lw      t0, 8(s0)
        add     s2, s2, t0
        addi    s1, s1, -1
        andi    t5, s1, 7
        bnez    t5, 2f
        li      a0, 1
        addi    a1, s0, 9
        li      a2, 1
        li      a7, 64
        ecall
2:      bnez    s1, 1b
        andi    a0, s2, 255
        li      a7, 93
        ecall
        .data
        .balign 4
buf:    .word 1, 2, 3, 4
`;

/** Perm.W (cpu/memory.ts): a const enum, inlined by tsc, so not importable from dist/ at run time. */
const PERM_W = 2;

const program = (src: string): LoadedProgram => loadElf(assembleToElf(src, { file: 'stepper.S' }));

/** Everything observable about a run's state, for equality checks. */
function state(core: Core, host: LinuxHost) {
  const dec = new TextDecoder();
  return {
    cycles: core.cycles,
    retired: core.retired,
    gas: core.gasUsed,
    v: Array.from(core.v.subarray(0, core.sig.count)),
    memory: core.mem.regions.filter((r) => r.perm & PERM_W).map((r) => Buffer.from(r.u8).toString('base64')),
    stdout: dec.decode(host.output(1)),
    exit: host.exitCode,
  };
}

/** Run the root frame to cycle `c` (or its end). */
function runTo(core: Core, calls: CallManager, c: number): FrameEnd | null {
  while (core.cycles < c) {
    const end = calls.advance(Number.MAX_SAFE_INTEGER, c);
    if (end !== null) return end;
  }
  return null;
}

function fresh(prog: LoadedProgram, opts: CoreOptions = {}) {
  const core = createModel('cycle', prog, opts);
  const host = new LinuxHost();
  return { core, host, calls: new CallManager(core, host) };
}

describe('snapshot and restore', () => {
  const prog = () => program(BUSY);
  const opts: CoreOptions = { randomStalls: 3, seed: 11, waitStates: 1 };

  test.each([1, 2, 9, 57, 400, 1234])('cut at cycle %i: running on, and restoring then running on, both end as if never stopped', (cut) => {
    const ref = fresh(prog(), opts);
    const refEnd = ref.calls.run({ maxCycles: 1_000_000 });
    expect(refEnd.kind).toBe('exit');
    const want = state(ref.core, ref.host);
    expect(want.stdout.length).toBe(5);

    const at = fresh(prog(), opts);
    expect(runTo(at.core, at.calls, cut)).toBeNull();
    const atCut = state(at.core, at.host);

    const m = fresh(prog(), opts);
    expect(runTo(m.core, m.calls, cut)).toBeNull();
    const snap = snapshot(m.core, [m.calls, m.host]);
    expect(m.calls.run({ maxCycles: 1_000_000 })).toEqual(refEnd);
    expect(state(m.core, m.host)).toEqual(want);

    restore(m.core, snap);
    expect(state(m.core, m.host)).toEqual(atCut);
    expect(m.calls.run({ maxCycles: 1_000_000 })).toEqual(refEnd);
    expect(state(m.core, m.host)).toEqual(want);
  });

  test('a snapshot taken inside a child frame (EVAL, interrupts) restores the frames too', () => {
    const kv = loadElf(assembleToElf(readFileSync(new URL('../examples/kvstore.S', import.meta.url), 'utf8'), { file: 'kvstore.S' }));
    const ref = fresh(kv);
    const refEnd = ref.calls.run({ maxCycles: 1_000_000 });
    const want = state(ref.core, ref.host);
    expect(ref.calls.evals).toBe(1);

    const m = fresh(loadElf(assembleToElf(readFileSync(new URL('../examples/kvstore.S', import.meta.url), 'utf8'), { file: 'kvstore.S' })));
    // Into the child, then past a few of its interrupts.
    while (m.calls.depth === 0) expect(m.calls.advance(1, m.core.cycles + 1)).toBeNull();
    while (m.calls.interrupts < 5) expect(m.calls.advance(1, m.core.cycles + 1)).toBeNull();
    const depth = m.calls.depth, cycles = m.core.cycles;
    const snap = snapshot(m.core, [m.calls, m.host]);
    expect(m.calls.run({ maxCycles: 1_000_000 })).toEqual(refEnd);
    expect(state(m.core, m.host)).toEqual(want);

    restore(m.core, snap);
    expect(m.calls.depth).toBe(depth);
    expect(m.core.cycles).toBe(cycles);
    expect(m.calls.run({ maxCycles: 1_000_000 })).toEqual(refEnd);
    expect(state(m.core, m.host)).toEqual(want);
  });

  test('unchanged memory pages are shared with the previous snapshot', () => {
    const m = fresh(prog());
    runTo(m.core, m.calls, 50);
    const a = snapshot(m.core, [m.calls, m.host]);
    runTo(m.core, m.calls, 60);
    const b = snapshot(m.core, [m.calls, m.host], a);
    const stack = [...b.memory.keys()].find((r) => r.kind === 'stack')!;
    // The stack is untouched: every page is the previous snapshot's copy.
    expect(b.memory.get(stack)!.every((p, i) => p === a.memory.get(stack)![i])).toBe(true);
  });
});

describe('Debugger', () => {
  test('breakpoints fire as the instruction enters WB; si retires one instruction', () => {
    const d = new Debugger(createModel('cycle', program(LOOP)), { symbols: program(LOOP).symbols });
    expect(d.stepInstruction().cycle).toBe(5); // instruction 0 retires in cycle 0 + 5
    const loop = d.resolve('loop');
    expect(loop).toBe(0x10008);
    d.addBreakpoint(loop);
    // Instruction 2 (first `addi a0`) enters MEM/WB at the end of cycle 2 + 4.
    let ev = d.continue();
    expect(ev).toEqual({ reason: 'breakpoint', cycle: 6, messages: ['breakpoint 1 at 0x00010008 <loop>'] });
    expect(d.pc).toBe(loop);
    expect(d.core.retired).toBe(2);
    // Instruction 5 (second iteration) after one taken branch (+2).
    ev = d.continue();
    expect(ev.cycle).toBe(5 + 4 + 2);
    expect(d.read('a0')).toBe(5);
    expect(d.read('t0')).toBe(2);
    expect(d.read('x5')).toBe(2);
    expect(d.read('core.wb.pc')).toBe(loop);
    expect(d.read('evm.core.wb.valid')).toBe(1);
    // Back before it reaches WB: `si` steps over the breakpoint on the instruction at pc.
    d.back(2);
    expect(d.pc).toBe(loop);
    expect(d.stepInstruction()).toEqual({ reason: 'done', cycle: 12, messages: [] });
    expect(d.core.retired).toBe(6);
    // ...but `c` stops at it the next time round (instruction 8, two taken branches).
    expect(d.continue().cycle).toBe(8 + 4 + 4);
  });

  test('watchpoints stop the cycle their signal changes', () => {
    const prog = program(LOOP);
    const d = new Debugger(createModel('cycle', prog), { symbols: prog.symbols });
    d.addWatchpoint('a0');
    // a0 is first written by instruction 2 (a0 = 0 + 5) in WB in cycle 7.
    expect(d.continue()).toEqual({ reason: 'watchpoint', cycle: 7, messages: ['watchpoint 1: a0 0x00000000 -> 0x00000005'] });
    expect(d.continue().cycle).toBe(5 + 5 + 2);
  });

  test('back(n) gives exactly the state of a fresh run stopped at that cycle; output is not repeated', () => {
    const prog = program(BUSY);
    const opts: CoreOptions = { randomStalls: 2, seed: 5 };
    const seen: string[] = [];
    const d = new Debugger(createModel('cycle', prog, opts), { snapshotEvery: 16, snapshotsKept: 4, onOutput: (_fd, b) => seen.push(Buffer.from(b).toString('latin1')) });
    const end = d.continue();
    expect(end.reason).toBe('end');
    expect(end.messages.at(-1)).toMatch(/^exited with code \d+$/);
    const total = d.steps;
    const once = seen.join('');
    expect(once.length).toBe(5);

    for (const n of [1, 2, 15, 16, 17, 100, total - 3, total]) {
      d.back(n);
      const t = total - n;
      expect(d.steps).toBe(t);
      const f = new Debugger(createModel('cycle', program(BUSY), opts));
      f.step(t);
      expect(state(d.core, d.host)).toEqual(state(f.core, f.host));
      expect(d.stages()).toEqual(f.stages());
      expect(d.pc).toBe(f.pc);
      expect(d.ended).toBeNull();
      // Forward again to the end: same end, same cycles, and no output handed over twice.
      expect(d.continue()).toEqual(end);
      expect(d.steps).toBe(total);
    }
    expect(seen.join('')).toBe(once);
  });

  test('stepping an ended program is an error; back still works', () => {
    const prog = program(LOOP);
    const d = new Debugger(createModel('cycle', prog));
    // 24 instructions + 4, two taken branches (2 + 2), a load-use stall (1), a served ECALL (4).
    expect(d.continue()).toEqual({ reason: 'end', cycle: 24 + 4 + 9, messages: ['exited with code 22'] });
    expect(() => d.step()).toThrow(/has ended/);
    d.back(1);
    expect(d.cycle).toBe(36);
    expect(d.run(37).reason).toBe('end');
  });
});

describe('pipeline line trace', () => {
  function trace(src: string): string[] {
    const core = createModel('cycle', program(src));
    let text = '';
    const t = new LineTracer(core, (s) => { text += s; });
    core.tracer = t;
    new CallManager(core, new LinuxHost()).run({ maxCycles: 10_000 });
    t.flush();
    return text.trimEnd().split('\n');
  }

  test('fixed-width lines: pcs per stage, # for stalls, ~ for squashes and bubbles', () => {
    const lines = trace(LOOP);
    expect(lines[0]).toBe(LINE_TRACE_HEADER);
    expect(lines.length).toBe(1 + 37);
    const at = (c: number): string => lines[c]!;
    expect(at(1)).toBe('      1: 00010000|~~~~~~~~|~~~~~~~~|~~~~~~~~|~~~~~~~~');
    expect(at(5)).toBe('      5: 00010010|0001000c|00010008|00010004|00010000  addi x10,x0,0');
    // The taken branch in EX squashes IF and ID.
    expect(at(7)).toBe('      7: ~~~~~~~~|~~~~~~~~|00010010|0001000c|00010008  addi x10,x10,5');
    expect(at(8)).toBe('      8: 00010008|~~~~~~~~|~~~~~~~~|00010010|0001000c  addi x5,x5,-1');
    // Load-use: `add` waits in ID, IF holds; EX gets a bubble next cycle.
    expect(at(20)).toBe('     20: ########|########|0001001c|00010018|00010014  auipc x6,0x1');
    expect(at(21)).toBe('     21: 00010024|00010020|~~~~~~~~|0001001c|00010018  addi x6,x6,-20');
    // The ECALL in WB flushes everything behind it.
    expect(at(30)).toBe('     30: ~~~~~~~~|~~~~~~~~|~~~~~~~~|~~~~~~~~|00010038  ecall');
    expect(at(31)).toBe('     31: 0001003c|~~~~~~~~|~~~~~~~~|~~~~~~~~|~~~~~~~~');
    for (const l of lines.slice(1)) expect(l.slice(0, 53)).toMatch(/^ {0,6}\d+: [0-9a-f#~]{8}(\|[0-9a-f#~]{8}){4}$/);
  });

  test('the divider holds EX for 31 cycles with MEM empty behind it', () => {
    const lines = trace(` .text\n .globl _start\n_start:\n li a0, 84\n li a1, 2\n div a0, a0, a1\n li a7, 93\n ecall\n`);
    expect(lines.filter((l) => l.slice(27, 35) === '########').length).toBe(31);
    expect(lines[5]).toBe('      5: ########|########|########|00010004|00010000  addi x10,x0,84');
    expect(lines[6]).toBe('      6: ########|########|########|~~~~~~~~|00010004  addi x11,x0,2');
  });
});

describe('evminf step', () => {
  /** Run a script through the stepper in-process; the transcript as `evminf step --script` prints it. */
  function session(src: string, script: string): string[] {
    const prog = program(src);
    const out: string[] = [];
    const d = new Debugger(createModel('cycle', prog), { symbols: prog.symbols, onOutput: (_fd, b) => out.push(...Buffer.from(b).toString().split('\n').filter(Boolean)) });
    const st = new Stepper(d, (l) => out.push(l));
    st.status();
    for (const line of script.trim().split('\n')) {
      out.push(PROMPT + line);
      if (!st.exec(line)) break;
    }
    return out;
  }

  // Instruction k enters MEM/WB at the end of cycle k + 4 + penalties; each taken branch adds 2.
  const bp = (k: number, taken: number): number => k + 4 + 2 * taken;

  test('breakpoint, registers, steps, back-step, watchpoint, pipe, memory', () => {
    const t = session(LOOP, `b loop
c
reg a0 t0
c
reg a0 t0
s 3
back 2
w a0
c
pipe
d 1
c
x data
sig core.mem.stall
p nosuch
d 2
c
q`);
    expect(t).toEqual([
      'cycle 0  retired 0  pc 0x00010000 <_start>  addi x10,x0,0',
      '(evminf) b loop',
      'breakpoint 1 at 0x00010008 <loop>',
      '(evminf) c',
      'breakpoint 1 at 0x00010008 <loop>',
      `cycle ${bp(2, 0)}  retired 2  pc 0x00010008 <loop>  addi x10,x10,5`,
      '(evminf) reg a0 t0',
      'a0 = 0x00000000 (0)',
      't0 = 0x00000003 (3)',
      '(evminf) c',
      'breakpoint 1 at 0x00010008 <loop>',
      `cycle ${bp(5, 1)}  retired 5  pc 0x00010008 <loop>  addi x10,x10,5`,
      '(evminf) reg a0 t0',
      'a0 = 0x00000005 (5)',
      't0 = 0x00000002 (2)',
      '(evminf) s 3',
      // Instructions 5, 6, 7 retire in cycles 12, 13, 14; the next to retire is the third `addi a0`.
      `cycle ${bp(5, 1) + 3}  retired 8  pc 0x00010008 <loop>  addi x10,x10,5`,
      '(evminf) back 2',
      `cycle ${bp(5, 1) + 1}  retired 6  pc 0x0001000c <loop+0x4>  addi x5,x5,-1`,
      '(evminf) w a0',
      'watchpoint 2: a0 = 0x0000000a',
      '(evminf) c',
      'breakpoint 1 at 0x00010008 <loop>',
      `cycle ${bp(8, 2)}  retired 8  pc 0x00010008 <loop>  addi x10,x10,5`,
      '(evminf) pipe',
      `cycle ${bp(8, 2)}`,
      'IF   0x00010014  run     auipc x6,0x1',
      'ID   0x00010010  run     bne x5,x0,10008 <loop>',
      'EX   0x0001000c  run     addi x5,x5,-1',
      'MEM  0x00010008  run     addi x10,x10,5',
      'WB   -           bubble',
      '(evminf) d 1',
      'deleted 1',
      '(evminf) c',
      'watchpoint 2: a0 0x0000000a -> 0x0000000f',
      `cycle ${bp(8, 2) + 1}  retired 9  pc 0x0001000c <loop+0x4>  addi x5,x5,-1`,
      '(evminf) x data',
      '0x00011000 <data>: 0x00000007',
      '(evminf) sig core.mem.stall',
      'evm.core.mem.stall = 0x0',
      '(evminf) p nosuch',
      'error: no register or signal named nosuch',
      '(evminf) d 2',
      'deleted 2',
      '(evminf) c',
      'hi',
      'exited with code 22',
      'cycle 37  retired 24  pc 0x00010048',
      '(evminf) q',
    ]);
  });

  test('going back over output and forward again prints it once', () => {
    const t = session(LOOP, 'c\nback 10\nc\nback 100\nq');
    expect(t.filter((l) => l === 'hi')).toHaveLength(1);
    expect(t).toContain('cycle 27  retired 18  pc 0x00010030 <loop+0x28>  addi x12,x0,3');
    expect(t.at(-2)).toBe('cycle 0  retired 0  pc 0x00010000 <_start>  addi x10,x0,0');
  });

  describe('the command line', () => {
    // The build test/global-setup.ts makes.
    const evminf = new URL('../dist/bin/evminf.cjs', import.meta.url).pathname;
    const dir = mkdtempSync(join(tmpdir(), 'evminf-step-'));
    const run = (...args: string[]) => runTool(process.execPath, [evminf, ...args], { timeoutMs: 60_000 });

    test('--script runs the commands and exits; bad inputs exit with their codes', () => {
      writeFileSync(join(dir, 'loop.S'), LOOP);
      writeFileSync(join(dir, 'script'), 'b loop\nc\nq\n');
      const r = run('step', join(dir, 'loop.S'), '--script', join(dir, 'script'));
      expect(r.status).toBe(0);
      expect(r.stdout.split('\n')).toEqual([
        'cycle 0  retired 0  pc 0x00010000 <_start>  addi x10,x0,0',
        '(evminf) b loop',
        'breakpoint 1 at 0x00010008 <loop>',
        '(evminf) c',
        'breakpoint 1 at 0x00010008 <loop>',
        'cycle 6  retired 2  pc 0x00010008 <loop>  addi x10,x10,5',
        '(evminf) q',
        '',
      ]);
      expect(run('step', join(dir, 'missing.S'), '--script', join(dir, 'script')).status).toBe(EXIT.NO_FILE);
      expect(run('step', join(dir, 'loop.S'), '--script', join(dir, 'missing')).status).toBe(EXIT.NO_FILE);
      writeFileSync(join(dir, 'bad.elf'), 'not an ELF');
      const bad = run('step', join(dir, 'bad.elf'), '--script', join(dir, 'script'));
      expect(bad.status).toBe(EXIT.BAD_INPUT);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    });

    test('run --trace-pipeline=FILE writes one line per cycle', () => {
      const r = run('run', join(dir, 'loop.S'), `--trace-pipeline=${join(dir, 'trace')}`);
      expect(r.status).toBe(22);
      const lines = readFileSync(join(dir, 'trace'), 'utf8').trimEnd().split('\n');
      expect(lines).toHaveLength(1 + 37);
      expect(lines[37]).toBe('     37: ~~~~~~~~|~~~~~~~~|~~~~~~~~|~~~~~~~~|00010044  ecall');
      expect(run('run', join(dir, 'loop.S'), '--model', 'iss', '--trace-pipeline').status).toBe(EXIT.USAGE);
    });
  });
});
