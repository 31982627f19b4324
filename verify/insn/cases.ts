// The case tables of the instruction tests: one self-checking program per RV32I/M instruction.
// Each program has hand-written cases (most from riscv-tests' rv32ui/rv32um, with the values
// written out), a grid of corner operands whose results come from the BigInt reference
// (verify/insn/ref.ts), and the structural cases of verify/insn/macros.ts (aliasing, x0, bypass
// and load-use distances 0-3, squashed wrong paths, far targets).

import { encode } from '../../isa/encode.js';
import { OPS } from '../../isa/table.js';
import { TestProgram, chk, li, nops, type Check, type Expected, type ProgramOptions } from './program.js';
import { BRANCH_REF, IMM_REF, RR_REF, hex } from './ref.js';
import { POOL, SLOT_INIT, brCase, brStructure, immOp, immStructure, ldOp, rotate, rrOp, rrStructure, stOp } from './macros.js';

/** [expected, rs1, rs2] */
export type RRRow = readonly [number, number, number];

/** Hand-written R-type cases: riscv-tests rv32ui/rv32um, plus shift amounts 32, 33 and 63. */
export const RR_LITERALS: Readonly<Record<string, readonly RRRow[]>> = {
  add: [
    [0x00000000, 0x00000000, 0x00000000], [0x00000002, 0x00000001, 0x00000001], [0x0000000a, 0x00000003, 0x00000007],
    [0xffff8000, 0x00000000, 0xffff8000], [0x80000000, 0x80000000, 0x00000000], [0x7fff8000, 0x80000000, 0xffff8000],
    [0x00007fff, 0x00000000, 0x00007fff], [0x7fffffff, 0x7fffffff, 0x00000000], [0x80007ffe, 0x7fffffff, 0x00007fff],
    [0x80007fff, 0x80000000, 0x00007fff], [0x7fff7fff, 0x7fffffff, 0xffff8000], [0xffffffff, 0x00000000, 0xffffffff],
    [0x00000000, 0xffffffff, 0x00000001], [0xfffffffe, 0xffffffff, 0xffffffff], [0x80000000, 0x00000001, 0x7fffffff],
  ],
  sub: [
    [0x00000000, 0x00000000, 0x00000000], [0x00000000, 0x00000001, 0x00000001], [0xfffffffc, 0x00000003, 0x00000007],
    [0x00008000, 0x00000000, 0xffff8000], [0x80000000, 0x80000000, 0x00000000], [0x80008000, 0x80000000, 0xffff8000],
    [0xffff8001, 0x00000000, 0x00007fff], [0x7fffffff, 0x7fffffff, 0x00000000], [0x7fff8000, 0x7fffffff, 0x00007fff],
    [0x7fff8001, 0x80000000, 0x00007fff], [0x80007fff, 0x7fffffff, 0xffff8000], [0x00000001, 0x00000000, 0xffffffff],
    [0xfffffffe, 0xffffffff, 0x00000001], [0x00000000, 0xffffffff, 0xffffffff],
  ],
  sll: [
    [0x00000001, 0x00000001, 0], [0x00000002, 0x00000001, 1], [0x00000080, 0x00000001, 7], [0x00004000, 0x00000001, 14],
    [0x80000000, 0x00000001, 31], [0xffffffff, 0xffffffff, 0], [0xfffffffe, 0xffffffff, 1], [0xffffff80, 0xffffffff, 7],
    [0xffffc000, 0xffffffff, 14], [0x80000000, 0xffffffff, 31], [0x21212121, 0x21212121, 0], [0x42424242, 0x21212121, 1],
    [0x90909080, 0x21212121, 7], [0x48484000, 0x21212121, 14], [0x80000000, 0x21212121, 31],
    // Only the low five bits of rs2 count.
    [0x21212121, 0x21212121, 0xffffffe0], [0x42424242, 0x21212121, 0xffffffe1], [0x90909080, 0x21212121, 0xffffffe7],
    [0x48484000, 0x21212121, 0xffffffee], [0x00000000, 0x21212120, 0xffffffff],
    [0x21212121, 0x21212121, 32], [0x42424242, 0x21212121, 33], [0x80000000, 0x21212121, 63],
  ],
  srl: [
    [0x80000000, 0x80000000, 0], [0x40000000, 0x80000000, 1], [0x01000000, 0x80000000, 7], [0x00020000, 0x80000000, 14],
    [0x00000001, 0x80000001, 31], [0xffffffff, 0xffffffff, 0], [0x7fffffff, 0xffffffff, 1], [0x01ffffff, 0xffffffff, 7],
    [0x0003ffff, 0xffffffff, 14], [0x00000001, 0xffffffff, 31], [0x21212121, 0x21212121, 0], [0x10909090, 0x21212121, 1],
    [0x00424242, 0x21212121, 7], [0x00008484, 0x21212121, 14], [0x00000000, 0x21212121, 31],
    [0x21212121, 0x21212121, 0xffffffe0], [0x10909090, 0x21212121, 0xffffffe1], [0x00424242, 0x21212121, 0xffffffe7],
    [0x00008484, 0x21212121, 0xffffffee], [0x00000000, 0x21212121, 0xffffffff],
    [0x80000000, 0x80000000, 32], [0x40000000, 0x80000000, 33], [0x00000001, 0x80000000, 63],
  ],
  sra: [
    [0x80000000, 0x80000000, 0], [0xc0000000, 0x80000000, 1], [0xff000000, 0x80000000, 7], [0xfffe0000, 0x80000000, 14],
    [0xffffffff, 0x80000001, 31], [0x7fffffff, 0x7fffffff, 0], [0x3fffffff, 0x7fffffff, 1], [0x00ffffff, 0x7fffffff, 7],
    [0x0001ffff, 0x7fffffff, 14], [0x00000000, 0x7fffffff, 31], [0x81818181, 0x81818181, 0], [0xc0c0c0c0, 0x81818181, 1],
    [0xff030303, 0x81818181, 7], [0xfffe0606, 0x81818181, 14], [0xffffffff, 0x81818181, 31],
    [0x81818181, 0x81818181, 0xffffffe0], [0xc0c0c0c0, 0x81818181, 0xffffffe1], [0xff030303, 0x81818181, 0xffffffe7],
    [0xfffe0606, 0x81818181, 0xffffffee], [0xffffffff, 0x81818181, 0xffffffff],
    [0x80000000, 0x80000000, 32], [0xc0000000, 0x80000000, 33], [0xffffffff, 0x80000000, 63],
  ],
  slt: [
    [0, 0x00000000, 0x00000000], [0, 0x00000001, 0x00000001], [1, 0x00000003, 0x00000007], [0, 0x00000007, 0x00000003],
    [0, 0x00000000, 0xffff8000], [1, 0x80000000, 0x00000000], [1, 0x80000000, 0xffff8000], [1, 0x00000000, 0x00007fff],
    [0, 0x7fffffff, 0x00000000], [0, 0x7fffffff, 0x00007fff], [1, 0x80000000, 0x00007fff], [0, 0x7fffffff, 0xffff8000],
    [0, 0x00000000, 0xffffffff], [1, 0xffffffff, 0x00000001], [0, 0xffffffff, 0xffffffff],
  ],
  sltu: [
    [0, 0x00000000, 0x00000000], [0, 0x00000001, 0x00000001], [1, 0x00000003, 0x00000007], [0, 0x00000007, 0x00000003],
    [1, 0x00000000, 0xffff8000], [0, 0x80000000, 0x00000000], [1, 0x80000000, 0xffff8000], [1, 0x00000000, 0x00007fff],
    [0, 0x7fffffff, 0x00000000], [0, 0x7fffffff, 0x00007fff], [0, 0x80000000, 0x00007fff], [1, 0x7fffffff, 0xffff8000],
    [1, 0x00000000, 0xffffffff], [0, 0xffffffff, 0x00000001], [0, 0xffffffff, 0xffffffff],
  ],
  xor: [
    [0xf00ff00f, 0xff00ff00, 0x0f0f0f0f], [0xff00ff00, 0x0ff00ff0, 0xf0f0f0f0],
    [0x0ff00ff0, 0x00ff00ff, 0x0f0f0f0f], [0x00ff00ff, 0xf00ff00f, 0xf0f0f0f0],
  ],
  or: [
    [0xff0fff0f, 0xff00ff00, 0x0f0f0f0f], [0xfff0fff0, 0x0ff00ff0, 0xf0f0f0f0],
    [0x0fff0fff, 0x00ff00ff, 0x0f0f0f0f], [0xf0fff0ff, 0xf00ff00f, 0xf0f0f0f0],
  ],
  and: [
    [0x0f000f00, 0xff00ff00, 0x0f0f0f0f], [0x00f000f0, 0x0ff00ff0, 0xf0f0f0f0],
    [0x000f000f, 0x00ff00ff, 0x0f0f0f0f], [0xf000f000, 0xf00ff00f, 0xf0f0f0f0],
  ],
  mul: [
    [0x00001200, 0x00007e00, 0xb6db6db7], [0x00001240, 0x00007fc0, 0xb6db6db7], [0x00000000, 0x00000000, 0x00000000],
    [0x00000001, 0x00000001, 0x00000001], [0x00000015, 0x00000003, 0x00000007], [0x00000000, 0x00000000, 0xffff8000],
    [0x00000000, 0x80000000, 0x00000000], [0x00000000, 0x80000000, 0xffff8000], [0x0000ff7f, 0xaaaaaaab, 0x0002fe7d],
    [0x0000ff7f, 0x0002fe7d, 0xaaaaaaab], [0x00000000, 0xff000000, 0xff000000], [0x00000001, 0xffffffff, 0xffffffff],
    [0xffffffff, 0xffffffff, 0x00000001], [0xffffffff, 0x00000001, 0xffffffff],
  ],
  mulh: [
    [0x00000000, 0x00000000, 0x00000000], [0x00000000, 0x00000001, 0x00000001], [0x00000000, 0x00000003, 0x00000007],
    [0x00000000, 0x00000000, 0xffff8000], [0x00000000, 0x80000000, 0x00000000], [0x00004000, 0x80000000, 0xffff8000],
    [0xffff0081, 0xaaaaaaab, 0x0002fe7d], [0xffff0081, 0x0002fe7d, 0xaaaaaaab], [0x00010000, 0xff000000, 0xff000000],
    [0x00000000, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff, 0x00000001], [0xffffffff, 0x00000001, 0xffffffff],
    [0x40000000, 0x80000000, 0x80000000], [0xc0000000, 0x80000000, 0x7fffffff], [0x3fffffff, 0x7fffffff, 0x7fffffff],
  ],
  mulhsu: [
    [0x00000000, 0x00000000, 0x00000000], [0x00000000, 0x00000001, 0x00000001], [0x00000000, 0x00000003, 0x00000007],
    [0x00000000, 0x00000000, 0xffff8000], [0x00000000, 0x80000000, 0x00000000], [0x80004000, 0x80000000, 0xffff8000],
    [0xffff0081, 0xaaaaaaab, 0x0002fe7d], [0x0001fefe, 0x0002fe7d, 0xaaaaaaab], [0xff010000, 0xff000000, 0xff000000],
    [0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff, 0x00000001], [0x00000000, 0x00000001, 0xffffffff],
    [0x80000000, 0x80000000, 0xffffffff], [0xc0000000, 0x80000000, 0x80000000], [0x7ffffffe, 0x7fffffff, 0xffffffff],
  ],
  mulhu: [
    [0x00000000, 0x00000000, 0x00000000], [0x00000000, 0x00000001, 0x00000001], [0x00000000, 0x00000003, 0x00000007],
    [0x00000000, 0x00000000, 0xffff8000], [0x00000000, 0x80000000, 0x00000000], [0x7fffc000, 0x80000000, 0xffff8000],
    [0x0001fefe, 0xaaaaaaab, 0x0002fe7d], [0x0001fefe, 0x0002fe7d, 0xaaaaaaab], [0xfe010000, 0xff000000, 0xff000000],
    [0xfffffffe, 0xffffffff, 0xffffffff], [0x00000000, 0xffffffff, 0x00000001], [0x00000000, 0x00000001, 0xffffffff],
    [0x40000000, 0x80000000, 0x80000000],
  ],
  div: [
    [3, 20, 6], [0xfffffffd, 0xffffffec, 6], [0xfffffffd, 20, 0xfffffffa], [3, 0xffffffec, 0xfffffffa],
    [0x80000000, 0x80000000, 1], [0x80000000, 0x80000000, 0xffffffff], // INT_MIN / -1 = INT_MIN
    [0xffffffff, 0x80000000, 0], [0xffffffff, 1, 0], [0xffffffff, 0, 0], // x / 0 = -1
    [0, 0x7fffffff, 0x80000000], [0xffffffff, 0x80000000, 0x7fffffff],
  ],
  divu: [
    [3, 20, 6], [715827879, 0xffffffec, 6], [0, 20, 0xfffffffa], [0, 0xffffffec, 0xfffffffa],
    [0x80000000, 0x80000000, 1], [0, 0x80000000, 0xffffffff],
    [0xffffffff, 0x80000000, 0], [0xffffffff, 1, 0], [0xffffffff, 0, 0], // x / 0 = 2^32 - 1
    [1, 0xffffffff, 0xffffffff], [0x0000ffff, 0xffffffff, 0x00010001],
  ],
  rem: [
    [2, 20, 6], [0xfffffffe, 0xffffffec, 6], [2, 20, 0xfffffffa], [0xfffffffe, 0xffffffec, 0xfffffffa],
    [0, 0x80000000, 1], [0, 0x80000000, 0xffffffff], // INT_MIN % -1 = 0
    [0x80000000, 0x80000000, 0], [1, 1, 0], [0, 0, 0], [0xfffffff9, 0xfffffff9, 0], // x % 0 = x
    [0xffffffff, 0x80000000, 0x7fffffff],
  ],
  remu: [
    [2, 20, 6], [2, 0xffffffec, 6], [20, 20, 0xfffffffa], [0xffffffec, 0xffffffec, 0xfffffffa],
    [0, 0x80000000, 1], [0x80000000, 0x80000000, 0xffffffff],
    [0x80000000, 0x80000000, 0], [1, 1, 0], [0, 0, 0], [0xfffffff9, 0xfffffff9, 0], // x % 0 = x
    [0, 0xffffffff, 0x00010001],
  ],
};

