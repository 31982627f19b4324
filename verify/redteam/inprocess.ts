// Running a program in process, the way `evminf run --json` does, on both models: the result
// the CLI would print (exit code, output, evminf's stderr line, gas, retired count) plus a
// digest of the root frame's memory. A library error is classified as the CLI classifies it.

import { createHash } from 'node:crypto';
import { loadElf, DEFAULT_STACK_SIZE, STACK_TOP, type LoadedProgram } from '../../cpu/program.js';
import { DEFAULT_MEM_LIMIT } from '../../cpu/memory.js';
import { createModel, type ModelKind } from '../../cpu/machine.js';
import { LinuxHost } from '../../cpu/host.js';
import { runToEnd, type RunResult } from '../../cpu/runner.js';
import { exitCodeOf } from '../../cpu/exit-codes.js';
import { Iss } from '../../cpu/iss.js';
import { classify } from './oracle.js';
import { standardDevices } from '../../peripherals/standard.js';

export interface ProgramOptions {
  pset?: number;
  gas?: number;
  stackSize?: number;
  maxInstructions: number;
  /** The memory budget of the live frames (docs/architecture.md, Limits; default 4 GiB). */
  memLimit?: number;
  /** ISS only: translate every block at first sight (cpu/blocks.ts) instead of when hot. */
  translateAll?: boolean;
}

/** What a run showed, as comparable fields. */
export interface ModelOutcome {
  code: number;
  /** evminf's own stderr (its error or stop line), not the guest's fd 2. */
  stderr: string;
  reason: string | null;
  guestExit: boolean;
  stdout: string;
  guestStderr: string;
  output: string | null;
  gas: number | null;
  retired: number | null;
  evals: number | null;
  interrupts: number | null;
  /** sha256 of every region of the root frame after the run. */
  memory: string | null;
}

export function memoryDigest(p: LoadedProgram): string {
  const h = createHash('sha256');
  for (const r of p.mem.regions) { h.update(`${r.name}@${r.base}:`); h.update(r.u8); }
  return h.digest('hex');
}

/**
 * Load and run `elf` on `model`. `inspect` sees the loaded program before and after the run
 * (the guest kind checks its canaries there).
 */
export function runProgram(elf: Uint8Array, model: ModelKind, o: ProgramOptions, inspect?: (p: LoadedProgram, phase: 'before' | 'after') => void): ModelOutcome {
  const fail = (e: unknown): ModelOutcome => {
    const c = classify(e);
    return { code: c.code, stderr: c.stderr, reason: null, guestExit: false, stdout: '', guestStderr: '', output: null, gas: null, retired: null, evals: null, interrupts: null, memory: null };
  };
  let prog: LoadedProgram;
  try {
    prog = loadElf(elf, o.stackSize ?? DEFAULT_STACK_SIZE, STACK_TOP, o.memLimit ?? DEFAULT_MEM_LIMIT);
  } catch (e) { return fail(e); }
  // The standard devices, as `evminf run` attaches them (the console's bytes are discarded).
  const m = createModel(model, prog, { pset: o.pset, gas: o.gas, devices: standardDevices() });
  if (m instanceof Iss && o.translateAll) m.hot = 0;
  const host = new LinuxHost();
  inspect?.(prog, 'before');
  let r: RunResult;
  try {
    // The cycle limit is a hang guard only: no program here needs 400 cycles per instruction.
    r = runToEnd(m, host, { memLimit: o.memLimit, maxInstructions: o.maxInstructions, maxCycles: model === 'cycle' ? o.maxInstructions * 400 + 50_000_000 : undefined });
  } catch (e) { return fail(e); }
  inspect?.(prog, 'after');
  const dec = new TextDecoder();
  const limited = r.reason === 'limit';
  return {
    code: exitCodeOf(r), stderr: r.message === null ? '' : `evminf: ${r.message}\n`, reason: r.reason, guestExit: r.reason === 'exit',
    stdout: dec.decode(host.output(1)), guestStderr: dec.decode(host.output(2)),
    output: r.output === null ? null : Buffer.from(r.output).toString('hex'),
    // At an instruction limit the cycle model has charged the instruction in MEM but not
    // retired it (verify/isolation.ts), so gas and memory are compared only for finished runs.
    gas: limited ? null : r.gas, retired: r.instructions, evals: r.evals, interrupts: r.interrupts,
    memory: limited ? null : memoryDigest(prog),
  };
}

const FIELDS: readonly (keyof ModelOutcome)[] = ['code', 'stderr', 'stdout', 'guestStderr', 'output', 'gas', 'retired', 'evals', 'interrupts', 'memory'];

/** Field-by-field differences between two outcomes, one line each. */
export function differences(a: ModelOutcome, b: ModelOutcome, an: string, bn: string): string[] {
  const d: string[] = [];
  for (const f of FIELDS) {
    // The stop line names a pc the cycle model may report differently at a limit; an internal
    // error's stack differs between runs: compare its first line.
    const x = f === 'stderr' ? stopLine(a) : a[f], y = f === 'stderr' ? stopLine(b) : b[f];
    if (x !== y) d.push(`${an} and ${bn} differ in ${f}: ${show(x)} vs ${show(y)}`);
  }
  return d;
}

const stopLine = (o: ModelOutcome): string => (o.reason === 'limit' ? '' : o.stderr.split('\n')[0]!);

const show = (v: unknown): string => {
  const s = typeof v === 'string' ? JSON.stringify(v.length > 60 ? v.slice(0, 60) + '…' : v) : String(v);
  return s.replace(/\n/g, '\\n');
};
