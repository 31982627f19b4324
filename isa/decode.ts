// Decoder: "mask, match, row" over the one table, bucketed by major opcode.
// Field layouts: RISC-V Unprivileged ISA §2.2–2.3 (immediate encoding variants).

import { Fmt, Op, TABLE, OPS } from './table.js';

// The Op enum is the table's row order; check once at load time that the two agree.
for (let i = 0; i < TABLE.length; i++) {
  if (OPS[TABLE[i]!.name] !== i) throw new Error(`isa: duplicate mnemonic ${TABLE[i]!.name}`);
}
if (TABLE.length !== Op.ILLEGAL || TABLE[Op.GASTAB]!.name !== 'gastab' || TABLE[Op.FENCE]!.name !== 'fence' || TABLE[Op.MUL]!.name !== 'mul') {
  throw new Error('isa: Op enum and TABLE row order disagree');
}

export const rdOf = (w: number): number => (w >>> 7) & 31;
export const rs1Of = (w: number): number => (w >>> 15) & 31;
export const rs2Of = (w: number): number => (w >>> 20) & 31;

export const immI = (w: number): number => w >> 20;
export const immS = (w: number): number => ((w >> 25) << 5) | ((w >>> 7) & 0x1f);
export const immB = (w: number): number =>
  ((w >> 31) << 12) | (((w >>> 7) & 1) << 11) | (((w >>> 25) & 0x3f) << 5) | (((w >>> 8) & 0xf) << 1);
export const immU = (w: number): number => w & 0xfffff000;
export const immJ = (w: number): number =>
  ((w >> 31) << 20) | (((w >>> 12) & 0xff) << 12) | (((w >>> 20) & 1) << 11) | (((w >>> 21) & 0x3ff) << 1);

/** Rows grouped by inst[6:0]; each bucket is tried in table order. */
const BUCKETS: number[][] = Array.from({ length: 128 }, () => []);
for (let i = 0; i < TABLE.length; i++) {
  const r = TABLE[i]!;
  // Every row fixes the whole major opcode.
  if ((r.mask & 0x7f) !== 0x7f) throw new Error(`isa: row ${r.name} does not fix the major opcode`);
  BUCKETS[r.match & 0x7f]!.push(i);
}

/** The row index of an instruction word, or Op.ILLEGAL for any encoding the table lacks. */
export function decode(word: number): number {
  const bucket = BUCKETS[word & 0x7f]!;
  for (let i = 0; i < bucket.length; i++) {
    const op = bucket[i]!;
    const r = TABLE[op]!;
    if (((word & r.mask) >>> 0) === r.match) return op;
  }
  return Op.ILLEGAL;
}

/** The immediate of `word` as its row's format defines it (0 for formats without one). */
export function immediate(op: number, word: number): number {
  if (op === Op.ILLEGAL) return 0;
  switch (TABLE[op]!.fmt) {
    case Fmt.I: return immI(word);
    case Fmt.S: return immS(word);
    case Fmt.B: return immB(word);
    case Fmt.U: return immU(word);
    case Fmt.J: return immJ(word);
    case Fmt.SHIFT: return (word >>> 20) & 31;
    case Fmt.FENCE: return (word >>> 20) & 0xff; // pred[7:4] succ[3:0]
    default: return 0;
  }
}

/** A decoded instruction, for tools (disassembler, tests, debugger). The hot paths predecode. */
export interface Decoded {
  word: number;
  op: number;
  rd: number;
  rs1: number;
  rs2: number;
  imm: number;
}

export function decodeFields(word: number): Decoded {
  const op = decode(word >>> 0);
  return { word: word >>> 0, op, rd: rdOf(word), rs1: rs1Of(word), rs2: rs2Of(word), imm: immediate(op, word) };
}

/**
 * Predecoded code, indexed by word offset in a code ROM: `ctl` packs op | rd<<8 | rs1<<16 |
 * rs2<<24, `imm` holds the format's immediate, `word` the raw instruction. The ISS and the fetch
 * unit read these instead of decoding each fetch, which is exact because code ROM is read- and
 * execute-only (docs/architecture.md).
 */
export class Predecoded {
  readonly ctl: Int32Array;
  readonly imm: Int32Array;
  readonly word: Int32Array;

  /** `share`: words [at, at + n) of another predecoding, viewed, not copied (code ROM never changes). */
  constructor(code: Uint8Array, share?: { of: Predecoded; at: number }) {
    const n = code.length >>> 2;
    if (share !== undefined) {
      const { of, at } = share;
      this.ctl = of.ctl.subarray(at, at + n);
      this.imm = of.imm.subarray(at, at + n);
      this.word = of.word.subarray(at, at + n);
      return;
    }
    this.ctl = new Int32Array(n);
    this.imm = new Int32Array(n);
    this.word = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const b = i << 2;
      const w = (code[b]! | (code[b + 1]! << 8) | (code[b + 2]! << 16) | (code[b + 3]! << 24)) >>> 0;
      const op = decode(w);
      this.word[i] = w | 0;
      this.ctl[i] = op | (rdOf(w) << 8) | (rs1Of(w) << 16) | (rs2Of(w) << 24);
      this.imm[i] = immediate(op, w);
    }
  }

  /** Row index at word offset `i`. */
  op(i: number): number {
    return this.ctl[i]! & 0xff;
  }
}
