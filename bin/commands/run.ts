// `evminf run <program>`: run a program on the cycle model or the ISS, with the standard devices
// attached (peripherals/standard.ts; --no-devices: none), optional waveform, traces and a JSON
// summary. Guest output goes to stdout/stderr as it is written; with --json
// the first CAPTURE_BYTES of each stream are kept for the summary.

import { Core } from '../../cpu/core.js';
import { Iss } from '../../cpu/iss.js';
import { createModel, type ModelKind } from '../../cpu/machine.js';
import { fastForward } from '../../debug/fastforward.js';
import { LinuxHost } from '../../cpu/host.js';
import { runToEndSliced, type RunResult } from '../../cpu/runner.js';
import { EXIT } from '../../cpu/exit-codes.js';
import { LineTracer } from '../../waveforms/linetrace.js';
import { attachVcd, checkVcdOptions, selectSignals, VcdOptionError, VcdWriter, VcdWriteError, type VcdOptions } from '../../waveforms/vcd.js';
import { FstWriter } from '../../waveforms/fst.js';
import { gtkwSave } from '../../waveforms/gtkw.js';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { command } from '../exit.js';
import { exitCodeOf } from '../../cpu/exit-codes.js';
import { OutputFile, out, writeFailure } from '../io.js';
import { deviceOptions, frameOptions, jsonOption, limitOptions, modelOption, programOptions, traceOptions } from '../options.js';
import { loadProgram, programDevices } from '../program.js';
import { openTraces, type TraceRunArgs } from '../trace-run.js';
import { UserError } from '../user-error.js';
import type { LoadedProgram } from '../../cpu/program.js';
import type { HardDrive } from '../../peripherals/hdd.js';
import { deviceStats, finishDevices } from '../../peripherals/standard.js';
import type { DeviceStats } from '../../peripherals/command.js';
import { DebugConsole } from '../../peripherals/console.js';

/** Guest output kept per stream for --json (the totals are counted beyond it). */
export const CAPTURE_BYTES = 1 << 20;

export interface RunArgs extends TraceRunArgs {
  program: string;
  model: ModelKind;
  'max-instructions'?: number;
  'max-cycles'?: number;
  json: boolean;
  stats: boolean;
  'stack-size': number;
  pset?: number;
  gas?: number;
  'mem-limit': number;
  'trace-pipeline'?: string;
  vcd?: string;
  fst?: string;
  gtkw?: string;
  'vcd-scope'?: string[];
  'vcd-from'?: number;
  'vcd-to'?: number;
  translate: boolean;
  'fast-forward': boolean;
  db?: string;
  devices: boolean;
  time?: string;
  console?: string;
}

/** The guest's stdout and stderr for --json: the first CAPTURE_BYTES of each, and byte totals. */
class Capture {
  readonly kept: Uint8Array[][] = [[], [], []];
  readonly bytes = [0, 0, 0];

  write(fd: number, b: Uint8Array): void {
    const room = CAPTURE_BYTES - Math.min(this.bytes[fd]!, CAPTURE_BYTES);
    if (room > 0) this.kept[fd]!.push(b.slice(0, room));
    this.bytes[fd]! += b.length;
  }

  text(fd: 1 | 2): string {
    return new TextDecoder().decode(Buffer.concat(this.kept[fd]!));
  }
}

/** --trace-pipeline [FILE]: the cycle model's pipeline line trace, to FILE or to stderr. */
function openLineTrace(model: Iss | Core, path: string): { close(): void; abort(): void } {
  if (!(model instanceof Core)) throw new UserError('--trace-pipeline needs the cycle model (--model cycle)', EXIT.USAGE);
  const file = path === '' || path === '-' ? null : new OutputFile(path);
  const tracer = new LineTracer(model, file === null ? (text) => out(2, text) : (text) => file.write(Buffer.from(text)));
  model.tracer = tracer;
  return {
    close: () => { tracer.flush(); file?.close(); },
    abort: () => file?.abort(),
  };
}

