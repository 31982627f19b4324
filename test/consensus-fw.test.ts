// The consensus ROMs (firmware/src/interpret_block.c, interpret_collation.c) against blocks built
// here from docs/consensus.md with outside references: @noble/curves signs, @noble/hashes hashes,
// the tries are peripherals/mpt.ts (checked against @ethereumjs/mpt in test/mpt.test.ts), RLP is
// peripherals/rlpcodec.ts. Every reason a block can be given is provoked, hostile structures
// included, and every verdict, reason, gas and instruction count is the same on both models.

import { describe, expect, it } from 'vitest';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { encode, headerLength, uintBytes, writeHeader, type RlpItem } from '../dist/peripherals/rlpcodec.js';
import { EMPTY_ROOT, Trie } from '../dist/peripherals/mpt.js';
import { MemoryStore } from '../dist/peripherals/store.js';
import { HardDrive } from '../dist/peripherals/hdd.js';
import { standardDevices } from '../dist/peripherals/standard.js';
import { loadRom } from '../dist/cpu/program.js';
import { createModel } from '../dist/cpu/machine.js';
import { runToEnd, type RunResult } from '../dist/cpu/runner.js';
import { LinuxHost } from '../dist/cpu/host.js';
import { contractImage, firmwareImage } from '../dist/firmware/images.js';
import { assemble } from '../dist/isa/asm.js';

const R = {
  OK: 0, BAD_HEADER: 1, BAD_STATE: 2, MISSING_SIG: 3, BAD_SIG: 4, EXTRA_SIG: 5, BAD_OBJROOT: 6, UNKNOWN_OBJECT: 7,
  INTERSECTING: 8, BAD_PREV_ROOT: 9, COLLATION_FAILED: 10, BAD_COLLATION: 11, BAD_PROPOSER: 12, BAD_PROPOSER_SIG: 13,
  BAD_COLLATION_SIG: 14, BAD_TX: 15, TX_SUBSTATE: 16, BAD_TX_SIG: 17, BAD_NONCE: 18, BAD_POST: 19, BAD_ENDSTATE: 20,
} as const;
const NONE = 0xffff_ffff;
const MiB = 1 << 20;
const PSET = 2 | 4; // HARD_DRIVE + CRYPTO

const H = (b: Uint8Array): Uint8Array => keccak_256(b);
const be32 = (v: number): Uint8Array => Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
const le32 = (v: number): Uint8Array => Uint8Array.of(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24);
const int = (v: number): Uint8Array => uintBytes(v);
const cat = (...a: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(a.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of a) { out.set(x, o); o += x.length; }
  return out;
};
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** A list around an already encoded payload (for hostile payloads the encoder would not write). */
const rawList = (payload: Uint8Array): Uint8Array => {
  const h = new Uint8Array(headerLength(payload.length));
  writeHeader(h, 0, payload.length, true);
  return cat(h, payload);
};

/** A secret key from a label (keccak until valid). */
function secret(label: string): Uint8Array {
  let k = H(new TextEncoder().encode(label));
  while (!secp256k1.utils.isValidSecretKey(k)) k = H(k);
  return k;
}
const publicKey = (sk: Uint8Array): Uint8Array => secp256k1.getPublicKey(sk, false).slice(1);
const ethAddress = (sk: Uint8Array): Uint8Array => H(publicKey(sk)).slice(12);
/** A sender's 24-byte id: the low 24 bytes of H(x ‖ y). */
const senderId = (sk: Uint8Array): Uint8Array => H(publicKey(sk)).slice(8);

/** r ‖ s ‖ v over a 32-byte hash, no further hashing (noble's 'recovered' is v ‖ r ‖ s). */
function sign(hash: Uint8Array, sk: Uint8Array): Uint8Array {
  const b = secp256k1.sign(hash, sk, { prehash: false, format: 'recovered' });
  return cat(b.slice(1), b.slice(0, 1));
}

// ---- stub MSG images: the collation's own logic, before and beside the real MSG ----------------

/** A flat image from assembly (its .text at 0x0001_0000). */
function image(src: string): Uint8Array {
  const text = assemble(src, { file: 'stub.S' }).sections.find((s) => s.name === '.text')!;
  return text.bytes.slice(0, text.memsz);
}
/** MSG stubs: RETURN at once; SET key 010203 in the first trie then RETURN or THROW. */
const STUB_RETURN = image(`.text\n_start:\n  return x0, x0\n`);
const stubSet = (end: string): Uint8Array => image(`
  .text
_start:
  li t0, 0xF0040000
  lw t1, 12(a0)
  sw t1, 8(t0)
  la t2, kv
  sw t2, 12(t0)
  li t3, 3
  sw t3, 16(t0)
  sw t2, 20(t0)
  sw t3, 24(t0)
  li t3, 20
  sw t3, 0(t0)
  lw t3, 4(t0)
  ${end}
kv:
  .byte 1, 2, 3, 0
`);
const STUB_SET_RETURN = stubSet('return x0, x0');
const STUB_SET_THROW = stubSet('throw x0');

// ---- the chain, built here from docs/consensus.md ---------------------------------------------

interface WorldOpts { nval?: number; signers?: number; msg?: Uint8Array; collation?: Uint8Array; record?: RlpItem }

