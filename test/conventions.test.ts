// The conventions a new user expects of a simulator (issue 14, item 4): a run stopped at a limit
// reports the architectural state — the next instruction to retire — on both models, as the
// commit log shows it.

import { readFileSync } from 'node:fs';
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
