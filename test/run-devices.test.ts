// `evminf run` and `evminf step` with the standard devices, as a user meets them: attached by
// default on both models (--no-devices without), --time and --console, the per-device figures
// of --stats and --json, console output errors (a full disk, a closed pipe) reported as every
// output error is, and the evm.dev scopes in a waveform declared after the core's signals.

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CONSOLE, TIMER } from '../peripherals/regmap.js';
import { EVMINF, removeDir, runEvminf, tempDir, type Outcome } from './c/build.js';

const TB = `0x${TIMER.base.toString(16)}`, CB = `0x${CONSOLE.base.toString(16)}`;

/** Reads CURTIME (exit code: its low byte; stdout: both words via write), prints "hi\n" on the console. */
const PROGRAM = `  .text
  .globl _start
_start:
  li t0, ${CB}
  li t1, 'h'
  sw t1, 0(t0)
  li t1, 'i'
  sw t1, 0(t0)
  li t1, 10
  sw t1, 0(t0)
  li t0, ${TB}
  lw s0, 0(t0)
  lw s1, 4(t0)
  la a1, buf
  sw s0, 0(a1)
  sw s1, 4(a1)
  li a0, 1
  li a2, 8
  li a7, 64
  ecall
  mv a0, s0
  li a7, 93
  ecall
  .data
buf: .word 0, 0
`;

/** Writes N console bytes ('a' + i % 26), then exits 0. */
const spam = (n: number): string => `  .text
  .globl _start
_start:
  li t0, ${CB}
  li t2, 0
  li t3, ${n}
  li t4, 26
1:
  remu t1, t2, t4
  addi t1, t1, 'a'
  sb t1, 0(t0)
  addi t2, t2, 1
  bne t2, t3, 1b
  li a0, 0
  li a7, 93
  ecall
`;

const MODELS = ['cycle', 'iss'] as const;

function words(out: Buffer): [number, number] {
  return [out.readUInt32LE(0), out.readUInt32LE(4)];
}

function oneLine(r: Outcome, phrase: string): void {
  const err = r.stderr.toString('utf8');
  expect(err).toMatch(/^evminf: [^\n]+\n$/);
  expect(err).toContain(phrase);
}

