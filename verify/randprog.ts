// Random RV32IM test programs for equivalence fuzzing (evminf fuzz).
//
// Each program is deterministic from its seed (xorshift32) and always terminates: control flow
// is forward branches and jumps, loops bounded by a reserved counter, and calls to leaf
// subroutines. A program covers every RV32IM row of the ISA table (Xevm is left out: QEMU does
// not have it); register dependencies at distance 0–3; taken and not-taken branches; loads and
// stores of every width, aligned and misaligned, into a data region; and MUL/DIV corner operands
// (0, ±1, INT_MIN, INT_MAX, ...). It writes the data region to stdout and ends with
// exit(checksum of the registers), ECALL a7=93 — or, for one seed in eight, with EBREAK.
// The output is assembly text for isa/asm.ts (and GNU as).

import { OPS, TABLE, type InsnRow } from '../isa/table.js';

/** xorshift32 (Marsaglia 2003). */
export class XorShift32 {
  private s: number;
  constructor(seed: number) {
    // Mix the seed so that nearby seeds give unrelated streams; never 0.
    let s = (seed ^ 0x9e3779b9) >>> 0;
    s = Math.imul(s ^ (s >>> 16), 0x85ebca6b) >>> 0;
    s = Math.imul(s ^ (s >>> 13), 0xc2b2ae35) >>> 0;
    this.s = (s ^ (s >>> 16)) >>> 0 || 0x2545f491;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    this.s = x;
    return x;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.next() / 0x1_0000_0000) * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }
}

export interface RandProgram {
  seed: number;
  source: string;
  /** Static occurrences of each table row (indexed by opcode index). */
  coverage: Uint32Array;
  /** How the program ends. */
  ending: 'exit' | 'ebreak';
}

export interface RandProgramOptions {
  /** Body items (each a few instructions); default 120. */
  items?: number;
}

// Rows by role, read from the table (no opcode is written here).
const RV32IM = TABLE.filter((r) => r.ext === 'I' || r.ext === 'M');
const bySyntax = (s: string, unit?: string): InsnRow[] => RV32IM.filter((r) => r.syntax === s && (unit === undefined || r.unit === unit));
const R_OPS = bySyntax('rd,rs1,rs2');
const MDU_OPS = R_OPS.filter((r) => r.unit === 'mdu');
const ALU_R_OPS = R_OPS.filter((r) => r.unit === 'alu');
const I_OPS = bySyntax('rd,rs1,imm');
const SHIFT_OPS = bySyntax('rd,rs1,shamt');
const LOAD_OPS = bySyntax('rd,imm(rs1)', 'lsu');
const STORE_OPS = bySyntax('rs2,imm(rs1)', 'lsu');
const BRANCH_OPS = bySyntax('rs1,rs2,target');
const U_OPS = bySyntax('rd,uimm20');
const JAL = bySyntax('rd,target')[0]!;
const JALR = bySyntax('rd,imm(rs1)', 'bru')[0]!;
const FENCE = bySyntax('pred,succ')[0]!;
const SYS_OPS = bySyntax('');
/** Access width in bytes of a load/store row: funct3[1:0] (§2.6). */
const widthOf = (r: InsnRow): number => 1 << ((r.match >>> 12) & 3);

const ZERO = 0, RA = 1, BASE = 8, CNT = 9;
const A0 = 10, A1 = 11, A2 = 12, A7 = 17;
/** Registers the body may write: all but x0, ra (calls), the data base and the loop counter. */
const FREE = Array.from({ length: 32 }, (_, i) => i).filter((r) => r !== ZERO && r !== RA && r !== BASE && r !== CNT);

/** Data region: 256 bytes; BASE points at its middle so offsets are -128..127. */
const DATA_BYTES = 256;
const DATA_HALF = DATA_BYTES / 2;

const CORNERS = [0, 1, -1, 2, -2, 0x7fffffff, -0x80000000, -0x7fffffff, 0xffff, 0x10000, 31, 32, 0x55555555, -0x55555556];

class Gen {
  readonly lines: string[] = [];
  readonly subs: string[][] = [];
  readonly coverage = new Uint32Array(TABLE.length);
  /** Destinations of the last instructions, most recent first (for dependencies). */
  private recent: number[] = [];
  private label = 0;
  private count = 0;

  constructor(readonly rng: XorShift32) {}

