// A frame's address space: the regions the MMU maps (code ROM, input ROM, RAM), each a typed
// array with its permissions. Addresses outside every region are unmapped: an access there is a
// fault (docs/memory-map.md). Both models share this store; the cycle model reaches it through
// the bus and MMU units, the ISS directly.

import { Predecoded } from '../isa/decode.js';

/** Access permissions of a region (ELF p_flags order). */
export const enum Perm { X = 1, W = 2, R = 4 }

export type RegionKind = 'code' | 'rom' | 'input' | 'ram' | 'stack';

export class Region {
  readonly end: number;
  readonly u8: Uint8Array;
  readonly dv: DataView;
  /** Predecoded instructions, for executable regions only. */
  readonly code: Predecoded | null;

  constructor(
    readonly name: string,
    readonly kind: RegionKind,
    readonly base: number,
    readonly size: number,
    readonly perm: number,
    init?: Uint8Array,
  ) {
    if (perm & Perm.X && (base % 4 !== 0 || size % 4 !== 0)) throw new LayoutError(`code region ${name} at 0x${base.toString(16)} is not word aligned`);
    this.end = base + size;
    this.u8 = new Uint8Array(size);
    if (init) this.u8.set(init.subarray(0, size));
    this.dv = new DataView(this.u8.buffer, this.u8.byteOffset, this.u8.byteLength);
    this.code = perm & Perm.X ? new Predecoded(this.u8) : null;
  }
}

/** Thrown for bad region layouts a user's input can cause (an ELF whose segments overlap, say). */
export class LayoutError extends Error {}

export class AddressSpace {
  readonly regions: Region[] = [];

  add(r: Region): Region {
    if (r.size <= 0 || r.end > 0x1_0000_0000) throw new LayoutError(`region ${r.name} [0x${r.base.toString(16)}, +0x${r.size.toString(16)}) is empty or past 4 GiB`);
    for (const o of this.regions) {
      if (r.base < o.end && o.base < r.end) {
        throw new LayoutError(`region ${r.name} at 0x${r.base.toString(16)} overlaps ${o.name} at 0x${o.base.toString(16)}`);
      }
    }
    this.regions.push(r);
    this.regions.sort((a, b) => a.base - b.base);
    return r;
  }

  /** The region holding [addr, addr+len) with all of `perm`, or null. `addr` is unsigned. */
  find(addr: number, len: number, perm: number): Region | null {
    const rs = this.regions;
    for (let i = 0; i < rs.length; i++) {
      const r = rs[i]!;
      if (addr >= r.base && addr + len <= r.end) return (r.perm & perm) === perm ? r : null;
    }
    return null;
  }

  /** Debugger/loader access: read bytes regardless of permissions; null if any byte is unmapped. */
  peek(addr: number, len: number): Uint8Array | null {
    const r = this.find(addr >>> 0, len, 0);
    return r ? r.u8.slice(addr - r.base, addr - r.base + len) : null;
  }

  readWord(addr: number): number | null {
    const r = this.find(addr >>> 0, 4, 0);
    return r ? r.dv.getInt32((addr >>> 0) - r.base, true) : null;
  }
}
