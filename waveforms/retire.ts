// The retire port: either model wrapped so that every retired instruction is reported as a
// Commit, one at a time. It is a FrameModel itself, so the call-management unit, the runner and
// the lockstep checkers drive it exactly as they drive a bare model.
//
// Untraced runs never construct it: the models' fast loops stay free of tracing (STYLE.md 5).
// The ISS describes its own instructions (`Iss.step`); the cycle model's come from its WB retire
// signals (`Core.fillCommit`), completed with rs1/rs2 values from a shadow copy of the register
// file taken before each step (the WB stage does not carry operand values).

import { decode } from '../isa/decode.js';
import { OPS, TABLE } from '../isa/table.js';
import type { Core } from '../cpu/core.js';
import { Iss, newCommit, type Commit } from '../cpu/iss.js';
import type { CopySegment, FrameModel } from '../cpu/frames.js';
import type { AddressSpace } from '../cpu/memory.js';
import { Stop } from '../cpu/trap.js';

/** A test hook: the `count`-th retired `op` (1-based) that writes a register gets bit 0 of its result flipped. */
export interface FaultSpec {
  op: number;
  count: number;
}

/** Thrown for a bad --inject-fault argument. */
export class FaultSpecError extends Error {
  /** The exit code's name (cpu/exit-codes.ts EXIT) when this error ends an evminf command. */
  readonly exit = 'USAGE' as const;
}

/** Parse `<mnemonic>:<n>`, e.g. `add:3`. Only instructions that write rd can be corrupted. */
export function parseFault(spec: string): FaultSpec {
  const m = /^([a-z.]+):(\d+)$/.exec(spec.trim());
  if (!m) throw new FaultSpecError(`--inject-fault ${spec}: expected <mnemonic>:<n>, e.g. add:3`);
  const op = OPS[m[1]!];
  if (op === undefined) throw new FaultSpecError(`--inject-fault ${spec}: no instruction named ${m[1]}`);
  if (!TABLE[op]!.syntax.startsWith('rd')) throw new FaultSpecError(`--inject-fault ${spec}: ${m[1]} writes no register`);
  const count = Number(m[2]);
  if (count < 1) throw new FaultSpecError(`--inject-fault ${spec}: n counts from 1`);
  return { op, count };
}

/** Which source registers each row reads (RVFI reports rs*_addr = 0 for unused ones). */
const USES_RS1 = new Uint8Array(TABLE.length + 1);
const USES_RS2 = new Uint8Array(TABLE.length + 1);
for (let i = 0; i < TABLE.length; i++) {
  USES_RS1[i] = TABLE[i]!.syntax.includes('rs1') ? 1 : 0;
  USES_RS2[i] = TABLE[i]!.syntax.includes('rs2') ? 1 : 0;
}
export { USES_RS1, USES_RS2 };

export type RetireSink = (c: Commit, tap: RetireTap) => void;

/** A frame instruction (EVAL, RETURN, THROW, GASTAB) handed to the call-management unit. */
interface FrameInsn {
  pc: number;
  insn: number;
  rs1Value: number;
  rs2Value: number;
  /** Frame depth when it was issued. */
  depth: number;
}

export class RetireTap implements FrameModel {
  /** The instruction that retired last (valid once `records` > 0). */
  readonly commit: Commit = newCommit();
  /** Records reported (the RVFI `order` of the next one). */
  records = 0;
  /** Occurrences of the fault's op seen so far. */
  private faultSeen = 0;
  private readonly shadow = new Int32Array(32);
  private readonly isIss: boolean;
  /** `inner.retired` when the last run() returned: the call-management unit retires frame instructions in between. */
  private seen: number;
  private readonly issued: FrameInsn[] = [];
  private readonly frameQueue: FrameInsn[] = [];
  /** Address spaces of the frames entered and not yet left: each frame has its own, so the depth shows in setMemory. */
  private readonly spaces: AddressSpace[];

  constructor(
    readonly inner: Iss | Core,
    private readonly sink: RetireSink | null = null,
    private readonly fault: FaultSpec | null = null,
  ) {
    this.isIss = inner instanceof Iss;
    this.seen = inner.retired;
    this.spaces = [inner.mem];
  }

  get x(): Int32Array { return this.inner.x; }
  get pc(): number { return this.inner.pc; }
  set pc(v: number) { this.inner.pc = v; }
  get mem(): AddressSpace { return this.inner.mem; }
  set mem(m: AddressSpace) { this.inner.mem = m; }
  get retired(): number { return this.inner.retired; }
  set retired(n: number) { this.inner.retired = n; }
  get gasUsed(): number { return this.inner.gasUsed; }
  set gasUsed(g: number) { this.inner.gasUsed = g; }
  get gasLimit(): number { return this.inner.gasLimit; }
  set gasLimit(g: number) { this.inner.gasLimit = g; }
  get gasCost(): Float64Array { return this.inner.gasCost; }
  set gasCost(c: Float64Array) { this.inner.gasCost = c; }
  get perm(): number { return this.inner.perm; }
  set perm(p: number) { this.inner.perm = p; }
  get cause(): number { return this.inner.cause; }
  get tval(): number { return this.inner.tval; }
  get cycles(): number | undefined { return this.isIss ? undefined : (this.inner as Core).cycles; }
  setMemory(mem: AddressSpace): void {
    const i = this.spaces.lastIndexOf(mem);
    if (i >= 0) this.spaces.length = i + 1; else this.spaces.push(mem);
    this.inner.setMemory(mem);
  }

