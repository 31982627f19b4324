// The hard drive (peripherals/hdd.ts, docs/peripherals.md "Hard drive") driven by guest
// programs on both models: tries built, read back and reverted (roots checked against
// Ethereum's trie, @ethereumjs/mpt), heaps in key order, preimages, DATA UNAVAILABLE, every
// error status, the permission's zero response, out of gas at CMD, the exact latency of a GET,
// objects kept across a frame switch and a snapshot taken mid-program.

import { createMPT } from '@ethereumjs/mpt';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, test } from 'vitest';
import { assembleToElf } from '../isa/asm.js';
import type { Core } from '../cpu/core.js';
import { CallManager, type FrameEnd } from '../cpu/frames.js';
import { LinuxHost } from '../cpu/host.js';
import { createModel, type ModelKind } from '../cpu/machine.js';
import { PSET_DEFINED } from '../cpu/perm.js';
import { loadElf, type LoadedProgram } from '../cpu/program.js';
import { restore, snapshot } from '../debug/snapshot.js';
import { HardDrive } from '../peripherals/hdd.js';
import { EMPTY_ROOT, Trie } from '../peripherals/mpt.js';
import { DMA_BYTES_PER_CYCLE, Hdd, HddCmd, HddReg, HddStatus } from '../peripherals/regs.js';
import { hashKey, MemoryStore } from '../peripherals/store.js';
import { HddAsm, LOG_WORDS } from './hdd-asm.js';
import { lockstep } from './lockstep.js';

const HARD_DRIVE = 2, INFINITE_GAS = 16;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const words = (n: number): number => Math.ceil(n / DMA_BYTES_PER_CYCLE);

interface Outcome {
  end: FrameEnd;
  gas: number;
  retired: number;
  cycles: number | undefined;
  x: number[];
  dev: HardDrive;
  prog: LoadedProgram;
  /** STATUS, OUTLEN, RESULT, POINT of each logged command. */
  log: number[][];
  mem(label: string, len: number): Uint8Array;
}

interface RunOpts { store?: MemoryStore; pset?: number; gas?: number; randomStalls?: number; seed?: number; maxStaged?: number }

function run(model: ModelKind, a: HddAsm | string, o: RunOpts = {}): Outcome {
  const src = typeof a === 'string' ? a : a.source();
  const prog = loadElf(assembleToElf(src, { file: 'hdd.S' }));
  const dev = new HardDrive(o.store ?? new MemoryStore(), { maxStaged: o.maxStaged });
  const m = createModel(model, prog, { devices: [dev], pset: o.pset, gas: o.gas, randomStalls: o.randomStalls, seed: o.seed });
  const end = new CallManager(m, new LinuxHost()).run({ maxCycles: 50_000_000, maxInstructions: 10_000_000 });
  return outcome(end, m, dev, prog, typeof a === 'string' ? 0 : a.logged);
}

function outcome(end: FrameEnd, m: { gasUsed: number; retired: number; x: Int32Array }, dev: HardDrive, prog: LoadedProgram, logged: number): Outcome {
  const sym = (label: string): number => prog.symbols.find((s) => s.name === label)!.value;
  const mem = (label: string, len: number): Uint8Array => prog.mem.peek(sym(label), len)!.slice();
  const raw = logged === 0 ? new Uint8Array(0) : mem('log', 4 * LOG_WORDS * logged);
  const dv = new DataView(raw.buffer);
  const log = Array.from({ length: logged }, (_, i) => Array.from({ length: LOG_WORDS }, (_, k) => dv.getUint32(4 * (LOG_WORDS * i + k), true)));
  return { end, gas: m.gasUsed, retired: m.retired, cycles: (m as Core).cycles, x: Array.from(m.x), dev, prog, log, mem };
}

/** Both models: the same end, log, gas and retired instructions. Returns the ISS's outcome. */
function both(a: HddAsm, o: RunOpts = {}): Outcome {
  const iss = run('iss', a, o), cyc = run('cycle', a, o);
  expect(cyc.end).toEqual(iss.end);
  expect(cyc.log).toEqual(iss.log);
  expect(cyc.gas).toBe(iss.gas);
  expect(cyc.retired).toBe(iss.retired);
  expect(cyc.dev.stats.gas).toBe(iss.dev.stats.gas);
  expect([...cyc.dev.staging.keys()].sort()).toEqual([...iss.dev.staging.keys()].sort());
  return iss;
}

const status = (r: Outcome, i: number): number => r.log[i]![0]!;
const outlen = (r: Outcome, i: number): number => r.log[i]![1]!;

/** The pairs as Ethereum's trie roots them. */
async function oracleRoot(pairs: readonly (readonly [Uint8Array, Uint8Array])[], secure = false): Promise<string> {
  const t = await createMPT({ useKeyHashing: secure });
  for (const [k, v] of pairs) await t.put(k, v);
  return hex(t.root());
}

/** Deterministic test data: key i and a value of 1 to 70 bytes. */
const KEYS = Array.from({ length: 12 }, (_, i) => enc(i % 3 === 0 ? `key-${i}` : `k${String.fromCharCode(97 + i)}${i * 7}`));
const VALS = KEYS.map((_, i) => Uint8Array.from({ length: 1 + ((i * 37) % 70) }, (_, j) => (i * 31 + j * 7 + 1) & 0xff));

/** SET key := value in object `id` (`val` a label, or null: VALLEN 0 deletes). */
function set(a: HddAsm, code: number, key: string | number, keyLen: number, val: string | number | null, valLen: number): number {
  a.set(HddReg.KEY, key).set(HddReg.KEYLEN, keyLen);
  if (val !== null) a.set(HddReg.VAL, val);
  a.set(HddReg.VALLEN, valLen);
  return a.cmd(code);
}

function get(a: HddAsm, code: number, key: string | number, keyLen: number, out: string, cap: number): number {
  a.set(HddReg.KEY, key).set(HddReg.KEYLEN, keyLen).set(HddReg.OUT, out).set(HddReg.OUTCAP, cap);
  return a.cmd(code);
}

