// What the GDB stub (debug/gdbstub.ts) debugs: a program on the ISS or the cycle model, moved
// one instruction at a time, forward and back, with breakpoints and memory watchpoints.
//
// Time is counted in *positions*: one position is one `CallManager.advance(1)` — one retired
// instruction, or the call-management unit's work on a frame instruction or an interrupt — on
// either model. A stop is always at a position, between instructions: the registers are the
// architectural ones (on the cycle model the register file, which only retired instructions
// write) and `pc` is the next instruction to retire.
//
// History: a snapshot (debug/snapshot.ts) is taken every `snapshotEvery` positions. Going back
// restores the newest snapshot at or before the target and runs forward again; the model is
// deterministic, so replay gives the same states, and guest output already shown is not shown
// again. At most `snapshotsKept` snapshots are kept besides the one at the start of history:
// when one more is taken, the one whose removal leaves the smallest gap relative to its
// distance from now goes, so snapshots thin out with age (spacing roughly proportional to the
// distance) and memory stays bounded however long the run (docs/gdb.md, History).
//
// Stop rules (as RISC-V hardware triggers, which gdb treats as "nonsteppable"): a breakpoint
// stops before the instruction at its address runs; a watchpoint stops before a load or store
// whose bytes overlap the watched range runs. The instruction a resume starts on always runs,
// so resuming from a stop moves on.

import { decode, immediate, rs1Of } from '../isa/decode.js';
import { EXEC, Exec, MEM_WIDTH } from '../isa/table.js';
import { createModel, type ModelKind } from '../cpu/machine.js';
import type { Core } from '../cpu/core.js';
import type { Iss } from '../cpu/iss.js';
import { CallManager } from '../cpu/frames.js';
import { GAS_INFINITE } from '../cpu/gas.js';
import { HostError, LinuxHost } from '../cpu/host.js';
import { Perm, type AddressSpace } from '../cpu/memory.js';
import type { LoadedProgram } from '../cpu/program.js';
import type { Device } from '../peripherals/device.js';
import { PipelineView, STAGE_NAMES, STATE_NAMES } from '../waveforms/linetrace.js';
import { forwardOutput, type SessionEnd, type StageInfo } from './debugger.js';
import { restore, snapshot, type Snapshot } from './snapshot.js';

export type WatchKind = 'write' | 'read' | 'access';

export interface Watch {
  readonly addr: number;
  readonly len: number;
  readonly kind: WatchKind;
}

export type TargetStop =
  /** A single step, or a range step that left its range. */
  | { readonly kind: 'step' }
  | { readonly kind: 'breakpoint'; readonly addr: number }
  /** `addr`: the first watched byte the access touches. */
  | { readonly kind: 'watch'; readonly watch: WatchKind; readonly addr: number }
  /** A frame was entered or left (with `stopOnFrames`): `depth` is the running frame's now. */
  | { readonly kind: 'frame'; readonly depth: number }
  /** Reverse execution reached the start of history. */
  | { readonly kind: 'begin' }
  | { readonly kind: 'end'; readonly end: SessionEnd };

/** An EVM∞ frame as the stub shows it (a gdb thread). */
export interface FrameInfo {
  readonly kind: 'root' | 'eval' | 'handler';
  readonly depth: number;
  readonly pset: number;
  readonly gasUsed: number;
  readonly gasLimit: number;
  readonly pc: number;
  /** The frame's registers: live for the running frame, saved for a suspended one. */
  readonly regs: Int32Array;
  readonly mem: AddressSpace;
  readonly running: boolean;
}

/** The fields of cpu/frames.ts's Frame the stub reads. */
interface FrameFields {
  readonly kind: 'root' | 'eval' | 'handler';
  readonly mem: AddressSpace;
  readonly perm: number;
  readonly depth: number;
  readonly regs: Int32Array;
  readonly pc: number;
  readonly gasUsed: number;
  readonly gasLimit: number;
}

export interface TargetOptions {
  model: ModelKind;
  /** Memory-mapped devices (bin/program.ts programDevices). */
  devices?: readonly Device[];
  /** Guest output (the host's write to fd 1 and 2), handed over once. */
  onOutput?: (fd: number, bytes: Uint8Array) => void;
  /** Positions between snapshots (default 4096). */
  snapshotEvery?: number;
  /** Snapshots kept besides the one at the start of history (default 64). */
  snapshotsKept?: number;
}

