// The red-team oracle: what every outcome of every hostile input must satisfy. A run of the CLI
// (spawned) or of the library (in process, errors classified as the CLI classifies them) is
// reduced to an Observation; `violations` lists every promise it breaks (docs/security.md).

import { AsmError } from '../../isa/asm.js';
import { ElfError } from '../../isa/elf.js';
import { HostError } from '../../cpu/host.js';
import { EXIT } from '../../cpu/exit-codes.js';
import { DEFAULT_MEM_LIMIT } from '../../cpu/memory.js';
import { VcdError } from '../../waveforms/vcdread.js';
import { TraceError } from '../../waveforms/rvfi.js';
import { QemuLogError } from '../../waveforms/qemu-log.js';
import { QemuError } from '../qemu.js';

/**
 * The host's resident-set budget for one evminf process (docs/security.md): the memory budget
 * of the live frames (docs/architecture.md, Limits) plus 512 MiB for the process itself.
 */
export const RSS_BUDGET_BYTES = DEFAULT_MEM_LIMIT + 512 * 2 ** 20;
/** Wall-clock bound for one spawned command: longer is a hang. */
export const SPAWN_TIMEOUT_MS = 60_000;

/** What one execution showed. `stderr` is evminf's own diagnostics, not the guest's fd 2. */
export interface Observation {
  /** Process exit code (128 + n when killed by signal n), or the CLI-equivalent code in process. */
  code: number;
  stderr: string;
  /** Signal that killed a spawned process, or 'timeout'. */
  signal?: string | null;
  /** Peak resident set of a spawned process, when measured. */
  rssBytes?: number;
  /** Exit codes besides the error codes that are documented results here (guest codes, 1 for a diff). */
  allowed?: readonly number[];
  /** The guest may write its own lines to stderr (a run whose stderr is the guest's too). */
  guestStderr?: boolean;
  /** `code` is the guest's own exit status (exit or exit_group), which passes through unchecked. */
  guestExit?: boolean;
}

/** Codes evminf itself may end with (cpu/exit-codes.ts), except INTERNAL. */
const ERROR_CODES: ReadonlySet<number> = new Set(Object.values(EXIT).filter((c) => c !== EXIT.INTERNAL));

const STACK_TRACE = /^\s+at\s|\b(?:TypeError|RangeError|ReferenceError|SyntaxError|AssertionError|Maximum call stack)\b|internal error/m;

/** Every promise `o` breaks, as one line each; empty when it keeps them all. */
export function violations(o: Observation): string[] {
  const v: string[] = [];
  if (o.signal === 'timeout') v.push(`no result within ${SPAWN_TIMEOUT_MS / 1000} s (hang)`);
  else if (o.signal) v.push(`killed by ${o.signal}`);
  if (STACK_TRACE.test(o.stderr)) v.push(`stack trace or internal error on stderr: ${firstLine(o.stderr.split('\n').find((l) => STACK_TRACE.test(l)) ?? o.stderr)}`);
  if (o.guestExit) { /* the guest's own status: any byte */ }
  else if (o.code === EXIT.INTERNAL && !(o.allowed ?? []).includes(EXIT.INTERNAL)) v.push('exit code 1 (internal error)');
  else if (!ERROR_CODES.has(o.code) && o.code !== 0 && !(o.allowed ?? []).includes(o.code)) v.push(`exit code ${o.code} is not documented for this command`);
  const lines = o.stderr.split('\n').filter((l) => l !== '');
  const ours = lines.filter((l) => l.startsWith('evminf'));
  if (!o.guestExit && o.code === EXIT.BROKEN_PIPE) {
    // A reader that closed the pipe ends the run quietly (README): nothing on stderr.
    if (ours.length !== 0) v.push(`exit ${o.code} (broken pipe) printed ${ours.length} evminf: lines (want none)`);
  } else if (!o.guestExit && ERROR_CODES.has(o.code) && o.code !== 0) {
    if (ours.length !== 1) v.push(`${ours.length} evminf: lines on stderr for exit ${o.code} (want exactly one)`);
    if (!o.guestStderr && lines.length !== ours.length) v.push(`stderr has lines not starting evminf: (${JSON.stringify(firstLine(lines.find((l) => !l.startsWith('evminf')) ?? ''))})`);
    if (ours.length === 1 && !/^evminf: \S/.test(ours[0]!)) v.push(`error line does not start "evminf: ": ${JSON.stringify(ours[0]!.slice(0, 80))}`);
  }
  if (o.rssBytes !== undefined && o.rssBytes > RSS_BUDGET_BYTES) v.push(`host RSS ${(o.rssBytes / 2 ** 20).toFixed(0)} MiB over the ${RSS_BUDGET_BYTES >> 20} MiB budget`);
  return v;
}

const firstLine = (s: string): string => s.split('\n')[0]!.slice(0, 160);

/** An error thrown by the library, classified as the CLI does (bin/cli.ts, bin/equiv.ts). */
export function classify(e: unknown): { code: number; stderr: string } {
  const line = (m: string): string => `evminf: ${m}\n`;
  if (e instanceof ElfError || e instanceof AsmError) return { code: EXIT.BAD_INPUT, stderr: line(e.message) };
  if (e instanceof HostError) return { code: EXIT.UNKNOWN_SYSCALL, stderr: line(e.message) };
  if (e instanceof VcdError || e instanceof TraceError || e instanceof QemuLogError) return { code: EXIT.BAD_INPUT, stderr: line(e.message) };
  if (e instanceof QemuError) return { code: e.missing ? EXIT.NO_FILE : EXIT.BAD_INPUT, stderr: line(e.message) };
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') return { code: EXIT.NO_FILE, stderr: line(`${(e as NodeJS.ErrnoException).path ?? 'input'}: cannot read`) };
  return { code: EXIT.INTERNAL, stderr: `evminf: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n` };
}

/** How an outcome is counted: accepted, rejected with its code, or a violation. */
export function outcomeName(code: number, broken: readonly string[]): string {
  if (broken.length > 0) return 'violation';
  return code === 0 ? 'ok-accepted' : `ok-rejected-with-code-${code}`;
}
