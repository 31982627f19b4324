// evminf equiv, fuzz and vcd diff: equivalence with outside references (STYLE.md convention 9).
//
// Exit codes (docs/rtl-testbench.md): 0 equal to the end; 1 a divergence (the first one is
// printed); 2 bad command line; 124 the instruction limit was reached while still equal; 126 a
// malformed ELF, assembly source, QEMU log, RVFI trace or VCD, or QEMU could not run the
// program; 127 an input file, or QEMU itself, is missing.

import type { Argv, CommandModule } from 'yargs';
import { assembleToElf } from '../isa/asm.js';
import { randomProgram } from '../verify/randprog.js';
import { TABLE } from '../isa/table.js';
import { MODEL_KINDS, type ModelKind } from '../cpu/machine.js';
import { DEFAULT_STACK_SIZE } from '../cpu/program.js';
import { VcdError } from '../waveforms/vcdread.js';
import { readNameMap, vcdDiff } from '../waveforms/vcddiff.js';
import { fuzz, type FuzzFailure } from '../verify/fuzz.js';
import { DEFAULT_MAX_INSTRUCTIONS, equivQemu, QemuError, QemuLogError } from '../verify/qemu.js';
import { formatResult, resultJson, type EquivResult } from '../verify/report.js';
import { FaultSpecError, parseFault, type FaultSpec } from '../waveforms/retire.js';
import { TraceError, RVFI_FIELDS } from '../waveforms/rvfi.js';
import { equivRvfi } from '../verify/rvfi-equiv.js';
import { openRvfiSource } from '../waveforms/rvfi-source.js';
import { out, readInput } from './io.js';
import { EXIT } from '../cpu/exit-codes.js';
import { UserError } from './user-error.js';

/** Exit code of a divergence (and of a failed fuzz run or an unequal vcd diff). */
export const EXIT_DIVERGED = 1;



/** An ELF image from an ELF file or, for .S/.s, from assembling it. */
export function programElf(path: string): Uint8Array {
  const bytes = readInput(path);
  return /\.s$/i.test(path) ? assembleToElf(bytes.toString('utf8'), { file: path }) : bytes;
}

function fault(spec: string | undefined): FaultSpec | null {
  if (spec === undefined) return null;
  try {
    return parseFault(spec);
  } catch (e) {
    if (e instanceof FaultSpecError) throw new UserError(e.message, EXIT.USAGE);
    throw e;
  }
}

/** Turn the errors a user can cause into one-line UserErrors with their exit codes. */
async function userErrors<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof QemuError) throw new UserError(e.message, e.missing ? EXIT.NO_FILE : EXIT.BAD_INPUT);
    if (e instanceof QemuLogError || e instanceof TraceError || e instanceof VcdError) throw new UserError(e.message, EXIT.BAD_INPUT);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      throw new UserError(`${(e as NodeJS.ErrnoException).path ?? 'input'}: ${code === 'ENOENT' ? 'no such file' : 'cannot read'}`, EXIT.NO_FILE);
    }
    throw e;
  }
}

interface EquivArgs {
  program: string;
  ref: string;
  model: ModelKind;
  rvfi?: string;
  clock?: string;
  prefix?: string;
  ignore?: string;
  partial: boolean;
  qemu?: string;
  'qemu-log'?: string;
  'inject-fault'?: string;
  'max-instructions'?: number;
  'stack-size': number;
  sp?: string;
  context: number;
  json: boolean;
}

function parseIgnore(s: string | undefined): Set<string> {
  const set = new Set<string>();
  for (const f of (s ?? '').split(',').map((x) => x.trim().replace(/^rvfi_/, '')).filter((x) => x !== '')) {
    if (!(RVFI_FIELDS as readonly string[]).includes(f)) throw new UserError(`--ignore: no RVFI field ${f}`, EXIT.USAGE);
    set.add(f);
  }
  return set;
}

async function cmdEquiv(a: EquivArgs): Promise<number> {
  checkCounts(a as unknown as Record<string, unknown>, ['context', 'max-instructions', 'stack-size']);
  const elf = programElf(a.program);
  const common = { model: a.model, fault: fault(a['inject-fault']), maxInstructions: a['max-instructions'], stackSize: a['stack-size'], context: a.context };
  const r: EquivResult = await userErrors(async () => {
    if (a.rvfi !== undefined) {
      const ignore = parseIgnore(a.ignore);
      const src = await openRvfiSource(a.rvfi, { clock: a.clock, prefix: a.prefix, ignore });
      const sp = a.sp === undefined ? undefined : Number(a.sp);
      if (sp !== undefined && (!Number.isInteger(sp) || sp < 0 || sp > 0xffffffff)) throw new UserError(`--sp ${a.sp}: not an address`, EXIT.USAGE);
      return equivRvfi(elf, src, a.rvfi, { ...common, ignore, partial: a.partial, sp });
    }
    if (a.ref !== 'qemu') throw new UserError(`--ref ${a.ref}: the reference is qemu (or an RTL trace with --rvfi)`, EXIT.USAGE);
    return equivQemu(elf, { ...common, qemu: a.qemu, log: a['qemu-log'] });
  });
  if (a.json) out(1, JSON.stringify(resultJson(r)) + '\n');
  else out(1, formatResult(r));
  if (r.equal) return 0;
  return r.limited ? EXIT.LIMIT : EXIT_DIVERGED;
}

