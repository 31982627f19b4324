// The address decoder (docs/bus.md): a dense table with one entry per 64 KiB block of the
// 4 GiB address space naming the slave of that block; unmapped space is a slave too (STYLE:
// "the bus is a table"; v86 and avr8js decode MMIO the same way). One decoder serves the bus's
// two ports, the MMU's device check and the ISS's device accesses (which is also where a
// translated block lands when it bails out on an address outside RAM), so every model finds
// the same slave at every address.
//
// Memory slaves are re-mapped at each frame switch (each frame has its own address space);
// devices are the same in every frame. Memory is attached first, so where a memory region and
// a device share a block the region's bounds are compared first, as the MMU checks regions
// before devices.

import type { BusSlave } from './device.js';

/** Unmapped space: reads 0, ignores writes, no wait states. The MMU faults accesses before they get here. */
export const UNMAPPED: BusSlave = { name: 'unmapped', base: 0, end: 0x1_0000_0000, waitStates: 0, read: () => 0, write: () => {} };

export const BLOCK_SHIFT = 16;
export const BLOCKS = 1 << (32 - BLOCK_SHIFT);
/** Table entry of a block holding more than one slave: resolved by comparing bounds. */
const MULTI = 0xffff;

export class AddressDecoder {
  /** Slave by table index; index 0 is UNMAPPED. */
  readonly slaves: BusSlave[] = [UNMAPPED];
  /** 1 where slaves[k] is a device (a peripheral), 0 for memory and UNMAPPED. */
  private readonly isDevice: number[] = [0];
  /** Slave index of every 64 KiB block. */
  readonly table = new Uint16Array(BLOCKS);

  /** Map memory slaves (the running frame's regions), then the devices. Devices must not overlap. */
  map(memory: readonly BusSlave[], devices: readonly BusSlave[]): void {
    this.slaves.length = 1;
    this.isDevice.length = 1;
    this.table.fill(0);
    for (const s of memory) this.attach(s, 0);
    for (let i = 0; i < devices.length; i++) {
      const d = devices[i]!;
      if (d.base >= d.end || d.base < 0 || d.end > 0x1_0000_0000) throw new Error(`device ${d.name}: empty or past 4 GiB [0x${d.base.toString(16)}, 0x${d.end.toString(16)})`);
      for (let j = 0; j < i; j++) {
        const o = devices[j]!;
        if (d.base < o.end && o.base < d.end) throw new Error(`device ${d.name} at 0x${d.base.toString(16)} overlaps device ${o.name} at 0x${o.base.toString(16)}`);
      }
      this.attach(d, 1);
    }
  }

  private attach(s: BusSlave, device: number): void {
    if (this.slaves.length >= MULTI) throw new Error(`address decoder: more than ${MULTI - 1} slaves`);
    const idx = this.slaves.length;
    this.slaves.push(s);
    this.isDevice.push(device);
    for (let b = s.base >>> BLOCK_SHIFT; b <= (s.end - 1) >>> BLOCK_SHIFT; b++) {
      this.table[b] = this.table[b] === 0 ? idx : MULTI;
    }
  }

  /** The slave answering a word transaction at word-aligned `addr` (the bus's decoder). */
  decode(addr: number): BusSlave {
    const e = this.table[addr >>> BLOCK_SHIFT]!;
    if (e === 0) return UNMAPPED;
    if (e !== MULTI) {
      const s = this.slaves[e]!;
      return addr >= s.base && addr < s.end ? s : UNMAPPED;
    }
    const ss = this.slaves;
    for (let k = 1; k < ss.length; k++) {
      const s = ss[k]!;
      if (addr + 3 >= s.base && addr < s.end) return s;
    }
    return UNMAPPED;
  }

  /** The device holding all of [addr, addr+len), or UNMAPPED (`addr` unsigned). */
  device(addr: number, len: number): BusSlave {
    const e = this.table[addr >>> BLOCK_SHIFT]!;
    if (e === 0) return UNMAPPED;
    if (e !== MULTI) {
      const s = this.slaves[e]!;
      return this.isDevice[e] === 1 && addr >= s.base && addr + len <= s.end ? s : UNMAPPED;
    }
    const ss = this.slaves;
    for (let k = 1; k < ss.length; k++) {
      const s = ss[k]!;
      if (this.isDevice[k] === 1 && addr >= s.base && addr + len <= s.end) return s;
    }
    return UNMAPPED;
  }
}
