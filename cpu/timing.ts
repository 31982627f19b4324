// The timing model: the ISS with the cycle count of the unit-level pipeline (cpu/core.ts), exact
// by docs/timing.md. The pipeline is in order and its stalls are global (a stall of a stage
// holds every stage behind it), so each instruction's stage times follow from the previous
// instruction's and a few facts of its own. Per instruction k, with cycles numbered from 1:
//
//   f = N                                   fetch (N: the next fetch cycle, below)
//   d = max(f + 1, E)                       leaves ID when EX advances ...
//   if d > E or load-use: d = max(d, M)     ... and not while MEM holds its predecessor
//   e = max(d + X, M)                       X = 32 for the divider (T3), else 1
//   m = e + MC                              MC: MEM cycles, one per transaction plus its wait states
//   retires (WB) in cycle m + 1
//   N = e + 1 after a taken branch or jump (T5), m + 2 after a flush in WB (T12–T14), else d
//
// where (D, E, M) are k − 1's times and load-use is k reading the rd of a load or GAS right
// before it (T8). That is the whole state: (D, E, M, N) and the late rd L (TimingState).
//
// Translated blocks (cpu/blocks.ts's emitInsn, semantics once) carry this recurrence inline: the
// static part is folded at translation — two plain instructions bring the pipeline to its steady
// state (E = D + 1, M = D + 2, N = D), where every further plain instruction is a constant add —
// and only what is truly dynamic runs: taken or not, misaligned splits, a region's wait states.
// Hot loops of timed blocks become timed regions (translateTimedRegion, on cpu/regions.ts's
// skeleton), the state in locals from block to block and unfolded at each block's start.
// Everything else (devices, ECALL, frame instructions, traps, cold code) runs one instruction at
// a time through the ISS with the same recurrence (`stepTimed`). Device latency (T11a) is
// exact because the devices see the model's time: their clock reads the cycle of the access.

import { FN, Op } from '../isa/table.js';
import * as sem from '../isa/semantics.js';
import type { Predecoded } from '../isa/decode.js';
import type { BusSlave } from '../peripherals/device.js';
import { permitted } from '../peripherals/device.js';
import { UNMAPPED } from '../peripherals/decoder.js';
import { compile, costOf, emitInsn, MAX_BLOCK, RegLocals, siteEpoch, siteVars, SEM_NAMES, type Flow } from './blocks.js';
import { bailOut, gatherRegion, Heat, regionSource, Regions, RegionOut, type Member } from './regions.js';
import { waitStatesOf, type MemoryWaitStates } from './bus.js';
import { CTL, Ctl } from './control.js';
import type { CopySegment } from './frames.js';
import { gateOf } from './gas.js';
import { Iss } from './iss.js';
import { DIV_CYCLES } from './mdu.js';
import { Perm, type AddressSpace, type Region } from './memory.js';
import { Cause, Stop } from './trap.js';

export interface TimingOptions {
  /** Wait states of the memory slaves, as CoreOptions.waitStates. */
  waitStates?: MemoryWaitStates;
  /** As CoreOptions.randomStalls: not modelled here (an error when set). */
  randomStalls?: number;
  seed?: number;
  devices?: readonly BusSlave[];
}

/**
 * Indices into the timing state (a Float64Array: cycle numbers pass 2^31). With tracking on
 * (fast-forward, debug/fastforward.ts): CC/CR the last restart point — the cycle before a fetch
 * no older instruction constrains, and the instructions retired by then — and per unit
 * (Unit) the restart point current at the unit's last use (UR −1: never used).
 */
export const enum Ts { D, E, M, N, L, CC, CR, U0, SIZE = U0 + 16 }

/** Units whose signals keep their last use's values (fast-forward must restart before that use). */
export const enum Unit { ALU, MDU, BRU, LOAD, STORE, SPLIT, COUNT }

/** The units an instruction uses, as a bit mask over Unit (its split accesses are found at run time). */
export function unitsOf(op: number): number {
  const c = CTL[op]!;
  let u = 0;
  if (c & Ctl.IS_MDU) u |= 1 << Unit.MDU;
  else if (c & Ctl.IS_BRU) u |= 1 << Unit.BRU;
  else if (c & Ctl.IS_LOAD) u |= 1 << Unit.LOAD;
  else if (c & Ctl.IS_STORE) u |= 1 << Unit.STORE;
  else if ((c & Ctl.WB_PERM) === 0) u |= 1 << Unit.ALU;
  return u;
}

/** The marks of a unit mask's uses: each unit takes the restart point now current. */
function marksOf(units: number): string {
  let out = '';
  for (let u = 0; u < Unit.COUNT; u++) if (units & (1 << u)) out += `ts[${Ts.U0 + 2 * u}] = ts[${Ts.CC}]; ts[${Ts.U0 + 2 * u + 1}] = ts[${Ts.CR}]; `;
  return out;
}

