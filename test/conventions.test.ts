// The conventions a new user expects of a simulator (issue 14, item 4): a run stopped at a limit
// reports the architectural state — the next instruction to retire — on both models, as the
// commit log shows it; the README's test command works as root (no sudo) and as a user; the
// stepper repeats a command on an empty line, stops a running command on Ctrl-C and
// disassembles around the pc; every command's --help names only options it has.

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assembleToElf } from '../isa/asm.js';
import { LinuxHost } from '../cpu/host.js';
import { createModel } from '../cpu/machine.js';
import { loadElf } from '../cpu/program.js';
import { runToEnd, type RunResult } from '../cpu/runner.js';
import { standardDevices } from '../peripherals/standard.js';
import { EVMINF, QEMU, removeDir, runEvminf, tempDir } from './c/build.js';
import { describeWithTools } from './tools.js';

const ROOT = join(import.meta.dirname, '..');
const KVSTORE = join(ROOT, 'examples/kvstore.S');

function runLimited(elf: Uint8Array, model: 'iss' | 'cycle', limits: { maxInstructions?: number; maxCycles?: number }): RunResult {
  const m = createModel(model, loadElf(elf), { devices: standardDevices({ console: () => {} }) });
  return runToEnd(m, new LinuxHost(), limits);
}

describe('a limit stop reports the next instruction to retire', () => {
  let dir: string, elf: Uint8Array, log: string[];
  beforeAll(() => {
    dir = tempDir('conv');
    elf = assembleToElf(readFileSync(KVSTORE, 'utf8'));
    // The reference: the ISS's commit log of the whole run; line k + 1 is the instruction that
    // retires after k.
    const path = join(dir, 'kv.log');
    expect(runEvminf(['run', '--model', 'iss', '--log-commits', path, KVSTORE]).status).toBe(0);
    log = readFileSync(path, 'utf8').trim().split('\n');
    expect(log.length).toBeGreaterThan(1100);
  });
  afterAll(() => removeDir(dir));
  const pcOfLine = (k: number): number => Number(/^core {3}0: 3 (0x[0-9a-f]{8})/.exec(log[k]!)![1]);

  // Limits inside the root frame, across the EVAL into the child, in its interrupt handler and in loops.
  test.each([1, 5, 17, 49, 50, 51, 52, 200, 1000, 1100])('--max-instructions %i: pc and gas agree with the ISS and the log', (n) => {
    const iss = runLimited(elf, 'iss', { maxInstructions: n });
    const cycle = runLimited(elf, 'cycle', { maxInstructions: n });
    expect(iss.reason).toBe('limit');
    expect(cycle.reason).toBe('limit');
    expect(cycle.instructions).toBe(n);
    expect(iss.pc).toBe(pcOfLine(n));
    expect(cycle.pc).toBe(pcOfLine(n));
    expect(cycle.gas).toBe(iss.gas);
    expect(cycle.message).toBe(`stopped at the instruction limit of ${n} (pc 0x${pcOfLine(n).toString(16).padStart(8, '0')})`);
  });

  test.each([7, 100, 111, 112, 113, 2200])('--max-cycles %i: the pc is the next to retire, the gas what the retired ones cost', (c) => {
    const cycle = runLimited(elf, 'cycle', { maxCycles: c });
    expect(cycle.reason).toBe('limit');
    const iss = runLimited(elf, 'iss', { maxInstructions: cycle.instructions });
    expect(cycle.pc).toBe(pcOfLine(cycle.instructions));
    expect(cycle.pc).toBe(iss.pc);
    expect(cycle.gas).toBe(iss.gas);
  });

  test('--json and the summary line say the same on both models', () => {
    const out = (model: string): { json: Record<string, unknown>; line: string } => {
      const j = runEvminf(['run', '--model', model, '--max-instructions', '50', '--json', KVSTORE]);
      const s = runEvminf(['run', '--model', model, '--max-instructions', '50', KVSTORE]);
      return { json: JSON.parse(j.stdout.toString('utf8')) as Record<string, unknown>, line: s.stderr.toString('utf8') };
    };
    const a = out('iss'), b = out('cycle');
    expect(b.json.pc).toBe(pcOfLine(50));
    expect(a.json.pc).toBe(pcOfLine(50));
    expect(b.json.gas).toBe(a.json.gas);
    expect(b.json.message).toBe(a.json.message);
    expect(b.line).toBe(a.line);
    expect(b.line).toBe(`evminf: stopped at the instruction limit of 50 (pc 0x${pcOfLine(50).toString(16).padStart(8, '0')})\n`);
  });
});

