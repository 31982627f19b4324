// The call-management unit's frame logic (docs/architecture.md): EVAL, RETURN, THROW, GASTAB,
// INTERRUPT routing and exceptions in child frames. It drives either model through the small
// interface below, so the ISS and the cycle model perform frame switches identically; the
// cycle model additionally charges the switch cycles of docs/architecture.md "Timing".

import { decode, rdOf, rs1Of, rs2Of } from '../isa/decode.js';
import { Op, TABLE } from '../isa/table.js';
import { DataUnavailable, resetDevices, type BusSlave } from '../peripherals/device.js';
import { charge, copyGas, GAS_INFINITE, ramGas, setClassCost } from './gas.js';
import { AddressSpace, checkRootBudget, DEFAULT_MEM_LIMIT, hostBytesOf, LayoutError, Perm, Region, REQUEST_BASE, REQUEST_WINDOW, type RegionShare } from './memory.js';
import { PermBit, PSET_DEFINED } from './perm.js';
import { Cause, CAUSE_NAMES, Stop } from './trap.js';

/** What the frame logic needs of a model (both Iss and Core provide it). */
export interface FrameModel {
  readonly x: Int32Array;
  pc: number;
  mem: AddressSpace;
  retired: number;
  gasUsed: number;
  gasLimit: number;
  gasCost: Float64Array;
  perm: number;
  readonly cause: number;
  readonly tval: number;
  readonly cycles?: number;
  run(maxRetire: number, maxCycles?: number): Stop;
  setMemory(mem: AddressSpace): void;
  /** The memory-mapped devices (reset at every frame switch). */
  readonly devices?: readonly BusSlave[];
  /**
   * The call-management unit spends cycles on a frame switch: `fixed` of them, then one per word
   * of each copy in `copies`, in order (docs/architecture.md, Timing).
   */
  addCycles?(fixed: number, copies: readonly CopySegment[]): void;
  /** The call depth of the frame now running (the cycle model shows it as a CMU register). */
  setDepth?(depth: number): void;
  /**
   * The architectural state between two cycles, where it differs from `pc` and `gasUsed`: the
   * next instruction to retire and the gas of the retired ones (the cycle model's fetch and gas
   * counter run ahead of retirement). Absent: `pc` and `gasUsed` are architectural (the ISS).
   */
  readonly retiredPc?: number;
  readonly retiredGas?: number;
}

/** A slice the call-management unit copies during a frame switch, a word per cycle. */
export interface CopySegment {
  /** Source address in the frame being left, destination address in the frame being entered. */
  src: number;
  dst: number;
  words: number;
}

/** The root frame's interrupt handler (the host). Returns true when the guest exited. */
export interface RootHandler {
  ecall(s: { readonly x: Int32Array; readonly mem: AddressSpace }, pc: number): boolean;
  readonly exitCode: number | null;
}

export const enum Status {
  SUCCESS = 0, THROW = 1, OUT_OF_GAS = 2, BOUNDS = 3, ILLEGAL_INSTRUCTION = 4, MISALIGNED = 5,
  BREAKPOINT = 6, CALL_DEPTH = 7, BAD_DESCRIPTOR = 8, INTERRUPT_DENIED = 9, MEMORY_LIMIT = 10,
}
export const STATUS_NAMES = ['SUCCESS', 'THROW', 'OUT_OF_GAS', 'BOUNDS', 'ILLEGAL_INSTRUCTION', 'MISALIGNED', 'BREAKPOINT', 'CALL_DEPTH', 'BAD_DESCRIPTOR', 'INTERRUPT_DENIED', 'MEMORY_LIMIT'] as const;

