// Shared parts of the hash and signature unit tests: running a program with devices on either
// model, poking operands into its memory before the run, reading memory after it, and a bus
// monitor that records the data port's transactions cycle by cycle (when each started, when
// `ready` came), so a test can check the wait states a device holds against its formula.

import type { Core, CycleTracer } from '../cpu/core.js';
import { CallManager, type FrameEnd } from '../cpu/frames.js';
import { LinuxHost } from '../cpu/host.js';
import type { Iss } from '../cpu/iss.js';
import { createModel, ROOT_PSET, type ModelKind } from '../cpu/machine.js';
import { PermBit } from '../cpu/perm.js';
import { loadElf, type LoadedProgram } from '../cpu/program.js';
import { assembleToElf } from '../isa/asm.js';
import type { Device } from '../peripherals/device.js';

/** A root PSET that is metered and limited (no INFINITE_GAS), everything else granted. */
export const LIMITED_PSET = ROOT_PSET & ~PermBit.INFINITE_GAS;

export interface RunOpts {
  pset?: number;
  gas?: number;
  randomStalls?: number;
  seed?: number;
  /** Called with the loaded program before the run: poke operands into memory. */
  setup?: (p: LoadedProgram) => void;
  tracer?: (m: Core) => CycleTracer;
  maxCycles?: number;
}

export interface Outcome {
  end: FrameEnd;
  x: number[];
  gas: number;
  retired: number;
  cycles: number | undefined;
  m: Core | Iss;
  prog: LoadedProgram;
}

/** Run `elf` (or assembly source) with `devices` on `model` to its end. */
export function run(model: ModelKind, src: string | Uint8Array, devices: Device[], o: RunOpts = {}): Outcome {
  const prog = loadElf(typeof src === 'string' ? assembleToElf(src, { file: 'crypto.S' }) : src);
  o.setup?.(prog);
  const m = createModel(model, prog, { devices, pset: o.pset, gas: o.gas, randomStalls: o.randomStalls, seed: o.seed });
  if (o.tracer !== undefined) (m as Core).tracer = o.tracer(m as Core);
  const end = new CallManager(m, new LinuxHost()).run({ maxCycles: o.maxCycles ?? 20_000_000, maxInstructions: 2_000_000 });
  return { end, x: Array.from(m.x), gas: m.gasUsed, retired: m.retired, cycles: (m as Core).cycles, m, prog };
}

export function symbol(p: LoadedProgram, name: string): number {
  const s = p.symbols.find((e) => e.name === name);
  if (s === undefined) throw new Error(`no symbol ${name}`);
  return s.value >>> 0;
}

/** The bytes of the root frame's memory at [addr, addr+len) (a live view). */
export function memAt(p: LoadedProgram, addr: number, len: number): Uint8Array {
  const r = p.mem.find(addr >>> 0, len, 0);
  if (r === null) throw new Error(`no region holds 0x${addr.toString(16)}+${len}`);
  return r.u8.subarray(addr - r.base, addr - r.base + len);
}

/** Little-endian words into memory at addr. */
export function pokeWords(p: LoadedProgram, addr: number, words: readonly number[]): void {
  const b = memAt(p, addr, 4 * words.length);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  words.forEach((w, i) => dv.setUint32(4 * i, w >>> 0, true));
}

export function wordsAt(p: LoadedProgram, addr: number, n: number): number[] {
  const b = memAt(p, addr, 4 * n);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: n }, (_, i) => dv.getUint32(4 * i, true));
}

/** Byte lanes of a register word → bytes in memory order. */
export const wordBytes = (words: readonly number[]): Uint8Array => {
  const out = new Uint8Array(4 * words.length);
  words.forEach((w, i) => { for (let k = 0; k < 4; k++) out[4 * i + k] = (w >>> (8 * k)) & 0xff; });
  return out;
};

/** Bytes in memory order → the little-endian words a program reads. */
export const bytesWords = (b: Uint8Array): number[] => {
  const out: number[] = [];
  for (let i = 0; i < b.length; i += 4) out.push((b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0);
  return out;
};

export interface Transaction {
  addr: number;
  we: boolean;
  /** Cycle of the transaction's first cycle (req raised). */
  start: number;
  /** Cycle in which `ready` came. */
  ready: number;
}

/** A data-port monitor: samples req / addr / we / ready after every cycle has settled. */
export class BusMonitor implements CycleTracer {
  readonly done: Transaction[] = [];
  private readonly req: number;
  private readonly addr: number;
  private readonly we: number;
  private readonly rdy: number;
  private start = -1;

  constructor(m: Core) {
    const slot = (n: string): number => {
      const s = m.sig.slot(n);
      if (s === undefined) throw new Error(`no signal ${n}`);
      return s;
    };
    this.req = slot('evm.bus.d.req');
    this.addr = slot('evm.bus.d.addr');
    this.we = slot('evm.bus.d.we');
    this.rdy = slot('evm.bus.d.ready');
  }

  cycle(cycle: number, v: Int32Array): void {
    if (!v[this.req]) { this.start = -1; return; }
    if (this.start < 0) this.start = cycle;
    if (v[this.rdy]) {
      this.done.push({ addr: v[this.addr]! >>> 0, we: v[this.we] !== 0, start: this.start, ready: cycle });
      this.start = -1;
    }
  }

  /** The transactions at `addr` (reads or writes), in order. */
  at(addr: number, we: boolean): Transaction[] {
    return this.done.filter((t) => t.addr === addr >>> 0 && t.we === we);
  }
}

/** Every region of two runs' root memory, byte for byte: [base, equal] per region, for one toEqual. */
export function sameMemory(a: LoadedProgram, b: LoadedProgram): [number, boolean][] {
  return a.mem.regions.map((r, i) => [r.base, b.mem.regions[i]?.base === r.base && Buffer.from(r.u8).equals(Buffer.from(b.mem.regions[i]!.u8))]);
}
