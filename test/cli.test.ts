// `evminf run` as a user meets it: every way a run can go wrong ends in one line on stderr
// ("evminf: …", never a stack trace) and an exit code of its own (cpu/exit-codes.ts, README);
// `--json` prints one object. Traps use the shell's 128+signal codes, checked against what
// qemu-riscv32 does with the same ELF.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXIT } from '../cpu/exit-codes.js';
import { LinuxHost } from '../cpu/host.js';
import { createModel } from '../cpu/machine.js';
import { loadElf } from '../cpu/program.js';
import { runToEnd } from '../cpu/runner.js';
import { describeWithTools } from './tools.js';
import { C_DIR, CC, QEMU, compile, removeDir, runEvminf, runQemu, tempDir, type Outcome } from './c/build.js';

/** The documented exit codes (README "Exit codes"), written out so a change to them is seen. */
const CODE = {
  USAGE: 2, LIMIT: 124, UNKNOWN_SYSCALL: 125, BAD_INPUT: 126, NO_FILE: 127,
  ILLEGAL_INSTRUCTION: 132, BREAKPOINT: 133, OUT_OF_GAS: 134, MISALIGNED: 135, MEMORY_FAULT: 139,
} as const;

const PROLOGUE = '.text\n.globl _start\n_start:\n';

/** Small programs, built with GNU as/ld; each body follows `_start`. */
const SOURCES: Record<string, string> = {
  hello: `  li a0, 1\n  la a1, msg\n  li a2, 6\n  li a7, 64\n  ecall\n  li a0, 3\n  li a7, 93\n  ecall\n.section .rodata\nmsg: .ascii "hello\\n"\n`,
  syscall: '  li a0, 1\n  li a7, 999\n  ecall\n',
  // csrrw x0, cycle, x0 (`unimp`): Zicsr is not part of EVM∞.
  illegal: '  .word 0xc0001073\n',
  load: '  lw a0, 0(zero)\n  li a7, 93\n  ecall\n',
  store: '  la t0, _start\n  sw zero, 0(t0)\n  li a7, 93\n  ecall\n',
  fetch: '  li t0, 0x40000000\n  jr t0\n',
  ebreak: '  ebreak\n',
  misaligned: '  la t0, _start\n  addi t0, t0, 2\n  jr t0\n',
  loop: '1:\n  addi a0, a0, 1\n  j 1b\n',
};

const MODELS = ['cycle', 'iss'] as const;

/** Exactly one line, `evminf: …`, and no stack trace. */
function expectOneLine(r: Outcome, phrase: string): void {
  const err = r.stderr.toString('utf8');
  expect(err.split('\n').filter((l) => l.startsWith('    at ')), 'stack trace on stderr').toEqual([]);
  expect(err).not.toContain('internal error');
  expect(err).toMatch(/^evminf: [^\n]+\n$/);
  expect(err).toContain(phrase);
}