class World {
  readonly store = new MemoryStore();
  readonly keys: Uint8Array[];
  readonly nval: number;
  readonly signers: number;
  readonly cc: Uint8Array;
  readonly mc: Uint8Array;
  height = 0;
  /** Substate roots (absent: EMPTY) and their tries' contents, by index. */
  readonly subs = new Map<number, Map<string, Uint8Array>>();
  head: Uint8Array;
  stateRoot: Uint8Array;
  record?: RlpItem;

  constructor(o: WorldOpts = {}) {
    this.nval = o.nval ?? 3;
    this.signers = o.signers ?? 1;
    this.keys = Array.from({ length: this.nval }, (_, v) => secret(`validator ${v}`));
    this.cc = this.put(o.collation ?? firmwareImage('interpret_collation').code);
    this.mc = this.put(o.msg ?? STUB_RETURN);
    this.record = o.record;
    this.stateRoot = this.state();
    this.head = this.put(encode([new Uint8Array(32), EMPTY_ROOT, EMPTY_ROOT, this.stateRoot]));
  }

  put(value: Uint8Array): Uint8Array {
    const h = H(value);
    this.store.put(h, value);
    return h;
  }

  trie(entries: Iterable<readonly [Uint8Array, Uint8Array]>): Uint8Array {
    const t = new Trie(this.store);
    for (const [k, v] of entries) t.set(k, v);
    return t.root;
  }

  subRoot(i: number): Uint8Array {
    const s = this.subs.get(i);
    return s === undefined ? EMPTY_ROOT : this.trie([...s].map(([k, v]) => [Buffer.from(k, 'hex'), v] as const));
  }

  /** The top-level state at `height` with the substates' current contents. */
  state(height = this.height): Uint8Array {
    const e: [Uint8Array, Uint8Array][] = [[Uint8Array.of(0), encode(this.record ?? [int(height), int(this.nval), int(this.signers), this.cc, this.mc])]];
    for (let v = 0; v < this.nval; v++) e.push([cat(Uint8Array.of(1), be32(v)), ethAddress(this.keys[v]!)]);
    for (const i of this.subs.keys()) {
      const r = this.subRoot(i);
      if (hex(r) !== hex(EMPTY_ROOT)) e.push([cat(Uint8Array.of(2), be32(i)), r]);
    }
    return this.trie(e);
  }

  /** The drawn signers of object j (docs/consensus.md, "The drawn signers"). */
  draw(prevhash: Uint8Array, j: number, proposer: number): number[] {
    const seed = H(cat(prevhash, be32(j)));
    const c: { v: number; s: string }[] = [];
    for (let v = 0; v < this.nval; v++) if (v !== proposer) c.push({ v, s: hex(H(cat(seed, be32(v)))) });
    c.sort((a, b) => (a.s < b.s ? -1 : a.s > b.s ? 1 : a.v - b.v));
    return c.slice(0, Math.min(this.signers, this.nval - 1)).map((x) => x.v);
  }
}

interface Col { substates: [number, Uint8Array, Uint8Array][]; txs?: RlpItem[]; proposer?: number }

/** A collation signed by its proposer and drawn signers; `edit` may change it after signing. */
function collation(w: World, prevhash: Uint8Array, j: number, c: Col, edit?: (x: RlpItem[]) => void): RlpItem[] {
  const proposer = c.proposer ?? 0, subs = c.substates.map(([i, p, q]) => [int(i), p, q]), txs = c.txs ?? [];
  const colhash = H(encode([subs, txs, int(proposer)]));
  const x: RlpItem[] = [subs, txs, int(proposer), sign(colhash, w.keys[proposer % w.nval]!), w.draw(prevhash, j, proposer).map((v) => sign(colhash, w.keys[v]!))];
  edit?.(x);
  return x;
}

/** A transaction [body, sig] from sender key sk. */
function tx(sk: Uint8Array, nonce: number, substate: number, to: Uint8Array, gas: number, data: Uint8Array): RlpItem {
  const body: RlpItem = [int(nonce), int(substate), to, int(gas), data];
  return [body, sign(H(encode(body)), sk)];
}

interface BlockOpts {
  prevhash?: Uint8Array;
  endstate?: Uint8Array;
  /** The objroot to sign and send (default the objects' trie). */
  objroot?: Uint8Array;
  /** Raw object values by index (default the objects' encodings at 0, 1, …). */
  objects?: Map<number, Uint8Array>;
  sigs?: (sigs: Map<number, Uint8Array>, sighash: Uint8Array) => void;
  header?: (h: Uint8Array[]) => RlpItem;
}

/** A block over objects (each [kind, body]) signed by every validator: its hash. */
function block(w: World, objects: RlpItem[], o: BlockOpts = {}): { hash: Uint8Array; endstate: Uint8Array } {
  const prevhash = o.prevhash ?? w.head;
  const values = o.objects ?? new Map(objects.map((x, j) => [j, encode(x)]));
  const objroot = o.objroot ?? w.trie([...values].map(([j, v]) => [be32(j), v] as const));
  const endstate = o.endstate ?? w.state(w.height + 1);
  const sighash = H(encode([prevhash, objroot, endstate]));
  const sigs = new Map<number, Uint8Array>();
  for (let v = 0; v < w.nval; v++) sigs.set(v, sign(sighash, w.keys[v]!));
  o.sigs?.(sigs, sighash);
  const valroot = w.trie([...sigs].map(([v, s]) => [be32(v), s] as const));
  const h = [prevhash, valroot, objroot, endstate];
  return { hash: w.put(encode(o.header ? o.header(h) : h)), endstate };
}

