// Cycle stepper over the cycle model: step cycles or instructions, run to breakpoints and
// watchpoints, read any signal, register or memory word, and step *back* in time.
//
// Time moves in clock steps: one step is one `Core.cycle()` and whatever the call-management
// unit does when that cycle stops the pipeline (the host serving an ECALL, a frame switch). So a
// step is one cycle, except that a frame switch's cycles belong to the step that caused it.
//
// Going back restores the newest snapshot at or before the target step and runs forward again;
// snapshots are taken every `snapshotEvery` steps and the newest `snapshotsKept` are kept, plus
// the one at step 0. The host is part of every snapshot, so its output is never duplicated:
// guest output is handed to `onOutput` the first time it is produced and not again when a
// replay produces it a second time.
//
// Breakpoints stop at the end of the cycle in which the instruction at their address enters
// the MEM/WB register: every older instruction has retired and it has not — it retires in the
// next cycle. (An instruction fetched on a wrong path never gets there, so it never fires one.)
// Watchpoints stop at the end of the cycle in which their signal changed.

import { disassemble } from '../isa/disasm.js';
import type { ElfSymbol } from '../isa/elf.js';
import type { Core } from '../cpu/core.js';
import { CallManager, describeEnd, type FrameEnd } from '../cpu/frames.js';
import { HostError, LinuxHost } from '../cpu/host.js';
import { PipelineView, STAGE_NAMES, STATE_NAMES, type StageName } from '../waveforms/linetrace.js';
import { Perm, type AddressSpace } from '../cpu/memory.js';
import { restore, snapshot, type Snapshot } from './snapshot.js';

/** A mistake in what the user asked for (unknown signal, unmapped address, ...). */
export class DebugError extends Error {}

export const ABI_NAMES: readonly string[] = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];

/** Register number of `x0`..`x31`, an ABI name or `fp`; -1 if `name` is none of them. */
export function registerIndex(name: string): number {
  const m = /^x([0-9]|[12][0-9]|3[01])$/.exec(name);
  if (m) return Number(m[1]);
  if (name === 'fp') return 8;
  return ABI_NAMES.indexOf(name);
}

export const hex8 = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');

/** Steps between two pauses of a command run as a generator (a few milliseconds of model time). */
export const SLICE_STEPS = 1 << 14;

/** Run a command generator to its end. */
function finish(g: Generator<void, StopEvent>): StopEvent {
  for (;;) {
    const r = g.next();
    if (r.done === true) return r.value;
  }
}

/** How the session ended: the root frame's end, or a system call the host does not serve. */
export type SessionEnd = FrameEnd | { kind: 'host-error'; message: string };

export function describeSessionEnd(e: SessionEnd): string {
  if (e.kind === 'host-error') return `host: ${e.message}`;
  return e.kind === 'trap' ? `trap: ${describeEnd(e)}` : describeEnd(e);
}

export interface StopEvent {
  /** done: the step count or target was reached; limit: `maxCycles` steps ran first;
   *  interrupted: the caller abandoned it (a terminal's Ctrl-C). */
  reason: 'done' | 'breakpoint' | 'watchpoint' | 'end' | 'limit' | 'interrupted';
  cycle: number;
  /** One line per breakpoint or watchpoint that fired, and for the end or the limit. */
  messages: string[];
}

export interface Breakpoint { readonly kind: 'breakpoint'; readonly id: number; readonly addr: number }
export interface Watchpoint { readonly kind: 'watchpoint'; readonly id: number; readonly name: string; readonly slot: number; readonly width: number; old: number }
export type Point = Breakpoint | Watchpoint;

export interface StageInfo {
  readonly stage: StageName;
  readonly state: (typeof STATE_NAMES)[number];
  readonly pc: number;
  /** The instruction word, or null for a bubble or an unmapped fetch. */
  readonly insn: number | null;
}

export interface DebuggerOptions {
  /** Serves the root frame's ECALLs; it must keep its output (no sink). Default: a new one. */
  host?: LinuxHost;
  /** The program's symbols, for `resolve` and `symbolize`. */
  symbols?: readonly ElfSymbol[];
  /** New guest output, handed over once. */
  onOutput?: (fd: number, bytes: Uint8Array) => void;
  /** Steps between snapshots (default 1024). */
  snapshotEvery?: number;
  /** Snapshots kept besides the one at step 0 (default 64). */
  snapshotsKept?: number;
  /** Most steps one command runs before it stops with reason `limit` (default 100 000 000). */
  maxCycles?: number;
  /** The memory budget of all live frames (CallManager's memLimit; default 4 GiB); not with `calls`. */
  memLimit?: number;
  /** The frames to go on in (fast-forward, debug/fastforward.ts debuggerAt); default: a new root frame. */
  calls?: CallManager;
}

