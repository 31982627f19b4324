// The CURTIME timer and the debug console (peripherals/timer.ts, console.ts; docs/peripherals.md)
// on both models: the values a program reads, the zero response of the timer to frames lacking
// SUBJECTIVE + TIMER (the root's PSET and an EVAL'd child's), byte lanes and widths, wait
// states, the console's limit, its buffering and a failing sink; the standard set; --time.

import { describe, expect, test } from 'vitest';
import { assembleToElf } from '../isa/asm.js';
import type { Core } from '../cpu/core.js';
import { CallManager, type FrameEnd } from '../cpu/frames.js';
import { LinuxHost } from '../cpu/host.js';
import type { Iss } from '../cpu/iss.js';
import { createModel, type ModelKind } from '../cpu/machine.js';
import { loadElf } from '../cpu/program.js';
import { DebugConsole, CONSOLE_BUFFER, type ConsoleSink } from '../peripherals/console.js';
import type { Device } from '../peripherals/device.js';
import { CONSOLE, DEVICE_MAPS, PERM_VALUES, TIMER } from '../peripherals/regmap.js';
import { deviceStats, finishDevices, standardDevices } from '../peripherals/standard.js';
import { MAX_TIME, Timer } from '../peripherals/timer.js';
import { parseTimeOption } from '../bin/options.js';
import { UserError } from '../bin/user-error.js';

const MODELS: readonly ModelKind[] = ['iss', 'cycle'];
const TBASE = `0x${TIMER.base.toString(16)}`, CBASE = `0x${CONSOLE.base.toString(16)}`;
const SUBJECTIVE = PERM_VALUES.SUBJECTIVE, TIMER_BIT = PERM_VALUES.TIMER;

interface Outcome { end: FrameEnd; x: number[]; gas: number; retired: number; cycles: number | undefined; m: Core | Iss }

function run(model: ModelKind, body: string, devices: Device[], o: { pset?: number; data?: string } = {}): Outcome {
  const src = `  .text\n  .globl _start\n_start:\n${body}\n  li a7, 93\n  ecall\n  .data\n  .balign 4\n${o.data ?? ''}\n`;
  const m = createModel(model, loadElf(assembleToElf(src, { file: 'dev.S' })), { devices, pset: o.pset });
  const end = new CallManager(m, new LinuxHost()).run({ maxCycles: 50_000_000, maxInstructions: 10_000_000 });
  return { end, x: Array.from(m.x), gas: m.gasUsed, retired: m.retired, cycles: (m as Core).cycles, m };
}

/** Both models on fresh devices; their registers, gas and retired counts must agree. */
function both(body: string, make: () => Device[], o: { pset?: number; data?: string } = {}): { iss: Outcome; cyc: Outcome; devs: [Device[], Device[]] } {
  const di = make(), dc = make();
  const iss = run('iss', body, di, o), cyc = run('cycle', body, dc, o);
  expect(cyc.end).toEqual(iss.end);
  expect(cyc.x).toEqual(iss.x);
  expect(cyc.gas).toBe(iss.gas);
  expect(cyc.retired).toBe(iss.retired);
  return { iss, cyc, devs: [di, dc] };
}

const READ_TIMER = `  li t0, ${TBASE}\n  lw a0, 0(t0)\n  lw a1, 4(t0)`;
const lo = (t: bigint): number => Number(t & 0xffff_ffffn) | 0;
const hi = (t: bigint): number => Number(t >> 32n) | 0;

