// MSG (firmware/src/msg.c) as a root frame, as INTERPRET_COLLATION EVALs it: PSET HARD_DRIVE +
// CRYPTO, MSG_RAM, the input of docs/consensus.md "MSG's input", and a hard drive holding one
// trie object per substate of the collation. Every message runs on both models: status, output,
// gas and the substate roots must be equal, and the roots must be the tries computed here from
// the documented key/value layout (peripherals/mpt.ts; @ethereumjs/mpt once).

import { describe, expect, it } from 'vitest';
import { createMPT } from '@ethereumjs/mpt';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { contractImage, firmwareImage, testImage } from '../dist/firmware/images.js';
import { loadRom } from '../dist/cpu/program.js';
import { createModel } from '../dist/cpu/machine.js';
import { runToEnd, type RunResult } from '../dist/cpu/runner.js';
import { LinuxHost } from '../dist/cpu/host.js';
import { HardDrive, KIND_TRIE } from '../dist/peripherals/hdd.js';
import { MemoryStore } from '../dist/peripherals/store.js';
import { EMPTY_ROOT, Trie } from '../dist/peripherals/mpt.js';
import { decode, encode, RlpError, uintBytes, type RlpItem } from '../dist/peripherals/rlpcodec.js';
import { EXTRA_INVALID, INVALID, nested } from './rlp-vectors.js';
import { standardDevices } from '../dist/peripherals/standard.js';

const MSG_RAM = 256 * 1024;
const PSET = 2 | 4; // HARD_DRIVE + CRYPTO
const S = { SUCCESS: 0, THROW: 1, OUT_OF_GAS: 2, CALL_DEPTH: 7, MEMORY_LIMIT: 10 } as const;

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const be32 = (n: number): Uint8Array => Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
const cat = (...p: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(p));
const word = (n: number | bigint): Uint8Array => { const b = uintBytes(BigInt(n)); const w = new Uint8Array(32); w.set(b, 32 - b.length); return w; };
const minimal = (w: Uint8Array): Uint8Array => { let i = 0; while (i < w.length && w[i] === 0) i++; return w.subarray(i); };

/** An address: be32(substate) ‖ a 24-byte id. */
function address(sub: number, name: string): Uint8Array {
  return cat(be32(sub), keccak_256(new TextEncoder().encode(name)).subarray(8));
}
const accountKey = (a: Uint8Array): Uint8Array => cat(a.subarray(4), Uint8Array.of(0));
const slotKey = (a: Uint8Array, slot: Uint8Array): Uint8Array => cat(a.subarray(4), Uint8Array.of(1), slot);
const record = (nonce: number, code: Uint8Array | null): Uint8Array => encode([uintBytes(nonce), code ? keccak_256(code) : new Uint8Array(0)]);
/** A contract's address as MSG derives it: be32(creator's substate) ‖ low 24 bytes of H(rlp([creator, nonce])). */
const derived = (creator: Uint8Array, nonce: number): Uint8Array => cat(creator.subarray(0, 4), keccak_256(encode([creator, uintBytes(nonce)])).subarray(8));

/**
 * The chain's state as far as MSG sees it: a store holding code and trie nodes, and each
 * substate's root. `model` mirrors it as plain key → value maps, the documented layout.
 */
class World {
  readonly store = new MemoryStore();
  readonly roots = new Map<number, Uint8Array>();
  readonly model = new Map<number, Map<string, Uint8Array>>();

  /** Host-side writes: the trie of `sub` and the model alike. */
  set(sub: number, key: Uint8Array, value: Uint8Array): void {
    const t = new Trie(this.store, this.roots.get(sub) ?? EMPTY_ROOT);
    t.set(key, value);
    this.roots.set(sub, t.root);
    const m = this.model.get(sub) ?? new Map<string, Uint8Array>();
    if (value.length === 0) m.delete(hex(key)); else m.set(hex(key), value);
    this.model.set(sub, m);
  }

