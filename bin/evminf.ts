#!/usr/bin/env node
// evminf: the command-line front end of evm-infinity. One module per command (bin/commands/),
// shared option groups and the numeric checks in bin/options.ts, exit codes in bin/exit.ts.

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT } from '../cpu/exit-codes.js';
import { asmCommand } from './commands/asm.js';
import { dbCommand } from './commands/db.js';
import { disasmCommand } from './commands/disasm.js';
import { equivCommand } from './commands/equiv.js';
import { fuzzCommand } from './commands/fuzz.js';
import { isolationCommand } from './commands/isolation.js';
import { profileCommand } from './commands/profile.js';
import { rlpCommand } from './commands/rlp.js';
import { runCommand } from './commands/run.js';
import { stepCommand } from './commands/step.js';
import { trieCommand } from './commands/trie.js';
import { vcdCommand } from './commands/vcd.js';
import { reportError } from './exit.js';
import { out } from './io.js';
import { normalizeOptions } from './options.js';
import { UserError } from './user-error.js';

async function main(argv: string[]): Promise<void> {
  await yargs(argv)
    .scriptName('evminf')
    .usage('$0 <command> [options]')
    .command(runCommand)
    .command(stepCommand)
    .command(asmCommand)
    .command(disasmCommand)
    .command(profileCommand)
    .command(equivCommand)
    .command(fuzzCommand)
    .command(vcdCommand)
    .command(isolationCommand)
    .command(dbCommand)
    .command(rlpCommand)
    .command(trieCommand)
    .demandCommand(1, 'name a command: run, step, asm, disasm, profile, equiv, fuzz, vcd diff, isolation, db, rlp or trie root')
    .strict()
    .middleware((a) => normalizeOptions(a as Record<string, unknown>))
    .fail((msg, err) => {
      // yargs' own complaints (YError) are usage errors; anything else a command threw goes on.
      if (err && err.name !== 'YError') throw err;
      throw new UserError((msg ?? err?.message ?? 'bad command line').replace(/\s*\n\s*/g, ' '), EXIT.USAGE);
    })
    .help()
    .version(false)
    .wrap(100)
    .parseAsync();
}

main(hideBin(process.argv)).then(
  () => { process.exitCode ??= 0; },
  (e: unknown) => { process.exitCode = reportError(e, (line) => out(2, line)); },
);
