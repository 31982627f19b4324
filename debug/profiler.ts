// A cycle and gas profiler (docs/profiler.md). It watches a run from above: every retired
// instruction through the retire port (waveforms/retire.ts), frames through the call-management
// unit's onEnter, and on the cycle model the stall signals through a cycle tracer. An unprofiled
// run builds none of this.
//
// Attribution: an instruction is charged to the call stack it retires in; on the cycle model the
// cycles since the previous retirement (the instruction's own and the stalls it waited for) go
// with it. The call stack follows the RISC-V calling convention: jal/jalr writing ra (or t0, the
// alternate link register) pushes the target's function, `jalr x0, 0(ra)` (`ret`) pops; an
// instruction retiring outside the function on top (a tail call `j f`, or falling through into
// the next function) replaces the top. Frames are levels of the same stack: an EVAL'd child
// under its caller, an interrupt handler under the interrupter.

import { decode } from '../isa/decode.js';
import { Op } from '../isa/table.js';
import type { ElfSymbol } from '../isa/elf.js';
import type { Core, CycleTracer } from '../cpu/core.js';
import type { CallManager } from '../cpu/frames.js';
import { CHILD_CODE_BASE, CHILD_INPUT_BASE } from '../cpu/frames.js';
import type { Commit } from '../cpu/iss.js';
import type { RetireTap } from '../waveforms/retire.js';
import { TeeTracer } from '../waveforms/vcd.js';

/** Stall causes on the cycle model, in the order of the table (docs/timing.md, Penalties). */
export const STALLS = ['load-use', 'branch', 'divider', 'bus wait', 'frame switch'] as const;
export type StallCause = (typeof STALLS)[number];
const LOAD_USE = 0, BRANCH = 1, DIVIDER = 2, BUS_WAIT = 3, FRAME_SWITCH = 4;
/** Cycles a taken branch or jump costs (docs/timing.md, T5). */
const BRANCH_PENALTY = 2;
const RA = 1, T0 = 5;

export interface Counts {
  cycles: number;
  instructions: number;
  gas: number;
  stalls: number[];
}

const zero = (): Counts => ({ cycles: 0, instructions: 0, gas: 0, stalls: STALLS.map(() => 0) });

/** A node of the call tree: a function at one place in the stack, or a frame. */
export interface ProfileNode {
  name: string;
  parent: ProfileNode | null;
  children: Map<string, ProfileNode>;
  self: Counts;
}

/** One frame level: where it hangs in the tree, its own call stack, and its gas baseline. */
interface Level {
  base: ProfileNode;
  stack: ProfileNode[];
  /** The frame's gas counter at its last retirement. */
  lastGas: number;
  /** Its counter when it was entered: what its subtree was charged is lastGas − startGas. */
  startGas: number;
  /** Gas a frame left below has been attributed in its subtree, to take out of this level's next delta, and that frame's node. */
  owed: { gas: number; node: ProfileNode } | null;
  /** Caller address of the frame's code ROM (the child's 0x10000), or -1: addresses are the root's. */
  codeFrom: number;
  /** The level whose addresses the code ROM maps to. */
  mapsTo: Level | null;
}

/** Functions by address: FUNC symbols over their size, other code labels up to the next. */
export class SymbolMap {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly names: string[] = [];

  constructor(symbols: readonly ElfSymbol[], isCode: (addr: number) => boolean) {
    const syms = symbols.filter((s) => (s.type === 2 || s.type === 0) && s.name !== '' && !s.name.startsWith('.L') && !s.name.startsWith('$') && isCode(s.value));
    // By address; at one address a FUNC symbol first, then a global one, then one that does not
    // look like the end marker of what precedes it (`handler_end:` right before `child_start:`).
    const rank = (s: ElfSymbol): number => (s.type === 2 ? 0 : 4) + (s.global ? 0 : 2) + (/_?end$/.test(s.name) ? 1 : 0);
    syms.sort((a, b) => a.value - b.value || rank(a) - rank(b));
    for (let i = 0; i < syms.length; i++) {
      const s = syms[i]!;
      if (this.starts.length > 0 && this.starts[this.starts.length - 1] === s.value) continue;
      let end = s.size > 0 ? s.value + s.size : Number.MAX_SAFE_INTEGER;
      for (let j = i + 1; j < syms.length && s.size === 0; j++) if (syms[j]!.value > s.value) { end = syms[j]!.value; break; }
      this.starts.push(s.value);
      this.ends.push(end);
      this.names.push(s.name);
    }
  }

