// Ethereum's hexary Merkle-Patricia trie (Yellow Paper appendix D), synchronous and persistent:
// the hard drive's tries and heaps. Nodes are exactly Ethereum's — leaf [hp(path, 1), value],
// extension [hp(path, 0), child], branch [16 children, value] — a node whose RLP is shorter than
// 32 bytes is embedded in its parent, any other is referenced by its keccak-256 and held in the
// store; the root is always hashed and its node stored (even when shorter than 32 bytes). Nodes
// are never changed in place, so any old root still names its old contents: a revert point is
// just a root.
//
// An update is computed first (`prepare`: the new root and the nodes to store, nothing stored)
// and taken after (`apply`), so the device can charge gas and cycles from the counts before any
// visible change. Counting, the figures the device charges from:
//  - `reads`: hashed nodes an operation enters, the root included (each would be a store lookup
//    in hardware; a node held in the decoded-node cache below counts the same). Embedded nodes
//    are part of their parent: 0. An empty trie reads nothing.
//  - `writes`: hashed nodes an update creates, the new root included. Embedded nodes: 0. An
//    update that changes nothing (the same value again, deleting an absent key) writes nothing.
//
// Store contents are untrusted (a program PUTs any bytes it likes and SETROOTs to their hash):
//  - a node the store does not hold → DataUnavailable (`node 0x… not held`);
//  - a stored value that is not a canonical-enough trie node (bad RLP, not a list of 2 or 17,
//    bad hex prefix, a child reference that is neither empty, 32 bytes nor an embedded node
//    under 32 bytes, a branch with fewer than 2 entries, an empty extension, an empty leaf
//    value, or — for `first` — a key of an odd number of nibbles) → MalformedNode, which the
//    device reports as a status. Nothing else is thrown for any store contents.

import { keccak_256 } from '@noble/hashes/sha3.js';
import { DataUnavailable } from './clock.js';
import { header, headerLength, writeHeader, type RlpHeader } from './rlpcodec.js';
import { hashKey, type NodeStore } from './store.js';

/** Root of the empty trie: keccak256(rlp('')) = 0x56e81f…b421. */
export const EMPTY_ROOT: Uint8Array = keccak_256(Uint8Array.of(0x80));

/** Nodes read from the store / written by an operation (see the counting rules above). */
export interface TrieCost { reads: number; writes: number }

/** A computed set: the root it gives, the nodes (hash, RLP) to store, and its counts. */
export interface TrieUpdate {
  readonly root: Uint8Array;
  readonly nodes: readonly (readonly [Uint8Array, Uint8Array])[];
  readonly reads: number;
  readonly writes: number;
}

/** A stored value reached as a trie node is not one (hostile or corrupt store contents). */
export class MalformedNode extends Error {}

const enum Kind { LEAF = 0, EXT = 1, BRANCH = 2, HASH = 3 }

/**
 * A decoded node (one shape for all kinds: monomorphic). Immutable once it is shared (decoded
 * from the store, cached, or applied); an update builds new ones (copy on write).
 */
class MptNode {
  /** Leaf and extension: the path, one nibble per byte. */
  path: Uint8Array = NO_NIBBLES;
  /** Leaf: the value; branch: the value slot (null when empty). */
  value: Uint8Array | null = null;
  /** Extension: the child. */
  child: MptNode | null = null;
  /** Branch: the 16 children. */
  slots: (MptNode | null)[] | null = null;
  /** The node's RLP once known (decoded, or sealed by an update); null while being built. */
  enc: Uint8Array | null = null;
  /** keccak256(enc) when the node is referenced by hash (or is a root); HASH: the reference. */
  hash: Uint8Array | null = null;
  /** HASH: hashKey(hash), computed on first use. */
  key: string | null = null;

  constructor(readonly kind: Kind) {}
}

const NO_NIBBLES = new Uint8Array(0);

function leaf(path: Uint8Array, value: Uint8Array): MptNode {
  const n = new MptNode(Kind.LEAF);
  n.path = path; n.value = value;
  return n;
}

function ext(path: Uint8Array, child: MptNode): MptNode {
  const n = new MptNode(Kind.EXT);
  n.path = path; n.child = child;
  return n;
}

function branch(slots: (MptNode | null)[], value: Uint8Array | null): MptNode {
  const n = new MptNode(Kind.BRANCH);
  n.slots = slots; n.value = value;
  return n;
}

