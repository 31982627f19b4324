// One model, stepped one retired instruction at a time under the call-management unit and the
// Linux host: the model side of every equivalence check (QEMU lockstep, RVFI traces, fuzzing).

import { disassemble } from '../isa/disasm.js';
import { CallManager, describeEnd, type FrameEnd } from '../cpu/frames.js';
import { HostError, LinuxHost } from '../cpu/host.js';
import { createModel, type ModelKind } from '../cpu/machine.js';
import { DEFAULT_STACK_SIZE, loadElf, STACK_TOP, type LoadedProgram } from '../cpu/program.js';
import type { Core } from '../cpu/core.js';
import { EXIT, exitForCause } from '../cpu/exit-codes.js';
import { RetireTap, type FaultSpec } from '../waveforms/retire.js';
import { emptyRecord, rvfiFromCommit, rvfiTrap, type RvfiRecord } from '../waveforms/rvfi.js';

/** How the model's run ended: a frame end, or an ECALL the host does not serve. */
export type ModelEnd = FrameEnd | { kind: 'host-error'; message: string; pc: number };

export interface StepperOptions {
  fault?: FaultSpec | null;
  /** Initial sp; the stack region is moved up when needed so that it covers sp. */
  sp?: number;
  stackSize?: number;
  /** Retired instructions remembered for divergence reports. */
  context?: number;
}

export interface RecentInsn {
  index: number;
  pc: number;
  insn: number;
}

/** Cycles the cycle model may spend without retiring before it is declared stuck. */
const STUCK_CYCLES = 1_000_000;

export class ModelStepper {
  readonly prog: LoadedProgram;
  readonly tap: RetireTap;
  readonly cm: CallManager;
  readonly host = new LinuxHost();
  end: ModelEnd | null = null;
  private readonly ring: RecentInsn[] = [];
  private readonly context: number;
  private readonly core: Core | null;

  constructor(elf: Uint8Array, readonly kind: ModelKind, opts: StepperOptions = {}) {
    const size = opts.stackSize ?? DEFAULT_STACK_SIZE;
    let top = STACK_TOP;
    if (opts.sp !== undefined) {
      const sp = opts.sp >>> 0;
      // Keep the default stack when it covers sp; otherwise end the stack a page above sp.
      if (!(sp >= STACK_TOP - size + 16 && sp <= STACK_TOP - 16)) top = Math.min(0x1_0000_0000, Math.ceil((sp + 16) / 0x1000) * 0x1000);
    }
    this.prog = loadElf(elf, size, top);
    if (opts.sp !== undefined) this.prog.sp = opts.sp | 0;
    const m = createModel(kind, this.prog);
    this.core = kind === 'cycle' ? (m as Core) : null;
    this.tap = new RetireTap(m, null, opts.fault ?? null);
    this.cm = new CallManager(this.tap, this.host);
    this.context = opts.context ?? 8;
  }

  get x(): Int32Array {
    return this.tap.x;
  }

  /** Instructions retired (and reported) so far. */
  get retired(): number {
    return this.tap.records;
  }

  /** The architectural pc: the next instruction to retire. */
  get pc(): number {
    return this.tap.archPc;
  }

  /**
   * Retire one instruction; its description is `tap.commit`. Returns false when the run ended
   * without retiring one (a trap, or it had already ended). An ECALL that exits retires and ends.
   */
  step(): boolean {
    if (this.end !== null) return false;
    const before = this.tap.records;
    const cycle0 = this.core?.cycles ?? 0;
    for (;;) {
      let end: FrameEnd | null;
      try {
        end = this.cm.advance(1, this.core ? this.core.cycles + STUCK_CYCLES : undefined);
      } catch (e) {
        if (!(e instanceof HostError)) throw e;
        this.end = { kind: 'host-error', message: e.message, pc: this.tap.commit.pc };
        end = null;
      }
      if (end !== null) {
        this.end = end;
        if (this.tap.records === before) this.tap.flushFrames(); // a root RETURN or THROW
      }
      if (this.tap.records !== before) {
        const c = this.tap.commit;
        this.ring.push({ index: c.order, pc: c.pc, insn: c.insn });
        if (this.ring.length > this.context) this.ring.shift();
        return true;
      }
      if (this.end !== null) return false;
      if (this.core && this.core.cycles - cycle0 >= STUCK_CYCLES) throw new Error(`cycle model retired nothing in ${STUCK_CYCLES} cycles (pc 0x${this.pc.toString(16)})`);
    }
  }

  /** The RVFI record of the instruction that just retired, or of the one that trapped. */
  rvfi(r: RvfiRecord = emptyRecord()): RvfiRecord {
    return rvfiFromCommit(this.tap.commit, this.end !== null && this.end.kind !== 'trap', r);
  }

  trapRecord(r: RvfiRecord = emptyRecord()): RvfiRecord | null {
    if (this.end === null || this.end.kind !== 'trap') return null;
    const pc = this.end.pc >>> 0;
    return rvfiTrap(this.tap.records, pc, (this.tap.mem.readWord(pc) ?? 0) >>> 0, r);
  }

  /** The exit code evminf run would give this end (null while running). */
  exitCode(): number | null {
    const e = this.end;
    if (e === null) return null;
    switch (e.kind) {
      case 'exit': return e.code;
      case 'return': return 0;
      case 'throw': return EXIT.THROW;
      case 'trap': return exitForCause(e.cause);
      case 'host-error': return EXIT.UNKNOWN_SYSCALL;
      case 'limit': return EXIT.LIMIT;
      case 'unavailable': return EXIT.DATA_UNAVAILABLE;
    }
  }

  describeEnd(): string {
    const e = this.end;
    if (e === null) return 'running';
    return e.kind === 'host-error' ? e.message : describeEnd(e);
  }

  /** The last few retired instructions, oldest first. */
  recent(): RecentInsn[] {
    return this.ring.slice();
  }

  stdout(): Uint8Array {
    return this.host.output(1);
  }
}

const ABI = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7',
  's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];
export const regName = (r: number): string => `x${r}/${ABI[r]}`;
export const hex8 = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');

export function formatRecent(list: readonly RecentInsn[], mark: number): string[] {
  return list.map((r) => `${r.index === mark ? '>' : ' '} ${String(r.index).padStart(9)}  ${hex8(r.pc)}  ${disassemble(r.insn, r.pc).replace('\t', ' ')}`);
}
