// The seed inputs the campaign mutates: the C corpus (test/c/*.c) built with the RISC-V cross
// compiler, ELFs and sources from our assembler (examples/*.S, random programs, small programs
// that use every directive), and the traces those programs produce (VCD, RVFI JSON lines, a
// QEMU-format CPU log).

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleToElf } from '../../isa/asm.js';
import { loadElf } from '../../cpu/program.js';
import { createModel } from '../../cpu/machine.js';
import { randomProgram } from '../randprog.js';

/** The repository: dist/verify/redteam/ is three levels below it. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const CC = 'riscv64-unknown-elf-gcc';
/** test/c/build.ts's flags: freestanding RV32IM, ilp32, no C library, libgcc for 64-bit division. */
const CFLAGS = ['-ffreestanding', '-fno-builtin', '-march=rv32im', '-mabi=ilp32', '-nostdlib', '-static', '-O2'];

export interface Seed { name: string; bytes: Uint8Array }
export interface TextSeed { name: string; text: string }

/** Small sources that between them use every directive and operand form the assembler has. */
const SNIPPETS: readonly TextSeed[] = [
  { name: 'directives.S', text: `\t.equ N, 4\n\t.set M, N*2+1\n\t.section .rodata\nmsg:\t.asciz "hi\\n"\n\t.string "x"\n\t.ascii "ab"\n\t.data\n\t.p2align 2\nw:\t.word 1, -1, 0xffffffff, M\n\t.half 7\n\t.byte 1,2,3\n\t.balign 8\n\t.zero 3\n\t.skip 5, 0xaa\n\t.bss\nbuf:\t.space 64\n\t.text\n\t.globl _start\n\t.type _start, @function\n_start:\n\tla t0, w\n\tlw a0, 0(t0)\n\tlui a1, %hi(buf)\n\taddi a1, a1, %lo(buf)\n1:\taddi a0, a0, 1\n\tbnez a0, 1b\n\tj 2f\n2:\tli a7, 93\n\tecall\n\t.size _start, .-_start\n` },
  { name: 'write.S', text: `\t.text\n\t.globl _start\n_start:\n\tli a0, 1\n\tla a1, s\n\tli a2, 6\n\tli a7, 64\n\tecall\n\tli a0, 3\n\tli a7, 93\n\tecall\n\t.data\ns:\t.ascii "hello\\n"\n` },
  { name: 'calls.S', text: `\t.text\n\t.globl _start\n_start:\n\tli sp, 0x7ffffff0\n\tli a0, 10\n\tcall f\n\tli a7, 93\n\tecall\nf:\taddi sp, sp, -16\n\tsw ra, 12(sp)\n\tbeqz a0, 1f\n\taddi a0, a0, -1\n\tcall f\n\taddi a0, a0, 2\n1:\tlw ra, 12(sp)\n\taddi sp, sp, 16\n\tret\n` },
  { name: 'xevm.S', text: `\t.text\n\t.globl _start\n_start:\n\tgas t0\n\tperm t1\n\tli t2, 3\n\tgastab t3, t2, zero\n\tla s0, d\n\teval a0, s0\n\tli a7, 93\n\tecall\nchild:\tli a0, 0x40000000\n\tli a1, 4\n\treturn a0, a1\nchild_end:\n\t.data\n\t.p2align 2\nd:\t.word 0xff, child, child_end-child, 0, 0, o, 4, 1000, 0, 0, 64, 0, 0\no:\t.word 0\n` },
];

/** Assembly seeds: the examples, the snippets and a few random programs. */
export function asmSeeds(): TextSeed[] {
  const ex = join(ROOT, 'examples');
  const out: TextSeed[] = [];
  for (const f of readdirSync(ex).filter((n) => /\.s$/i.test(n)).sort()) out.push({ name: `examples/${f}`, text: readFileSync(join(ex, f), 'utf8') });
  out.push(...SNIPPETS);
  for (const s of [1, 2, 3, 4]) out.push({ name: `randprog-${s}.S`, text: randomProgram(s, { items: 40 }).source });
  return out;
}

/** The C corpus at -O2, compiled once into a cache keyed by the sources and flags. Null without the compiler. */
export function cSeeds(): Seed[] | null {
  if (spawnSync(CC, ['--version']).status !== 0) return null;
  const dir = join(ROOT, 'test', 'c');
  const names = readdirSync(dir).filter((n) => n.endsWith('.c')).sort();
  const key = createHash('sha256');
  for (const n of [...names, 'rt.h']) key.update(n).update(readFileSync(join(dir, n)));
  key.update(CFLAGS.join(' '));
  const cache = join(tmpdir(), `evminf-redteam-cc-${key.digest('hex').slice(0, 16)}`);
  mkdirSync(cache, { recursive: true });
  return names.map((n) => {
    const out = join(cache, n.replace(/\.c$/, '-O2.elf'));
    if (!existsSync(out)) {
      const r = spawnSync(CC, [...CFLAGS, '-o', out, join(dir, n), '-lgcc'], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${CC} ${n}: ${r.stderr}`);
    }
    return { name: `c/${n.replace(/\.c$/, '-O2')}`, bytes: readFileSync(out) };
  });
}

/** ELF seeds from our assembler. */
export function asmElfSeeds(sources: readonly TextSeed[]): Seed[] {
  return sources.map((s) => ({ name: `${s.name}.elf`, bytes: assembleToElf(s.text, { file: s.name }) }));
}

/**
 * A CPU log in the shape of qemu-riscv32 -singlestep -d cpu,nochain (waveforms/qemu-log.ts): the
 * state before each of the ISS's first `n` instructions.
 */
export function qemuLog(elf: Uint8Array, n: number): string {
  const m = createModel('iss', loadElf(elf));
  const h = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');
  const lines: string[] = [];
  for (let k = 0; k < n; k++) {
    lines.push(` pc       ${h(m.pc)}`);
    for (let r = 0; r < 32; r += 4) {
      const cols: string[] = [];
      for (let i = r; i < r + 4; i++) cols.push(`x${i}/${REG_NAMES[i]!}`.padEnd(9) + h(m.x[i]!));
      lines.push(' ' + cols.join(' '));
    }
    const s = m.run(1);
    if (s !== 0 || m.retired <= k) break;
  }
  return lines.join('\n') + '\n';
}

const REG_NAMES = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];
