// Lockstep against QEMU: qemu-riscv32 runs the program with one instruction per translation
// block and logs its CPU state before every instruction into a FIFO; the model retires one
// instruction per record and the pc and all 32 registers must agree each time. At the end the
// exit code (a guest signal counts as 128 + signal, like evminf's trap exit codes) and stdout
// must agree too. QEMU serves write/exit itself, so the model's host must produce the same bytes.

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants as osConstants } from 'node:os';
import type { ModelKind } from '../cpu/machine.js';
import { QemuLogError, QemuLogParser } from '../waveforms/qemu-log.js';
import type { Difference, Divergence, EquivResult } from './report.js';
import { hex8, ModelStepper, regName, type StepperOptions } from './stepper.js';

export { QemuLogError };

/** QEMU is missing or could not run the program at all. */
export class QemuError extends Error {
  /** The exit code's name (cpu/exit-codes.ts EXIT) when this error ends an evminf command. */
  readonly exit: 'NO_FILE' | 'BAD_INPUT';
  constructor(message: string, readonly missing: boolean) {
    super(message);
    this.exit = missing ? 'NO_FILE' : 'BAD_INPUT';
  }
}

export interface QemuOptions extends Omit<StepperOptions, 'sp'> {
  model: ModelKind;
  /** The QEMU binary (default qemu-riscv32 on PATH). */
  qemu?: string;
  /** Compare against a recorded log instead of running QEMU (exit code and stdout are then not compared). */
  log?: string;
  /** Stop (unequal: `limit`) after this many instructions. */
  maxInstructions?: number;
  /** Called every PROGRESS_EVERY instructions compared (for a terminal progress line). */
  onProgress?: (instructions: number) => void;
  /** Aborting it (Ctrl-C) stops QEMU, removes its files and rejects with Interrupted. */
  signal?: AbortSignal;
}

/** Instructions between two progress calls. */
export const PROGRESS_EVERY = 1 << 16;

/** The check was stopped from outside (opts.signal) before it finished. */
export class Interrupted extends Error {
  /** The exit code's name (cpu/exit-codes.ts EXIT) when this error ends an evminf command. */
  readonly exit = 'INTERRUPTED' as const;
}

export const QEMU_ARGS = ['-singlestep', '-d', 'cpu,nochain'];
export const DEFAULT_MAX_INSTRUCTIONS = 50_000_000;

interface RefEnd {
  exitCode: number | null;
  stdout: Uint8Array | null;
  describe: string;
}

/** Compares QEMU records with the model; fed by the log parser, one record at a time. */
class Lockstep {
  stepper: ModelStepper | null = null;
  divergence: Divergence | null = null;
  limited = false;
  private prevPc = 0;

  constructor(private readonly elf: Uint8Array, private readonly opts: QemuOptions) {}

  readonly onRecord = (k: number, pc: number, x: Int32Array): boolean => {
    if (k === 0) {
      // QEMU's initial sp differs from ours: start the model with QEMU's.
      this.stepper = new ModelStepper(this.elf, this.opts.model, { ...this.opts, sp: x[2]! });
      return this.compare(0, pc, x, 'the initial state differs');
    }
    const s = this.stepper!;
    if (k > (this.opts.maxInstructions ?? DEFAULT_MAX_INSTRUCTIONS)) { this.limited = true; return false; }
    if ((k & (PROGRESS_EVERY - 1)) === 0) this.opts.onProgress?.(k);
    const retired = s.step();
    if (!retired) {
      return this.diverge(k - 1, this.prevPc, this.wordAt(this.prevPc), `the model stopped (${s.describeEnd()}) where QEMU executed the instruction`, []);
    }
    if (s.end !== null) {
      const c = s.tap.commit;
      return this.diverge(k - 1, c.pc, c.insn, `the model ended (${s.describeEnd()}) after this instruction; QEMU goes on at pc ${hex8(pc)}`, []);
    }
    return this.compare(k - 1, pc, x, null);
  };

  private wordAt(pc: number): number | null {
    const w = this.stepper!.tap.mem.readWord(pc);
    return w === null ? null : w >>> 0;
  }

