// The cycle-accurate EVM∞ core: a classic in-order 5-stage pipeline (IF ID EX MEM WB) built
// from the units in this folder and wired over the bus. docs/timing.md is its contract.
//
// A cycle is: evaluate every unit — back to front (WB, MEM, EX, ID, IF), so each stage sees
// the stall, squash and redirect signals of the stages ahead of it in the same cycle — then
// commit every register. Back to front also means a stage's outputs can go straight into the
// registers in front of it: every reader of their old values has already run (the pipeline
// registers, PipeReg; the register file's write-before-read). Nothing is allocated per cycle;
// tracing is a separate loop.

import { Alu } from './alu.js';
import { BranchUnit } from './branch.js';
import { attachDevices, Clock, type BusSlave, type GasPort } from '../peripherals/device.js';
import { Bus, type MemoryWaitStates } from './bus.js';
import { CallManagementUnit } from './cmu.js';
import type { CopySegment } from './frames.js';
import { CTL, Ctl, IS_FRAME } from './control.js';
import { FetchUnit, IfId, IFID_FIELDS } from './fetch.js';
import { GasCounter } from './gas.js';
import { HazardUnit } from './hazard.js';
import { InterruptController } from './intc.js';
import type { Commit } from './iss.js';
import { Lsu } from './lsu.js';
import { Mdu } from './mdu.js';
import type { AddressSpace } from './memory.js';
import { Mmu } from './mmu.js';
import { PermReg } from './perm.js';
import { RegFile } from './regfile.js';
import { PipeBank, type PipeReg, Signals } from './signals.js';
import { Cause, Stop } from './trap.js';

const enum IdEx { VALID, PC, INSN, OP, RD, RS1, RS2, IMM, A, B, EXC, TVAL }
const IDEX_FIELDS = [['valid', 1], ['pc', 32], ['insn', 32], ['op', 8], ['rd', 5], ['rs1', 5], ['rs2', 5], ['imm', 32], ['a', 32], ['b', 32], ['exc', 6], ['tval', 32]] as const;
const enum ExMem { VALID, PC, INSN, OP, RD, RESULT, ADDR, SDATA, EXC, TVAL, NPC }
const EXMEM_FIELDS = [['valid', 1], ['pc', 32], ['insn', 32], ['op', 8], ['rd', 5], ['result', 32], ['addr', 32], ['sdata', 32], ['exc', 6], ['tval', 32], ['npc', 32]] as const;
const enum MemWb { VALID, PC, INSN, OP, RD, WEN, VALUE, EXC, TVAL, MADDR, MDATA, MWIDTH, MSTORE, NPC }
const MEMWB_FIELDS = [['valid', 1], ['pc', 32], ['insn', 32], ['op', 8], ['rd', 5], ['wen', 1], ['value', 32], ['exc', 6], ['tval', 32], ['maddr', 32], ['mdata', 32], ['mwidth', 3], ['mstore', 1], ['npc', 32]] as const;

export interface CoreOptions {
  /** Wait states of the memory slaves: one count for all, or per region kind (default 0). */
  waitStates?: MemoryWaitStates;
  /** Test mode: up to this many random extra wait states per bus transaction. */
  randomStalls?: number;
  seed?: number;
  /** Extra bus slaves (memory-mapped peripherals, peripherals/device.ts). */
  devices?: readonly BusSlave[];
}

/** Receives the signal array once per cycle when tracing (VCD, line trace, watchpoints). */
export interface CycleTracer {
  cycle(cycle: number, v: Int32Array): void;
}

export class Core {
  readonly sig = new Signals();
  declare readonly v: Int32Array;
  /** The machine's clock: time for the devices, their scheduled completions, DATA UNAVAILABLE. */
  declare readonly clock: Clock;
  declare readonly bus: Bus;
  declare readonly mmu: Mmu;
  declare readonly rf: RegFile;
  declare readonly alu: Alu;
  declare readonly mdu: Mdu;
  declare readonly bru: BranchUnit;
  declare readonly hazard: HazardUnit;
  declare readonly fetch: FetchUnit;
  declare readonly lsu: Lsu;
  declare readonly gasUnit: GasCounter;
  declare readonly intc: InterruptController;
  declare readonly permReg: PermReg;
  declare readonly cmu: CallManagementUnit;
  /** IF/ID, ID/EX, EX/MEM and MEM/WB (latched by the stages in front of them, see PipeReg). */
  declare readonly pipe: PipeBank;
  declare readonly ifid: PipeReg;
  declare readonly idex: PipeReg;
  declare readonly exmem: PipeReg;
  declare readonly memwb: PipeReg;

