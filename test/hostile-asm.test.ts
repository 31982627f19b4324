// The assembler and the ELF path against hostile or degenerate input: what GNU as + ld accept
// must assemble into an ELF our loader takes; input whose nesting or size is the attacker's
// choice must neither exhaust the JS stack nor take quadratic time; and every mutation of a
// valid ELF must give a one-line ElfError or a valid load, never another exception.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AsmError, assemble, assembleToElf } from '../isa/asm.js';
import { ElfError, parseElf, type ElfImage } from '../isa/elf.js';
import { LinuxHost } from '../cpu/host.js';
import { createModel } from '../cpu/machine.js';
import { loadElf } from '../cpu/program.js';
import { runToEnd } from '../cpu/runner.js';
import { EXIT } from '../cpu/exit-codes.js';
import { QEMU, removeDir, runEvminf, runQemu, tempDir, type Outcome } from './c/build.js';
import { describeWithTools, requireTools, runTool } from './tools.js';

const AS = 'riscv64-unknown-elf-as';
const LD = 'riscv64-unknown-elf-ld';
const MODELS = ['iss', 'cycle'] as const;

/** Seeded PRNG (mulberry32) so a failing random case can be replayed with SEED=n. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const SEED = Number(process.env.SEED ?? Date.now() % 2 ** 31);

/** Exactly one line, `evminf: …`, and no stack trace. */
function expectOneLine(r: Outcome, phrase: string): void {
  const err = r.stderr.toString('utf8');
  expect(err).not.toContain('internal error');
  expect(err).not.toMatch(/\n\s+at /);
  expect(err).toMatch(/^evminf: [^\n]+\n$/);
  expect(err).toContain(phrase);
}

function runModel(kind: 'iss' | 'cycle', elf: Uint8Array): { code: number | null; reason: string; stdout: string } {
  const host = new LinuxHost();
  const r = runToEnd(createModel(kind, loadElf(elf)), host, { maxInstructions: 1_000_000 });
  return { code: r.exitCode, reason: r.reason, stdout: Buffer.from(host.output(1)).toString('latin1') };
}

// ---------------------------------------------------------------------------------------------
// 1. .bss without .data: a segment with no file bytes

/** Fills a .bss buffer, sums it back, prints it and exits with the sum's low byte. */
const BSS_ONLY = `
.text
.globl _start
_start:
  la t0, buf
  li t1, 0
1:
  addi t2, t1, 'a'
  add t3, t0, t1
  sb t2, 0(t3)
  addi t1, t1, 1
  li t4, 26
  blt t1, t4, 1b
  sb t4, 26(t0)          # a newline (26 - 16 = 10) once adjusted
  lbu t5, 26(t0)
  addi t5, t5, -16
  sb t5, 26(t0)
  li a0, 1
  mv a1, t0
  li a2, 27
  li a7, 64
  ecall
  lw a0, 4(t0)           # 'efgh' as a word: 0x68676665; exit code 0x65 = 101
  andi a0, a0, 0xff
  li a7, 93
  ecall
.bss
.balign 4
buf: .zero 64
`;

