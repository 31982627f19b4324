// The kinds of hostile input, each as a generator (seed → case) and a runner (case → the
// promises it broke). A case is plain data — its files in base64 and what to do with them — so
// a failing one is written to disk as JSON and replayed by test/redteam.test.ts.
//
// In process (library calls, errors classified as the CLI does) every case runs on both models
// and twice; a representative subset is also run through the spawned CLI and must give the same
// exit code and output. The CLI-misuse kind always spawns.

import { lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble, assembleToElf } from '../../isa/asm.js';
import type { ModelKind } from '../../cpu/machine.js';
import { EXIT } from '../../cpu/exit-codes.js';
import { PSET_DEFINED } from '../../cpu/perm.js';
import type { LoadedProgram } from '../../cpu/program.js';
import { vcdDiff } from '../../waveforms/vcddiff.js';
import { openRvfiSource } from '../../waveforms/rvfi-source.js';
import { equivRvfi } from '../rvfi-equiv.js';
import { equivQemu } from '../qemu.js';
import type { EquivResult } from '../report.js';
import { classify, violations, type Observation } from './oracle.js';
import { differences, runProgram, type ModelOutcome, type ProgramOptions } from './inprocess.js';
import { mutateElf, mutateText, NASTY_NUMBERS, Rng, type TextFlavour } from './mutate.js';
import { GUEST_FAIL, guestProgram, type GuestAttack } from './guest.js';
import { spawnCli } from './spawn.js';
import type { Seed, TextSeed } from './corpus.js';

export type Kind = 'elf' | 'asm' | 'trace' | 'guest' | 'cli';
export const KINDS: readonly Kind[] = ['elf', 'asm', 'trace', 'guest', 'cli'];

/** One hostile input and what to do with it. */
export interface RedCase {
  kind: Kind;
  seed: number;
  /** What the input is, in a few words (its seed input and the mutation). */
  what: string;
  /** name → contents (base64); written into the case's working directory. */
  files: Record<string, string>;
  /** elf/asm/guest: run the program; trace: which reader; cli: spawn only. */
  target: 'program' | 'asm' | 'vcd' | 'rvfi' | 'qemu-log' | 'cli';
  /** The program, for target program/asm and the trace readers (file name in `files`). */
  program?: string;
  options?: ProgramOptions;
  /** Guest programs: labels of bytes no frame may change. */
  canaries?: readonly string[];
  /** Also spawn the CLI and compare (always for cli). */
  spawn: boolean;
  /** Only through the spawned CLI: in process it would exhaust the campaign itself. */
  spawnOnly?: boolean;
  /** cli: argv and where stdout goes. */
  argv?: string[];
  stdout?: 'capture' | 'closed-pipe' | '/dev/full' | '/dev/null';
  /** Directories and symlinks the cli case needs in its working directory. */
  dirs?: string[];
  links?: [string, string][];
  /** A known finding this case reproduces (set by hand in test/redteam-cases/). */
  known?: string;
}

export interface CaseResult {
  code: number;
  violations: string[];
}

/** What a campaign run mutates. */
export interface Corpus {
  elves: readonly Seed[];
  sources: readonly TextSeed[];
  /** Trace seeds: the program (an ELF) and its traces. */
  traceElf: Uint8Array;
  /** A waveform of a short program (for vcd diff), and the trace program's RVFI and QEMU traces. */
  traces: { vcd: string; rvfi: string; rvfiVcd: string; qemu: string };
}

const b64 = (b: Uint8Array | string): string => Buffer.from(b).toString('base64');
const unb64 = (s: string): Buffer => Buffer.from(s, 'base64');
const MAX_INSTRUCTIONS = 10_000;

/** The memory budget the exhaustion attack runs under in process. */
const EXHAUST_BUDGET = 64 * 2 ** 20;

/** Spawn the CLI for about one case in `SPAWN_EVERY` of the in-process kinds. */
export const SPAWN_EVERY = 100;

