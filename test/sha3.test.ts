// The Keccak-256 / SHA3-256 unit (peripherals/sha3.ts, docs/peripherals.md): digests against
// @noble/hashes on both models; the latency of the datasheet, cycle by cycle on the bus (a
// result read holds `ready` low exactly until the command is done), with wait states and
// random stalls; the gas formula; DMA faults; the zero response; out of gas at the CMD store;
// the registers as VCD signals.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keccak_256, sha3_256 } from '@noble/hashes/sha3.js';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT_PSET } from '../cpu/machine.js';
import { PermBit } from '../cpu/perm.js';
import { STACK_TOP, type LoadedProgram } from '../cpu/program.js';
import { Cause } from '../cpu/trap.js';
import { DMA_BYTES_PER_CYCLE, Sha3, Sha3Cmd, Sha3Reg, Sha3Status } from '../peripherals/regs.js';
import { Sha3Unit, sha3Cycles, sha3Gas } from '../peripherals/sha3.js';
import { VcdReader } from '../waveforms/vcdread.js';
import { VCD_PERIOD, VcdWriter } from '../waveforms/vcd.js';
import { BusMonitor, LIMITED_PSET, bytesWords, memAt, pokeWords, run, sameMemory, symbol, wordsAt, type Outcome } from './crypto-harness.js';

// The datasheet's formulas, from the constants (docs/peripherals.md, "Keccak-256 / SHA3-256").
const blocks = (len: number): number => Math.floor(len / Sha3.RATE) + 1;
const GAS = (len: number): number => Sha3.GAS_BASE + Sha3.GAS_PER_BLOCK * blocks(len);
const CYCLES = (len: number, dst: boolean): number =>
  Sha3.CYCLES_SETUP + Math.ceil(len / DMA_BYTES_PER_CYCLE) + Sha3.CYCLES_PER_BLOCK * blocks(len) + (dst ? 32 / DMA_BYTES_PER_CYCLE : 0);
const FAULT_GAS = Sha3.GAS_BASE;
const FAULT_CYCLES = Sha3.CYCLES_SETUP;

const hashOf = (cmd: number, msg: Uint8Array): Uint8Array => (cmd === Sha3Cmd.KECCAK256 ? keccak_256(msg) : sha3_256(msg));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** A seeded byte stream (xorshift32). */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) & 0xff; };
}
const bytesFrom = (rnd: () => number, n: number): Uint8Array => Uint8Array.from({ length: n }, rnd);

const BASE = `0x${(Sha3.BASE >>> 0).toString(16)}`;
const NO_CRYPTO = ROOT_PSET & ~PermBit.CRYPTO;

// ---- one command, then reads: the register-level program ----

interface OneOpts { len: number; cmd?: number; dst?: boolean; nops?: number; src?: string; dstAddr?: string; before?: string; after?: string }

/** Program SRC, LEN, DST; write CMD (at `cmd`); `nops` NOPs; read DIGEST word 0, STATUS, DIGEST word 7. */
function oneCommand(o: OneOpts): string {
  return `
  .text
  .globl _start
_start:
  li t0, ${BASE}
  ${o.src ?? 'la t1, msg'}
  sw t1, ${Sha3Reg.SRC}(t0)
  li t2, ${o.len}
  sw t2, ${Sha3Reg.LEN}(t0)
  ${o.dstAddr ?? (o.dst ? 'la t3, out' : 'li t3, 0')}
  sw t3, ${Sha3Reg.DST}(t0)
  li t4, ${o.cmd ?? Sha3Cmd.KECCAK256}
cmd:
  sw t4, ${Sha3Reg.CMD}(t0)
  ${'nop\n  '.repeat(o.nops ?? 0)}
  ${o.before ?? ''}
  lw a0, ${Sha3Reg.DIGEST}(t0)
  lw a1, ${Sha3Reg.STATUS}(t0)
  lw a2, ${Sha3Reg.DIGEST + 28}(t0)
  ${o.after ?? ''}
  li a7, 93
  ecall
  .data
  .balign 4
out: .word 0x5a5a5a5a, 0x5a5a5a5a, 0x5a5a5a5a, 0x5a5a5a5a, 0x5a5a5a5a, 0x5a5a5a5a, 0x5a5a5a5a, 0x5a5a5a5a
msg: .space ${Math.max(4, o.len)}
`;
}

