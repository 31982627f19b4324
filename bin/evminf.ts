#!/usr/bin/env node
// evminf: the command-line front end of evm-infinity.

import { closeSync, openSync, renameSync, writeFileSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ElfError, parseElf } from '../isa/elf.js';
import { AsmError, assembleToElf } from '../isa/asm.js';
import { disassemble } from '../isa/disasm.js';
import { loadElf, DEFAULT_STACK_SIZE } from '../cpu/program.js';
import { createModel, MODEL_KINDS, ROOT_PSET, type ModelKind } from '../cpu/machine.js';
import { HostError, LinuxHost } from '../cpu/host.js';
import { runToEnd, type RunResult } from '../cpu/runner.js';
import { EXIT, exitForCause } from '../cpu/exit-codes.js';
import { UserError } from './user-error.js';
import { out, readInput } from './io.js';
import { cmdIsolation, type IsolationArgs } from './isolation.js';
import { openTraces, type TraceRunArgs } from './trace-run.js';
import { equivCommands } from './equiv.js';
import { Core } from '../cpu/core.js';
import { Iss } from '../cpu/iss.js';
import { LineTracer } from '../waveforms/linetrace.js';
import { cmdStep, type StepArgs } from './step.js';
import { attachVcd, VcdFile, VcdOptionError, VcdWriteError } from '../waveforms/vcd.js';


/** An ELF image from an ELF file or, for .S/.s, from assembling it. */
function programBytes(path: string): Uint8Array {
  const bytes = readInput(path);
  if (/\.s$/i.test(path)) return assembleToElf(new TextDecoder().decode(bytes), { file: path });
  return bytes;
}


function exitCodeOf(r: RunResult): number {
  switch (r.reason) {
    case 'exit': return r.exitCode!;
    case 'return': return 0;
    case 'limit': return EXIT.LIMIT;
    case 'trap': return exitForCause(r.cause!);
    case 'throw': return EXIT.THROW;
    case 'unavailable': return EXIT.DATA_UNAVAILABLE;
  }
}

interface RunArgs extends TraceRunArgs {
  program: string;
  model: string;
  'max-instructions'?: number;
  'max-cycles'?: number;
  json: boolean;
  stats: boolean;
  'stack-size': number;
  pset: number;
  gas?: number;
  'trace-pipeline'?: string;
  vcd?: string;
  'vcd-scope'?: string[];
  'vcd-from'?: number;
  'vcd-to'?: number;
  translate: boolean;
}

/** --trace-pipeline [FILE]: the cycle model's pipeline line trace, to FILE or to stderr. */
function openLineTrace(model: unknown, path: string): { close(): void } {
  if (!(model instanceof Core)) throw new UserError('--trace-pipeline needs the cycle model (--model cycle)', EXIT.USAGE);
  let fd = 2;
  if (path !== '' && path !== '-') {
    try {
      fd = openSync(path, 'w');
    } catch (e) {
      throw new UserError(`${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? 'error'})`, EXIT.NO_FILE);
    }
  }
  const tracer = new LineTracer(model, (text) => out(fd, text));
  model.tracer = tracer;
  return { close: () => { tracer.flush(); if (fd !== 2) closeSync(fd); } };
}

/** --vcd FILE: the cycle model's signals as a VCD waveform (docs/waveforms.md). */
function openVcd(model: unknown, a: RunArgs): VcdFile | null {
  if (a.vcd === undefined) {
    for (const k of ['vcd-scope', 'vcd-from', 'vcd-to'] as const) if (a[k] !== undefined) throw new UserError(`--${k} needs --vcd FILE`, EXIT.USAGE);
    return null;
  }
  if (!(model instanceof Core)) throw new UserError('--vcd needs the cycle model (--model cycle)', EXIT.USAGE);
  if (a.vcd === '') throw new UserError('--vcd needs a FILE', EXIT.USAGE);
  let f: VcdFile;
  try {
    f = new VcdFile(a.vcd, model.sig, { scopes: a['vcd-scope'], from: a['vcd-from'], to: a['vcd-to'] });
  } catch (e) {
    if (e instanceof VcdOptionError) throw new UserError(e.message, EXIT.USAGE);
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string') throw new UserError(`${a.vcd}: cannot write (${code})`, EXIT.NO_FILE);
    throw e;
  }
  attachVcd(model, f.writer);
  return f;
}

/** Finish the waveform and move it to its name; a write error is the user's disk, not a bug. */
function closeVcd(f: VcdFile | null): void {
  try {
    f?.close();
  } catch (e) {
    if (e instanceof VcdWriteError) throw new UserError(`${f!.path}: cannot write (${e.code})`, EXIT.NO_FILE);
    throw e;
  }
}