export function generate(kind: Kind, seed: number, c: Corpus): RedCase {
  const rng = new Rng(seed);
  const spawn = rng.below(SPAWN_EVERY) === 0;
  switch (kind) {
    case 'elf': {
      const s = rng.pick(c.elves);
      let bytes = s.bytes, what = s.name;
      for (let i = rng.chance(0.2) ? 2 + rng.below(3) : 1; i > 0; i--) { const m = mutateElf(bytes, rng); bytes = m.bytes; what += `; ${m.what}`; }
      return { kind, seed, what, files: { 'prog.elf': b64(bytes) }, target: 'program', program: 'prog.elf', options: { maxInstructions: MAX_INSTRUCTIONS, translateAll: rng.chance(0.5) }, spawn };
    }
    case 'asm': {
      const s = rng.pick(c.sources);
      let text = s.text, what = s.name;
      let huge = false;
      if (rng.chance(0.08)) { const g = hugeSource(rng); text = g.text; what = g.what; huge = true; }
      else for (let i = rng.chance(0.3) ? 2 + rng.below(4) : 1; i > 0; i--) { const m = mutateText(text, rng, 'asm'); text = m.text; what += `; ${m.what}`; }
      // A huge source is also a host-memory attack: the spawned CLI's RSS is measured, and a huge
      // .space runs only there.
      const spawnOnly = huge && what === 'huge .space' ? true : undefined;
      return { kind, seed, what, files: { 'prog.S': b64(text) }, target: 'asm', program: 'prog.S', options: { maxInstructions: MAX_INSTRUCTIONS }, spawn: spawn || (huge && rng.chance(0.3)) || spawnOnly === true, spawnOnly };
    }
    case 'trace': {
      const which = rng.pick(['vcd', 'rvfi', 'rvfi-vcd', 'qemu-log'] as const);
      const [name, text, flavour]: [string, string, TextFlavour] = which === 'vcd' ? ['b.vcd', c.traces.vcd, 'vcd']
        : which === 'rvfi' ? ['trace.jsonl', c.traces.rvfi, 'json'] : which === 'rvfi-vcd' ? ['trace.vcd', c.traces.rvfiVcd, 'vcd'] : ['qemu.log', c.traces.qemu, 'qemu'];
      let t = text, what = which;
      for (let i = rng.chance(0.3) ? 2 + rng.below(4) : 1; i > 0; i--) { const m = mutateText(t, rng, flavour); t = m.text; what += `; ${m.what}`; }
      const files: Record<string, string> = { [name]: b64(t), 'prog.elf': b64(c.traceElf) };
      if (which === 'vcd') files['a.vcd'] = b64(c.traces.vcd);
      return { kind, seed, what, files, target: which === 'vcd' ? 'vcd' : which === 'qemu-log' ? 'qemu-log' : 'rvfi', program: 'prog.elf', spawn };
    }
    case 'guest': {
      // Exhaustion is spawned only: in process it would exhaust the campaign itself.
      // Recursion to depth 1024 costs ten times the others: it gets a smaller share. Exhaustion
      // runs in process under a 64 MiB memory budget; the spawned CLI (default budget, 4 GiB)
      // measures the host's RSS for a sample of them.
      const attack: GuestAttack = rng.below(200) === 0 ? 'exhaust' : rng.pick(['race', 'race', 'nested', 'nested', 'slices', 'slices', 'perm', 'perm', 'recursion'] as const);
      const g = guestProgram(rng, attack);
      return {
        kind, seed, what: `${attack}: ${g.what}`, files: { 'prog.S': b64(g.source) }, target: 'program', program: 'prog.S',
        options: {
          pset: g.pset, gas: g.gas, maxInstructions: attack === 'recursion' || attack === 'exhaust' ? 2_000_000 : 200_000, translateAll: rng.chance(0.5),
          memLimit: attack === 'exhaust' ? EXHAUST_BUDGET : undefined,
        },
        canaries: g.canaries, spawn: attack === 'exhaust' ? rng.below(10) === 0 : spawn,
      };
    }
    case 'cli': return cliCase(rng, seed);
  }
}

/** Sources that stress the assembler's size handling: many statements, deep nesting, huge literals. */
function hugeSource(rng: Rng): { text: string; what: string } {
  const n = 2000 + rng.below(60_000);
  switch (rng.below(5)) {
    case 0: return { text: '\t.text\n_start:\n' + '\taddi a0, a0, 1\n'.repeat(n) + '\tli a7, 93\n\tecall\n', what: `${n} statements` };
    case 1: { const d = 100 + rng.below(20_000); return { text: `\t.equ X, ${'('.repeat(d)}1${')'.repeat(d)}\n_start:\n\tli a0, X\n`, what: `expression nested ${d} deep` }; }
    case 2: return { text: `_start:\n\tli a0, ${'9'.repeat(n)}\n`, what: `${n}-digit literal` };
    case 3: return { text: `\t.data\nx:\t.space ${rng.pick(['0x7fffffff', '0xffffffff', '4294967296', '0x10000000', '-1'])}\n\t.text\n_start:\n\tnop\n`, what: 'huge .space' };
    default: { const d = 100 + rng.below(5000); return { text: `\t.equ X, ${'-'.repeat(d)}1\n_start:\n\tli a0, ${'1+'.repeat(d)}1\n`, what: `${d} unary operators` }; }
  }
}

