// Waveforms of the cycle model as a Value Change Dump (IEEE 1364-2005 §18, four-state values
// never needed: every bit is 0 or 1). The writer is a CycleTracer: `core.tracer = writer`.
// Like Verilator's runtime it keeps a flat array of previous values and, after each clock edge,
// writes only the signals whose value changed (§18.2.1: `#time` then value changes). Text is
// built byte by byte in one preallocated buffer that is handed to the sink whenever it fills,
// so memory stays bounded for any run length and the hot loop allocates nothing.
//
// Time: ten units per cycle, so that a clock can be drawn. `#10c` is the rising edge of cycle c
// and holds the state after it (docs/stepper.md, Time), with `evm.clk` = 1; `#10c+5` is the
// falling edge (`evm.clk` = 0, nothing else changes there). `#0` is the state at reset when the
// writer samples it before the run (attachVcd). The timescale is a tenth of a cycle (100ps for
// the nominal 1 ns cycle), so a viewer's time axis reads in cycles as nanoseconds.
//
// This file writes to a function and uses nothing of Node, so it also runs in the browser's
// worker (ui/); waveforms/vcd.ts adds file descriptors and files.

import type { CycleTracer } from '../cpu/core.js';
import type { Signals } from '../cpu/signals.js';

/** Where the text goes: a function taking chunks (waveforms/vcd.ts adds file descriptors). */
export type ChunkSink = (chunk: Uint8Array) => void;

export interface VcdOptions {
  /** Dotted scope prefixes to dump (`evm.core.ex` takes everything under it); default: all. */
  scopes?: readonly string[];
  /** First cycle dumped (inclusive): every selected value is written at the first cycle >= from. */
  from?: number;
  /** Last cycle dumped (inclusive). */
  to?: number;
  /** The length of one cycle (default `1ns`); the file's `$timescale` is a tenth of it. */
  timescale?: string;
  /** Bytes buffered before a write (default 1 MiB). */
  chunkSize?: number;
}

/** Options a user got wrong (no such scope, empty window): one line. */
export class VcdOptionError extends Error {
  /** The exit code's name (cpu/exit-codes.ts EXIT) when this error ends an evminf command. */
  readonly exit = 'USAGE' as const;
}

/** Writing the waveform failed (disk full, closed pipe): one line with the errno code. */
export class VcdWriteError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

/** Room for a time and one value change (`b`, 32 digits, space, identifier, newline) with padding. */
const MAX_ID = 4;
const RECORD_MAX = 96;
const CH_HASH = 0x23, CH_B = 0x62, CH_0 = 0x30, CH_1 = 0x31, CH_NL = 0x0a;
const TIMESCALE = /^(1|10|100) ?(s|ms|us|ns|ps|fs)$/;
const UNITS = ['s', 'ms', 'us', 'ns', 'ps', 'fs'];
/** Time units per clock cycle: the rising edge at 10c, the falling edge at 10c + 5. */
export const VCD_PERIOD = 10;
/** Name of the drawn clock (not a model signal: the writers add it). */
export const CLOCK_NAME = 'evm.clk';

/** A tenth of a cycle length `1ns`: `100ps` (the unit of the file's times). */
export function tenthOf(cycle: string): string {
  const m = TIMESCALE.exec(cycle)!;
  const n = Number(m[1]), u = UNITS.indexOf(m[2]!);
  if (n >= 10) return `${n / 10}${m[2]}`;
  if (u === UNITS.length - 1) throw new VcdOptionError(`timescale ${cycle} is too fine: a cycle is drawn as ${VCD_PERIOD} time units (1fs is the smallest unit)`);
  return `100${UNITS[u + 1]}`;
}

/** Identifier code k: bijective base 94 over the printable characters `!`..`~` (§18.2.1). */
export function vcdId(k: number): string {
  let s = '';
  let n = k + 1;
  while (n > 0) {
    n--;
    s = String.fromCharCode(33 + (n % 94)) + s;
    n = Math.floor(n / 94);
  }
  return s;
}