interface FuzzArgs {
  count: number;
  seed: number;
  model: ModelKind;
  items: number;
  qemu?: string;
  'inject-fault'?: string;
  print: boolean;
  json: boolean;
}

const reproduce = (f: FuzzFailure, a: FuzzArgs): string =>
  `evminf fuzz --count 1 --seed ${f.seed} --model ${a.model}${a.items !== 120 ? ` --items ${a.items}` : ''}${a['inject-fault'] ? ` --inject-fault ${a['inject-fault']}` : ''}`;

async function cmdFuzz(a: FuzzArgs): Promise<number> {
  checkCounts(a as unknown as Record<string, unknown>, ['count', 'seed', 'items']);
  if (a.print) {
    out(1, randomProgram(a.seed, { items: a.items }).source);
    return 0;
  }
  const tty = !a.json && process.stderr.isTTY === true;
  const s = await userErrors(() => fuzz({
    count: a.count, seed: a.seed, model: a.model, items: a.items, qemu: a.qemu, fault: fault(a['inject-fault']),
    onProgress: tty ? (done, failed) => out(2, `\r\x1b[K[${done}/${a.count}] ${failed} failed`) : undefined,
    onFailure: a.json ? undefined : (f) => {
      if (tty) out(2, '\r\x1b[K');
      out(1, `seed ${f.seed}: ${formatResult(f.result)}  reproduce: ${reproduce(f, a)}\n  the program: evminf fuzz --print --seed ${f.seed}${a.items !== 120 ? ` --items ${a.items}` : ''} > prog.S\n`);
    },
  }));
  if (tty) out(2, '\r\x1b[K');
  const missing = TABLE.filter((r, i) => (r.ext === 'I' || r.ext === 'M') && s.coverage[i] === 0).map((r) => r.name);
  if (a.json) {
    out(1, JSON.stringify({
      programs: s.programs, passed: s.programs - s.failed, failed: s.failed, model: a.model, seed: a.seed, instructions: s.instructions, seconds: s.seconds,
      uncovered: missing,
      failures: s.failures.map((f) => ({
        seed: f.seed, reproduce: reproduce(f, a), index: f.result.divergence?.index ?? null, pc: f.result.divergence?.pc ?? null,
        reason: f.result.divergence?.reason ?? null, diffs: f.result.divergence?.diffs ?? [],
      })),
    }) + '\n');
  } else {
    out(1, `evminf fuzz: ${s.programs} programs (seeds ${a.seed}..${a.seed + a.count - 1}), ${s.failed} failed, ${s.instructions} instructions compared with qemu-riscv32 (${a.model} model, ${s.seconds.toFixed(1)} s)\n`);
    if (missing.length > 0 && a.count >= 8) out(1, `evminf fuzz: rows never generated: ${missing.join(' ')}\n`);
  }
  return s.failed === 0 ? 0 : EXIT_DIVERGED;
}

interface VcdDiffArgs {
  a: string;
  b: string;
  map?: string;
  'only-mapped': boolean;
  json: boolean;
}

async function cmdVcdDiff(a: VcdDiffArgs): Promise<number> {
  for (const p of [a.a, a.b]) readInput(p);
  const r = await userErrors(() => vcdDiff(a.a, a.b, { map: a.map === undefined ? undefined : readNameMap(a.map), onlyMapped: a['only-mapped'] }));
  if (a.json) {
    out(1, JSON.stringify(r) + '\n');
  } else {
    const f = r.first;
    if (f === null) out(1, `evminf vcd diff: equal: ${r.signals} signals over ${r.times} timestamps\n`);
    else {
      const name = f.signalA === f.signalB ? f.signalA : `${f.signalA} (a) / ${f.signalB} (b)`;
      out(1, `evminf vcd diff: first difference at time ${f.time}: ${name}: a = ${f.a}, b = ${f.b}${f.others > 0 ? ` (and ${f.others} more signals at that time)` : ''}\n`);
    }
    if (r.onlyA.length + r.onlyB.length > 0) {
      const list = (l: string[]): string => l.slice(0, 5).join(', ') + (l.length > 5 ? ', ...' : '');
      out(2, `evminf vcd diff: not compared: ${r.onlyA.length} signals only in ${a.a}${r.onlyA.length ? ` (${list(r.onlyA)})` : ''}, ${r.onlyB.length} only in ${a.b}${r.onlyB.length ? ` (${list(r.onlyB)})` : ''}\n`);
    }
  }
  return r.equal ? 0 : EXIT_DIVERGED;
}