const emptySlots = (): (MptNode | null)[] => [null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null];

function stub(hash: Uint8Array): MptNode {
  const n = new MptNode(Kind.HASH);
  n.hash = hash;
  return n;
}

/** One nibble per byte, high nibble first. */
function nibbles(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length * 2);
  for (let i = 0; i < key.length; i++) { out[2 * i] = key[i]! >> 4; out[2 * i + 1] = key[i]! & 15; }
  return out;
}

/** `a` then `b` (then nothing): a fresh nibble path. */
function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0); out.set(b, a.length);
  return out;
}

/** The nibble `j` then `b`. */
function prepend(j: number, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length + 1);
  out[0] = j; out.set(b, 1);
  return out;
}

/** Length of the common prefix of `p` and `k` from `pos`. */
function common(p: Uint8Array, k: Uint8Array, pos: number): number {
  const n = Math.min(p.length, k.length - pos);
  let i = 0;
  while (i < n && p[i] === k[pos + i]) i++;
  return i;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
  return s;
}

// ---- RLP of nodes -------------------------------------------------------------------------

/** Encoded length of a child reference: empty 0x80, a hash 0xa0+32 bytes, or the embedded RLP. */
function refLength(c: MptNode | null): number {
  if (c === null) return 1;
  if (c.kind === Kind.HASH) return 33;
  const e = c.enc!;
  return e.length >= 32 ? 33 : e.length;
}

function writeRef(out: Uint8Array, pos: number, c: MptNode | null): number {
  if (c === null) { out[pos] = 0x80; return pos + 1; }
  if (c.kind === Kind.HASH || c.enc!.length >= 32) { out[pos] = 0xa0; out.set(c.hash!, pos + 1); return pos + 33; }
  out.set(c.enc!, pos);
  return pos + c.enc!.length;
}

const strLength = (b: Uint8Array): number => (b.length === 1 && b[0]! < 0x80 ? 1 : headerLength(b.length) + b.length);

function writeStr(out: Uint8Array, pos: number, b: Uint8Array): number {
  if (b.length === 1 && b[0]! < 0x80) { out[pos] = b[0]!; return pos + 1; }
  pos = writeHeader(out, pos, b.length, false);
  out.set(b, pos);
  return pos + b.length;
}

/** The RLP of `n`, whose children are sealed (their `enc`, and `hash` when ≥ 32 bytes, known). */
function encodeNode(n: MptNode): Uint8Array {
  if (n.kind === Kind.BRANCH) {
    const s = n.slots!;
    let len = n.value === null ? 1 : strLength(n.value);
    for (let i = 0; i < 16; i++) len += refLength(s[i]!);
    const out = new Uint8Array(headerLength(len) + len);
    let pos = writeHeader(out, 0, len, true);
    for (let i = 0; i < 16; i++) pos = writeRef(out, pos, s[i]!);
    if (n.value === null) out[pos] = 0x80; else writeStr(out, pos, n.value);
    return out;
  }
  // Hex-prefix (appendix C): flag nibble 2·leaf + odd, then the odd first nibble or a 0 pad.
  const p = n.path, odd = p.length & 1, hpLen = (p.length >> 1) + 1;
  const first = (((n.kind === Kind.LEAF ? 2 : 0) + odd) << 4) | (odd ? p[0]! : 0);
  const hpRlp = hpLen === 1 ? 1 : headerLength(hpLen) + hpLen; // a 1-byte hex prefix is < 0x40
  const len = hpRlp + (n.kind === Kind.LEAF ? strLength(n.value!) : refLength(n.child));
  const out = new Uint8Array(headerLength(len) + len);
  let pos = writeHeader(out, 0, len, true);
  if (hpLen > 1) pos = writeHeader(out, pos, hpLen, false);
  out[pos++] = first;
  for (let j = odd; j < p.length; j += 2) out[pos++] = (p[j]! << 4) | p[j + 1]!;
  if (n.kind === Kind.LEAF) writeStr(out, pos, n.value!); else writeRef(out, pos, n.child);
  return out;
}

const H: RlpHeader = { list: false, doff: 0, dlen: 0, end: 0 };
/** End of the item decodeRef last read (a second return value without allocation). */
let refEnd = 0;

/** Thrown inside the decoder; decodeStored names the node. */
class Bad extends Error {}
const BAD = new Bad();