/** Slots of the signals under any of the prefixes, in registration order. */
export function selectSignals(sig: Signals, scopes: readonly string[] | undefined): number[] {
  if (scopes === undefined || scopes.length === 0) return sig.names.map((_, i) => i);
  const want = new Uint8Array(sig.count);
  for (const raw of scopes) {
    const p = raw.replace(/\.+$/, '');
    const names = p === '' ? [] : sig.under(p);
    if (names.length === 0) {
      const tops = [...new Set(sig.names.map((n) => n.split('.').slice(0, 2).join('.')))];
      throw new VcdOptionError(`--vcd-scope ${raw} matches no signal (scopes: ${tops.join(', ')})`);
    }
    for (const n of names) want[sig.slot(n)!] = 1;
  }
  const out: number[] = [];
  for (let i = 0; i < want.length; i++) if (want[i]) out.push(i);
  return out;
}

/** Validated window and the file's timescale (a tenth of a cycle); throws VcdOptionError. */
export function checkVcdOptions(opts: VcdOptions): { from: number; to: number; timescale: string } {
  const from = opts.from ?? 0, to = opts.to ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(from) || from < 0) throw new VcdOptionError(`--vcd-from must be a non-negative integer`);
  if (!Number.isSafeInteger(to) || to < 0) throw new VcdOptionError(`--vcd-to must be a non-negative integer`);
  if (to < from) throw new VcdOptionError(`--vcd-to ${to} is before --vcd-from ${from}`);
  const timescale = (opts.timescale ?? '1ns').replace(/\s+/g, '');
  if (!TIMESCALE.test(timescale)) throw new VcdOptionError(`bad timescale '${opts.timescale}': expected 1, 10 or 100 of s, ms, us, ns, ps, fs`);
  return { from, to, timescale: tenthOf(timescale) };
}

export interface ScopeNode {
  name: string;
  /** Scopes and variables in order of first registration. */
  body: (ScopeNode | number)[];
  scopes: Map<string, ScopeNode>;
}

export class VcdWriter implements CycleTracer {
  /** Slots of the dumped signals; signal k of the dump is `sig.v[slots[k]]`. */
  readonly slots: Int32Array;
  /** Identifier code of each dumped signal. */
  readonly ids: readonly string[];
  private readonly mask: Int32Array;
  private readonly scalar: Uint8Array;
  private readonly prev: Int32Array;
  // ' ' + id + '\n' for vectors, id + '\n' for scalars: the 8 bytes at tail[2k], tail[2k + 1]
  // (little-endian words, padded), of which tailLen[k] count.
  private readonly tail: Uint32Array;
  private readonly tailLen: Uint8Array;
  private readonly buf: Uint8Array;
  private readonly dv: DataView;
  private readonly limit: number;
  private pos = 0;
  private readonly from: number;
  private to: number;
  private started = false;
  private closed = false;
  /** Identifier code of the clock, and a newline. */
  private readonly clockId: Uint8Array;
  /** Last cycle sampled within the window. */
  lastCycle = -1;
  private failure: VcdWriteError | null = null;
  private written = 0;

  constructor(sig: Signals, private readonly out: ChunkSink, opts: VcdOptions = {}) {
    const { from, to, timescale } = checkVcdOptions(opts);
    this.from = from;
    this.to = to;
    const slots = selectSignals(sig, opts.scopes);
    const n = slots.length;
    this.slots = Int32Array.from(slots);
    this.mask = new Int32Array(n);
    this.scalar = new Uint8Array(n);
    this.prev = new Int32Array(n);
    this.tail = new Uint32Array(2 * n);
    this.tailLen = new Uint8Array(n);
    const ids: string[] = [];
    const word = new Uint8Array(8), wv = new DataView(word.buffer);
    for (let k = 0; k < n; k++) {
      const w = sig.widths[slots[k]!]!;
      this.mask[k] = w === 32 ? -1 : (1 << w) - 1;
      this.scalar[k] = w === 1 ? 1 : 0;
      const id = vcdId(k + 1); // `!` is the clock's
      if (id.length > MAX_ID) throw new VcdOptionError(`too many signals for a VCD (${n})`);
      ids.push(id);
      const t = (w === 1 ? '' : ' ') + id + '\n';
      word.fill(0x20);
      latin1(word, 0, t);
      this.tail[2 * k] = wv.getUint32(0, true);
      this.tail[2 * k + 1] = wv.getUint32(4, true);
      this.tailLen[k] = t.length;
    }
    this.ids = ids;
    this.clockId = latin1Bytes(vcdId(0) + '\n');
    const size = Math.max(opts.chunkSize ?? 1 << 20, 4096);
    this.buf = new Uint8Array(size);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    this.limit = size - RECORD_MAX;
    this.text(header(sig, slots, ids, vcdId(0), timescale, opts.scopes, from, opts.to));
  }

