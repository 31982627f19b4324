// The wire format (docs/consensus.md, "Wire format and loading"): a block travels as
// `[header, [kind, payload], …]` — kind 0 a hashed value, 1 a trie's nodes, 2 a heap's nodes.
// Loading checks the whole file first and only then puts anything into the store, so a
// malformed block loads nothing.

import { decode, encode, RlpError, type RlpItem } from '../../peripherals/rlpcodec.js';
import type { NodeStore } from '../../peripherals/store.js';
import { bytes, EMPTY, encodeHeader, equalBytes, FormatError, H, headerOf, int, list, toHex, u32, type Header } from './format.js';

export const WIRE_VALUE = 0;
export const WIRE_TRIE = 1;
export const WIRE_HEAP = 2;

export interface WireItem {
  kind: number;
  /** kind 0: the one value; 1 and 2: the nodes. */
  values: Uint8Array[];
}

export interface Wire {
  header: Header;
  items: WireItem[];
}

export function encodeWire(w: Wire): Uint8Array {
  const items: RlpItem[] = w.items.map((it) => [int(it.kind), it.kind === WIRE_VALUE ? it.values[0]! : it.values]);
  return encode([[w.header.prevhash, w.header.valroot, w.header.objroot, w.header.endstate], ...items]);
}

/** Decode a wire file strictly (`name` locates it in errors); nothing is stored. */
export function decodeWire(input: Uint8Array, name = 'the block'): Wire {
  // A plain copy: the items are views into it, and a Buffer's slice() would be a view too.
  const buf = new Uint8Array(input);
  let top: RlpItem;
  try {
    top = decode(buf);
  } catch (e) {
    if (e instanceof RlpError) throw new FormatError(`${name}: ${e.message}`);
    throw e;
  }
  const l = list(top, null, name);
  if (l.length === 0) throw new FormatError(`${name} is an empty list (it starts with the header)`);
  const header = headerOf(l[0]!, `${name}'s header`);
  const items: WireItem[] = [];
  for (let k = 1; k < l.length; k++) {
    const what = `${name}'s item ${k}`;
    const [kindItem, payload] = list(l[k]!, 2, what);
    const kind = u32(kindItem!, `${what}'s kind`);
    if (kind === WIRE_VALUE) { items.push({ kind, values: [bytes(payload!, `${what}'s value`)] }); continue; }
    if (kind !== WIRE_TRIE && kind !== WIRE_HEAP) throw new FormatError(`${what} is of kind ${kind} (0 value, 1 trie, 2 heap)`);
    const nodes = list(payload!, null, `${what}'s nodes`).map((n, i) => {
      const node = bytes(n, `${what}'s node ${i}`);
      let d: RlpItem;
      try { d = decode(node); } catch (e) {
        if (e instanceof RlpError) throw new FormatError(`${what}'s node ${i}: ${e.message}`);
        throw e;
      }
      if (!Array.isArray(d)) throw new FormatError(`${what}'s node ${i} is not an RLP list`);
      return node;
    });
    items.push({ kind, values: nodes });
  }
  return { header, items };
}

/**
 * Load a wire file into `store`: decoded and checked whole first, then every value under its
 * hash and the header under the block's hash. Returns the header and its hash.
 */
export function loadWire(store: NodeStore, buf: Uint8Array, name?: string): { header: Header; hash: Uint8Array; values: number } {
  const w = decodeWire(buf, name);
  let n = 0;
  for (const it of w.items) for (const v of it.values) { store.put(H(v), v); n++; }
  const enc = encodeHeader(w.header);
  const hash = H(enc);
  store.put(hash, enc);
  return { header: w.header, hash, values: n };
}

/** The children a node references by hash (in embedded children too), in order. */
function hashedChildren(node: RlpItem, out: Uint8Array[]): void {
  const ref = (r: RlpItem): void => {
    if (Array.isArray(r)) hashedChildren(r, out);
    else if (r.length === 32) out.push(r);
  };
  if (!Array.isArray(node)) return;
  if (node.length === 17) { for (let i = 0; i < 16; i++) ref(node[i]!); return; }
  if (node.length === 2) {
    const hp = node[0] as Uint8Array;
    if (hp.length > 0 && hp[0]! >> 4 < 2) ref(node[1]!); // an extension (a leaf's value is no reference)
  }
}

/** Every hashed node of the trie at `root` in `store`, root first (the root even when short). */
export function trieNodes(store: NodeStore, root: Uint8Array): Uint8Array[] {
  if (equalBytes(root, EMPTY)) return [];
  const out: Uint8Array[] = [];
  const seen = new Set<string>();
  const todo = [root];
  while (todo.length > 0) {
    const h = todo.pop()!;
    const k = Buffer.from(h).toString('hex');
    if (seen.has(k)) continue;
    seen.add(k);
    const v = store.get(h);
    if (v === undefined) throw new FormatError(`trie node ${toHex(h)} is not held`);
    out.push(v);
    const kids: Uint8Array[] = [];
    hashedChildren(decode(v), kids);
    for (let i = kids.length - 1; i >= 0; i--) todo.push(kids[i]!);
  }
  return out;
}
