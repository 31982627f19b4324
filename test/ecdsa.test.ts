// The ECDSA secp256k1 recovery unit (peripherals/ecdsa.ts, docs/peripherals.md): signers of
// signatures made by @noble/curves recovered through the device on both models; each rejection
// status with its documented inputs (EIP-2 high s, r off the curve, the key at infinity);
// random garbage never throws; the fixed latency on the bus, cycle by cycle; the fixed gas;
// DMA faults, the zero response, out of gas at the CMD store; and a C program using the
// generated header with both crypto units.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { keccak_256, sha3_256 } from '@noble/hashes/sha3.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CallManager } from '../cpu/frames.js';
import { LinuxHost } from '../cpu/host.js';
import { createModel, ROOT_PSET } from '../cpu/machine.js';
import { PermBit } from '../cpu/perm.js';
import { loadElf, STACK_TOP, type LoadedProgram } from '../cpu/program.js';
import { Cause } from '../cpu/trap.js';
import { EcdsaUnit, recoverSigner } from '../peripherals/ecdsa.js';
import { Ecdsa, EcdsaCmd, EcdsaReg, EcdsaStatus } from '../peripherals/regs.js';
import { Sha3Unit } from '../peripherals/sha3.js';
import { CC, CFLAGS, C_DIR, compile, removeDir, tempDir } from './c/build.js';
import { BusMonitor, LIMITED_PSET, bytesWords, memAt, pokeWords, run, sameMemory, symbol, wordsAt, type Outcome } from './crypto-harness.js';
import { describeWithTools } from './tools.js';

const Point = secp256k1.Point;
const N = Point.Fn.ORDER;

// The datasheet's figures (docs/peripherals.md, "ECDSA secp256k1").
const CYCLES = (keyWritten: boolean): number => Ecdsa.CYCLES_SETUP + 96 / 4 + Ecdsa.CYCLES + (keyWritten ? 64 / 4 : 0);
const FAULT_CYCLES = Ecdsa.CYCLES_SETUP;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const be32 = (n: bigint): Uint8Array => numberToBytesBE(n, 32);
const BASE = `0x${(Ecdsa.BASE >>> 0).toString(16)}`;
const NO_CRYPTO = ROOT_PSET & ~PermBit.CRYPTO;
const REG = (off: number): number => (Ecdsa.BASE + off) >>> 0;

/** A seeded byte stream (xorshift32). */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) & 0xff; };
}
const bytesFrom = (rnd: () => number, n: number): Uint8Array => Uint8Array.from({ length: n }, rnd);

/** The Ethereum address of a public key (65-byte uncompressed, or a point). */
const addressOf = (pub: Uint8Array): Uint8Array => keccak_256(pub.subarray(1)).slice(12);

interface Signed { hash: Uint8Array; r: bigint; s: bigint; v: number; addr: Uint8Array; key: Uint8Array }

/** A key from `seed`, a signature of a random 32-byte hash (no pre-hashing), Ethereum's v. */
function signed(rnd: () => number): Signed {
  let sk = bytesFrom(rnd, 32);
  while (!secp256k1.utils.isValidSecretKey(sk)) sk = bytesFrom(rnd, 32);
  const hash = bytesFrom(rnd, 32);
  const sig = secp256k1.Signature.fromBytes(secp256k1.sign(hash, sk, { prehash: false, format: 'recovered' }), 'recovered');
  const pub = secp256k1.getPublicKey(sk, false);
  return { hash, r: sig.r, s: sig.s, v: 27 + sig.recovery!, addr: addressOf(pub), key: pub.slice(1) };
}

// ---- the table program: many commands, each's STATUS, ADDR and DST stored ----

interface Entry { hash: Uint8Array; r: bigint; s: bigint; v: number; cmd?: number; dst?: boolean; expect?: Uint8Array; src?: number }

const SRC_REGS = [EcdsaReg.SRC, EcdsaReg.V, EcdsaReg.DST];