describeWithTools([CC], 'evminf run: errors a user can cause', () => {
  let dir: string;
  const elf: Record<string, string> = {};

  beforeAll(() => {
    dir = tempDir('cli');
    for (const [name, body] of Object.entries(SOURCES)) {
      const src = join(dir, `${name}.S`);
      writeFileSync(src, PROLOGUE + body);
      elf[name] = join(dir, `${name}.elf`);
      compile([src], elf[name]!, '-O0');
    }
  });
  afterAll(() => removeDir(dir));

  test('the exit codes of cpu/exit-codes.ts are the documented ones, one per kind of failure', () => {
    for (const [k, v] of Object.entries(CODE)) expect(EXIT[k as keyof typeof EXIT], k).toBe(v);
    // Every test below pins its failure to one of these: distinct codes tell the kinds apart.
    expect(new Set(Object.values(CODE)).size).toBe(Object.keys(CODE).length);
  });

  test('a good program: its output and exit code pass through', () => {
    for (const model of MODELS) {
      const r = runEvminf(['run', '--model', model, elf.hello!]);
      expect(r.stdout.toString()).toBe('hello\n');
      expect(r.stderr.toString()).toBe('');
      expect(r.status).toBe(3);
    }
  });

  describe('runtime stops', () => {
    // [category, program, extra options, exit code, phrase, qemu-riscv32 stops the same way]
    const CASES: [string, string, string[], number, string, boolean][] = [
      ['unknown system call', 'syscall', [], CODE.UNKNOWN_SYSCALL, 'unknown system call 999 (a7) at pc 0x', false],
      ['illegal instruction', 'illegal', [], CODE.ILLEGAL_INSTRUCTION, 'illegal instruction 0xc0001073 (pc 0x', true],
      ['load from unmapped memory', 'load', [], CODE.MEMORY_FAULT, 'load outside mapped memory at address 0x00000000', true],
      ['store to code', 'store', [], CODE.MEMORY_FAULT, 'store outside writable memory at address 0x', true],
      ['fetch outside code', 'fetch', [], CODE.MEMORY_FAULT, 'instruction fetch outside code ROM at address 0x40000000', true],
      ['ebreak', 'ebreak', [], CODE.BREAKPOINT, 'breakpoint (pc 0x', true],
      // QEMU implements the C extension, so a jump to pc+2 is legal there: no comparison.
      ['misaligned jump', 'misaligned', [], CODE.MISALIGNED, 'instruction address misaligned at address 0x', false],
      ['instruction limit', 'loop', ['--max-instructions', '1000'], CODE.LIMIT, 'stopped at the instruction limit of 1000 (pc 0x', false],
      ['out of gas', 'loop', ['--pset', '0', '--gas', '500'], CODE.OUT_OF_GAS, 'out of gas', false],
    ];
    test.each(CASES)('%s', (category, prog, opts, code, phrase, qemuToo) => {
      for (const model of MODELS) {
        const r = runEvminf(['run', '--model', model, ...opts, elf[prog]!]);
        expectOneLine(r, phrase);
        expect(r.stdout.length, `${model}: stdout`).toBe(0);
        expect(r.status, `${model}: exit code`).toBe(code);
      }
      if (qemuToo) {
        const q = runQemu(elf[prog]!, dir);
        expect(q.signal, 'qemu-riscv32 should die of a signal').not.toBeNull();
        expect(q.status, `qemu-riscv32: ${q.signal}`).toBe(code);
      }
    });
  });

  describe('malformed input', () => {
    const bytes = (name: string): Buffer => readFileSync(elf[name]!);
    /** The ELF with `edit` applied to a copy. */
    const patched = (edit: (b: Buffer) => void): Buffer => { const b = Buffer.from(bytes('hello')); edit(b); return b; };
    /** Byte offset of the first PT_LOAD program header. */
    const firstLoad = (b: Buffer): number => {
      const phoff = b.readUInt32LE(28), phentsize = b.readUInt16LE(42), phnum = b.readUInt16LE(44);
      for (let i = 0; i < phnum; i++) if (b.readUInt32LE(phoff + i * phentsize) === 1) return phoff + i * phentsize;
      throw new Error('test: no PT_LOAD');
    };
    const other = (flags: string[], name: string): Buffer => {
      const src = join(dir, `${name}.S`), out = join(dir, `${name}.elf`);
      writeFileSync(src, PROLOGUE + SOURCES.hello);
      return Buffer.from(compile([src], out, '-O0', flags));
    };

    const CASES: [string, () => Uint8Array, string][] = [
      ['an empty file', () => new Uint8Array(0), 'file is 0 bytes, shorter than an ELF32 header'],
      ['a file truncated inside its header', () => bytes('hello').subarray(0, 40), 'file is 40 bytes, shorter than an ELF32 header'],
      ['a file truncated inside a segment', () => {
        const b = bytes('hello');
        const end = b.readUInt32LE(28) + b.readUInt16LE(42) * b.readUInt16LE(44);
        return b.subarray(0, end + 8);
      }, 'lies outside the'],
      ['bad magic', () => patched((b) => b.write('NOPE', 0, 'latin1')), 'bad magic (not an ELF file)'],
      ['an ELF64 file (rv64im)', () => other(['-march=rv64im', '-mabi=lp64'], 'hello64'), 'ELF64 file'],
      ['the wrong machine (x86-64)', () => patched((b) => b.writeUInt16LE(62, 18)), 'e_machine 62 is not RISC-V (243)'],
      ['a segment outside the file', () => patched((b) => b.writeUInt32LE(b.length, firstLoad(b) + 4)), 'lies outside the'],
      ['a 2 GiB segment', () => patched((b) => { const p = firstLoad(b); b.writeUInt32LE(0x7fff0000, p + 16); b.writeUInt32LE(0x7fff0000, p + 20); }), 'the limit is 1 GiB'],
      ['the RVC flag (built for rv32imc)', () => other(['-march=rv32imc'], 'helloc'), 'C extension (EF_RISCV_RVC)'],
      ['a relocatable object (not linked)', () => other(['-c'], 'hello-obj'), 'is not an executable (ET_EXEC)'],
      ['big-endian data encoding', () => patched((b) => { b[5] = 2; }), 'not little-endian'],
    ];
    test.each(CASES)('%s', (_what, make, phrase) => {
      const path = join(dir, `bad-${_what.replace(/[^a-z0-9]+/gi, '-')}.elf`);
      writeFileSync(path, make());
      for (const model of MODELS) {
        const r = runEvminf(['run', '--model', model, path]);
        expectOneLine(r, phrase);
        expect(r.stderr.toString()).toMatch(/^evminf: malformed ELF: /);
        expect(r.stdout.length).toBe(0);
        expect(r.status).toBe(CODE.BAD_INPUT);
      }
    });

    test('assembly source that does not assemble', () => {
      const path = join(dir, 'broken.S');
      writeFileSync(path, `${PROLOGUE}  addi a0, a0\n`);
      const r = runEvminf(['run', path]);
      expectOneLine(r, 'broken.S:4');
      expect(r.status).toBe(CODE.BAD_INPUT);
    });

    test('a missing file and a directory', () => {
      const missing = runEvminf(['run', join(dir, 'no-such.elf')]);
      expectOneLine(missing, 'no-such.elf: no such file');
      expect(missing.status).toBe(CODE.NO_FILE);
      const directory = runEvminf(['run', dir]);
      expectOneLine(directory, 'is a directory');
      expect(directory.status).toBe(CODE.NO_FILE);
    });
  });

  describe('bad command lines', () => {
    const CASES: [string, (e: Record<string, string>) => string[], string][] = [
      ['an unknown option', (e) => ['run', e.hello!, '--frobnicate'], 'Unknown argument: frobnicate'],
      ['an unknown command', () => ['frobnicate'], 'Unknown argument: frobnicate'],
      ['no command', () => [], 'name a command'],
      ['run without a program', () => ['run'], 'Not enough non-option arguments'],
    ];
    test.each(CASES)('%s', (_what, args, phrase) => {
      const r = runEvminf(args(elf));
      expectOneLine(r, phrase);
      expect(r.stdout.length).toBe(0);
      expect(r.status).toBe(CODE.USAGE);
    });

    const BAD_OPTIONS: [string, string[], string][] = [
      ['a negative --max-instructions', ['--max-instructions', '-5'], '--max-instructions must be a non-negative integer'],
      ['a fractional --max-instructions', ['--max-instructions', '1.5'], '--max-instructions must be a non-negative integer'],
      ['an unknown --model', ['--model', 'rtl'], 'model'],
    ];
    test.each(BAD_OPTIONS)('%s', (_what, opts, phrase) => {
      const r = runEvminf(['run', ...opts, elf.hello!]);
      expectOneLine(r, phrase);
      expect(r.status).toBe(CODE.USAGE);
    });
  });
});

