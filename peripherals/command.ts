// A command device (docs/peripherals.md, "Command devices"): the shape every virtual peripheral
// but the timer and the console shares. Registers from its map (peripherals/regmap.ts), each
// word a signal `evm.dev.<name>.<reg>`; a write to CMD performs the whole command at once — its
// DMA, its result registers, its gas — in the access that wrote it, and holds the device busy
// for the command's cycles: any access while busy waits (`ready` low) until the completion
// event. So values and gas never depend on time, and only the cycle model spends the cycles.
//
// A subclass implements `command(code)`: check the operands, compute everything, then call
// `spend(gas, cycles)` once, before writing memory or any register a program can see. If the
// charge is refused the access is out of gas (peripherals/device.ts, GasPort): `command`
// returns REFUSED at once and the device is left as it was.

import type { Device, DeviceContext } from './device.js';
import { PERM_VALUES, type DeviceMap } from './regmap.js';

/** `command`'s result when its charge was refused (the access traps out of gas). */
export const REFUSED = -1;

/** What a device did in a run (evminf run --stats / --json). */
export interface DeviceStats {
  /** Commands performed (refused ones not counted). */
  ops: number;
  /** Of them, ending with a status other than OK. */
  errors: number;
  /** Busy cycles (the latency the commands asked for). */
  cycles: number;
  /** Gas charged. */
  gas: number;
  /** Commands by name. */
  byCommand: Record<string, number>;
}

const TAG_DONE = 1;

export abstract class CommandDevice implements Device {
  readonly name: string;
  readonly base: number;
  readonly end: number;
  readonly perm: number;
  waitStates = 0;
  readonly map: DeviceMap;
  readonly stats: DeviceStats = { ops: 0, errors: 0, cycles: 0, gas: 0, byCommand: {} };

  protected ctx!: DeviceContext;
  protected v!: Int32Array;
  /** Signal slot of each register word (by offset / 4); -1 where no register is. */
  protected slot!: Int32Array;
  /** 1 for words a program may write. */
  private writable!: Uint8Array;
  private declare s_busy: number;
  private declare s_done_at: number;
  /** Cycle the running command completes (a double; `done_at` shows its low 32 bits). */
  private doneAt = 0;
  /** Gas and cycles of the command in progress (spend). */
  private cmdCycles = 0;
  private cmdGas = 0;
  private names: Record<number, string> = {};

  constructor(map: DeviceMap) {
    this.map = map;
    this.name = map.name;
    this.base = map.base;
    this.end = map.base + 0x1_0000;
    this.perm = map.perm.reduce((a, p) => a | PERM_VALUES[p], 0);
    for (const c of map.commands) this.names[c.value] = c.name;
  }

  attach(ctx: DeviceContext): void {
    this.ctx = ctx;
    this.v = ctx.v;
    const words = this.map.size >>> 2;
    this.slot = new Int32Array(words).fill(-1);
    this.writable = new Uint8Array(words);
    for (const r of this.map.regs) {
      const n = r.words ?? 1;
      for (let k = 0; k < n; k++) {
        const w = (r.offset >>> 2) + k;
        this.slot[w] = ctx.signal(n === 1 ? r.name.toLowerCase() : `${r.name.toLowerCase()}${k}`);
        this.writable[w] = r.access === 'r' ? 0 : 1;
      }
    }
    this.s_busy = ctx.signal('busy', 1);
    this.s_done_at = ctx.signal('done_at');
  }

  /** Register word at byte offset `off`. */
  protected reg(off: number): number {
    return this.v[this.slot[off >>> 2]!]!;
  }

  protected setReg(off: number, value: number): void {
    this.v[this.slot[off >>> 2]!] = value;
  }

  /** A bank of `n` bytes starting at register offset `off`, in memory order. */
  protected bank(off: number, n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = (this.v[this.slot[(off >>> 2) + (i >>> 2)]!]! >>> (8 * (i & 3))) & 0xff;
    return out;
  }

  /** Write `bytes` into the bank at `off` (its words cleared first, `words` of them). */
  protected setBank(off: number, bytes: Uint8Array | null, words: number): void {
    const v = this.v, s = this.slot, w0 = off >>> 2;
    for (let k = 0; k < words; k++) v[s[w0 + k]!] = 0;
    if (bytes === null) return;
    for (let i = 0; i < bytes.length && i < 4 * words; i++) v[s[w0 + (i >>> 2)]!]! |= bytes[i]! << (8 * (i & 3));
  }

