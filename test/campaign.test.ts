// Campaigns across cores and machines (verify/campaign.ts, docs/campaigns.md): a run on worker
// processes gives the report of a run in one process, the merged reports of --shard 0/4 .. 3/4 give
// the report of the unsharded run, and bad shards, job counts and reports are one-line errors.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mergeReports, parseReport, parseShard, shardRange, type Report } from '../verify/campaign.js';
import { EVMINF, QEMU, runEvminf } from './c/build.js';
import { requireTools } from './tools.js';

const text = (b: Buffer): string => b.toString('utf8');
let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'evminf-campaign-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `evminf <args> --report FILE`: the report's text (the run must exit `status`). */
function reportOf(name: string, args: readonly string[], status = 0): string {
  const file = join(dir, `${name}.json`);
  const r = runEvminf([...args, '--report', file]);
  expect(r.status, text(r.stderr)).toBe(status);
  return readFileSync(file, 'utf8');
}

/** `evminf report merge` of the files; the merged report's text. */
function merged(name: string, files: readonly string[]): string {
  const out = join(dir, `${name}.json`);
  const r = runEvminf(['report', 'merge', ...files, '-o', out]);
  expect(r.status, text(r.stderr)).toBe(0);
  return readFileSync(out, 'utf8');
}

describe('shards', () => {
  test('i/n and auto/n (Slurm first, then Kubernetes)', () => {
    expect(parseShard('0/1', {})).toEqual({ index: 0, of: 1 });
    expect(parseShard('3/4', {})).toEqual({ index: 3, of: 4 });
    expect(parseShard('auto/8', { SLURM_ARRAY_TASK_ID: '5', JOB_COMPLETION_INDEX: '2' })).toEqual({ index: 5, of: 8 });
    expect(parseShard('auto/8', { JOB_COMPLETION_INDEX: '2' })).toEqual({ index: 2, of: 8 });
  });

  test.each([
    ['4/4', {}, /index must be from 0 to 3; got 4/],
    ['1/0', {}, /n must be from 1/],
    ['-1/4', {}, /must be i\/n/],
    ['1.5/4', {}, /must be i\/n/],
    ['0x1/4', {}, /must be i\/n/],
    ['1/4/2', {}, /must be i\/n/],
    ['', {}, /must be i\/n/],
    ['auto/4', {}, /needs SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX/],
    ['auto/4', { SLURM_ARRAY_TASK_ID: '4' }, /from SLURM_ARRAY_TASK_ID/],
    ['auto/4', { JOB_COMPLETION_INDEX: 'x' }, /JOB_COMPLETION_INDEX must be a shard index/],
  ] as const)('--shard %s is refused', (s, env, why) => {
    expect(() => parseShard(s, env)).toThrow(why);
  });

  test('the slices of every n cover every case once, in order', () => {
    for (const count of [0, 1, 5, 7, 100, 1001]) {
      for (const n of [1, 2, 3, 4, 7, 16]) {
        let at = 0;
        for (let i = 0; i < n; i++) {
          const [a, b] = shardRange(count, { index: i, of: n });
          expect(a).toBe(at);
          expect(b - a).toBeLessThanOrEqual(Math.ceil(count / n));
          at = b;
        }
        expect(at).toBe(count);
      }
    }
  });
});

describe('evminf isolation: workers and shards', () => {
  const ARGS = ['isolation', '--count', '24', '--seed', '4242', '--model', 'iss'];
  let whole: string;
  beforeAll(() => { whole = reportOf('iso-whole', [...ARGS, '--jobs', '1']); });

  test('worker processes give the single-process report', () => {
    const r = JSON.parse(whole) as Report;
    expect(r.sums.cases).toBe(24);
    expect(r.ranges).toEqual([[0, 24]]);
    expect(reportOf('iso-jobs3', [...ARGS, '--jobs', '3'])).toBe(whole);
  });

  test('the merged report of --shard 0/4 .. 3/4 is the unsharded report, in any order', () => {
    const files = [0, 1, 2, 3].map((i) => {
      reportOf(`iso-${i}`, [...ARGS, '--shard', `${i}/4`, '--jobs', '2']);
      return join(dir, `iso-${i}.json`);
    });
    expect(merged('iso-merged', files)).toBe(whole);
    expect(merged('iso-merged-rev', [...files].reverse())).toBe(whole);
    // Three of four shards are not the whole run (the comparison can fail).
    const part = JSON.parse(merged('iso-part', files.slice(1))) as Report;
    expect(part.ranges).toEqual([[6, 24]]);
    expect(part.sums.cases).toBe(18);
  });

  test('--shard auto/n reads SLURM_ARRAY_TASK_ID', () => {
    const file = join(dir, 'iso-auto.json');
    const r = spawnSync(process.execPath, [EVMINF, ...ARGS, '--shard', 'auto/4', '--report', file, '--jobs', '1'], { env: { ...process.env, SLURM_ARRAY_TASK_ID: '2' } });
    expect(r.status, text(r.stderr)).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(join(dir, 'iso-2.json'), 'utf8'));
  });
});