/** The node whose RLP list is exactly buf[start, end). */
function decodeNode(buf: Uint8Array, start: number, end: number): MptNode {
  if (header(buf, start, end, H) === null || !H.list || H.end !== end) throw BAD;
  // Item 0: a hex-prefixed path (2 items) or the first child reference (17).
  const p0 = H.doff;
  if (header(buf, p0, end, H) === null) throw BAD;
  const e0 = H.end;
  if (!H.list) {
    const d0 = H.doff, l0 = H.dlen;
    if (e0 < end && header(buf, e0, end, H) !== null && H.end === end) return decodeShort(buf, d0, l0, e0, end);
  }
  const slots = emptySlots();
  let pos = p0, entries = 0;
  for (let i = 0; i < 16; i++) {
    const c = decodeRef(buf, pos, end);
    slots[i] = c;
    if (c !== null) entries++;
    pos = refEnd;
  }
  if (header(buf, pos, end, H) === null || H.list || H.end !== end) throw BAD;
  const value = H.dlen === 0 ? null : buf.subarray(H.doff, H.end);
  if (value !== null) entries++;
  if (entries < 2) throw BAD;
  return branch(slots, value);
}

/** A leaf or extension: the hex prefix at buf[d0, d0+l0), the second item at [e0, end). */
function decodeShort(buf: Uint8Array, d0: number, l0: number, e0: number, end: number): MptNode {
  if (l0 === 0) throw BAD;
  const flag = buf[d0]! >> 4, odd = flag & 1;
  if (flag > 3 || (!odd && (buf[d0]! & 15) !== 0)) throw BAD;
  const path = new Uint8Array(2 * (l0 - 1) + odd);
  let j = 0;
  if (odd) path[j++] = buf[d0]! & 15;
  for (let i = d0 + 1; i < d0 + l0; i++) { path[j++] = buf[i]! >> 4; path[j++] = buf[i]! & 15; }
  if (flag >= 2) {
    if (header(buf, e0, end, H) === null || H.list || H.dlen === 0) throw BAD;
    return leaf(path, buf.subarray(H.doff, H.end));
  }
  if (path.length === 0) throw BAD;
  const c = decodeRef(buf, e0, end);
  if (c === null) throw BAD;
  return ext(path, c);
}

/** A child reference at `pos`: null (empty), a HASH stub, or an embedded node; sets refEnd. */
function decodeRef(buf: Uint8Array, pos: number, limit: number): MptNode | null {
  if (header(buf, pos, limit, H) === null) throw BAD;
  const end = H.end;
  if (H.list) {
    if (end - pos >= 32) throw BAD; // a node of 32 bytes or more is referenced by hash
    const n = decodeNode(buf, pos, end);
    n.enc = buf.subarray(pos, end);
    refEnd = end;
    return n;
  }
  refEnd = end;
  if (H.dlen === 0) return null;
  if (H.dlen !== 32) throw BAD;
  return stub(buf.subarray(H.doff, end));
}

function decodeStored(buf: Uint8Array, hash: Uint8Array): MptNode {
  let n: MptNode;
  try {
    n = decodeNode(buf, 0, buf.length);
  } catch (e) {
    if (e === BAD) throw new MalformedNode(`node 0x${hex(hash)} is not a trie node`);
    throw e;
  }
  n.enc = buf; n.hash = hash;
  return n;
}

// ---- the decoded-node cache -----------------------------------------------------------------

/**
 * Decoded nodes by hash, one cache per store object (a node held by one store says nothing
 * about another). Bounded: emptied when it reaches CACHE_NODES. It assumes the store never
 * loses a value it once held (content-addressed stores only add); a store that does (a staging
 * area thrown away) must call `forgetNodes` with it.
 */
const CACHE_NODES = 1 << 16;
const caches = new WeakMap<NodeStore, Map<string, MptNode>>();

function cacheOf(store: NodeStore): Map<string, MptNode> {
  let c = caches.get(store);
  if (c === undefined) { c = new Map(); caches.set(store, c); }
  return c;
}

/** Drop the decoded nodes cached for `store` (after it lost values). */
export function forgetNodes(store: NodeStore): void {
  caches.delete(store);
}

