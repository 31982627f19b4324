// Exit codes, written once: how a run's stop and every error a user can cause become a process
// exit code (cpu/exit-codes.ts, README "Exit codes"), and the command wrapper that sets it.

import type { Argv, CommandModule } from 'yargs';
import { EXIT } from '../cpu/exit-codes.js';
import { inputError, writeFailure } from './io.js';
import { BrokenPipe, UserError } from './user-error.js';

/** Exit code of a divergence (and of a failed fuzz run or an unequal vcd diff). */
export const EXIT_DIVERGED = 1;


const READ_ERRORS = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG']);

/** An error a user can cause as a UserError (or BrokenPipe); null for a bug. */
export function asUserError(e: unknown): UserError | BrokenPipe | null {
  if (e instanceof UserError || e instanceof BrokenPipe) return e;
  // The errors of the layers below that a user can cause (a bad ELF, assembly source, trace or
  // waveform, a usage error, a missing QEMU, Ctrl-C, an unknown system call) name their exit
  // code in `exit`, so this module needs none of their modules: a plain run loads no QEMU or
  // waveform-reader code to report its errors.
  const tagged = (e as { exit?: unknown } | null)?.exit;
  if (e instanceof Error && typeof tagged === 'string' && Object.hasOwn(EXIT, tagged)) return new UserError(e.message, EXIT[tagged as keyof typeof EXIT]);
  const x = e as NodeJS.ErrnoException;
  if (typeof x?.code === 'string') {
    if (x.code === 'EPIPE') return new BrokenPipe();
    if (x.syscall === 'write') return writeFailure(x.code, x.path ?? 'output') as UserError;
    if (READ_ERRORS.has(x.code)) return inputError(e, x.path ?? 'input');
  }
  return null;
}

/** Print the error as evminf's one line (nothing for a closed pipe) and give the exit code. */
export function reportError(e: unknown, print: (line: string) => void): number {
  const u = asUserError(e);
  if (u instanceof BrokenPipe) return EXIT.BROKEN_PIPE;
  try {
    if (u !== null) { print(`evminf: ${u.message.replace(/\s*\n\s*/g, ' ')}\n`); return u.code; }
    print(`evminf: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  } catch {
    return EXIT.BROKEN_PIPE; // stderr itself is closed
  }
  return EXIT.INTERNAL;
}

/**
 * A command in the one shape all evminf commands use: `run` gets the parsed options (numbers
 * already checked, bin/options.ts) and returns the exit code.
 */
export function command<A>(c: { command: string; describe: string; builder: (y: Argv) => Argv; run: (a: A) => number | Promise<number> }): CommandModule {
  return {
    command: c.command,
    describe: c.describe,
    builder: c.builder,
    handler: async (argv) => { process.exitCode = await c.run(argv as unknown as A); },
  };
}