describe('a trie built, read back and reverted by a program', () => {
  test.each([false, true])('secure %s: same on both models; roots are Ethereum\'s; revert points', async (secure) => {
    const a = new HddAsm();
    const keys = KEYS.map((k) => a.bytes(k)), vals = VALS.map((v) => a.bytes(v));
    const outs = KEYS.map(() => a.space(80));
    const root1 = a.space(32), root2 = a.space(32), root3 = a.space(32), root4 = a.space(32);
    const newVal = a.bytes(enc('a replaced value, long enough to be its own node: 0123456789')), extra = a.bytes(enc('extra'));
    const outX = a.space(80), outX2 = a.space(80), out0 = a.space(80), out1 = a.space(80);
    a.set(HddReg.FLAGS, secure ? 1 : 0);
    const mk = a.cmd(HddCmd.MKTRIE);
    a.set(HddReg.ID, 1);
    const sets = KEYS.map((k, i) => set(a, HddCmd.TRIE_SET, keys[i]!, k.length, vals[i]!, VALS[i]!.length));
    const gets = KEYS.map((k, i) => get(a, HddCmd.TRIE_GET, keys[i]!, k.length, outs[i]!, 80));
    a.cmd(HddCmd.TRIE_GETROOT); a.saveHash(root1);
    const p0 = a.cmd(HddCmd.TRIE_MKREVERT_POINT);
    set(a, HddCmd.TRIE_SET, keys[0]!, KEYS[0]!.length, newVal, 60);
    set(a, HddCmd.TRIE_SET, extra, 5, extra, 5);
    a.cmd(HddCmd.TRIE_GETROOT); a.saveHash(root2);
    const gx = get(a, HddCmd.TRIE_GET, extra, 5, outX, 80);
    a.set(HddReg.POINT, 0);
    const rv = a.cmd(HddCmd.TRIE_REVERT);
    const gx2 = get(a, HddCmd.TRIE_GET, extra, 5, outX2, 80);
    const g0 = get(a, HddCmd.TRIE_GET, keys[0]!, KEYS[0]!.length, out0, 80);
    a.cmd(HddCmd.TRIE_GETROOT); a.saveHash(root3);
    const p1 = a.cmd(HddCmd.TRIE_MKREVERT_POINT);
    a.set(HddReg.POINT, 1);
    const rv1 = a.cmd(HddCmd.TRIE_REVERT);
    a.set(HddReg.POINT, 2);
    const rv2 = a.cmd(HddCmd.TRIE_REVERT);
    const del = set(a, HddCmd.TRIE_SET, keys[1]!, KEYS[1]!.length, null, 0);
    const g1 = get(a, HddCmd.TRIE_GET, keys[1]!, KEYS[1]!.length, out1, 80);
    a.cmd(HddCmd.TRIE_GETROOT); a.saveHash(root4);

    const r = both(a);
    expect(r.end).toEqual({ kind: 'exit', code: 0 });
    expect(r.log[mk]!.slice(0, 3)).toEqual([HddStatus.OK, 0, 1]);
    for (const i of [...sets, ...gets, p0, rv, gx, gx2, g0, p1, rv1, del, g1]) expect(status(r, i), `command ${i}`).toBe(HddStatus.OK);
    KEYS.forEach((_, i) => {
      expect(outlen(r, gets[i]!)).toBe(VALS[i]!.length);
      expect(r.mem(outs[i]!, VALS[i]!.length)).toEqual(VALS[i]);
    });
    const pairs = KEYS.map((k, i) => [k, VALS[i]!] as const);
    expect(hex(r.mem(root1, 32))).toBe(await oracleRoot(pairs, secure));
    const changed = [[KEYS[0]!, enc('a replaced value, long enough to be its own node: 0123456789')] as const, ...pairs.slice(1), [enc('extra'), enc('extra')] as const];
    expect(hex(r.mem(root2, 32))).toBe(await oracleRoot(changed, secure));
    expect(outlen(r, gx)).toBe(5);
    expect(r.log[p0]![3]).toBe(0);
    // Reverted to point 0: the extra key is gone, key 0 has its first value, the root is root1.
    expect(outlen(r, gx2)).toBe(0);
    expect(r.mem(outX2, 8)).toEqual(new Uint8Array(8));
    expect(r.mem(out0, VALS[0]!.length)).toEqual(VALS[0]);
    expect(hex(r.mem(root3, 32))).toBe(hex(r.mem(root1, 32)));
    // Point 0 stayed valid; the next point is 1; reverting to 1 leaves no point 2.
    expect(r.log[p1]![3]).toBe(1);
    expect(status(r, rv2)).toBe(HddStatus.BAD_POINT);
    expect(outlen(r, g1)).toBe(0);
    expect(hex(r.mem(root4, 32))).toBe(await oracleRoot(pairs.filter((_, i) => i !== 1), secure));
  });
});

