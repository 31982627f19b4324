// The hard drive's trie (peripherals/mpt.ts) against @ethereumjs/mpt doing the same work in the
// same run: the same keys (pseudo-random 32 bytes, as a secure trie's hashed keys) and values
// (32 bytes: every leaf is a hashed node), in the same order, over an in-memory store.
//   - sets: N inserts into an empty trie, then N updates of the same keys in another order;
//   - gets: N gets of present keys in a third order;
//   - gets without the decoded-node cache (forgotten before each get): the cost of decoding;
// ethereumjs' API is async: it is awaited once per operation, in a plain loop (its own MapDB,
// no pruning, no key hashing). Both roots are compared before anything is reported. Every figure
// is the best of `runs`, after a warm-up run.

import { EMPTY_ROOT, forgetNodes, Trie } from '../peripherals/mpt.js';
import { MemoryStore } from '../peripherals/store.js';

export interface HddSide {
  setsPerSecond: number;
  getsPerSecond: number;
}

export interface HddFigures {
  keys: number;
  ours: HddSide & { coldGetsPerSecond: number; nodes: number; readsPerGet: number; writesPerSet: number };
  /** null when @ethereumjs/mpt (a devDependency) is not installed. */
  ethereumjs: HddSide | null;
  /** ours / ethereumjs, per figure. */
  ratio: HddSide | null;
  root: string;
}

export const DEFAULT_HDD_KEYS = 20_000;

/** xorshift32 bytes: the same data every run. */
function data(n: number, len: number, seed: number): Uint8Array[] {
  let x = seed >>> 0 || 1;
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const b = new Uint8Array(len);
    for (let j = 0; j < len; j++) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; b[j] = x & 0xff; }
    out.push(b);
  }
  return out;
}

/** A fixed permutation of 0..n-1. */
function order(n: number, seed: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  let x = seed >>> 0 || 1;
  for (let i = n - 1; i > 0; i--) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; const j = x % (i + 1); const t = p[i]!; p[i] = p[j]!; p[j] = t; }
  return p;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

interface Work { keys: Uint8Array[]; values: Uint8Array[]; values2: Uint8Array[]; update: Int32Array; lookup: Int32Array }

function runOurs(w: Work): { setS: number; getS: number; coldS: number; root: Uint8Array; nodes: number; reads: number; writes: number } {
  const n = w.keys.length;
  const store = new MemoryStore();
  const t = new Trie(store, EMPTY_ROOT);
  let t0 = performance.now();
  let writes = 0;
  for (let i = 0; i < n; i++) { const u = t.prepare(w.keys[i]!, w.values[i]!); writes += u.writes; t.apply(u); }
  for (let i = 0; i < n; i++) { const j = w.update[i]!; const u = t.prepare(w.keys[j]!, w.values2[j]!); writes += u.writes; t.apply(u); }
  const setS = (performance.now() - t0) / 1000;
  const cost = { reads: 0, writes: 0 };
  t0 = performance.now();
  for (let i = 0; i < n; i++) if (t.get(w.keys[w.lookup[i]!]!, cost) === null) throw new Error('a key went missing');
  const getS = (performance.now() - t0) / 1000;
  const cold = Math.min(n, 2000);
  t0 = performance.now();
  for (let i = 0; i < cold; i++) { forgetNodes(store); new Trie(store, t.root).get(w.keys[w.lookup[i]!]!); }
  const coldS = ((performance.now() - t0) / 1000) * (n / cold);
  return { setS, getS, coldS, root: t.root, nodes: store.size, reads: cost.reads / n, writes: writes / (2 * n) };
}

type Mpt = { put(k: Uint8Array, v: Uint8Array): Promise<void>; get(k: Uint8Array): Promise<Uint8Array | null>; root(): Uint8Array };