/** The program's symbols: names to addresses and addresses to `<name+off>`. */
export class SymbolTable {
  private readonly sorted: { value: number; name: string }[];
  private readonly byName = new Map<string, number>();

  /** `mem`: the address space the symbols belong to (a symbol names an address in its region). */
  constructor(symbols: readonly ElfSymbol[], private readonly mem: AddressSpace) {
    // STT_SECTION and STT_FILE name no address a user means.
    const named = symbols.filter((s) => s.type !== 3 && s.type !== 4 && s.name !== '');
    // Globals first, so they win over a local at the same address.
    named.sort((a, b) => a.value - b.value || Number(b.global) - Number(a.global));
    this.sorted = [];
    for (const s of named) {
      if (!this.byName.has(s.name)) this.byName.set(s.name, s.value >>> 0);
      const last = this.sorted[this.sorted.length - 1];
      if (last === undefined || last.value !== s.value >>> 0) this.sorted.push({ value: s.value >>> 0, name: s.name });
    }
  }

  lookup(name: string): number | undefined {
    return this.byName.get(name);
  }

  /** The symbol at exactly `addr`. */
  at(addr: number): string | undefined {
    const s = this.nearest(addr >>> 0);
    return s !== undefined && s.value === addr >>> 0 ? s.name : undefined;
  }

  /**
   * ` <name>` or ` <name+0x10>` for an address in the same region of `space` as the nearest
   * symbol below it; '' otherwise (e.g. in a child frame's memory, which has other regions).
   */
  describe(addr: number, space: AddressSpace = this.mem): string {
    const a = addr >>> 0;
    const s = this.nearest(a);
    if (s === undefined) return '';
    const r = this.mem.find(s.value, 1, 0);
    if (r === null || a >= r.end || space.find(a, 1, 0) !== r) return '';
    return a === s.value ? ` <${s.name}>` : ` <${s.name}+0x${(a - s.value).toString(16)}>`;
  }

  private nearest(a: number): { value: number; name: string } | undefined {
    const t = this.sorted;
    let lo = 0, hi = t.length - 1, best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (t[mid]!.value <= a) { best = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return best < 0 ? undefined : t[best];
  }
}

/** The stepper's position in time; part of every snapshot. */
class Clock {
  steps = 0;
  end: SessionEnd | null = null;
}

interface Mark { readonly step: number; readonly snap: Snapshot }

function slotOf(core: Core, name: string): number {
  const s = core.sig.slot(name);
  if (s === undefined) throw new Error(`debugger: the core has no signal ${name}`);
  return s;
}

export class Debugger {
  readonly host: LinuxHost;
  readonly calls: CallManager;
  readonly symbols: SymbolTable;
  /** Stage contents and states of the last cycle (what `pipe` shows). */
  private readonly view: PipelineView;
  private readonly clock = new Clock();
  private readonly roots: object[];
  private readonly marks: Mark[] = [];
  private lastSnap: Snapshot | undefined;
  private readonly every: number;
  private readonly kept: number;
  private readonly maxCycles: number;
  private readonly onOutput: ((fd: number, bytes: Uint8Array) => void) | undefined;
  /** Guest output chunks handed to onOutput so far, per fd. */
  private readonly emitted = [0, 0, 0];
  private readonly points: Point[] = [];
  private nextId = 1;
  /** A breakpoint address that does not fire while `retired` is still stepOverRetired, or -1. */
  private stepOver = -1;
  private stepOverRetired = 0;
  // Pipeline register slots: valid/pc of MEM/WB, EX/MEM, ID/EX, IF/ID (oldest first); fetch pc.
  private readonly ageValid: number[];
  private readonly agePc: number[];
  private readonly s_fetch_pc: number;