  /** Cycle counter (the `evm.cycle` signal holds its low 32 bits). */
  cycles = 0;
  retired = 0;
  cause = 0;
  tval = 0;
  /** Of `cycles`, those a frame switch spent (addCycles): the rest are clock steps of the pipeline. */
  switchCycles = 0;
  tracer: CycleTracer | null = null;

  // Stage signals (slots).
  private declare readonly s_cycle: number;
  private declare readonly s_flush: number;
  private declare readonly s_mem_stall: number;
  private declare readonly s_ex_stall: number;
  private declare readonly s_redirect: number;
  private declare readonly s_retire: number;
  private declare readonly s_mem_charged: number;
  // Retirement outputs of WB, for commit logs, RVFI and lockstep.
  private declare readonly s_ret_pc: number;
  private declare readonly s_ret_insn: number;
  private declare readonly s_ret_rd: number;
  private declare readonly s_ret_value: number;
  private declare readonly s_ret_npc: number;
  private declare readonly s_ret_maddr: number;
  private declare readonly s_ret_mdata: number;
  private declare readonly s_ret_mwidth: number;
  private declare readonly s_ret_mstore: number;

  private stop = Stop.LIMIT;
  /** The pipeline is empty (after reset, a pc write or a stop) and nothing retired since. */
  private drained = true;
  private restartPc = 0;
  private memChargedD = 0;
  /** Gas devices charged for the access now in MEM/WB, not yet retired (retiredGas leaves it out). */
  private devGas = 0;
  /** A device refused its charge at this clock edge: the access that wrote it is out of gas. */
  private devOutOfGas = false;

  /**
   * The devices' gas port (peripherals/device.ts). A device charges in the access that starts
   * its work — at the clock edge of the store's ready cycle, the store then in MEM/WB and its
   * own cost already counted — through the gas counter's gate.
   */
  readonly gasPort: GasPort = {
    charge: (cost: number): boolean => {
      if (!this.gasUnit.extra(this.v, cost)) { this.devOutOfGas = true; return false; }
      this.devGas += cost;
      return true;
    },
  };

  /** The memory-mapped peripherals, elaborated with this core (a device belongs to one machine). */
  declare readonly devices: readonly BusSlave[];
  private declare readonly waitStates: MemoryWaitStates;

  declare mem: AddressSpace;

