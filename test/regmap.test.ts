// The register maps are one source (peripherals/regmap.ts): the TypeScript constants, the C
// header of the firmware SDK and the tables of docs/peripherals.md are generated from it and
// must be current; the map itself must be well formed and agree with the permission bits.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { PermBit } from '../cpu/perm.js';
import { C_PATH, cHeader, checkMaps, DOC_PATH, peripheralsDoc, TS_PATH, tsSource } from '../peripherals/genregs.js';
import { DEVICE_MAPS, PERM_VALUES, SHA3, type DeviceMap } from '../peripherals/regmap.js';

const read = (p: string): string => readFileSync(join(__dirname, '..', p), 'utf8');
const stale = 'stale: run `npm run docs` and commit the result';

describe('generated files are current', () => {
  test(`${TS_PATH}`, () => expect(read(TS_PATH), stale).toBe(tsSource()));
  test(`${C_PATH}`, () => expect(read(C_PATH), stale).toBe(cHeader()));
  test(`${DOC_PATH} register tables`, () => expect(read(DOC_PATH), stale).toBe(peripheralsDoc(read(DOC_PATH))));
});

describe('the maps', () => {
  test('permission names carry the PSET bits of cpu/perm.ts', () => {
    expect(PERM_VALUES).toEqual({ SUBJECTIVE: PermBit.SUBJECTIVE, HARD_DRIVE: PermBit.HARD_DRIVE, CRYPTO: PermBit.CRYPTO, TIMER: PermBit.TIMER });
  });

  test('well formed: one block each, word-aligned registers inside the window, unique names and codes', () => {
    expect(() => checkMaps()).not.toThrow();
    expect(new Set(DEVICE_MAPS.map((d) => d.name)).size).toBe(DEVICE_MAPS.length);
  });

  const broken = (patch: Partial<DeviceMap>): DeviceMap[] => [{ ...SHA3, ...patch }];
  test.each([
    ['a misaligned register', broken({ regs: [{ name: 'X', offset: 2, access: 'rw', doc: '' }] }), /not word aligned/],
    ['a register past the window', broken({ regs: [{ name: 'X', offset: 0x40, access: 'rw', doc: '' }] }), /past the window/],
    ['overlapping registers', broken({ regs: [{ name: 'X', offset: 0, words: 2, access: 'rw', doc: '' }, { name: 'Y', offset: 4, access: 'rw', doc: '' }] }), /overlaps/],
    ['a base outside the MMIO window', broken({ base: 0x1000_0000 }), /MMIO window/],
    ['a command code used twice', broken({ commands: [{ name: 'A', value: 1, doc: '' }, { name: 'B', value: 1, doc: '' }] }), /defined twice/],
  ])('the generator refuses %s', (_what, maps, err) => {
    expect(() => checkMaps(maps)).toThrow(err);
  });

  test('a regenerated doc keeps the prose and replaces only the marked tables', () => {
    const doc = `intro\n<!-- regmap:sha3 -->\nold table\n<!-- /regmap:sha3 -->\nafter\n`;
    const out = peripheralsDoc(doc, [SHA3]);
    expect(out.startsWith('intro\n<!-- regmap:sha3 -->\n')).toBe(true);
    expect(out.endsWith('<!-- /regmap:sha3 -->\nafter\n')).toBe(true);
    expect(out).not.toContain('old table');
    expect(out).toContain('| `0x20` | `DIGEST` | r | 8 |');
    expect(() => peripheralsDoc('no markers', [SHA3])).toThrow(/no <!-- regmap:sha3 -->/);
  });
});

describe('the C header', () => {
  test('compiles with riscv64-unknown-elf-gcc -march=rv32im and its values are the map\'s', () => {
    const dir = mkdtempSync(join(tmpdir(), 'regs-h-'));
    try {
      const asserts: string[] = [];
      for (const d of DEVICE_MAPS) {
        asserts.push(`_Static_assert(${d.prefix}_BASE == ${d.base >>> 0}u, "${d.name} base");`);
        for (const r of d.regs) asserts.push(`_Static_assert(${d.prefix}_${r.name}_ADDR == ${(d.base + r.offset) >>> 0}u, "${d.name}.${r.name}");`);
        for (const c of d.commands) asserts.push(`_Static_assert(${d.prefix}_CMD_${c.name} == ${c.value}u, "${c.name}");`);
        for (const c of d.statuses) asserts.push(`_Static_assert(${d.prefix}_STATUS_${c.name} == ${c.value}u, "${c.name}");`);
      }
      const src = `#include "evminf/regs.h"\n${asserts.join('\n')}\nuint32_t status(void) { return EVM_REG(SHA3_STATUS_ADDR); }\n`;
      writeFileSync(join(dir, 't.c'), src);
      execFileSync('riscv64-unknown-elf-gcc', ['-march=rv32im', '-mabi=ilp32', '-std=c11', '-Wall', '-Werror', '-ffreestanding', '-c', '-I', join(__dirname, '..', 'firmware', 'include'), join(dir, 't.c'), '-o', join(dir, 't.o')], { stdio: 'pipe' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