/** [expected, rs1, imm] */
export type ImmRow = readonly [number, number, number];

/** Hand-written I-type cases (riscv-tests rv32ui), immediates as the signed 12-bit values. */
export const IMM_LITERALS: Readonly<Record<string, readonly ImmRow[]>> = {
  addi: [
    [0x00000000, 0x00000000, 0], [0x00000002, 0x00000001, 1], [0x0000000a, 0x00000003, 7], [0xfffff800, 0x00000000, -2048],
    [0x80000000, 0x80000000, 0], [0x7ffff800, 0x80000000, -2048], [0x000007ff, 0x00000000, 2047], [0x7fffffff, 0x7fffffff, 0],
    [0x800007fe, 0x7fffffff, 2047], [0x800007ff, 0x80000000, 2047], [0x7ffff7ff, 0x7fffffff, -2048], [0xffffffff, 0x00000000, -1],
    [0x00000000, 0xffffffff, 1], [0xfffffffe, 0xffffffff, -1], [0x80000000, 0x7fffffff, 1],
  ],
  slti: [
    [0, 0x00000000, 0], [0, 0x00000001, 1], [1, 0x00000003, 7], [0, 0x00000007, 3], [0, 0x00000000, -2048],
    [1, 0x80000000, 0], [1, 0x80000000, -2048], [1, 0x00000000, 2047], [0, 0x7fffffff, 0], [0, 0x7fffffff, 2047],
    [1, 0x80000000, 2047], [0, 0x7fffffff, -2048], [0, 0x00000000, -1], [1, 0xffffffff, 1], [0, 0xffffffff, -1],
  ],
  sltiu: [
    [0, 0x00000000, 0], [0, 0x00000001, 1], [1, 0x00000003, 7], [0, 0x00000007, 3], [1, 0x00000000, -2048],
    [0, 0x80000000, 0], [1, 0x80000000, -2048], [1, 0x00000000, 2047], [0, 0x7fffffff, 0], [0, 0x7fffffff, 2047],
    [0, 0x80000000, 2047], [1, 0x7fffffff, -2048], [1, 0x00000000, -1], [0, 0xffffffff, 1], [0, 0xffffffff, -1],
    [1, 0x00000000, 1], [0, 0x00000001, 1], // seqz
  ],
  xori: [
    [0xff00f00f, 0x00ff0f00, -241], [0x0ff00f00, 0x0ff00ff0, 0x0f0], [0x00ff0ff0, 0x00ff08ff, 0x70f], [0xf00ff0ff, 0xf00ff00f, 0x0f0],
    [0xedcba987, 0x12345678, -1], // not
  ],
  ori: [
    [0xffffff0f, 0xff00ff00, -241], [0x0ff00ff0, 0x0ff00ff0, 0x0f0], [0x00ff07ff, 0x00ff00ff, 0x70f], [0xf00ff0ff, 0xf00ff00f, 0x0f0],
  ],
  andi: [
    [0xff00ff00, 0xff00ff00, -241], [0x000000f0, 0x0ff00ff0, 0x0f0], [0x0000000f, 0x00ff00ff, 0x70f], [0x00000000, 0xf00ff00f, 0x0f0],
  ],
  slli: [
    [0x00000001, 0x00000001, 0], [0x00000002, 0x00000001, 1], [0x00000080, 0x00000001, 7], [0x00004000, 0x00000001, 14],
    [0x80000000, 0x00000001, 31], [0xffffffff, 0xffffffff, 0], [0xfffffffe, 0xffffffff, 1], [0xffffff80, 0xffffffff, 7],
    [0xffffc000, 0xffffffff, 14], [0x80000000, 0xffffffff, 31], [0x21212121, 0x21212121, 0], [0x42424242, 0x21212121, 1],
    [0x90909080, 0x21212121, 7], [0x48484000, 0x21212121, 14], [0x80000000, 0x21212121, 31],
  ],
  srli: [
    [0x80000000, 0x80000000, 0], [0x40000000, 0x80000000, 1], [0x01000000, 0x80000000, 7], [0x00020000, 0x80000000, 14],
    [0x00000001, 0x80000001, 31], [0xffffffff, 0xffffffff, 0], [0x7fffffff, 0xffffffff, 1], [0x01ffffff, 0xffffffff, 7],
    [0x0003ffff, 0xffffffff, 14], [0x00000001, 0xffffffff, 31], [0x21212121, 0x21212121, 0], [0x10909090, 0x21212121, 1],
    [0x00424242, 0x21212121, 7], [0x00008484, 0x21212121, 14], [0x00000000, 0x21212121, 31],
  ],
  srai: [
    [0x00000000, 0x00000000, 0], [0xc0000000, 0x80000000, 1], [0xff000000, 0x80000000, 7], [0xfffe0000, 0x80000000, 14],
    [0xffffffff, 0x80000001, 31], [0x7fffffff, 0x7fffffff, 0], [0x3fffffff, 0x7fffffff, 1], [0x00ffffff, 0x7fffffff, 7],
    [0x0001ffff, 0x7fffffff, 14], [0x00000000, 0x7fffffff, 31], [0x81818181, 0x81818181, 0], [0xc0c0c0c0, 0x81818181, 1],
    [0xff030303, 0x81818181, 7], [0xfffe0606, 0x81818181, 14], [0xffffffff, 0x81818181, 31],
  ],
};