/** What prepare builds: the public update plus what apply keeps in the cache. */
class PreparedUpdate implements TrieUpdate {
  root: Uint8Array = EMPTY_ROOT;
  nodes: [Uint8Array, Uint8Array][] = [];
  reads = 0;
  writes = 0;
  /** The new root node (null: empty trie). */
  top: MptNode | null = null;
  /** The hashed nodes created, in `nodes` order. */
  made: MptNode[] = [];
}

/**
 * A Merkle-Patricia trie over a NodeStore. `root` is the whole state: setting it (SETROOT,
 * REVERT) gives the contents under that root, as long as the store holds its nodes.
 *
 * As the hard drive's heap it is a plain trie whose top is `first()`: the smallest key in
 * bytewise lexicographic order, a key that is a prefix of another coming first (a branch's
 * value slot precedes its 16 children, children in nibble order). The heap is history
 * independent because the trie is: its shape, hence its root, is a function of its contents
 * alone (no empty subtrees, branches of 2 or more entries, no extension before an extension or
 * leaf), whatever the order of the sets and deletes that led there — two programs that hold the
 * same keys hold the same root. `first` is O(depth): every branch on the way down has an entry,
 * so it follows the value slot or the lowest child at each level and never backtracks.
 */
export class Trie {
  readonly secure: boolean;
  private readonly store: NodeStore;
  private readonly cache: Map<string, MptNode>;
  private rootHash: Uint8Array;
  /** The node of rootHash once entered (or applied); null until then or when empty. */
  private rootNode: MptNode | null = null;
  private empty: boolean;
  /** The counts of the operation running. */
  private tally: TrieCost = { reads: 0, writes: 0 };
  private readonly scratch: TrieCost = { reads: 0, writes: 0 };

  /** A trie at `root` (default: empty); `secure`: keys are keccak-256 hashed before use. */
  constructor(store: NodeStore, root: Uint8Array = EMPTY_ROOT, secure = false) {
    this.store = store;
    this.cache = cacheOf(store);
    this.secure = secure;
    this.rootHash = EMPTY_ROOT;
    this.empty = true;
    this.root = root;
  }

  /** The root hash (32 bytes; do not modify). */
  get root(): Uint8Array {
    return this.rootHash;
  }

  set root(r: Uint8Array) {
    if (r.length !== 32) throw new RangeError(`a trie root is 32 bytes, not ${r.length}`);
    this.rootHash = r.slice();
    this.rootNode = null;
    this.empty = equal(r, EMPTY_ROOT);
  }

  /** The value of `key`, or null when absent (do not modify it); adds the nodes read to `cost`. */
  get(key: Uint8Array, cost?: TrieCost): Uint8Array | null {
    this.tally = cost ?? this.scratch;
    const k = nibbles(this.secure ? keccak_256(key) : key);
    let n = this.enterRoot(), pos = 0;
    while (n !== null) {
      if (n.kind === Kind.LEAF) return n.path.length === k.length - pos && common(n.path, k, pos) === n.path.length ? n.value : null;
      if (n.kind === Kind.EXT) {
        const p = n.path;
        if (common(p, k, pos) !== p.length) return null;
        pos += p.length;
        n = this.enter(n.child);
      } else {
        if (pos === k.length) return n.value;
        n = this.enter(n.slots![k[pos++]!]!);
      }
    }
    return null;
  }

  /**
   * The set of `key` to `value` (an empty value deletes it), computed: nothing is stored and
   * the root is unchanged until `apply`. `value` is copied.
   */
  prepare(key: Uint8Array, value: Uint8Array): TrieUpdate {
    const u = new PreparedUpdate();
    this.tally = u;
    const k = nibbles(this.secure ? keccak_256(key) : key);
    const old = this.rootRef();
    const top = value.length === 0 ? this.del(old, k, 0) : this.ins(old, k, 0, value.slice());
    if (top === old) { u.root = this.rootHash; u.top = this.rootNode; return u; }
    if (top === null) return u;
    u.top = this.seal(top, true, u);
    u.root = u.top.hash!;
    return u;
  }

  /** Store `u`'s nodes and take its root. */
  apply(u: TrieUpdate): void {
    for (let i = 0; i < u.nodes.length; i++) this.store.put(u.nodes[i]![0], u.nodes[i]![1]);
    this.root = u.root;
    if (u instanceof PreparedUpdate) {
      this.rootNode = u.top;
      const made = u.made;
      if (this.cache.size + made.length > CACHE_NODES) this.cache.clear();
      for (let i = 0; i < made.length; i++) this.cache.set(hashKey(made[i]!.hash!), made[i]!);
    }
  }

