// Instruction tests of our own, in the style of riscv-tests (isa/rv32ui, isa/rv32um): one
// self-checking program per RV32I and M instruction, generated from the case tables of
// test/insn/cases.ts. A case sets TESTNUM, runs the instruction under test, and compares
// registers (or memory) against expected values; the first mismatch exits with the case number.
// Cases cover result values on corner operands, x0 as destination and source, register
// aliasing, bypass and load-use distances 0-3, sign and zero extension of loads, store widths,
// masked shift amounts, division by zero and overflow, the upper halves of products, branches
// taken and not (forward, backward, far), link values, squashed wrong paths, and FENCE.
//
// Expected values are written by hand or computed with BigInt (test/insn/ref.ts), never taken
// from isa/semantics.ts. The same ELFs run
//   (a) on the ISS and on the cycle model (and on the ISS many times over, so hot-code paths run),
//   (b) on both in lockstep, with random bus stalls and with wait states (test/lockstep.ts), and
//   (c) under qemu-riscv32, which proves the expected values against a real implementation.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assemble, assembleToElf } from '../isa/asm.js';
import { TABLE } from '../isa/table.js';
import { createModel, MODEL_KINDS, type ModelKind } from '../cpu/machine.js';
import { LinuxHost } from '../cpu/host.js';
import { loadElf } from '../cpu/program.js';
import { runToEnd } from '../cpu/runner.js';
import { lockstep, type LockstepOptions } from './lockstep.js';
import { describeWithTools, requireTools, runTool } from './tools.js';
import { BRANCH_LITERALS, IMM_LITERALS, INSTRUCTIONS, RR_LITERALS, buildProgram } from '../verify/insn/cases.js';
import { EXPECTED, GOT, MAX_CASES, TESTNUM, type TestProgram } from '../verify/insn/program.js';
import { BRANCH_REF, IMM_REF, RR_REF, hex } from '../verify/insn/ref.js';

const QEMU = 'qemu-riscv32';
/** Far above any program's length (the largest retires under 2,000 instructions). */
const MAX_INSTRUCTIONS = 100_000;
const MAX_CYCLES = 1_000_000;

const PROGRAMS: readonly TestProgram[] = INSTRUCTIONS.map((insn) => buildProgram(insn));

const elves = new Map<TestProgram, Uint8Array>();
function elfOf(p: TestProgram): Uint8Array {
  let elf = elves.get(p);
  if (elf === undefined) { elf = assembleToElf(p.source, { file: `${p.name}.S` }); elves.set(p, elf); }
  return elf;
}

/** 'pass', or one line naming the failed case (with the values when the registers are at hand). */
function verdict(p: TestProgram, end: { kind: string; code?: number | null; message?: string | null }, x?: Int32Array): string {
  if (end.kind === 'exit' && end.code === 0) return 'pass';
  if (end.kind === 'exit' && end.code != null) return p.describeFailure(end.code, x?.[GOT], x?.[EXPECTED]);
  const n = x?.[TESTNUM];
  const during = n === undefined ? '' : ` during case ${n}${p.caseOf(n) ? ` (${p.caseOf(n)!.what})` : ''}`;
  return `${p.name}: ${end.message ?? end.kind}${during}`;
}

function runOn(kind: ModelKind, p: TestProgram, elf = elfOf(p), maxInstructions = MAX_INSTRUCTIONS): { verdict: string; code: number | null; x: Int32Array; instructions: number } {
  const m = createModel(kind, loadElf(elf));
  const r = runToEnd(m, new LinuxHost(), { maxInstructions, maxCycles: MAX_CYCLES });
  return { verdict: verdict(p, { kind: r.reason, code: r.exitCode, message: r.message }, m.x), code: r.exitCode, x: m.x, instructions: r.instructions };
}

function runQemu(dir: string, p: TestProgram, elf = elfOf(p)): { verdict: string; status: number | null } {
  const file = join(dir, `${p.name}.elf`);
  writeFileSync(file, elf, { mode: 0o755 });
  const r = runTool(QEMU, [file], { timeoutMs: 20_000 });
  const v = r.status === 0 ? 'pass' : r.status === null ? `${p.name}: qemu-riscv32 died of a signal ${r.stderr.trim()}` : verdict(p, { kind: 'exit', code: r.status });
  return { verdict: v, status: r.status };
}

