// Waveforms of the cycle model as FST, GTKWave's compressed and indexed format (the layout of
// GTKWave's libfst, fstapi.c: the writer's header, value-change, geometry and hierarchy blocks).
// The signals, their names, the clock and the times are those of the VCD writer (waveforms/vcd.ts),
// so `fst2vcd` of this file and our VCD of the same run hold the same values at the same times.
//
// Streaming with bounded memory: each change is encoded at once onto its signal's chain (a time
// delta and the value, as libfst encodes them) and, when the chains hold `blockBytes`, they are
// written out as one value-change block (FST_BL_VCDATA_DYN_ALIAS2): a frame with every value at
// the block's first time, one zlib-compressed chain per signal, the chain positions and the
// block's time table. The header at offset 0 is rewritten by close() with the
// final times and counts, so the output must be a regular file.

import { fstatSync, writeSync } from 'node:fs';
import { deflateSync, gzipSync } from 'node:zlib';
import type { CycleTracer } from '../cpu/core.js';
import type { Signals } from '../cpu/signals.js';
import { checkVcdOptions, CLOCK_NAME, scopeTree, selectSignals, varReference, VCD_PERIOD, VcdOptionError, VcdWriteError, WaveFile, type ScopeNode, type VcdOptions } from './vcd.js';

// Block types and hierarchy tags (fstapi.h).
const FST_BL_HDR = 0, FST_BL_GEOM = 3, FST_BL_HIER = 4, FST_BL_VCDATA_DYN_ALIAS2 = 8;
const FST_ST_VCD_SCOPE = 254, FST_ST_VCD_UPSCOPE = 255, FST_ST_VCD_MODULE = 0;
const FST_VT_VCD_WIRE = 16, FST_VD_IMPLICIT = 0;
/** Section length of the header block (fstapi.c: FST_HDR_SIZE). */
const HDR_SECLEN = 329;
/** Chains up to this many bytes are stored uncompressed (as libfst does). */
const SMALL_CHAIN = 32;

export interface FstOptions extends VcdOptions {
  /** Bytes of encoded changes buffered before a block is written (default 8 MiB). */
  blockBytes?: number;
}

/** Times per block at most (the time table and the chains' time deltas stay small). */
const BLOCK_TIMES = 1 << 20;

/** A growable byte buffer for one block's sections. */
class Bytes {
  buf: Buffer;
  len = 0;
  constructor(size = 1 << 16) { this.buf = Buffer.allocUnsafe(size); }
  room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const b = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(b, 0, 0, this.len);
    this.buf = b;
  }
  byte(b: number): void { this.room(1); this.buf[this.len++] = b; }
  /** Unsigned LEB128 (fstWriterVarint), for values below 2^53. */
  varint(v: number): void {
    this.room(10);
    while (v >= 0x80) { this.buf[this.len++] = (v % 0x80) | 0x80; v = Math.floor(v / 0x80); }
    this.buf[this.len++] = v;
  }
  /** Signed LEB128 (fstWriterSVarint). */
  svarint(v: number): void {
    this.room(10);
    for (;;) {
      const b = v & 0x7f;
      v = Math.floor(v / 128);
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) { this.buf[this.len++] = b; return; }
      this.buf[this.len++] = b | 0x80;
    }
  }
  u64(v: number): void { this.room(8); this.buf.writeBigUInt64BE(BigInt(v), this.len); this.len += 8; }
  bytes(b: Uint8Array): void { this.room(b.length); this.buf.set(b, this.len); this.len += b.length; }
  view(): Buffer { return this.buf.subarray(0, this.len); }
}

/** zlib-compressed when that is smaller (the reader compares the two lengths), else the bytes. */
function packed(raw: Buffer, level: number): Buffer {
  const z = deflateSync(raw, { level });
  return z.length < raw.length ? z : raw;
}

