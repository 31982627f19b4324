// `evminf step <program>`: a terminal stepper over the cycle model (docs/stepper.md). Commands
// come from the terminal (prompt `(evminf) `) or, with --script FILE, from a file, echoed after
// the prompt so the output reads as a transcript. Output is plain text and deterministic; a
// command that fails prints one `error:` line and the session goes on. At the terminal an empty
// line repeats the last command that moves time or shows state, and Ctrl-C stops a running
// command between two cycles (the commands that move time run in slices, so input is read).

import { createInterface } from 'node:readline';
import { ABI_NAMES, DebugError, Debugger, hex8, parseNumber, type StopEvent } from '../debug/debugger.js';
import { debuggerAt } from '../debug/fastforward.js';
import { LinuxHost } from '../cpu/host.js';
import { createModel } from '../cpu/machine.js';
import type { LoadedProgram } from '../cpu/program.js';
import { EXIT } from '../cpu/exit-codes.js';
import { readInput } from './io.js';
import type { Device } from '../peripherals/device.js';
import { finishDevices } from '../peripherals/standard.js';
import { DebugConsole } from '../peripherals/console.js';

export const PROMPT = '(evminf) ';

interface Command {
  readonly names: readonly string[];
  readonly args: string;
  readonly help: string;
  readonly run: (st: Stepper, args: string[]) => void;
  /** A command that moves time: the same as a generator the terminal runs in slices. */
  readonly move?: (d: Debugger, args: string[]) => Generator<void, StopEvent>;
  /** An empty line at the terminal repeats it (gdb's convention; not for commands that add or delete). */
  readonly repeats?: boolean;
}

/** Instructions `dis` shows when not told (the pc's line in the middle), and at most. */
const DIS_LINES = 9, DIS_MAX = 4096;

/** A positive count argument, 1 when absent. */
function count(arg: string | undefined): number {
  if (arg === undefined) return 1;
  const n = parseNumber(arg);
  if (n === null || n < 1) throw new DebugError(`'${arg}' is not a positive count`);
  return n;
}

function need(arg: string | undefined, what: string): string {
  if (arg === undefined) throw new DebugError(`name ${what}`);
  return arg;
}

/** The command table: one row per command, read by the dispatcher and by `help`. */
const COMMANDS: readonly Command[] = [
  { names: ['s', 'step'], args: '[n]', help: 'step n cycles (default 1)', run: (st, a) => st.report(st.dbg.step(count(a[0]))), move: (d, a) => d.stepping(count(a[0])), repeats: true },
  { names: ['si', 'stepi'], args: '[n]', help: 'step until n instructions have retired (default 1)', run: (st, a) => st.report(st.dbg.stepInstruction(count(a[0]))), move: (d, a) => d.steppingInstruction(count(a[0])), repeats: true },
  { names: ['c', 'continue'], args: '', help: 'run to a breakpoint, a watchpoint, the end or the cycle limit (Ctrl-C stops it)', run: (st) => st.report(st.dbg.continue()), move: (d) => d.continuing(), repeats: true },
  { names: ['back'], args: '[n]', help: 'step back n cycles (default 1)', run: (st, a) => st.report(st.dbg.back(count(a[0]))), repeats: true },
  { names: ['b', 'break'], args: '[addr|symbol[+off]]', help: 'break when the instruction there enters WB; no argument: list', run: (st, a) => st.breakpoint(a[0]) },
  { names: ['w', 'watch'], args: '<signal|register>', help: 'stop when the value changes', run: (st, a) => st.watchpoint(need(a[0], 'a signal or register')) },
  { names: ['d', 'delete'], args: '<n>', help: 'delete breakpoint or watchpoint n', run: (st, a) => st.remove(need(a[0], 'a breakpoint or watchpoint number')) },
  { names: ['pipe'], args: '', help: 'each stage in the last cycle: pc, state, instruction', run: (st) => st.pipe(), repeats: true },
  { names: ['dis', 'disassemble'], args: '[addr] [n]', help: `n instructions around an address (default: ${DIS_LINES} around the pc, marked =>)`, run: (st, a) => st.disassembleAround(a[0], a[1] === undefined ? DIS_LINES : count(a[1])), repeats: true },
  { names: ['reg'], args: '[name...]', help: 'registers (all, or the ones named)', run: (st, a) => st.registers(a), repeats: true },
  { names: ['p', 'print'], args: '<name>', help: 'a register, pc or signal', run: (st, a) => st.print(need(a[0], 'a register or signal')), repeats: true },
  { names: ['sig'], args: '[prefix]', help: 'signals under a dotted prefix, in hex', run: (st, a) => st.signals(a[0] ?? 'evm'), repeats: true },
  { names: ['x'], args: '<addr> [n]', help: 'n memory words (default 1) at an address, symbol or register', run: (st, a) => st.examine(need(a[0], 'an address'), count(a[1])), repeats: true },
  { names: ['h', 'help'], args: '', help: 'this list; at the terminal an empty line repeats the last command', run: (st) => st.help() },
  { names: ['q', 'quit'], args: '', help: 'quit (or Ctrl-D)', run: () => {} },
];

