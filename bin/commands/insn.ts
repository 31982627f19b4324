// `evminf insn`: the riscv-tests-style instruction programs (verify/insn: one self-checking
// program per RV32I/M instruction) on the ISS and the cycle model, and optionally under
// qemu-riscv32, which proves their expected values. Programs run on every core and in shards
// (bin/campaign.ts, docs/campaigns.md). Exit 1 when any program failed on any model.

import type { InsnParams } from '../../verify/campaigns.js';
import { campaignOptions, runCampaignCli, type CampaignArgs } from '../campaign.js';
import { command, EXIT_DIVERGED } from '../exit.js';
import { out } from '../io.js';
import { jsonOption } from '../options.js';

interface InsnArgs extends CampaignArgs {
  model: 'iss' | 'cycle' | 'both';
  qemu?: string;
}

async function cmdInsn(a: InsnArgs): Promise<number> {
  const params: InsnParams = { models: a.model === 'both' ? ['iss', 'cycle'] : [a.model], qemu: a.qemu !== undefined };
  const local = a.qemu === undefined || a.qemu === '' ? {} : { qemuPath: a.qemu };
  const { report, seconds } = await runCampaignCli('insn', params, local, a, 'programs', a.json ? undefined : (_k, r) => {
    for (const f of r.failures ?? []) out(1, `FAIL ${f.verdict as string} (${f.model as string})\n`);
  });
  const s = report.sums;
  const programs = s.programs ?? 0, failed = s.failed ?? 0;
  const models = [...params.models, ...(params.qemu ? ['qemu-riscv32'] : [])];
  if (a.json) {
    out(1, JSON.stringify({ programs, cases: s.cases ?? 0, runs: s.runs ?? 0, failed, instructions: s.instructions ?? 0, models, seconds, failures: report.failures.map(({ index: _, ...f }) => f) }) + '\n');
  } else {
    out(1, `evminf insn: ${programs} programs, ${s.cases ?? 0} cases, ${s.runs ?? 0} runs (${models.join(', ')}), ${failed} failed, ${seconds.toFixed(1)} s\n`);
  }
  return failed === 0 ? 0 : EXIT_DIVERGED;
}

export const insnCommand = command<InsnArgs>({
  command: 'insn',
  describe: 'the riscv-tests-style instruction programs (one per RV32I/M instruction) on the models, optionally under qemu-riscv32',
  builder: (y) => campaignOptions(jsonOption(y
    .option('model', { choices: ['iss', 'cycle', 'both'], default: 'both', describe: 'models to run each program on' })
    .option('qemu', { type: 'string', describe: 'also run every program under qemu-riscv32 (or the binary given: --qemu=PATH)' }), 'print one JSON summary')),
  run: cmdInsn,
});
