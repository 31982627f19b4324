// The command-line side of campaigns (verify/campaign.ts, docs/campaigns.md): the --jobs,
// --shard and --report options that `evminf fuzz`, `evminf isolation` and `evminf insn` share,
// the progress line, and writing the report.

import type { Argv } from 'yargs';
import { EXIT } from '../cpu/exit-codes.js';
import { CampaignError, parseJobs, parseShard, runCampaign, type CaseResult, type Report, type Shard } from '../verify/campaign.js';
import { loadCampaign } from '../verify/campaigns.js';
import { OutputFile, out } from './io.js';
import { UserError } from './user-error.js';

export interface CampaignArgs {
  jobs?: string;
  shard?: string;
  report?: string;
  json: boolean;
}

/** --jobs, --shard, --report. */
export function campaignOptions(y: Argv): Argv {
  return y
    .option('jobs', { type: 'string', requiresArg: true, describe: 'worker processes (default: every core); the results are those of --jobs 1' })
    .option('shard', { type: 'string', requiresArg: true, describe: 'run the i-th of n slices of the cases: i/n, or auto/n with i from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX (docs/campaigns.md)' })
    .option('report', { type: 'string', requiresArg: true, describe: 'write the JSON report to FILE (evminf report merge combines the reports of shards)' });
}

const usage = (e: unknown): never => {
  if (e instanceof CampaignError) throw new UserError(e.message, EXIT.USAGE);
  throw e;
};

/** The shard and jobs of a command line (usage errors on bad ones). */
export function campaignPlan(a: CampaignArgs): { shard: Shard; jobs: number } {
  try {
    return { shard: a.shard === undefined ? { index: 0, of: 1 } : parseShard(a.shard), jobs: parseJobs(a.jobs) };
  } catch (e) {
    return usage(e);
  }
}

export interface CampaignRun {
  report: Report;
  /** The first case index and one past the last of the shard. */
  start: number;
  end: number;
  seconds: number;
}

/**
 * Run the campaign for the command line: progress on a terminal (not with --json), failures to
 * `onFailure` in case order, the report to --report FILE (opened first, so a bad path costs no run).
 */
export async function runCampaignCli(name: string, params: Record<string, unknown>, local: Record<string, unknown>, a: CampaignArgs, label: string, onFailure?: (index: number, r: CaseResult) => void): Promise<CampaignRun> {
  const { shard, jobs } = campaignPlan(a);
  const file = a.report === undefined ? null : new OutputFile(a.report);
  const tty = !a.json && process.stderr.isTTY === true;
  const t0 = performance.now();
  let report: Report;
  try {
    report = await runCampaign(name, params, loadCampaign, {
      shard, jobs, local,
      onProgress: tty ? (done, total, failed) => out(2, `\r\x1b[K[${done}/${total}] ${label}, ${failed} failed`) : undefined,
      onFailure: onFailure === undefined ? undefined : (k, r) => { if (tty) out(2, '\r\x1b[K'); onFailure(k, r); },
    });
  } catch (e) {
    file?.abort();
    if (tty) out(2, '\r\x1b[K');
    throw e;
  }
  if (tty) out(2, '\r\x1b[K');
  if (file !== null) {
    file.write(Buffer.from(JSON.stringify(report) + '\n'));
    file.close();
  }
  const [start, end] = report.ranges[0] ?? [0, 0];
  return { report, start, end, seconds: (performance.now() - t0) / 1000 };
}
