// The hard drive (docs/peripherals.md, "Hard drive"): a command device over a content-addressed
// store (peripherals/store.ts). PUT / INVSHA3 store and fetch preimages by their keccak-256; an
// object table names tries and heaps (Merkle-Patricia tries, peripherals/mpt.ts) by small ids,
// each with its revert points. Nodes are never changed in place, so a revert point is a root.
//
// Every command follows one order (peripherals/command.ts): read the operands, compute — a
// trie update is prepared, nothing stored — then `spend` the gas and cycles of the node work
// and the DMA, and only then store nodes, write memory and set result registers. A node the
// store does not hold throws DataUnavailable during the compute step, before any change.
//
// What a run writes is staged here (`Staging`), in front of the backing store: a snapshot can
// take it back exactly, and the host commits it in one piece at the end of the run
// (`commit`: a MemoryStore takes the nodes, a LevelDB store then writes them as one batch).

import { keccak_256 } from '@noble/hashes/sha3.js';
import { DataUnavailable } from './clock.js';
import { CommandDevice, REFUSED } from './command.js';
import { EMPTY_ROOT, forgetNodes, MalformedNode, Trie, type TrieCost, type TrieUpdate } from './mpt.js';
import { HDD } from './regmap.js';
import { DMA_BYTES_PER_CYCLE, Hdd, HddCmd, HddReg, HddStatus } from './regs.js';
import { hashKey, keyBytes, type NodeStore } from './store.js';

/** Object kinds (the high nibble of a TRIE_* / HEAP_* command code). */
export const KIND_TRIE = 0x10;
export const KIND_HEAP = 0x20;

/** FLAGS bit 0 (MKTRIE): keys are keccak-256 hashed before use (Ethereum's secure trie). */
export const FLAG_SECURE = 1;

/** An entry of the object table. */
export interface HddObject {
  readonly kind: number;
  readonly trie: Trie;
  /** Root at each live revert point: POINT p is `points[p]`. */
  points: Uint8Array[];
}

const EMPTY = new Uint8Array(0);

// Written out rather than Buffer's toString('hex'): the device bundles for the browser.
const hex = (b: Uint8Array): string => { let s = '0x'; for (let i = 0; i < b.length; i++) s += b[i]!.toString(16).padStart(2, '0'); return s; };
const words = (bytes: number): number => Math.ceil(bytes / DMA_BYTES_PER_CYCLE);

/**
 * The nodes and preimages a run wrote, in front of the backing store: reads see them first.
 * A Map (the snapshot walk does not enter Maps; `HardDrive.save/load` carry it instead) of
 * the live staged nodes, with the order they were staged in (`journal`) and every value ever
 * staged in the run (`pool`), so a restore to any earlier or later snapshot is exact.
 */
export class Staging extends Map<string, Uint8Array> implements NodeStore {
  /** Keys in the order they were staged (this timeline). Entries below a saved length never change. */
  journal: string[] = [];
  /** Every value staged in the run, whichever timeline (content-addressed: one value per key). */
  readonly pool = new Map<string, Uint8Array>();
  /** Bytes of the live staged values. */
  bytes = 0;

  constructor(readonly backing: NodeStore) {
    super();
  }

  override get(hash: Uint8Array | string): Uint8Array | undefined {
    if (typeof hash === 'string') return super.get(hash);
    return super.get(hashKey(hash)) ?? this.backing.get(hash);
  }

  put(hash: Uint8Array, value: Uint8Array): void {
    const k = hashKey(hash);
    if (this.has(k)) return;
    this.journal.push(k);
    this.set(k, value);
    this.pool.set(k, value);
    this.bytes += value.length;
  }

  /** Bytes staging `nodes` would add (those already staged add nothing). */
  adds(nodes: readonly (readonly [Uint8Array, Uint8Array])[]): number {
    let n = 0;
    for (let i = 0; i < nodes.length; i++) if (!this.has(hashKey(nodes[i]![0]))) n += nodes[i]![1].length;
    return n;
  }