export const MAX_DEPTH = 1024;
export { COPY_GAS_PER_WORD, RAM_GAS_PER_WORD } from './gas.js';
export { REQUEST_BASE };
/** Largest slice, RAM and request (bytes); a request fills at most the reserved window. */
export const MAX_RAM = REQUEST_WINDOW;
export const CHILD_CODE_BASE = 0x0001_0000;
export const CHILD_INPUT_BASE = 0x2000_0000;
export const CHILD_RAM_BASE = 0x4000_0000;
/** Descriptor layout (byte offsets). */
export const enum Desc { PSET = 0, CSTART = 4, CSIZE = 8, ISTART = 12, ISIZE = 16, OSTART = 20, OSIZE = 24, GAS = 28, NSTART = 32, NSIZE = 36, RAMSIZE = 40, RESULT = 44, GASUSED = 48, BYTES = 52 }
/** Cycle costs of frame switches (docs/architecture.md, Timing). */
export const CYCLES_CREATE = 4, CYCLES_TEARDOWN = 2;

const A0 = 10, A1 = 11, A2 = 12, A3 = 13, SP = 2;

function statusOfCause(cause: number): Status {
  switch (cause) {
    case Cause.OUT_OF_GAS: return Status.OUT_OF_GAS;
    case Cause.ILLEGAL_INSTRUCTION: return Status.ILLEGAL_INSTRUCTION;
    case Cause.FETCH_MISALIGNED: return Status.MISALIGNED;
    case Cause.BREAKPOINT: return Status.BREAKPOINT;
    default: return Status.BOUNDS;
  }
}

const words = (bytes: number): number => Math.ceil(bytes / 4);

/** The region holding a readable slice, and whether a frame's region may view its bytes instead of copying them. */
function shareOf(mem: AddressSpace, addr: number, len: number, frozen: boolean): RegionShare | undefined {
  const r = mem.find(addr, len, Perm.R)!;
  // Read-only bytes never change; a suspended interrupter's bytes cannot change while its handler runs.
  return frozen || (r.perm & Perm.W) === 0 ? { of: r, at: addr - r.base } : undefined;
}

/** A suspended or running frame. */
class Frame {
  readonly regs = new Int32Array(32);
  pc = 0;
  gasUsed = 0;
  gasLimit = GAS_INFINITE;
  constructor(
    readonly kind: 'root' | 'eval' | 'handler',
    readonly mem: AddressSpace,
    readonly perm: number,
    readonly depth: number,
    /** The frame whose context serves this frame's interrupts; null: the host. */
    readonly irqOwner: Frame | null,
    /** Handler code start/size in irqOwner's code ROM (size 0: interrupts denied). */
    readonly irqStart: number,
    readonly irqSize: number,
    /** For root and eval frames: this frame; for a handler: the frame it acts as. */
    readonly actsAs: Frame | null,
  ) {}
  /** eval: the descriptor address and rd of the EVAL; handler: reply buffer (a2, a3). */
  linkAddr = 0;
  linkLen = 0;
  linkRd = 0;
  /** eval: OSTART and OSIZE, latched when EVAL started (docs/architecture.md, EVAL). */
  outStart = 0;
  outSize = 0;
  /** Host memory of the regions this frame created (docs/architecture.md, Limits). */
  hostBytes = 0;
}

/** How a frame ended. `fail` ends a child with a status that has no trap cause. */
type Ending = FrameEnd | { kind: 'fail'; status: Status; pc: number };

export type FrameEnd =
  | { kind: 'exit'; code: number }
  | { kind: 'return'; output: Uint8Array }
  | { kind: 'throw'; code: number }
  | { kind: 'trap'; cause: number; tval: number; pc: number }
  /** A device raised DATA UNAVAILABLE: every frame was unwound to the host. */
  | { kind: 'unavailable'; detail: string; depth: number }
  | { kind: 'limit' };

export interface FrameLimits {
  maxInstructions?: number;
  maxCycles?: number;
  onProgress?: (instructions: number, cycles: number | null) => void;
  progressEvery?: number;
}

/** Raised by a peripheral when data is unavailable: it unwinds every frame to the host (peripherals/clock.ts). */
export { DataUnavailable };