  constructor(mem: AddressSpace, opts: CoreOptions = {}) {
    this.mem = mem;
    const sig = this.sig;
    this.v = sig.v;
    this.s_cycle = sig.add('evm.cycle');
    this.clock = new Clock(this);
    this.bus = new Bus(sig, 'evm.bus', this.clock);
    this.devices = opts.devices ?? [];
    this.mmu = new Mmu(mem, this.bus.decoder);
    this.permReg = new PermReg(sig, 'evm.perm');
    this.gasUnit = new GasCounter(sig, 'evm.gas');
    this.intc = new InterruptController(sig, 'evm.intc');
    this.cmu = new CallManagementUnit(sig, 'evm.cmu');
    this.rf = new RegFile(sig, 'evm.core.rf');
    this.pipe = new PipeBank(sig, [['evm.core.id', IFID_FIELDS], ['evm.core.ex', IDEX_FIELDS], ['evm.core.mem', EXMEM_FIELDS], ['evm.core.wb', MEMWB_FIELDS]]);
    [this.ifid, this.idex, this.exmem, this.memwb] = this.pipe.regs as [PipeReg, PipeReg, PipeReg, PipeReg];
    this.fetch = new FetchUnit(sig, 'evm.core.if', this.bus, this.mmu, this.ifid);
    this.hazard = new HazardUnit(sig, 'evm.core.hazard');
    this.alu = new Alu(sig, 'evm.core.ex.alu');
    this.mdu = new Mdu(sig, 'evm.core.ex.mdu');
    this.bru = new BranchUnit(sig, 'evm.core.ex.bru');
    this.lsu = new Lsu(sig, 'evm.core.mem.lsu', this.bus, this.mmu);
    this.s_flush = sig.add('evm.core.wb.flush', 1);
    this.s_retire = sig.add('evm.core.wb.retire', 1);
    this.s_ret_pc = sig.add('evm.core.wb.retire_pc');
    this.s_ret_insn = sig.add('evm.core.wb.retire_insn');
    this.s_ret_rd = sig.add('evm.core.wb.retire_rd', 5);
    this.s_ret_value = sig.add('evm.core.wb.retire_value');
    this.s_ret_npc = sig.add('evm.core.wb.retire_npc');
    this.s_ret_maddr = sig.add('evm.core.wb.retire_maddr');
    this.s_ret_mdata = sig.add('evm.core.wb.retire_mdata');
    this.s_ret_mwidth = sig.add('evm.core.wb.retire_mwidth', 3);
    this.s_ret_mstore = sig.add('evm.core.wb.retire_mstore', 1);
    this.s_mem_stall = sig.add('evm.core.mem.stall', 1);
    this.s_mem_charged = sig.add('evm.core.mem.charged', 1);
    this.s_ex_stall = sig.add('evm.core.ex.stall', 1);
    this.s_redirect = sig.add('evm.core.ex.redirect', 1);
    this.waitStates = opts.waitStates ?? 0;
    this.bus.map(mem, this.devices, this.waitStates);
    this.bus.randomStalls = opts.randomStalls ?? 0;
    this.bus.seed(opts.seed ?? 1);
    // Device registers are signals declared last, so the core's own slots do not move.
    attachDevices(this.devices, this.clock, this.mmu, this.gasPort, sig);
  }

  /** The registers x0..x31 (a view over their signals). */
  get x(): Int32Array {
    return this.rf.x;
  }

  /** Address of the next instruction to run; setting it empties the pipeline and restarts fetch. */
  get pc(): number {
    return this.v[this.fetch.r_pc]! >>> 0;
  }

  set pc(pc: number) {
    const v = this.v;
    v[this.ifid.base] = 0; v[this.idex.base] = 0; v[this.exmem.base] = 0; v[this.memwb.base] = 0;
    this.drained = true;
    this.fetch.reset(v, pc | 0);
  }

  /** Switch to another frame's address space: the MMU and bus decoder are reloaded. */
  setMemory(mem: AddressSpace): void {
    this.mem = mem;
    this.mmu.mem = mem;
    this.mmu.reset();
    this.bus.map(mem, this.devices, this.waitStates);
    this.fetch.reset(this.v, this.v[this.fetch.r_pc]!);
  }

  setDepth(depth: number): void {
    this.v[this.cmu.r_depth] = depth;
  }

  /**
   * Cycles the call-management unit spends on a frame switch (docs/architecture.md, Timing):
   * the fixed part, then a word of each copy per cycle. The pipeline is stopped meanwhile, so
   * only the CMU's outputs and the cycle counter move; they are evaluated cycle by cycle only
   * when a tracer is watching (untraced, the counter just advances).
   */
  addCycles(fixed: number, copies: readonly CopySegment[]): void {
    const v = this.v, t = this.tracer;
    let n = fixed;
    for (const c of copies) n += c.words;
    this.switchCycles += n;
    if (t === null) {
      this.cycles += n;
      v[this.s_cycle] = this.cycles;
      if (this.cycles >= this.clock.next) this.clock.fire(this.cycles);
      return;
    }
    let seg = 0, word = 0;
    for (let k = 0; k < n; k++) {
      let src = 0, dst = 0;
      if (k >= fixed) {
        while (word >= copies[seg]!.words) { seg++; word = 0; }
        const c = copies[seg]!;
        src = (c.src + 4 * word) | 0;
        dst = (c.dst + 4 * word) | 0;
        word++;
      }
      this.cmu.switching(v, n - 1 - k, src, dst);
      this.cycles++;
      v[this.s_cycle] = this.cycles;
      if (this.cycles >= this.clock.next) this.clock.fire(this.cycles);
      t.cycle(this.cycles, v);
    }
    this.cmu.idle(v);
  }