/** A bad number for an option: negative, NaN, huge, hex, fractional, empty. */
function badNumber(rng: Rng): string {
  return rng.pick(['-1', 'NaN', '1e99', '0x10', '99999999999999999999', '1.5', '', 'abc', 'Infinity', '-0', '1e3', '4294967296', '9007199254740993', ' 7', '0b11', String(rng.pick(NASTY_NUMBERS))]);
}

/** `isolation --count N` runs N cases: a huge N is a long run by request, not a hang. */
const bounded = (opt: readonly string[], v: string): string => (opt[0] === 'isolation' && opt[1] === '--count' && Number(v) > 100 ? '-1' : v);

const OK_SOURCE = '\t.text\n\t.globl _start\n_start:\n\tli a0, 1\n\tla a1, s\n\tli a2, 3\n\tli a7, 64\n\tecall\n\tli a0, 0\n\tli a7, 93\n\tecall\n\t.data\ns:\t.ascii "ok\\n"\n';

function cliCase(rng: Rng, seed: number): RedCase {
  const files: Record<string, string> = { 'ok.S': b64(OK_SOURCE), 'ok.elf': b64(assembleToElf(OK_SOURCE)), 'empty.S': '', 'q.log': b64('garbage\n') };
  // Special files are reached through symlinks in the case's directory: evminf writes some
  // outputs to a temporary name and renames it, which (as root) would replace /dev/null itself.
  const out = (): string => rng.pick(['devfull', 'devnull', '.', 'dir', 'dangling', 'linkdir', 'nodir/x.out', '', 'procversion', 'ok.S/x']);
  const numOpt = rng.pick([['run', 'ok.S', '--max-instructions'], ['run', 'ok.S', '--max-cycles'], ['run', 'ok.S', '--stack-size'], ['run', 'ok.S', '--pset'],
    ['run', 'ok.S', '--gas'], ['run', 'ok.S', '--vcd', 'w.vcd', '--vcd-from'], ['run', 'ok.S', '--vcd', 'w.vcd', '--vcd-to'], ['isolation', '--count'],
    ['fuzz', '--print', '--seed'], ['fuzz', '--print', '--items'], ['equiv', 'ok.S', '--qemu-log', 'q.log', '--context'], ['equiv', 'ok.S', '--qemu-log', 'q.log', '--max-instructions'],
    ['equiv', 'ok.S', '--rvfi', 'ok.S', '--sp'], ['step', 'ok.S', '--script', 'ok.S', '--max-cycles'], ['isolation', '--count', '1', '--seed']]);
  const choices: (() => { argv: string[]; stdout?: RedCase['stdout']; what: string })[] = [
    () => { const v = bounded(numOpt, badNumber(rng)); return { argv: [...numOpt, v], what: `${numOpt.join(' ')} ${JSON.stringify(v)}` }; },
    () => { const v = bounded(numOpt, badNumber(rng)); return { argv: [...numOpt, `--${numOpt[numOpt.length - 1]!.replace(/^--/, '')}=${v}`].filter((_, i, a) => i !== a.length - 2), what: `= form ${v}` }; },
    () => { const o = out(); const w = rng.pick([['asm', 'ok.S', '-o'], ['run', 'ok.S', '--vcd'], ['run', 'ok.S', '--rvfi'], ['run', 'ok.S', '--log-commits'], ['run', 'ok.S', '--trace-pipeline']]);
      return { argv: w[2] === '--trace-pipeline' ? [...w.slice(0, 2), `--trace-pipeline=${o}`] : [...w, o], what: `${w.join(' ')} to ${JSON.stringify(o)}` }; },
    () => { const a = rng.pick([['run', 'ok.S'], ['run', 'ok.S', '--json'], ['run', 'ok.S', '--stats'], ['disasm', 'ok.elf'], ['fuzz', '--print'], ['run', 'ok.S', '--trace-pipeline'], ['--help'], ['run', 'ok.S', '--model', 'iss', '--rvfi', '-']]);
      const s = rng.pick(['/dev/full', 'closed-pipe'] as const); return { argv: a, stdout: s, what: `${a.join(' ')} with stdout ${s}` }; },
    () => { const a = rng.pick([['run', 'missing.elf'], ['run', '.'], ['run', 'dir'], ['run', 'dirS.S'], ['disasm', '/dev/null'], ['run', 'empty.S'], ['run', '/dev/null'],
      ['equiv', 'ok.S', '--qemu-log', 'missing.log'], ['equiv', 'ok.S', '--rvfi', 'dir'], ['equiv', 'ok.S', '--rvfi', 'missing.jsonl'], ['vcd', 'diff', 'missing.vcd', 'ok.S'],
      ['vcd', 'diff', 'dir', 'dir'], ['vcd', 'diff', 'ok.S', 'ok.S', '--map', 'missing'], ['step', 'ok.S', '--script', 'missing'], ['run', 'dangling'], ['asm', 'dir', '-o', 'x.elf'],
      ['run', '/dev/zero'], ['disasm', '/proc/self/status'], ['run', 'ok.S/x']]); return { argv: a, what: a.join(' ') }; },
    () => { const a = rng.pick([['nope'], [], ['run'], ['run', 'ok.S', '--nope'], ['run', 'ok.S', '--model', 'gpu'], ['vcd', 'merge', 'a', 'b'], ['asm', 'ok.S'], ['run', 'ok.S', '--inject-fault', 'x:y'],
      ['run', 'ok.S', '--vcd'], ['run', 'ok.S', '--vcd-scope', 'evm.core'], ['equiv', 'ok.S', '--ref', 'spike'], ['equiv', 'ok.S', '--rvfi', 'ok.S', '--ignore', 'bogus'], ['run', 'ok.S', '--vcd', 'w.vcd', '--vcd-from', '9', '--vcd-to', '3'],
      ['run', 'ok.S', '--max-instructions', '1', '--max-instructions', '2'], ['run', '--', '-x.S'], ['run', 'ok.S', '--trace-pipeline', '--model', 'iss']]); return { argv: a, what: a.join(' ') || '(no arguments)' }; },
  ];
  const c = rng.pick(choices)();
  return {
    kind: 'cli', seed, what: c.what, files, target: 'cli', spawn: true, argv: c.argv, stdout: c.stdout ?? 'capture',
    dirs: ['dir', 'dirS.S'], links: [['dangling', 'nowhere/at/all'], ['linkdir', 'dir'], ['devfull', '/dev/full'], ['devnull', '/dev/null'], ['procversion', '/proc/version']],
  };
}

