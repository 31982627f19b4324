// evminf profile (debug/profiler.ts, docs/profiler.md): the profile accounts for the whole run
// (cycles, instructions and gas add up to the run's own figures, on both models), the call stack
// follows the calling convention, stall cycles land on the instruction that causes them with the
// penalties of docs/timing.md, frames nest under their caller, and the folded and speedscope
// outputs are in their formats (speedscope's checked against the structure its file-format
// specification requires).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { STALLS } from '../debug/profiler.js';
import { EXIT } from '../cpu/exit-codes.js';
import { runEvminf } from './c/build.js';

const ROOT = new URL('..', import.meta.url).pathname;
const KVSTORE = join(ROOT, 'examples/kvstore.S');
const dir = mkdtempSync(join(tmpdir(), 'evminf-prof-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// _start calls f three times and t once; f divides; t tail-calls g (`j g`); g has a load-use.
const CALLS = `
        .text
        .globl _start
_start: li      s0, 3
1:      jal     ra, f
        addi    s0, s0, -1
        bnez    s0, 1b
        jal     ra, t
        li      a0, 0
        li      a7, 93
        ecall
        .globl f
f:      li      t1, 7
        divu    t2, t1, t1
        ret
        .globl t
t:      j       g
        .globl g
g:      la      t3, buf
        lw      t4, 0(t3)
        addi    t4, t4, 1
        ret
        .data
buf:    .word   5
`;
const callsPath = join(dir, 'calls.S');
writeFileSync(callsPath, CALLS);

interface Row { name: string; self: { cycles: number | null; instructions: number; gas: number; stalls: Record<string, number> | null }; total: { cycles: number | null; instructions: number; gas: number } }
interface Profile { instructions: number; cycles: number | null; gas: number; functions: Row[] }

function profile(prog: string, ...args: string[]): Profile {
  const r = runEvminf(['profile', prog, '--json', ...args]);
  expect(r.status, r.stderr.toString()).toBe(0);
  return JSON.parse(r.stdout.toString()) as Profile;
}

function run(prog: string, model: string): { instructions: number; cycles: number | null; gas: number } {
  const r = runEvminf(['run', prog, '--model', model, '--json']);
  return JSON.parse(r.stdout.toString());
}

const byName = (p: Profile): Map<string, Row> => new Map(p.functions.map((f) => [f.name, f]));

describe('evminf profile', () => {
  test.each(['cycle', 'iss'])('totals equal the run\'s cycles, instructions and gas (%s model, frames and interrupts)', (model) => {
    const p = profile(KVSTORE, '--model', model);
    const want = run(KVSTORE, model);
    const sum = (k: 'cycles' | 'instructions' | 'gas'): number => p.functions.reduce((a, f) => a + (f.self[k] ?? 0), 0);
    expect(sum('instructions')).toBe(want.instructions);
    expect(sum('gas')).toBe(want.gas);
    expect(p.instructions).toBe(want.instructions);
    if (model === 'cycle') expect(sum('cycles')).toBe(want.cycles);
    else expect(p.cycles).toBeNull();
    // The EVAL'd child hangs under its caller, the interrupt handler under the child.
    const f = byName(p);
    expect(f.get('[eval]')!.total.instructions).toBeGreaterThan(f.get('[interrupt handler]')!.total.instructions);
    expect(f.get('_start')!.total.instructions).toBe(want.instructions);
    expect(f.get('handler')!.self.instructions).toBe(f.get('[interrupt handler]')!.total.instructions);
  });

  test('both models agree on instructions and gas per function', () => {
    const a = profile(KVSTORE), b = profile(KVSTORE, '--model', 'iss');
    const strip = (p: Profile) => p.functions.map((f) => ({ name: f.name, i: f.self.instructions, g: f.self.gas, ti: f.total.instructions, tg: f.total.gas })).sort((x, y) => (x.name < y.name ? -1 : 1));
    expect(strip(a)).toEqual(strip(b));
  });

  test('the call stack follows calls, returns and a tail call; stalls land where docs/timing.md puts them', () => {
    const p = profile(callsPath);
    const f = byName(p);
    expect([...f.keys()].sort()).toEqual(['_start', 'f', 'g', 't']);
    // Instructions: counted from the source above (la is two).
    expect([f.get('_start')!.self.instructions, f.get('f')!.self.instructions, f.get('t')!.self.instructions, f.get('g')!.self.instructions]).toEqual([1 + 3 * 3 + 1 + 3, 3 * 3, 1, 5]);
    expect(f.get('_start')!.total.instructions).toBe(p.instructions);
    const st = (n: string) => f.get(n)!.self.stalls!;
    // T3: 31 per division; T5: 2 per taken branch or jump; T8: 1 per load-use.
    expect(st('f')).toEqual({ 'load-use': 0, branch: 3 * 2, divider: 3 * 31, 'bus wait': 0, 'frame switch': 0 });
    expect(st('_start')).toEqual({ 'load-use': 0, branch: (3 + 2 + 1) * 2, divider: 0, 'bus wait': 0, 'frame switch': 0 });
    expect(st('t')).toEqual({ 'load-use': 0, branch: 2, divider: 0, 'bus wait': 0, 'frame switch': 0 });
    expect(st('g')).toEqual({ 'load-use': 1, branch: 2, divider: 0, 'bus wait': 0, 'frame switch': 0 });
    // docs/timing.md, Base rule: cycles = N + 4 + the penalties, here no two overlapping.
    const penalties = p.functions.reduce((a, r) => a + Object.values(r.self.stalls!).reduce((x, y) => x + y, 0), 0);
    expect(p.cycles).toBe(p.instructions + 4 + penalties);
  });

  test('folded stacks as flamegraph.pl reads them, one sample per cycle; per instruction on the ISS', () => {
    for (const model of ['cycle', 'iss']) {
      const path = join(dir, `${model}.folded`);
      const p = profile(callsPath, '--model', model, '--folded', path);
      const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
      // flamegraph.pl: the count is the last field, the frames before it split on ';'.
      const stacks = new Map(lines.map((l) => { const m = /^(.*)\s+?(\d+(?:\.\d*)?)$/.exec(l)!; return [m[1]!, Number(m[2])]; }));
      expect([...stacks.keys()].sort()).toEqual(['_start', '_start;f', '_start;g', '_start;t']);
      const total = [...stacks.values()].reduce((a, b) => a + b, 0);
      expect(total).toBe(model === 'cycle' ? p.cycles : p.instructions);
    }
  });

  test('speedscope JSON: the structure its file format requires, weights summing to the run', () => {
    const path = join(dir, 'kv.speedscope.json');
    const p = profile(KVSTORE, '--speedscope', path);
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    const schema = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/speedscope-schema.json'), 'utf8'));
    expect(validate(schema, doc, '$')).toEqual([]);
    // The validator itself fails on a broken file.
    expect(validate(schema, { ...doc, profiles: [{ ...doc.profiles[0], unit: 'cycles' }] }, '$').length).toBeGreaterThan(0);
    const prof = doc.profiles[0];
    expect(prof.samples.length).toBe(prof.weights.length);
    expect(prof.weights.reduce((a: number, b: number) => a + b, 0)).toBe(p.cycles);
    expect(prof.endValue).toBe(p.cycles);
    for (const s of prof.samples) for (const i of s) expect(i).toBeLessThan(doc.shared.frames.length);
    const names = doc.shared.frames.map((fr: { name: string }) => fr.name);
    expect(names).toContain('[eval]');
    expect(names).toContain('handler');
  });

  test('the table lists every function with its stall columns; bad input is one line', () => {
    const r = runEvminf(['profile', callsPath]);
    expect(r.status).toBe(0);
    const text = r.stdout.toString();
    for (const c of STALLS) expect(text).toContain(c);
    for (const n of ['_start', 'f', 'g', 't']) expect(text).toMatch(new RegExp(`\\s${n}\\n`));
    for (const [args, code, msg] of [
      [['--model', 'iss', '--max-cycles', '10'], EXIT.USAGE, '--max-cycles needs the cycle model'],
      [['--folded', join(dir, 'no', 'x')], EXIT.NO_FILE, 'cannot write (ENOENT)'],
    ] as const) {
      const e = runEvminf(['profile', callsPath, ...args]);
      expect(e.status).toBe(code);
      expect(e.stderr.toString()).toMatch(new RegExp(`^evminf: [^\\n]*${msg.replace(/[()]/g, '\\$&')}[^\\n]*\\n$`));
    }
  });
});

/** The JSON Schema keywords the fixture uses: type, const, enum, required, properties, items, minimum. */
function validate(schema: Record<string, unknown>, v: unknown, at: string): string[] {
  const bad: string[] = [];
  const t = schema.type as string | undefined;
  const kind = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
  if (t !== undefined) {
    const ok = t === 'integer' ? Number.isInteger(v) : t === kind;
    if (!ok) return [`${at}: expected ${t}, got ${kind}`];
  }
  if ('const' in schema && v !== schema.const) bad.push(`${at}: expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(v)) bad.push(`${at}: ${JSON.stringify(v)} is not one of ${JSON.stringify(schema.enum)}`);
  if (typeof schema.minimum === 'number' && typeof v === 'number' && v < schema.minimum) bad.push(`${at}: below ${schema.minimum}`);
  if (kind === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of (schema.required as string[] | undefined) ?? []) if (!(k in o)) bad.push(`${at}: missing ${k}`);
    const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const [k, s] of Object.entries(props)) if (k in o) bad.push(...validate(s, o[k], `${at}.${k}`));
  }
  if (kind === 'array' && schema.items !== undefined) (v as unknown[]).forEach((x, i) => bad.push(...validate(schema.items as Record<string, unknown>, x, `${at}[${i}]`)));
  return bad;
}
