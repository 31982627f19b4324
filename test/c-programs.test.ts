// C programs (test/c/*.c), compiled with the cross compiler at several optimisation levels, run
// under qemu-riscv32 (the reference CPU) and on our models: stdout and stderr must be
// byte-identical and the exit codes equal. Each program also carries its own expectations
// (test/c/build.ts), and its output must not depend on the optimisation level.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createModel, type ModelKind } from '../cpu/machine.js';
import { LinuxHost } from '../cpu/host.js';
import { loadElf } from '../cpu/program.js';
import { runToEnd, type RunResult } from '../cpu/runner.js';
import { describeWithTools } from './tools.js';
import { CC, PROGRAMS, QEMU, buildProgram, removeDir, runEvminf, runQemu, tempDir, type OptLevel, type Outcome } from './c/build.js';

/** Far above any program's count: a runaway program fails instead of hanging the suite. */
const MAX_INSTRUCTIONS = 50_000_000;

interface ModelRun {
  result: RunResult;
  stdout: Buffer;
  stderr: Buffer;
}

function runModel(kind: ModelKind, elf: Uint8Array): ModelRun {
  const host = new LinuxHost();
  const result = runToEnd(createModel(kind, loadElf(elf)), host, { maxInstructions: MAX_INSTRUCTIONS });
  return { result, stdout: Buffer.from(host.output(1)), stderr: Buffer.from(host.output(2)) };
}

/** latin1 maps bytes 1:1 to characters: exact comparison with a readable diff. */
const bytes = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const utf8 = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

function expectSameAsQemu(name: string, ref: Outcome, run: ModelRun): void {
  expect(run.result.message, `${name}: model stopped abnormally`).toBeNull();
  expect(run.result.reason, name).toBe('exit');
  expect(bytes(run.stdout), `${name}: stdout`).toBe(bytes(ref.stdout));
  expect(bytes(run.stderr), `${name}: stderr`).toBe(bytes(ref.stderr));
  expect(run.result.exitCode, `${name}: exit code`).toBe(ref.status);
}

describeWithTools([CC, QEMU], 'C programs: qemu-riscv32 vs the models', () => {
  let dir: string;
  const elves = new Map<string, string>();
  const qemu = new Map<string, Outcome>();
  /** Instructions retired on the ISS, per program and level, for the summary. */
  const counts: string[] = [];

  beforeAll(() => { dir = tempDir('cprog'); });
  afterAll(() => {
    removeDir(dir);
    if (counts.length) console.log(`retired instructions (ISS):\n  ${counts.join('\n  ')}`);
  });

  const elfOf = (name: string, level: OptLevel): string => {
    const key = name + level;
    let path = elves.get(key);
    if (path === undefined) { path = buildProgram(dir, name, level); elves.set(key, path); }
    return path;
  };
  const qemuOf = (name: string, level: OptLevel): Outcome => {
    const key = name + level;
    let r = qemu.get(key);
    if (r === undefined) { r = runQemu(elfOf(name, level), dir); qemu.set(key, r); }
    return r;
  };

  describe.each(PROGRAMS)('$name', (p) => {
    test.each(p.levels)(`%s: the ISS matches qemu-riscv32 and the program's expectations`, (level) => {
      const ref = qemuOf(p.name, level);
      // The program itself: its exit code and output, as QEMU runs it.
      expect(ref.signal, `${p.name}${level} died under QEMU`).toBeNull();
      expect(ref.status).toBe(p.exitCode);
      const out = utf8(ref.stdout), err = utf8(ref.stderr);
      for (const line of p.stdout) expect(out).toContain(line);
      for (const line of p.stderr ?? []) expect(err).toContain(line);
      if (!p.stderr) expect(err).toBe('');
      // Undefined behaviour would show up as output that depends on the optimisation level.
      const base = qemuOf(p.name, p.levels[0]!);
      expect(bytes(ref.stdout), 'stdout differs between optimisation levels').toBe(bytes(base.stdout));
      expect(ref.status).toBe(base.status);

      const run = runModel('iss', readFileSync(elfOf(p.name, level)));
      expectSameAsQemu(`${p.name}${level}`, ref, run);
      counts.push(`${(p.name + level).padEnd(14)} ${run.result.instructions}`);
      expect(run.result.instructions).toBeGreaterThan(1000);
      if (p.minInstructions !== undefined) expect(run.result.instructions).toBeGreaterThanOrEqual(p.minInstructions);
    });

    test('-O2 on the cycle model: the same output, exit code and instruction count as the ISS', () => {
      const elf = readFileSync(elfOf(p.name, '-O2'));
      const ref = qemuOf(p.name, '-O2');
      const cyc = runModel('cycle', elf);
      expectSameAsQemu(`${p.name}-O2 (cycle model)`, ref, cyc);
      const iss = runModel('iss', elf);
      expect(cyc.result.instructions).toBe(iss.result.instructions);
      expect(cyc.result.gas).toBe(iss.result.gas);
      // Every instruction takes at least a cycle, plus the pipeline's fill.
      expect(cyc.result.cycles!).toBeGreaterThanOrEqual(cyc.result.instructions + 4);
    });
  });

  describe('through the CLI (node dist/bin/evminf.cjs run)', () => {
    test.each([
      ['stderr', '-O2', ['--model', 'iss']],
      ['stderr', '-O0', []],
      ['exitcode', '-O2', []],
      ['checksum', '-O2', ['--model', 'iss']],
    ] as const)('%s%s %j: byte-identical streams and exit code', (name, level, opts) => {
      const elf = elfOf(name, level);
      const ref = qemuOf(name, level);
      const cli = runEvminf(['run', ...opts, elf], dir);
      expect(cli.signal).toBeNull();
      expect(bytes(cli.stdout)).toBe(bytes(ref.stdout));
      expect(bytes(cli.stderr)).toBe(bytes(ref.stderr));
      expect(cli.status).toBe(ref.status);
      expect(cli.status).toBe(PROGRAMS.find((q) => q.name === name)!.exitCode);
    });
  });
});
