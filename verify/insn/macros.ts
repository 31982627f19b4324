// riscv-tests' test macros (isa/macros/scalar/test_macros.h) as TypeScript generators: each adds
// one case to a TestProgram. Register names follow riscv-tests (x1/x2 sources, x14 result, x6 the
// consumer of a bypass) unless a case picks its own. `n` is always a bypass distance: the number
// of NOPs between the producing instruction and the one that consumes its result.

import { chk, li, nops, type Expected, type TestProgram } from './program.js';
import { hex } from './ref.js';

export interface RRRegs { readonly rd: string; readonly rs1: string; readonly rs2: string }
export const RR_DEFAULT: RRRegs = { rd: 'x14', rs1: 'x1', rs2: 'x2' };

/** Every register a case may use: all but x0 and TESTNUM (gp). */
export const POOL: readonly string[] = Array.from({ length: 32 }, (_, r) => `x${r}`).filter((r) => r !== 'x0' && r !== 'x3');

/** The i-th register assignment of a grid: walks every register through rd, rs1 and rs2. */
export function rotate(i: number): RRRegs {
  const P = POOL.length;
  const k1 = (i * 7) % P;
  let k2 = (i * 11 + 5) % P;
  if (k2 === k1) k2 = (k2 + 1) % P;
  return { rd: POOL[(i * 13 + 17) % P]!, rs1: POOL[k1]!, rs2: POOL[k2]! };
}

const ops = (a: number, b: number): string => `rs1=${hex(a)}, rs2=${hex(b)}`;

// --- register-register (TEST_RR_*) -----------------------------------------------------------

/** TEST_RR_OP: rd = op(rs1, rs2). */
export function rrOp(p: TestProgram, op: string, expected: number, a: number, b: number, r: RRRegs = RR_DEFAULT): void {
  p.test(op, `${op} ${r.rd}, ${r.rs1}, ${r.rs2} with ${ops(a, b)}`, li(r.rs1, a) + li(r.rs2, b) + ` ${op} ${r.rd}, ${r.rs1}, ${r.rs2}`, chk(r.rd, expected));
}

/**
 * The structural cases of one R-type instruction for operands a, b (result e = ref(a, b)):
 * aliasing, bypass distances 0-3 into each source and out of rd, load-use into each source,
 * x0 as a source and as the destination, and the unit consuming its own result.
 */
