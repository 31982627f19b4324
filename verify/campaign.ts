// Campaigns: many independent cases (fuzz programs, isolation cases, instruction-test programs),
// run on every core of a machine and across machines, with a result that does not depend on how
// the work was split (docs/campaigns.md).
//
// A campaign is a function from a case index to that case's contribution: sums (programs,
// instructions, failures), tallies (statuses, coverage by row) and failures. The report folds
// the contributions in index order, so it is the same whether the cases ran on one thread, on N
// worker processes in any order, or as shards on different machines whose reports are merged:
// sums and tallies add, failures are kept sorted by case index, and the covered index ranges
// are joined. Nothing that depends on the machine (times, paths) goes into a report.

import { availableParallelism } from 'node:os';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** One case's contribution. */
export interface CaseResult {
  /** Added over all cases. */
  sums: Record<string, number>;
  /** Added key by key over all cases. */
  tallies?: Record<string, Record<string, number>>;
  /** Kept in the report, in case order (the runner adds `index`). */
  failures?: Record<string, unknown>[];
  /** For the terminal only (a failure's full text), never in the report. */
  text?: string;
}

/** A campaign's cases: `count` of them, case k computed from `params` alone. */
export interface Campaign<P> {
  /** The number of cases a run of these parameters has. */
  count(params: P): number;
  run(index: number, params: P): CaseResult | Promise<CaseResult>;
}

export const REPORT_FORMAT = 'evminf-report';
export const REPORT_VERSION = 1;

/** A campaign's report (docs/campaigns.md, "Reports"). */
export interface Report {
  format: typeof REPORT_FORMAT;
  version: number;
  campaign: string;
  params: Record<string, unknown>;
  /** Cases in the whole campaign. */
  count: number;
  /** The case indices this report covers: sorted, disjoint, non-adjacent [start, end) pairs. */
  ranges: [number, number][];
  sums: Record<string, number>;
  tallies: Record<string, Record<string, number>>;
  failures: ({ index: number } & Record<string, unknown>)[];
}

/** A bad --shard, --jobs or report: a user error with one line (the CLI gives it exit 2). */
export class CampaignError extends Error {
  override readonly name = 'CampaignError';
}

export interface Shard { index: number; of: number }

export const WHOLE: Shard = { index: 0, of: 1 };
/** The largest shard count (and --jobs) accepted. */
export const MAX_SHARDS = 1_000_000;
export const MAX_JOBS = 1024;

/**
 * `--shard i/n`: the i-th of n slices (0 <= i < n). `auto/n` takes i from SLURM_ARRAY_TASK_ID
 * (a Slurm array job) or JOB_COMPLETION_INDEX (a Kubernetes Indexed Job), in that order.
 */
export function parseShard(text: string, env: Readonly<Record<string, string | undefined>> = process.env): Shard {
  const m = /^(auto|[0-9]+)\/([0-9]+)$/.exec(text.trim());
  if (m === null) throw new CampaignError(`--shard must be i/n (0 <= i < n) or auto/n; got '${text}'`);
  const of = Number(m[2]);
  if (!Number.isSafeInteger(of) || of < 1 || of > MAX_SHARDS) throw new CampaignError(`--shard: n must be from 1 to ${MAX_SHARDS}; got '${text}'`);
  let raw = m[1]!, from = '';
  if (raw === 'auto') {
    const name = env.SLURM_ARRAY_TASK_ID !== undefined ? 'SLURM_ARRAY_TASK_ID' : env.JOB_COMPLETION_INDEX !== undefined ? 'JOB_COMPLETION_INDEX' : null;
    if (name === null) throw new CampaignError('--shard auto/n needs SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX in the environment');
    raw = env[name]!.trim();
    from = ` (from ${name})`;
    if (!/^[0-9]+$/.test(raw)) throw new CampaignError(`--shard auto/${of}: ${name} must be a shard index from 0 to ${of - 1}; got '${env[name]}'`);
  }
  const index = Number(raw);
  if (!Number.isSafeInteger(index) || index >= of) throw new CampaignError(`--shard: the index must be from 0 to ${of - 1}; got ${raw}${from}`);
  return { index, of };
}