describe('lockstep', () => {
  test('a program mixing every command: the ISS and the cycle model agree at every retirement (registers, pc, gas), with random stalls', () => {
    const a = new HddAsm();
    const keys = KEYS.map((k) => a.bytes(k)), vals = VALS.map((v) => a.bytes(v)), out = a.space(80), h = a.space(32);
    a.cmd(HddCmd.MKTRIE);
    a.cmd(HddCmd.MKHEAP);
    KEYS.forEach((k, i) => {
      a.set(HddReg.ID, 1 + (i & 1));
      set(a, i & 1 ? HddCmd.HEAP_SET : HddCmd.TRIE_SET, keys[i]!, k.length, vals[i]!, VALS[i]!.length);
      if (i % 4 === 0) a.cmd(i & 1 ? HddCmd.HEAP_MKREVERT_POINT : HddCmd.TRIE_MKREVERT_POINT);
      get(a, i & 1 ? HddCmd.HEAP_GET : HddCmd.TRIE_GET, keys[i]!, k.length, out, 80);
    });
    a.set(HddReg.ID, 2).set(HddReg.OUT, out).set(HddReg.OUTCAP, 80);
    for (let i = 0; i < 4; i++) a.cmd(HddCmd.HEAP_POP);
    a.set(HddReg.POINT, 0);
    a.cmd(HddCmd.HEAP_REVERT);
    a.set(HddReg.VAL, vals[3]!).set(HddReg.VALLEN, VALS[3]!.length);
    a.cmd(HddCmd.PUT);
    a.saveHash(h);
    a.cmd(HddCmd.INVSHA3);
    for (const seed of [0, 5]) {
      const r = lockstep(assembleToElf(a.source(), { file: 'hdd.S' }), { devices: () => [new HardDrive(new MemoryStore())], randomStalls: seed === 0 ? 0 : 3, seed });
      expect(r.end).toEqual({ kind: 'exit', code: 0 });
      expect(r.gas).toBeGreaterThan(KEYS.length * Hdd.GAS_PER_NODE_WRITE);
    }
  });
});

describe('a heap', () => {
  // Bytewise order, a prefix before its extensions; one key is empty (the smallest of all).
  const HEAP_KEYS = [[5, 1], [5], [0, 255, 3], [5, 1, 0], [0xff], [0, 255], [7, 7, 7, 7], [1], []].map((k) => Uint8Array.from(k));
  const sorted = [...HEAP_KEYS].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));

  test('TOP gives the smallest key, POP takes them in order until EMPTY; the root depends on the contents alone', () => {
    const a = new HddAsm();
    const keys = HEAP_KEYS.map((k) => a.bytes(k)), val = a.bytes(enc('payload of the entry'));
    const pops = HEAP_KEYS.map(() => a.space(8)), top = a.space(8), gv = a.space(32);
    const rootA = a.space(32), rootB = a.space(32), empty = a.space(32);
    a.cmd(HddCmd.MKHEAP);
    a.cmd(HddCmd.MKHEAP);
    // Heap 1 in one order; heap 2 in the reverse order, with one entry added then deleted.
    a.set(HddReg.ID, 1);
    HEAP_KEYS.forEach((k, i) => set(a, HddCmd.HEAP_SET, keys[i]!, k.length, val, 20));
    a.set(HddReg.ID, 2);
    const junk = a.bytes(enc('junk'));
    set(a, HddCmd.HEAP_SET, junk, 4, val, 20);
    for (let i = HEAP_KEYS.length - 1; i >= 0; i--) set(a, HddCmd.HEAP_SET, keys[i]!, HEAP_KEYS[i]!.length, val, 20);
    set(a, HddCmd.HEAP_SET, junk, 4, null, 0);
    a.cmd(HddCmd.HEAP_GETROOT); a.saveHash(rootB);
    a.set(HddReg.ID, 1);
    a.cmd(HddCmd.HEAP_GETROOT); a.saveHash(rootA);
    const g = get(a, HddCmd.HEAP_GET, keys[2]!, 3, gv, 32);
    a.set(HddReg.OUT, top).set(HddReg.OUTCAP, 8);
    const t = a.cmd(HddCmd.HEAP_TOP);
    const p = HEAP_KEYS.map((_, i) => { a.set(HddReg.OUT, pops[i]!); return a.cmd(HddCmd.HEAP_POP); });
    const e1 = a.cmd(HddCmd.HEAP_POP);
    const e2 = a.cmd(HddCmd.HEAP_TOP);
    a.cmd(HddCmd.HEAP_GETROOT); a.saveHash(empty);

    const r = both(a);
    expect(r.end).toEqual({ kind: 'exit', code: 0 });
    expect(hex(r.mem(rootA, 32))).toBe(hex(r.mem(rootB, 32)));
    expect(status(r, g)).toBe(HddStatus.OK);
    expect(r.mem(gv, 20)).toEqual(enc('payload of the entry'));
    expect(status(r, t)).toBe(HddStatus.OK);
    expect(outlen(r, t)).toBe(0); // the empty key
    const popped = p.map((i, n) => {
      expect(status(r, i)).toBe(HddStatus.OK);
      return Array.from(r.mem(pops[n]!, outlen(r, i)));
    });
    expect(popped).toEqual(sorted.map((k) => Array.from(k)));
    expect(status(r, e1)).toBe(HddStatus.EMPTY);
    expect(status(r, e2)).toBe(HddStatus.EMPTY);
    expect(hex(r.mem(empty, 32))).toBe(hex(EMPTY_ROOT));
  });

  test('a POP whose key does not fit is TOO_SMALL and deletes nothing', () => {
    const a = new HddAsm();
    const k = a.bytes(Uint8Array.from([9, 9, 9])), out = a.space(8);
    a.cmd(HddCmd.MKHEAP);
    a.set(HddReg.ID, 1);
    set(a, HddCmd.HEAP_SET, k, 3, k, 3);
    a.set(HddReg.OUT, out).set(HddReg.OUTCAP, 2);
    const small = a.cmd(HddCmd.HEAP_POP);
    a.set(HddReg.OUTCAP, 8);
    const ok = a.cmd(HddCmd.HEAP_POP);
    const empty = a.cmd(HddCmd.HEAP_POP);
    const r = both(a);
    expect(r.log[small]!.slice(0, 2)).toEqual([HddStatus.TOO_SMALL, 3]);
    expect(r.log[ok]!.slice(0, 2)).toEqual([HddStatus.OK, 3]);
    expect(r.mem(out, 3)).toEqual(Uint8Array.from([9, 9, 9]));
    expect(status(r, empty)).toBe(HddStatus.EMPTY);
  });
});