export function rrStructure(p: TestProgram, op: string, ref: (a: number, b: number) => number, a: number, b: number): void {
  const e = ref(a, b);
  const with_ = ops(a, b);
  // TEST_RR_SRC1_EQ_DEST, TEST_RR_SRC2_EQ_DEST, TEST_RR_SRC12_EQ_DEST
  p.test(op, `${op} x1, x1, x2 (rd == rs1) with ${with_}`, li('x1', a) + li('x2', b) + ` ${op} x1, x1, x2`, chk('x1', e), chk('x2', b));
  p.test(op, `${op} x2, x1, x2 (rd == rs2) with ${with_}`, li('x1', a) + li('x2', b) + ` ${op} x2, x1, x2`, chk('x2', e), chk('x1', a));
  p.test(op, `${op} x1, x1, x1 (rd == rs1 == rs2) with rs=${hex(a)}`, li('x1', a) + ` ${op} x1, x1, x1`, chk('x1', ref(a, a)));
  p.test(op, `${op} x14, x2, x2 (rs1 == rs2) with rs=${hex(b)}`, li('x2', b) + ` ${op} x14, x2, x2`, chk('x14', ref(b, b)), chk('x2', b));
  // TEST_RR_DEST_BYPASS
  for (let n = 0; n <= 3; n++) {
    p.test(op, `${op} x14 consumed ${n} instructions later (dest bypass ${n}) with ${with_}`,
      li('x1', a) + li('x2', b) + ` ${op} x14, x1, x2\n` + nops(n) + ' addi x6, x14, 0', chk('x6', e));
  }
  // TEST_RR_SRC12_BYPASS and TEST_RR_SRC21_BYPASS
  const pairs: [number, number][] = [[0, 0], [0, 1], [0, 2], [0, 3], [1, 0], [1, 1], [2, 0], [3, 0]];
  for (const [n1, n2] of pairs) {
    p.test(op, `${op} with rs1 produced first, ${n1} nops, rs2, ${n2} nops (src12 bypass) and ${with_}`,
      li('x1', a) + nops(n1) + li('x2', b) + nops(n2) + ` ${op} x14, x1, x2`, chk('x14', e));
    p.test(op, `${op} with rs2 produced first, ${n1} nops, rs1, ${n2} nops (src21 bypass) and ${with_}`,
      li('x2', b) + nops(n1) + li('x1', a) + nops(n2) + ` ${op} x14, x1, x2`, chk('x14', e));
  }
  // Load-use into each source, and into both.
  const da = p.words(a), db = p.words(b);
  for (let n = 0; n <= 3; n++) {
    p.test(op, `${op} with rs1 loaded ${n} instructions before (load-use ${n}) and ${with_}`,
      li('x2', b) + li('x20', da) + ' lw x1, 0(x20)\n' + nops(n) + ` ${op} x14, x1, x2`, chk('x14', e));
    p.test(op, `${op} with rs2 loaded ${n} instructions before (load-use ${n}) and ${with_}`,
      li('x1', a) + li('x20', db) + ' lw x2, 0(x20)\n' + nops(n) + ` ${op} x14, x1, x2`, chk('x14', e));
  }
  for (let n = 0; n <= 1; n++) {
    p.test(op, `${op} with both sources loaded, the last ${n} instructions before, and ${with_}`,
      li('x20', da) + li('x21', db) + ' lw x1, 0(x20)\n lw x2, 0(x21)\n' + nops(n) + ` ${op} x14, x1, x2`, chk('x14', e));
  }
  // TEST_RR_ZEROSRC1, ZEROSRC2, ZEROSRC12, ZERODEST
  p.test(op, `${op} x14, x0, x2 (rs1 = x0) with rs2=${hex(b)}`, li('x2', b) + ` ${op} x14, x0, x2`, chk('x14', ref(0, b)));
  p.test(op, `${op} x14, x1, x0 (rs2 = x0) with rs1=${hex(a)}`, li('x1', a) + ` ${op} x14, x1, x0`, chk('x14', ref(a, 0)));
  p.test(op, `${op} x14, x0, x0`, ` ${op} x14, x0, x0`, chk('x14', ref(0, 0)));
  p.test(op, `${op} x0, x1, x2 (rd = x0: the result ${hex(e)} is discarded) with ${with_}`,
    li('x1', a) + li('x2', b) + ` ${op} x0, x1, x2\n add x6, x0, x0\n addi x7, x0, 0`, chk('x0', 0), chk('x6', 0), chk('x7', 0));
  // The unit consuming its own result at once (a multi-cycle unit back to back).
  p.test(op, `${op} x15, x14, x2 right after ${op} x14, x1, x2 with ${with_}`,
    li('x1', a) + li('x2', b) + ` ${op} x14, x1, x2\n ${op} x15, x14, x2`, chk('x15', ref(e, b)));
}

// --- register-immediate (TEST_IMM_*) ---------------------------------------------------------

/** TEST_IMM_OP: rd = op(rs1, imm). */
export function immOp(p: TestProgram, op: string, expected: number, a: number, imm: number, rd = 'x14', rs1 = 'x1'): void {
  p.test(op, `${op} ${rd}, ${rs1}, ${imm} with rs1=${hex(a)}`, li(rs1, a) + ` ${op} ${rd}, ${rs1}, ${imm}`, chk(rd, expected));
}

