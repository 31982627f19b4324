// The instruction-set simulator: the golden architectural model. One instruction at a time,
// no timing. It calls the shared semantics (isa/semantics.ts) and reads predecoded code ROM.
//
// Hot-loop rules: state is copied to locals, nothing is allocated, no tracing code runs. Tracing
// is the caller's choice: `step()` runs one instruction and `commit` describes it (derived from
// the pre- and post-state, so the fast loop pays nothing for it).

import { EXEC, Exec, FN, MEM_SIGNED, MEM_WIDTH, Op, TABLE } from '../isa/table.js';
import { immediate } from '../isa/decode.js';
import * as sem from '../isa/semantics.js';
import { Fn } from '../isa/semantics.js';
import { AddressSpace, Perm, Region } from './memory.js';
import type { TimeSource } from '../peripherals/clock.js';
import { attachDevices, Clock, deviceLoad, deviceStore, NEVER, type BusSlave, type GasPort } from '../peripherals/device.js';
import { AddressDecoder, UNMAPPED } from '../peripherals/decoder.js';
import { Mmu } from './mmu.js';
import { Signals } from './signals.js';
import { Cause, Stop } from './trap.js';
import { fits, GAS_INFINITE, gasCostsByOp, gasLeft, gateOf } from './gas.js';
import { BLOCK_HOT, BLOCK_TRANSLATED, blockCache, newEpoch, type BlockCache, type BlockHost } from './blocks.js';
import { Heat, REGION_HOT, regionCache, RegionOut, type RegionCache } from './regions.js';

const NO_REGION = new Region('none', 'ram', 0, 0, 0);
const SETTLE_REGION = new Region('none', 'ram', 0, 0, 0);
/** The largest gas room handed to a translated block: a V8 small integer (31 bits). */
const ROOM_CAP = 0x3fff_ffff;
const NO_DEVICES = new AddressDecoder();
const EMPTY = new Int32Array(0);

// The interpreter's columns (cpu/blocks.ts and the pipeline read the same rows). Its dispatch
// key is a row's operation function when the row computes a value, branches or jumps (every
// such row with the same function runs the same case), else Key.CLASS + its semantic class.
/** A const enum, so that `Key.CLASS + Exec.X` is a literal case label (a jump table for the switch). */
const enum Key { CLASS = 32 }
const COMPUTES: readonly Exec[] = [Exec.RR, Exec.RI, Exec.PI, Exec.I, Exec.BRANCH, Exec.JUMP_PC, Exec.JUMP_R];
const KEY = Uint8Array.from(EXEC, (ex, op) => (COMPUTES.includes(ex) ? FN[op]! : Key.CLASS + ex));
/** Operand A is the pc (else rs1); operand B is rs2 (-1, a mask) or the immediate (0). */
const A_PC = Uint8Array.from(EXEC, (_, op) => (TABLE[op]?.a === 'pc' ? 1 : 0));
const B_REG = Int32Array.from(EXEC, (_, op) => (TABLE[op]?.b === 'rs2' ? -1 : 0));
if (sem.FN_NAMES.length > Key.CLASS) throw new Error('iss: operation selectors overlap the class keys');

/** One retired instruction, as the commit log and RVFI describe it. */
export interface Commit {
  order: number;
  pc: number;
  insn: number;
  /** Destination register, or 0 when none is written. */
  rd: number;
  rdValue: number;
  rs1: number;
  rs2: number;
  rs1Value: number;
  rs2Value: number;
  nextPc: number;
  /** Memory access: 0 none, else the byte mask (1, 3, 15 shifted by nothing: width mask). */
  memWidth: number;
  memStore: boolean;
  memAddr: number;
  memValue: number;
}

export class Iss implements BlockHost {
  readonly x = new Int32Array(32);
  pc = 0;
  /** Instructions retired. */
  retired = 0;
  /** Gas metered so far and the frame's limit. */
  gasUsed = 0;
  gasLimit = GAS_INFINITE;
  gasCost: Float64Array = gasCostsByOp();
  /** The frame's permission set (docs/architecture.md). */
  perm = 0;
  /** Set when run() returns Stop.TRAP. */
  cause = 0;
  tval = 0;

