// The outcome of an equivalence check, and how it is printed: the first difference, with the
// instruction index, its pc and disassembly, the instructions before it, and each differing
// register or field with both values (STYLE.md convention 9).

import { disassemble } from '../isa/disasm.js';
import type { ModelKind } from '../cpu/machine.js';
import { formatRecent, hex8, type RecentInsn } from './stepper.js';

export interface Difference {
  /** A register (`x7/t2`), `pc`, an RVFI field, `exit code` or `stdout`. */
  name: string;
  ref: number | string;
  model: number | string;
}

export interface Divergence {
  /** Index (from 0) of the retired instruction at which the streams part. */
  index: number;
  pc: number | null;
  insn: number | null;
  /** One line: what differs. */
  reason: string;
  diffs: Difference[];
  recent: RecentInsn[];
}

export interface EquivResult {
  /** The reference: `qemu-riscv32`, or the trace file. */
  ref: string;
  model: ModelKind;
  equal: boolean;
  /** Retired instructions compared. */
  instructions: number;
  exitCode: number | null;
  refExitCode: number | null;
  stdoutBytes: number;
  divergence: Divergence | null;
  /** Stopped at the instruction limit, equal so far (`divergence` then tells where). */
  limited: boolean;
  seconds: number;
}

const show = (v: number | string): string => (typeof v === 'number' ? hex8(v) : v);

export function formatResult(r: EquivResult): string {
  if (r.equal) {
    const exit = r.exitCode === null ? '' : `, exit code ${r.exitCode}`;
    return `evminf equiv: ${r.model} model equals ${r.ref}: ${r.instructions} instructions${exit}, stdout ${r.stdoutBytes} bytes (${r.seconds.toFixed(2)} s)\n`;
  }
  const d = r.divergence!;
  if (r.limited) {
    return `evminf equiv: ${r.model} model equals ${r.ref} for the first ${r.instructions} instructions: ${d.reason} (pc ${hex8(d.pc ?? 0)}, ${r.seconds.toFixed(2)} s)\n`;
  }
  const at = d.pc === null ? '' : ` (pc ${hex8(d.pc)}${d.insn === null ? '' : `: ${disassemble(d.insn, d.pc).replace('\t', ' ')}`})`;
  const lines = [`evminf equiv: ${r.model} model diverges from ${r.ref} at instruction ${d.index}${at}`, `  ${d.reason}`];
  if (d.diffs.length > 0) {
    const w = Math.max(8, ...d.diffs.map((x) => x.name.length));
    lines.push(`  ${'what'.padEnd(w)}  ${'reference'.padEnd(12)}  model`);
    for (const x of d.diffs) lines.push(`  ${x.name.padEnd(w)}  ${show(x.ref).padEnd(12)}  ${show(x.model)}`);
  }
  if (d.recent.length > 0) {
    lines.push('  last instructions (model):');
    for (const l of formatRecent(d.recent, d.index)) lines.push(`    ${l}`);
  }
  return lines.join('\n') + '\n';
}

export function resultJson(r: EquivResult): unknown {
  const d = r.divergence;
  return {
    ...r,
    divergence: d === null ? null : {
      ...d,
      disasm: d.insn === null || d.pc === null ? null : disassemble(d.insn, d.pc),
      recent: d.recent.map((x) => ({ ...x, disasm: disassemble(x.insn, x.pc) })),
    },
  };
}