  /** Sample the signals after the clock edge of `cycle` (times must not decrease). */
  cycle(cycle: number, v: Int32Array): void {
    if (cycle > this.to || cycle < this.from) return;
    this.lastCycle = cycle;
    if (!this.started) { this.dumpvars(cycle, v); return; }
    const slots = this.slots, prev = this.prev, mask = this.mask, scalar = this.scalar;
    const tail = this.tail, tailLen = this.tailLen, buf = this.buf, dv = this.dv, limit = this.limit;
    const n = slots.length;
    let pos = this.pos;
    if (pos > limit) { this.flush(); pos = 0; }
    pos = writeTime(buf, pos, cycle, 0);
    pos = this.clock(pos, CH_1);
    for (let k = 0; k < n; k++) {
      const x = v[slots[k]!]! & mask[k]!;
      if (x === prev[k]) continue;
      prev[k] = x;
      if (pos > limit) { this.pos = pos; this.flush(); pos = 0; }
      if (scalar[k]) {
        buf[pos++] = CH_0 + x;
      } else {
        buf[pos++] = CH_B;
        pos = writeBinary(dv, pos, x);
      }
      dv.setUint32(pos, tail[2 * k]!, true);
      dv.setUint32(pos + 4, tail[2 * k + 1]!, true);
      pos += tailLen[k]!;
    }
    if (pos > limit) { this.pos = pos; this.flush(); pos = 0; }
    pos = writeTime(buf, pos, cycle, 5);
    this.pos = this.clock(pos, CH_0);
  }

  /** `0<clk>` or `1<clk>` at pos. */
  private clock(pos: number, level: number): number {
    const buf = this.buf, id = this.clockId;
    buf[pos++] = level;
    for (let i = 0; i < id.length; i++) buf[pos++] = id[i]!;
    return pos;
  }

  /** §18.2.3: `$dumpvars` with the value of every dumped signal. */
  private dumpvars(cycle: number, v: Int32Array): void {
    this.started = true;
    if (this.pos > this.limit) this.flush();
    this.pos = writeTime(this.buf, this.pos, cycle, 0);
    this.text('$dumpvars\n');
    this.pos = this.clock(this.pos, CH_1);
    const n = this.slots.length, buf = this.buf, dv = this.dv;
    for (let k = 0; k < n; k++) {
      const x = v[this.slots[k]!]! & this.mask[k]!;
      this.prev[k] = x;
      if (this.pos > this.limit) this.flush();
      let pos = this.pos;
      if (this.scalar[k]) buf[pos++] = CH_0 + x;
      else { buf[pos++] = CH_B; pos = writeBinary(dv, pos, x); }
      dv.setUint32(pos, this.tail[2 * k]!, true);
      dv.setUint32(pos + 4, this.tail[2 * k + 1]!, true);
      this.pos = pos + this.tailLen[k]!;
    }
    this.text('$end\n');
    if (this.pos > this.limit) this.flush();
    this.pos = writeTime(this.buf, this.pos, cycle, 5);
    this.pos = this.clock(this.pos, CH_0);
  }

  /** End the dump (every cycle already ends with its falling edge) and write everything. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.to = -1;
    this.flush();
    // A write that failed during the run fails the close too: the file is incomplete.
    if (this.failure !== null) throw this.failure;
  }

  /** Bytes handed to the sink so far. */
  get bytesWritten(): number {
    return this.written;
  }

