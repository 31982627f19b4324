// Terminal and file I/O shared by the evminf commands: synchronous writes that survive full
// pipes and stop quietly at closed ones, and input reading with one-line errors.

import { readFileSync, writeSync } from 'node:fs';
import { EXIT } from '../cpu/exit-codes.js';
import { UserError } from './user-error.js';

/** Write all of `s` to `fd` (a non-blocking pipe may be full: retry; a closed pipe ends it). */
export function out(fd: number, s: string | Uint8Array): void {
  const b = typeof s === 'string' ? Buffer.from(s) : s;
  let off = 0;
  while (off < b.length) {
    try {
      off += writeSync(fd, b, off, b.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EPIPE') return;
      throw e;
    }
  }
}

/** The bytes of an input file, or a one-line UserError (exit 127). */
export function readInput(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : 'cannot read'}`, EXIT.NO_FILE);
  }
}