export class FstWriter implements CycleTracer {
  /** Slots of the dumped signals, in handle order (handle h + 1 is `sig.v[slots[h]]`); the clock is handle `clock + 1`. */
  private readonly slots: Int32Array;
  private readonly widths: Uint8Array;
  private readonly mask: Int32Array;
  /** Handle index of the clock. */
  private readonly clock: number;
  /** Current value per handle, and the values at the current block's first time. */
  private readonly cur: Int32Array;
  private readonly frame: Int32Array;
  // The current block's chain per handle: encoded changes, their length, the last change's time index.
  private readonly chains: Uint8Array[];
  private readonly chainLen: Int32Array;
  private readonly lastT: Int32Array;
  /** Bytes in all chains, and the most before a block is written. */
  private pending = 0;
  private readonly blockBytes: number;
  /** The block's times (index 0: its first time, the previous block's last). */
  private readonly times: Float64Array;
  private nTimes = 0;
  private readonly from: number;
  private to: number;
  private started = false;
  private closed = false;
  private firstTime = 0;
  private lastTime = 0;
  private blocks = 0;
  private offset = 0;
  private readonly hier: Buffer;
  private readonly scopes: number;
  /** The file's timescale as a power of ten of seconds. */
  private readonly timescale: number;
  private written = 0;

  constructor(sig: Signals, private readonly fd: number, opts: FstOptions = {}) {
    const { from, to, timescale } = checkVcdOptions(opts);
    this.from = from;
    this.to = to;
    if (!fstatSync(fd).isFile()) throw new VcdOptionError('an FST must go to a regular file (its header is rewritten when it is closed)');
    const selected = selectSignals(sig, opts.scopes);
    // Handles follow the order of the variables in the hierarchy.
    const order: number[] = [];
    const hier = new Bytes(1 << 14);
    let scopes = 0;
    const walk = (node: ScopeNode): void => {
      for (const item of node.body) {
        if (typeof item === 'number') {
          const isClock = item === selected.length;
          const name = isClock ? CLOCK_NAME.split('.').pop()! : sig.names[selected[item]!]!.split('.').pop()!;
          const width = isClock ? 1 : sig.widths[selected[item]!]!;
          hier.byte(FST_VT_VCD_WIRE);
          hier.byte(FST_VD_IMPLICIT);
          hier.bytes(Buffer.from(varReference(name, width) + '\0', 'latin1'));
          hier.varint(width);
          hier.varint(0); // not an alias
          order.push(isClock ? -1 : selected[item]!);
        } else {
          hier.byte(FST_ST_VCD_SCOPE);
          hier.byte(FST_ST_VCD_MODULE);
          hier.bytes(Buffer.from(`${item.name}\0\0`, 'latin1')); // name, component
          scopes++;
          walk(item);
          hier.byte(FST_ST_VCD_UPSCOPE);
        }
      }
    };
    walk(scopeTree(sig, selected));
    this.hier = Buffer.from(hier.view());
    this.scopes = scopes;
    const n = order.length;
    this.clock = order.indexOf(-1);
    this.slots = Int32Array.from(order, (s) => (s < 0 ? 0 : s));
    this.widths = Uint8Array.from(order, (s) => (s < 0 ? 1 : sig.widths[s]!));
    this.mask = Int32Array.from(this.widths, (w) => (w === 32 ? -1 : (1 << w) - 1));
    this.cur = new Int32Array(n);
    this.frame = new Int32Array(n);
    this.blockBytes = Math.max(opts.blockBytes ?? 8 << 20, 1024);
    this.chains = Array.from({ length: n }, () => new Uint8Array(64));
    this.chainLen = new Int32Array(n);
    this.lastT = new Int32Array(n);
    this.times = new Float64Array(BLOCK_TIMES);
    this.timescale = FstWriter.exponent(timescale);
    this.emit(this.headerBlock());
  }

  /** `100ps` as the power of ten of seconds FST stores (-10). */
  private static exponent(ts: string): number {
    const m = /^(1|10|100)(s|ms|us|ns|ps|fs)$/.exec(ts)!;
    return [0, -3, -6, -9, -12, -15][['s', 'ms', 'us', 'ns', 'ps', 'fs'].indexOf(m[2]!)]! + m[1]!.length - 1;
  }

