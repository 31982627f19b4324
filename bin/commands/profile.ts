// `evminf profile <program>`: where a run spends its cycles, instructions and gas, per function
// of the ELF's symbols, with the cycle model's stall cycles by cause (debug/profiler.ts,
// docs/profiler.md). A table on stdout, or one JSON object; folded stacks and speedscope JSON to
// files. The guest's own output goes to stderr, so that stdout holds only the profile.

import { Core } from '../../cpu/core.js';
import { createModel, type ModelKind } from '../../cpu/machine.js';
import { LinuxHost } from '../../cpu/host.js';
import { runToEnd } from '../../cpu/runner.js';
import { exitCodeOf, EXIT } from '../../cpu/exit-codes.js';
import { parseElf } from '../../isa/elf.js';
import { RetireTap } from '../../waveforms/retire.js';
import { folded, functionTable, Profiler, speedscope, STALLS, SymbolMap, totals, type FunctionRow } from '../../debug/profiler.js';
import { finishDevices } from '../../peripherals/standard.js';
import { command } from '../exit.js';
import { OutputFile, out } from '../io.js';
import { deviceOptions, frameOptions, jsonOption, limitOptions, modelOption, programOptions } from '../options.js';
import { loadProgramElf, programDevices, programElf } from '../program.js';
import { UserError } from '../user-error.js';

interface ProfileArgs {
  program: string;
  model: ModelKind;
  'max-instructions'?: number;
  'max-cycles'?: number;
  json: boolean;
  'stack-size': number;
  pset?: number;
  gas?: number;
  'mem-limit': number;
  devices: boolean;
  time?: string;
  console?: string;
  folded?: string;
  speedscope?: string;
  top?: number;
}


function table(rows: FunctionRow[], cycles: boolean, top: number): string {
  const head = cycles
    ? ['total cycles', 'self cycles', 'instructions', 'gas', ...STALLS, 'function']
    : ['total instrs', 'self instrs', 'gas', 'function'];
  const lines = rows.slice(0, top).map((r) => (cycles
    ? [r.total.cycles, r.self.cycles, r.self.instructions, r.self.gas, ...r.self.stalls, r.name]
    : [r.total.instructions, r.self.instructions, r.self.gas, r.name]).map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cols: string[]): string => cols.map((c, i) => (i === cols.length - 1 ? c : c.padStart(widths[i]!))).join('  ');
  return [fmt(head), ...lines.map(fmt)].join('\n') + '\n';
}