/** The structural cases of one I-type ALU instruction (see rrStructure). */
export function immStructure(p: TestProgram, op: string, ref: (a: number, imm: number) => number, a: number, imm: number): void {
  const e = ref(a, imm);
  const w = `rs1=${hex(a)}, imm=${imm}`;
  p.test(op, `${op} x1, x1, ${imm} (rd == rs1) with rs1=${hex(a)}`, li('x1', a) + ` ${op} x1, x1, ${imm}`, chk('x1', e));
  for (let n = 0; n <= 3; n++) {
    p.test(op, `${op} x14 consumed ${n} instructions later (dest bypass ${n}) with ${w}`, li('x1', a) + ` ${op} x14, x1, ${imm}\n` + nops(n) + ' addi x6, x14, 0', chk('x6', e));
    p.test(op, `${op} with rs1 produced ${n} instructions before (src1 bypass ${n}) and ${w}`, li('x1', a) + nops(n) + ` ${op} x14, x1, ${imm}`, chk('x14', e));
  }
  const da = p.words(a);
  for (let n = 0; n <= 3; n++) {
    p.test(op, `${op} with rs1 loaded ${n} instructions before (load-use ${n}) and ${w}`, li('x20', da) + ' lw x1, 0(x20)\n' + nops(n) + ` ${op} x14, x1, ${imm}`, chk('x14', e));
  }
  p.test(op, `${op} x14, x0, ${imm} (rs1 = x0)`, ` ${op} x14, x0, ${imm}`, chk('x14', ref(0, imm)));
  p.test(op, `${op} x0, x1, ${imm} (rd = x0: the result ${hex(e)} is discarded) with rs1=${hex(a)}`,
    li('x1', a) + ` ${op} x0, x1, ${imm}\n add x6, x0, x0\n addi x7, x0, 0`, chk('x0', 0), chk('x6', 0), chk('x7', 0));
  p.test(op, `${op} x15, x14, ${imm} right after ${op} x14, x1, ${imm} with ${w}`, li('x1', a) + ` ${op} x14, x1, ${imm}\n ${op} x15, x14, ${imm}`, chk('x15', ref(e, imm)));
}

// --- branches (TEST_BR2_*) -------------------------------------------------------------------

/**
 * TEST_BR2_OP_TAKEN: a forward taken branch, then a backward taken branch; any fall-through
 * reaches `fail`.
 */
export function brTaken(p: TestProgram, op: string, a: number, b: number, r1 = 'x1', r2 = 'x2', note = ''): void {
  const setup = (r1 === 'x0' ? '' : li(r1, a)) + (r2 === 'x0' || r2 === r1 ? '' : li(r2, b));
  p.test(op, `${op} ${r1}, ${r2} taken forward and backward with ${ops(a, b)}${note}`,
    setup + ` ${op} ${r1}, ${r2}, 2f\n j fail\n1: j 3f\n2: ${op} ${r1}, ${r2}, 1b\n j fail\n3:`);
}

/** TEST_BR2_OP_NOTTAKEN: forward and backward not-taken branches fall through exactly once. */
export function brNotTaken(p: TestProgram, op: string, a: number, b: number, r1 = 'x1', r2 = 'x2', note = ''): void {
  const setup = (r1 === 'x0' ? '' : li(r1, a)) + (r2 === 'x0' || r2 === r1 ? '' : li(r2, b));
  const c = r1 === 'x7' || r2 === 'x7' ? (r1 === 'x8' || r2 === 'x8' ? 'x9' : 'x8') : 'x7';
  p.test(op, `${op} ${r1}, ${r2} not taken forward and backward with ${ops(a, b)}${note}`,
    setup + ` li ${c}, 0\n ${op} ${r1}, ${r2}, 1f\n addi ${c}, ${c}, 1\n j 2f\n1: j fail\n2: ${op} ${r1}, ${r2}, 1b\n addi ${c}, ${c}, 2`, chk(c, 3));
}

export function brCase(p: TestProgram, op: string, taken: boolean, a: number, b: number, r1 = 'x1', r2 = 'x2', note = ''): void {
  if (taken) brTaken(p, op, a, b, r1, r2, note); else brNotTaken(p, op, a, b, r1, r2, note);
}