  /** Translate hot blocks (cpu/blocks.ts); off, every instruction goes through the interpreter. */
  translate = true;
  /** Executions of a block start before it is translated (0: translate on first sight; at most 253). */
  hot = BLOCK_HOT;
  /** Blocks translated by this ISS so far. */
  translatedBlocks = 0;
  /** Join hot blocks into regions (cpu/regions.ts); off, translated blocks run one at a time. */
  regions = true;
  /** Visits of a translated block before a region is formed from it (0: at once; below 0xfffe). */
  regionHot = REGION_HOT;
  /** Regions formed by this ISS so far. */
  translatedRegions = 0;

  private cr: Region = NO_REGION;
  private lr: Region = NO_REGION;
  private sr: Region = NO_REGION;

  // BlockHost: the address-space epoch and a block's results; a region's (cpu/regions.ts RegionOut).
  epoch = newEpoch();
  bk = 0; bpc = 0;
  private readonly rio = new Int32Array(3);

  /** The device decoder (the bus's kind of table; memory is found through `mem` here). */
  declare readonly decoder: AddressDecoder;
  /**
   * No time: scheduled device work completes at the next device access (Clock.drain). A timing
   * model built on the ISS (cpu/timing.ts) gives it a time source instead.
   */
  declare readonly clock: Clock;
  /** The devices' DMA port into the running frame. */
  private declare readonly dma: Mmu;
  /** Signals of the devices' registers (the ISS has no others). */
  declare readonly deviceSignals: Signals | null;

  // The devices' gas port (peripherals/device.ts): during a device access, gas used including
  // the access's own cost, the gate, what devices charged and whether one was refused.
  private devUsed = 0;
  private devGate = 0;
  private devGas = 0;
  private devOutOfGas = false;
  /** The devices' gas port: charges of the device access in progress, through the gate. */
  readonly gasPort: GasPort = {
    charge: (cost: number): boolean => {
      if (!fits(this.devUsed + this.devGas, cost, this.devGate)) { this.devOutOfGas = true; return false; }
      this.devGas += cost;
      return true;
    },
  };

  constructor(public mem: AddressSpace, readonly devices: readonly BusSlave[] = [], time: TimeSource | null = null) {
    this.clock = new Clock(time);
    // Most machines have no devices: they share one empty table instead of 128 KiB each.
    this.decoder = devices.length === 0 ? NO_DEVICES : new AddressDecoder();
    if (devices.length > 0) this.decoder.map([], devices);
    this.dma = new Mmu(mem, this.decoder);
    this.deviceSignals = devices.length === 0 ? null : new Signals(256);
    if (this.deviceSignals !== null) attachDevices(devices, this.clock, this.dma, this.gasPort, this.deviceSignals);
    this.settle();
  }

  /**
   * Give the fields the run loop and translated code write their final shape now: each written
   * once more (V8 treats a field written only by its initializer as a constant, and code
   * compiled against that deoptimizes at the first later write), and the gas counter a double
   * (gas costs come from a Float64Array). Otherwise the first return from run() changes the
   * ISS's hidden class and throws away every region TurboFan has compiled by then.
   */
  private settle(): void {
    const { pc, retired, perm, cause, tval, translatedBlocks, translatedRegions, bk, bpc, epoch, gasUsed } = this;
    this.pc = pc + 1; this.pc = pc;
    this.retired = retired + 1; this.retired = retired;
    this.perm = perm + 1; this.perm = perm;
    this.cause = cause + 1; this.cause = cause;
    this.tval = tval + 1; this.tval = tval;
    this.translatedBlocks = translatedBlocks + 1; this.translatedBlocks = translatedBlocks;
    this.translatedRegions = translatedRegions + 1; this.translatedRegions = translatedRegions;
    this.bk = bk + 1; this.bk = bk;
    this.bpc = bpc + 1; this.bpc = bpc;
    this.epoch = epoch + 1; this.epoch = epoch;
    this.gasUsed = gasUsed + 0.5; this.gasUsed = gasUsed;
    this.cr = this.lr = this.sr = SETTLE_REGION;
    this.cr = this.lr = this.sr = NO_REGION;
  }