  /** A contract put in place by the host (genesis): its code held, its account [nonce, H(code)]. */
  deploy(sub: number, name: string, code: Uint8Array): Uint8Array {
    const a = address(sub, name);
    this.store.put(keccak_256(code), code);
    this.set(sub, accountKey(a), record(0, code));
    return a;
  }

  /** The root the model's contents give, computed independently of the run. */
  expectedRoot(sub: number): Uint8Array {
    const t = new Trie(new MemoryStore());
    for (const [k, v] of this.model.get(sub) ?? []) t.set(Uint8Array.from(Buffer.from(k, 'hex')), v);
    return t.root;
  }
}

interface Msg {
  kind?: 0 | 1;
  /** The collation's substates, in order. */
  subs: number[];
  origin: Uint8Array;
  caller?: Uint8Array;
  to?: Uint8Array;
  nonce?: number;
  height?: number;
  prevhash?: Uint8Array;
  data?: Uint8Array;
  gas?: number;
}

interface Outcome {
  run: RunResult;
  status: number;
  out: Uint8Array;
  roots: Uint8Array[];
  hdd: HardDrive;
}

/** MSG's input: 264 bytes of header (little-endian words), then the data. Trie ids are 1, 2, … in `subs` order. */
function msgInput(msg: Msg): Uint8Array {
  const data = msg.data ?? new Uint8Array(0);
  const b = Buffer.alloc(264 + data.length);
  b.writeUInt32LE(msg.kind ?? 0, 0);
  b.writeUInt32LE(msg.subs.length, 4);
  msg.subs.forEach((s, i) => { b.writeUInt32LE(s, 8 + 8 * i); b.writeUInt32LE(i + 1, 12 + 8 * i); });
  b.set(msg.origin, 136);
  b.set(msg.caller ?? msg.origin, 164);
  if (msg.to) b.set(msg.to, 192);
  b.writeUInt32LE(msg.nonce ?? 0, 220);
  b.writeUInt32LE(msg.height ?? 7, 224);
  b.set(msg.prevhash ?? new Uint8Array(32).fill(0xab), 228);
  b.writeUInt32LE(data.length, 260);
  b.set(data, 264);
  return new Uint8Array(b);
}

function runMsg(kind: 'iss' | 'cycle', w: World, msg: Msg, input = msgInput(msg), ramSize = MSG_RAM, translate = true): Outcome {
  const img = firmwareImage('msg');
  const hdd = new HardDrive(w.store);
  msg.subs.forEach((s, i) => hdd.objects.set(i + 1, { kind: KIND_TRIE, trie: new Trie(hdd.staging, w.roots.get(s) ?? EMPTY_ROOT), points: [] }));
  const m = createModel(kind, loadRom(img.code, { input, ramSize, symbols: img.symbols }), { devices: standardDevices({ hardDrive: hdd }), pset: PSET, gas: msg.gas ?? 50_000_000 });
  if (!translate) (m as { translate: boolean }).translate = false;
  const run = runToEnd(m, new LinuxHost(), { maxInstructions: 20_000_000 });
  const o = run.output ?? new Uint8Array(0);
  return {
    run, hdd,
    status: run.reason === 'return' && o.length >= 4 ? Buffer.from(o).readUInt32LE(0) : -1,
    out: o.subarray(4),
    roots: msg.subs.map((_, i) => hdd.objects.get(i + 1)!.trie.root),
  };
}

/**
 * Run on both models, check they agree (status, output, gas, instructions, roots), then keep the
 * ISS run's state in the world. `writes` are the host-side model writes the message should make.
 */
function both(w: World, msg: Msg, ramSize = MSG_RAM): Outcome {
  const a = runMsg('iss', w, msg, undefined, ramSize), b = runMsg('cycle', w, msg, undefined, ramSize);
  expect(a.run.reason, a.run.message ?? '').toBe('return');
  expect([b.status, hex(b.out), b.run.gas, b.run.instructions, b.roots.map(hex)]).toEqual([a.status, hex(a.out), a.run.gas, a.run.instructions, a.roots.map(hex)]);
  a.hdd.commit();
  msg.subs.forEach((s, i) => w.roots.set(s, a.roots[i]!));
  return a;
}