function cmdRun(a: RunArgs): number {
  const prog = loadElf(programBytes(a.program), a['stack-size']);
  const model = createModel(a.model as ModelKind, prog, { pset: a.pset, gas: a.gas });
  if (model instanceof Iss) model.translate = a.translate;
  const host = a.json ? new LinuxHost() : new LinuxHost((fd, bytes) => out(fd, bytes));
  const trace = a['trace-pipeline'] === undefined ? null : openLineTrace(model, a['trace-pipeline']);
  const vcd = openVcd(model, a);
  const progress = !a.json && process.stderr.isTTY && trace === null;
  const t0 = process.hrtime.bigint();
  const traced = openTraces(model, a);
  let r: RunResult;
  try {
    r = runToEnd(traced?.tap ?? model, host, {
      maxInstructions: a['max-instructions'],
      maxCycles: a['max-cycles'],
      onProgress: progress ? (n) => out(2, `\r\x1b[K${(n / 1e6).toFixed(0)}M instructions`) : undefined,
    });
  } catch (e) {
    traced?.finish(null);
    if (e instanceof VcdWriteError) { vcd?.abort(); throw new UserError(`${a.vcd}: cannot write (${e.code})`, EXIT.NO_FILE); }
    if (e instanceof HostError) throw new UserError(e.message, EXIT.UNKNOWN_SYSCALL);
    throw e;
  } finally {
    if (progress) out(2, '\r\x1b[K');
    trace?.close();
    closeVcd(vcd);
  }
  traced?.finish(r);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const code = exitCodeOf(r);
  if (a.json) {
    const dec = new TextDecoder();
    out(1, JSON.stringify({
      program: a.program, model: a.model, stopReason: r.reason, exitCode: code, guestExitCode: r.exitCode,
      instructions: r.instructions, cycles: r.cycles, cpi: r.cycles === null || r.instructions === 0 ? null : r.cycles / r.instructions,
      gas: r.gas, pc: r.pc, message: r.message, evals: r.evals, interrupts: r.interrupts, seconds,
      translatedBlocks: model instanceof Iss ? model.translatedBlocks : null,
      output: r.output === null ? null : Buffer.from(r.output).toString('hex'),
      stdout: dec.decode(host.output(1)), stderr: dec.decode(host.output(2)),
    }) + '\n');
  } else {
    // The root frame's RETURN output is the program's result: it goes to stdout.
    if (r.output !== null) out(1, r.output);
    if (r.message !== null) out(2, `evminf: ${r.message}\n`);
    if (a.stats) {
      const cyc = r.cycles === null ? '' : `, ${r.cycles} cycles (CPI ${(r.cycles / Math.max(1, r.instructions)).toFixed(3)})`;
      out(2, `evminf: ${a.model} model: ${r.instructions} instructions${cyc}, gas ${r.gas}, ${r.evals} frame${r.evals === 1 ? '' : 's'} created, ${r.interrupts} interrupt${r.interrupts === 1 ? '' : 's'}, ${seconds.toFixed(3)} s\n`);
    }
  }
  return code;
}

function writeOutput(path: string, bytes: Uint8Array): void {
  // Write to a temporary name, then rename: a failed write never leaves half a file behind.
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    // Executable, as a linker's output is: qemu-riscv32 refuses files without the x bit.
    writeFileSync(tmp, bytes, { mode: 0o755 });
    renameSync(tmp, path);
  } catch (e) {
    throw new UserError(`${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? 'error'})`, EXIT.NO_FILE);
  }
}

function cmdAsm(a: { source: string; output: string }): number {
  writeOutput(a.output, assembleToElf(new TextDecoder().decode(readInput(a.source)), { file: a.source }));
  return 0;
}

/** objdump -d style listing of every executable segment. */
function cmdDisasm(a: { program: string }): number {
  const img = parseElf(programBytes(a.program));
  const names = new Map<number, string>();
  for (const s of img.symbols) if (s.type !== 3 && s.type !== 4 && !names.has(s.value)) names.set(s.value, s.name);
  const lines: string[] = [];
  for (const seg of img.segments) {
    if (!(seg.flags & 1)) continue;
    for (let off = 0; off + 4 <= seg.data.length; off += 4) {
      const pc = seg.vaddr + off;
      const label = names.get(pc);
      if (label !== undefined) lines.push(`\n${pc.toString(16).padStart(8, '0')} <${label}>:`);
      const w = (seg.data[off]! | (seg.data[off + 1]! << 8) | (seg.data[off + 2]! << 16) | (seg.data[off + 3]! << 24)) >>> 0;
      lines.push(`${pc.toString(16).padStart(8, ' ')}:\t${w.toString(16).padStart(8, '0')}          \t${disassemble(w, pc, (t) => names.get(t))}`);
    }
  }
  out(1, lines.join('\n') + '\n');
  return 0;
}

