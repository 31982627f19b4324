// The host's consensus formats (firmware/chain/): state roots against Ethereum's trie
// (@ethereumjs/mpt), signatures against noble's recovery and the ECDSA unit's own check, the
// drawn signers, strict decoding, and the wire format loading all or nothing.

import { createMPT } from '@ethereumjs/mpt';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import * as RLPNS from 'rlp';
const RLP = RLPNS as unknown as { encode(x: unknown): Uint8Array };
import {
  address, blockHash, colHash, contractAddress, decodeHeader, decodeObject, drawSigners, encodeHeader, encodeObject, ethAddress,
  FormatError, genesisHeader, H, keyHolderId, publicKey, recover, sign, signTx, substateOf, txHash, txSender, be32, concat, type Collation,
} from '../dist/firmware/chain/format.js';
import { ChainState, storageKey, accountKey, encodeAccount, word32 } from '../dist/firmware/chain/state.js';
import { decodeWire, encodeWire, loadWire, trieNodes, WIRE_TRIE, WIRE_VALUE } from '../dist/firmware/chain/wire.js';
import { MemoryStore } from '../dist/peripherals/store.js';
import { Trie } from '../dist/peripherals/mpt.js';
import { recoverSigner } from '../dist/peripherals/ecdsa.js';

const key = (n: number): Uint8Array => { const k = new Uint8Array(32); k[31] = n; k[0] = 0x5a; return k; };
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const big = (b: Uint8Array): bigint => BigInt('0x' + (hex(b) || '0'));

describe('signatures', () => {
  it('are r ‖ s ‖ v with low s, recover to the signer with noble and with the ECDSA unit', () => {
    for (let n = 1; n <= 12; n++) {
      const k = key(n), h = H(Uint8Array.of(n));
      const s = sign(h, k);
      expect(s.length).toBe(65);
      expect(s[64]! <= 1).toBe(true);
      const pub = publicKey(k);
      // noble's own verification of r ‖ s (compact) over the unhashed digest.
      expect(secp256k1.verify(s.subarray(0, 64), h, secp256k1.getPublicKey(k), { prehash: false })).toBe(true);
      expect(hex(recover(h, s)!)).toBe(hex(pub));
      // The device's rules (peripherals/ecdsa.ts): v, low s, and the Ethereum address.
      const dev = recoverSigner(h, s[64]!, big(s.subarray(0, 32)), big(s.subarray(32, 64)));
      expect(dev.status).toBe(0);
      expect(hex(dev.addr!)).toBe(hex(ethAddress(pub)));
      // RFC 6979: the same key and hash sign the same bytes.
      expect(hex(sign(h, k))).toBe(hex(s));
    }
  });

  it('a flipped bit or a wrong v does not recover to the signer', () => {
    const k = key(3), h = H(Uint8Array.of(9)), s = sign(h, k);
    const flipped = s.slice(); flipped[10]! ^= 1;
    const r = recover(h, flipped);
    expect(r === null || hex(r) !== hex(publicKey(k))).toBe(true);
    const v = s.slice(); v[64] = 1 - v[64]!;
    expect(hex(recover(h, v) ?? new Uint8Array(0))).not.toBe(hex(publicKey(k)));
    const badV = s.slice(); badV[64] = 2;
    expect(recover(h, badV)).toBeNull();
    expect(recover(h, s.subarray(0, 64))).toBeNull();
  });
});