  constructor(readonly core: Core, opts: DebuggerOptions = {}) {
    this.host = opts.host ?? new LinuxHost();
    if (this.host['sink'] !== undefined) throw new Error('Debugger: give it a LinuxHost without a sink; guest output comes through onOutput');
    this.calls = opts.calls ?? new CallManager(core, this.host, { memLimit: opts.memLimit });
    this.symbols = new SymbolTable(opts.symbols ?? [], core.mem);
    this.view = new PipelineView(core.sig);
    this.every = Math.max(1, opts.snapshotEvery ?? 1024);
    this.kept = Math.max(1, opts.snapshotsKept ?? 64);
    this.maxCycles = opts.maxCycles ?? 100_000_000;
    this.onOutput = opts.onOutput;
    this.roots = [this.calls, this.host, this.clock, this.view];
    const stages = ['wb', 'mem', 'ex', 'id'];
    this.ageValid = stages.map((s) => slotOf(core, `evm.core.${s}.valid`));
    this.agePc = stages.map((s) => slotOf(core, `evm.core.${s}.pc`));
    this.s_fetch_pc = slotOf(core, 'evm.core.if.pc');
    this.remember();
  }

  /** Clock steps taken since the start. */
  get steps(): number {
    return this.clock.steps;
  }

  get cycle(): number {
    return this.core.cycles;
  }

  get ended(): SessionEnd | null {
    return this.clock.end;
  }

  /**
   * The architectural pc: the address of the next instruction to retire — the oldest valid
   * instruction in the pipeline, or the fetch pc when the pipeline is empty.
   */
  get pc(): number {
    const v = this.core.v;
    for (let i = 0; i < 4; i++) if (v[this.ageValid[i]!]) return v[this.agePc[i]!]! >>> 0;
    return v[this.s_fetch_pc]! >>> 0;
  }

  // ---- moving forward ----

  /** Run `n` clock steps (cycles), stopping early at a breakpoint, watchpoint or the end. */
  step(n = 1): StopEvent {
    return finish(this.stepping(n));
  }

  /**
   * Run until `n` more instructions have retired. A breakpoint on the instruction at `pc` — the
   * one being stepped — does not stop it before it retires.
   */
  stepInstruction(n = 1): StopEvent {
    return finish(this.steppingInstruction(n));
  }

  /** Run until a breakpoint, a watchpoint, the end, or `maxCycles` steps. */
  continue(): StopEvent {
    return finish(this.continuing());
  }

  /** Run until cycle `until`, stopping earlier at a breakpoint, watchpoint or the end. */
  run(until: number): StopEvent {
    return finish(this.runningTo(until));
  }

  // The same commands as generators that pause every SLICE_STEPS steps, so a terminal can read
  // its input (Ctrl-C) in between: `gen.return()` abandons one between two steps, and
  // `interrupted()` is then its stop event.

  *stepping(n = 1): Generator<void, StopEvent> {
    return yield* this.forward(n, () => false, Infinity);
  }

  *runningTo(until: number): Generator<void, StopEvent> {
    return yield* this.forward(Infinity, () => this.core.cycles >= until, until);
  }

  *steppingInstruction(n = 1): Generator<void, StopEvent> {
    const target = this.core.retired + n;
    this.stepOver = this.pc;
    this.stepOverRetired = this.core.retired;
    try {
      return yield* this.forward(Infinity, () => this.core.retired >= target);
    } finally {
      this.stepOver = -1;
    }
  }

  *continuing(): Generator<void, StopEvent> {
    return yield* this.forward(Infinity, () => false, Infinity);
  }

  /** The stop event of a command abandoned between two steps. */
  interrupted(): StopEvent {
    return this.stop('interrupted', [`interrupted at cycle ${this.core.cycles}`]);
  }