/** `--jobs N` (1..MAX_JOBS); absent: every core the process may use. */
export function parseJobs(raw: unknown): number {
  if (raw === undefined) return availableParallelism();
  const text = String(raw).trim();
  const n = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_JOBS) throw new CampaignError(`--jobs must be an integer from 1 to ${MAX_JOBS}; got '${text}'`);
  return n;
}

/** The case indices [start, end) of a shard: contiguous slices whose sizes differ by at most one. */
export function shardRange(count: number, s: Shard): [number, number] {
  return [Math.floor((s.index * count) / s.of), Math.floor(((s.index + 1) * count) / s.of)];
}

/** Sorted keys, so that equal reports are equal JSON. */
function sorted<T>(o: Record<string, T>): Record<string, T> {
  const r: Record<string, T> = {};
  for (const k of Object.keys(o).sort()) r[k] = o[k]!;
  return r;
}

/** Folds case results in index order into a report. */
class Fold {
  readonly sums: Record<string, number> = {};
  readonly tallies: Record<string, Record<string, number>> = {};
  readonly failures: ({ index: number } & Record<string, unknown>)[] = [];

  add(index: number, r: CaseResult): void {
    for (const [k, v] of Object.entries(r.sums)) this.sums[k] = (this.sums[k] ?? 0) + v;
    for (const [t, m] of Object.entries(r.tallies ?? {})) {
      const into = (this.tallies[t] ??= {});
      for (const [k, v] of Object.entries(m)) into[k] = (into[k] ?? 0) + v;
    }
    for (const f of r.failures ?? []) this.failures.push({ index, ...f });
  }

  report(campaign: string, params: Record<string, unknown>, count: number, ranges: [number, number][]): Report {
    const tallies: Record<string, Record<string, number>> = {};
    for (const [t, m] of Object.entries(sorted(this.tallies))) tallies[t] = sorted(m);
    return { format: REPORT_FORMAT, version: REPORT_VERSION, campaign, params, count, ranges: ranges.filter(([a, b]) => b > a), sums: sorted(this.sums), tallies, failures: this.failures };
  }
}

export interface RunOptions {
  shard?: Shard;
  /** Given to every case beside the parameters but kept out of the report (machine-local paths). */
  local?: Record<string, unknown>;
  /** Worker processes (1: this process). */
  jobs?: number;
  /** After each case: cases done and failures so far. */
  onProgress?: (done: number, total: number, failures: number) => void;
  /** Each case with failures, in index order (whatever order they finished in). */
  onFailure?: (index: number, r: CaseResult) => void;
}

/** A campaign module (verify/campaigns.ts) by name. */
export type CampaignLoader = (name: string) => Promise<Campaign<Record<string, unknown>>>;

/**
 * Run the shard's cases of campaign `name` and fold them into its report. With jobs > 1 the cases
 * go to worker processes (verify/campaign-worker.ts) in small batches, as each worker asks for
 * work. Processes, not worker threads: the fuzz and instruction campaigns start QEMU for every
 * case, and child processes started from several worker threads of one Node process race in
 * libuv's SIGCHLD handling (a `uv__signal_handler` assertion aborts the process, or a child's exit
 * is never seen and the run hangs; about one run in three with four workers here).
 */