/** The message of the one-command program: `len` seeded bytes poked at `msg`. */
const pokeMsg = (len: number, seed = 7) => {
  const m = bytesFrom(prng(seed), len);
  return { msg: m, setup: (p: LoadedProgram) => memAt(p, symbol(p, 'msg'), len).set(m) };
};

const REG = (off: number): number => (Sha3.BASE + off) >>> 0;

describe('latency on the bus, cycle by cycle (cycle model)', () => {
  // The CMD store's write takes effect at the edge of its `ready` cycle c; the command is done
  // at cycle c + L. A read starting in cycle t is held w = max(waitStates, c + L − t) cycles
  // (docs/peripherals.md, "Ready"); once idle, every access takes the static wait states.
  const cases: [number, boolean, number, number][] = [];
  for (const len of [0, 1, 135, 136, 137, 1000]) for (const dst of [false, true]) cases.push([len, dst, 0, 0]);
  for (const ws of [1, 3]) for (const nops of [0, 7]) cases.push([137, true, nops, ws]);
  // Long enough after CMD that the command is done before the read: only the wait states.
  cases.push([1, false, 80, 3], [0, true, 60, 0]);

  test.each(cases)('LEN %i, DST %s, %i NOPs, waitStates %i: DIGEST held exactly until done, then STATUS at the static wait states', (len, dst, nops, ws) => {
    const { msg, setup } = pokeMsg(len);
    const dev = new Sha3Unit();
    dev.waitStates = ws;
    let mon: BusMonitor | null = null;
    const cyc = run('cycle', oneCommand({ len, dst, nops }), [dev], { setup, tracer: (m) => (mon = new BusMonitor(m)) });
    const iss = run('iss', oneCommand({ len, dst, nops }), [new Sha3Unit()], { setup });
    const L = CYCLES(len, dst);
    const [cmd] = mon!.at(REG(Sha3Reg.CMD), true);
    const [d0] = mon!.at(REG(Sha3Reg.DIGEST), false);
    const [st] = mon!.at(REG(Sha3Reg.STATUS), false);
    const [d7] = mon!.at(REG(Sha3Reg.DIGEST + 28), false);
    expect(cmd!.ready - cmd!.start).toBe(ws);
    expect(d0!.ready - d0!.start).toBe(Math.max(ws, cmd!.ready + L - d0!.start));
    expect(d0!.ready).toBeGreaterThanOrEqual(cmd!.ready + L);
    expect(st!.ready - st!.start).toBe(ws);
    expect(d7!.ready - d7!.start).toBe(ws);
    // The values: the digest's first and last words and STATUS, on both models.
    const want = bytesWords(keccak_256(msg));
    expect([cyc.x[10]! >>> 0, cyc.x[11], cyc.x[12]! >>> 0]).toEqual([want[0], Sha3Status.OK, want[7]]);
    expect(cyc.x).toEqual(iss.x);
    expect(cyc.gas).toBe(iss.gas);
    expect(cyc.retired).toBe(iss.retired);
    expect(dev.stats).toMatchObject({ ops: 1, errors: 0, cycles: L, gas: GAS(len) });
  });

  test.each([[Sha3Reg.STATUS, 'STATUS'], [Sha3Reg.SRC, 'SRC'], [0x3c, 'DIGEST word 7'], [0x100, 'an unlisted offset']] as const)('%i (%s) read first after CMD: held until done as well', (off, _name) => {
    const len = 500;
    const { setup } = pokeMsg(len);
    let mon: BusMonitor | null = null;
    const r = run('cycle', oneCommand({ len, dst: true, before: `lw a3, ${off}(t0)` }), [new Sha3Unit()], { setup, tracer: (m) => (mon = new BusMonitor(m)) });
    const [cmd] = mon!.at(REG(Sha3Reg.CMD), true);
    const first = mon!.done.find((t) => t.start > cmd!.ready)!;
    expect(first.addr).toBe(REG(off));
    expect(first.ready - first.start).toBe(Math.max(0, cmd!.ready + CYCLES(len, true) - first.start));
    expect(first.ready - first.start).toBeGreaterThan(CYCLES(len, true) - 5);
    expect(r.x[11]).toBe(Sha3Status.OK);
  });

  test('a CMD written while the previous command runs waits until it is done', () => {
    const len = 300;
    const { setup } = pokeMsg(len);
    let mon: BusMonitor | null = null;
    const src = oneCommand({ len, dst: true, after: `li t4, ${Sha3Cmd.SHA3_256}\n  sw t4, ${Sha3Reg.CMD}(t0)\n  lw a3, ${Sha3Reg.DIGEST}(t0)` });
    run('cycle', src, [new Sha3Unit()], { setup, tracer: (m) => (mon = new BusMonitor(m)) });
    const [c1, c2] = mon!.at(REG(Sha3Reg.CMD), true);
    const reads = mon!.at(REG(Sha3Reg.DIGEST), false);
    expect(c2!.ready - c2!.start).toBe(0); // the first command was read out (done) before
    const last = reads[reads.length - 1]!;
    expect(last.ready - last.start).toBe(Math.max(0, c2!.ready + CYCLES(len, true) - last.start));
    // Back to back: the second CMD is held until the first is done.
    const b2b = `
  .text
  .globl _start
_start:
  li t0, ${BASE}
  la t1, msg
  sw t1, ${Sha3Reg.SRC}(t0)
  li t2, ${len}
  sw t2, ${Sha3Reg.LEN}(t0)
  li t4, ${Sha3Cmd.KECCAK256}
  sw t4, ${Sha3Reg.CMD}(t0)
  sw t4, ${Sha3Reg.CMD}(t0)
  lw a0, ${Sha3Reg.STATUS}(t0)
  li a7, 93
  ecall
  .data
msg: .space ${len}
`;
    let mon2: BusMonitor | null = null;
    const r = run('cycle', b2b, [new Sha3Unit()], { setup, tracer: (m) => (mon2 = new BusMonitor(m)) });
    const [a, b] = mon2!.at(REG(Sha3Reg.CMD), true);
    const [s] = mon2!.at(REG(Sha3Reg.STATUS), false);
    expect(b!.ready - b!.start).toBe(Math.max(0, a!.ready + CYCLES(len, false) - b!.start));
    expect(b!.ready - b!.start).toBeGreaterThan(0);
    expect(s!.ready - s!.start).toBe(Math.max(0, b!.ready + CYCLES(len, false) - s!.start));
    expect(r.x[10]).toBe(Sha3Status.OK);
  });

  test.each([1, 2, 3, 4, 5, 6])('random stalls (seed %i): the read waits the formula plus 0..R, values, gas and retired unchanged', (seed) => {
    const len = 200, R = 3, ws = 1;
    const { setup } = pokeMsg(len);
    const mk = () => { const d = new Sha3Unit(); d.waitStates = ws; return d; };
    const base = run('cycle', oneCommand({ len, dst: true, nops: 2 }), [mk()], { setup });
    let mon: BusMonitor | null = null;
    const r = run('cycle', oneCommand({ len, dst: true, nops: 2 }), [mk()], { setup, randomStalls: R, seed, tracer: (m) => (mon = new BusMonitor(m)) });
    const [cmd] = mon!.at(REG(Sha3Reg.CMD), true);
    const [d0] = mon!.at(REG(Sha3Reg.DIGEST), false);
    const extra = d0!.ready - d0!.start - Math.max(ws, cmd!.ready + CYCLES(len, true) - d0!.start);
    expect(extra).toBeGreaterThanOrEqual(0);
    expect(extra).toBeLessThanOrEqual(R);
    expect(r.end).toEqual(base.end);
    expect(r.x).toEqual(base.x);
    expect(r.gas).toBe(base.gas);
    expect(r.retired).toBe(base.retired);
    expect(r.cycles).not.toBe(base.cycles);
  });
});

