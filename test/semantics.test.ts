// "One ISA table, semantics once": every instruction's effect is reached through its row's
// columns, never through its position in the table. These tests check that
//  - the const enums that name rows and operations agree with the table and the semantics by
//    name and index (tsc keeps the enum objects: preserveConstEnums);
//  - the operation selectors dispatch to the named functions of isa/semantics.ts;
//  - every derived entry (control word, semantic class, operation, memory width and sign) is a
//    function of its row alone: deriving from a shuffled copy of the table, or from one with a
//    row inserted in the middle, gives each row the same entries;
//  - the columns agree with the encodings and operand syntax (RISC-V Unprivileged ISA §2.6 for
//    the load and store widths);
//  - the models' execute paths carry no op ranges or per-op special cases.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import * as table from '../isa/table.js';
import * as sem from '../isa/semantics.js';
import { EXEC, FN, MEM_SIGNED, MEM_WIDTH, OPS, TABLE, execOf, type InsnRow } from '../isa/table.js';
import { CTL, ctlOf } from '../cpu/control.js';
import { XorShift32 } from '../verify/randprog.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The runtime object of a const enum (name → value entries only). */
function enumEntries(mod: object, name: string): [string, number][] {
  const e = (mod as Record<string, Record<string, unknown>>)[name];
  expect(e, `${name} is emitted (preserveConstEnums)`).toBeTypeOf('object');
  return Object.entries(e!).filter((kv): kv is [string, number] => typeof kv[1] === 'number');
}

describe('enums and tables agree by name and index', () => {
  test('Op names every TABLE row at its index, then ILLEGAL', () => {
    const ops = enumEntries(table, 'Op');
    expect(ops.length).toBe(TABLE.length + 1);
    for (const [name, i] of ops) {
      if (name === 'ILLEGAL') expect(i).toBe(TABLE.length);
      else expect(TABLE[i]?.name.toUpperCase(), `Op.${name} = ${i}`).toBe(name);
    }
    for (let i = 0; i < TABLE.length; i++) expect(OPS[TABLE[i]!.name]).toBe(i);
  });

  test('Fn names every function of FN_NAMES at its index', () => {
    const fns = enumEntries(sem, 'Fn');
    expect(fns.length).toBe(sem.FN_NAMES.length);
    for (const [name, i] of fns) expect(name === 'NONE' ? '' : sem.FN_NAMES[i]!.toUpperCase(), `Fn.${name} = ${i}`).toBe(name === 'NONE' ? '' : name);
    for (const f of sem.FN_NAMES) if (f !== '') expect(sem[f], f).toBeTypeOf('function');
  });
});

describe('operation selectors', () => {
  const CORNERS = [0, 1, -1, 2, 31, 32, 0x7fffffff, -0x80000000, 0x12345678, -0x2468ace0];
  const rng = new XorShift32(7);
  const pairs: [number, number][] = [];
  for (const a of CORNERS) for (const b of CORNERS) pairs.push([a, b]);
  for (let k = 0; k < 500; k++) pairs.push([rng.next() | 0, rng.next() | 0]);
  const named = (f: string): ((a: number, b: number) => number | boolean) => (sem as unknown as Record<string, (a: number, b: number) => number | boolean>)[f]!;

  test.each(sem.FN_NAMES.map((f, i) => [f || 'none', i] as const))('%s: compute and taken are the named function', (f, fn) => {
    for (const [a, b] of pairs) {
      if (f === 'none') {
        expect(sem.compute(fn, a, b)).toBe(0);
        expect(sem.taken(fn, a, b)).toBe(false);
        continue;
      }
      const want = named(f)(a, b);
      if (typeof want === 'boolean') {
        expect(sem.taken(fn, a, b), `${f}(${a}, ${b})`).toBe(want);
        expect(sem.compute(fn, a, b)).toBe(0);
      } else {
        expect(sem.compute(fn, a, b), `${f}(${a}, ${b})`).toBe(want);
        // Jumps are always taken; value functions never redirect.
        expect(sem.taken(fn, a, b)).toBe(f === 'jal' || f === 'jalr');
      }
    }
  });

  test('extend: the low bytes, sign- or zero-extended', () => {
    const cases: [number, number, boolean, number][] = [
      [0x1234_5680, 1, true, -128], [0x1234_5680, 1, false, 0x80], [0x1234_567f, 1, true, 0x7f],
      [0x1234_8001, 2, true, -0x7fff], [0x1234_8001, 2, false, 0x8001], [0x1234_7fff, 2, true, 0x7fff],
      [0x8000_0001, 4, true, -0x7fffffff], [0x8000_0001, 4, false, -0x7fffffff], [-1, 1, false, 0xff],
    ];
    for (const [raw, w, s, want] of cases) expect(sem.extend(raw, w, s), `extend(${raw}, ${w}, ${s})`).toBe(want);
  });
});