  /** Back to the first `n` entries of `journal` (a snapshot's). */
  rewind(journal: string[], n: number): void {
    this.journal = journal.slice(0, n);
    this.clear();
    this.bytes = 0;
    // The trie's decoded-node cache may hold nodes this drops (mpt.ts, forgetNodes).
    forgetNodes(this);
    for (const k of this.journal) { const v = this.pool.get(k)!; this.set(k, v); this.bytes += v.length; }
  }

  /** Hand every staged node to the backing store, in staging order; returns how many. */
  commit(): number {
    const n = this.journal.length;
    for (const k of this.journal) this.backing.put(keyBytes(k), super.get(k)!);
    this.journal = [];
    this.pool.clear();
    this.clear();
    this.bytes = 0;
    return n;
  }
}

/** The object table: id → object, ids from 1. A Map for the same reason as Staging. */
class ObjectTable extends Map<number, HddObject> {}

/** What save() hands to a snapshot. */
interface HddState {
  readonly journal: string[];
  readonly staged: number;
  readonly objects: readonly { id: number; kind: number; secure: boolean; root: Uint8Array; points: Uint8Array[] }[];
}

export interface HardDriveOptions {
  /** Bytes one run may stage (STORE_FULL beyond; default and ceiling Hdd.MAX_STAGED). */
  maxStaged?: number;
}

export class HardDrive extends CommandDevice {
  readonly staging: Staging;
  readonly objects = new ObjectTable();
  readonly maxStaged: number;
  /** Revert points live in all objects (at most MAX_POINTS: host memory stays bounded). */
  livePoints = 0;
  /** Node work of the command being computed (TrieCost: reads and writes). */
  private readonly cost: TrieCost = { reads: 0, writes: 0 };

  constructor(store: NodeStore, opts: HardDriveOptions = {}) {
    super(HDD);
    this.staging = new Staging(store);
    this.maxStaged = Math.min(opts.maxStaged ?? Hdd.MAX_STAGED, Hdd.MAX_STAGED);
  }

  /** Would staging `bytes` more pass the run's budget? */
  private full(bytes: number): boolean {
    return this.staging.bytes + bytes > this.maxStaged;
  }

  /** What the drive holds under `hash`: staged first, then the store. */
  lookup(hash: Uint8Array): Uint8Array | undefined {
    return this.staging.get(hash);
  }

  /** The end of a run: the staged nodes go to the backing store. Returns how many. */
  commit(): number {
    return this.staging.commit();
  }

  protected command(code: number): number {
    const c = this.cost;
    c.reads = 0; c.writes = 0;
    if (code === HddCmd.PUT) return this.putCommand();
    if (code === HddCmd.INVSHA3) return this.invsha3();
    if (code === HddCmd.MKTRIE || code === HddCmd.MKHEAP) return this.make(code & 0xf0);
    try {
      return this.objectCommand(code & 0xf0, code & 0x0f);
    } catch (e) {
      // Thrown only while computing, before anything was charged or changed; charged as a
      // bare command (a failed prepare's counts are not known).
      if (e instanceof MalformedNode) { this.cost.reads = 0; this.cost.writes = 0; return this.fail(HddStatus.BAD_NODE); }
      throw e;
    }
  }

  /**
   * Charge GAS_BASE plus the node work in `cost` and `w` words of DMA (each buffer rounded up
   * to words on its own), and take the matching cycles (docs/peripherals.md, the hard drive's
   * gas and latency formulas).
   */
  private charge(w: number): boolean {
    const c = this.cost;
    const gas = Hdd.GAS_BASE + Hdd.GAS_PER_NODE_READ * c.reads + Hdd.GAS_PER_NODE_WRITE * c.writes + Hdd.GAS_PER_WORD * w;
    const cycles = Hdd.CYCLES_SETUP + Hdd.CYCLES_PER_NODE_READ * c.reads + Hdd.CYCLES_PER_NODE_WRITE * c.writes + w;
    return this.spend(gas, cycles);
  }

  /** A command that fails its checks: GAS_BASE and the setup cycles (plus node work done), results cleared. */
  private fail(status: number, dmaWords = 0): number {
    if (!this.charge(dmaWords)) return REFUSED;
    this.clearResults();
    return status;
  }

  private clearResults(): void {
    this.setReg(HddReg.OUTLEN, 0);
    this.setReg(HddReg.RESULT, 0);
  }