describe('preimages', () => {
  test('PUT gives keccak-256; INVSHA3 gives the preimage back; TOO_SMALL writes nothing', () => {
    const value = enc('the quick brown fox jumps over the lazy dog, twice: the quick brown fox');
    const a = new HddAsm();
    const v = a.bytes(value), h = a.space(32), out = a.space(80), small = a.space(16);
    a.set(HddReg.VAL, v).set(HddReg.VALLEN, value.length);
    const put = a.cmd(HddCmd.PUT);
    a.saveHash(h);
    a.set(HddReg.OUT, small).set(HddReg.OUTCAP, 16);
    const tooSmall = a.cmd(HddCmd.INVSHA3);
    a.set(HddReg.OUT, out).set(HddReg.OUTCAP, 80);
    const inv = a.cmd(HddCmd.INVSHA3);
    const r = both(a);
    expect(status(r, put)).toBe(HddStatus.OK);
    expect(hex(r.mem(h, 32))).toBe(hex(keccak_256(value)));
    expect(r.log[tooSmall]!.slice(0, 2)).toEqual([HddStatus.TOO_SMALL, value.length]);
    expect(r.mem(small, 16)).toEqual(new Uint8Array(16));
    expect(r.log[inv]!.slice(0, 2)).toEqual([HddStatus.OK, value.length]);
    expect(r.mem(out, value.length)).toEqual(value);
    expect(r.dev.lookup(keccak_256(value))).toEqual(value);
    // Gas: PUT = base + one node write + its words; INVSHA3 = base + one node read (+ words out).
    const putGas = Hdd.GAS_BASE + Hdd.GAS_PER_NODE_WRITE + words(value.length);
    const invGas = Hdd.GAS_BASE + Hdd.GAS_PER_NODE_READ;
    expect(r.dev.stats.gas).toBe(putGas + invGas + invGas + words(value.length));
  });
});

describe('DATA UNAVAILABLE', () => {
  test('INVSHA3 of a hash not held unwinds every frame on both models; nothing is stored', () => {
    const missing = keccak_256(enc('never stored'));
    const a = new HddAsm();
    const h = a.bytes(missing), v = a.bytes(enc('stored first')), out = a.space(32);
    a.set(HddReg.VAL, v).set(HddReg.VALLEN, 12);
    a.cmd(HddCmd.PUT);
    a.setHash(h).set(HddReg.OUT, out).set(HddReg.OUTCAP, 32);
    a.cmd(HddCmd.INVSHA3);
    a.asm('  li s2, 77');
    const iss = run('iss', a), cyc = run('cycle', a);
    const end = { kind: 'unavailable', detail: `preimage 0x${hex(missing)} not held`, depth: 0 };
    expect(iss.end).toEqual(end);
    expect(cyc.end).toEqual(end);
    expect(cyc.retired).toBe(iss.retired);
    expect(cyc.gas).toBe(iss.gas);
    expect(iss.x[18]).toBe(0);
    for (const r of [iss, cyc]) {
      expect(r.dev.stats.byCommand).toEqual({ PUT: 1 });
      expect(r.log[1]).toEqual([0, 0, 0, 0]);
    }
  });

  test('a trie whose root is not held: the GET raises it before anything is charged', () => {
    const a = new HddAsm();
    const root = a.bytes(keccak_256(enc('a root nobody has'))), k = a.bytes(enc('k')), out = a.space(8);
    a.setHash(root);
    a.cmd(HddCmd.MKTRIE);
    a.set(HddReg.ID, 1);
    get(a, HddCmd.TRIE_GET, k, 1, out, 8);
    const iss = run('iss', a), cyc = run('cycle', a);
    for (const r of [iss, cyc]) {
      expect(r.end).toMatchObject({ kind: 'unavailable', depth: 0 });
      expect(r.dev.stats.ops).toBe(1);
      expect(r.dev.stats.gas).toBe(Hdd.GAS_BASE);
    }
    expect(cyc.gas).toBe(iss.gas);
    expect(cyc.retired).toBe(iss.retired);
  });
});