  /** Frame depth: 0 in the root frame. */
  depth(): number {
    return this.spaces.length - 1;
  }
  addCycles(fixed: number, copies: readonly CopySegment[]): void { if (!this.isIss) (this.inner as Core).addCycles(fixed, copies); }
  // The frame switch's other effects reach the model too: the CMU's depth register (the VCD's
  // evm.cmu.depth) and the reset of the devices' registers.
  setDepth(depth: number): void { if (!this.isIss) (this.inner as Core).setDepth(depth); }
  get devices(): FrameModel['devices'] { return this.inner.devices; }

  /** The architectural pc after the last retired instruction (the cycle model's fetch pc runs ahead). */
  get archPc(): number {
    return this.isIss ? this.inner.pc >>> 0 : (this.inner as Core).retiredPc >>> 0;
  }
  get retiredPc(): number { return this.archPc; }
  get retiredGas(): number { return this.isIss ? this.inner.gasUsed : (this.inner as Core).retiredGas; }

  /** Run up to `maxRetire` instructions one at a time, reporting each. */
  run(maxRetire: number, maxCycles = Number.MAX_SAFE_INTEGER): Stop {
    // Frame instructions the call-management unit retired are reported first, one per call.
    this.collectFrames();
    if (this.frameQueue.length > 0) {
      this.reportFrame(this.frameQueue.shift()!);
      return Stop.LIMIT;
    }
    const stop = this.runPipeline(maxRetire, maxCycles);
    if (stop === Stop.FRAME) {
      const m = this.inner, pc = m.pc >>> 0;
      const insn = (m.mem.readWord(pc) ?? 0) >>> 0;
      this.issued.push({ pc, insn, rs1Value: m.x[(insn >>> 15) & 31]!, rs2Value: m.x[(insn >>> 20) & 31]!, depth: this.depth() });
    }
    this.seen = this.inner.retired;
    return stop;
  }

  /** At the end of a run: report the frame instructions retired since the last run() (a root RETURN, say). */
  flushFrames(): void {
    this.collectFrames();
    while (this.frameQueue.length > 0) this.reportFrame(this.frameQueue.shift()!);
  }

  /**
   * Work out which issued frame instructions retired since the last run(). Back at depth d, the
   * newest instruction issued deeper retired if it ended its frame (RETURN/THROW) and the count
   * says so; the newest one issued at depth d (a GASTAB, or the EVAL whose child just ended)
   * retired too. Deeper ones that did not retire are dropped.
   */
  private collectFrames(): void {
    let delta = this.inner.retired - this.seen;
    this.seen = this.inner.retired;
    if (delta <= 0) return;
    const d = this.depth(), st = this.issued;
    let deep: FrameInsn | null = null;
    while (st.length > 0 && st[st.length - 1]!.depth > d) {
      const e = st.pop()!;
      deep ??= e;
    }
    const here = st.length > 0 && st[st.length - 1]!.depth === d ? st[st.length - 1]! : null;
    if (deep !== null && delta > (here !== null ? 1 : 0)) { this.frameQueue.push(deep); delta--; }
    if (here !== null && delta > 0) { st.pop(); this.frameQueue.push(here); }
  }

  private reportFrame(e: FrameInsn): void {
    const c = this.commit;
    const op = decode(e.insn);
    c.pc = e.pc;
    c.insn = e.insn;
    c.rs1 = (e.insn >>> 15) & 31; c.rs2 = (e.insn >>> 20) & 31;
    c.rs1Value = e.rs1Value; c.rs2Value = e.rs2Value;
    c.rd = op < TABLE.length && TABLE[op]!.syntax.startsWith('rd') ? (e.insn >>> 7) & 31 : 0;
    c.rdValue = c.rd === 0 ? 0 : this.inner.x[c.rd]!;
    c.nextPc = (e.pc + 4) >>> 0;
    c.memWidth = 0; c.memStore = false; c.memAddr = 0; c.memValue = 0;
    this.retire();
  }

  private runPipeline(maxRetire: number, maxCycles: number): Stop {
    const m = this.inner;
    for (let n = 0; n < maxRetire; n++) {
      const before = m.retired;
      let stop: Stop;
      if (this.isIss) {
        stop = (m as Iss).step(this.commit);
      } else {
        this.shadow.set(m.x);
        stop = (m as Core).run(1, maxCycles);
        if (m.retired !== before) this.fillFromCore(m as Core);
      }
      if (m.retired !== before) this.retire();
      if (stop !== Stop.LIMIT) return stop;
      if (m.retired === before) return Stop.LIMIT; // cycle limit
    }
    return Stop.LIMIT;
  }

  private fillFromCore(core: Core): void {
    const c = this.commit;
    core.fillCommit(c);
    const insn = c.insn;
    c.rs1 = (insn >>> 15) & 31;
    c.rs2 = (insn >>> 20) & 31;
    c.rs1Value = this.shadow[c.rs1]!;
    c.rs2Value = this.shadow[c.rs2]!;
  }

  private retire(): void {
    const c = this.commit;
    c.order = this.records++;
    if (this.fault !== null && c.rd !== 0) {
      if (decode(c.insn) === this.fault.op && ++this.faultSeen === this.fault.count) {
        c.rdValue ^= 1;
        this.inner.x[c.rd] = c.rdValue;
      }
    }
    this.sink?.(c, this);
  }
}
