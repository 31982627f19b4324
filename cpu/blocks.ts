// The ISS's block translator. A straight-line run of code ROM (a basic block) that the ISS has
// executed often is translated once into a JavaScript function, which V8 then compiles to
// machine code: register numbers, immediates and branch targets become constants, the dispatch
// switch disappears. Exact because code ROM is execute- and read-only (docs/architecture.md):
// a block can never change under its translation.
//
// A block is architecturally invisible. It runs only when it can retire all of its instructions
// within the caller's instruction budget and gas room; everything else that needs care is left
// to the interpreter in Iss.run by *bailing out*: the block reports how many instructions it
// retired (k) and the pc of the next one, and the interpreter executes that instruction itself.
// Bail-outs happen before an instruction's first side effect, for: a load or store outside the
// cached RAM regions (a device, a fault, a region switch the cache cannot satisfy) and a JALR to
// a misaligned target. Blocks never contain the instructions that end the ISS's loop or read its
// state (ECALL, EBREAK, the Xevm rows, illegal words), nor a branch or JAL whose target is
// misaligned; they end after the first control transfer, at the end of the code region, or at
// MAX_BLOCK instructions. The semantics are the shared functions of isa/semantics.ts.

import * as sem from '../isa/semantics.js';
import { EXEC, Exec, FN, TABLE } from '../isa/table.js';
import type { Predecoded } from '../isa/decode.js';
import type { Region } from './memory.js';

/** What a block reads and writes besides the registers: the Iss implements it. */
export interface BlockHost {
  /**
   * Names the address space in use, unique across every model in the process (newEpoch()): it
   * changes on each frame switch, and site caches tagged with another epoch are refilled.
   */
  epoch: number;
  /** The readable (writable) RAM or ROM region holding [a, a + w), or null. */
  loadRegion(a: number, w: number): Region | null;
  storeRegion(a: number, w: number): Region | null;
  /** Out: instructions the block retired, and the pc after them. */
  bk: number;
  bpc: number;
}

let epochs = 0;
/** A fresh address-space epoch (BlockHost.epoch). */
export const newEpoch = (): number => ++epochs;

/**
 * A translated block. Returns the gas its retired instructions cost (from `gc`, the per-op cost
 * table in force), or -1 without doing anything when the whole block's cost exceeds `room`: the
 * gas gate's headroom (cpu/gas.ts `fits`: gate − used, +Infinity for an INFINITE_GAS frame).
 */
export type BlockFn = (s: BlockHost, x: Int32Array, gc: Float64Array, room: number) => number;

export const MAX_BLOCK = 64;

const enum St { TRANSLATED = 254, NONE = 255 }

/** Words per chunk of translated functions (a chunk is allocated when a block in it is translated). */
const CHUNK_BITS = 16;

/** Per code region: translation state by word offset. */
export class BlockCache {
  /** Below TRANSLATED: executions counted; TRANSLATED: fn(i) holds it; NONE: no block starts here. */
  readonly state: Uint8Array;
  readonly len: Uint8Array;
  /**
   * Translated functions by word offset, in chunks allocated on first use: a code region may
   * hold up to 2^28 words, past what one JavaScript array can (V8 caps one at ~2^27 elements),
   * and most of a big region is never hot.
   */
  private readonly chunks: ((BlockFn | null)[] | null)[];

  constructor(readonly code: Predecoded, readonly base: number) {
    const n = code.ctl.length;
    this.state = new Uint8Array(n);
    this.len = new Uint8Array(n);
    this.chunks = new Array<(BlockFn | null)[] | null>((n + (1 << CHUNK_BITS) - 1) >>> CHUNK_BITS).fill(null);
  }

  /** The translated block starting at word offset i, or null. */
  fn(i: number): BlockFn | null {
    const c = this.chunks[i >>> CHUNK_BITS]!;
    return c === null ? null : c[i & ((1 << CHUNK_BITS) - 1)]!;
  }