/** [taken?, rs1, rs2] */
export type BranchRow = readonly [boolean, number, number];

/** Hand-written branch cases (riscv-tests rv32ui). */
export const BRANCH_LITERALS: Readonly<Record<string, readonly BranchRow[]>> = {
  beq: [[true, 0, 0], [true, 1, 1], [true, 0xffffffff, 0xffffffff], [false, 0, 1], [false, 1, 0], [false, 0xffffffff, 1], [false, 1, 0xffffffff]],
  bne: [[true, 0, 1], [true, 1, 0], [true, 0xffffffff, 1], [true, 1, 0xffffffff], [false, 0, 0], [false, 1, 1], [false, 0xffffffff, 0xffffffff]],
  blt: [[true, 0, 1], [true, 0xffffffff, 1], [true, 0xfffffffe, 0xffffffff], [false, 1, 0], [false, 1, 0xffffffff], [false, 0xffffffff, 0xfffffffe], [false, 1, 0xfffffffe]],
  bge: [
    [true, 0, 0], [true, 1, 1], [true, 0xffffffff, 0xffffffff], [true, 1, 0], [true, 1, 0xffffffff], [true, 0xffffffff, 0xfffffffe],
    [false, 0, 1], [false, 0xffffffff, 1], [false, 0xfffffffe, 0xffffffff], [false, 0xfffffffe, 1],
  ],
  bltu: [
    [true, 0, 1], [true, 0xfffffffe, 0xffffffff], [true, 0, 0xffffffff],
    [false, 1, 0], [false, 0xffffffff, 0xfffffffe], [false, 0xffffffff, 0], [false, 0x80000000, 0x7fffffff],
  ],
  bgeu: [
    [true, 0, 0], [true, 1, 1], [true, 0xffffffff, 0xffffffff], [true, 1, 0], [true, 0xffffffff, 0xfffffffe], [true, 0xffffffff, 0],
    [false, 0, 1], [false, 0xfffffffe, 0xffffffff], [false, 0, 0xffffffff], [false, 0x7fffffff, 0x80000000],
  ],
};