  /** Compare QEMU's state before instruction k+1 (after instruction `index`) with the model's. */
  private compare(index: number, pc: number, x: Int32Array, initial: string | null): boolean {
    const s = this.stepper!;
    const diffs: Difference[] = [];
    const mpc = s.pc;
    if (mpc !== pc) diffs.push({ name: initial ? 'pc' : 'next pc', ref: pc, model: mpc });
    const mx = s.x;
    for (let r = 1; r < 32; r++) if (mx[r] !== x[r]) diffs.push({ name: regName(r), ref: x[r]! >>> 0, model: mx[r]! >>> 0 });
    this.prevPc = pc;
    if (diffs.length === 0) return true;
    if (initial) return this.diverge(0, pc, this.wordAt(pc), initial, diffs);
    const c = s.tap.commit;
    const what = diffs[0]!.name === 'next pc' ? 'the next pc differs' : diffs.length === 1 ? `${diffs[0]!.name} differs` : `${diffs.length} registers differ`;
    return this.diverge(index, c.pc, c.insn, `${what} after this instruction`, diffs);
  }

  private diverge(index: number, pc: number | null, insn: number | null, reason: string, diffs: Difference[]): false {
    this.divergence = { index, pc, insn, reason, diffs, recent: this.stepper?.recent() ?? [] };
    return false;
  }

  /** QEMU has ended after `records` records: the model runs the last logged instruction and must end the same way. */
  finish(records: number, ref: RefEnd): void {
    if (this.divergence !== null || this.limited) return;
    const s = this.stepper;
    if (s === null) throw new QemuLogError(`${this.opts.log ?? 'QEMU'}: no instruction was logged (${ref.describe})`);
    const retired = s.step();
    const c = s.tap.commit;
    const index = records - 1;
    const pc = retired ? c.pc : this.prevPc, insn = retired ? c.insn : this.wordAt(this.prevPc);
    if (s.end === null) {
      this.diverge(index, pc, insn, `QEMU ended (${ref.describe}) at this instruction; the model retired it and goes on at pc ${hex8(s.pc)}`, []);
      return;
    }
    const code = s.exitCode();
    if (ref.exitCode !== null && code !== ref.exitCode) {
      this.diverge(index, pc, insn, `the exit code differs (QEMU: ${ref.describe}; model: ${s.describeEnd()})`, [{ name: 'exit code', ref: String(ref.exitCode), model: String(code) }]);
      return;
    }
    if (ref.stdout !== null) {
      const a = ref.stdout, b = s.stdout();
      let i = 0;
      while (i < a.length && i < b.length && a[i] === b[i]) i++;
      if (i < a.length || i < b.length) {
        const snip = (u: Uint8Array): string => JSON.stringify(Buffer.from(u.subarray(i, i + 24)).toString('latin1'));
        this.diverge(index, pc, insn, `stdout differs at byte ${i} (QEMU wrote ${a.length} bytes, the model ${b.length})`, [{ name: 'stdout', ref: snip(a), model: snip(b) }]);
      }
    }
  }
}

const SIGNALS = osConstants.signals as Record<string, number>;

function describeExit(code: number | null, signal: NodeJS.Signals | null): { exitCode: number | null; describe: string } {
  if (signal !== null) {
    const n = SIGNALS[signal];
    return { exitCode: n === undefined ? null : 128 + n, describe: `killed by ${signal}` };
  }
  return { exitCode: code, describe: `exit code ${code}` };
}

/** Run the check. Rejects with QemuError (QEMU missing/failed) or QemuLogError (malformed log). */
export async function equivQemu(elf: Uint8Array, opts: QemuOptions): Promise<EquivResult> {
  const t0 = performance.now();
  const ls = new Lockstep(elf, opts);
  const parser = new QemuLogParser(ls.onRecord, opts.log ?? 'QEMU log');
  let ref: RefEnd;
  if (opts.log !== undefined) {
    const fd = openSync(opts.log, 'r');
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, null);
        if (n === 0) { parser.end(); break; }
        if (!parser.feed(buf.subarray(0, n))) break;
      }
    } finally {
      closeSync(fd);
    }
    ref = { exitCode: null, stdout: null, describe: 'end of log' };
  } else {
    ref = await runQemu(elf, opts.qemu ?? 'qemu-riscv32', parser, opts.signal);
  }
  ls.finish(parser.records, ref);
  const s = ls.stepper;
  const d = ls.divergence;
  return {
    ref: opts.log ?? 'qemu-riscv32',
    model: opts.model,
    equal: d === null && !ls.limited,
    limited: d === null && ls.limited,
    instructions: d !== null ? d.index : ls.limited ? s!.retired : parser.records,
    exitCode: s?.exitCode() ?? null,
    refExitCode: ref.exitCode,
    stdoutBytes: s?.stdout().length ?? 0,
    divergence: d !== null ? d : ls.limited ? {
      index: s!.retired, pc: s!.pc, insn: null, reason: `stopped at the limit of ${opts.maxInstructions ?? DEFAULT_MAX_INSTRUCTIONS} instructions`, diffs: [], recent: s!.recent(),
    } : null,
    seconds: (performance.now() - t0) / 1000,
  };
}

