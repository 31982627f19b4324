// The fast path of `evminf run`'s command line: yargs and what it loads (cliui, string-width,
// y18n, yargs-parser) are ~40 % of the start-up of a plain run (docs/performance.md), so the
// common command lines are read here instead — `run [--model M] [--json] [--stats]
// [--no-translate] [--no-devices] [--max-instructions N] [--max-cycles N] <program>`, each option
// at most once, every value valid — into exactly the options yargs would give (test/cli.test.ts
// compares the two). Anything else (another option, a bad value, help, a repeated option, a
// second positional) returns null and goes through yargs, which reports it as before.

import { DEFAULT_MEM_LIMIT } from '../cpu/memory.js';
import { MODEL_KINDS, type ModelKind } from '../cpu/models.js';
import { DEFAULT_STACK_SIZE } from '../cpu/program.js';
import { parseNumberOption } from './options.js';

/** The options of `evminf run` that its handler reads (bin/commands/run.ts RunArgs). */
export interface FastRunArgs {
  program: string;
  model: ModelKind;
  'max-instructions'?: number;
  'max-cycles'?: number;
  json: boolean;
  stats: boolean;
  translate: boolean;
  devices: boolean;
  'stack-size': number;
  'mem-limit': number;
}

const BOOLEANS: Readonly<Record<string, readonly [keyof FastRunArgs, boolean]>> = {
  '--json': ['json', true],
  '--stats': ['stats', true],
  '--no-translate': ['translate', false],
  '--no-devices': ['devices', false],
};
const VALUED = new Set(['--model', '--max-instructions', '--max-cycles']);

/** A path yargs might read as something else: a number, a boolean flag's value, a word it treats specially. */
const SPECIAL = /^(?:[-+]?[0-9.]|0x|-|help$|version$|true$|false$)/i;

/** `argv` (after the node and script paths) as `evminf run`'s options, or null for yargs to read. */
export function fastRunArgs(argv: readonly string[]): FastRunArgs | null {
  if (argv[0] !== 'run') return null;
  const a: FastRunArgs = { program: '', model: 'cycle', json: false, stats: false, translate: true, devices: true, 'stack-size': DEFAULT_STACK_SIZE, 'mem-limit': DEFAULT_MEM_LIMIT };
  const seen = new Set<string>();
  let program: string | null = null;
  for (let i = 1; i < argv.length; i++) {
    const t = argv[i]!;
    if (!t.startsWith('-')) {
      if (program !== null || t === '' || SPECIAL.test(t)) return null;
      program = t;
      continue;
    }
    const eq = t.indexOf('=');
    const name = eq < 0 ? t : t.slice(0, eq);
    if (seen.has(name)) return null;
    seen.add(name);
    const b = BOOLEANS[name];
    if (b !== undefined) {
      if (eq >= 0) return null;
      (a as unknown as Record<string, boolean>)[b[0]] = b[1];
      continue;
    }
    if (!VALUED.has(name)) return null;
    const value = eq >= 0 ? t.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '' || value.startsWith('-')) return null;
    if (name === '--model') {
      if (!(MODEL_KINDS as readonly string[]).includes(value)) return null;
      a.model = value as ModelKind;
      continue;
    }
    const key = name.slice(2) as 'max-instructions' | 'max-cycles';
    try {
      a[key] = parseNumberOption(key, value);
    } catch {
      return null; // yargs' path gives the error
    }
  }
  if (program === null) return null;
  a.program = program;
  return a;
}