  /** `len` bytes at `addr` in the running frame (a copy), EMPTY for 0 bytes, or null (DMA_FAULT). */
  private input(addr: number, len: number): Uint8Array | null {
    if (len === 0) return EMPTY;
    const b = this.view(addr, len);
    return b === null ? null : b.slice();
  }

  /** HASH as a root: all zero bytes name the empty trie. */
  private rootOperand(): Uint8Array {
    const h = this.bank(HddReg.HASH, 32);
    for (let i = 0; i < 32; i++) if (h[i] !== 0) return h;
    return EMPTY_ROOT;
  }

  private putCommand(): number {
    const len = this.reg(HddReg.VALLEN) >>> 0;
    if (len > Hdd.MAX_VALUE) return this.fail(HddStatus.TOO_LARGE);
    const value = this.input(this.reg(HddReg.VAL), len);
    if (value === null) return this.fail(HddStatus.DMA_FAULT);
    const hash = keccak_256(value);
    if (!this.staging.has(hashKey(hash)) && this.full(len)) return this.fail(HddStatus.STORE_FULL);
    // Charged as a write whether or not the store already holds it: gas may not depend on
    // what a particular store happens to hold.
    this.cost.writes = 1;
    if (!this.charge(words(len))) return REFUSED;
    this.staging.put(hash, value);
    this.clearResults();
    this.setBank(HddReg.HASH, hash, 8);
    return HddStatus.OK;
  }

  private invsha3(): number {
    const hash = this.bank(HddReg.HASH, 32);
    const pre = this.staging.get(hash);
    if (pre === undefined) throw new DataUnavailable(`preimage ${hex(hash)} not held`);
    this.cost.reads = 1;
    return this.output(pre, 0);
  }

  /**
   * Write `result` to OUT (OUTLEN = its length), charging the node work so far, `inWords` of
   * operands and the words written; with `u`, the update `t` applies once charged (HEAP_POP).
   * Longer than OUTCAP: TOO_SMALL, OUTLEN still its length, nothing written or applied.
   */
  private output(result: Uint8Array, inWords: number, t: Trie | null = null, u: TrieUpdate | null = null): number {
    const len = result.length, out = this.reg(HddReg.OUT);
    if (len > this.reg(HddReg.OUTCAP) >>> 0) {
      if (!this.charge(inWords)) return REFUSED;
      this.clearResults();
      this.setReg(HddReg.OUTLEN, len);
      return HddStatus.TOO_SMALL;
    }
    if (len > 0 && !this.canWrite(out, len)) return this.fail(HddStatus.DMA_FAULT, inWords);
    if (u !== null) { this.cost.reads += u.reads; this.cost.writes += u.writes; }
    if (!this.charge(inWords + words(len))) return REFUSED;
    if (u !== null) t!.apply(u);
    if (len > 0 && this.put(out, result) !== 0) throw new Error('hdd: a checked DMA write faulted');
    this.clearResults();
    this.setReg(HddReg.OUTLEN, len);
    return HddStatus.OK;
  }

  private make(kind: number): number {
    const id = this.objects.size + 1;
    if (id > Hdd.MAX_OBJECTS) return this.fail(HddStatus.TABLE_FULL);
    const secure = kind === KIND_TRIE && (this.reg(HddReg.FLAGS) & FLAG_SECURE) !== 0;
    const root = this.rootOperand();
    if (!this.charge(0)) return REFUSED;
    this.objects.set(id, { kind, trie: new Trie(this.staging, root, secure), points: [] });
    this.clearResults();
    this.setReg(HddReg.RESULT, id);
    return HddStatus.OK;
  }

