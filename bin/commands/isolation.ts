// `evminf isolation`: the EVAL isolation fuzzer (verify/isolation.ts) from the command line.
// Exit 1 when any case broke isolation (or the two models disagree).

import { runCase, type IsolationOutcome } from '../../verify/isolation.js';
import type { ModelKind } from '../../cpu/machine.js';
import { command } from '../exit.js';
import { out } from '../io.js';
import { jsonOption } from '../options.js';

interface IsolationArgs {
  count: number;
  seed: number;
  model: string;
  json: boolean;
}

function cmdIsolation(a: IsolationArgs): number {
  const progress = !a.json && process.stderr.isTTY;
  const failures: IsolationOutcome[] = [];
  const statuses: Record<string, number> = {};
  let instructions = 0;
  const t0 = Date.now();
  const models: ModelKind[] = a.model === 'both' ? ['iss', 'cycle'] : [a.model as ModelKind];
  for (let k = 0; k < a.count; k++) {
    const seed = (a.seed + k * 7919) >>> 0;
    const outs = models.map((m) => runCase(seed, m));
    const o = outs[0]!;
    if (outs.length === 2 && outs[1]!.digest !== o.digest) o.violations.push('the ISS and the cycle model end in different states');
    for (const x of outs) if (x.violations.length > 0) failures.push(x);
    statuses[String(o.status)] = (statuses[String(o.status)] ?? 0) + 1;
    instructions += o.instructions;
    if (progress && k % 50 === 0) out(2, `\r\x1b[K${k}/${a.count} cases, ${failures.length} failed`);
  }
  if (progress) out(2, '\r\x1b[K');
  const summary = { cases: a.count, seed: a.seed, model: a.model, failed: failures.length, instructions, statuses, seconds: (Date.now() - t0) / 1000, failures: failures.map((f) => ({ seed: f.seed, model: f.model, violations: f.violations })) };
  if (a.json) out(1, JSON.stringify(summary) + '\n');
  else {
    for (const f of failures) out(1, `FAIL seed ${f.seed} (${f.model}): ${f.violations.join('; ')}\n`);
    out(1, `${a.count} cases, ${failures.length} failed, ${instructions} instructions, statuses ${JSON.stringify(statuses)}, ${summary.seconds.toFixed(1)} s\n`);
  }
  return failures.length === 0 ? 0 : 1;
}

export const isolationCommand = command<IsolationArgs>({
  command: 'isolation',
  describe: 'fuzz EVAL isolation: random children under random permissions and gas (exit 1 on a violation)',
  builder: (y) => jsonOption(y
    .option('count', { type: 'string', requiresArg: true, default: 1000, describe: 'cases to run' })
    .option('seed', { type: 'string', requiresArg: true, default: 20261125, describe: 'first seed (case k uses seed + 7919 k)' })
    .option('model', { choices: ['iss', 'cycle', 'both'], default: 'both', describe: 'models to run each case on' }), 'print one JSON summary'),
  run: cmdIsolation,
});
