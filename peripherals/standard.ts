// The standard machine's devices (docs/peripherals.md, "Devices"): the set `evminf run` attaches
// to either model. A device belongs to one machine (it keeps that machine's context), so every
// call makes a fresh set; the options carry what the host supplies — the time the timer gives,
// where the console's bytes go, the hard drive's store.

import type { DeviceStats } from './command.js';
import { DebugConsole, type ConsoleSink } from './console.js';
import type { Device } from './device.js';
import { EcdsaUnit } from './ecdsa.js';
import { RlpUnit } from './rlp.js';
import { Sha3Unit } from './sha3.js';
import { HardDrive } from './hdd.js';
import { MemoryStore } from './store.js';
import { Timer } from './timer.js';

export interface StandardOptions {
  /** The timer's CURTIME, seconds since 1970-01-01 UTC (default 0: runs are reproducible). */
  time?: bigint | number;
  /** The console's sink (default: counted and discarded). */
  console?: ConsoleSink;
  /** The hard drive (default: one over a fresh in-memory store); `evminf run --db` passes one on LevelDB. */
  hardDrive?: Device;
}

/** One device of the standard set, made from the host's options. */
type Factory = (o: StandardOptions) => Device;

/** The standard devices, in address order (peripherals/regmap.ts DEVICE_MAPS). */
const FACTORIES: readonly Factory[] = [
  () => new Sha3Unit(),
  () => new EcdsaUnit(),
  () => new RlpUnit(),
  (o) => o.hardDrive ?? new HardDrive(new MemoryStore()),
  (o) => new Timer(o.time ?? 0n),
  (o) => new DebugConsole(o.console),
];

/** A fresh set of the standard devices for one machine. */
export function standardDevices(opts: StandardOptions = {}): Device[] {
  return FACTORIES.map((f) => f(opts));
}

/** What each device did, by name (devices that keep no stats are left out). */
export function deviceStats(devices: readonly Device[]): Record<string, DeviceStats> {
  const out: Record<string, DeviceStats> = {};
  for (const d of devices) {
    const st = (d as { stats?: DeviceStats }).stats;
    if (st !== undefined) out[d.name] = { ...st, byCommand: { ...st.byCommand } };
  }
  return out;
}

/**
 * The end of a run: hand the console's buffered bytes to its sink. Throws the first error a
 * sink met during the run (the host reports it as an output error).
 */
export function finishDevices(devices: readonly Device[]): void {
  let first: unknown = null;
  for (const d of devices) {
    if (!(d instanceof DebugConsole)) continue;
    try { d.flush(); } catch (e) { first ??= e; }
  }
  if (first !== null) throw first;
}
