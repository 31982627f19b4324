// The CURTIME timer (docs/peripherals.md, "CURTIME timer"): the host's notion of the current
// time, in seconds since 1970-01-01 UTC, as two read-only words. It is subjective — a value the
// host chooses, not something consensus can check — so only a frame holding SUBJECTIVE and
// TIMER reads it; any other frame gets the zero response. The value is fixed for the run
// (`evminf run --time`, default 0), so a run is reproducible and a register never exposes time
// the program spends: the models read the same value whenever they read it.
//
// Not a command device: no command, no gas, no DMA, no latency beyond `waitStates`. The two
// words are signals (`evm.dev.timer.curtime_lo` / `_hi`) holding the host's value from
// elaboration on; a frame switch leaves them as they are (that value is their reset value).

import type { Device, DeviceContext } from './device.js';
import type { DeviceStats } from './command.js';
import { laneMask } from './command.js';
import { PERM_VALUES, TIMER } from './regmap.js';
import { TimerReg } from './regs.js';

/** The largest time the two words hold: 2^64 − 1 seconds. */
export const MAX_TIME = (1n << 64n) - 1n;

export class Timer implements Device {
  readonly name = TIMER.name;
  readonly base = TIMER.base;
  /** The device owns its 64 KiB block; offsets past the two words read 0. */
  readonly end = TIMER.base + 0x1_0000;
  readonly perm = TIMER.perm.reduce((a, p) => a | PERM_VALUES[p], 0);
  waitStates = 0;
  /** Reads are not counted: a read has no effect, and a bus may sample a register more than once. */
  readonly stats: DeviceStats = { ops: 0, errors: 0, cycles: 0, gas: 0, byCommand: {} };
  /** The time the registers give, in seconds. */
  readonly time: bigint;
  private declare lo: number;
  private declare hi: number;
  private v: Int32Array | null = null;
  private declare s_lo: number;
  private declare s_hi: number;

  /** `time`: seconds since 1970-01-01 UTC, 0 to 2^64 − 1. */
  constructor(time: bigint | number = 0n) {
    const t = BigInt(time);
    if (t < 0n || t > MAX_TIME) throw new RangeError(`timer: time ${t} is not in 0..2^64-1`);
    this.time = t;
    this.lo = Number(t & 0xffff_ffffn) | 0;
    this.hi = Number(t >> 32n) | 0;
  }

  attach(ctx: DeviceContext): void {
    this.v = ctx.v;
    this.s_lo = ctx.signal('curtime_lo');
    this.s_hi = ctx.signal('curtime_hi');
    this.v[this.s_lo] = this.lo;
    this.v[this.s_hi] = this.hi;
  }

  read(addr: number, strb: number): number {
    const off = addr - this.base;
    const w = off === TimerReg.CURTIME_LO ? this.lo : off === TimerReg.CURTIME_HI ? this.hi : 0;
    return strb === 15 ? w : w & laneMask(strb);
  }

  /** Both registers are read-only: writes are ignored. */
  write(_addr: number, _strb: number, _data: number): void {}

  /** A frame switch: the registers' reset value is the host's time, which they already hold. */
  reset(): void {
    if (this.v === null) return;
    this.v[this.s_lo] = this.lo;
    this.v[this.s_hi] = this.hi;
  }
}
