// Reading VCD waveforms (IEEE 1364-2005 §18), pulled one timestamp at a time so that two
// waveforms (vcd diff) or a waveform and a model (RVFI) can be walked side by side without
// holding either file in memory.
//
// The file may come from anywhere, so the reader is a byte-level tokenizer that is linear in its
// input, keeps no recursion, and has fixed limits (docs/waveforms.md, "Reading waveforms"):
// declared widths, token, name and declaration lengths, and the header's total names. Values
// are kept as normalised strings of 0/1/x, never as numbers of the file's choosing.
//
// Why not vcd-stream's WebAssembly parser, which the tests still use as an outside reader of
// the VCDs we write: its C tokenizer copies tokens into fixed 4 KiB buffers without a length
// check, rescans a vector value for every digit (quadratic in the width) and walks scopes
// recursively, so a hostile 114-byte file hung it and a deep hierarchy overflowed the stack.

import { closeSync, openSync, readSync } from 'node:fs';

/** A waveform a user supplied is malformed, unsupported or beyond a limit: one line, with where. */
export class VcdError extends Error {
  /** The exit code's name (cpu/exit-codes.ts EXIT) when this error ends an evminf command. */
  readonly exit = 'BAD_INPUT' as const;
}

/** The widest variable read (bits): vectors in real designs are rarely wider than a few thousand. */
export const VCD_MAX_WIDTH = 65536;
/** The longest hierarchical name (scopes and variable joined by '.'), in characters. */
export const VCD_MAX_NAME = 4096;
/** The longest token other than a vector value (identifier codes, times, words of a declaration). */
export const VCD_MAX_TOKEN = 4096;
/** The longest declaration ($var, $scope, $timescale, ...) between its keyword and $end. */
export const VCD_MAX_DECLARATION = 16384;
/** All hierarchical names of a header together, in characters (bounds the memory they take). */
export const VCD_MAX_NAMES_TOTAL = 64 << 20;

export interface VcdVar {
  /** The identifier code; several variables may share one (aliases). */
  id: string;
  /** Hierarchical name: scopes and variable joined by '.', e.g. `top.cpu.rvfi_valid`. */
  name: string;
  width: number;
  type: string;
}

/**
 * A value, normalised so that two values of one variable are equal exactly when their strings
 * are: digits 0, 1 and x (z and the other unknown states read as x), most significant first,
 * with the run of leading 0s or xs of the full-width value shortened to one digit. A shorter
 * value stands for its left-extension to `width` bits (§18.2.1: with x when it starts with x,
 * else with 0).
 */
export interface VcdValue {
  bits: string;
  width: number;
}

export class VcdChange implements VcdValue {
  constructor(readonly id: string, readonly bits: string, readonly width: number) {}

  /** The known bits as a number (x bits are 0); bounded by VCD_MAX_WIDTH. */
  get value(): bigint {
    return BigInt('0b' + this.bits.replace(/x/g, '0'));
  }

  /** A 1 for every x bit. */
  get mask(): bigint {
    const b = this.bits;
    let m = BigInt('0b' + b.replace(/1/g, '0').replace(/x/g, '1'));
    if (b.charCodeAt(0) === X && b.length < this.width) m |= ((1n << BigInt(this.width)) - 1n) ^ ((1n << BigInt(b.length)) - 1n);
    return m;
  }
}

export interface VcdBatch {
  time: bigint;
  /** The changes at this time, one per identifier code (its last), in order of first change. */
  changes: VcdChange[];
}

const CHUNK = 64 << 10;
const NL = 0x0a, HASH = 0x23, DOLLAR = 0x24, ZERO = 0x30, ONE = 0x31, X = 0x78;
const MAX_TIME = (1n << 64n) - 1n;
/** Digit classes: 0, 1, 2 = unknown (x, z and the IEEE 1800 states u w l h -), -1 = not a digit. */
const DIGIT = new Int8Array(256).fill(-1);
DIGIT[ZERO] = 0;
DIGIT[ONE] = 1;
for (const c of 'xXzZuUwWlLhH-') DIGIT[c.charCodeAt(0)] = 2;
const DIGIT_CHAR = [ZERO, ONE, X];
const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/** For a message: printable ASCII only (one line whatever the file holds), at most `max` characters. */
export function shown(s: string, max = 60): string {
  const t = s.length > max ? s.slice(0, max - 3) + '...' : s;
  return t.replace(/[^\x20-\x7e]/g, '?');
}