export class CallManager {
  private frame: Frame;
  private readonly stack: Frame[] = [];
  /** Child frames created (statistics). */
  evals = 0;
  interrupts = 0;
  /** Where the RETURN being served takes its output from (the running frame's address). */
  private returnFrom = 0;
  /** Called whenever a frame is entered (checkers watch permissions and gas limits here). */
  /** `code`: where the frame's code comes from in the frame below (EVAL: CSTART; a handler: its start in the owner's code). */
  onEnter: ((kind: 'eval' | 'handler', depth: number, perm: number, gasLimit: number, code: number) => void) | null = null;
  /** The memory budget of all live frames, and the host bytes they hold now (docs/architecture.md, Limits). */
  readonly memLimit: number;
  liveBytes = 0;
  /** The most host bytes the live frames held at once. */
  peakBytes = 0;

  constructor(private m: FrameModel, private readonly host: RootHandler, opts: { memLimit?: number } = {}) {
    this.memLimit = opts.memLimit ?? DEFAULT_MEM_LIMIT;
    const root = new Frame('root', m.mem, m.perm, 0, null, 0, 0, null);
    for (const r of m.mem.regions) {
      if (r.base < REQUEST_BASE + REQUEST_WINDOW && REQUEST_BASE < r.end) throw new LayoutError(`region ${r.name} at 0x${r.base.toString(16)} reaches into the request ROM window at 0x${REQUEST_BASE.toString(16)} (docs/memory-map.md)`);
      root.hostBytes += r.hostBytes;
    }
    checkRootBudget(root.hostBytes, this.memLimit);
    this.liveBytes = this.peakBytes = root.hostBytes;
    this.frame = root;
    root.gasLimit = m.gasLimit;
  }

  get depth(): number {
    return this.frame.depth;
  }

  /**
   * Go on with another model holding the running frame's state (fast-forward from the timing
   * model into the cycle model, debug/fastforward.ts): the suspended frames stay as they are.
   */
  switchModel(m: FrameModel): void {
    this.m = m;
  }

  /** Run the root frame until it exits, returns, throws, traps or hits a limit. */
  run(limits: FrameLimits = {}): FrameEnd {
    const m = this.m;
    const maxI = limits.maxInstructions ?? Number.MAX_SAFE_INTEGER;
    const maxC = limits.maxCycles ?? Number.MAX_SAFE_INTEGER;
    const chunk = limits.onProgress ? (limits.progressEvery ?? 1 << 24) : Number.MAX_SAFE_INTEGER;
    for (;;) {
      const left = maxI - m.retired;
      if (left <= 0 || (m.cycles !== undefined && m.cycles >= maxC)) return { kind: 'limit' };
      const before = m.retired;
      const end = this.advance(Math.min(left, chunk), maxC);
      if (end !== null) return end;
      if (m.retired - before >= chunk) limits.onProgress?.(m.retired, m.cycles ?? null);
    }
  }

  /**
   * Run the model once — until `maxRetire` instructions retire, `maxCycles` elapse, or it stops —
   * and perform whatever frame work the stop asks for. Returns the root frame's end, or null
   * while it goes on. Lockstep checkers call it with maxRetire = 1.
   */
  advance(maxRetire: number, maxCycles = Number.MAX_SAFE_INTEGER): FrameEnd | null {
    const m = this.m;
    let stop: Stop;
    try {
      stop = m.run(maxRetire, maxCycles);
    } catch (e) {
      if (!(e instanceof DataUnavailable)) throw e;
      // Cannot be caught by any frame: unwind them all, back to the root's context.
      const depth = this.frame.depth;
      while (this.stack.length > 0) { this.liveBytes -= this.frame.hostBytes; this.load(this.stack.pop()!); }
      return { kind: 'unavailable', detail: e.message, depth };
    }
    switch (stop) {
      case Stop.ECALL: return this.interrupt();
      case Stop.TRAP: return this.endFrame({ kind: 'trap', cause: m.cause, tval: m.tval, pc: m.pc >>> 0 });
      case Stop.FRAME: return this.frameInstruction();
      default: return null;
    }
  }

  // ---- helpers over the running model ----

