// Memory-mapped virtual peripherals: what every device on the bus provides. A device is a bus
// slave in the MMIO window (docs/memory-map.md) with a register map of named constants, a
// wait-state count, and the permission bits a frame needs to touch it. Both models reach
// devices through the same accessors, so a device behaves identically under the ISS and the
// cycle model.

/** A bus slave: word-wide, byte-strobed. `addr` is word aligned. */
export interface BusSlave {
  readonly name: string;
  readonly base: number;
  readonly end: number;
  waitStates: number;
  /** PSET bits needed to touch the slave (devices); without them it gives the zero response. */
  readonly perm?: number;
  read(addr: number, strb: number): number;
  write(addr: number, strb: number, data: number): void;
}

export const MMIO_BASE = 0xf000_0000;

export interface Device extends BusSlave {
  /** PSET bits (cpu/perm.ts) a frame must hold; lacking any, reads give 0 and writes are dropped. */
  readonly perm: number;
}

/** True when a frame with permission set `pset` may touch `d` (the zero-response rule). */
export const permitted = (d: BusSlave, pset: number): boolean => ((d.perm ?? 0) & ~pset) === 0;

/** The device holding [addr, addr+len), or null. */
export function findDevice(devices: readonly BusSlave[], addr: number, len: number): BusSlave | null {
  for (let i = 0; i < devices.length; i++) {
    const d = devices[i]!;
    if (addr >= d.base && addr + len <= d.end) return d;
  }
  return null;
}

/**
 * A load of `width` bytes at `addr` from a device, as the bus performs it: word transactions
 * with byte strobes, two when the access crosses a word. Returns the raw little-endian value.
 */
export function deviceLoad(d: BusSlave, addr: number, width: number, pset: number): number {
  if (!permitted(d, pset)) return 0;
  const lane = addr & 3, mask8 = ((1 << width) - 1) << lane, word = (addr & ~3) >>> 0;
  const lo = d.read(word, mask8 & 15) >>> (8 * lane);
  if (lane + width <= 4) return lo;
  const hi = d.read(word + 4, mask8 >>> 4);
  return lo | (hi << (8 * (4 - lane)));
}

/** A store of `width` bytes of `value` at `addr` to a device (dropped without permission). */
export function deviceStore(d: BusSlave, addr: number, width: number, value: number, pset: number): void {
  if (!permitted(d, pset)) return;
  const lane = addr & 3, mask8 = ((1 << width) - 1) << lane, word = (addr & ~3) >>> 0;
  d.write(word, mask8 & 15, value << (8 * lane));
  if (lane + width > 4) d.write(word + 4, mask8 >>> 4, value >>> (8 * (4 - lane)));
}