/** A user asked for something the target cannot do (a write on the cycle model, ...). */
export class TargetError extends Error {}

/** The target's position in time; part of every snapshot. */
class Clock {
  steps = 0;
  end: SessionEnd | null = null;
}

interface Mark { readonly step: number; readonly snap: Snapshot }

/**
 * Watches the cycle model around every cycle: latches the pipeline registers (so that
 * `pipeline()` can show the last cycle) and keeps the bytes a store is about to overwrite.
 *
 * A store writes memory in MEM, a cycle before it retires in WB. So when the model stops with
 * the store in MEM/WB — retired up to the instruction before it, the store next — memory already
 * holds what the store wrote. The bytes it overwrote are kept while it waits in EX/MEM, and
 * reads at such a stop show them: the memory of the architectural state, as on the ISS.
 */
class PipelineTap {
  private readonly s_mem_valid: number;
  private readonly s_mem_pc: number;
  private readonly s_mem_op: number;
  private readonly s_mem_addr: number;
  private readonly s_lsu_phase: number;
  private readonly s_wb_valid: number;
  private readonly s_wb_pc: number;
  private readonly s_wb_mstore: number;
  private readonly s_wb_exc: number;
  /** The store in EX/MEM: pc (-1: none), address, width and the bytes there before it. */
  pendingPc = -1;
  pendingAddr = 0;
  pendingLen = 0;
  readonly pendingOld = new Uint8Array(4);
  /** The same for the store that has written memory and waits in MEM/WB to retire. */
  writtenPc = -1;
  writtenAddr = 0;
  writtenLen = 0;
  readonly writtenOld = new Uint8Array(4);

  constructor(private readonly core: Core, readonly prev: PipelineView, readonly cur: PipelineView) {
    const slot = (n: string): number => core.sig.slot(n)!;
    this.s_mem_valid = slot('evm.core.mem.valid');
    this.s_mem_pc = slot('evm.core.mem.pc');
    this.s_mem_op = slot('evm.core.mem.op');
    this.s_mem_addr = slot('evm.core.mem.addr');
    this.s_lsu_phase = slot('evm.core.mem.lsu.phase');
    this.s_wb_valid = slot('evm.core.wb.valid');
    this.s_wb_pc = slot('evm.core.wb.pc');
    this.s_wb_mstore = slot('evm.core.wb.mstore');
    this.s_wb_exc = slot('evm.core.wb.exc');
  }

  cycle(_c: number, v: Int32Array): void {
    this.prev.pre.set(this.cur.pre);
    this.cur.latch(v);
    // The store kept last cycle moved on into MEM/WB: it has written memory.
    if (this.pendingPc >= 0 && v[this.s_wb_valid] && v[this.s_wb_mstore] && v[this.s_wb_pc]! >>> 0 === this.pendingPc) {
      this.writtenPc = this.pendingPc;
      this.writtenAddr = this.pendingAddr;
      this.writtenLen = this.pendingLen;
      this.writtenOld.set(this.pendingOld);
    }
    this.pendingPc = -1;
    if (v[this.s_mem_valid] && v[this.s_lsu_phase] === 0) {
      const op = v[this.s_mem_op]!;
      if (EXEC[op] === Exec.STORE) {
        const addr = v[this.s_mem_addr]! >>> 0, len = MEM_WIDTH[op]!;
        const r = this.core.mem.find(addr, len, 0);
        if (r !== null) {
          this.pendingPc = v[this.s_mem_pc]! >>> 0;
          this.pendingAddr = addr;
          this.pendingLen = len;
          this.pendingOld.set(r.u8.subarray(addr - r.base, addr - r.base + len));
        }
      }
    }
  }

  /** Put back, in `bytes` (read at `addr` of the running frame), what a written but unretired store overwrote. */
  unwrite(addr: number, bytes: Uint8Array): void {
    const v = this.core.v;
    if (this.writtenPc < 0 || !v[this.s_wb_valid] || !v[this.s_wb_mstore] || v[this.s_wb_exc] || v[this.s_wb_pc]! >>> 0 !== this.writtenPc) return;
    for (let i = 0; i < this.writtenLen; i++) {
      const k = this.writtenAddr + i - addr;
      if (k >= 0 && k < bytes.length) bytes[k] = this.writtenOld[i]!;
    }
  }
}

