// `evminf fuzz`: random RV32IM programs in lockstep with qemu-riscv32; each failure is reported
// with the command line that reproduces it. Exit 1 when any program diverged. Programs run on
// every core and in shards (bin/campaign.ts, docs/campaigns.md).

import type { ModelKind } from '../../cpu/machine.js';
import { TABLE } from '../../isa/table.js';
import { fuzzSeed, type FuzzParams } from '../../verify/campaigns.js';
import { randomProgram } from '../../verify/randprog.js';
import { command, EXIT_DIVERGED } from '../exit.js';
import { EXIT } from '../../cpu/exit-codes.js';
import { UserError } from '../user-error.js';
import { out } from '../io.js';
import { jsonOption, modelOption } from '../options.js';
import { campaignOptions, runCampaignCli, type CampaignArgs } from '../campaign.js';
import { fault } from './equiv.js';

interface FuzzArgs extends CampaignArgs {
  count: number;
  seed: number;
  model: ModelKind;
  items: number;
  qemu?: string;
  'inject-fault'?: string;
  print: boolean;
}

const reproduce = (seed: number, a: FuzzArgs): string =>
  `evminf fuzz --count 1 --seed ${seed} --model ${a.model}${a.items !== 120 ? ` --items ${a.items}` : ''}${a['inject-fault'] ? ` --inject-fault ${a['inject-fault']}` : ''}`;

async function cmdFuzz(a: FuzzArgs): Promise<number> {
  if (a.print) {
    out(1, randomProgram(a.seed, { items: a.items }).source);
    return 0;
  }
  fault(a['inject-fault']); // a bad spec is a usage error before anything runs
  // The timing model's architecture is the ISS's (its cycles are checked by `evminf timing`).
  if (a.model === 'fast') throw new UserError('--model fast: fuzz compares the iss or the cycle model with QEMU (the timing model is checked by evminf timing)', EXIT.USAGE);
  const params: FuzzParams = { seed: a.seed, count: a.count, model: a.model, items: a.items, fault: a['inject-fault'] ?? null };
  const { report, start, end, seconds } = await runCampaignCli('fuzz', params, { qemu: a.qemu }, a, 'programs', a.json ? undefined : (_k, r) => {
    for (const f of r.failures ?? []) {
      const seed = f.seed as number;
      out(1, `seed ${seed}: ${r.text ?? ''}  reproduce: ${reproduce(seed, a)}\n  the program: evminf fuzz --print --seed ${seed}${a.items !== 120 ? ` --items ${a.items}` : ''} > prog.S\n`);
    }
  });
  const programs = report.sums.programs ?? 0, failed = report.sums.failed ?? 0, instructions = report.sums.instructions ?? 0;
  const coverage = report.tallies.coverage ?? {};
  const missing = TABLE.filter((r) => (r.ext === 'I' || r.ext === 'M') && !(coverage[r.name]! > 0)).map((r) => r.name);
  if (a.json) {
    out(1, JSON.stringify({
      programs, passed: programs - failed, failed, model: a.model, seed: a.seed, instructions, seconds,
      uncovered: missing,
      failures: report.failures.map((f) => ({
        seed: f.seed, reproduce: reproduce(f.seed as number, a), index: f.instruction, pc: f.pc, reason: f.reason, diffs: f.diffs,
      })),
    }) + '\n');
  } else {
    out(1, `evminf fuzz: ${programs} programs (seeds ${fuzzSeed(params, start)}..${fuzzSeed(params, end) - 1}), ${failed} failed, ${instructions} instructions compared with qemu-riscv32 (${a.model} model, ${seconds.toFixed(1)} s)\n`);
    if (missing.length > 0 && programs >= 8) out(1, `evminf fuzz: rows never generated: ${missing.join(' ')}\n`);
  }
  return failed === 0 ? 0 : EXIT_DIVERGED;
}

export const fuzzCommand = command<FuzzArgs>({
  command: 'fuzz',
  describe: 'random RV32IM programs in lockstep with qemu-riscv32; failures are reported with the seed that reproduces them',
  builder: (y) => {
    y = y
      .option('count', { type: 'string', requiresArg: true, default: 100, describe: 'programs to run' })
      .option('seed', { type: 'string', requiresArg: true, default: 1, describe: 'seed of the first program (program k uses seed + k)' });
    y = modelOption(y, 'iss', 'the model compared');
    y = y
      .option('items', { type: 'string', requiresArg: true, default: 120, describe: 'body items per program' })
      .option('qemu', { type: 'string', requiresArg: true, describe: 'the QEMU binary (default qemu-riscv32 on PATH)' })
      .option('inject-fault', { type: 'string', requiresArg: true, describe: 'test hook: flip bit 0 of the result of the n-th retired <mnemonic> in each program' })
      .option('print', { type: 'boolean', default: false, describe: 'print the program for --seed (assembly) and exit' });
    return campaignOptions(jsonOption(y, 'print one JSON summary'));
  },
  run: cmdFuzz,
});