/** Materialise a case's files in a fresh directory. */
function caseDir(c: RedCase, base: string): string {
  const d = mkdtempSync(join(base, `${c.kind}-`));
  for (const [n, v] of Object.entries(c.files)) writeFileSync(join(d, n), unb64(v));
  for (const n of c.dirs ?? []) mkdirSync(join(d, n), { recursive: true });
  for (const [n, t] of c.links ?? []) symlinkSync(t, join(d, n));
  return d;
}

const MODELS: readonly ModelKind[] = ['iss', 'cycle'];

/** Canary bytes and the code ROM of a guest program, before and after its run. */
function guard(elfSource: string, labels: readonly string[]): { inspect: (p: LoadedProgram, phase: 'before' | 'after') => void; broken: string[] } {
  const syms = assemble(elfSource).symbols;
  const spans = labels.map((l) => ({ l, at: syms.get(l)!.value, n: 64 }));
  const broken: string[] = [];
  let before: Uint8Array[] = [], code: Uint8Array | null = null;
  return {
    broken,
    inspect: (p, phase) => {
      const now = spans.map((s) => p.mem.peek(s.at, s.n) ?? new Uint8Array(0));
      const rom = p.mem.regions.filter((r) => r.kind === 'code').map((r) => Buffer.from(r.u8).toString('hex')).join();
      if (phase === 'before') { before = now; code = Buffer.from(rom); return; }
      spans.forEach((s, i) => { if (Buffer.compare(before[i]!, now[i]!) !== 0) broken.push(`canary ${s.l} at 0x${s.at.toString(16)} changed (a frame wrote outside its slices)`); });
      if (Buffer.compare(code!, Buffer.from(rom)) !== 0) broken.push('the code ROM changed');
    },
  };
}