/** Options evminf.ts's global check does not cover. */
function checkCounts(a: Record<string, unknown>, names: readonly string[]): void {
  for (const k of names) {
    const v = a[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) throw new UserError(`--${k} must be a non-negative integer`, EXIT.USAGE);
  }
}

/** The commands, for evminf.ts; `done` receives each command's exit code. */
export function equivCommands(done: (code: number) => void): CommandModule[] {
  const equiv: CommandModule = {
    command: 'equiv <program>',
    describe: 'run a program on the model and on qemu-riscv32 (or against an RTL core\'s RVFI trace) in lockstep; exit 1 at the first difference',
    builder: (y: Argv) => y
      .positional('program', { type: 'string', demandOption: true, describe: 'ELF executable or assembly source (.S/.s)' })
      .option('ref', { type: 'string', default: 'qemu', describe: 'the reference: qemu (qemu-riscv32 -singlestep -d cpu,nochain)' })
      .option('model', { choices: MODEL_KINDS, default: 'iss', describe: 'the model compared' })
      .option('rvfi', { type: 'string', describe: "compare with an RTL core's RVFI trace: JSON lines, or a VCD of its rvfi_* signals (.vcd)" })
      .option('clock', { type: 'string', describe: 'VCD: the clock signal (default clock or clk beside rvfi_valid)' })
      .option('prefix', { type: 'string', describe: 'VCD: what precedes rvfi_valid in the full signal names, e.g. tb.dut. (default: found)' })
      .option('ignore', { type: 'string', describe: 'RVFI fields not compared, comma-separated (e.g. halt,order)' })
      .option('partial', { type: 'boolean', default: false, describe: 'RVFI: accept a trace that stops before the program ends' })
      .option('sp', { type: 'string', describe: "RVFI: the model's initial sp, when the core starts with another" })
      .option('qemu', { type: 'string', describe: 'the QEMU binary (default qemu-riscv32 on PATH)' })
      .option('qemu-log', { type: 'string', describe: 'compare with a recorded QEMU log (-singlestep -d cpu,nochain -D FILE) instead of running QEMU' })
      .option('inject-fault', { type: 'string', describe: 'test hook: flip bit 0 of the result of the n-th retired <mnemonic>, e.g. add:3' })
      .option('max-instructions', { type: 'number', describe: `stop (exit 124) after this many instructions (default ${DEFAULT_MAX_INSTRUCTIONS})` })
      .option('stack-size', { type: 'number', default: DEFAULT_STACK_SIZE, describe: 'bytes of stack' })
      .option('context', { type: 'number', default: 8, describe: 'instructions shown before a divergence' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' }),
    handler: async (a) => { done(await cmdEquiv(a as unknown as EquivArgs)); },
  };
  const fuzzCmd: CommandModule = {
    command: 'fuzz',
    describe: 'random RV32IM programs in lockstep with qemu-riscv32; failures are reported with the seed that reproduces them',
    builder: (y: Argv) => y
      .option('count', { type: 'number', default: 100, describe: 'programs to run' })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the first program (program k uses seed + k)' })
      .option('model', { choices: MODEL_KINDS, default: 'iss', describe: 'the model compared' })
      .option('items', { type: 'number', default: 120, describe: 'body items per program' })
      .option('qemu', { type: 'string', describe: 'the QEMU binary (default qemu-riscv32 on PATH)' })
      .option('inject-fault', { type: 'string', describe: 'test hook: flip bit 0 of the result of the n-th retired <mnemonic> in each program' })
      .option('print', { type: 'boolean', default: false, describe: 'print the program for --seed (assembly) and exit' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON summary' }),
    handler: async (a) => { done(await cmdFuzz(a as unknown as FuzzArgs)); },
  };
  const vcd: CommandModule = {
    command: 'vcd <action> <a> <b>',
    describe: 'vcd diff a.vcd b.vcd: compare two waveforms signal by signal; exit 0 when equal, 1 at the first difference',
    builder: (y: Argv) => y
      .positional('action', { choices: ['diff'], describe: 'what to do' })
      .positional('a', { type: 'string', demandOption: true })
      .positional('b', { type: 'string', demandOption: true })
      .option('map', { type: 'string', describe: "names in a → names in b: JSON {\"a\": \"b\"} or lines 'a b'; 'top.cpu. tb.dut.' renames a scope" })
      .option('only-mapped', { type: 'boolean', default: false, describe: 'compare only the signals the map names' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' }),
    handler: async (a) => { done(await cmdVcdDiff(a as unknown as VcdDiffArgs)); },
  };
  return [equiv, fuzzCmd, vcd];
}
