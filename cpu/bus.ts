// The system bus (docs/bus.md). Two master ports — instruction (fetch unit) and data (LSU) —
// and the address decoder (peripherals/decoder.ts: a dense table over 64 KiB blocks, unmapped
// space a slave too), shared with the MMU. Handshake per port, one transaction at a time:
//
//   master drives req, addr (word aligned), we, strb (byte lanes), wdata;
//   slave answers ready (and rdata for reads) after its wait states — decided in the first
//   cycle, by the slave's count or a device's per-transaction latency; a write takes effect at
//   the clock edge of the ready cycle. With zero wait states, ready comes in the request cycle.
//
// Test mode: `randomStalls` adds 0..N extra wait states per transaction from a seeded PRNG,
// which must never change an architectural result.

import { permitted, slaveRead, slaveWrite, type BusSlave, type Clock } from '../peripherals/device.js';
import { AddressDecoder, UNMAPPED } from '../peripherals/decoder.js';
import type { AddressSpace, Region, RegionKind } from './memory.js';
import type { Signals } from './signals.js';

export type { BusSlave };

/** Data-port wait states of the memory slaves: one count for all, or one per region kind (absent kinds 0). */
export type MemoryWaitStates = number | Readonly<Partial<Record<RegionKind, number>>>;

/** The wait states of region `r`'s slave under `ws`. */
export const waitStatesOf = (ws: MemoryWaitStates, r: Region): number => (typeof ws === 'number' ? ws : ws[r.kind] ?? 0);

/** A memory region (code ROM, input ROM, RAM) as a slave. */
export class MemorySlave implements BusSlave {
  declare readonly name: string;
  declare readonly base: number;
  declare readonly end: number;
  declare readonly region: Region;
  declare waitStates: number;
  constructor(region: Region, waitStates = 0) {
    this.region = region;
    this.waitStates = waitStates;
    this.name = region.name;
    this.base = region.base;
    this.end = region.end;
  }

  read(addr: number, strb: number): number {
    const r = this.region, off = addr - r.base;
    if (strb === 15 && off >= 0 && off + 4 <= r.size) return r.dv.getInt32(off, true);
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const o = off + i;
      if (strb & (1 << i) && o >= 0 && o < r.size) v |= r.u8[o]! << (8 * i);
    }
    return v;
  }

  write(addr: number, strb: number, data: number): void {
    const r = this.region, off = addr - r.base;
    if (strb === 15 && off >= 0 && off + 4 <= r.size) { r.dv.setInt32(off, data, true); return; }
    for (let i = 0; i < 4; i++) {
      const o = off + i;
      if (strb & (1 << i) && o >= 0 && o < r.size) r.u8[o] = data >>> (8 * i);
    }
  }
}

/** One master port's signals and transaction state. */
class Port {
  declare readonly req: number;
  declare readonly addr: number;
  declare readonly we: number;
  declare readonly strb: number;
  declare readonly wdata: number;
  declare readonly ready: number;
  declare readonly rdata: number;
  /** Register: wait states served so far in the current transaction. */
  declare readonly wait: number;
  waitD = 0;
  /** Extra random wait states chosen for the current transaction (-1: none started). */
  extra = -1;
  /** The slave's wait states for the current transaction, decided in its first cycle. */
  ws = 0;
  slave: BusSlave = UNMAPPED;

  constructor(sig: Signals, path: string, withWrite: boolean) {
    this.req = sig.add(`${path}.req`, 1);
    this.addr = sig.add(`${path}.addr`);
    this.we = withWrite ? sig.add(`${path}.we`, 1) : -1;
    this.strb = withWrite ? sig.add(`${path}.strb`, 4) : -1;
    this.wdata = withWrite ? sig.add(`${path}.wdata`) : -1;
    this.ready = sig.add(`${path}.ready`, 1);
    this.rdata = sig.add(`${path}.rdata`);
    this.wait = sig.add(`${path}.wait`, 8);
  }
}

export class Bus {
  declare readonly i: Port;
  declare readonly d: Port;
  /** The address decoder, shared with the MMU. */
  readonly decoder = new AddressDecoder();
  /** The running frame's permission set, for devices' zero response. */
  pset = 0;
  /** Maximum random extra wait states per transaction (0: off). */
  randomStalls = 0;
  private rng = 1;
  private declare readonly clock: Clock;