// ---- many commands from a table: program level and the oracle ----

interface Entry { cmd: number; msg: Uint8Array; dst: boolean; src?: number }

/**
 * A loop over a table of (SRC, LEN, DST, CMD) entries: each command's STATUS and its DIGEST
 * words, read through the registers, stored to `stout` / `regout`; DST (when set) is the
 * entry's slot in `dstout`. The table and the messages are poked in before the run.
 */
function tableProgram(n: number, msgBytes: number): string {
  const copy = Array.from({ length: 8 }, (_, k) => `lw t1, ${Sha3Reg.DIGEST + 4 * k}(t0)\n  sw t1, ${4 * k}(s2)`).join('\n  ');
  return `
  .text
  .globl _start
_start:
  li t0, ${BASE}
  la s0, table
  li s1, ${n}
  la s2, regout
  la s3, stout
loop:
  beqz s1, done
  lw t1, 0(s0)
  sw t1, ${Sha3Reg.SRC}(t0)
  lw t1, 4(s0)
  sw t1, ${Sha3Reg.LEN}(t0)
  lw t1, 8(s0)
  sw t1, ${Sha3Reg.DST}(t0)
  lw t1, 12(s0)
  sw t1, ${Sha3Reg.CMD}(t0)
  lw t1, ${Sha3Reg.STATUS}(t0)
  sw t1, 0(s3)
  ${copy}
  addi s0, s0, 16
  addi s2, s2, 32
  addi s3, s3, 4
  addi s1, s1, -1
  j loop
done:
  li a0, 0
  li a7, 93
  ecall
  .data
  .balign 4
table: .space ${16 * n}
regout: .space ${32 * n}
stout: .space ${4 * n}
dstout: .space ${32 * n}
msgs: .space ${Math.max(4, msgBytes)}
`;
}