  /** A device access begins: `used` is gas used with the access's own cost, `gate` the frame's. */
  private devBegin(used: number, gate: number): void {
    this.devUsed = used;
    this.devGate = gate;
    this.devGas = 0;
    this.devOutOfGas = false;
  }

  /** Switch to another frame's address space (the call-management unit does this). */
  setMemory(mem: AddressSpace): void {
    this.mem = mem;
    this.dma.mem = mem;
    this.dma.reset();
    this.cr = NO_REGION;
    this.lr = NO_REGION;
    this.sr = NO_REGION;
    this.epoch = newEpoch();
  }

  loadRegion(a: number, w: number): Region | null {
    return this.mem.find(a, w, Perm.R);
  }

  storeRegion(a: number, w: number): Region | null {
    return this.mem.find(a, w, Perm.W);
  }

  /**
   * Run at most `max` instructions. Returns why it stopped; `pc` is the next instruction to run
   * (for TRAP and FRAME, the instruction that did not retire).
   */
  run(max: number): Stop {
    const x = this.x;
    const gcost = this.gasCost;
    const glimit = this.gasLimit;
    // The gas gate (cpu/gas.ts): `fits` inlined as `gas + cost > gate` means out of gas.
    const gate = gateOf(glimit, this.perm);
    let gas = this.gasUsed;
    let pc = this.pc >>> 0;
    let n = 0;
    let cr = this.cr;
    let cbase = cr.base, csize = cr.size;
    let ctlA = cr.code?.ctl ?? EMPTY, immA = cr.code?.imm ?? EMPTY;
    const key = KEY, aPc = A_PC, bReg = B_REG, width = MEM_WIDTH, signed = MEM_SIGNED;
    const translating = this.translate;
    const hot = Math.min(this.hot, BLOCK_TRANSLATED - 1); // the count lives in a byte below TRANSLATED
    const joining = translating && this.regions;
    let blocks: BlockCache | null = translating && cr.code !== null ? blockCache(cr.code, cbase) : null;
    let regions: RegionCache | null = joining && cr.code !== null ? regionCache(cr.code, cbase) : null;
    // The last data regions hit by loads and by stores, as locals: the common case is one
    // compare pair and a typed-array access.
    let lr = this.lr, lbase = lr.base, lend = lr.end;
    let sr = this.sr, sbase = sr.base, send = sr.end;
    let stop = Stop.LIMIT;

    loop: while (n < max) {
      let off = pc - cbase;
      if (off < 0 || off >= csize) {
        const r = this.mem.find(pc, 4, Perm.X);
        if (r === null || r.code === null) { this.cause = Cause.FETCH_FAULT; this.tval = pc; stop = Stop.TRAP; break loop; }
        cr = r; cbase = r.base; csize = r.size; ctlA = r.code.ctl; immA = r.code.imm; off = pc - cbase;
        if (translating) blocks = blockCache(r.code, cbase);
        if (joining) regions = regionCache(r.code, cbase);
      }
      const i = off >>> 2;
      if (blocks !== null) {
        const st = blocks.state[i]!;
        if (st < hot) blocks.state[i] = st + 1;
        else {
          if (st < BLOCK_TRANSLATED && blocks.translate(i)) this.translatedBlocks++;
          const fn = blocks.fn(i);
          if (fn !== null && n + blocks.len[i]! <= max) {
            const g = this.chain(blocks, regions, i, cbase, csize, max - n, gate - gas);
            if (g >= 0 && this.bk > 0) {
              gas += g; n += this.bk; pc = this.bpc;
              continue loop;
            }
          }
        }
      }
      const ctl = ctlA[i]!;
      const op = ctl & 0xff;
      let ng = gas + gcost[op]!;
      if (ng > gate) { this.cause = Cause.OUT_OF_GAS; this.tval = 0; stop = Stop.TRAP; break loop; }
      const rd = (ctl >> 8) & 31, rs1 = (ctl >> 16) & 31, rs2 = ctl >>> 24, imm = immA[i]!;
      let npc = (pc + 4) >>> 0;
      let a = 0;

      // The operand muxes, as the row's selects drive them: A is rs1 or the pc, B rs2 or the
      // immediate (an AND-OR mux, so the common case costs no branch).
      const va = aPc[op] ? pc | 0 : x[rs1]!, bm = bReg[op]!, vb = (x[rs2]! & bm) | (imm & ~bm);

      switch (key[op]) {
        // Rows that compute rd = fn(A, B): one case per operation function.
        case Fn.ADD: x[rd] = sem.add(va, vb); break;
        case Fn.SUB: x[rd] = sem.sub(va, vb); break;
        case Fn.SLL: x[rd] = sem.sll(va, vb); break;
        case Fn.SRL: x[rd] = sem.srl(va, vb); break;
        case Fn.SRA: x[rd] = sem.sra(va, vb); break;
        case Fn.SLT: x[rd] = sem.slt(va, vb); break;
        case Fn.SLTU: x[rd] = sem.sltu(va, vb); break;
        case Fn.XOR: x[rd] = sem.xor(va, vb); break;
        case Fn.OR: x[rd] = sem.or(va, vb); break;
        case Fn.AND: x[rd] = sem.and(va, vb); break;
        case Fn.LUI: x[rd] = sem.lui(va, vb); break;
        case Fn.MUL: x[rd] = sem.mul(va, vb); break;
        case Fn.MULH: x[rd] = sem.mulh(va, vb); break;
        case Fn.MULHSU: x[rd] = sem.mulhsu(va, vb); break;
        case Fn.MULHU: x[rd] = sem.mulhu(va, vb); break;
        case Fn.DIV: x[rd] = sem.div(va, vb); break;
        case Fn.DIVU: x[rd] = sem.divu(va, vb); break;
        case Fn.REM: x[rd] = sem.rem(va, vb); break;
        case Fn.REMU: x[rd] = sem.remu(va, vb); break;
        // Branches: the condition of A and B; the target is pc + imm.
        case Fn.BEQ: if (sem.beq(va, vb)) npc = (pc + imm) >>> 0; break;
        case Fn.BNE: if (sem.bne(va, vb)) npc = (pc + imm) >>> 0; break;
        case Fn.BLT: if (sem.blt(va, vb)) npc = (pc + imm) >>> 0; break;
        case Fn.BGE: if (sem.bge(va, vb)) npc = (pc + imm) >>> 0; break;
        case Fn.BLTU: if (sem.bltu(va, vb)) npc = (pc + imm) >>> 0; break;
        case Fn.BGEU: if (sem.bgeu(va, vb)) npc = (pc + imm) >>> 0; break;
        // Jumps: the operation gives the target; it is checked before rd is written.
        case Fn.JAL: case Fn.JALR: {
          const t = (key[op] === Fn.JAL ? sem.jal(va, vb) : sem.jalr(va, vb)) >>> 0;
          if (sem.misaligned(t)) { this.cause = Cause.FETCH_MISALIGNED; this.tval = t; stop = Stop.TRAP; break loop; }
          x[rd] = npc; npc = t; break;
        }
        // The other rows: one case per semantic class.
        case Key.CLASS + Exec.LOAD: {
          a = (x[rs1]! + imm) >>> 0;
          const w = width[op]!;
          if (a < lbase || a + w > lend) {
            const r = this.mem.find(a, w, Perm.R);
            if (r === null) {
              const d = this.decoder.device(a, w);
              if (d === UNMAPPED) { this.cause = Cause.LOAD_FAULT; this.tval = a; stop = Stop.TRAP; break loop; }
              // Scheduled work completes before the access that may need it; DATA UNAVAILABLE
              // leaves the load unretired and is thrown once the loop's state is written back.
              const clock = this.clock;
              if (clock.next !== NEVER) clock.drain();
              this.devBegin(ng, gate);
              const raw = deviceLoad(d, a, w, this.perm, clock);
              if (clock.unavailable !== null) break loop;
              if (this.devOutOfGas) { this.cause = Cause.OUT_OF_GAS; this.tval = 0; stop = Stop.TRAP; break loop; }
              ng += this.devGas;
              x[rd] = sem.extend(raw, w, signed[op] === 1);
              break;
            }
            lr = r; lbase = r.base; lend = r.end;
          }
          const o = a - lbase;
          x[rd] = sem.extend(w === 4 ? lr.dv.getInt32(o, true) : w === 2 ? lr.dv.getUint16(o, true) : lr.u8[o]!, w, signed[op] === 1);
          break;
        }
        case Key.CLASS + Exec.STORE: {
          a = (x[rs1]! + imm) >>> 0;
          const w = width[op]!;
          if (a < sbase || a + w > send) {
            const r = this.mem.find(a, w, Perm.W);
            if (r === null) {
              const d = this.decoder.device(a, w);
              if (d === UNMAPPED) { this.cause = Cause.STORE_FAULT; this.tval = a; stop = Stop.TRAP; break loop; }
              const clock = this.clock;
              if (clock.next !== NEVER) clock.drain();
              this.devBegin(ng, gate);
              deviceStore(d, a, w, x[rs2]!, this.perm, clock);
              if (clock.unavailable !== null) break loop;
              // A device's charge refused: the store is out of gas and does not retire.
              if (this.devOutOfGas) { this.cause = Cause.OUT_OF_GAS; this.tval = 0; stop = Stop.TRAP; break loop; }
              ng += this.devGas;
              break;
            }
            sr = r; sbase = r.base; send = r.end;
          }
          const o = a - sbase;
          if (w === 4) sr.dv.setInt32(o, x[rs2]!, true);
          else if (w === 2) sr.dv.setUint16(o, x[rs2]!, true);
          else sr.u8[o] = x[rs2]!;
          break;
        }
        case Key.CLASS + Exec.NOP: break;
        // ECALL retires, then the loop returns for the frame's handler to serve it.
        case Key.CLASS + Exec.HOST: stop = Stop.ECALL; gas = ng; pc = npc; n++; break loop;
        case Key.CLASS + Exec.BREAK: this.cause = Cause.BREAKPOINT; this.tval = pc; stop = Stop.TRAP; break loop;
        case Key.CLASS + Exec.GAS: x[rd] = gasLeft(glimit, ng); break;
        case Key.CLASS + Exec.PERM: x[rd] = this.perm; break;
        case Key.CLASS + Exec.FRAME: stop = Stop.FRAME; break loop;
        default: this.cause = Cause.ILLEGAL_INSTRUCTION; this.tval = cr.code!.word[i]! >>> 0; stop = Stop.TRAP; break loop;
      }
      // A taken branch to a misaligned target traps on the branch itself (§2.5). Only a branch
      // can get here with one: jumps check above, and every other row's next pc is pc + 4.
      if (sem.misaligned(npc)) { this.cause = Cause.FETCH_MISALIGNED; this.tval = npc; stop = Stop.TRAP; break loop; }
      x[0] = 0;
      gas = ng;
      pc = npc;
      n++;
    }
    this.pc = pc;
    this.retired += n;
    this.gasUsed = gas;
    this.cr = cr;
    this.lr = lr;
    this.sr = sr;
    if (this.clock.unavailable !== null) this.clock.check();
    return stop;
  }