/**
 * A timed block: as cpu/blocks.ts's BlockFn, and it advances the timing state `ts` over the
 * instructions it retires.
 */
export type TimedBlockFn = (s: TimedIss, x: Int32Array, gc: Float64Array, room: number, ts: Float64Array) => number;

const enum St { TRANSLATED = 254, NONE = 255 }
const CHUNK_BITS = 12, CHUNK = 1 << CHUNK_BITS;
/** Blocks up to this many instructions get a second body for a steady entry. */
const DUAL_MAX = 16;
const NO_BLOCK: TimedBlockFn = () => -1;
const ROOM_CAP = 0x3fff_ffff;

/** Timed blocks of one code region, for one timing model (their wait states are its own). */
class TimedBlocks {
  readonly state: Uint8Array;
  readonly len: Uint8Array;
  /** Functions by word offset in chunks made on first use (a sparse array would be a dictionary). */
  private readonly chunks: (TimedBlockFn[] | null)[];
  constructor(readonly code: Predecoded, readonly base: number) {
    const n = code.ctl.length;
    this.state = new Uint8Array(n);
    this.len = new Uint8Array(n);
    this.chunks = new Array<TimedBlockFn[] | null>((n + CHUNK - 1) >>> CHUNK_BITS).fill(null);
  }
  /** Its timed regions (made when regions are first used: not while fast-forward tracks). */
  regions: Regions<TimedRegionFn> | null = null;
  fn(i: number): TimedBlockFn {
    return this.chunks[i >>> CHUNK_BITS]![i & (CHUNK - 1)]!;
  }
  set(i: number, f: TimedBlockFn): void {
    let c = this.chunks[i >>> CHUNK_BITS]!;
    if (c === null) c = this.chunks[i >>> CHUNK_BITS] = new Array<TimedBlockFn>(CHUNK).fill(NO_BLOCK);
    c[i & (CHUNK - 1)] = f;
  }
}

/** One instruction's pipeline facts, from its control word. */
const usesOf = (ctl: number): number[] => {
  const c = CTL[ctl & 0xff]!, out: number[] = [];
  const rs1 = (ctl >> 16) & 31, rs2 = ctl >>> 24;
  if (c & Ctl.USES_RS1 && rs1 !== 0) out.push(rs1);
  if (c & Ctl.USES_RS2 && rs2 !== 0 && rs2 !== rs1) out.push(rs2);
  return out;
};

/**
 * The translation of a block's timing, instruction by instruction. At translation it knows
 * whether the pipeline is in its steady state (then only D is live, plus a constant `p` not yet
 * added) and the previous instruction's late rd (null: the block's entry, read at run time).
 */
class TimingGen {
  steady = false;
  p = 0;
  plain = 0;
  late: number | null = null;
  /** A taken-branch condition folded in the steady state (the block's last instruction). */
  private redirect: string | null = null;
  /** `steady`: the block is entered in the steady state (D its steady time) with no late rd. */
  constructor(private readonly fault: number, steady: boolean) {
    if (steady) { this.steady = true; this.late = 0; }
  }

  private materialize(): string {
    if (!this.steady) return '';
    const s = `D += X + ${this.p}; X = 0; E = D + 1; M = D + 2; N = D;`;
    this.p = 0;
    this.steady = false;
    return s;
  }

  /** The load-use condition of an instruction reading `uses`: a constant or a run-time test. */
  private loadUse(uses: number[]): string {
    if (this.late === null) return uses.length === 0 ? 'false' : uses.map((r) => `L === ${r}`).join(' || ');
    return uses.includes(this.late) && this.late !== 0 ? 'true' : 'false';
  }

