// Errors a user can cause (bad command line, bad input): the CLI prints the message as one
// line and exits with `code` (cpu/exit-codes.ts).

/** An error a user can cause: printed as one line, exits with `code`. */
export class UserError extends Error {
  constructor(message: string, readonly code: number) {
    super(message);
  }
}