  private emit(row: InsnRow, args: string, into: string[] = this.lines): void {
    this.coverage[OPS[row.name]!]!++;
    into.push(`\t${row.name}\t${args}`);
    this.count++;
  }

  newLabel(prefix = 'L'): string {
    return `${prefix}${this.label++}`;
  }

  private wrote(rd: number): void {
    this.recent.unshift(rd);
    if (this.recent.length > 4) this.recent.pop();
  }

  /** A source register: often the destination of one of the last four instructions. */
  src(): number {
    const r = this.rng;
    if (this.recent.length > 0 && r.chance(0.55)) return this.recent[r.int(this.recent.length)]!;
    if (r.chance(0.04)) return ZERO;
    if (r.chance(0.04)) return BASE;
    return r.pick(FREE);
  }

  dst(): number {
    return this.rng.chance(0.03) ? ZERO : this.rng.pick(FREE);
  }

  imm12(): number {
    const r = this.rng;
    if (r.chance(0.2)) return r.pick([0, 1, -1, 2047, -2048, 2046, -2047]);
    return r.chance(0.5) ? r.range(-32, 32) : r.range(-2048, 2047);
  }

  value(): number {
    const r = this.rng;
    if (r.chance(0.5)) return r.pick(CORNERS);
    return r.chance(0.3) ? r.range(-100, 100) : r.next() | 0;
  }

  /** Materialise a 32-bit constant with lui/addi (the way GNU as expands li). */
  constant(rd: number, v: number, into: string[] = this.lines): void {
    v |= 0;
    const lui = U_OPS.find((r) => r.name === 'lui')!, addi = I_OPS.find((r) => r.name === 'addi')!;
    if (v >= -2048 && v < 2048) {
      this.emit(addi, `x${rd}, x0, ${v}`, into);
    } else {
      const hi = ((v + 0x800) >>> 12) & 0xfffff;
      const lo = (v - (hi << 12)) | 0;
      this.emit(lui, `x${rd}, 0x${hi.toString(16)}`, into);
      if (lo !== 0) this.emit(addi, `x${rd}, x${rd}, ${lo}`, into);
    }
    this.wrote(rd);
  }

  rType(row: InsnRow, into?: string[]): void {
    const rd = this.dst();
    this.emit(row, `x${rd}, x${this.src()}, x${this.src()}`, into);
    this.wrote(rd);
  }

  /** An M instruction, sometimes with a corner value loaded into an operand first. */
  mdu(row: InsnRow, into?: string[]): void {
    const r = this.rng;
    let a = this.src(), b = this.src();
    if (r.chance(0.5)) { b = r.pick(FREE); this.constant(b, r.pick(CORNERS), into); }
    if (r.chance(0.3)) { a = r.pick(FREE.filter((x) => x !== b)); this.constant(a, r.pick(CORNERS), into); }
    const rd = this.dst();
    this.emit(row, `x${rd}, x${a}, x${b}`, into);
    this.wrote(rd);
  }

  iType(row: InsnRow, into?: string[]): void {
    const rd = this.dst();
    this.emit(row, `x${rd}, x${this.src()}, ${this.imm12()}`, into);
    this.wrote(rd);
  }

  shift(row: InsnRow, into?: string[]): void {
    const rd = this.dst();
    this.emit(row, `x${rd}, x${this.src()}, ${this.rng.pick([0, 1, 31, this.rng.int(32)])}`, into);
    this.wrote(rd);
  }

  upper(row: InsnRow, into?: string[]): void {
    const rd = this.dst();
    this.emit(row, `x${rd}, 0x${(this.rng.chance(0.3) ? this.rng.pick([0, 1, 0x80000, 0xfffff]) : this.rng.int(1 << 20)).toString(16)}`, into);
    this.wrote(rd);
  }

  /** An offset from BASE inside the data region; misaligned about a third of the time. */
  offset(width: number): number {
    const r = this.rng;
    const o = r.range(-DATA_HALF, DATA_HALF - width);
    return r.chance(0.35) ? o : o - (((o % width) + width) % width);
  }

  load(row: InsnRow, into?: string[]): void {
    const rd = this.dst();
    this.emit(row, `x${rd}, ${this.offset(widthOf(row))}(x${BASE})`, into);
    this.wrote(rd);
  }

  store(row: InsnRow, into?: string[]): void {
    this.emit(row, `x${this.src()}, ${this.offset(widthOf(row))}(x${BASE})`, into);
  }

