// The ISS's region translator. A region is a hot loop of code ROM and the translated blocks it
// branches among (calls and their returns included), compiled into ONE JavaScript function:
// the guest registers stay in JavaScript locals across all of its blocks, and control passes
// between them by an internal `for (;;) switch (b)` on a block number, so a hot loop runs as a
// native loop and returns to the ISS only when it leaves the region or has to stop.
//
// Architecturally invisible, exactly as a block (cpu/blocks.ts): each block of a region starts
// only when all of it fits in the instruction budget and the gas room that are left, and bails
// out to the interpreter before an instruction's first side effect for the same reasons as a
// block (an access no cached RAM/ROM region holds, a JALR to a misaligned target). A stop
// reports the exact instructions retired, gas used and pc; the interpreter then runs that
// instruction itself, as it would have after the block. Instructions are emitted by
// cpu/blocks.ts's emitInsn, so a region's semantics are the blocks'.
//
// A region is formed from a translated block the ISS has run REGION_HOT times as a block, and
// holds the translated blocks it reaches that are in no region yet; it can be entered at any of
// them. A cold path leaves the region at its first block, and the ISS runs it block by block.
// Regions are compiled by cpu/blocks.ts's compile, so one source text (the same code at the
// same addresses) is one function, shared like a block's under the same epoch rule.

import { BLOCK_TRANSLATED, costOf, emitInsn, MAX_BLOCK, RegLocals, SEM_NAMES, siteEpoch, siteVars, compile, type BlockCache, type BlockHost, type Flow } from './blocks.js';
import type { Predecoded } from '../isa/decode.js';

/** Where a region reports how it ended (RegionFn's `io`): typed slots, not object fields. */
export const enum RegionOut {
  /** Instructions retired. */
  RETIRED = 0,
  /** The next pc (as int32). */
  PC = 1,
  /**
   * 1 when the region stopped where the interpreter must run the next instruction (a bail-out,
   * or a block that did not fit in the budget or gas room); 0 when it left the region at the
   * start of a block it does not hold.
   */
  STOPPED = 2,
}

/**
 * A translated region, entered at its block number `entry`. Returns the gas its retired instructions cost
 * (from `gc`, the cost table in force) and writes the rest to `io` (RegionOut). `s` is the
 * block host (epoch and data regions; a region writes none of its fields). `room` is the gas
 * gate's headroom and `left` the instructions it may retire: both integers below 2^30 (the
 * caller caps them, and a region reaching a cap just stops).
 */
export type RegionFn = (s: BlockHost, x: Int32Array, gc: Float64Array, room: number, left: number, io: Int32Array, entry: number) => number;

/**
 * Visits of a translated block, run as a block, before a region is formed from it. High enough
 * that the paths a loop takes now and then (every 16th iteration, say) have been translated by
 * then: a region holds only blocks translated when it is formed, and V8 compiles a region
 * before it has run a path it holds but seldom takes, and deoptimizes it when it first does.
 */
export const REGION_HOT = 512;
/** Blocks and instructions in one region at most (V8's compile time grows with a function's size). */
export const MAX_REGION_BLOCKS = 32;
export const MAX_REGION_INSNS = 512;
/**
 * Characters of the blocks' source in one region at most (its first block is always in). V8's
 * compile time grows faster than a function's size, and it never optimizes a function past
 * ~60 KB of bytecode: keccak's unrolled rounds, 512 loads, stores and ALU operations in one
 * region, made 115–136 KB of source that ran unoptimized for the whole run (22 M instr/s
 * against 146 with blocks only), and a 47 KB one took TurboFan 160–200 ms.
 */
export const MAX_REGION_SOURCE = 16_384;

/** RegionCache.heat past the count: the block is in a region (REGION), or none was formed from it (NONE; it may still join one). */
export const enum Heat { REGION = 0xfffe, NONE = 0xffff }

/** Where a block is in a region: the region, and the block's number in it (where it is entered). */
export class RegionEntry<F = RegionFn> {
  constructor(readonly fn: F, readonly b: number) {}
}

const CHUNK_BITS = 16;
/** Above any gas room a caller passes (RegionFn's `room` is below 2^30). */
const COST_CAP = 0x4000_0000;
/**
 * Dry runs of a new region with no instructions to spend: each stops at its entry block's check
 * having retired nothing, so its one exit path (the register write-back) has run unoptimized.
 * Without them V8 compiles a region while it is still in its first loop (on-stack replacement)
 * with no type feedback for the exit, and then deoptimizes at every exit. One is not enough:
 * V8 gives a function its feedback vector only after it has run a while (lazy feedback
 * allocation).
 */