/** One waveform file of --vcd / --fst. */
function openWave(model: Core, path: string, fst: boolean, opts: VcdOptions): { close(): void; abort(): void } {
  const file = new OutputFile(path);
  const failed = (e: unknown): unknown => (e instanceof VcdWriteError ? writeFailure(e.code, path) : e);
  let writer: VcdWriter | FstWriter;
  try {
    writer = fst ? new FstWriter(model.sig, file.fd, opts) : new VcdWriter(model.sig, file.fd, opts);
    attachVcd(model, writer);
  } catch (e) {
    file.abort();
    if (e instanceof VcdOptionError) throw new UserError(`${path}: ${e.message}`, EXIT.USAGE);
    throw failed(e);
  }
  return {
    close: () => {
      try {
        writer.close();
      } catch (e) {
        file.abort();
        throw failed(e);
      }
      file.close();
    },
    abort: () => file.abort(),
  };
}

/** The translate filter a .gtkw names: node and this build's disasm-filter.js (GTKWave passes at most one argument). */
export function gtkwaveFilter(): string {
  const script = fileURLToPath(new URL('../disasm-filter.js', import.meta.url));
  const cmd = `${process.execPath} ${script}`;
  if (/\s/.test(process.execPath) || /\s/.test(script)) throw new UserError(`--gtkw: GTKWave cannot run a filter whose path has spaces (${cmd})`, EXIT.USAGE);
  return cmd;
}

/** --gtkw FILE: a GTKWave save file for the waveform `dump` (waveforms/gtkw.ts), written when the run ends. */
function openGtkw(model: Core, path: string, dump: string, opts: VcdOptions): { close(): void; abort(): void } {
  const text = gtkwSave(model.sig, { dumpfile: resolve(dump), filter: gtkwaveFilter(), scopes: opts.scopes });
  const file = new OutputFile(path);
  return {
    close: () => { file.write(Buffer.from(text)); file.close(); },
    abort: () => file.abort(),
  };
}

/** --vcd FILE / --fst FILE: the cycle model's signals as waveforms (docs/waveforms.md); a .fst name for --vcd writes FST. */
function openVcd(model: Iss | Core, a: RunArgs): { close(): void; abort(): void }[] {
  if (a.vcd === undefined && a.fst === undefined) {
    for (const k of ['vcd-scope', 'vcd-from', 'vcd-to', 'gtkw'] as const) if (a[k] !== undefined) throw new UserError(`--${k} needs --vcd FILE or --fst FILE`, EXIT.USAGE);
    return [];
  }
  const which = a.vcd !== undefined ? '--vcd' : '--fst';
  if (!(model instanceof Core)) throw new UserError(`${which} needs the cycle model (--model cycle)`, EXIT.USAGE);
  if (a.vcd === '') throw new UserError('--vcd needs a FILE', EXIT.USAGE);
  if (a.fst === '') throw new UserError('--fst needs a FILE', EXIT.USAGE);
  const opts: VcdOptions = { scopes: a['vcd-scope'], from: a['vcd-from'], to: a['vcd-to'] };
  // Options first: a bad one leaves no file behind.
  checkVcdOptions(opts);
  selectSignals(model.sig, opts.scopes);
  const waves: { close(): void; abort(): void }[] = [];
  try {
    if (a.vcd !== undefined) waves.push(openWave(model, a.vcd, /\.fst$/i.test(a.vcd), opts));
    if (a.fst !== undefined) waves.push(openWave(model, a.fst, true, opts));
    if (a.gtkw !== undefined) waves.push(openGtkw(model, a.gtkw, a.fst ?? a.vcd!, opts));
  } catch (e) {
    for (const w of waves) w.abort();
    throw e;
  }
  return waves;
}