export async function runCampaign(name: string, params: Record<string, unknown>, load: CampaignLoader, o: RunOptions = {}): Promise<Report> {
  const c = await load(name);
  const count = c.count(params);
  const all = { ...params, ...o.local };
  const [lo, hi] = shardRange(count, o.shard ?? WHOLE);
  const results: (CaseResult | undefined)[] = new Array(hi - lo);
  const fold = new Fold();
  let next = lo, done = 0, failures = 0;
  // Results are folded (and failures reported) in index order as the finished prefix grows.
  const settle = (): void => {
    while (next < hi && results[next - lo] !== undefined) {
      const r = results[next - lo]!;
      results[next - lo] = undefined;
      fold.add(next, r);
      if ((r.failures?.length ?? 0) > 0) o.onFailure?.(next, r);
      next++;
    }
  };
  const finished = (k: number, r: CaseResult): void => {
    results[k - lo] = r;
    done++;
    failures += r.failures?.length ?? 0;
    settle();
    o.onProgress?.(done, hi - lo, failures);
  };
  const jobs = Math.min(o.jobs ?? 1, hi - lo - 1);
  // The first case runs here in any case: an error every case would meet (QEMU missing, say)
  // is then thrown as itself, with its exit code, not as a worker's message.
  if (hi > lo) finished(lo, await c.run(lo, all));
  if (jobs <= 1 || hi - lo < 2) {
    for (let k = lo + 1; k < hi; k++) finished(k, await c.run(k, all));
  } else {
    await inWorkers(name, all, lo + 1, hi, jobs, finished);
  }
  // Every case folded: a worker that exited without an error but before its batch was done must
  // not leave a report that silently lacks cases.
  if (next !== hi) throw new Error(`campaign ${name}: cases ${next}..${hi - 1} never reported a result`);
  return fold.report(name, params, count, [[lo, hi]]);
}

/** Messages between the runner and a worker. */
export type ToWorker = { kind: 'init'; name: string; params: Record<string, unknown> } | { kind: 'run'; start: number; end: number } | { kind: 'stop' };
export type FromWorker = { kind: 'ready' } | { kind: 'result'; index: number; result: CaseResult } | { kind: 'idle' } | { kind: 'error'; message: string };

function inWorkers(name: string, params: Record<string, unknown>, lo: number, hi: number, jobs: number, finished: (k: number, r: CaseResult) => void): Promise<void> {
  // Batches small enough to balance the load, large enough that messages cost little.
  const batch = Math.max(1, Math.min(64, Math.floor((hi - lo) / (jobs * 8))));
  let next = lo;
  return new Promise<void>((resolve, reject) => {
    let live = jobs, failed = false;
    const workers: ChildProcess[] = [];
    const fail = (e: Error): void => {
      if (failed) return;
      failed = true;
      for (const w of workers) w.kill('SIGKILL');
      reject(e);
    };
    // From dist/verify/ (this module) or dist/bin/ (inside the command line's bundle) alike.
    const worker = fileURLToPath(new URL('../verify/campaign-worker.js', import.meta.url));
    for (let j = 0; j < jobs; j++) {
      const w = fork(worker, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [] });
      workers.push(w);
      let stopped = false;
      const send = (m: ToWorker): void => { w.send(m); };
      const feed = (): void => {
        if (next >= hi) { stopped = true; send({ kind: 'stop' }); return; }
        const start = next;
        next = Math.min(hi, next + batch);
        send({ kind: 'run', start, end: next });
      };
      w.on('message', (m: FromWorker) => {
        if (failed) return;
        if (m.kind === 'ready') send({ kind: 'init', name, params });
        else if (m.kind === 'result') finished(m.index, m.result);
        else if (m.kind === 'idle') feed();
        else fail(new Error(m.message));
      });
      w.on('error', (e) => fail(e));
      w.on('exit', (code, signal) => {
        if (failed) return;
        if (!stopped) { fail(new Error(`campaign ${name}: a worker process ${signal !== null ? `died of ${signal}` : `exited with code ${code}`} before its work was done`)); return; }
        if (--live === 0) resolve();
      });
    }
  });
}