  /** One simple instruction (no control flow): the filler of branches, loops and subroutines. */
  simple(into?: string[]): void {
    const r = this.rng;
    const k = r.int(10);
    if (k < 3) this.rType(r.pick(ALU_R_OPS), into);
    else if (k < 5) this.iType(r.pick(I_OPS), into);
    else if (k < 6) this.shift(r.pick(SHIFT_OPS), into);
    else if (k < 7) this.mdu(r.pick(MDU_OPS), into);
    else if (k < 8) this.load(r.pick(LOAD_OPS), into);
    else if (k < 9) this.store(r.pick(STORE_OPS), into);
    else this.upper(r.pick(U_OPS), into);
  }

  /** A forward branch over 1–3 instructions; equal operands make the outcome certain. */
  branch(row: InsnRow): void {
    const r = this.rng;
    const l = this.newLabel();
    const a = this.src();
    const b = r.chance(0.25) ? a : r.chance(0.15) ? ZERO : this.src();
    this.emit(row, `x${a}, x${b}, ${l}`);
    for (let i = r.range(1, 3); i > 0; i--) this.simple();
    this.lines.push(`${l}:`);
  }

  /** A counted loop: CNT counts down from 2..5; the body does not touch CNT. */
  loop(): void {
    const r = this.rng;
    const l = this.newLabel();
    const addi = I_OPS.find((x) => x.name === 'addi')!;
    this.emit(addi, `x${CNT}, x0, ${r.range(2, 5)}`);
    this.lines.push(`${l}:`);
    for (let i = r.range(2, 8); i > 0; i--) {
      if (r.chance(0.15)) this.branch(r.pick(BRANCH_OPS));
      else this.simple();
    }
    this.emit(addi, `x${CNT}, x${CNT}, -1`);
    // Loop back with one of the branches that means "CNT > 0" for a count in 0..5.
    const back = r.pick(['bne', 'blt', 'bltu']);
    this.emit(BRANCH_OPS.find((x) => x.name === back)!, back === 'bne' ? `x${CNT}, x0, ${l}` : `x0, x${CNT}, ${l}`);
  }

  /** jal over one instruction, linking into a random register (or x0). */
  jalSkip(): void {
    const l = this.newLabel();
    const rd = this.dst();
    this.emit(JAL, `x${rd}, ${l}`);
    this.wrote(rd);
    this.simple();
    this.lines.push(`${l}:`);
  }

  /** auipc + jalr over one instruction; an odd offset checks that jalr clears bit 0. */
  jalrSkip(): void {
    const r = this.rng;
    const auipc = U_OPS.find((x) => x.name === 'auipc')!;
    const a = r.pick(FREE);
    this.emit(auipc, `x${a}, 0`);
    this.wrote(a);
    const rd = r.chance(0.3) ? a : this.dst();
    this.emit(JALR, `x${rd}, ${r.chance(0.5) ? 13 : 12}(x${a})`);
    this.wrote(rd);
    this.simple();
  }

  /** A call to a new leaf subroutine (emitted after the program's end). */
  call(): void {
    const name = this.newLabel('S');
    this.emit(JAL, `x${RA}, ${name}`);
    const body: string[] = [`${name}:`];
    for (let i = this.rng.range(1, 5); i > 0; i--) this.simple(body);
    this.emit(JALR, `x0, 0(x${RA})`, body);
    this.subs.push(body);
  }

  fence(): void {
    this.emit(FENCE, this.rng.pick(['rw, rw', 'iorw, iorw', 'r, r', 'w, w', 'i, o']));
  }

  /** write(1, BASE + off, len): exercises ECALL and the host's a0 mid-program. */
  write(off: number, len: number, into: string[] = this.lines): void {
    const addi = I_OPS.find((x) => x.name === 'addi')!;
    this.emit(addi, `x${A7}, x0, 64`, into);
    this.emit(addi, `x${A0}, x0, 1`, into);
    this.emit(addi, `x${A1}, x${BASE}, ${off}`, into);
    this.emit(addi, `x${A2}, x0, ${len}`, into);
    this.emit(SYS_OPS.find((x) => x.name === 'ecall')!, '', into);
    this.wrote(A0);
  }

