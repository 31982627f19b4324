// Generates, from the register maps (peripherals/regmap.ts): the TypeScript constants
// (peripherals/regs.ts), the firmware SDK's C header (firmware/include/evminf/regs.h) and the
// register tables of docs/peripherals.md (between `<!-- regmap:<name> -->` markers). `npm run
// docs` rewrites them; test/regmap.test.ts fails when one is stale.

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEVICE_MAPS, DMA_BYTES_PER_CYCLE, PERM_VALUES, type DeviceMap } from './regmap.js';

export const permOf = (d: DeviceMap): number => d.perm.reduce((a, p) => a | PERM_VALUES[p], 0);

const hex = (v: number, w = 2): string => '0x' + (v >>> 0).toString(16).toUpperCase().padStart(w, '0');
const camel = (prefix: string): string => prefix[0]! + prefix.slice(1).toLowerCase();

/** Structural checks: word-aligned, inside the window and the block, no two names alike. */
export function checkMaps(maps: readonly DeviceMap[] = DEVICE_MAPS): void {
  const seenBase = new Set<number>();
  for (const d of maps) {
    if (d.base >>> 0 < 0xf000_0000 || (d.base & 0xffff) !== 0) throw new Error(`${d.name}: base ${hex(d.base, 8)} is not a 64 KiB block of the MMIO window`);
    if (seenBase.has(d.base)) throw new Error(`${d.name}: base ${hex(d.base, 8)} taken`);
    seenBase.add(d.base);
    if (d.size <= 0 || d.size > 0x1_0000 || d.size % 4 !== 0) throw new Error(`${d.name}: size ${d.size}`);
    const names = new Set<string>();
    const taken = new Map<number, string>();
    const claim = (n: string): void => {
      if (names.has(n)) throw new Error(`${d.name}: name ${n} defined twice`);
      names.add(n);
    };
    for (const r of d.regs) {
      claim(r.name);
      if (r.offset % 4 !== 0) throw new Error(`${d.name}.${r.name}: offset ${hex(r.offset)} not word aligned`);
      for (let k = 0; k < (r.words ?? 1); k++) {
        const o = r.offset + 4 * k;
        if (o + 4 > d.size) throw new Error(`${d.name}.${r.name}: offset ${hex(o)} past the window (${hex(d.size)})`);
        const other = taken.get(o);
        if (other !== undefined) throw new Error(`${d.name}.${r.name} overlaps ${other} at ${hex(o)}`);
        taken.set(o, r.name);
      }
    }
    for (const c of d.constants) claim(c.name);
    for (const kind of [d.commands, d.statuses]) {
      const vals = new Set<number>(), cn = new Set<string>();
      for (const c of kind) {
        if (vals.has(c.value) || cn.has(c.name)) throw new Error(`${d.name}: code ${c.name} = ${c.value} defined twice`);
        vals.add(c.value); cn.add(c.name);
      }
    }
  }
}

export function tsSource(maps: readonly DeviceMap[] = DEVICE_MAPS): string {
  checkMaps(maps);
  const out = [
    '// Generated from peripherals/regmap.ts by `npm run docs`. Do not edit by hand.',
    '// Register offsets (bytes from the device base), command codes, status codes, latency, gas',
    '// and limits of the virtual peripherals (docs/peripherals.md).',
    '',
    `/** Bytes a device's DMA moves per cycle. */`,
    `export const DMA_BYTES_PER_CYCLE = ${DMA_BYTES_PER_CYCLE};`,
  ];
  for (const d of maps) {
    const n = camel(d.prefix);
    out.push('', `// ---- ${d.name}: ${d.title} ----`, '');
    out.push(`export const enum ${n} {`);
    out.push(`  BASE = ${hex(d.base, 8)},`, `  SIZE = ${hex(d.size)},`, `  /** PSET bits needed: ${d.perm.join(' + ') || 'none'}. */`, `  PERM = ${permOf(d)},`);
    for (const c of d.constants) out.push(`  /** ${c.doc} */`, `  ${c.name} = ${c.value},`);
    out.push('}');
    out.push('', `export const enum ${n}Reg {`);
    for (const r of d.regs) out.push(`  /** ${r.access}${r.words ? `, ${r.words} words` : ''}: ${r.doc} */`, `  ${r.name} = ${hex(r.offset)},`);
    out.push('}');
    if (d.commands.length > 0) {
      out.push('', `export const enum ${n}Cmd {`);
      for (const c of d.commands) out.push(`  /** ${c.doc} */`, `  ${c.name} = ${c.value},`);
      out.push('}');
    }
    if (d.statuses.length > 0) {
      out.push('', `export const enum ${n}Status {`);
      for (const c of d.statuses) out.push(`  /** ${c.doc} */`, `  ${c.name} = ${c.value},`);
      out.push('}');
    }
  }
  out.push('');
  return out.join('\n');
}