/** Run the program of an elf/asm/guest case on both models, twice, and check everything. */
function programCase(c: RedCase): { code: number; v: string[]; outcome: ModelOutcome | null } {
  const v: string[] = [];
  let elf: Uint8Array;
  const src = unb64(c.files[c.program!]!);
  if (c.target === 'asm' || c.program!.endsWith('.S')) {
    let again: Uint8Array | null = null;
    try {
      elf = assembleToElf(src.toString('utf8'), { file: c.program });
      again = assembleToElf(src.toString('utf8'), { file: c.program });
    } catch (e) {
      const k = classify(e);
      v.push(...violations({ code: k.code, stderr: k.stderr }));
      if (c.kind === 'guest') v.push(`the generated program does not assemble: ${k.stderr.trim()}`);
      return { code: k.code, v, outcome: null };
    }
    if (Buffer.compare(Buffer.from(elf), Buffer.from(again)) !== 0) v.push('assembling twice gives different ELFs');
  } else elf = src;
  const outs: ModelOutcome[] = [];
  for (const m of MODELS) {
    const g = c.canaries ? guard(src.toString('utf8'), c.canaries) : null;
    const o = runProgram(elf, m, c.options!, g?.inspect);
    outs.push(o);
    if (g) v.push(...g.broken.map((b) => `${m}: ${b}`));
    v.push(...violations({ code: o.code, stderr: o.stderr, guestExit: o.guestExit }).map((x) => `${m}: ${x}`));
    if (c.kind === 'guest' && o.guestExit && o.code === GUEST_FAIL) v.push(`${m}: the guest's own check failed (${c.what.split(':')[0]}, exit ${GUEST_FAIL}): a frame observed what it must not`);
  }
  v.push(...differences(outs[0]!, outs[1]!, 'iss', 'cycle'));
  // A repeated run gives the same result (the ISS's block cache and gas table are per model).
  const again = runProgram(elf, 'iss', c.options!);
  v.push(...differences(outs[0]!, again, 'iss', 'iss repeated'));
  return { code: outs[0]!.code, v: [...new Set(v)], outcome: outs[0]! };
}

/** Comparable fields of an equivalence result. */
const equivKey = (r: EquivResult): string => JSON.stringify({ equal: r.equal, limited: r.limited, n: r.instructions, d: r.divergence?.index ?? null, reason: r.divergence?.reason ?? null });
const equivCode = (r: EquivResult): number => (r.equal ? 0 : r.limited ? EXIT.LIMIT : 1);

async function traceCase(c: RedCase, dir: string): Promise<{ code: number; v: string[]; key: string }> {
  const elf = unb64(c.files['prog.elf']!);
  const once = async (model: ModelKind): Promise<{ code: number; stderr: string; key: string }> => {
    try {
      if (c.target === 'vcd') {
        const r = await vcdDiff(join(dir, 'a.vcd'), join(dir, 'b.vcd'));
        return { code: r.equal ? 0 : 1, stderr: '', key: JSON.stringify(r) };
      }
      const r = c.target === 'rvfi'
        ? equivRvfi(elf, await openRvfiSource(join(dir, Object.keys(c.files).find((n) => n.startsWith('trace'))!)), 'trace', { model, maxInstructions: 100_000, context: 4 })
        : await equivQemu(elf, { model, log: join(dir, 'qemu.log'), maxInstructions: 100_000, context: 4 });
      return { code: equivCode(r), stderr: '', key: equivKey(r) };
    } catch (e) {
      const k = classify(e);
      return { code: k.code, stderr: k.stderr, key: `error ${k.code} ${k.stderr}` };
    }
  };
  const v: string[] = [];
  const a = await once('iss');
  v.push(...violations({ code: a.code, stderr: a.stderr, allowed: [1] }));
  if (c.target !== 'vcd') {
    const b = await once('cycle');
    if (b.key !== a.key) v.push(`iss and cycle models give different verdicts: ${a.key.slice(0, 120)} vs ${b.key.slice(0, 120)}`);
  }
  const r = await once('iss');
  if (r.key !== a.key) v.push('a repeated check gives a different verdict');
  return { code: a.code, v, key: a.key };
}