/** Table entries: SRC, V, DST, EXPECT (5 words), CMD — 9 words; results to stout / regout / dstout. */
function tableProgram(n: number): string {
  const set = SRC_REGS.map((r, k) => `lw t1, ${4 * k}(s0)\n  sw t1, ${r}(t0)`).join('\n  ');
  const expectSet = Array.from({ length: 5 }, (_, k) => `lw t1, ${12 + 4 * k}(s0)\n  sw t1, ${EcdsaReg.EXPECT + 4 * k}(t0)`).join('\n  ');
  const copy = Array.from({ length: 5 }, (_, k) => `lw t1, ${EcdsaReg.ADDR + 4 * k}(t0)\n  sw t1, ${4 * k}(s2)`).join('\n  ');
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
  ${set}
  ${expectSet}
  lw t1, 32(s0)
  sw t1, ${EcdsaReg.CMD}(t0)
  lw t1, ${EcdsaReg.STATUS}(t0)
  sw t1, 0(s3)
  ${copy}
  addi s0, s0, 36
  addi s2, s2, 20
  addi s3, s3, 4
  addi s1, s1, -1
  j loop
done:
  li a0, 0
  li a7, 93
  ecall
  .data
  .balign 4
table: .space ${36 * n}
regout: .space ${20 * n}
stout: .space ${4 * n}
dstout: .space ${64 * n}
srcs: .space ${96 * n}
`;
}

interface TableRun { r: Outcome; status: number[]; addr: string[]; key: string[]; dev: EcdsaUnit }

function runTable(model: 'iss' | 'cycle', entries: readonly Entry[], pset?: number): TableRun {
  const dev = new EcdsaUnit();
  const r = run(model, tableProgram(entries.length), [dev], {
    pset,
    setup: (p) => {
      const srcs = symbol(p, 'srcs'), dstout = symbol(p, 'dstout');
      const words: number[] = [];
      entries.forEach((e, i) => {
        const m = memAt(p, srcs + 96 * i, 96);
        m.set(e.hash, 0);
        m.set(be32(e.r), 32);
        m.set(be32(e.s), 64);
        words.push(e.src ?? srcs + 96 * i, e.v, e.dst ? dstout + 64 * i : 0, ...bytesWords(e.expect ?? new Uint8Array(20)), e.cmd ?? EcdsaCmd.RECOVER);
      });
      pokeWords(p, symbol(p, 'table'), words);
    },
  });
  const p = r.prog, n = entries.length;
  return {
    r, dev,
    status: wordsAt(p, symbol(p, 'stout'), n),
    addr: entries.map((_, i) => hex(memAt(p, symbol(p, 'regout') + 20 * i, 20))),
    key: entries.map((_, i) => hex(memAt(p, symbol(p, 'dstout') + 64 * i, 64))),
  };
}

function bothModels(entries: readonly Entry[]): TableRun {
  const iss = runTable('iss', entries), cyc = runTable('cycle', entries);
  expect(iss.r.end).toEqual({ kind: 'exit', code: 0 });
  expect(cyc.r.end).toEqual(iss.r.end);
  expect(cyc.r.x).toEqual(iss.r.x);
  expect(cyc.r.gas).toBe(iss.r.gas);
  expect(cyc.r.retired).toBe(iss.r.retired);
  expect(cyc.status).toEqual(iss.status);
  expect(cyc.addr).toEqual(iss.addr);
  expect(cyc.key).toEqual(iss.key);
  expect(cyc.dev.stats).toEqual(iss.dev.stats);
  expect(sameMemory(iss.r.prog, cyc.r.prog).filter(([, same]) => !same)).toEqual([]);
  // Gas: the program's instructions plus GAS per command, whatever its outcome.
  const plain = runTable('iss', entries, NO_CRYPTO);
  expect(plain.r.retired).toBe(iss.r.retired);
  expect(iss.r.gas - plain.r.gas).toBe(Ecdsa.GAS * entries.length);
  return cyc;
}

const ZERO_ADDR = '00'.repeat(20), ZERO_KEY = '00'.repeat(64);

describe('recovery on both models', () => {
  test('oracle: 200 random keys sign with noble (prehash: false); RECOVER gives noble\'s address and key; VERIFY agrees', () => {
    const rnd = prng(99);
    const sigs = Array.from({ length: 200 }, () => signed(rnd));
    const entries: Entry[] = sigs.map((g, i) => ({
      hash: g.hash, r: g.r, s: g.s,
      v: i % 4 === 0 ? g.v - 27 : g.v, // both forms of v
      dst: i % 2 === 0 || i % 6 === 3, // MISMATCH still writes the key
      cmd: i % 3 === 0 ? EcdsaCmd.VERIFY : EcdsaCmd.RECOVER,
      expect: i % 6 === 0 ? g.addr : i % 6 === 3 ? sigs[(i + 1) % 200]!.addr : undefined,
    }));
    const r = bothModels(entries);
    let bad = 0;
    const mismatch = (e: Entry, i: number): boolean => e.cmd === EcdsaCmd.VERIFY && e.expect !== sigs[i]!.addr;
    entries.forEach((e, i) => {
      const g = sigs[i]!;
      const want = mismatch(e, i) ? EcdsaStatus.MISMATCH : EcdsaStatus.OK;
      if (r.status[i] !== want || r.addr[i] !== hex(g.addr) || r.key[i] !== (e.dst ? hex(g.key) : ZERO_KEY)) bad++;
    });
    expect(bad).toBe(0);
    const mismatches = entries.filter(mismatch).length;
    expect(mismatches).toBeGreaterThan(0);
    expect(r.status.filter((s) => s === EcdsaStatus.MISMATCH)).toHaveLength(mismatches);
    expect(r.dev.stats).toMatchObject({ ops: 200, errors: mismatches, cycles: entries.reduce((a, e) => a + CYCLES(e.dst === true), 0) });
  });

  test('a known Ethereum vector: the signer of keccak256("hello") by private key 1 is 0x7e5f…bdf', () => {
    const sk = be32(1n), hash = keccak_256(new TextEncoder().encode('hello'));
    const sig = secp256k1.Signature.fromBytes(secp256k1.sign(hash, sk, { prehash: false, format: 'recovered' }), 'recovered');
    const r = bothModels([{ hash, r: sig.r, s: sig.s, v: 27 + sig.recovery! }]);
    expect(r.status).toEqual([EcdsaStatus.OK]);
    expect(r.addr[0]).toBe('7e5f4552091a69125d5dfcb7b8c2659029395bdf');
  });
});

/** A hash and (r, s, v) whose recovered key is the point at infinity: s·R = h·G, i.e. s = h / k. */
function infinity(rnd: () => number): Entry {
  for (;;) {
    const k = bytesToNumberBE(bytesFrom(rnd, 32)) % N, hash = bytesFrom(rnd, 32);
    if (k === 0n) continue;
    const R = Point.BASE.multiply(k).toAffine();
    const h = bytesToNumberBE(hash) % N;
    const s = (h * modInv(k, N)) % N;
    if (R.x >= N || s === 0n || s > N / 2n) continue;
    return { hash, r: R.x, s, v: 27 + Number(R.y & 1n) };
  }
}

function modInv(a: bigint, m: bigint): bigint {
  let [r0, r1, t0, t1] = [a % m, m, 1n, 0n];
  while (r1 !== 0n) { const q = r0 / r1; [r0, r1] = [r1, r0 - q * r1]; [t0, t1] = [t1, t0 - q * t1]; }
  return ((t0 % m) + m) % m;
}

/** Is `x` the x coordinate of a curve point? (Decided by noble's point decoder.) */
function onCurve(x: bigint): boolean {
  try { Point.fromBytes(Uint8Array.of(2, ...be32(x))); return true; } catch { return false; }
}

describe('malformed signatures: each status, ADDR 0, nothing written, GAS charged', () => {
  const rnd = prng(7);
  const good = signed(rnd);
  let offCurve = 1n;
  while (onCurve(offCurve)) offCurve++;
  const cases: [string, Entry, number][] = [
    ['v = 2', { ...good, v: 2 }, EcdsaStatus.BAD_V],
    ['v = 26', { ...good, v: 26 }, EcdsaStatus.BAD_V],
    ['v = 29', { ...good, v: 29 }, EcdsaStatus.BAD_V],
    ['v = 0x100 + 27', { ...good, v: 0x100 + 27 }, EcdsaStatus.BAD_V],
    ['v = -1', { ...good, v: -1 }, EcdsaStatus.BAD_V],
    ['r = 0', { ...good, r: 0n }, EcdsaStatus.BAD_R],
    ['r = n', { ...good, r: N }, EcdsaStatus.BAD_R],
    ['r = 2^256 - 1', { ...good, r: 2n ** 256n - 1n }, EcdsaStatus.BAD_R],
    ['s = 0', { ...good, s: 0n }, EcdsaStatus.BAD_S],
    ['s = n', { ...good, s: N }, EcdsaStatus.BAD_S],
    ['s = 2^256 - 1', { ...good, s: 2n ** 256n - 1n }, EcdsaStatus.BAD_S],
    ['s = n - s (the high-s twin of a valid signature)', { ...good, s: N - good.s, v: good.v === 27 ? 28 : 27 }, EcdsaStatus.HIGH_S],
    ['s = n/2 + 1', { ...good, s: N / 2n + 1n }, EcdsaStatus.HIGH_S],
    [`r = ${offCurve}, not an x coordinate`, { ...good, r: offCurve }, EcdsaStatus.NO_POINT],
    ['the key at infinity (s·R = h·G)', infinity(rnd), EcdsaStatus.NO_POINT],
    ['BAD_V before BAD_R before BAD_S', { ...good, v: 5, r: 0n, s: 0n }, EcdsaStatus.BAD_V],
    ['BAD_R before BAD_S', { ...good, r: N, s: 0n }, EcdsaStatus.BAD_R],
  ];

  test.each(cases)('%s', (_what, e, status) => {
    // After a good command, so ADDR going back to 0 is seen.
    const r = bothModels([{ ...good, dst: true }, { ...e, dst: true }, { ...e, dst: true, cmd: EcdsaCmd.VERIFY, expect: good.addr }]);
    expect(r.status).toEqual([EcdsaStatus.OK, status, status]);
    expect(r.addr).toEqual([hex(good.addr), ZERO_ADDR, ZERO_ADDR]);
    expect(r.key).toEqual([hex(good.key), ZERO_KEY, ZERO_KEY]);
    // Fixed latency: a rejected command takes the same cycles as a good one without DST.
    expect(r.dev.stats).toMatchObject({ ops: 3, errors: 2, cycles: CYCLES(true) + 2 * CYCLES(false), gas: 3 * Ecdsa.GAS });
  });

  test('s = (n − 1) / 2, the largest low s, is accepted; one more is HIGH_S', () => {
    const lo = recoverSigner(good.hash, good.v, good.r, (N - 1n) / 2n);
    expect(lo.status).toBe(EcdsaStatus.OK);
    expect(hex(lo.addr!)).toBe(hex(reference(good.hash, good.v, good.r, (N - 1n) / 2n).addr!));
    expect(recoverSigner(good.hash, good.v, good.r, (N + 1n) / 2n).status).toBe(EcdsaStatus.HIGH_S);
  });

  test('the smallest r not an x coordinate is found by noble\'s decoder, and the device\'s own check agrees on 300 values', () => {
    let disagree = 0;
    for (let x = 1n; x <= 300n; x++) {
      const st = recoverSigner(good.hash, good.v, x, good.s).status;
      if ((st === EcdsaStatus.NO_POINT) !== !onCurve(x)) disagree++;
    }
    expect(disagree).toBe(0);
  });

  test('1000 random garbage (hash, r, s, v) never throw; each status is what a reference of the rules gives', () => {
    const g = prng(4242);
    const pick = (): bigint => {
      switch (g() % 6) {
        case 0: return 0n;
        case 1: return N - 1n - BigInt(g());
        case 2: return N + BigInt(g());
        case 3: return BigInt(g());
        default: return bytesToNumberBE(bytesFrom(g, 32));
      }
    };
    const vs = [0, 1, 27, 28, 2, 26, 29, 255, -1, 0x7fffffff];
    const counts = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const hash = bytesFrom(g, 32), r = pick(), s = pick(), v = vs[g() % vs.length]!;
      let got;
      expect(() => { got = recoverSigner(hash, v >>> 0, r, s); }).not.toThrow();
      const want = reference(hash, v >>> 0, r, s);
      expect(got!.status).toBe(want.status);
      if (want.addr !== null) expect(hex(got!.addr!)).toBe(hex(want.addr));
      counts.set(want.status, (counts.get(want.status) ?? 0) + 1);
    }
    // The generator reaches every outcome.
    for (const st of [EcdsaStatus.OK, EcdsaStatus.BAD_V, EcdsaStatus.BAD_R, EcdsaStatus.BAD_S, EcdsaStatus.HIGH_S, EcdsaStatus.NO_POINT]) expect(counts.get(st) ?? 0, `status ${st}`).toBeGreaterThan(0);
  });

  test('garbage through the device on both models: same results, never a host exception', () => {
    const g = prng(77);
    const entries: Entry[] = Array.from({ length: 60 }, () => ({
      hash: bytesFrom(g, 32), r: bytesToNumberBE(bytesFrom(g, 32)), s: bytesToNumberBE(bytesFrom(g, 32)) >> BigInt(g() & 1), v: [0, 1, 27, 28, 3][g() % 5]!, dst: g() < 128,
    }));
    const r = bothModels(entries);
    entries.forEach((e, i) => expect(r.status[i]).toBe(reference(e.hash, e.v, e.r, e.s).status));
  });
});

/** The rules as a plain function: Ethereum's checks, then noble's own recovery (try/catch). */
function reference(hash: Uint8Array, v: number, r: bigint, s: bigint): { status: number; addr: Uint8Array | null } {
  if (![0, 1, 27, 28].includes(v)) return { status: EcdsaStatus.BAD_V, addr: null };
  if (r <= 0n || r >= N) return { status: EcdsaStatus.BAD_R, addr: null };
  if (s <= 0n || s >= N) return { status: EcdsaStatus.BAD_S, addr: null };
  if (2n * s > N) return { status: EcdsaStatus.HIGH_S, addr: null };
  try {
    const sig = new Uint8Array(65);
    sig[0] = v >= 27 ? v - 27 : v;
    sig.set(be32(r), 1);
    sig.set(be32(s), 33);
    return { status: EcdsaStatus.OK, addr: addressOf(Point.fromBytes(secp256k1.recoverPublicKey(sig, hash, { prehash: false })).toBytes(false)) };
  } catch {
    return { status: EcdsaStatus.NO_POINT, addr: null };
  }
}

// ---- one command: the bus, faults, permissions, gas ----

interface OneOpts { src?: string; dst?: string; v?: number; nops?: number; cmd?: number }

function oneCommand(o: OneOpts = {}): string {
  return `
  .text
  .globl _start
_start:
  li t0, ${BASE}
  ${o.src ?? 'la t1, sig'}
  sw t1, ${EcdsaReg.SRC}(t0)
  li t2, ${o.v ?? 27}
  sw t2, ${EcdsaReg.V}(t0)
  ${o.dst ?? 'li t3, 0'}
  sw t3, ${EcdsaReg.DST}(t0)
  li t4, ${o.cmd ?? EcdsaCmd.RECOVER}
cmd:
  sw t4, ${EcdsaReg.CMD}(t0)
  ${'nop\n  '.repeat(o.nops ?? 0)}
  lw a0, ${EcdsaReg.ADDR}(t0)
  lw a1, ${EcdsaReg.STATUS}(t0)
  lw a2, ${EcdsaReg.ADDR + 16}(t0)
  li a7, 93
  ecall
  .data
  .balign 4
key: .word ${Array(16).fill('0x5a5a5a5a').join(', ')}
sig: .space 96
`;
}

const ONE = signed(prng(5));
const pokeSig = (p: LoadedProgram): void => {
  const m = memAt(p, symbol(p, 'sig'), 96);
  m.set(ONE.hash, 0);
  m.set(be32(ONE.r), 32);
  m.set(be32(ONE.s), 64);
};

describe('latency on the bus, cycle by cycle (cycle model)', () => {
  test.each([[false, 0, 0], [true, 0, 0], [true, 5, 2], [false, 40, 1]] as const)('DST %s, %i NOPs, waitStates %i: ADDR held exactly the fixed latency, then STATUS at the static wait states', (dst, nops, ws) => {
    const dev = new EcdsaUnit();
    dev.waitStates = ws;
    let mon: BusMonitor | null = null;
    const src = oneCommand({ v: ONE.v, nops, dst: dst ? 'la t3, key' : undefined });
    const cyc = run('cycle', src, [dev], { setup: pokeSig, tracer: (m) => (mon = new BusMonitor(m)) });
    const iss = run('iss', src, [new EcdsaUnit()], { setup: pokeSig });
    const [cmd] = mon!.at(REG(EcdsaReg.CMD), true);
    const [a0] = mon!.at(REG(EcdsaReg.ADDR), false);
    const [st] = mon!.at(REG(EcdsaReg.STATUS), false);
    expect(cmd!.ready - cmd!.start).toBe(ws);
    expect(a0!.ready - a0!.start).toBe(Math.max(ws, cmd!.ready + CYCLES(dst) - a0!.start));
    expect(st!.ready - st!.start).toBe(ws);
    const want = bytesWords(ONE.addr);
    expect([cyc.x[10]! >>> 0, cyc.x[11], cyc.x[12]! >>> 0]).toEqual([want[0], EcdsaStatus.OK, want[4]]);
    expect(cyc.x).toEqual(iss.x);
    expect(cyc.gas).toBe(iss.gas);
    expect(cyc.retired).toBe(iss.retired);
    expect(hex(memAt(cyc.prog, symbol(cyc.prog, 'key'), 64))).toBe(dst ? hex(ONE.key) : '5a'.repeat(64));
  });

  test.each([1, 2, 3])('random stalls (seed %i): the formula plus 0..R, same values, gas and retired', (seed) => {
    const src = oneCommand({ v: ONE.v, nops: 1 });
    const base = run('cycle', src, [new EcdsaUnit()], { setup: pokeSig });
    let mon: BusMonitor | null = null;
    const r = run('cycle', src, [new EcdsaUnit()], { setup: pokeSig, randomStalls: 2, seed, tracer: (m) => (mon = new BusMonitor(m)) });
    const [cmd] = mon!.at(REG(EcdsaReg.CMD), true);
    const [a0] = mon!.at(REG(EcdsaReg.ADDR), false);
    const extra = a0!.ready - a0!.start - Math.max(0, cmd!.ready + CYCLES(false) - a0!.start);
    expect(extra).toBeGreaterThanOrEqual(0);
    expect(extra).toBeLessThanOrEqual(2);
    expect(r.x).toEqual(base.x);
    expect(r.gas).toBe(base.gas);
    expect(r.retired).toBe(base.retired);
    expect(r.cycles).not.toBe(base.cycles);
  });
});

describe.each(['iss', 'cycle'] as const)('faults and permissions on the %s', (model) => {
  test.each([
    ['SRC outside the frame', { src: 'li t1, 0x50000000', dst: 'la t3, key' }],
    ['SRC straddling the end of the stack', { src: `li t1, 0x${(STACK_TOP - 40).toString(16)}`, dst: 'la t3, key' }],
    ['DST in read-only code', { dst: 'la t3, _start' }],
    ['DST outside the frame', { dst: 'li t3, 0x50000000' }],
  ] as const)('%s: DMA_FAULT, ADDR 0, nothing written, GAS and CYCLES_SETUP', (_what, o) => {
    const dev = new EcdsaUnit();
    const r = run(model, oneCommand({ v: ONE.v, ...o }), [dev], { setup: pokeSig });
    expect(r.end).toEqual({ kind: 'exit', code: 0 });
    expect(r.x.slice(10, 13)).toEqual([0, EcdsaStatus.DMA_FAULT, 0]);
    expect(hex(memAt(r.prog, symbol(r.prog, 'key'), 64))).toBe('5a'.repeat(64));
    expect(dev.stats).toMatchObject({ ops: 1, errors: 1, gas: Ecdsa.GAS, cycles: FAULT_CYCLES });
    const plain = run(model, oneCommand({ v: ONE.v, ...o }), [new EcdsaUnit()], { setup: pokeSig, pset: NO_CRYPTO });
    expect(r.gas - plain.gas).toBe(Ecdsa.GAS);
  });

  test('a frame without CRYPTO gets the zero response: reads 0, nothing written, no gas', () => {
    const dev = new EcdsaUnit();
    const r = run(model, oneCommand({ v: ONE.v, dst: 'la t3, key' }), [dev], { setup: pokeSig, pset: NO_CRYPTO });
    expect(r.x.slice(10, 13)).toEqual([0, 0, 0]);
    expect(dev.stats.ops).toBe(0);
    for (let off = 0; off < Ecdsa.SIZE; off += 4) expect(dev.read(REG(off), 15)).toBe(0);
    expect(hex(memAt(r.prog, symbol(r.prog, 'key'), 64))).toBe('5a'.repeat(64));
  });

  test('out of gas at the CMD store: cause 24 on both models with identical gas, registers unchanged', () => {
    const src = oneCommand({ v: ONE.v, dst: 'la t3, key' });
    const full = run(model, src, [new EcdsaUnit()], { setup: pokeSig, pset: LIMITED_PSET, gas: 1_000_000 });
    expect(full.x[11]).toBe(EcdsaStatus.OK);
    const limit = full.gas - Ecdsa.GAS;
    const dev = new EcdsaUnit();
    const r = run(model, src, [dev], { setup: pokeSig, pset: LIMITED_PSET, gas: limit });
    expect(r.end).toMatchObject({ kind: 'trap', cause: Cause.OUT_OF_GAS, pc: symbol(r.prog, 'cmd') });
    expect(dev.stats.ops).toBe(0);
    expect(dev.read(REG(EcdsaReg.V), 15)).toBe(ONE.v);
    for (const off of [EcdsaReg.CMD, EcdsaReg.STATUS, EcdsaReg.ADDR, EcdsaReg.ADDR + 16]) expect(dev.read(REG(off), 15)).toBe(0);
    expect(hex(memAt(r.prog, symbol(r.prog, 'key'), 64))).toBe('5a'.repeat(64));
    const other = run(model === 'iss' ? 'cycle' : 'iss', src, [new EcdsaUnit()], { setup: pokeSig, pset: LIMITED_PSET, gas: limit });
    expect(other.end).toEqual(r.end);
    expect(other.gas).toBe(r.gas);
    expect(other.x).toEqual(r.x);
  });
});

// ---- a C program with the generated header, both units ----

const C_SRC = (sig: Signed): string => `
#include "rt.h"
#include "evminf/regs.h"

static uint8_t msg[1000];
static uint8_t digest[32];
static uint8_t sigbuf[96];
static uint8_t key[64];

static void put_hex(const uint8_t *b, int n) {
  static const char d[] = "0123456789abcdef";
  char line[200];
  int k = 0;
  for (int i = 0; i < n; i++) { line[k++] = d[b[i] >> 4]; line[k++] = d[b[i] & 15]; }
  line[k++] = '\\n';
  rt_write(1, line, k);
}

static uint32_t hash(uint32_t cmd, const uint8_t *src, uint32_t len, uint8_t *dst) {
  EVM_REG(SHA3_SRC_ADDR) = (uint32_t)(uintptr_t)src;
  EVM_REG(SHA3_LEN_ADDR) = len;
  EVM_REG(SHA3_DST_ADDR) = (uint32_t)(uintptr_t)dst;
  EVM_REG(SHA3_CMD_ADDR) = cmd;
  return EVM_REG(SHA3_STATUS_ADDR);
}

int main(void) {
  static const uint32_t lens[] = {0, 1, 135, 136, 137, 1000};
  uint32_t bad = 0;
  for (int i = 0; i < 1000; i++) msg[i] = (uint8_t)(i * 7 + 3);
  for (int i = 0; i < 6; i++) {
    bad |= hash(SHA3_CMD_KECCAK256, msg, lens[i], digest);
    put_hex(digest, 32);
    bad |= hash(SHA3_CMD_SHA3_256, msg, lens[i], 0);
    uint32_t w[SHA3_DIGEST_WORDS];
    for (unsigned k = 0; k < SHA3_DIGEST_WORDS; k++) w[k] = EVM_REG(SHA3_DIGEST_ADDR + 4 * k);
    put_hex((const uint8_t *)w, 32);
  }
  static const uint8_t s[96] = {${Array.from([...sig.hash, ...be32(sig.r), ...be32(sig.s)]).join(', ')}};
  for (int i = 0; i < 96; i++) sigbuf[i] = s[i];
  EVM_REG(ECDSA_SRC_ADDR) = (uint32_t)(uintptr_t)sigbuf;
  EVM_REG(ECDSA_V_ADDR) = ${sig.v}u;
  EVM_REG(ECDSA_DST_ADDR) = (uint32_t)(uintptr_t)key;
  EVM_REG(ECDSA_CMD_ADDR) = ECDSA_CMD_RECOVER;
  uint32_t st = EVM_REG(ECDSA_STATUS_ADDR);
  uint32_t a[5];
  for (int k = 0; k < 5; k++) a[k] = EVM_REG(ECDSA_ADDR_ADDR + 4 * k);
  put_hex((const uint8_t *)a, 20);
  put_hex(key, 64);
  for (int k = 0; k < 5; k++) EVM_REG(ECDSA_EXPECT_ADDR + 4 * k) = a[k];
  EVM_REG(ECDSA_CMD_ADDR) = ECDSA_CMD_VERIFY;
  uint32_t verified = EVM_REG(ECDSA_STATUS_ADDR);
  EVM_REG(ECDSA_V_ADDR) = 29;
  EVM_REG(ECDSA_CMD_ADDR) = ECDSA_CMD_RECOVER;
  uint32_t badv = EVM_REG(ECDSA_STATUS_ADDR);
  return (int)(bad | st << 1 | verified << 2 | (badv == ECDSA_STATUS_BAD_V ? 0 : 8));
}
`;

describeWithTools([CC], 'a C program using firmware/include/evminf/regs.h (riscv64-unknown-elf-gcc)', () => {
  let dir: string;
  beforeAll(() => { dir = tempDir('crypto'); });
  afterAll(() => removeDir(dir));

  test('hashes and recovers through both units: the same output, registers, gas and retired count on both models', () => {
    const sig = signed(prng(31));
    const c = join(dir, 'crypto.c');
    writeFileSync(c, C_SRC(sig));
    const include = join(C_DIR, '..', '..', 'firmware', 'include');
    expect(CFLAGS).toContain('-march=rv32im');
    const elf = compile([c], join(dir, 'crypto.elf'), '-O2', ['-I', C_DIR, '-I', include]);
    const outs = (['iss', 'cycle'] as const).map((kind) => {
      const m = createModel(kind, loadElf(elf), { devices: [new Sha3Unit(), new EcdsaUnit()] });
      const host = new LinuxHost();
      const end = new CallManager(m, host).run({ maxInstructions: 5_000_000, maxCycles: 50_000_000 });
      return { end, out: Buffer.from(host.output(1)).toString(), x: Array.from(m.x), gas: m.gasUsed, retired: m.retired };
    });
    const msg = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7 + 3) & 0xff);
    const want = [0, 1, 135, 136, 137, 1000].flatMap((n) => [hex(keccak_256(msg.subarray(0, n))), hex(sha3_256(msg.subarray(0, n)))]);
    want.push(hex(sig.addr), hex(sig.key));
    expect(outs[0]!.end).toEqual({ kind: 'exit', code: 0 });
    expect(outs[0]!.out).toBe(want.map((l) => `${l}\n`).join(''));
    expect(outs[1]!.end).toEqual(outs[0]!.end);
    expect(outs[1]!.out).toBe(outs[0]!.out);
    expect(outs[1]!.x).toEqual(outs[0]!.x);
    expect(outs[1]!.gas).toBe(outs[0]!.gas);
    expect(outs[1]!.retired).toBe(outs[0]!.retired);
  });
});