async function main(argv: string[]): Promise<number> {
  let code = 0;
  const cli = yargs(argv)
    .scriptName('evminf')
    .usage('$0 <command> [options]')
    .command('run <program>', 'run an RV32IM/Xevm program (ELF, or .S/.s assembled first)', (y) => y
      .positional('program', { type: 'string', demandOption: true, describe: 'ELF executable or assembly source' })
      .option('model', { choices: MODEL_KINDS, default: 'cycle', describe: 'cycle: cycle-accurate pipeline; iss: functional instruction-set simulator' })
      .option('translate', { type: 'boolean', default: true, describe: 'iss: translate hot code to JavaScript; --no-translate interprets every instruction (docs/performance.md)' })
      .option('max-instructions', { type: 'number', describe: 'stop with exit code 124 after this many instructions' })
      .option('max-cycles', { type: 'number', describe: 'stop with exit code 124 after this many cycles' })
      .option('stack-size', { type: 'number', default: DEFAULT_STACK_SIZE, describe: 'bytes of stack below 0x80000000' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON summary object (guest output inside it)' })
      .option('pset', { type: 'number', default: ROOT_PSET, describe: "the root frame's permission set (docs/architecture.md)" })
      .option('gas', { type: 'number', describe: "the root frame's gas limit (ignored when --pset grants infinite gas, bit 4)" })
      .option('stats', { type: 'boolean', default: false, describe: 'print instructions, cycles, CPI and gas to stderr after the run' })
      .option('trace-pipeline', { type: 'string', describe: 'cycle model: one line per cycle with each stage\'s pc to stderr, or to FILE with --trace-pipeline=FILE (docs/stepper.md)' })
      .option('log-commits', { type: 'string', describe: "write Spike's commit log (--log-commits format) of every retired instruction to FILE" })
      .option('rvfi', { type: 'string', describe: 'write an RVFI trace to FILE: JSON lines, or a VCD of rvfi_* signals when FILE ends in .vcd (docs/rtl-testbench.md)' })
      .option('vcd', { type: 'string', describe: 'cycle model: write every signal as a VCD waveform to FILE, one time unit per cycle (docs/waveforms.md)' })
      .option('vcd-scope', { type: 'string', array: true, describe: 'with --vcd: only the signals under this dotted scope, e.g. evm.core.ex (repeatable)' })
      .option('vcd-from', { type: 'number', describe: 'with --vcd: first cycle to dump (all values are written there)' })
      .option('vcd-to', { type: 'number', describe: 'with --vcd: last cycle to dump' })
      .option('inject-fault', { type: 'string', describe: 'test hook: flip bit 0 of the result of the n-th retired <mnemonic>, e.g. add:3' }),
    (a) => { code = cmdRun(a as unknown as RunArgs); })
    .command('step <program>', 'step the cycle model in a terminal: breakpoints, watchpoints, signals, stepping back (docs/stepper.md)', (y) => y
      .positional('program', { type: 'string', demandOption: true, describe: 'ELF executable or assembly source' })
      .option('script', { type: 'string', describe: 'run the commands in FILE, one a line, instead of reading the terminal; then exit' })
      .option('max-cycles', { type: 'number', describe: 'most cycles one command runs (default 100000000)' })
      .option('stack-size', { type: 'number', default: DEFAULT_STACK_SIZE, describe: 'bytes of stack below 0x80000000' }),
    async (a) => {
      const s = a as unknown as StepArgs & { 'stack-size': number };
      code = await cmdStep(loadElf(programBytes(s.program), s['stack-size']), s, out);
    })
    .command('asm <source>', 'assemble GNU-as source into an ELF32 executable', (y) => y
      .positional('source', { type: 'string', demandOption: true })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'ELF file to write' }),
    (a) => { code = cmdAsm(a as unknown as { source: string; output: string }); })
    .command('disasm <program>', 'disassemble the code of an ELF (objdump -d -M no-aliases,numeric spelling)', (y) => y
      .positional('program', { type: 'string', demandOption: true }),
    (a) => { code = cmdDisasm(a as unknown as { program: string }); })
    .command('isolation', 'fuzz EVAL isolation: random children under random permissions and gas (exit 1 on a violation)', (y) => y
      .option('count', { type: 'number', default: 1000, describe: 'cases to run' })
      .option('seed', { type: 'number', default: 20261125, describe: 'first seed (case k uses seed + 7919 k)' })
      .option('model', { choices: ['iss', 'cycle', 'both'], default: 'both', describe: 'models to run each case on' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON summary' }),
    (a) => { code = cmdIsolation(a as unknown as IsolationArgs); })
    .command(equivCommands((c) => { code = c; }))
    .demandCommand(1, 'name a command: run, asm or disasm')
    .strict()
    .check((a) => {
      for (const k of ['max-instructions', 'max-cycles', 'stack-size', 'pset', 'gas', 'count', 'seed', 'vcd-from', 'vcd-to']) {
        const v = a[k];
        if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) throw new UserError(`--${k} must be a non-negative integer`, EXIT.USAGE);
      }
      return true;
    })
    .fail((msg, err) => { if (err) throw err; throw new UserError((msg ?? 'bad command line').replace(/\s*\n\s*/g, ' '), EXIT.USAGE); })
    .help()
    .version(false)
    .wrap(100);
  await cli.parseAsync();
  return code;
}

main(hideBin(process.argv)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    if (e instanceof UserError) { out(2, `evminf: ${e.message}\n`); process.exitCode = e.code; return; }
    if (e instanceof ElfError) { out(2, `evminf: ${e.message}\n`); process.exitCode = EXIT.BAD_INPUT; return; }
    if (e instanceof AsmError) { out(2, `evminf: ${e.message}\n`); process.exitCode = EXIT.BAD_INPUT; return; }
    out(2, `evminf: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = EXIT.INTERNAL;
  },
);
