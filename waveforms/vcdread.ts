// Reading VCD waveforms (IEEE 1364-2005 §18) with vcd-stream's WebAssembly parser, pulled one
// timestamp at a time so that two waveforms (vcd diff) or a waveform and a model (RVFI) can be
// walked side by side without holding either file in memory.

import { closeSync, openSync, readSync } from 'node:fs';
import type { VcdParser, VcdScope } from 'vcd-stream';

/** A waveform a user supplied is malformed or unsupported: one line, with where. */
export class VcdError extends Error {}

export interface VcdVar {
  /** The identifier code; several variables may share one (aliases). */
  id: string;
  /** Hierarchical name: scopes and variable joined by '.', e.g. `top.cpu.rvfi_valid`. */
  name: string;
  width: number;
  type: string;
}

/** A value: `mask` has a 1 for every x/z bit (value bits there are 0). */
export interface VcdValue {
  value: bigint;
  mask: bigint;
}

export interface VcdChange extends VcdValue {
  id: string;
}

export interface VcdBatch {
  time: bigint;
  changes: VcdChange[];
}

// vcd-stream change commands: 14/15 scalar 0/1, 16–28 scalar x, z and VHDL states, 30/31 vector, 32/33 real.
const CMD_0 = 14, CMD_1 = 15, CMD_LAST_SCALAR = 28, CMD_VECTOR_B = 30, CMD_VECTOR_B2 = 31;
const TIME_UNSET = 0x7fffffffffffffffn;
/** The parser copies each chunk onto its small WebAssembly stack: keep chunks small. */
const CHUNK = 16 << 10;

const PARSE_ERRORS: Readonly<Record<number, string>> = {
  1: 'expected a declaration command ($scope, $var, $upscope, $enddefinitions, ...)',
  3: 'unknown $var type',
  4: 'expected a value change or #time',
  5: 'vector value too wide',
  6: 'malformed vector value',
};