interface TableRun { r: Outcome; status: number[]; regout: Uint8Array[]; dstout: Uint8Array[]; dev: Sha3Unit }

function runTable(model: 'iss' | 'cycle', entries: readonly Entry[], o: { pset?: number; dev?: Sha3Unit } = {}): TableRun {
  const total = entries.reduce((a, e) => a + e.msg.length, 0);
  const dev = o.dev ?? new Sha3Unit();
  const r = run(model, tableProgram(entries.length, total), [dev], {
    pset: o.pset,
    setup: (p) => {
      let at = symbol(p, 'msgs');
      const dstout = symbol(p, 'dstout');
      const words: number[] = [];
      entries.forEach((e, i) => {
        memAt(p, at, e.msg.length).set(e.msg);
        words.push(e.src ?? at, e.msg.length, e.dst ? dstout + 32 * i : 0, e.cmd);
        at += e.msg.length;
      });
      pokeWords(p, symbol(p, 'table'), words);
    },
  });
  const p = r.prog, n = entries.length;
  const slice = (name: string, i: number) => memAt(p, symbol(p, name) + 32 * i, 32).slice();
  return { r, dev, status: wordsAt(p, symbol(p, 'stout'), n), regout: entries.map((_, i) => slice('regout', i)), dstout: entries.map((_, i) => slice('dstout', i)) };
}

function expectSameRun(a: TableRun, b: TableRun): void {
  expect(a.r.end).toEqual({ kind: 'exit', code: 0 });
  expect(b.r.end).toEqual(a.r.end);
  expect(b.r.x).toEqual(a.r.x);
  expect(b.r.gas).toBe(a.r.gas);
  expect(b.r.retired).toBe(a.r.retired);
  expect(b.status).toEqual(a.status);
  expect(b.regout.map(hex)).toEqual(a.regout.map(hex));
  expect(b.dstout.map(hex)).toEqual(a.dstout.map(hex));
  expect(b.dev.stats).toEqual(a.dev.stats);
  expect(sameMemory(a.r.prog, b.r.prog).filter(([, same]) => !same)).toEqual([]);
}