  latency(_addr: number, _write: boolean): number {
    if (this.v[this.s_busy] === 0) return this.waitStates;
    return Math.max(this.waitStates, this.doneAt - this.ctx.clock.now);
  }

  read(addr: number, strb: number): number {
    const w = (addr - this.base) >>> 2;
    if (w >= this.slot.length || this.slot[w]! < 0) return 0;
    const value = this.v[this.slot[w]!]!;
    return strb === 15 ? value : value & laneMask(strb);
  }

  write(addr: number, strb: number, data: number): void {
    const w = (addr - this.base) >>> 2;
    if (w >= this.slot.length || this.writable[w] === 0) return;
    const s = this.slot[w]!, m = laneMask(strb);
    const value = (this.v[s]! & ~m) | (data & m);
    if (w === 0) this.start(value >>> 0);
    else this.v[s] = value;
  }

  private start(code: number): void {
    this.cmdCycles = 0;
    this.cmdGas = 0;
    const status = this.names[code] === undefined ? this.badCommand() : this.command(code);
    if (status === REFUSED) return;
    const v = this.v;
    v[this.slot[0]!] = code;
    v[this.slot[1]!] = status;
    const st = this.stats;
    st.ops++;
    if (status !== 0) st.errors++;
    st.cycles += this.cmdCycles;
    st.gas += this.cmdGas;
    const name = this.names[code] ?? 'BAD_COMMAND';
    st.byCommand[name] = (st.byCommand[name] ?? 0) + 1;
    if (this.cmdCycles > 0) {
      const clock = this.ctx.clock;
      this.doneAt = clock.now + this.cmdCycles;
      v[this.s_busy] = 1;
      v[this.s_done_at] = this.doneAt;
      clock.cancel(this, TAG_DONE);
      clock.schedule(this, this.doneAt, TAG_DONE);
    }
  }

  /** An undefined command code: one setup cycle, no gas, STATUS BAD_COMMAND. */
  private badCommand(): number {
    this.cmdCycles = 1;
    return 2;
  }

  /**
   * Charge the command's gas (to the running frame, through the gate) and take its cycles.
   * False: refused — return REFUSED from `command` without changing anything.
   */
  protected spend(gas: number, cycles: number): boolean {
    if (gas > 0 && !this.ctx.gas.charge(gas)) return false;
    this.cmdGas += gas;
    this.cmdCycles += cycles;
    return true;
  }

  /** Perform command `code` (a defined one); returns its status, or REFUSED. */
  protected abstract command(code: number): number;

  onClock(_tag: number): void {
    this.v[this.s_busy] = 0;
  }

  /** A frame switch: registers to 0, work in progress dropped (docs/peripherals.md). */
  reset(): void {
    const v = this.v;
    for (let w = 0; w < this.slot.length; w++) if (this.slot[w]! >= 0) v[this.slot[w]!] = 0;
    if (v[this.s_busy] !== 0) this.ctx.clock.cancel(this, TAG_DONE);
    v[this.s_busy] = 0;
    v[this.s_done_at] = 0;
    this.doneAt = 0;
  }

  // ---- DMA helpers: the running frame's memory, with the LSU's checks ----

  /** `len` bytes at `addr` without copying, or null (DMA_FAULT). */
  protected view(addr: number, len: number): Uint8Array | null {
    return this.ctx.dma.dmaView(addr >>> 0, len >>> 0);
  }

  /** True when `len` bytes at `addr` may be written (checked before charging, written after). */
  protected canWrite(addr: number, len: number): boolean {
    return this.ctx.dma.dmaCheck(addr >>> 0, len >>> 0, true);
  }

  /** Write `bytes` at `addr`: 0 (DMA_OK) or 1 (DMA_FAULT, nothing written). */
  protected put(addr: number, bytes: Uint8Array): number {
    return this.ctx.dma.dmaWrite(addr >>> 0, bytes);
  }
}

/** The bit mask of the byte lanes `strb` selects. */
export function laneMask(strb: number): number {
  return (strb & 1 ? 0xff : 0) | (strb & 2 ? 0xff00 : 0) | (strb & 4 ? 0xff0000 : 0) | (strb & 8 ? 0xff000000 : 0);
}