export class GdbTarget {
  readonly model: ModelKind;
  readonly m: Core | Iss;
  readonly calls: CallManager;
  readonly host = new LinuxHost();
  private readonly clock = new Clock();
  private readonly roots: object[];
  private marks: Mark[] = [];
  private lastSnap: Snapshot | undefined;
  private readonly every: number;
  private readonly kept: number;
  /** Where history starts (0, or where a write began a new one). */
  private origin = 0;
  private readonly onOutput: ((fd: number, bytes: Uint8Array) => void) | undefined;
  /** Guest output chunks handed to onOutput so far, per fd. */
  private readonly emitted = [0, 0, 0];
  /** The furthest position this history has reached. */
  private highWater = 0;
  private readonly bps: number[] = [];
  private readonly watches: Watch[] = [];
  private readonly tap: PipelineTap | null = null;
  /** Stop moving forward whenever a frame is entered or left (EVAL, RETURN, THROW, a handler). */
  stopOnFrames = false;

  constructor(prog: LoadedProgram, opts: TargetOptions) {
    this.model = opts.model;
    this.m = createModel(opts.model, prog, { devices: opts.devices });
    const roots: object[] = [];
    if (opts.model === 'iss') {
      const iss = this.m as Iss;
      // Translated blocks are a cache kept outside the snapshot; the interpreter needs none.
      iss.translate = false;
      // The ISS keeps device registers in a registry of their own, which the walk does not enter.
      if (iss.deviceSignals !== null) roots.push(iss.deviceSignals.v);
    } else {
      const core = this.m as Core;
      this.tap = new PipelineTap(core, new PipelineView(core.sig), new PipelineView(core.sig));
      core.tracer = this.tap;
      roots.push(this.tap);
    }
    this.calls = new CallManager(this.m, this.host);
    this.every = Math.max(1, opts.snapshotEvery ?? 4096);
    this.kept = Math.max(2, opts.snapshotsKept ?? 64);
    this.onOutput = opts.onOutput;
    this.roots = [this.calls, this.host, this.clock, ...roots];
    this.remember();
  }

  // ---- where it is ----

  get position(): number {
    return this.clock.steps;
  }

  get historyStart(): number {
    return this.origin;
  }

  get snapshots(): number {
    return this.marks.length;
  }

  get ended(): SessionEnd | null {
    return this.clock.end;
  }

  /** Replaying: this position was reached before and its output shown. */
  get replaying(): boolean {
    return this.clock.steps < this.highWater;
  }

  /** The next instruction to retire in the running frame. */
  get pc(): number {
    return this.model === 'cycle' ? (this.m as Core).retiredPc : this.m.pc >>> 0;
  }

  get cycles(): number | null {
    return this.model === 'cycle' ? (this.m as Core).cycles : null;
  }

  get retired(): number {
    return this.m.retired;
  }

  /** Gas the running frame's retired instructions used. */
  get gasUsed(): number {
    return this.model === 'cycle' ? (this.m as Core).retiredGas : this.m.gasUsed;
  }

  // ---- frames ----

  /** Every live frame, outermost first; the last one is running. */
  frames(): FrameInfo[] {
    const stack = this.calls['stack'] as unknown as readonly FrameFields[];
    const running = this.calls['frame'] as unknown as FrameFields;
    const out: FrameInfo[] = stack.map((f) => ({
      kind: f.kind, depth: f.depth, pset: f.perm, gasUsed: f.gasUsed, gasLimit: f.gasLimit, pc: f.pc >>> 0, regs: f.regs, mem: f.mem, running: false,
    }));
    const m = this.m;
    out.push({ kind: running.kind, depth: running.depth, pset: m.perm, gasUsed: this.gasUsed, gasLimit: m.gasLimit, pc: this.pc, regs: m.x, mem: m.mem, running: true });
    return out;
  }

  // ---- breakpoints and watchpoints ----

  addBreakpoint(addr: number): void {
    if (!this.bps.includes(addr >>> 0)) this.bps.push(addr >>> 0);
  }

  removeBreakpoint(addr: number): void {
    const i = this.bps.indexOf(addr >>> 0);
    if (i >= 0) this.bps.splice(i, 1);
  }

  addWatch(w: Watch): void {
    if (!this.watches.some((x) => x.addr === w.addr && x.len === w.len && x.kind === w.kind)) this.watches.push(w);
  }

  removeWatch(w: Watch): void {
    const i = this.watches.findIndex((x) => x.addr === w.addr && x.len === w.len && x.kind === w.kind);
    if (i >= 0) this.watches.splice(i, 1);
  }

