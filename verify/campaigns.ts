// The campaigns evminf runs across cores and machines (verify/campaign.ts, docs/campaigns.md):
// the equivalence fuzzer against qemu-riscv32, the EVAL isolation fuzzer, and the
// riscv-tests-style instruction programs of verify/insn. Each maps a case index and the run's
// parameters to the case's contribution; parameters that depend on the machine (the QEMU binary)
// are passed beside them and stay out of the report.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { assembleToElf } from '../isa/asm.js';
import { TABLE } from '../isa/table.js';
import { LinuxHost } from '../cpu/host.js';
import { createModel } from '../cpu/machine.js';
import { loadElf } from '../cpu/program.js';
import { runToEnd } from '../cpu/runner.js';
import { parseFault } from '../waveforms/retire.js';
import type { Campaign, CaseResult } from './campaign.js';
import { INSTRUCTIONS, buildProgram } from './insn/cases.js';
import { EXPECTED, GOT, TESTNUM } from './insn/program.js';
import { runCase } from './isolation.js';
import { equivQemu, QemuError } from './qemu.js';
import { randomProgram } from './randprog.js';
import { formatResult } from './report.js';
import { timingCase } from './timing.js';

export interface FuzzParams extends Record<string, unknown> {
  seed: number;
  count: number;
  model: 'iss' | 'cycle';
  items: number;
  /** --inject-fault (a test hook), or null. */
  fault: string | null;
  /** The QEMU binary: machine-local, passed beside the parameters (RunOptions.local). */
  qemu?: string;
}

export interface IsolationParams extends Record<string, unknown> {
  seed: number;
  count: number;
  model: 'iss' | 'cycle' | 'both';
}

export interface InsnParams extends Record<string, unknown> {
  models: ('iss' | 'cycle')[];
  /** Also run every program under qemu-riscv32 (which proves the expected values). */
  qemu: boolean;
  /** The QEMU binary: machine-local, passed beside the parameters (RunOptions.local). */
  qemuPath?: string;
}

export interface TimingParams extends Record<string, unknown> {
  seed: number;
  count: number;
  items: number;
  /** Test hook: extra taken-branch cycles in the timing model (0: none). */
  fault: number;
}

/** Program k of a fuzz run uses seed + k. */
export const fuzzSeed = (p: FuzzParams, k: number): number => p.seed + k;
/** Case k of an isolation run uses seed + 7919 k. */
export const isolationSeed = (p: IsolationParams, k: number): number => (p.seed + k * 7919) >>> 0;

const fuzz: Campaign<FuzzParams> = {
  count: (p) => p.count,
  async run(k, p): Promise<CaseResult> {
    const seed = fuzzSeed(p, k);
    const prog = randomProgram(seed, { items: p.items });
    const coverage: Record<string, number> = {};
    for (let i = 0; i < prog.coverage.length; i++) if (prog.coverage[i]! > 0) coverage[TABLE[i]!.name] = (coverage[TABLE[i]!.name] ?? 0) + prog.coverage[i]!;
    const elf = assembleToElf(prog.source, { file: `randprog-${seed}.S` });
    const r = await equivQemu(elf, { model: p.model, fault: p.fault === null ? null : parseFault(p.fault), qemu: p.qemu });
    const d = r.divergence;
    return {
      sums: { programs: 1, failed: r.equal ? 0 : 1, instructions: r.instructions },
      tallies: { coverage },
      failures: r.equal ? [] : [{ seed, instruction: d?.index ?? null, pc: d?.pc ?? null, reason: d?.reason ?? null, diffs: d?.diffs ?? [] }],
      text: r.equal ? undefined : formatResult(r),
    };
  },
};

const isolation: Campaign<IsolationParams> = {
  count: (p) => p.count,
  async run(k, p): Promise<CaseResult> {
    const seed = isolationSeed(p, k);
    const models = p.model === 'both' ? (['iss', 'cycle'] as const) : [p.model];
    const outs = models.map((m) => runCase(seed, m));
    const o = outs[0]!;
    if (outs.length === 2 && outs[1]!.digest !== o.digest) o.violations.push('the ISS and the cycle model end in different states');
    const failures = outs.filter((x) => x.violations.length > 0).map((x) => ({ seed: x.seed, model: x.model, violations: x.violations }));
    return { sums: { cases: 1, failed: failures.length, instructions: o.instructions }, tallies: { statuses: { [String(o.status)]: 1 } }, failures };
  },
};