  /** `apply(prepare(key, value))`. */
  set(key: Uint8Array, value: Uint8Array): void {
    this.apply(this.prepare(key, value));
  }

  /**
   * The smallest key (see the class comment for the order) and its value, or null when the
   * trie is empty; adds the nodes read to `cost`. On a secure trie the key is the hashed one.
   */
  first(cost?: TrieCost): { key: Uint8Array; value: Uint8Array } | null {
    this.tally = cost ?? this.scratch;
    let n = this.enterRoot();
    if (n === null) return null;
    let path = new Uint8Array(64), len = 0;
    for (;;) {
      let add: Uint8Array | null = null, nib = -1;
      if (n.kind === Kind.BRANCH) {
        if (n.value === null) {
          nib = 0;
          while (nib < 16 && n.slots![nib] === null) nib++; // a decoded or built branch has ≥ 2 entries
          if (nib === 16) throw new MalformedNode(`trie 0x${hex(this.rootHash)} has an empty branch`);
        }
      } else add = n.path;
      const need = len + (add === null ? 1 : add.length);
      if (need > path.length) { const p = new Uint8Array(Math.max(need, 2 * path.length)); p.set(path.subarray(0, len)); path = p; }
      if (add !== null) { path.set(add, len); len += add.length; } else if (nib >= 0) path[len++] = nib;
      if (n.kind === Kind.LEAF || (n.kind === Kind.BRANCH && n.value !== null)) {
        if (len & 1) throw new MalformedNode(`trie 0x${hex(this.rootHash)} holds a key of an odd number of nibbles`);
        const key = new Uint8Array(len >> 1);
        for (let i = 0; i < key.length; i++) key[i] = (path[2 * i]! << 4) | path[2 * i + 1]!;
        return { key, value: n.value! };
      }
      n = this.enter(n.kind === Kind.EXT ? n.child : n.slots![nib]!);
      if (n === null) throw new MalformedNode(`trie 0x${hex(this.rootHash)} has an empty child`);
    }
  }

  // ---- internals ----------------------------------------------------------------------------

  /** The root node, counted as a read; null for the empty trie. */
  private enterRoot(): MptNode | null {
    const r = this.rootRef();
    if (r !== null) this.tally.reads++;
    return r;
  }

  /** The root node, not counted (ins/del enter it): its identity says "unchanged". */
  private rootRef(): MptNode | null {
    if (this.empty) return null;
    if (this.rootNode === null) this.rootNode = this.load(this.rootHash);
    return this.rootNode;
  }

  /**
   * A child, resolved and counted: a HASH stub is loaded; a node held in memory counts when it
   * is referenced by hash (32 bytes or more) or is the root (roots are always hashed).
   */
  private enter(ref: MptNode | null): MptNode | null {
    if (ref === null) return null;
    if (ref.kind === Kind.HASH) { this.tally.reads++; return this.load(ref.hash!, ref); }
    const e = ref.enc; // null: built by this update (never entered in practice)
    if ((e !== null && e.length >= 32) || ref === this.rootNode) this.tally.reads++;
    return ref;
  }

  /** The node under `hash`, from the cache or the store (not counted). */
  private load(hash: Uint8Array, ref?: MptNode): MptNode {
    let key: string;
    if (ref !== undefined) key = ref.key ?? (ref.key = hashKey(hash));
    else key = hashKey(hash);
    let n = this.cache.get(key);
    if (n === undefined) {
      const v = this.store.get(hash);
      if (v === undefined) throw new DataUnavailable(`node 0x${hex(hash)} not held`);
      n = decodeStored(v, hash);
      if (this.cache.size >= CACHE_NODES) this.cache.clear();
      this.cache.set(key, n);
    }
    return n;
  }