export class VcdReader {
  readonly vars: VcdVar[] = [];
  private readonly byName = new Map<string, VcdVar>();
  /** Width of each identifier code. */
  readonly ids = new Map<string, number>();
  timescale = '';
  private readonly fd: number;
  // The input window: bytes [pos, end) are unread; a token never spans a refill.
  private buf = Buffer.allocUnsafe(CHUNK);
  private pos = 0;
  private end = 0;
  private eof = false;
  private line = 1;
  // The last token: bytes [ts, te) of buf, on line tl; `long` when it was longer than kept.
  private ts = 0;
  private te = 0;
  private tl = 1;
  private long = false;
  // Identifier code → dense index; per index its width and real-ness.
  private readonly index = new Map<string, number>();
  private readonly widths: number[] = [];
  private readonly real: boolean[] = [];
  // The batch being read: index → generation it was last changed in, and its place in `changes`.
  private stamp = new Int32Array(0);
  private place = new Int32Array(0);
  private gen = 1;
  private time = 0n;
  private changes: VcdChange[] = [];
  private done = false;
  private id = '';
  /** Digits of the vector value being read, as classes (DIGIT). */
  private readonly digits = new Uint8Array(VCD_MAX_WIDTH);
  private readonly text = Buffer.allocUnsafe(VCD_MAX_WIDTH + 1);