/** The CLI's argv for the in-process part of a case (the representative spawned subset). */
function cliArgsFor(c: RedCase): string[] {
  const o = c.options;
  const common = o ? ['--max-instructions', String(o.maxInstructions), ...(o.pset !== undefined ? ['--pset', String(o.pset & PSET_DEFINED)] : []), ...(o.gas !== undefined ? ['--gas', String(o.gas)] : [])] : [];
  switch (c.target) {
    case 'program': case 'asm': return ['run', c.program!, '--model', 'iss', '--json', ...common];
    case 'vcd': return ['vcd', 'diff', 'a.vcd', 'b.vcd', '--json'];
    case 'rvfi': return ['equiv', 'prog.elf', '--rvfi', Object.keys(c.files).find((n) => n.startsWith('trace'))!, '--json', '--max-instructions', '100000', '--context', '4'];
    case 'qemu-log': return ['equiv', 'prog.elf', '--qemu-log', 'qemu.log', '--json', '--max-instructions', '100000', '--context', '4'];
    case 'cli': return c.argv!;
  }
}

/** Run one case and check every promise. `scratch` is where working directories go. */
export async function runCase(c: RedCase, scratch: string): Promise<CaseResult> {
  const needDir = c.spawn || c.target === 'vcd' || c.target === 'rvfi' || c.target === 'qemu-log' || c.target === 'cli';
  const dir = needDir ? caseDir(c, scratch) : null;
  try {
    const v: string[] = [];
    let code = 0;
    let expect: { code: number; stdout: string | null } | null = null;
    if (c.target === 'program' || c.target === 'asm') {
      if (!c.spawnOnly) {
        const r = programCase(c);
        v.push(...r.v);
        code = r.code;
        expect = { code: r.code, stdout: r.outcome?.stdout ?? null };
      }
    } else if (c.target !== 'cli') {
      const r = await traceCase(c, dir!);
      v.push(...r.v);
      code = r.code;
      expect = { code: r.code, stdout: null };
    }
    if (c.spawn) {
      const args = cliArgsFor(c);
      const s = await spawnCli(args, { cwd: dir!, stdout: c.stdout === 'closed-pipe' ? 'closed-pipe' : c.stdout === '/dev/full' || c.stdout === '/dev/null' ? { path: c.stdout } : 'capture' });
      const json = args.includes('--json') && c.target !== 'cli';
      let guestExit = false, reported = false, stdout: string | null = null;
      if (json && s.stdout.length > 0) {
        try {
          const j = JSON.parse(s.stdout.toString('utf8')) as { stopReason?: string; stdout?: string };
          guestExit = j.stopReason === 'exit';
          // A finished run reports how it stopped inside the JSON object, not on stderr.
          reported = true;
          stdout = j.stdout ?? null;
        } catch { v.push(`cli: --json output is not one JSON object: ${JSON.stringify(s.stdout.toString('utf8').slice(0, 80))}`); }
      }
      const obs: Observation = { code: s.code, stderr: s.stderr, signal: s.signal, rssBytes: s.rssBytes, guestExit: guestExit || (reported && s.stderr === ''), allowed: c.target === 'program' || c.target === 'asm' ? [] : [1] };
      v.push(...violations(obs).map((x) => `cli: ${x}`));
      // An output named by a symlink is written through it (a special file stays special).
      for (const [n, t] of c.links ?? []) {
        let link = false;
        try { link = lstatSync(join(dir!, n)).isSymbolicLink(); } catch { /* removed */ }
        if (!link) v.push(`cli: the output replaced the symlink ${n} (to ${t}) instead of writing through it`);
      }
      // Exhaustion runs under a smaller budget in process, so only the spawned run's own checks apply.
      if (expect !== null && s.signal === null && c.options?.memLimit === undefined) {
        if (s.code !== expect.code) v.push(`cli exit ${s.code} but the library gives ${expect.code} (evminf ${args.join(' ')})`);
        if (expect.stdout !== null && stdout !== null && stdout !== expect.stdout) v.push('cli guest stdout differs from the library run');
      }
      if (expect === null) code = s.code;
    }
    return { code, violations: [...new Set(v)] };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** The working-directory root for a campaign. */
export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'evminf-redteam-'));
}