describe('the CURTIME timer', () => {
  test.each([0n, 1n, 1_796_171_234n, (1n << 32n) + 5n, 0x1234_5678_9abc_def0n, MAX_TIME])('reads the host time %s on both models', (t) => {
    const { iss } = both(READ_TIMER, () => [new Timer(t)]);
    expect(iss.x[10]).toBe(lo(t));
    expect(iss.x[11]).toBe(hi(t));
  });

  test('widths, lanes, a misaligned word across LO and HI, offsets past the registers, ignored stores', () => {
    const t = 0x0102_0304_0506_0708n;
    const body = `  li t0, ${TBASE}
  lbu a0, 1(t0)
  lhu a1, 6(t0)
  lw a2, 2(t0)
  lw a3, 8(t0)
  lw a4, 0x7fc(t0)
  li t2, -1
  sw t2, 0(t0)
  sw t2, 4(t0)
  lw a5, 0(t0)
  lw a6, 4(t0)
  lb s1, 7(t0)`;
    const { iss } = both(body, () => [new Timer(t)]);
    expect(iss.x[10]).toBe(0x07);
    expect(iss.x[11]).toBe(0x0102);
    expect(iss.x[12]).toBe(0x0304_0506); // bytes 2..5: 06 05 | 04 03
    expect(iss.x[13]).toBe(0);
    expect(iss.x[14]).toBe(0);
    expect(iss.x[15]).toBe(lo(t));
    expect(iss.x[16]).toBe(hi(t));
    expect(iss.x[9]).toBe(0x01);
  });

  // The zero response: reads give 0 unless the frame holds both SUBJECTIVE and TIMER.
  test.each([0, SUBJECTIVE, TIMER_BIT, SUBJECTIVE | TIMER_BIT, 0x3f, 0x3f & ~TIMER_BIT, 0x3f & ~SUBJECTIVE])('root PSET 0x%s', (pset) => {
    const t = 0xdead_beef_0bad_f00dn;
    const { iss } = both(READ_TIMER, () => [new Timer(t)], { pset });
    const ok = (pset & (SUBJECTIVE | TIMER_BIT)) === (SUBJECTIVE | TIMER_BIT);
    expect(iss.x[10]).toBe(ok ? lo(t) : 0);
    expect(iss.x[11]).toBe(ok ? hi(t) : 0);
  });

  // A child's PSET is what it asks for and its parent holds: it reads CURTIME and RETURNs it.
  const CHILD = (pset: number): string => `  la s0, desc
  eval a2, s0
  la t2, output
  lw a0, 0(t2)
  lw a1, 4(t2)`;
  const childData = (pset: number): string => `desc: .word ${pset}, child, child_end - child, output, 4, output, 8, 100000, 0, 0, 64, 0, 0
output: .word 0x55555555, 0x55555555
  .text
child:
  li t0, ${TBASE}
  lw t1, 0(t0)
  lw t2, 4(t0)
  addi sp, sp, -16
  sw t1, 0(sp)
  sw t2, 4(sp)
  mv a0, sp
  li a1, 8
  return a0, a1
child_end:`;
  test.each([[0x3f, 9], [0x3f, 1], [0x3f, 8], [0x3f, 0], [0x1, 9], [0x8, 0x3f]])('root PSET 0x%s, child asks 0x%s', (root, asked) => {
    const t = 0x0000_0042_6b0e_d3e2n;
    const { iss } = both(CHILD(asked), () => [new Timer(t)], { pset: root, data: childData(asked) });
    expect(iss.x[12]).toBe(0); // EVAL SUCCESS
    const ok = (root & asked & 9) === 9;
    expect(iss.x[10]).toBe(ok ? lo(t) : 0);
    expect(iss.x[11]).toBe(ok ? hi(t) : 0);
  });

  test('a read costs the device its wait states only', () => {
    const loads = `  li t0, ${TBASE}\n  nop\n` + '  lw a0, 0(t0)\n  addi a1, a1, 1\n'.repeat(20);
    const at = (ws: number): number => {
      const t = new Timer(5n);
      t.waitStates = ws;
      return run('cycle', loads, [t]).cycles!;
    };
    const ram = `  la t0, buf\n` + '  lw a0, 0(t0)\n  addi a1, a1, 1\n'.repeat(20);
    const ramCycles = run('cycle', ram, [new Timer(5n)], { data: 'buf: .word 5' }).cycles!;
    // Same instructions (la is two, li of the base one and a nop), so 0 wait states = RAM's.
    expect(at(0)).toBe(ramCycles);
    expect(at(3) - at(0)).toBe(20 * 3);
  });

  test('keeps its value across frame switches; registers are the signals evm.dev.timer.*', () => {
    const t = 77n;
    const { cyc } = both(CHILD(9), () => [new Timer(t)], { data: childData(9) });
    const core = cyc.m as Core;
    expect(core.sig.read('evm.dev.timer.curtime_lo')).toBe(77);
    expect(core.sig.read('evm.dev.timer.curtime_hi')).toBe(0);
    expect(cyc.x[10]).toBe(77);
  });

  test('rejects a time outside 0..2^64-1', () => {
    expect(() => new Timer(-1n)).toThrow(RangeError);
    expect(() => new Timer(MAX_TIME + 1n)).toThrow(RangeError);
  });
});

/** A sink that records every call. */
function recorder(): { sink: ConsoleSink; calls: Uint8Array[]; text(): string } {
  const calls: Uint8Array[] = [];
  return { sink: (b) => { calls.push(b.slice()); }, calls, text: () => Buffer.concat(calls).toString('latin1') };
}

