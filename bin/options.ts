// Option groups that several commands share, defined once, and the one check of every numeric
// option: an integer in decimal or 0x hex, inside its documented range (README "Command line").
// A bad value, or an option given twice, is a usage error (exit 2) naming the option.

import type { Argv } from 'yargs';
import { DEFAULT_STACK_SIZE } from '../cpu/program.js';
import { DEFAULT_MEM_LIMIT } from '../cpu/memory.js';
import { MODEL_KINDS, ROOT_PSET } from '../cpu/models.js';
import { PSET_DEFINED } from '../cpu/perm.js';
import { GAS_INFINITE } from '../cpu/gas.js';
import { EXIT } from '../cpu/exit-codes.js';
import { UserError } from './user-error.js';

/** The smallest stack: the 16 bytes above the initial sp (argc, argv, envp, auxv). */
export const MIN_STACK_SIZE = 16;
/** The largest stack: 1 GiB (it must also stay clear of the program's segments). */
export const MAX_STACK_SIZE = 1 << 30;

interface NumberRange {
  readonly min: number;
  readonly max: number;
  /** The value must be a multiple of this. */
  readonly multiple?: number;
  /** Bounds are shown in hex (addresses, bit sets). */
  readonly hex?: boolean;
}

const U32 = 0xffff_ffff;

/** Every numeric option of every command, by name. */
export const NUMBERS: Readonly<Record<string, NumberRange>> = {
  'max-instructions': { min: 0, max: Number.MAX_SAFE_INTEGER },
  'max-cycles': { min: 0, max: Number.MAX_SAFE_INTEGER },
  'stack-size': { min: MIN_STACK_SIZE, max: MAX_STACK_SIZE, multiple: 4 },
  pset: { min: 0, max: PSET_DEFINED, hex: true },
  gas: { min: 0, max: GAS_INFINITE - 1 },
  'mem-limit': { min: 1 << 20, max: 2 ** 34 },
  'vcd-from': { min: 0, max: Number.MAX_SAFE_INTEGER },
  'vcd-to': { min: 0, max: Number.MAX_SAFE_INTEGER },
  count: { min: 0, max: U32 },
  seed: { min: 0, max: U32 },
  items: { min: 1, max: 100_000 },
  'fault-cycles': { min: 0, max: 1000 },
  at: { min: 0, max: Number.MAX_SAFE_INTEGER },
  context: { min: 0, max: 100_000 },
  sp: { min: 0, max: U32, hex: true },
  port: { min: 0, max: 65535 },
  top: { min: 1, max: Number.MAX_SAFE_INTEGER },
};

/** Options that may be given more than once. */
const REPEATABLE = new Set(['vcd-scope', 'reports', '_', 'blocks']);

const INTEGER = /^(0x[0-9a-f]+|[0-9]+)$/i;

function rangeText(name: string, r: NumberRange): string {
  const f = (n: number): string => (r.hex ? `0x${n.toString(16)}` : String(n));
  const base = r.min === 0 ? `a non-negative integer up to ${f(r.max)}` : `an integer from ${f(r.min)} to ${f(r.max)}`;
  return `--${name} must be ${base}${r.multiple ? `, a multiple of ${r.multiple}` : ''}${name === 'pset' ? ' (the defined PSET bits)' : ''}`;
}

/** `raw` as a number inside the range of option `name`, or a usage error. */
export function parseNumberOption(name: string, raw: unknown): number {
  const r = NUMBERS[name]!;
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  const v = typeof raw === 'number' ? raw : INTEGER.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(v) || v < r.min || v > r.max || (r.multiple !== undefined && v % r.multiple !== 0)) {
    throw new UserError(`${rangeText(name, r)}; got '${text}'`, EXIT.USAGE);
  }
  return v;
}

/**
 * yargs middleware, after parsing: numeric options become numbers (checked), and an option
 * given twice is an error rather than an array or the last value silently winning.
 */
export function normalizeOptions(argv: Record<string, unknown>): void {
  for (const k of Object.keys(argv)) {
    if (k === '$0' || /[A-Z]/.test(k)) continue; // yargs' camelCase copies follow their kebab-case key
    const v = argv[k];
    if (Array.isArray(v) && !REPEATABLE.has(k)) throw new UserError(`--${k} is given more than once`, EXIT.USAGE);
    if (v === undefined || !(k in NUMBERS)) continue;
    const n = parseNumberOption(k, v);
    argv[k] = n;
    argv[k.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())] = n;
  }
}

// Option groups. Numeric options are strings to yargs (so that 0x3f, 1e99 and -5 reach the check
// above as typed); normalizeOptions turns them into numbers before any handler runs.

const numeric = (describe: string, dflt?: number) => ({ type: 'string' as const, requiresArg: true, describe, ...(dflt === undefined ? {} : { default: dflt, defaultDescription: String(dflt) }) });

/** `<program>`: an ELF or an assembly source, and the root frame's stack. */
export function programOptions(y: Argv): Argv {
  return y
    .positional('program', { type: 'string', demandOption: true, describe: 'ELF executable or assembly source (.S/.s, assembled first)' })
    .option('stack-size', numeric(`bytes of stack below 0x80000000 (${MIN_STACK_SIZE} B to 1 GiB, a multiple of 4, clear of the program's segments)`, DEFAULT_STACK_SIZE));
}