// --- corner operands for the grids -----------------------------------------------------------

const CORNERS = [0, 1, 2, 0xffffffff, 0xfffffffe, 0x7fffffff, 0x80000000, 0xffff8000, 0x00007fff, 0xaaaaaaab] as const;
const SHIFT_VALUES = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0x21212121, 0x81818181] as const;
const SHIFT_AMOUNTS = [0, 1, 7, 14, 31, 32, 33, 63, 0xffffffe1, 0xffffffff] as const;
const DIV_CORNERS = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0xffff8000, 0x00007fff, 20, 0xffffffec, 6, 0xfffffffa] as const;
const IMM_VALUES = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0xffff8000, 0x00007fff, 0x00000800] as const;
const IMMS = [0, 1, -1, 2047, -2048, 0x555, -0x556] as const;
const SHAMTS = [0, 1, 7, 14, 20, 31] as const;
const BRANCH_CORNERS = [0, 1, 0xffffffff, 0xfffffffe, 0x7fffffff, 0x80000000, 0xffff8000, 0x00007fff] as const;

interface RRSpec { readonly group: string; readonly a: readonly number[]; readonly b: readonly number[]; readonly struct: readonly [number, number] }

const RR_SPECS: Readonly<Record<string, RRSpec>> = {
  add: { group: 'RV32I register-register', a: CORNERS, b: CORNERS, struct: [13, 11] },
  sub: { group: 'RV32I register-register', a: CORNERS, b: CORNERS, struct: [13, 11] },
  sll: { group: 'RV32I register-register', a: SHIFT_VALUES, b: SHIFT_AMOUNTS, struct: [0x81818181, 7] },
  slt: { group: 'RV32I register-register', a: CORNERS, b: CORNERS, struct: [0xfffffff5, 13] },
  sltu: { group: 'RV32I register-register', a: CORNERS, b: CORNERS, struct: [11, 13] },
  xor: { group: 'RV32I register-register', a: CORNERS, b: CORNERS, struct: [0xff00ff00, 0x0f0f0f0f] },
  srl: { group: 'RV32I register-register', a: SHIFT_VALUES, b: SHIFT_AMOUNTS, struct: [0x80000000, 14] },
  sra: { group: 'RV32I register-register', a: SHIFT_VALUES, b: SHIFT_AMOUNTS, struct: [0x80000000, 7] },
  or: { group: 'RV32I register-register', a: CORNERS, b: CORNERS, struct: [0xff00ff00, 0x0f0f0f0f] },
  and: { group: 'RV32I register-register', a: CORNERS, b: CORNERS, struct: [0xff00ff00, 0x0f0f0f0f] },
  mul: { group: 'M multiply', a: CORNERS, b: CORNERS, struct: [13, 11] },
  mulh: { group: 'M multiply', a: CORNERS, b: CORNERS, struct: [0x80000000, 0x7fffffff] },
  mulhsu: { group: 'M multiply', a: CORNERS, b: CORNERS, struct: [0xffff8000, 0x80000001] },
  mulhu: { group: 'M multiply', a: CORNERS, b: CORNERS, struct: [0xff000000, 0xff000000] },
  div: { group: 'M divide', a: DIV_CORNERS, b: DIV_CORNERS, struct: [0xffffffec, 6] },
  divu: { group: 'M divide', a: DIV_CORNERS, b: DIV_CORNERS, struct: [0xffffffec, 6] },
  rem: { group: 'M divide', a: DIV_CORNERS, b: DIV_CORNERS, struct: [0xffffffec, 6] },
  remu: { group: 'M divide', a: DIV_CORNERS, b: DIV_CORNERS, struct: [0xffffffec, 6] },
};

function rrProgram(op: string, opts?: ProgramOptions): TestProgram {
  const spec = RR_SPECS[op]!, ref = RR_REF[op]!;
  const p = new TestProgram(op, spec.group, opts);
  for (const [e, a, b] of RR_LITERALS[op]!) rrOp(p, op, e, a, b);
  let i = 0;
  for (const a of spec.a) for (const b of spec.b) rrOp(p, op, ref(a, b), a, b, rotate(i++));
  rrStructure(p, op, ref, ...spec.struct);
  return p;
}

const IMM_STRUCT: Readonly<Record<string, readonly [number, number]>> = {
  addi: [13, 11], slti: [0xfffffff5, 13], sltiu: [11, 13], xori: [0x00ff0f00, -241], ori: [0xff00ff00, 0x70f], andi: [0xff00ff00, -241],
  slli: [0x81818181, 7], srli: [0x80000000, 14], srai: [0x80000000, 7],
};

function immProgram(op: string, opts?: ProgramOptions): TestProgram {
  const ref = IMM_REF[op]!;
  const shift = op.startsWith('s') && op.endsWith('li') && op !== 'slti' ? true : op === 'srai';
  const p = new TestProgram(op, shift ? 'RV32I shift-immediate' : 'RV32I register-immediate', opts);
  for (const [e, a, imm] of IMM_LITERALS[op]!) immOp(p, op, e, a, imm);
  let i = 0;
  for (const a of shift ? SHIFT_VALUES : IMM_VALUES) {
    for (const imm of shift ? SHAMTS : IMMS) {
      const r = rotate(i++);
      immOp(p, op, ref(a, imm), a, imm, r.rd, r.rs1);
    }
  }
  immStructure(p, op, ref, ...IMM_STRUCT[op]!);
  return p;
}

// --- loads -----------------------------------------------------------------------------------

/**
 * The load tests' table (riscv-tests' tdat, extended), byte by byte:
 *   +0  ff 00 f0 0f                  +4  ff 00 00 ff f0 0f 0f f0
 *   +12 ff 00 ff 00 00 ff 00 ff f0 0f f0 0f 0f f0 0f f0
 *   +28 80 7f 01 fe                  +32 00 80 ff 7f
 *   +36 00 00 00 80 ff ff ff 7f
 */
const TDAT = [
  'tdat:',
  ' .byte 0xff, 0x00, 0xf0, 0x0f',
  ' .half 0x00ff, 0xff00, 0x0ff0, 0xf00f',
  ' .word 0x00ff00ff, 0xff00ff00, 0x0ff00ff0, 0xf00ff00f',
  ' .byte 0x80, 0x7f, 0x01, 0xfe',
  ' .half 0x8000, 0x7fff',
  ' .word 0x80000000, 0x7fffffff',
  'tdat_end:',
];
const TDAT_SIZE = 44;