  /** The stop the state at this position makes, if any: a breakpoint at pc, then a watched access. */
  private hitHere(): TargetStop | null {
    if (this.clock.end !== null) return null;
    const pc = this.pc;
    const bps = this.bps;
    for (let i = 0; i < bps.length; i++) if (bps[i] === pc) return { kind: 'breakpoint', addr: pc };
    const ws = this.watches;
    if (ws.length === 0) return null;
    const word = this.m.mem.readWord(pc);
    if (word === null) return null;
    const op = decode(word >>> 0);
    const ex = EXEC[op]!;
    if (ex !== Exec.LOAD && ex !== Exec.STORE) return null;
    const addr = (this.m.x[rs1Of(word)]! + immediate(op, word)) >>> 0;
    const end = addr + MEM_WIDTH[op]!;
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i]!;
      if (w.kind === 'write' ? ex !== Exec.STORE : w.kind === 'read' ? ex !== Exec.LOAD : false) continue;
      if (addr < w.addr + w.len && w.addr < end) return { kind: 'watch', watch: w.kind, addr: Math.max(addr, w.addr) >>> 0 };
    }
    return null;
  }

  // ---- moving forward ----

  /**
   * Run forward at most `budget` positions: one for 'step', while pc stays in [start, end) of
   * the same frame for 'range', else until a stop. `fresh`: this starts a resume, so the
   * instruction at pc runs whatever stops it carries. Null: the budget ran out first.
   */
  forward(mode: { kind: 'continue' } | { kind: 'step' } | { kind: 'range'; start: number; end: number }, budget: number, fresh: boolean): TargetStop | null {
    if (this.clock.end !== null) return { kind: 'end', end: this.clock.end };
    const depth = this.calls.depth;
    for (let i = 0; i < budget; i++) {
      if (!fresh || i > 0) {
        const hit = this.hitHere();
        if (hit !== null) return hit;
      }
      const before = this.calls.depth;
      this.tick();
      if (this.clock.end !== null) return { kind: 'end', end: this.clock.end };
      if (this.stopOnFrames && this.calls.depth !== before) return { kind: 'frame', depth: this.calls.depth };
      if (mode.kind === 'step') return { kind: 'step' };
      if (mode.kind === 'range') {
        const pc = this.pc;
        if (pc < mode.start || pc >= mode.end || this.calls.depth !== depth) return { kind: 'step' };
      }
    }
    return null;
  }

  private tick(): void {
    const clock = this.clock;
    let end: SessionEnd | null;
    try {
      end = this.calls.advance(1);
    } catch (e) {
      if (!(e instanceof HostError)) throw e;
      end = { kind: 'host-error', message: e.message };
    }
    clock.steps++;
    if (end !== null) clock.end = end;
    if (clock.steps > this.highWater) this.highWater = clock.steps;
    this.flushOutput();
    if ((clock.steps - this.origin) % this.every === 0) this.remember();
  }

  private flushOutput(): void {
    forwardOutput(this.host, this.emitted, this.onOutput);
  }

  // ---- moving back ----

  /** One position back; at the start of history, stays and says so. */
  reverseStep(): TargetStop {
    if (this.clock.steps <= this.origin) return { kind: 'begin' };
    this.goTo(this.clock.steps - 1);
    return { kind: 'step' };
  }

  /** Back to the latest earlier position where a breakpoint or watchpoint stops, or to the start. */
  reverseContinue(): TargetStop {
    let hi = this.clock.steps;
    while (hi > this.origin) {
      let i = this.marks.length - 1;
      while (this.marks[i]!.step >= hi) i--;
      const lo = this.marks[i]!.step;
      this.restoreMark(i);
      let last = -1;
      for (;;) {
        if (this.hitHere() !== null) last = this.clock.steps;
        if (this.clock.steps + 1 >= hi) break;
        this.tick();
      }
      if (last >= 0) {
        this.goTo(last);
        return this.hitHere()!;
      }
      hi = lo;
    }
    this.goTo(this.origin);
    return { kind: 'begin' };
  }

  /** Put the model in its state at `step` (within history; later steps are run to). */
  goTo(step: number): void {
    const target = Math.max(this.origin, step);
    if (target < this.clock.steps) {
      let i = this.marks.length - 1;
      while (this.marks[i]!.step > target) i--;
      this.restoreMark(i);
    }
    while (this.clock.steps < target && this.clock.end === null) this.tick();
  }

  private restoreMark(i: number): void {
    restore(this.m as Core, this.marks[i]!.snap);
  }

  private remember(): void {
    const step = this.clock.steps, marks = this.marks;
    let i = marks.length;
    while (i > 0 && marks[i - 1]!.step >= step) i--;
    if (i < marks.length && marks[i]!.step === step) return;
    const snap = snapshot(this.m as Core, this.roots, this.lastSnap);
    this.lastSnap = snap;
    marks.splice(i, 0, { step, snap });
    if (marks.length > this.kept + 1) {
      // Drop the snapshot whose gap, once gone, is smallest for its distance from now: never the
      // start of history, never the newest.
      let best = -1, bestScore = Infinity;
      for (let k = 1; k < marks.length - 1; k++) {
        const gap = marks[k + 1]!.step - marks[k - 1]!.step;
        const score = gap / (Math.abs(step - marks[k]!.step) + 1);
        if (score < bestScore) { bestScore = score; best = k; }
      }
      marks.splice(best, 1);
    }
  }

  /** A write changed state the past did not have: history starts again here. */
  private rebase(): void {
    this.origin = this.clock.steps;
    this.highWater = this.clock.steps;
    const chunks = this.host['chunks'];
    for (let fd = 1; fd <= 2; fd++) this.emitted[fd] = chunks[fd]!.length;
    this.marks = [];
    this.lastSnap = undefined;
    this.remember();
  }

  // ---- state ----

  /**
   * The longest mapped prefix of [addr, addr+len) in `mem` (empty when addr is unmapped), as the
   * architectural state has it (on the cycle model without the write of a store not yet retired).
   */
  readMemory(mem: AddressSpace, addr: number, len: number): Uint8Array {
    const a = addr >>> 0;
    for (const r of mem.regions) {
      if (a >= r.base && a < r.end) {
        const bytes = r.u8.slice(a - r.base, a - r.base + Math.min(len, r.end - a));
        if (this.tap !== null && mem === this.m.mem) this.tap.unwrite(a, bytes);
        return bytes;
      }
    }
    return new Uint8Array(0);
  }

  private writable(): void {
    if (this.model === 'cycle') throw new TargetError('the cycle model has instructions in flight that already read registers and memory: writes need --model iss');
    if (this.clock.end !== null) throw new TargetError('the program has ended');
  }

  /** Write bytes into a writable region of the running frame; history starts again here. */
  writeMemory(addr: number, bytes: Uint8Array): void {
    this.writable();
    if (bytes.length === 0) return;
    const a = addr >>> 0;
    const r = this.m.mem.find(a, bytes.length, 0);
    if (r === null) throw new TargetError(`0x${a.toString(16)} is not mapped`);
    if (!(r.perm & Perm.W)) throw new TargetError(`0x${a.toString(16)} is in ${r.name}, which is read-only (breakpoints are kept in the stub, not written into code)`);
    r.u8.set(bytes, a - r.base);
    this.rebase();
  }

  /** Write register `n` (0..31 = x0..x31, 32 = pc) of the running frame; history starts again here. */
  writeRegister(n: number, value: number): void {
    this.writable();
    if (n === 32) this.m.pc = value >>> 0;
    else if (n > 0 && n < 32) this.m.x[n] = value | 0;
    else if (n !== 0) throw new TargetError(`no register ${n}`);
    this.rebase();
  }

  // ---- the pipeline (cycle model) ----

  /** The five stages in the last cycle (IF first); null on the ISS or before the first cycle. */
  pipeline(): StageInfo[] | null {
    const tap = this.tap;
    if (tap === null || (this.m as Core).cycles === 0) return null;
    const core = this.m as Core;
    const state = new Uint8Array(5), pc = new Int32Array(5), insn = new Int32Array(5);
    tap.prev.describe(core.v, state, pc, insn);
    return STAGE_NAMES.map((stage, i) => {
      const st = STATE_NAMES[state[i]!]!;
      const a = pc[i]! >>> 0;
      const word = i === 0 ? (core.mem.find(a, 4, Perm.X) === null ? null : core.mem.readWord(a)! >>> 0) : insn[i]! >>> 0;
      return { stage, state: st, pc: a, insn: st === 'bubble' ? null : word };
    });
  }
}

/** `gasLimit` as text: "infinite" for an infinite-gas frame. */
export function gasText(n: number): string {
  return n >= GAS_INFINITE ? 'infinite' : String(n);
}