export class Stepper {
  constructor(readonly dbg: Debugger, private readonly line: (text: string) => void) {}

  /** The last command that an empty line repeats (at the terminal). */
  private last: string | null = null;

  /** Run one command line. Returns false when it was `q`. */
  exec(input: string): boolean {
    const c = this.parse(input);
    if (c === null) return true;
    if (c === 'quit') return false;
    this.attempt(() => c.cmd.run(this, c.args));
    return true;
  }

  /**
   * Run one line typed at the terminal: an empty line repeats the last repeatable command, and
   * a command that moves time runs in slices, yielding to the event loop between them, until it
   * ends or `interrupted()` says Ctrl-C was pressed. Returns false when it was `q`.
   */
  async execInteractive(input: string, interrupted: () => boolean): Promise<boolean> {
    const line = input.trim() === '' ? this.last ?? '' : input;
    const c = this.parse(line);
    if (c === null) return true;
    if (c === 'quit') return false;
    this.last = c.cmd.repeats === true ? line : null;
    const move = c.cmd.move;
    if (move === undefined || this.dbg.ended !== null) { this.attempt(() => c.cmd.run(this, c.args)); return true; }
    const g = this.attempt(() => move(this.dbg, c.args));
    if (g === undefined) return true;
    for (;;) {
      const r = this.attempt(() => g.next());
      if (r === undefined) return true;
      if (r.done === true) { this.report(r.value); return true; }
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (interrupted()) { g.return(this.dbg.interrupted()); this.report(this.dbg.interrupted()); return true; }
    }
  }