  /**
   * The timing of one instruction: `ex` cycles in EX, `mc` (an expression) in MEM, whether it is
   * plain (1 and 1), its late rd, `redirect` (an expression: a taken branch or jump).
   */
  insn(ctl: number, ex: number, mc: string, late: number, redirect: string, nextDiv: boolean, parts: MemParts = { fixed: 1, dyn: null }): string {
    const uses = usesOf(ctl);
    const lu = this.loadUse(uses);
    const plainNow = ex === 1 && mc === '1' && redirect === 'false';
    const step = lu === 'true' ? 2 : 1;
    let out = '';
    const folds = this.steady && redirect === 'false' && (lu === 'true' || lu === 'false');
    if (folds && plainNow) {
      this.p += step;
    } else if (folds && ex === 1 && mc === '1') {
      // A branch or jump from the steady state: leaves EX at D + 1, fetch restarts after it.
      this.p += step;
      this.redirect = redirect;
    } else if (folds && ex === DIV_CYCLES && mc === '1') {
      // A division from the steady state: E and M move on by 31 more, and only they decide
      // what follows (its successor leaves ID when it leaves EX), so it stays steady, shifted.
      this.p += step + DIV_CYCLES - 1;
    } else if (folds && ex === 1 && !nextDiv) {
      // MEM holding mc − 1 extra cycles: the steady state shifted by them gives every later
      // instruction the same EX and MEM times — unless a division follows at once (it would
      // overlap the stall), hence the static check.
      // The constant part joins p; the run-time part goes into the small integer X.
      this.p += step - 1 + parts.fixed;
      if (parts.dyn !== null) out += `X += ${parts.dyn};`;
    } else {
      out += this.materialize();
      const luTest = lu === 'false' ? 'd > E' : lu === 'true' ? 'true' : `d > E || ${lu}`;
      out += `d = N + 1; if (d < E) d = E; if ((${luTest}) && d < M) d = M; e = d + ${ex}; if (e < M) e = M; M = e + ${mc}; D = d; E = e; `;
      out += redirect === 'false' ? 'N = d;' : redirect === 'true' ? `N = e + ${1 + this.fault};` : `N = ${redirect} ? e + ${1 + this.fault} : d;`;
      if (plainNow) {
        if (++this.plain >= 2) { this.steady = true; this.p = 0; }
      } else this.plain = 0;
    }
    this.late = late;
    return out;
  }

  /**
   * The state in the locals D, E, M, N, L as an unfolded block would leave it (a region's block
   * ends, or bails out, so), without changing the generator.
   */
  sync(): string {
    const l = this.late === null ? '' : ` L = ${this.late};`;
    if (!this.steady) return l.trim();
    const p = this.p, n = this.redirect === null ? `D + ${p}` : this.redirect === 'true' ? `D + ${p + 2 + this.fault}` : `(${this.redirect} ? D + ${p + 2 + this.fault} : D + ${p})`;
    return `D += X; X = 0; N = ${n}; E = D + ${p + 1}; M = D + ${p + 2}; D += ${p};${l}`;
  }

  /** The state written back (at the end or a bail-out), without changing the generator. */
  store(): string {
    const l = `ts[${Ts.L}] = ${this.late === null ? 'L' : this.late};`;
    const p = this.p, n = this.redirect === null ? `D + ${p}` : this.redirect === 'true' ? `D + ${p + 2 + this.fault}` : `(${this.redirect} ? D + ${p + 2 + this.fault} : D + ${p})`;
    if (this.steady) return `D += X; ts[${Ts.D}] = D + ${p}; ts[${Ts.E}] = D + ${p + 1}; ts[${Ts.M}] = D + ${p + 2}; ts[${Ts.N}] = ${n}; ${l}`;
    return `ts[${Ts.D}] = D; ts[${Ts.E}] = E; ts[${Ts.M}] = M; ts[${Ts.N}] = N; ${l}`;
  }
}

/** MEM cycles of an access of width `w` at the local `a` under uniform wait states `ws` (T9–T11). */
function memCyclesExpr(w: number, ws: number | null, store: boolean, track: boolean): string {
  const split = track ? marksOf(1 << Unit.SPLIT).trim().replace(/; /g, ', ').replace(/;$/, ', ') : '';
  if (ws === null) return track ? `((a & 3) + ${w} > 4 ? (${split}s.memCycles(a, ${w}, ${store})) : s.memCycles(a, ${w}, ${store}))` : `s.memCycles(a, ${w}, ${store})`;
  const one = 1 + ws;
  if (w === 1) return `${one}`;
  if (track) return `((a & 3) ${w === 2 ? '=== 3' : '!== 0'} ? (${split}${2 * one}) : ${one})`;
  // Branch-free: 1 when the access crosses a word boundary (lane + width > 4), else 0.
  const crosses = `(((a & 3) + ${w === 2 ? 1 : 3}) >> 2)`;
  return one === 1 ? `(1 + ${crosses})` : `(${one} + ${crosses} * ${one})`;
}

/** MEM cycles as a constant part and a run-time part (an integer expression, or null). */
interface MemParts { fixed: number; dyn: string | null }

function memCyclesParts(w: number, ws: number | null, store: boolean, track: boolean): MemParts {
  const marks = track ? marksOf(1 << Unit.SPLIT).trim().replace(/; /g, ', ').replace(/;$/, ', ') : '';
  if (ws === null) {
    const call = `s.memCycles(a, ${w}, ${store})`;
    return { fixed: 0, dyn: track && w > 1 ? `((a & 3) + ${w} > 4 ? (${marks}${call}) : ${call})` : call };
  }
  const one = 1 + ws;
  if (w === 1) return { fixed: one, dyn: null };
  if (track) return { fixed: one, dyn: `((a & 3) ${w === 2 ? '=== 3' : '!== 0'} ? (${marks}${one}) : 0)` };
  const crosses = `(((a & 3) + ${w === 2 ? 1 : 3}) >> 2)`;
  return { fixed: one, dyn: one === 1 ? crosses : `${crosses} * ${one}` };
}