export function cHeader(maps: readonly DeviceMap[] = DEVICE_MAPS): string {
  checkMaps(maps);
  const out = [
    '/* Generated from peripherals/regmap.ts by `npm run docs`. Do not edit by hand.',
    ' * The EVM∞ virtual peripherals: base addresses, register offsets and addresses, command',
    ' * codes, status codes, latency, gas and limits (docs/peripherals.md). */',
    '#ifndef EVMINF_REGS_H',
    '#define EVMINF_REGS_H',
    '',
    '#include <stdint.h>',
    '',
    '/* A device register as an lvalue: EVM_REG(SHA3_CMD_ADDR) = SHA3_CMD_KECCAK256; */',
    '#define EVM_REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))',
    '',
    `#define EVM_DMA_BYTES_PER_CYCLE ${DMA_BYTES_PER_CYCLE}`,
    '',
    '/* PSET bits */',
  ];
  for (const [k, v] of Object.entries(PERM_VALUES)) out.push(`#define EVM_PERM_${k} ${v}u`);
  for (const d of maps) {
    const p = d.prefix;
    out.push('', `/* ---- ${d.name}: ${d.title} ---- */`, `#define ${p}_BASE ${hex(d.base, 8)}u`, `#define ${p}_SIZE ${hex(d.size)}u`, `#define ${p}_PERM ${permOf(d)}u /* ${d.perm.join(' + ') || 'none'} */`);
    for (const r of d.regs) {
      out.push(`#define ${p}_${r.name} ${hex(r.offset)}u /* ${r.access}${r.words ? `, ${r.words} words` : ''} */`);
      out.push(`#define ${p}_${r.name}_ADDR (${p}_BASE + ${p}_${r.name})`);
      if (r.words) out.push(`#define ${p}_${r.name}_WORDS ${r.words}u`);
    }
    for (const c of d.commands) out.push(`#define ${p}_CMD_${c.name} ${c.value}u`);
    for (const c of d.statuses) out.push(`#define ${p}_STATUS_${c.name} ${c.value}u`);
    for (const c of d.constants) out.push(`#define ${p}_${c.name} ${c.value}u`);
  }
  out.push('', '#endif /* EVMINF_REGS_H */', '');
  return out.join('\n');
}

const esc = (s: string): string => s.replace(/\|/g, '\\|');

/** The register, command, status and constant tables of one device, for docs/peripherals.md. */
export function deviceMarkdown(d: DeviceMap): string {
  const out = [
    `<!-- Generated from peripherals/regmap.ts by \`npm run docs\`. Do not edit by hand. -->`,
    '',
    `Base \`${hex(d.base, 8)}\`, ${d.size} bytes of registers; permission: ${d.perm.length === 0 ? 'none (every frame)' : d.perm.map((p) => `${p} (${PERM_VALUES[p]})`).join(' + ')}. Signals \`evm.dev.${d.name}.*\`; constants \`${camel(d.prefix)}*\` (TypeScript), \`${d.prefix}_*\` (C).`,
    '',
    '| offset | register | access | words | meaning |',
    '|---|---|---|---|---|',
  ];
  for (const r of d.regs) out.push(`| \`${hex(r.offset)}\` | \`${r.name}\` | ${r.access} | ${r.words ?? 1} | ${esc(r.doc)} |`);
  if (d.commands.length > 0) {
    out.push('', '| CMD | command | does |', '|---|---|---|');
    for (const c of d.commands) out.push(`| ${c.value} | \`${c.name}\` | ${esc(c.doc)} |`);
  }
  if (d.statuses.length > 0) {
    out.push('', '| STATUS | name | meaning |', '|---|---|---|');
    for (const c of d.statuses) out.push(`| ${c.value} | \`${c.name}\` | ${esc(c.doc)} |`);
  }
  if (d.constants.length > 0) {
    out.push('', '| constant | value | meaning |', '|---|---|---|');
    for (const c of d.constants) out.push(`| \`${c.name}\` | ${c.value} | ${esc(c.doc)} |`);
  }
  return out.join('\n');
}

/** `doc` with every `<!-- regmap:NAME -->`…`<!-- /regmap:NAME -->` section regenerated. */
export function peripheralsDoc(doc: string, maps: readonly DeviceMap[] = DEVICE_MAPS): string {
  let s = doc;
  for (const d of maps) {
    const open = `<!-- regmap:${d.name} -->`, close = `<!-- /regmap:${d.name} -->`;
    const a = s.indexOf(open), b = s.indexOf(close);
    if (a < 0 || b < a) throw new Error(`docs/peripherals.md: no ${open} … ${close} section`);
    s = s.slice(0, a + open.length) + '\n' + deviceMarkdown(d) + '\n' + s.slice(b);
  }
  return s;
}

export const TS_PATH = 'peripherals/regs.ts';
export const C_PATH = 'firmware/include/evminf/regs.h';
export const DOC_PATH = 'docs/peripherals.md';

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? '.';
  writeFileSync(`${root}/${TS_PATH}`, tsSource());
  writeFileSync(`${root}/${C_PATH}`, cHeader());
  writeFileSync(`${root}/${DOC_PATH}`, peripheralsDoc(readFileSync(`${root}/${DOC_PATH}`, 'utf8')));
}