/** The world's roots equal the model's: what MSG wrote is exactly the documented layout. */
function expectModel(w: World, subs: number[]): void {
  for (const s of subs) expect(hex(w.roots.get(s) ?? EMPTY_ROOT), `substate ${s}`).toBe(hex(w.expectedRoot(s)));
}

const code = (name: string): Uint8Array => contractImage(name).code;
const ALICE = address(1, 'alice'), BOB = address(1, 'bob');

describe('MSG: calls', () => {
  it('counter: each call increments slot 0 (the substate trie equals the documented layout; @ethereumjs/mpt agrees)', async () => {
    const w = new World();
    const counter = w.deploy(1, 'counter', code('counter'));
    for (let n = 1; n <= 3; n++) {
      const r = both(w, { subs: [1], origin: ALICE, to: counter });
      expect(r.status).toBe(S.SUCCESS);
      expect(hex(r.out)).toBe(hex(be32(n)));
      w.model.get(1)!.set(hex(slotKey(counter, word(0))), minimal(word(n)));
      expectModel(w, [1]);
    }
    const t = await createMPT();
    for (const [k, v] of w.model.get(1)!) await t.put(Uint8Array.from(Buffer.from(k, 'hex')), v);
    expect(hex(t.root())).toBe(hex(w.roots.get(1)!));
  });

  it('a call into a substate not in the collation reads as empty: success, empty output, nothing written', () => {
    const w = new World();
    w.deploy(1, 'x', code('counter'));
    const before = hex(w.roots.get(1)!);
    const r = both(w, { subs: [1], origin: ALICE, to: address(9, 'counter') });
    expect([r.status, r.out.length, hex(w.roots.get(1)!)]).toEqual([S.SUCCESS, 0, before]);
    // An absent account, and a key holder, in a listed substate: the same.
    expect(both(w, { subs: [1], origin: ALICE, to: BOB }).status).toBe(S.SUCCESS);
    w.set(1, accountKey(BOB), record(3, null));
    const k = both(w, { subs: [1], origin: ALICE, to: BOB });
    expect([k.status, k.out.length]).toEqual([S.SUCCESS, 0]);
    expectModel(w, [1]);
    // A record that is not [nonce, code] (code empty or 32 bytes) fails the call, writing nothing.
    for (const [n, rec] of [['bad1', Uint8Array.of(0xc0)], ['bad2', encode([new Uint8Array(0), new Uint8Array(31)])], ['bad3', encode([Uint8Array.of(0), new Uint8Array(0)])], ['bad4', Uint8Array.of(0x05)]] as const) {
      const a = address(1, n);
      w.set(1, accountKey(a), rec);
      const root = hex(w.roots.get(1)!);
      const b = both(w, { subs: [1], origin: ALICE, to: a });
      expect([n, b.status, b.out.length, hex(w.roots.get(1)!)]).toEqual([n, S.THROW, 0, root]);
    }
    // Code the drive does not hold: DATA UNAVAILABLE, no verdict, on both models.
    const ghost = address(1, 'ghost');
    w.set(1, accountKey(ghost), encode([new Uint8Array(0), keccak_256(Uint8Array.of(1, 2, 3))]));
    for (const kind of ['iss', 'cycle'] as const) expect(runMsg(kind, w, { subs: [1], origin: ALICE, to: ghost }).run.reason).toBe('unavailable');
  });

  it('thrower: its writes vanish (roots unchanged), the status and code come back', () => {
    const w = new World();
    const t = w.deploy(1, 'thrower', code('thrower'));
    const before = hex(w.roots.get(1)!);
    const r = both(w, { subs: [1], origin: ALICE, to: t, data: Uint8Array.of(5) });
    expect([r.status, r.out.length, hex(w.roots.get(1)!)]).toEqual([S.THROW, 0, before]);
  });

  it('token: init mints to its first caller once; transfers check the balance', () => {
    const w = new World();
    const tok = w.deploy(1, 'token', code('token'));
    const bal = (who: Uint8Array): bigint => BigInt('0x' + hex(both(w, { subs: [1], origin: ALICE, to: tok, data: cat(Uint8Array.of(2), who) }).out));
    const carol = address(2, 'carol');
    const init = both(w, { subs: [1], origin: ALICE, to: tok, data: cat(Uint8Array.of(0), word(1000)) });
    expect([init.status, hex(init.out)]).toEqual([S.SUCCESS, hex(word(1000))]);
    expect(both(w, { subs: [1], origin: BOB, to: tok, data: cat(Uint8Array.of(0), word(5)) }).status).toBe(S.THROW);
    const tr = both(w, { subs: [1], origin: ALICE, to: tok, data: cat(Uint8Array.of(1), BOB, word(300)) });
    expect([tr.status, hex(tr.out)]).toEqual([S.SUCCESS, hex(word(700))]);
    expect(both(w, { subs: [1], origin: ALICE, to: tok, data: cat(Uint8Array.of(1), carol, word(701)) }).status).toBe(S.THROW);
    expect(both(w, { subs: [1], origin: BOB, to: tok, data: cat(Uint8Array.of(1), carol, word(300)) }).status).toBe(S.SUCCESS);
    expect([bal(ALICE), bal(BOB), bal(carol)]).toEqual([700n, 0n, 300n]);
    // Storage as documented: owner in slot 0x01 ‖ 0³¹, balances in the address's slot (a zero balance absent).
    const m = w.model.get(1)!;
    const owner = new Uint8Array(32); owner[0] = 1;
    const slotOf = (a: Uint8Array): Uint8Array => cat(new Uint8Array(4), a);
    m.set(hex(slotKey(tok, owner)), minimal(slotOf(ALICE)));
    m.set(hex(slotKey(tok, slotOf(ALICE))), minimal(word(700)));
    m.set(hex(slotKey(tok, slotOf(carol))), minimal(word(300)));
    expectModel(w, [1]);
  });

  it('caller: a call across substates, returning the callee\'s output; a throwing callee reverts only its own writes', () => {
    const w = new World();
    const c = w.deploy(1, 'caller', code('caller'));
    const counter = w.deploy(2, 'counter', code('counter'));
    const thrower = w.deploy(2, 'thrower', code('thrower'));
    const via = (to: Uint8Array, gas = 0xffffffff, data = new Uint8Array(0)): Outcome => both(w, { subs: [1, 2], origin: ALICE, to: c, data: cat(to, be32(gas), data) });
    const r = via(counter);
    expect([r.status, hex(r.out)]).toEqual([S.SUCCESS, hex(cat(be32(0), be32(1)))]);
    const t = via(thrower);
    expect([t.status, hex(t.out)]).toEqual([S.SUCCESS, hex(be32(S.THROW))]);
    // Out of gas in the callee: 3,000 gas is not enough for the counter's SLOAD and SSTORE.
    const o = via(counter, 3000);
    expect([o.status, hex(o.out)]).toEqual([S.SUCCESS, hex(be32(S.OUT_OF_GAS))]);
    const m1 = w.model.get(1)!, m2 = w.model.get(2)!;
    m1.set(hex(slotKey(c, word(0))), minimal(word(3)));
    m1.set(hex(slotKey(c, word(1))), minimal(word(S.OUT_OF_GAS)));
    m2.set(hex(slotKey(counter, word(0))), minimal(word(1)));
    expectModel(w, [1, 2]);
    // The callee's substate not in the collation: empty, success.
    const e = both(w, { subs: [1], origin: ALICE, to: c, data: cat(counter, be32(0xffffffff)) });
    expect([e.status, hex(e.out)]).toEqual([S.SUCCESS, hex(be32(0))]);
  });

  it('recursion into itself stops at a bound — MSG\'s RAM, or the call depth with more RAM — and nothing breaks', () => {
    const w = new World();
    const c = w.deploy(1, 'caller', code('caller'));
    const levels = (o: Outcome): number[] => Array.from({ length: o.out.length / 4 }, (_, i) => Buffer.from(o.out).readUInt32BE(4 * i));
    // 32 KiB of MSG RAM: the RAM bound stops it (MEMORY_LIMIT to the deepest caller), on both models.
    const r = both(w, { subs: [1], origin: ALICE, to: c, gas: 4_000_000_000 }, 32 * 1024);
    const st = levels(r);
    expect(r.status).toBe(S.SUCCESS);
    expect(st.slice(0, -1).every((s) => s === S.SUCCESS)).toBe(true);
    expect(st.at(-1)).toBe(S.MEMORY_LIMIT);
    // Each level's stack is a few hundred bytes: about 32 KiB / 560.
    expect(st.length).toBeGreaterThan(40);
    expect(st.length).toBeLessThan(60);
    // Every level counted its own call in the one contract's slot 0 and stored its callee's status in slot 1.
    const m = w.model.get(1)!;
    m.set(hex(slotKey(c, word(0))), minimal(word(st.length)));
    m.set(hex(slotKey(c, word(1))), minimal(word(S.SUCCESS)));
    expectModel(w, [1]);
    // With 1 MiB the hardware's call depth stops it first: MSG at depth 0, level k's contract at
    // 2k − 1 and its handler at 2k, which cannot EVAL at 1024. The ISS only, untranslated: each
    // EVAL copies the code afresh, so translating its hot blocks would cost more than it saves.
    const rc = w.deploy(1, 'recurse', testImage('recurse').code);
    const big = runMsg('iss', w, { subs: [1], origin: ALICE, to: rc, gas: 4_000_000_000 }, undefined, 1 << 20, false);
    expect(big.status).toBe(S.SUCCESS);
    expect([Buffer.from(big.out).readUInt32BE(0), Buffer.from(big.out).readUInt32BE(4)]).toEqual([511, S.CALL_DEPTH]);
    // With little gas, gas stops it: each level keeps MSG_RESERVE for itself, the deepest runs out.
    const g = both(w, { subs: [1], origin: ALICE, to: rc, gas: 300_000 });
    expect(g.status).toBe(S.SUCCESS);
    expect(Buffer.from(g.out).readUInt32BE(4)).toBe(S.OUT_OF_GAS);
    expect(Buffer.from(g.out).readUInt32BE(0)).toBeGreaterThan(10);
    // Whatever the gas, the reserve lets every level unwind: MSG RETURNs (SUCCESS, or the top
    // contract's OUT_OF_GAS when even it could not finish).
    for (let gas = 20_000; gas < 300_000; gas += 27_773) {
      const x = runMsg('iss', w, { subs: [1], origin: ALICE, to: rc, gas }, undefined, MSG_RAM, false);
      expect(x.run.reason, `gas ${gas}: ${x.run.message}`).toBe('return');
      expect([S.SUCCESS, S.OUT_OF_GAS], `gas ${gas}`).toContain(x.status);
    }
    // MSG itself out of gas: it ends other than by RETURN (INTERPRET_COLLATION then reverts), on both models alike.
    const o = [runMsg('iss', w, { subs: [1], origin: ALICE, to: rc, gas: 3000 }), runMsg('cycle', w, { subs: [1], origin: ALICE, to: rc, gas: 3000 })];
    expect(o.map((x) => [x.run.reason, x.run.cause, x.run.gas])).toEqual([['trap', 24, o[0]!.run.gas], ['trap', 24, o[0]!.run.gas]]);
  }, 60_000);
});

