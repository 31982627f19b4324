// Runs a root frame to completion on any model (ISS or cycle model), with the call-management
// unit's frame logic and the host as the root frame's interrupt handler, enforcing instruction
// and cycle limits. The CLI and the tests share it.

import { CallManager, type FrameEnd, type FrameModel, type RootHandler } from './frames.js';
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
  /** Go on with this call-management unit (its frames) instead of a new root frame: fast-forward (debug/fastforward.ts). */
  resume?: CallManager;
}

const hex = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');

export function runToEnd(m: CpuModel, host: RootHandler, limits: RunLimits = {}): RunResult {
  const cm = limits.resume ?? new CallManager(m, host, { memLimit: limits.memLimit });
  limits.calls?.(cm);
  return resultOf(m, cm, cm.run(limits), limits);
}

/**
 * Instructions in one slice of runToEndSliced: on the cycle model a fraction of a second; on
 * the ISS the progress chunk, since a slice boundary inside a hot block makes the ISS translate
 * one more block from there (its results are the same; `translatedBlocks` would differ).
 */
export const SLICE_INSTRUCTIONS_CYCLE = 1 << 18;
export const SLICE_INSTRUCTIONS_ISS = 1 << 24;

/**
 * runToEnd in slices of `slice` instructions, awaiting `between()` after each, so that a
 * command reads its input (Ctrl-C) during a long run; `between` resolving true stops the run
 * there and resolves null. The slices do not change the run: the call-management unit goes on
 * where it stopped, as with onProgress (called here about every `progressEvery` instructions).
 */
export async function runToEndSliced(m: CpuModel, host: RootHandler, limits: RunLimits, between: () => Promise<boolean>,
  slice = m.cycles === undefined ? SLICE_INSTRUCTIONS_ISS : SLICE_INSTRUCTIONS_CYCLE): Promise<RunResult | null> {
  const cm = limits.resume ?? new CallManager(m, host, { memLimit: limits.memLimit });
  limits.calls?.(cm);
  const maxI = limits.maxInstructions ?? Number.MAX_SAFE_INTEGER;
  const maxC = limits.maxCycles ?? Number.MAX_SAFE_INTEGER;
  const every = limits.progressEvery ?? 1 << 24;
  let shown = 0;
  for (;;) {
    const end = cm.run({ maxInstructions: Math.min(maxI, m.retired + slice), maxCycles: maxC });
    if (end.kind !== 'limit' || m.retired >= maxI || (m.cycles !== undefined && m.cycles >= maxC)) return resultOf(m, cm, end, limits);
    if (limits.onProgress !== undefined && m.retired - shown >= every) { shown = m.retired - (m.retired % every); limits.onProgress(m.retired, m.cycles ?? null); }
    if (await between()) return null;
  }
}

function resultOf(m: CpuModel, cm: CallManager, end: FrameEnd, limits: RunLimits): RunResult {
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
      // Stopped between two cycles: report the next instruction to retire and the gas of the
      // retired ones (the ISS's state after as many instructions), not the fetch pc running ahead.
      const pc = (m.retiredPc ?? m.pc) >>> 0, gas = m.retiredGas ?? m.gasUsed;
      const what = m.retired >= (limits.maxInstructions ?? Infinity) ? `instruction limit of ${limits.maxInstructions}` : `cycle limit of ${limits.maxCycles}`;
      return { ...base, pc, gas, reason: 'limit', exitCode: null, cause: null, message: `stopped at the ${what} (pc ${hex(pc)})` };
    }
  }
}
