// The red-team campaign (verify/redteam/, docs/security.md): its oracle fails on known-bad
// outcomes, every kept case in test/redteam-cases/ is replayed, and a fixed-seed slice of the
// campaign runs across all kinds. A kept case marked `known` reproduces a finding not fixed
// yet: it must still fail (when it passes, the fix has landed: drop `known`), and the slice
// tolerates only violations that such a case's `pattern` matches.

import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { violations, RSS_BUDGET_BYTES } from '../verify/redteam/oracle.js';
import { differences, runProgram } from '../verify/redteam/inprocess.js';
import { runCase, scratchDir, type RedCase } from '../verify/redteam/kinds.js';
import { campaign } from '../verify/redteam/campaign.js';
import { assembleToElf } from '../isa/asm.js';

const CASES = fileURLToPath(new URL('./redteam-cases/', import.meta.url));
interface KeptCase extends RedCase { pattern?: string; violations?: string[] }
const kept: { file: string; c: KeptCase }[] = readdirSync(CASES).filter((f) => f.endsWith('.json')).sort()
  .map((f) => ({ file: f, c: JSON.parse(readFileSync(join(CASES, f), 'utf8')) as KeptCase }));
const KNOWN = kept.filter((k) => k.c.known !== undefined).map((k) => ({ file: k.file, re: new RegExp(k.c.pattern ?? '^$') }));

const ACCOMPANYING = [/exit code 1 \(internal error\)$/, /0 evminf: lines on stderr for exit 137 /];

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const scratch = scratchDir();
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('redteam oracle', () => {
  it('accepts a clean rejection and a guest exit', () => {
    expect(violations({ code: 126, stderr: 'evminf: prog.elf: malformed ELF: truncated\n' })).toEqual([]);
    expect(violations({ code: 1, stderr: '', guestExit: true })).toEqual([]);
    expect(violations({ code: 1, stderr: '', allowed: [1] })).toEqual([]);
    expect(violations({ code: 0, stderr: '', rssBytes: 50 << 20 })).toEqual([]);
    expect(violations({ code: 141, stderr: '' })).toEqual([]);
  });

  it.each([
    ['a stack trace', { code: 126, stderr: 'evminf: bad\n    at parseElf (file:///x/elf.js:3:9)\n' }, /stack trace/],
    ['a TypeError', { code: 139, stderr: "evminf: TypeError: Cannot read properties of null (reading 'u8')\n" }, /stack trace/],
    ['exit code 1', { code: 1, stderr: 'evminf: something\n' }, /exit code 1/],
    ['two error lines', { code: 127, stderr: 'evminf: a\nevminf: b\n' }, /2 evminf: lines/],
    ['no error line', { code: 126, stderr: '' }, /0 evminf: lines/],
    ['a broken pipe that talks', { code: 141, stderr: 'evminf: EPIPE\n' }, /broken pipe\) printed 1 evminf: lines/],
    ['a line that is not ours', { code: 2, stderr: 'evminf: bad option\nUsage: ...\n' }, /not starting evminf/],
    ['an undocumented exit code', { code: 77, stderr: '' }, /not documented/],
    ['RSS over the budget', { code: 0, stderr: '', rssBytes: RSS_BUDGET_BYTES + 1 }, /RSS/],
    ['a kill', { code: 137, stderr: '', signal: 'SIGKILL' }, /killed by SIGKILL/],
    ['a hang', { code: 137, stderr: '', signal: 'timeout' }, /hang/],
  ])('rejects %s', (_, o, re) => {
    const v = violations(o);
    expect(v.length).toBeGreaterThan(0);
    expect(v.join('\n')).toMatch(re);
  });

  it('sees a difference between two runs', () => {
    const elf = assembleToElf('_start:\n\tli a0, 5\n\tli a7, 93\n\tecall\n');
    const a = runProgram(elf, 'iss', { maxInstructions: 100 }), b = runProgram(elf, 'cycle', { maxInstructions: 100 });
    expect(differences(a, b, 'iss', 'cycle')).toEqual([]);
    expect(differences(a, { ...b, gas: b.gas! + 1 }, 'iss', 'cycle')).toEqual([expect.stringMatching(/differ in gas/)]);
    expect(differences(a, { ...b, output: 'ff' }, 'iss', 'cycle')).toEqual([expect.stringMatching(/differ in output/)]);
  });

  it('sees a changed canary and a failed guest check', async () => {
    const src = (body: string): string => `\t.text\n\t.globl _start\n_start:\n${body}\n\tli a7, 93\n\tecall\n\t.data\ncanary0:\t.skip 64, 0xa5\n`;
    const guest = (body: string): RedCase => ({
      kind: 'guest', seed: 0, what: 'oracle self-test', files: { 'prog.S': b64(src(body)) }, target: 'program', program: 'prog.S',
      options: { maxInstructions: 1000 }, canaries: ['canary0'], spawn: false,
    });
    const dir = scratch;
    expect((await runCase(guest('\tli a0, 0'), dir)).violations).toEqual([]);
    const wrote = await runCase(guest('\tla t0, canary0\n\tsw zero, 60(t0)\n\tli a0, 0'), dir);
    expect(wrote.violations.join('\n')).toMatch(/canary canary0 .* changed/);
    const failed = await runCase(guest('\tli a0, 99'), dir);
    expect(failed.violations.join("\n")).toMatch(/own check failed \(oracle self-test/);
  });
});

describe('kept red-team cases (test/redteam-cases/)', () => {
  it('has its cases well formed', () => {
    for (const { file, c } of kept) {
      expect(file).toBe(`${c.kind}-${c.seed}.json`);
      if (c.known !== undefined) expect(c.pattern, `${file}: a known case names the violation it reproduces`).toBeTruthy();
    }
  });

  it.each(kept.length > 0 ? kept.map((k) => [k.file, k.c] as const) : [['(none)', null] as const])('replays %s', async (file, c) => {
    if (c === null) return;
    const r = await runCase(c, scratch);
    if (c.known === undefined) expect(r.violations, file).toEqual([]);
    else {
      // Still broken: the finding it records is open. When this fails, the fix has landed.
      expect(r.violations.some((v) => new RegExp(c.pattern!).test(v)), `${file} no longer reproduces "${c.known}": drop "known"`).toBe(true);
    }
  }, 300_000);
});

describe('a fixed-seed slice of the campaign', () => {
  it('finds no violation but the known ones, across all kinds', async () => {
    const s = await campaign({ count: 200, seed: 20261201, keep: null });
    if (process.env.CI === 'true') expect(s.cCorpus, 'riscv64-unknown-elf-gcc is needed for the C corpus under CI').toBe(true);
    else if (!s.cCorpus) console.warn('redteam slice: riscv64-unknown-elf-gcc not found, mutating the assembler\'s ELFs only');
    expect(Object.keys(s.byKind).sort()).toEqual(['asm', 'cli', 'elf', 'guest', 'trace']);
    // A failure is a known one when a kept case's pattern matches one of its lines and every
    // other line is one of those that come with it (an internal error's exit 1, a killed
    // process's missing error line).
    const unknown = s.failures.filter((f) => !(f.violations.some((v) => KNOWN.some((k) => k.re.test(v)))
      && f.violations.every((v) => KNOWN.some((k) => k.re.test(v)) || ACCOMPANYING.some((re) => re.test(v)))))
      .map((f) => `${f.kind} seed ${f.seed} (${f.what.slice(0, 80)}): ${f.violations.join('; ')}`);
    expect(unknown).toEqual([]);
  }, 600_000);
});