  private parse(input: string): { cmd: Command; args: string[] } | 'quit' | null {
    const words = input.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) return null;
    const [name, ...args] = words as [string, ...string[]];
    const cmd = COMMANDS.find((c) => c.names.includes(name));
    if (cmd === undefined) { this.line(`error: unknown command '${name}'; help lists the commands`); return null; }
    return cmd.names[0] === 'q' ? 'quit' : { cmd, args };
  }

  /** Run `f`; a failure is one `error:` line (and undefined) and the session goes on. */
  private attempt<T>(f: () => T): T | undefined {
    try {
      return f();
    } catch (e) {
      this.line(`error: ${e instanceof DebugError ? e.message : `internal: ${e instanceof Error ? e.message : String(e)}`}`);
      return undefined;
    }
  }

  /** Where the model is: cycle, instructions retired, architectural pc and its instruction. */
  status(): void {
    const d = this.dbg, pc = d.pc, w = d.codeWord(pc);
    this.line(`cycle ${d.cycle}  retired ${d.core.retired}  pc ${d.where(pc)}${w === null ? '' : `  ${d.disassemble(w, pc)}`}`);
  }

  report(ev: StopEvent): void {
    for (const m of ev.messages) this.line(m);
    this.status();
  }

  breakpoint(target: string | undefined): void {
    const d = this.dbg;
    if (target === undefined) {
      if (d.breakpoints.length === 0) this.line('no breakpoints or watchpoints');
      for (const p of d.breakpoints) {
        this.line(p.kind === 'breakpoint' ? `${p.id}  breakpoint  ${d.where(p.addr)}` : `${p.id}  watchpoint  ${p.name} = ${this.hex(d.read(p.name), p.width)}`);
      }
      return;
    }
    const p = d.addBreakpoint(d.resolve(target));
    this.line(`breakpoint ${p.id} at ${d.where(p.addr)}`);
  }

  watchpoint(name: string): void {
    const p = this.dbg.addWatchpoint(name);
    this.line(`watchpoint ${p.id}: ${p.name} = ${this.hex(p.old, p.width)}`);
  }

  remove(id: string): void {
    const n = parseNumber(id);
    if (n === null || !this.dbg.delete(n)) throw new DebugError(`no breakpoint or watchpoint ${id}`);
    this.line(`deleted ${n}`);
  }

  pipe(): void {
    const d = this.dbg, stages = d.stages();
    if (stages === null) {
      this.line(`cycle 0: nothing has run; IF fetches ${hex8(d.pc)} first`);
      return;
    }
    this.line(`cycle ${d.cycle}`);
    for (const s of stages) {
      const pc = s.state === 'bubble' ? '-' : hex8(s.pc);
      const insn = s.insn === null ? '' : d.disassemble(s.insn, s.pc);
      this.line(`${s.stage.padEnd(4)} ${pc.padEnd(10)}  ${s.state.padEnd(7)} ${insn}`.trimEnd());
    }
  }

  registers(names: string[]): void {
    const d = this.dbg;
    if (names.length > 0) { for (const n of names) this.print(n); return; }
    this.line(`pc  ${d.where(d.pc)}`);
    for (let row = 0; row < 8; row++) {
      const cells: string[] = [];
      for (let i = row * 4; i < row * 4 + 4; i++) cells.push(`${`x${i}`.padEnd(3)} ${ABI_NAMES[i]!.padEnd(4)} ${hex8(d.core.x[i]!)}`);
      this.line(cells.join('  '));
    }
  }

  /** `name = 0x... (decimal)`: signed for 32-bit values, unsigned for narrower signals. */
  print(name: string): void {
    const d = this.dbg, v = d.read(name), w = d.widthOf(name);
    this.line(`${name} = ${this.hex(v, w)} (${w === 32 ? v | 0 : v})`);
  }

  signals(prefix: string): void {
    const d = this.dbg, names = d.signalsUnder(prefix);
    if (names.length === 0) throw new DebugError(`no signals under ${prefix}`);
    for (const n of names) this.line(`${n} = ${this.hex(d.read(n), d.widthOf(n))}`);
  }

  examine(at: string, n: number): void {
    const d = this.dbg, base = d.resolve(at);
    for (let i = 0; i < n; i += 4) {
      const words: string[] = [];
      for (let k = i; k < Math.min(n, i + 4); k++) {
        const a = (base + 4 * k) >>> 0, w = d.readWord(a);
        if (w === null) {
          if (words.length > 0) this.line(`${d.where((base + 4 * i) >>> 0)}: ${words.join(' ')}`);
          throw new DebugError(`${hex8(a)} is not mapped`);
        }
        words.push(hex8(w));
      }
      this.line(`${d.where((base + 4 * i) >>> 0)}: ${words.join(' ')}`);
    }
  }

  /**
   * `n` instructions around `at` (default the pc) in code ROM, the one at `at` in the middle and
   * marked `=>` when it is the pc (as gdb's `x/i $pc` marks it).
   */
  disassembleAround(at: string | undefined, n: number): void {
    const d = this.dbg, pc = d.pc, centre = at === undefined ? pc : d.resolve(at);
    if (n > DIS_MAX) throw new DebugError(`dis shows at most ${DIS_MAX} instructions`);
    if (centre & 3) throw new DebugError(`${hex8(centre)} is not word aligned`);
    if (d.codeWord(centre) === null) throw new DebugError(`${hex8(centre)} is not in code ROM`);
    // Start up to half the lines before, without leaving the code the centre is in.
    let first = centre;
    for (let k = 0; k < (n - 1) >> 1 && first >= 4 && d.codeWord((first - 4) >>> 0) !== null; k++) first = (first - 4) >>> 0;
    for (let k = 0, a = first; k < n; k++, a = (a + 4) >>> 0) {
      const w = d.codeWord(a);
      if (w === null) break;
      this.line(`${a === pc ? '=> ' : '   '}${d.where(a)}:  ${hex8(w).slice(2)}  ${d.disassemble(w, a)}`);
    }
  }

  help(): void {
    for (const c of COMMANDS) this.line(`${[c.names.join(', '), c.args].join(' ').trimEnd().padEnd(30)} ${c.help}`);
  }

  private hex(v: number, width: number): string {
    return '0x' + (v >>> 0).toString(16).padStart(Math.ceil(width / 4), '0');
  }
}