  constructor(sig: Signals, path: string, clock: Clock) {
    this.i = new Port(sig, `${path}.i`, false);
    this.d = new Port(sig, `${path}.d`, true);
    this.clock = clock;
  }

  seed(s: number): void {
    this.rng = (s >>> 0) || 1;
  }

  /** Map every region of an address space (plus any extra slaves, e.g. MMIO devices). */
  map(mem: AddressSpace, extra: readonly BusSlave[] = [], waitStates: MemoryWaitStates = 0): void {
    this.decoder.map(mem.regions.map((r) => new MemorySlave(r, waitStatesOf(waitStates, r))), extra);
  }

  /** The address decoder. */
  decode(addr: number): BusSlave {
    return this.decoder.decode(addr);
  }

  private nextRandom(): number {
    let x = this.rng;
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng % (this.randomStalls + 1);
  }

  private evalPort(v: Int32Array, p: Port): void {
    if (!v[p.req]) { v[p.ready] = 0; p.waitD = 0; p.extra = -1; return; }
    const addr = v[p.addr]! >>> 0;
    const s = this.decoder.decode(addr);
    if (p.extra < 0) {
      // The transaction's first cycle. The code ROM is dual ported: its instruction port is
      // single-cycle; wait states apply to data-port transactions (random stalls to both). A
      // device may decide them per transaction (a result not there yet), but only for a frame
      // it answers: under the zero response it is not asked.
      p.extra = this.randomStalls ? this.nextRandom() : 0;
      p.ws = p !== this.d ? 0 : s.latency !== undefined && permitted(s, this.pset) ? s.latency(addr, v[p.we] !== 0) : s.waitStates;
    }
    const waited = v[p.wait]!;
    if (waited < p.ws + p.extra) {
      v[p.ready] = 0;
      p.waitD = waited + 1;
      return;
    }
    v[p.ready] = 1;
    p.slave = s;
    p.waitD = 0;
    v[p.rdata] = p.we >= 0 && v[p.we] ? 0 : slaveRead(s, addr, p.strb >= 0 ? v[p.strb]! : 15, this.pset, this.clock);
  }

  evaluate(v: Int32Array): void {
    this.evalPort(v, this.i);
    this.evalPort(v, this.d);
  }

  /** Evaluate only the data port (the LSU calls this between driving and sampling it). */
  evaluateData(v: Int32Array): void {
    this.evalPort(v, this.d);
  }

  evaluateInstr(v: Int32Array): void {
    this.evalPort(v, this.i);
  }

  /**
   * Instruction-port read of code ROM, whose slave the fetch unit has already found (the MMU's
   * code-region check selects the same slave as the decoder would): no wait states, so only
   * random stalls can delay `ready`. `word` is the ROM's content at `addr`. Returns `ready`.
   */
  fetch(v: Int32Array, addr: number, word: number): boolean {
    const p = this.i;
    v[p.req] = 1;
    v[p.addr] = addr;
    if (this.randomStalls) {
      if (p.extra < 0) p.extra = this.nextRandom();
      const waited = v[p.wait]!;
      if (waited < p.extra) { v[p.ready] = 0; p.waitD = waited + 1; return false; }
    }
    v[p.ready] = 1;
    p.waitD = 0;
    v[p.rdata] = word;
    return true;
  }

  /** Drop the transactions in flight (the pipeline was emptied between cycles). */
  abort(v: Int32Array): void {
    for (const p of [this.i, this.d]) { v[p.req] = 0; v[p.ready] = 0; v[p.wait] = 0; p.waitD = 0; p.extra = -1; }
  }

  commit(v: Int32Array): void {
    const d = this.d;
    if (v[d.req] && v[d.ready]) {
      const s = d.slave;
      if (v[d.we]) slaveWrite(s, v[d.addr]! >>> 0, v[d.strb]!, v[d.wdata]!, this.pset, this.clock);
      d.extra = -1;
    }
    if (v[this.i.req] && v[this.i.ready]) this.i.extra = -1;
    v[d.wait] = d.waitD;
    v[this.i.wait] = this.i.waitD;
  }
}