describe('evminf run with the standard devices', () => {
  let dir: string;
  let prog: string;
  beforeAll(() => {
    dir = tempDir('run-devices');
    prog = join(dir, 'prog.S');
    writeFileSync(prog, PROGRAM);
    writeFileSync(join(dir, 'spam.S'), spam(3000));
  });
  afterAll(() => removeDir(dir));

  test.each(MODELS)('attached by default on the %s model: CURTIME is 0, the console goes to stderr', (model) => {
    const r = runEvminf(['run', prog, '--model', model]);
    expect(r.status).toBe(0);
    expect(words(r.stdout)).toEqual([0, 0]);
    expect(r.stderr.toString()).toBe('hi\n');
  });

  test.each(MODELS)('--time sets CURTIME on the %s model (decimal and ISO-8601)', (model) => {
    const big = runEvminf(['run', prog, '--model', model, '--time', String(0x1234_5678_9abc_def0n)]);
    expect(words(big.stdout)).toEqual([0x9abc_def0, 0x1234_5678]);
    expect(big.status).toBe(0xf0);
    const iso = runEvminf(['run', prog, '--model', model, '--time', '2026-12-02T00:27:14Z']);
    expect(words(iso.stdout)).toEqual([Date.parse('2026-12-02T00:27:14Z') / 1000, 0]);
  });

  test('--time now reads the host clock (the one way it enters a run)', () => {
    const before = Math.floor(Date.now() / 1000);
    const r = runEvminf(['run', prog, '--model', 'iss', '--time', 'now']);
    const after = Math.floor(Date.now() / 1000);
    const [lo] = words(r.stdout);
    expect(lo).toBeGreaterThanOrEqual(before);
    expect(lo).toBeLessThanOrEqual(after);
  });

  test.each(MODELS)('--no-devices on the %s model: the device addresses are unmapped', (model) => {
    const r = runEvminf(['run', prog, '--model', model, '--no-devices']);
    expect(r.status).toBe(139);
    oneLine(r, `store outside writable memory at address ${CB}`);
  });

  test('--console FILE gets the bytes; nothing on stderr', () => {
    const f = join(dir, 'console.txt');
    const r = runEvminf(['run', prog, '--console', f]);
    expect(r.status).toBe(0);
    expect(r.stderr.toString()).toBe('');
    expect(readFileSync(f, 'utf8')).toBe('hi\n');
  });

  test('more than one buffer of console bytes arrives whole and in order', () => {
    const f = join(dir, 'spam.txt');
    const n = 40_000;
    writeFileSync(join(dir, 'spam40k.S'), spam(n));
    const r = runEvminf(['run', join(dir, 'spam40k.S'), '--model', 'iss', '--console', f]);
    expect(r.status).toBe(0);
    const got = readFileSync(f);
    expect(got.length).toBe(n);
    for (const i of [0, 25, 26, 16383, 16384, n - 1]) expect(got[i]).toBe(97 + (i % 26));
  });

  test('usage errors: a bad --time, --time or --console with --no-devices, an empty --console', () => {
    for (const args of [['--time', 'soon'], ['--time', '-3'], ['--time', '2026-02-30'], ['--time', '1', '--time', '2'],
      ['--no-devices', '--time', '5'], ['--no-devices', '--console', join(dir, 'x')], ['--console=']]) {
      const r = runEvminf(['run', prog, ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      oneLine(r, '--');
    }
  });

  test('a console FILE that cannot be written: one line, exit 74; nothing half-written under its name', () => {
    const full = runEvminf(['run', prog, '--console', '/dev/full']);
    expect(full.status).toBe(74);
    oneLine(full, '/dev/full: cannot write (ENOSPC)');
    const nodir = runEvminf(['run', prog, '--console', join(dir, 'no/such/dir/c.txt')]);
    expect(nodir.status).toBe(127);
    oneLine(nodir, 'cannot write');
  });

  test('a run that fails still shows what its console wrote', () => {
    const bad = join(dir, 'bad.S');
    writeFileSync(bad, `  .text\n  .globl _start\n_start:\n  li t0, ${CB}\n  li t1, 65\n  sw t1, 0(t0)\n  li t1, 10\n  sw t1, 0(t0)\n  li a7, 999\n  ecall\n`);
    const r = runEvminf(['run', bad]);
    expect(r.status).toBe(125);
    expect(r.stderr.toString()).toMatch(/^A\nevminf: unknown system call 999/);
  });

  test('stderr a closed pipe: the run ends quietly as a broken pipe (141)', async () => {
    const child = spawn(process.execPath, [EVMINF, 'run', join(dir, 'spam.S'), '--model', 'iss'], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.destroy();
    const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
    expect(code).toBe(141);
  });

  test.each(MODELS)('--json gains a devices object (%s); the console is not in the guest capture', (model) => {
    const r = runEvminf(['run', prog, '--model', model, '--json', '--time', '300']);
    expect(r.status).toBe(300 & 0xff);
    expect(r.stderr.toString()).toBe('hi\n');
    const j = JSON.parse(r.stdout.toString()) as { stderr: string; devices: Record<string, { ops: number; errors: number; cycles: number; gas: number; byCommand: Record<string, number>; bytes?: number; dropped?: number }> };
    expect(j.stderr).toBe('');
    expect(j.devices.console).toEqual({ ops: 3, errors: 0, cycles: 0, gas: 0, byCommand: { TX: 3 }, bytes: 3, dropped: 0 });
    expect(j.devices.timer).toEqual({ ops: 0, errors: 0, cycles: 0, gas: 0, byCommand: {} });
    const off = JSON.parse(runEvminf(['run', join(dir, 'spam.S'), '--model', model, '--json', '--no-devices']).stdout.toString()) as { devices: unknown };
    expect(off.devices).toBeNull();
  });

  test('--json devices agree between the models', () => {
    const a = JSON.parse(runEvminf(['run', join(dir, 'spam.S'), '--model', 'iss', '--json']).stdout.toString()) as { devices: unknown; gas: number };
    const b = JSON.parse(runEvminf(['run', join(dir, 'spam.S'), '--model', 'cycle', '--json']).stdout.toString()) as { devices: unknown; gas: number };
    expect(a.devices).toEqual(b.devices);
    expect(a.gas).toBe(b.gas);
  });

  test('--stats prints a line per device after the run', () => {
    const r = runEvminf(['run', prog, '--stats', '--console', join(dir, 'stats.txt')]);
    const lines = r.stderr.toString().split('\n');
    expect(lines).toContain('evminf: device console: 3 ops (TX 3), 0 errors, 0 busy cycles, gas 0, 3 bytes out, 0 dropped');
    expect(lines).toContain('evminf: device timer: 0 ops, 0 errors, 0 busy cycles, gas 0');
    const none = runEvminf(['run', prog, '--stats', '--no-devices']);
    expect(none.stderr.toString()).not.toContain('evminf: device');
  });

  test('a waveform gains the evm.dev scopes after the core\'s signals; the rest is unchanged', () => {
    const loop = join(dir, 'loop.S');
    writeFileSync(loop, '  .text\n  .globl _start\n_start:\n  li a1, 50\n1:\n  addi a1, a1, -1\n  bnez a1, 1b\n  li a7, 93\n  ecall\n');
    const [a, b] = [join(dir, 'with.vcd'), join(dir, 'without.vcd')];
    expect(runEvminf(['run', loop, '--vcd', a]).status).toBe(0);
    expect(runEvminf(['run', loop, '--vcd', b, '--no-devices']).status).toBe(0);
    const w = readFileSync(a, 'utf8').split('\n'), wo = readFileSync(b, 'utf8').split('\n');
    // Drop the dev scope and its ids' value changes from `with`: what is left is `without`.
    const start = w.indexOf('$scope module dev $end');
    expect(start).toBeGreaterThan(w.findIndex((l) => l.includes('$scope module core $end')));
    let depth = 0, end = start;
    for (; end < w.length; end++) {
      if (w[end]!.startsWith('$scope')) depth++;
      else if (w[end]!.startsWith('$upscope') && --depth === 0) break;
    }
    const dev = w.slice(start, end + 1);
    expect(dev.filter((l) => l.startsWith('$var')).map((l) => l.split(' ')[4])).toEqual(expect.arrayContaining(['curtime_lo', 'curtime_hi', 'tx']));
    const ids = new Set(dev.filter((l) => l.startsWith('$var')).map((l) => l.split(' ')[3]));
    const rest = [...w.slice(0, start), ...w.slice(end + 1)].filter((l) => {
      const m = /^(b[01xz]+ |[01xz])(\S+)$/.exec(l);
      return m === null || !ids.has(m[2]!);
    });
    expect(rest).toEqual(wo);
  });
});

describe('evminf step with the standard devices', () => {
  let dir: string;
  beforeAll(() => { dir = tempDir('step-devices'); });
  afterAll(() => removeDir(dir));

  test('the console and the timer are there; their signals can be printed', () => {
    const prog = join(dir, 'prog.S'), script = join(dir, 'script');
    writeFileSync(prog, PROGRAM);
    writeFileSync(script, 'c\np evm.dev.timer.curtime_lo\np evm.dev.console.tx\n');
    const r = runEvminf(['step', prog, '--script', script, '--time', '4660']);
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toContain('evm.dev.timer.curtime_lo = 0x00001234');
    expect(r.stdout.toString()).toContain('evm.dev.console.tx = 0x0a');
    expect(r.stderr.toString()).toBe('hi\n');
    const off = runEvminf(['step', prog, '--script', script, '--no-devices']);
    expect(off.stdout.toString()).toContain('error: no register or signal named evm.dev.timer.curtime_lo');
  });
});