async function runTheirs(w: Work, create: () => Promise<Mpt>): Promise<{ setS: number; getS: number; root: Uint8Array }> {
  const n = w.keys.length;
  const t = await create();
  let t0 = performance.now();
  for (let i = 0; i < n; i++) await t.put(w.keys[i]!, w.values[i]!);
  for (let i = 0; i < n; i++) { const j = w.update[i]!; await t.put(w.keys[j]!, w.values2[j]!); }
  const setS = (performance.now() - t0) / 1000;
  t0 = performance.now();
  for (let i = 0; i < n; i++) if ((await t.get(w.keys[w.lookup[i]!]!)) === null) throw new Error('a key went missing');
  const getS = (performance.now() - t0) / 1000;
  return { setS, getS, root: t.root() };
}

/** Measure both tries on `keys` keys; throws when their roots differ. */
export async function measureHdd(keys = DEFAULT_HDD_KEYS, runs = 3): Promise<HddFigures> {
  const w: Work = { keys: data(keys, 32, 1), values: data(keys, 32, 2), values2: data(keys, 32, 3), update: order(keys, 4), lookup: order(keys, 5) };
  let create: (() => Promise<Mpt>) | null = null;
  try {
    const m = await import('@ethereumjs/mpt');
    create = () => m.createMPT({}) as Promise<Mpt>;
  } catch {
    create = null;
  }
  let best: ReturnType<typeof runOurs> | null = null;
  let theirs: { setS: number; getS: number; root: Uint8Array } | null = null;
  for (let r = 0; r <= runs; r++) {
    const o = runOurs(w);
    if (r > 0 && (best === null || o.setS + o.getS < best.setS + best.getS)) best = o;
    if (create !== null) {
      const e = await runTheirs(w, create);
      if (hex(e.root) !== hex(o.root)) throw new Error(`hard-drive bench: roots differ: ours 0x${hex(o.root)}, @ethereumjs/mpt 0x${hex(e.root)}`);
      if (r > 0 && (theirs === null || e.setS + e.getS < theirs.setS + theirs.getS)) theirs = e;
    }
  }
  const b = best!;
  const ours = { setsPerSecond: (2 * keys) / b.setS, getsPerSecond: keys / b.getS, coldGetsPerSecond: keys / b.coldS, nodes: b.nodes, readsPerGet: b.reads, writesPerSet: b.writes };
  const eth = theirs === null ? null : { setsPerSecond: (2 * keys) / theirs.setS, getsPerSecond: keys / theirs.getS };
  return {
    keys,
    ours,
    ethereumjs: eth,
    ratio: eth === null ? null : { setsPerSecond: ours.setsPerSecond / eth.setsPerSecond, getsPerSecond: ours.getsPerSecond / eth.getsPerSecond },
    root: `0x${hex(b.root)}`,
  };
}

/** One line per side for the text report. */
export function hddLines(h: HddFigures): string[] {
  const k = (x: number): string => `${Math.round(x / 1000)} k/s`;
  const lines = [
    `hard drive (trie, ${h.keys} random 32-byte keys and values, in memory; ${h.ours.nodes} nodes stored, ${h.ours.readsPerGet.toFixed(1)} node reads per get, ${h.ours.writesPerSet.toFixed(1)} node writes per set):`,
    `  ours:            ${k(h.ours.setsPerSecond)} sets, ${k(h.ours.getsPerSecond)} gets (${k(h.ours.coldGetsPerSecond)} gets without the decoded-node cache)`,
  ];
  if (h.ethereumjs === null || h.ratio === null) lines.push('  @ethereumjs/mpt: not installed (a devDependency): not compared');
  else {
    lines.push(`  @ethereumjs/mpt: ${k(h.ethereumjs.setsPerSecond)} sets, ${k(h.ethereumjs.getsPerSecond)} gets (awaited one by one)`);
    lines.push(`  ratio:           ${h.ratio.setsPerSecond.toFixed(1)}x sets, ${h.ratio.getsPerSecond.toFixed(1)}x gets; same root ${h.root.slice(0, 18)}…`);
  }
  return lines;
}
