// The timing model against the cycle model (issue 13): a random program (verify/randprog.ts, the
// programs `evminf fuzz` compares with QEMU) under random wait states per memory slave, run on
// the unit-level pipeline and on the timing model — translated (every block on first sight) and
// interpreted — must end with the same cycles, instructions, gas, stop and exit code.

import { assembleToElf } from '../isa/asm.js';
import type { MemoryWaitStates } from '../cpu/bus.js';
import { LinuxHost } from '../cpu/host.js';
import { createModel } from '../cpu/machine.js';
import type { RegionKind } from '../cpu/memory.js';
import { loadElf } from '../cpu/program.js';
import { runToEnd, type RunResult } from '../cpu/runner.js';
import { randomProgram, XorShift32 } from './randprog.js';

/** Far above a random program's length. */
const MAX_INSTRUCTIONS = 1_000_000;
const KINDS: readonly RegionKind[] = ['code', 'rom', 'input', 'ram', 'stack'];

export interface TimingCaseOptions {
  items?: number;
  /** Test hook: cycles added to the timing model's taken-branch penalty (TimedIss.faultBranchPenalty). */
  fault?: number;
}

export interface TimingCase {
  seed: number;
  waitStates: MemoryWaitStates;
  instructions: number;
  cycles: number;
  /** One line per disagreement (empty when the models agree). */
  diffs: string[];
}

/** The wait states of case `seed`: 0..3 per region kind, or one count for all (a quarter of cases). */
export function caseWaitStates(seed: number): MemoryWaitStates {
  const rng = new XorShift32(seed ^ 0x7a11);
  if (rng.int(4) === 0) return rng.int(4);
  const ws: Partial<Record<RegionKind, number>> = {};
  for (const k of KINDS) ws[k] = rng.int(4);
  return ws;
}

const summary = (r: RunResult): string => `${r.reason} (exit code ${r.exitCode}) after ${r.instructions} instructions, ${r.cycles} cycles, gas ${r.gas}`;

/** Run case `seed` on both models; `diffs` says where the timing model is wrong. */
export function timingCase(seed: number, o: TimingCaseOptions = {}): TimingCase {
  const elf = assembleToElf(randomProgram(seed, { items: o.items ?? 120 }).source, { file: `randprog-${seed}.S` });
  const waitStates = caseWaitStates(seed);
  const ref = runToEnd(createModel('cycle', loadElf(elf), { waitStates }), new LinuxHost(), { maxInstructions: MAX_INSTRUCTIONS });
  const diffs: string[] = [];
  // Interpreted, translated blocks, and regions of them formed on first sight.
  for (const [translate, regions] of [[true, false], [true, true], [false, false]] as const) {
    const m = createModel('fast', loadElf(elf), { waitStates });
    m.translate = translate;
    m.hot = 0;
    m.regions = regions;
    m.regionHot = 0;
    m.faultBranchPenalty = o.fault ?? 0;
    const r = runToEnd(m, new LinuxHost(), { maxInstructions: MAX_INSTRUCTIONS });
    if (r.cycles !== ref.cycles || r.instructions !== ref.instructions || r.gas !== ref.gas || r.reason !== ref.reason || r.exitCode !== ref.exitCode) {
      diffs.push(`seed ${seed}, wait states ${JSON.stringify(waitStates)}: timing model (${regions ? 'regions' : translate ? 'translated' : 'interpreted'}) ${summary(r)}; cycle model ${summary(ref)}`);
    }
  }
  return { seed, waitStates, instructions: ref.instructions, cycles: ref.cycles ?? 0, diffs };
}
