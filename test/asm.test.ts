// The assembler against its outside reference, GNU as + ld (binutils, -march=rv32im -mno-relax):
// the same source must give the same bytes. Also the ELF it writes (readelf, objdump, QEMU) and
// every kind of user error.

import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AsmError, assemble, assembleToElf, type AsmOutput } from '../isa/asm.js';
import { disassemble } from '../isa/disasm.js';
import { encode } from '../isa/encode.js';
import { Fmt, OPS, TABLE, type InsnRow } from '../isa/table.js';
import { describeWithTools, runTool, runToolOk } from './tools.js';

const AS = 'riscv64-unknown-elf-as';
const LD = 'riscv64-unknown-elf-ld';
const OBJCOPY = 'riscv64-unknown-elf-objcopy';
const NM = 'riscv64-unknown-elf-nm';
const READELF = 'riscv64-unknown-elf-readelf';
const OBJDUMP = 'riscv64-unknown-elf-objdump';
const QEMU = 'qemu-riscv32';
const BINUTILS = [AS, LD, OBJCOPY, NM];

// ---------------------------------------------------------------------------------------------
// Helpers

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

const section = (out: AsmOutput, name: string): AsmOutput['sections'][number] => out.sections.find((s) => s.name === name)!;
const wordAt = (b: Uint8Array, i: number): number => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
const words = (b: Uint8Array): number[] => Array.from({ length: b.length >>> 2 }, (_, k) => wordAt(b, 4 * k));

interface GnuImage {
  readonly text: Uint8Array;
  readonly rodata: Uint8Array;
  readonly data: Uint8Array;
  readonly symbols: ReadonlyMap<string, number>;
}

