// The consensus formats on the host (docs/consensus.md): headers and their hashes, the chain
// record, collations, transactions, signatures, addresses and the drawn signers. The firmware
// (INTERPRET_BLOCK, INTERPRET_COLLATION, MSG) reads the same bytes; this side builds blocks and
// decodes them for the tools. Decoding is strict (canonical RLP, exact arities, minimal
// integers) and throws FormatError with a one-line message, never anything else.

import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { EMPTY_ROOT } from '../../peripherals/mpt.js';
import { decode, encode, RlpError, uintBytes, type RlpItem } from '../../peripherals/rlpcodec.js';

/** A structure that does not follow docs/consensus.md (bad input, never a bug). */
export class FormatError extends Error {}

export const EMPTY: Uint8Array = EMPTY_ROOT;
export const ZERO32: Uint8Array = new Uint8Array(32);
export const H = (b: Uint8Array): Uint8Array => keccak_256(b);

/** Constants of docs/consensus.md, "MSG and its interrupts" and "INTERPRET_COLLATION". */
export const CONTRACT_RAM = 16 << 10;
export const MSG_RAM = 256 << 10;
export const COLLATION_RAM = 4 << 20;
export const BLOCK_RAM = 4 << 20;
export const MSG_RESERVE = 5000;
export const MAX_CODE = 65536;
export const MAX_SUBSTATES = 16;
export const ADDRESS_BYTES = 28;
export const SIG_BYTES = 65;
/** Object kinds in objroot. */
export const OBJ_COLLATION = 0;

/** Reason codes (docs/consensus.md, "Reasons"), by name; REASON_NAMES is the inverse. */
export const REASON = Object.freeze({
  OK: 0, BAD_HEADER: 1, BAD_STATE: 2, MISSING_SIG: 3, BAD_SIG: 4, EXTRA_SIG: 5, BAD_OBJROOT: 6,
  UNKNOWN_OBJECT: 7, INTERSECTING: 8, BAD_PREV_ROOT: 9, COLLATION_FAILED: 10, BAD_COLLATION: 11,
  BAD_PROPOSER: 12, BAD_PROPOSER_SIG: 13, BAD_COLLATION_SIG: 14, BAD_TX: 15, TX_SUBSTATE: 16,
  BAD_TX_SIG: 17, BAD_NONCE: 18, BAD_POST: 19, BAD_ENDSTATE: 20,
});
export type ReasonName = keyof typeof REASON;
export const REASON_NAMES: readonly string[] = Object.keys(REASON);
export const reasonName = (code: number): string => REASON_NAMES[code] ?? `reason ${code}`;

// ---- bytes ----------------------------------------------------------------------------------

export function be32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, false);
  return b;
}

export function le32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const toHex = (b: Uint8Array): string => '0x' + Buffer.from(b).toString('hex');

/** Bytes from a hex string (0x optional); null when it is not an even run of hex digits. */
export function fromHex(s: string): Uint8Array | null {
  const h = s.startsWith('0x') || s.startsWith('0X') ? s.slice(2) : s;
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(h)) return null;
  return new Uint8Array(Buffer.from(h, 'hex'));
}

// ---- strict RLP fields ----------------------------------------------------------------------

/** Decode one item filling `buf`; `what` names it in the error. */
export function rlpDecode(buf: Uint8Array, what: string): RlpItem {
  try {
    return decode(buf);
  } catch (e) {
    if (e instanceof RlpError) throw new FormatError(`${what}: ${e.message}`);
    throw e;
  }
}

export function list(x: RlpItem, n: number | null, what: string): RlpItem[] {
  if (!Array.isArray(x)) throw new FormatError(`${what} is not a list`);
  if (n !== null && x.length !== n) throw new FormatError(`${what} has ${x.length} items, not ${n}`);
  return x;
}

export function bytes(x: RlpItem, what: string, len?: number): Uint8Array {
  if (Array.isArray(x)) throw new FormatError(`${what} is a list, not a string`);
  if (len !== undefined && x.length !== len) throw new FormatError(`${what} is ${x.length} bytes, not ${len}`);
  return x;
}

/** A u32 (minimal big-endian bytes, below 2^32). */
export function u32(x: RlpItem, what: string): number {
  const b = bytes(x, what);
  if (b.length > 4) throw new FormatError(`${what} is not a u32 (${b.length} bytes)`);
  if (b.length > 0 && b[0] === 0) throw new FormatError(`${what} has a leading zero byte`);
  let v = 0;
  for (let i = 0; i < b.length; i++) v = v * 256 + b[i]!;
  return v;
}

export const int = (n: number | bigint): Uint8Array => uintBytes(n);

// ---- header ---------------------------------------------------------------------------------

export interface Header {
  prevhash: Uint8Array;
  valroot: Uint8Array;
  objroot: Uint8Array;
  endstate: Uint8Array;
}