  get perm(): number {
    return this.v[this.permReg.r_pset]!;
  }

  set perm(p: number) {
    this.v[this.permReg.r_pset] = p & 0xff;
    this.bus.pset = p & 0xff;
    this.gasUnit.frame(this.gasUnit.limit, p & 0xff);
  }

  get gasCost(): Float64Array {
    return this.gasUnit.cost;
  }

  set gasCost(c: Float64Array) {
    this.gasUnit.cost = c;
  }

  get gasUsed(): number {
    return this.gasUnit.used;
  }

  set gasUsed(g: number) {
    this.gasUnit.set(this.v, g);
  }

  get gasLimit(): number {
    return this.gasUnit.limit;
  }

  set gasLimit(g: number) {
    this.gasUnit.frame(g, this.perm);
    this.gasUnit.set(this.v, this.gasUnit.used);
  }

  /**
   * Run until `maxRetire` more instructions retire, `maxCycles` total cycles elapse, or the
   * pipeline stops for the host (ECALL), a trap, or a frame instruction.
   */
  run(maxRetire: number, maxCycles = Number.MAX_SAFE_INTEGER): Stop {
    if (this.tracer !== null) return this.runTraced(maxRetire, maxCycles, this.tracer);
    const target = this.retired + maxRetire;
    while (this.retired < target && this.cycles < maxCycles) {
      this.cycle();
      if (this.stop !== Stop.LIMIT) return this.takeStop();
    }
    return Stop.LIMIT;
  }

  private runTraced(maxRetire: number, maxCycles: number, tracer: CycleTracer): Stop {
    const target = this.retired + maxRetire;
    while (this.retired < target && this.cycles < maxCycles) {
      this.cycle();
      tracer.cycle(this.cycles, this.v);
      if (this.stop !== Stop.LIMIT) return this.takeStop();
    }
    return Stop.LIMIT;
  }

  private takeStop(): Stop {
    const s = this.stop;
    this.drained = true;
    this.stop = Stop.LIMIT;
    return s;
  }

  /** One clock cycle. */
  cycle(): void {
    const v = this.v;
    // Scheduled device completions due now, and DATA UNAVAILABLE raised in the cycle before
    // (thrown here, between cycles): one compare while nothing is pending.
    if (this.cycles >= this.clock.next) this.tick();
    // The interrupt controller and CMU outputs are one-cycle pulses: clear them only when set.
    if (v[this.intc.o_irq]) this.intc.evaluate(v);
    if (v[this.cmu.o_req]) this.cmu.evaluate(v);
    const flush = this.evalWB(v);
    const memStall = this.evalMEM(v, flush);
    const exHold = this.evalEX(v, flush, memStall);
    const idHold = this.evalID(v, flush, exHold);
    v[this.fetch.i_redirect] = flush || v[this.s_redirect] ? 1 : 0;
    v[this.fetch.i_target] = flush ? this.restartPc : v[this.bru.o_target]!;
    v[this.fetch.i_hold] = idHold ? 1 : 0;
    this.fetch.evaluate(v);

    // Clock edge.
    this.fetch.commit(v);
    this.bus.commit(v);
    this.lsu.commit(v);
    this.mdu.commit(v);
    this.gasUnit.commit(v);
    if (this.devOutOfGas) this.deviceOutOfGas(v);
    if (v[this.intc.o_irq]) this.intc.commit(v);
    v[this.s_mem_charged] = this.memChargedD;
    this.cycles++;
    v[this.s_cycle] = this.cycles;
  }

  /**
   * A device refused its charge: the access that started its work (now in MEM/WB) becomes an
   * out-of-gas exception, its own cost and any device charge withdrawn — as the ISS, which stops
   * before retiring it. It traps in WB next cycle; nothing behind it has been charged.
   */
  private deviceOutOfGas(v: Int32Array): void {
    const b = this.memwb.base;
    this.devOutOfGas = false;
    v[b + MemWb.EXC] = Cause.OUT_OF_GAS + 1;
    v[b + MemWb.TVAL] = 0;
    v[b + MemWb.WEN] = 0;
    this.gasUnit.set(v, this.gasUnit.used - this.gasUnit.cost[v[b + MemWb.OP]!]! - this.devGas);
    this.devGas = 0;
  }