  /**
   * `untilCycle`: when `done` is "cycle >= untilCycle" or never (Infinity), and no breakpoint or
   * watchpoint is set, the steps up to the last one run in chunks (ticks) at the model's full speed.
   */
  private *forward(steps: number, done: () => boolean, untilCycle = -1): Generator<void, StopEvent> {
    if (this.clock.end !== null) throw new DebugError(`the program has ended (${describeSessionEnd(this.clock.end)}); back steps back`);
    const start = this.clock.steps;
    if (steps <= 0 || done()) return this.stop('done', []);
    for (;;) {
      if (untilCycle >= 0 && this.points.length === 0) {
        // All but the last step in chunks, so the last one latches the pipeline view as tick does.
        const left = Math.min(steps, this.maxCycles) - (this.clock.steps - start) - 1;
        const toCycle = untilCycle - this.core.cycles - 1;
        const n = Math.min(left, toCycle, SLICE_STEPS - ((this.clock.steps - start) % SLICE_STEPS) - 1);
        if (n > 0) {
          this.ticks(n, untilCycle - 1);
          this.flushOutput();
          // A frame switch or the end stopped the chunk on its last step, which the pipeline
          // view did not see: step to it once more from the step before.
          if (this.clock.end !== null || done()) this.relatch();
          const end = this.clock.end;
          if (end !== null) return this.stop('end', [describeSessionEnd(end)]);
          if (done()) return this.stop('done', []);
          continue;
        }
      }
      this.tick();
      this.flushOutput();
      const hit = this.check();
      const end = this.clock.end;
      if (end !== null) return this.stop('end', [...(hit?.messages ?? []), describeSessionEnd(end)]);
      if (hit !== null) return this.stop(hit.reason, hit.messages);
      const ran = this.clock.steps - start;
      if (done() || ran >= steps) return this.stop('done', []);
      if (ran >= this.maxCycles) return this.stop('limit', [`stopped after ${this.maxCycles} cycles (the limit of one command)`]);
      if (ran % SLICE_STEPS === 0) yield;
    }
  }

  private stop(reason: StopEvent['reason'], messages: string[]): StopEvent {
    return { reason, cycle: this.core.cycles, messages };
  }

  /** One clock step. */
  private tick(): void {
    const core = this.core, clock = this.clock;
    this.view.latch(core.v);
    let end: SessionEnd | null;
    try {
      end = this.calls.advance(1, core.cycles + 1);
    } catch (e) {
      if (!(e instanceof HostError)) throw e;
      end = { kind: 'host-error', message: e.message };
    }
    clock.steps++;
    if (end !== null) clock.end = end;
    if (clock.steps % this.every === 0) this.remember();
  }

  /**
   * Up to `n` clock steps at once, and no further than cycle `lastCycle` (fewer when the root
   * frame ends or a frame switch jumps the cycle count); the step of each snapshot is a tick. A step is one Core.cycle(): the cycles a frame switch spends (core.switchCycles) belong
   * to the step that caused it.
   */
  private ticks(n: number, lastCycle: number): void {
    const core = this.core, clock = this.clock, every = this.every;
    const target = clock.steps + n;
    while (clock.steps < target && clock.end === null) {
      if (lastCycle - core.cycles <= 0) return;
      // The step a snapshot is taken after is a tick, so the snapshot holds the pipeline view.
      const toMark = every - (clock.steps % every);
      if (toMark === 1) { this.tick(); continue; }
      const k = Math.min(target - clock.steps, toMark - 1, lastCycle - core.cycles);
      const c0 = core.cycles, s0 = core.switchCycles;
      let end: SessionEnd | null;
      try {
        end = this.calls.advance(Number.MAX_SAFE_INTEGER, c0 + k);
      } catch (e) {
        if (!(e instanceof HostError)) throw e;
        end = { kind: 'host-error', message: e.message };
      }
      clock.steps += core.cycles - c0 - (core.switchCycles - s0);
      if (end !== null) clock.end = end;
    }
  }

  /** Take the last step again, by tick, so the pipeline view holds it (ticks does not latch it). */
  private relatch(): void {
    const s = this.clock.steps;
    if (s === 0) return;
    this.goTo(s - 1);
    this.tick();
    this.flushOutput();
  }

  /** Breakpoints and watchpoints that fire after this step (breakpoints first), or null. */
  private check(): { reason: 'breakpoint' | 'watchpoint'; messages: string[] } | null {
    const points = this.points;
    if (points.length === 0) return null;
    const bps: string[] = [], wps: string[] = [];
    const skip = this.core.retired === this.stepOverRetired ? this.stepOver : -1;
    const v = this.core.v;
    const inWb = v[this.ageValid[0]!] === 1;
    const wbPc = v[this.agePc[0]!]! >>> 0;
    for (const p of points) {
      if (p.kind === 'breakpoint') {
        if (inWb && wbPc === p.addr && p.addr !== skip) bps.push(`breakpoint ${p.id} at ${this.where(p.addr)}`);
      } else {
        const now = this.slotValue(p.slot, p.width);
        if (now !== p.old) {
          wps.push(`watchpoint ${p.id}: ${p.name} ${this.fmt(p.old, p.width)} -> ${this.fmt(now, p.width)}`);
          p.old = now;
        }
      }
    }
    if (bps.length > 0) return { reason: 'breakpoint', messages: [...bps, ...wps] };
    return wps.length > 0 ? { reason: 'watchpoint', messages: wps } : null;
  }

