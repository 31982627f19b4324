// The hard drive on LevelDB (bin/store-level.ts): `evminf run --db DIR` commits what a run wrote
// as one batch when it ends; `evminf db ls / get` read the store; a process killed with SIGKILL
// in the middle of its commit leaves exactly the state of the last completed run; bad, locked
// and corrupt stores give one line and a non-zero exit.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { afterAll, describe, expect, test } from 'vitest';
import { EXIT } from '../cpu/exit-codes.js';
import { Hdd, HddCmd, HddReg } from '../peripherals/regs.js';
import { COMMIT_NOTICE_BYTES, LevelStore } from '../bin/store-level.js';
import { EVMINF, runEvminf as runBytes } from './c/build.js';

/** evminf with text output. */
function runEvminf(args: readonly string[]): { code: number; stdout: string; stderr: string } {
  const r = runBytes(args);
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

const dir = mkdtempSync(join(tmpdir(), 'evminf-hdd-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const path = (name: string): string => join(dir, name);
const write = (src: string): string => { const p = path(`p${files++}.S`); writeFileSync(p, src); return p; };
const hex = (b: Uint8Array): string => '0x' + Buffer.from(b).toString('hex');

/** Value i of a writer with `seed`: its first word seed * 1,000,000 + i, then zeros. */
function value(seed: number, i: number, size: number): Uint8Array {
  const v = new Uint8Array(size);
  new DataView(v.buffer).setUint32(0, seed * 1_000_000 + i, true);
  return v;
}

const EXIT_SEQ = '  li a7, 93\n  ecall\n';

/** PUT n values of `size` bytes (value(seed, i, size)); exit 0, or 1 when a PUT failed. */
function writer(seed: number, n: number, size: number): string {
  return `
  .text
  .globl _start
_start:
  li t6, 0x${Hdd.BASE.toString(16)}
  la s0, buf
  li s2, 0
  li s3, ${n}
loop:
  li t0, ${seed * 1_000_000}
  add t0, t0, s2
  sw t0, 0(s0)
  sw s0, ${HddReg.VAL}(t6)
  li t0, ${size}
  sw t0, ${HddReg.VALLEN}(t6)
  li t0, ${HddCmd.PUT}
  sw t0, ${HddReg.CMD}(t6)
  lw t0, ${HddReg.STATUS}(t6)
  bnez t0, fail
  addi s2, s2, 1
  blt s2, s3, loop
  li a0, 0
${EXIT_SEQ}fail:
  li a0, 1
${EXIT_SEQ}
  .bss
  .balign 4
buf: .space ${size}
`;
}

/**
 * INVSHA3 each hash; exit 0 when every preimage is `size` bytes with first word seed * 1e6 + i,
 * else 10 + the index of the first that is not (or 137 when one is not held at all).
 */
function reader(seed: number, n: number, size: number, first = 0): string {
  const hashes = Array.from({ length: n }, (_, i) => Array.from(keccak_256(value(seed, first + i, size))).join(', '));
  return `
  .text
  .globl _start
_start:
  li t6, 0x${Hdd.BASE.toString(16)}
  la s0, hashes
  la s1, out
  li s2, 0
  li s3, ${n}
loop:
  li t2, 0
copy:
  add t3, s0, t2
  lw t0, 0(t3)
  add t4, t6, t2
  sw t0, ${HddReg.HASH}(t4)
  addi t2, t2, 4
  li t3, 32
  blt t2, t3, copy
  sw s1, ${HddReg.OUT}(t6)
  li t0, ${size}
  sw t0, ${HddReg.OUTCAP}(t6)
  li t0, ${HddCmd.INVSHA3}
  sw t0, ${HddReg.CMD}(t6)
  lw t0, ${HddReg.STATUS}(t6)
  bnez t0, bad
  lw t0, ${HddReg.OUTLEN}(t6)
  li t1, ${size}
  bne t0, t1, bad
  lw t0, 0(s1)
  li t1, ${seed * 1_000_000 + first}
  add t1, t1, s2
  bne t0, t1, bad
  addi s0, s0, 32
  addi s2, s2, 1
  blt s2, s3, loop
  li a0, 0
${EXIT_SEQ}bad:
  addi a0, s2, 10
${EXIT_SEQ}
  .data
  .balign 4
hashes: .byte ${hashes.join(', ')}
  .bss
  .balign 4
out: .space ${size}
`;
}

interface DbList { meta: { runs: number; last: { nodes: number; bytes: number } | null }; nodes: { hash: string; size: number }[]; count: number; bytes: number }

function ls(db: string): DbList {
  const r = runEvminf(['db', 'ls', '--db', db, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as DbList;
}

const hashesOf = (seed: number, n: number, size: number, first = 0): string[] =>
  Array.from({ length: n }, (_, i) => hex(keccak_256(value(seed, first + i, size)))).sort();

describe('evminf run --db', () => {
  test('a run commits its nodes and the meta record; the next run (both models) reads them; db ls and db get', () => {
    const db = path('basic');
    const w = runEvminf(['run', write(writer(7, 20, 48)), '--db', db, '--model', 'iss']);
    expect(w.stderr).toBe('');
    expect(w.code).toBe(0);
    const l = ls(db);
    expect(l.meta.runs).toBe(1);
    expect(l.meta.last).toMatchObject({ nodes: 20, bytes: 20 * 48 });
    expect(l.nodes.map((n) => n.hash)).toEqual(hashesOf(7, 20, 48));
    expect(l.nodes.every((n) => n.size === 48)).toBe(true);
    expect([l.count, l.bytes]).toEqual([20, 960]);
    const text = runEvminf(['db', 'ls', '--db', db]);
    expect(text.stdout.split('\n').filter((s) => s.startsWith('0x'))).toEqual(l.nodes.map((n) => `${n.hash} 48`));
    expect(text.stdout).toMatch(/^# 1 run committed; the last: .*p\d+\.S, 20 nodes, 960 bytes/);
    for (const model of ['cycle', 'iss']) {
      const r = runEvminf(['run', write(reader(7, 20, 48)), '--db', db, '--model', model]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    expect(ls(db).meta.runs).toBe(3);
    const h = hashesOf(7, 1, 48, 5)[0]!;
    const g = runEvminf(['db', 'get', h, '--db', db]);
    expect(g.code).toBe(0);
    expect(g.stdout).toBe(hex(value(7, 5, 48)) + '\n');
    const missing = runEvminf(['db', 'get', hex(keccak_256(new Uint8Array(1))), '--db', db]);
    expect(missing.code).toBe(EXIT.DATA_UNAVAILABLE);
    expect(missing.stderr).toMatch(/^evminf: db get: 0x[0-9a-f]{64} not held in .*\n$/);
    expect(missing.stdout).toBe('');
  });

  test('DATA UNAVAILABLE through the CLI: exit 137, one line naming the preimage', () => {
    const db = path('unavail');
    const want = hex(keccak_256(value(9, 0, 16)));
    for (const model of ['cycle', 'iss']) {
      const r = runEvminf(['run', write(reader(9, 1, 16)), '--db', db, '--model', model]);
      expect(r.code).toBe(EXIT.DATA_UNAVAILABLE);
      expect(r.stderr).toBe(`evminf: data unavailable: preimage ${want} not held (unwound 0 frames)\n`);
    }
  });

  test('bad, missing, locked and corrupt stores: one line, non-zero exit, no stack trace', async () => {
    const prog = write(writer(1, 1, 8));
    const file = path('a-file');
    writeFileSync(file, 'not a db');
    const cases: [string[], number, RegExp][] = [
      [['run', prog, '--db', file], EXIT.NO_FILE, /^evminf: --db .*a-file: not a directory\n$/],
      [['run', prog, '--db', join(file, 'below')], EXIT.NO_FILE, /^evminf: --db .*below: not a directory\n$/],
      [['db', 'ls', '--db', path('never-made')], EXIT.NO_FILE, /^evminf: --db .*never-made: no database there\n$/],
      [['db', 'get', '0x12', '--db', path('never-made')], EXIT.USAGE, /^evminf: db get: a hash is 0x and 64 hex digits, not '0x12'\n$/],
      [['run', prog, '--db', ''], EXIT.USAGE, /^evminf: --db needs a DIR\n$/],
      [['db', 'ls'], EXIT.USAGE, /^evminf: Missing required argument: db\n$/],
    ];
    for (const [args, code, msg] of cases) {
      const r = runEvminf(args);
      expect(r.stderr, args.join(' ')).toMatch(msg);
      expect(r.code, args.join(' ')).toBe(code);
    }
    // Corrupt: LevelDB's CURRENT file overwritten.
    const bad = path('corrupt');
    expect(runEvminf(['run', prog, '--db', bad]).code).toBe(0);
    writeFileSync(join(bad, 'CURRENT'), 'garbage');
    for (const args of [['run', prog, '--db', bad], ['db', 'ls', '--db', bad]]) {
      const r = runEvminf(args);
      expect(r.stderr).toMatch(/^evminf: --db .*corrupt: the database is corrupt \(.*\)\n$/);
      expect(r.code).toBe(EXIT.BAD_INPUT);
    }
    // Locked: another process holds it (a run that spins until killed).
    const locked = path('locked');
    const spin = write('  .text\n  .globl _start\n_start:\n  j _start\n');
    const holder = spawn(process.execPath, [EVMINF, 'run', spin, '--model', 'iss', '--db', locked], { stdio: 'ignore' });
    try {
      // Wait until the holder has made (and so opened) the db.
      for (let t = 0; t < 200; t++) {
        try {
          const s = await LevelStore.open(locked, false);
          await s.close();
        } catch (e) {
          if (/in use by another process/.test(String((e as Error).message))) break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      for (const args of [['run', prog, '--db', locked], ['db', 'ls', '--db', locked]]) {
        const r = runEvminf(args);
        expect(r.stderr).toMatch(/^evminf: --db .*locked: the database is in use by another process\n$/);
        expect(r.code).toBe(EXIT.BAD_INPUT);
      }
    } finally {
      holder.kill('SIGKILL');
    }
  });
});

describe('evminf run --db: the command line and the program are checked first', () => {
  test.each([
    ['a missing program', (d: string) => ['run', path('missing.S'), '--db', d], EXIT.NO_FILE, /missing\.S/],
    ['a program that does not assemble', (d: string) => ['run', write('  bogus x1\n'), '--db', d], EXIT.BAD_INPUT, /bogus/],
    ['--no-devices', (d: string) => ['run', write(`  .globl _start\n_start:\n${EXIT_SEQ}`), '--db', d, '--no-devices'], EXIT.USAGE, /--db needs the devices/],
  ])('%s: one line, the right exit code, and no store created', (_what, args, code, message) => {
    const d = path(`never-${files++}`);
    const r = runEvminf(args(d));
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(d)).toBe(false);
  });
});

describe('a run killed during its commit', () => {
  test('SIGKILL in the middle of a large commit: the db holds exactly the last completed run', async () => {
    const db = path('killed');
    // Run A completes: 50 small values.
    const a = runEvminf(['run', write(writer(1, 50, 64)), '--db', db, '--model', 'iss']);
    expect(a.code).toBe(0);
    expect(ls(db).nodes.map((n) => n.hash)).toEqual(hashesOf(1, 50, 64));
    // Run B writes 16 values of 4 MiB (64 MiB: its synced batch takes a while) and is killed
    // when it says its commit started.
    const size = 4 << 20, n = 16;
    expect(n * size).toBeGreaterThan(COMMIT_NOTICE_BYTES);
    const child = spawn(process.execPath, [EVMINF, 'run', write(writer(2, n, size)), '--db', db, '--model', 'iss'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      if (/committing \d+ nodes/.test(err)) child.kill('SIGKILL');
    });
    const end = await ended;
    expect(err).toMatch(new RegExp(`^evminf: db: committing ${n} nodes \\(${n * size} bytes\\) to `));
    // Killed by the signal, not ended by itself: the commit had not returned.
    expect(end).toEqual({ code: null, signal: 'SIGKILL' });
    // Restarted: exactly run A's state — all its nodes, none of B's, its meta record.
    const l = ls(db);
    expect(l.nodes.map((x) => x.hash)).toEqual(hashesOf(1, 50, 64));
    expect(l.meta.runs).toBe(1);
    expect(l.meta.last).toMatchObject({ nodes: 50, bytes: 50 * 64 });
    const r = runEvminf(['run', write(reader(1, 50, 64)), '--db', db]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const b = runEvminf(['run', write(reader(2, 1, size, n - 1)), '--db', db, '--model', 'iss']);
    expect(b.code).toBe(EXIT.DATA_UNAVAILABLE);
    // And the store takes the next run whole.
    const c = runEvminf(['run', write(writer(3, 5, 64)), '--db', db, '--model', 'iss']);
    expect(c.code).toBe(0);
    expect(ls(db).nodes.map((x) => x.hash)).toEqual([...hashesOf(1, 50, 64), ...hashesOf(3, 5, 64)].sort());
  });
});
