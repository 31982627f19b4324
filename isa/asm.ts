// Assembler: GNU as syntax for RV32IM + Xevm (binutils 2.40 semantics, non-PIC, no relaxation).
//
// Instructions come from the one table: each row's `syntax` column says how its operands parse,
// and pseudo-instructions expand into rows by mnemonic, so no opcode is written here. Sizes are
// fixed in pass 1 (sections are laid out from them) and bytes are produced in pass 2, which is
// why forward references work everywhere except where a size depends on a value (.space, .align).
//
// The work is split by job under isa/asm/: lex.ts (statements, operands, strings), expr.ts
// (expressions), forms.ts (instruction forms and pseudo-instructions), directives.ts (statements
// and directives, pass 0) and layout.ts (passes 1 and 2, layout and relocations). This file is
// the public entry point that composes them.

import { EncodeError } from './encode.js';
import { writeElf32, PF_R, PF_W, PF_X, type ElfSection, type ElfSymbol } from './elf-write.js';
import { Assembler } from './asm/layout.js';
import { SrcError } from './asm/lex.js';

export { PF_R, PF_W, PF_X };

/** A mistake in the source: the message is one line, `file:line:col: what`. */
export class AsmError extends Error {
  /** The exit code's name (cpu/exit-codes.ts EXIT) when this error ends an evminf command. */
  readonly exit = 'BAD_INPUT' as const;
  constructor(readonly file: string, readonly line: number, readonly col: number, readonly detail: string) {
    super(`${file}:${line}:${col}: ${detail}`);
    this.name = 'AsmError';
  }
}

export type SectionName = '.text' | '.rodata' | '.data' | '.bss';

export interface AsmSection {
  readonly name: SectionName;
  readonly vaddr: number;
  /** Initialised contents (empty for .bss). */
  readonly bytes: Uint8Array;
  /** Size in memory; equals bytes.length except for .bss. */
  readonly memsz: number;
  /** PF_R | PF_W | PF_X. */
  readonly flags: number;
  readonly align: number;
}

export interface AsmSymbol {
  readonly value: number;
  /** Defining section, or null for an absolute (.equ) symbol. */
  readonly section: SectionName | null;
  readonly global: boolean;
  readonly weak: boolean;
  readonly type: 'notype' | 'func' | 'object';
  readonly size: number;
}

export interface AsmOutput {
  /** .text, .rodata, .data and .bss, always in that order (possibly empty). */
  readonly sections: readonly AsmSection[];
  readonly symbols: ReadonlyMap<string, AsmSymbol>;
  /** `_start` if defined, else the start of .text. */
  readonly entry: number;
}

export interface AsmOptions {
  /** File name used in error messages. */
  readonly file?: string;
  /** Address of .text (default 0x10000, where GNU ld puts an RV32 executable). */
  readonly textBase?: number;
}

/** Assemble GNU-as-syntax RV32IM + Xevm source into laid-out sections and symbols. */
export function assemble(source: string, opts: AsmOptions = {}): AsmOutput {
  const file = opts.file ?? '<input>';
  const textBase = opts.textBase ?? 0x10000;
  if (!Number.isInteger(textBase) || textBase < 0 || textBase >= 2 ** 32 || textBase % 4 !== 0) {
    throw new AsmError(file, 1, 1, `text base 0x${textBase.toString(16)} must be a 4-byte aligned 32-bit address`);
  }
  const asm = new Assembler(textBase);
  try {
    return asm.run(source);
  } catch (e) {
    if (e instanceof SrcError) throw new AsmError(file, e.line, e.col, e.message);
    if (e instanceof EncodeError) throw new AsmError(file, asm.line, asm.col, e.message);
    throw e;
  }
}

/** Assemble and package as an ELF32 RISC-V executable (ET_EXEC, soft-float ilp32). */
export function assembleToElf(source: string, opts: AsmOptions = {}): Uint8Array {
  const out = assemble(source, opts);
  const used = new Set([...out.symbols.values()].map((s) => s.section));
  const sections: ElfSection[] = out.sections
    .filter((s) => s.memsz > 0 || used.has(s.name) || s.name === '.text')
    .map((s) => ({ name: s.name, vaddr: s.vaddr, bytes: s.bytes, memsz: s.memsz, flags: s.flags, align: s.align, nobits: s.name === '.bss' }));
  const symbols: ElfSymbol[] = [...out.symbols]
    .filter(([name]) => !name.startsWith('.L'))
    .map(([name, s]) => ({
      name, value: s.value, size: s.size, section: s.section,
      binding: s.weak ? 'weak' : s.global ? 'global' : 'local', type: s.type,
    }));
  return writeElf32({ entry: out.entry, sections, symbols });
}
