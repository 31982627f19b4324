// Runs a root frame to completion on any model (ISS or cycle model), with the call-management
// unit's frame logic and the host as the root frame's interrupt handler, enforcing instruction
// and cycle limits. The CLI and the tests share it.

import { CallManager, type FrameModel, type RootHandler } from './frames.js';
import { CAUSE_NAMES } from './trap.js';

/** What the runner needs of a model; Iss and the cycle model both provide it. */
export type CpuModel = FrameModel;

export type StopReason = 'exit' | 'return' | 'throw' | 'trap' | 'limit' | 'unavailable';

export interface RunResult {
  reason: StopReason;
  /** The guest's exit code (exit), 0 (return); null otherwise. */
  exitCode: number | null;
  instructions: number;
  cycles: number | null;
  gas: number;
  pc: number;
  /** Trap cause number, or THROW's code. */
  cause: number | null;
  /** RETURN's output bytes (root frame). */
  output: Uint8Array | null;
  /** One line for the user when the run did not end by exit/return. */
  message: string | null;
  /** Frames created by EVAL and interrupts served. */
  evals: number;
  interrupts: number;
}

export interface RunLimits {
  maxInstructions?: number;
  maxCycles?: number;
  /** Called about every `progressEvery` instructions (for a terminal progress line). */
  onProgress?: (instructions: number, cycles: number | null) => void;
  progressEvery?: number;
  /** The memory budget of all live frames in bytes (default DEFAULT_MEM_LIMIT, docs/architecture.md, Limits). */
  memLimit?: number;
  /** Given the call-management unit before the run (an observer from above: a profiler watches frames). */
  calls?: (cm: CallManager) => void;
}

const hex = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');

export function runToEnd(m: CpuModel, host: RootHandler, limits: RunLimits = {}): RunResult {
  const cm = new CallManager(m, host, { memLimit: limits.memLimit });
  limits.calls?.(cm);
  const end = cm.run(limits);
  const base = { instructions: m.retired, cycles: m.cycles ?? null, gas: m.gasUsed, pc: m.pc >>> 0, evals: cm.evals, interrupts: cm.interrupts, output: null };
  switch (end.kind) {
    case 'exit':
      return { ...base, reason: 'exit', exitCode: end.code, cause: null, message: null };
    case 'return':
      return { ...base, reason: 'return', exitCode: 0, cause: null, message: null, output: end.output };
    case 'throw':
      return { ...base, reason: 'throw', exitCode: null, cause: end.code, message: `root frame threw exception code ${end.code} (pc ${hex(m.pc - 4)})` };
    case 'trap': {
      const name = CAUSE_NAMES[end.cause] ?? `exception ${end.cause}`;
      const detail = end.cause === 2 ? ` ${hex(end.tval)}` : end.cause === 3 || end.cause === 24 ? '' : ` at address ${hex(end.tval)}`;
      return { ...base, reason: 'trap', exitCode: null, cause: end.cause, pc: end.pc, message: `${name}${detail} (pc ${hex(end.pc)})` };
    }
    case 'unavailable':
      return { ...base, reason: 'unavailable', exitCode: null, cause: null, message: `data unavailable: ${end.detail} (unwound ${end.depth} frame${end.depth === 1 ? '' : 's'})` };
    case 'limit': {
      const what = m.retired >= (limits.maxInstructions ?? Infinity) ? `instruction limit of ${limits.maxInstructions}` : `cycle limit of ${limits.maxCycles}`;
      return { ...base, reason: 'limit', exitCode: null, cause: null, message: `stopped at the ${what} (pc ${hex(m.pc)})` };
    }
  }
}
