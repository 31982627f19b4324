// RLP (Ethereum Yellow Paper, appendix B), strictly: the one codec of the project. The RLP
// device walks frame memory with `header`, the hard drive encodes and decodes trie nodes with
// `encode` / `decode`, `evminf rlp` uses both. Decoding is canonical only — what Ethereum's
// invalid-RLP tests reject, this rejects — and never throws anything but RlpError.

import { Rlp } from './regs.js';

/** A decoded item: a byte string or a list of items. */
export type RlpItem = Uint8Array | RlpItem[];

export class RlpError extends Error {}

/** An item's header at `pos` of `buf`: kind, payload offset and length, end of the item. */
export interface RlpHeader {
  list: boolean;
  /** Offset of the payload in the buffer. */
  doff: number;
  /** Length of the payload. */
  dlen: number;
  /** Offset just past the item. */
  end: number;
}

/**
 * Read the header of the item at `pos`, which must end at or before `limit` (the enclosing
 * list's end, or the buffer's). Canonical forms only:
 *  - a single byte below 0x80 is its own encoding (0x81 0x00–0x7f is rejected);
 *  - a payload of 0–55 bytes uses the short form (0x80+n, 0xc0+n);
 *  - the long form's length has no leading zero byte and is above 55;
 *  - lengths of more than 4 bytes are rejected (no buffer here is 4 GiB);
 *  - the payload must lie before `limit`.
 * Returns null for malformed input (`out` untouched) — no allocation, no exception.
 */
export function header(buf: Uint8Array, pos: number, limit: number, out: RlpHeader): RlpHeader | null {
  if (pos >= limit || limit > buf.length) return null;
  const b = buf[pos]!;
  let list = false, doff: number, dlen: number;
  if (b < 0x80) { doff = pos; dlen = 1; }
  else if (b <= 0xb7) {
    doff = pos + 1; dlen = b - 0x80;
    if (dlen === 1 && (doff >= limit || buf[doff]! < 0x80)) return null;
  } else if (b <= 0xbf || (b >= 0xf8)) {
    list = b >= 0xf8;
    const ll = b - (list ? 0xf7 : 0xb7);
    if (ll > 4 || pos + 1 + ll > limit || buf[pos + 1] === 0) return null;
    dlen = 0;
    for (let k = 0; k < ll; k++) dlen = dlen * 256 + buf[pos + 1 + k]!;
    if (dlen <= 55) return null;
    doff = pos + 1 + ll;
  } else { list = true; doff = pos + 1; dlen = b - 0xc0; }
  const end = doff + dlen;
  if (end > limit) return null;
  out.list = list; out.doff = doff; out.dlen = dlen; out.end = end;
  return out;
}

/**
 * Why `header(buf, pos, limit)` failed, as a phrase for a one-line error (never on a hot path:
 * only after a null). The same tests in the same order as `header`.
 */
export function headerFault(buf: Uint8Array, pos: number, limit: number): string {
  if (limit > buf.length) return 'the item\'s limit is past the end of the buffer';
  if (pos >= limit) return pos >= buf.length ? 'input ends where an item should start' : 'an item should start where its enclosing list ends';
  const b = buf[pos]!;
  if (b >= 0x80 && b <= 0xb7) return b - 0x80 === 1 && pos + 1 < limit ? 'a single byte below 0x80 must be its own encoding' : 'the string runs past its end';
  if ((b >= 0xb8 && b <= 0xbf) || b >= 0xf8) {
    const ll = b - (b >= 0xf8 ? 0xf7 : 0xb7);
    if (ll > 4) return `a length of ${ll} bytes (at most 4 here)`;
    if (pos + 1 + ll > limit) return 'the length runs past the end';
    if (buf[pos + 1] === 0) return 'the length has a leading zero byte';
    let n = 0;
    for (let k = 0; k < ll; k++) n = n * 256 + buf[pos + 1 + k]!;
    if (n <= 55) return `the long form for a payload of ${n} bytes (the short form is canonical)`;
  }
  return `the ${b >= 0xc0 ? 'list' : 'string'} runs past its end`;
}