  /**
   * Fire the clock events due this cycle. DATA UNAVAILABLE raised in the last cycle is thrown
   * here, before anything of this cycle is evaluated, with the instructions in flight dropped
   * as if squashed: pc is the oldest of them (the access that raised it, which did not retire)
   * and gas what the retired instructions cost — the ISS's state at the same point.
   */
  private tick(): void {
    if (this.clock.unavailable === null) { this.clock.tick(this.cycles); return; }
    const v = this.v;
    // Field 0 of a pipeline register is valid, field 1 the pc; the oldest valid one wins.
    let pc = v[this.fetch.r_pc]!;
    if (v[this.ifid.base]) pc = v[this.ifid.base + 1]!;
    if (v[this.idex.base]) pc = v[this.idex.base + 1]!;
    if (v[this.exmem.base]) pc = v[this.exmem.base + 1]!;
    if (v[this.memwb.base]) pc = v[this.memwb.base + 1]!;
    this.gasUsed = this.retiredGas;
    this.devGas = 0;
    v[this.s_mem_charged] = 0;
    this.memChargedD = 0;
    v[this.lsu.r_phase] = 0;
    this.bus.abort(v);
    this.pc = pc;
    this.clock.check();
  }

  /** WB: write the register file, retire, and take traps and system instructions. */
  private evalWB(v: Int32Array): boolean {
    const b = this.memwb.base, rf = this.rf;
    v[this.s_flush] = 0;
    if (!v[b + MemWb.VALID]) { v[rf.i_we] = 0; v[this.s_retire] = 0; return false; }
    this.devGas = 0;
    const pc = v[b + MemWb.PC]!, op = v[b + MemWb.OP]!, exc = v[b + MemWb.EXC]!;
    if (exc !== 0) {
      v[rf.i_we] = 0; v[this.s_retire] = 0;
      this.cause = exc - 1;
      this.tval = v[b + MemWb.TVAL]! >>> 0;
      return this.flushTo(v, pc, Stop.TRAP);
    }
    const c = CTL[op]!;
    if (c & Ctl.IS_FRAME) {
      // A frame instruction does not retire here: the call-management unit performs it.
      v[rf.i_we] = 0; v[this.s_retire] = 0;
      this.cmu.request(v, op);
      return this.flushTo(v, pc, Stop.FRAME);
    }
    const wen = v[b + MemWb.WEN]!, rd = v[b + MemWb.RD]!, value = v[b + MemWb.VALUE]!;
    v[rf.i_we] = wen;
    v[rf.i_waddr] = rd;
    v[rf.i_wdata] = value;
    rf.write(v);
    this.retire(v, b, pc, wen, rd, value);
    this.retired++;
    this.drained = false;
    if (c & Ctl.IS_HOST) {
      this.intc.raise(v);
      return this.flushTo(v, (pc + 4) | 0, Stop.ECALL);
    }
    return false;
  }

  /** The retirement outputs (commit logs, RVFI, lockstep) of the instruction retiring in WB. */
  private retire(v: Int32Array, b: number, pc: number, wen: number, rd: number, value: number): void {
    v[this.s_retire] = 1;
    v[this.s_ret_pc] = pc;
    v[this.s_ret_insn] = v[b + MemWb.INSN]!;
    v[this.s_ret_rd] = wen ? rd : 0;
    v[this.s_ret_value] = wen && rd !== 0 ? value : 0;
    v[this.s_ret_npc] = v[b + MemWb.NPC]!;
    v[this.s_ret_maddr] = v[b + MemWb.MADDR]!;
    v[this.s_ret_mdata] = v[b + MemWb.MDATA]!;
    v[this.s_ret_mwidth] = v[b + MemWb.MWIDTH]!;
    v[this.s_ret_mstore] = v[b + MemWb.MSTORE]!;
  }

  private flushTo(v: Int32Array, pc: number, stop: Stop): boolean {
    this.restartPc = pc;
    this.stop = stop;
    v[this.s_flush] = 1;
    return true;
  }