// ---- running the ROMs --------------------------------------------------------------------------

interface Verdict { words: number[]; run: RunResult }

function words(out: Uint8Array | null, n: number): number[] {
  expect(out).not.toBeNull();
  const dv = new DataView(out!.buffer, out!.byteOffset, out!.byteLength);
  return Array.from({ length: Math.min(n, out!.length >> 2) }, (_, i) => dv.getUint32(4 * i, true));
}

function runRom(w: World, name: 'interpret_block' | 'interpret_collation', input: Uint8Array, kind: 'iss' | 'cycle'): RunResult {
  const m = createModel(kind, loadRom(firmwareImage(name).code, { input, ramSize: 4 * MiB }), {
    devices: standardDevices({ hardDrive: new HardDrive(w.store) }), pset: PSET,
  });
  return runToEnd(m, new LinuxHost(), { maxInstructions: 20_000_000 });
}

/** INTERPRET_BLOCK on both models: the same output, gas and instructions; the ISS's words. */
function validate(w: World, hash: Uint8Array): Verdict {
  const iss = runRom(w, 'interpret_block', hash, 'iss'), cyc = runRom(w, 'interpret_block', hash, 'cycle');
  expect([cyc.reason, cyc.message, cyc.gas, cyc.instructions, hex(cyc.output ?? new Uint8Array(0))]).toEqual([iss.reason, iss.message, iss.gas, iss.instructions, hex(iss.output ?? new Uint8Array(0))]);
  if (iss.reason !== 'return') return { words: [], run: iss };
  expect(iss.output!.length).toBe(24);
  return { words: words(iss.output, 6), run: iss };
}

/** [verdict, reason, object, tx] of a block. */
const verdict = (w: World, hash: Uint8Array): number[] => {
  const v = validate(w, hash);
  expect(v.run.message).toBeNull();
  return v.words.slice(0, 4);
};
const invalid = (reason: number, object = NONE, txi = NONE): number[] => [0, reason, object, txi];
const VALID = [1, R.OK, NONE, NONE];

/** The block becomes the head (the world's state moves on). */
function accept(w: World, hash: Uint8Array): void {
  w.head = hash;
  w.height++;
}

/** A collation object touching substates `is` with no transactions (post = prev). */
function emptyCol(w: World, j: number, is: number[], proposer = 0): RlpItem {
  return [int(0), collation(w, w.head, j, { substates: is.map((i) => [i, w.subRoot(i), w.subRoot(i)]), proposer })];
}

describe('INTERPRET_BLOCK: valid blocks', () => {
  it('an empty block and a block of two disjoint collations are valid; the chain moves on; one more block is valid on top', () => {
    const w = new World();
    expect(verdict(w, block(w, []).hash)).toEqual(VALID);
    const b1 = block(w, [emptyCol(w, 0, [1, 7]), emptyCol(w, 1, [2], 1)]);
    const v = validate(w, b1.hash);
    expect(v.words).toEqual([1, R.OK, NONE, NONE, 0, 0]);
    accept(w, b1.hash);
    expect(verdict(w, block(w, [emptyCol(w, 0, [1], 2)]).hash)).toEqual(VALID);
  });

  it('one validator (no signers drawn) and five validators with three drawn signers', () => {
    const one = new World({ nval: 1, signers: 4 });
    expect(verdict(one, block(one, [emptyCol(one, 0, [0])]).hash)).toEqual(VALID);
    const five = new World({ nval: 5, signers: 3 });
    expect(five.draw(five.head, 0, 2)).toHaveLength(3);
    expect(verdict(five, block(five, [emptyCol(five, 0, [3], 2), emptyCol(five, 1, [4], 4)]).hash)).toEqual(VALID);
  });

  it('an unknown prevhash is DATA UNAVAILABLE on both models, not a verdict', () => {
    const w = new World();
    const b = block(w, [], { prevhash: H(Uint8Array.of(1, 2, 3)) });
    const v = validate(w, b.hash);
    expect(v.run.reason).toBe('unavailable');
    expect(v.run.message).toMatch(/preimage 0x[0-9a-f]{64} not held/);
  });
});