/** A VcdWriteError escaping the run names the waveform file. */
function runError(e: unknown, a: RunArgs): unknown {
  return e instanceof VcdWriteError ? writeFailure(e.code, a.vcd ?? a.fst ?? 'waveform') : e;
}

/** --stats: one line per device. */
function statsLine(name: string, s: DeviceStats): string {
  const by = Object.entries(s.byCommand).map(([k, n]) => `${k} ${n}`).join(', ');
  const con = s as DeviceStats & { bytes?: number; dropped?: number };
  const extra = con.bytes === undefined ? '' : `, ${con.bytes} bytes out, ${con.dropped} dropped`;
  return `evminf: device ${name}: ${s.ops} op${s.ops === 1 ? '' : 's'}${by === '' ? '' : ` (${by})`}, ${s.errors} error${s.errors === 1 ? '' : 's'}, ${s.cycles} busy cycles, gas ${s.gas}${extra}\n`;
}

/**
 * The cycle --vcd-from / --fst from names when the run fast-forwards to it, else null: the cycle
 * model with a waveform from a later cycle, and nothing that watches the run from its start
 * (line trace, commit logs, a --db store the scout would write).
 */
function fastForwardTo(a: RunArgs, drive: HardDrive | undefined): number | null {
  const from = a['vcd-from'];
  if (!a['fast-forward'] || a.model !== 'cycle' || from === undefined || from <= 0 || (a.vcd === undefined && a.fst === undefined)) return null;
  if (drive !== undefined || a['trace-pipeline'] !== undefined || a['log-commits'] !== undefined || a.rvfi !== undefined || a['inject-fault'] !== undefined) return null;
  return from;
}

function checkRunArgs(a: RunArgs): void {
  if (a['max-cycles'] !== undefined && a.model === 'iss') throw new UserError('--max-cycles needs the cycle model: the ISS has no cycles (limit it with --max-instructions)', EXIT.USAGE);
}

