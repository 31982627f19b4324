// `evminf run <program>`: run a program on the cycle model or the ISS, with the standard devices
// attached (peripherals/standard.ts; --no-devices: none), optional waveform, traces and a JSON
// summary. Guest output goes to stdout/stderr as it is written; with --json
// the first CAPTURE_BYTES of each stream are kept for the summary. What only some command lines
// use (waveforms and the line trace: bin/run-waves.ts; commit logs and RVFI: bin/trace-run.ts;
// fast-forward) is imported when they ask for it, so a plain run loads none of it.

import { Iss } from '../../cpu/iss.js';
import { openModel, type ModelKind } from '../../cpu/models.js';
import { LinuxHost } from '../../cpu/host.js';
import { runToEndSliced, type RunResult } from '../../cpu/runner.js';
import { EXIT } from '../../cpu/exit-codes.js';
import { command } from '../exit.js';
import { exitCodeOf } from '../../cpu/exit-codes.js';
import { out } from '../io.js';
import type { TracedRun, TraceRunArgs } from '../trace-run.js';
import type { WaveArgs } from '../run-waves.js';
import { checkPerInstruction, deviceOptions, frameOptions, jsonOption, limitOptions, modelOption, programOptions, traceOptions } from '../options.js';
import { loadProgramElf, programDevices, programElf } from '../program.js';
import { UserError } from '../user-error.js';
import type { LoadedProgram } from '../../cpu/program.js';
import type { HardDrive } from '../../peripherals/hdd.js';
import { deviceStats, finishDevices } from '../../peripherals/standard.js';
import type { DeviceStats } from '../../peripherals/command.js';
import { DebugConsole } from '../../peripherals/console.js';

/** Guest output kept per stream for --json (the totals are counted beyond it). */
export const CAPTURE_BYTES = 1 << 20;

export interface RunArgs extends TraceRunArgs, WaveArgs {
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

/** The command line asks for a waveform or the line trace (bin/run-waves.ts), or says a waveform option without one (its usage error). */
const wantsWaves = (a: RunArgs): boolean =>
  a.vcd !== undefined || a.fst !== undefined || a['trace-pipeline'] !== undefined || (['vcd-scope', 'vcd-from', 'vcd-to', 'gtkw'] as const).some((k) => a[k] !== undefined);
/** The command line asks for a commit log, an RVFI trace or an injected fault (bin/trace-run.ts). */
const wantsTraces = (a: RunArgs): boolean => a['log-commits'] !== undefined || a.rvfi !== undefined || a['inject-fault'] !== undefined;

function checkRunArgs(a: RunArgs): void {
  if (a['max-cycles'] !== undefined && a.model === 'iss') throw new UserError('--max-cycles needs the cycle model: the ISS has no cycles (limit it with --max-instructions)', EXIT.USAGE);
  if (wantsTraces(a)) checkPerInstruction(a.model, '--log-commits, --rvfi and --inject-fault need');
}

/** The program's image and its root frame, loaded. */
interface Loaded { elf: Uint8Array; prog: LoadedProgram }

async function loadRun(a: RunArgs): Promise<Loaded> {
  const elf = await programElf(a.program);
  return { elf, prog: loadProgramElf(elf, a['stack-size'], a['mem-limit']) };
}

/** Run the program; `drive`: the hard drive on the --db store (default: one in memory). */
async function cmdRun(a: RunArgs, drive?: HardDrive, loaded?: Loaded): Promise<number> {
  checkRunArgs(a);
  const { elf, prog } = loaded ?? await loadRun(a);
  const { devices, file: consoleFile } = programDevices(a, undefined, drive);
  const capture = a.json ? new Capture() : null;
  // The guest's own writes to the terminal come after the console bytes written before them.
  const con = consoleFile === null ? devices.find((d): d is DebugConsole => d instanceof DebugConsole) : undefined;
  const host = new LinuxHost(capture !== null ? (fd, bytes) => capture.write(fd, bytes)
    : con === undefined ? (fd, bytes) => out(fd, bytes) : (fd, bytes) => { con.drain(); out(fd, bytes); });
  // --vcd-from N: the timing model up to a restart point before N, then the cycle model
  // (docs/timing.md, "Fast-forward"); the scout runs on a machine of its own, output dropped.
  const ffAt = fastForwardTo(a, drive);
  const ff = ffAt === null ? null : (await import('../../debug/fastforward.js')).fastForward((pass) => pass === 'run' ? { prog, devices, host }
    : { prog: loadProgramElf(elf, a['stack-size'], a['mem-limit']), devices: programDevices({ ...a, console: undefined }, () => {}).devices, host: new LinuxHost(() => {}) },
  ffAt, { pset: a.pset, gas: a.gas, memLimit: a['mem-limit'] });
  const model = ff?.core ?? await openModel(a.model, prog, { pset: a.pset, gas: a.gas, devices });
  if (model instanceof Iss) model.translate = a.translate;
  const outputs: { abort(): void }[] = [];
  if (consoleFile !== null) outputs.push(consoleFile);
  let trace: { close(): void; abort(): void } | null = null;
  let vcd: { close(): void; abort(): void }[] = [];
  let traced: TracedRun | null = null;
  const waves = wantsWaves(a) ? await import('../run-waves.js') : null;
  const traces = wantsTraces(a) ? await import('../trace-run.js') : null;
  let r: RunResult;
  const progress = !a.json && process.stderr.isTTY && a['trace-pipeline'] === undefined;
  const t0 = process.hrtime.bigint();
  try {
    trace = waves === null || a['trace-pipeline'] === undefined ? null : waves.openLineTrace(model, a['trace-pipeline']);
    if (trace !== null) outputs.push(trace);
    vcd = waves === null ? [] : waves.openVcd(model, a);
    outputs.push(...vcd);
    traced = traces === null ? null : traces.openTraces(model, a);
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
    throw waves === null ? e : waves.runError(e, a);
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
    y = limitOptions(y, { instructions: 'stop with exit code 124 after this many instructions', cycles: 'cycle and timing models: stop with exit code 124 after this many cycles' });
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
export async function runMain(a: RunArgs): Promise<number> {
  if (a.db === undefined) return cmdRun(a);
  if (!a.devices) throw new UserError('--db needs the devices (drop --no-devices)', EXIT.USAGE);
  // A bad command line or program is reported before the store is opened (or created).
  checkRunArgs(a);
  const loaded = await loadRun(a);
  // LevelDB (classic-level and its native addon) is loaded only by the runs that use it.
  const { runWithDb } = await import('../store-level.js');
  return runWithDb(a.db, a.program, (drive) => cmdRun(a, drive, loaded), (line) => out(2, line));
}
