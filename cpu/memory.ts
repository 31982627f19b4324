// A frame's address space: the regions the MMU maps (code ROM, input ROM, RAM), each a typed
// array with its permissions. Addresses outside every region are unmapped: an access there is a
// fault (docs/memory-map.md). Both models share this store; the cycle model reaches it through
// the bus and MMU units, the ISS directly.

import { Predecoded } from '../isa/decode.js';
import { ElfError } from '../isa/elf.js';

/** Access permissions of a region (ELF p_flags order). */
export const enum Perm { X = 1, W = 2, R = 4 }

export type RegionKind = 'code' | 'rom' | 'input' | 'ram' | 'stack';

/**
 * The request ROM of an interrupt handler (docs/architecture.md, INTERRUPT) is mapped at
 * REQUEST_BASE; requests are at most REQUEST_WINDOW bytes. The window is reserved in every frame:
 * no ELF segment or stack may reach into it (docs/memory-map.md).
 */
export const REQUEST_BASE = 0x3000_0000;
export const REQUEST_WINDOW = 16 << 20;

// Host memory a region costs, for the memory budget (docs/architecture.md, Limits): its bytes,
// and for code its predecoded words (ctl, imm, word: 12 bytes a word) and the ISS's block- and
// region-cache state (state, length, function slot; heat, region slot: 20 bytes a word). The
// same figures on both models, so a budget decision never depends on the model.
export const PREDECODE_BYTES_PER_WORD = 12;
export const BLOCK_CACHE_BYTES_PER_WORD = 20;
/** The default memory budget of all live frames: 4 GiB of simulated and predecoded memory. */
export const DEFAULT_MEM_LIMIT = 4 * 2 ** 30;

/** Host bytes of a fresh region of `size` bytes (permissions `perm`). */
export function regionHostBytes(size: number, perm: number): number {
  return perm & Perm.X ? size + (size / 4) * (PREDECODE_BYTES_PER_WORD + BLOCK_CACHE_BYTES_PER_WORD) : size;
}

/**
 * Host bytes a region of `size` bytes at `base` allocates, fresh or sharing another's bytes:
 * a shared region allocates no bytes; its code shares the predecoding too when word aligned in
 * an executable region, and its block-cache state when it is that whole region at the same base.
 */
export function hostBytesOf(size: number, perm: number, base: number, share?: RegionShare): number {
  if (share === undefined) return regionHostBytes(size, perm);
  if (!(perm & Perm.X)) return 0;
  const { of, at } = share;
  const words = size / 4;
  if (of.code !== null && at === 0 && size === of.size && base === of.base) return 0;
  if (of.code !== null && at % 4 === 0) return words * BLOCK_CACHE_BYTES_PER_WORD;
  return words * (PREDECODE_BYTES_PER_WORD + BLOCK_CACHE_BYTES_PER_WORD);
}

/**
 * A region backed by another's bytes, `at` bytes into `of`. Whoever makes one guarantees that
 * nothing writes those bytes while the region lives: `of` is read-only, or belongs to a frame that
 * is suspended and reachable by no running frame (an interrupter's request).
 */
export interface RegionShare {
  of: Region;
  at: number;
}

export class Region {
  readonly end: number;
  readonly u8: Uint8Array;
  readonly dv: DataView;
  /** Predecoded instructions, for executable regions only. */
  readonly code: Predecoded | null;
  /** Host memory this region allocated (docs/architecture.md, Limits). */
  readonly hostBytes: number;

  constructor(
    readonly name: string,
    readonly kind: RegionKind,
    readonly base: number,
    readonly size: number,
    readonly perm: number,
    init?: Uint8Array,
    share?: RegionShare,
  ) {
    if (perm & Perm.X && (base % 4 !== 0 || size % 4 !== 0)) throw new LayoutError(`code region ${name} at 0x${base.toString(16)} is not word aligned`);
    this.end = base + size;
    this.hostBytes = hostBytesOf(size, perm, base, share);
    if (share !== undefined) {
      // Bytes nobody can change while this region lives: view them (docs/architecture.md, Limits).
      const { of, at } = share;
      if (at < 0 || at + size > of.size) throw new Error(`region ${name}: cannot share ${of.name} at +${at}`);
      this.u8 = of.u8.subarray(at, at + size);
      this.code = !(perm & Perm.X) ? null
        : of.code !== null && at === 0 && size === of.size && base === of.base ? of.code
        : of.code !== null && at % 4 === 0 ? new Predecoded(this.u8, { of: of.code, at: at >>> 2 })
        : new Predecoded(this.u8);
    } else {
      this.u8 = new Uint8Array(size);
      if (init) this.u8.set(init.subarray(0, size));
      this.code = perm & Perm.X ? new Predecoded(this.u8) : null;
    }
    this.dv = new DataView(this.u8.buffer, this.u8.byteOffset, this.u8.byteLength);
  }
}

/** A program or frame that would take the live frames past the memory budget (a user's input can cause it). */
export class MemoryLimitError extends ElfError {}

const mib = (b: number): string => `${(b / 2 ** 20).toFixed(b % 2 ** 20 === 0 ? 0 : 1)} MiB`;

/** Reject up front a root frame of `need` host bytes over a budget of `limit` (one line for the CLI). */
export function checkRootBudget(need: number, limit: number): void {
  if (need > limit) throw new MemoryLimitError(`program needs ${mib(need)} of host memory (segments, stack, predecoded code), over the memory budget of ${mib(limit)}`);
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