const DRY_RUNS = 100;

/**
 * Per code region: the regions formed, by the word offsets of their blocks. The ISS's are shared
 * by every ISS (regionCache); the timing model keeps its own (cpu/timing.ts: its code depends on
 * its wait states).
 */
export class Regions<F> {
  /** Below Heat.REGION: visits counted; Heat.REGION: at(i) is where the block is in a region; Heat.NONE: no region formed from it. */
  readonly heat: Uint16Array;
  private readonly chunks: ((RegionEntry<F> | null)[] | null)[];
  /** Regions formed (compiled or found in the compile cache). */
  formed = 0;

  constructor(words: number) {
    this.heat = new Uint16Array(words);
    this.chunks = new Array<(RegionEntry<F> | null)[] | null>((words + (1 << CHUNK_BITS) - 1) >>> CHUNK_BITS).fill(null);
  }

  /** The region holding the block at word offset i (heat Heat.REGION). */
  at(i: number): RegionEntry<F> {
    return this.chunks[i >>> CHUNK_BITS]![i & ((1 << CHUNK_BITS) - 1)]!;
  }

  /**
   * The region `made` formed from the block at word offset i, or none (null: i is marked so).
   * A new region first makes DRY_RUNS runs with no instructions to spend (`dry`), then is entered
   * at its blocks (block b at starts[b]). True if there is one.
   */
  adopt(i: number, made: { fn: F; starts: readonly number[] } | null, dry: (fn: F) => void): boolean {
    if (made === null) { this.heat[i] = Heat.NONE; return false; }
    for (let k = 0; k < DRY_RUNS; k++) dry(made.fn);
    made.starts.forEach((j, b) => {
      const k = j >>> CHUNK_BITS;
      let c = this.chunks[k]!;
      // As long as the words it covers (BlockCache's chunks).
      if (c === null) c = this.chunks[k] = new Array<RegionEntry<F> | null>(Math.min(1 << CHUNK_BITS, this.heat.length - (k << CHUNK_BITS))).fill(null);
      c[j & ((1 << CHUNK_BITS) - 1)] = new RegionEntry(made.fn, b);
      this.heat[j] = Heat.REGION;
    });
    this.formed++;
    return true;
  }
}

/** The ISS's regions of one code region. */
export class RegionCache extends Regions<RegionFn> {
  constructor(readonly code: Predecoded, readonly base: number) {
    super(code.ctl.length);
  }

  /**
   * Form a region from the translated block at word offset i and the translated blocks, in no
   * region yet, that it reaches; true if there is one (a single block that does not loop is
   * none). `host`, `x`, `gc` and `io` are the caller's, for the dry runs.
   */
  form(blocks: BlockCache, i: number, host: BlockHost, x: Int32Array, gc: Float64Array, io: Int32Array): boolean {
    return this.adopt(i, translateRegion(this.code, this.base, i, blocks, this), (fn) => fn(host, x, gc, 0, 0, io, 0));
  }
}

const caches = new WeakMap<Predecoded, RegionCache>();

/** The region cache of a code region (made on first use). */
export function regionCache(code: Predecoded, base: number): RegionCache {
  let c = caches.get(code);
  if (c === undefined) { c = new RegionCache(code, base); caches.set(code, c); }
  return c;
}

/** One block of a region, emitted. */
export interface Member {
  /** Word offset and pc of its first instruction. */
  start: number;
  pc: number;
  len: number;
  ops: number[];
  lines: string[];
  flow: Flow;
  /** The pc after its last instruction (where a block ended by its length goes). */
  endPc: number;
  /** The return address a call in it links (JAL/JALR with rd != 0), or -1. */
  link: number;
}

/**
 * The bail-out before the instruction at pc, the region's k-th, whose block's first instruction
 * is the region's k0-th: the gas of the ones before it in the block is summed from OPS (the
 * region's opcodes in order), so a bail-out costs a few bytes of source however long its block.
 */
export const bailOut = (k0: number, k: number, pc: number): string =>
  k === k0 ? `{ pc = ${pc}; stop = 1; break R; }`
    : `{ n += ${k - k0}; g += span(gc, OPS, ${k0}, ${k}); pc = ${pc}; stop = 1; break R; }`;