describe('error statuses', () => {
  test('each status where the datasheet says, on both models; a failed command changes nothing', () => {
    const a = new HddAsm();
    const k = a.bytes(enc('key')), out = a.space(8), far = 0x5000_0000;
    a.cmd(HddCmd.MKTRIE);
    a.cmd(HddCmd.MKHEAP);
    const expectStatus: [number, number][] = [];
    const at = (i: number, s: number): void => { expectStatus.push([i, s]); };
    at(a.cmd(3), HddStatus.BAD_COMMAND);
    at(a.cmd(0x17), HddStatus.BAD_COMMAND); // HEAP_TOP's low nibble on the trie side is undefined
    a.set(HddReg.ID, 0);
    at(a.cmd(HddCmd.TRIE_GETROOT), HddStatus.BAD_ID);
    a.set(HddReg.ID, 3);
    at(a.cmd(HddCmd.TRIE_GETROOT), HddStatus.BAD_ID);
    a.set(HddReg.ID, -1);
    at(a.cmd(HddCmd.HEAP_GETROOT), HddStatus.BAD_ID);
    a.set(HddReg.ID, 2);
    at(get(a, HddCmd.TRIE_GET, k, 3, out, 8), HddStatus.WRONG_KIND);
    a.set(HddReg.ID, 1);
    at(a.cmd(HddCmd.HEAP_TOP), HddStatus.WRONG_KIND);
    at(a.cmd(HddCmd.HEAP_SETROOT), HddStatus.WRONG_KIND);
    at(get(a, HddCmd.TRIE_GET, k, Hdd.MAX_KEY + 1, out, 8), HddStatus.TOO_LARGE);
    at(set(a, HddCmd.TRIE_SET, k, 3, k, Hdd.MAX_VALUE + 1), HddStatus.TOO_LARGE);
    a.set(HddReg.VALLEN, Hdd.MAX_VALUE + 1);
    at(a.cmd(HddCmd.PUT), HddStatus.TOO_LARGE);
    at(get(a, HddCmd.TRIE_GET, far, 3, out, 8), HddStatus.DMA_FAULT);
    at(set(a, HddCmd.TRIE_SET, k, 3, far, 3), HddStatus.DMA_FAULT);
    a.set(HddReg.VAL, far).set(HddReg.VALLEN, 1);
    at(a.cmd(HddCmd.PUT), HddStatus.DMA_FAULT);
    set(a, HddCmd.TRIE_SET, k, 3, k, 3);
    at(get(a, HddCmd.TRIE_GET, k, 3, '_start', 8), HddStatus.DMA_FAULT); // OUT in read-only code
    at(get(a, HddCmd.TRIE_GET, k, 3, out, 2), HddStatus.TOO_SMALL);
    a.set(HddReg.POINT, 0);
    at(a.cmd(HddCmd.TRIE_REVERT), HddStatus.BAD_POINT);
    a.set(HddReg.ID, 2);
    at(a.cmd(HddCmd.HEAP_TOP), HddStatus.EMPTY);
    at(a.cmd(HddCmd.HEAP_POP), HddStatus.EMPTY);
    a.set(HddReg.POINT, 0);
    at(a.cmd(HddCmd.HEAP_REVERT), HddStatus.BAD_POINT);
    const r = both(a);
    expect(r.end).toEqual({ kind: 'exit', code: 0 });
    for (const [i, s] of expectStatus) expect(status(r, i), `command ${i}`).toBe(s);
    // TOO_SMALL gives the length; every other failure leaves OUTLEN and RESULT 0 — but an
    // undefined command does nothing at all (RESULT still the MKHEAP's 2).
    for (const [i, s] of expectStatus) expect(r.log[i]!.slice(1, 3), `command ${i}`).toEqual([s === HddStatus.TOO_SMALL ? 3 : 0, s === HddStatus.BAD_COMMAND ? 2 : 0]);
    expect(r.mem(out, 8)).toEqual(new Uint8Array(8));
    // Only the one SET stored nodes; the failed ones nothing.
    const t = new Trie(new MemoryStore());
    t.set(enc('key'), enc('key'));
    expect(r.dev.objects.get(1)!.trie.root).toEqual(t.root);
    expect(r.dev.objects.get(2)!.trie.root).toEqual(EMPTY_ROOT);
    expect(r.dev.stats.errors).toBe(expectStatus.length);
  });

  test('BAD_NODE: a root that names bytes which are not a trie node; nothing changes', () => {
    const a = new HddAsm();
    const junk = a.bytes(enc('these bytes are not RLP of a trie node at all')), k = a.bytes(enc('k')), out = a.space(8);
    a.set(HddReg.VAL, junk).set(HddReg.VALLEN, 45);
    a.cmd(HddCmd.PUT);
    a.cmd(HddCmd.MKTRIE);
    a.cmd(HddCmd.MKHEAP);
    const g = [1, 2].map((id) => { a.set(HddReg.ID, id); return get(a, id === 1 ? HddCmd.TRIE_GET : HddCmd.HEAP_GET, k, 1, out, 8); });
    a.set(HddReg.OUT, out);
    const top = a.cmd(HddCmd.HEAP_POP);
    a.set(HddReg.ID, 1);
    const s = set(a, HddCmd.TRIE_SET, k, 1, k, 1);
    const r = both(a);
    // PUT leaves HASH = the junk's hash, which MKTRIE / MKHEAP take as their root.
    for (const i of [...g, top, s]) expect(r.log[i]!.slice(0, 2), `command ${i}`).toEqual([HddStatus.BAD_NODE, 0]);
    expect(hex(r.dev.objects.get(1)!.trie.root)).toBe(hex(keccak_256(enc('these bytes are not RLP of a trie node at all'))));
    expect(r.dev.staging.size).toBe(1);
    // PUT, MKTRIE, MKHEAP, then four bare BAD_NODE commands.
    expect(r.dev.stats.gas).toBe(Hdd.GAS_BASE + Hdd.GAS_PER_NODE_WRITE + words(45) + 6 * Hdd.GAS_BASE);
  });

  test('STORE_FULL: a PUT or SET that would stage past the budget stores nothing', () => {
    const a = new HddAsm();
    const big = a.bytes(Uint8Array.from({ length: 600 }, (_, i) => i & 0xff)), other = a.bytes(Uint8Array.from({ length: 600 }, (_, i) => (i + 1) & 0xff));
    const k = a.bytes(enc('k')), v500 = a.bytes(new Uint8Array(500).fill(7)), v100 = a.bytes(new Uint8Array(100).fill(9));
    a.set(HddReg.VAL, big).set(HddReg.VALLEN, 600);
    const p1 = a.cmd(HddCmd.PUT), p2 = a.cmd(HddCmd.PUT);
    a.set(HddReg.VAL, other);
    const p3 = a.cmd(HddCmd.PUT);
    a.setHash(a.bytes(new Uint8Array(32))); // HASH 0: the empty trie
    a.cmd(HddCmd.MKTRIE);
    a.set(HddReg.ID, 1);
    const s1 = set(a, HddCmd.TRIE_SET, k, 1, v500, 500);
    const s2 = set(a, HddCmd.TRIE_SET, k, 1, v100, 100);
    const r = both(a, { maxStaged: 1000 });
    expect([p1, p2, p3, s1, s2].map((i) => status(r, i))).toEqual([HddStatus.OK, HddStatus.OK, HddStatus.STORE_FULL, HddStatus.STORE_FULL, HddStatus.OK]);
    expect(r.dev.staging.size).toBe(2);
    expect(r.dev.staging.bytes).toBeLessThanOrEqual(1000);
    const t = new Trie(new MemoryStore());
    t.set(enc('k'), new Uint8Array(100).fill(9));
    expect(hex(r.dev.objects.get(1)!.trie.root)).toBe(hex(t.root));
    // The failed SET was charged its reads (none: an empty trie) and no writes.
    const gas = (Hdd.GAS_BASE + Hdd.GAS_PER_NODE_WRITE + words(600)) * 2 + Hdd.GAS_BASE * 3 + Hdd.GAS_BASE + Hdd.GAS_PER_NODE_WRITE + words(1) + words(100);
    expect(r.dev.stats.gas).toBe(gas);
  });

  test('TABLE_FULL: object MAX_OBJECTS + 1 and revert point MAX_POINTS + 1 (all objects together) are refused', () => {
    const a = new HddAsm();
    a.asm(`  li s2, ${Hdd.MAX_OBJECTS}\nloop_obj:\n  li t0, ${HddCmd.MKTRIE}\n  sw t0, 0(t6)\n  addi s2, s2, -1\n  bnez s2, loop_obj`);
    const last = a.cmd(HddCmd.MKHEAP);
    a.set(HddReg.ID, Hdd.MAX_OBJECTS);
    a.asm(`  li s2, ${Hdd.MAX_POINTS}\nloop_pt:\n  li t0, ${HddCmd.TRIE_MKREVERT_POINT}\n  sw t0, 0(t6)\n  addi s2, s2, -1\n  bnez s2, loop_pt`);
    const lastPoint = a.cmd(HddCmd.TRIE_MKREVERT_POINT);
    a.set(HddReg.POINT, Hdd.MAX_POINTS - 1);
    const rv = a.cmd(HddCmd.TRIE_REVERT);
    const again = a.cmd(HddCmd.TRIE_MKREVERT_POINT);
    a.set(HddReg.ID, 1);
    const elsewhere = a.cmd(HddCmd.TRIE_MKREVERT_POINT);
    a.set(HddReg.ID, Hdd.MAX_OBJECTS).set(HddReg.POINT, 9);
    a.cmd(HddCmd.TRIE_REVERT);
    a.set(HddReg.ID, 1);
    const freed = a.cmd(HddCmd.TRIE_MKREVERT_POINT);
    const r = run('iss', a);
    expect(r.log[last]!.slice(0, 3)).toEqual([HddStatus.TABLE_FULL, 0, 0]);
    expect(r.dev.objects.size).toBe(Hdd.MAX_OBJECTS);
    expect(status(r, lastPoint)).toBe(HddStatus.TABLE_FULL);
    expect(status(r, rv)).toBe(HddStatus.OK);
    expect(status(r, again)).toBe(HddStatus.TABLE_FULL);
    expect(status(r, elsewhere)).toBe(HddStatus.TABLE_FULL);
    expect(r.log[freed]!.slice(0, 1).concat(r.log[freed]![3]!)).toEqual([HddStatus.OK, 0]);
    expect(r.dev.objects.get(Hdd.MAX_OBJECTS)!.points).toHaveLength(10);
    expect(r.dev.livePoints).toBe(11);
  });
});

