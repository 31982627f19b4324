// MMU: bounds and permission checks of the running frame (docs/memory-map.md). Every data
// access is checked whole before the LSU starts a bus transaction; every fetch must fall in
// code ROM. A failed check is an exception, never a partial access.
//
// It is also the devices' DMA port: a device reads and writes the running frame's memory with
// the same region check as a load or store, so a device is never a way for a child frame to
// reach its parent's memory.

import { DMA_FAULT, DMA_OK, type DmaPort } from '../peripherals/device.js';
import { UNMAPPED, type AddressDecoder } from '../peripherals/decoder.js';
import { Perm, type AddressSpace, type Region } from './memory.js';

const EMPTY = new Uint8Array(0);

export class Mmu implements DmaPort {
  private last: Region | null = null;

  declare mem: AddressSpace;
  declare readonly decoder: AddressDecoder;

  constructor(mem: AddressSpace, decoder: AddressDecoder) {
    this.mem = mem;
    this.decoder = decoder;
  }

  /** Forget the cached region (after the address space changed). */
  reset(): void {
    this.last = null;
  }

  /** True when [addr, addr+len) lies in one region granting all of `perm`, or in one device. */
  check(addr: number, len: number, perm: number): boolean {
    const r = this.last;
    if (r !== null && addr >= r.base && addr + len <= r.end && (r.perm & perm) === perm) return true;
    const f = this.mem.find(addr, len, perm);
    // Devices are mapped in every frame; whether the frame may use one is the bus's business.
    if (f === null) return this.decoder.device(addr, len) !== UNMAPPED;
    this.last = f;
    return true;
  }

  /** The code region holding `pc`, or null (fetch fault). */
  codeRegion(pc: number): Region | null {
    const r = this.mem.find(pc, 4, Perm.X);
    return r !== null && r.code !== null ? r : null;
  }

  /** DMA read: the LSU's check for a load of the whole range, devices excluded. */
  dmaRead(addr: number, dst: Uint8Array): number {
    const a = addr >>> 0, n = dst.length;
    if (n === 0) return DMA_OK;
    const r = this.mem.find(a, n, Perm.R);
    if (r === null) return DMA_FAULT;
    dst.set(r.u8.subarray(a - r.base, a - r.base + n));
    return DMA_OK;
  }

  /** DMA view: the LSU's check for a load of the whole range, devices excluded; no copy. */
  dmaView(addr: number, len: number): Uint8Array | null {
    const a = addr >>> 0;
    if (len === 0) return EMPTY;
    const r = this.mem.find(a, len, Perm.R);
    return r === null ? null : r.u8.subarray(a - r.base, a - r.base + len);
  }

  /** Would a DMA of `len` bytes at `addr` be done? */
  dmaCheck(addr: number, len: number, write: boolean): boolean {
    return len === 0 || this.mem.find(addr >>> 0, len, write ? Perm.W : Perm.R) !== null;
  }

  /** DMA write: the LSU's check for a store of the whole range, devices excluded. */
  dmaWrite(addr: number, src: Uint8Array): number {
    const a = addr >>> 0, n = src.length;
    if (n === 0) return DMA_OK;
    const r = this.mem.find(a, n, Perm.W);
    if (r === null) return DMA_FAULT;
    r.u8.set(src, a - r.base);
    return DMA_OK;
  }
}