/** Translate the timed block at word offset `start`, or null. */
function translateTimed(code: Predecoded, base: number, start: number, ws: number | null, fault: number, track: boolean): { fn: TimedBlockFn; len: number } | null {
  // Two bodies over the same instructions: one for a block entered in the steady state (or
  // right after a taken branch, its equivalent: the next fetch decides alone), where every plain
  // instruction folds into a constant; one for any other entry.
  // Long blocks get the general body only: their entry costs little beside them, and V8's
  // compile time grows faster than a function's size.
  const slow = timedBody(code, base, start, ws, fault, track, false);
  if (slow === null) return null;
  const { ops, sites, units, regs } = slow;
  const len = ops.length;
  const fast = len <= DUAL_MAX ? timedBody(code, base, start, ws, fault, track, true)! : null;
  const src = [
    `"use strict";`,
    `const { ${SEM_NAMES.join(', ')} } = sem;`,
    `var EP = -1;`,
    ...siteVars(sites),
    `return function tblock_${(base + 4 * start).toString(16)}(s, x, gc, room, ts) {`,
    `  const g = ${costOf(ops)};`,
    `  if (g > room) return -1;`,
    `  ${siteEpoch(sites)}`,
    `  let a = 0, v = 0, t = 0, d = 0, e = 0, X = 0;`,
    `  let D = ts[${Ts.D}], E = ts[${Ts.E}], M = ts[${Ts.M}], N = ts[${Ts.N}], L = ts[${Ts.L}];`,
    // Tracking: the block's units are marked at its entry (no later than their use).
    track ? `  ${marksOf(units)}` : '',
    `  ${regs.declare()}`,
    fast === null ? `  ${slow.body}` : `  if (${STEADY_ENTRY}) {\n  D = N;\n  ${fast.body}\n  } else {\n  ${slow.body}\n  }`,
    `  s.bk = ${len};`,
    `  return g;`,
    `};`,
  ].join('\n');
  return { fn: compile<TimedBlockFn>(src, ops), len };
}

/**
 * Inside a region (translateTimedRegion): the region's register locals and site list, and the
 * count of the region's instructions before this block. Its timing state is in locals; the
 * block leaves it there unfolded (TimingGen.sync) and control to the region.
 */
interface InRegion { regs: RegLocals; sites: number[]; k0: number }

/** The statements of a timed block from one entry state (TimingGen `steady`), to its end. */
function timedBody(code: Predecoded, base: number, start: number, ws: number | null, fault: number, track: boolean, steady: boolean, region: InRegion | null = null):
  { ops: number[]; sites: number[]; units: number; regs: RegLocals; body: string; flow: Flow; link: number } | null {
  const ops: number[] = [];
  const body: string[] = [];
  const sites = region?.sites ?? [];
  const n = code.ctl.length;
  const regs = region?.regs ?? new RegLocals();
  const k0 = region?.k0 ?? 0;
  const tg = new TimingGen(fault, steady);
  let end = '';
  let units = 0;
  let flow: Flow = { kind: 'next' };
  let link = -1;
  for (let i = start; i < n && ops.length < MAX_BLOCK; i++) {
    const k = k0 + ops.length;
    const pc = (base + 4 * i) >>> 0;
    const out = region === null ? `{ ${regs.writeBack()} ${tg.store()} return bail(s, OPS, ${k}, ${pc}, gc); }` : `{ ${tg.sync()} ${bailOut(k0, k, pc).slice(1)}`;
    const e = emitInsn(code, base, i, k, regs, out);
    if (e === null) break;
    if (e.site) sites.push(k);
    ops.push(e.op);
    units |= unitsOf(e.op);
    body.push(e.lines.join('\n  '));
    const ctl = code.ctl[i]!, c = CTL[e.op]!;
    const w = c >>> Ctl.WIDTH_SHIFT;
    const rd = (ctl >> 8) & 31;
    const ex = c & Ctl.IS_DIV ? DIV_CYCLES : 1;
    const mc = w === 0 ? '1' : memCyclesExpr(w, ws, (c & Ctl.IS_STORE) !== 0, track);
    const parts = w === 0 ? { fixed: 1, dyn: null } : memCyclesParts(w, ws, (c & Ctl.IS_STORE) !== 0, track);
    const late = c & Ctl.LATE_RESULT ? rd : 0;
    const f = e.flow;
    const nextDiv = i + 1 >= n || (CTL[code.ctl[i + 1]! & 0xff]! & Ctl.IS_DIV) !== 0;
    if (f.kind === 'next') { body.push(tg.insn(ctl, ex, mc, late, 'false', nextDiv, parts)); continue; }
    if (f.kind === 'branch') {
      body.push(`t = ${f.cond} ? 1 : 0;`, tg.insn(ctl, ex, mc, late, 't === 1', true));
      end = `s.bpc = t === 1 ? ${f.taken} : ${f.fall};`;
      flow = { ...f, cond: 't === 1' };
    } else {
      body.push(tg.insn(ctl, ex, mc, late, 'true', true));
      end = f.kind === 'jump' ? `s.bpc = ${f.target};` : 's.bpc = t;';
      flow = f;
      if (rd !== 0) link = (pc + 4) >>> 0;
    }
    break;
  }
  if (ops.length === 0) return null;
  if (region !== null) {
    body.push(tg.sync());
    return { ops, sites, units, regs, body: body.join('\n  '), flow, link };
  }
  if (end === '') end = `s.bpc = ${(base + 4 * (start + ops.length)) >>> 0};`;
  body.push(end);
  if (regs.dirty.size !== 0) body.push(regs.writeBack());
  body.push(tg.store());
  return { ops, sites, units, regs, body: body.join('\n  '), flow, link };
}

