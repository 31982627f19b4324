// Memory-mapped virtual peripherals: what every device on the bus provides and what the machine
// provides to it (docs/peripherals.md is the datasheet of this contract). A device is a bus
// slave in the MMIO window with a register map of named constants and the permission bits a
// frame needs to touch it. At elaboration the machine hands it a context: the clock (scheduled
// completions), a DMA master port into the running frame's memory, and the signal array in
// which it keeps its registers (`evm.dev.<name>.*`). Both models reach devices through the
// accessors below, so a device behaves identically under the ISS and the cycle model.

import type { Clock, Clocked } from './clock.js';

export { Clock, DataUnavailable, NEVER, type Clocked } from './clock.js';

/** A bus slave: word-wide, byte-strobed. `addr` is word aligned. */
export interface BusSlave {
  readonly name: string;
  readonly base: number;
  readonly end: number;
  /** Data-port wait states of a transaction when the slave has no `latency`. */
  waitStates: number;
  /** PSET bits needed to touch the slave (devices); without them it gives the zero response. */
  readonly perm?: number;
  /**
   * Wait states of the transaction starting now at `addr` (its first cycle; `ready` is held low
   * that many cycles), e.g. a result read that waits until the result is there. Called on the
   * cycle model only, only for frames holding the slave's permission; absent: `waitStates`.
   */
  latency?(addr: number, write: boolean): number;
  read(addr: number, strb: number): number;
  write(addr: number, strb: number, data: number): void;
}

export const MMIO_BASE = 0xf000_0000;

/** DMA status: the transfer was done. */
export const DMA_OK = 0;
/** DMA status: the range is not inside one region of the running frame granting the access; nothing was touched. */
export const DMA_FAULT = 1;

/**
 * A device's DMA master port: whole transfers into or out of the *running frame's* memory, with
 * the LSU's bounds and permission checks (one region holding all of [addr, addr+len) and
 * granting R, or W). Device space is not memory: a DMA there faults too.
 */
export interface DmaPort {
  /** Copy `dst.length` bytes at `addr` into `dst`; DMA_OK or DMA_FAULT (dst untouched). */
  dmaRead(addr: number, dst: Uint8Array): number;
  /** Copy `src` to `addr`; DMA_OK or DMA_FAULT (memory untouched). */
  dmaWrite(addr: number, src: Uint8Array): number;
  /**
   * A read-only look at `len` bytes at `addr` without copying (a device walking a buffer in
   * place, an RLP decoder, a hash over a large message): the bytes, or null where dmaRead would
   * fault. The view is valid until the device's access returns; a device never writes into it.
   */
  dmaView(addr: number, len: number): Uint8Array | null;
  /** Would a transfer of `len` bytes at `addr` be done (write: a dmaWrite, else a dmaRead)? Touches nothing. */
  dmaCheck(addr: number, len: number, write: boolean): boolean;
}

/**
 * A device's gas port: an operation's gas is charged to the running frame through the one gas
 * gate (cpu/gas.ts), in the access that starts it. A refused charge makes that access (the
 * store that wrote the command) out of gas: it traps with cause 24 and does not retire, and
 * the device must then change nothing — so a device charges before it writes any memory or
 * state a program can see.
 */
export interface GasPort {
  /** Charge `cost` (a non-negative integer below 2^31). False: out of gas, nothing charged. */
  charge(cost: number): boolean;
}

/** The machine's signal registry, as a device sees it (cpu/signals.ts provides it). */
export interface SignalRegistry {
  readonly v: Int32Array;
  add(name: string, width?: number): number;
}

/** What the machine hands a device at elaboration. */
export interface DeviceContext {
  readonly clock: Clock;
  readonly dma: DmaPort;
  /** Gas of the running frame. */
  readonly gas: GasPort;
  /** The signal array: the device's registers live at the slots `signal` returns. */
  readonly v: Int32Array;
  /** Declare a register as signal `evm.dev.<device name>.<reg>`; returns its slot. */
  signal(reg: string, width?: number): number;
}

