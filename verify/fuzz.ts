// Equivalence fuzzing: random RV32IM programs (verify/randprog.ts), each run in lockstep with
// qemu-riscv32. Program k of a run uses seed `seed + k`, so any failure reproduces from its seed.

import { assembleToElf } from '../isa/asm.js';
import { randomProgram } from './randprog.js';
import { TABLE } from '../isa/table.js';
import type { ModelKind } from '../cpu/machine.js';
import type { FaultSpec } from '../waveforms/retire.js';
import { equivQemu } from './qemu.js';
import type { EquivResult } from './report.js';

export interface FuzzOptions {
  count: number;
  seed: number;
  model: ModelKind;
  fault?: FaultSpec | null;
  qemu?: string;
  /** Body items per program (verify/randprog.ts). */
  items?: number;
  onProgress?: (done: number, failed: number) => void;
  /** Called with each failing program. */
  onFailure?: (f: FuzzFailure) => void;
}

export interface FuzzFailure {
  seed: number;
  result: EquivResult;
  source: string;
}

export interface FuzzSummary {
  programs: number;
  failed: number;
  failures: FuzzFailure[];
  /** Retired instructions compared in all programs. */
  instructions: number;
  seconds: number;
  /** Static occurrences of each table row over all programs. */
  coverage: Uint32Array;
}

export async function fuzz(opts: FuzzOptions): Promise<FuzzSummary> {
  const t0 = performance.now();
  const failures: FuzzFailure[] = [];
  const coverage = new Uint32Array(TABLE.length);
  let instructions = 0;
  for (let k = 0; k < opts.count; k++) {
    const seed = opts.seed + k;
    const p = randomProgram(seed, { items: opts.items });
    for (let i = 0; i < coverage.length; i++) coverage[i]! += p.coverage[i]!;
    const elf = assembleToElf(p.source, { file: `randprog-${seed}.S` });
    const r = await equivQemu(elf, { model: opts.model, fault: opts.fault, qemu: opts.qemu });
    instructions += r.instructions;
    if (!r.equal) {
      const f = { seed, result: r, source: p.source };
      failures.push(f);
      opts.onFailure?.(f);
    }
    opts.onProgress?.(k + 1, failures.length);
  }
  return { programs: opts.count, failed: failures.length, failures, instructions, seconds: (performance.now() - t0) / 1000, coverage };
}