export interface StepArgs {
  program: string;
  script?: string;
  'max-cycles'?: number;
  /** Start at this cycle, reached by fast-forward (docs/timing.md). */
  at?: number;
}

/**
 * Run the stepper on a loaded program. `write(fd, data)` prints: the stepper's own output and
 * the guest's stdout on fd 1, the guest's stderr on fd 2. `devices` are attached to the machine
 * (bin/program.ts programDevices); the console's bytes are handed on after every command.
 * Returns the process exit code.
 */
const scoutOf = <T>(f: (() => T) | undefined): (() => T) => {
  if (f === undefined) throw new Error('cmdStep: --at needs a second machine for the scout');
  return f;
};

export async function cmdStep(prog: LoadedProgram, a: StepArgs, write: (fd: number, data: string | Uint8Array) => void, devices: Device[] = [],
  scout?: () => { prog: LoadedProgram; devices: Device[] }): Promise<number> {
  const script = a.script === undefined ? undefined : readInput(a.script).toString('utf8');
  const con = devices.find((d): d is DebugConsole => d instanceof DebugConsole);
  const opts = { symbols: prog.symbols, onOutput: (fd: number, bytes: Uint8Array) => write(fd, bytes), maxCycles: a['max-cycles'] };
  // --at N: the timing model up to a restart point before N (on a second machine from `scout`
  // first), the cycle model from there to N.
  const dbg = a.at === undefined || a.at === 0 ? new Debugger(createModel('cycle', prog, { devices }), opts)
    : debuggerAt((pass) => (pass === 'run' ? { prog, devices, host: new LinuxHost() } : { ...scoutOf(scout)(), host: new LinuxHost() }), a.at, {}, opts);
  const st = new Stepper(dbg, (text) => write(1, text + '\n'));
  st.status();
  if (script !== undefined) {
    for (const raw of script.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      write(1, PROMPT + line + '\n');
      const more = st.exec(line);
      con?.drain();
      if (!more) break;
    }
    finishDevices(devices);
    return 0;
  }
  // readline writes the prompt through process.stdout (touched only here: it can make fd 1
  // non-blocking); a closed pipe there ends quietly too, as everywhere else.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => { process.exit(e.code === 'EPIPE' ? EXIT.BROKEN_PIPE : EXIT.IO_ERROR); });
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: PROMPT, terminal: process.stdin.isTTY === true });
  // Ctrl-C: at the terminal readline reports it (raw mode), elsewhere it is the signal. It stops
  // the command running; at the prompt it drops the line typed so far, as a shell does.
  let running = false, stop = false;
  const onInterrupt = (): void => {
    if (running) { stop = true; return; }
    if (rl.terminal) rl.write(null, { ctrl: true, name: 'u' });
    write(1, '^C\n');
    rl.prompt();
  };
  rl.on('SIGINT', onInterrupt);
  process.on('SIGINT', onInterrupt);
  rl.prompt();
  for await (const line of rl) {
    running = true; stop = false;
    const more = await st.execInteractive(line, () => stop);
    running = false;
    con?.drain();
    if (!more) break;
    rl.prompt();
  }
  process.off('SIGINT', onInterrupt);
  rl.close();
  finishDevices(devices);
  return 0;
}