  /** MEM: charge gas, run loads and stores through the LSU, read GAS. Returns the MEM stall. */
  private evalMEM(v: Int32Array, flush: boolean): boolean {
    const q = this.exmem.base, d = this.memwb.d, lsu = this.lsu, gas = this.gasUnit;
    const valid = !flush && v[q + ExMem.VALID] !== 0;
    const op = v[q + ExMem.OP]!;
    let exc = v[q + ExMem.EXC]!, tval = v[q + ExMem.TVAL]!;
    // The gas check comes first: an instruction whose cost exceeds the gas left is out of gas,
    // whatever else it would do; one that traps otherwise is not charged.
    const c = CTL[op]!;
    const charge = valid && v[this.s_mem_charged] === 0 && (c & Ctl.IS_FRAME) === 0;
    // Units whose inputs are idle keep their outputs: they are evaluated only when driven.
    if (charge || v[gas.i_charge]) {
      v[gas.i_charge] = charge ? 1 : 0;
      v[gas.i_op] = op;
      gas.evaluate(v);
      if (charge && v[gas.o_out]) { exc = Cause.OUT_OF_GAS + 1; tval = 0; }
      else if (charge && exc !== 0) gas.cancel(v);
    }
    const width = c >>> Ctl.WIDTH_SHIFT, store = c & Ctl.IS_STORE ? 1 : 0, isLoad = c & Ctl.IS_LOAD;
    const access = valid && exc === 0 && width !== 0;
    let mdata = 0;
    if (access || v[lsu.i_valid]) {
      const addr = v[q + ExMem.ADDR]!, sdata = v[q + ExMem.SDATA]!;
      v[lsu.i_valid] = access ? 1 : 0;
      v[lsu.i_op] = op;
      v[lsu.i_addr] = addr;
      v[lsu.i_width] = width;
      v[lsu.i_store] = store;
      v[lsu.i_wdata] = sdata;
      lsu.evaluate(v);
      if (access) {
        if (!v[lsu.o_done]) {
          // Waiting on the bus: MEM holds, WB gets a bubble, everything behind stalls.
          d[MemWb.VALID] = 0;
          this.memChargedD = 1;
          v[this.s_mem_stall] = 1;
          return true;
        }
        if (v[lsu.o_fault]) {
          // A faulting access does not retire, so it is not charged (the MMU check and the
          // charge happen in the same, first MEM cycle).
          exc = (store ? Cause.STORE_FAULT : Cause.LOAD_FAULT) + 1;
          tval = addr;
          if (charge) gas.cancel(v);
        }
        const mask = width === 4 ? -1 : (1 << (8 * width)) - 1;
        mdata = (isLoad ? v[lsu.o_rdata]! : sdata) & mask;
      }
    }
    this.memChargedD = 0;
    v[this.s_mem_stall] = 0;
    d[MemWb.VALID] = valid ? 1 : 0;
    d[MemWb.PC] = v[q + ExMem.PC]!;
    d[MemWb.INSN] = v[q + ExMem.INSN]!;
    d[MemWb.OP] = op;
    d[MemWb.RD] = v[q + ExMem.RD]!;
    d[MemWb.EXC] = exc;
    d[MemWb.TVAL] = tval;
    d[MemWb.NPC] = v[q + ExMem.NPC]!;
    d[MemWb.WEN] = exc === 0 && c & Ctl.WRITES_RD ? 1 : 0;
    d[MemWb.VALUE] = isLoad ? v[lsu.o_rdata]! : c & Ctl.WB_GAS ? v[gas.o_left_next]! : v[q + ExMem.RESULT]!;
    d[MemWb.MADDR] = access ? v[q + ExMem.ADDR]! : 0;
    d[MemWb.MWIDTH] = access ? width : 0;
    d[MemWb.MSTORE] = store;
    d[MemWb.MDATA] = mdata;
    return false;
  }

