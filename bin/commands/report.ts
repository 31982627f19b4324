// `evminf report merge A.json B.json ... [-o OUT]`: one report from the reports of a campaign's
// shards (verify/campaign.ts, docs/campaigns.md). The merged report of shards 0/n .. n-1/n is
// the report of the unsharded run; a partial set merges too, and says how much it covers.

import { EXIT } from '../../cpu/exit-codes.js';
import { CampaignError, covered, mergeReports, parseReport } from '../../verify/campaign.js';
import { command } from '../exit.js';
import { OutputFile, out, readInput } from '../io.js';
import { UserError } from '../user-error.js';

interface ReportArgs {
  action: string;
  reports: string[];
  output?: string;
}

function cmdReport(a: ReportArgs): number {
  if (a.action !== 'merge') throw new UserError(`report: unknown action '${a.action}' (evminf report merge A.json B.json ... [-o OUT])`, EXIT.USAGE);
  if (a.reports.length === 0) throw new UserError('report merge needs the reports to merge', EXIT.USAGE);
  let merged;
  try {
    merged = mergeReports(a.reports.map((file) => ({ file, report: parseReport(readInput(file).toString('utf8'), file) })));
  } catch (e) {
    if (e instanceof CampaignError) throw new UserError(e.message, EXIT.BAD_INPUT);
    throw e;
  }
  const text = JSON.stringify(merged) + '\n';
  if (a.output === undefined || a.output === '-') out(1, text);
  else {
    const f = new OutputFile(a.output);
    f.write(Buffer.from(text));
    f.close();
  }
  const n = covered(merged);
  const failed = merged.failures.length;
  out(2, `evminf report: ${merged.campaign}, ${n} of ${merged.count} cases${n < merged.count ? ' (some shards missing)' : ''}, ${failed} failure${failed === 1 ? '' : 's'}\n`);
  return 0;
}

export const reportCommand = command<ReportArgs>({
  command: 'report <action> [reports..]',
  describe: 'merge the JSON reports of a campaign\'s shards (evminf report merge A.json B.json ... -o OUT)',
  builder: (y) => y
    .positional('action', { type: 'string', choices: ['merge'], describe: 'merge: combine reports of one campaign' })
    .positional('reports', { type: 'string', array: true, describe: 'the reports (--report FILE of fuzz, isolation or insn)' })
    .option('output', { alias: 'o', type: 'string', requiresArg: true, describe: 'write the merged report to FILE (default stdout)' }),
  run: cmdReport,
});
