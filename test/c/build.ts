// The C test corpus (test/c/*.c) and how to build it with the RISC-V cross compiler. Each
// program carries its inline expectations: its exit code and lines its stdout must contain, so
// the tests check the programs themselves as well as QEMU-vs-model agreement.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runToolOk } from '../tools.js';

export const CC = 'riscv64-unknown-elf-gcc';
export const OBJDUMP = 'riscv64-unknown-elf-objdump';
export const QEMU = 'qemu-riscv32';

/** Absolute path of test/c/. */
export const C_DIR = fileURLToPath(new URL('.', import.meta.url));
/** Absolute path of the built CLI (test/global-setup.ts builds it). */
export const EVMINF = fileURLToPath(new URL('../../dist/bin/evminf.cjs', import.meta.url));

/** Freestanding RV32IM, ilp32, no C library; libgcc supplies 64-bit division. */
export const CFLAGS: readonly string[] = ['-ffreestanding', '-fno-builtin', '-march=rv32im', '-mabi=ilp32', '-nostdlib', '-static', '-Wall', '-Wextra'];

export type OptLevel = '-O0' | '-O1' | '-O2' | '-O3' | '-Os';

export interface CProgram {
  readonly name: string;
  /** Optimisation levels it is built at; the guest output must not depend on the level. */
  readonly levels: readonly OptLevel[];
  readonly exitCode: number;
  /** Lines stdout must contain (checked against QEMU's output and the model's alike). */
  readonly stdout: readonly string[];
  readonly stderr?: readonly string[];
  /** A floor for the retired-instruction count at -O2 (the long-running programs). */
  readonly minInstructions?: number;
}

export const PROGRAMS: readonly CProgram[] = [
  {
    name: 'recursion', levels: ['-O2', '-O0', '-Os'], exitCode: 202,
    stdout: ['fib(20) = 6765', 'ack(3, 4) = 125 in 10307 calls', 'hanoi(12) took 4095 moves', 'queens(8) = 92',
      '50! = 30414093201713378043612608166064768844377641568960512000000000000', 'digit sum of 50! = 216'],
    minInstructions: 1_000_000,
  },
  {
    name: 'muldiv', levels: ['-O2', '-O0', '-O3'], exitCode: 29,
    stdout: ['  7/-3 = -2 r 1; u: 0 r 7', '  -1/7 = 0 r -1; u: 613566756 r 3', 'INT_MIN/-1 = -2147483648 r 0', 'INT_MIN/0 = -1 r -2147483648',
      '-2147483648*-2147483648: mulh 1073741824 mulhu 1073741824 mulhsu -1073741824 mul 0',
      '20! = 2432902008176640000 = 0x21c3677c82b40000', '-20! / 1000003 = -2432894709492 r -511524',
      'primes below 3000: 430, largest 2999', 'isqrt(2^32-1) = 65535', '2^(p-1) mod p for p = 4294967291: 1'],
  },
  {
    name: 'memory', levels: ['-O2', '-O0'], exitCode: 123,
    stdout: ['sizeof packed 18 padded 32 bits 4', 'packed == padded: 1', '  bits 3: a 1 b -15 c 904 d -1096',
      'sum signed chars -128, unsigned chars 32640; sc[200] -56 uc[200] 200',
      'casts of -123456789: (signed char) -21 (unsigned char) 235 (short) 13035 (unsigned short) 13035',
      'union: h e0f1 80c0 b -15 -32 -64 -128 ub 241 224 192 128', 'after stores: w 7fffe0fe',
      '  at +1: lw c5b4a392 lh -23662 lhu 41874', 'after misaligned stores: 81 ef be ad de d6 e7 fe ca 1a 34 12 4d 5e 6f 80',
      'memmove: abcabcdefghijnqrstuvwxwx## memcmp 1 1'],
  },
  {
    name: 'sort', levels: ['-O2', '-O0', '-Os'], exitCode: 20,
    stdout: ['quicksort sorted 1, heapsort sorted 1, mergesort sorted 1, all agree 1', 'shorts sorted 1',
      'words: Zebra app apple applesauce apricot banana cherry date elderberry fig grape kiwi pear zebra'],
  },
  {
    name: 'string', levels: ['-O2', '-O0'], exitCode: 7,
    stdout: ['Hello, world! (13 chars)', '"it was" occurs 7 times (naive), 7 (KMP); "of" 8; "aaa" in "aaaaaa" 4 4',
      '  itoa -2147483648 hex 80000000 roundtrip 1', 'rot13: Jul qvq gur puvpxra pebff gur ebnq?',
      'rle: 3a1b9c3c5d1e (12 bytes)', 'utf-8 "naïve café € 5" has 14 code points, 18 bytes'],
  },
  {
    name: 'checksum', levels: ['-O2', '-O0', '-O3'], exitCode: 111,
    stdout: ['crc32("123456789") = cbf43926 / cbf43926', 'adler32("Wikipedia") = 11e60398', 'fnv1a("") = 811c9dc5, fnv1a("a") = e40c292c',
      'fletcher16("abcde") = c8f0', 'crc32 80a4496f (table 80a4496f, agree 1)',
      // The CRC-32 residue: the CRC of a message followed by its CRC is a constant.
      'crc32 of its own little-endian crc bytes'],
    minInstructions: 1_000_000,
  },
  {
    name: 'stderr', levels: ['-O2', '-O0'], exitCode: 6,
    stdout: ['stdout line 5', 'total 222 bytes via printf'],
    stderr: ['stderr line 5: 5 squared is 25', 'write(-1) = -9, write(1, 0x10, 4) = -14, write(2, "", 0) = 0', 'wrote 599 bytes'],
  },
  {
    name: 'exitcode', levels: ['-O2'], exitCode: 10,
    stdout: ['sum of k^2 mod 13 for k = 1..100: 610'],
    stderr: ['exiting with status 266 (reported as 10)'],
  },
];

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `evminf-${prefix}-`));
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Compile and link sources (C or .S) into a static RV32IM executable at `out`. */
export function compile(sources: readonly string[], out: string, level: OptLevel = '-O2', extra: readonly string[] = []): Uint8Array {
  runToolOk(CC, [level, ...CFLAGS, ...extra, '-o', out, ...sources, '-lgcc'], { timeoutMs: 60_000 });
  return readFileSync(out);
}

/** Build test/c/<name>.c at `level` into `dir`; returns the ELF's path. */
export function buildProgram(dir: string, name: string, level: OptLevel): string {
  const out = join(dir, `${name}${level}.elf`);
  compile([join(C_DIR, `${name}.c`)], out, level);
  return out;
}

export interface Outcome {
  /** Exit status, or 128 + signal number when killed by a signal (the shell's convention). */
  readonly status: number;
  readonly signal: string | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

/** Run a command to completion with byte-exact output. */
export function runBytes(cmd: string, args: readonly string[], cwd?: string): Outcome {
  const r = spawnSync(cmd, args, { cwd, timeout: 120_000, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  const sigNum = r.signal === null ? 0 : (spawnSignals[r.signal] ?? 0);
  return { status: r.status ?? 128 + sigNum, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const spawnSignals: Record<string, number> = constants.signals as unknown as Record<string, number>;

/** The program under qemu-riscv32 (cwd `dir`, so a core file could not land in the tree). */
export function runQemu(elf: string, dir: string): Outcome {
  return runBytes(QEMU, [elf], dir);
}

/** `node dist/bin/evminf.cjs ...args`. */
export function runEvminf(args: readonly string[], cwd?: string): Outcome {
  return runBytes(process.execPath, [EVMINF, ...args], cwd);
}