  /** EX: forward operands, compute in the ALU / MDU / branch unit. Returns whether ID/EX holds. */
  private evalEX(v: Int32Array, flush: boolean, memStall: boolean): boolean {
    const q = this.idex.base, d = this.exmem.d, em = this.exmem.base, rf = this.rf;
    v[this.s_redirect] = 0;
    if (flush) {
      v[this.mdu.i_start] = 0;
      this.mdu.evaluate(v);
      d[ExMem.VALID] = 0;
      v[this.s_ex_stall] = 0;
      return false;
    }
    const valid = v[q + IdEx.VALID]!;
    const op = v[q + IdEx.OP]!;
    const rs1 = v[q + IdEx.RS1]!, rs2 = v[q + IdEx.RS2]!, imm = v[q + IdEx.IMM]!, pc = v[q + IdEx.PC]!;
    // Forwarding sources: the instruction in MEM (unless its value comes late) and the one in WB,
    // as it drives the register file's write port (MEM/WB already holds MEM's next instruction).
    const emOp = v[em + ExMem.OP]!;
    const emRd = v[em + ExMem.VALID] && v[em + ExMem.EXC] === 0 && CTL[emOp]! & Ctl.WRITES_RD ? v[em + ExMem.RD]! : 0;
    const mwRd = v[rf.i_we] ? v[rf.i_waddr]! : 0;
    const fwd = this.hazard.forward(v, rs1, rs2, emRd, mwRd), fa = fwd & 3, fb = fwd >> 2;
    const a = fa === 1 ? v[em + ExMem.RESULT]! : fa === 2 ? v[rf.i_wdata]! : v[q + IdEx.A]!;
    const b = fb === 1 ? v[em + ExMem.RESULT]! : fb === 2 ? v[rf.i_wdata]! : v[q + IdEx.B]!;
    let exc = v[q + IdEx.EXC]!, tval = v[q + IdEx.TVAL]!;
    let result = 0, taken = false, npc = (pc + 4) | 0;
    const live = valid && exc === 0;
    const mdu = this.mdu;
    const c = CTL[op]!;
    const useMdu = live && (c & Ctl.IS_MDU) !== 0;
    if (useMdu || mdu.active) {
      v[mdu.i_op] = op; v[mdu.i_a] = a; v[mdu.i_b] = b; v[mdu.i_start] = useMdu ? 1 : 0;
      mdu.evaluate(v);
    }
    const busy = useMdu && v[mdu.o_busy] === 1;
    if (live) {
      if (c & Ctl.IS_MDU) {
        result = v[mdu.o_result]!;
      } else if (c & Ctl.IS_BRU) {
        const bru = this.bru;
        v[bru.i_op] = op; v[bru.i_pc] = pc; v[bru.i_a] = a; v[bru.i_b] = b; v[bru.i_imm] = imm;
        bru.evaluate(v);
        result = npc;
        if (v[bru.o_misaligned]) { exc = Cause.FETCH_MISALIGNED + 1; tval = v[bru.o_target]!; }
        else if (v[bru.o_taken]) { taken = true; npc = v[bru.o_target]!; }
      } else if (c & Ctl.WB_PERM) {
        result = v[this.permReg.r_pset]!;
      } else if (c >>> Ctl.WIDTH_SHIFT === 0) {
        const alu = this.alu;
        v[alu.i_op] = op; v[alu.i_a] = c & Ctl.A_IS_PC ? pc : a; v[alu.i_b] = c & Ctl.B_IS_IMM ? imm : b;
        result = alu.evaluate(v);
      }
    }
    v[this.s_ex_stall] = busy ? 1 : 0;
    if (memStall || busy) {
      // EX cannot advance: keep the instruction, refreshing its operands so forwarded values
      // that leave the pipeline meanwhile are not lost. A MEM stall holds EX/MEM too.
      if (!memStall) d[ExMem.VALID] = 0;
      const hd = this.idex.d;
      hd[IdEx.A] = a; hd[IdEx.B] = b;
      return true;
    }
    mdu.release();
    d[ExMem.VALID] = valid;
    d[ExMem.PC] = pc;
    d[ExMem.INSN] = v[q + IdEx.INSN]!;
    d[ExMem.OP] = op;
    d[ExMem.RD] = v[q + IdEx.RD]!;
    d[ExMem.RESULT] = result;
    d[ExMem.ADDR] = (a + imm) | 0;
    d[ExMem.SDATA] = b;
    d[ExMem.EXC] = exc;
    d[ExMem.TVAL] = tval;
    d[ExMem.NPC] = npc;
    if (valid && taken) v[this.s_redirect] = 1;
    return false;
  }

