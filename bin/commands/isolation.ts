// `evminf isolation`: the EVAL isolation fuzzer (verify/isolation.ts) from the command line.
// Exit 1 when any case broke isolation (or the two models disagree). Cases run on every core and
// in shards (bin/campaign.ts, docs/campaigns.md).

import type { IsolationParams } from '../../verify/campaigns.js';
import { campaignOptions, runCampaignCli, type CampaignArgs } from '../campaign.js';
import { command } from '../exit.js';
import { out } from '../io.js';
import { jsonOption } from '../options.js';

interface IsolationArgs extends CampaignArgs {
  count: number;
  seed: number;
  model: 'iss' | 'cycle' | 'both';
}

async function cmdIsolation(a: IsolationArgs): Promise<number> {
  const params: IsolationParams = { seed: a.seed, count: a.count, model: a.model };
  const { report, seconds } = await runCampaignCli('isolation', params, {}, a, 'cases', a.json ? undefined : (_k, r) => {
    for (const f of r.failures ?? []) out(1, `FAIL seed ${f.seed as number} (${f.model as string}): ${(f.violations as string[]).join('; ')}\n`);
  });
  const cases = report.sums.cases ?? 0, failed = report.sums.failed ?? 0, instructions = report.sums.instructions ?? 0;
  const statuses = report.tallies.statuses ?? {};
  const summary = { cases, seed: a.seed, model: a.model, failed, instructions, statuses, seconds, failures: report.failures.map((f) => ({ seed: f.seed, model: f.model, violations: f.violations })) };
  if (a.json) out(1, JSON.stringify(summary) + '\n');
  else out(1, `${cases} cases, ${failed} failed, ${instructions} instructions, statuses ${JSON.stringify(statuses)}, ${seconds.toFixed(1)} s\n`);
  return failed === 0 ? 0 : 1;
}

export const isolationCommand = command<IsolationArgs>({
  command: 'isolation',
  describe: 'fuzz EVAL isolation: random children under random permissions and gas (exit 1 on a violation)',
  builder: (y) => campaignOptions(jsonOption(y
    .option('count', { type: 'string', requiresArg: true, default: 1000, describe: 'cases to run' })
    .option('seed', { type: 'string', requiresArg: true, default: 20261125, describe: 'first seed (case k uses seed + 7919 k)' })
    .option('model', { choices: ['iss', 'cycle', 'both'], default: 'both', describe: 'models to run each case on' }), 'print one JSON summary')),
  run: cmdIsolation,
});