describe('the case tables', () => {
  test('every RV32I and M instruction of the ISA table has a program (ECALL and EBREAK aside)', () => {
    const isa = TABLE.filter((r) => r.ext !== 'Xevm' && r.name !== 'ecall' && r.name !== 'ebreak').map((r) => r.name);
    expect([...INSTRUCTIONS].sort()).toEqual([...isa].sort());
  });

  test('every program tests its own instruction and has fewer cases than exit codes', () => {
    for (const p of PROGRAMS) {
      expect(p.cases.every((c) => c.insn === p.name), p.name).toBe(true);
      expect(p.cases.length, p.name).toBeLessThanOrEqual(MAX_CASES);
      expect(p.cases.length, p.name).toBeGreaterThanOrEqual(12);
    }
    const groups = new Map<string, number>();
    for (const p of PROGRAMS) groups.set(p.group, (groups.get(p.group) ?? 0) + p.cases.length);
    console.log(`cases: ${PROGRAMS.reduce((s, p) => s + p.cases.length, 0)} in ${PROGRAMS.length} programs\n  ${[...groups].map(([g, n]) => `${g}: ${n}`).join('\n  ')}`);
  });

  test('the hand-written results agree with the BigInt reference', () => {
    const wrong: string[] = [];
    for (const [op, rows] of Object.entries(RR_LITERALS)) {
      for (const [e, a, b] of rows) if (RR_REF[op]!(a, b) !== e) wrong.push(`${op} ${hex(a)}, ${hex(b)}: table ${hex(e)}, reference ${hex(RR_REF[op]!(a, b))}`);
    }
    for (const [op, rows] of Object.entries(IMM_LITERALS)) {
      for (const [e, a, imm] of rows) if (IMM_REF[op]!(a, imm) !== e) wrong.push(`${op} ${hex(a)}, ${imm}: table ${hex(e)}, reference ${hex(IMM_REF[op]!(a, imm))}`);
    }
    for (const [op, rows] of Object.entries(BRANCH_LITERALS)) {
      for (const [t, a, b] of rows) if (BRANCH_REF[op]!(a, b) !== t) wrong.push(`${op} ${hex(a)}, ${hex(b)}: table ${t}`);
    }
    expect(wrong).toEqual([]);
  });

  test('the reference follows the M extension spec on its edge cases (literal values)', () => {
    const INT_MIN = 0x80000000;
    expect([RR_REF.div!(7, 0), RR_REF.divu!(7, 0), RR_REF.rem!(7, 0), RR_REF.remu!(7, 0)]).toEqual([0xffffffff, 0xffffffff, 7, 7]);
    expect([RR_REF.div!(INT_MIN, 0xffffffff), RR_REF.rem!(INT_MIN, 0xffffffff)]).toEqual([INT_MIN, 0]);
    expect([RR_REF.mulh!(INT_MIN, INT_MIN), RR_REF.mulhsu!(0xffffffff, 0xffffffff), RR_REF.mulhu!(0xffffffff, 0xffffffff)]).toEqual([0x40000000, 0xffffffff, 0xfffffffe]);
    expect([RR_REF.sll!(1, 33), RR_REF.srl!(INT_MIN, 63), RR_REF.sra!(INT_MIN, 0xffffffe1)]).toEqual([2, 1, 0xc0000000]);
  });
});