/** [offset in tdat, expected] per load, written out from the table above. */
export const LOAD_LITERALS: Readonly<Record<string, readonly (readonly [number, number])[]>> = {
  lb: [[0, 0xffffffff], [1, 0x00000000], [2, 0xfffffff0], [3, 0x0000000f], [28, 0xffffff80], [29, 0x0000007f], [30, 0x00000001], [31, 0xfffffffe], [33, 0xffffff80], [39, 0xffffff80], [43, 0x0000007f]],
  lbu: [[0, 0x000000ff], [1, 0x00000000], [2, 0x000000f0], [3, 0x0000000f], [28, 0x00000080], [29, 0x0000007f], [30, 0x00000001], [31, 0x000000fe], [33, 0x00000080], [39, 0x00000080], [43, 0x0000007f]],
  lh: [[4, 0x000000ff], [6, 0xffffff00], [8, 0x00000ff0], [10, 0xfffff00f], [32, 0xffff8000], [34, 0x00007fff], [36, 0x00000000], [38, 0xffff8000], [40, 0xffffffff], [42, 0x00007fff]],
  lhu: [[4, 0x000000ff], [6, 0x0000ff00], [8, 0x00000ff0], [10, 0x0000f00f], [32, 0x00008000], [34, 0x00007fff], [36, 0x00000000], [38, 0x00008000], [40, 0x0000ffff], [42, 0x00007fff]],
  lw: [[12, 0x00ff00ff], [16, 0xff00ff00], [20, 0x0ff00ff0], [24, 0xf00ff00f], [36, 0x80000000], [40, 0x7fffffff], [0, 0x0ff000ff], [28, 0xfe017f80], [4, 0xff0000ff], [32, 0x7fff8000]],
};

function loadProgram(op: string, opts?: ProgramOptions): TestProgram {
  const p = new TestProgram(op, 'RV32I loads', opts);
  p.dataLines('.balign 4', ...TDAT);
  const rows = LOAD_LITERALS[op]!;
  // Every row three ways: positive offset from the table's start, negative offset from its end,
  // and the immediate's extremes (+2047 and -2048) with rd and rs1 walking the register file.
  rows.forEach(([k, e], i) => {
    ldOp(p, op, e, 'tdat', k, `tdat+${k}`);
    ldOp(p, op, e, 'tdat_end', k - TDAT_SIZE, `tdat+${k}`);
    const r = rotate(i);
    if (i % 2 === 0) ldOp(p, op, e, `tdat + ${k} - 2047`, 2047, `tdat+${k}`, r.rd, r.rs1);
    else ldOp(p, op, e, `tdat + ${k} + 2048`, -2048, `tdat+${k}`, r.rd, r.rs1);
  });
  const [k, e] = rows[rows.length - 1]!;
  const [k2, e2] = rows[rows.length - 2]!;
  for (let n = 0; n <= 3; n++) {
    // TEST_LD_DEST_BYPASS (load-use) and TEST_LD_SRC1_BYPASS
    p.test(op, `${op} result consumed ${n} instructions later (load-use ${n}), tdat+${k}`, li('x15', 'tdat') + ` ${op} x14, ${k}(x15)\n` + nops(n) + ' addi x6, x14, 0', chk('x6', e));
    p.test(op, `${op} with the base produced ${n} instructions before (src1 bypass ${n}), tdat+${k}`, li('x15', 'tdat') + nops(n) + ` ${op} x14, ${k}(x15)`, chk('x14', e));
    // The address itself loaded: pointer chasing at each distance.
    const ptr = p.words('tdat');
    p.test(op, `${op} through a base loaded ${n} instructions before (load-use of the address ${n}), tdat+${k}`,
      li('x20', ptr) + ' lw x15, 0(x20)\n' + nops(n) + ` ${op} x14, ${k}(x15)`, chk('x14', e));
  }
  p.test(op, `${op} x15, ${k}(x15) (rd == rs1)`, li('x15', 'tdat') + ` ${op} x15, ${k}(x15)`, chk('x15', e));
  p.test(op, `${op} x0, ${k}(x15) (rd = x0: the value ${hex(e)} is discarded) then x0 read at once`,
    li('x15', 'tdat') + ` ${op} x0, ${k}(x15)\n add x6, x0, x0\n addi x7, x0, 0`, chk('x0', 0), chk('x6', 0), chk('x7', 0));
  p.test(op, `two ${op} to the same rd back to back: the second wins`, li('x15', 'tdat') + ` ${op} x14, ${k2}(x15)\n ${op} x14, ${k}(x15)`, chk('x14', e));
  p.test(op, `${op} result used as both sources at once`, li('x15', 'tdat') + ` ${op} x14, ${k}(x15)\n xor x6, x14, x14\n or x7, x14, x14`, chk('x6', 0), chk('x7', e));
  p.test(op, `${op} then ${op} of another address, both results consumed at once`,
    li('x15', 'tdat') + ` ${op} x14, ${k}(x15)\n ${op} x13, ${k2}(x15)\n sub x6, x14, x13`, chk('x6', (e - e2) >>> 0), chk('x13', e2));
  return p;
}

// --- stores ----------------------------------------------------------------------------------

/** [value, byte k of the middle word, word after, value loaded back] per store, written out. */
export const STORE_LITERALS: Readonly<Record<string, readonly (readonly [number, number, number, number])[]>> = {
  // The middle word starts as 0xccddeeff: bytes ff ee dd cc.
  sb: [
    [0x12345678, 0, 0xccddee78, 0x00000078], [0x12345678, 1, 0xccdd78ff, 0x00000078], [0x12345678, 2, 0xcc78eeff, 0x00000078],
    [0x12345678, 3, 0x78ddeeff, 0x00000078], [0xffffffaa, 0, 0xccddeeaa, 0xffffffaa], [0x00000000, 1, 0xccdd00ff, 0x00000000],
    [0xffffffa0, 2, 0xcca0eeff, 0xffffffa0], [0x0000000a, 3, 0x0addeeff, 0x0000000a], [0x00000080, 1, 0xccdd80ff, 0xffffff80],
  ],
  sh: [
    [0x12345678, 0, 0xccdd5678, 0x00005678], [0x12345678, 2, 0x5678eeff, 0x00005678], [0x000000aa, 0, 0xccdd00aa, 0x000000aa],
    [0xffffaa00, 2, 0xaa00eeff, 0xffffaa00], [0x00000aa0, 0, 0xccdd0aa0, 0x00000aa0], [0xffffa00a, 2, 0xa00aeeff, 0xffffa00a],
    [0x00008000, 0, 0xccdd8000, 0xffff8000],
  ],
  sw: [
    [0x12345678, 0, 0x12345678, 0x12345678], [0x00aa00aa, 0, 0x00aa00aa, 0x00aa00aa], [0xaa00aa00, 0, 0xaa00aa00, 0xaa00aa00],
    [0x0aa00aa0, 0, 0x0aa00aa0, 0x0aa00aa0], [0xa00aa00a, 0, 0xa00aa00a, 0xa00aa00a], [0x00000000, 0, 0x00000000, 0x00000000],
    [0xffffffff, 0, 0xffffffff, 0xffffffff], [0x80000000, 0, 0x80000000, 0x80000000],
  ],
};

const STORE_LOAD: Readonly<Record<string, string>> = { sb: 'lb', sh: 'lh', sw: 'lw' };
const OFFSETS = [0, 4, -4, 2047, -2048, 1, -1, 100] as const;