/** Emit the block at word offset `start` (translated, so its first instruction translates). */
function emitBlock(code: Predecoded, base: number, start: number, k0: number, regs: RegLocals, sites: number[]): Member {
  const ops: number[] = [];
  const lines: string[] = [];
  const n = code.ctl.length;
  let flow: Flow = { kind: 'next' };
  let link = -1;
  for (let i = start; i < n && ops.length < MAX_BLOCK; i++) {
    const k = k0 + ops.length;
    const pc = (base + 4 * i) >>> 0;
    const e = emitInsn(code, base, i, k, regs, bailOut(k0, k, pc));
    if (e === null) break;
    if (e.site) sites.push(k);
    ops.push(e.op);
    lines.push(...e.lines);
    if (e.flow.kind === 'next') continue;
    flow = e.flow;
    const rd = (code.ctl[i]! >> 8) & 31;
    if ((e.flow.kind === 'jump' || e.flow.kind === 'jumpr') && rd !== 0) link = (pc + 4) >>> 0;
    break;
  }
  const pc = (base + 4 * start) >>> 0;
  return { start, pc, len: ops.length, ops, lines, flow, endPc: (pc + 4 * ops.length) >>> 0, link };
}

/** The static successors of a block (its return address counts: the callee comes back there). */
function successors(m: Member): number[] {
  const f = m.flow;
  const out = f.kind === 'next' ? [m.endPc] : f.kind === 'jump' ? [f.target] : f.kind === 'branch' ? [f.taken, f.fall] : [];
  if (m.link >= 0) out.push(m.link);
  return out;
}

/**
 * The blocks of the region rooted at word offset `root` of `code` (loaded at `base`): the
 * translated blocks (`translated(j)`) reachable from it that are in no region yet (`inRegion`),
 * each emitted by `emit` (word offset, the region's count of instructions before it), or null
 * when it would be one block that does not loop.
 */
export function gatherRegion(code: Predecoded, base: number, root: number, translated: (j: number) => boolean, inRegion: (j: number) => boolean,
  len: (j: number) => number, emit: (j: number, k0: number) => Member): Member[] | null {
  const n = code.ctl.length;
  if (!translated(root)) return null;
  const members: Member[] = [];
  const index = new Set<number>(); // pcs of the members
  let insns = 0, chars = 0;
  const queue = [root];
  while (queue.length > 0 && members.length < MAX_REGION_BLOCKS) {
    const i = queue.shift()!;
    const pc = (base + 4 * i) >>> 0;
    if (index.has(pc)) continue;
    if (members.length > 0 && insns + len(i) > MAX_REGION_INSNS) break;
    const m = emit(i, insns);
    const size = m.lines.reduce((c, l) => c + l.length, 0);
    // Left out after all: its registers and sites stay declared, read on entry and written back
    // unchanged (a few statements more, never another result).
    if (members.length > 0 && chars + size > MAX_REGION_SOURCE) break;
    index.add(pc);
    members.push(m);
    insns += m.len;
    chars += size;
    for (const t of successors(m)) {
      const off = t - base;
      if (off < 0 || off >= 4 * n) continue;
      const j = off >>> 2;
      if (translated(j) && !inRegion(j) && !index.has(t)) queue.push(j);
    }
  }
  // A lone block that never comes back to itself is what the block translator already gives.
  if (members.length === 1 && !successors(members[0]!).includes(members[0]!.pc)) return null;
  return members;
}

/** What a kind of region adds to the common skeleton (regionSource). */
export interface RegionShape {
  /** The function's name before its first pc (a profile shows it). */
  name: string;
  /** Parameters after the common seven (s, x, gc, room, left, io, entry). */
  params: string[];
  /** Statements after the locals are declared (before the loop). */
  prologue: string[];
  /** Statements on every exit, after the register write-back. */
  epilogue: string[];
}

/**
 * The source of a region over `members` (gatherRegion): registers `regs` in locals, site caches
 * `sites`, `for (;;) switch (b)` between the blocks, a JALR by a switch on the return addresses
 * its calls link.
 */
