// The hard drive's content-addressed store: keccak-256 hash → value (a preimage, a trie or heap
// node). Values are never changed in place, so a revert point is just a root hash. The device
// reads through `get` inside the cycle loop (synchronously: a LevelDB store serves it with
// getSync); writes are staged by the host and committed atomically at the end of a run
// (docs/peripherals.md, "Storage").

/** A content-addressed store. Keys are 32-byte keccak-256 hashes; values are what hashes to them. */
export interface NodeStore {
  /** The value under `hash`, or undefined when the store does not hold it. */
  get(hash: Uint8Array): Uint8Array | undefined;
  /** Hold `value` under `hash` (its keccak-256; the caller computed it). */
  put(hash: Uint8Array, value: Uint8Array): void;
}

/** The 32 bytes of a hash as a map key (one char per byte: cheap to build and compare). */
export function hashKey(hash: Uint8Array): string {
  let s = '';
  for (let i = 0; i < hash.length; i++) s += String.fromCharCode(hash[i]!);
  return s;
}

/** The hash behind a hashKey string (its inverse). */
export function keyBytes(k: string): Uint8Array {
  const b = new Uint8Array(k.length);
  for (let i = 0; i < k.length; i++) b[i] = k.charCodeAt(i);
  return b;
}

/** The in-memory store: the default, and the staging area in front of a LevelDB one. */
export class MemoryStore implements NodeStore {
  readonly map = new Map<string, Uint8Array>();

  get(hash: Uint8Array): Uint8Array | undefined {
    return this.map.get(hashKey(hash));
  }

  put(hash: Uint8Array, value: Uint8Array): void {
    this.map.set(hashKey(hash), value);
  }

  get size(): number {
    return this.map.size;
  }
}