describe('INTERPRET_BLOCK: every rejection', () => {
  it('BAD_HEADER: a header of three hashes, a hash of 31 bytes, a parent that is not a header', () => {
    const w = new World();
    expect(verdict(w, block(w, [], { header: (h) => h.slice(0, 3) }).hash)).toEqual(invalid(R.BAD_HEADER));
    expect(verdict(w, block(w, [], { header: (h) => [h[0]!, h[1]!, h[2]!, h[3]!.slice(1)] }).hash)).toEqual(invalid(R.BAD_HEADER));
    const notHeader = w.put(encode([new Uint8Array(32), new Uint8Array(32)]));
    expect(verdict(w, block(w, [], { prevhash: notHeader }).hash)).toEqual(invalid(R.BAD_HEADER));
    // A preimage longer than any header (a 4 KiB value) is not one either.
    expect(verdict(w, block(w, [], { prevhash: w.put(new Uint8Array(4096)) }).hash)).toEqual(invalid(R.BAD_HEADER));
  });

  it('BAD_STATE: no validators, too many, a record that is not five fields, a validator address of 19 bytes', () => {
    for (const record of [
      [int(0), int(0), int(1), new Uint8Array(32), new Uint8Array(32)],
      [int(0), int(1025), int(1), new Uint8Array(32), new Uint8Array(32)],
      [int(0), int(3), int(1), new Uint8Array(32)],
      [int(0), Uint8Array.of(0, 3), int(1), new Uint8Array(32), new Uint8Array(32)],
    ]) {
      const w = new World({ record });
      expect(verdict(w, block(w, [], { endstate: w.stateRoot }).hash)).toEqual(invalid(R.BAD_STATE));
    }
    const w = new World();
    const t = new Trie(w.store, w.stateRoot);
    t.set(cat(Uint8Array.of(1), be32(2)), new Uint8Array(19));
    w.head = w.put(encode([new Uint8Array(32), EMPTY_ROOT, EMPTY_ROOT, t.root]));
    expect(verdict(w, block(w, []).hash)).toEqual(invalid(R.BAD_STATE));
  });

  it('MISSING_SIG, BAD_SIG (another key, 64 bytes, v = 27, a high s, a 66-byte value), EXTRA_SIG', () => {
    const w = new World();
    expect(verdict(w, block(w, [], { sigs: (s) => s.delete(1) }).hash)).toEqual(invalid(R.MISSING_SIG));
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const edits: ((s: Map<number, Uint8Array>, h: Uint8Array) => void)[] = [
      (s, h) => s.set(2, sign(h, secret('outsider'))),
      (s) => s.set(0, s.get(0)!.slice(0, 64)),
      (s) => { const x = s.get(1)!.slice(); x[64] += 27; s.set(1, x); },
      (s) => {
        // (r, n - s) with the other parity: the same signature in its high-s form.
        const x = s.get(1)!.slice(), hs = n - BigInt('0x' + hex(x.slice(32, 64)));
        x.set(Buffer.from(hs.toString(16).padStart(64, '0'), 'hex'), 32);
        x[64] ^= 1;
        s.set(1, x);
      },
      (s) => s.set(0, cat(s.get(0)!, Uint8Array.of(0))),
    ];
    for (const e of edits) expect(verdict(w, block(w, [], { sigs: e }).hash)).toEqual(invalid(R.BAD_SIG));
    expect(verdict(w, block(w, [], { sigs: (s, h) => s.set(3, sign(h, w.keys[0]!)) }).hash)).toEqual(invalid(R.EXTRA_SIG));
    // A signature over another header (the previous one's) verifies as nobody's.
    expect(verdict(w, block(w, [], { sigs: (s) => s.set(1, sign(w.head, w.keys[1]!)) }).hash)).toEqual(invalid(R.BAD_SIG));
  });

  it('BAD_OBJROOT: object 1 missing under object 2, or a key that is no object index', () => {
    const w = new World();
    const c0 = encode(emptyCol(w, 0, [1]));
    expect(verdict(w, block(w, [], { objects: new Map([[0, c0], [2, c0]]) }).hash)).toEqual(invalid(R.BAD_OBJROOT));
    const w2 = new World();
    const objroot = w2.trie([[be32(0), encode(emptyCol(w2, 0, [1]))], [Uint8Array.of(9), Uint8Array.of(1)]]);
    const endstate = w2.state(1), sighash = H(encode([w2.head, objroot, endstate]));
    const valroot = w2.trie(w2.keys.map((k, v) => [be32(v), sign(sighash, k)] as const));
    expect(verdict(w2, w2.put(encode([w2.head, valroot, objroot, endstate])))).toEqual(invalid(R.BAD_OBJROOT));
  });

  it('UNKNOWN_OBJECT: kind 1, a kind of five bytes, not a pair, a string, truncated RLP, an object over 2 MiB', () => {
    const w = new World();
    const col = collation(w, w.head, 0, { substates: [[1, EMPTY_ROOT, EMPTY_ROOT]] });
    const bad = [
      encode([int(1), col]), encode([Uint8Array.of(1, 0, 0, 0, 0), col]), encode([int(0), col, int(0)]), encode(int(5)),
      encode([int(0), col]).slice(0, -1), encode([int(0), [...col.slice(0, 4), [new Uint8Array(2 * MiB)]]]),
    ];
    for (const v of bad) expect(verdict(w, block(w, [], { objects: new Map([[0, v]]) }).hash)).toEqual(invalid(R.UNKNOWN_OBJECT, 0));
  });

  it('BAD_COLLATION from the block: 17 substates, unsorted, repeated, a 31-byte prev, a body that is not a list of five', () => {
    const w = new World();
    const s = (i: number): [number, Uint8Array, Uint8Array] => [i, EMPTY_ROOT, EMPTY_ROOT];
    const cols: RlpItem[] = [
      collation(w, w.head, 0, { substates: Array.from({ length: 17 }, (_, i) => s(i)) }),
      collation(w, w.head, 0, { substates: [s(3), s(2)] }),
      collation(w, w.head, 0, { substates: [s(3), s(3)] }),
      collation(w, w.head, 0, { substates: [[1, EMPTY_ROOT.slice(1), EMPTY_ROOT]] }),
      collation(w, w.head, 0, { substates: [] }),
      collation(w, w.head, 0, { substates: [s(1)] }).slice(0, 4),
      encode(collation(w, w.head, 0, { substates: [s(1)] })),
    ];
    for (const c of cols) expect(verdict(w, block(w, [[int(0), c]]).hash)).toEqual(invalid(R.BAD_COLLATION, 0));
  });

  it('INTERSECTING, BAD_PREV_ROOT, BAD_ENDSTATE', () => {
    const w = new World();
    expect(verdict(w, block(w, [emptyCol(w, 0, [1, 5]), emptyCol(w, 1, [5, 9])]).hash)).toEqual(invalid(R.INTERSECTING, 1));
    const wrongPrev = [int(0), collation(w, w.head, 0, { substates: [[4, H(Uint8Array.of(4)), H(Uint8Array.of(4))]] })];
    expect(verdict(w, block(w, [wrongPrev]).hash)).toEqual(invalid(R.BAD_PREV_ROOT, 0));
    expect(verdict(w, block(w, [emptyCol(w, 0, [1])], { endstate: w.stateRoot }).hash)).toEqual(invalid(R.BAD_ENDSTATE));
  });

  it('a root naming a stored value that is no trie node: valroot BAD_SIG, objroot BAD_OBJROOT, the state BAD_STATE', () => {
    const w = new World();
    const notNode = w.put(encode([int(1), int(2), int(3)]));
    const withRoot = (k: number, root: Uint8Array) => block(w, [], { header: (h) => { const x = h.slice(); x[k] = root; return x; } }).hash;
    expect(verdict(w, withRoot(1, notNode))).toEqual(invalid(R.BAD_SIG));
    expect(verdict(w, block(w, [], { objroot: notNode }).hash)).toEqual(invalid(R.BAD_OBJROOT));
    w.head = w.put(encode([new Uint8Array(32), EMPTY_ROOT, EMPTY_ROOT, notNode]));
    expect(verdict(w, block(w, [], { endstate: EMPTY_ROOT }).hash)).toEqual(invalid(R.BAD_STATE));
  });

  it('COLLATION_FAILED: a collation code that throws, and one that returns too little', () => {
    for (const code of [image('.text\n_start:\n  li a0, 7\n  throw a0\n'), image('.text\n_start:\n  li a1, 8\n  return a0, a1\n')]) {
      const w = new World({ collation: code });
      expect(verdict(w, block(w, [emptyCol(w, 0, [1])]).hash)).toEqual(invalid(R.COLLATION_FAILED, 0));
    }
  });
});

