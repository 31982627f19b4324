// Terminal and file I/O shared by the evminf commands: synchronous writes that survive full
// pipes, inputs read with a size limit, outputs that are written through when they are not
// regular files, and one-line errors (exit codes in cpu/exit-codes.ts) for all of them.

import { closeSync, fstatSync, lstatSync, openSync, readSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { EXIT } from '../cpu/exit-codes.js';
import { BrokenPipe, UserError } from './user-error.js';

/** Largest input read whole (a program, an assembly source, a script, a name map): 256 MiB. */
export const MAX_INPUT_BYTES = 256 << 20;

const errno = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? 'error';

/** A failed write to `name`: a closed pipe ends the run quietly, anything else is one line (exit 74). */
export function writeFailure(code: string, name: string): Error {
  if (code === 'EPIPE') return new BrokenPipe();
  return new UserError(`${name}: cannot write (${code})`, EXIT.IO_ERROR);
}

/** Write all of `b` to `fd` (a non-blocking pipe may be full: retry). */
export function writeAll(fd: number, b: Uint8Array, name: string): void {
  let off = 0;
  while (off < b.length) {
    try {
      off += writeSync(fd, b, off, b.length - off);
    } catch (e) {
      const code = errno(e);
      if (code === 'EAGAIN') continue;
      throw writeFailure(code, name);
    }
  }
}

/** Write all of `s` to stdout (1) or stderr (2). */
export function out(fd: number, s: string | Uint8Array): void {
  writeAll(fd, typeof s === 'string' ? Buffer.from(s) : s, fd === 1 ? 'stdout' : fd === 2 ? 'stderr' : `fd ${fd}`);
}

/** Why `path` could not be opened or read, as a one-line error (exit 127). */
export function inputError(e: unknown, path: string): UserError {
  const code = errno(e);
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'ENOTDIR' ? 'a part of the path is not a directory' : `cannot read (${code})`;
  return new UserError(`${path}: ${why}`, EXIT.NO_FILE);
}

const mib = (n: number): string => `${n / (1 << 20)} MiB`;

/**
 * The bytes of an input file, or a one-line UserError: missing, unreadable or a directory exit
 * 127; larger than `limit` (a device or a pipe without end, too) exits 126.
 */
export function readInput(path: string, limit = MAX_INPUT_BYTES): Buffer {
  // yargs hands a lone - (standard input) to a command as an empty name.
  if (path === '') throw new UserError('an empty file name (or -): name the file; this input is not read from standard input', EXIT.USAGE);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw inputError(e, path);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new UserError(`${path}: is a directory`, EXIT.NO_FILE);
    const tooBig = new UserError(`${path}: larger than ${mib(limit)}, the most an input file may hold`, EXIT.BAD_INPUT);
    if (st.isFile() && st.size > limit) throw tooBig;
    // Devices and pipes have no size: read in chunks up to the limit and one byte more.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(st.isFile() ? Math.min(st.size + 1, limit + 1 - total) : Math.min(1 << 20, limit + 1 - total));
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (e) {
        throw inputError(e, path);
      }
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > limit) throw tooBig;
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/**
 * All of stdin (fd 0: a pipe, a socket, a file or a terminal; opening /dev/stdin fails on a
 * socket), up to `limit` bytes: more exits 126.
 */
export function readStdin(limit = MAX_INPUT_BYTES): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(1 << 20, limit + 1 - total));
    let n: number;
    try {
      n = readSync(0, chunk, 0, chunk.length, null);
    } catch (e) {
      const code = errno(e);
      if (code === 'EAGAIN') continue; // a non-blocking stdin with nothing yet
      if (code === 'EOF') break;
      throw inputError(e, 'stdin');
    }
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > limit) throw new UserError(`stdin: larger than ${mib(limit)}, the most an input may hold`, EXIT.BAD_INPUT);
  }
  return Buffer.concat(chunks, total);
}

/** An input that a command reads as a stream: it must exist, be readable and not be a directory. */
export function checkInput(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw inputError(e, path);
  }
  const dir = fstatSync(fd).isDirectory();
  closeSync(fd);
  if (dir) throw new UserError(`${path}: is a directory`, EXIT.NO_FILE);
}

/**
 * An output file. A regular file (or a new name) is written under a temporary name beside the
 * file a symlink points to and renamed over it by `close()`, so a failed run never leaves half
 * a file under the name given; anything else (a device such as /dev/null, a FIFO, /dev/stdout,
 * a dangling symlink) is opened and written through, never replaced. Open errors exit 127,
 * write errors 74, a closed pipe 141.
 */
export class OutputFile {
  readonly fd: number;
  private readonly tmp: string | null;
  private readonly target: string;
  private open = true;

  constructor(readonly path: string, mode = 0o666) {
    let st: Stats | undefined;
    try {
      st = statSync(path);
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw OutputFile.openError(e, path);
    }
    if (st?.isDirectory()) throw new UserError(`${path}: cannot write (EISDIR)`, EXIT.NO_FILE);
    const through = st === undefined ? OutputFile.isSymlink(path) : !st.isFile();
    this.target = through || st === undefined ? path : realpathSync(path);
    this.tmp = through ? null : `${this.target}.tmp-${process.pid}`;
    try {
      this.fd = openSync(this.tmp ?? path, 'w', mode);
    } catch (e) {
      throw OutputFile.openError(e, path);
    }
  }

  private static isSymlink(path: string): boolean {
    try {
      return lstatSync(path).isSymbolicLink();
    } catch {
      return false;
    }
  }

  private static openError(e: unknown, path: string): UserError {
    return new UserError(`${path}: cannot write (${errno(e)})`, EXIT.NO_FILE);
  }

  write(b: Uint8Array): void {
    writeAll(this.fd, b, this.path);
  }

  /** Close, and move a temporary file to its name. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    try {
      closeSync(this.fd);
      if (this.tmp !== null) renameSync(this.tmp, this.target);
    } catch (e) {
      this.removeTmp();
      throw writeFailure(errno(e), this.path);
    }
  }

  /** Close and drop the temporary file (a device or pipe keeps what was written). */
  abort(): void {
    if (this.open) {
      this.open = false;
      try { closeSync(this.fd); } catch { /* already closed */ }
    }
    this.removeTmp();
  }

  private removeTmp(): void {
    if (this.tmp === null) return;
    try { unlinkSync(this.tmp); } catch { /* never created or already renamed */ }
  }
}