  /** Translate the block at word offset i (state becomes TRANSLATED or NONE); true if one starts there. */
  translate(i: number): boolean {
    const fn = translate(this.code, this.base, i);
    if (fn === null) { this.state[i] = St.NONE; return false; }
    const k = i >>> CHUNK_BITS;
    let c = this.chunks[k]!;
    // A chunk as long as the words it covers: a small region (a contract's code EVAL'd in a new
    // frame) would otherwise fill 65,536 entries for its first block.
    if (c === null) c = this.chunks[k] = new Array<BlockFn | null>(Math.min(1 << CHUNK_BITS, this.state.length - (k << CHUNK_BITS))).fill(null);
    c[i & ((1 << CHUNK_BITS) - 1)] = fn.fn;
    this.len[i] = fn.len;
    this.state[i] = St.TRANSLATED;
    return true;
  }
}

export const BLOCK_TRANSLATED = St.TRANSLATED;
/** Executions of a block start before the ISS translates it (Iss.hot). */
export const BLOCK_HOT = 16;

const caches = new WeakMap<Predecoded, BlockCache>();

/** The block cache of a code region (made on first use). */
export function blockCache(code: Predecoded, base: number): BlockCache {
  let c = caches.get(code);
  if (c === undefined) { c = new BlockCache(code, base); caches.set(code, c); }
  return c;
}

/** Classes a block may hold; the rest end it before them (they leave the loop or read the ISS's state). */
function translatable(ex: number): boolean {
  switch (ex) {
    case Exec.RR: case Exec.RI: case Exec.PI: case Exec.I: case Exec.BRANCH: case Exec.JUMP_PC: case Exec.JUMP_R:
    case Exec.LOAD: case Exec.STORE: case Exec.NOP:
      return true;
    default:
      return false;
  }
}

/** The gas of instructions k0 .. k-1 of a function's opcodes `ops` (a region's bail-out). */
export function span(gc: Float64Array, ops: Int32Array, k0: number, k: number): number {
  let g = 0;
  for (let j = k0; j < k; j++) g += gc[ops[j]!]!;
  return g;
}

/** The gas of a block's first k instructions (for bail-outs): sets s.bk and s.bpc. */
export function bail(s: BlockHost, ops: Int32Array, k: number, pc: number, gc: Float64Array): number {
  s.bk = k;
  s.bpc = pc;
  return span(gc, ops, 0, k);
}

const NO_U8 = new Uint8Array(0);
const NO_DV = new DataView(NO_U8.buffer);

const hex = (v: number): string => '0x' + (v >>> 0).toString(16);

// Memory accesses by site k: its own region cache (b_k, e_k, u_k, d_k). The caches of a block
// belong to the epoch EP; entering the block under another epoch empties them all.
/** A read of `w` bytes at a, zero-extended (as the typed arrays give them). */
const READ: Record<number, (k: number) => string> = {
  1: (k) => `u${k}[a - b${k}]`,
  2: (k) => `d${k}.getUint16(a - b${k}, true)`,
  4: (k) => `d${k}.getInt32(a - b${k}, true)`,
};
const WRITE: Record<number, (k: number) => string> = {
  1: (k) => `u${k}[a - b${k}] = v`,
  2: (k) => `d${k}.setUint16(a - b${k}, v, true)`,
  4: (k) => `d${k}.setInt32(a - b${k}, v, true)`,
};
/** A load's value: the read, sign-extended when the row says so (a full word needs nothing). */
const loadedValue = (k: number, w: number, signed: boolean): string =>
  signed && w < 4 ? apply(w === 1 ? 'sextByte' : 'sextHalf', READ[w]!(k)) : READ[w]!(k);
/** The site cache check and refill; `out` bails out when no region holds the access. */
const site_ = (k: number, w: number, find: string, out: string): string =>
  `if (a < b${k} || a + ${w} > e${k}) { const r = s.${find}(a, ${w}); if (r === null) ${out} b${k} = r.base; e${k} = r.end; u${k} = r.u8; d${k} = r.dv; }`;
/** The functions of isa/semantics.ts a block may call, by their names (the rows' `fn`). */
export const SEM_NAMES = [...sem.FN_NAMES.filter((f) => f !== ''), 'misaligned', 'extend', 'sextByte', 'sextHalf'] as const;
type SemName = (typeof SEM_NAMES)[number];

/** A semantic function that is one expression of its parameters: the expression's text, the parameters' names and how often the text uses each. */
interface Inline { params: string[]; body: string; uses: number[] }

