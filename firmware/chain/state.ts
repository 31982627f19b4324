// The state's layout on the host (docs/consensus.md, "State"): the top-level trie (the chain
// record, validators, substate roots) and the substate tries (accounts and storage), over the
// hard drive's own trie (peripherals/mpt.ts) and any NodeStore — the same nodes the firmware
// reads and writes, so a root computed here is the root the firmware computes.

import { Trie } from '../../peripherals/mpt.js';
import type { NodeStore } from '../../peripherals/store.js';
import { encode } from '../../peripherals/rlpcodec.js';
import {
  be32, bytes, concat, decodeRecord, EMPTY, encodeRecord, equalBytes, FormatError, int, list, rlpDecode, u32,
  type ChainRecord,
} from './format.js';

export const RECORD_KEY = Uint8Array.of(0x00);
export const validatorKey = (v: number): Uint8Array => concat(Uint8Array.of(0x01), be32(v));
export const substateKey = (i: number): Uint8Array => concat(Uint8Array.of(0x02), be32(i));
/** An account's key in its substate: id ‖ 0x00 (the 24-byte id of a 28-byte address). */
export const accountKey = (id: Uint8Array): Uint8Array => concat(id, Uint8Array.of(0x00));
/** A storage word's key: id ‖ 0x01 ‖ slot (32 bytes). */
export const storageKey = (id: Uint8Array, slot: Uint8Array): Uint8Array => concat(id, Uint8Array.of(0x01), slot);

/** An account record [nonce, code]: code the hash of the contract's code, or empty. */
export interface Account {
  nonce: number;
  code: Uint8Array;
}

export const encodeAccount = (a: Account): Uint8Array => encode([int(a.nonce), a.code]);

export function decodeAccount(b: Uint8Array): Account {
  const l = list(rlpDecode(b, 'an account record'), 2, 'an account record');
  const code = bytes(l[1]!, 'an account\'s code');
  if (code.length !== 0 && code.length !== 32) throw new FormatError(`an account's code is ${code.length} bytes, not 0 or 32`);
  return { nonce: u32(l[0]!, 'an account\'s nonce'), code };
}

/** A slot number or 32-byte word as its 32 bytes (big-endian, left-padded). */
export function word32(v: Uint8Array | bigint | number): Uint8Array {
  if (v instanceof Uint8Array) {
    if (v.length > 32) throw new FormatError(`a storage word of ${v.length} bytes (at most 32)`);
    const w = new Uint8Array(32);
    w.set(v, 32 - v.length);
    return w;
  }
  let x = BigInt(v);
  if (x < 0n || x >> 256n !== 0n) throw new FormatError(`${v} is not a 256-bit word`);
  const w = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) { w[i] = Number(x & 0xffn); x >>= 8n; }
  return w;
}

/** A word as stored: leading zero bytes removed (a zero word is absent). */
export function stripWord(w: Uint8Array): Uint8Array {
  let i = 0;
  while (i < w.length && w[i] === 0) i++;
  return w.slice(i);
}

/** One substate trie: accounts and storage. */
export class Substate {
  readonly trie: Trie;

  constructor(store: NodeStore, root: Uint8Array = EMPTY) {
    this.trie = new Trie(store, root);
  }

  get root(): Uint8Array { return this.trie.root; }

  account(id: Uint8Array): Account {
    const v = this.trie.get(accountKey(id));
    return v === null ? { nonce: 0, code: new Uint8Array(0) } : decodeAccount(v);
  }

  setAccount(id: Uint8Array, a: Account): void {
    this.trie.set(accountKey(id), encodeAccount(a));
  }

  /** Storage word `slot` as 32 bytes (zero when absent). */
  load(id: Uint8Array, slot: Uint8Array | bigint | number): Uint8Array {
    return word32(this.trie.get(storageKey(id, word32(slot))) ?? new Uint8Array(0));
  }

  store(id: Uint8Array, slot: Uint8Array | bigint | number, value: Uint8Array | bigint | number): void {
    this.trie.set(storageKey(id, word32(slot)), stripWord(word32(value)));
  }
}

/** The top-level state trie. */
export class ChainState {
  readonly trie: Trie;

  constructor(readonly store: NodeStore, root: Uint8Array = EMPTY) {
    this.trie = new Trie(store, root);
  }

  get root(): Uint8Array { return this.trie.root; }

  record(): ChainRecord {
    const v = this.trie.get(RECORD_KEY);
    if (v === null) throw new FormatError('the state holds no chain record');
    return decodeRecord(v);
  }

  setRecord(r: ChainRecord): void {
    this.trie.set(RECORD_KEY, encodeRecord(r));
  }

  validator(v: number): Uint8Array | null {
    return this.trie.get(validatorKey(v));
  }

  setValidator(v: number, addr: Uint8Array): void {
    if (addr.length !== 20) throw new FormatError(`a validator address is 20 bytes, not ${addr.length}`);
    this.trie.set(validatorKey(v), addr);
  }

  substateRoot(i: number): Uint8Array {
    const v = this.trie.get(substateKey(i));
    return v === null ? EMPTY : new Uint8Array(v);
  }

  /** Set substate `i`'s root; EMPTY deletes the key (every state has one root). */
  setSubstateRoot(i: number, root: Uint8Array): void {
    this.trie.set(substateKey(i), equalBytes(root, EMPTY) ? new Uint8Array(0) : root);
  }

  substate(i: number): Substate {
    return new Substate(this.store, this.substateRoot(i));
  }
}