describe('permission and gas', () => {
  /** The SET's value: its DMA words make its charge far larger than the rest of the program after it. */
  const BIG = 4000;
  function writer(): HddAsm {
    const a = new HddAsm();
    const k = a.bytes(enc('some key')), v = a.bytes(Uint8Array.from({ length: BIG }, (_, i) => i & 0xff));
    a.cmd(HddCmd.MKTRIE);
    a.set(HddReg.ID, 1);
    set(a, HddCmd.TRIE_SET, k, 8, v, BIG);
    a.set(HddReg.VAL, v).set(HddReg.VALLEN, 47);
    a.cmd(HddCmd.PUT);
    return a;
  }

  test('a frame without HARD_DRIVE gets zeros and changes nothing', () => {
    const r = both(writer(), { pset: PSET_DEFINED & ~HARD_DRIVE });
    expect(r.end).toEqual({ kind: 'exit', code: 0 });
    for (const l of r.log) expect(l).toEqual([0, 0, 0, 0]);
    expect(r.dev.objects.size).toBe(0);
    expect(r.dev.staging.size).toBe(0);
    expect(r.dev.stats.ops).toBe(0);
    const allowed = both(writer());
    expect(allowed.dev.staging.size).toBeGreaterThan(1);
  });

  test('out of gas at CMD: cause 24 on both models, nothing stored, the trie unchanged', () => {
    const full = run('iss', writer());
    const setGas = full.dev.stats.gas - Hdd.GAS_BASE - (Hdd.GAS_BASE + Hdd.GAS_PER_NODE_WRITE + words(47));
    expect(setGas).toBeGreaterThan(BIG / 4);
    // The limit leaves less than the SET's charge when its CMD store runs, more than the rest
    // of the program after it needs (a few dozen instructions) — so the SET is what is refused.
    const limit = full.gas - Hdd.GAS_BASE - Hdd.GAS_PER_NODE_WRITE - words(47) - Math.floor(setGas / 2);
    const metered = PSET_DEFINED & ~INFINITE_GAS;
    const iss = run('iss', writer(), { gas: limit, pset: metered }), cyc = run('cycle', writer(), { gas: limit, pset: metered });
    for (const r of [iss, cyc]) {
      expect(r.end).toMatchObject({ kind: 'trap', cause: 24 });
      expect(r.dev.staging.size).toBe(0);
      expect(r.dev.objects.get(1)!.trie.root).toEqual(EMPTY_ROOT);
      expect(r.dev.stats.byCommand).toEqual({ MKTRIE: 1 });
    }
    expect(cyc.end).toEqual(iss.end);
    expect(cyc.gas).toBe(iss.gas);
    expect(cyc.retired).toBe(iss.retired);
  });
});