/** Far above any instruction program's length (the largest retires under 2,000 instructions). */
const INSN_MAX_INSTRUCTIONS = 100_000;
const INSN_MAX_CYCLES = 1_000_000;

const insn: Campaign<InsnParams> = {
  count: () => INSTRUCTIONS.length,
  async run(k, p): Promise<CaseResult> {
    const prog = buildProgram(INSTRUCTIONS[k]!);
    const elf = assembleToElf(prog.source, { file: `${prog.name}.S` });
    const failures: Record<string, unknown>[] = [];
    let instructions = 0;
    for (const model of p.models) {
      const m = createModel(model, loadElf(elf));
      const r = runToEnd(m, new LinuxHost(), { maxInstructions: INSN_MAX_INSTRUCTIONS, maxCycles: INSN_MAX_CYCLES });
      instructions += r.instructions;
      if (r.reason === 'exit' && r.exitCode === 0) continue;
      const n = m.x[TESTNUM]!;
      const verdict = r.reason === 'exit' && r.exitCode !== null
        ? prog.describeFailure(r.exitCode, m.x[GOT], m.x[EXPECTED])
        : `${prog.name}: ${r.message ?? r.reason} during case ${n}${prog.caseOf(n) ? ` (${prog.caseOf(n)!.what})` : ''}`;
      failures.push({ program: prog.name, model, verdict });
    }
    if (p.qemu) {
      const dir = mkdtempSync(join(tmpdir(), 'evminf-insn-'));
      try {
        const file = join(dir, `${prog.name}.elf`);
        writeFileSync(file, elf, { mode: 0o755 });
        const q = p.qemuPath ?? 'qemu-riscv32';
        const r = spawnSync(q, [file], { encoding: 'utf8', timeout: 20_000 });
        if (r.error !== undefined) {
          throw new QemuError(`${q} could not be run (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})`, (r.error as NodeJS.ErrnoException).code === 'ENOENT');
        }
        if (r.status !== 0) failures.push({ program: prog.name, model: 'qemu-riscv32', verdict: r.status === null ? `${prog.name}: qemu-riscv32 died of a signal` : prog.describeFailure(r.status) });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return {
      sums: { programs: 1, cases: prog.cases.length, runs: p.models.length + (p.qemu ? 1 : 0), failed: failures.length, instructions },
      failures,
    };
  },
};

const timing: Campaign<TimingParams> = {
  count: (p) => p.count,
  run(k, p): Promise<CaseResult> {
    const c = timingCase(p.seed + k, { items: p.items, fault: p.fault });
    return Promise.resolve({
      sums: { programs: 1, failed: c.diffs.length === 0 ? 0 : 1, instructions: c.instructions, cycles: c.cycles },
      failures: c.diffs.length === 0 ? [] : [{ seed: c.seed, diffs: c.diffs }],
      text: c.diffs.length === 0 ? undefined : c.diffs.join('\n'),
    });
  },
};

export const CAMPAIGNS = ['fuzz', 'isolation', 'insn', 'timing'] as const;
export type CampaignName = (typeof CAMPAIGNS)[number];

type AnyCampaign = Campaign<Record<string, unknown>>;
const BY_NAME: Readonly<Record<CampaignName, AnyCampaign>> = {
  fuzz: fuzz as unknown as AnyCampaign,
  isolation: isolation as unknown as AnyCampaign,
  insn: insn as unknown as AnyCampaign,
  timing: timing as unknown as AnyCampaign,
};

/** A campaign by name (the worker processes load theirs this way). */
export function loadCampaign(name: string): Promise<AnyCampaign> {
  if (!Object.hasOwn(BY_NAME, name)) return Promise.reject(new Error(`no campaign ${name}`));
  return Promise.resolve(BY_NAME[name as CampaignName]);
}