  /**
   * Run the translated block at word offset i and, while each one ends where another translated
   * block of the same region starts and fits in `left` instructions, that one: dispatch between
   * blocks in a small loop of its own, not through the interpreter's. A block in a region runs
   * as that region (cpu/regions.ts), entered there; a block visited `regionHot` times here is
   * made into one. Returns the gas used; `bk` is the instructions retired (0 when the first block
   * did not fit in `room`) and `bpc` the next pc. Stops after a bail-out: the interpreter runs
   * the instruction it stopped at.
   */
  private chain(blocks: BlockCache, regions: RegionCache | null, i: number, base: number, size: number, left: number, room: number): number {
    const x = this.x, gc = this.gasCost, state = blocks.state, lens = blocks.len;
    const hot = Math.min(this.regionHot, Heat.REGION - 1);
    let g = 0, n = 0;
    for (;;) {
      // The room is passed as a small integer: a double argument to a call V8 cannot inline is
      // boxed, and an INFINITE_GAS frame's room (Infinity) would allocate at every block. A block
      // costing more than the cap runs in the interpreter instead, which meters it the same.
      const free = room - g;
      let heat: number = Heat.NONE;
      if (regions !== null) {
        heat = regions.heat[i]!;
        if (heat < hot) regions.heat[i] = heat + 1;
        else if (heat === hot && regions.form(blocks, i, this, x, gc, this.rio)) { this.translatedRegions++; continue; }
      }
      if (heat === Heat.REGION) {
        const e = regions!.at(i), io = this.rio;
        const more = left - n;
        g += e.fn(this, x, gc, free < ROOM_CAP ? free : ROOM_CAP, more < ROOM_CAP ? more : ROOM_CAP, io, e.b);
        n += io[RegionOut.RETIRED]!;
        this.bpc = io[RegionOut.PC]! >>> 0;
        if (io[RegionOut.STOPPED] !== 0) break; // stopped where the interpreter goes on
      } else {
        const len = lens[i]!;
        const r = blocks.fn(i)!(this, x, gc, free < ROOM_CAP ? free : ROOM_CAP);
        if (r < 0) break;
        g += r;
        const k = this.bk;
        n += k;
        if (k < len) break; // a bail-out
      }
      // One way on for a region's exit and a block's end, so the first region to leave at a
      // block runs code that already has its type feedback (else V8 deoptimizes chain there
      // and compiles it again, on the core the guest's own region is waiting for).
      const off = this.bpc - base;
      if (off < 0 || off >= size) break;
      i = off >>> 2;
      if (state[i] !== BLOCK_TRANSLATED || n + lens[i]! > left) break;
    }
    this.bk = n;
    return g;
  }