describe('INTERPRET_COLLATION through the block: every rejection', () => {
  const w = new World({ nval: 4, signers: 2 });
  const one = (c: RlpItem[]): number[] => verdict(w, block(w, [[int(0), c]]).hash);
  const base: Col = { substates: [[1, EMPTY_ROOT, EMPTY_ROOT]], proposer: 1 };

  it('BAD_COLLATION (proposer of five bytes, a signature list that is a string, a deep list in sigs), BAD_PROPOSER', () => {
    expect(one(collation(w, w.head, 0, base, (x) => { x[2] = Uint8Array.of(1, 0, 0, 0, 0); }))).toEqual(invalid(R.BAD_COLLATION, 0));
    expect(one(collation(w, w.head, 0, base, (x) => { x[4] = new Uint8Array(65); }))).toEqual(invalid(R.BAD_COLLATION, 0));
    let deep: RlpItem = new Uint8Array(0);
    for (let i = 0; i < 200; i++) deep = [deep];
    expect(one(collation(w, w.head, 0, base, (x) => { (x[4] as RlpItem[]).push(deep); }))).toEqual(invalid(R.BAD_COLLATION, 0));
    expect(one(collation(w, w.head, 0, { ...base, proposer: 4 }))).toEqual(invalid(R.BAD_PROPOSER, 0));
  });

  it('BAD_PROPOSER_SIG: another key, 64 bytes, a list; BAD_COLLATION_SIG: too few, too many, swapped, duplicated, malformed', () => {
    expect(one(collation(w, w.head, 0, base, (x) => { x[3] = sign(new Uint8Array(32), w.keys[1]!); }))).toEqual(invalid(R.BAD_PROPOSER_SIG, 0));
    expect(one(collation(w, w.head, 0, base, (x) => { x[3] = (x[3] as Uint8Array).slice(0, 64); }))).toEqual(invalid(R.BAD_PROPOSER_SIG, 0));
    const sigs = (f: (s: RlpItem[]) => RlpItem[]) => collation(w, w.head, 0, base, (x) => { x[4] = f(x[4] as RlpItem[]); });
    expect(w.draw(w.head, 0, 1)).toHaveLength(2);
    for (const f of [
      (s: RlpItem[]) => s.slice(0, 1), (s: RlpItem[]) => [...s, s[0]!], (s: RlpItem[]) => [s[1]!, s[0]!], (s: RlpItem[]) => [s[0]!, s[0]!],
      (s: RlpItem[]) => [s[0]!, (s[1] as Uint8Array).slice(0, 64)], (s: RlpItem[]) => [],
    ]) expect(one(sigs(f))).toEqual(invalid(R.BAD_COLLATION_SIG, 0));
    // The proposer signing for a drawn signer is not the signer.
    expect(one(sigs((s) => [s[0]!, collation(w, w.head, 0, base)[3]!]))).toEqual(invalid(R.BAD_COLLATION_SIG, 0));
  });

  it('BAD_POST: a post root that the (empty) transaction list does not reach', () => {
    expect(one(collation(w, w.head, 0, { ...base, substates: [[1, EMPTY_ROOT, H(Uint8Array.of(1))]] }))).toEqual(invalid(R.BAD_POST, 0));
  });
});

