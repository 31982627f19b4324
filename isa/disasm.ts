// Disassembler. Spelling: `riscv64-unknown-elf-objdump -d -M no-aliases,numeric` (binutils 2.40):
// registers as x0..x31, no pseudo-instructions, shift amounts in hex, U immediates in hex,
// branch/jump targets as absolute hex addresses without 0x. Operand order comes from the table's
// syntax column, so nothing here repeats an encoding.

import { decode, immediate, rdOf, rs1Of, rs2Of } from './decode.js';
import { Op, TABLE } from './table.js';

const x = (r: number): string => `x${r}`;
const hex = (v: number): string => (v >>> 0).toString(16);

function fenceSet(bits: number): string {
  if (bits === 0) return 'unknown';
  return (bits & 8 ? 'i' : '') + (bits & 4 ? 'o' : '') + (bits & 2 ? 'r' : '') + (bits & 1 ? 'w' : '');
}

/**
 * Disassemble one word at `pc`. `symbol` (optional) names an address for targets, giving
 * objdump's ` <name>` suffix.
 */
export function disassemble(word: number, pc = 0, symbol?: (addr: number) => string | undefined): string {
  const w = word >>> 0;
  const op = decode(w);
  if (op === Op.ILLEGAL) return `.4byte\t0x${w.toString(16)}`;
  const r = TABLE[op]!;
  const imm = immediate(op, w);
  const rd = rdOf(w), rs1 = rs1Of(w), rs2 = rs2Of(w);
  const target = (): string => {
    const t = (pc + imm) >>> 0;
    const s = symbol?.(t);
    return s ? `${hex(t)} <${s}>` : hex(t);
  };
  let args: string;
  switch (r.syntax) {
    case '': return r.name;
    case 'rd,rs1,rs2': args = `${x(rd)},${x(rs1)},${x(rs2)}`; break;
    case 'rd,rs1,imm': args = `${x(rd)},${x(rs1)},${imm}`; break;
    case 'rd,rs1,shamt': args = `${x(rd)},${x(rs1)},0x${hex(imm)}`; break;
    case 'rd,imm(rs1)': args = `${x(rd)},${imm}(${x(rs1)})`; break;
    case 'rs2,imm(rs1)': args = `${x(rs2)},${imm}(${x(rs1)})`; break;
    case 'rs1,rs2,target': args = `${x(rs1)},${x(rs2)},${target()}`; break;
    case 'rd,target': args = `${x(rd)},${target()}`; break;
    case 'rd,uimm20': args = `${x(rd)},0x${hex(imm >>> 12)}`; break;
    case 'pred,succ':
      // fm=1000 with rw,rw is FENCE.TSO (§2.7).
      if ((w >>> 28) === 8 && imm === 0x33) return 'fence.tso';
      args = `${fenceSet(imm >> 4)},${fenceSet(imm & 15)}`;
      break;
    case 'rd,rs1': args = `${x(rd)},${x(rs1)}`; break;
    case 'rs1,rs2': args = `${x(rs1)},${x(rs2)}`; break;
    case 'rs1': args = x(rs1); break;
    case 'rd': args = x(rd); break;
  }
  return `${r.name}\t${args}`;
}