/** A line that cannot appear in a VCD (used only to locate an error the parser reported). */
function badLine(line: string, simulation: boolean): boolean {
  const s = line.trim();
  if (s === '') return false;
  if (!simulation) return !s.startsWith('$') && !/\$end$/.test(s) && !/^[\w.[\]:\s-]*$/.test(s);
  return !/^(#\d+|[01xXzZuUwWlLhH-][!-~]+|[bBrR][^\s]*\s+[!-~]+|\$\w+.*|.*\$end)$/.test(s);
}

export class VcdReader {
  readonly vars: VcdVar[] = [];
  private readonly byName = new Map<string, VcdVar>();
  /** Width of each identifier code. */
  readonly ids = new Map<string, number>();
  timescale = '';
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(CHUNK);
  private eof = false;
  private headerDone = false;
  private line = 1;
  // Queue of parsed changes (struct of arrays), consumed by next().
  private qt: bigint[] = [];
  private qc: VcdChange[] = [];
  private head = 0;

  private constructor(readonly path: string, private readonly p: VcdParser) {
    this.fd = openSync(path, 'r');
    p.change.any((id, time, cmd, value, mask) => this.onChange(id, time, cmd, value, mask));
    p.on('$enddefinitions', () => { this.headerDone = true; });
  }

  /** Open a VCD and read its header. */
  static async open(path: string): Promise<VcdReader> {
    const vcd = (await import('vcd-stream')).default;
    const r = new VcdReader(path, await vcd.webVcdParser(await vcd.createVCD()));
    try {
      while (!r.headerDone && !r.eof) r.feed();
      if (!r.headerDone) throw new VcdError(`${path}: no $enddefinitions: not a VCD file`);
      r.readHeader();
    } catch (e) {
      r.close();
      throw e;
    }
    return r;
  }

  private readHeader(): void {
    const info = this.p.info;
    this.timescale = (info.timescale ?? '').replace(/\s+/g, '');
    const walk = (s: VcdScope, path: string): void => {
      for (const n of s.body) {
        if (n.kind === 'scope') walk(n, path + n.name + '.');
        else {
          const v: VcdVar = { id: n.link, name: path + n.name, width: n.size, type: n.type };
          if (!Number.isInteger(v.width) || v.width <= 0) throw new VcdError(`${this.path}: $var ${v.name} has a bad size`);
          this.vars.push(v);
          this.ids.set(v.id, v.width);
          if (!this.byName.has(v.name)) this.byName.set(v.name, v);
        }
      }
    };
    walk(info.wires, '');
    if (this.vars.length === 0) throw new VcdError(`${this.path}: declares no variables`);
  }

  get(name: string): VcdVar | undefined {
    return this.byName.get(name);
  }

  private onChange(id: string, time: bigint, cmd: number, value?: bigint, mask?: bigint): void {
    let c: VcdChange;
    if (cmd === CMD_0 || cmd === CMD_1) c = { id, value: cmd === CMD_1 ? 1n : 0n, mask: 0n };
    else if (cmd > CMD_1 && cmd <= CMD_LAST_SCALAR) c = { id, value: 0n, mask: 1n };
    else if (cmd === CMD_VECTOR_B || cmd === CMD_VECTOR_B2) c = { id, value: value ?? 0n, mask: mask ?? 0n };
    else throw new VcdError(`${this.path}: real-valued variables are not supported (id ${id})`);
    this.qt.push(time === TIME_UNSET ? 0n : time);
    this.qc.push(c);
  }

  /** Parse one more chunk. vcd-stream reports parse errors only through console.log. */
  private feed(): void {
    const n = readSync(this.fd, this.buf, 0, CHUNK, null);
    if (n === 0) { this.eof = true; return; }
    const chunk = this.buf.subarray(0, n);
    const log = console.log;
    let code: unknown = null;
    console.log = (...a: unknown[]): void => { code ??= a[0]; };
    const wasHeader = this.headerDone;
    try {
      this.p._write(chunk, 'buffer', () => undefined);
    } finally {
      console.log = log;
    }
    if (code !== null) {
      const text = chunk.toString('latin1').split('\n');
      let at = -1;
      for (let i = 0; i < text.length; i++) if (badLine(text[i]!, wasHeader || i > 0 && this.headerDone)) { at = i; break; }
      const where = at >= 0 ? `line ${this.line + at}: '${text[at]!.trim().slice(0, 60)}'` : `near line ${this.line}`;
      throw new VcdError(`malformed VCD ${this.path}, ${where}: ${PARSE_ERRORS[Number(code)] ?? `parse error ${String(code)}`}`);
    }
    for (let i = 0; i < n; i++) if (chunk[i] === 10) this.line++;
  }

  /** The next timestamp with changes, all of its changes in file order; null at the end. */
  next(): VcdBatch | null {
    while (!this.eof && (this.head >= this.qt.length || this.qt[this.qt.length - 1]! === this.qt[this.head]!)) this.feed();
    if (this.head >= this.qt.length) return null;
    const t = this.qt[this.head]!;
    const changes: VcdChange[] = [];
    while (this.head < this.qt.length && this.qt[this.head] === t) {
      const c = this.qc[this.head++]!;
      const w = this.ids.get(c.id);
      if (w === undefined) throw new VcdError(`${this.path}: value change of undeclared identifier '${c.id}' at time ${t}`);
      if (c.mask !== 0n) extendUnknown(c, w);
      changes.push(c);
    }
    if (this.head > 4096 && this.head * 2 > this.qt.length) {
      this.qt = this.qt.slice(this.head);
      this.qc = this.qc.slice(this.head);
      this.head = 0;
    }
    if (this.head < this.qt.length && this.qt[this.head]! < t) throw new VcdError(`${this.path}: time goes backwards (#${this.qt[this.head]} after #${t})`);
    return { time: t, changes };
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}

const bitLength = (v: bigint): number => (v === 0n ? 0 : v.toString(2).length);

/**
 * A vector value shorter than its variable is extended on the left with 0, or with x when its
 * leftmost digit is x (§18.2.1). The parser drops leading zeros, so a leftmost x shows as a mask
 * bit above every value bit.
 */
function extendUnknown(c: VcdChange, width: number): void {
  const top = bitLength(c.mask);
  const all = (1n << BigInt(width)) - 1n;
  if (top > bitLength(c.value) && top < width) c.mask |= all & ~((1n << BigInt(top)) - 1n);
  c.mask &= all;
  c.value &= all & ~c.mask;
}

/** Parse a $timescale such as `1ns` or `10 ps` into femtoseconds. */
export function timescaleFs(ts: string, path: string): bigint {
  if (ts === '') return 1_000_000n; // IEEE 1364 leaves it to the tool; 1 ns is the common default
  const m = /^(1|10|100)(s|ms|us|ns|ps|fs)$/.exec(ts);
  if (!m) throw new VcdError(`${path}: bad $timescale '${ts}'`);
  const unit: Record<string, bigint> = { s: 10n ** 15n, ms: 10n ** 12n, us: 10n ** 9n, ns: 10n ** 6n, ps: 10n ** 3n, fs: 1n };
  return BigInt(m[1]!) * unit[m[2]!]!;
}

/** Format a value as Verilog would show it: binary with x for unknown bits, or hex when known. */
export function formatValue(v: VcdValue | undefined, width: number): string {
  if (v === undefined) return 'x (never set)';
  if (v.mask !== 0n) {
    let s = '';
    for (let i = width - 1; i >= 0; i--) s += (v.mask >> BigInt(i)) & 1n ? 'x' : (v.value >> BigInt(i)) & 1n ? '1' : '0';
    return `b${s}`;
  }
  return width === 1 ? v.value.toString() : `0x${v.value.toString(16)}`;
}
