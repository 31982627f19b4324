// Errors a user can cause (bad command line, bad input, an output that cannot be written): the
// CLI prints the message as one line and exits with `code` (cpu/exit-codes.ts).

/** An error a user can cause: printed as one line, exits with `code`. */
export class UserError extends Error {
  constructor(message: string, readonly code: number) {
    super(message);
  }
}

/**
 * The reader of stdout (or of an output file that is a pipe) went away. Not an error: the run
 * ends quietly with 128 + SIGPIPE, as a C program killed by SIGPIPE does (`evminf run … | head`).
 */
export class BrokenPipe extends Error {
  constructor() {
    super('broken pipe');
  }
}