describe("the README's test command", () => {
  let dir: string;
  beforeAll(() => { dir = tempDir('readme'); });
  afterAll(() => removeDir(dir));

  /** The README's block that runs the tests. */
  const block = (): string => {
    const blocks = [...readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const found = blocks.filter((b) => /\bnpm test\b/.test(b));
    expect(found).toHaveLength(1);
    return found[0]!;
  };
  const packages = (line: string): string[] => line.replace(/.*apt-get install\s+/, '').split(/\s+/).filter((w) => w !== '' && !w.startsWith('-') && !/^(&&|npm|test)$/.test(w)).sort();

  // Stubs stand for the machine: `id -u` says who runs it, sudo exists (a user's machine) or not
  // (a fresh Debian as root), apt-get and npm record how they were called.
  test.each([[0, false], [1000, true]])('uid %i (sudo installed: %s): apt-get runs as root, through sudo only for a user', (uid, hasSudo) => {
    const bin = join(dir, `bin-${uid}`), log = join(dir, `log-${uid}`);
    mkdirSync(bin);
    const stub = (name: string, body: string): void => { writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`); chmodSync(join(bin, name), 0o755); };
    stub('id', `[ "$1" = -u ] && echo ${uid}`);
    if (hasSudo) stub('sudo', `echo "sudo $*" >> ${log}; SUDO_DONE=1 exec "$@"`);
    stub('apt-get', `[ "$(id -u)" = 0 ] || [ -n "$SUDO_DONE" ] || { echo 'E: permission denied' >&2; exit 100; }; echo "apt-get $*" >> ${log}`);
    stub('npm', `echo "npm $*" >> ${log}`);
    const r = spawnSync('/bin/sh', ['-e', '-c', block()], { env: { PATH: `${bin}:/bin:/usr/bin`, HOME: dir }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    const as = uid === 0 ? '' : 'sudo ';
    expect(lines.filter((l) => !l.startsWith('apt-get'))).toEqual(uid === 0 ? ['npm test'] : [`sudo apt-get update`, expect.stringMatching(/^sudo apt-get install /), 'npm test']);
    expect(lines.filter((l) => l.startsWith('apt-get'))[0]).toBe('apt-get update');
    expect(lines.some((l) => l.startsWith(`${as}apt-get install -y`))).toBe(true);
  });

  test('it installs what .ci/run installs', () => {
    const readme = block().split('\n').find((l) => l.includes('apt-get install'))!;
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8').split('\n').find((l) => l.startsWith('apt-get install'))!;
    expect(packages(readme).length).toBeGreaterThan(2);
    expect(packages(readme)).toEqual(packages(ci));
  });
});

describe('the stepper at a terminal', () => {
  let dir: string, loop: string;
  beforeAll(() => {
    dir = tempDir('step');
    loop = join(dir, 'loop.S');
    writeFileSync(loop, '.text\n.globl _start\n_start:\n  li a0, 0\n  li t0, 1\n1:\n  add a0, a0, t0\n  j 1b\n');
  });
  afterAll(() => removeDir(dir));

  /** The stepper reading its commands from stdin (not --script): the interactive path. */
  const session = (input: string): string[] => {
    const r = spawnSync(process.execPath, [EVMINF, 'step', loop], { input, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // The prompt has no newline: each command's first line follows it.
    return r.stdout.split('\n').map((l) => l.replace(/^(\(evminf\) )+/, ''));
  };

  test('an empty line repeats the last command that moves time or shows state, not one that sets', () => {
    const out = session('si 2\n\n\nb _start\n\np a0\n\nq\n').join('\n');
    expect([...out.matchAll(/retired (\d+)/g)].map((m) => Number(m[1]))).toEqual([0, 2, 4, 6]);
    expect(out.match(/breakpoint 1 at/g)).toHaveLength(1);
    expect(out.match(/^a0 = /gm)).toHaveLength(2);
  });

  test('dis: the instructions around the pc, the pc marked, as evminf disasm spells them', () => {
    const out = session('si 3\ndis\ndis _start 2\ndis 0x10002\ndis _start 5000\nq\n');
    const listed = runEvminf(['disasm', loop]).stdout.toString('utf8');
    // objdump's spelling: `   10008:\t00550533          \tadd\tx10,x10,x5`.
    const ref = new Map([...listed.matchAll(/^\s+([0-9a-f]+):\s+([0-9a-f]{8})\s+(.+)$/gm)].map((m) => [Number('0x' + m[1]), `${m[2]}  ${m[3]!.replace('\t', ' ').trim()}`]));
    const dis = out.filter((l) => /^(=>| {2}) 0x/.test(l));
    expect(dis.length).toBe(4 + 2);
    const pcLine = dis.filter((l) => l.startsWith('=>'));
    expect(pcLine).toHaveLength(1);
    expect(pcLine[0]).toMatch(/^=> 0x0001000c /);
    for (const l of dis) {
      const m = /^(?:=> | {3})0x([0-9a-f]{8}) <[^>]+>:\s+(.*)$/.exec(l)!;
      expect(m, l).not.toBeNull();
      const plain = (t: string): string => t.replace(/ <[^>]*>/g, '').replace(/\s+/g, ' ').trim();
      expect(plain(m[2]!), l).toBe(plain(ref.get(Number('0x' + m[1]))!));
    }
    expect(out.some((l) => l.includes('error: 0x00010002 is not word aligned'))).toBe(true);
    expect(out.some((l) => l.includes('error: dis shows at most 4096 instructions'))).toBe(true);
  });

  test('Ctrl-C stops a running continue between two cycles and the session goes on', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [EVMINF, 'step', loop], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    const until = async (re: RegExp): Promise<void> => { for (let i = 0; i < 600 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 100)); };
    await until(/retired 0/);
    child.stdin.write('c\n');
    // SIGINT (what Ctrl-C sends where the terminal is not in raw mode) until the command stops.
    for (let i = 0; i < 100 && !/interrupted at cycle/.test(out); i++) {
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGINT');
    }
    child.stdin.end('p a0\nq\n');
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(err).toBe('');
    expect(code).toBe(0);
    const m = /interrupted at cycle (\d+)\ncycle (\d+) {2}retired (\d+) {2}pc 0x0001000[8c]/.exec(out);
    expect(m, out).not.toBeNull();
    expect(m![1]).toBe(m![2]);
    // The loop adds 1 per iteration of two instructions: a0 shows the state it stopped in.
    const a0 = Number(/a0 = 0x[0-9a-f]+ \((\d+)\)/.exec(out)![1]);
    expect(Math.abs(a0 - (Number(m![3]) - 2) / 2)).toBeLessThanOrEqual(1);
  });
});

describe('help and the README agree', () => {
  const help = (args: string[]): string => runEvminf([...args, '--help']).stdout.toString('utf8');

  test('every command in evminf --help is in the README table, and --version prints the version', () => {
    const top = help([]);
    const cmds = [...top.matchAll(/^ {2}evminf (\w+)/gm)].map((m) => m[1]!);
    expect(cmds.length).toBeGreaterThan(8);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const c of cmds) expect(readme, c).toMatch(new RegExp(`^\\| \`evminf ${c}\\b`, 'm'));
    const v = runEvminf(['--version']);
    expect(v.stdout.toString('utf8')).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version + '\n');
  });

  test('every option of run --help is in the README\'s run table', () => {
    const opts = [...help(['run']).matchAll(/^ {2}--([a-z-]+)/gm)].map((m) => m[1]!).filter((o) => o !== 'help' && o !== 'version');
    expect(opts.length).toBeGreaterThan(20);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('`run` options:'));
    // A boolean that defaults on is documented as its --no- form.
    for (const o of opts) expect(table, o).toMatch(new RegExp(`\`--(no-)?${o}\\b`));
  });
});