describe('latency', () => {
  // A GET's CMD store, then k NOPs, then a STATUS load: the load waits max(0, L - 1 - k) cycles
  // (test/device-contract.test.ts derives the rule), so L = c(0) - c(K) + K + 1 for K >= L.
  function getProgram(keys: Uint8Array[], value: Uint8Array, probe: Uint8Array, nops: number, withGet = true): HddAsm {
    const a = new HddAsm();
    const v = a.bytes(value), labels = keys.map((k) => a.bytes(k)), p = a.bytes(probe), out = a.space(64);
    a.cmd(HddCmd.MKTRIE);
    a.set(HddReg.ID, 1);
    keys.forEach((k, i) => set(a, HddCmd.TRIE_SET, labels[i]!, k.length, v, value.length));
    a.set(HddReg.KEY, p).set(HddReg.KEYLEN, probe.length).set(HddReg.OUT, out).set(HddReg.OUTCAP, 64);
    if (withGet) a.asm(`  li t0, ${HddCmd.TRIE_GET}\n  sw t0, 0(t6)\n${'  nop\n'.repeat(nops)}  lw s3, ${HddReg.STATUS}(t6)\n  lw s4, ${HddReg.OUTLEN}(t6)`);
    return a;
  }

  // Values of 40 bytes: every leaf is a node of its own (>= 32 bytes encoded), read by hash.
  const value = Uint8Array.from({ length: 40 }, (_, i) => i + 1);
  const cases: [string, Uint8Array[], Uint8Array, number][] = [
    // One leaf at the root: the root node.
    ['a one-key trie', [enc('a')], enc('a'), 1],
    // Keys differing in the first nibble: root branch, then the leaf.
    ['a branch of two leaves', [Uint8Array.from([0x10]), Uint8Array.from([0x20])], Uint8Array.from([0x20]), 2],
    // A shared first byte: root extension, branch, leaf.
    ['extension, branch, leaf', [Uint8Array.from([0xab, 0x10]), Uint8Array.from([0xab, 0x20])], Uint8Array.from([0xab, 0x20]), 3],
  ];

  test.each(cases)('GET in %s: ready low exactly CYCLES_SETUP + reads * CYCLES_PER_NODE_READ + DMA words', (_name, keys, probe, reads) => {
    // The trie's own count agrees with the structure named.
    const t = new Trie(new MemoryStore());
    for (const k of keys) t.set(k, value);
    const cost = { reads: 0, writes: 0 };
    expect(t.get(probe, cost)).toEqual(value);
    expect(cost.reads).toBe(reads);
    const L = Hdd.CYCLES_SETUP + reads * Hdd.CYCLES_PER_NODE_READ + words(probe.length) + words(value.length);
    const K = L + 10;
    const c0 = run('cycle', getProgram(keys, value, probe, 0)), cK = run('cycle', getProgram(keys, value, probe, K));
    expect(c0.x[19]).toBe(HddStatus.OK);
    expect(c0.x[20]).toBe(value.length);
    expect(cK.x[19]).toBe(HddStatus.OK);
    expect(c0.cycles! - cK.cycles! + K + 1).toBe(L);
    // And on the ISS no time passes: the same values.
    const iss = run('iss', getProgram(keys, value, probe, 0));
    expect(iss.x[19]).toBe(c0.x[19]);
    expect(iss.gas).toBe(c0.gas);
  });

  test.each(cases)('SET in %s: ready low and gas exactly as the formulas give from the trie\'s counts', (_name, keys, probe) => {
    const t = new Trie(new MemoryStore());
    for (const k of keys) t.set(k, value);
    const newValue = Uint8Array.from({ length: 50 }, (_, i) => 200 - i);
    const u = t.prepare(probe, newValue);
    expect(u.writes).toBeGreaterThan(0);
    const d = words(probe.length) + words(newValue.length);
    const L = Hdd.CYCLES_SETUP + u.reads * Hdd.CYCLES_PER_NODE_READ + u.writes * Hdd.CYCLES_PER_NODE_WRITE + d;
    const G = Hdd.GAS_BASE + u.reads * Hdd.GAS_PER_NODE_READ + u.writes * Hdd.GAS_PER_NODE_WRITE + d * Hdd.GAS_PER_WORD;
    const program = (nops: number, last: boolean): HddAsm => {
      const a = getProgram(keys, value, probe, 0, false);
      const nv = a.bytes(newValue);
      a.set(HddReg.VAL, nv).set(HddReg.VALLEN, newValue.length);
      if (last) a.asm(`  li t0, ${HddCmd.TRIE_SET}\n  sw t0, 0(t6)\n${'  nop\n'.repeat(nops)}  lw s3, ${HddReg.STATUS}(t6)`);
      return a;
    };
    const K = L + 10;
    const c0 = run('cycle', program(0, true)), cK = run('cycle', program(K, true)), none = run('iss', program(0, false));
    expect(c0.x[19]).toBe(HddStatus.OK);
    expect(c0.cycles! - cK.cycles! + K + 1).toBe(L);
    expect(c0.dev.stats.gas - none.dev.stats.gas).toBe(G);
    expect(hex(c0.dev.objects.get(1)!.trie.root)).toBe(hex(u.root));
  });

  test.each([1, 2, 3])('random bus stalls (seed %i) change cycles only', (seed) => {
    const a = getProgram(cases[2]![1], value, cases[2]![2], 3);
    const base = run('cycle', a), r = run('cycle', a, { randomStalls: 3, seed });
    expect(r.x).toEqual(base.x);
    expect(r.gas).toBe(base.gas);
    expect(r.retired).toBe(base.retired);
    expect(r.cycles!).toBeGreaterThan(base.cycles!);
  });
});