describe('derived entries depend only on their row', () => {
  const entries = (r: InsnRow): unknown[] => [ctlOf(r), execOf(r), r.exec, r.fn === '-' ? 0 : sem.FN_NAMES.indexOf(r.fn), r.width, r.signed ? 1 : 0];
  const atIndex = (i: number): unknown[] => [CTL[i], EXEC[i], EXEC[i], FN[i], MEM_WIDTH[i], MEM_SIGNED[i]];

  test('the arrays hold each row\'s own entries', () => {
    for (let i = 0; i < TABLE.length; i++) expect(atIndex(i), TABLE[i]!.name).toEqual(entries(TABLE[i]!));
  });

  test('a shuffled table, or one with a row inserted in the middle, derives the same entries per row', () => {
    const rng = new XorShift32(11);
    const shuffled = [...TABLE];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = rng.next() % (i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const mid = TABLE.length >> 1;
    const inserted = [...TABLE.slice(0, mid), { ...TABLE[OPS['add']!]!, name: 'addx' }, ...TABLE.slice(mid)];
    for (const copy of [shuffled, inserted]) {
      for (const r of copy) {
        if (r.name === 'addx') continue;
        expect(entries(r), r.name).toEqual(atIndex(OPS[r.name]!));
      }
    }
  });

  test('the ILLEGAL entry is no row\'s', () => {
    const illegal = TABLE.length;
    expect(EXEC[illegal]).toBe(EXEC.reduce((m, e) => Math.max(m, e), 0));
    for (let i = 0; i < TABLE.length; i++) expect(EXEC[i]).not.toBe(EXEC[illegal]);
    expect(FN[illegal]).toBe(0);
    expect(MEM_WIDTH[illegal]).toBe(0);
  });
});

describe('the columns agree with the encodings and operand syntax', () => {
  // §2.6: LB/LBU a byte, LH/LHU a halfword, LW a word; the U forms zero-extend.
  const MEMORY: Record<string, [number, boolean]> = {
    lb: [1, true], lh: [2, true], lw: [4, true], lbu: [1, false], lhu: [2, false], sb: [1, false], sh: [2, false], sw: [4, false],
  };

  test.each(TABLE.map((r) => [r.name, r] as const))('%s', (name, r) => {
    const tokens = r.syntax.split(/[,()]/).filter(Boolean);
    expect(r.wb !== '-', 'writes rd iff rd is its first operand').toBe(tokens[0] === 'rd');
    if (r.a === 'rs1') expect(tokens).toContain('rs1');
    if (r.b === 'rs2') expect(tokens).toContain('rs2');
    if (r.b === 'imm') expect(r.fmt, 'an immediate operand has an immediate').not.toBe(table.Fmt.R);
    if (r.a === 'pc') expect(r.fmt === table.Fmt.U || r.fmt === table.Fmt.J).toBe(true);
    expect(r.checkTarget, 'control transfers check their target').toBe(r.unit === 'bru');
    expect(r.width !== 0, 'only the LSU accesses memory').toBe(r.unit === 'lsu');
    if (r.width !== 0) expect([r.width, r.signed]).toEqual(MEMORY[name]);
    if (r.unit === 'mdu' || (r.unit === 'alu' && r.fmt === table.Fmt.R)) expect(r.fn).toBe(name);
    // The operation is of the class's kind: a condition for a branch, a target for a jump, a value otherwise.
    if (r.fn !== '-') {
      const f = (sem as unknown as Record<string, (a: number, b: number) => unknown>)[r.fn]!;
      const kind = typeof f(1, 2) === 'boolean' ? 'condition' : r.fn === 'jal' || r.fn === 'jalr' ? 'target' : 'value';
      const want = r.exec === table.Exec.BRANCH ? 'condition' : r.exec === table.Exec.JUMP_PC || r.exec === table.Exec.JUMP_R ? 'target' : 'value';
      expect(kind, `${r.fn} in class ${r.exec}`).toBe(want);
    }
    if (r.effect === 'frame') expect(r.ext, 'frame instructions are Xevm rows').toBe('Xevm');
    if (r.effect === 'host' || r.effect === 'break') expect(r.fmt).toBe(table.Fmt.SYS);
  });
});

describe('no op ranges or per-op special cases in the models', () => {
  // An ordered comparison of an op with an Op member or a number, or of an Op member with
  // anything, is an op range: it breaks silently when a row is inserted. A loop over the rows
  // (`op < TABLE.length`) is not; nor are `>>>`, `<<` and `=>`.
  const RANGE = /\bop\s*[<>]=?\s*(?:Op\.|\d)|\bOp\.[A-Z_]+\s*[<>]=?(?![<>=])|(?<![<>=])[<>]=?\s*Op\.[A-Z_]+/;
  const files = (dir: string): string[] => readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.ts')).map((f) => `${dir}/${f}`);

  test('the pattern finds ranges and nothing else', () => {
    for (const s of ['op < Op.DIV', 'if (op >= Op.BEQ && op <= Op.BGEU)', 'Op.FENCE >= op', 'x > Op.MUL', 'op <= 36']) expect(s).toMatch(RANGE);
    for (const s of ['op === Op.ILLEGAL', 'ops.map((op) => op)', 'op >>> 0', 'op << 2', 'for (let op = 0; op < TABLE.length; op++)']) expect(s).not.toMatch(RANGE);
  });

  test.each([...files('cpu'), ...files('isa')])('%s compares no ops by order', (file) => {
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    const hits = lines.map((l, i) => [i + 1, l] as const).filter(([, l]) => RANGE.test(l.replace(/\/\/.*$/, '')));
    expect(hits.map(([n, l]) => `${file}:${n}: ${l.trim()}`)).toEqual([]);
  });

  // The execute paths: ISS, translator, pipeline control, stages and units. They may name
  // Op.ILLEGAL (not a row); everything else comes from the rows' columns.
  const EXECUTE = ['cpu/iss.ts', 'cpu/blocks.ts', 'cpu/core.ts', 'cpu/control.ts', 'cpu/alu.ts', 'cpu/branch.ts', 'cpu/mdu.ts', 'cpu/lsu.ts', 'cpu/hazard.ts', 'cpu/fetch.ts'];
  test.each(EXECUTE)('%s names no row', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
    const named = [...text.matchAll(/\bOp\.([A-Z_]+)/g)].map((m) => m[1]).filter((n) => n !== 'ILLEGAL');
    expect(named).toEqual([]);
  });
});