  /** Hand the buffered text to the sink. */
  flush(): void {
    const len = this.pos;
    if (len === 0) return;
    this.pos = 0;
    this.emit(this.buf.subarray(0, len));
  }

  private emit(b: Uint8Array): void {
    this.written += b.length;
    try {
      this.out(b);
    } catch (e) {
      // A sink that cannot write says so with a VcdWriteError; the close then fails too.
      if (e instanceof VcdWriteError) this.failure = e;
      throw e;
    }
  }

  /** ASCII text (header, commands) through the buffer. */
  private text(s: string): void {
    if (this.pos + s.length > this.buf.length) this.flush();
    if (s.length > this.buf.length) { this.emit(latin1Bytes(s)); return; }
    this.pos = latin1(this.buf, this.pos, s);
  }
}

/**
 * `#t\n` for t = VCD_PERIOD * cycle + half (half 0 or 5) at pos, exact for any safe cycle (the
 * cycle's digits, then the last digit); returns the new pos.
 */
function writeTime(buf: Uint8Array, pos: number, cycle: number, half: number): number {
  if (cycle === 0) {
    buf[pos++] = CH_HASH;
    buf[pos++] = CH_0 + half;
    buf[pos++] = CH_NL;
    return pos;
  }
  pos = writeDecimal(buf, pos, cycle) - 1;
  buf[pos++] = CH_0 + half;
  buf[pos++] = CH_NL;
  return pos;
}

/** `#t\n` at pos; returns the new pos. t is a non-negative integer below 2^53. */
function writeDecimal(buf: Uint8Array, pos: number, t: number): number {
  buf[pos++] = CH_HASH;
  let digits = 1;
  for (let p = 10; p <= t; p *= 10) digits++;
  let q = t;
  for (let i = pos + digits - 1; i >= pos; i--) {
    const r = q % 10;
    buf[i] = CH_0 + r;
    q = (q - r) / 10;
  }
  pos += digits;
  buf[pos++] = CH_NL;
  return pos;
}

/** Write the characters of `s` (all below U+0100) at `pos` as bytes; returns the new pos. */
function latin1(buf: Uint8Array, pos: number, s: string): number {
  for (let i = 0; i < s.length; i++) buf[pos++] = s.charCodeAt(i) & 0xff;
  return pos;
}

function latin1Bytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  latin1(b, 0, s);
  return b;
}

// Binary digits of every byte value, 8 ASCII bytes as two little-endian words: DIGITS[2b],
// DIGITS[2b + 1]. LEAD is the same for the digits without leading zeros, padded with '0'.
const DIGITS = new Uint32Array(512);
const LEAD = new Uint32Array(512);
{
  const w = new Uint8Array(8), wv = new DataView(w.buffer);
  for (let b = 0; b < 256; b++) {
    latin1(w, 0, b.toString(2).padStart(8, '0'));
    DIGITS[2 * b] = wv.getUint32(0, true);
    DIGITS[2 * b + 1] = wv.getUint32(4, true);
    latin1(w, 0, b.toString(2).padEnd(8, '0'));
    LEAD[2 * b] = wv.getUint32(0, true);
    LEAD[2 * b + 1] = wv.getUint32(4, true);
  }
}

/**
 * Binary digits of x (as unsigned 32 bits) without leading zeros, `0` for zero, a byte of the
 * value at a time. Writes up to 7 bytes past the returned position (the caller leaves room).
 */
function writeBinary(dv: DataView, pos: number, x: number): number {
  const top = 31 - Math.clz32(x); // -1 for zero
  const lead = (top & 7) + 1; // digits in the leading (partial) byte
  let shift = top + 1 - lead;
  const b = top < 0 ? 0 : (x >>> shift) & 255;
  dv.setUint32(pos, LEAD[2 * b]!, true);
  dv.setUint32(pos + 4, LEAD[2 * b + 1]!, true);
  pos += top < 0 ? 1 : lead;
  while (shift > 0) {
    shift -= 8;
    const d = ((x >>> shift) & 255) << 1;
    dv.setUint32(pos, DIGITS[d]!, true);
    dv.setUint32(pos + 4, DIGITS[d + 1]!, true);
    pos += 8;
  }
  return pos;
}