  /** The gas gate (cpu/gas.ts) for the unit's own charges. */
  private charge(gas: number): boolean {
    return charge(this.m, gas);
  }

  private retireFrameInsn(): void {
    this.m.pc = (this.m.pc + 4) >>> 0;
    this.m.retired++;
  }

  private save(f: Frame): void {
    const m = this.m;
    f.regs.set(m.x);
    f.pc = m.pc;
    f.gasUsed = m.gasUsed;
    f.gasLimit = m.gasLimit;
  }

  private load(f: Frame): void {
    const m = this.m;
    this.frame = f;
    m.setMemory(f.mem);
    m.x.set(f.regs);
    m.x[0] = 0;
    m.pc = f.pc;
    m.perm = f.perm;
    m.gasLimit = f.gasLimit;
    m.gasUsed = f.gasUsed;
    m.setDepth?.(f.depth);
    // No frame sees what another left in a device's registers (docs/peripherals.md).
    if (m.devices !== undefined && m.devices.length > 0) resetDevices(m.devices);
  }

  private readWord(mem: AddressSpace, addr: number): number {
    const r = mem.find(addr >>> 0, 4, Perm.R);
    return r === null ? 0 : r.dv.getUint32((addr >>> 0) - r.base, true);
  }

  private readable(mem: AddressSpace, addr: number, len: number): boolean {
    return len === 0 || mem.find(addr >>> 0, len, Perm.R) !== null;
  }

  private writable(mem: AddressSpace, addr: number, len: number): boolean {
    return len === 0 || mem.find(addr >>> 0, len, Perm.W) !== null;
  }

  private store(mem: AddressSpace, addr: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const r = mem.find(addr >>> 0, bytes.length, Perm.W)!;
    r.u8.set(bytes, (addr >>> 0) - r.base);
  }

  private storeWord(mem: AddressSpace, addr: number, value: number): void {
    const r = mem.find(addr >>> 0, 4, Perm.W)!;
    r.dv.setUint32((addr >>> 0) - r.base, value >>> 0, true);
  }

  /** The call-management unit's cycles: `fixed`, then a word per cycle of each copy. */
  private cycles(fixed: number, copies: readonly CopySegment[]): void {
    this.m.addCycles?.(fixed, copies);
  }

  // ---- frame instructions ----

  private frameInstruction(): FrameEnd | null {
    const m = this.m;
    const word = (m.mem.readWord(m.pc) ?? 0) >>> 0;
    const op = decode(word);
    const rs1v = m.x[rs1Of(word)]!, rs2v = m.x[rs2Of(word)]!;
    const base = m.gasCost[op]!;
    switch (op) {
      case Op.GASTAB: {
        if (!this.charge(base)) return this.outOfGas();
        // Privileged: without ALTER_GAS_TABLE, or for an unknown class, rd = 0 and no change.
        const old = m.perm & PermBit.ALTER_GAS_TABLE ? setClassCost(m.gasCost, rs1v >>> 0, rs2v) : 0;
        const rd = rdOf(word);
        if (rd !== 0) m.x[rd] = old;
        this.retireFrameInsn();
        return null;
      }
      case Op.RETURN: {
        if (!this.charge(base)) return this.outOfGas();
        const len = rs2v >>> 0;
        const out = len === 0 ? new Uint8Array(0) : m.mem.peek(rs1v >>> 0, len);
        if (out === null || !this.readable(m.mem, rs1v, len)) {
          return this.endFrame({ kind: 'trap', cause: Cause.LOAD_FAULT, tval: rs1v >>> 0, pc: m.pc >>> 0 });
        }
        if (!this.charge(copyGas(len))) return this.outOfGas();
        this.retireFrameInsn();
        this.returnFrom = rs1v >>> 0;
        return this.endFrame({ kind: 'return', output: out });
      }
      case Op.THROW: {
        if (!this.charge(base)) return this.outOfGas();
        this.retireFrameInsn();
        return this.endFrame({ kind: 'throw', code: rs1v });
      }
      case Op.EVAL:
        return this.eval(word, rs1v >>> 0, base);
      default:
        throw new Error(`call-management unit: unexpected frame instruction ${TABLE[op]?.name ?? op}`);
    }
  }

