// evminf: the command-line front end of evm-infinity, started by its launcher (bin/evminf.cts,
// or the one bin/bundle.ts writes for the one-file build). One module per command
// (bin/commands/), shared option groups and the numeric checks in bin/options.ts, exit codes in
// bin/exit.ts.
//
// Start-up is part of every run's wall time (docs/performance.md): the common `evminf run` lines
// skip yargs altogether (bin/fast-run.ts); a command line that names a command loads that
// command's module alone (and what it imports), not the other commands' —
// `evminf run` never loads LevelDB, the trie or the verification harnesses unless it uses them.
// Anything else (no command, --help, a misspelt one) loads them all, for the full usage text.

import { readFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { EXIT } from '../cpu/exit-codes.js';
import { reportError } from './exit.js';
import { fastRunArgs } from './fast-run.js';
import { out } from './io.js';
import { normalizeOptions } from './options.js';
import { UserError } from './user-error.js';

/** The package's version (dist/bin/cli.js or the bundle beside it → package.json, in the repository and when installed). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** The part of yargs' internals used below (yargs 18, build/lib/usage.js). */
interface YargsInternals {
  getInternalMethods(): { getUsageInstance(): { cacheHelpMessage: () => void } };
}

/** The commands by their first word, in the order the usage text lists them. */
const COMMANDS: Readonly<Record<string, () => Promise<CommandModule>>> = {
  run: async () => (await import('./commands/run.js')).runCommand,
  step: async () => (await import('./commands/step.js')).stepCommand,
  gdb: async () => (await import('./commands/gdb.js')).gdbCommand,
  ui: async () => (await import('./commands/ui.js')).uiCommand,
  asm: async () => (await import('./commands/asm.js')).asmCommand,
  disasm: async () => (await import('./commands/disasm.js')).disasmCommand,
  profile: async () => (await import('./commands/profile.js')).profileCommand,
  equiv: async () => (await import('./commands/equiv.js')).equivCommand,
  fuzz: async () => (await import('./commands/fuzz.js')).fuzzCommand,
  vcd: async () => (await import('./commands/vcd.js')).vcdCommand,
  isolation: async () => (await import('./commands/isolation.js')).isolationCommand,
  insn: async () => (await import('./commands/insn.js')).insnCommand,
  timing: async () => (await import('./commands/timing.js')).timingCommand,
  report: async () => (await import('./commands/report.js')).reportCommand,
  db: async () => (await import('./commands/db.js')).dbCommand,
  rlp: async () => (await import('./commands/rlp.js')).rlpCommand,
  trie: async () => (await import('./commands/trie.js')).trieCommand,
  chain: async () => (await import('./commands/chain.js')).chainCommand,
  block: async () => (await import('./commands/block.js')).blockCommand,
};

/** The commands whose positional list names files, and what it names. */
const FILE_LISTS: Readonly<Record<string, string>> = { 'block validate': 'block files', 'report merge': 'report files' };

/**
 * yargs drops a bare `-` from a positional list (`block validate a.rlp - b.rlp` validated a and b;
 * a list of only `-` arrived empty): such a `-` is refused while the words are still there. A `-`
 * right after an option is that option's value, not part of the list.
 */
function refuseDroppedDash(argv: readonly string[]): void {
  const names = FILE_LISTS[`${argv[0]} ${argv[1]}`];
  if (names === undefined) return;
  const listed = argv.some((t, i) => t === '-' && !(argv[i - 1]!.startsWith('-') && !argv[i - 1]!.includes('=')));
  if (listed) throw new UserError(`${argv[0]} ${argv[1]} reads ${names}, not standard input: name each file`, EXIT.USAGE);
}

async function main(argv: string[]): Promise<void> {
  // The common `evminf run` command lines are read without yargs (bin/fast-run.ts).
  const fast = fastRunArgs(argv);
  if (fast !== null) {
    const { runMain } = await import('./commands/run.js');
    process.exitCode = await runMain(fast as Parameters<typeof runMain>[0]);
    return;
  }
  refuseDroppedDash(argv);
  const { default: yargs } = await import('yargs');
  const first = argv[0];
  const named = first !== undefined && Object.hasOwn(COMMANDS, first) ? [COMMANDS[first]!] : Object.values(COMMANDS);
  const commands = await Promise.all(named.map((load) => load()));
  let y = yargs(argv)
    .scriptName('evminf')
    .usage('$0 <command> [options]');
  // After every command handler yargs renders that command's whole help text into a cache, in
  // case a later failure prints it: cliui's string-width and wrap-ansi make that ~60 ms of every
  // run. evminf never prints help on a failure (.fail below throws), so the cache stays empty.
  (y as unknown as YargsInternals).getInternalMethods().getUsageInstance().cacheHelpMessage = () => {};
  for (const c of commands) y = y.command(c);
  await y
    .demandCommand(1, 'name a command: run, step, gdb, ui, asm, disasm, profile, equiv, fuzz, vcd diff, isolation, insn, report merge, db, rlp, trie root, chain init or block build|validate')
    .strict()
    .middleware((a) => normalizeOptions(a as Record<string, unknown>))
    .fail((msg, err) => {
      // yargs' own complaints (YError) are usage errors; anything else a command threw goes on.
      if (err && err.name !== 'YError') throw err;
      throw new UserError((msg ?? err?.message ?? 'bad command line').replace(/\s*\n\s*/g, ' '), EXIT.USAGE);
    })
    .help()
    .version(packageVersion())
    .wrap(100)
    // With a callback yargs hands its output (--help, --version) over instead of printing it
    // through console.log, which drops write errors: `evminf --version > /dev/full` exited 0.
    .parseAsync(argv, {}, (_err, _args, output) => { if (output !== '') out(1, `${output}\n`); });
}

/** Run the command line `argv` (yargs' hideBin: the arguments after node and the script); the exit code is set when it ends. */
export function runCli(argv: string[]): Promise<void> {
  return main(argv).then(
    () => { process.exitCode ??= 0; },
    (e: unknown) => { process.exitCode = reportError(e, (line) => out(2, line)); },
  );
}