async function cmdProfile(a: ProfileArgs): Promise<number> {
  if (a['max-cycles'] !== undefined && a.model === 'iss') throw new UserError('--max-cycles needs the cycle model: the ISS has no cycles (limit it with --max-instructions)', EXIT.USAGE);
  for (const k of ['folded', 'speedscope'] as const) if (a[k] === '') throw new UserError(`--${k} needs a FILE`, EXIT.USAGE);
  const elf = await programElf(a.program);
  const prog = loadProgramElf(elf, a['stack-size'], a['mem-limit']);
  const img = parseElf(elf);
  const isCode = (addr: number): boolean => img.segments.some((s) => (s.flags & 1) !== 0 && addr >= s.vaddr && addr < s.vaddr + s.memsz);
  const { devices, file: consoleFile } = programDevices(a);
  const model = createModel(a.model, prog, { pset: a.pset, gas: a.gas, devices });
  let profiler: Profiler | null = null;
  const tap = new RetireTap(model, (c) => profiler!.sink(c));
  profiler = new Profiler(tap, new SymbolMap(prog.symbols, isCode), model instanceof Core ? model : null);
  const p = profiler;
  const host = new LinuxHost((_fd, bytes) => out(2, bytes));
  // The output files first: a bad name fails before the run, and no partial file is left.
  const files: OutputFile[] = [];
  const open = (path: string | undefined): OutputFile | null => {
    if (path === undefined) return null;
    try {
      const f = new OutputFile(path);
      files.push(f);
      return f;
    } catch (e) {
      for (const f of files) f.abort();
      throw e;
    }
  };
  const foldedFile = open(a.folded), speedscopeFile = open(a.speedscope);
  let r;
  try {
    r = runToEnd(tap, host, { maxInstructions: a['max-instructions'], maxCycles: a['max-cycles'], memLimit: a['mem-limit'], calls: (cm) => p.watch(cm) });
    tap.flushFrames();
    finishDevices(devices);
    consoleFile?.close();
  } catch (e) {
    consoleFile?.abort();
    for (const f of files) f.abort();
    throw e;
  }
  p.finish();
  const sum = totals(p.root);
  // The profile accounts for the whole run: anything else is a bug of the profiler's. (A run
  // stopped inside a child frame reports that frame's own gas counter, as evminf run does; the
  // profile then holds what every frame was charged so far: docs/profiler.md.)
  const inRoot = p.frameNode === p.root;
  if (sum.instructions !== r.instructions || (inRoot && sum.gas !== r.gas) || (r.cycles !== null && sum.cycles !== r.cycles)) {
    throw new Error(`profile totals (${sum.instructions} instructions, ${sum.cycles} cycles, gas ${sum.gas}) differ from the run's (${r.instructions}, ${r.cycles}, ${r.gas})`);
  }
  const byCycles = r.cycles !== null;
  const rows = functionTable(p.root).sort((x, y) => (byCycles ? y.total.cycles - x.total.cycles || y.self.cycles - x.self.cycles : y.total.instructions - x.total.instructions || y.self.instructions - x.self.instructions) || (x.name < y.name ? -1 : 1));
  try {
    foldedFile?.write(Buffer.from(folded(p.root, byCycles)));
    speedscopeFile?.write(Buffer.from(JSON.stringify(speedscope(p.root, byCycles, a.program)) + '\n'));
    for (const f of files) f.close();
  } catch (e) {
    for (const f of files) f.abort();
    throw e;
  }
  const code = exitCodeOf(r);
  if (a.json) {
    const counts = (c: typeof sum) => ({ cycles: byCycles ? c.cycles : null, instructions: c.instructions, gas: c.gas, stalls: byCycles ? Object.fromEntries(STALLS.map((s, k) => [s, c.stalls[k]])) : null });
    out(1, JSON.stringify({
      program: a.program, model: a.model, stopReason: r.reason, exitCode: code,
      instructions: r.instructions, cycles: r.cycles, gas: r.gas, gasProfiled: sum.gas,
      functions: rows.map((row) => ({ name: row.name, self: counts(row.self), total: counts(row.total) })),
    }) + '\n');
  } else {
    const stopped = inRoot ? '' : ` (stopped in a child frame: its own counter; ${sum.gas} charged in all frames)`;
    out(1, `evminf profile: ${a.model} model, ${r.instructions} instructions${byCycles ? `, ${r.cycles} cycles` : ''}, gas ${r.gas}${stopped}, stopped by ${r.reason}\n`);
    out(1, table(rows, byCycles, a.top ?? rows.length));
    if (r.message !== null) out(2, `evminf: ${r.message}\n`);
  }
  return code;
}

export const profileCommand = command<ProfileArgs>({
  command: 'profile <program>',
  describe: 'profile a run: cycles, instructions, gas and stall cycles per function, folded stacks and speedscope JSON (docs/profiler.md)',
  builder: (y) => {
    y = programOptions(y);
    // The timing model counts cycles inside its translated blocks, not per instruction, so a
    // profile (which follows every retired instruction) takes the cycle model or the ISS.
    y = modelOption(y, 'cycle', 'cycle: cycles and stalls per function; iss: instructions and gas only', ['cycle', 'iss']);
    y = limitOptions(y, { instructions: 'stop with exit code 124 after this many instructions', cycles: 'cycle model: stop with exit code 124 after this many cycles' });
    y = frameOptions(y);
    y = deviceOptions(y);
    y = jsonOption(y, 'print the profile as one JSON object');
    return y
      .option('folded', { type: 'string', requiresArg: true, describe: "write folded stacks to FILE (flamegraph.pl's input): one line per stack, its cycles (cycle model) or instructions (ISS)" })
      .option('speedscope', { type: 'string', requiresArg: true, describe: 'write the profile as speedscope JSON to FILE (https://www.speedscope.app)' })
      .option('top', { type: 'string', requiresArg: true, describe: 'table: only the first N functions' });
  },
  run: cmdProfile,
});
