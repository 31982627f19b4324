// MMU: bounds and permission checks of the running frame (docs/memory-map.md). Every data
// access is checked whole before the LSU starts a bus transaction; every fetch must fall in
// code ROM. A failed check is an exception, never a partial access.

import { Perm, type AddressSpace, type Region } from './memory.js';

export class Mmu {
  private last: Region | null = null;

  constructor(public mem: AddressSpace) {}

  /** Forget the cached region (after the address space changed). */
  reset(): void {
    this.last = null;
  }

  /** True when [addr, addr+len) lies in one region granting all of `perm`. */
  check(addr: number, len: number, perm: number): boolean {
    const r = this.last;
    if (r !== null && addr >= r.base && addr + len <= r.end && (r.perm & perm) === perm) return true;
    const f = this.mem.find(addr, len, perm);
    if (f === null) return false;
    this.last = f;
    return true;
  }

  /** The code region holding `pc`, or null (fetch fault). */
  codeRegion(pc: number): Region | null {
    const r = this.mem.find(pc, 4, Perm.X);
    return r !== null && r.code !== null ? r : null;
  }
}