  private flushOutput(): void {
    forwardOutput(this.host, this.emitted, this.onOutput);
  }

  // ---- moving back ----

  /** Undo `n` clock steps (to the start at most). */
  back(n = 1): StopEvent {
    this.goTo(Math.max(0, this.clock.steps - n));
    return this.stop('done', []);
  }

  /** Put the model in the state it had after `step` clock steps (earlier or later than now). */
  goTo(step: number): void {
    if (step > this.clock.steps) {
      while (this.clock.steps < step && this.clock.end === null) { this.tick(); this.flushOutput(); }
    } else if (step < this.clock.steps) {
      let i = this.marks.length - 1;
      while (this.marks[i]!.step > step) i--;
      restore(this.core, this.marks[i]!.snap);
      // Replays run silently: their output was handed over the first time.
      while (this.clock.steps < step) this.tick();
    }
    for (const p of this.points) if (p.kind === 'watchpoint') p.old = this.slotValue(p.slot, p.width);
  }

  private remember(): void {
    const step = this.clock.steps, marks = this.marks;
    let i = marks.length;
    while (i > 0 && marks[i - 1]!.step >= step) i--;
    if (i < marks.length && marks[i]!.step === step) return;
    const snap = snapshot(this.core, this.roots, this.lastSnap);
    this.lastSnap = snap;
    marks.splice(i, 0, { step, snap });
    if (marks.length > this.kept + 1) {
      // Drop the snapshot farthest from now (never the one at step 0).
      let far = 1;
      for (let k = 2; k < marks.length; k++) if (Math.abs(marks[k]!.step - step) > Math.abs(marks[far]!.step - step)) far = k;
      marks.splice(far, 1);
    }
  }

  // ---- breakpoints and watchpoints ----

  addBreakpoint(addr: number): Breakpoint {
    const a = addr >>> 0;
    if (a & 3) throw new DebugError(`${hex8(a)} is not word aligned`);
    const r = this.core.mem.find(a, 4, Perm.X);
    if (r === null) throw new DebugError(`${hex8(a)} is not in code ROM`);
    const p: Breakpoint = { kind: 'breakpoint', id: this.nextId++, addr: a };
    this.points.push(p);
    return p;
  }

  /** Watch a signal or register (by any name `read` accepts except `pc`). */
  addWatchpoint(name: string): Watchpoint {
    const slot = this.slotOf(name);
    const width = this.core.sig.widths[slot]!;
    const p: Watchpoint = { kind: 'watchpoint', id: this.nextId++, name, slot, width, old: this.slotValue(slot, width) };
    this.points.push(p);
    return p;
  }

  /** Delete breakpoint or watchpoint `id`; false if there is none. */
  delete(id: number): boolean {
    const i = this.points.findIndex((p) => p.id === id);
    if (i < 0) return false;
    this.points.splice(i, 1);
    return true;
  }

  get breakpoints(): readonly Point[] {
    return this.points;
  }

  // ---- reading state ----

  /**
   * The unsigned value of `pc` (architectural), a register (`x5`, `t0`) or a signal by its
   * hierarchical name (`evm.core.ex.alu.result`; the leading `evm.` may be left out).
   */
  read(name: string): number {
    if (name === 'pc') return this.pc;
    const slot = this.slotOf(name);
    return this.slotValue(slot, this.core.sig.widths[slot]!);
  }

  /** Bit width of what `read(name)` returns. */
  widthOf(name: string): number {
    return name === 'pc' ? 32 : this.core.sig.widths[this.slotOf(name)]!;
  }

  /** Signal slot of a register or signal name. */
  slotOf(name: string): number {
    const sig = this.core.sig;
    const r = registerIndex(name);
    const slot = r >= 0 ? sig.slot(`evm.core.rf.x${r}`) : sig.slot(name) ?? sig.slot(`evm.${name}`);
    if (slot === undefined) throw new DebugError(name === 'pc' ? 'pc is computed, not a signal: watch evm.core.if.pc or evm.core.wb.pc' : `no register or signal named ${name}`);
    return slot;
  }

