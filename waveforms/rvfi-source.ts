// Reading an RTL core's RVFI stream: JSON lines (one record per line), or a VCD of the core's
// rvfi_* signals sampled on each rising clock edge where rvfi_valid = 1. A sample takes the
// values the signals had just before the edge, as an `always @(posedge clock)` monitor sees them
// (NRET = 1, XLEN = 32).

import { closeSync, openSync, readSync } from 'node:fs';
import { shown, VcdReader, type VcdBatch, type VcdValue, type VcdVar } from './vcdread.js';
import { emptyRecord, parseRvfiLine, RVFI_FIELDS, TraceError, type RvfiField, type RvfiRecord } from './rvfi.js';

export interface RvfiSource {
  /** The next record, or null at the end of the trace. */
  next(): RvfiRecord | null;
  /** Where the last record came from, for messages. */
  where(): string;
  close(): void;
}

/** The longest JSON line read (bytes): a record is about 500; cores that add fields stay far below. */
export const RVFI_MAX_LINE = 64 << 10;

export class JsonLinesSource implements RvfiSource {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(1 << 20);
  /** The bytes read and not yet consumed: view[pos, view.length). */
  private view = this.buf.subarray(0, 0);
  private pos = 0;
  /** The start of a line that crosses reads (copied, as buf is reused), at most RVFI_MAX_LINE. */
  private parts: Buffer[] = [];
  private partLen = 0;
  private eof = false;
  private line = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
  }

  next(): RvfiRecord | null {
    // Lines are found with Buffer.indexOf and decoded once each: linear however long a line is.
    for (;;) {
      let l: Buffer;
      const nl = this.pos < this.view.length ? this.view.indexOf(0x0a, this.pos) : -1;
      if (nl >= 0) {
        const tail = this.view.subarray(this.pos, nl);
        this.pos = nl + 1;
        l = this.partLen === 0 ? tail : this.joined(tail);
      } else {
        if (this.pos < this.view.length) {
          const tail = this.view.subarray(this.pos);
          this.pos = this.view.length;
          this.keep(tail);
        }
        if (!this.eof) {
          const n = readSync(this.fd, this.buf, 0, this.buf.length, null);
          this.view = this.buf.subarray(0, n);
          this.pos = 0;
          if (n === 0) this.eof = true;
          continue;
        }
        if (this.partLen === 0) return null;
        l = this.joined(Buffer.alloc(0));
      }
      this.line++;
      if (l.length > RVFI_MAX_LINE) this.tooLong();
      const s = l.toString('utf8');
      if (s.trim() === '') continue;
      return parseRvfiLine(s, this.where());
    }
  }

  private keep(tail: Buffer): void {
    this.partLen += tail.length;
    if (this.partLen > RVFI_MAX_LINE) { this.line++; this.tooLong(); }
    this.parts.push(Buffer.from(tail));
  }

  private joined(tail: Buffer): Buffer {
    if (this.partLen + tail.length > RVFI_MAX_LINE) { this.line++; this.tooLong(); }
    const l = Buffer.concat([...this.parts, tail]);
    this.parts = [];
    this.partLen = 0;
    return l;
  }

  private tooLong(): never {
    throw new TraceError(`${this.where()}: longer than ${RVFI_MAX_LINE} bytes (an RVFI trace has one short JSON object a line)`);
  }

  where(): string {
    return `${this.path} line ${this.line}`;
  }

  close(): void {
    closeSync(this.fd);
  }
}

export interface VcdRvfiOptions {
  /** The clock's name (full, or the last part); default `clock` or `clk` beside rvfi_valid. */
  clock?: string;
  /** What comes before `rvfi_valid` in the signals' full names, e.g. `tb.dut.`; default: found. */
  prefix?: string;
  /** Fields not compared, which the VCD may lack. */
  ignore?: ReadonlySet<string>;
}

/** Widest rvfi_* signal read: the fields are at most 64 bits (rvfi_order) for XLEN = 32. */
const RVFI_MAX_WIDTH = 64;

const isOne = (v: VcdValue | undefined): boolean => v !== undefined && v.bits === '1';
const isZero = (v: VcdValue | undefined): boolean => v !== undefined && v.bits === '0';

export class VcdRvfiSource implements RvfiSource {
  private readonly cur = new Map<string, VcdValue>();
  private readonly fieldIds: (string | null)[];
  private time = 0n;
  // A rising edge gives at most one record, so one waiting record is enough.
  private pending: RvfiRecord | null = null;
  private pendingTime = 0n;
  private lastTime = 0n;

  private constructor(private readonly r: VcdReader, private readonly clockId: string, private readonly validId: string, fieldIds: (string | null)[]) {
    this.fieldIds = fieldIds;
  }

