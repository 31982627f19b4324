// The built CLI (dist/bin/evminf.cjs) under hostile command lines, inputs and outputs: devices,
// symlinks and FIFOs as outputs, a full disk, readers that close the pipe, out-of-range numbers,
// endless or huge inputs, huge guest output under --json. Every failure is one line on stderr
// starting with `evminf:` (never a stack trace) and its documented exit code (README).

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assembleToElf } from '../isa/asm.js';
import { EXIT } from '../cpu/exit-codes.js';
import { PSET_DEFINED } from '../cpu/perm.js';
import { EVMINF, removeDir, tempDir } from './c/build.js';

/** The documented codes this file pins (README "Exit codes"). */
const CODE = { USAGE: 2, IO_ERROR: 74, LIMIT: 124, BAD_INPUT: 126, NO_FILE: 127, BROKEN_PIPE: 141 } as const;

const PROLOGUE = '.text\n.globl _start\n_start:\n';
const SOURCES: Record<string, string> = {
  hello: '  li a0, 1\n  la a1, msg\n  li a2, 6\n  li a7, 64\n  ecall\n  li a0, 3\n  li a7, 93\n  ecall\n.section .rodata\nmsg: .ascii "hello\\n"\n',
  // Writes "hello\n" forever: only a closed stdout can end it.
  spin: '1:\n  li a0, 1\n  la a1, msg\n  li a2, 6\n  li a7, 64\n  ecall\n  j 1b\n.section .rodata\nmsg: .ascii "hello\\n"\n',
  loop: '1:\n  addi a0, a0, 1\n  j 1b\n',
  // 3 MiB of stdout (the 1 MiB stack, three times) and 5 bytes of stderr.
  flood: '  li s0, 3\n1:\n  li a0, 1\n  li a1, 0x7ff00000\n  li a2, 0x100000\n  li a7, 64\n  ecall\n  addi s0, s0, -1\n  bnez s0, 1b\n'
    + '  li a0, 2\n  la a1, msg\n  li a2, 5\n  li a7, 64\n  ecall\n  li a0, 0\n  li a7, 93\n  ecall\n.section .rodata\nmsg: .ascii "done\\n"\n',
};

interface Outcome { status: number | null; stdout: Buffer; stderr: string }

/**
 * Run the CLI. Asynchronous, so that the test worker's event loop stays free while it runs
 * (a worker blocked in spawnSync for long misses vitest's RPC deadlines).
 */
function evminf(args: readonly string[], opts: { stdout?: number | 'pipe' | 'ignore'; timeoutMs?: number; cwd?: string } = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [EVMINF, ...args], { stdio: ['ignore', opts.stdout ?? 'pipe', 'pipe'], cwd: opts.cwd });
    const out: Buffer[] = [], err: Buffer[] = [];
    c.stdout?.on('data', (d: Buffer) => out.push(d));
    c.stderr!.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => c.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    c.on('error', reject);
    c.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** Exactly one line on stderr, `evminf: …` with `phrase`, no stack trace, and exit `code`. */
function expectOneLine(r: Outcome, code: number, phrase: string | RegExp): void {
  expect(r.stderr.split('\n').filter((l) => /^\s+at /.test(l)), 'stack trace on stderr').toEqual([]);
  expect(r.stderr).not.toContain('internal error');
  expect(r.stderr).toMatch(/^evminf: [^\n]+\n$/);
  if (typeof phrase === 'string') expect(r.stderr).toContain(phrase);
  else expect(r.stderr).toMatch(phrase);
  expect(r.status, r.stderr).toBe(code);
}

/**
 * Run with stdout into a pipe (a real one, as a shell makes: /dev/stdout can be opened) whose
 * reader takes 6 bytes and closes it. Gives evminf's exit status (pipefail) and stderr.
 */
function closedPipe(args: readonly string[]): Promise<{ status: number | null; stderr: string; got: string }> {
  return new Promise((resolve) => {
    const c = spawn('bash', ['-o', 'pipefail', '-c', 'timeout 60 "$@" | head -c 6', 'bash', process.execPath, EVMINF, ...args]);
    let got = '', stderr = '';
    c.stdout.on('data', (d: Buffer) => { got += d.toString('utf8'); });
    c.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
    c.on('close', (status) => resolve({ status, stderr, got }));
  });
}

