// Snapshots of the cycle model: everything that decides its future, so that `restore` and
// running on gives exactly the cycles and results of never having stopped.
//
// That state is
//  - the signal array `v`: every register — pipeline registers, register file, fetch pc, bus
//    wait counters, LSU/MDU/gas registers — and the combinational values of the last cycle;
//  - the fields units keep outside it: next-state (D) values that persist when a unit is not
//    evaluated (gas `usedD`), bus random-stall state (`extra`, `rng`), the core's `cycles`,
//    `retired`, `stop`, `restartPc`, `memChargedD`, cause/tval, decoder and region caches;
//  - the contents of every writable memory region of every address space in use;
//  - the devices (`core.devices`): their fields and pending clock events are reached by the
//    walk, their registers are signal slots in `v`, and what a device keeps elsewhere (a store
//    on disk, say) it hands over through its own `save()` / `load()`.
//
// Rather than list the fields of each unit (and miss the one added next week), a snapshot
// walks the object graph from the core — and from any extra roots, such as the
// call-management unit's frames and the host — and records every own field of every object it
// reaches: plain values and references as they are, typed arrays and arrays as copies that are
// written back in place. The walk does not enter address spaces and regions (memory is copied
// page by page instead), the signal registry (its `v` is reached through `core.v`), functions,
// or `core.tracer` (an observer, not state). So unit state must live in ordinary fields, not in
// `#private` ones or closures.
//
// Copies of typed arrays and memory pages that did not change since the previous snapshot are
// shared with it, so a ring of snapshots costs little more than the pages a program writes.

import type { Core } from '../cpu/core.js';
import type { Device } from '../peripherals/device.js';
import { AddressSpace, Perm, Region } from '../cpu/memory.js';
import { Signals } from '../cpu/signals.js';

/** Memory is copied in pages of this many bytes; unchanged pages are shared between snapshots. */
export const PAGE_SIZE = 4096;

type Fields = Record<string, unknown>;
type Typed = Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

/** One own field of an object and the value it held. */
interface Field {
  readonly o: Fields;
  readonly k: string;
  readonly value: unknown;
}

/** The contents of a typed array or an array, written back in place on restore. */
interface Contents {
  readonly target: Typed | unknown[];
  readonly copy: Typed | unknown[];
}

export interface Snapshot {
  readonly core: Core;
  /** `core.cycles` when it was taken. */
  readonly cycles: number;
  readonly fields: readonly Field[];
  readonly contents: readonly Contents[];
  /** Writable regions and their pages. */
  readonly memory: ReadonlyMap<Region, readonly Uint8Array[]>;
  /** Typed array -> its copy (lets the next snapshot share unchanged copies). */
  readonly copies: ReadonlyMap<Typed, Typed>;
  /** What devices with state outside the walk's reach returned from `save()`. */
  readonly devices: readonly (readonly [Device, unknown])[];
}

const isTyped = (x: unknown): x is Typed => ArrayBuffer.isView(x) && !(x instanceof DataView);