describe('the checks themselves are sound', () => {
  // The checks use lui/addi (li), mv, beq, jal and lw. Read straight from the register file, not
  // through a check, so that a fault in them cannot hide by making a case and its check agree.
  const BLOCKS = `.text\n.globl _start\n_start:
 lui x5, 0x12345
 addi x6, x0, -1
 addi x7, x0, 2047
 li x8, 0x12345678
 li x9, 0x80000000
 li x11, 0xfffff800
 li x12, 0x00000800
 mv x13, x8
 li x14, 0
 beq x0, x0, 1f
 addi x14, x14, 1
1: beq x8, x9, 2f
 addi x14, x14, 2
2: la x15, word
 lw x16, 0(x15)
 lui x19, %hi(word)
 addi x19, x19, %lo(word)
 jal x18, after_jal
after_jal: li x10, 0
 li x17, 93
 ecall
.data
word: .word 0xdeadbeef
`;
  test.each(MODEL_KINDS)('on the %s model: li, lui, addi, mv, beq, la, lw and jal give the literal values', (kind) => {
    const elf = assembleToElf(BLOCKS, { file: 'blocks.S' });
    const sym = (name: string): number => assemble(BLOCKS).symbols.get(name)!.value >>> 0;
    const m = createModel(kind, loadElf(elf));
    const r = runToEnd(m, new LinuxHost(), { maxInstructions: 1000, maxCycles: 10_000 });
    expect(r.reason).toBe('exit');
    const u = (i: number): number => m.x[i]! >>> 0;
    expect([5, 6, 7, 8, 9, 11, 12, 13, 14].map(u)).toEqual([0x12345000, 0xffffffff, 0x7ff, 0x12345678, 0x80000000, 0xfffff800, 0x800, 0x12345678, 2]);
    // la (auipc + addi) and lui + addi of the data word's address, as the assembler placed it;
    // lw of the word; jal's link is the address of the label after it.
    expect([u(15), u(19), u(16)]).toEqual([sym('word'), sym('word'), 0xdeadbeef]);
    expect(u(18)).toBe(sym('after_jal'));
  });

  test('a deliberately wrong expected value is reported with its case number, operands and values', () => {
    const good = PROGRAMS.find((p) => p.name === 'mulhsu')!;
    const n = good.cases.findIndex((c) => c.what.includes('rs1=0x80000000, rs2=0xffff8000')) + 1;
    expect(n).toBeGreaterThan(0);
    const bad = buildProgram('mulhsu', { corrupt: n });
    const elf = assembleToElf(bad.source, { file: 'mulhsu-corrupt.S' });
    for (const kind of MODEL_KINDS) {
      const r = runOn(kind, bad, elf);
      expect(r.code, kind).toBe(n);
      expect(r.verdict).toBe(`mulhsu: case ${n} failed: mulhsu x14, x1, x2 with rs1=0x80000000, rs2=0xffff8000: got 0x80004000, expected 0x80004001`);
    }
    const ls = lockstep(elf, { randomStalls: 3, seed: 1 });
    expect(ls.end).toEqual({ kind: 'exit', code: n });
    if (requireTools([QEMU])) {
      const dir = mkdtempSync(join(tmpdir(), 'evminf-insn-'));
      try {
        expect(runQemu(dir, bad, elf).status).toBe(n);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  test('a wrong link address (an expression, not a number) is caught too', () => {
    const n = PROGRAMS.find((p) => p.name === 'jal')!.cases.findIndex((c) => c.what.startsWith('jal x31, forward')) + 1;
    const bad = buildProgram('jal', { corrupt: n });
    for (const kind of MODEL_KINDS) {
      const r = runOn(kind, bad);
      expect(r.code, kind).toBe(n);
      expect((r.x[EXPECTED]! - r.x[GOT]!) >>> 0).toBe(1);
    }
  });

  test('a program that jumps to the end without running every case does not pass', () => {
    const p = PROGRAMS.find((q) => q.name === 'add')!;
    const skipping = p.source.replace(/^ li x3, 5$/m, ' li x3, 5\n j pass');
    expect(skipping).not.toBe(p.source);
    const elf = assembleToElf(skipping, { file: 'add-skip.S' });
    for (const kind of MODEL_KINDS) expect(runOn(kind, p, elf).code, kind).toBe(5);
  });
});

describe.each(MODEL_KINDS)('on the %s model', (kind) => {
  test.each(PROGRAMS.map((p) => [p.name, p] as const))('%s: every case passes', (_name, p) => {
    expect(runOn(kind, p).verdict).toBe('pass');
  });
});

/** More than the executions after which an ISS may treat code as hot (translate it, cache it). */
const HOT_REPEAT = 40;

describe('on the iss model, every case run many times over (hot code)', () => {
  test.each(PROGRAMS.map((p) => [p.name, p] as const))(`%s: every case passes ${HOT_REPEAT} times`, (_name, p) => {
    const hot = buildProgram(p.name, { repeat: HOT_REPEAT });
    const r = runOn('iss', hot, assembleToElf(hot.source, { file: `${p.name}-hot.S` }), MAX_INSTRUCTIONS * HOT_REPEAT);
    expect(r.verdict).toBe('pass');
    expect(r.instructions).toBeGreaterThan(HOT_REPEAT * p.cases.length * 4);
  });
});

const LOCKSTEP_VARIANTS: [string, LockstepOptions][] = [['random bus stalls', { randomStalls: 3 }], ['two wait states', { waitStates: 2 }]];

describe.each(LOCKSTEP_VARIANTS)('ISS and cycle model in lockstep with %s', (_variant, opts) => {
  test.each(PROGRAMS.map((p, i) => [p.name, p, i] as const))('%s: the same state after every instruction, and every case passes', (_name, p, i) => {
    const r = lockstep(elfOf(p), { ...opts, seed: 101 + i });
    const e = r.end;
    const end = e.kind === 'exit' ? { kind: 'exit', code: e.code } : { kind: e.kind, message: e.kind === 'trap' ? `trap cause ${e.cause} (tval ${hex(e.tval)}, pc ${hex(e.pc)})` : null };
    expect(verdict(p, end, r.iss.x)).toBe('pass');
    expect(r.cycles).toBeGreaterThan(r.instructions + 4);
  });
});

describeWithTools([QEMU], 'under qemu-riscv32 (the reference CPU)', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'evminf-insn-')); });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

  test.each(PROGRAMS.map((p) => [p.name, p] as const))('%s: every case passes', (_name, p) => {
    expect(runQemu(dir, p).verdict).toBe('pass');
  });
});