  /** Sample the signals after the clock edge of `cycle` (cycles must increase). */
  cycle(cycle: number, v: Int32Array): void {
    if (cycle > this.to || cycle < this.from) return;
    const slots = this.slots, mask = this.mask, cur = this.cur, n = slots.length, clock = this.clock;
    if (this.pending > this.blockBytes || this.nTimes + 2 > BLOCK_TIMES) this.flushBlock();
    const t = cycle * VCD_PERIOD;
    const ti = this.nTimes++;
    this.times[ti] = t;
    this.change(clock, ti, 1);
    // As libfst does, the first block's frame is all x and the first values are changes at its
    // first time (readers take the first block's values from its changes, not its frame).
    const all = !this.started;
    if (all) { this.started = true; this.firstTime = t; }
    for (let h = 0; h < n; h++) {
      if (h === clock) continue;
      const x = v[slots[h]!]! & mask[h]!;
      if (x === cur[h] && !all) continue;
      this.change(h, ti, x);
    }
    const fall = this.nTimes++;
    this.times[fall] = t + VCD_PERIOD / 2;
    this.change(clock, fall, 0);
    this.lastTime = t + VCD_PERIOD / 2;
  }

  /**
   * Encode a change onto handle h's chain (fstapi.c, fstWriterFlushContextPrivate): scalars as
   * varint(dt << 2 | v << 1), vectors as varint(dt << 1) and the bits MSB first in whole bytes,
   * the last byte filled from its top; dt counts time indices since the handle's last change.
   */
  private change(h: number, ti: number, x: number): void {
    this.cur[h] = x;
    const w = this.widths[h]!;
    const dt = ti - this.lastT[h]!;
    this.lastT[h] = ti;
    let p = this.chainLen[h]!;
    let c = this.chains[h]!;
    if (p + 9 > c.length) {
      const g = new Uint8Array(c.length * 2);
      g.set(c);
      c = this.chains[h] = g;
    }
    const start = p;
    let u = w === 1 ? (dt << 2) | (x << 1) : dt << 1;
    while (u >= 0x80) { c[p++] = (u & 0x7f) | 0x80; u >>>= 7; }
    c[p++] = u;
    if (w > 1) {
      const nbytes = (w + 7) >> 3;
      const y = (x << (nbytes * 8 - w)) >>> 0;
      for (let k = nbytes - 1; k >= 0; k--) c[p++] = (y >>> (8 * k)) & 255;
    }
    this.chainLen[h] = p;
    this.pending += p - start;
  }

  /** Write the buffered changes as one value-change block; the next block starts at the last time. */
  private flushBlock(): void {
    if (this.nTimes === 0 || (this.blocks > 0 && this.nTimes === 1)) return;
    const n = this.slots.length, widths = this.widths;
    const out = new Bytes(this.pending + (1 << 16));
    out.byte(FST_BL_VCDATA_DYN_ALIAS2);
    out.u64(0); // section length, patched below
    out.u64(this.times[0]!);
    out.u64(this.times[this.nTimes - 1]!);
    const memreqAt = out.len;
    out.u64(0); // bytes a reader needs for all uncompressed chains, patched below
    // The frame: every value at the block's first time, as '0'/'1' characters, MSB first.
    let bits = 0;
    for (let h = 0; h < n; h++) bits += widths[h]!;
    const frame = Buffer.allocUnsafe(bits);
    if (this.blocks === 0) frame.fill(0x78); // 'x'
    else for (let h = 0, p = 0; h < n; h++) {
      const w = widths[h]!, x = this.frame[h]!;
      for (let b = w - 1; b >= 0; b--) frame[p++] = 0x30 + ((x >>> b) & 1);
    }
    const zf = packed(frame, 4);
    out.varint(bits);
    out.varint(zf.length);
    out.varint(n);
    out.bytes(zf);
    // The chains, one per handle with changes, in handle order; positions count from the pack byte.
    out.varint(n);
    out.byte(0x5a); // 'Z': zlib
    const vcStart = out.len - 1;
    const pos = new Float64Array(n);
    let memreq = 0;
    for (let h = 0; h < n; h++) {
      const len = this.chainLen[h]!;
      if (len === 0) continue;
      memreq += len;
      pos[h] = out.len - vcStart;
      const raw = this.chains[h]!.subarray(0, len);
      const z = len > SMALL_CHAIN ? deflateSync(raw, { level: 4 }) : null;
      if (z !== null && z.length < len) { out.varint(len); out.bytes(z); } else { out.varint(0); out.bytes(raw); }
    }
    // The position table: runs of handles without changes, and deltas between chain positions.
    const tableAt = out.len;
    let zeros = 0, prev = 0;
    for (let h = 0; h < n; h++) {
      if (pos[h] === 0) { zeros++; continue; }
      if (zeros > 0) { out.varint(zeros * 2); zeros = 0; }
      out.svarint((pos[h]! - prev) * 2 + 1);
      prev = pos[h]!;
    }
    if (zeros > 0) out.varint(zeros * 2);
    out.u64(out.len - tableAt);
    // The time table: the first time, then deltas.
    const tt = new Bytes(this.nTimes * 2 + 16);
    tt.varint(this.times[0]!);
    for (let i = 1; i < this.nTimes; i++) tt.varint(this.times[i]! - this.times[i - 1]!);
    const zt = packed(tt.view(), 9);
    out.bytes(zt);
    out.u64(tt.len);
    out.u64(zt.length);
    out.u64(this.nTimes);
    const block = out.view();
    block.writeBigUInt64BE(BigInt(block.length - 1), 1);
    block.writeBigUInt64BE(BigInt(memreq), memreqAt);
    this.emit(block);
    this.blocks++;
    // The next block begins where this one ended.
    this.frame.set(this.cur);
    this.times[0] = this.times[this.nTimes - 1]!;
    this.nTimes = 1;
    this.chainLen.fill(0);
    this.lastT.fill(0);
    this.pending = 0;
  }