describe('the debug console', () => {
  test('lane 0 of a write to TX is a byte; other lanes and offsets are not; reads give 0', () => {
    const body = `  li t0, ${CBASE}
  li t1, 0x41424344
  sw t1, 0(t0)
  sb t1, 1(t0)
  sh t1, 2(t0)
  sh t1, 0(t0)
  sb t1, 0(t0)
  sw t1, 4(t0)
  li t2, 0x45
  sb t2, 0(t0)
  lw a0, 0(t0)
  lbu a1, 0(t0)`;
    const recs = [recorder(), recorder()];
    let k = 0;
    const { iss, devs } = both(body, () => [new DebugConsole(recs[k++]!.sink)]);
    finishDevices(devs[0]);
    finishDevices(devs[1]);
    for (const r of recs) expect(r.text()).toBe('DDDE');
    expect(iss.x[10]).toBe(0);
    expect(iss.x[11]).toBe(0);
    const [si, sc] = devs.map((d) => deviceStats(d).console!);
    expect(si).toEqual(sc);
    expect(si).toMatchObject({ ops: 4, errors: 0, gas: 0, cycles: 0, bytes: 4, dropped: 0, byCommand: { TX: 4 } });
  });

  test('every frame may write; the bytes of parent and child come in program order', () => {
    const body = `  li t0, ${CBASE}
  li t1, 'P'
  sw t1, 0(t0)
  la s0, desc
  eval a2, s0
  li t1, 'Q'
  sw t1, 0(t0)`;
    const data = `desc: .word 0, child, child_end - child, output, 4, output, 4, 100000, 0, 0, 16, 0, 0
output: .word 0
  .text
child:
  li t0, ${CBASE}
  li t1, 'c'
  sw t1, 0(t0)
  return zero, zero
child_end:`;
    const recs = [recorder(), recorder()];
    let k = 0;
    const { devs } = both(body, () => [new DebugConsole(recs[k++]!.sink)], { pset: 0, data });
    for (const d of devs) finishDevices(d);
    for (const r of recs) expect(r.text()).toBe('PcQ');
  });

  test('the sink is called per full buffer and at the end, not per byte', () => {
    const n = 2 * CONSOLE_BUFFER + 100;
    const body = `  li t0, ${CBASE}\n  li t2, ${n}\n1:\n  sb t2, 0(t0)\n  addi t2, t2, -1\n  bnez t2, 1b`;
    const rec = recorder();
    const dev = new DebugConsole(rec.sink);
    run('cycle', body, [dev]);
    expect(rec.calls.length).toBe(2);
    expect(rec.calls.every((c) => c.length === CONSOLE_BUFFER)).toBe(true);
    dev.flush();
    expect(rec.calls.length).toBe(3);
    expect(rec.calls[2]!.length).toBe(100);
    const all = Buffer.concat(rec.calls);
    for (const i of [0, 1, CONSOLE_BUFFER, n - 1]) expect(all[i]).toBe((n - i) & 0xff);
  });

  test(`at most ${CONSOLE.constants[0]!.value} bytes a run: the rest dropped and counted, on both models`, () => {
    const limit = CONSOLE.constants.find((c) => c.name === 'LIMIT')!.value;
    const n = limit + 37;
    const body = `  li t0, ${CBASE}\n  li t2, ${n}\n1:\n  sb t2, 0(t0)\n  addi t2, t2, -1\n  bnez t2, 1b`;
    let total = [0, 0];
    let k = 0;
    const { devs } = both(body, () => { const j = k++; return [new DebugConsole((b) => { total[j]! += b.length; })]; });
    for (const d of devs) finishDevices(d);
    expect(total).toEqual([limit, limit]);
    for (const d of devs) expect(deviceStats(d).console).toMatchObject({ ops: n, bytes: limit, dropped: 37, errors: 37 });
    total = [0, 0];
  });

  test('a failing sink changes nothing the program sees; flush throws its error once the run is over', () => {
    const n = CONSOLE_BUFFER + 10;
    const body = `  li t0, ${CBASE}\n  li t2, ${n}\n1:\n  sb t2, 0(t0)\n  addi t2, t2, -1\n  bnez t2, 1b\n  li a0, 7`;
    const boom = new Error('EPIPE');
    let calls = 0;
    const bad = new DebugConsole(() => { calls++; throw boom; });
    const good = new DebugConsole();
    const a = run('cycle', body, [bad]), b = run('cycle', body, [good]);
    expect(a.end).toEqual({ kind: 'exit', code: 7 });
    expect(a.x).toEqual(b.x);
    expect(a.cycles).toBe(b.cycles);
    expect(calls).toBe(1);
    expect(() => bad.flush()).toThrow(boom);
    expect(calls).toBe(1); // never called again after it failed
    expect(() => finishDevices([bad])).toThrow(boom);
    expect(() => finishDevices([good])).not.toThrow();
  });

  test('evm.dev.console.tx shows the last byte; a frame switch clears it', () => {
    const body = `  li t0, ${CBASE}\n  li t1, 0x1ab\n  sw t1, 0(t0)`;
    const c = run('cycle', body, [new DebugConsole()]);
    expect((c.m as Core).sig.read('evm.dev.console.tx')).toBe(0xab);
  });
});

