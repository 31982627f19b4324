// bin/fast-run.ts reads the common `evminf run` command lines without yargs. It must give exactly
// the options yargs gives (the run command's own builder and the numeric checks), and hand every
// other line to yargs (null), so that errors and unusual spellings are yargs' as before.

import { describe, expect, test } from 'vitest';
import yargs from 'yargs';
import { runCommand } from '../bin/commands/run.js';
import { fastRunArgs, type FastRunArgs } from '../bin/fast-run.js';
import { normalizeOptions } from '../bin/options.js';

const KEYS: readonly (keyof FastRunArgs)[] = ['program', 'model', 'max-instructions', 'max-cycles', 'json', 'stats', 'translate', 'devices', 'stack-size', 'mem-limit'];
/** The run options the fast path never sets: yargs must leave them undefined too. */
const UNSET = ['pset', 'gas', 'trace-pipeline', 'vcd', 'vcd-scope', 'vcd-from', 'vcd-to', 'db', 'time', 'console', 'log-commits', 'rvfi', 'inject-fault'];

/** What the run command's handler receives from yargs for `argv`. */
async function viaYargs(argv: readonly string[]): Promise<Record<string, unknown>> {
  let got: Record<string, unknown> | null = null;
  await yargs([...argv])
    .command({ ...runCommand, handler: (a) => { got = a as Record<string, unknown>; } })
    .strict()
    .middleware((a) => normalizeOptions(a as Record<string, unknown>))
    .fail((msg, err) => { throw err ?? new Error(msg); })
    .exitProcess(false)
    .parseAsync();
  if (got === null) throw new Error('the handler did not run');
  return got;
}

describe('evminf run: the fast command-line path', () => {
  const FAST: string[][] = [
    ['run', 'p.elf'],
    ['run', 'p.S', '--model', 'iss'],
    ['run', '--model=iss', 'dir/p.elf'],
    ['run', 'p.elf', '--model', 'cycle', '--json', '--stats'],
    ['run', '--no-translate', '--model', 'iss', 'p.elf', '--no-devices'],
    ['run', 'p.elf', '--max-instructions', '0x1000'],
    ['run', 'p.elf', '--max-instructions=12345', '--max-cycles', '99', '--stats'],
    ['run', '--json', 'p.elf', '--max-cycles=0'],
  ];
  test.each(FAST.map((l) => [l.join(' '), l] as const))('%s gives what yargs gives', async (_line, argv) => {
    const fast = fastRunArgs(argv);
    expect(fast).not.toBeNull();
    const y = await viaYargs(argv);
    for (const k of KEYS) expect(fast![k], k).toEqual(y[k]);
    for (const k of UNSET) expect(y[k], k).toBeUndefined();
  });

  const SLOW: string[][] = [
    ['step', 'p.elf'],
    ['run'],
    ['run', 'a.elf', 'b.elf'],
    ['run', 'p.elf', '--model', 'nope'],
    ['run', 'p.elf', '--model'],
    ['run', 'p.elf', '--model', 'iss', '--model', 'iss'],
    ['run', 'p.elf', '--json', '--json'],
    ['run', 'p.elf', '--json=false'],
    ['run', '--json', 'false'],
    ['run', '--json', 'true', 'p.elf'],
    ['run', 'p.elf', '--max-instructions', '-1'],
    ['run', 'p.elf', '--max-instructions', '1.5'],
    ['run', 'p.elf', '--max-instructions', ''],
    ['run', 'p.elf', '--gas', '5'],
    ['run', 'p.elf', '--vcd', 'o.vcd'],
    ['run', 'p.elf', '--help'],
    ['run', 'p.elf', '-h'],
    ['run', 'p.elf', '--'],
    ['run', '123'],
    ['run', '0x10'],
    ['run', ''],
    ['run', 'p.elf', '--devices'],
    ['run', 'p.elf', '--translate'],
    ['run', 'p.elf', '--Model', 'iss'],
  ];
  test.each(SLOW.map((l) => [JSON.stringify(l), l] as const))('%s goes to yargs', (_line, argv) => {
    expect(fastRunArgs(argv)).toBeNull();
  });
});