/** The steady-state entry test of a dual body (translateTimed): the next fetch decides alone. */
const STEADY_ENTRY = 'L === 0 && E === D + 1 && M === D + 2 && (N === D || N === D + 2)';

/**
 * A timed region: a region (cpu/regions.ts) of timed blocks, its timing state (D, E, M, N, L) in
 * locals across all of them, read from `ts` on entry and written back on every exit. Each block
 * starts from the unfolded state, with the blocks' two bodies where they have two.
 */
export type TimedRegionFn = (s: TimedIss, x: Int32Array, gc: Float64Array, room: number, left: number, io: Int32Array, entry: number, ts: Float64Array) => number;

function translateTimedRegion(b: TimedBlocks, root: number, regions: Regions<TimedRegionFn>, ws: number | null, fault: number): { fn: TimedRegionFn; starts: number[] } | null {
  const { code, base } = b;
  const regs = new RegLocals();
  const sites: number[] = [];
  const members = gatherRegion(code, base, root, (j) => b.state[j] === St.TRANSLATED, (j) => regions.heat[j] === Heat.REGION, (j) => b.len[j]!, (j, k0): Member => {
    const slow = timedBody(code, base, j, ws, fault, false, false, { regs, sites, k0 })!;
    const len = slow.ops.length;
    // The steady body's sites are the slow one's (the same instructions, the same k).
    const fast = len <= DUAL_MAX ? timedBody(code, base, j, ws, fault, false, true, { regs, sites: [], k0 })! : null;
    const pc = (base + 4 * j) >>> 0;
    const lines = fast === null ? [slow.body] : [`if (${STEADY_ENTRY}) {`, '  D = N;', `  ${fast.body}`, '} else {', `  ${slow.body}`, '}'];
    return { start: j, pc, len, ops: slow.ops, lines, flow: slow.flow, endPc: (pc + 4 * len) >>> 0, link: slow.link };
  });
  if (members === null) return null;
  const src = regionSource(members, regs, sites, {
    name: 'tregion',
    params: ['ts'],
    // The cycles in the locals count from the entry's N (B): small integers, which V8 keeps
    // unboxed everywhere. Absolute, they pass 2^31 in a long run and are doubles; and where V8
    // enters a region's loop from the interpreter (on-stack replacement) it merged them as
    // tagged values and boxed every new one (branchy's timing model: ~30 MB of garbage per run,
    // at 200 M instr/s instead of 300). Exact either way: the timing code only adds and compares.
    prologue: [`let d = 0, e = 0, X = 0;`, `const B = ts[${Ts.N}];`, `let D = ts[${Ts.D}] - B, E = ts[${Ts.E}] - B, M = ts[${Ts.M}] - B, N = 0, L = ts[${Ts.L}];`],
    epilogue: [`ts[${Ts.D}] = B + D; ts[${Ts.E}] = B + E; ts[${Ts.M}] = B + M; ts[${Ts.N}] = B + N; ts[${Ts.L}] = L;`],
  });
  return { fn: compile<TimedRegionFn>(src, members.flatMap((m) => m.ops)), starts: members.map((m) => m.start) };
}

/**
 * The ISS with the pipeline's cycle count (`--model fast`). `cycles` equals the cycle model's
 * after every run() that ends on a retirement, an ECALL, a trap or a frame instruction, and
 * across the frame switches of the call-management unit (addCycles).
 */