export interface Device extends BusSlave, Partial<Clocked> {
  /** PSET bits (cpu/perm.ts) a frame must hold; lacking any, reads give 0 and writes are dropped. */
  readonly perm: number;
  /** Elaboration: keep the context, declare the register signals. */
  attach?(ctx: DeviceContext): void;
  /**
   * A frame switch (EVAL, RETURN, THROW, INTERRUPT and its return): the device's registers go
   * back to their reset values and work in progress is dropped, so no frame sees what another
   * left in them. State that outlives frames (the hard drive's objects) is kept.
   */
  reset?(): void;
  /** State that lives outside the device's own fields and signal slots (debug/snapshot.ts). */
  save?(): unknown;
  load?(state: unknown): void;
}

/** Elaborate `devices` on a machine: each gets the clock, the DMA port and its signal scope. */
export function attachDevices(devices: readonly BusSlave[], clock: Clock, dma: DmaPort, gas: GasPort, sig: SignalRegistry): void {
  for (const d of devices as readonly Device[]) {
    if (d.attach === undefined) continue;
    const prefix = `evm.dev.${d.name}.`;
    d.attach({ clock, dma, gas, v: sig.v, signal: (reg, width = 32) => sig.add(prefix + reg, width) });
  }
}

/** A frame switch: every device back to its reset state (its persistent objects kept). */
export function resetDevices(devices: readonly BusSlave[]): void {
  for (const d of devices as readonly Device[]) d.reset?.();
}

/**
 * The zero-response rule (docs/peripherals.md): a frame lacking any of a slave's perm bits may
 * not touch it, but gets no exception — reads give 0, writes are dropped, the transaction
 * completes normally. Memory slaves have no perm bits.
 */
export const permitted = (s: BusSlave, pset: number): boolean => ((s.perm ?? 0) & ~pset) === 0;

/**
 * A word transaction's read, as every master performs it: the zero response applied, and a
 * DATA UNAVAILABLE the slave throws held on the clock for the cycle boundary (the read gives 0).
 */
export function slaveRead(s: BusSlave, addr: number, strb: number, pset: number, clock: Clock): number {
  if (!permitted(s, pset)) return 0;
  try {
    return s.read(addr, strb);
  } catch (e) {
    clock.caught(e);
    return 0;
  }
}

/** A word transaction's write (dropped under the zero response). */
export function slaveWrite(s: BusSlave, addr: number, strb: number, data: number, pset: number, clock: Clock): void {
  if (!permitted(s, pset)) return;
  try {
    s.write(addr, strb, data);
  } catch (e) {
    clock.caught(e);
  }
}

/**
 * A load of `width` bytes at `addr` from a device, as the bus performs it: word transactions
 * with byte strobes, two when the access crosses a word. Returns the raw little-endian value.
 */
export function deviceLoad(d: BusSlave, addr: number, width: number, pset: number, clock: Clock): number {
  const lane = addr & 3, mask8 = ((1 << width) - 1) << lane, word = (addr & ~3) >>> 0;
  const lo = slaveRead(d, word, mask8 & 15, pset, clock) >>> (8 * lane);
  if (lane + width <= 4) return lo;
  const hi = slaveRead(d, word + 4, mask8 >>> 4, pset, clock);
  return lo | (hi << (8 * (4 - lane)));
}

/** A store of `width` bytes of `value` at `addr` to a device (dropped without permission). */
export function deviceStore(d: BusSlave, addr: number, width: number, value: number, pset: number, clock: Clock): void {
  const lane = addr & 3, mask8 = ((1 << width) - 1) << lane, word = (addr & ~3) >>> 0;
  slaveWrite(d, word, mask8 & 15, value << (8 * lane), pset, clock);
  if (lane + width > 4) slaveWrite(d, word + 4, mask8 >>> 4, value >>> (8 * (4 - lane)), pset, clock);
}
