// `evminf timing`: the timing model (--model fast) against the cycle model on random programs
// with random wait states per memory slave (verify/timing.ts); exit 1 when any cycle count
// differs. Programs run on every core and in shards (bin/campaign.ts, docs/campaigns.md).

import type { TimingParams } from '../../verify/campaigns.js';
import { campaignOptions, runCampaignCli, type CampaignArgs } from '../campaign.js';
import { command } from '../exit.js';
import { out } from '../io.js';
import { jsonOption } from '../options.js';

interface TimingArgs extends CampaignArgs {
  count: number;
  seed: number;
  items: number;
  'fault-cycles': number;
}

async function cmdTiming(a: TimingArgs): Promise<number> {
  const params: TimingParams = { seed: a.seed, count: a.count, items: a.items, fault: a['fault-cycles'] };
  const { report, seconds } = await runCampaignCli('timing', params, {}, a, 'programs', a.json ? undefined : (_k, r) => {
    if (r.text !== undefined) out(1, `FAIL ${r.text}\n`);
  });
  const programs = report.sums.programs ?? 0, failed = report.sums.failed ?? 0;
  const summary = { programs, seed: a.seed, failed, instructions: report.sums.instructions ?? 0, cycles: report.sums.cycles ?? 0, seconds, failures: report.failures };
  if (a.json) out(1, JSON.stringify(summary) + '\n');
  else out(1, `evminf timing: ${programs} programs (seeds ${a.seed}..${a.seed + a.count - 1}), ${failed} failed, ${summary.cycles} cycles compared with the cycle model (${seconds.toFixed(1)} s)\n`);
  return failed === 0 ? 0 : 1;
}

export const timingCommand = command<TimingArgs>({
  command: 'timing',
  describe: 'check the timing model (--model fast) against the cycle model on random programs with random wait states (exit 1 on a difference)',
  builder: (y) => campaignOptions(jsonOption(y
    .option('count', { type: 'string', requiresArg: true, default: 1000, describe: 'programs to run' })
    .option('seed', { type: 'string', requiresArg: true, default: 20261202, describe: 'first seed (program k uses seed + k)' })
    .option('items', { type: 'string', requiresArg: true, default: 120, describe: 'random items per program' })
    .option('fault-cycles', { type: 'string', requiresArg: true, default: 0, describe: 'test hook (like fuzz --inject-fault): add this many cycles to the timing model\'s taken-branch penalty (the check must then fail)' }), 'print one JSON summary')),
  run: cmdTiming,
});