describeWithTools([CC, QEMU], 'evminf run --json', () => {
  let dir: string;
  beforeAll(() => { dir = tempDir('cli-json'); });
  afterAll(() => removeDir(dir));

  const build = (name: string, body: string): string => {
    const src = join(dir, `${name}.S`), out = join(dir, `${name}.elf`);
    writeFileSync(src, PROLOGUE + body);
    compile([src], out, '-O0');
    return out;
  };
  /** Exactly one JSON object on one line. */
  const parse = (r: Outcome): Record<string, unknown> => {
    const text = r.stdout.toString('utf8');
    expect(text.endsWith('\n') && text.indexOf('\n') === text.length - 1, 'one line of JSON').toBe(true);
    return JSON.parse(text) as Record<string, unknown>;
  };

  test('a normal exit: exit code, instruction count, gas and the guest output', () => {
    const path = build('hello', SOURCES.hello!);
    const iss = createModel('iss', loadElf(readFileSync(path)));
    const ref = runToEnd(iss, new LinuxHost());
    expect(ref.instructions).toBe(9);
    for (const model of MODELS) {
      const r = runEvminf(['run', '--json', '--model', model, path]);
      expect(r.stderr.toString()).toBe('');
      expect(r.status).toBe(3);
      const j = parse(r);
      expect(j).toMatchObject({ stopReason: 'exit', exitCode: 3, guestExitCode: 3, instructions: ref.instructions, gas: ref.gas, stdout: 'hello\n', stderr: '', message: null, model });
      expect(typeof j.gas).toBe('number');
      expect(j.gas as number).toBeGreaterThan(0);
    }
  });

  test('a C program writing both streams: the JSON carries what qemu-riscv32 printed', () => {
    const path = join(dir, 'stderr.elf');
    compile([join(C_DIR, 'stderr.c')], path, '-O2');
    const q = runQemu(path, dir);
    for (const model of MODELS) {
      const r = runEvminf(['run', '--json', '--model', model, path]);
      const j = parse(r);
      expect(j.stdout).toBe(q.stdout.toString('utf8'));
      expect(j.stderr).toBe(q.stderr.toString('utf8'));
      expect(j.exitCode).toBe(q.status);
      expect(r.status).toBe(q.status);
      expect(r.stderr.length).toBe(0);
    }
  });

  test('stops that are not exits: the reason, the code and the message', () => {
    const illegal = build('illegal', SOURCES.illegal!);
    const loop = build('loop', SOURCES.loop!);
    const cases: [string[], Record<string, unknown>][] = [
      [[illegal], { stopReason: 'trap', exitCode: CODE.ILLEGAL_INSTRUCTION, guestExitCode: null, instructions: 0 }],
      [['--max-instructions', '1000', loop], { stopReason: 'limit', exitCode: CODE.LIMIT, guestExitCode: null, instructions: 1000, gas: 1000 }],
      [['--pset', '0', '--gas', '500', loop], { stopReason: 'trap', exitCode: CODE.OUT_OF_GAS, instructions: 500, gas: 500 }],
    ];
    for (const model of MODELS) {
      for (const [args, want] of cases) {
        const r = runEvminf(['run', '--json', '--model', model, ...args]);
        const j = parse(r);
        expect(j, `${model} ${args.join(' ')}`).toMatchObject({ ...want, stdout: '', stderr: '' });
        expect(typeof j.message).toBe('string');
        expect(r.status).toBe(want.exitCode);
        expect(r.stderr.length).toBe(0);
      }
    }
  });
});
