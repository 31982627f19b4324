// `evminf step <program>`: a terminal stepper over the cycle model (docs/stepper.md). Commands
// come from the terminal (prompt `(evminf) `) or, with --script FILE, from a file, echoed after
// the prompt so the output reads as a transcript. Output is plain text and deterministic; a
// command that fails prints one `error:` line and the session goes on.

import { createInterface } from 'node:readline';
import { ABI_NAMES, DebugError, Debugger, hex8, parseNumber, type StopEvent } from '../debug/debugger.js';
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
}

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
  { names: ['s', 'step'], args: '[n]', help: 'step n cycles (default 1)', run: (st, a) => st.report(st.dbg.step(count(a[0]))) },
  { names: ['si', 'stepi'], args: '[n]', help: 'step until n instructions have retired (default 1)', run: (st, a) => st.report(st.dbg.stepInstruction(count(a[0]))) },
  { names: ['c', 'continue'], args: '', help: 'run to a breakpoint, a watchpoint or the end', run: (st) => st.report(st.dbg.continue()) },
  { names: ['back'], args: '[n]', help: 'step back n cycles (default 1)', run: (st, a) => st.report(st.dbg.back(count(a[0]))) },
  { names: ['b', 'break'], args: '[addr|symbol[+off]]', help: 'break when the instruction there enters WB; no argument: list', run: (st, a) => st.breakpoint(a[0]) },
  { names: ['w', 'watch'], args: '<signal|register>', help: 'stop when the value changes', run: (st, a) => st.watchpoint(need(a[0], 'a signal or register')) },
  { names: ['d', 'delete'], args: '<n>', help: 'delete breakpoint or watchpoint n', run: (st, a) => st.remove(need(a[0], 'a breakpoint or watchpoint number')) },
  { names: ['pipe'], args: '', help: 'each stage in the last cycle: pc, state, instruction', run: (st) => st.pipe() },
  { names: ['reg'], args: '[name...]', help: 'registers (all, or the ones named)', run: (st, a) => st.registers(a) },
  { names: ['p', 'print'], args: '<name>', help: 'a register, pc or signal', run: (st, a) => st.print(need(a[0], 'a register or signal')) },
  { names: ['sig'], args: '[prefix]', help: 'signals under a dotted prefix, in hex', run: (st, a) => st.signals(a[0] ?? 'evm') },
  { names: ['x'], args: '<addr> [n]', help: 'n memory words (default 1) at an address, symbol or register', run: (st, a) => st.examine(need(a[0], 'an address'), count(a[1])) },
  { names: ['h', 'help'], args: '', help: 'this list', run: (st) => st.help() },
  { names: ['q', 'quit'], args: '', help: 'quit', run: () => {} },
];

export class Stepper {
  constructor(readonly dbg: Debugger, private readonly line: (text: string) => void) {}

  /** Run one command line. Returns false when it was `q`. */
  exec(input: string): boolean {
    const words = input.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) return true;
    const [name, ...args] = words as [string, ...string[]];
    const cmd = COMMANDS.find((c) => c.names.includes(name));
    if (cmd === undefined) { this.line(`error: unknown command '${name}'; help lists the commands`); return true; }
    if (cmd.names[0] === 'q') return false;
    try {
      cmd.run(this, args);
    } catch (e) {
      this.line(`error: ${e instanceof DebugError ? e.message : `internal: ${e instanceof Error ? e.message : String(e)}`}`);
    }
    return true;
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
}

/**
 * Run the stepper on a loaded program. `write(fd, data)` prints: the stepper's own output and
 * the guest's stdout on fd 1, the guest's stderr on fd 2. `devices` are attached to the machine
 * (bin/program.ts programDevices); the console's bytes are handed on after every command.
 * Returns the process exit code.
 */
export async function cmdStep(prog: LoadedProgram, a: StepArgs, write: (fd: number, data: string | Uint8Array) => void, devices: Device[] = []): Promise<number> {
  const script = a.script === undefined ? undefined : readInput(a.script).toString('utf8');
  const con = devices.find((d): d is DebugConsole => d instanceof DebugConsole);
  const dbg = new Debugger(createModel('cycle', prog, { devices }), {
    symbols: prog.symbols,
    onOutput: (fd, bytes) => write(fd, bytes),
    maxCycles: a['max-cycles'],
  });
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
  rl.prompt();
  for await (const line of rl) {
    const more = st.exec(line);
    con?.drain();
    if (!more) break;
    rl.prompt();
  }
  rl.close();
  finishDevices(devices);
  return 0;
}