describe('objects outlive frames', () => {
  test('a child holding HARD_DRIVE reads the trie its parent built, by id; without it, zeros', () => {
    const child = (pset: number): string => `
  .text
  .globl _start
_start:
  li t6, 0x${Hdd.BASE.toString(16)}
  li t0, ${HddCmd.MKTRIE}
  sw t0, 0(t6)
  li t0, 1
  sw t0, ${HddReg.ID}(t6)
  la t0, key
  sw t0, ${HddReg.KEY}(t6)
  li t0, 3
  sw t0, ${HddReg.KEYLEN}(t6)
  la t0, val
  sw t0, ${HddReg.VAL}(t6)
  li t0, 5
  sw t0, ${HddReg.VALLEN}(t6)
  li t0, ${HddCmd.TRIE_SET}
  sw t0, 0(t6)
  la s0, desc
  eval a2, s0
  la t2, output
  lw a3, 0(t2)
  lw a4, 4(t2)
  lw a5, 8(t2)
  li a7, 93
  ecall
child:
  li t6, 0x${Hdd.BASE.toString(16)}
  addi sp, sp, -32
  lw t1, ${HddReg.ID}(t6)
  sw t1, 8(sp)
  li t0, 1
  sw t0, ${HddReg.ID}(t6)
  sw a0, ${HddReg.KEY}(t6)
  li t0, 3
  sw t0, ${HddReg.KEYLEN}(t6)
  addi t0, sp, 16
  sw t0, ${HddReg.OUT}(t6)
  li t0, 16
  sw t0, ${HddReg.OUTCAP}(t6)
  li t0, ${HddCmd.TRIE_GET}
  sw t0, 0(t6)
  lw t3, ${HddReg.STATUS}(t6)
  lw t4, ${HddReg.OUTLEN}(t6)
  sw t3, 0(sp)
  sw t4, 4(sp)
  lw t3, 16(sp)
  sw t3, 12(sp)
  mv a0, sp
  li a1, 16
  return a0, a1
child_end:
  .data
  .balign 4
desc: .word ${pset}, child, child_end - child, key, 4, output, 16, 100000, 0, 0, 64, 0, 0
key: .byte 107, 101, 121, 0
val: .byte 104, 101, 108, 108, 111
  .balign 4
output: .space 16
`;
    for (const model of ['iss', 'cycle'] as const) {
      const r = run(model, child(HARD_DRIVE));
      expect(r.x[12]).toBe(0); // EVAL SUCCESS
      // STATUS OK, OUTLEN 5; the child saw ID 0 (registers reset at the frame switch).
      expect([r.x[13], r.x[14], r.x[15]]).toEqual([HddStatus.OK, 5, 0]);
      expect(r.mem('output', 16).subarray(12, 16)).toEqual(enc('hell'));
      const z = run(model, child(0));
      expect([z.x[12], z.x[13], z.x[14]]).toEqual([0, 0, 0]);
    }
  });
});

describe('snapshots', () => {
  test('a snapshot mid-program restores the object table and the staged nodes exactly', () => {
    const a = new HddAsm();
    const keys = KEYS.map((k) => a.bytes(k)), vals = VALS.map((v) => a.bytes(v)), root = a.space(32);
    a.cmd(HddCmd.MKTRIE);
    a.cmd(HddCmd.MKHEAP);
    a.set(HddReg.ID, 1);
    KEYS.forEach((k, i) => {
      set(a, HddCmd.TRIE_SET, keys[i]!, k.length, vals[i]!, VALS[i]!.length);
      if (i === 3) a.cmd(HddCmd.TRIE_MKREVERT_POINT);
    });
    a.set(HddReg.VAL, vals[5]!).set(HddReg.VALLEN, VALS[5]!.length);
    a.cmd(HddCmd.PUT);
    a.set(HddReg.POINT, 0);
    a.cmd(HddCmd.TRIE_REVERT);
    a.cmd(HddCmd.MKTRIE);
    a.cmd(HddCmd.TRIE_GETROOT); a.saveHash(root);
    const prog = loadElf(assembleToElf(a.source(), { file: 'hdd.S' }));
    const dev = new HardDrive(new MemoryStore());
    const m = createModel('cycle', prog, { devices: [dev] });
    const host = new LinuxHost();
    const cm = new CallManager(m, host);
    // Stop after the fifth SET (the revert point made, some nodes staged) while a command runs.
    while (dev.stats.ops < 7) expect(cm.run({ maxCycles: m.cycles + 1 })).toEqual({ kind: 'limit' });
    const snap = snapshot(m, [cm, host]);
    const state = (): unknown => ({
      staged: [...dev.staging.journal],
      held: [...dev.staging.keys()].sort(),
      objects: [...dev.objects].map(([id, o]) => [id, o.kind, hex(o.trie.root), o.points.map(hex)]),
    });
    const at = state();
    const finish = () => {
      const end = cm.run({ maxCycles: 10_000_000 });
      return { end, gas: m.gasUsed, cycles: m.cycles, log: outcome(end, m, dev, prog, a.logged).log, state: state() };
    };
    const first = finish();
    restore(m, snap);
    expect(state()).toEqual(at);
    const second = finish();
    expect(second).toEqual(first);
    const whole = run('cycle', a);
    expect(first.log).toEqual(whole.log);
    expect(first.cycles).toBe(whole.cycles);
    expect((first.state as { staged: string[] }).staged).toEqual(whole.dev.staging.journal);
    expect((first.state as { objects: unknown[] }).objects).toHaveLength(3);
    // Restoring the earlier snapshot once more (after running past it) is still exact.
    restore(m, snap);
    expect(state()).toEqual(at);
    expect(dev.staging.size).toBe((at as { held: string[] }).held.length);
    void hashKey;
  });
});

describe('commit', () => {
  test('the staged nodes go to the backing store once, in staging order; reads see them after', () => {
    const store = new MemoryStore();
    const a = new HddAsm();
    const v = a.bytes(enc('persist me'));
    a.set(HddReg.VAL, v).set(HddReg.VALLEN, 10);
    a.cmd(HddCmd.PUT);
    const r = run('iss', a, { store });
    expect(store.size).toBe(0);
    const h = keccak_256(enc('persist me'));
    expect(r.dev.lookup(h)).toEqual(enc('persist me'));
    expect(r.dev.commit()).toBe(1);
    expect(store.get(h)).toEqual(enc('persist me'));
    expect(r.dev.staging.size).toBe(0);
    expect(r.dev.lookup(h)).toEqual(enc('persist me'));
  });
});