describe('a program with .bss and no .data', () => {
  test('its ELF parses: the empty segment has an offset inside the file and no file range', () => {
    const elf = assembleToElf(BSS_ONLY);
    const img = parseElf(elf);
    const bss = img.segments.find((s) => s.flags & 2)!;
    expect(bss.data.length).toBe(0);
    expect(bss.memsz).toBe(64);
    // The program header's p_offset itself.
    const v = new DataView(elf.buffer, elf.byteOffset);
    const phoff = v.getUint32(28, true), phnum = v.getUint16(44, true);
    for (let i = 0; i < phnum; i++) {
      const off = v.getUint32(phoff + 32 * i + 4, true), filesz = v.getUint32(phoff + 32 * i + 16, true);
      expect(off + filesz, `segment ${i}`).toBeLessThanOrEqual(elf.length);
      expect((v.getUint32(phoff + 32 * i + 8, true) - off) & 0xfff, `segment ${i} congruent to its address`).toBe(0);
    }
  });

  test('the loader ignores the file offset of a segment with no file bytes', () => {
    const elf = assembleToElf(BSS_ONLY);
    const v = new DataView(elf.buffer, elf.byteOffset);
    const phoff = v.getUint32(28, true);
    v.setUint32(phoff + 32 * 1 + 4, 0xfffff000, true);
    const img = parseElf(elf);
    expect(img.segments.map((s) => s.memsz)).toEqual(parseElf(assembleToElf(BSS_ONLY)).segments.map((s) => s.memsz));
  });

  test('runs on both models with the same exit code and output', () => {
    const elf = assembleToElf(BSS_ONLY);
    for (const kind of MODELS) {
      const r = runModel(kind, elf);
      expect(r.reason, kind).toBe('exit');
      expect(r.stdout, kind).toBe('abcdefghijklmnopqrstuvwxyz\n');
      expect(r.code, kind).toBe(101);
    }
  });

  describeWithTools([QEMU], 'under qemu-riscv32', () => {
    let dir: string;
    beforeAll(() => { dir = tempDir('hostile-bss'); });
    afterAll(() => removeDir(dir));
    test('qemu-riscv32 gives the same exit code and output as the models', () => {
      const path = join(dir, 'bss.elf');
      writeFileSync(path, assembleToElf(BSS_ONLY), { mode: 0o755 });
      const q = runQemu(path, dir);
      const ours = runModel('iss', readFileSync(path));
      expect(q.stdout.toString('latin1')).toBe(ours.stdout);
      expect(q.status).toBe(ours.code);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// 2. An empty program

const EMPTY: [string, string][] = [
  ['an empty file', ''],
  ['only a comment', '# nothing here\n'],
  ['only a block comment and separators', '/* nothing\n here */ ; ;\n\n'],
  ['only directives that emit nothing', '.text\n.data\n.bss\n.p2align 2\n'],
];

describe('an empty program', () => {
  // GNU as + ld accept it and link an executable with no loadable segment (and no entry symbol).
  test.each(EMPTY)('%s assembles to an ELF with no code', (_what, src) => {
    const img: ElfImage = parseElf(assembleToElf(src));
    expect(img.segments.filter((s) => s.flags & 1)).toEqual([]);
    expect(img.entry).toBe(0x10000);
    // Loading it is a clear error about the entry point, never a RangeError.
    expect(() => loadElf(assembleToElf(src))).toThrow(ElfError);
    expect(() => loadElf(assembleToElf(src))).toThrow(/^malformed ELF: entry point 0x10000 is not in an executable segment$/);
  });

  test('GNU as + ld accept the same sources', () => {
    if (!requireTools([AS, LD])) return;
    const dir = tempDir('hostile-empty-gnu');
    try {
      for (const [what, src] of EMPTY) {
        writeFileSync(join(dir, 'a.s'), src);
        expect(runTool(AS, ['-march=rv32im', '-mabi=ilp32', '-o', 'a.o', 'a.s'], { cwd: dir }).status, what).toBe(0);
        expect(runTool(LD, ['-m', 'elf32lriscv', '-o', 'a.elf', 'a.o'], { cwd: dir }).status, what).toBe(0);
      }
    } finally {
      removeDir(dir);
    }
  });

  describe('evminf asm and run', () => {
    let dir: string;
    beforeAll(() => { dir = tempDir('hostile-empty'); });
    afterAll(() => removeDir(dir));

    test.each(EMPTY.slice(0, 2))('%s: asm writes the ELF (exit 0, silent); run says why in one line (exit 126)', (what, src) => {
      const source = join(dir, `${what.replace(/\W+/g, '-')}.S`), out = `${source}.elf`;
      writeFileSync(source, src);
      const asm = runEvminf(['asm', source, '-o', out]);
      expect(asm.stderr.toString()).toBe('');
      expect(asm.status).toBe(0);
      expect(parseElf(readFileSync(out)).segments.filter((s) => s.flags & 1)).toEqual([]);
      for (const program of [source, out]) {
        for (const model of MODELS) {
          const run = runEvminf(['run', '--model', model, program]);
          expectOneLine(run, 'entry point 0x10000 is not in an executable segment');
          expect(run.stdout.length).toBe(0);
          expect(run.status, `${model} ${program}`).toBe(EXIT.BAD_INPUT);
          expect(EXIT.BAD_INPUT).toBe(126);
        }
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Depth chosen by the input: nothing may recurse on it

describe('input whose nesting is the attacker\'s choice', () => {
  test('a 130,000-character .ascii string (and .asciz with escapes and UTF-8)', () => {
    const n = 130_000;
    const text = 'x'.repeat(n);
    const out = assemble(`.data\nd: .ascii "${text}"\n.asciz "${'\\t\\x41é'.repeat(n / 4)}"\n`);
    const data = out.sections.find((s) => s.name === '.data')!.bytes;
    expect(data.length).toBe(n + (n / 4) * 4 + 1);
    expect(Buffer.from(data.subarray(0, n)).toString('latin1')).toBe(text);
    expect(Array.from(data.subarray(n, n + 4))).toEqual([9, 0x41, 0xc3, 0xa9]);
    expect(data[data.length - 1]).toBe(0);
  });

  test('a 500-link chain of forward .equ definitions, each a 100-node expression', () => {
    /** s0 = s1 + 1 + ... (99 ones), ..., s(links) = 7: resolving s0 nests `links` deep (a recursive evaluator overflowed the JS stack at 30 ones). */
    const chain = (links: number): string => {
      const lines: string[] = [];
      for (let k = 0; k < links; k++) lines.push(`.equ s${k}, s${k + 1}${'+1'.repeat(99)}`);
      lines.push(`.equ s${links}, 7`, '.word s0');
      return lines.join('\n');
    };
    const out = assemble(chain(500));
    expect(new DataView(out.sections[0]!.bytes.buffer).getUint32(0, true)).toBe(7 + 99 * 500);
    // One more link is past the documented limit: a located error, not a stack overflow.
    expect(() => assemble(chain(501))).toThrow(/^<input>:501:6: symbol 's500': \.equ definitions nest more than 500 deep$/);
  });

  test('100,000 labels on one statement, a block comment over 100,000 lines, a 100,000-item .word', () => {
    const labels = Array.from({ length: 100_000 }, (_, k) => `l${k}:`).join(' ');
    const out = assemble(`${labels} nop\n/*${'\n'.repeat(100_000)}*/ .word ${Array.from({ length: 100_000 }, (_, k) => `l${k}`).join(',')}\n`);
    expect(out.symbols.get('l99999')!.value).toBe(0x10000);
    expect(out.sections[0]!.bytes.length).toBe(4 + 400_000);
    expect(() => assemble(`/*${'\n'.repeat(100_000)}*/ bad`)).toThrow(/^<input>:100001:4: unknown instruction 'bad'$/);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Linear time

/** `n` statements separated by `;` on one line: instructions, labels, local labels, data, .equ. */
function statements(n: number): string {
  const parts: string[] = [];
  for (let k = 0; k < n; k += 8) {
    parts.push(`f${k}: addi a0, a0, ${k & 2047}`, '1: lw a1, 4(sp)', `beq a0, a1, f${k}`, 'bnez a1, 1b', `la a2, v${k}`,
      `.equ e${k}, f${k} + 4`, `.pushsection .data; v${k}: .word e${k}, ${k}`, '.popsection');
  }
  return parts.slice(0, n).join('; ');
}

/** CPU seconds of the assembler for a source (CPU time: the machine may be shared) and its .text size. */
function measure(src: string): { seconds: number; text: number } {
  const t0 = process.cpuUsage();
  const out = assemble(src);
  const d = process.cpuUsage(t0);
  return { seconds: (d.user + d.system) / 1e6, text: out.sections[0]!.bytes.length };
}

describe('linear time in the size of the input', () => {
  // One test per size, so no single test holds the worker for long on a loaded machine.
  const runs = new Map<number, { seconds: number; text: number }>();
  test.each([10_000, 40_000, 160_000])('%i ;-separated statements', (n) => {
    const src = statements(n);
    if (n === 10_000) {
      measure(statements(2_000)); // warm up the JIT
      const a = measure(src), b = measure(src);
      runs.set(n, a.seconds < b.seconds ? a : b);
    } else {
      runs.set(n, measure(src));
    }
  }, 120_000);

  test('16x the input costs far less than 40x the time (quadratic would be 256x)', () => {
    const [r10, r40, r160] = [runs.get(10_000)!, runs.get(40_000)!, runs.get(160_000)!];
    console.log(`assembler CPU time: 10k ${r10.seconds.toFixed(2)} s, 40k ${r40.seconds.toFixed(2)} s, 160k ${r160.seconds.toFixed(2)} s (x${(r160.seconds / r10.seconds).toFixed(1)} for 16x)`);
    // Each size really is a multiple of the first: the output grows in step with the input.
    expect(r40.text / r10.text).toBeCloseTo(4, 1);
    expect(r160.text / r10.text).toBeCloseTo(16, 1);
    // Before: 40k statements took 32 s, 160k minutes.
    expect(r160.seconds).toBeLessThan(20);
    expect(r160.seconds / r10.seconds).toBeLessThan(40);
  });
});

// ---------------------------------------------------------------------------------------------
// 5. The ELF loader against mutated files

/** A valid ELF with code, read-only data, data, .bss and symbols. */
const VALID = assembleToElf(`
.text
.globl _start
_start:
  la a0, msg
  lw a1, counter
  li a7, 93
  ecall
.section .rodata
msg: .asciz "hello"
.data
counter: .word 5
.bss
buf: .zero 256
`);

/** Parse and, when it parses and is small enough to load, load: an ElfError or a valid image. */
function check(bytes: Uint8Array, what: string): 'rejected' | 'loaded' {
  let img: ElfImage;
  try {
    img = parseElf(bytes);
  } catch (e) {
    if (!(e instanceof ElfError)) throw new Error(`${what}: ${String(e)} (not an ElfError)`);
    expect(e.message, what).toMatch(/^malformed ELF: [^\n]+$/);
    return 'rejected';
  }
  // What parsed is consistent: views inside the file, inside 4 GiB, no overlaps.
  const segs = [...img.segments].sort((a, b) => a.vaddr - b.vaddr);
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    expect(s.data.length, what).toBeLessThanOrEqual(s.memsz);
    expect(s.vaddr + s.memsz, what).toBeLessThanOrEqual(2 ** 32);
    expect(s.data.buffer, `${what}: segment data is a view of the file`).toBe(bytes.buffer);
    if (i > 0) expect(s.vaddr, what).toBeGreaterThanOrEqual(segs[i - 1]!.vaddr + segs[i - 1]!.memsz);
  }
  // Memory for a huge segment is the memory budget's business (another check); the loader proper
  // is exercised on images of a sane size.
  if (img.segments.reduce((n, s) => n + s.memsz, 0) > 64 << 20) return 'loaded';
  try {
    loadElf(bytes);
  } catch (e) {
    if (!(e instanceof ElfError)) throw new Error(`${what}: loadElf threw ${String(e)} (not an ElfError)`);
    expect(e.message, what).toMatch(/^[^\n]+$/);
    return 'rejected';
  }
  return 'loaded';
}

describe('the ELF loader against mutated files', () => {
  const v = new DataView(VALID.buffer, VALID.byteOffset);
  const phoff = v.getUint32(28, true), phnum = v.getUint16(44, true);
  const shoff = v.getUint32(32, true), shnum = v.getUint16(48, true);
  const ph = (i: number, field: number): number => phoff + 32 * i + field;
  const sh = (i: number, field: number): number => shoff + 40 * i + field;
  const patched = (edit: (d: DataView) => void): Uint8Array => {
    const b = VALID.slice();
    edit(new DataView(b.buffer));
    return b;
  };
  const reject = (b: Uint8Array, phrase: RegExp): void => {
    expect(check(b, phrase.source)).toBe('rejected');
    expect(() => parseElf(b)).toThrow(phrase);
  };

  test('the unmutated file loads', () => {
    expect(check(VALID, 'valid')).toBe('loaded');
    expect(phnum).toBeGreaterThanOrEqual(3);
  });

  test('directed: wrapping offsets, huge sizes and counts, overlaps, the entry point, symbol tables', () => {
    reject(patched((d) => { d.setUint32(ph(0, 4), 0xffff_f000, true); d.setUint32(ph(0, 16), 0x2000, true); d.setUint32(ph(0, 20), 0x2000, true); }), /segment 0 \[4294963200, \+8192\) wraps past/);
    reject(patched((d) => d.setUint32(28, 0xffff_ffe0, true)), /program header table .* wraps past/);
    reject(patched((d) => d.setUint16(44, 0xffff, true)), /program header table .* lies outside/);
    reject(patched((d) => d.setUint32(ph(1, 20), 0x4000_0000 + 0x1000, true)), /the limit is 1 GiB/);
    reject(patched((d) => d.setUint32(ph(1, 20), 0xffff_ffff, true)), /runs past 4 GiB/);
    reject(patched((d) => d.setUint32(ph(0, 16), 0xffff_ffff, true)), /p_filesz 4294967295 exceeds p_memsz/);
    reject(patched((d) => d.setUint32(ph(2, 8), v.getUint32(ph(1, 8), true), true)), /overlaps the segment at/);
    // 1 GiB of .bss over the other segments: rejected for the overlap, before any allocation.
    reject(patched((d) => { d.setUint32(ph(2, 8), 0x1000, true); d.setUint32(ph(2, 20), 0x4000_0000, true); }), /overlaps/);
    reject(patched((d) => d.setUint32(24, 0x10002, true)), /entry point 0x10002 is not word aligned/);
    expect(() => loadElf(patched((d) => d.setUint32(24, 0x4000_0000, true)))).toThrow(/entry point 0x40000000 is not in an executable segment/);
    reject(patched((d) => d.setUint32(32, 0xffff_fff0, true)), /section header table .* wraps past/);
    reject(patched((d) => d.setUint16(48, 0xffff, true)), /section header table .* lies outside/);
    const symtab = Array.from({ length: shnum }, (_, i) => i).find((i) => v.getUint32(sh(i, 4), true) === 2)!;
    reject(patched((d) => d.setUint32(sh(symtab, 36), 1, true)), /sh_entsize 1 is smaller than an Elf32_Sym/);
    reject(patched((d) => d.setUint32(sh(symtab, 24), 0xffff, true)), /links to missing section 65535/);
    reject(patched((d) => d.setUint32(sh(symtab, 20), 0xffff_ffff, true)), /symbol table .* (wraps past|lies outside)/);
  });

  test('a string table without NULs under thousands of overlapping names is bounded, not quadratic', () => {
    // 60,000 symbols, all named from offset 1 of a 4 MiB string table with no NUL: 240 GB of names
    // if each were decoded, and 2.4e11 byte scans for a scan per name.
    const n = 60_000, strSize = 4 << 20;
    const b = new Uint8Array(VALID.length + strSize + 16 * n);
    b.set(VALID);
    b.fill(0x61, VALID.length, VALID.length + strSize);
    const d = new DataView(b.buffer);
    const symOff = VALID.length + strSize;
    for (let k = 0; k < n; k++) { d.setUint32(symOff + 16 * k, 1 + (k % 1000), true); d.setUint16(symOff + 16 * k + 14, 1, true); }
    const symtab = Array.from({ length: shnum }, (_, i) => i).find((i) => v.getUint32(sh(i, 4), true) === 2)!;
    const strtab = v.getUint32(sh(symtab, 24), true);
    d.setUint32(sh(symtab, 16), symOff, true);
    d.setUint32(sh(symtab, 20), 16 * n, true);
    d.setUint32(sh(strtab, 16), VALID.length, true);
    d.setUint32(sh(strtab, 20), strSize, true);
    const t0 = process.cpuUsage();
    expect(() => parseElf(b)).toThrow(/^malformed ELF: symbol names total more than 64 MiB$/);
    const cpu = process.cpuUsage(t0);
    expect((cpu.user + cpu.system) / 1e6).toBeLessThan(20);
  }, 60_000);

  test(`a few hundred random mutations give an ElfError or a valid load, nothing else (SEED=${SEED})`, () => {
    const rand = rng(SEED);
    const int = (n: number): number => Math.floor(rand() * n);
    const HUGE = [0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0xffff_f000, 0x4000_0000, 0x3fff_ffff, VALID.length, VALID.length + 1];
    const headerFields = [24, 28, 32];
    const phFields = [4, 8, 16, 20];
    const shFields = [16, 20, 24, 36];
    const tally = { rejected: 0, loaded: 0 };
    for (let c = 0; c < 400; c++) {
      let b = VALID.slice();
      const d = new DataView(b.buffer);
      let what: string;
      switch (c % 6) {
        case 0: { // bit flips, mostly in the headers
          const flips = 1 + int(8);
          const at: number[] = [];
          for (let k = 0; k < flips; k++) {
            const o = rand() < 0.7 ? int(phoff + 32 * phnum) : int(b.length);
            b[o]! ^= 1 << int(8);
            at.push(o);
          }
          what = `bit flips at ${at.join(',')}`;
          break;
        }
        case 1: { // truncation
          const len = int(b.length);
          b = b.slice(0, len);
          what = `truncated to ${len}`;
          break;
        }
        case 2: { // huge or edge values in the ELF header and the program headers
          const o = rand() < 0.3 ? headerFields[int(3)]! : ph(int(phnum), phFields[int(4)]!);
          const val = HUGE[int(HUGE.length)]!;
          d.setUint32(o, val, true);
          what = `u32 ${val} at ${o}`;
          break;
        }
        case 3: { // counts and entry sizes
          const o = [42, 44, 46, 48][int(4)]!;
          const val = [0, 1, 31, 33, 0xffff, 100][int(6)]!;
          d.setUint16(o, val, true);
          what = `u16 ${val} at ${o}`;
          break;
        }
        case 4: { // section headers (the symbol table's offsets, sizes, links)
          const o = sh(int(shnum), shFields[int(4)]!);
          const val = HUGE[int(HUGE.length)]!;
          d.setUint32(o, val, true);
          what = `section u32 ${val} at ${o}`;
          break;
        }
        default: { // overlapping segments, a far entry point, a 1 GiB p_memsz
          const i = int(phnum), j = int(phnum);
          d.setUint32(ph(i, 8), v.getUint32(ph(j, 8), true) + int(3) * 0x800, true);
          if (rand() < 0.5) d.setUint32(ph(i, 20), 0x4000_0000, true);
          if (rand() < 0.5) d.setUint32(24, int(2 ** 32), true);
          what = `segment ${i} moved onto ${j}`;
          break;
        }
      }
      tally[check(b, what)]++;
    }
    // Both outcomes occur: the mutations are neither all fatal nor all harmless.
    expect(tally.rejected).toBeGreaterThan(50);
    expect(tally.loaded).toBeGreaterThan(10);
  });

  test('an assembly error is still an AsmError (one line), whatever the source size', () => {
    const err = ((): unknown => { try { assemble(`${'nop;'.repeat(50_000)} addi a0, a0`); } catch (e) { return e; } return null; })();
    expect(err).toBeInstanceOf(AsmError);
    expect((err as AsmError).message).toMatch(/^<input>:1:200002: wrong number of operands for 'addi'/);
  });
});