/** TEST_BR2_SRC12_BYPASS / SRC21_BYPASS, taken or not, and load-use into each source. */
export function brStructure(p: TestProgram, op: string, ref: (a: number, b: number) => boolean, taken: [number, number], notTaken: [number, number]): void {
  for (const [a, b] of [taken, notTaken]) {
    const t = ref(a, b);
    const branch = t ? ` ${op} x1, x2, 1f\n j fail\n1:` : ` ${op} x1, x2, 1f\n j 2f\n1: j fail\n2:`;
    const what = t ? 'taken' : 'not taken';
    const pairs: [number, number][] = [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [2, 0], [3, 0]];
    for (const [n1, n2] of pairs) {
      p.test(op, `${op} ${what}: rs1 produced, ${n1} nops, rs2 produced, ${n2} nops (src12 bypass), ${ops(a, b)}`, li('x1', a) + nops(n1) + li('x2', b) + nops(n2) + branch);
      p.test(op, `${op} ${what}: rs2 produced, ${n1} nops, rs1 produced, ${n2} nops (src21 bypass), ${ops(a, b)}`, li('x2', b) + nops(n1) + li('x1', a) + nops(n2) + branch);
    }
    const da = p.words(a), db = p.words(b);
    for (let n = 0; n <= 3; n++) {
      p.test(op, `${op} ${what} with rs1 loaded ${n} instructions before (load-use ${n}), ${ops(a, b)}`, li('x2', b) + li('x20', da) + ' lw x1, 0(x20)\n' + nops(n) + branch);
      p.test(op, `${op} ${what} with rs2 loaded ${n} instructions before (load-use ${n}), ${ops(a, b)}`, li('x1', a) + li('x20', db) + ' lw x2, 0(x20)\n' + nops(n) + branch);
    }
  }
  // Wrong-path instructions after a taken branch are squashed: no register write, no store,
  // no fault from a load of an unmapped address or from an illegal instruction word.
  const [a, b] = taken;
  const slot = p.words(0x5a5a5a5a);
  p.test(op, `${op} taken: the instructions after it (addi, load fault, store, illegal word) have no effect`,
    li('x1', a) + li('x2', b) + li('x7', 0) + li('x8', slot) +
    ` ${op} x1, x2, 1f\n addi x7, x7, 1\n lw x9, 0(x0)\n sw x8, 0(x8)\n .word 0\n addi x7, x7, 2\n1: lw x14, 0(x8)`,
    chk('x7', 0), chk('x14', 0x5a5a5a5a));
  // Far targets: the largest forward offset a branch can reach with 4-byte instructions
  // (+4092) and the most negative one (-4096), which sets only imm[12].
  const fwd = p.label('far');
  p.test(op, `${op} taken to a target 4092 bytes ahead`, li('x1', a) + li('x2', b) + ` ${op} x1, x2, ${fwd}\n .space 4088\n${fwd}:`);
  const back = p.label('far');
  p.test(op, `${op} taken to a target 4096 bytes behind`,
    li('x1', a) + li('x2', b) + ` j ${back}_br\n${back}: j ${back}_end\n .space 4092\n${back}_br: ${op} x1, x2, ${back}\n j fail\n${back}_end:`);
}

// --- loads (TEST_LD_*) -----------------------------------------------------------------------

/** TEST_LD_OP: rd = mem[base + offset], with base given as an assembler expression. */
export function ldOp(p: TestProgram, op: string, expected: number, base: string, offset: number, what: string, rd = 'x14', rs1 = 'x15'): void {
  p.test(op, `${op} ${rd}, ${offset}(${rs1}) with ${rs1} = ${base} (reads ${what})`, li(rs1, base) + ` ${op} ${rd}, ${offset}(${rs1})`, chk(rd, expected));
}

// --- stores (TEST_ST_*) ----------------------------------------------------------------------

/** Every store case writes into its own three-word slot initialised to these words. */
export const SLOT_INIT = [0x8899aabb, 0xccddeeff, 0x11223344] as const;

/**
 * TEST_ST_OP with neighbours: store `value` at byte `k` of the slot's middle word through
 * `offset(base)`; the middle word must become `word` and the words around it stay as they were;
 * loading back with `load` must give `back`.
 */
export function stOp(p: TestProgram, op: string, value: number, k: number, offset: number, word: number, load: string, back: number): void {
  const slot = p.words(...SLOT_INIT);
  const addr = `${slot} + ${4 + k - offset}`;
  p.test(op, `${op} ${hex(value)} to byte ${k} of ${hex(SLOT_INIT[1])} through ${offset}(base), read back with ${load}`,
    li('x2', value) + li('x1', addr) + ` ${op} x2, ${offset}(x1)\n ${load} x5, ${offset}(x1)\n` + li('x20', slot) + ' lw x14, 4(x20)\n lw x6, 0(x20)\n lw x7, 8(x20)',
    chk('x14', word), chk('x6', SLOT_INIT[0]), chk('x7', SLOT_INIT[2]), chk('x5', back));
}

export { type Expected };