describe('the standard set', () => {
  test('a fresh set per call, in address order, at the addresses and permissions of the maps', () => {
    const a = standardDevices(), b = standardDevices();
    expect(a.length).toBeGreaterThanOrEqual(2);
    for (let i = 0; i < a.length; i++) expect(a[i]).not.toBe(b[i]);
    for (let i = 1; i < a.length; i++) expect(a[i]!.base).toBeGreaterThanOrEqual(a[i - 1]!.end);
    for (const d of a) {
      const map = DEVICE_MAPS.find((m) => m.name === d.name)!;
      expect(map, d.name).toBeDefined();
      expect(d.base).toBe(map.base);
      expect(d.end).toBe(map.base + 0x1_0000);
      expect(d.perm).toBe(map.perm.reduce((s, p) => s | PERM_VALUES[p], 0));
    }
    expect(a.map((d) => d.name)).toEqual(expect.arrayContaining(['timer', 'console']));
  });

  test('the options reach the devices', () => {
    const rec = recorder();
    const devs = standardDevices({ time: 1234n, console: rec.sink });
    const r = run('iss', `${READ_TIMER}\n  li t0, ${CBASE}\n  li t1, 'z'\n  sw t1, 0(t0)`, devs);
    finishDevices(devs);
    expect(r.x[10]).toBe(1234);
    expect(rec.text()).toBe('z');
  });

  test.each(MODELS)('an idle set on the %s: no event pending, the same run as without devices', (model) => {
    const body = '  li a0, 3\n  li a1, 100\n1:\n  addi a1, a1, -1\n  bnez a1, 1b';
    const with_ = run(model, body, standardDevices()), without = run(model, body, []);
    expect(with_.x).toEqual(without.x);
    expect(with_.cycles).toBe(without.cycles);
    expect(with_.gas).toBe(without.gas);
    expect(with_.m.clock.pending).toBe(0);
  });
});

describe('--time', () => {
  const usage = (raw: string): void => {
    let err: unknown = null;
    try { parseTimeOption(raw); } catch (e) { err = e; }
    expect(err, raw).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe(2);
    expect((err as UserError).message).toMatch(/^--time must be [^\n]+$/);
  };
  test.each([
    ['0', 0n], ['42', 42n], ['18446744073709551615', MAX_TIME], [' 7 ', 7n],
    ['1970-01-01', 0n], ['2026-12-02', BigInt(Date.parse('2026-12-02T00:00:00Z') / 1000)],
    ['2026-12-02T00:27:14Z', 1_796_171_234n], ['2026-12-02T00:27:14', 1_796_171_234n], ['2026-12-02 00:27:14.9z', 1_796_171_234n],
    ['2026-12-02T02:27:14+02:00', 1_796_171_234n], ['2026-12-01T21:27:14-0300', 1_796_171_234n], ['2024-02-29T12:00', BigInt(Date.parse('2024-02-29T12:00:00Z') / 1000)],
    ['1969-12-31T23:00:00-02:00', 3600n], ['9999-12-31T23:59:59Z', BigInt(Date.parse('9999-12-31T23:59:59Z') / 1000)],
  ])('%s is %s', (raw, want) => {
    expect(parseTimeOption(raw)).toBe(want);
  });
  test('absent is 0; now is the host clock', () => {
    expect(parseTimeOption(undefined)).toBe(0n);
    expect(parseTimeOption('now', 1_796_171_234_999)).toBe(1_796_171_234n);
  });
  test.each(['', '-1', '18446744073709551616', '1e9', '0x10', 'yesterday', '2026-02-30', '2025-02-29', '2026-13-01', '2026-12-02T24:00', '2026-12-02T10:60',
    '1969-12-31', '0070-01-01', '2026-12-02T00:00+24:00', 'Dec 2 2026', 'NOW'])('%j is a usage error', usage);
});