  /** The function holding `pc`, or null. */
  at(pc: number): string | null {
    let lo = 0, hi = this.starts.length - 1, k = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! <= pc) { k = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return k >= 0 && pc < this.ends[k]! ? this.names[k]! : null;
  }
}

const hex = (a: number): string => `0x${(a >>> 0).toString(16).padStart(8, '0')}`;

/** Stall entries waiting for their instruction to retire, at most (older ones go to the next retirement). */
const WAITING = 16;

/**
 * The stall signals of the cycle model, read once per cycle. A stall cycle is charged to the
 * instruction that causes it, by its pc in the stage that holds (docs/timing.md, Stall and squash
 * rules): the divider's to the division in EX, a bus wait to the access in MEM, a load-use to the
 * consumer in ID, a taken branch's two cycles to the jump in EX. The counts wait here until that
 * instruction retires (the next retirement of that pc: the pipeline is in order). A frame switch
 * belongs to the frame: its cycles are counted apart.
 */
class StallTracer implements CycleTracer {
  readonly pc = new Float64Array(WAITING);
  readonly cause = new Uint8Array(WAITING);
  readonly count = new Float64Array(WAITING);
  n = 0;
  /** Frame-switch cycles since they were last taken. */
  frameSwitch = 0;
  private readonly busy: number;
  private readonly memStall: number;
  private readonly exStall: number;
  private readonly loadUse: number;
  private readonly redirect: number;
  private readonly idPc: number;
  private readonly exPc: number;
  private readonly memPc: number;

  constructor(core: Core) {
    const at = (n: string): number => {
      const s = core.sig.slot(n);
      if (s === undefined) throw new Error(`the cycle model has no signal ${n}`);
      return s;
    };
    this.busy = at('evm.cmu.busy');
    this.memStall = at('evm.core.mem.stall');
    this.exStall = at('evm.core.ex.stall');
    this.loadUse = at('evm.core.hazard.load_use');
    this.redirect = at('evm.core.ex.redirect');
    this.idPc = at('evm.core.id.pc');
    this.exPc = at('evm.core.ex.pc');
    this.memPc = at('evm.core.mem.pc');
  }

  // One cause per cycle, a later stage's stall first.
  cycle(_cycle: number, v: Int32Array): void {
    if (v[this.busy]) this.frameSwitch++;
    else if (v[this.memStall]) this.add(v[this.memPc]! >>> 0, BUS_WAIT, 1);
    else if (v[this.exStall]) this.add(v[this.exPc]! >>> 0, DIVIDER, 1);
    else {
      if (v[this.loadUse]) this.add(v[this.idPc]! >>> 0, LOAD_USE, 1);
      if (v[this.redirect]) this.add(v[this.exPc]! >>> 0, BRANCH, BRANCH_PENALTY);
    }
  }

  private add(pc: number, cause: number, k: number): void {
    for (let i = 0; i < this.n; i++) if (this.pc[i] === pc && this.cause[i] === cause) { this.count[i]! += k; return; }
    if (this.n === WAITING) this.n--; // an instruction that never retired (squashed): its count goes unclaimed below
    this.pc[this.n] = pc; this.cause[this.n] = cause; this.count[this.n] = k; this.n++;
  }

  /** Hand the stalls of `pc` (all of them when pc is -1) to `stalls`. */
  take(pc: number, stalls: number[]): void {
    let j = 0;
    for (let i = 0; i < this.n; i++) {
      if (pc < 0 || this.pc[i] === pc) { stalls[this.cause[i]!]! += this.count[i]!; continue; }
      this.pc[j] = this.pc[i]!; this.cause[j] = this.cause[i]!; this.count[j] = this.count[i]!; j++;
    }
    this.n = j;
  }
}