export class TimedIss extends Iss {
  /** Clock edges since reset, as Core.cycles. */
  cycles = 0;
  /** ECALLs retired: the interrupt controller's `count` (fast-forward hands it over). */
  ecalls = 0;
  /** The last frame instruction's op: the call-management unit's `op` output (handed over too). */
  frameOp = 0;
  /** The timing state (Ts): the last instruction's stage times, the next fetch, its late rd. */
  readonly ts = new Float64Array(Ts.SIZE).fill(-1, Ts.CC);
  /** Test hook: cycles added to every taken branch's penalty (0 in use; the timing campaign checks that a wrong model is caught). */
  faultBranchPenalty = 0;
  private restart = true;
  /**
   * Record restart points and unit uses for fast-forward (debug/fastforward.ts), restart points
   * up to cycle `trackUntil` only. Chosen before the first run: blocks are translated with it.
   */
  track = false;
  trackUntil = Number.MAX_SAFE_INTEGER;
  private declare readonly ws: MemoryWaitStates;
  private declare readonly wsUniform: number | null;
  /** The devices' time: the cycle of the access in progress, as Core.cycles reads then. */
  private declare readonly devTime: { cycles: number };
  private readonly timed = new WeakMap<Predecoded, TimedBlocks>();
  /** Where a timed region reports how it ended (RegionOut). */
  private readonly tio = new Int32Array(3);
  private tcr: Region | null = null;
  private tblocks: TimedBlocks | null = null;

  constructor(mem: AddressSpace, opts: TimingOptions = {}) {
    const time = { cycles: 0 };
    super(mem, opts.devices ?? [], time);
    if ((opts.randomStalls ?? 0) !== 0) throw new Error('the timing model does not model random bus stalls (use the cycle model)');
    this.devTime = time;
    this.ws = opts.waitStates ?? 0;
    this.wsUniform = typeof this.ws === 'number' ? this.ws : null;
  }

  override setMemory(mem: AddressSpace): void {
    super.setMemory(mem);
    this.tcr = null;
    this.tblocks = null;
    this.restart = true;
  }

  /** The frame switch's cycles (docs/architecture.md, Timing): the pipeline is empty meanwhile. */
  addCycles(fixed: number, copies: readonly CopySegment[]): void {
    let n = fixed;
    for (const c of copies) n += c.words;
    this.cycles += n;
    this.restart = true;
  }

  /** Mark the units of mask `units` as used now. */
  private mark(units: number): void {
    const ts = this.ts;
    for (let u = 0; u < Unit.COUNT; u++) if (units & (1 << u)) { ts[Ts.U0 + 2 * u] = ts[Ts.CC]!; ts[Ts.U0 + 2 * u + 1] = ts[Ts.CR]!; }
  }

  /**
   * Tracking, between two instructions: a restart point when the next fetch waits for no older
   * instruction (after a taken branch or jump, a flush, a frame switch) and no device work is
   * pending — the cycle model started empty there with the same state runs as the full one.
   */
  private candidate(): void {
    const ts = this.ts, n = ts[Ts.N]!;
    if (!(ts[Ts.E]! < n && ts[Ts.M]! <= n + 1) || n - 1 > this.trackUntil || this.retired === ts[Ts.CR]) return;
    const clock = this.clock;
    if (clock.next !== Number.MAX_SAFE_INTEGER && clock.next > n - 2) return;
    ts[Ts.CC] = n - 1;
    ts[Ts.CR] = this.retired;
  }

  /**
   * The latest restart point after which every unit used before it is used again (so none keeps
   * a value from before it): cycle and instructions retired, or null when none was recorded.
   */
  restartPoint(): { cycle: number; instructions: number } | null {
    const ts = this.ts;
    let c = ts[Ts.CC]!, r = ts[Ts.CR]!;
    for (let u = 0; u < Unit.COUNT; u++) {
      const ur = ts[Ts.U0 + 2 * u + 1]!;
      if (ur >= 0 && ur < r) { r = ur; c = ts[Ts.U0 + 2 * u]!; }
    }
    return r < 0 ? null : { cycle: c, instructions: r };
  }

  /** MEM cycles of an access to memory at `a` (blocks under per-region wait states). */
  memCycles(a: number, w: number, store: boolean): number {
    const r = this.mem.find(a, w, store ? Perm.W : Perm.R);
    const one = 1 + (r === null ? 0 : waitStatesOf(this.ws, r));
    return (a & 3) + w > 4 ? 2 * one : one;
  }

  private restartAt(c: number): void {
    const ts = this.ts;
    ts[Ts.D] = c; ts[Ts.E] = c; ts[Ts.M] = c; ts[Ts.N] = c + 1; ts[Ts.L] = 0;
    this.restart = false;
  }

  override run(max: number, maxCycles = Number.MAX_SAFE_INTEGER): Stop {
    if (this.restart) this.restartAt(this.cycles);
    const target = this.retired + max;
    while (this.retired < target) {
      if (this.track) this.candidate();
      // A cycle limit stops before an instruction that cannot retire by then.
      if (this.ts[Ts.N]! + 4 > maxCycles) return this.cycleLimit(maxCycles);
      if (this.translate && maxCycles === Number.MAX_SAFE_INTEGER && this.runBlocks(target - this.retired)) continue;
      const stop = this.stepTimed(maxCycles);
      if (stop === Stop.LIMIT && this.cycles >= maxCycles) return this.cycleLimit(maxCycles);
      if (stop !== Stop.LIMIT) return stop;
    }
    return Stop.LIMIT;
  }