describe('transactions (MSG stubs: the collation\'s own rules)', () => {
  const alice = secret('alice'), bob = secret('bob');
  const to = cat(be32(1), new Uint8Array(24).fill(0xcc));

  /** The sender's account after n transactions, plus the stub's write when it kept it. */
  function expectAccount(w: World, sk: Uint8Array, substate: number, nonce: number, stubWrite: boolean): void {
    const s = w.subs.get(substate) ?? new Map<string, Uint8Array>();
    s.set(hex(cat(senderId(sk), Uint8Array.of(0))), encode([int(nonce), new Uint8Array(0)]));
    if (stubWrite) s.set('010203', Uint8Array.of(1, 2, 3));
    w.subs.set(substate, s);
  }

  /** A block of one collation over substates `is` with txs, post roots from the world model. */
  function txBlock(w: World, is: number[], txs: RlpItem[], after: () => void, edit?: (x: RlpItem[]) => void): Uint8Array {
    const prev = is.map((i) => w.subRoot(i));
    after();
    const c = collation(w, w.head, 0, { substates: is.map((i, k) => [i, prev[k]!, w.subRoot(i)]), txs }, edit);
    return block(w, [[int(0), c]]).hash;
  }

  it('a valid transaction increments the nonce; MSG returning keeps its write, MSG throwing loses it but not the nonce; a replay is BAD_NONCE', () => {
    for (const [msg, keeps] of [[STUB_RETURN, false], [STUB_SET_RETURN, true], [STUB_SET_THROW, false]] as const) {
      const w = new World({ msg });
      const t0 = tx(alice, 0, 1, to, 50_000, Uint8Array.of(1, 2));
      const h = txBlock(w, [1], [t0], () => expectAccount(w, alice, 1, 1, keeps));
      const v = validate(w, h);
      expect(v.words.slice(0, 5)).toEqual([1, R.OK, NONE, NONE, 1]);
      expect(v.words[5]).toBeGreaterThan(0);
      accept(w, h);
      // The same transaction again: its nonce is now 1 behind.
      const replay = collation(w, w.head, 0, { substates: [[1, w.subRoot(1), w.subRoot(1)]], txs: [t0] });
      expect(verdict(w, block(w, [[int(0), replay]]).hash)).toEqual(invalid(R.BAD_NONCE, 0, 0));
    }
  });

  it('two senders, two transactions each, in two substates; a creation (empty to)', () => {
    const w = new World({ msg: STUB_RETURN });
    const txs = [tx(alice, 0, 1, to, 1000, new Uint8Array(0)), tx(bob, 0, 2, new Uint8Array(0), 1000, Uint8Array.of(0x13)),
      tx(alice, 1, 1, to, 0, new Uint8Array(0)), tx(bob, 1, 2, to, 1000, new Uint8Array(65536))];
    const h = txBlock(w, [1, 2], txs, () => { expectAccount(w, alice, 1, 2, false); expectAccount(w, bob, 2, 2, false); });
    expect(validate(w, h).words.slice(0, 5)).toEqual([1, R.OK, NONE, NONE, 4]);
  });

  it('BAD_TX, TX_SUBSTATE, BAD_TX_SIG, BAD_NONCE, each naming its transaction', () => {
    const w = new World({ msg: STUB_RETURN });
    const good = tx(alice, 0, 1, to, 1000, new Uint8Array(0));
    const body = (b: RlpItem[]): RlpItem => [b, sign(H(encode(b)), bob)];
    const cases: [RlpItem, number][] = [
      [body([int(0), int(1), to, int(1000)]), R.BAD_TX],
      [body([int(0), int(1), to.slice(1), int(1000), new Uint8Array(0)]), R.BAD_TX],
      [body([int(0), int(1), to, int(1000), new Uint8Array(65537)]), R.BAD_TX],
      [body([Uint8Array.of(0, 1), int(1), to, int(1000), new Uint8Array(0)]), R.BAD_TX],
      [body([int(0), int(1), to, Uint8Array.of(1, 0, 0, 0, 0), new Uint8Array(0)]), R.BAD_TX],
      [[(good as RlpItem[])[0]!, [(good as RlpItem[])[1]!]], R.BAD_TX],
      [int(7), R.BAD_TX],
      [tx(bob, 0, 3, to, 1000, new Uint8Array(0)), R.TX_SUBSTATE],
      [[(good as RlpItem[])[0]!, ((good as RlpItem[])[1] as Uint8Array).slice(0, 64)], R.BAD_TX_SIG],
      [[(good as RlpItem[])[0]!, cat(new Uint8Array(64), Uint8Array.of(0))], R.BAD_TX_SIG],
      [[(good as RlpItem[])[0]!, cat(((good as RlpItem[])[1] as Uint8Array).slice(0, 64), Uint8Array.of(27))], R.BAD_TX_SIG],
      [tx(bob, 1, 1, to, 1000, new Uint8Array(0)), R.BAD_NONCE],
      [tx(alice, 0, 1, to, 1000, new Uint8Array(0)), R.BAD_NONCE],
    ];
    for (const [bad, reason] of cases) {
      const c = collation(w, w.head, 0, { substates: [[1, EMPTY_ROOT, EMPTY_ROOT]], txs: [good, bad] });
      const v = validate(w, block(w, [[int(0), c]]).hash);
      expect([hex(encode(bad)).slice(0, 16), ...v.words.slice(0, 5)]).toEqual([hex(encode(bad)).slice(0, 16), 0, reason, 0, 1, 1]);
    }
  });

  it('a transaction list with garbage after the first transaction, or claiming 2^31 bytes: BAD_TX at the second, nothing read past the end', () => {
    const w = new World({ msg: STUB_RETURN });
    const good = tx(alice, 0, 1, to, 1000, new Uint8Array(0));
    for (const tail of [Uint8Array.of(0xbb, 0x80, 0, 0, 0), Uint8Array.of(0xc3, 0x80), Uint8Array.of(0x81, 0x05)]) {
      // Signed over the hostile bytes themselves, so the walk over the transactions is what fails.
      const sub = encode([[int(1), EMPTY_ROOT, w.subRoot(1)]]), txl = rawList(cat(encode(good), tail)), p = encode(int(0));
      const colhash = H(rawList(cat(sub, txl, p)));
      const sigs = w.draw(w.head, 0, 0).map((v) => encode(sign(colhash, w.keys[v]!)));
      const col = rawList(cat(sub, txl, p, encode(sign(colhash, w.keys[0]!)), rawList(cat(...sigs))));
      const v = verdict(w, block(w, [], { objects: new Map([[0, rawList(cat(Uint8Array.of(0x80), col))]]) }).hash);
      expect(v).toEqual(invalid(R.BAD_TX, 0, 1));
    }
  });
});