function storeProgram(op: string, opts?: ProgramOptions): TestProgram {
  const p = new TestProgram(op, 'RV32I stores', opts);
  const load = STORE_LOAD[op]!;
  STORE_LITERALS[op]!.forEach(([v, k, word, back], i) => {
    stOp(p, op, v, k, 0, word, load, back);
    stOp(p, op, v, k, OFFSETS[(i + 1) % OFFSETS.length]!, word, load, back);
  });
  // The structural cases store the first row's value at byte 0 (k is 0 in every first row).
  const [v, k, word, back] = STORE_LITERALS[op]![0]!;
  const [v2] = STORE_LITERALS[op]![STORE_LITERALS[op]!.length - 1]!;
  const at = (slot: string): string => `${slot} + ${4 + k}`;
  /** A case on a fresh slot: `body` stores into it, then the slot's three words are checked. */
  const slotCase = (what: string, body: (slot: string) => string, w: Expected | ((slot: string) => string) = word, ...more: Check[]): void => {
    const slot = p.words(...SLOT_INIT);
    p.test(op, what, body(slot) + li('x20', slot) + ' lw x14, 4(x20)\n lw x6, 0(x20)\n lw x7, 8(x20)',
      chk('x14', typeof w === 'function' ? w(slot) : w), chk('x6', SLOT_INIT[0]), chk('x7', SLOT_INIT[2]), ...more);
  };
  const pairs: [number, number][] = [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [2, 0], [3, 0]];
  for (const [n1, n2] of pairs) {
    // TEST_ST_SRC12_BYPASS / TEST_ST_SRC21_BYPASS
    slotCase(`${op}: data produced, ${n1} nops, address produced, ${n2} nops (src12 bypass)`, (s) => li('x1', v) + nops(n1) + li('x2', at(s)) + nops(n2) + ` ${op} x1, 0(x2)\n`);
    slotCase(`${op}: address produced, ${n1} nops, data produced, ${n2} nops (src21 bypass)`, (s) => li('x2', at(s)) + nops(n1) + li('x1', v) + nops(n2) + ` ${op} x1, 0(x2)\n`);
  }
  for (let n = 0; n <= 3; n++) {
    const dv = p.words(v);
    slotCase(`${op} of data loaded ${n} instructions before (load-use ${n})`, (s) => li('x2', at(s)) + li('x20', dv) + ' lw x1, 0(x20)\n' + nops(n) + ` ${op} x1, 0(x2)\n`);
    slotCase(`${op} through an address loaded ${n} instructions before (load-use ${n})`,
      (s) => li('x1', v) + li('x20', p.words(at(s))) + ' lw x2, 0(x20)\n' + nops(n) + ` ${op} x1, 0(x2)\n`);
    slotCase(`${op} then ${load} of the same address ${n} instructions later`,
      (s) => li('x1', v) + li('x2', at(s)) + ` ${op} x1, 0(x2)\n` + nops(n) + ` ${load} x5, 0(x2)\n`, word, chk('x5', back));
  }
  // The base register as the data: the stored value is the address, known as an expression.
  const aliased: Record<string, (s: string) => string> = {
    sb: (s) => `0xccddee00 | ((${s} + 4) & 0xff)`, sh: (s) => `0xccdd0000 | ((${s} + 4) & 0xffff)`, sw: (s) => `${s} + 4`,
  };
  slotCase(`${op} x1, 0(x1) (the base is the data)`, (s) => li('x1', `${s} + 4`) + ` ${op} x1, 0(x1)\n`, aliased[op]!);
  // Byte 0 of 0xccddeeff cleared by sb, the low half by sh, all of it by sw.
  const zeroed: Record<string, number> = { sb: 0xccddee00, sh: 0xccdd0000, sw: 0x00000000 };
  slotCase(`${op} x0 (stores zero)`, (s) => li('x2', at(s)) + ` ${op} x0, 0(x2)\n`, zeroed[op]!);
  slotCase(`two ${op} to the same address back to back: the second wins`, (s) => li('x1', v2) + li('x5', v) + li('x2', at(s)) + ` ${op} x1, 0(x2)\n ${op} x5, 0(x2)\n`);
  slotCase(`${op} then lw of the words on either side at once: no false forwarding`,
    (s) => li('x1', v) + li('x2', at(s)) + li('x21', s) + ` ${op} x1, 0(x2)\n lw x5, 0(x21)\n lw x13, 8(x21)\n`, word, chk('x5', SLOT_INIT[0]), chk('x13', SLOT_INIT[2]));
  return p;
}

// --- branches --------------------------------------------------------------------------------

/** A pair of operands for which the branch is taken, and one for which it is not. */
const BRANCH_STRUCT: Readonly<Record<string, readonly [readonly [number, number], readonly [number, number]]>> = {
  beq: [[0x80000000, 0x80000000], [0x80000000, 0x7fffffff]],
  bne: [[0xffffffff, 0x7fffffff], [0x12345678, 0x12345678]],
  blt: [[0x80000000, 0x7fffffff], [0x7fffffff, 0x80000000]],
  bge: [[0x7fffffff, 0x80000000], [0x80000000, 0x7fffffff]],
  bltu: [[0x7fffffff, 0x80000000], [0x80000000, 0x7fffffff]],
  bgeu: [[0x80000000, 0x7fffffff], [0x7fffffff, 0x80000000]],
};

function branchProgram(op: string, opts?: ProgramOptions): TestProgram {
  const ref = BRANCH_REF[op]!;
  const p = new TestProgram(op, 'RV32I branches', opts);
  for (const [t, a, b] of BRANCH_LITERALS[op]!) brCase(p, op, t, a, b);
  let i = 0;
  for (const a of BRANCH_CORNERS) {
    for (const b of BRANCH_CORNERS) {
      const r = rotate(i++);
      brCase(p, op, ref(a, b), a, b, r.rs1, r.rs2);
    }
  }
  // x0 as either operand, and the same register as both.
  for (const v of [0, 1, 0xffffffff, 0x80000000]) {
    brCase(p, op, ref(0, v), 0, v, 'x0', 'x2', ' (rs1 = x0)');
    brCase(p, op, ref(v, 0), v, 0, 'x1', 'x0', ' (rs2 = x0)');
    brCase(p, op, ref(v, v), v, v, 'x5', 'x5', ' (rs1 == rs2)');
  }
  brCase(p, op, ref(0, 0), 0, 0, 'x0', 'x0', ' (both x0)');
  const [taken, notTaken] = BRANCH_STRUCT[op]!;
  brStructure(p, op, ref, [taken[0], taken[1]], [notTaken[0], notTaken[1]]);
  return p;
}

// --- jumps -----------------------------------------------------------------------------------

/** The squashed wrong path after a jump: a register write, a faulting load, a store, an illegal word. */
const SHADOW = ' addi x7, x7, 1\n lw x9, 0(x0)\n sw x8, 0(x8)\n .word 0\n addi x7, x7, 2\n';