describe('MSG: creation', () => {
  it('kind 1: the address from [creator, nonce], the account [0, H(code)]; a taken address, empty or oversized code fail writing nothing', () => {
    const w = new World();
    w.set(1, accountKey(ALICE), record(6, null));
    const counter = code('counter');
    const r = both(w, { kind: 1, subs: [1], origin: ALICE, nonce: 5, data: counter });
    const addr = derived(ALICE, 5);
    expect([r.status, hex(r.out)]).toEqual([S.SUCCESS, hex(addr)]);
    w.model.get(1)!.set(hex(accountKey(addr)), record(0, counter));
    expectModel(w, [1]);
    // Its code is held under H(code): a call runs it.
    const c = both(w, { subs: [1], origin: ALICE, to: addr });
    expect([c.status, hex(c.out)]).toEqual([S.SUCCESS, hex(be32(1))]);
    w.model.get(1)!.set(hex(slotKey(addr, word(0))), minimal(word(1)));
    const root = hex(w.roots.get(1)!);
    for (const [nonce, data] of [[5, counter], [6, new Uint8Array(0)], [7, new Uint8Array(65537).fill(0x13)]] as const) {
      const f = both(w, { kind: 1, subs: [1], origin: ALICE, nonce, data });
      expect([f.status, f.out.length, hex(w.roots.get(1)!)]).toEqual([S.THROW, 0, root]);
    }
    expectModel(w, [1]);
  });

  it('CREATE by a contract: the running contract is the creator, its nonce is incremented', () => {
    const w = new World();
    const irqCode = testImage('irq').code;
    const f = w.deploy(1, 'factory', irqCode);
    const counter = code('counter');
    const req = encode([Uint8Array.of(3), counter]);
    for (let n = 0; n < 2; n++) {
      const r = both(w, { subs: [1], origin: ALICE, to: f, data: req });
      const a = derived(f, n);
      expect([r.status, hex(r.out.subarray(0, 8)), hex(r.out.subarray(8))]).toEqual([S.SUCCESS, hex(cat(le32(0), le32(28))), hex(a)]);
      w.model.get(1)!.set(hex(accountKey(a)), record(0, counter));
      w.model.get(1)!.set(hex(accountKey(f)), encode([uintBytes(n + 1), keccak_256(irqCode)]));
      expectModel(w, [1]);
    }
    // A creation in a callee that then fails vanishes with it: the thrower is not involved, so
    // use an empty code, which fails the CREATE itself (THROW to the contract, nothing written).
    const root = hex(w.roots.get(1)!);
    const e = both(w, { subs: [1], origin: ALICE, to: f, data: encode([Uint8Array.of(3), new Uint8Array(0)]) });
    expect([e.status, hex(e.out.subarray(0, 8)), hex(w.roots.get(1)!)]).toEqual([S.SUCCESS, hex(cat(le32(S.THROW), le32(1))), root]);
  });
});

