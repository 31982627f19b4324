// The ISS and the cycle model in lockstep on every program of the suite: the C programs of
// test/c (compiled here with the cross compiler), the examples, and the assembly programs under
// test/insn when present — each with and without random bus stalls and with wait states (the
// assembly programs with the standard devices attached, as evminf run runs them).

import { mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { assembleToElf } from '../isa/asm.js';
import { lockstep, type LockstepOptions } from './lockstep.js';
import { standardDevices } from '../peripherals/standard.js';
import { describeWithTools, runToolOk } from './tools.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const VARIANTS: [string, LockstepOptions][] = [
  ['zero wait states', {}],
  ['random bus stalls', { randomStalls: 3, seed: 7 }],
  ['two wait states', { waitStates: 2 }],
];

describeWithTools(['riscv64-unknown-elf-gcc'], 'C programs: ISS and cycle model in lockstep', () => {
  const dir = join(root, 'test/c');
  const out = mkdtempSync(join(tmpdir(), 'evminf-lockstep-'));
  const programs = readdirSync(dir).filter((f) => f.endsWith('.c')).sort();
  test('there are C programs to run', () => expect(programs.length).toBeGreaterThanOrEqual(5));
  describe.each(programs)('%s', (file) => {
    const elf = join(out, file.replace(/\.c$/, ''));
    const build = (): Uint8Array => {
      if (!existsSync(elf)) {
        runToolOk('riscv64-unknown-elf-gcc', ['-O2', '-march=rv32im', '-mabi=ilp32', '-ffreestanding', '-fno-builtin', '-nostdlib', '-static', `-I${dir}`, '-o', elf, join(dir, file), '-lgcc']);
      }
      return readFileSync(elf);
    };
    test.each(VARIANTS)('%s', (_name, opts) => {
      const r = lockstep(build(), opts);
      expect(r.end.kind).toBe('exit');
      expect(r.instructions).toBeGreaterThan(100);
    });
  });
});

describe('assembly programs: ISS and cycle model in lockstep', () => {
  const sources = [
    ...readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.S')).map((f) => join(root, 'examples', f)),
    ...(existsSync(join(root, 'test/insn')) ? readdirSync(join(root, 'test/insn')).filter((f) => f.endsWith('.S')).map((f) => join(root, 'test/insn', f)) : []),
  ];
  test.each(sources.flatMap((s) => VARIANTS.map(([name, opts]) => [s.slice(root.length), name, opts] as const)))('%s, %s', (file, _name, opts) => {
    // With the standard devices, as evminf run attaches them (examples/statedb.S uses them).
    const r = lockstep(assembleToElf(readFileSync(join(root, file), 'utf8'), { file }), { ...opts, devices: () => standardDevices() });
    expect(['exit', 'return']).toContain(r.end.kind);
    if (file.endsWith('statedb.S')) expect(r.end).toEqual({ kind: 'exit', code: 0 });
  });
});