describe('Ctrl-C stops a long command cleanly', () => {
  let dir: string, loop: string;
  beforeAll(() => {
    dir = tempDir('sigint');
    loop = join(dir, 'loop.S');
    writeFileSync(loop, '.text\n.globl _start\n_start:\n  li t0, 2000000000\n1:\n  addi t0, t0, -1\n  bnez t0, 1b\n  li a7, 93\n  ecall\n');
  });
  afterAll(() => removeDir(dir));

  /** Start `args`, wait until `ready()` (its handler is installed by then), then SIGINT until it ends. */
  async function interrupt(args: string[], env: NodeJS.ProcessEnv, ready: () => boolean): Promise<{ code: number | null; signal: string | null; stderr: string }> {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [EVMINF, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const done = new Promise<{ code: number | null; signal: string | null }>((r) => child.on('close', (code, signal) => r({ code, signal })));
    for (let i = 0; i < 600 && !ready(); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    let ended = false;
    void done.then(() => { ended = true; });
    // One Ctrl-C; another only if it is still running long after (a second one is ignored).
    for (let i = 0; i < 5 && !ended; i++) {
      child.kill('SIGINT');
      for (let k = 0; k < 100 && !ended; k++) await new Promise((r) => setTimeout(r, 100));
    }
    return { ...(await done), stderr };
  }

  test('run: exit 130, one line, and no waveform or temporary file left', async () => {
    const out = join(dir, 'run');
    mkdirSync(out);
    const r = await interrupt(['run', loop, '--vcd', join(out, 'x.vcd')], {}, () => readdirSync(out).length > 0);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/^evminf: interrupted after \d+ instructions, \d+ cycles\n$/);
    expect(readdirSync(out)).toEqual([]);
  });

  describeWithTools([QEMU], 'equiv', () => {
    test('equiv: QEMU stopped, its FIFO and ELF removed, exit 130', async () => {
      const tmp = join(dir, 'tmp');
      mkdirSync(tmp);
      const r = await interrupt(['equiv', loop], { TMPDIR: tmp }, () => readdirSync(tmp).length > 0);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(130);
      expect(r.stderr).toMatch(/^evminf: interrupted after \d+ instructions compared\n$/);
      expect(readdirSync(tmp)).toEqual([]);
    });
  });

  describeWithTools([QEMU, 'script'], 'progress on a terminal', () => {
    test('equiv shows its count on a terminal every 65,536 instructions; piped it is quiet', () => {
      // script(1) gives the command a pseudo-terminal; timeout ends the 2-billion-round loop.
      const tty = spawnSync('script', ['-qec', `timeout -s INT 4 ${process.execPath} ${EVMINF} equiv ${loop}`, '/dev/null'], { encoding: 'latin1', timeout: 30_000 });
      expect(tty.stdout).toContain('\r\x1b[K0.07M instructions compared');
      expect(tty.stdout).toContain('\r\x1b[K0.13M instructions compared');
      const piped = spawnSync('timeout', ['-s', 'INT', '2', process.execPath, EVMINF, 'equiv', loop], { encoding: 'latin1', timeout: 30_000 });
      expect(piped.stderr).toMatch(/^evminf: interrupted after \d+ instructions compared\n$/);
    });
  });
});