describe('hostile collations, signed as they are', () => {
  it('random corruptions of the substates and the transactions, signed by proposer and signers: always a verdict with a defined reason', () => {
    const w = new World({ msg: STUB_SET_RETURN });
    const alice = secret('alice'), bob = secret('bob');
    const to = cat(be32(2), new Uint8Array(24));
    const txs = encode([tx(alice, 0, 1, to, 5000, Uint8Array.of(1, 2, 3)), tx(bob, 0, 2, new Uint8Array(0), 5000, new Uint8Array(70))]);
    const subs = encode([[int(1), EMPTY_ROOT, EMPTY_ROOT], [int(2), EMPTY_ROOT, EMPTY_ROOT]]);
    let x = 0x9e3779b9;
    const rnd = (n: number): number => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) % n; };
    const mutate = (list: Uint8Array): Uint8Array => {
      const b = list.slice(list[0]! <= 0xf7 ? 1 : 1 + list[0]! - 0xf7); // the payload
      const k = rnd(3), at = rnd(b.length);
      if (k === 0) b[at] = rnd(256);
      else if (k === 1) return rawList(cat(b.slice(0, at), b.slice(at + 1)));
      else return rawList(cat(b.slice(0, at), Uint8Array.of(rnd(256)), b.slice(at)));
      return rawList(b);
    };
    const seen = new Set<number>();
    for (let n = 0; n < 16; n++) {
      const sub = n % 3 === 0 ? mutate(subs) : subs, txl = n % 3 === 0 ? txs : mutate(txs), p = encode(int(0));
      const colhash = H(rawList(cat(sub, txl, p)));
      const sigs = w.draw(w.head, 0, 0).map((v) => encode(sign(colhash, w.keys[v]!)));
      const col = rawList(cat(sub, txl, p, encode(sign(colhash, w.keys[0]!)), rawList(cat(...sigs))));
      const hash = block(w, [], { objects: new Map([[0, rawList(cat(Uint8Array.of(0x80), col))]]) }).hash;
      const r = runRom(w, 'interpret_block', hash, 'iss');
      expect([r.reason, r.message]).toEqual(['return', null]);
      const [ok, reason] = words(r.output, 2);
      expect(ok === 1 ? reason === R.OK : reason! > 0 && reason! <= R.BAD_ENDSTATE).toBe(true);
      seen.add(reason!);
    }
    // The corruptions reach past the signatures into the decoders.
    expect([...seen].filter((c) => c === R.BAD_COLLATION || c === R.BAD_TX || c === R.BAD_TX_SIG || c === R.BAD_POST).length).toBeGreaterThan(1);
  });
});