  /** One body item exercising `row`. */
  cover(row: InsnRow): void {
    if (row === JAL) this.jalSkip();
    else if (row === JALR) this.jalrSkip();
    else if (row === FENCE) this.fence();
    else if (row.name === 'ecall') this.write(-DATA_HALF + this.rng.int(DATA_BYTES - 8), 8);
    else if (row.name === 'ebreak') return;
    else if (BRANCH_OPS.includes(row)) this.branch(row);
    else if (LOAD_OPS.includes(row)) this.load(row);
    else if (STORE_OPS.includes(row)) this.store(row);
    else if (MDU_OPS.includes(row)) this.mdu(row);
    else if (ALU_R_OPS.includes(row)) this.rType(row);
    else if (I_OPS.includes(row)) this.iType(row);
    else if (SHIFT_OPS.includes(row)) this.shift(row);
    else if (U_OPS.includes(row)) this.upper(row);
    else throw new Error(`randprog: no generator for ${row.name}`);
  }

  item(): void {
    const r = this.rng;
    const k = r.int(100);
    if (k < 55) this.simple();
    else if (k < 70) this.branch(r.pick(BRANCH_OPS));
    else if (k < 78) this.loop();
    else if (k < 83) this.jalSkip();
    else if (k < 88) this.jalrSkip();
    else if (k < 93) this.call();
    else if (k < 97) this.mdu(r.pick(MDU_OPS));
    else if (k < 99) this.fence();
    else this.write(-DATA_HALF + r.int(DATA_BYTES - 16), r.range(0, 16));
  }
}

/** The random program for `seed`. */
export function randomProgram(seed: number, opts: RandProgramOptions = {}): RandProgram {
  const rng = new XorShift32(seed);
  const g = new Gen(rng);
  const items = opts.items ?? 120;
  const ending: 'exit' | 'ebreak' = rng.int(8) === 7 ? 'ebreak' : 'exit';
  const addi = I_OPS.find((x) => x.name === 'addi')!;

  const data: string[] = [];
  for (let i = 0; i < DATA_BYTES / 4; i++) data.push(`0x${rng.next().toString(16).padStart(8, '0')}`);

  g.lines.push(`# evminf random program, seed ${seed} (verify/randprog.ts)`, '\t.text', '\t.globl\t_start', '_start:');
  g.lines.push('\tla\tx8, data');
  g.lines.push(`\taddi\tx8, x8, ${DATA_HALF}`);
  for (const r of FREE) g.constant(r, g.value());

  // Every RV32IM row once, in random order, then random items.
  const must = RV32IM.filter((r) => r.name !== 'ebreak').slice();
  for (let i = must.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [must[i], must[j]] = [must[j]!, must[i]!];
  }
  for (let i = 0; i < items; i++) {
    if (must.length > 0 && (rng.chance(0.5) || items - i <= must.length)) g.cover(must.pop()!);
    else g.item();
  }

  // Epilogue: write the data region, fold every register into a0, exit(a0).
  g.write(-DATA_HALF, DATA_BYTES);
  const ops = (n: string): InsnRow => TABLE[OPS[n]!]!;
  g.lines.push('\t# checksum of the registers into a0');
  g.lines.push(`\txor\tx${A0}, x${A0}, x${A1}`);
  for (let r = 1; r < 32; r++) {
    if (r === A0 || r === A1) continue;
    g.lines.push(`\tslli\tx${A1}, x${A0}, 5`, `\tsrli\tx${A0}, x${A0}, 27`, `\tor\tx${A0}, x${A0}, x${A1}`, `\txor\tx${A0}, x${A0}, x${r}`);
  }
  if (ending === 'ebreak') {
    g.lines.push(`\t${ops('ebreak').name}`);
    g.coverage[OPS['ebreak']!]!++;
  } else {
    g.lines.push(`\t${addi.name}\tx${A7}, x0, 93`, '\tecall');
  }
  g.coverage[OPS['ecall']!]!++;
  for (const s of g.subs) g.lines.push(...s);
  g.lines.push('', '\t.data', '\t.balign\t4', 'data:');
  for (let i = 0; i < data.length; i += 8) g.lines.push(`\t.word\t${data.slice(i, i + 8).join(', ')}`);
  return { seed, source: g.lines.join('\n') + '\n', coverage: g.coverage, ending };
}

/** Rows a set of random programs is expected to cover: every RV32IM row. */
export const RANDPROG_ROWS: readonly string[] = RV32IM.map((r) => r.name);