  private constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
  }

  /** Open a VCD and read its header. */
  static async open(path: string): Promise<VcdReader> {
    const r = new VcdReader(path);
    try {
      r.readHeader();
    } catch (e) {
      r.close();
      throw e;
    }
    return r;
  }

  get(name: string): VcdVar | undefined {
    return this.byName.get(name);
  }

  // ---- tokens ----

  /**
   * The next whitespace-separated token into [ts, te); false at the end of the file. A token
   * longer than `max` bytes is an error unless `skip` (then it is consumed and marked `long`).
   */
  private token(max: number, skip = false): boolean {
    for (;;) {
      while (this.pos < this.end) {
        const c = this.buf[this.pos]!;
        if (!isSpace(c)) break;
        if (c === NL) this.line++;
        this.pos++;
      }
      if (this.pos < this.end) break;
      if (!this.fill(false)) return false;
    }
    this.tl = this.line;
    this.long = false;
    let start = this.pos;
    for (;;) {
      let p = this.pos;
      const e = this.end, b = this.buf;
      while (p < e && !isSpace(b[p]!)) p++;
      this.pos = p;
      if (p - start > max) {
        if (!skip) this.fail(`a token of more than ${max} bytes`, start);
        this.long = true;
        start = p; // drop what was read; go on to its end
      }
      if (p < e || this.eof) break;
      // The window ends inside the token: keep the token, read on.
      const kept = p - start;
      this.pos = start;
      this.fill(true);
      start = 0;
      this.pos = kept;
    }
    this.ts = start;
    this.te = this.pos;
    return true;
  }

  /** Read more input. `keep`: bytes from pos on are kept (moved to the front). False at EOF. */
  private fill(keep: boolean): boolean {
    if (this.eof) return false;
    let kept = 0;
    if (keep && this.pos < this.end) {
      kept = this.end - this.pos;
      if (kept + CHUNK > this.buf.length) {
        const nb = Buffer.allocUnsafe(Math.max(this.buf.length * 2, kept + CHUNK));
        this.buf.copy(nb, 0, this.pos, this.end);
        this.buf = nb;
      } else this.buf.copyWithin(0, this.pos, this.end);
    }
    const n = readSync(this.fd, this.buf, kept, CHUNK, null);
    this.pos = 0;
    this.end = kept + n;
    if (n === 0) this.eof = true;
    return n > 0;
  }

  private tokenIs(s: string): boolean {
    const n = s.length;
    if (this.te - this.ts !== n) return false;
    for (let i = 0; i < n; i++) if (this.buf[this.ts + i] !== s.charCodeAt(i)) return false;
    return true;
  }

  private tokenText(from = this.ts): string {
    return this.buf.toString('utf8', from, this.te);
  }

  /** The line around byte `at` of the window, for a message. */
  private lineAt(at: number): string {
    let a = at, z = at;
    while (a > 0 && a > at - 60 && this.buf[a - 1] !== NL) a--;
    while (z < this.end && z < at + 60 && this.buf[z] !== NL) z++;
    return shown(this.buf.toString('latin1', a, z).trim());
  }

  private fail(what: string, at = this.ts): never {
    throw new VcdError(`malformed VCD ${this.path}, line ${this.tl}: '${this.lineAt(at)}': ${what}`);
  }

  // ---- header (§18.2.3: declaration commands up to $enddefinitions) ----

  /** The words of a declaration up to its $end (which is consumed). */
  private words(keyword: string, line: number): string[] {
    const w: string[] = [];
    let n = 0;
    for (;;) {
      if (!this.token(VCD_MAX_TOKEN)) throw new VcdError(`malformed VCD ${this.path}, line ${line}: ${shown(keyword)} has no $end`);
      if (this.tokenIs('$end')) return w;
      n += this.te - this.ts;
      if (n > VCD_MAX_DECLARATION) this.fail(`${shown(keyword)} (from line ${line}) is longer than ${VCD_MAX_DECLARATION} bytes`);
      w.push(this.tokenText());
    }
  }

  /** Skip a declaration or $comment to its $end, however long. */
  private skipToEnd(keyword: string, line: number): void {
    for (;;) {
      if (!this.token(VCD_MAX_TOKEN, true)) throw new VcdError(`malformed VCD ${this.path}, line ${line}: ${shown(keyword)} has no $end`);
      if (!this.long && this.tokenIs('$end')) return;
    }
  }

  private readHeader(): void {
    // Scope prefixes, innermost last: an explicit stack, as nesting depth is the file's choice.
    const scopes: string[] = [''];
    let names = 0;
    for (;;) {
      if (!this.token(VCD_MAX_TOKEN, true)) throw new VcdError(`${this.path}: no $enddefinitions: not a VCD file`);
      const line = this.tl;
      if (this.long || this.buf[this.ts] !== DOLLAR) this.fail('expected a declaration command ($scope, $var, $upscope, $enddefinitions, ...)');
      const kw = this.tokenText();
      if (kw === '$enddefinitions') {
        if (this.words(kw, line).length !== 0) this.fail('$enddefinitions takes no arguments');
        break;
      } else if (kw === '$var') {
        const w = this.words(kw, line);
        if (w.length < 4) this.fail('expected $var type size identifier name $end');
        const v = this.declare(w, scopes[scopes.length - 1]!);
        names += v.name.length;
        if (names > VCD_MAX_NAMES_TOTAL) this.fail(`the header's names exceed ${VCD_MAX_NAMES_TOTAL} characters in all`);
      } else if (kw === '$scope') {
        const w = this.words(kw, line);
        if (w.length !== 2) this.fail('expected $scope type name $end');
        const prefix = scopes[scopes.length - 1]! + w[1]! + '.';
        if (prefix.length > VCD_MAX_NAME) this.fail(`scope names nested deeper than ${VCD_MAX_NAME} characters (${scopes.length - 1} scopes)`);
        scopes.push(prefix);
      } else if (kw === '$upscope') {
        if (this.words(kw, line).length !== 0) this.fail('$upscope takes no arguments');
        if (scopes.length === 1) this.fail('$upscope outside any $scope');
        scopes.pop();
      } else if (kw === '$timescale') {
        const ts = this.words(kw, line).join('');
        if (ts.length > 32) this.fail(`bad $timescale`);
        this.timescale = ts;
      } else {
        // $comment, $date, $version, and vendors' own declarations: text up to $end.
        this.skipToEnd(kw, line);
      }
    }
    if (this.vars.length === 0) throw new VcdError(`${this.path}: declares no variables`);
    this.stamp = new Int32Array(this.widths.length);
    this.place = new Int32Array(this.widths.length);
  }

  private declare(w: string[], prefix: string): VcdVar {
    const [type, size, id] = w as [string, string, string];
    let ref = w.length === 4 ? w[3]! : w.slice(3).join('');
    let width = 0;
    for (let i = 0; i < size.length && width <= VCD_MAX_WIDTH; i++) {
      const d = size.charCodeAt(i) - ZERO;
      if (d < 0 || d > 9) { width = -1; break; }
      width = width * 10 + d;
    }
    if (width <= 0) this.fail(`$var ${shown(prefix + ref, 200)} has a bad size '${shown(size)}'`);
    if (width > VCD_MAX_WIDTH) this.fail(`$var ${shown(prefix + ref, 200)} is ${size.length > 12 ? 'over ' + VCD_MAX_WIDTH : size} bits wide: the limit is ${VCD_MAX_WIDTH} bits`);
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      if (c < 0x21 || c > 0x7e) this.fail(`$var ${shown(prefix + ref, 200)}: identifier code '${shown(id)}' is not printable ASCII`);
    }
    // `name [msb:0]` names the whole vector: the range is dropped (as GTKWave and vcd-stream do).
    const range = `[${width - 1}:0]`;
    if (ref.endsWith(range) && ref.length > range.length && /^\w+$/.test(ref.slice(0, ref.length - range.length))) ref = ref.slice(0, ref.length - range.length);
    const name = prefix + ref;
    if (name.length > VCD_MAX_NAME) this.fail(`the name ${shown(prefix + ref, 200)} is longer than ${VCD_MAX_NAME} characters`);
    const v: VcdVar = { id, name, width, type };
    const k = this.index.get(id);
    if (k === undefined) {
      this.index.set(id, this.widths.length);
      this.widths.push(width);
      this.real.push(/real/.test(type));
      this.ids.set(id, width);
    } else if (this.widths[k] !== width) {
      this.fail(`identifier code '${shown(id)}' is declared ${this.widths[k]} and ${width} bits wide`);
    }
    this.vars.push(v);
    if (!this.byName.has(name)) this.byName.set(name, v);
    return v;
  }

  // ---- value changes (§18.2.1) ----

  /** The next timestamp with changes, its changes as VcdBatch says; null at the end. */
  next(): VcdBatch | null {
    while (!this.done) {
      if (!this.token(VCD_MAX_WIDTH + 1)) { this.done = true; break; }
      const b = this.buf, c = b[this.ts]!, len = this.te - this.ts;
      if (c === HASH) {
        const t = this.readTime();
        if (t < this.time) throw new VcdError(`${this.path}: time goes backwards (#${t} after #${this.time}, line ${this.tl})`);
        if (t > this.time && this.changes.length > 0) {
          const batch: VcdBatch = { time: this.time, changes: this.changes };
          this.time = t;
          this.changes = [];
          this.gen++;
          return batch;
        }
        this.time = t;
      } else if (c === 0x62 || c === 0x42) { // b: vector
        const n = len - 1;
        if (n === 0 || n > VCD_MAX_WIDTH) this.fail(n === 0 ? 'malformed vector value' : `a vector value of more than ${VCD_MAX_WIDTH} digits`);
        const d = this.digits;
        for (let i = 0; i < n; i++) {
          const k = DIGIT[b[this.ts + 1 + i]!]!;
          if (k < 0) this.fail('malformed vector value');
          d[i] = k;
        }
        if (!this.token(VCD_MAX_TOKEN)) this.fail('a vector value without an identifier code');
        const k = this.indexOf(this.ts, this.te);
        this.add(k, this.vectorBits(n, this.widths[k]!));
      } else if (c === 0x72 || c === 0x52) { // r: real
        if (!this.token(VCD_MAX_TOKEN)) this.fail('a real value without an identifier code');
        throw new VcdError(`${this.path}: real-valued variables are not supported (id ${shown(this.tokenText())})`);
      } else if (c === DOLLAR) {
        if (this.tokenIs('$comment')) this.skipToEnd('$comment', this.tl);
        else if (!(this.tokenIs('$dumpvars') || this.tokenIs('$dumpall') || this.tokenIs('$dumpon') || this.tokenIs('$dumpoff') || this.tokenIs('$end'))) {
          this.fail('expected a value change or #time');
        }
      } else {
        const v = DIGIT[c]!;
        if (v < 0 || len < 2) this.fail('expected a value change or #time');
        const k = this.indexOf(this.ts + 1, this.te);
        const w = this.widths[k]!;
        this.add(k, v === 2 ? 'x' : w === 1 ? (v === 1 ? '1' : '0') : v === 1 ? '01' : '0');
      }
    }
    if (this.changes.length === 0) return null;
    const batch: VcdBatch = { time: this.time, changes: this.changes };
    this.changes = [];
    return batch;
  }

  private readTime(): bigint {
    const n = this.te - this.ts - 1;
    if (n < 1 || n > 20) this.fail(n < 1 ? 'a # without a time' : 'a time beyond 2^64 - 1');
    for (let i = this.ts + 1; i < this.te; i++) {
      const c = this.buf[i]!;
      if (c < ZERO || c > ZERO + 9) this.fail('a time must be a decimal number');
    }
    const t = BigInt(this.buf.toString('latin1', this.ts + 1, this.te));
    if (t > MAX_TIME) this.fail('a time beyond 2^64 - 1');
    return t;
  }

  /** The index of the identifier code in bytes [from, to), which becomes `id`. */
  private indexOf(from: number, to: number): number {
    const id = this.buf.toString('latin1', from, to);
    this.id = id;
    const k = this.index.get(id);
    if (k === undefined) throw new VcdError(`${this.path}: value change of undeclared identifier '${shown(id)}' at time ${this.time} (line ${this.tl})`);
    if (this.real[k]) throw new VcdError(`${this.path}: real-valued variables are not supported (id ${shown(id)})`);
    return k;
  }

  /** Record a change; a second change of an identifier at one time replaces the first. */
  private add(k: number, bits: string): void {
    if (this.stamp[k] === this.gen) {
      const i = this.place[k]!;
      this.changes[i] = new VcdChange(this.id, bits, this.widths[k]!);
      return;
    }
    this.stamp[k] = this.gen;
    this.place[k] = this.changes.length;
    this.changes.push(new VcdChange(this.id, bits, this.widths[k]!));
  }

  /** The normalised form (VcdValue) of the n digits read, for a variable `width` bits wide. */
  private vectorBits(n: number, width: number): string {
    const d = this.digits;
    // A value longer than its variable keeps its rightmost `width` digits.
    let a = n > width ? n - width : 0;
    const short = n - a < width;
    // Leading run to shorten: the extension digit (x for a leading x, else 0), or the first digit.
    const lead = short ? (d[a] === 2 ? 2 : 0) : d[a]!;
    if (lead !== 1) while (a < n && d[a] === lead) a++;
    const out = this.text;
    let o = 0;
    if (lead !== 1) out[o++] = DIGIT_CHAR[lead]!;
    for (let i = a; i < n; i++) out[o++] = DIGIT_CHAR[d[i]!]!;
    return out.toString('latin1', 0, o);
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}

/** Parse a $timescale such as `1ns` or `10 ps` into femtoseconds. */
export function timescaleFs(ts: string, path: string): bigint {
  if (ts === '') return 1_000_000n; // IEEE 1364 leaves it to the tool; 1 ns is the common default
  const m = /^(1|10|100)(s|ms|us|ns|ps|fs)$/.exec(ts);
  if (!m) throw new VcdError(`${path}: bad $timescale '${shown(ts)}'`);
  const unit: Record<string, bigint> = { s: 10n ** 15n, ms: 10n ** 12n, us: 10n ** 9n, ns: 10n ** 6n, ps: 10n ** 3n, fs: 1n };
  return BigInt(m[1]!) * unit[m[2]!]!;
}

/** Format a value as Verilog would show it: binary with x for unknown bits, or hex when known. */
export function formatValue(v: VcdValue | undefined, width: number): string {
  if (v === undefined) return 'x (never set)';
  const b = v.bits;
  if (b.includes('x')) return `b${b.padStart(width, b.charCodeAt(0) === X ? 'x' : '0')}`;
  return width === 1 ? b : `0x${BigInt('0b' + b).toString(16)}`;
}