  /** Stopped by a cycle limit: `cycles` is the limit, as the cycle model's between two cycles. */
  private cycleLimit(maxCycles: number): Stop {
    if (this.cycles < maxCycles) this.cycles = maxCycles;
    return Stop.LIMIT;
  }

  /** Run translated blocks from pc while they fit; false when none ran. */
  private runBlocks(left: number): boolean {
    const pc = this.pc >>> 0;
    let r = this.tcr;
    if (r === null || pc < r.base || pc >= r.end) {
      r = this.mem.find(pc, 4, Perm.X);
      if (r === null || r.code === null) return false;
      this.tcr = r;
      let b = this.timed.get(r.code);
      if (b === undefined || b.base !== r.base) { b = new TimedBlocks(r.code, r.base); this.timed.set(r.code, b); }
      this.tblocks = b;
    }
    const b = this.tblocks!;
    const i = (pc - b.base) >>> 2;
    const st = b.state[i]!;
    if (st < this.hot && st < St.TRANSLATED - 1) { b.state[i] = st + 1; return false; }
    if (st === St.NONE) return false;
    if (st !== St.TRANSLATED) {
      const t = translateTimed(b.code, b.base, i, this.wsUniform, this.faultBranchPenalty, this.track);
      if (t === null) { b.state[i] = St.NONE; return false; }
      b.set(i, t.fn); b.len[i] = t.len; b.state[i] = St.TRANSLATED;
      this.translatedBlocks++;
    }
    const room = gateOf(this.gasLimit, this.perm) - this.gasUsed;
    // Regions as the ISS forms them (Iss.chain), but not while tracking for fast-forward: that
    // looks for restart points between blocks.
    const rg = this.regions && !this.track ? (b.regions ??= new Regions<TimedRegionFn>(b.code.ctl.length)) : null;
    const g = this.chainTimed(b, rg, i, left, room);
    const n = this.bk;
    if (n === 0) return false;
    this.gasUsed += g;
    this.retired += n;
    this.pc = this.bpc;
    this.cycles = this.ts[Ts.M]! + 1;
    return true;
  }

  /**
   * Run the timed block at word offset i and, while each one ends where another translated block
   * starts and fits in `left` instructions, that one; a block in a region runs as that region (as
   * Iss.chain). Returns the gas used; `bk` is the instructions retired, `bpc` the next pc.
   *
   * A method of its own, apart from runBlocks' look-up of the code region: that look-up first ran
   * before V8 gave runBlocks its feedback, so each new model (or frame) deoptimized the whole
   * dispatch there, and V8 then left it to the baseline compiler (branchy: 200 against 300 M
   * instr/s, now and then 80, with the collections of its boxed numbers).
   */
  private chainTimed(b: TimedBlocks, rg: Regions<TimedRegionFn> | null, i: number, left: number, room: number): number {
    const x = this.x, gc = this.gasCost, ts = this.ts, base = b.base, size = b.code.ctl.length * 4;
    const hot = Math.min(this.regionHot, Heat.REGION - 1), io = this.tio;
    let g = 0, n = 0;
    for (;;) {
      const len = b.len[i]!;
      if (n + len > left) break;
      const free = room - g;
      let heat: number = Heat.NONE;
      if (rg !== null) {
        heat = rg.heat[i]!;
        if (heat < hot) rg.heat[i] = heat + 1;
        else if (heat === hot && this.formRegion(b, rg, i)) continue;
      }
      if (heat === Heat.REGION) {
        const e = rg!.at(i), more = left - n;
        g += e.fn(this, x, gc, free < ROOM_CAP ? free : ROOM_CAP, more < ROOM_CAP ? more : ROOM_CAP, io, e.b, ts);
        n += io[RegionOut.RETIRED]!;
        this.bpc = io[RegionOut.PC]! >>> 0;
        if (io[RegionOut.STOPPED] !== 0) break;
      } else {
        const res = b.fn(i)(this, x, gc, free < ROOM_CAP ? free : ROOM_CAP, ts);
        if (res < 0) break;
        g += res;
        const k = this.bk;
        n += k;
        if (k < len) break;
        if (this.track) { this.retired += n; this.candidate(); this.retired -= n; }
      }
      // One way on after a region's exit and a block's end (as Iss.chain: shared type feedback).
      const off = this.bpc - base;
      if (off < 0 || off >= size) break;
      i = off >>> 2;
      if (b.state[i] !== St.TRANSLATED) break;
    }
    this.bk = n;
    return g;
  }