/** The integer 0: the empty string (a 0x00 byte is not canonical). */
const K0 = new Uint8Array(0);
const le32 = (n: number): Uint8Array => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return new Uint8Array(b); };

describe('MSG: the handler\'s requests', () => {
  const w = new World();
  const irq = w.deploy(1, 'irq', testImage('irq').code);
  const prevhash = keccak_256(Uint8Array.of(1, 2, 3));
  /** The handler's a0, a1 and reply to `req` (the irq contract relays it), on both models. */
  const ask = (req: Uint8Array): [number, number, string] => {
    const r = both(w, { subs: [1, 3], origin: BOB, caller: ALICE, to: irq, data: req, height: 0x01020304, prevhash });
    expect(r.status).toBe(S.SUCCESS);
    const o = Buffer.from(r.out);
    return [o.readUInt32LE(0), o.readUInt32LE(4), hex(r.out.subarray(8))];
  };
  const right = (a: Uint8Array): string => hex(cat(new Uint8Array(32 - a.length), a));

  it('QUERY 0–5 answer from the message and the block; 6 and up are malformed', () => {
    expect(ask(encode([Uint8Array.of(4), new Uint8Array(0)]))).toEqual([0, 32, right(irq)]);
    expect(ask(encode([Uint8Array.of(4), Uint8Array.of(1)]))).toEqual([0, 32, right(ALICE)]);
    expect(ask(encode([Uint8Array.of(4), Uint8Array.of(2)]))).toEqual([0, 32, right(BOB)]);
    expect(ask(encode([Uint8Array.of(4), Uint8Array.of(3)]))).toEqual([0, 32, right(be32(0x01020304))]);
    expect(ask(encode([Uint8Array.of(4), Uint8Array.of(4)]))).toEqual([0, 32, hex(prevhash)]);
    expect(ask(encode([Uint8Array.of(4), Uint8Array.of(5)]))).toEqual([0, 32, right(be32(0x01020304))]);
    expect(ask(encode([Uint8Array.of(4), Uint8Array.of(6)]))).toEqual([S.THROW, 1, '']);
  });

  it('SLOAD and SSTORE: a word of up to 32 bytes, leading zeros dropped when stored, zero deletes', () => {
    const k = Uint8Array.of(0, 0, 7), v = cat(new Uint8Array(3), Uint8Array.of(0xbe, 0xef));
    expect(ask(encode([Uint8Array.of(1), k, v]))).toEqual([0, 0, '']);
    expect(ask(encode([K0, Uint8Array.of(7)]))).toEqual([0, 32, right(Uint8Array.of(0xbe, 0xef))]);
    w.model.get(1)!.set(hex(slotKey(irq, word(7))), Uint8Array.of(0xbe, 0xef));
    expectModel(w, [1]);
    expect(ask(encode([Uint8Array.of(1), Uint8Array.of(7), new Uint8Array(32)]))).toEqual([0, 0, '']);
    w.model.get(1)!.delete(hex(slotKey(irq, word(7))));
    expectModel(w, [1]);
    expect(ask(encode([K0, new Uint8Array(32).fill(0xff)]))).toEqual([0, 32, hex(new Uint8Array(32))]);
  });

  it('a malformed request makes the handler THROW 1, and the contract goes on; nothing is written', () => {
    const root = hex(w.roots.get(1)!);
    const bad: Uint8Array[] = [
      new Uint8Array(0), Uint8Array.of(0xc1), Uint8Array.of(0xc2, 0x80, 0x80, 0x00), Uint8Array.of(0x80),
      encode([Uint8Array.of(9), new Uint8Array(0)]), encode([K0]), encode([K0, new Uint8Array(33)]),
      encode([K0, [new Uint8Array(0)]]), encode([Uint8Array.of(1), Uint8Array.of(1)]), encode([Uint8Array.of(1), Uint8Array.of(1), new Uint8Array(33)]),
      encode([Uint8Array.of(2), new Uint8Array(27), new Uint8Array(0), new Uint8Array(0)]), encode([Uint8Array.of(2), new Uint8Array(28), new Uint8Array(5), new Uint8Array(0)]),
      encode([Uint8Array.of(2), new Uint8Array(28), Uint8Array.of(0, 1), new Uint8Array(0)]), encode([Uint8Array.of(3)]), encode([Uint8Array.of(3), [Uint8Array.of(1)]]),
      encode([Uint8Array.of(4), Uint8Array.of(0, 1)]), encode([Uint8Array.of(4), new Uint8Array(0), new Uint8Array(0)]), encode([Uint8Array.of(0), Uint8Array.of(1)]), encode([Uint8Array.of(0, 4), Uint8Array.of(1)]),
      encode([[], Uint8Array.of(1)]), Uint8Array.of(0xc3, 0x80, 0x81, 0x05),
    ];
    for (const req of bad) expect(ask(req), hex(req)).toEqual([S.THROW, 1, '']);
    expect(hex(w.roots.get(1)!)).toBe(root);
  });

  it('hostile: a request longer than the frame ends the contract with BOUNDS; random bytes and mutated requests never break MSG', () => {
    const r = both(w, { subs: [1], origin: ALICE, to: irq, data: Uint8Array.of(0xff, 0xff, 0xff, 0xff) });
    expect([r.status, r.out.length]).toEqual([3 /* BOUNDS */, 0]);
    // A list claiming more bytes than the request holds; a 16 KiB value for a 32-byte word.
    expect(ask(Uint8Array.of(0xe0 + 0, 0x02))[0]).toBe(S.THROW);
    const long = encode([Uint8Array.of(1), Uint8Array.of(1), new Uint8Array(16_000).fill(1)]);
    expect(ask(long)).toEqual([S.THROW, 1, '']);
    let s = 0x9e3779b9;
    const rnd = (): number => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
    const seeds = [encode([K0, Uint8Array.of(7)]), encode([Uint8Array.of(1), Uint8Array.of(7), Uint8Array.of(9)]), encode([Uint8Array.of(2), irq, Uint8Array.of(0x10, 0), new Uint8Array(0)]), encode([Uint8Array.of(4), Uint8Array.of(3)])];
    for (let k = 0; k < 24; k++) {
      const base = seeds[k % seeds.length]!;
      const req = k % 6 === 5 ? Uint8Array.from({ length: rnd() % 40 }, () => rnd() & 255) : base.slice();
      if (k % 6 !== 5) for (let j = 0; j < 1 + (rnd() % 3); j++) req[rnd() % req.length] = rnd() & 255;
      const [a0] = ask(req);
      expect([0, 1], hex(req)).toContain(a0);
    }
  });
});