  private outOfGas(): FrameEnd | null {
    return this.endFrame({ kind: 'trap', cause: Cause.OUT_OF_GAS, tval: 0, pc: this.m.pc >>> 0 });
  }

  /** EVAL: validate, create and enter the child (its end resumes the caller in endFrame). */
  private eval(word: number, desc: number, base: number): FrameEnd | null {
    const m = this.m, caller = this.frame, mem = m.mem;
    if (!this.charge(base)) return this.outOfGas();
    const rd = rdOf(word);
    const finishEarly = (status: Status): null => {
      if (rd !== 0) m.x[rd] = status;
      this.retireFrameInsn();
      return null;
    };
    if (!this.readable(mem, desc, Desc.BYTES) || !this.writable(mem, desc + Desc.RESULT, 8)) return finishEarly(Status.BAD_DESCRIPTOR);
    const f = (o: number): number => this.readWord(mem, desc + o);
    const pset = f(Desc.PSET), cstart = f(Desc.CSTART), csize = f(Desc.CSIZE), istart = f(Desc.ISTART), isize = f(Desc.ISIZE);
    const ostart = f(Desc.OSTART), osize = f(Desc.OSIZE), gas = f(Desc.GAS), nstart = f(Desc.NSTART), nsize = f(Desc.NSIZE), ramsize = f(Desc.RAMSIZE);
    const inCode = (a: number, n: number): boolean => n === 0 || mem.find(a, n, Perm.X | Perm.R) !== null;
    if (!this.readable(mem, cstart, csize) || !this.readable(mem, istart, isize) || !this.writable(mem, ostart, osize) || osize > MAX_RAM
      || !inCode(nstart, nsize) || ramsize > MAX_RAM || ramsize % 4 !== 0 || csize > MAX_RAM || isize > MAX_RAM) {
      return finishEarly(Status.BAD_DESCRIPTOR);
    }
    if (caller.depth >= MAX_DEPTH) return finishEarly(Status.CALL_DEPTH);
    // Code and input from read-only memory are viewed, not copied (the copy cycles and gas stay);
    // code only when whole words, so the child's zero padding is never the caller's bytes.
    const codeShare = csize > 0 && csize % 4 === 0 && cstart % 4 === 0 ? shareOf(mem, cstart, csize, false) : undefined;
    const inputShare = isize > 0 ? shareOf(mem, istart, isize, false) : undefined;
    const csize4 = (csize + 3) & ~3;
    const hostBytes = (csize > 0 ? hostBytesOf(csize4, Perm.R | Perm.X, CHILD_CODE_BASE, codeShare) : 0)
      + (isize > 0 ? hostBytesOf(isize, Perm.R, CHILD_INPUT_BASE, inputShare) : 0) + ramsize;
    if (this.liveBytes + hostBytes > this.memLimit) return finishEarly(Status.MEMORY_LIMIT);
    if (!this.charge(copyGas(csize) + copyGas(isize) + ramGas(ramsize))) return this.outOfGas();

    const childMem = new AddressSpace();
    try {
      if (csize > 0) childMem.add(new Region('code', 'code', CHILD_CODE_BASE, csize4, Perm.R | Perm.X, codeShare ? undefined : mem.peek(cstart, csize)!, codeShare));
      if (isize > 0) childMem.add(new Region('input', 'input', CHILD_INPUT_BASE, isize, Perm.R, inputShare ? undefined : mem.peek(istart, isize)!, inputShare));
      if (ramsize > 0) childMem.add(new Region('ram', 'ram', CHILD_RAM_BASE, ramsize, Perm.R | Perm.W));
    } catch (e) {
      if (e instanceof LayoutError) return finishEarly(Status.BAD_DESCRIPTOR);
      throw e;
    }
    const perm = pset & caller.perm & PSET_DEFINED;
    // The child's interrupts are served in the context of the frame the caller acts as.
    const owner = caller.actsAs ?? caller;
    const child = new Frame('eval', childMem, perm, caller.depth + 1, owner, nstart, nsize, null);
    // The descriptor is latched here: later writes to it do not affect this EVAL. RESULT and
    // GASUSED go back to desc + 44 and desc + 48, checked writable above; a frame's address space
    // never changes while it lives, so they still are when the child ends.
    child.linkAddr = desc;
    child.linkRd = rd;
    child.outStart = ostart >>> 0;
    child.outSize = osize >>> 0;
    child.hostBytes = hostBytes;
    child.pc = CHILD_CODE_BASE;
    child.regs[SP] = CHILD_RAM_BASE + ramsize;
    child.regs[A0] = CHILD_INPUT_BASE;
    child.regs[A1] = isize;
    const callerLeft = m.gasLimit - m.gasUsed;
    child.gasLimit = perm & PermBit.INFINITE_GAS ? GAS_INFINITE : Math.min(gas, callerLeft);
    this.save(caller);
    this.stack.push(caller);
    this.evals++;
    this.liveBytes += hostBytes;
    if (this.liveBytes > this.peakBytes) this.peakBytes = this.liveBytes;
    this.cycles(CYCLES_CREATE, [
      { src: cstart >>> 0, dst: CHILD_CODE_BASE, words: words(csize) },
      { src: istart >>> 0, dst: CHILD_INPUT_BASE, words: words(isize) },
    ]);
    this.load(child);
    this.onEnter?.('eval', child.depth, child.perm, child.gasLimit, cstart >>> 0);
    return null;
  }

