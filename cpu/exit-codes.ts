// Process exit codes of a run (the host's convention, which `evminf` passes on). A guest's own exit code (0–255) passes through unchanged;
// evminf's own stops use the codes below. Traps mirror the shell's 128+signal convention that
// qemu-riscv32 produces for the same fault, so scripts can compare the two directly.

import type { RunResult } from './runner.js';

export const EXIT = Object.freeze({
  /** Internal error: a bug in evminf. */
  INTERNAL: 1,
  /** Bad command line. */
  USAGE: 2,
  /** An output (waveform, trace, stdout) could not be written: disk full, I/O error (sysexits' EX_IOERR). */
  IO_ERROR: 74,
  /** --max-instructions or --max-cycles reached (as `timeout` does). */
  LIMIT: 124,
  /** The guest made a system call the host does not serve. */
  UNKNOWN_SYSCALL: 125,
  /** Malformed input: ELF, assembly source, trace or waveform; or a program over the memory budget. */
  BAD_INPUT: 126,
  /** Input file missing or unreadable. */
  NO_FILE: 127,
  /** Illegal instruction (SIGILL). */
  ILLEGAL_INSTRUCTION: 132,
  /** EBREAK (SIGTRAP). */
  BREAKPOINT: 133,
  /** Out of gas. */
  OUT_OF_GAS: 134,
  /** Jump or branch to a misaligned address (SIGBUS). */
  MISALIGNED: 135,
  /** THROW reached the host, or a frame instruction the model cannot serve. */
  THROW: 136,
  /** A device raised DATA UNAVAILABLE: every frame was unwound to the host. */
  DATA_UNAVAILABLE: 137,
  /** Access outside mapped memory (SIGSEGV). */
  MEMORY_FAULT: 139,
  /** Stopped by Ctrl-C (128 + SIGINT), after cleaning up: no temporary file or child is left. */
  INTERRUPTED: 130,
  /** stdout or an output pipe was closed by its reader (128 + SIGPIPE); nothing is printed. */
  BROKEN_PIPE: 141,
});

/** Exit code for a trap cause (cpu/trap.ts Cause). */
export function exitForCause(cause: number): number {
  switch (cause) {
    case 0: return EXIT.MISALIGNED;
    case 2: return EXIT.ILLEGAL_INSTRUCTION;
    case 3: return EXIT.BREAKPOINT;
    case 24: return EXIT.OUT_OF_GAS;
    default: return EXIT.MEMORY_FAULT;
  }
}

/** The process exit code of a finished run. */
export function exitCodeOf(r: RunResult): number {
  switch (r.reason) {
    case 'exit': return r.exitCode!;
    case 'return': return 0;
    case 'limit': return EXIT.LIMIT;
    case 'trap': return exitForCause(r.cause!);
    case 'throw': return EXIT.THROW;
    case 'unavailable': return EXIT.DATA_UNAVAILABLE;
  }
}