// ---- Reports: reading, checking, merging ----

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** `text` (the contents of `file`) as a report, or a CampaignError naming the file. */
export function parseReport(text: string, file: string): Report {
  let j: unknown;
  try { j = JSON.parse(text); } catch { throw new CampaignError(`${file}: not JSON (an evminf report is one JSON object)`); }
  const bad = (why: string): CampaignError => new CampaignError(`${file}: not an evminf report (${why})`);
  if (!isRecord(j) || j.format !== REPORT_FORMAT) throw bad(`no "format": "${REPORT_FORMAT}"`);
  if (j.version !== REPORT_VERSION) throw new CampaignError(`${file}: report version ${JSON.stringify(j.version)}, this evminf reads version ${REPORT_VERSION}`);
  if (typeof j.campaign !== 'string' || !isRecord(j.params) || !isCount(j.count)) throw bad('campaign, params or count missing');
  if (!Array.isArray(j.ranges) || !j.ranges.every((r) => Array.isArray(r) && r.length === 2 && isCount(r[0]) && isCount(r[1]) && r[0] < r[1] && r[1] <= (j.count as number))) throw bad('bad ranges');
  if (!isRecord(j.sums) || !Object.values(j.sums).every((v) => typeof v === 'number' && Number.isFinite(v))) throw bad('bad sums');
  if (!isRecord(j.tallies) || !Object.values(j.tallies).every((m) => isRecord(m) && Object.values(m).every((v) => typeof v === 'number' && Number.isFinite(v)))) throw bad('bad tallies');
  if (!Array.isArray(j.failures) || !j.failures.every((f) => isRecord(f) && isCount(f.index))) throw bad('bad failures');
  const ranges = j.ranges as [number, number][];
  for (const f of j.failures as { index: number }[]) {
    if (!ranges.some(([a, b]) => f.index >= a && f.index < b)) throw bad(`failure of case ${f.index} outside its ranges`);
  }
  return j as unknown as Report;
}

/** Canonical JSON of a value (sorted keys), to compare parameters. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isRecord(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/**
 * One report of the same campaign from several: the ranges must not overlap. Merging the reports
 * of shards 0/n .. n-1/n gives the report of the unsharded run.
 */
export function mergeReports(reports: readonly { report: Report; file: string }[]): Report {
  if (reports.length === 0) throw new CampaignError('report merge needs at least one report');
  const first = reports[0]!;
  const spans: { a: number; b: number; file: string }[] = [];
  for (const { report: r, file } of reports) {
    if (r.campaign !== first.report.campaign) throw new CampaignError(`${file} is a report of ${r.campaign}, ${first.file} of ${first.report.campaign}: only reports of one campaign merge`);
    if (canonical(r.params) !== canonical(first.report.params) || r.count !== first.report.count) {
      throw new CampaignError(`${file} and ${first.file} are reports of runs with different parameters (${canonical(r.params)}, count ${r.count} against ${canonical(first.report.params)}, count ${first.report.count})`);
    }
    for (const [a, b] of r.ranges) spans.push({ a, b, file });
  }
  spans.sort((x, y) => x.a - y.a || x.b - y.b);
  const ranges: [number, number][] = [];
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    if (i > 0 && s.a < spans[i - 1]!.b) {
      const p = spans[i - 1]!;
      throw new CampaignError(`${s.file} and ${p.file} overlap: both cover case ${s.a} (a shard given twice?)`);
    }
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last[1] === s.a) last[1] = s.b;
    else ranges.push([s.a, s.b]);
  }
  const fold = new Fold();
  for (const { report: r } of reports) {
    fold.add(0, { sums: r.sums, tallies: r.tallies });
    for (const f of r.failures) fold.failures.push(f);
  }
  fold.failures.sort((x, y) => x.index - y.index);
  return fold.report(first.report.campaign, first.report.params, first.report.count, ranges);
}

/** Cases a report covers. */
export const covered = (r: Report): number => r.ranges.reduce((n, [a, b]) => n + b - a, 0);