export class Profiler {
  readonly root: ProfileNode = { name: '[root]', parent: null, children: new Map(), self: zero() };
  private readonly levels: Level[];
  /** Kind and code source of frames entered and not yet seen retiring, by depth. */
  private readonly entering = new Map<number, { kind: 'eval' | 'handler'; code: number; gas: number }>();
  private cm: CallManager | null = null;
  private readonly stalls: StallTracer | null;
  private lastCycles: number;
  /** The level the last frame-ending instruction (RETURN, THROW) left, for its own record. */
  private left: Level | null = null;
  readonly hasCycles: boolean;

  constructor(private readonly tap: RetireTap, private readonly symbols: SymbolMap, private readonly core: Core | null) {
    this.hasCycles = core !== null;
    this.stalls = core === null ? null : new StallTracer(core);
    if (core !== null) core.tracer = core.tracer === null ? this.stalls : new TeeTracer(core.tracer, this.stalls!);
    this.lastCycles = tap.cycles ?? 0;
    this.levels = [{ base: this.root, stack: [], lastGas: this.gas(), startGas: this.gas(), owed: null, codeFrom: -1, mapsTo: null }];
  }

  /**
   * The running frame's gas counter as of the last retirement: the cycle model charges gas as an
   * instruction enters MEM, ahead of retirement, so its retired gas is read (the ISS's count).
   */
  private gas(): number {
    return this.core !== null ? this.core.retiredGas : this.tap.gasUsed;
  }

  /** The call-management unit of the run (RunLimits.calls), for frame kinds and code sources. */
  watch(cm: CallManager): void {
    this.cm = cm;
    cm.onEnter = (kind, depth, _perm, _gas, code) => { this.entering.set(depth, { kind, code, gas: this.gas() }); };
  }

  /** The retire port's sink. */
  readonly sink = (c: Commit): void => {
    const depth = this.cm?.depth ?? 0;
    this.left = null;
    while (this.levels.length - 1 > depth) this.leave();
    while (this.levels.length - 1 < depth) this.enter(this.levels.length);
    const op = decode(c.insn);
    // A frame's RETURN or THROW is reported after the switch back: it belongs to the frame it ended.
    const ended = (op === Op.RETURN || op === Op.THROW) && this.left !== null;
    const level = ended ? this.left! : this.levels[this.levels.length - 1]!;
    const node = this.place(level, c.pc >>> 0);
    const s = node.self;
    s.instructions++;
    const g = this.gas();
    if (!ended) {
      const top = this.levels[this.levels.length - 1]!;
      s.gas += this.settle(top, g - top.lastGas);
      top.lastGas = g;
    }
    this.takeCycles(s, c.pc >>> 0);
    if (!ended) this.follow(level, c, op);
  };

  /** The cycles since the last retirement, and the stalls the instruction at `pc` caused (all waiting ones for -1). */
  private takeCycles(s: Counts, pc: number): void {
    if (this.tap.cycles === undefined) return;
    const now = this.tap.cycles;
    s.cycles += now - this.lastCycles;
    this.lastCycles = now;
    const st = this.stalls!;
    st.take(pc, s.stalls);
    s.stalls[FRAME_SWITCH]! += st.frameSwitch;
    st.frameSwitch = 0;
  }

  /** A frame entered: a level under the caller's current function. */
  private enter(depth: number): void {
    const caller = this.levels[this.levels.length - 1]!;
    const e = this.entering.get(depth) ?? { kind: 'eval' as const, code: -1, gas: 0 };
    this.entering.delete(depth);
    const at = caller.stack.length > 0 ? caller.stack[caller.stack.length - 1]! : caller.base;
    const base = this.child(at, e.kind === 'eval' ? '[eval]' : '[interrupt handler]');
    // A handler runs in the address space of the frame below its interrupter.
    const owner = e.kind === 'handler' ? this.levels[this.levels.length - 2] ?? caller : caller;
    const level: Level = { base, stack: [], lastGas: e.gas, startGas: e.gas, owed: null, codeFrom: e.kind === 'eval' ? e.code : -1, mapsTo: e.kind === 'eval' ? caller : owner };
    if (e.kind === 'handler') { level.codeFrom = owner.codeFrom; level.mapsTo = owner.mapsTo; }
    this.levels.push(level);
    // The cycles of the switch into the frame are the frame's own.
    if (this.stalls !== null) {
      const sw = this.stalls.frameSwitch;
      base.self.cycles += sw;
      base.self.stalls[FRAME_SWITCH]! += sw;
      this.lastCycles += sw;
      this.stalls.frameSwitch = 0;
    }
  }

