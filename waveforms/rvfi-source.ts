// Reading an RTL core's RVFI stream: JSON lines (one record per line), or a VCD of the core's
// rvfi_* signals sampled on each rising clock edge where rvfi_valid = 1. A sample takes the
// values the signals had just before the edge, as an `always @(posedge clock)` monitor sees them
// (NRET = 1, XLEN = 32).

import { closeSync, openSync, readSync } from 'node:fs';
import { VcdReader, type VcdBatch, type VcdValue, type VcdVar } from './vcdread.js';
import { emptyRecord, parseRvfiLine, RVFI_FIELDS, TraceError, type RvfiField, type RvfiRecord } from './rvfi.js';

export interface RvfiSource {
  /** The next record, or null at the end of the trace. */
  next(): RvfiRecord | null;
  /** Where the last record came from, for messages. */
  where(): string;
  close(): void;
}

export class JsonLinesSource implements RvfiSource {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(1 << 20);
  private lines: string[] = [];
  private idx = 0;
  private rest = '';
  private eof = false;
  private line = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
  }

  next(): RvfiRecord | null {
    for (;;) {
      while (this.idx < this.lines.length) {
        const l = this.lines[this.idx++]!;
        this.line++;
        if (l.trim() === '') continue;
        return parseRvfiLine(l, this.where());
      }
      if (this.eof) return null;
      const n = readSync(this.fd, this.buf, 0, this.buf.length, null);
      if (n === 0) {
        this.eof = true;
        this.lines = this.rest === '' ? [] : [this.rest];
        this.rest = '';
      } else {
        const parts = (this.rest + this.buf.toString('utf8', 0, n)).split('\n');
        this.rest = parts.pop()!;
        this.lines = parts;
      }
      this.idx = 0;
    }
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

export class VcdRvfiSource implements RvfiSource {
  private readonly cur = new Map<string, VcdValue>();
  private readonly queue: RvfiRecord[] = [];
  private readonly fieldIds: (string | null)[];
  private time = 0n;
  private recTime: bigint[] = [];
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
      if (clock.width !== 1) throw new TraceError(`${path}: clock ${clock.name} is ${clock.width} bits wide`);
      if (valid.width !== 1) throw new TraceError(`${path}: ${valid.name} is ${valid.width} bits wide (only NRET = 1 is supported)`);
      const missing: string[] = [];
      const ids = RVFI_FIELDS.map((f) => {
        const v = r.get(`${prefix}rvfi_${f}`);
        if (v === undefined && !ignore.has(f)) missing.push(`${prefix}rvfi_${f}`);
        return v?.id ?? null;
      });
      if (missing.length > 0) throw new TraceError(`${path}: no signal ${missing.join(', ')} (name the others with --prefix, or skip fields with --ignore)`);
      return new VcdRvfiSource(r, clock.id, valid.id, ids);
    } catch (e) {
      r.close();
      throw e;
    }
  }

  next(): RvfiRecord | null {
    while (this.queue.length === 0) {
      const b = this.r.next();
      if (b === null) return null;
      this.batch(b);
    }
    this.lastTime = this.recTime.shift()!;
    return this.queue.shift()!;
  }

  private batch(b: VcdBatch): void {
    this.time = b.time;
    let clk: VcdValue | undefined;
    for (const c of b.changes) if (c.id === this.clockId) clk = c;
    const before = this.cur.get(this.clockId);
    const rising = clk !== undefined && clk.mask === 0n && clk.value === 1n && before !== undefined && before.mask === 0n && before.value === 0n;
    if (rising) this.sample();
    for (const c of b.changes) this.cur.set(c.id, c);
  }

  private sample(): void {
    const v = this.cur.get(this.validId);
    if (v === undefined || v.mask !== 0n || v.value !== 1n) return;
    const rec = emptyRecord();
    for (let i = 0; i < RVFI_FIELDS.length; i++) {
      const id = this.fieldIds[i];
      if (id === null || id === undefined) continue;
      const f = RVFI_FIELDS[i]! as RvfiField;
      const x = this.cur.get(id);
      if (x === undefined || x.mask !== 0n) throw new TraceError(`${this.r.path}: rvfi_${f} is ${x === undefined ? 'never set' : 'x/z'} at the rising clock edge at time ${this.time} (rvfi_valid = 1)`);
      rec[f] = Number(x.value);
    }
    this.queue.push(rec);
    this.recTime.push(this.time);
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
  if (names.length > 1) throw new TraceError(`${r.path}: several rvfi_valid signals (${names.slice(0, 4).join(', ')}): choose one with --prefix`);
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
  throw new TraceError(`${r.path}: several clock signals (${names.slice(0, 4).join(', ')}): choose one with --clock`);
}

/** A VCD when its name ends in .vcd, else JSON lines. */
export async function openRvfiSource(path: string, opts: VcdRvfiOptions = {}): Promise<RvfiSource> {
  return /\.vcd$/i.test(path) ? VcdRvfiSource.open(path, opts) : new JsonLinesSource(path);
}
