// ALU: the integer datapath of EX for RV32I computational instructions (spec §2.4), plus
// address generation (AUIPC, link values). Combinational: no registers.

import { Op } from '../isa/table.js';
import * as sem from '../isa/semantics.js';
import type { Signals } from './signals.js';

export class Alu {
  /** Inputs: the row index selects the function; a and b are the forwarded operands. */
  declare readonly i_op: number;
  declare readonly i_a: number;
  declare readonly i_b: number;
  declare readonly o_result: number;

  constructor(sig: Signals, path: string) {
    this.i_op = sig.add(`${path}.op`, 8);
    this.i_a = sig.add(`${path}.a`);
    this.i_b = sig.add(`${path}.b`);
    this.o_result = sig.add(`${path}.result`);
  }

  /** Returns `result` too. */
  evaluate(v: Int32Array): number {
    return (v[this.o_result] = compute(v[this.i_op]!, v[this.i_a]!, v[this.i_b]!));
  }
}

/** The ALU function of row `op` (b is rs2 or the immediate, as the row's format gives). */
export function compute(op: number, a: number, b: number): number {
  switch (op) {
    case Op.LUI: return sem.lui(b);
    case Op.AUIPC: return sem.auipc(a, b);
    case Op.ADD: case Op.ADDI: return sem.add(a, b);
    case Op.SUB: return sem.sub(a, b);
    case Op.SLL: case Op.SLLI: return sem.sll(a, b);
    case Op.SLT: case Op.SLTI: return sem.slt(a, b);
    case Op.SLTU: case Op.SLTIU: return sem.sltu(a, b);
    case Op.XOR: case Op.XORI: return sem.xor(a, b);
    case Op.SRL: case Op.SRLI: return sem.srl(a, b);
    case Op.SRA: case Op.SRAI: return sem.sra(a, b);
    case Op.OR: case Op.ORI: return sem.or(a, b);
    case Op.AND: case Op.ANDI: return sem.and(a, b);
    default: return 0;
  }
}