  /** End the dump: the last block, the geometry and hierarchy blocks, and the final header. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.to = -1;
    this.flushBlock();
    const n = this.slots.length;
    const geom = new Bytes(n * 2);
    for (let h = 0; h < n; h++) geom.varint(this.widths[h]!);
    const zg = packed(geom.view(), 9);
    const g = new Bytes(zg.length + 32);
    g.byte(FST_BL_GEOM);
    g.u64(zg.length + 24);
    g.u64(geom.len);
    g.u64(n);
    g.bytes(zg);
    this.emit(g.view());
    const zh = gzipSync(this.hier, { level: 4 });
    const hb = new Bytes(zh.length + 32);
    hb.byte(FST_BL_HIER);
    hb.u64(zh.length + 16);
    hb.u64(this.hier.length);
    hb.bytes(zh);
    this.emit(hb.view());
    this.write(this.headerBlock(), 0);
  }

  private headerBlock(): Buffer {
    const h = Buffer.alloc(1 + HDR_SECLEN);
    h[0] = FST_BL_HDR;
    h.writeBigUInt64BE(BigInt(HDR_SECLEN), 1);
    h.writeBigUInt64BE(BigInt(this.firstTime), 9);
    h.writeBigUInt64BE(BigInt(this.lastTime), 17);
    h.writeDoubleLE(Math.E, 25); // the endianness test for reals, in this (little-endian) machine's order
    h.writeBigUInt64BE(BigInt(this.blockBytes), 33);
    h.writeBigUInt64BE(BigInt(this.scopes), 41);
    h.writeBigUInt64BE(BigInt(this.slots.length), 49); // variables
    h.writeBigUInt64BE(BigInt(this.slots.length), 57); // handles (no aliases)
    h.writeBigUInt64BE(BigInt(this.blocks), 65);
    h.writeInt8(this.timescale, 73);
    h.write('evm-infinity cycle model', 74, 'latin1');
    h.write('not recorded: the same run always gives the same file', 202, 'latin1');
    return h;
  }

  private emit(b: Uint8Array): void {
    this.write(b, this.offset);
    this.offset += b.length;
    this.written += b.length;
  }

  private write(b: Uint8Array, at: number): void {
    let off = 0;
    while (off < b.length) {
      try {
        off += writeSync(this.fd, b, off, b.length - off, at + off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? 'error';
        if (code === 'EAGAIN') continue;
        throw new VcdWriteError(`cannot write the waveform (${code})`, code);
      }
    }
  }

  /** Bytes written to the file so far. */
  get bytesWritten(): number {
    return this.written;
  }
}

/** An FST under a temporary name, renamed into place by close() (WaveFile, as VcdFile). */
export class FstFile extends WaveFile<FstWriter, FstOptions> {
  constructor(path: string, sig: Signals, opts: FstOptions = {}) {
    super(path, sig, opts, (s, fd, o) => new FstWriter(s, fd, o));
  }
}