export const headerItem = (h: Header): RlpItem => [h.prevhash, h.valroot, h.objroot, h.endstate];
export const encodeHeader = (h: Header): Uint8Array => encode(headerItem(h));
export const blockHash = (h: Header): Uint8Array => H(encodeHeader(h));

export function headerOf(x: RlpItem, what = 'the header'): Header {
  const l = list(x, 4, what);
  return {
    prevhash: bytes(l[0]!, `${what}'s prevhash`, 32), valroot: bytes(l[1]!, `${what}'s valroot`, 32),
    objroot: bytes(l[2]!, `${what}'s objroot`, 32), endstate: bytes(l[3]!, `${what}'s endstate`, 32),
  };
}

export const decodeHeader = (b: Uint8Array): Header => headerOf(rlpDecode(b, 'the header'));

/** What every validator signs: H(rlp([prevhash, objroot, endstate])). */
export const sighash = (h: Omit<Header, 'valroot'>): Uint8Array => H(encode([h.prevhash, h.objroot, h.endstate]));

export const genesisHeader = (stateRoot: Uint8Array): Header => ({ prevhash: ZERO32, valroot: EMPTY, objroot: EMPTY, endstate: stateRoot });

// ---- chain record ---------------------------------------------------------------------------

export interface ChainRecord {
  height: number;
  nvalidators: number;
  signers: number;
  collationCode: Uint8Array;
  msgCode: Uint8Array;
}

export const encodeRecord = (r: ChainRecord): Uint8Array =>
  encode([int(r.height), int(r.nvalidators), int(r.signers), r.collationCode, r.msgCode]);

export function decodeRecord(b: Uint8Array): ChainRecord {
  const l = list(rlpDecode(b, 'the chain record'), 5, 'the chain record');
  return {
    height: u32(l[0]!, 'the chain record\'s height'), nvalidators: u32(l[1]!, 'the chain record\'s nvalidators'),
    signers: u32(l[2]!, 'the chain record\'s signers'), collationCode: bytes(l[3]!, 'collation_code', 32), msgCode: bytes(l[4]!, 'msg_code', 32),
  };
}

// ---- signatures and identities --------------------------------------------------------------

/** A 65-byte r ‖ s ‖ v signature of the 32-byte `hash` (no further hashing; RFC 6979, low s). */
export function sign(hash: Uint8Array, key: Uint8Array): Uint8Array {
  // noble's 'recovered' format is v ‖ r ‖ s; docs/consensus.md's is r ‖ s ‖ v.
  const rec = secp256k1.sign(hash, key, { prehash: false, lowS: true, format: 'recovered' });
  return concat(rec.subarray(1, 65), rec.subarray(0, 1));
}

/** The uncompressed public key x ‖ y (64 bytes) of a 65-byte signature over `hash`; null when it does not recover. */
export function recover(hash: Uint8Array, sig: Uint8Array): Uint8Array | null {
  if (sig.length !== SIG_BYTES || sig[64]! > 1) return null;
  try {
    const s = secp256k1.Signature.fromBytes(concat(sig.subarray(64), sig.subarray(0, 64)), 'recovered');
    if (s.hasHighS()) return null;
    return s.recoverPublicKey(hash).toBytes(false).subarray(1);
  } catch {
    return null;
  }
}

/** The uncompressed public key x ‖ y of a private key. */
export const publicKey = (key: Uint8Array): Uint8Array => secp256k1.getPublicKey(key, false).subarray(1);
/** Ethereum's 20-byte address of a public key x ‖ y: what validators are known by. */
export const ethAddress = (pub: Uint8Array): Uint8Array => H(pub).subarray(12);
/** A key holder's 24-byte id. */
export const keyHolderId = (pub: Uint8Array): Uint8Array => H(pub).subarray(8);
/** The 28-byte address be32(substate) ‖ id. */
export const address = (substate: number, id: Uint8Array): Uint8Array => concat(be32(substate), id);
/** The substate an address lives in. */
export const substateOf = (addr: Uint8Array): number => new DataView(addr.buffer, addr.byteOffset, 4).getUint32(0, false);
/** A contract's address: its creator's substate, id the low 24 bytes of H(rlp([creator, nonce])). */
export const contractAddress = (creator: Uint8Array, nonce: number): Uint8Array =>
  address(substateOf(creator), H(encode([creator, int(nonce)])).subarray(8));

/** The drawn signers of collation object `j` (docs/consensus.md, "The drawn signers"), in drawn order. */
export function drawSigners(prevhash: Uint8Array, j: number, proposer: number, nvalidators: number, signers: number): number[] {
  const seed = H(concat(prevhash, be32(j)));
  const scored: { v: number; score: string }[] = [];
  for (let v = 0; v < nvalidators; v++) if (v !== proposer) scored.push({ v, score: Buffer.from(H(concat(seed, be32(v)))).toString('hex') });
  scored.sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : a.v - b.v));
  return scored.slice(0, Math.min(signers, Math.max(0, nvalidators - 1))).map((s) => s.v);
}

