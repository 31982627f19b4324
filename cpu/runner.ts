// Runs a root frame to completion on any model (ISS or cycle model) with the host as its
// interrupt handler, enforcing instruction and cycle limits. The CLI and tests share it.

import { Op, OPS } from '../isa/table.js';
import { decode } from '../isa/decode.js';
import type { AddressSpace } from './memory.js';
import { LinuxHost } from './host.js';
import { CAUSE_NAMES, Stop } from './trap.js';

/** What the runner needs of a model; Iss and the cycle model both provide it. */
export interface CpuModel {
  readonly x: Int32Array;
  pc: number;
  readonly mem: AddressSpace;
  readonly retired: number;
  readonly gasUsed: number;
  readonly cause: number;
  readonly tval: number;
  /** Cycles elapsed; models without timing leave it undefined. */
  readonly cycles?: number;
  /** Retire at most `maxRetire` instructions (and, for timed models, run at most `maxCycles`). */
  run(maxRetire: number, maxCycles?: number): Stop;
}

export type StopReason = 'exit' | 'return' | 'throw' | 'trap' | 'limit' | 'frame';

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
  /** One line for the user when the run did not end by exit/return. */
  message: string | null;
}

export interface RunLimits {
  maxInstructions?: number;
  maxCycles?: number;
  /** Called about every `progressEvery` instructions (for a terminal progress line). */
  onProgress?: (instructions: number, cycles: number | null) => void;
  progressEvery?: number;
}

const hex = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');

export function runToEnd(m: CpuModel, host: LinuxHost, limits: RunLimits = {}): RunResult {
  const maxI = limits.maxInstructions ?? Number.MAX_SAFE_INTEGER;
  const maxC = limits.maxCycles ?? Number.MAX_SAFE_INTEGER;
  const chunk = limits.onProgress ? (limits.progressEvery ?? 1 << 24) : Number.MAX_SAFE_INTEGER;
  const result = (reason: StopReason, exitCode: number | null, cause: number | null, message: string | null): RunResult => ({
    reason, exitCode, instructions: m.retired, cycles: m.cycles ?? null, gas: m.gasUsed, pc: m.pc >>> 0, cause, message,
  });
  for (;;) {
    const left = maxI - m.retired;
    if (left <= 0 || (m.cycles !== undefined && m.cycles >= maxC)) {
      const what = left <= 0 ? `instruction limit of ${maxI}` : `cycle limit of ${maxC}`;
      return result('limit', null, null, `stopped at the ${what} (pc ${hex(m.pc)})`);
    }
    const stop = m.run(Math.min(left, chunk), maxC);
    switch (stop) {
      case Stop.LIMIT:
        limits.onProgress?.(m.retired, m.cycles ?? null);
        break;
      case Stop.ECALL:
        if (host.ecall(m, (m.pc - 4) >>> 0)) return result('exit', host.exitCode, null, null);
        break;
      case Stop.TRAP: {
        const name = CAUSE_NAMES[m.cause] ?? `exception ${m.cause}`;
        const detail = m.cause === 2 ? ` ${hex(m.tval)}` : m.cause === 3 ? '' : ` at address ${hex(m.tval)}`;
        return result('trap', null, m.cause, `${name}${detail} (pc ${hex(m.pc)})`);
      }
      case Stop.FRAME: {
        const word = m.mem.readWord(m.pc) ?? 0;
        const op = decode(word >>> 0);
        if (op === Op.RETURN) {
          // The root frame's caller is the host: RETURN ends the run successfully.
          return result('return', 0, null, null);
        }
        if (op === Op.THROW) {
          const code = m.x[(word >>> 15) & 31]!;
          return result('throw', null, code, `frame threw exception code ${code} (pc ${hex(m.pc)})`);
        }
        return result('frame', null, null, `${op === OPS['eval'] ? 'EVAL' : 'GASTAB'} at pc ${hex(m.pc)} needs the call-management unit, which this model does not have yet`);
      }
    }
  }
}