  /**
   * A frame left: the caller's next delta of gas holds what the frame was charged, which its
   * subtree has been attributed already (its counter's progress).
   */
  private leave(): void {
    const l = this.levels.pop()!;
    const caller = this.levels[this.levels.length - 1]!;
    const sub = l.lastGas - l.startGas + (l.owed?.gas ?? 0);
    caller.owed = { gas: (caller.owed?.gas ?? 0) + sub, node: l.base };
    this.left = l;
  }

  /**
   * The gas of a delta of `level`'s counter that is the retiring instruction's own: the part a
   * frame left below was attributed already comes off. A frame charged less than its subtree
   * used (a handler with infinite gas is charged nothing) carries the difference on its node.
   */
  private settle(level: Level, delta: number): number {
    const o = level.owed;
    if (o === null) return delta;
    level.owed = null;
    const own = delta - o.gas;
    if (own >= 0) return own;
    o.node.self.gas += own;
    return 0;
  }

  /** The function of `pc` in `level`'s address space, or null when no symbol holds it. */
  private fnOf(level: Level, pc: number): string | null {
    let l: Level | null = level;
    let a = pc;
    while (l !== null && l.codeFrom >= 0) {
      if (a < CHILD_CODE_BASE || a >= CHILD_INPUT_BASE) return null;
      a = l.codeFrom + (a - CHILD_CODE_BASE);
      l = l.mapsTo;
    }
    return l === null ? null : this.symbols.at(a);
  }

  private child(parent: ProfileNode, name: string): ProfileNode {
    let n = parent.children.get(name);
    if (n === undefined) { n = { name, parent, children: new Map(), self: zero() }; parent.children.set(name, n); }
    return n;
  }

  /** The node an instruction at `pc` retires in: the top of the level's stack, resynchronised to pc's function. */
  private place(level: Level, pc: number): ProfileNode {
    const fn = this.fnOf(level, pc);
    const st = level.stack;
    if (st.length === 0) {
      st.push(this.child(level.base, fn ?? hex(pc)));
    } else if (fn !== null && st[st.length - 1]!.name !== fn) {
      const parent = st.length > 1 ? st[st.length - 2]! : level.base;
      st[st.length - 1] = this.child(parent, fn);
    }
    return st[st.length - 1]!;
  }

  /** Calls push, `ret` pops (the calling convention). */
  private follow(level: Level, c: Commit, op: number): void {
    if (op !== Op.JAL && op !== Op.JALR) return;
    const st = level.stack;
    if (c.rd === RA || c.rd === T0) {
      const t = c.nextPc >>> 0;
      st.push(this.child(st[st.length - 1]!, this.fnOf(level, t) ?? hex(t)));
    } else if (op === Op.JALR && c.rd === 0 && (c.rs1 === RA || c.rs1 === T0) && (c.insn >>> 20) === 0) {
      if (st.length > 1) st.pop();
    }
  }

  /** The node of the frame the run is in now (the root's when it ended there). */
  get frameNode(): ProfileNode {
    return this.levels[this.levels.length - 1]!.base;
  }


  /** At the end of the run: cycles after the last retirement (a trap, a limit) go to where the run stopped. */
  finish(): void {
    while (this.levels.length > 1 && this.levels.length - 1 > (this.cm?.depth ?? 0)) this.leave();
    const level = this.levels[this.levels.length - 1]!;
    const node = level.stack.length > 0 ? level.stack[level.stack.length - 1]! : level.base;
    // The model's counter: on the cycle model it holds an instruction stopped in flight too.
    const g = this.tap.gasUsed;
    node.self.gas += this.settle(level, g - level.lastGas);
    level.lastGas = g;
    this.takeCycles(node.self, -1);
  }
}