describe('evminf fuzz: workers and shards, failures included', () => {
  if (!requireTools([QEMU])) return;
  // An injected fault makes every program fail: the failures must merge in seed order.
  const ARGS = ['fuzz', '--count', '6', '--seed', '900', '--items', '30', '--inject-fault', 'add:2'];

  test('workers and merged shards give the single-process report', () => {
    const whole = reportOf('fz-whole', [...ARGS, '--jobs', '1'], 1);
    const r = JSON.parse(whole) as Report;
    expect(r.sums.programs).toBe(6);
    expect(r.failures.length).toBeGreaterThan(0);
    expect(r.failures.map((f) => f.index)).toEqual([...r.failures.map((f) => f.index)].sort((a, b) => a - b));
    expect(reportOf('fz-jobs2', [...ARGS, '--jobs', '2'], 1)).toBe(whole);
    const files = [0, 1, 2, 3].map((i) => {
      reportOf(`fz-${i}`, [...ARGS, '--shard', `${i}/4`, '--jobs', '2'], r.failures.some((f) => f.index >= Math.floor(i * 6 / 4) && f.index < Math.floor((i + 1) * 6 / 4)) ? 1 : 0);
      return join(dir, `fz-${i}.json`);
    });
    expect(merged('fz-merged', files)).toBe(whole);
  }, 600_000); // seven QEMU lockstep runs: minutes on a loaded 2-core machine
});

  test('four workers that each start QEMU, run after run: every run ends, with the whole report', () => {
    // Worker threads that started child processes raced in libuv's SIGCHLD handling (an
    // assertion abort or a hang in about one run of three): the workers are processes now.
    const args = ['fuzz', '--count', '12', '--seed', '31', '--items', '20', '--jobs', '4', '--json'];
    const first = runEvminf(args);
    expect(first.status, text(first.stderr)).toBe(0);
    for (let i = 0; i < 5; i++) {
      const r = runEvminf(args);
      expect(r.status, `run ${i}: ${text(r.stderr)}`).toBe(0);
      expect(JSON.parse(text(r.stdout)).passed).toBe(12);
    }
  }, 300_000);

describe('evminf report merge refuses what does not merge, in one line', () => {
  const report = (o: Partial<Report>): Report => ({ format: 'evminf-report', version: 1, campaign: 'isolation', params: { seed: 1, count: 4, model: 'iss' }, count: 4, ranges: [[0, 2]], sums: { cases: 2 }, tallies: {}, failures: [], ...o });
  const write = (name: string, v: unknown): string => {
    const f = join(dir, name);
    writeFileSync(f, typeof v === 'string' ? v : JSON.stringify(v));
    return f;
  };

  test.each([
    ['overlapping shards', [report({}), report({ ranges: [[1, 3]] })], /overlap: both cover case 1/],
    ['the same shard twice', [report({}), report({})], /overlap/],
    ['two campaigns', [report({}), report({ campaign: 'fuzz', ranges: [[2, 4]] })], /only reports of one campaign merge/],
    ['different parameters', [report({}), report({ params: { seed: 2, count: 4, model: 'iss' }, ranges: [[2, 4]] })], /different parameters/],
    ['not JSON', ['{"format":'], /not JSON/],
    ['not a report', [{ hello: 1 }], /not an evminf report/],
    ['a newer version', [report({ version: 2 })], /report version 2/],
    ['a range past the count', [report({ ranges: [[0, 9]] })], /bad ranges/],
    ['a failure outside its ranges', [report({ failures: [{ index: 3 }] })], /outside its ranges/],
  ] as const)('%s', (name, inputs, why) => {
    const files = inputs.map((v, i) => write(`${name.replace(/ /g, '-')}-${i}.json`, v));
    const r = runEvminf(['report', 'merge', ...files]);
    expect(r.status).toBe(126);
    const err = text(r.stderr);
    expect(err).toMatch(why);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(r.stdout.length).toBe(0);
  });

  test('a missing file, no reports, an unknown action', () => {
    expect(runEvminf(['report', 'merge', join(dir, 'nope.json')]).status).toBe(127);
    for (const args of [['report', 'merge'], ['report', 'split', 'a.json']]) {
      const r = runEvminf(args);
      expect(r.status).toBe(2);
      expect(text(r.stderr).trim().split('\n')).toHaveLength(1);
    }
  });

  test('bad --shard and --jobs on the command line', () => {
    for (const [args, why] of [
      [['isolation', '--count', '2', '--shard', '2/2'], /--shard: the index must be from 0 to 1/],
      [['isolation', '--count', '2', '--jobs', '0'], /--jobs must be an integer from 1/],
      [['insn', '--jobs', 'many'], /--jobs must be an integer/],
    ] as const) {
      const r = runEvminf(args);
      expect(r.status).toBe(2);
      expect(text(r.stderr)).toMatch(why);
      expect(text(r.stderr).trim().split('\n')).toHaveLength(1);
    }
  });

  test('merging in memory sums and sorts (the functions the command uses)', () => {
    const a = report({ ranges: [[2, 4]], sums: { cases: 2, failed: 1 }, tallies: { statuses: { '3': 2 } }, failures: [{ index: 3, seed: 9 }] });
    const b = report({ ranges: [[0, 2]], sums: { cases: 2, failed: 1 }, tallies: { statuses: { '3': 1, '4': 1 } }, failures: [{ index: 0, seed: 7 }] });
    const m = mergeReports([{ report: a, file: 'a' }, { report: b, file: 'b' }]);
    expect(m.ranges).toEqual([[0, 4]]);
    expect(m.sums).toEqual({ cases: 4, failed: 2 });
    expect(m.tallies).toEqual({ statuses: { '3': 3, '4': 1 } });
    expect(m.failures.map((f) => f.index)).toEqual([0, 3]);
    expect(parseReport(JSON.stringify(m), 'm')).toEqual(m);
  });
});

describe('evminf insn', () => {
  test('every program passes on the ISS, on workers as on one thread', () => {
    const one = reportOf('insn-1', ['insn', '--model', 'iss', '--jobs', '1']);
    const r = JSON.parse(one) as Report;
    expect(r.sums.programs).toBeGreaterThanOrEqual(40);
    expect(r.sums.failed).toBe(0);
    expect(reportOf('insn-2', ['insn', '--model', 'iss', '--jobs', '2'])).toBe(one);
  });
});