describe('firmware/lib/rlp.c against peripherals/rlpcodec.ts', () => {
  it('parses strictly and re-encodes: canonical items come back byte for byte, the invalid vectors are rejected, on both models', () => {
    const img = testImage('rlp_roundtrip');
    let seed = 0x5eed;
    const rnd = (): number => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed / 0x1_0000_0000; };
    const EDGE = [0, 1, 2, 54, 55, 56, 57, 255, 256, 257];
    const item = (d: number): RlpItem => {
      const p = rnd();
      if (d > 0 && p < 0.35) return Array.from({ length: rnd() < 0.1 ? EDGE[Math.floor(rnd() * 6)]! : Math.floor(rnd() * 5) }, () => item(d - 1));
      if (p < 0.55) return Uint8Array.of(Math.floor(rnd() * 0x80));
      if (p < 0.62) return Uint8Array.of(0x80 + Math.floor(rnd() * 0x80));
      return Uint8Array.from({ length: rnd() < 0.5 ? EDGE[Math.floor(rnd() * EDGE.length)]! : Math.floor(rnd() * 70) }, () => Math.floor(rnd() * 256));
    };
    const valid: Uint8Array[] = [Uint8Array.of(0), Uint8Array.of(0x7f), Uint8Array.of(0x80), Uint8Array.of(0xc0), Uint8Array.from(Buffer.from(nested(64), 'hex'))];
    for (const n of [55, 56, 255, 256, 4096]) valid.push(encode(new Uint8Array(n).fill(0x61)));
    for (let k = 0; k < 150; k++) valid.push(encode(item(Math.floor(rnd() * 7))));
    const invalid = Object.values({ ...INVALID, ...EXTRA_INVALID }).map((h) => Uint8Array.from(Buffer.from(h, 'hex')));
    // Decodable by the codec means accepted by the C library, and the other way round.
    for (const v of valid) expect(() => decode(v)).not.toThrow();
    for (const v of invalid) expect(() => decode(v)).toThrow(RlpError);
    const vectors = [...valid, ...invalid];
    const input = Uint8Array.from(Buffer.concat(vectors.flatMap((v) => [Buffer.from(le32(v.length)), Buffer.from(v)])));
    const outs = (['iss', 'cycle'] as const).map((kind) => {
      const m = createModel(kind, loadRom(img.code, { input, ramSize: 2 << 20, symbols: img.symbols }));
      const r = runToEnd(m, new LinuxHost(), { maxInstructions: 200_000_000 });
      expect(r.reason, r.message ?? '').toBe('return');
      return [hex(r.output!), r.gas, r.instructions] as const;
    });
    expect(outs[1]).toEqual(outs[0]);
    const out = Buffer.from(outs[0][0], 'hex');
    let p = 0;
    for (const v of vectors) {
      const n = out.readUInt32LE(p);
      p += 4;
      if (valid.includes(v)) {
        expect(n, hex(v).slice(0, 64)).toBe(v.length);
        expect(hex(out.subarray(p, p + n))).toBe(hex(v));
        p += n;
      } else {
        expect(n, hex(v).slice(0, 64)).toBe(0xffffffff);
      }
    }
    expect(p).toBe(out.length);
  }, 60_000);
});