/**
 * Decode exactly one item filling `buf`, strictly, with at most `maxDepth` lists nested (the
 * device's VALIDATE takes the same limit: peripherals/rlp.ts).
 */
export function decode(buf: Uint8Array, maxDepth: number = Rlp.MAX_DEPTH): RlpItem {
  const h: RlpHeader = { list: false, doff: 0, dlen: 0, end: 0 };
  // Recursion is bounded by maxDepth.
  const item = (pos: number, limit: number, depth: number): RlpItem => {
    if (header(buf, pos, limit, h) === null) throw new RlpError(`malformed RLP at byte ${pos}: ${headerFault(buf, pos, limit)}`);
    if (!h.list) return buf.subarray(h.doff, h.end);
    if (depth >= maxDepth) throw new RlpError(`malformed RLP at byte ${pos}: lists nested deeper than ${maxDepth}`);
    const out: RlpItem[] = [];
    let p = h.doff;
    const end = h.end;
    while (p < end) {
      out.push(item(p, end, depth + 1));
      p = h.end;
    }
    h.end = end;
    return out;
  };
  const r = item(0, buf.length, 0);
  if (h.end !== buf.length) {
    const n = buf.length - h.end;
    throw new RlpError(`malformed RLP: ${n} byte${n === 1 ? '' : 's'} after the item (at byte ${h.end})`);
  }
  return r;
}

/** Length of the header of a payload of `n` bytes (a string whose payload is not a single byte below 0x80). */
export function headerLength(n: number): number {
  return n <= 55 ? 1 : 1 + byteLength(n);
}

const byteLength = (n: number): number => (n < 0x100 ? 1 : n < 0x1_0000 ? 2 : n < 0x100_0000 ? 3 : 4);

/** Write the header of a payload of `n` bytes at `pos` (`list`: a list header); returns the end. */
export function writeHeader(out: Uint8Array, pos: number, n: number, list: boolean): number {
  const base = list ? 0xc0 : 0x80;
  if (n <= 55) { out[pos] = base + n; return pos + 1; }
  const ll = byteLength(n);
  out[pos] = base + 55 + ll;
  for (let k = ll; k >= 1; k--) { out[pos + k] = n & 0xff; n = Math.floor(n / 256); }
  return pos + 1 + ll;
}

/** Encoded length of `item`. */
export function encodedLength(item: RlpItem): number {
  if (item instanceof Uint8Array) return item.length === 1 && item[0]! < 0x80 ? 1 : headerLength(item.length) + item.length;
  let n = 0;
  for (const x of item) n += encodedLength(x);
  return headerLength(n) + n;
}

/** RLP encoding of `item`. */
export function encode(item: RlpItem): Uint8Array {
  const out = new Uint8Array(encodedLength(item));
  const put = (x: RlpItem, pos: number): number => {
    if (x instanceof Uint8Array) {
      if (x.length === 1 && x[0]! < 0x80) { out[pos] = x[0]!; return pos + 1; }
      pos = writeHeader(out, pos, x.length, false);
      out.set(x, pos);
      return pos + x.length;
    }
    let n = 0;
    for (const y of x) n += encodedLength(y);
    pos = writeHeader(out, pos, n, true);
    for (const y of x) pos = put(y, pos);
    return pos;
  };
  put(item, 0);
  return out;
}

/** Minimal big-endian bytes of a non-negative integer (0 is empty). */
export function uintBytes(v: bigint | number): Uint8Array {
  const x = BigInt(v);
  if (x < 0n) throw new RlpError('negative integer');
  if (x === 0n) return new Uint8Array(0);
  // Through hex: linear in the size, where shifting a byte at a time would be quadratic.
  let h = x.toString(16);
  if (h.length & 1) h = '0' + h;
  const out = new Uint8Array(h.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(2 * i, 2), 16);
  return out;
}