let dir: string;
const prog: Record<string, string> = {};
/** A device that fails every write with ENOSPC: our own node (mknod c 1 7), else /dev/full. */
let full: string | null = null;

beforeAll(() => {
  dir = tempDir('hostile');
  for (const [name, body] of Object.entries(SOURCES)) {
    prog[name] = join(dir, `${name}.S`);
    writeFileSync(prog[name]!, PROLOGUE + body);
  }
  const node = join(dir, 'full');
  if (spawnSync('mknod', [node, 'c', '1', '7']).status === 0) full = node;
  else if (statSync('/dev/full', { throwIfNoEntry: false })?.isCharacterDevice()) full = '/dev/full';
});
afterAll(() => removeDir(dir));

const tmpLeft = (d: string): string[] => readdirSync(d).filter((f) => f.includes('.tmp-'));

describe('outputs that are not regular files are written through, never replaced', () => {
  test('--vcd /dev/null: the run succeeds and /dev/null is still a character device', async () => {
    const r = await evminf(['run', prog.hello!, '--vcd', '/dev/null']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(3);
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(readdirSync('/dev').filter((f) => f.startsWith('null.tmp-'))).toEqual([]);
  });

  test('a symlink is followed: the file it points to gets the output, the link stays a link', async () => {
    const sub = join(dir, 'links');
    mkdirSync(sub);
    const target = join(sub, 'real.vcd'), link = join(sub, 'link.vcd');
    symlinkSync('real.vcd', link);
    // Dangling first (the target is created through the link), then over an existing target.
    for (let k = 0; k < 2; k++) {
      const r = await evminf(['run', prog.hello!, '--vcd', link]);
      expect(r.status, r.stderr).toBe(3);
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readFileSync(target, 'latin1')).toContain('$enddefinitions');
    }
    const elfLink = join(sub, 'prog.elf');
    symlinkSync('real.elf', elfLink);
    writeFileSync(join(sub, 'real.elf'), 'old');
    expect((await evminf(['asm', prog.hello!, '-o', elfLink])).status).toBe(0);
    expect(lstatSync(elfLink).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(sub, 'real.elf')).subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(tmpLeft(sub)).toEqual([]);
  });

  test('a FIFO: the waveform goes to its reader and the FIFO stays a FIFO', async () => {
    const fifo = join(dir, 'wave.fifo'), got = join(dir, 'from-fifo.vcd');
    expect(spawnSync('mkfifo', [fifo]).status, 'mkfifo').toBe(0);
    const reader = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', fifo, got]);
    const done = new Promise((resolve) => reader.on('close', resolve));
    const r = await evminf(['run', prog.hello!, '--vcd', fifo, '--max-cycles', '100']);
    await done;
    expect(r.status, r.stderr).toBe(3);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    const direct = join(dir, 'direct.vcd');
    await evminf(['run', prog.hello!, '--vcd', direct, '--max-cycles', '100']);
    expect(readFileSync(got).equals(readFileSync(direct))).toBe(true);
  });
});

describe('an output that cannot be written: one line, exit 74', () => {
  test('a full device is there', async () => {
    expect(full, 'mknod c 1 7 (root) or /dev/full as a character device').not.toBeNull();
  });
  beforeAll(() => { if (full !== null) symlinkSync(full, join(dir, 'full-link.vcd')); });
  test.each([
    ['--vcd', (f: string) => ['run', prog.hello!, '--vcd', f]],
    ['--log-commits', (f: string) => ['run', prog.hello!, '--log-commits', f]],
    ['--rvfi', (f: string) => ['run', prog.hello!, '--rvfi', f]],
    ['--rvfi FILE.vcd (a symlink to the device)', () => ['run', prog.hello!, '--rvfi', join(dir, 'full-link.vcd'), '--model', 'iss']],
    ['--trace-pipeline=FILE', (f: string) => ['run', prog.hello!, `--trace-pipeline=${f}`]],
    ['asm -o', (f: string) => ['asm', prog.hello!, '-o', f]],
  ])('%s to a full device', async (_what, args) => {
    const r = await evminf(args(full!));
    expectOneLine(r, CODE.IO_ERROR, /: cannot write \(ENOSPC\)$/m);
    expect(statSync(full!).isCharacterDevice()).toBe(true);
  });
  test.each([['run', ['run']], ['run --json', ['run', '--json']], ['disasm', ['disasm']]])('stdout of %s on a full device', async (_what, cmd) => {
    const fd = openSync(full!, 'w');
    try {
      const r = await evminf([...cmd, prog.hello!], { stdout: fd });
      expectOneLine(r, CODE.IO_ERROR, 'stdout: cannot write (ENOSPC)');
    } finally {
      closeSync(fd);
    }
  });
  // yargs printed these itself, through console.log, which drops write errors: they exited 0.
  test.each([['--version', ['--version']], ['--help', ['--help']], ['run --help', ['run', '--help']]])('stdout of %s on a full device', async (_what, args) => {
    const fd = openSync(full!, 'w');
    try {
      expectOneLine(await evminf(args, { stdout: fd }), CODE.IO_ERROR, 'stdout: cannot write (ENOSPC)');
    } finally {
      closeSync(fd);
    }
  });
});