  private objectCommand(kind: number, op: number): number {
    const id = this.reg(HddReg.ID) >>> 0;
    const o = this.objects.get(id);
    if (o === undefined) return this.fail(HddStatus.BAD_ID);
    if (o.kind !== kind) return this.fail(HddStatus.WRONG_KIND);
    const t = o.trie;
    switch (op) {
      case HddCmd.TRIE_GETROOT & 0x0f: {
        if (!this.charge(0)) return REFUSED;
        this.clearResults();
        this.setBank(HddReg.HASH, t.root, 8);
        return HddStatus.OK;
      }
      case HddCmd.TRIE_SETROOT & 0x0f: {
        const root = this.rootOperand();
        if (!this.charge(0)) return REFUSED;
        t.root = root;
        this.clearResults();
        return HddStatus.OK;
      }
      case HddCmd.TRIE_GET & 0x0f: {
        const keyLen = this.reg(HddReg.KEYLEN) >>> 0;
        if (keyLen > Hdd.MAX_KEY) return this.fail(HddStatus.TOO_LARGE);
        const key = this.input(this.reg(HddReg.KEY), keyLen);
        if (key === null) return this.fail(HddStatus.DMA_FAULT);
        const value = t.get(key, this.cost);
        return this.output(value ?? EMPTY, words(keyLen));
      }
      case HddCmd.TRIE_SET & 0x0f: {
        const keyLen = this.reg(HddReg.KEYLEN) >>> 0, valLen = this.reg(HddReg.VALLEN) >>> 0;
        if (keyLen > Hdd.MAX_KEY || valLen > Hdd.MAX_VALUE) return this.fail(HddStatus.TOO_LARGE);
        const key = this.input(this.reg(HddReg.KEY), keyLen), value = this.input(this.reg(HddReg.VAL), valLen);
        if (key === null || value === null) return this.fail(HddStatus.DMA_FAULT);
        const u = t.prepare(key, value);
        this.cost.reads = u.reads;
        if (this.full(this.staging.adds(u.nodes))) return this.fail(HddStatus.STORE_FULL);
        this.cost.writes = u.writes;
        if (!this.charge(words(keyLen) + words(valLen))) return REFUSED;
        t.apply(u);
        this.clearResults();
        return HddStatus.OK;
      }
      case HddCmd.TRIE_MKREVERT_POINT & 0x0f: {
        if (this.livePoints >= Hdd.MAX_POINTS) return this.fail(HddStatus.TABLE_FULL);
        if (!this.charge(0)) return REFUSED;
        o.points.push(t.root);
        this.livePoints++;
        this.clearResults();
        this.setReg(HddReg.POINT, o.points.length - 1);
        return HddStatus.OK;
      }
      case HddCmd.TRIE_REVERT & 0x0f: {
        const p = this.reg(HddReg.POINT) >>> 0;
        if (p >= o.points.length) return this.fail(HddStatus.BAD_POINT);
        if (!this.charge(0)) return REFUSED;
        t.root = o.points[p]!;
        this.livePoints -= o.points.length - (p + 1);
        o.points.length = p + 1;
        this.clearResults();
        return HddStatus.OK;
      }
      // Only heaps have these codes (0x27, 0x28); the trie's are undefined commands.
      case HddCmd.HEAP_TOP & 0x0f:
      case HddCmd.HEAP_POP & 0x0f: {
        const top = t.first(this.cost);
        if (top === null) return this.fail(HddStatus.EMPTY);
        // POP: the delete is prepared (its node work known) before anything is charged.
        const pop = op === (HddCmd.HEAP_POP & 0x0f) && top.key.length <= this.reg(HddReg.OUTCAP) >>> 0;
        const u = pop ? t.prepare(top.key, EMPTY) : null;
        if (u !== null && this.full(this.staging.adds(u.nodes))) { this.cost.reads += u.reads; return this.fail(HddStatus.STORE_FULL); }
        return this.output(top.key, 0, t, u);
      }
    }
    throw new Error(`hdd: command 0x${(kind | op).toString(16)} has no semantics`);
  }

  // ---- snapshots: the object table and the staged nodes (debug/snapshot.ts) ----

  save(): HddState {
    const objects: HddState['objects'][number][] = [];
    for (const [id, o] of this.objects) objects.push({ id, kind: o.kind, secure: o.trie.secure, root: o.trie.root, points: o.points.slice() });
    return { journal: this.staging.journal, staged: this.staging.journal.length, objects };
  }

  load(state: unknown): void {
    const s = state as HddState;
    this.staging.rewind(s.journal, s.staged);
    this.objects.clear();
    this.livePoints = 0;
    for (const o of s.objects) {
      this.objects.set(o.id, { kind: o.kind, trie: new Trie(this.staging, o.root, o.secure), points: o.points.slice() });
      this.livePoints += o.points.length;
    }
  }
}