describe('identities', () => {
  it('addresses: key holders and contracts as docs/consensus.md derives them', () => {
    const pub = publicKey(key(1));
    const id = keyHolderId(pub);
    expect(hex(id.subarray(4))).toBe(hex(ethAddress(pub)));
    const a = address(7, id);
    expect(a.length).toBe(28);
    expect(substateOf(a)).toBe(7);
    const c = contractAddress(a, 5);
    expect(substateOf(c)).toBe(7);
    // The outside RLP encoder gives the same preimage.
    expect(hex(c.subarray(4))).toBe(hex(H(RLP.encode([a, 5])).subarray(8)));
  });

  it('a transaction recovers its sender; its hash covers every field', () => {
    const k = key(2);
    const t = signTx({ nonce: 3, substate: 1, to: new Uint8Array(28).fill(1), gas: 100000, data: Uint8Array.of(1, 2) }, k);
    expect(hex(txSender(t)!)).toBe(hex(address(1, keyHolderId(publicKey(k)))));
    expect(hex(txHash(t))).toBe(hex(H(RLP.encode([3, 1, t.to, 100000, t.data]))));
    expect(hex(txSender({ ...t, nonce: 4 }) ?? new Uint8Array(0))).not.toBe(hex(txSender(t)!));
  });

  it('drawn signers: a deterministic sample of the others, of the right size, by score', () => {
    const prev = H(Uint8Array.of(1));
    for (let j = 0; j < 4; j++) {
      const d = drawSigners(prev, j, 1, 5, 2);
      expect(d.length).toBe(2);
      expect(d).not.toContain(1);
      expect(new Set(d).size).toBe(2);
      const seed = H(concat(prev, be32(j)));
      const scores = [0, 2, 3, 4].map((v) => ({ v, s: big(H(concat(seed, be32(v)))) })).sort((a, b) => (a.s < b.s ? -1 : 1));
      expect(d).toEqual(scores.slice(0, 2).map((x) => x.v));
    }
    expect(drawSigners(prev, 0, 0, 3, 9).length).toBe(2);
    expect(drawSigners(prev, 0, 0, 1, 2)).toEqual([]);
  });
});

describe('state', () => {
  it('top-level and substate roots equal Ethereum\'s trie over the same keys', async () => {
    const st = new ChainState(new MemoryStore());
    const ref = await createMPT();
    const rec = { height: 0, nvalidators: 3, signers: 1, collationCode: H(Uint8Array.of(1)), msgCode: H(Uint8Array.of(2)) };
    st.setRecord(rec);
    await ref.put(Uint8Array.of(0), RLP.encode([0, 3, 1, rec.collationCode, rec.msgCode]));
    const sub = st.substate(4);
    const id = keyHolderId(publicKey(key(1)));
    sub.setAccount(id, { nonce: 2, code: new Uint8Array(0) });
    sub.store(id, 1n, 0x1234n);
    sub.store(id, 2n, 0n);
    const subRef = await createMPT();
    await subRef.put(accountKey(id), RLP.encode([2, new Uint8Array(0)]));
    await subRef.put(storageKey(id, word32(1n)), Uint8Array.of(0x12, 0x34));
    expect(hex(sub.root)).toBe(hex(subRef.root()));
    expect(hex(sub.load(id, 1n))).toBe('00'.repeat(30) + '1234');
    st.setSubstateRoot(4, sub.root);
    await ref.put(concat(Uint8Array.of(2), be32(4)), sub.root);
    for (let v = 0; v < 3; v++) {
      const a = ethAddress(publicKey(key(v + 1)));
      st.setValidator(v, a);
      await ref.put(concat(Uint8Array.of(1), be32(v)), a);
    }
    expect(hex(st.root)).toBe(hex(ref.root()));
    expect(st.record()).toEqual(rec);
    // An EMPTY substate root is deleted, not stored.
    st.setSubstateRoot(4, new Trie(new MemoryStore()).root);
    await ref.del(concat(Uint8Array.of(2), be32(4)));
    expect(hex(st.root)).toBe(hex(ref.root()));
    expect(encodeAccount({ nonce: 0, code: new Uint8Array(0) })).toEqual(Uint8Array.of(0xc2, 0x80, 0x80));
  });
});

function sampleCollation(): Collation {
  const t = signTx({ nonce: 0, substate: 1, to: new Uint8Array(0), gas: 5, data: Uint8Array.of(0x13) }, key(1));
  const c = { substates: [{ i: 1, prev: H(Uint8Array.of(1)), post: H(Uint8Array.of(2)) }], txs: [t], proposer: 0 };
  const ch = colHash(c);
  return { ...c, proposerSig: sign(ch, key(1)), sigs: [sign(ch, key(2))] };
}

