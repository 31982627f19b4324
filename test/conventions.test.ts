// The conventions a new user expects of a simulator (issue 14, item 4): a run stopped at a limit
// reports the architectural state — the next instruction to retire — on both models, as the
// commit log shows it; the README's test command works as root (no sudo) and as a user; the
// stepper repeats a command on an empty line, stops a running command on Ctrl-C and
// disassembles around the pc; every command's --help names only options it has.

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assembleToElf } from '../isa/asm.js';
import { LinuxHost } from '../cpu/host.js';
import { createModel } from '../cpu/machine.js';
import { loadElf } from '../cpu/program.js';
import { runToEnd, type RunResult } from '../cpu/runner.js';
import { standardDevices } from '../peripherals/standard.js';
import { removeDir, runEvminf, tempDir } from './c/build.js';

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