  /** Names of the signals under a dotted prefix (`core.ex`, `evm.bus.d`). */
  signalsUnder(prefix: string): string[] {
    const sig = this.core.sig;
    const names = sig.under(prefix);
    return names.length > 0 || prefix.startsWith('evm') ? names : sig.under(`evm.${prefix}`);
  }

  /** `len` bytes at `addr` in the running frame's memory, regardless of permissions; null if unmapped. */
  readMemory(addr: number, len: number): Uint8Array | null {
    return this.core.mem.peek(addr >>> 0, len);
  }

  readWord(addr: number): number | null {
    const w = this.core.mem.readWord(addr >>> 0);
    return w === null ? null : w >>> 0;
  }

  /** The five stages in the last cycle (IF first); null before the first cycle. */
  stages(): StageInfo[] | null {
    if (this.clock.steps === 0) return null;
    const state = new Uint8Array(5), pc = new Int32Array(5), insn = new Int32Array(5);
    this.view.describe(this.core.v, state, pc, insn);
    return STAGE_NAMES.map((stage, i) => {
      const st = STATE_NAMES[state[i]!]!;
      const word = i === 0 ? this.codeWord(pc[i]!) : insn[i]! >>> 0;
      return { stage, state: st, pc: pc[i]! >>> 0, insn: st === 'bubble' ? null : word };
    });
  }

  /** The instruction word at `addr` in code ROM, or null. */
  codeWord(addr: number): number | null {
    const a = addr >>> 0;
    return this.core.mem.find(a, 4, Perm.X) === null ? null : this.readWord(a);
  }

  /** Resolve a symbol, `symbol+offset`, a register's value or a number (decimal or 0x hex). */
  resolve(text: string): number {
    const m = /^([^+\s]+)(?:\+(\S+))?$/.exec(text.trim());
    if (m === null) throw new DebugError(`cannot read an address from '${text}'`);
    const off = m[2] === undefined ? 0 : parseNumber(m[2]);
    if (off === null) throw new DebugError(`bad offset '${m[2]}'`);
    const base = m[1]!;
    const sym = this.symbols.lookup(base);
    if (sym !== undefined) return (sym + off) >>> 0;
    const r = registerIndex(base);
    if (r >= 0) return (this.core.x[r]! + off) >>> 0;
    const n = parseNumber(base);
    if (n === null) throw new DebugError(`no symbol named ${base}`);
    return (n + off) >>> 0;
  }

  /** `0x00010008 <loop+0x8>`. */
  where(addr: number): string {
    return hex8(addr) + this.symbols.describe(addr, this.core.mem);
  }

  /** Disassembly of `word` at `pc`, targets named by symbol, single-spaced. */
  disassemble(word: number, pc: number): string {
    return disassemble(word, pc, (t) => this.symbols.at(t)).replace('\t', ' ');
  }

  private slotValue(slot: number, width: number): number {
    const x = this.core.v[slot]!;
    return width === 32 ? x >>> 0 : x & ((1 << width) - 1);
  }

  private fmt(value: number, width: number): string {
    return '0x' + (value >>> 0).toString(16).padStart(Math.ceil(width / 4), '0');
  }
}

/** A non-negative integer in decimal or 0x hex; null if `s` is not one. */
export function parseNumber(s: string): number | null {
  if (/^0x[0-9a-f]+$/i.test(s)) return parseInt(s.slice(2), 16);
  if (/^[0-9]+$/.test(s)) return parseInt(s, 10);
  return null;
}

/**
 * Hand the guest output `host` has produced since `emitted` (chunks so far, per fd) to `onOutput`,
 * once: replaying history never repeats it (the debugger and the gdb stub both step back).
 */
export function forwardOutput(host: LinuxHost, emitted: number[], onOutput: ((fd: number, bytes: Uint8Array) => void) | undefined): void {
  const chunks = host['chunks'];
  for (let fd = 1; fd <= 2; fd++) {
    const list = chunks[fd]!;
    while (emitted[fd]! < list.length) {
      const bytes = list[emitted[fd]!]!;
      emitted[fd]!++;
      onOutput?.(fd, bytes);
    }
  }
}