describe('a reader that closes the pipe ends the run quietly with 141 (128 + SIGPIPE)', () => {
  test.each([
    ['guest stdout', ['run', '--model', 'iss']],
    ['--log-commits /dev/stdout', ['run', '--model', 'iss', '--log-commits', '/dev/stdout']],
    ['--rvfi /dev/stdout', ['run', '--model', 'iss', '--rvfi', '/dev/stdout']],
    ['--vcd /dev/stdout', ['run', '--vcd', '/dev/stdout']],
    ['--trace-pipeline=/dev/stdout', ['run', '--trace-pipeline=/dev/stdout']],
  ])('%s', async (_what, cmd) => {
    // The runs never end on their own: without the fix they write on until the timeout kills them.
    const r = await closedPipe([...cmd, prog.spin!]);
    expect(r.got.length).toBe(6);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(CODE.BROKEN_PIPE);
  }, 90_000);
});

describe('numbers: integers (decimal or 0x hex) in their range, one check for every option', () => {
  let high: string;
  beforeAll(() => {
    // A program whose code sits just below the stack top: the default 1 MiB stack would cover it.
    high = join(dir, 'high.elf');
    writeFileSync(high, assembleToElf(PROLOGUE + SOURCES.hello!, { textBase: 0x7ff0_0000 }));
  });

  const BAD: [string, string[], RegExp][] = [
    ['a stack past 4 GiB', ['run', '@hello', '--stack-size', '10000000000'], /--stack-size must be an integer from 16 to 1073741824, a multiple of 4; got '10000000000'/],
    ['an empty stack', ['run', '@hello', '--stack-size', '0'], /--stack-size must be an integer from 16/],
    ['a stack of 18 bytes', ['run', '@hello', '--stack-size', '18'], /a multiple of 4; got '18'/],
    ['--gas 1e99', ['run', '@hello', '--gas', '1e99'], /--gas must be a non-negative integer up to \d+; got '1e99'/],
    ['--pset 1e20', ['run', '@hello', '--pset', '1e20'], new RegExp(`--pset must be a non-negative integer up to 0x${PSET_DEFINED.toString(16)} `)],
    ['--pset with an undefined bit', ['run', '@hello', '--pset', `0x${(PSET_DEFINED + 1).toString(16)}`], /--pset must be .* \(the defined PSET bits\)/],
    ['--max-instructions NaN', ['run', '@hello', '--max-instructions', 'NaN'], /--max-instructions must be a non-negative integer/],
    ['--max-instructions Infinity', ['run', '@hello', '--max-instructions', 'Infinity'], /--max-instructions must be a non-negative integer/],
    ['--max-instructions -1', ['run', '@hello', '--max-instructions=-1'], /got '-1'/],
    ['--max-instructions past 2^53', ['run', '@hello', '--max-instructions', '9007199254740993'], /--max-instructions must be/],
    ['--vcd-to 1e3', ['run', '@hello', '--vcd', 'x.vcd', '--vcd-to', '1e3'], /--vcd-to must be a non-negative integer/],
    ['--max-cycles on the ISS', ['run', '@hello', '--model', 'iss', '--max-cycles', '10'], /--max-cycles needs the cycle model/],
    ['a value missing', ['run', '@hello', '--max-instructions'], /Not enough arguments following: max-instructions/],
    ['step --max-cycles -3', ['step', '@hello', '--max-cycles', '-3', '--script', '/dev/null'], /--max-cycles must be a non-negative integer/],
    ['equiv --context x', ['equiv', '@hello', '--context', 'x'], /--context must be a non-negative integer/],
    ['equiv --sp past 32 bits', ['equiv', '@hello', '--rvfi', '/dev/null', '--sp', '0x100000000'], /--sp must be a non-negative integer up to 0xffffffff/],
    ['fuzz --count -1', ['fuzz', '--count', '-1'], /--count must be a non-negative integer/],
    ['fuzz --items 0', ['fuzz', '--print', '--items', '0'], /--items must be an integer from 1 to/],
    ['isolation --seed 0x1p3', ['isolation', '--seed', '0x1p3'], /--seed must be a non-negative integer/],
    ['isolation --count 1.0', ['isolation', '--count', '1.0'], /--count must be a non-negative integer/],
    ['--mem-limit below 1 MiB', ['run', '@hello', '--mem-limit', '1000'], /--mem-limit must be an integer from 1048576 to 17179869184; got '1000'/],
    ['--mem-limit past 16 GiB', ['run', '@hello', '--mem-limit', '0x400000001'], /--mem-limit must be an integer from 1048576/],
  ];
  test.each(BAD)('%s: exit 2, one line naming the option and its range', async (_what, args, phrase) => {
    const r = await evminf(args.map((a) => (a.startsWith('@') ? prog[a.slice(1)]! : a)), { cwd: dir });
    expectOneLine(r, CODE.USAGE, phrase);
    expect(existsSync(join(dir, 'x.vcd'))).toBe(false);
  });

  test('a stack that reaches into the program is one clear line; a smaller one runs', async () => {
    const r = await evminf(['run', high]);
    expectOneLine(r, CODE.USAGE, /--stack-size 0x100000: the stack \[0x7ff00000, 0x80000000\) overlaps the program's segment \[0x7ff00000, 0x7ff000\w+\); at most 0x\w+ fits/);
    expect((await evminf(['run', high, '--stack-size', '0x1000'])).status).toBe(3);
  });

  test('--mem-limit: a program over the budget is one line (exit 126); under it, it runs', async () => {
    const big = join(dir, 'big.S');
    writeFileSync(big, PROLOGUE + '  li a0, 5\n  li a7, 93\n  ecall\n.bss\n.space 0x4000000\n');
    const r = await evminf(['run', big, '--mem-limit', String(32 << 20)]);
    expectOneLine(r, CODE.BAD_INPUT, /program needs 65\.\d MiB of host memory .* over the memory budget of 32 MiB/);
    expect((await evminf(['run', big, '--mem-limit', '0x10000000'])).status).toBe(5);
    expect((await evminf(['run', big, '--model', 'iss'])).status).toBe(5);
  });

  test('hex and decimal are the same number; the PSET of every defined bit is accepted', async () => {
    const dec = JSON.parse((await evminf(['run', prog.loop!, '--json', '--max-instructions', '4096'])).stdout.toString());
    const hex = JSON.parse((await evminf(['run', prog.loop!, '--json', '--max-instructions', '0x1000'])).stdout.toString());
    expect(dec).toMatchObject({ stopReason: 'limit', instructions: 4096 });
    expect(hex).toMatchObject({ stopReason: 'limit', instructions: 4096, exitCode: CODE.LIMIT });
    const r = await evminf(['run', prog.hello!, '--pset', `0x${PSET_DEFINED.toString(16)}`, '--stack-size', '16']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(3);
  });
});

describe('--json keeps a bounded part of the guest output', () => {
  test('3 MiB of stdout: the first 1 MiB, the byte totals and the truncated flag', async () => {
    for (const model of ['iss', 'cycle']) {
      const r = await evminf(['run', '--model', model, '--json', prog.flood!], { timeoutMs: 120_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const j = JSON.parse(r.stdout.toString('utf8')) as Record<string, unknown>;
      expect(j).toMatchObject({ stdoutBytes: 3 << 20, stderrBytes: 5, truncated: true, stderr: 'done\n' });
      expect((j.stdout as string).length).toBe(1 << 20);
    }
    const small = JSON.parse((await evminf(['run', '--json', prog.hello!])).stdout.toString('utf8'));
    expect(small).toMatchObject({ stdout: 'hello\n', stdoutBytes: 6, stderrBytes: 0, truncated: false });
  }, 240_000);
});

describe('inputs are read with a limit', () => {
  test.each([
    ['run /dev/zero', ['run', '/dev/zero'], '/dev/zero: larger than 256 MiB'],
    ['disasm /dev/urandom', ['disasm', '/dev/urandom'], '/dev/urandom: larger than 256 MiB'],
    ['asm /dev/zero', ['asm', '/dev/zero', '-o', '/dev/null'], '/dev/zero: larger than 256 MiB'],
    ['step --script /dev/zero', ['step', '@hello', '--script', '/dev/zero'], '/dev/zero: larger than 256 MiB'],
    ['a 300 MiB file', ['run', '@sparse'], 'sparse.elf: larger than 256 MiB'],
  ])('%s: one line, exit 126', async (_what, args, phrase) => {
    const sparse = join(dir, 'sparse.elf');
    if (!existsSync(sparse)) { writeFileSync(sparse, ''); truncateSync(sparse, 300 << 20); }
    const r = await evminf(args.map((a) => (a === '@hello' ? prog.hello! : a === '@sparse' ? sparse : a)));
    expectOneLine(r, CODE.BAD_INPUT, phrase);
  }, 60_000);

  test('disasm of a 64 MiB code segment streams its 16 million lines', async () => {
    const big = join(dir, 'big.elf');
    writeFileSync(big, assembleToElf(`${PROLOGUE}  addi a0, a0, 1\n  .space ${64 << 20}\n`));
    // Count the output instead of keeping it: it is about 700 MB.
    const r = await new Promise<{ status: number | null; bytes: number; lines: number; stderr: string; tail: string }>((resolve) => {
      const c = spawn(process.execPath, [EVMINF, 'disasm', big], { stdio: ['ignore', 'pipe', 'pipe'] });
      let bytes = 0, lines = 0, stderr = '', tail = '';
      c.stdout.on('data', (d: Buffer) => {
        bytes += d.length;
        for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) lines++;
        tail = (tail + d.toString('latin1')).slice(-200);
      });
      c.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
      c.on('close', (status) => resolve({ status, bytes, lines, stderr, tail }));
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // A blank line and the label, then one line per word.
    expect(r.lines).toBe(2 + 1 + (64 << 18));
    expect(r.tail).toMatch(new RegExp(`\\n ?${(0x10000 + (64 << 20)).toString(16)}:\\t00000000 +\\t[^\\n]+\\n$`));
  }, 300_000);
});

describe('other misuse: one line each, with the exit code of its kind', () => {
  const MISUSE: [string, string[], number, string | RegExp][] = [
    ['an unknown command', ['frobnicate'], CODE.USAGE, 'Unknown argument: frobnicate'],
    ['an unknown option', ['disasm', '@hello', '--frobnicate'], CODE.USAGE, 'Unknown argument: frobnicate'],
    ['no command', [], CODE.USAGE, 'name a command'],
    ['vcd without diff', ['vcd'], CODE.USAGE, 'vcd diff <a.vcd> <b.vcd>'],
    ['vcd diff with one file', ['vcd', 'diff', 'a.vcd'], CODE.USAGE, 'Not enough non-option arguments'],
    ['asm without -o', ['asm', '@hello'], CODE.USAGE, 'Missing required argument: output'],
    ['an option given twice', ['run', '@hello', '--gas', '1', '--gas', '2'], CODE.USAGE, '--gas is given more than once'],
    ['an output given twice', ['run', '@hello', '--vcd', 'a.vcd', '--vcd', 'b.vcd'], CODE.USAGE, '--vcd is given more than once'],
    ['two programs', ['run', '@hello', '@hello'], CODE.USAGE, 'Unknown argument'],
    ['a directory as program', ['run', '@dir'], CODE.NO_FILE, 'is a directory'],
    ['a directory to disassemble', ['disasm', '@dir'], CODE.NO_FILE, 'is a directory'],
    ['a directory as source', ['asm', '@dir', '-o', 'x.elf'], CODE.NO_FILE, 'is a directory'],
    ['a directory as script', ['step', '@hello', '--script', '@dir'], CODE.NO_FILE, 'is a directory'],
    ['a directory as VCD', ['vcd', 'diff', '@dir', '@dir'], CODE.NO_FILE, 'is a directory'],
    ['a directory as output', ['asm', '@hello', '-o', '@dir'], CODE.NO_FILE, 'cannot write (EISDIR)'],
    ['a path through a file', ['run', '@hello/x.elf'], CODE.NO_FILE, 'a part of the path is not a directory'],
    ['a missing QEMU log', ['equiv', '@hello', '--qemu-log', 'no-such.log'], CODE.NO_FILE, 'no-such.log: no such file'],
    ['a missing RVFI trace', ['equiv', '@hello', '--rvfi', 'no-such.jsonl'], CODE.NO_FILE, 'no-such.jsonl: no such file'],
    ['a missing name map', ['vcd', 'diff', '@hello', '@hello', '--map', 'no-such.map'], CODE.NO_FILE, 'no-such.map: no such file'],
    ['an output in a missing folder', ['run', '@hello', '--log-commits', 'no-such-dir/x.log'], CODE.NO_FILE, 'no-such-dir/x.log: cannot write (ENOENT)'],
    ['a bad --inject-fault', ['run', '@hello', '--inject-fault', 'nop'], CODE.USAGE, 'inject-fault'],
    // The timing model times translated blocks, not single instructions: per-instruction tools refuse it.
    ['a commit log of the timing model', ['run', '@hello', '--model', 'fast', '--log-commits', 'x.log'], CODE.USAGE, '--log-commits, --rvfi and --inject-fault need --model cycle or iss'],
    ['an RVFI trace of the timing model', ['run', '@hello', '--model', 'fast', '--rvfi', 'x.jsonl'], CODE.USAGE, 'need --model cycle or iss'],
    ['a profile on the timing model', ['profile', '@hello', '--model', 'fast'], CODE.USAGE, 'Invalid values'],
    ['block validate of standard input (yargs drops a bare -)', ['block', 'validate', '-', '--genesis', 'g.json'], CODE.USAGE, 'not standard input'],
    ['block validate with a - among its files (yargs dropped it and validated the rest)', ['block', 'validate', '@hello', '-', '--genesis', 'g.json'], CODE.USAGE, 'not standard input'],
    ['report merge with a - among its reports (yargs dropped it and merged the rest)', ['report', 'merge', 'r.json', '-'], CODE.USAGE, 'report merge reads report files, not standard input'],
    // yargs hands a lone - to the command as an empty name: it said ": no such file".
    ['a program from standard input (-)', ['run', '-'], CODE.USAGE, 'an empty file name (or -): name the file; this input is not read from standard input'],
    ['a program from standard input, after an option', ['run', '--json', '-'], CODE.USAGE, 'an empty file name (or -)'],
    ['an empty program name', ['run', ''], CODE.USAGE, 'an empty file name (or -)'],
    ['disassembly of standard input (-)', ['disasm', '-'], CODE.USAGE, 'an empty file name (or -)'],
    // An option's value keeps its -: a file of that name, which is not there.
    ['a genesis from standard input (-)', ['block', 'validate', '@hello', '--genesis', '-'], CODE.NO_FILE, '-: no such file'],
    ['a genesis that never ends', ['block', 'validate', '@hello', '--genesis', '/dev/zero'], CODE.BAD_INPUT, 'genesis: /dev/zero is not a regular file'],
    ['chain init of a device', ['chain', 'init', '/dev/zero', '--db', 'db-of-zero'], CODE.BAD_INPUT, 'is not a regular file'],
    ['--db naming no directory', ['block', 'validate', '@hello', '--db', 'no-such-db'], CODE.NO_FILE, '--db no-such-db: no database there'],
  ];
  test.each(MISUSE)('%s', async (_what, args, code, phrase) => {
    const r = await evminf(args.map((a) => a.replace(/^@hello/, prog.hello!).replace(/^@dir$/, dir)), { cwd: dir });
    expectOneLine(r, code, phrase);
    expect(tmpLeft(dir)).toEqual([]);
    // Nothing is made where a command was refused (LevelDB creates a missing --db directory).
    for (const made of ['no-such-db', 'db-of-zero']) expect(existsSync(join(dir, made)), made).toBe(false);
  });

  test('the exit codes are the documented ones', async () => {
    for (const [k, v] of Object.entries(CODE)) expect(EXIT[k as keyof typeof EXIT], k).toBe(v);
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const v of [CODE.IO_ERROR, CODE.BROKEN_PIPE]) expect(readme).toMatch(new RegExp(`^\\| ${v} \\| `, 'm'));
  });
});