function jalProgram(opts?: ProgramOptions): TestProgram {
  const p = new TestProgram('jal', 'RV32I jumps', opts);
  for (const rd of ['x1', 'x5', 'x14', 'x30', 'x31', 'x2']) {
    const link = p.label('link'), target = p.label('target');
    p.test('jal', `jal ${rd}, forward: ${rd} = pc + 4`, ` jal ${rd}, ${target}\n${link}: j fail\n${target}:`, chk(rd, link));
  }
  for (const rd of ['x1', 'x17']) {
    const link = p.label('link'), target = p.label('target'), end = p.label('end'), from = p.label('from');
    p.test('jal', `jal ${rd}, backward: ${rd} = pc + 4`, ` j ${from}\n${target}: j ${end}\n${from}: jal ${rd}, ${target}\n${link}: j fail\n${end}:`, chk(rd, link));
  }
  const t0 = p.label('target');
  p.test('jal', 'jal x0 (j): no link written, x0 read at once', ` jal x0, ${t0}\n j fail\n${t0}: add x6, x0, x0`, chk('x0', 0), chk('x6', 0));
  for (let n = 0; n <= 3; n++) {
    const link = p.label('link'), target = p.label('target');
    p.test('jal', `jal link consumed ${n} instructions after the target (dest bypass ${n})`,
      li('x1', 0) + ` jal x1, ${target}\n${link}: j fail\n${target}:\n` + nops(n) + ' addi x6, x1, 0', chk('x6', link));
  }
  const t1 = p.label('target'), slot = p.words(0x5a5a5a5a);
  p.test('jal', 'jal: the instructions after it (addi, load fault, store, illegal word) have no effect',
    li('x7', 0) + li('x8', slot) + ` jal x1, ${t1}\n` + SHADOW + `${t1}: lw x14, 0(x8)`, chk('x7', 0), chk('x14', 0x5a5a5a5a));
  // Offsets beyond a branch's reach: 0x12344 sets imm[16], imm[13], imm[9], imm[8], imm[6], imm[2].
  const link = p.label('link'), far = p.label('far');
  p.test('jal', 'jal x1 to a target 0x12344 bytes ahead', ` jal x1, ${far}\n${link}: j fail\n .space 0x1233c\n${far}:`, chk('x1', link));
  const link2 = p.label('link'), far2 = p.label('far'), from = p.label('from'), end = p.label('end');
  p.test('jal', 'jal x1 to a target 0x12344 bytes behind',
    ` j ${from}\n${far2}: j ${end}\n .space 0x12340\n${from}: jal x1, ${far2}\n${link2}: j fail\n${end}:`, chk('x1', link2));
  p.test('jal', 'jal to the next instruction (offset 4)', ` jal x1, 1f\n1: addi x6, x1, 0`, chk('x6', '1b'));
  return p;
}

const sign = (v: number): string => (v < 0 ? ` - ${-v}` : ` + ${v}`);

function jalrProgram(opts?: ProgramOptions): TestProgram {
  const p = new TestProgram('jalr', 'RV32I jumps', opts);
  // [rd, rs1, offset, what rs1 + offset is relative to the target]
  const rows: [string, string, number, number, string][] = [
    ['x1', 'x2', 0, 0, ''], ['x5', 'x6', 8, 0, ''], ['x7', 'x8', -8, 0, ''], ['x9', 'x10', 2047, 0, ''], ['x11', 'x12', -2048, 0, ''],
    ['x1', 'x2', 0, 1, ' (bit 0 of rs1 set: cleared)'], ['x13', 'x14', 1, 1, ' (offset 1: bit 0 cleared)'],
    ['x15', 'x16', -1, 1, ' (rs1 + offset odd: bit 0 cleared)'], ['x17', 'x18', 3, 1, ' (rs1 + offset odd: bit 0 cleared)'],
    ['x1', 'x1', 0, 0, ' (rd == rs1)'], ['x6', 'x6', 12, 0, ' (rd == rs1)'], ['x31', 'x31', -4, 1, ' (rd == rs1, bit 0 cleared)'],
    ['x30', 'x29', 0, 0, ''], ['x0', 'x5', 0, 0, ' (rd = x0: jr)'], ['x0', 'x5', 5, 1, ' (rd = x0, bit 0 cleared)'],
  ];
  for (const [rd, rs1, off, odd, note] of rows) {
    const link = p.label('link'), target = p.label('target');
    p.test('jalr', `jalr ${rd}, ${off}(${rs1}) with ${rs1} = target${sign(odd - off)}${note}`,
      li(rs1, `${target}${sign(odd - off)}`) + ` jalr ${rd}, ${off}(${rs1})\n${link}: j fail\n${target}:`, chk(rd, rd === 'x0' ? 0 : link));
  }
  {
    const link = p.label('link'), target = p.label('target'), end = p.label('end');
    p.test('jalr', 'jalr x1 to a target behind it', ` j 1f\n${target}: j ${end}\n1:` + li('x6', target) + ` jalr x1, 0(x6)\n${link}: j fail\n${end}:`, chk('x1', link));
  }
  for (let n = 0; n <= 3; n++) {
    const link = p.label('link'), target = p.label('target');
    p.test('jalr', `jalr with rs1 produced ${n} instructions before (src1 bypass ${n})`, li('x6', target) + nops(n) + ` jalr x1, 0(x6)\n${link}: j fail\n${target}:`, chk('x1', link));
    const link2 = p.label('link'), target2 = p.label('target'), ptr = p.words(target2);
    p.test('jalr', `jalr with rs1 loaded ${n} instructions before (load-use ${n})`,
      li('x20', ptr) + ' lw x6, 0(x20)\n' + nops(n) + ` jalr x1, 0(x6)\n${link2}: j fail\n${target2}:`, chk('x1', link2));
    const link3 = p.label('link'), target3 = p.label('target');
    p.test('jalr', `jalr link consumed ${n} instructions after the target (dest bypass ${n})`,
      li('x6', target3) + ` jalr x1, 0(x6)\n${link3}: j fail\n${target3}:\n` + nops(n) + ' addi x7, x1, 0', chk('x7', link3));
  }
  {
    const fn = p.label('fn'), end = p.label('end');
    p.test('jalr', 'call and return: jal x1 to a function that returns with jalr x0, 0(x1)',
      li('x7', 0) + ` jal x1, ${fn}\n addi x7, x7, 1\n j ${end}\n${fn}: addi x7, x7, 2\n jalr x0, 0(x1)\n j fail\n${end}:`, chk('x7', 3));
    const fn2 = p.label('fn'), end2 = p.label('end');
    p.test('jalr', 'return as the first instruction of the function (the link consumed at once)',
      li('x7', 0) + ` jal x1, ${fn2}\n addi x7, x7, 1\n j ${end2}\n${fn2}: jalr x0, 0(x1)\n j fail\n${end2}:`, chk('x7', 1));
  }
  const t1 = p.label('target'), slot = p.words(0x5a5a5a5a);
  p.test('jalr', 'jalr: the instructions after it (addi, load fault, store, illegal word) have no effect',
    li('x7', 0) + li('x8', slot) + li('x6', t1) + ' jalr x1, 0(x6)\n' + SHADOW + `${t1}: lw x14, 0(x8)`, chk('x7', 0), chk('x14', 0x5a5a5a5a));
  return p;
}

// --- upper immediates ------------------------------------------------------------------------