/** Assemble and link with GNU, placing each section where our assembler placed it. */
function gnuBuild(src: string, layout: AsmOutput): GnuImage {
  const dir = mkdtempSync(join(tmpdir(), 'evminf-asm-'));
  try {
    writeFileSync(join(dir, 'a.s'), src);
    runToolOk(AS, ['-march=rv32im', '-mabi=ilp32', '-mno-relax', '-o', 'a.o', 'a.s'], { cwd: dir });
    const at = (name: string): string => `0x${section(layout, name).vaddr.toString(16)}`;
    runToolOk(LD, ['-m', 'elf32lriscv', '--no-relax', `-Ttext=${at('.text')}`, `--section-start=.rodata=${at('.rodata')}`,
      `-Tdata=${at('.data')}`, `-Tbss=${at('.bss')}`, '-o', 'a.elf', 'a.o'], { cwd: dir });
    const bin = (name: string): Uint8Array => {
      const file = join(dir, `${name.slice(1)}.bin`);
      runToolOk(OBJCOPY, ['-O', 'binary', '-j', name, 'a.elf', file], { cwd: dir });
      return existsSync(file) ? new Uint8Array(readFileSync(file)) : new Uint8Array(0);
    };
    const symbols = new Map<string, number>();
    for (const line of runToolOk(NM, ['a.elf'], { cwd: dir }).stdout.split('\n')) {
      const m = /^([0-9a-f]+) \w (\S+)$/.exec(line);
      if (m) symbols.set(m[2]!, parseInt(m[1]!, 16));
    }
    return { text: bin('.text'), rodata: bin('.rodata'), data: bin('.data'), symbols };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Equal bytes, or a failure naming the first differing word with both disassemblies. */
function expectSameBytes(what: string, ours: Uint8Array, gnu: Uint8Array, base: number, context = ''): void {
  if (ours.length === gnu.length && ours.every((b, i) => b === gnu[i])) return;
  let i = 0;
  while (i < Math.min(ours.length, gnu.length) && ours[i] === gnu[i]) i++;
  const w = i & ~3;
  const pc = base + w;
  const show = (b: Uint8Array): string => (w + 4 <= b.length ? `${wordAt(b, w).toString(16).padStart(8, '0')} ${disassemble(wordAt(b, w), pc)}` : '(end)');
  expect.fail(`${what}: first difference at 0x${pc.toString(16)} (lengths ${ours.length} vs ${gnu.length})\n  ours: ${show(ours)}\n  gnu:  ${show(gnu)}${context}`);
}

/** Assemble `ours` with our assembler and `gnu` (default: the same text) with GNU; compare. */
function compareWithGnu(ours: string, gnu = ours, lineOf?: (offset: number) => string): AsmOutput {
  const out = assemble(ours, { file: 'ours.s' });
  const ref = gnuBuild(gnu, out);
  const text = section(out, '.text');
  let context = '';
  if (lineOf) {
    let i = 0;
    while (i < Math.min(text.bytes.length, ref.text.length) && text.bytes[i] === ref.text[i]) i++;
    context = `\n  source: ${lineOf(i & ~3)}`;
  }
  expectSameBytes('.text', text.bytes, ref.text, text.vaddr, context);
  expectSameBytes('.rodata', section(out, '.rodata').bytes, ref.rodata, section(out, '.rodata').vaddr);
  expectSameBytes('.data', section(out, '.data').bytes, ref.data, section(out, '.data').vaddr);
  for (const [name, sym] of out.symbols) {
    if (sym.section !== null) expect(sym.value, `address of ${name}`).toBe(ref.symbols.get(name));
  }
  return out;
}

function asmError(src: string): AsmError {
  try {
    assemble(src, { file: 'err.s' });
  } catch (e) {
    if (e instanceof AsmError) return e;
    throw new Error(`expected AsmError, got ${String(e)}`);
  }
  throw new Error('expected an AsmError, but the source assembled');
}

// ---------------------------------------------------------------------------------------------
// Sources generated from the table

const ABI = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];
const regName = (r: number, abi: boolean): string => (abi ? ABI[r]! : `x${r}`);
const FENCE_SETS = ['i', 'o', 'r', 'w', 'io', 'rw', 'iorw', 'ow', 'ir', 'orw'];

type Pick = (tok: string) => string;

/** One instruction line for `row`, with operand text from `pick`: ours and the GNU spelling. */
function rowLine(row: InsnRow, pick: Pick): { ours: string; gnu: string } {
  const toks = row.syntax === '' ? [] : row.syntax.split(',');
  const vals = toks.map(pick);
  const ours = `${row.name}${vals.length ? ' ' + vals.join(', ') : ''}`;
  if (row.ext !== 'Xevm') return { ours, gnu: ours };
  // GNU as does not know Xevm: spell it as `.insn r` with the row's own opcode and function fields.
  const reg = (t: string): string => vals[toks.indexOf(t)] ?? 'x0';
  const gnu = `.insn r ${row.match & 0x7f}, ${(row.match >>> 12) & 7}, ${row.match >>> 25}, ${reg('rd')}, ${reg('rs1')}, ${reg('rs2')}`;
  return { ours, gnu };
}

/** A program of single-instruction lines between labels `back` and `fwd`. */
function program(lines: readonly { ours: string; gnu: string }[]): { ours: string; gnu: string; lineOf: (off: number) => string } {
  const wrap = (body: string[]): string => ['.text', '.globl _start', '_start:', 'back:', ...body.map((l) => `  ${l}`), 'fwd:', '  nop', ''].join('\n');
  return { ours: wrap(lines.map((l) => l.ours)), gnu: wrap(lines.map((l) => l.gnu)), lineOf: (off) => lines[off >>> 2]?.ours ?? '(after the generated lines)' };
}

function directedRowLines(): { ours: string; gnu: string }[] {
  const imms: Record<string, readonly string[]> = {
    imm: ['-2048', '2047', '0', '-1'],
    shamt: ['0', '31', '1', '0x10'],
    target: ['back', 'fwd', '.', '. + 8'],
    uimm20: ['0', '0xfffff', '0x12345', '1'],
    'imm(rs1)': ['-2048(sp)', '2047(a0)', '(a1)', '0(x31)'],
    pred: ['iorw', 'r', 'i', 'rw'],
    succ: ['iorw', 'w', 'o', 'orw'],
  };
  const lines: { ours: string; gnu: string }[] = [];
  for (const row of TABLE) {
    for (let v = 0; v < 4; v++) {
      let n = 0;
      lines.push(rowLine(row, (tok) => {
        n++;
        if (tok === 'rd' || tok === 'rs1' || tok === 'rs2') return regName((v * 11 + n * 7 + row.match) & 31, (v & 1) === 0);
        return imms[tok]![v]!;
      }));
    }
  }
  return lines;
}

function randomRowLines(rand: () => number, perRow: number): { ours: string; gnu: string }[] {
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const lines: { ours: string; gnu: string }[] = [];
  for (const row of TABLE) {
    for (let k = 0; k < perRow; k++) {
      lines.push(rowLine(row, (tok) => {
        switch (tok) {
          case 'rd': case 'rs1': case 'rs2': return regName(int(0, 31), rand() < 0.5);
          case 'imm': return String(int(-2048, 2047));
          case 'shamt': return String(int(0, 31));
          case 'target': return `. ${rand() < 0.5 ? '-' : '+'} ${2 * int(0, row.fmt === Fmt.B ? 2000 : 60000)}`;
          case 'uimm20': return `0x${int(0, 0xfffff).toString(16)}`;
          case 'imm(rs1)': return `${int(-2048, 2047)}(${regName(int(0, 31), rand() < 0.5)})`;
          default: return FENCE_SETS[int(0, FENCE_SETS.length - 1)]!;
        }
      }));
    }
  }
  return lines;
}

// Pseudo-instructions, relocation operators, local labels, expressions and data directives,
// in a form GNU as accepts.
const LI_CONSTANTS = ['0', '-1', '1', '2047', '-2048', '2048', '-2049', '4095', '4096', '0x7ff', '0x800', '0xfff', '0x1000',
  '0x7fffffff', '0x80000000', '0x80000001', '0xfffff800', '0xfffff7ff', '0x12345fff', '0x12345800', '0x123457ff',
  '0xffffffff', '0xfffff000', '-0x80000000', '0x7ffff800', '0x7ffff7ff', '0xdeadbeef', '-4096', '123456789'];

const PSEUDO_SOURCE = `
  .equ SIZE, 16
  .set MASK, (1 << 8) - 1
  .globl _start
  .text
_start:
  nop
${LI_CONSTANTS.map((c) => `  li a0, ${c}`).join('\n')}
  li t0, SIZE * 4 + 1
  li t1, 6 & 3 + 1            # GNU precedence: (6 & 3) + 1
  li t2, ~0x0f & MASK
  li a1, -(3 * 7) % 5
  li a2, 0777 + 0b1011 - 'a' + '\\n'
  li a3, 100 / 7 << 2 | 1
  la a0, msg
  lla a1, table
  lw a2, counter
  lbu a3, msg
  lh a4, table
  sh a4, counter, t0
  sw a5, counter, t1
  sb a6, buf, t2
  mv a0, a1
  not a0, a1
  neg a0, a1
  seqz a0, a1
  snez a0, a1
  sltz a0, a1
  sgtz a0, a1
  sgt a0, a1, a2
  sgtu a0, a1, a2
1:
  beqz a0, 1f
  bnez a0, 1b
  blez a0, 1f
  bgez a0, 1b
  bltz a0, 1f
  bgtz a0, 1b
  bgt a0, a1, 1f
  ble a0, a1, 1b
  bgtu a0, a1, 1f
  bleu a0, a1, 1b
1:
  j 1b
  j 2f
  jal helper
  jal t0, helper
  jr t0
  jr t0, 4
  jalr t1
  jalr ra, t1
  jalr ra, t1, 8
  jalr x0, 12(t2)
  jalr a0, (a1)
  ret
  call helper
  call a0, helper
  tail helper
  jump helper, t2
  fence
  fence rw, rw
  fence.tso
  ecall
  ebreak
2:
  lui a0, %hi(table)
  addi a0, a0, %lo(table)
  lw a1, %lo(table + 4)(a0)
  sw a1, %lo(table)(a0)
3: auipc a0, %pcrel_hi(table + 8)
  addi a0, a0, %pcrel_lo(3b)
  lw a1, %pcrel_lo(3b)(a0)
  lui a1, %hi(0x12345fff)
  addi a1, a1, %lo(0x12345fff)
  add a0, a1, 5
  and a0, a0, 0xff
  or a0, a0, -1
  xor a0, a0, 3
  sll a0, a0, 3
  srl a0, a0, 4
  sra a0, a0, 5
  slt a0, a1, -7
  sltu a0, a1, 7
  addi a0, a0, (1 << 4) | 3
  addi a0, a0, 'a' - 'A'
  .insn r CUSTOM_0, 0, 0, a0, a1, a2
  .insn r 0x33, 0, 0x20, a0, a1, a2
  .insn i OP_IMM, 0, a0, a1, -5
  .insn i LOAD, 2, a0, 8(sp)
  .insn s STORE, 2, a0, -4(sp)
  .insn b BRANCH, 1, a0, a1, 2b
  .insn sb BRANCH, 0, a0, a1, 2b
  .insn u LUI, a0, 0xabcde
  .insn j JAL, x0, 2b
  .insn uj JAL, ra, 2b
  .insn 0x00000013
  .insn 4, 0x00100073
helper: ret
  .byte 1
  .align 3
  nop
  .balign 16
  nop

  .section .rodata
msg: .asciz "hello\\n\\t\\"q\\"\\x41\\101"
  .string "s"
  .ascii "ab", "cd"
  .align 2
table: .word 1, -1, 0xffffffff, table, msg + 2, ., end - table, LATE
  .half 0xffff, -32768, 'x'
  .2byte 7
  .byte 1, 255, -128
  .4byte 0x12345678
  .long 3
  .short 4
  .p2align 3
  .word SIZE, MASK
end:
  .set LATE, 5

  .data
counter: .word 0
  .space 5, 0xaa
  .zero 3
  .balign 8
  .byte 9
  .skip 2
  .align 4, 0x55
  .word 0x11
  .p2align 3, 0x77, 2
  .byte 1, 2

  .bss
buf: .zero 64
  .space 16
`;

const HELLO = `
# write(1, msg, 6); exit(42) — Linux syscall numbers for RISC-V (asm-generic).
  .globl _start
  .text
_start:
  li a0, 1
  la a1, msg
  li a2, 6
  li a7, 64
  ecall
  lw a0, status
  li a7, 93
  ecall
  .section .rodata
msg: .ascii "hello\\n"
  .data
status: .word 42
  .bss
scratch: .zero 32
`;

// ---------------------------------------------------------------------------------------------
// Against GNU

describeWithTools(BINUTILS, 'assembler matches GNU as + ld byte for byte', () => {
  it('every table row (directed operands)', () => {
    const p = program(directedRowLines());
    compareWithGnu(p.ours, p.gnu, p.lineOf);
  });

  it(`every table row (random operands, SEED=${SEED})`, () => {
    const p = program(randomRowLines(rng(SEED), 8));
    compareWithGnu(p.ours, p.gnu, p.lineOf);
  });

  it('pseudo-instructions, relocation operators, local labels, expressions and data', () => {
    const out = compareWithGnu(PSEUDO_SOURCE);
    expect(section(out, '.text').bytes.length).toBeGreaterThan(400);
    expect(section(out, '.bss').memsz).toBe(80);
  });

  it(`li of random constants (SEED=${SEED})`, () => {
    const rand = rng(SEED ^ 0x5eed);
    const values: number[] = [];
    for (let k = 0; k < 200; k++) {
      const shape = k % 4;
      const r = Math.floor(rand() * 2 ** 32);
      // Mix of full-width values and values near the 12-bit boundaries where the carry matters.
      values.push(shape === 0 ? r : shape === 1 ? (r & ~0xfff) | (0x7fe + (r & 3)) : shape === 2 ? r & 0xfff : (r & ~0xfff) >>> 0);
    }
    const src = `_start:\n${values.map((v) => `  li ${ABI[10 + (v & 7)]}, ${v < 2 ** 31 ? v : v - 2 ** 32}`).join('\n')}\n`;
    compareWithGnu(src);
  });

  it('hello program', () => {
    compareWithGnu(HELLO);
  });
});

// ---------------------------------------------------------------------------------------------
// The ELF file

describe('ELF writer', () => {
  const elf = assembleToElf(HELLO, { file: 'hello.s' });
  const v = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);

  it('has an ELF32 little-endian RISC-V ET_EXEC header with soft-float ilp32 flags', () => {
    expect([...elf.subarray(0, 7)]).toEqual([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
    expect(v.getUint16(16, true)).toBe(2);
    expect(v.getUint16(18, true)).toBe(243);
    expect(v.getUint32(36, true)).toBe(0);
    expect(v.getUint32(24, true)).toBe(0x10000);
  });

  it('has one PT_LOAD per section group, page-congruent and 4 KiB apart', () => {
    const phoff = v.getUint32(28, true), phnum = v.getUint16(44, true);
    const segs = Array.from({ length: phnum }, (_, k) => {
      const at = phoff + 32 * k;
      return { type: v.getUint32(at, true), offset: v.getUint32(at + 4, true), vaddr: v.getUint32(at + 8, true), filesz: v.getUint32(at + 16, true), memsz: v.getUint32(at + 20, true), flags: v.getUint32(at + 24, true) };
    });
    expect(segs.map((s) => s.flags)).toEqual([5, 4, 6]);
    expect(segs[0]!.vaddr).toBe(0x10000);
    for (const s of segs) {
      expect(s.type).toBe(1);
      expect(s.offset % 0x1000).toBe(s.vaddr % 0x1000);
      expect(s.vaddr % 0x1000).toBe(0);
    }
    expect(segs[2]!.memsz).toBeGreaterThan(segs[2]!.filesz);
  });
});

describeWithTools([READELF, OBJDUMP], 'ELF accepted by binutils', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evminf-elf-'));
  const file = join(dir, 'hello.elf');
  writeFileSync(file, assembleToElf(HELLO, { file: 'hello.s' }));
  const programs: [string, string][] = [
    ['pseudo', PSEUDO_SOURCE],
    ['text only', '_start: j _start\n'],
    ['empty sections with symbols', '.globl _start\n_start: ret\n.section .rodata\nnothing:\n.data\nempty:\n.bss\nzero: .zero 4\n.equ ABSOLUTE, 0x1234\n'],
    ['.bss without .data', '_start: ret\n.bss\n.balign 64\nbig: .zero 0x3000\n'],
  ];

  it('readelf -a reports no warnings and shows the symbols', () => {
    const r = runTool(READELF, ['-a', '-W', file]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(/warning/i);
    expect(r.stdout).toMatch(/RISC-V/);
    expect(r.stdout).toMatch(/Flags:\s+0x0\n/);
    expect(r.stdout).toMatch(/GLOBAL\s+DEFAULT\s+\d+ _start/);
    for (const name of ['.text', '.rodata', '.data', '.bss', '.symtab', '.strtab', '.shstrtab']) expect(r.stdout).toContain(name);
  });

  it.each(programs)('readelf -a and objdump -d accept the %s program without a warning', (name, src) => {
    const f = join(dir, `${name.replace(/\W+/g, '_')}.elf`);
    writeFileSync(f, assembleToElf(src, { file: `${name}.s` }));
    for (const [tool, args] of [[READELF, ['-a', '-W']], [OBJDUMP, ['-d', '-t']]] as const) {
      const r = runTool(tool, [...args, f]);
      expect(r.status, `${tool}: ${r.stderr}`).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).not.toMatch(/warning/i);
    }
  });

  it('objdump -d disassembles it with symbols', () => {
    const r = runTool(OBJDUMP, ['-d', file]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('00010000 <_start>:');
    expect(r.stdout).toMatch(/ecall/);
  });

  it('cleans up', () => rmSync(dir, { recursive: true, force: true }));
});

describeWithTools([QEMU], 'ELF runs under qemu-riscv32', () => {
  it('prints hello and exits with 42', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evminf-qemu-'));
    try {
      const file = join(dir, 'hello.elf');
      writeFileSync(file, assembleToElf(HELLO, { file: 'hello.s' }), { mode: 0o755 });
      const r = runTool(QEMU, [file], { timeoutMs: 20_000 });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('hello\n');
      expect(r.status).toBe(42);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Without outside tools

describe('assembler semantics', () => {
  it('resolves chains of forward .equ definitions and label differences', () => {
    const src = Array.from({ length: 100 }, (_, k) => `.equ s${k}, s${k + 1} + 1`).join('\n') + '\n.equ s100, end - start\n.data\nstart: .word s0\nend:\n';
    expect(words(section(assemble(src), '.data').bytes)).toEqual([104]);
  });

  it('lays sections out on separate pages after .text and enters at _start', () => {
    const out = assemble('.text\nnop\n_start: nop\n.section .rodata\n.word 1\n.data\n.byte 2\n.bss\n.zero 5\n');
    expect(out.sections.map((s) => [s.name, s.vaddr])).toEqual([['.text', 0x10000], ['.rodata', 0x11000], ['.data', 0x12000], ['.bss', 0x12004]]);
    expect(out.entry).toBe(0x10004);
    expect(section(out, '.bss').memsz).toBe(5);
    expect(assemble('nop', { textBase: 0x80000000 }).entry).toBe(0x80000000);
  });

  it('maps .section names onto the four output sections', () => {
    const out = assemble('.section .text.startup\nnop\n.section .srodata\n.word 1\n.section .sdata.x\n.word 2\n.section .sbss\n.zero 4\n.section .mine,"aw",@nobits\n.zero 4\n.section .note.GNU-stack,"",@progbits\n.previous\n.zero 4\n');
    expect(out.sections.map((s) => s.memsz)).toEqual([4, 4, 4, 12]);
  });

  it('encodes Xevm mnemonics from their table rows', () => {
    const out = assemble('eval a0, a1\nreturn a2, a3\nthrow t0\ngas s1\nperm s2\ngastab a0, a1, a2\n');
    const expected = [
      encode(OPS.eval!, { rd: 10, rs1: 11 }), encode(OPS.return!, { rs1: 12, rs2: 13 }), encode(OPS.throw!, { rs1: 5 }),
      encode(OPS.gas!, { rd: 9 }), encode(OPS.perm!, { rd: 18 }), encode(OPS.gastab!, { rd: 10, rs1: 11, rs2: 12 }),
    ];
    expect(words(section(out, '.text').bytes)).toEqual(expected);
  });

  it(`re-assembles the disassembler's output of every row (SEED=${SEED})`, () => {
    const rand = rng(SEED ^ 0xd15a);
    for (const row of TABLE) {
      if (row.syntax.includes('target')) continue;
      for (let k = 0; k < 20; k++) {
        // A random word with the row's fixed bits; fence's unused fields are zero as GNU writes them.
        let w = ((Math.floor(rand() * 2 ** 32) & ~row.mask) | row.match) >>> 0;
        if (row.name === 'fence') w &= 0x0ff0707f;
        const text = disassemble(w, 0x10000);
        const out = assemble(text, { file: 'roundtrip.s' });
        expect(wordAt(section(out, '.text').bytes, 0).toString(16), text).toBe(w.toString(16));
      }
    }
  });

  it('li takes the two-instruction form for a value not known in pass 1', () => {
    const out = assemble('li a0, later\nli a1, data\n.equ later, 5\n.data\ndata: .word 0\n');
    const [lui0, addi0, lui1, addi1] = words(section(out, '.text').bytes);
    expect(disassemble(lui0!)).toBe('lui\tx10,0x0');
    expect(disassemble(addi0!)).toBe('addi\tx10,x10,5');
    expect(disassemble(lui1!)).toBe('lui\tx11,0x11'); // .rodata is empty, so .data starts at 0x11000
    expect(disassemble(addi1!)).toBe('addi\tx11,x11,0');
  });

  it('resolves numeric local labels to the nearest definition', () => {
    const out = assemble('1: nop\n1: j 1b\nj 1f\n1: j 1b\n');
    expect(words(section(out, '.text').bytes).map((w, k) => disassemble(w, 0x10000 + 4 * k))).toEqual(['addi\tx0,x0,0', 'jal\tx0,10004', 'jal\tx0,1000c', 'jal\tx0,1000c']);
  });

  it('exports symbols with their section, binding, type and size', () => {
    const out = assemble('.globl f\n.type f, @function\nf: ret\n.size f, . - f\n.equ K, 0x40\n.data\n.local o\no: .word 1\n.weak w\nw: .word 2\n');
    expect(out.symbols.get('f')).toEqual({ value: 0x10000, section: '.text', global: true, weak: false, type: 'func', size: 4 });
    expect(out.symbols.get('K')).toMatchObject({ value: 0x40, section: null, global: false });
    expect(out.symbols.get('o')).toMatchObject({ value: 0x11000, section: '.data', global: false });
    expect(out.symbols.get('w')).toMatchObject({ global: true, weak: true });
  });

  it('accepts comments of every kind and ; between statements', () => {
    const out = assemble('nop # one\nnop // two\nnop /* three */ ; nop\n/* a\nblock */ nop\n.ascii "#;//"\n');
    expect(section(out, '.text').bytes.length).toBe(24);
    expect([...section(out, '.text').bytes.subarray(20, 24)]).toEqual([...'#;//'].map((c) => c.charCodeAt(0)));
  });
});

describe('assembler errors', () => {
  // [source, line, col, message pattern]
  const cases: [string, number, number, RegExp][] = [
    ['  foo a0, a1', 1, 3, /unknown instruction 'foo'/],
    ['nop\nadd a0, q1, a2', 2, 9, /bad register 'q1'/],
    ['lw a0, 4(q7)', 1, 8, /bad register 'q7'/],
    ['addi a0, a0, 2048', 1, 14, /immediate 2048 out of range \[-2048, 2047\]/],
    ['slli a0, a0, 32', 1, 14, /shift amount 32 out of range \[0, 31\]/],
    ['lui a0, 0x100000', 1, 9, /upper immediate 1048576 out of range/],
    ['sw a0, 4096(sp)', 1, 8, /offset 4096 out of range/],
    ['li a0, 0x100000000', 1, 8, /out of range for li/],
    ['j nowhere', 1, 3, /undefined symbol 'nowhere'/],
    ['.word 1\nx: nop\n  x: nop', 3, 3, /symbol 'x' is already defined \(at line 2\)/],
    ['nop\n .bogus 1', 2, 2, /unknown directive '\.bogus'/],
    ['beq a0, a1, far\n.space 8192\nfar: nop', 1, 13, /branch target out of range/],
    ['jal x1, 0x200000', 1, 9, /jump target out of range/],
    ['j 1f', 1, 3, /undefined local label '1f'/],
    ['j 2b', 1, 3, /undefined local label '2b'/],
    ['li a0, 1 +', 1, 11, /missing expression/],
    ['.word 1/0', 1, 8, /division by zero/],
    ['.ascii "abc', 1, 8, /unterminated string/],
    ['.ascii abc', 1, 8, /expected a string/],
    ['.insn r 0x0c, 0, 0, a0, a0, a0', 1, 9, /not a 32-bit major opcode/],
    ['.insn q 1, 2', 1, 7, /unknown \.insn format 'q'/],
    ['.bss\n.word 1', 2, 1, /not allowed in \.bss/],
    ['.bss\nnop', 2, 1, /instructions are not allowed in \.bss/],
    ['.globl main\nnop', 1, 8, /'main' is declared but never defined/],
    ['addi a0, a1', 1, 1, /wrong number of operands for 'addi'/],
    ['.section .weird\n', 1, 10, /unknown section '\.weird'/],
    ['.equ A, B\n.equ B, A\n.word A', 1, 6, /'A' is defined in terms of itself/],
    ['.byte 1\nnop', 2, 1, /not 4-byte aligned/],
    ['.align 13', 1, 8, /alignment 13 out of range/],
    ['.space undefined_size', 1, 8, /size must be a constant/],
    ['x: nop\naddi a0, a0, %pcrel_lo(x)', 2, 14, /%pcrel_lo: no auipc/],
    ['addi a0, a0, %bogus(1)', 1, 14, /unknown relocation operator/],
    ['.byte 256', 1, 7, /does not fit in 1 byte/],
    ['fence rw, rx', 1, 11, /bad fence set 'rx'/],
    ['addi a0, a0, 0x1g', 1, 14, /bad number '0x1g'/],
    ['mv a0, 5', 1, 8, /expected a register/],
    ['j a0', 1, 3, /expected an expression, got register 'a0'/],
    ['.equiv X, 1\n.equiv X, 2', 2, 8, /'X' is already defined/],
    ['.insn 0x0001', 1, 7, /not a 32-bit instruction encoding/],
    ['nop\n.word ' + '('.repeat(1000) + '1' + ')'.repeat(1000), 2, 208, /expression too complex/],
    ['.word ' + Array(5000).fill('1').join('+'), 1, 4009, /expression too complex/],
    [Array.from({ length: 1000 }, (_, k) => `.equ s${k}, s${k + 1}`).join('\n') + '\n.equ s1000, 1\n.word s0', 501, 6, /nest more than 500 deep/],
  ];
  const named = cases.map(([src, line, col, pattern]) => {
    const shown = JSON.stringify(src);
    return { name: shown.length > 60 ? `${shown.slice(0, 57)}...` : shown, src, line, col, pattern };
  });
  it.each(named)('$name', ({ src, line, col, pattern }) => {
    const e = asmError(src);
    expect(e.message.split('\n')).toHaveLength(1);
    expect(e.message).toMatch(new RegExp(`^err\\.s:${line}:${col}: `));
    expect(e.detail).toMatch(pattern);
    expect([e.line, e.col]).toEqual([line, col]);
  });

  it(`random token soup only ever raises AsmError (SEED=${SEED})`, () => {
    const rand = rng(SEED ^ 0xbad);
    const vocab = [...TABLE.map((r) => r.name), 'li', 'la', 'call', 'j', 'ret', 'beqz', 'lw', 'sw', '.insn', 'r', 'i', 'CUSTOM_0',
      '.word', '.byte', '.ascii', '.align', '.space', '.equ', '.set', '.section', '.text', '.data', '.bss', '.globl', '.size', '.type',
      'a0', 'x31', 'sp', 'zero', 'q9', 'foo', 'bar', '1f', '1b', '1:', 'foo:', '0', '-1', '4096', '0x7fffffffffffffff', '99999999999999999999',
      "'a'", '"s"', '"', "'", ',', ',', '(', ')', '%hi(', '%lo(', '%pcrel_lo(', '%pcrel_hi(', '+', '-', '*', '/', '%', '<<', '>>', '~', '.', '=', ';', '#', '/*', '*/', '@function'];
    for (let k = 0; k < 3000; k++) {
      const lines: string[] = [];
      for (let l = 0; l < 3; l++) {
        const n = 1 + Math.floor(rand() * 7);
        lines.push(Array.from({ length: n }, () => vocab[Math.floor(rand() * vocab.length)]!).join(rand() < 0.5 ? ' ' : ''));
      }
      const src = lines.join('\n');
      try {
        assemble(src);
      } catch (e) {
        if (!(e instanceof AsmError)) throw new Error(`non-AsmError for ${JSON.stringify(src)}: ${String(e)}`);
        expect(e.message, src).toMatch(/^<input>:\d+:\d+: [^\n]+$/);
      }
    }
  });
});