describe('programs on both models', () => {
  const rnd = prng(11);
  const lengths = [0, 1, 135, 136, 137, 1000];
  const entries: Entry[] = [];
  for (const len of lengths) for (const cmd of [Sha3Cmd.KECCAK256, Sha3Cmd.SHA3_256]) entries.push({ cmd, msg: bytesFrom(rnd, len), dst: entries.length % 3 !== 0 });

  test('messages of 0, 1, 135, 136, 137 and 1000 bytes: the digests of @noble/hashes in DIGEST and at DST; same registers, memory, gas, retired', () => {
    const iss = runTable('iss', entries), cyc = runTable('cycle', entries);
    expectSameRun(iss, cyc);
    entries.forEach((e, i) => {
      const want = hex(hashOf(e.cmd, e.msg));
      expect(iss.status[i]).toBe(Sha3Status.OK);
      expect(hex(iss.regout[i]!), `entry ${i}`).toBe(want);
      expect(hex(iss.dstout[i]!)).toBe(e.dst ? want : '00'.repeat(32));
    });
    // Known answers, to be independent of the oracle library: the empty message.
    expect(hex(iss.regout[0]!)).toBe('c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    expect(hex(iss.regout[1]!)).toBe('a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a');
    // Gas: the program's instructions, plus the formula for each command. The same program
    // without CRYPTO retires the same instructions (its accesses get the zero response).
    const plain = runTable('iss', entries, { pset: NO_CRYPTO });
    expect(plain.r.retired).toBe(iss.r.retired);
    expect(iss.r.gas - plain.r.gas).toBe(entries.reduce((a, e) => a + GAS(e.msg.length), 0));
    expect(cyc.dev.stats.cycles).toBe(entries.reduce((a, e) => a + CYCLES(e.msg.length, e.dst), 0));
    expect(cyc.dev.stats.byCommand).toEqual({ KECCAK256: 6, SHA3_256: 6 });
  });

  test('oracle: 240 random messages of 0..600 bytes, both hash kinds, equal @noble/hashes on both models', () => {
    const r2 = prng(2026);
    const many: Entry[] = Array.from({ length: 240 }, (_, i) => {
      const len = i < 8 ? [0, 135, 136, 137, 271, 272, 273, 600][i]! : (r2() | (r2() << 8)) % 601;
      return { cmd: i % 2 ? Sha3Cmd.SHA3_256 : Sha3Cmd.KECCAK256, msg: bytesFrom(r2, len), dst: r2() < 128 };
    });
    const iss = runTable('iss', many), cyc = runTable('cycle', many);
    expectSameRun(iss, cyc);
    let mismatches = 0;
    many.forEach((e, i) => {
      const want = hex(hashOf(e.cmd, e.msg));
      if (iss.status[i] !== Sha3Status.OK || hex(iss.regout[i]!) !== want || (e.dst && hex(iss.dstout[i]!) !== want)) mismatches++;
    });
    expect(mismatches).toBe(0);
    expect(iss.dev.stats).toMatchObject({ ops: 240, errors: 0 });
  });

  test('an undefined command code: BAD_COMMAND, DIGEST kept, no gas, DST untouched', () => {
    const e = [{ cmd: Sha3Cmd.KECCAK256, msg: bytesFrom(prng(3), 10), dst: true }, { cmd: 7, msg: bytesFrom(prng(4), 10), dst: true }];
    const iss = runTable('iss', e), cyc = runTable('cycle', e);
    expectSameRun(iss, cyc);
    expect(iss.status).toEqual([Sha3Status.OK, Sha3Status.BAD_COMMAND]);
    expect(hex(iss.regout[1]!)).toBe(hex(iss.regout[0]!)); // DIGEST keeps the last digest
    expect(hex(iss.dstout[1]!)).toBe('00'.repeat(32));
    const plain = runTable('iss', e, { pset: NO_CRYPTO });
    expect(iss.r.gas - plain.r.gas).toBe(GAS(10));
  });

  test('a DMA_FAULT after a good command clears DIGEST and costs GAS_BASE', () => {
    const e = [{ cmd: Sha3Cmd.KECCAK256, msg: bytesFrom(prng(5), 50), dst: true }, { cmd: Sha3Cmd.SHA3_256, msg: bytesFrom(prng(6), 50), dst: true, src: 0x5000_0000 }];
    const iss = runTable('iss', e), cyc = runTable('cycle', e);
    expectSameRun(iss, cyc);
    expect(iss.status).toEqual([Sha3Status.OK, Sha3Status.DMA_FAULT]);
    expect(hex(iss.regout[0]!)).toBe(hex(keccak_256(e[0]!.msg)));
    expect(hex(iss.regout[1]!)).toBe('00'.repeat(32));
    expect(hex(iss.dstout[1]!)).toBe('00'.repeat(32));
    const plain = runTable('iss', e, { pset: NO_CRYPTO });
    expect(iss.r.gas - plain.r.gas).toBe(GAS(50) + FAULT_GAS);
    expect(cyc.dev.stats.cycles).toBe(CYCLES(50, true) + FAULT_CYCLES);
  });
});

describe('the cost formulas', () => {
  test('gas and cycles are integers below 2^31 for every LEN up to 2^32 − 1; the device uses the datasheet formula', () => {
    for (const len of [0, 1, 135, 136, 137, 1000, 2 ** 31, 2 ** 32 - 1]) {
      for (const dst of [false, true]) expect(sha3Cycles(len, dst)).toBe(CYCLES(len, dst));
      expect(sha3Gas(len)).toBe(GAS(len));
    }
    const worst = [sha3Gas(2 ** 32 - 1), sha3Cycles(2 ** 32 - 1, true)];
    for (const w of worst) {
      expect(Number.isInteger(w)).toBe(true);
      expect(w).toBeLessThan(2 ** 31);
    }
    expect(worst).toEqual([757_935_438, 1_831_677_242]);
  });
});

// ---- faults, permissions, gas ----

describe.each(['iss', 'cycle'] as const)('faults and permissions on the %s', (model) => {
  const len = 40;

  function faulted(o: Omit<OneOpts, 'len'>, pset?: number): { r: Outcome; dev: Sha3Unit; out: string } {
    const { setup } = pokeMsg(len);
    const dev = new Sha3Unit();
    const r = run(model, oneCommand({ ...o, len }), [dev], { setup, pset });
    return { r, dev, out: hex(memAt(r.prog, symbol(r.prog, 'out'), 32)) };
  }
  const UNTOUCHED = '5a'.repeat(32);

  test.each([
    ['SRC outside the frame', { src: 'li t1, 0x50000000', dst: true }],
    ['SRC straddling the end of the stack', { src: `li t1, 0x${(STACK_TOP - 20).toString(16)}`, dst: true }],
    ['DST in read-only code', { dstAddr: 'la t3, _start' }],
    ['DST outside the frame', { dstAddr: 'li t3, 0x50000000' }],
    ['DST in device space', { dstAddr: `li t3, ${BASE}` }],
  ] as const)('%s: DMA_FAULT, DIGEST 0, nothing written, GAS_BASE and CYCLES_SETUP only', (_what, o) => {
    const f = faulted(o);
    expect(f.r.end).toEqual({ kind: 'exit', code: 0 });
    expect(f.r.x.slice(10, 13)).toEqual([0, Sha3Status.DMA_FAULT, 0]);
    expect(f.out).toBe(UNTOUCHED);
    expect(f.dev.stats).toMatchObject({ ops: 1, errors: 1, gas: FAULT_GAS, cycles: FAULT_CYCLES });
    const plain = faulted(o, NO_CRYPTO);
    expect(f.r.gas - plain.r.gas).toBe(FAULT_GAS);
    const code = f.r.prog.mem.regions.find((g) => g.base <= symbol(f.r.prog, '_start') && symbol(f.r.prog, '_start') < g.end)!;
    const fresh = run(model, oneCommand({ ...o, len }), [new Sha3Unit()], { pset: NO_CRYPTO });
    expect(hex(code.u8)).toBe(hex(fresh.prog.mem.regions.find((g) => g.base === code.base)!.u8));
  });

  test('SRC outside the frame but LEN 0: SRC is not read, the empty message is hashed', () => {
    const f = faulted({ src: 'li t1, 0x50000000', dst: true });
    expect(f.r.x[11]).toBe(Sha3Status.DMA_FAULT);
    const { setup } = pokeMsg(0);
    const r = run(model, oneCommand({ len: 0, src: 'li t1, 0x50000000', dst: true }), [new Sha3Unit()], { setup });
    expect(r.x[11]).toBe(Sha3Status.OK);
    expect(hex(memAt(r.prog, symbol(r.prog, 'out'), 32))).toBe(hex(keccak_256(new Uint8Array(0))));
  });

  test('a frame without CRYPTO gets the zero response: reads 0, nothing changes, no gas', () => {
    const f = faulted({ dst: true }, NO_CRYPTO);
    expect(f.r.end).toEqual({ kind: 'exit', code: 0 });
    expect(f.r.x.slice(10, 13)).toEqual([0, 0, 0]);
    expect(f.out).toBe(UNTOUCHED);
    expect(f.dev.stats.ops).toBe(0);
    for (let off = 0; off < Sha3.SIZE; off += 4) expect(f.dev.read(REG(off), 15)).toBe(0);
  });

  // A child frame is handed its parent's message address and points the unit at it.
  const CHILD = (pset: number): string => `
  .text
  .globl _start
_start:
  la t1, msg
  la t2, inbuf
  sw t1, 0(t2)
  la s0, desc
  eval a2, s0
  la t2, output
  lw a3, 0(t2)
  lw a4, 4(t2)
  li t0, ${BASE}
  lw a5, ${Sha3Reg.STATUS}(t0)
  li a7, 93
  ecall
child:
  lw t1, 0(a0)
  li t0, ${BASE}
  sw t1, ${Sha3Reg.SRC}(t0)
  li t2, 32
  sw t2, ${Sha3Reg.LEN}(t0)
  sw zero, ${Sha3Reg.DST}(t0)
  li t2, ${Sha3Cmd.KECCAK256}
  sw t2, ${Sha3Reg.CMD}(t0)
  lw t3, ${Sha3Reg.STATUS}(t0)
  lw t4, ${Sha3Reg.DIGEST}(t0)
  addi sp, sp, -16
  sw t3, 0(sp)
  sw t4, 4(sp)
  mv a0, sp
  li a1, 8
  return a0, a1
child_end:
  .data
  .balign 4
desc: .word ${pset}, child, child_end - child, inbuf, 4, output, 8, 100000, 0, 0, 64, 0, 0
inbuf: .word 0
output: .word 0, 0
msg: .word 1, 2, 3, 4, 5, 6, 7, 8
`;

  test("a child cannot hash its parent's memory: DMA_FAULT, DIGEST 0", () => {
    const dev = new Sha3Unit();
    const r = run(model, CHILD(PermBit.CRYPTO), [dev]);
    expect(r.x[12]).toBe(0); // EVAL SUCCESS
    expect([r.x[13], r.x[14]]).toEqual([Sha3Status.DMA_FAULT, 0]);
    expect(dev.stats).toMatchObject({ ops: 1, errors: 1 });
    expect(r.x[15]).toBe(0); // the frame switch reset the device: the parent reads STATUS 0
  });

  test('a child without CRYPTO gets zeros and the unit sees nothing', () => {
    const dev = new Sha3Unit();
    const r = run(model, CHILD(0), [dev]);
    expect(r.x[12]).toBe(0);
    expect([r.x[13], r.x[14]]).toEqual([0, 0]);
    expect(dev.stats.ops).toBe(0);
  });
});

describe('out of gas at the CMD store', () => {
  test.each([[0, false], [137, true], [1000, true]] as const)('LEN %i (DST %s): cause 24 at the store on both models, identical gas, registers unchanged', (len, dst) => {
    const { setup } = pokeMsg(len);
    const src = oneCommand({ len, dst });
    const full = run('iss', src, [new Sha3Unit()], { setup, pset: LIMITED_PSET, gas: 10_000_000 });
    expect(full.end).toEqual({ kind: 'exit', code: full.x[10]! & 0xff });
    // Everything up to the store fits, the command's gas does not (the few instructions
    // after the store cost less than it).
    const limit = full.gas - GAS(len);
    const ends = (['iss', 'cycle'] as const).map((model) => {
      const dev = new Sha3Unit();
      const r = run(model, src, [dev], { setup, pset: LIMITED_PSET, gas: limit });
      expect(r.end).toMatchObject({ kind: 'trap', cause: Cause.OUT_OF_GAS, pc: symbol(r.prog, 'cmd') });
      expect(dev.stats.ops).toBe(0);
      expect(dev.read(REG(Sha3Reg.CMD), 15)).toBe(0);
      expect(dev.read(REG(Sha3Reg.STATUS), 15)).toBe(0);
      for (let k = 0; k < 8; k++) expect(dev.read(REG(Sha3Reg.DIGEST + 4 * k), 15)).toBe(0);
      expect(dev.read(REG(Sha3Reg.LEN), 15)).toBe(len);
      expect(hex(memAt(r.prog, symbol(r.prog, 'out'), 32))).toBe('5a'.repeat(32));
      return r;
    });
    expect(ends[1]!.end).toEqual(ends[0]!.end);
    expect(ends[1]!.gas).toBe(ends[0]!.gas);
    expect(ends[1]!.x).toEqual(ends[0]!.x);
    expect(ends[1]!.retired).toBe(ends[0]!.retired);
    // With the whole gas it runs to its end on the cycle model too.
    const ok = run('cycle', src, [new Sha3Unit()], { setup, pset: LIMITED_PSET, gas: full.gas });
    expect(ok.end).toEqual(full.end);
    expect(ok.gas).toBe(full.gas);
  });
});

describe('registers as signals', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evminf-sha3-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the VCD shows evm.dev.sha3.* with the digest words, STATUS and a busy pulse of the command\'s cycles', async () => {
    const len = 150;
    const { msg, setup } = pokeMsg(len);
    const prog = oneCommand({ len, dst: true, nops: 3 });
    const parts: Buffer[] = [];
    let w: VcdWriter | null = null;
    const r = run('cycle', prog, [new Sha3Unit()], { setup, tracer: (m) => { w = new VcdWriter(m.sig, (b) => { parts.push(Buffer.from(b)); }); w.cycle(m.cycles, m.v); return w; } });
    expect(r.x[11]).toBe(Sha3Status.OK);
    w!.close();
    const path = join(dir, 'sha3.vcd');
    writeFileSync(path, Buffer.concat(parts));
    const vcd = await VcdReader.open(path);
    try {
      const names = vcd.vars.map((v) => v.name).filter((n) => n.startsWith('evm.dev.sha3.'));
      for (const n of ['cmd', 'status', 'src', 'len', 'dst', 'busy', 'done_at', ...Array.from({ length: 8 }, (_, k) => `digest${k}`)]) expect(names).toContain(`evm.dev.sha3.${n}`);
      const last = new Map<string, bigint>();
      const busy = vcd.get('evm.dev.sha3.busy')!;
      const edges: { t: number; v: bigint }[] = [];
      for (let b = vcd.next(); b !== null; b = vcd.next()) {
        for (const c of b.changes) {
          last.set(c.id, c.value);
          if (c.id === busy.id && Number(b.time) > 0) edges.push({ t: Number(b.time) / VCD_PERIOD, v: c.value });
        }
      }
      const val = (n: string) => last.get(vcd.get(`evm.dev.sha3.${n}`)!.id);
      const want = bytesWords(keccak_256(msg));
      for (let k = 0; k < 8; k++) expect(val(`digest${k}`), `digest${k}`).toBe(BigInt(want[k]!));
      expect(val('len')).toBe(BigInt(len));
      expect(val('cmd')).toBe(BigInt(Sha3Cmd.KECCAK256));
      expect(val('status')).toBe(BigInt(Sha3Status.OK));
      expect(edges.map((e) => e.v)).toEqual([1n, 0n]);
      expect(edges[1]!.t - edges[0]!.t).toBe(CYCLES(len, true));
    } finally {
      vcd.close();
    }
  });
});
