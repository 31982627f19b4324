// Pipeline line trace (PyMTL style): one fixed-width line per cycle, a column per stage
// holding the pc of the instruction in that stage during that cycle, `#` when the stage was
// stalled and `~` when it was squashed or held a bubble. docs/stepper.md describes the format.
//
// A cycle's line needs the pipeline registers as they stood *before* its clock edge, while a
// CycleTracer is called after it; so the view latches the registers it needs after every cycle
// and reads the stall, squash and redirect signals (combinational, still in the signal array)
// of the cycle that just ran.

import { disassemble } from '../isa/disasm.js';
import type { Core, CycleTracer } from '../cpu/core.js';
import type { Signals } from '../cpu/signals.js';

export const STAGE_NAMES = ['IF', 'ID', 'EX', 'MEM', 'WB'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** What a stage did in a cycle. A bubble is an empty stage; squash kills its instruction. */
export const enum StageState { RUN, STALL, SQUASH, BUBBLE }
export const STATE_NAMES = ['run', 'stall', 'squash', 'bubble'] as const;

// Latched fields (indices into PipelineView.pre): the fetch pc, then valid/pc/insn of the
// IF/ID, ID/EX, EX/MEM and MEM/WB registers.
const LATCHED = [
  'evm.core.if.pc',
  'evm.core.id.valid', 'evm.core.id.pc', 'evm.core.id.insn',
  'evm.core.ex.valid', 'evm.core.ex.pc', 'evm.core.ex.insn',
  'evm.core.mem.valid', 'evm.core.mem.pc', 'evm.core.mem.insn',
  'evm.core.wb.valid', 'evm.core.wb.pc', 'evm.core.wb.insn',
] as const;
const IF_PC = 0;
/** Base index in `pre` of stage s's register (s = 1..4: ID, EX, MEM, WB): valid, pc, insn. */
const reg = (s: number): number => 1 + 3 * (s - 1);

function slotOf(sig: Signals, name: string): number {
  const s = sig.slot(name);
  if (s === undefined) throw new Error(`line trace: the core has no signal ${name}`);
  return s;
}

/**
 * What each stage held during the cycle that just ran, and whether it ran, stalled, was
 * squashed or was empty. Call `latch` before each cycle (or after the previous one).
 */
export class PipelineView {
  /** Pipeline register values before the last clock edge (LATCHED order). */
  readonly pre = new Int32Array(LATCHED.length);
  private readonly slots: Int32Array;
  private readonly s_flush: number;
  private readonly s_redirect: number;
  private readonly s_mem_stall: number;
  private readonly s_ex_stall: number;
  private readonly s_if_hold: number;
  private readonly s_if_redirect: number;
  private readonly s_i_ready: number;
  private readonly s_i_req: number;

  constructor(sig: Signals) {
    this.slots = Int32Array.from(LATCHED, (n) => slotOf(sig, n));
    this.s_flush = slotOf(sig, 'evm.core.wb.flush');
    this.s_redirect = slotOf(sig, 'evm.core.ex.redirect');
    this.s_mem_stall = slotOf(sig, 'evm.core.mem.stall');
    this.s_ex_stall = slotOf(sig, 'evm.core.ex.stall');
    this.s_if_hold = slotOf(sig, 'evm.core.if.hold');
    this.s_if_redirect = slotOf(sig, 'evm.core.if.redirect');
    this.s_i_ready = slotOf(sig, 'evm.bus.i.ready');
    this.s_i_req = slotOf(sig, 'evm.bus.i.req');
    this.latch(sig.v);
  }

  /** Record the pipeline registers as they stand now: the next cycle's stage contents. */
  latch(v: Int32Array): void {
    const pre = this.pre, slots = this.slots;
    for (let i = 0; i < slots.length; i++) pre[i] = v[slots[i]!]!;
  }

  /**
   * Fill `state` and `pc` (five entries, IF..WB) for the cycle that just ran; `insn` gets the
   * instruction word of ID..WB (IF's entry is left alone: the word is not latched yet).
   */
  describe(v: Int32Array, state: Uint8Array, pc: Int32Array, insn: Int32Array): void {
    const pre = this.pre;
    const flush = v[this.s_flush] === 1, memStall = v[this.s_mem_stall] === 1;
    // IF: dropped on a redirect, waiting on a hold or on a bus that is not ready. A fetch outside
    // code ROM makes no bus request and delivers a fault token: that counts as running.
    const ifState = v[this.s_if_redirect] ? StageState.SQUASH
      : v[this.s_if_hold] || (v[this.s_i_req] && !v[this.s_i_ready]) ? StageState.STALL : StageState.RUN;
    state[0] = ifState;
    // What IF delivered is in IF/ID now; that is exact even when the fetch pc was changed
    // between cycles (a frame switch restarts fetch without a clock edge).
    pc[0] = ifState === StageState.RUN && v[this.slots[reg(1)]!] ? v[this.slots[reg(1) + 1]!]! : pre[IF_PC]!;
    for (let s = 1; s <= 4; s++) {
      const b = reg(s);
      pc[s] = pre[b + 1]!;
      insn[s] = pre[b + 2]!;
      let st: StageState;
      if (!pre[b]) st = StageState.BUBBLE;
      else if (s === 4) st = StageState.RUN;
      else if (flush) st = StageState.SQUASH;
      else if (s === 3) st = memStall ? StageState.STALL : StageState.RUN;
      else if (s === 2) st = memStall || v[this.s_ex_stall] ? StageState.STALL : StageState.RUN;
      else st = v[this.s_redirect] ? StageState.SQUASH : v[this.s_if_hold] ? StageState.STALL : StageState.RUN;
      state[s] = st;
    }
  }
}

export interface LineTraceOptions {
  /** Append the disassembly of the instruction in WB (default true). */
  disasm?: boolean;
  /** Flush to the writer once this many characters are buffered (default 64 KiB). */
  chunk?: number;
}

const STALL = '########', SQUASH = '~~~~~~~~';
const hex8 = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');

/** Column header matching the lines (cycle column 7 wide, then the five stages). */
export const LINE_TRACE_HEADER = '  cycle: IF       ID       EX       MEM      WB';

/**
 * `core.tracer = new LineTracer(core, write)`: one line per cycle,
 * `    12: 00010014|00010010|########|00010008|~~~~~~~~  addi x10,x10,5`.
 * Output is buffered and handed to `write` in large chunks; call `flush()` at the end.
 */
export class LineTracer implements CycleTracer {
  readonly view: PipelineView;
  private readonly state = new Uint8Array(5);
  private readonly pc = new Int32Array(5);
  private readonly insn = new Int32Array(5);
  private readonly disasm: boolean;
  private readonly chunk: number;
  private buf: string[] = [];
  private size = 0;
  private lastCycle: number;
  private readonly s_switching: number;

  constructor(core: Core, private readonly write: (text: string) => void, opts: LineTraceOptions = {}) {
    this.view = new PipelineView(core.sig);
    this.s_switching = core.sig.slot('evm.cmu.busy')!;
    this.disasm = opts.disasm ?? true;
    this.chunk = opts.chunk ?? 1 << 16;
    this.lastCycle = core.cycles;
    this.push(LINE_TRACE_HEADER);
  }

  cycle(cycle: number, v: Int32Array): void {
    // Cycles the call-management unit spends on a frame switch stop the pipeline: they are
    // summed into one line before the next pipeline cycle.
    if (v[this.s_switching]) return;
    if (cycle !== this.lastCycle + 1) this.push(`      -- ${cycle - 1 - this.lastCycle} cycles: frame switch --`);
    this.lastCycle = cycle;
    this.push(this.line(cycle, v));
    this.view.latch(v);
  }

  /** The line for the cycle that just ran (the view must hold the registers from before it). */
  line(cycle: number, v: Int32Array): string {
    const state = this.state, pc = this.pc;
    this.view.describe(v, state, pc, this.insn);
    let s = String(cycle).padStart(7) + ':';
    for (let i = 0; i < 5; i++) {
      const st = state[i]!;
      s += (i === 0 ? ' ' : '|') + (st === StageState.STALL ? STALL : st === StageState.RUN ? hex8(pc[i]!) : SQUASH);
    }
    if (this.disasm && state[4] === StageState.RUN) s += '  ' + disassemble(this.insn[4]! >>> 0, pc[4]!).replace('\t', ' ');
    return s;
  }

  private push(line: string): void {
    this.buf.push(line);
    this.size += line.length + 1;
    if (this.size >= this.chunk) this.flush();
  }

  /** Hand everything buffered to the writer. */
  flush(): void {
    if (this.buf.length === 0) return;
    this.write(this.buf.join('\n') + '\n');
    this.buf = [];
    this.size = 0;
  }
}