describe('INTERPRET_COLLATION in build mode', () => {
  it('outputs the post roots the world model computes, unsigned; a malformed input THROWs', () => {
    const w = new World({ msg: STUB_SET_RETURN });
    const alice = secret('alice');
    const t0 = tx(alice, 0, 3, cat(be32(3), new Uint8Array(24)), 10_000, new Uint8Array(0));
    const c = encode([[[int(3), EMPTY_ROOT, new Uint8Array(32)], [int(8), EMPTY_ROOT, new Uint8Array(32)]], [t0], int(2), new Uint8Array(0), [new Uint8Array(3)]]);
    const input = (mode: number, len = c.length) => cat(le32(mode), le32(1), le32(0), w.head, w.stateRoot, w.mc, le32(len), c);
    const s = new Map<string, Uint8Array>([[hex(cat(senderId(alice), Uint8Array.of(0))), encode([int(1), new Uint8Array(0)])], ['010203', Uint8Array.of(1, 2, 3)]]);
    w.subs.set(3, s);
    const outs = (['iss', 'cycle'] as const).map((k) => runRom(w, 'interpret_collation', input(1), k));
    expect(outs[1]!.gas).toBe(outs[0]!.gas);
    const out = outs[0]!.output!;
    expect(words(out, 5).slice(0, 4)).toEqual([1, R.OK, NONE, 1]);
    expect(out.length).toBe(20 + 64);
    expect(hex(out.slice(20, 52))).toBe(hex(w.subRoot(3)));
    expect(hex(out.slice(52, 84))).toBe(hex(EMPTY_ROOT));
    // Its own decoding: 17 substates, unsorted ones, a proposer beyond the validators.
    const sub = (i: number): RlpItem => [int(i), EMPTY_ROOT, EMPTY_ROOT];
    for (const [subs, proposer, reason] of [[Array.from({ length: 17 }, (_, i) => sub(i)), 0, R.BAD_COLLATION], [[sub(2), sub(1)], 0, R.BAD_COLLATION], [[sub(1)], 3, R.BAD_PROPOSER]] as const) {
      const bad = encode([subs as RlpItem[], [], int(proposer), new Uint8Array(0), []]);
      const r = runRom(w, 'interpret_collation', cat(le32(1), le32(1), le32(0), w.head, w.stateRoot, w.mc, le32(bad.length), bad), 'iss');
      expect(words(r.output, 5)).toEqual([0, reason, NONE, 0, 0]);
    }
    // Validate mode looks at the signatures: this one has none.
    expect(words(runRom(w, 'interpret_collation', input(0), 'iss').output, 5).slice(0, 2)).toEqual([0, R.BAD_PROPOSER_SIG]);
    // Over MAX_OBJECT (2 MiB): refused before anything is copied (build mode's input is the host's).
    const big = cat(le32(1), le32(1), le32(0), w.head, w.stateRoot, w.mc, le32(2 * MiB + 1), new Uint8Array(2 * MiB + 1));
    for (const bad of [input(2), input(1, c.length + 1), input(1).slice(0, 100), big]) {
      const r = runRom(w, 'interpret_collation', bad, 'iss');
      expect([r.reason, r.cause]).toEqual(['throw', 1]);
    }
  });
});

describe('transactions through MSG and the example contracts', () => {
  const alice = secret('alice');
  const aliceAddr = cat(be32(1), senderId(alice));
  const counter = contractImage('counter').code, thrower = contractImage('thrower').code;
  /** A contract's address: the low 24 bytes of H(rlp([creator, nonce])) in the creator's substate. */
  const contractAt = (creator: Uint8Array, nonce: number): Uint8Array => cat(creator.slice(0, 4), H(encode([creator, int(nonce)])).slice(8));
  const acctKey = (addr: Uint8Array): string => hex(cat(addr.slice(4), Uint8Array.of(0)));
  const slotKey = (addr: Uint8Array, slot: number): string => hex(cat(addr.slice(4), Uint8Array.of(1), new Uint8Array(28), be32(slot)));

  /** INTERPRET_COLLATION in build mode: its post roots for a collation over `is` with `txs`. */
  function build(w: World, is: number[], txs: RlpItem[]): Uint8Array[] {
    const c = encode([is.map((i) => [int(i), w.subRoot(i), w.subRoot(i)]), txs, int(0), new Uint8Array(0), []]);
    const input = cat(le32(1), le32(w.height + 1), le32(0), w.head, w.state(), w.mc, le32(c.length), c);
    const r = runRom(w, 'interpret_collation', input, 'iss');
    expect(words(r.output, 5).slice(0, 4)).toEqual([1, R.OK, NONE, txs.length]);
    return is.map((_, k) => r.output!.slice(20 + 32 * k, 52 + 32 * k));
  }

  it('CREATE a counter, call it twice, call a thrower: the roots the ROMs build equal the model\'s, and the block is valid', () => {
    const w = new World({ msg: firmwareImage('msg').code });
    const c1 = contractAt(aliceAddr, 0), c2 = contractAt(aliceAddr, 3);
    const txs = [
      tx(alice, 0, 1, new Uint8Array(0), 200_000, counter), tx(alice, 1, 1, c1, 200_000, new Uint8Array(0)),
      tx(alice, 2, 1, c1, 200_000, new Uint8Array(0)), tx(alice, 3, 1, new Uint8Array(0), 200_000, thrower),
      tx(alice, 4, 1, c2, 200_000, Uint8Array.of(9)),
    ];
    const posts = build(w, [1], txs);
    // The model: alice at nonce 5, both contracts with their code's hash, the counter at 2, the
    // thrower's writes gone.
    w.subs.set(1, new Map([
      [acctKey(aliceAddr), encode([int(5), new Uint8Array(0)])],
      [acctKey(c1), encode([int(0), H(counter)])], [slotKey(c1, 0), Uint8Array.of(2)],
      [acctKey(c2), encode([int(0), H(thrower)])],
    ]));
    expect(hex(posts[0]!)).toBe(hex(w.subRoot(1)));
    w.put(counter); w.put(thrower);
    const col = collation(w, w.head, 0, { substates: [[1, EMPTY_ROOT, posts[0]!]], txs });
    const v = validate(w, block(w, [[int(0), col]]).hash);
    expect(v.words.slice(0, 5)).toEqual([1, R.OK, NONE, NONE, 5]);
    expect(v.words[5]).toBeGreaterThan(5 * 3000);
  });
});