/** Run the program; `drive`: the hard drive on the --db store (default: one in memory). */
async function cmdRun(a: RunArgs, drive?: HardDrive, loaded?: LoadedProgram): Promise<number> {
  checkRunArgs(a);
  const prog = loaded ?? loadProgram(a.program, a['stack-size'], a['mem-limit']);
  const { devices, file: consoleFile } = programDevices(a, undefined, drive);
  const capture = a.json ? new Capture() : null;
  // The guest's own writes to the terminal come after the console bytes written before them.
  const con = consoleFile === null ? devices.find((d): d is DebugConsole => d instanceof DebugConsole) : undefined;
  const host = new LinuxHost(capture !== null ? (fd, bytes) => capture.write(fd, bytes)
    : con === undefined ? (fd, bytes) => out(fd, bytes) : (fd, bytes) => { con.drain(); out(fd, bytes); });
  // --vcd-from N: the timing model up to a restart point before N, then the cycle model
  // (docs/timing.md, "Fast-forward"); the scout runs on a machine of its own, output dropped.
  const ff = fastForwardTo(a, drive) === null ? null : fastForward((pass) => pass === 'run' ? { prog, devices, host }
    : { prog: loadProgram(a.program, a['stack-size'], a['mem-limit']), devices: programDevices({ ...a, console: undefined }, () => {}).devices, host: new LinuxHost(() => {}) },
  fastForwardTo(a, drive)!, { pset: a.pset, gas: a.gas, memLimit: a['mem-limit'] });
  const model = ff?.core ?? createModel(a.model, prog, { pset: a.pset, gas: a.gas, devices });
  if (model instanceof Iss) model.translate = a.translate;
  const outputs: { abort(): void }[] = [];
  if (consoleFile !== null) outputs.push(consoleFile);
  let trace: { close(): void; abort(): void } | null = null;
  let vcd: { close(): void; abort(): void }[] = [];
  let traced: ReturnType<typeof openTraces> = null;
  let r: RunResult;
  const progress = !a.json && process.stderr.isTTY && a['trace-pipeline'] === undefined;
  const t0 = process.hrtime.bigint();
  try {
    trace = a['trace-pipeline'] === undefined ? null : openLineTrace(model, a['trace-pipeline']);
    if (trace !== null) outputs.push(trace);
    vcd = openVcd(model, a);
    outputs.push(...vcd);
    traced = openTraces(model, a);
    // In slices, so that Ctrl-C is seen: the run then stops as a failed one (no output file
    // left, nothing committed to --db) with one line and exit 130.
    let interrupted = false;
    const onInt = (): void => { interrupted = true; };
    process.on('SIGINT', onInt);
    try {
      const sliced = await runToEndSliced(traced?.tap ?? model, host, {
        maxInstructions: a['max-instructions'],
        maxCycles: a['max-cycles'],
        memLimit: a['mem-limit'],
        resume: ff?.cm,
        onProgress: progress ? (n) => out(2, `\r\x1b[K${(n / 1e6).toFixed(0)}M instructions`) : undefined,
      }, () => new Promise<boolean>((resolve) => setImmediate(() => resolve(interrupted))));
      if (sliced === null) throw new UserError(`interrupted after ${model.retired} instructions${model instanceof Iss ? '' : `, ${model.cycles} cycles`}`, EXIT.INTERRUPTED);
      r = sliced;
    } finally {
      // Once interrupted, a second Ctrl-C does not cut the clean-up short.
      if (!interrupted) process.off('SIGINT', onInt);
      if (progress) out(2, '\r\x1b[K');
    }
    trace?.close();
    for (const w of vcd) w.close();
    traced?.finish(r);
    // The console's last bytes; a sink error met during the run is reported now (bin/io.ts).
    finishDevices(devices);
    consoleFile?.close();
  } catch (e) {
    // A run that failed (an unknown system call, say) still shows what its console wrote to
    // stderr; a --console FILE goes the way of every output file of a failed run.
    if (consoleFile === null) try { finishDevices(devices); } catch { /* the first error is the one reported */ }
    for (const o of outputs) o.abort();
    try { traced?.finish(null); } catch { /* the first error is the one reported */ }
    throw runError(e, a);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const code = exitCodeOf(r);
  if (capture !== null) {
    out(1, JSON.stringify({
      program: a.program, model: a.model, stopReason: r.reason, exitCode: code, guestExitCode: r.exitCode,
      instructions: r.instructions, cycles: r.cycles, cpi: r.cycles === null || r.instructions === 0 ? null : r.cycles / r.instructions,
      gas: r.gas, pc: r.pc, message: r.message, evals: r.evals, interrupts: r.interrupts, seconds,
      translatedBlocks: model instanceof Iss ? model.translatedBlocks : null,
      output: r.output === null ? null : Buffer.from(r.output).toString('hex'),
      stdout: capture.text(1), stderr: capture.text(2),
      stdoutBytes: capture.bytes[1], stderrBytes: capture.bytes[2],
      truncated: capture.bytes[1]! > CAPTURE_BYTES || capture.bytes[2]! > CAPTURE_BYTES,
      devices: a.devices ? deviceStats(devices) : null,
    }) + '\n');
  } else {
    // The root frame's RETURN output is the program's result: it goes to stdout.
    if (r.output !== null) out(1, r.output);
    if (r.message !== null) out(2, `evminf: ${r.message}\n`);
    if (a.stats) {
      const cyc = r.cycles === null ? '' : `, ${r.cycles} cycles (CPI ${(r.cycles / Math.max(1, r.instructions)).toFixed(3)})`;
      out(2, `evminf: ${a.model} model: ${r.instructions} instructions${cyc}, gas ${r.gas}, ${r.evals} frame${r.evals === 1 ? '' : 's'} created, ${r.interrupts} interrupt${r.interrupts === 1 ? '' : 's'}, ${seconds.toFixed(3)} s\n`);
      for (const [name, s] of Object.entries(deviceStats(devices))) out(2, statsLine(name, s));
    }
  }
  return code;
}

export const runCommand = command<RunArgs>({
  command: 'run <program>',
  describe: 'run an RV32IM/Xevm program (ELF, or .S/.s assembled first)',
  builder: (y) => {
    y = programOptions(y);
    y = modelOption(y, 'cycle', 'cycle: cycle-accurate pipeline; iss: functional instruction-set simulator; fast: the ISS with the pipeline\'s exact cycle count (docs/timing.md)');
    y = y.option('translate', { type: 'boolean', default: true, describe: 'iss: translate hot code to JavaScript; --no-translate interprets every instruction (docs/performance.md)' });
    y = limitOptions(y, { instructions: 'stop with exit code 124 after this many instructions', cycles: 'cycle model: stop with exit code 124 after this many cycles' });
    y = frameOptions(y);
    y = deviceOptions(y);
    y = jsonOption(y, `print one JSON summary object (guest output inside it: the first ${CAPTURE_BYTES >> 20} MiB of each stream, with byte totals)`);
    y = y.option('stats', { type: 'boolean', default: false, describe: 'print instructions, cycles, CPI, gas, frames and interrupts to stderr after the run, and per device its operations (by command), errors, busy cycles and gas' })
      .option('trace-pipeline', { type: 'string', describe: 'cycle model: one line per cycle with each stage\'s pc to stderr, or to FILE with --trace-pipeline=FILE (docs/stepper.md)' });
    y = traceOptions(y);
    return y
      .option('vcd', { type: 'string', requiresArg: true, describe: 'cycle model: write every signal and a clock as a VCD waveform to FILE, 10 time units (100 ps) per cycle; a FILE ending in .fst is written as FST (docs/waveforms.md)' })
      .option('fst', { type: 'string', requiresArg: true, describe: "cycle model: write the waveform in GTKWave's compressed FST format to FILE (a regular file)" })
      .option('gtkw', { type: 'string', requiresArg: true, describe: 'with --vcd or --fst: write a GTKWave save file to FILE: signals grouped per unit and stage, instructions disassembled by `evminf disasm --filter`' })
      .option('vcd-scope', { type: 'string', array: true, requiresArg: true, describe: 'with --vcd/--fst: only the signals under this dotted scope, e.g. evm.core.ex (repeatable)' })
      .option('vcd-from', { type: 'string', requiresArg: true, describe: 'with --vcd/--fst: first cycle to dump (all values are written there)' })
      .option('vcd-to', { type: 'string', requiresArg: true, describe: 'with --vcd/--fst: last cycle to dump' })
      .option('fast-forward', { type: 'boolean', default: true, describe: 'with --vcd-from N: run the timing model up to a restart point shortly before N, then the cycle model (the waveform is the same; docs/timing.md); --no-fast-forward runs the cycle model from the start' })
      .option('db', { type: 'string', requiresArg: true, describe: 'the hard drive\'s store: a LevelDB directory (created when missing); what the run writes is committed as one batch when it ends (docs/peripherals.md)' });
  },
  run: runMain,
});

/**
 * The command's handler (bin/fast-run.ts's command lines come here too). --db: the hard drive
 * on LevelDB, committed when the run has ended.
 */
export function runMain(a: RunArgs): number | Promise<number> {
  if (a.db === undefined) return cmdRun(a);
  if (!a.devices) throw new UserError('--db needs the devices (drop --no-devices)', EXIT.USAGE);
  // A bad command line or program is reported before the store is opened (or created).
  checkRunArgs(a);
  const prog = loadProgram(a.program, a['stack-size'], a['mem-limit']);
  // LevelDB (classic-level and its native addon) is loaded only by the runs that use it.
  return import('../store-level.js').then(({ runWithDb }) => runWithDb(a.db!, a.program, (drive) => cmdRun(a, drive, prog), (line) => out(2, line)));
}