/**
 * The one-expression functions of isa/semantics.ts, read from their own source text: a
 * translated function applies them inline rather than calls them. The semantics stay written
 * once; what changes is only where V8 finds them. Before V8 has optimized a block or region —
 * its first ~10^6 instructions, most of a short program's — every call costs the interpreter a
 * frame, and TurboFan compiles a body with no calls to inline in a fraction of the time.
 * A function whose text is anything else (a block body, a call of another function, a
 * parameter of another name) is called as before.
 */
const INLINE = new Map<string, Inline>();
/** A name in an expression, not a property after a dot. */
const NAME = /(?<![.\w$])[A-Za-z_$][\w$]*(?![\w$])/g;
for (const name of SEM_NAMES) {
  // `(a, b) => …`, or `a => …` as a minifier writes one parameter (the command line's bundle).
  const m = /^(?:\(([\w$\s,]*)\)|([A-Za-z_$][\w$]*))\s*=>\s*([^{][^;{}]*)$/.exec(Function.prototype.toString.call(sem[name]).trim());
  if (m === null) continue;
  const params = (m[1] ?? m[2]!).split(',').map((p) => p.trim()).filter((p) => p !== '');
  const body = m[3]!.trim();
  // Every name the body uses is a parameter, Math or a property after a dot (Math.imul).
  const names = body.match(NAME) ?? [];
  if (names.every((w) => params.includes(w) || w === 'Math')) INLINE.set(name, { params, body, uses: params.map((p) => names.filter((w) => w === p).length) });
}

/** An argument that may be repeated in an inlined body: a local or a literal. */
const ATOM = /^(?:[A-Za-z_$][\w$]*|-?\d+|true|false)$/;

/**
 * The application of semantic function `name` to the argument expressions `args`: its body with
 * each parameter replaced by its argument (in parentheses) where it is one expression, else a call.
 */
export function apply(name: SemName, ...args: string[]): string {
  const f = INLINE.get(name);
  if (f !== undefined && f.params.length === args.length) {
    // An argument with work in it (a memory read) is not repeated: used twice, it is a call.
    if (args.every((a, j) => ATOM.test(a) || f.uses[j]! <= 1)) {
      return `(${f.body.replace(NAME, (w) => { const j = f.params.indexOf(w); return j < 0 ? w : `(${args[j]!})`; })})`;
    }
  }
  return `${name}(${args.join(', ')})`;
}

/**
 * The register locals of a translated function. Guest registers live in JavaScript locals
 * r1..r31 for the length of the function, so V8 keeps them in machine registers: a register is
 * read from `x` once (when the function reads it before writing it) and written back once, at
 * the end or at a bail-out, if it was written.
 */
export class RegLocals {
  readonly loaded = new Set<number>();
  readonly dirty = new Set<number>();
  read(r: number): string {
    if (r === 0) return '0';
    if (!this.dirty.has(r)) this.loaded.add(r);
    return `r${r}`;
  }
  write(r: number, v: string): string {
    this.dirty.add(r);
    return `r${r} = ${v};`;
  }
  /** The write-back of every register written so far (before a bail-out or the end). */
  writeBack(): string {
    return [...this.dirty].sort((a, b) => a - b).map((r) => `x[${r}] = r${r};`).join(' ');
  }
  /** The declaration of the locals, at the function's start ('' when it uses none). */
  declare(): string {
    const regs = [...new Set([...this.loaded, ...this.dirty])].sort((a, b) => a - b);
    return regs.length === 0 ? '' : `let ${regs.map((r) => (this.loaded.has(r) ? `r${r} = x[${r}]` : `r${r} = 0`)).join(', ')};`;
  }
}

/** Where control goes after an instruction. */
export type Flow =
  | { kind: 'next' }
  /** JAL: a constant target. */
  | { kind: 'jump'; target: number }
  /** JALR: the target is in the local `t`. */
  | { kind: 'jumpr' }
  /** A conditional branch: `cond` (a JavaScript expression) true goes to `taken`. */
  | { kind: 'branch'; cond: string; taken: number; fall: number };

/** One instruction as JavaScript inside a translated function. */
export interface EmittedInsn {
  op: number;
  pc: number;
  /** Statements, in order; a bail-out (`out`) comes before the instruction's first side effect. */
  lines: string[];
  flow: Flow;
  /** The instruction has a memory-access site k (its site cache variables b_k, e_k, u_k, d_k). */
  site: boolean;
}

/**
 * The JavaScript of the instruction at word offset i of `code` (loaded at `base`), as the k-th of
 * its function: or null when it cannot be translated (it ends the function before it). `out` is
 * the bail-out statement. Every translator (blocks here, and the timing model's) emits
 * instructions with this one function, so their semantics cannot drift apart.
 */
export function emitInsn(code: Predecoded, base: number, i: number, k: number, regs: RegLocals, out: string): EmittedInsn | null {
  const ctl = code.ctl[i]!;
  const op = ctl & 0xff;
  if (!translatable(EXEC[op]!)) return null;
  const rd = (ctl >> 8) & 31, rs1 = (ctl >> 16) & 31, rs2 = ctl >>> 24, imm = code.imm[i]!;
  const pc = (base + 4 * i) >>> 0;
  const npc = (pc + 4) >>> 0;
  const row = TABLE[op]!;
  const f = row.fn as SemName; // a translatable row names a function
  const lines: string[] = [`// ${hex(pc)}: ${row.name}`];
  let flow: Flow = { kind: 'next' };
  let site = false;
  switch (EXEC[op]!) {
    case Exec.RR:
      if (rd !== 0) lines.push(regs.write(rd, apply(f, regs.read(rs1), regs.read(rs2))));
      break;
    case Exec.RI:
      if (rd !== 0) lines.push(regs.write(rd, apply(f, regs.read(rs1), `${imm}`)));
      break;
    // No register operand: the value is known now.
    case Exec.PI:
      if (rd !== 0) lines.push(regs.write(rd, `${sem.compute(FN[op]!, pc, imm)}`));
      break;
    case Exec.I:
      if (rd !== 0) lines.push(regs.write(rd, `${sem.compute(FN[op]!, 0, imm)}`));
      break;
    case Exec.JUMP_PC: {
      const t = sem.compute(FN[op]!, pc, imm) >>> 0;
      if (sem.misaligned(t)) return null;
      if (rd !== 0) lines.push(regs.write(rd, `${npc | 0}`));
      flow = { kind: 'jump', target: t };
      break;
    }
    case Exec.JUMP_R:
      lines.push(`t = ${apply(f, regs.read(rs1), `${imm}`)} >>> 0;`, `if (${apply('misaligned', 't')}) ${out}`);
      if (rd !== 0) lines.push(regs.write(rd, `${npc | 0}`));
      flow = { kind: 'jumpr' };
      break;
    case Exec.BRANCH: {
      const t = (pc + imm) >>> 0;
      if (sem.misaligned(t)) return null;
      flow = { kind: 'branch', cond: apply(f, regs.read(rs1), regs.read(rs2)), taken: t, fall: npc };
      break;
    }
    case Exec.LOAD: {
      const w = row.width;
      lines.push(`a = (${regs.read(rs1)} + ${imm}) >>> 0;`, site_(k, w, 'loadRegion', out));
      lines.push(rd !== 0 ? regs.write(rd, loadedValue(k, w, row.signed)) : `${READ[w]!(k)};`);
      site = true;
      break;
    }
    case Exec.STORE: {
      const w = row.width;
      lines.push(`a = (${regs.read(rs1)} + ${imm}) >>> 0;`, site_(k, w, 'storeRegion', out));
      lines.push(`v = ${regs.read(rs2)};`, `${WRITE[w]!(k)};`);
      site = true;
      break;
    }
    case Exec.NOP:
      // FENCE: memory is sequentially consistent here (docs/isa.md).
      break;
  }
  return { op, pc, lines, flow, site };
}

/** The declarations of a function's site caches (module scope of its source). */
export const siteVars = (sites: readonly number[]): string[] => sites.map((k) => `var b${k} = 1, e${k} = 0, u${k} = NO_U8, d${k} = NO_DV;`);
/** On entry: site caches filled under another address space are emptied. */
export const siteEpoch = (sites: readonly number[]): string =>
  sites.length === 0 ? '' : `if (s.epoch !== EP) { EP = s.epoch; ${sites.map((k) => `e${k} = 0;`).join(' ')} }`;

/** The gas of instructions `ops` as one expression over the cost table `gc`. */
export function costOf(ops: readonly number[]): string {
  // Costs are integers below 2^32 and a function holds at most a few thousand of them: the
  // grouped sum is exact in a double, and equal to the interpreter's one-by-one sum.
  const counts = new Map<number, number>();
  for (const op of ops) counts.set(op, (counts.get(op) ?? 0) + 1);
  return counts.size === 0 ? '0' : [...counts].map(([op, c]) => (c === 1 ? `gc[${op}]` : `gc[${op}] * ${c}`)).join(' + ');
}

/** Translate the block starting at word offset `start` of `code` (loaded at `base`), or null. */
export function translate(code: Predecoded, base: number, start: number): { fn: BlockFn; len: number } | null {
  const ops: number[] = [];
  const body: string[] = [];
  const sites: number[] = [];
  const n = code.ctl.length;
  const regs = new RegLocals();
  let end = 'end';
  for (let i = start; i < n && ops.length < MAX_BLOCK; i++) {
    const k = ops.length;
    const e = emitInsn(code, base, i, k, regs, `{ ${regs.writeBack()} return bail(s, OPS, ${k}, ${(base + 4 * i) >>> 0}, gc); }`);
    if (e === null) break;
    if (e.site) sites.push(k);
    ops.push(e.op);
    body.push(e.lines.join('\n  '));
    const f = e.flow;
    if (f.kind === 'next') continue;
    end = f.kind === 'jump' ? `s.bpc = ${f.target};` : f.kind === 'jumpr' ? 's.bpc = t;' : `s.bpc = ${f.cond} ? ${f.taken} : ${f.fall};`;
    break; // a control transfer ends the block
  }
  if (ops.length === 0) return null;
  const len = ops.length;
  const endPc = (base + 4 * (start + len)) >>> 0;
  if (end === 'end') end = `s.bpc = ${endPc};`;
  const src = [
    `"use strict";`,
    `const { ${SEM_NAMES.join(', ')} } = sem;`,
    `var EP = -1;`,
    ...siteVars(sites),
    `return function block_${(base + 4 * start).toString(16)}(s, x, gc, room) {`,
    `  const g = ${costOf(ops)};`,
    `  if (g > room) return -1;`,
    `  ${siteEpoch(sites)}`,
    `  let a = 0, v = 0, t = 0;`,
    `  ${regs.declare()}`,
    `  ${body.join('\n  ')}`,
    `  ${end}`,
    regs.dirty.size === 0 ? '' : `  ${regs.writeBack()}`,
    `  s.bk = ${len};`,
    `  return g;`,
    `};`,
  ].join('\n');
  return { fn: compile<BlockFn>(src, ops), len };
}

/**
 * Translations by source text, shared by every code region holding the same instructions at the
 * same addresses: a program loaded again, or the same contract code EVALed into frame after
 * frame, reuses the machine code V8 already made for it. Sharing is safe because a translated
 * function's only state is its site caches, which are tagged with the globally unique epoch of
 * the address space that filled them.
 */
const compiled = new Map<string, unknown>();
const MAX_COMPILED = 1 << 15;

/**
 * The function made by `src` (the body of a factory that returns it), compiled once per source
 * text. The source sees `sem` (isa/semantics.ts), `bail`, `OPS` (the opcodes of its
 * instructions, for bail-outs), and the empty `NO_U8`/`NO_DV` the site caches start with.
 */
export function compile<F>(src: string, ops: readonly number[]): F {
  let fn = compiled.get(src) as F | undefined;
  if (fn === undefined) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const make = new Function('sem', 'bail', 'span', 'OPS', 'NO_U8', 'NO_DV', src) as
      (s: typeof sem, b: typeof bail, sp: typeof span, ops: Int32Array, u8: Uint8Array, dv: DataView) => F;
    fn = make(sem, bail, span, Int32Array.from(ops), NO_U8, NO_DV);
    compiled.set(src, fn);
  }
  return fn;
}