  /** ECALL retired in the running frame: route it to its handler. */
  private interrupt(): FrameEnd | null {
    const m = this.m, f = this.frame;
    this.interrupts++;
    if (f.irqOwner === null) {
      // Served by the host: the root frame, or a handler acting as the root.
      return this.host.ecall(m, (m.pc - 4) >>> 0) ? { kind: 'exit', code: this.host.exitCode ?? 0 } : null;
    }
    const pc = (m.pc - 4) >>> 0;
    if (f.irqSize === 0) return this.endFrame({ kind: 'fail', status: Status.INTERRUPT_DENIED, pc });
    const reqAddr = m.x[A0]! >>> 0, reqLen = m.x[A1]! >>> 0, replyAddr = m.x[A2]! >>> 0, replyCap = m.x[A3]! >>> 0;
    if (!this.readable(m.mem, reqAddr, reqLen) || !this.writable(m.mem, replyAddr, replyCap) || reqLen > REQUEST_WINDOW) {
      return this.endFrame({ kind: 'trap', cause: Cause.LOAD_FAULT, tval: reqAddr, pc });
    }
    if (f.depth >= MAX_DEPTH) return this.endFrame({ kind: 'fail', status: Status.CALL_DEPTH, pc });
    if (!this.charge(copyGas(reqLen))) return this.outOfGas();
    const owner = f.irqOwner;
    // The handler runs in the owner's address space plus a request ROM of its own.
    const hmem = new AddressSpace();
    for (const r of owner.mem.regions) if (r.kind !== 'input' || r.base !== REQUEST_BASE) hmem.add(r);
    // The request ROM views the interrupter's bytes: it is suspended until the handler ends, and
    // no frame that can run meanwhile maps its memory. The window is reserved in every frame.
    if (reqLen > 0) hmem.add(new Region('request', 'input', REQUEST_BASE, reqLen, Perm.R, undefined, shareOf(m.mem, reqAddr, reqLen, true)));
    // Its stack starts below the newest suspended frame acting as the owner (the owner itself,
    // or a handler of the owner's that is itself waiting), so nested handlers never overlap.
    let ownerSp = owner.regs[SP]!;
    for (let k = this.stack.length - 1; k >= 0; k--) {
      const s = this.stack[k]!;
      if (s === owner || s.actsAs === owner) { ownerSp = s.regs[SP]!; break; }
    }
    const h = new Frame('handler', hmem, owner.perm, f.depth + 1, owner.irqOwner, owner.irqStart, owner.irqSize, owner);
    h.linkAddr = replyAddr;
    h.linkLen = replyCap;
    h.pc = f.irqStart;
    h.regs[SP] = (ownerSp - 16) | 0;
    h.regs[A0] = REQUEST_BASE;
    h.regs[A1] = reqLen;
    h.gasLimit = owner.perm & PermBit.INFINITE_GAS ? GAS_INFINITE : m.gasLimit - m.gasUsed;
    this.save(f);
    this.stack.push(f);
    this.cycles(CYCLES_CREATE, [{ src: reqAddr, dst: REQUEST_BASE, words: words(reqLen) }]);
    this.load(h);
    this.onEnter?.('handler', h.depth, h.perm, h.gasLimit, f.irqStart >>> 0);
    return null;
  }

