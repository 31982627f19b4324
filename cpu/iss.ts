// The instruction-set simulator: the golden architectural model. One instruction at a time,
// no timing. It calls the shared semantics (isa/semantics.ts) and reads predecoded code ROM.
//
// Hot-loop rules: state is copied to locals, nothing is allocated, no tracing code runs. Tracing
// is the caller's choice: `step()` runs one instruction and `commit` describes it (derived from
// the pre- and post-state, so the fast loop pays nothing for it).

import { Op, TABLE } from '../isa/table.js';
import * as sem from '../isa/semantics.js';
import { AddressSpace, Perm, Region } from './memory.js';
import type { BusSlave } from './bus.js';
import { deviceLoad, deviceStore, findDevice } from '../peripherals/device.js';
import { Cause, Stop } from './trap.js';
import { GAS_INFINITE, gasCostsByOp, gasLeft, gateOf } from './gas.js';
import { BLOCK_HOT, BLOCK_TRANSLATED, blockCache, newEpoch, type BlockCache, type BlockHost } from './blocks.js';

const NO_REGION = new Region('none', 'ram', 0, 0, 0);
const EMPTY = new Int32Array(0);

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

  private cr: Region = NO_REGION;
  private lr: Region = NO_REGION;
  private sr: Region = NO_REGION;

  // BlockHost: the address-space epoch and a block's results.
  epoch = newEpoch();
  bk = 0; bpc = 0;

  constructor(public mem: AddressSpace, readonly devices: readonly BusSlave[] = []) {}

  /** Switch to another frame's address space (the call-management unit does this). */
  setMemory(mem: AddressSpace): void {
    this.mem = mem;
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
    const translating = this.translate;
    const hot = Math.min(this.hot, BLOCK_TRANSLATED - 1); // the count lives in a byte below TRANSLATED
    let blocks: BlockCache | null = translating && cr.code !== null ? blockCache(cr.code, cbase) : null;
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
      }
      const i = off >>> 2;
      if (blocks !== null) {
        const st = blocks.state[i]!;
        if (st < hot) blocks.state[i] = st + 1;
        else {
          if (st < BLOCK_TRANSLATED && blocks.translate(i)) this.translatedBlocks++;
          const fn = blocks.fns[i]!;
          if (fn !== null && n + blocks.len[i]! <= max) {
            const g = fn(this, x, gcost, gate - gas);
            if (g >= 0 && this.bk > 0) {
              gas += g; n += this.bk; pc = this.bpc;
              continue loop;
            }
          }
        }
      }
      const ctl = ctlA[i]!;
      const op = ctl & 0xff;
      const ng = gas + gcost[op]!;
      if (ng > gate) { this.cause = Cause.OUT_OF_GAS; this.tval = 0; stop = Stop.TRAP; break loop; }
      const rd = (ctl >> 8) & 31, rs1 = (ctl >> 16) & 31, rs2 = ctl >>> 24, imm = immA[i]!;
      let npc = (pc + 4) >>> 0;
      let a = 0;

      switch (op) {
        case Op.LUI: x[rd] = sem.lui(imm); break;
        case Op.AUIPC: x[rd] = sem.auipc(pc, imm); break;
        case Op.JAL: {
          const t = (pc + imm) >>> 0;
          if (t & 3) { this.cause = Cause.FETCH_MISALIGNED; this.tval = t; stop = Stop.TRAP; break loop; }
          x[rd] = npc; npc = t; break;
        }
        case Op.JALR: {
          const t = sem.jalrTarget(x[rs1]!, imm) >>> 0;
          if (t & 3) { this.cause = Cause.FETCH_MISALIGNED; this.tval = t; stop = Stop.TRAP; break loop; }
          x[rd] = npc; npc = t; break;
        }
        case Op.BEQ: if (sem.beq(x[rs1]!, x[rs2]!)) npc = (pc + imm) >>> 0; break;
        case Op.BNE: if (sem.bne(x[rs1]!, x[rs2]!)) npc = (pc + imm) >>> 0; break;
        case Op.BLT: if (sem.blt(x[rs1]!, x[rs2]!)) npc = (pc + imm) >>> 0; break;
        case Op.BGE: if (sem.bge(x[rs1]!, x[rs2]!)) npc = (pc + imm) >>> 0; break;
        case Op.BLTU: if (sem.bltu(x[rs1]!, x[rs2]!)) npc = (pc + imm) >>> 0; break;
        case Op.BGEU: if (sem.bgeu(x[rs1]!, x[rs2]!)) npc = (pc + imm) >>> 0; break;
        case Op.LB: case Op.LBU: case Op.LH: case Op.LHU: case Op.LW: {
          a = (x[rs1]! + imm) >>> 0;
          const w = op === Op.LW ? 4 : op === Op.LH || op === Op.LHU ? 2 : 1;
          if (a < lbase || a + w > lend) {
            const r = this.mem.find(a, w, Perm.R);
            if (r === null) {
              const d = findDevice(this.devices, a, w);
              if (d === null) { this.cause = Cause.LOAD_FAULT; this.tval = a; stop = Stop.TRAP; break loop; }
              const raw = deviceLoad(d, a, w, this.perm);
              x[rd] = op === Op.LW ? raw | 0 : op === Op.LBU ? raw & 0xff : op === Op.LB ? sem.sextByte(raw) : op === Op.LHU ? raw & 0xffff : sem.sextHalf(raw);
              break;
            }
            lr = r; lbase = r.base; lend = r.end;
          }
          const o = a - lbase;
          x[rd] = op === Op.LW ? lr.dv.getInt32(o, true) : op === Op.LBU ? lr.u8[o]! : op === Op.LB ? sem.sextByte(lr.u8[o]!)
            : op === Op.LHU ? lr.dv.getUint16(o, true) : sem.sextHalf(lr.dv.getUint16(o, true));
          break;
        }
        case Op.SB: case Op.SH: case Op.SW: {
          a = (x[rs1]! + imm) >>> 0;
          const w = op === Op.SW ? 4 : op === Op.SH ? 2 : 1;
          if (a < sbase || a + w > send) {
            const r = this.mem.find(a, w, Perm.W);
            if (r === null) {
              const d = findDevice(this.devices, a, w);
              if (d === null) { this.cause = Cause.STORE_FAULT; this.tval = a; stop = Stop.TRAP; break loop; }
              deviceStore(d, a, w, x[rs2]!, this.perm);
              break;
            }
            sr = r; sbase = r.base; send = r.end;
          }
          const o = a - sbase;
          if (op === Op.SW) sr.dv.setInt32(o, x[rs2]!, true);
          else if (op === Op.SH) sr.dv.setUint16(o, x[rs2]!, true);
          else sr.u8[o] = x[rs2]!;
          break;
        }
        case Op.ADDI: x[rd] = sem.add(x[rs1]!, imm); break;
        case Op.SLTI: x[rd] = sem.slt(x[rs1]!, imm); break;
        case Op.SLTIU: x[rd] = sem.sltu(x[rs1]!, imm); break;
        case Op.XORI: x[rd] = sem.xor(x[rs1]!, imm); break;
        case Op.ORI: x[rd] = sem.or(x[rs1]!, imm); break;
        case Op.ANDI: x[rd] = sem.and(x[rs1]!, imm); break;
        case Op.SLLI: x[rd] = sem.sll(x[rs1]!, imm); break;
        case Op.SRLI: x[rd] = sem.srl(x[rs1]!, imm); break;
        case Op.SRAI: x[rd] = sem.sra(x[rs1]!, imm); break;
        case Op.ADD: x[rd] = sem.add(x[rs1]!, x[rs2]!); break;
        case Op.SUB: x[rd] = sem.sub(x[rs1]!, x[rs2]!); break;
        case Op.SLL: x[rd] = sem.sll(x[rs1]!, x[rs2]!); break;
        case Op.SLT: x[rd] = sem.slt(x[rs1]!, x[rs2]!); break;
        case Op.SLTU: x[rd] = sem.sltu(x[rs1]!, x[rs2]!); break;
        case Op.XOR: x[rd] = sem.xor(x[rs1]!, x[rs2]!); break;
        case Op.SRL: x[rd] = sem.srl(x[rs1]!, x[rs2]!); break;
        case Op.SRA: x[rd] = sem.sra(x[rs1]!, x[rs2]!); break;
        case Op.OR: x[rd] = sem.or(x[rs1]!, x[rs2]!); break;
        case Op.AND: x[rd] = sem.and(x[rs1]!, x[rs2]!); break;
        case Op.FENCE: break;
        // ECALL retires, then the loop returns for the frame's handler to serve it.
        case Op.ECALL: stop = Stop.ECALL; gas = ng; pc = npc; n++; break loop;
        case Op.EBREAK: this.cause = Cause.BREAKPOINT; this.tval = pc; stop = Stop.TRAP; break loop;
        case Op.MUL: x[rd] = sem.mul(x[rs1]!, x[rs2]!); break;
        case Op.MULH: x[rd] = sem.mulh(x[rs1]!, x[rs2]!); break;
        case Op.MULHSU: x[rd] = sem.mulhsu(x[rs1]!, x[rs2]!); break;
        case Op.MULHU: x[rd] = sem.mulhu(x[rs1]!, x[rs2]!); break;
        case Op.DIV: x[rd] = sem.div(x[rs1]!, x[rs2]!); break;
        case Op.DIVU: x[rd] = sem.divu(x[rs1]!, x[rs2]!); break;
        case Op.REM: x[rd] = sem.rem(x[rs1]!, x[rs2]!); break;
        case Op.REMU: x[rd] = sem.remu(x[rs1]!, x[rs2]!); break;
        case Op.GAS: x[rd] = gasLeft(glimit, ng); break;
        case Op.PERM: x[rd] = this.perm; break;
        case Op.EVAL: case Op.RETURN: case Op.THROW: case Op.GASTAB: stop = Stop.FRAME; break loop;
        default: this.cause = Cause.ILLEGAL_INSTRUCTION; this.tval = cr.code!.word[i]! >>> 0; stop = Stop.TRAP; break loop;
      }
      // A taken branch to a misaligned target traps on the branch itself (§2.5). Only a branch
      // can get here with one (JAL/JALR check above; B-immediates are even, so bit 1 tells).
      if (npc & 2) { this.cause = Cause.FETCH_MISALIGNED; this.tval = npc; stop = Stop.TRAP; break loop; }
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
    return stop;
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
    const writesRd = row !== null && row.syntax.startsWith('rd');
    c.order = before;
    c.pc = pc;
    c.insn = insn;
    c.rs1 = rs1; c.rs2 = rs2; c.rs1Value = rs1Value; c.rs2Value = rs2Value;
    c.rd = writesRd ? (insn >>> 7) & 31 : 0;
    c.rdValue = c.rd === 0 ? 0 : this.x[c.rd]!;
    c.nextPc = this.pc;
    c.memWidth = 0; c.memStore = false; c.memAddr = 0; c.memValue = 0;
    if (row !== null && row.unit === 'lsu') {
      const width = [1, 2, 4, 0, 1, 2][(insn >>> 12) & 7]!;
      c.memWidth = width;
      c.memStore = row.gas === 'store';
      c.memAddr = (rs1Value + ((op >= Op.SB && op <= Op.SW) ? ((insn >> 25) << 5) | ((insn >>> 7) & 31) : insn >> 20)) >>> 0;
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