function bytesOf(a: Typed): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Byte equality (Buffer.equals without Buffer: the debugger also runs in a browser's worker). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  // Word at a time where both views are aligned (pages and most typed arrays are).
  if ((a.byteOffset & 3) === 0 && (b.byteOffset & 3) === 0) {
    const w = n >>> 2;
    const aw = new Int32Array(a.buffer, a.byteOffset, w), bw = new Int32Array(b.buffer, b.byteOffset, w);
    let i = 0;
    for (; i + 8 <= w; i += 8) {
      if (((aw[i]! ^ bw[i]!) | (aw[i + 1]! ^ bw[i + 1]!) | (aw[i + 2]! ^ bw[i + 2]!) | (aw[i + 3]! ^ bw[i + 3]!)
        | (aw[i + 4]! ^ bw[i + 4]!) | (aw[i + 5]! ^ bw[i + 5]!) | (aw[i + 6]! ^ bw[i + 6]!) | (aw[i + 7]! ^ bw[i + 7]!)) !== 0) return false;
    }
    for (; i < w; i++) if (aw[i] !== bw[i]) return false;
    for (let i = w << 2; i < n; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Capture the core and `roots` (more objects whose state belongs with it: a CallManager, a
 * LinuxHost, a debugger's own bookkeeping). Pass the previous snapshot as `prev` to share its
 * unchanged copies.
 */
export function snapshot(core: Core, roots: readonly object[] = [], prev?: Snapshot): Snapshot {
  const fields: Field[] = [];
  const contents: Contents[] = [];
  const copies = new Map<Typed, Typed>();
  const spaces = new Set<AddressSpace>([core.mem]);
  const seen = new Set<object>();
  const walk = (x: unknown): void => {
    if (x === null || typeof x !== 'object' || seen.has(x)) return;
    if (isTyped(x)) {
      seen.add(x);
      const old = prev?.copies.get(x);
      const copy = old !== undefined && old.length === x.length && same(bytesOf(old), bytesOf(x)) ? old : x.slice();
      copies.set(x, copy);
      contents.push({ target: x, copy });
      return;
    }
    if (x instanceof AddressSpace) { spaces.add(x); return; }
    // Memory is copied by pages below; the registry's `v` is reached as `core.v`; Maps and Sets
    // are kept by reference (no unit keeps state in one).
    if (x instanceof Region || x instanceof Signals || x instanceof DataView || x instanceof Map || x instanceof Set) return;
    seen.add(x);
    if (Array.isArray(x)) {
      contents.push({ target: x, copy: x.slice() });
      for (const e of x) walk(e);
      return;
    }
    const o = x as Fields;
    for (const k of Object.keys(o)) {
      if (o === (core as unknown) && k === 'tracer') continue;
      const value = o[k];
      if (typeof value === 'function') continue;
      fields.push({ o, k, value });
      walk(value);
    }
  };
  walk(core);
  for (const r of roots) walk(r);
  const devices: [Device, unknown][] = [];
  for (const d of core.devices as readonly Device[]) if (d.save !== undefined) devices.push([d, d.save()]);

  const memory = new Map<Region, Uint8Array[]>();
  for (const space of spaces) {
    for (const r of space.regions) {
      if (!(r.perm & Perm.W) || memory.has(r)) continue;
      memory.set(r, copyPages(r, prev?.memory.get(r)));
    }
  }
  return { core, cycles: core.cycles, fields, contents, memory, copies, devices };
}

function copyPages(r: Region, old: readonly Uint8Array[] | undefined): Uint8Array[] {
  const pages: Uint8Array[] = [];
  for (let off = 0, i = 0; off < r.size; off += PAGE_SIZE, i++) {
    const cur = r.u8.subarray(off, Math.min(off + PAGE_SIZE, r.size));
    const o = old?.[i];
    pages.push(o !== undefined && o.length === cur.length && same(o, cur) ? o : cur.slice());
  }
  return pages;
}

/** Put the core (and the roots it was taken with) back exactly as they were at `snap`. */
export function restore(core: Core, snap: Snapshot): void {
  if (snap.core !== core) throw new Error('restore: the snapshot was taken of another core');
  for (const f of snap.fields) f.o[f.k] = f.value;
  for (const c of snap.contents) {
    if (isTyped(c.target)) c.target.set(c.copy as never);
    else {
      const a = c.target;
      a.length = 0;
      for (const e of c.copy as unknown[]) a.push(e);
    }
  }
  for (const [r, pages] of snap.memory) {
    for (let i = 0, off = 0; i < pages.length; i++, off += PAGE_SIZE) {
      const p = pages[i]!;
      const cur = r.u8.subarray(off, off + p.length);
      if (!same(cur, p)) cur.set(p);
    }
  }
  for (const [d, state] of snap.devices) d.load?.(state);
}