// ---- transactions ---------------------------------------------------------------------------

export interface TxBody {
  nonce: number;
  substate: number;
  /** 28 bytes, or empty for a creation. */
  to: Uint8Array;
  gas: number;
  data: Uint8Array;
}

export interface Tx extends TxBody {
  sig: Uint8Array;
}

export const txBodyItem = (t: TxBody): RlpItem => [int(t.nonce), int(t.substate), t.to, int(t.gas), t.data];
export const txItem = (t: Tx): RlpItem => [txBodyItem(t), t.sig];
export const txHash = (t: TxBody): Uint8Array => H(encode(txBodyItem(t)));
export const signTx = (t: TxBody, key: Uint8Array): Tx => ({ ...t, sig: sign(txHash(t), key) });

export function txOf(x: RlpItem, what: string): Tx {
  const [b, sig] = list(x, 2, what);
  const l = list(b!, 5, `${what}'s body`);
  const to = bytes(l[2]!, `${what}'s to`);
  if (to.length !== 0 && to.length !== ADDRESS_BYTES) throw new FormatError(`${what}'s to is ${to.length} bytes, not 0 or ${ADDRESS_BYTES}`);
  const data = bytes(l[4]!, `${what}'s data`);
  if (data.length > MAX_CODE) throw new FormatError(`${what}'s data is ${data.length} bytes (at most ${MAX_CODE})`);
  return {
    nonce: u32(l[0]!, `${what}'s nonce`), substate: u32(l[1]!, `${what}'s substate`), to,
    gas: u32(l[3]!, `${what}'s gas`), data, sig: bytes(sig!, `${what}'s signature`),
  };
}

/** The sender's address of a transaction; null when its signature does not recover. */
export function txSender(t: Tx): Uint8Array | null {
  const pub = recover(txHash(t), t.sig);
  return pub === null ? null : address(t.substate, keyHolderId(pub));
}

// ---- collations -----------------------------------------------------------------------------

export interface SubstateRoots {
  i: number;
  prev: Uint8Array;
  post: Uint8Array;
}

export interface Collation {
  substates: SubstateRoots[];
  txs: Tx[];
  proposer: number;
  proposerSig: Uint8Array;
  sigs: Uint8Array[];
}

const substatesItem = (c: Pick<Collation, 'substates'>): RlpItem => c.substates.map((s) => [int(s.i), s.prev, s.post]);

/** What proposer and signers sign: H(rlp([substates, txs, proposer])). */
export const colHash = (c: Omit<Collation, 'proposerSig' | 'sigs'>): Uint8Array =>
  H(encode([substatesItem(c), c.txs.map(txItem), int(c.proposer)]));

export const collationItem = (c: Collation): RlpItem => [substatesItem(c), c.txs.map(txItem), int(c.proposer), c.proposerSig, c.sigs];
export const encodeCollation = (c: Collation): Uint8Array => encode(collationItem(c));

/** The object `[0, collation]` of objroot. */
export const encodeObject = (c: Collation): Uint8Array => encode([int(OBJ_COLLATION), collationItem(c)]);

export function collationOf(x: RlpItem, what = 'the collation'): Collation {
  const l = list(x, 5, what);
  const subs = list(l[0]!, null, `${what}'s substates`).map((s, k) => {
    const e = list(s, 3, `${what}'s substate ${k}`);
    return { i: u32(e[0]!, `${what}'s substate ${k} index`), prev: bytes(e[1]!, `${what}'s substate ${k} prev`, 32), post: bytes(e[2]!, `${what}'s substate ${k} post`, 32) };
  });
  if (subs.length < 1 || subs.length > MAX_SUBSTATES) throw new FormatError(`${what} lists ${subs.length} substates (1 to ${MAX_SUBSTATES})`);
  for (let k = 1; k < subs.length; k++) if (subs[k]!.i <= subs[k - 1]!.i) throw new FormatError(`${what}'s substates are not in strictly ascending order`);
  const txs = list(l[1]!, null, `${what}'s txs`).map((t, k) => txOf(t, `${what}'s transaction ${k}`));
  return {
    substates: subs, txs, proposer: u32(l[2]!, `${what}'s proposer`),
    proposerSig: bytes(l[3]!, `${what}'s proposer_sig`), sigs: list(l[4]!, null, `${what}'s sigs`).map((s, k) => bytes(s, `${what}'s sig ${k}`)),
  };
}

/** An object of objroot: kind 0 with its collation (others are UNKNOWN_OBJECT). */
export function decodeObject(b: Uint8Array, what: string): Collation {
  const l = list(rlpDecode(b, what), 2, what);
  const kind = u32(l[0]!, `${what}'s kind`);
  if (kind !== OBJ_COLLATION) throw new FormatError(`${what} is of kind ${kind} (only 0, a collation, is defined)`);
  return collationOf(l[1]!, `${what}'s collation`);
}