  /** `ref`'s subtree with `k[pos..]` set to `v` (non-empty); `ref` itself when unchanged. */
  private ins(ref: MptNode | null, k: Uint8Array, pos: number, v: Uint8Array): MptNode {
    if (ref === null) return leaf(k.subarray(pos), v);
    const n = this.enter(ref)!;
    if (n.kind === Kind.BRANCH) {
      const s = n.slots!;
      if (pos === k.length) {
        if (n.value !== null && equal(n.value, v)) return ref;
        return branch(s.slice(), v);
      }
      const i = k[pos]!, old = s[i]!, c = this.ins(old, k, pos + 1, v);
      if (c === old) return ref;
      const t = s.slice(); t[i] = c;
      return branch(t, n.value);
    }
    const p = n.path, c = common(p, k, pos), rest = pos + c;
    if (c === p.length) {
      if (n.kind === Kind.EXT) {
        const ch = this.ins(n.child, k, rest, v);
        return ch === n.child ? ref : ext(p, ch);
      }
      if (rest === k.length) return equal(n.value!, v) ? ref : leaf(p, v);
    }
    // The paths part at nibble c: a branch there holding both.
    const s = emptySlots();
    let bv: Uint8Array | null = null;
    if (n.kind === Kind.LEAF) {
      if (c === p.length) bv = n.value; else s[p[c]!] = leaf(p.subarray(c + 1), n.value!);
    } else s[p[c]!] = c + 1 === p.length ? n.child : ext(p.subarray(c + 1), n.child!);
    if (rest === k.length) bv = v; else s[k[rest]!] = leaf(k.subarray(rest + 1), v);
    const b = branch(s, bv);
    return c === 0 ? b : ext(p.subarray(0, c), b);
  }

  /** `ref`'s subtree without `k[pos..]`: null when nothing is left, `ref` itself when unchanged. */
  private del(ref: MptNode | null, k: Uint8Array, pos: number): MptNode | null {
    if (ref === null) return null;
    const n = this.enter(ref)!;
    if (n.kind === Kind.LEAF) return n.path.length === k.length - pos && common(n.path, k, pos) === n.path.length ? null : ref;
    if (n.kind === Kind.EXT) {
      const p = n.path;
      if (common(p, k, pos) !== p.length) return ref;
      const c = this.del(n.child, k, pos + p.length);
      if (c === n.child) return ref;
      if (c === null) return null;
      // c is new (never a stub): merge paths so that no extension precedes an extension or leaf.
      if (c.kind === Kind.LEAF) return leaf(join(p, c.path), c.value!);
      if (c.kind === Kind.EXT) return ext(join(p, c.path), c.child!);
      return ext(p, c);
    }
    const s = n.slots!;
    let t: (MptNode | null)[], bv = n.value;
    if (pos === k.length) {
      if (bv === null) return ref;
      t = s; bv = null;
    } else {
      const i = k[pos]!, old = s[i]!, c = this.del(old, k, pos + 1);
      if (c === old) return ref;
      t = s.slice(); t[i] = c;
    }
    // A branch left with one entry becomes a leaf or joins its only child.
    let count = bv === null ? 0 : 1, j = -1;
    for (let i = 0; i < 16; i++) if (t[i] !== null) { count++; j = i; }
    if (count >= 2) return branch(t === s ? s.slice() : t, bv);
    if (count === 0) return null;
    if (j < 0) return leaf(NO_NIBBLES, bv!);
    const only = t[j]!, o = this.enter(only)!;
    if (o.kind === Kind.LEAF) return leaf(prepend(j, o.path), o.value!);
    if (o.kind === Kind.EXT) return ext(prepend(j, o.path), o.child!);
    return ext(Uint8Array.of(j), only);
  }

  /**
   * Encode the new nodes of `n`'s subtree bottom-up, hashing those of 32 bytes or more (and the
   * root) into `u`. Returns the sealed node (a copy when an existing embedded node becomes root).
   */
  private seal(n: MptNode, root: boolean, u: PreparedUpdate): MptNode {
    if (n.kind === Kind.HASH) return n;
    if (n.enc !== null) {
      if (!root || n.hash !== null) return n;
      const r = new MptNode(n.kind); // an embedded node becoming the root: hash a copy
      r.path = n.path; r.value = n.value; r.child = n.child; r.slots = n.slots; r.enc = n.enc;
      n = r;
    } else if (n.kind === Kind.EXT) {
      this.seal(n.child!, false, u);
    } else if (n.kind === Kind.BRANCH) {
      const s = n.slots!;
      for (let i = 0; i < 16; i++) if (s[i] !== null) this.seal(s[i]!, false, u);
    }
    const enc = n.enc ?? encodeNode(n);
    n.enc = enc;
    if (enc.length >= 32 || root) {
      n.hash = keccak_256(enc);
      u.nodes.push([n.hash, enc]);
      u.made.push(n);
      u.writes++;
    }
    return n;
  }
}