  /** Form a timed region from the timed block at word offset i (as RegionCache.form); true if there is one. */
  private formRegion(b: TimedBlocks, rg: Regions<TimedRegionFn>, i: number): boolean {
    const made = translateTimedRegion(b, i, rg, this.wsUniform, this.faultBranchPenalty);
    if (!rg.adopt(i, made, (fn) => fn(this, this.x, this.gasCost, 0, 0, this.tio, 0, this.ts))) return false;
    this.translatedRegions++;
    return true;
  }

  /** One instruction through the ISS, with its timing (the path every non-translated instruction takes). */
  private stepTimed(maxCycles: number): Stop {
    const ts = this.ts, x = this.x;
    const pc = this.pc >>> 0;
    const r = this.mem.find(pc, 4, Perm.X);
    let ctl: number = Op.ILLEGAL, imm = 0;
    if (r !== null && r.code !== null) { const i = (pc - r.base) >>> 2; ctl = r.code.ctl[i]!; imm = r.code.imm[i]!; }
    const op = ctl & 0xff, c = CTL[op]!;
    const rd = (ctl >> 8) & 31, rs1 = (ctl >> 16) & 31, rs2 = ctl >>> 24;
    // IF, ID, EX.
    const E = ts[Ts.E]!, M = ts[Ts.M]!, L = ts[Ts.L]!;
    let d = ts[Ts.N]! + 1;
    if (d < E) d = E;
    const lu = L !== 0 && ((c & Ctl.USES_RS1 && rs1 === L) || (c & Ctl.USES_RS2 && rs2 === L));
    if ((d > E || lu) && d < M) d = M;
    let e = d + (c & Ctl.IS_DIV ? DIV_CYCLES : 1);
    if (e < M) e = M;
    // MEM: the transactions of the access and their wait states.
    const w = c >>> Ctl.WIDTH_SHIFT, store = (c & Ctl.IS_STORE) !== 0;
    let mc = 1, device = false;
    const gasOk = this.gasUsed + this.gasCost[op]! <= gateOf(this.gasLimit, this.perm);
    if (w !== 0 && gasOk && (c & Ctl.IS_FRAME) === 0) {
      const a = (x[rs1]! + imm) >>> 0;
      const split = (a & 3) + w > 4;
      const mr = this.mem.find(a, w, store ? Perm.W : Perm.R);
      if (mr !== null) mc = (split ? 2 : 1) * (1 + waitStatesOf(this.ws, mr));
      else {
        const dev = this.decoder.device(a, w);
        if (dev !== UNMAPPED) {
          device = true;
          const clock = this.clock, ok = permitted(dev, this.perm);
          let t = e + 1;
          for (let j = 0; j < (split ? 2 : 1); j++) {
            // A device decides a transaction's wait states in its first cycle (docs/timing.md, Device latency).
            this.devTime.cycles = t - 1;
            if (clock.next <= t - 1) clock.fire(t - 1);
            const word = ((a & ~3) + 4 * j) >>> 0;
            t += 1 + (dev.latency !== undefined && ok ? dev.latency(word, store) : dev.waitStates);
          }
          mc = t - (e + 1);
          // The access itself at the edge of its last ready cycle.
          this.devTime.cycles = e + mc - 1;
        }
      }
    }
    // An instruction that would retire after a cycle limit is not run (the cycle model stops first).
    if (e + mc + 1 > maxCycles) return this.cycleLimit(maxCycles);
    if (this.track) {
      let a = 0;
      if (w !== 0) a = (x[rs1]! + imm) >>> 0;
      this.mark(unitsOf(op) | (w !== 0 && (a & 3) + w > 4 ? 1 << Unit.SPLIT : 0));
    }
    let taken = false;
    if (c & Ctl.IS_BRU) taken = c & Ctl.IS_JUMP ? true : sem.taken(FN[op]!, x[rs1]!, x[rs2]!);
    const before = this.retired, translate = this.translate;
    this.translate = false;
    let stop: Stop;
    try {
      stop = super.run(1);
    } finally {
      this.translate = translate;
    }
    // A fault or a gas shortfall found in MEM's first cycle starts no transaction (a device's
    // refused charge comes after its transaction).
    if (stop === Stop.TRAP && !device) mc = 1;
    else if (stop === Stop.TRAP && this.cause === Cause.OUT_OF_GAS && !gasOk) mc = 1;
    const m = e + mc;
    if (stop === Stop.LIMIT && this.retired > before) {
      ts[Ts.D] = d; ts[Ts.E] = e; ts[Ts.M] = m;
      ts[Ts.N] = taken ? e + 1 + this.faultBranchPenalty : d;
      ts[Ts.L] = c & Ctl.LATE_RESULT ? rd : 0;
      this.cycles = m + 1;
      return stop;
    }
    // ECALL retired, or a trap / frame instruction reached WB: the pipeline is flushed there.
    if (stop === Stop.ECALL) this.ecalls++;
    else if (stop === Stop.FRAME) this.frameOp = op;
    this.cycles = m + 1;
    this.restart = true;
    return stop;
  }
}