  /**
   * The running frame ended. The root frame's end ends the run; a child's end resumes its
   * caller (EVAL completes) or its interrupter (INTERRUPT completes).
   */
  private endFrame(end: Ending): FrameEnd | null {
    const m = this.m, f = this.frame;
    if (this.stack.length === 0) {
      // The root frame never fails with a bare status: its interrupts go to the host.
      if (end.kind === 'fail') throw new Error(`root frame ended with status ${STATUS_NAMES[end.status]}`);
      return end;
    }
    const used = m.gasUsed;
    const infinite = (f.perm & PermBit.INFINITE_GAS) !== 0;
    const parent = this.stack.pop()!;
    this.liveBytes -= f.hostBytes;
    let status: Status, result = 0, output: Uint8Array = new Uint8Array(0);
    switch (end.kind) {
      case 'return': status = Status.SUCCESS; output = end.output; break;
      case 'throw': status = Status.THROW; result = end.code; break;
      case 'trap': status = statusOfCause(end.cause); result = end.pc; break;
      case 'fail': status = end.status; result = end.pc; break;
      default: status = Status.SUCCESS;
    }
    const outTo = f.kind === 'eval' ? f.outStart : f.linkAddr;
    this.cycles(CYCLES_TEARDOWN, status === Status.SUCCESS ? [{ src: this.returnFrom, dst: outTo >>> 0, words: words(output.length) }] : []);
    this.load(parent);
    if (!infinite) m.gasUsed += used;
    if (f.kind === 'eval') {
      const desc = f.linkAddr;
      const n = Math.min(output.length, f.outSize);
      if (!this.charge(copyGas(n))) return this.outOfGas();
      if (status === Status.SUCCESS) result = n;
      this.store(m.mem, f.outStart, output.subarray(0, n));
      this.storeWord(m.mem, desc + Desc.RESULT, result);
      this.storeWord(m.mem, desc + Desc.GASUSED, infinite ? 0 : used);
      if (f.linkRd !== 0) m.x[f.linkRd] = status;
      this.retireFrameInsn();
    } else {
      // Handler done: reply into the interrupter's buffer; it resumes after its ECALL.
      const n = status === Status.SUCCESS ? Math.min(output.length, f.linkLen) : 0;
      if (!this.charge(copyGas(n))) return this.outOfGas();
      this.store(m.mem, f.linkAddr, output.subarray(0, n));
      m.x[A0] = status;
      m.x[A1] = status === Status.THROW ? result : n;
    }
    return null;
  }
}

/** A one-line description of how a frame ended, for the CLI. */
export function describeEnd(end: FrameEnd): string {
  switch (end.kind) {
    case 'exit': return `exited with code ${end.code}`;
    case 'return': return `returned ${end.output.length} bytes`;
    case 'throw': return `threw exception code ${end.code}`;
    case 'trap': return `${CAUSE_NAMES[end.cause] ?? `exception ${end.cause}`} (pc 0x${end.pc.toString(16).padStart(8, '0')})`;
    case 'unavailable': return `data unavailable: ${end.detail}`;
    case 'limit': return 'stopped at its limit';
  }
}