function luiProgram(opts?: ProgramOptions): TestProgram {
  const p = new TestProgram('lui', 'RV32I upper immediates', opts);
  // [imm20, value]: written out, not shifted in code.
  const rows: [number, number][] = [
    [0x00000, 0x00000000], [0x00001, 0x00001000], [0x12345, 0x12345000], [0x7ffff, 0x7ffff000], [0x80000, 0x80000000],
    [0xfffff, 0xfffff000], [0xaaaaa, 0xaaaaa000], [0x55555, 0x55555000],
  ];
  rows.forEach(([imm, v], i) => {
    const rd = POOL[(i * 7) % POOL.length]!;
    p.test('lui', `lui ${rd}, ${hex(imm)}`, ` lui ${rd}, ${hex(imm)}`, chk(rd, v));
  });
  // riscv-tests lui.S: the value checked through arithmetic shifts (no lui in the expectation).
  p.test('lui', 'lui x1, 0xfffff then sra by 1', ' lui x1, 0xfffff\n srai x1, x1, 1', chk('x1', 0xfffff800));
  p.test('lui', 'lui x1, 0x7ffff then sra by 20', ' lui x1, 0x7ffff\n srai x1, x1, 20', chk('x1', 0x000007ff));
  p.test('lui', 'lui x1, 0x80000 then sra by 20', ' lui x1, 0x80000\n srai x1, x1, 20', chk('x1', 0xfffff800));
  p.test('lui', 'lui clears the low 12 bits of rd', li('x1', 0xffffffff) + ' lui x1, 0x12345', chk('x1', 0x12345000));
  p.test('lui', 'lui x0, 0x80000 (rd = x0: discarded) then x0 read at once', ' lui x0, 0x80000\n add x6, x0, x0', chk('x0', 0), chk('x6', 0));
  for (let n = 0; n <= 3; n++) {
    p.test('lui', `lui result consumed ${n} instructions later (dest bypass ${n})`, ' lui x1, 0x12345\n' + nops(n) + ' addi x6, x1, 0x678', chk('x6', 0x12345678));
  }
  return p;
}

function auipcProgram(opts?: ProgramOptions): TestProgram {
  const p = new TestProgram('auipc', 'RV32I upper immediates', opts);
  // [imm20, what it adds to pc, as an assembler expression]
  const rows: [number, string][] = [
    [0x00000, ''], [0x00001, ' + 0x1000'], [0x12345, ' + 0x12345000'], [0x7ffff, ' + 0x7ffff000'], [0x80000, ' - 0x80000000'],
    [0xfffff, ' - 0x1000'], [0xaaaaa, ' - 0x55556000'],
  ];
  rows.forEach(([imm, add], i) => {
    const rd = POOL[(i * 11 + 3) % POOL.length]!;
    const at = p.label('auipc');
    p.test('auipc', `auipc ${rd}, ${hex(imm)}: pc${add}`, `${at}: auipc ${rd}, ${hex(imm)}`, chk(rd, `${at}${add}`));
  });
  // riscv-tests auipc.S: auipc+addi (la) against a link address, with no label arithmetic by li.
  for (const d of [10000, -10000]) {
    const l = p.label('l');
    p.test('auipc', `la (auipc + addi) of a label ${d} bytes away, against the link of a jal there`,
      ` la x10, ${l}${sign(d)}\n jal x11, ${l}\n${l}: sub x10, x10, x11`, chk('x10', d >>> 0));
  }
  const at = p.label('auipc');
  p.test('auipc', 'auipc x0, 0x12345 (rd = x0: discarded) then x0 read at once', `${at}: auipc x0, 0x12345\n add x6, x0, x0`, chk('x0', 0), chk('x6', 0));
  for (let n = 0; n <= 3; n++) {
    const at2 = p.label('auipc');
    p.test('auipc', `auipc result consumed ${n} instructions later (dest bypass ${n})`, `${at2}: auipc x1, 0x1\n` + nops(n) + ' addi x6, x1, 8', chk('x6', `${at2} + 0x1008`));
  }
  return p;
}

// --- fence -----------------------------------------------------------------------------------

function fenceProgram(opts?: ProgramOptions): TestProgram {
  const p = new TestProgram('fence', 'RV32I fence', opts);
  for (const f of ['fence', 'fence rw, rw', 'fence iorw, iorw', 'fence w, r', 'fence r, w', 'fence i, o', 'fence.tso']) {
    p.test('fence', `${f} between a producer and its consumer changes nothing`, li('x1', 0x12345678) + ` ${f}\n addi x14, x1, 1`, chk('x14', 0x12345679), chk('x1', 0x12345678));
  }
  // §2.7: rd and rs1 of FENCE are reserved and must be ignored: x5 is not written.
  const raw = (encode(OPS.fence!, { imm: 0xff }) | (5 << 7) | (6 << 15)) >>> 0;
  p.test('fence', `fence iorw, iorw with rd = x5 and rs1 = x6 in the word (${hex(raw)}): x5 not written`,
    li('x5', 0x0badf00d) + li('x6', 0x12345678) + ` .word ${hex(raw)}\n addi x14, x5, 0`, chk('x14', 0x0badf00d), chk('x5', 0x0badf00d), chk('x6', 0x12345678));
  const slot = p.words(0);
  p.test('fence', 'store, fence, load of the same word', li('x1', 0xcafef00d) + li('x2', slot) + ' sw x1, 0(x2)\n fence\n lw x14, 0(x2)', chk('x14', 0xcafef00d));
  const word = p.words(0x600dd00d);
  p.test('fence', 'load, fence, use of the loaded value', li('x2', word) + ' lw x14, 0(x2)\n fence\n addi x6, x14, 0', chk('x6', 0x600dd00d));
  p.test('fence', 'fence after a taken branch, at its target', li('x7', 0) + ' beq x0, x0, 1f\n addi x7, x7, 1\n1: fence\n addi x7, x7, 2', chk('x7', 2));
  p.test('fence', 'fences back to back', li('x1', 7) + ' fence\n fence rw, rw\n fence.tso\n addi x14, x1, 0', chk('x14', 7));
  return p;
}

// --- all of them -----------------------------------------------------------------------------

/** Every RV32I and M instruction (ECALL/EBREAK excepted: the environment tests cover them). */
export const INSTRUCTIONS: readonly string[] = [
  'lui', 'auipc', 'jal', 'jalr', 'beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu', 'lb', 'lh', 'lw', 'lbu', 'lhu', 'sb', 'sh', 'sw',
  'addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'slli', 'srli', 'srai', 'add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra',
  'or', 'and', 'fence', 'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu',
];

/** The self-checking program of one instruction. */
export function buildProgram(insn: string, opts?: ProgramOptions): TestProgram {
  if (insn in RR_SPECS) return rrProgram(insn, opts);
  if (insn in IMM_REF) return immProgram(insn, opts);
  if (insn in LOAD_LITERALS) return loadProgram(insn, opts);
  if (insn in STORE_LITERALS) return storeProgram(insn, opts);
  if (insn in BRANCH_REF) return branchProgram(insn, opts);
  switch (insn) {
    case 'jal': return jalProgram(opts);
    case 'jalr': return jalrProgram(opts);
    case 'lui': return luiProgram(opts);
    case 'auipc': return auipcProgram(opts);
    case 'fence': return fenceProgram(opts);
  }
  throw new Error(`no test program for ${insn}`);
}