const MAX_STDOUT = 64 << 20;

/**
 * Run QEMU with its log in a FIFO, feeding the parser as the log arrives. We open the FIFO
 * read-write, so neither side blocks in open() and QEMU's exit never reads as end-of-file early;
 * the log is read through a libuv pipe handle (epoll, whole buffers at a time: QEMU writes a line
 * per write()), and what is left in the FIFO when QEMU has exited is drained synchronously.
 */
function runQemu(elf: Uint8Array, qemu: string, parser: QemuLogParser, signal?: AbortSignal): Promise<RefEnd> {
  const dir = mkdtempSync(join(tmpdir(), 'evminf-qemu-'));
  const elfPath = join(dir, 'prog.elf'), fifo = join(dir, 'log.fifo');
  writeFileSync(elfPath, elf, { mode: 0o755 }); // QEMU refuses, silently, a file that is not executable
  const mk = spawnSync('mkfifo', [fifo]);
  if (mk.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new QemuError(`cannot create a FIFO for the QEMU log (mkfifo: ${mk.error?.message ?? mk.stderr.toString().trim()})`, false);
  }
  const fd = openSync(fifo, constants.O_RDWR);
  const log = new Socket({ fd, readable: true, writable: false });
  return new Promise<RefEnd>((resolve, reject) => {
    const child = spawn(qemu, [...QEMU_ARGS, '-D', fifo, elfPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outLen = 0, err = '';
    let settled = false, stopped = false;
    let failure: unknown = null;

    const feed = (b: Buffer): void => {
      if (stopped || failure !== null) return;
      try {
        if (!parser.feed(b)) stop();
      } catch (e) {
        failure = e;
        stop();
      }
    };
    const stop = (): void => {
      stopped = true;
      child.kill('SIGKILL');
    };
    const finish = (exit: { exitCode: number | null; describe: string }): void => {
      if (settled) return;
      settled = true;
      // QEMU is gone: whatever it wrote is in the FIFO now.
      const buf = Buffer.allocUnsafe(1 << 16);
      for (;;) {
        let n = 0;
        try {
          n = readSync(fd, buf, 0, buf.length, null);
        } catch {
          break; // EAGAIN: drained
        }
        if (n <= 0) break;
        feed(buf.subarray(0, n));
      }
      log.destroy();
      rmSync(dir, { recursive: true, force: true });
      signal?.removeEventListener('abort', abort);
      // Ctrl-C reaches QEMU too (one process group): however it ended, the check was stopped.
      if (signal?.aborted === true) { reject(new Interrupted(`interrupted after ${parser.records} instructions compared`)); return; }
      if (failure !== null) { reject(failure); return; }
      if (!stopped) {
        try {
          parser.end();
        } catch (e) {
          reject(e);
          return;
        }
        if (parser.records === 0) {
          const first = err.split('\n').find((l) => l.trim() !== '') ?? exit.describe;
          reject(new QemuError(`${qemu} did not run the program: ${first.trim()}`, false));
          return;
        }
      }
      resolve({ exitCode: exit.exitCode, stdout: Buffer.concat(out), describe: exit.describe });
    };

    const abort = (): void => stop();
    signal?.addEventListener('abort', abort);
    log.on('data', feed);
    log.on('error', (e) => { failure ??= e; stop(); });
    child.on('error', (e: NodeJS.ErrnoException) => {
      failure ??= e.code === 'ENOENT'
        ? new QemuError(`${qemu} not found (install qemu-user, or name the binary with --qemu)`, true)
        : new QemuError(`cannot run ${qemu}: ${e.message}`, false);
      finish({ exitCode: null, describe: 'did not start' });
    });
    child.stdout.on('data', (b: Buffer) => { if (outLen < MAX_STDOUT) { out.push(b); outLen += b.length; } });
    child.stderr.on('data', (b: Buffer) => { if (err.length < 8192) err += b.toString(); });
    child.on('close', (code, signal) => finish(describeExit(code, signal)));
  });
}