/** The sum over a subtree. */
export function subtreeTotals(n: ProfileNode): Counts {
  const t = zero();
  const go = (x: ProfileNode): void => { add(t, x.self); for (const c of x.children.values()) go(c); };
  go(n);
  return t;
}

/** Every node of the tree, depth first, with its path from the root (the root itself left out). */
export function walk(root: ProfileNode, f: (n: ProfileNode, path: readonly string[]) => void): void {
  const path: string[] = [];
  const go = (n: ProfileNode): void => {
    for (const c of n.children.values()) {
      path.push(c.name);
      f(c, path);
      go(c);
      path.pop();
    }
  };
  if (root.self.instructions + root.self.cycles + root.self.gas !== 0) f(root, []);
  go(root);
}

export interface FunctionRow {
  name: string;
  self: Counts;
  total: Counts;
}

const add = (a: Counts, b: Counts): void => {
  a.cycles += b.cycles; a.instructions += b.instructions; a.gas += b.gas;
  for (let k = 0; k < STALLS.length; k++) a.stalls[k]! += b.stalls[k]!;
};

/** Per function: self over every place it appears; total over its subtrees, a recursive call counted once. */
export function functionTable(root: ProfileNode): FunctionRow[] {
  const rows = new Map<string, FunctionRow>();
  const subtree = new Map<ProfileNode, Counts>();
  const sum = (n: ProfileNode): Counts => {
    const t = zero();
    add(t, n.self);
    for (const c of n.children.values()) add(t, sum(c));
    subtree.set(n, t);
    return t;
  };
  sum(root);
  const visit = (n: ProfileNode, open: Set<string>): void => {
    for (const c of n.children.values()) {
      const row = rows.get(c.name) ?? rows.set(c.name, { name: c.name, self: zero(), total: zero() }).get(c.name)!;
      add(row.self, c.self);
      const outer = !open.has(c.name);
      if (outer) { add(row.total, subtree.get(c)!); open.add(c.name); }
      visit(c, open);
      if (outer) open.delete(c.name);
    }
  };
  visit(root, new Set());
  return [...rows.values()];
}

/** The sum over the whole tree. */
export function totals(root: ProfileNode): Counts {
  return subtreeTotals(root);
}

/** flamegraph.pl's folded stacks: `a;b;c N`, one line per stack with samples (N cycles, or instructions on the ISS). */
export function folded(root: ProfileNode, byCycles: boolean): string {
  let out = '';
  walk(root, (n, path) => {
    const w = byCycles ? n.self.cycles : n.self.instructions;
    if (w > 0) out += `${(path.length === 0 ? [n.name] : path).map((p) => p.replace(/;/g, ':').replace(/\s/g, '_')).join(';')} ${w}\n`;
  });
  return out;
}

/** speedscope's file format (https://www.speedscope.app/file-format-schema.json): one sampled profile, a sample per stack weighted by its cycles or instructions. */
export function speedscope(root: ProfileNode, byCycles: boolean, name: string): object {
  const frames: { name: string }[] = [];
  const index = new Map<string, number>();
  const samples: number[][] = [];
  const weights: number[] = [];
  walk(root, (n, path) => {
    const w = byCycles ? n.self.cycles : n.self.instructions;
    if (w === 0) return;
    samples.push((path.length === 0 ? [n.name] : path).map((p) => index.get(p) ?? (index.set(p, frames.push({ name: p }) - 1), frames.length - 1)));
    weights.push(w);
  });
  const total = weights.reduce((a, b) => a + b, 0);
  return {
    $schema: 'https://www.speedscope.app/file-format-schema.json',
    version: '0.0.1',
    name,
    exporter: 'evminf profile',
    activeProfileIndex: 0,
    shared: { frames },
    profiles: [{ type: 'sampled', name: `${name} (${byCycles ? 'cycles' : 'instructions'})`, unit: 'none', startValue: 0, endValue: total, samples, weights }],
  };
}