/** --model, with the commands' own default. */
export function modelOption(y: Argv, dflt: string, describe: string, kinds: readonly string[] = MODEL_KINDS): Argv {
  return y.option('model', { choices: kinds, default: dflt, describe });
}

/**
 * Refuse the timing model for a tool that follows every retired instruction (commit logs, RVFI,
 * injected faults): it counts cycles per translated block, so they would be lost. `what` is the
 * subject and its verb, e.g. `--log-commits needs`.
 */
export function checkPerInstruction(model: string, what: string): void {
  if (model === 'fast') throw new UserError(`${what} --model cycle or iss (the timing model counts cycles per translated block)`, EXIT.USAGE);
}

/** The root frame's permissions and gas. */
export function frameOptions(y: Argv): Argv {
  return y
    .option('pset', numeric(`the root frame's permission set, defined bits only (0..0x${PSET_DEFINED.toString(16)}; default 0x${ROOT_PSET.toString(16)}; docs/architecture.md)`))
    .option('gas', numeric("the root frame's gas limit (ignored when --pset grants infinite gas, bit 4)"))
    .option('mem-limit', numeric(`host memory budget in bytes of all live frames: regions and predecoded code (1 MiB to 16 GiB; docs/architecture.md, Limits)`, DEFAULT_MEM_LIMIT));
}

/** Run limits; a run that reaches one stops with exit code 124. */
export function limitOptions(y: Argv, which: { instructions?: string; cycles?: string }): Argv {
  if (which.instructions !== undefined) y = y.option('max-instructions', numeric(which.instructions));
  if (which.cycles !== undefined) y = y.option('max-cycles', numeric(which.cycles));
  return y;
}

/** Retirement traces of a run (bin/trace-run.ts). */
export function traceOptions(y: Argv, faultDescribe = 'test hook: flip bit 0 of the result of the n-th retired <mnemonic>, e.g. add:3'): Argv {
  return y
    .option('log-commits', { type: 'string', requiresArg: true, describe: "write Spike's commit log (--log-commits format) of every retired instruction to FILE" })
    .option('rvfi', { type: 'string', requiresArg: true, describe: 'write an RVFI trace to FILE: JSON lines, or a VCD of rvfi_* signals when FILE ends in .vcd (docs/rtl-testbench.md)' })
    .option('inject-fault', { type: 'string', requiresArg: true, describe: faultDescribe });
}

/** The devices of the standard machine (peripherals/standard.ts) and what the host gives them. */
export function deviceOptions(y: Argv): Argv {
  return y
    .option('devices', { type: 'boolean', default: true, describe: 'attach the standard devices (docs/peripherals.md); --no-devices runs without them' })
    .option('time', { type: 'string', requiresArg: true, describe: 'the timer\'s CURTIME: seconds since 1970-01-01 UTC (decimal, up to 2^64-1), an ISO-8601 date such as 2026-12-02T00:27:14Z (UTC unless it names an offset), or now (the host clock); default 0' })
    .option('console', { type: 'string', requiresArg: true, describe: 'write the debug console\'s bytes to FILE (default stderr)' });
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const TIME_MAX = (1n << 64n) - 1n;

/**
 * --time: seconds since 1970-01-01 UTC from a decimal integer (0 to 2^64-1), an ISO-8601 date
 * or date-time (UTC unless it names an offset; fractions of a second dropped), or `now`, the
 * host's clock (the one way the wall clock enters a run). Absent: 0.
 */
export function parseTimeOption(raw: string | undefined, now = Date.now()): bigint {
  if (raw === undefined) return 0n;
  const text = raw.trim();
  const bad = (why: string): UserError => new UserError(`--time must be seconds since 1970 (0 to 2^64-1), an ISO-8601 date such as 2026-12-02T00:27:14Z, or now; got '${text}'${why}`, EXIT.USAGE);
  if (text === 'now') return BigInt(Math.floor(now / 1000));
  if (/^[0-9]+$/.test(text)) {
    const t = BigInt(text);
    if (t > TIME_MAX) throw bad(' (past 2^64-1)');
    return t;
  }
  const m = ISO_DATE.exec(text);
  if (m === null) throw bad('');
  const [y, mo, d, h = 0, mi = 0, s = 0] = m.slice(1, 7).map((f) => (f === undefined ? undefined : Number(f))) as number[];
  // (Date.UTC reads years 0..99 as 1900..1999: those are before 1970 anyway.)
  if (y! < 1969) throw bad(' (before 1970-01-01)');
  const days = new Date(Date.UTC(y!, mo!, 0)).getUTCDate();
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > days || h > 23 || mi > 59 || s > 59) throw bad(' (no such date or time)');
  let off = 0;
  const z = m[7];
  if (z !== undefined && z.toUpperCase() !== 'Z') {
    const oh = Number(z.slice(1, 3)), om = Number(z.slice(-2));
    if (oh > 23 || om > 59) throw bad(' (no such offset)');
    off = (z[0] === '-' ? -1 : 1) * (oh * 3600 + om * 60);
  }
  const t = Date.UTC(y!, mo! - 1, d!, h, mi, s) / 1000 - off;
  if (t < 0) throw bad(' (before 1970-01-01)');
  return BigInt(t);
}

/** --json: one JSON object on stdout instead of text. */
export function jsonOption(y: Argv, describe = 'print one JSON object'): Argv {
  return y.option('json', { type: 'boolean', default: false, describe });
}