  /** Run one instruction and describe it. Returns the stop reason (LIMIT when it retired normally). */
  step(c: Commit): Stop {
    const pc = this.pc;
    const r = this.mem.find(pc >>> 0, 4, Perm.X);
    const insn = r?.code ? r.code.word[(pc - r.base) >>> 2]! >>> 0 : 0;
    const op = r?.code ? r.code.op((pc - r.base) >>> 2) : Op.ILLEGAL;
    const rs1 = (insn >>> 15) & 31, rs2 = (insn >>> 20) & 31;
    const rs1Value = this.x[rs1]!, rs2Value = this.x[rs2]!;
    const before = this.retired;
    const stop = this.run(1);
    if (this.retired === before) return stop;
    const row = op === Op.ILLEGAL ? null : TABLE[op]!;
    const writesRd = row !== null && row.wb !== '-';
    c.order = before;
    c.pc = pc;
    c.insn = insn;
    c.rs1 = rs1; c.rs2 = rs2; c.rs1Value = rs1Value; c.rs2Value = rs2Value;
    c.rd = writesRd ? (insn >>> 7) & 31 : 0;
    c.rdValue = c.rd === 0 ? 0 : this.x[c.rd]!;
    c.nextPc = this.pc;
    c.memWidth = 0; c.memStore = false; c.memAddr = 0; c.memValue = 0;
    if (row !== null && row.width !== 0) {
      const width = row.width;
      c.memWidth = width;
      c.memStore = row.exec === Exec.STORE;
      c.memAddr = (rs1Value + immediate(op, insn)) >>> 0;
      const mask = width === 4 ? -1 : (1 << (8 * width)) - 1;
      const loaded = c.memStore ? null : this.mem.peek(c.memAddr, width);
      c.memValue = (c.memStore ? rs2Value & mask : loaded === null ? 0 : loaded.reduceRight((v, b) => v * 256 + b, 0)) >>> 0;
      if (c.memStore) c.rd = 0;
    }
    return stop;
  }
}

export function newCommit(): Commit {
  return { order: 0, pc: 0, insn: 0, rd: 0, rdValue: 0, rs1: 0, rs2: 0, rs1Value: 0, rs2Value: 0, nextPc: 0, memWidth: 0, memStore: false, memAddr: 0, memValue: 0 };
}
