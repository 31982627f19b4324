// MMU: bounds and permission checks of the running frame (docs/memory-map.md). Every data
// access is checked whole before the LSU starts a bus transaction; every fetch must fall in
// code ROM. A failed check is an exception, never a partial access.

import type { BusSlave } from './bus.js';
import { Perm, type AddressSpace, type Region } from './memory.js';

export class Mmu {
  private last: Region | null = null;

  declare mem: AddressSpace;
  declare readonly devices: readonly BusSlave[];

  constructor(mem: AddressSpace, devices: readonly BusSlave[] = []) {
    this.mem = mem;
    this.devices = devices;
  }

  /** Forget the cached region (after the address space changed). */
  reset(): void {
    this.last = null;
  }

  /** True when [addr, addr+len) lies in one region granting all of `perm`. */
  check(addr: number, len: number, perm: number): boolean {
    const r = this.last;
    if (r !== null && addr >= r.base && addr + len <= r.end && (r.perm & perm) === perm) return true;
    const f = this.mem.find(addr, len, perm);
    if (f === null) return this.isDevice(addr, len);
    this.last = f;
    return true;
  }

  /** Devices are mapped in every frame; whether the frame may use one is the bus's business. */
  private isDevice(addr: number, len: number): boolean {
    const ds = this.devices;
    for (let i = 0; i < ds.length; i++) if (addr >= ds[i]!.base && addr + len <= ds[i]!.end) return true;
    return false;
  }

  /** The code region holding `pc`, or null (fetch fault). */
  codeRegion(pc: number): Region | null {
    const r = this.mem.find(pc, 4, Perm.X);
    return r !== null && r.code !== null ? r : null;
  }
}
