// Generates the tables of docs/isa.md and docs/gas.md from the ISA table, so the datasheet
// cannot drift from the code. `npm run docs` rewrites them; a test checks they are current.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { COPY_GAS_PER_WORD, DEFAULT_GAS_COSTS, GAS_CLASSES, RAM_GAS_PER_WORD, TABLE, type InsnRow } from './table.js';

const FMT_NAMES = ['R', 'I', 'S', 'B', 'U', 'J', 'I (shift)', 'FENCE', 'SYSTEM'];
const hex = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');

/** The 32 bits of a row's encoding, MSB first: fixed bits as 0/1, free bits as `.`. */
export function bitPattern(r: InsnRow): string {
  let s = '';
  for (let b = 31; b >= 0; b--) {
    s += (r.mask >>> b) & 1 ? String((r.match >>> b) & 1) : '.';
    if (b === 25 || b === 20 || b === 15 || b === 12 || b === 7) s += ' ';
  }
  return s;
}

export function isaMarkdown(): string {
  const lines = [
    '# EVM∞ instruction set',
    '',
    '<!-- Generated from isa/table.ts by `npm run docs`. Do not edit by hand. -->',
    '',
    'RV32I and M exactly as the RISC-V Unprivileged ISA (20191213) defines them, plus Xevm in the',
    'custom-0 major opcode (0b0001011). No CSRs, no privilege modes, no compressed instructions:',
    'every encoding not listed here — including CSR instructions, FENCE.I and all 16-bit',
    'encodings — raises an illegal-instruction exception. ECALL is INTERRUPT',
    '(docs/architecture.md). FENCE ignores fm, rs1 and rd as §2.7 requires of base implementations.',
    '',
    'Bit pattern: bits 31..0 grouped as funct7 | rs2 | rs1 | funct3 | rd | opcode; `.` is an operand bit.',
    '',
    '| # | mnemonic | ext | operands | format | bit pattern | match | mask | unit | gas class | latency | semantics |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  TABLE.forEach((r, i) => {
    lines.push(`| ${i} | \`${r.name}\` | ${r.ext} | \`${r.syntax || '—'}\` | ${FMT_NAMES[r.fmt]} | \`${bitPattern(r)}\` | ${hex(r.match)} | ${hex(r.mask)} | ${r.unit} | ${r.gas} | ${r.latency} | ${r.desc.replace(/\|/g, '\\|')} |`);
  });
  lines.push('', 'Latency classes are defined in docs/timing.md; gas classes in docs/gas.md.', '');
  return lines.join('\n');
}

export function gasMarkdown(): string {
  const lines = [
    '# Gas table',
    '',
    '<!-- Generated from isa/table.ts by `npm run docs`. Do not edit by hand. -->',
    '',
    'Every retired instruction is charged the base cost of its gas class as it enters MEM',
    '(docs/timing.md); stalls cost nothing. Continuing when the next charge would exceed the',
    "frame's limit is an out-of-gas exception (the instruction does not execute). Frames with",
    'the infinite-gas permission are metered but never run out: the gate does not apply to them,',
    'whatever the costs. `gastab` reads and, with the alter-gas-table permission, changes a class',
    'cost (any unsigned 32-bit value); its index is the row number below.',
    '',
    '| index | gas class | default cost | instructions |',
    '|---|---|---|---|',
  ];
  GAS_CLASSES.forEach((c, i) => {
    const names = TABLE.filter((r) => r.gas === c).map((r) => `\`${r.name}\``).join(' ');
    lines.push(`| ${i} | ${c} | ${DEFAULT_GAS_COSTS[c]} | ${names} |`);
  });
  lines.push(
    '',
    '## Dynamic costs',
    '',
    'Charged by the call-management unit through the same gate, on top of the base cost',
    '(docs/architecture.md): running out is the charging frame\'s out-of-gas exception.',
    '',
    '| what | gas | charged to |',
    '|---|---|---|',
    `| copying a slice: EVAL's code and input, INTERRUPT's request | ${COPY_GAS_PER_WORD} per 4 bytes, rounded up | the caller, the interrupter |`,
    `| copying RETURN's output | ${COPY_GAS_PER_WORD} per 4 bytes, rounded up | the returning frame for all of it, then the receiver for the bytes it keeps |`,
    `| a child's RAM (EVAL's RAMSIZE) | ${RAM_GAS_PER_WORD} per 4 bytes | the caller, at EVAL |`,
    '',
  );
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = new URL('../../', import.meta.url);
  writeFileSync(new URL('docs/isa.md', root), isaMarkdown());
  writeFileSync(new URL('docs/gas.md', root), gasMarkdown());
}