  static async open(path: string, opts: VcdRvfiOptions = {}): Promise<VcdRvfiSource> {
    const r = await VcdReader.open(path);
    try {
      const ignore = opts.ignore ?? new Set<string>();
      const valid = findValid(r, opts.prefix);
      const prefix = valid.name.slice(0, valid.name.length - 'rvfi_valid'.length);
      const clock = findClock(r, prefix, opts.clock);
      if (clock.width !== 1) throw new TraceError(`${path}: clock ${shown(clock.name, 200)} is ${clock.width} bits wide`);
      if (valid.width !== 1) throw new TraceError(`${path}: ${shown(valid.name, 200)} is ${valid.width} bits wide (only NRET = 1 is supported)`);
      const missing: string[] = [];
      const ids = RVFI_FIELDS.map((f) => {
        const v = r.get(`${prefix}rvfi_${f}`);
        if (v === undefined && !ignore.has(f)) missing.push(`${prefix}rvfi_${f}`);
        if (v !== undefined && v.width > RVFI_MAX_WIDTH) throw new TraceError(`${path}: ${shown(v.name, 200)} is ${v.width} bits wide (RVFI fields are at most ${RVFI_MAX_WIDTH})`);
        return v?.id ?? null;
      });
      if (missing.length > 0) throw new TraceError(`${path}: no signal ${missing.map((n) => shown(n, 200)).join(', ')} (name the others with --prefix, or skip fields with --ignore)`);
      return new VcdRvfiSource(r, clock.id, valid.id, ids);
    } catch (e) {
      r.close();
      throw e;
    }
  }

  next(): RvfiRecord | null {
    while (this.pending === null) {
      const b = this.r.next();
      if (b === null) return null;
      this.batch(b);
    }
    const rec = this.pending;
    this.pending = null;
    this.lastTime = this.pendingTime;
    return rec;
  }

  private batch(b: VcdBatch): void {
    this.time = b.time;
    let clk: VcdValue | undefined;
    for (const c of b.changes) if (c.id === this.clockId) clk = c;
    if (isOne(clk) && isZero(this.cur.get(this.clockId))) this.sample();
    for (const c of b.changes) this.cur.set(c.id, c);
  }

  private sample(): void {
    if (!isOne(this.cur.get(this.validId))) return;
    const rec = emptyRecord();
    for (let i = 0; i < RVFI_FIELDS.length; i++) {
      const id = this.fieldIds[i];
      if (id === null || id === undefined) continue;
      const f = RVFI_FIELDS[i]! as RvfiField;
      const x = this.cur.get(id);
      if (x === undefined || x.bits.includes('x')) throw new TraceError(`${this.r.path}: rvfi_${f} is ${x === undefined ? 'never set' : 'x/z'} at the rising clock edge at time ${this.time} (rvfi_valid = 1)`);
      // At most 64 bits (checked at open): exact up to 2^53, as JSON lines are.
      rec[f] = x.bits.length <= 53 ? parseInt(x.bits, 2) : Number(BigInt('0b' + x.bits));
    }
    this.pending = rec;
    this.pendingTime = this.time;
  }

  where(): string {
    return `${this.r.path} at time ${this.lastTime}`;
  }

  close(): void {
    this.r.close();
  }
}

function findValid(r: VcdReader, prefix: string | undefined): VcdVar {
  if (prefix !== undefined) {
    const v = r.get(`${prefix}rvfi_valid`) ?? r.get(`${prefix}.rvfi_valid`);
    if (v === undefined) throw new TraceError(`${r.path}: no signal ${prefix}rvfi_valid`);
    return v;
  }
  const all = r.vars.filter((v) => v.name === 'rvfi_valid' || v.name.endsWith('.rvfi_valid'));
  const names = [...new Set(all.map((v) => v.name))];
  if (names.length === 0) throw new TraceError(`${r.path}: no rvfi_valid signal (is this an RVFI waveform?)`);
  if (names.length > 1) throw new TraceError(`${r.path}: several rvfi_valid signals (${names.slice(0, 4).map((n) => shown(n, 200)).join(', ')}): choose one with --prefix`);
  return all[0]!;
}

function findClock(r: VcdReader, prefix: string, name: string | undefined): VcdVar {
  const scope = prefix.includes('.') ? prefix.slice(0, prefix.lastIndexOf('.') + 1) : '';
  const tries = name !== undefined ? [name, scope + name, prefix + name] : [scope + 'clock', scope + 'clk', prefix + 'clock', prefix + 'clk'];
  for (const t of tries) {
    const v = r.get(t);
    if (v !== undefined) return v;
  }
  const wanted = name !== undefined ? [name] : ['clock', 'clk'];
  const all = r.vars.filter((v) => wanted.some((w) => v.name === w || v.name.endsWith('.' + w)));
  const names = [...new Set(all.map((v) => v.name))];
  if (names.length === 1) return all[0]!;
  if (names.length === 0) throw new TraceError(`${r.path}: no clock signal ${name ?? 'clock or clk'} (name it with --clock)`);
  throw new TraceError(`${r.path}: several clock signals (${names.slice(0, 4).map((n) => shown(n, 200)).join(', ')}): choose one with --clock`);
}

/** A VCD when its name ends in .vcd, else JSON lines. */
export async function openRvfiSource(path: string, opts: VcdRvfiOptions = {}): Promise<RvfiSource> {
  return /\.vcd$/i.test(path) ? VcdRvfiSource.open(path, opts) : new JsonLinesSource(path);
}