/**
 * The scope tree of the dumped signals, each scope once, in order of first registration, with
 * the clock (item `slots.length`) first in the top scope.
 */
export function scopeTree(sig: Signals, slots: readonly number[]): ScopeNode {
  const root: ScopeNode = { name: '', body: [], scopes: new Map() };
  const top = CLOCK_NAME.split('.')[0]!;
  root.scopes.set(top, { name: top, body: [slots.length], scopes: new Map() });
  root.body.push(root.scopes.get(top)!);
  slots.forEach((slot, k) => {
    const parts = sig.names[slot]!.split('.');
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      let child = node.scopes.get(parts[i]!);
      if (child === undefined) {
        child = { name: parts[i]!, body: [], scopes: new Map() };
        node.scopes.set(child.name, child);
        node.body.push(child);
      }
      node = child;
    }
    node.body.push(k);
  });
  return root;
}

/** `name [msb:0]` for vectors, `name` for scalars (the reference of a `$var`). */
export function varReference(name: string, width: number): string {
  return width === 1 ? name : `${name} [${width - 1}:0]`;
}

function header(sig: Signals, slots: readonly number[], ids: readonly string[], clockId: string, timescale: string, scopes: readonly string[] | undefined, from: number, to: number | undefined): string {
  const root = scopeTree(sig, slots);
  const lines: string[] = [
    '$date',
    '\tnot recorded: the same run always gives the same file',
    '$end',
    '$version',
    '\tevm-infinity cycle model',
    '$end',
    '$comment',
    `\t${VCD_PERIOD} time units per clock cycle: #${VCD_PERIOD}c is the rising edge of cycle c and the state after it, #${VCD_PERIOD}c+${VCD_PERIOD / 2} the falling edge`,
  ];
  if (scopes !== undefined && scopes.length > 0) lines.push(`\tscopes: ${scopes.join(' ')}`);
  if (from > 0 || to !== undefined) lines.push(`\tcycles: ${from}..${to ?? ''}`);
  lines.push('$end', `$timescale ${timescale} $end`);
  const walk = (node: ScopeNode): void => {
    for (const item of node.body) {
      if (item === slots.length) {
        lines.push(`$var wire 1 ${clockId} ${CLOCK_NAME.split('.').pop()} $end`);
      } else if (typeof item === 'number') {
        const slot = slots[item]!;
        const parts = sig.names[slot]!.split('.');
        lines.push(`$var wire ${sig.widths[slot]} ${ids[item]} ${varReference(parts[parts.length - 1]!, sig.widths[slot]!)} $end`);
      } else {
        lines.push(`$scope module ${item.name} $end`);
        walk(item);
        lines.push('$upscope $end');
      }
    }
  };
  walk(root);
  lines.push('$enddefinitions $end', '');
  return lines.join('\n');
}

/** The core's tracer slot holds one tracer: a second one is chained behind the first. */
export class TeeTracer implements CycleTracer {
  constructor(readonly first: CycleTracer, readonly second: CycleTracer) {}
  cycle(cycle: number, v: Int32Array): void {
    this.first.cycle(cycle, v);
    this.second.cycle(cycle, v);
  }
}

/** What attachVcd needs of the cycle model. */
export interface TracedCore {
  readonly sig: Signals;
  readonly cycles: number;
  tracer: CycleTracer | null;
}

/**
 * Trace `core` into `w`: samples the current state (at reset: `#0`), then installs `w` as the
 * core's tracer, behind any tracer already there.
 */
export function attachVcd(core: TracedCore, w: CycleTracer): void {
  w.cycle(core.cycles, core.sig.v);
  core.tracer = core.tracer === null ? w : new TeeTracer(core.tracer, w);
}