  /** ID: decode, read registers, detect load-use. Returns whether IF/ID holds (fetch stalls). */
  private evalID(v: Int32Array, flush: boolean, exHold: boolean): boolean {
    const q = this.ifid.base, d = this.idex.d;
    if (flush || v[this.s_redirect]) { d[IdEx.VALID] = 0; return false; }
    if (exHold) return true; // IF/ID holds
    const valid = v[q + IfId.VALID]!, ctl = v[q + IfId.CTL]!;
    const ex = this.idex.base;
    if (this.hazard.loadUse(v, v[ex + IdEx.VALID]!, v[ex + IdEx.OP]!, v[ex + IdEx.RD]!, valid, ctl)) {
      d[IdEx.VALID] = 0; // and IF/ID holds
      return true;
    }
    const op = ctl & 0xff, rs1 = (ctl >> 16) & 31, rs2 = ctl >>> 24;
    const pc = v[q + IfId.PC]!, insn = v[q + IfId.INSN]!;
    let exc = v[q + IfId.EXC]!, tval = exc ? pc : 0;
    const c = CTL[op]!;
    if (exc === 0 && c & Ctl.ILLEGAL) { exc = Cause.ILLEGAL_INSTRUCTION + 1; tval = insn; }
    else if (exc === 0 && c & Ctl.IS_BREAK) { exc = Cause.BREAKPOINT + 1; tval = pc; }
    d[IdEx.VALID] = valid;
    d[IdEx.PC] = pc;
    d[IdEx.INSN] = insn;
    d[IdEx.OP] = op;
    d[IdEx.RD] = (ctl >> 8) & 31;
    d[IdEx.RS1] = rs1;
    d[IdEx.RS2] = rs2;
    d[IdEx.IMM] = v[q + IfId.IMM]!;
    d[IdEx.A] = this.rf.read(v, rs1);
    d[IdEx.B] = this.rf.read(v, rs2);
    d[IdEx.EXC] = exc;
    d[IdEx.TVAL] = tval;
    return false;
  }

  /** Describe the instruction that retired in the last cycle (valid when `retiredLastCycle`). */
  fillCommit(c: Commit): void {
    const v = this.v;
    c.order = this.retired - 1;
    c.pc = v[this.s_ret_pc]! >>> 0;
    c.insn = v[this.s_ret_insn]! >>> 0;
    c.rd = v[this.s_ret_rd]!;
    c.rdValue = v[this.s_ret_value]!;
    c.nextPc = v[this.s_ret_npc]! >>> 0;
    c.memWidth = v[this.s_ret_mwidth]!;
    c.memStore = v[this.s_ret_mstore] === 1 && c.memWidth !== 0;
    c.memAddr = v[this.s_ret_maddr]! >>> 0;
    c.memValue = v[this.s_ret_mdata]! >>> 0;
    if (c.memStore) c.rd = 0;
  }

  /**
   * Gas charged for retired instructions only. Gas is charged as instructions enter MEM, so the
   * counter runs ahead of retirement by the instruction in WB (and one held in MEM).
   */
  get retiredGas(): number {
    const v = this.v, cost = this.gasUnit.cost;
    let g = this.gasUnit.used;
    const wb = this.memwb.base, mem = this.exmem.base;
    if (v[wb + MemWb.VALID] && v[wb + MemWb.EXC] === 0 && !IS_FRAME[v[wb + MemWb.OP]!]) g -= cost[v[wb + MemWb.OP]!]! + this.devGas;
    if (v[this.s_mem_charged]) g -= cost[v[mem + ExMem.OP]!]!;
    return g;
  }

  /** Address of the next instruction to retire, as the ISS's pc would read at this point. */
  get retiredPc(): number {
    return this.drained ? this.pc : this.v[this.s_ret_npc]! >>> 0;
  }

  get retiredLastCycle(): boolean {
    return this.v[this.s_retire] === 1;
  }
}
