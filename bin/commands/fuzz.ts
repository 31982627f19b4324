// `evminf fuzz`: random RV32IM programs in lockstep with qemu-riscv32; each failure is reported
// with the command line that reproduces it. Exit 1 when any program diverged.

import type { ModelKind } from '../../cpu/machine.js';
import { TABLE } from '../../isa/table.js';
import { fuzz, type FuzzFailure } from '../../verify/fuzz.js';
import { formatResult } from '../../verify/report.js';
import { randomProgram } from '../../verify/randprog.js';
import { command, EXIT_DIVERGED } from '../exit.js';
import { out } from '../io.js';
import { jsonOption, modelOption } from '../options.js';
import { fault } from './equiv.js';

interface FuzzArgs {
  count: number;
  seed: number;
  model: ModelKind;
  items: number;
  qemu?: string;
  'inject-fault'?: string;
  print: boolean;
  json: boolean;
}

const reproduce = (f: FuzzFailure, a: FuzzArgs): string =>
  `evminf fuzz --count 1 --seed ${f.seed} --model ${a.model}${a.items !== 120 ? ` --items ${a.items}` : ''}${a['inject-fault'] ? ` --inject-fault ${a['inject-fault']}` : ''}`;

async function cmdFuzz(a: FuzzArgs): Promise<number> {
  if (a.print) {
    out(1, randomProgram(a.seed, { items: a.items }).source);
    return 0;
  }
  const tty = !a.json && process.stderr.isTTY === true;
  const s = await fuzz({
    count: a.count, seed: a.seed, model: a.model, items: a.items, qemu: a.qemu, fault: fault(a['inject-fault']),
    onProgress: tty ? (done, failed) => out(2, `\r\x1b[K[${done}/${a.count}] ${failed} failed`) : undefined,
    onFailure: a.json ? undefined : (f) => {
      if (tty) out(2, '\r\x1b[K');
      out(1, `seed ${f.seed}: ${formatResult(f.result)}  reproduce: ${reproduce(f, a)}\n  the program: evminf fuzz --print --seed ${f.seed}${a.items !== 120 ? ` --items ${a.items}` : ''} > prog.S\n`);
    },
  });
  if (tty) out(2, '\r\x1b[K');
  const missing = TABLE.filter((r, i) => (r.ext === 'I' || r.ext === 'M') && s.coverage[i] === 0).map((r) => r.name);
  if (a.json) {
    out(1, JSON.stringify({
      programs: s.programs, passed: s.programs - s.failed, failed: s.failed, model: a.model, seed: a.seed, instructions: s.instructions, seconds: s.seconds,
      uncovered: missing,
      failures: s.failures.map((f) => ({
        seed: f.seed, reproduce: reproduce(f, a), index: f.result.divergence?.index ?? null, pc: f.result.divergence?.pc ?? null,
        reason: f.result.divergence?.reason ?? null, diffs: f.result.divergence?.diffs ?? [],
      })),
    }) + '\n');
  } else {
    out(1, `evminf fuzz: ${s.programs} programs (seeds ${a.seed}..${a.seed + a.count - 1}), ${s.failed} failed, ${s.instructions} instructions compared with qemu-riscv32 (${a.model} model, ${s.seconds.toFixed(1)} s)\n`);
    if (missing.length > 0 && a.count >= 8) out(1, `evminf fuzz: rows never generated: ${missing.join(' ')}\n`);
  }
  return s.failed === 0 ? 0 : EXIT_DIVERGED;
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
    return jsonOption(y, 'print one JSON summary');
  },
  run: cmdFuzz,
});
