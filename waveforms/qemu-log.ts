// Stream parser for QEMU's CPU-state log (`qemu-riscv32 -singlestep -d cpu,nochain`, QEMU 7.2).
// With one instruction per translation block and no chaining, QEMU logs the state before every
// instruction it executes (target/riscv/cpu.c riscv_cpu_dump_state):
//
//    pc       0001054c
//    x0/zero  00000000 x1/ra    00000000 x2/sp    408009a0 x3/gp    00000000
//    ... 7 more lines, 4 registers each, up to x31/t6
//
// Record k is therefore the state after k retired instructions. Logs run to ~500 bytes per
// instruction, so the parser works on chunks as they arrive and keeps no more than one record.

/** A QEMU log that does not have the expected shape. */
export class QemuLogError extends Error {
  /** The exit code's name (cpu/exit-codes.ts EXIT) when this error ends an evminf command. */
  readonly exit = 'BAD_INPUT' as const;
}

/** Receives each record; return false to stop parsing (a divergence was found). */
export type QemuRecordSink = (index: number, pc: number, x: Int32Array) => boolean;

const SP = 0x20, NL = 0x0a, CR = 0x0d, TAB = 0x09;
/** Tokens per record: "pc", its value, then a name and a value per register. */
const TOKENS = 2 + 64;
const MAX_TOKEN = 40;

export class QemuLogParser {
  /** Records parsed. */
  records = 0;
  private line = 1;
  private tok = 0;
  private readonly name = new Uint8Array(MAX_TOKEN);
  private len = 0;
  private value = 0;
  private badHex = false;
  private pc = 0;
  private readonly x = new Int32Array(32);
  private stopped = false;
  /** Expected name prefixes: "pc", then "x0/", "x1/", ... */
  private static readonly PREFIX: readonly Uint8Array[] = [
    Buffer.from('pc'), ...Array.from({ length: 32 }, (_, i) => Buffer.from(`x${i}/`)),
  ];

  constructor(private readonly sink: QemuRecordSink, private readonly source = 'QEMU log') {}

  /** Parse a chunk. Returns false once the sink has asked to stop. */
  feed(b: Uint8Array): boolean {
    if (this.stopped) return false;
    for (let i = 0; i < b.length; i++) {
      const c = b[i]!;
      if (c === SP || c === NL || c === CR || c === TAB) {
        if (this.len > 0 && !this.endToken()) return false;
        if (c === NL) this.line++;
        continue;
      }
      if (this.len < MAX_TOKEN) this.name[this.len] = c;
      this.len++;
      if ((this.tok & 1) === 1) {
        // A value: hex digits.
        const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
        if (d < 0) this.badHex = true;
        else this.value = this.value * 16 + d;
      }
    }
    return true;
  }

  /** End of input: a record cut short is an error. */
  end(): void {
    if (this.stopped) return;
    if (this.len > 0) this.endToken();
    if (this.tok !== 0 && !this.stopped) {
      throw new QemuLogError(`malformed ${this.source} (line ${this.line}): the log ends in the middle of a record, after ${this.records} complete records`);
    }
  }

  private text(): string {
    const n = Math.min(this.len, MAX_TOKEN);
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.name[i]!);
    return this.len > MAX_TOKEN ? s + '...' : s;
  }

  private fail(what: string): never {
    throw new QemuLogError(`malformed ${this.source} (line ${this.line}): ${what}`);
  }

  private endToken(): boolean {
    const t = this.tok;
    if ((t & 1) === 0) {
      const p = QemuLogParser.PREFIX[t >> 1]!;
      let ok = t === 0 ? this.len === 2 : this.len > p.length;
      for (let i = 0; ok && i < p.length; i++) if (this.name[i] !== p[i]) ok = false;
      if (!ok) this.fail(`expected ${t === 0 ? "'pc'" : `register x${(t >> 1) - 1}`}, found '${this.text()}' (run QEMU as: qemu-riscv32 -singlestep -d cpu,nochain)`);
    } else {
      if (this.badHex || this.len > 8) this.fail(`expected up to 8 hex digits, found '${this.text()}'`);
      if (t === 1) this.pc = this.value >>> 0;
      else this.x[(t - 3) >> 1] = this.value | 0;
    }
    this.len = 0;
    this.value = 0;
    this.badHex = false;
    this.tok = t + 1;
    if (this.tok === TOKENS) {
      this.tok = 0;
      if (this.x[0] !== 0) this.fail(`x0 is ${this.x[0]}`);
      const go = this.sink(this.records++, this.pc, this.x);
      if (!go) { this.stopped = true; return false; }
    }
    return true;
  }
}