describe('headers and objects', () => {
  it('round-trip and are rejected when not canonical', () => {
    const g = genesisHeader(H(Uint8Array.of(5)));
    expect(decodeHeader(encodeHeader(g))).toEqual(g);
    expect(hex(blockHash(g))).toBe(hex(H(RLP.encode([g.prevhash, g.valroot, g.objroot, g.endstate]))));
    expect(() => decodeHeader(RLP.encode([g.prevhash, g.valroot, g.objroot]))).toThrow(FormatError);
    expect(() => decodeHeader(Uint8Array.of(0xc1))).toThrow(FormatError);
    const c = sampleCollation();
    expect(decodeObject(encodeObject(c), 'object 0')).toEqual(c);
    expect(() => decodeObject(RLP.encode([1, []]), 'object 0')).toThrow(/kind 1/);
    expect(() => decodeObject(RLP.encode([0, [[[1, new Uint8Array(32), new Uint8Array(32)], [1, new Uint8Array(32), new Uint8Array(32)]], [], 0, new Uint8Array(0), []]]), 'o')).toThrow(/ascending/);
    expect(() => decodeObject(RLP.encode([0, [[], [], 0, new Uint8Array(0), []]]), 'o')).toThrow(/1 to 16/);
  });
});

describe('wire format', () => {
  function sampleTrie(): { store: MemoryStore; root: Uint8Array; entries: [Uint8Array, Uint8Array][] } {
    const store = new MemoryStore(), t = new Trie(store);
    const entries: [Uint8Array, Uint8Array][] = [];
    for (let i = 0; i < 40; i++) entries.push([be32(i * 7919), i % 3 === 0 ? Uint8Array.of(i) : H(be32(i))]);
    for (const [k, v] of entries) t.set(k, v);
    return { store, root: t.root, entries };
  }

  it('a trie travels as its nodes: loaded into an empty store, every value reads back', () => {
    const { store, root, entries } = sampleTrie();
    const nodes = trieNodes(store, root);
    const g = genesisHeader(root);
    const buf = encodeWire({ header: g, items: [{ kind: WIRE_TRIE, values: nodes }, { kind: WIRE_VALUE, values: [Uint8Array.of(1, 2, 3)] }] });
    const fresh = new MemoryStore();
    const got = loadWire(fresh, buf);
    expect(hex(got.hash)).toBe(hex(blockHash(g)));
    const t = new Trie(fresh, root);
    for (const [k, v] of entries) expect(hex(t.get(k)!)).toBe(hex(v));
    expect(hex(fresh.get(H(Uint8Array.of(1, 2, 3)))!)).toBe('010203');
    expect(fresh.size).toBe(nodes.length + 2);
  });

  it('a malformed file loads nothing', () => {
    const { store, root } = sampleTrie();
    const nodes = trieNodes(store, root);
    const g = genesisHeader(root);
    const good = encodeWire({ header: g, items: [{ kind: WIRE_TRIE, values: nodes }] });
    const bads: [Uint8Array, RegExp][] = [
      [good.subarray(0, good.length - 1), /malformed RLP/],
      [concat(good, Uint8Array.of(0)), /after the item/],
      [RLP.encode([[g.prevhash, g.valroot, g.objroot]]), /header/],
      [RLP.encode([[g.prevhash, g.valroot, g.objroot, g.endstate], [3, []]]), /kind 3/],
      [RLP.encode([[g.prevhash, g.valroot, g.objroot, g.endstate], [1, [...nodes, Uint8Array.of(0x81)]]]), /node/],
      [RLP.encode([[g.prevhash, g.valroot, g.objroot, g.endstate], [1, [...nodes, Uint8Array.of(0x83, 1, 2, 3)]]]), /not an RLP list/],
      [RLP.encode([]), /empty list/],
    ];
    for (const [b, re] of bads) {
      const fresh = new MemoryStore();
      expect(() => loadWire(fresh, b)).toThrow(re);
      expect(() => decodeWire(b)).toThrow(FormatError);
      expect(fresh.size).toBe(0);
    }
  });
});