export function regionSource(members: readonly Member[], regs: RegLocals, sites: readonly number[], shape: RegionShape = { name: 'region', params: [], prologue: [], epilogue: [] }): string {
  const index = new Map(members.map((m, b) => [m.pc, b] as const));
  // Where a JALR may land inside the region: the return addresses its calls link.
  const returns = [...new Set(members.map((m) => m.link).filter((l) => l >= 0 && index.has(l)))].sort((a, b) => a - b);
  /** Control to pc `t` (a constant): the next block, or out of the region. */
  const go = (t: number, next: number): string => {
    const b = index.get(t);
    if (b === undefined) return `{ pc = ${t}; break R; }`;
    return b === next ? '' : `{ b = ${b}; continue R; }`;
  };
  const cases: string[] = [];
  members.forEach((m, b) => {
    const f = m.flow;
    let end: string;
    switch (f.kind) {
      case 'next': end = go(m.endPc, b + 1); break;
      case 'jump': end = go(f.target, b + 1); break;
      case 'branch': {
        const taken = go(f.taken, b + 1), fall = go(f.fall, b + 1);
        end = taken === fall ? taken : taken === '' ? `if (!(${f.cond})) ${fall}` : fall === '' ? `if (${f.cond}) ${taken}` : `if (${f.cond}) ${taken} else ${fall}`;
        break;
      }
      case 'jumpr':
        end = `switch (t) { ${returns.map((r) => `case ${r}: b = ${index.get(r)!}; continue R;`).join(' ')} default: pc = t; break R; }`;
        break;
    }
    cases.push([
      `case ${b}: // ${'0x' + m.pc.toString(16)}`,
      `  if (n > left - ${m.len} || g + c${b} > room) { pc = ${m.pc}; stop = 1; break R; }`,
      ...m.lines.map((l) => '  ' + l),
      `  n += ${m.len}; g += c${b};`,
      `  ${end}`,
    ].join('\n    '));
  });
  // Every register the region touches is read on entry: a block may run before another that
  // writes it first in emission order. Every register written is written back on every exit.
  const used = [...new Set([...regs.loaded, ...regs.dirty])].sort((a, b) => a - b);
  const dirty = [...regs.dirty].sort((a, b) => a - b);
  return [
    `"use strict";`,
    `const { ${SEM_NAMES.join(', ')} } = sem;`,
    `var EP = -1;`,
    ...siteVars(sites),
    `return function ${shape.name}_${members[0]!.pc.toString(16)}(${['s', 'x', 'gc', 'room', 'left', 'io', 'entry', ...shape.params].join(', ')}) {`,
    `  ${siteEpoch(sites)}`,
    `  let a = 0, v = 0, t = 0, n = 0, g = 0, pc = 0, b = entry, stop = 0;`,
    // Block costs as small integers: `room` is below COST_CAP, so a block costing that much
    // never fits, and in V8's first tiers every double sum would be a heap allocation.
    `  const ${members.map((m, b) => `c${b} = Math.min(${costOf(m.ops)}, ${COST_CAP}) | 0`).join(', ')};`,
    used.length === 0 ? '' : `  let ${used.map((r) => `r${r} = x[${r}]`).join(', ')};`,
    ...shape.prologue.map((l) => `  ${l}`),
    `  R: for (;;) {`,
    `    switch (b) {`,
    `    ${cases.join('\n    ')}`,
    `    }`,
    `  }`,
    dirty.length === 0 ? '' : `  ${dirty.map((r) => `x[${r}] = r${r};`).join(' ')}`,
    ...shape.epilogue.map((l) => `  ${l}`),
    `  io[${RegionOut.RETIRED}] = n; io[${RegionOut.PC}] = pc; io[${RegionOut.STOPPED}] = stop;`,
    `  return g;`,
    `};`,
  ].join('\n');
}

/**
 * The region rooted at word offset `root` of `code` (loaded at `base`): the translated blocks
 * (in `blocks`) reachable from it, or null when it would be one block that does not loop.
 */
export function translateRegion(code: Predecoded, base: number, root: number, blocks: BlockCache, regions: RegionCache): { fn: RegionFn; starts: number[] } | null {
  const regs = new RegLocals();
  const sites: number[] = [];
  const state = blocks.state;
  const members = gatherRegion(code, base, root, (j) => state[j] === BLOCK_TRANSLATED, (j) => regions.heat[j] === Heat.REGION,
    (j) => blocks.len[j]!, (j, k0) => emitBlock(code, base, j, k0, regs, sites));
  if (members === null) return null;
  return { fn: compile<RegionFn>(regionSource(members, regs, sites), members.flatMap((m) => m.ops)), starts: members.map((m) => m.start) };
}
