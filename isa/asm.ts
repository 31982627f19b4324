// Assembler: GNU as syntax for RV32IM + Xevm (binutils 2.40 semantics, non-PIC, no relaxation).
//
// Instructions come from the one table: each row's `syntax` column says how its operands parse,
// and pseudo-instructions expand into rows by mnemonic, so no opcode is written here. Sizes are
// fixed in pass 1 (sections are laid out from them) and bytes are produced in pass 2, which is
// why forward references work everywhere except where a size depends on a value (.space, .align).

import { EncodeError, encode, type Operands } from './encode.js';
import { writeElf32, PF_R, PF_W, PF_X, type ElfSection, type ElfSymbol } from './elf-write.js';
import { Fmt, OPS, TABLE } from './table.js';

export { PF_R, PF_W, PF_X };

/** A mistake in the source: the message is one line, `file:line:col: what`. */
export class AsmError extends Error {
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

// ---------------------------------------------------------------------------------------------
// Sections

const enum Sect { TEXT, RODATA, DATA, BSS, DISCARD }
const NSECT = 5;
/** The section of an absolute value. */
const ABS = -1;
const SECT_NAMES: readonly SectionName[] = ['.text', '.rodata', '.data', '.bss'];
const SECT_FLAGS = [PF_R | PF_X, PF_R, PF_R | PF_W, PF_R | PF_W];
const PAGE = 0x1000;
const MAX_ALIGN = PAGE;
const MAX_SECTION = 256 << 20;
/** Limits that keep a hostile expression or .equ chain from overflowing the JS stack. */
const MAX_EXPR_NODES = 2000, MAX_EXPR_NESTING = 200, MAX_EQU_CHAIN = 500;

/** Map a `.section` name (and its flags/type, when given) onto one of our output sections. */
function sectionFor(name: string, flags: string | null, nobits: boolean): Sect | null {
  const is = (base: string): boolean => name === base || name.startsWith(base + '.');
  if (is('.text') || is('.init') || is('.fini')) return Sect.TEXT;
  if (is('.rodata') || is('.srodata')) return Sect.RODATA;
  if (is('.data') || is('.sdata')) return Sect.DATA;
  if (is('.bss') || is('.sbss') || is('.tbss')) return Sect.BSS;
  if (flags === null) {
    if (is('.note') || is('.comment') || is('.debug') || name.startsWith('.debug_') || is('.riscv.attributes')) return Sect.DISCARD;
    return null;
  }
  if (!flags.includes('a')) return Sect.DISCARD;
  if (flags.includes('x')) return Sect.TEXT;
  if (flags.includes('w')) return nobits ? Sect.BSS : Sect.DATA;
  return Sect.RODATA;
}

// ---------------------------------------------------------------------------------------------
// Registers (RISC-V psABI register names)

const ABI_NAMES = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];
const REGS = new Map<string, number>([...ABI_NAMES.map((n, i) => [n, i] as const), ...ABI_NAMES.map((_, i) => [`x${i}`, i] as const), ['fp', 8]]);
const X_ZERO = 0, X_RA = 1, X_T1 = 6;

/**
 * Major opcode names for `.insn`, in opcode-map order (unprivileged spec, "RV32/64G Instruction
 * Set Listings", base opcode map): entry k is the opcode (k << 2) | 0b11. Names as GNU as spells them.
 */
const MAJOR_OPCODES = [
  'LOAD', 'LOAD_FP', 'CUSTOM_0', 'MISC_MEM', 'OP_IMM', 'AUIPC', 'OP_IMM_32', '',
  'STORE', 'STORE_FP', 'CUSTOM_1', 'AMO', 'OP', 'LUI', 'OP_32', '',
  'MADD', 'MSUB', 'NMSUB', 'NMADD', 'OP_FP', 'OP_V', 'CUSTOM_2', '',
  'BRANCH', 'JALR', '', 'JAL', 'SYSTEM', '', 'CUSTOM_3', '',
];

/** Padding halfword GNU as uses for a 2-byte gap in code: C.NOP (spec chapter "C" extension). */
const C_NOP = 0x0001;
/** FENCE.TSO is FENCE with fm = 0b1000 in inst[31:28] (§2.7). */
const FENCE_FM_TSO = 8 << 28;

// ---------------------------------------------------------------------------------------------
// Errors with a position; converted to AsmError (which needs the file name) at the API boundary.

class SrcError extends Error {
  constructor(readonly line: number, readonly col: number, msg: string) { super(msg); }
}

// ---------------------------------------------------------------------------------------------
// Expressions. Operator precedence is GNU as's, not C's: * / % << >> bind tightest, then | & ^,
// then + - (binutils "Infix Operators").

type BinOp = '*' | '/' | '%' | '<<' | '>>' | '|' | '&' | '^' | '+' | '-';
type RelocOp = 'hi' | 'lo' | 'pcrel_hi' | 'pcrel_lo';
interface At { readonly line: number; readonly col: number }
type Expr = At & (
  | { readonly k: 'num'; readonly v: bigint }
  | { readonly k: 'sym'; readonly name: string; readonly shown: string }
  | { readonly k: 'dot' }
  | { readonly k: 'neg' | 'not'; readonly a: Expr }
  | { readonly k: 'bin'; readonly op: BinOp; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'reloc'; readonly op: RelocOp; readonly a: Expr }
);

const wrap64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const sext12 = (v: number): number => ((v & 0xfff) ^ 0x800) - 0x800;
const hi20 = (v: number): number => ((v + 0x800) >>> 12) & 0xfffff;

function binop(op: BinOp, a: bigint, b: bigint, at: At): bigint {
  switch (op) {
    case '+': return wrap64(a + b);
    case '-': return wrap64(a - b);
    case '*': return wrap64(a * b);
    case '/': if (b === 0n) throw new SrcError(at.line, at.col, 'division by zero'); return wrap64(a / b);
    case '%': if (b === 0n) throw new SrcError(at.line, at.col, 'division by zero'); return wrap64(a % b);
    case '<<': return b < 0n || b > 63n ? 0n : wrap64(a << b);
    case '>>': return b < 0n || b > 63n ? (a < 0n ? -1n : 0n) : a >> b;
    case '|': return a | b;
    case '&': return a & b;
    case '^': return a ^ b;
  }
}

const IDENT_START = /[A-Za-z_.$]/;
const IDENT_REST = /[A-Za-z0-9_.$]/;
const IDENT = /[A-Za-z_.$][A-Za-z0-9_.$]*/y;

/** Decode one C escape at s[i] (just after the backslash): [byte, next index]. */
function escape(s: string, i: number): [number, number] {
  const c = s[i] ?? '';
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, b: 8, f: 12, v: 11, a: 7, e: 27, '\\': 92, "'": 39, '"': 34 };
  if (Object.hasOwn(simple, c)) return [simple[c]!, i + 1];
  if (c === 'x' || c === 'X') {
    let j = i + 1, v = 0;
    while (j < s.length && /[0-9a-fA-F]/.test(s[j]!)) v = (v * 16 + parseInt(s[j++]!, 16)) & 0xff;
    return [v, j];
  }
  if (/[0-7]/.test(c)) {
    let j = i, v = 0;
    while (j < s.length && j < i + 3 && /[0-7]/.test(s[j]!)) v = v * 8 + parseInt(s[j++]!, 8);
    return [v & 0xff, j];
  }
  return [c.charCodeAt(0) || 0, i + 1];
}

/** Numeric local labels: `1:` may be defined many times; `1b`/`1f` pick the nearest one. */
class LocalLabels {
  private readonly count = new Map<string, number>();
  define(n: string): string {
    const k = this.count.get(n) ?? 0;
    this.count.set(n, k + 1);
    return `${n}:${k}`;
  }
  ref(n: string, dir: 'b' | 'f', line: number, col: number): string {
    const k = this.count.get(n) ?? 0;
    if (dir === 'f') return `${n}:${k}`;
    if (k === 0) throw new SrcError(line, col, `undefined local label '${n}b'`);
    return `${n}:${k - 1}`;
  }
}

class ExprParser {
  private i = 0;
  private nodes = 0;
  private nesting = 0;
  constructor(private readonly s: string, private readonly line: number, private readonly col0: number, private readonly locals: LocalLabels) {}

  static parse(s: string, line: number, col: number, locals: LocalLabels): Expr {
    const p = new ExprParser(s, line, col, locals);
    const e = p.low();
    p.ws();
    if (p.i < s.length) throw p.err(`unexpected '${s[p.i]}' in expression`);
    return e;
  }

  private at(): At { return { line: this.line, col: this.col0 + this.i }; }
  private err(msg: string): SrcError { return new SrcError(this.line, this.col0 + this.i, msg); }
  private ws(): void { while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++; }
  /** Count a new node (and nesting level), refusing expressions deep enough to exhaust the stack. */
  private grow(nest: number): void {
    this.nesting += nest;
    if (++this.nodes > MAX_EXPR_NODES || this.nesting > MAX_EXPR_NESTING) throw this.err('expression too complex');
  }

  private peekOp(ops: readonly string[]): string | null {
    this.ws();
    for (const op of ops) if (this.s.startsWith(op, this.i)) return op;
    return null;
  }

  private low(): Expr {
    let a = this.mid();
    for (let op = this.peekOp(['+', '-']); op !== null; op = this.peekOp(['+', '-'])) {
      const at = this.at();
      this.i += op.length;
      this.grow(0);
      a = { ...at, k: 'bin', op: op as BinOp, a, b: this.mid() };
    }
    return a;
  }

  private mid(): Expr {
    let a = this.high();
    for (let op = this.peekOp(['|', '&', '^']); op !== null; op = this.peekOp(['|', '&', '^'])) {
      const at = this.at();
      this.i += op.length;
      this.grow(0);
      a = { ...at, k: 'bin', op: op as BinOp, a, b: this.high() };
    }
    return a;
  }

  private high(): Expr {
    let a = this.unary();
    const ops = ['<<', '>>', '*', '/', '%'];
    for (let op = this.peekOp(ops); op !== null; op = this.peekOp(ops)) {
      const at = this.at();
      this.i += op.length;
      this.grow(0);
      a = { ...at, k: 'bin', op: op as BinOp, a, b: this.unary() };
    }
    return a;
  }

  private unary(): Expr {
    this.ws();
    const at = this.at();
    const c = this.s[this.i];
    if (c !== '-' && c !== '~' && c !== '+') return this.primary();
    this.i++;
    this.grow(1);
    const a = this.unary();
    this.nesting--;
    return c === '+' ? a : { ...at, k: c === '-' ? 'neg' : 'not', a };
  }

  /** A parenthesised sub-expression (after its opening bracket). */
  private group(): Expr {
    this.grow(1);
    const e = this.low();
    this.nesting--;
    this.ws();
    if (this.s[this.i] !== ')') throw this.err("expected ')'");
    this.i++;
    return e;
  }

  private primary(): Expr {
    this.ws();
    const at = this.at();
    const s = this.s;
    const c = s[this.i];
    if (c === undefined) throw this.err('missing expression');
    if (c === '(') {
      this.i++;
      return this.group();
    }
    if (c === '%') {
      IDENT.lastIndex = this.i + 1;
      const m = IDENT.exec(s);
      const op = m?.[0];
      if (op !== 'hi' && op !== 'lo' && op !== 'pcrel_hi' && op !== 'pcrel_lo') throw this.err(`unknown relocation operator '%${op ?? ''}'`);
      this.i = IDENT.lastIndex;
      this.ws();
      if (s[this.i] !== '(') throw this.err(`expected '(' after %${op}`);
      this.i++;
      return { ...at, k: 'reloc', op, a: this.group() };
    }
    if (c === "'") {
      // 'a' or GNU's unterminated 'a form.
      let j = this.i + 1;
      if (j >= s.length) throw this.err('missing character after quote');
      let v: number;
      if (s[j] === '\\') [v, j] = escape(s, j + 1);
      else { v = s.charCodeAt(j); j++; }
      if (s[j] === "'") j++;
      this.i = j;
      return { ...at, k: 'num', v: BigInt(v) };
    }
    if (/[0-9]/.test(c)) {
      let j = this.i;
      while (j < s.length && /[0-9A-Za-z_]/.test(s[j]!)) j++;
      const tok = s.slice(this.i, j);
      this.i = j;
      const local = /^([0-9]+)([bf])$/.exec(tok);
      if (local) {
        const name = this.locals.ref(local[1]!, local[2] as 'b' | 'f', at.line, at.col);
        return { ...at, k: 'sym', name, shown: tok };
      }
      let digits: string, prefix: string;
      if (/^0[xX]/.test(tok)) { prefix = '0x'; digits = tok.slice(2); if (!/^[0-9a-fA-F]+$/.test(digits)) throw new SrcError(at.line, at.col, `bad number '${tok}'`); }
      else if (/^0[bB]/.test(tok)) { prefix = '0b'; digits = tok.slice(2); if (!/^[01]+$/.test(digits)) throw new SrcError(at.line, at.col, `bad number '${tok}'`); }
      else if (/^0[0-7]+$/.test(tok)) { prefix = '0o'; digits = tok.slice(1); }
      else if (/^[0-9]+$/.test(tok)) { prefix = ''; digits = tok; }
      else throw new SrcError(at.line, at.col, `bad number '${tok}'`);
      return { ...at, k: 'num', v: wrap64(BigInt(prefix + digits)) };
    }
    if (c === '.' && !IDENT_REST.test(s[this.i + 1] ?? '')) {
      this.i++;
      return { ...at, k: 'dot' };
    }
    if (IDENT_START.test(c)) {
      IDENT.lastIndex = this.i;
      const name = IDENT.exec(s)![0];
      this.i = IDENT.lastIndex;
      return { ...at, k: 'sym', name, shown: name };
    }
    throw this.err(`unexpected '${c}' in expression`);
  }
}

function usesPcrelLo(e: Expr): boolean {
  switch (e.k) {
    case 'reloc': return e.op === 'pcrel_lo' || usesPcrelLo(e.a);
    case 'neg': case 'not': return usesPcrelLo(e.a);
    case 'bin': return usesPcrelLo(e.a) || usesPcrelLo(e.b);
    default: return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Operands and instruction forms

interface Operand { readonly text: string; readonly col: number }

type SlotKind = 'reg' | 'expr' | 'mem' | 'fence';
type Arg =
  | { readonly kind: 'reg'; readonly reg: number; readonly col: number }
  | { readonly kind: 'expr'; readonly e: Expr; readonly col: number }
  | { readonly kind: 'mem'; readonly off: Expr | null; readonly reg: number; readonly col: number }
  | { readonly kind: 'fence'; readonly bits: number; readonly col: number };

function regOf(a: Arg | undefined): number {
  if (a?.kind !== 'reg') throw new Error('asm: form expected a register operand');
  return a.reg;
}
function exprOf(a: Arg | undefined): Extract<Arg, { kind: 'expr' }> {
  if (a?.kind !== 'expr') throw new Error('asm: form expected an expression operand');
  return a;
}
function memOf(a: Arg | undefined): Extract<Arg, { kind: 'mem' }> {
  if (a?.kind !== 'mem') throw new Error('asm: form expected an address operand');
  return a;
}
function fenceOf(a: Arg | undefined): number {
  if (a?.kind !== 'fence') throw new Error('asm: form expected a fence set');
  return a.bits;
}

/** What a form's emitter can ask of pass 2. */
interface Emitter {
  /** Value of an expression operand, range-checked. */
  int(a: Arg | undefined, lo: number, hi: number, what: string): number;
  /** Value of an expression operand as a 32-bit address. */
  address(a: Arg | undefined): number;
  /** Offset of an `imm(rs1)` operand (12-bit signed). */
  offset(a: Arg | undefined): number;
  /** Byte offset from the current instruction to a branch (Fmt.B) or jump (Fmt.J) target. */
  target(a: Arg | undefined, fmt: Fmt): number;
  /** U-type immediate operand (0..0xfffff), returned already shifted into place. */
  upper(a: Arg | undefined, auipc: boolean): number;
  /** `.insn` major opcode operand: a GNU opcode name or a number. */
  opcode(a: Arg | undefined): number;
  /** Encode a table row by mnemonic. */
  encodeRow(name: string, o: Operands): number;
  /** Emit one instruction word. */
  word(w: number): void;
  /** Emit `auipc rd, %pcrel_hi(target)` and return the matching %pcrel_lo. */
  auipc(rd: number, target: number): number;
  /** Value of an `li` operand as a signed 32-bit number. */
  li(a: Arg | undefined): number;
  /** Report a user error at an operand (or at the statement when none is given). */
  error(a: Arg | undefined, msg: string): never;
}

/** One way to write a mnemonic: its operand slots, its size and how it emits. */
interface Form {
  readonly name: string;
  /** Operand syntax for messages, e.g. "rd,imm(rs1)". */
  readonly syntax: string;
  readonly slots: readonly SlotKind[];
  /** Bytes emitted; a function when the size depends on a constant (li). */
  readonly size: number | ((value: (e: Expr) => bigint | null, args: readonly Arg[]) => number);
  readonly emit: (em: Emitter, args: readonly Arg[], size: number) => void;
}

const slotKind = (tok: string): SlotKind => {
  if (tok === 'imm(rs1)') return 'mem';
  if (tok === 'pred' || tok === 'succ') return 'fence';
  if (/^(rd|rs|rs1|rs2|rt)$/.test(tok)) return 'reg';
  return 'expr';
};
const tokensOf = (syntax: string): string[] => (syntax === '' ? [] : syntax.split(','));

const FORMS = new Map<string, Form[]>();
function addForm(name: string, syntax: string, size: Form['size'], emit: Form['emit']): void {
  const list = FORMS.get(name) ?? [];
  list.push({ name, syntax, slots: tokensOf(syntax).map(slotKind), size, emit });
  FORMS.set(name, list);
}

const insn = (em: Emitter, name: string, o: Operands): void => em.word(em.encodeRow(name, o));

/** A table row, parsed by its syntax column. */
function addRowForm(op: number): void {
  const row = TABLE[op]!;
  const toks = tokensOf(row.syntax);
  addForm(row.name, row.syntax, 4, (em, args) => {
    const o: Operands = {};
    let pred = 0;
    for (let i = 0; i < toks.length; i++) {
      const a = args[i];
      switch (toks[i]) {
        case 'rd': o.rd = regOf(a); break;
        case 'rs1': o.rs1 = regOf(a); break;
        case 'rs2': o.rs2 = regOf(a); break;
        case 'imm': o.imm = em.int(a, -2048, 2047, 'immediate'); break;
        case 'shamt': o.imm = em.int(a, 0, 31, 'shift amount'); break;
        case 'target': o.imm = em.target(a, row.fmt); break;
        case 'uimm20': o.imm = em.upper(a, row.name === 'auipc'); break;
        case 'imm(rs1)': o.rs1 = memOf(a).reg; o.imm = em.offset(a); break;
        case 'pred': pred = fenceOf(a); break;
        case 'succ': o.imm = (pred << 4) | fenceOf(a); break;
        default: throw new Error(`asm: unknown syntax token in row ${row.name}`);
      }
    }
    insn(em, row.name, o);
  });
}

for (let op = 0; op < TABLE.length; op++) addRowForm(op);

// GNU as accepts the register-register mnemonic with an immediate (`add a0, a1, 5`, `sll a0, a1, 3`,
// `sltu a0, a1, 1`) and means the immediate row.
for (const row of TABLE) {
  if (row.syntax !== 'rd,rs1,rs2' || row.ext !== 'I') continue;
  const immRow = [row.name + 'i', row.name.replace(/u$/, 'iu')].map((n) => TABLE[OPS[n] ?? -1]).find((r) => r !== undefined);
  if (!immRow || (immRow.syntax !== 'rd,rs1,imm' && immRow.syntax !== 'rd,rs1,shamt')) continue;
  const immForms = FORMS.get(immRow.name)!;
  for (const f of immForms) FORMS.get(row.name)!.push({ ...f, name: row.name });
}

// Loads and stores of a symbol (`lw a0, sym` / `sw a0, sym, t0`): auipc + the row with %pcrel_lo.
for (const row of TABLE) {
  if (row.unit !== 'lsu') continue;
  if (row.syntax === 'rd,imm(rs1)') {
    addForm(row.name, 'rd,symbol', 8, (em, a) => {
      const rd = regOf(a[0]);
      insn(em, row.name, { rd, rs1: rd, imm: em.auipc(rd, em.address(a[1])) });
    });
  } else if (row.syntax === 'rs2,imm(rs1)') {
    addForm(row.name, 'rs2,symbol,rt', 8, (em, a) => {
      const rt = regOf(a[2]);
      insn(em, row.name, { rs2: regOf(a[0]), rs1: rt, imm: em.auipc(rt, em.address(a[1])) });
    });
  }
}

/** lui/addi pair GNU as builds for a constant: the carry-corrected %hi and a sign-extended %lo. */
function liParts(v: number): { hi: number; lo: number; size: number } {
  const lo = sext12(v);
  const hi = (v - lo) | 0;
  return { hi, lo, size: (hi !== 0 ? 4 : 0) + (lo !== 0 || hi === 0 ? 4 : 0) };
}

// Pseudo-instructions (unprivileged spec chapter "RISC-V Assembly Programmer's Handbook"; expansions
// as GNU as 2.40 emits them).
addForm('nop', '', 4, (em) => insn(em, 'addi', {}));
addForm('li', 'rd,imm', (value, a) => {
  const v = value(exprOf(a[1]).e);
  // A value unknown in pass 1 (a label, a later .equ) always gets the two-instruction form.
  return v === null ? 8 : liParts(Number(BigInt.asIntN(32, v))).size;
}, (em, a, size) => {
  const rd = regOf(a[0]);
  const v = em.li(a[1]);
  const p = liParts(v);
  if (p.size === size) {
    if (p.hi !== 0) insn(em, 'lui', { rd, imm: p.hi });
    if (p.lo !== 0 || p.hi === 0) insn(em, 'addi', { rd, rs1: p.hi !== 0 ? rd : X_ZERO, imm: p.lo });
  } else if (size === 8) {
    insn(em, 'lui', { rd, imm: hi20(v) << 12 });
    insn(em, 'addi', { rd, rs1: rd, imm: sext12(v) });
  } else {
    em.error(a[1], 'li value changed between passes');
  }
});
for (const name of ['la', 'lla']) {
  addForm(name, 'rd,symbol', 8, (em, a) => {
    const rd = regOf(a[0]);
    insn(em, 'addi', { rd, rs1: rd, imm: em.auipc(rd, em.address(a[1])) });
  });
}
const unaryAlias = (name: string, row: string, build: (rd: number, rs: number) => Operands): void =>
  addForm(name, 'rd,rs', 4, (em, a) => insn(em, row, build(regOf(a[0]), regOf(a[1]))));
unaryAlias('mv', 'addi', (rd, rs) => ({ rd, rs1: rs, imm: 0 }));
unaryAlias('not', 'xori', (rd, rs) => ({ rd, rs1: rs, imm: -1 }));
unaryAlias('neg', 'sub', (rd, rs) => ({ rd, rs1: X_ZERO, rs2: rs }));
unaryAlias('seqz', 'sltiu', (rd, rs) => ({ rd, rs1: rs, imm: 1 }));
unaryAlias('snez', 'sltu', (rd, rs) => ({ rd, rs1: X_ZERO, rs2: rs }));
unaryAlias('sltz', 'slt', (rd, rs) => ({ rd, rs1: rs, rs2: X_ZERO }));
unaryAlias('sgtz', 'slt', (rd, rs) => ({ rd, rs1: X_ZERO, rs2: rs }));
for (const [name, row] of [['sgt', 'slt'], ['sgtu', 'sltu']] as const) {
  addForm(name, 'rd,rs,rt', 4, (em, a) => insn(em, row, { rd: regOf(a[0]), rs1: regOf(a[2]), rs2: regOf(a[1]) }));
}
// Branches against zero: [name, row, rs is rs1 (else rs2)].
for (const [name, row, rsFirst] of [['beqz', 'beq', true], ['bnez', 'bne', true], ['blez', 'bge', false],
  ['bgez', 'bge', true], ['bltz', 'blt', true], ['bgtz', 'blt', false]] as const) {
  addForm(name, 'rs,target', 4, (em, a) => {
    const rs = regOf(a[0]);
    insn(em, row, { rs1: rsFirst ? rs : X_ZERO, rs2: rsFirst ? X_ZERO : rs, imm: em.target(a[1], Fmt.B) });
  });
}
// Branches with swapped operands.
for (const [name, row] of [['bgt', 'blt'], ['ble', 'bge'], ['bgtu', 'bltu'], ['bleu', 'bgeu']] as const) {
  addForm(name, 'rs,rt,target', 4, (em, a) => insn(em, row, { rs1: regOf(a[1]), rs2: regOf(a[0]), imm: em.target(a[2], Fmt.B) }));
}
addForm('j', 'target', 4, (em, a) => insn(em, 'jal', { rd: X_ZERO, imm: em.target(a[0], Fmt.J) }));
addForm('jal', 'target', 4, (em, a) => insn(em, 'jal', { rd: X_RA, imm: em.target(a[0], Fmt.J) }));
addForm('jr', 'rs', 4, (em, a) => insn(em, 'jalr', { rd: X_ZERO, rs1: regOf(a[0]), imm: 0 }));
addForm('jr', 'rs,imm', 4, (em, a) => insn(em, 'jalr', { rd: X_ZERO, rs1: regOf(a[0]), imm: em.int(a[1], -2048, 2047, 'immediate') }));
addForm('jalr', 'rs', 4, (em, a) => insn(em, 'jalr', { rd: X_RA, rs1: regOf(a[0]), imm: 0 }));
addForm('jalr', 'rd,rs', 4, (em, a) => insn(em, 'jalr', { rd: regOf(a[0]), rs1: regOf(a[1]), imm: 0 }));
addForm('jalr', 'rd,rs,imm', 4, (em, a) => insn(em, 'jalr', { rd: regOf(a[0]), rs1: regOf(a[1]), imm: em.int(a[2], -2048, 2047, 'immediate') }));
addForm('ret', '', 4, (em) => insn(em, 'jalr', { rd: X_ZERO, rs1: X_RA, imm: 0 }));
const farJump = (em: Emitter, rd: number, tmp: number, target: Arg | undefined): void =>
  insn(em, 'jalr', { rd, rs1: tmp, imm: em.auipc(tmp, em.address(target)) });
addForm('call', 'target', 8, (em, a) => farJump(em, X_RA, X_RA, a[0]));
addForm('call', 'rd,target', 8, (em, a) => farJump(em, regOf(a[0]), X_T1, a[1]));
addForm('tail', 'target', 8, (em, a) => farJump(em, X_ZERO, X_T1, a[0]));
addForm('jump', 'target,rt', 8, (em, a) => farJump(em, X_ZERO, regOf(a[1]), a[0]));
addForm('fence', '', 4, (em) => insn(em, 'fence', { imm: 0xff }));
addForm('fence.tso', '', 4, (em) => em.word((em.encodeRow('fence', { imm: 0x33 }) | FENCE_FM_TSO) >>> 0));

// `.insn` (GNU as "RISC-V Instruction Formats"): a table row of the same format supplies the
// operand fields; the opcode and function fields come from the source.
const insnFields = (em: Emitter, baseRow: string, o: Operands, opcode: number, f3: number, f7: number): void => {
  const row = TABLE[OPS[baseRow]!]!;
  em.word(((em.encodeRow(baseRow, o) & ~row.mask) | opcode | (f3 << 12) | (f7 << 25)) >>> 0);
};
const funct3 = (em: Emitter, a: Arg | undefined): number => em.int(a, 0, 7, 'funct3');
addForm('.insn r', 'opcode,funct3,funct7,rd,rs1,rs2', 4, (em, a) =>
  insnFields(em, 'add', { rd: regOf(a[3]), rs1: regOf(a[4]), rs2: regOf(a[5]) }, em.opcode(a[0]), funct3(em, a[1]), em.int(a[2], 0, 127, 'funct7')));
addForm('.insn i', 'opcode,funct3,rd,rs1,simm12', 4, (em, a) =>
  insnFields(em, 'addi', { rd: regOf(a[2]), rs1: regOf(a[3]), imm: em.int(a[4], -2048, 2047, 'immediate') }, em.opcode(a[0]), funct3(em, a[1]), 0));
addForm('.insn i', 'opcode,funct3,rd,imm(rs1)', 4, (em, a) =>
  insnFields(em, 'addi', { rd: regOf(a[2]), rs1: memOf(a[3]).reg, imm: em.offset(a[3]) }, em.opcode(a[0]), funct3(em, a[1]), 0));
addForm('.insn s', 'opcode,funct3,rs2,imm(rs1)', 4, (em, a) =>
  insnFields(em, 'sw', { rs2: regOf(a[2]), rs1: memOf(a[3]).reg, imm: em.offset(a[3]) }, em.opcode(a[0]), funct3(em, a[1]), 0));
addForm('.insn b', 'opcode,funct3,rs1,rs2,target', 4, (em, a) =>
  insnFields(em, 'beq', { rs1: regOf(a[2]), rs2: regOf(a[3]), imm: em.target(a[4], Fmt.B) }, em.opcode(a[0]), funct3(em, a[1]), 0));
addForm('.insn u', 'opcode,rd,uimm20', 4, (em, a) =>
  insnFields(em, 'lui', { rd: regOf(a[1]), imm: em.upper(a[2], false) }, em.opcode(a[0]), 0, 0));
addForm('.insn j', 'opcode,rd,target', 4, (em, a) =>
  insnFields(em, 'jal', { rd: regOf(a[1]), imm: em.target(a[2], Fmt.J) }, em.opcode(a[0]), 0, 0));
const rawInsn = (em: Emitter, a: Arg | undefined): void => {
  const w = em.int(a, -(2 ** 31), 2 ** 32 - 1, 'instruction word') >>> 0;
  // Only 32-bit encodings: inst[1:0] = 11 and inst[4:2] != 111 (spec "Expanded Instruction-Length Encoding").
  if ((w & 3) !== 3 || ((w >>> 2) & 7) === 7) em.error(a, `0x${w.toString(16)} is not a 32-bit instruction encoding`);
  em.word(w);
};
addForm('.insn', 'word', 4, (em, a) => rawInsn(em, a[0]));
addForm('.insn', 'length,word', 4, (em, a) => {
  em.int(a[0], 4, 4, 'instruction length');
  rawInsn(em, a[1]);
});
const INSN_FORMATS: Record<string, string> = { r: 'r', i: 'i', s: 's', b: 'b', sb: 'b', u: 'u', j: 'j', uj: 'j' };

// ---------------------------------------------------------------------------------------------
// Statements

interface StmtAt { readonly line: number; readonly col: number }
interface InsnStmt extends StmtAt {
  readonly kind: 'insn';
  readonly form: Form;
  readonly args: readonly Arg[];
  /** Contains %pcrel_lo, so it is encoded after every auipc has been seen. */
  readonly deferred: boolean;
  sect: Sect;
  off: number;
  size: number;
}
interface DataStmt extends StmtAt { readonly kind: 'data'; readonly width: 1 | 2 | 4 | 8; readonly items: readonly Expr[]; sect: Sect; off: number }
interface BytesStmt extends StmtAt { readonly kind: 'bytes'; readonly bytes: Uint8Array; sect: Sect; off: number }
interface SpaceStmt extends StmtAt { readonly kind: 'space'; readonly count: Expr; readonly fill: Expr | null; sect: Sect; off: number; n: number; fillByte: number }
interface AlignStmt extends StmtAt {
  readonly kind: 'align';
  /** Alignment in bytes, or its log2 when `pow2`. */
  readonly amount: Expr;
  readonly pow2: boolean;
  readonly fill: Expr | null;
  readonly max: Expr | null;
  sect: Sect;
  off: number;
  pad: number;
  fillByte: number | null;
}
type Stmt =
  | InsnStmt | DataStmt | BytesStmt | SpaceStmt | AlignStmt
  | StmtAt & { readonly kind: 'label'; readonly name: string; readonly shown: string }
  | StmtAt & { readonly kind: 'set'; readonly name: string; readonly expr: Expr; readonly once: boolean }
  | StmtAt & { readonly kind: 'section'; readonly sect: Sect }
  | StmtAt & { readonly kind: 'size'; readonly name: string; readonly expr: Expr };

interface Segment { readonly line: number; readonly col: number; readonly text: string }

/**
 * Split source into statements: comments (`#`, `//`, `/* *\/`) become spaces so columns stay
 * true, and `;` separates statements on a line.
 */
function splitStatements(src: string): Segment[] {
  const out: Segment[] = [];
  const lines = src.split(/\r\n|\n|\r/);
  let inBlock = false;
  for (let ln = 0; ln < lines.length; ln++) {
    const s = lines[ln]!;
    let text = '';
    let start = 0;
    const push = (): void => {
      const seg = text.slice(start);
      if (seg.trim() !== '') out.push({ line: ln + 1, col: start + 1, text: seg });
    };
    let j = 0;
    while (j < s.length) {
      if (inBlock) {
        if (s.startsWith('*/', j)) { inBlock = false; text += '  '; j += 2; } else { text += ' '; j++; }
        continue;
      }
      const c = s[j]!;
      if (c === '"') {
        let k = j + 1;
        while (k < s.length && s[k] !== '"') k += s[k] === '\\' ? 2 : 1;
        k = Math.min(k + 1, s.length);
        text += s.slice(j, k);
        j = k;
        continue;
      }
      if (c === "'") {
        let k = j + 1 + (s[j + 1] === '\\' ? 2 : 1);
        if (s[k] === "'") k++;
        k = Math.min(k, s.length);
        text += s.slice(j, k);
        j = k;
        continue;
      }
      if (c === '#' || s.startsWith('//', j)) break;
      if (s.startsWith('/*', j)) { inBlock = true; text += '  '; j += 2; continue; }
      if (c === ';') { push(); text += ' '; start = text.length; j++; continue; }
      text += c;
      j++;
    }
    push();
  }
  return out;
}

/** Split an operand list on top-level commas, keeping each operand's column. */
function splitOperands(text: string, col0: number, line: number): Operand[] {
  const out: Operand[] = [];
  if (text.trim() === '') return out;
  let depth = 0, start = 0;
  const push = (end: number): void => {
    const raw = text.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    out.push({ text: raw.trim(), col: col0 + start + lead });
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      const open = i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      if (i >= text.length) throw new SrcError(line, col0 + open, 'unterminated string');
    } else if (c === "'") {
      i += text[i + 1] === '\\' ? 2 : 1;
      if (text[i + 1] === "'") i++;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) { push(i); start = i + 1; }
  }
  push(text.length);
  return out;
}

function parseString(op: Operand, line: number): number[] {
  const s = op.text;
  if (s[0] !== '"' || s.length < 2 || s[s.length - 1] !== '"') throw new SrcError(line, op.col, 'expected a string in double quotes');
  const bytes: number[] = [];
  const utf8 = new TextEncoder();
  for (let i = 1; i < s.length - 1;) {
    if (s[i] === '\\') {
      const [b, j] = escape(s, i + 1);
      bytes.push(b);
      i = j;
    } else {
      const cp = s.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      for (const b of utf8.encode(ch)) bytes.push(b);
      i += ch.length;
    }
  }
  return bytes;
}

function isRegister(text: string): boolean { return REGS.has(text); }

/** Classify one operand for a slot; an error message (not thrown) when it does not fit. */
function matchSlot(kind: SlotKind, op: Operand, line: number, locals: LocalLabels): Arg | SrcError {
  const bad = (msg: string): SrcError => new SrcError(line, op.col, msg);
  const t = op.text;
  if (t === '') return bad('missing operand');
  switch (kind) {
    case 'reg': {
      const r = REGS.get(t);
      if (r !== undefined) return { kind: 'reg', reg: r, col: op.col };
      return bad(/^[A-Za-z_.$][\w.$]*$/.test(t) ? `bad register '${t}'` : `expected a register, got '${t}'`);
    }
    case 'fence': {
      // An empty set: objdump spells it `unknown`; `0` is accepted too.
      if (t === '0' || t === 'unknown') return { kind: 'fence', bits: 0, col: op.col };
      if (!/^[iorw]+$/.test(t) || new Set(t).size !== t.length) return bad(`bad fence set '${t}' (letters from "iorw")`);
      const bits = (t.includes('i') ? 8 : 0) | (t.includes('o') ? 4 : 0) | (t.includes('r') ? 2 : 0) | (t.includes('w') ? 1 : 0);
      return { kind: 'fence', bits, col: op.col };
    }
    case 'mem': {
      if (t.endsWith(')')) {
        let depth = 0, open = -1;
        for (let i = t.length - 1; i >= 0; i--) {
          if (t[i] === ')') depth++;
          else if (t[i] === '(' && --depth === 0) { open = i; break; }
        }
        const inner = open >= 0 ? t.slice(open + 1, -1).trim() : '';
        const reg = REGS.get(inner);
        if (reg !== undefined) {
          const offText = t.slice(0, open);
          if (offText.trim() === '') return { kind: 'mem', off: null, reg, col: op.col };
          try {
            return { kind: 'mem', off: ExprParser.parse(offText, line, op.col, locals), reg, col: op.col };
          } catch (e) {
            if (e instanceof SrcError) return e;
            throw e;
          }
        }
        if (open >= 0 && /^[A-Za-z_.$][\w.$]*$/.test(inner) && !t.startsWith('(')) return bad(`bad register '${inner}'`);
      }
      return bad(`expected an address 'offset(register)', got '${t}'`);
    }
    case 'expr': {
      if (isRegister(t)) return bad(`expected an expression, got register '${t}'`);
      try {
        return { kind: 'expr', e: ExprParser.parse(t, line, op.col, locals), col: op.col };
      } catch (e) {
        if (e instanceof SrcError) return e;
        throw e;
      }
    }
  }
}

/** Pick the form whose slots all fit; otherwise report the best near miss. */
function matchForm(name: string, forms: readonly Form[], ops: readonly Operand[], line: number, col: number, locals: LocalLabels): { form: Form; args: Arg[] } {
  let best: { score: number; err: SrcError } | null = null;
  for (const form of forms) {
    if (form.slots.length !== ops.length) continue;
    const args: Arg[] = [];
    let err: SrcError | null = null;
    for (let i = 0; i < ops.length; i++) {
      const a = matchSlot(form.slots[i]!, ops[i]!, line, locals);
      if (a instanceof SrcError) { err = a; break; }
      args.push(a);
    }
    if (err === null) return { form, args };
    if (best === null || args.length > best.score) best = { score: args.length, err };
  }
  if (best) throw best.err;
  const expected = forms.map((f) => (f.syntax === '' ? 'no operands' : f.syntax)).join(' or ');
  throw new SrcError(line, col, `wrong number of operands for '${name}' (expected ${expected})`);
}

const IGNORED_DIRECTIVES = new Set(['.file', '.ident', '.option', '.attribute', '.loc', '.addrsig', '.addrsig_sym', '.sleb128', '.uleb128']);
const DATA_WIDTH: Record<string, 1 | 2 | 4 | 8> = {
  '.byte': 1, '.half': 2, '.short': 2, '.2byte': 2, '.word': 4, '.long': 4, '.int': 4, '.4byte': 4, '.dword': 8, '.quad': 8, '.8byte': 8,
};

interface SymMeta { global: 'global' | 'local' | 'weak' | null; type: 'notype' | 'func' | 'object'; line: number; col: number }

/** Pass 0: turn text into statements, resolving local labels, forms and section switches. */
class Parser {
  readonly stmts: Stmt[] = [];
  readonly meta = new Map<string, SymMeta>();
  private readonly locals = new LocalLabels();
  private cur: Sect = Sect.TEXT;
  private prev: Sect = Sect.TEXT;
  private readonly stack: Sect[] = [];
  private ended = false;

  parse(src: string): void {
    for (const seg of splitStatements(src)) {
      if (this.ended) break;
      this.statement(seg);
    }
  }

  private metaOf(name: string, line: number, col: number): SymMeta {
    let m = this.meta.get(name);
    if (!m) { m = { global: null, type: 'notype', line, col }; this.meta.set(name, m); }
    return m;
  }

  private expr(op: Operand | undefined, line: number, col: number, what: string): Expr {
    if (!op || op.text === '') throw new SrcError(line, op?.col ?? col, `missing ${what}`);
    return ExprParser.parse(op.text, line, op.col, this.locals);
  }

  private optExpr(op: Operand | undefined, line: number): Expr | null {
    return !op || op.text === '' ? null : ExprParser.parse(op.text, line, op.col, this.locals);
  }

  private symName(op: Operand | undefined, line: number, col: number): string {
    if (!op || !/^[A-Za-z_.$][\w.$]*$/.test(op.text)) throw new SrcError(line, op?.col ?? col, `expected a symbol name${op ? `, got '${op.text}'` : ''}`);
    return op.text;
  }

  private switchTo(sect: Sect, line: number, col: number): void {
    this.prev = this.cur;
    this.cur = sect;
    this.stmts.push({ kind: 'section', sect, line, col });
  }

  private statement(seg: Segment): void {
    const { line, text } = seg;
    let i = 0;
    const ws = (): void => { while (i < text.length && /\s/.test(text[i]!)) i++; };
    ws();
    // Labels.
    for (;;) {
      const m = /^([A-Za-z_.$][\w.$]*|[0-9]+)\s*:/.exec(text.slice(i));
      if (!m) break;
      const col = seg.col + i;
      const raw = m[1]!;
      if (/^[0-9]+$/.test(raw)) this.stmts.push({ kind: 'label', name: this.locals.define(raw), shown: raw, line, col });
      else this.stmts.push({ kind: 'label', name: raw, shown: raw, line, col });
      i += m[0].length;
      ws();
    }
    if (i >= text.length) return;
    const col = seg.col + i;
    IDENT.lastIndex = i;
    const head = IDENT.exec(text);
    if (!head) throw new SrcError(line, col, `expected an instruction, directive or label, got '${text.slice(i).trim()}'`);
    const name = head[0];
    i = IDENT.lastIndex;
    ws();
    // NAME = expr
    if (text[i] === '=' && text[i + 1] !== '=') {
      i++;
      const expr = ExprParser.parse(text.slice(i), line, seg.col + i, this.locals);
      this.stmts.push({ kind: 'set', name, expr, once: false, line, col });
      return;
    }
    const ops = splitOperands(text.slice(i), seg.col + i, line);
    if (name.startsWith('.') && name !== '.insn') this.directive(name.toLowerCase(), ops, line, col);
    else this.instruction(name, ops, line, col);
  }

  private instruction(name: string, ops: Operand[], line: number, col: number): void {
    let key = name;
    if (name === '.insn' && ops.length > 0) {
      const m = /^([a-z]+)\s+/.exec(ops[0]!.text);
      if (m && Object.hasOwn(INSN_FORMATS, m[1]!)) {
        key = `.insn ${INSN_FORMATS[m[1]!]}`;
        ops[0] = { text: ops[0]!.text.slice(m[0].length), col: ops[0]!.col + m[0].length };
      } else if (m || Object.hasOwn(INSN_FORMATS, ops[0]!.text)) {
        throw new SrcError(line, ops[0]!.col, `unknown .insn format '${m ? m[1] : ops[0]!.text}'`);
      }
    }
    const forms = FORMS.get(key);
    if (!forms) throw new SrcError(line, col, `unknown instruction '${name}'`);
    const { form, args } = matchForm(name, forms, ops, line, col, this.locals);
    const deferred = args.some((a) => (a.kind === 'expr' && usesPcrelLo(a.e)) || (a.kind === 'mem' && a.off !== null && usesPcrelLo(a.off)));
    this.stmts.push({ kind: 'insn', form, args, deferred, line, col, sect: Sect.TEXT, off: 0, size: 0 });
  }

  private directive(name: string, ops: Operand[], line: number, col: number): void {
    const width = DATA_WIDTH[name];
    if (width !== undefined) {
      const items = ops.map((op) => this.expr(op, line, col, 'value'));
      this.stmts.push({ kind: 'data', width, items, line, col, sect: Sect.TEXT, off: 0 });
      return;
    }
    if (IGNORED_DIRECTIVES.has(name) || name.startsWith('.cfi_')) return;
    switch (name) {
      case '.text': this.switchTo(Sect.TEXT, line, col); return;
      case '.data': this.switchTo(Sect.DATA, line, col); return;
      case '.bss': this.switchTo(Sect.BSS, line, col); return;
      case '.rodata': this.switchTo(Sect.RODATA, line, col); return;
      case '.section': case '.pushsection': {
        const sname = ops[0]?.text.replace(/^"(.*)"$/, '$1');
        if (!sname) throw new SrcError(line, col, 'missing section name');
        const flagsOp = ops[1]?.text;
        const flags = flagsOp === undefined ? null : flagsOp.replace(/^"(.*)"$/, '$1');
        const nobits = ops.slice(2).some((o) => /^[@%]nobits$/.test(o.text));
        const sect = sectionFor(sname, flags, nobits);
        if (sect === null) throw new SrcError(line, ops[0]!.col, `unknown section '${sname}' (give flags, e.g. .section ${sname},"aw")`);
        if (name === '.pushsection') this.stack.push(this.cur);
        this.switchTo(sect, line, col);
        return;
      }
      case '.popsection': {
        const s = this.stack.pop();
        if (s === undefined) throw new SrcError(line, col, '.popsection without .pushsection');
        this.switchTo(s, line, col);
        return;
      }
      case '.previous': this.switchTo(this.prev, line, col); return;
      case '.globl': case '.global': case '.local': case '.weak':
        for (const op of ops) {
          const m = this.metaOf(this.symName(op, line, col), line, op.col);
          m.global = name === '.local' ? 'local' : name === '.weak' ? 'weak' : 'global';
          m.line = line;
          m.col = op.col;
        }
        return;
      case '.type': {
        const sym = this.symName(ops[0], line, col);
        const t = ops[1]?.text.replace(/^[@%"]|"$/g, '');
        const m = this.metaOf(sym, line, ops[0]!.col);
        if (t === 'function' || t === 'STT_FUNC') m.type = 'func';
        else if (t === 'object' || t === 'STT_OBJECT') m.type = 'object';
        else if (t === 'notype' || t === 'STT_NOTYPE') m.type = 'notype';
        else throw new SrcError(line, ops[1]?.col ?? col, `unknown symbol type '${ops[1]?.text ?? ''}'`);
        return;
      }
      case '.size': {
        const sym = this.symName(ops[0], line, col);
        this.stmts.push({ kind: 'size', name: sym, expr: this.expr(ops[1], line, col, 'size'), line, col });
        return;
      }
      case '.equ': case '.set': case '.equiv': {
        const sym = this.symName(ops[0], line, col);
        if (ops.length !== 2) throw new SrcError(line, col, `${name} takes a name and an expression`);
        this.stmts.push({ kind: 'set', name: sym, expr: this.expr(ops[1], line, col, 'value'), once: name === '.equiv', line, col: ops[0]!.col });
        return;
      }
      case '.ascii': case '.asciz': case '.string': {
        const bytes: number[] = [];
        for (const op of ops) {
          bytes.push(...parseString(op, line));
          if (name !== '.ascii') bytes.push(0);
        }
        this.stmts.push({ kind: 'bytes', bytes: Uint8Array.from(bytes), line, col, sect: Sect.TEXT, off: 0 });
        return;
      }
      case '.zero': case '.space': case '.skip': {
        if (ops.length < 1 || ops.length > 2 || (name === '.zero' && ops.length !== 1)) throw new SrcError(line, col, `${name} takes a size${name === '.zero' ? '' : ' and an optional fill byte'}`);
        this.stmts.push({ kind: 'space', count: this.expr(ops[0], line, col, 'size'), fill: this.optExpr(ops[1], line), line, col, sect: Sect.TEXT, off: 0, n: 0, fillByte: 0 });
        return;
      }
      case '.align': case '.p2align': case '.balign': {
        if (ops.length < 1 || ops.length > 3) throw new SrcError(line, col, `${name} takes an alignment, an optional fill and an optional maximum`);
        this.stmts.push({
          kind: 'align', amount: this.expr(ops[0], line, col, 'alignment'), pow2: name !== '.balign',
          fill: this.optExpr(ops[1], line), max: this.optExpr(ops[2], line), line, col, sect: Sect.TEXT, off: 0, pad: 0, fillByte: null,
        });
        return;
      }
      case '.end': this.ended = true; return;
      default: throw new SrcError(line, col, `unknown directive '${name}'`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Symbols and the two passes

interface Val { readonly v: bigint; readonly sect: number }

interface Sym {
  readonly name: string;
  readonly shown: string;
  readonly kind: 'label' | 'equ';
  readonly line: number;
  readonly col: number;
  /** Pass 1: section of a label or a section-relative .equ (ABS otherwise), and its offset/value. */
  sect: number;
  off: bigint;
  /** A .equ whose value was not known at its (last) definition: evaluated after layout. */
  lazy: Expr | null;
  lazyDot: Val | null;
  /** Absolute value after layout. */
  final: bigint | null;
  resolving: boolean;
  /** A .equ's value at the current point of pass 2. */
  p2: bigint | null;
}

const isInternal = (name: string): boolean => name.includes(':');

class Assembler implements Emitter {
  private readonly syms = new Map<string, Sym>();
  private readonly loc = new Array<number>(NSECT).fill(0);
  private readonly align = [4, 1, 1, 1, 1];
  private readonly base = new Array<number>(NSECT).fill(0);
  private readonly size = new Array<number>(NSECT).fill(0);
  private bufs: Uint8Array[] = [];
  private cur: Sect = Sect.TEXT;
  /** Where the statement being processed is, for messages. */
  line = 1;
  col = 1;
  // Pass 2 emission state.
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private pc = 0;
  private stmtPc = 0;
  /** Section sizes before tail padding (pass 1's final location counters). */
  private readonly used = new Array<number>(NSECT).fill(0);
  /** auipc address -> the pc-relative value its %pcrel_hi encoded (for %pcrel_lo). */
  private readonly pcrelHi = new Map<number, number>();
  private readonly sizes = new Map<string, number>();
  /** Depth of nested forward-.equ resolution. */
  private chain = 0;

  constructor(private readonly textBase: number) {}

  run(src: string): AsmOutput {
    const parser = new Parser();
    parser.parse(src);
    this.pass1(parser.stmts);
    this.layout();
    this.pass2(parser.stmts);
    return this.output(parser.meta);
  }

  private fail(msg: string, at?: { line: number; col: number }): never {
    throw new SrcError(at?.line ?? this.line, at?.col ?? this.col, msg);
  }

  // --- pass 1: sizes and label offsets -------------------------------------------------------

  /** Value in pass 1, or null when it depends on something not yet known. */
  private eval1(e: Expr): Val | null {
    switch (e.k) {
      case 'num': return { v: e.v, sect: ABS };
      case 'dot': return { v: BigInt(this.loc[this.cur]!), sect: this.cur };
      case 'sym': {
        const s = this.syms.get(e.name);
        if (!s || s.lazy !== null) return null;
        return { v: s.off, sect: s.sect };
      }
      case 'neg': case 'not': {
        const a = this.eval1(e.a);
        if (!a || a.sect !== ABS) return null;
        return { v: e.k === 'neg' ? wrap64(-a.v) : ~a.v, sect: ABS };
      }
      case 'bin': {
        const a = this.eval1(e.a), b = this.eval1(e.b);
        if (!a || !b) return null;
        if (e.op === '+' && (a.sect === ABS || b.sect === ABS)) return { v: wrap64(a.v + b.v), sect: a.sect === ABS ? b.sect : a.sect };
        if (e.op === '-' && b.sect === ABS) return { v: wrap64(a.v - b.v), sect: a.sect };
        if (e.op === '-' && a.sect === b.sect) return { v: wrap64(a.v - b.v), sect: ABS };
        if (a.sect !== ABS || b.sect !== ABS) return null;
        return { v: binop(e.op, a.v, b.v, e), sect: ABS };
      }
      case 'reloc': {
        if (e.op === 'pcrel_hi' || e.op === 'pcrel_lo') return null;
        const a = this.eval1(e.a);
        if (!a || a.sect !== ABS) return null;
        const v = Number(BigInt.asIntN(32, a.v));
        return { v: BigInt(e.op === 'hi' ? hi20(v) : sext12(v)), sect: ABS };
      }
    }
  }

  private const1(e: Expr, what: string, lo: number, hi: number): number {
    const v = this.eval1(e);
    if (!v || v.sect !== ABS) this.fail(`${what} must be a constant known at this point`, e);
    if (v.v < BigInt(lo) || v.v > BigInt(hi)) this.fail(`${what} ${v.v} out of range [${lo}, ${hi}]`, e);
    return Number(v.v);
  }

  private defineLabel(name: string, shown: string): void {
    const old = this.syms.get(name);
    if (old) this.fail(`symbol '${shown}' is already defined (at line ${old.line})`);
    this.syms.set(name, { name, shown, kind: 'label', line: this.line, col: this.col, sect: this.cur, off: BigInt(this.loc[this.cur]!), lazy: null, lazyDot: null, final: null, resolving: false, p2: null });
  }

  private defineEqu(name: string, expr: Expr, once: boolean): void {
    const old = this.syms.get(name);
    if (old && (old.kind === 'label' || once)) this.fail(`symbol '${old.shown}' is already defined (at line ${old.line})`);
    const v = this.eval1(expr);
    const s: Sym = old ?? { name, shown: name, kind: 'equ', line: this.line, col: this.col, sect: ABS, off: 0n, lazy: null, lazyDot: null, final: null, resolving: false, p2: null };
    if (v) { s.sect = v.sect; s.off = v.v; s.lazy = null; s.lazyDot = null; }
    else { s.lazy = expr; s.lazyDot = { v: BigInt(this.loc[this.cur]!), sect: this.cur }; }
    this.syms.set(name, s);
  }

  private place(st: { sect: Sect; off: number }, bytes: number): void {
    st.sect = this.cur;
    st.off = this.loc[this.cur]!;
    this.loc[this.cur]! += bytes;
    if (this.loc[this.cur]! > MAX_SECTION) this.fail(`section too large (limit ${MAX_SECTION >>> 20} MiB)`);
  }

  private pass1(stmts: readonly Stmt[]): void {
    const value = (e: Expr): bigint | null => {
      const v = this.eval1(e);
      return v && v.sect === ABS ? v.v : null;
    };
    for (const st of stmts) {
      this.line = st.line;
      this.col = st.col;
      switch (st.kind) {
        case 'label': this.defineLabel(st.name, st.shown); break;
        case 'set': this.defineEqu(st.name, st.expr, st.once); break;
        case 'section': this.cur = st.sect; break;
        case 'size': break;
        case 'insn': {
          if (this.cur === Sect.BSS) this.fail('instructions are not allowed in .bss');
          if (this.loc[this.cur]! % 4 !== 0) this.fail(`instruction at offset 0x${this.loc[this.cur]!.toString(16)} is not 4-byte aligned`);
          if (st.form.name === 'li') this.liRange(st.args[1]);
          st.size = typeof st.form.size === 'number' ? st.form.size : st.form.size(value, st.args);
          this.place(st, st.size);
          this.align[this.cur] = Math.max(this.align[this.cur]!, 4);
          break;
        }
        case 'data':
          if (this.cur === Sect.BSS) this.fail('initialised data is not allowed in .bss (use .zero or .space)');
          this.place(st, st.width * st.items.length);
          break;
        case 'bytes':
          if (this.cur === Sect.BSS) this.fail('initialised data is not allowed in .bss (use .zero or .space)');
          this.place(st, st.bytes.length);
          break;
        case 'space': {
          st.n = this.const1(st.count, 'size', 0, MAX_SECTION);
          st.fillByte = st.fill ? this.const1(st.fill, 'fill value', -128, 255) & 0xff : 0;
          if (this.cur === Sect.BSS && st.fillByte !== 0) this.fail('.bss can only be filled with zeros', st.fill ?? st);
          this.place(st, st.n);
          break;
        }
        case 'align': {
          const amount = st.pow2 ? this.const1(st.amount, 'alignment', 0, 12) : this.const1(st.amount, 'alignment', 1, MAX_ALIGN);
          const bytes = st.pow2 ? 2 ** amount : amount;
          if (bytes & (bytes - 1)) this.fail(`alignment ${bytes} is not a power of 2`, st.amount);
          st.fillByte = st.fill ? this.const1(st.fill, 'fill value', -128, 255) & 0xff : null;
          if (this.cur === Sect.BSS && st.fillByte) this.fail('.bss can only be filled with zeros', st.fill ?? st);
          const max = st.max ? this.const1(st.max, 'maximum padding', 0, MAX_ALIGN) : MAX_ALIGN;
          const loc = this.loc[this.cur]!;
          const pad = (bytes - (loc % bytes)) % bytes;
          st.pad = pad <= max ? pad : 0;
          this.align[this.cur] = Math.max(this.align[this.cur]!, bytes);
          this.place(st, st.pad);
          break;
        }
      }
    }
  }

  private liRange(a: Arg | undefined): void {
    const v = this.eval1(exprOf(a).e);
    if (v && v.sect === ABS && (v.v < -(2n ** 31n) || v.v >= 2n ** 32n)) this.fail(`immediate ${v.v} out of range for li [-2147483648, 4294967295]`, exprOf(a).e);
  }

  // --- layout ---------------------------------------------------------------------------------

  private layout(): void {
    const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;
    // GNU as pads a code section to its alignment (with NOPs); data sections keep their size.
    for (let s = 0; s < NSECT; s++) {
      this.used[s] = this.loc[s]!;
      this.size[s] = s === Sect.TEXT ? alignUp(this.loc[s]!, this.align[s]!) : this.loc[s]!;
    }
    this.base[Sect.TEXT] = this.textBase;
    this.base[Sect.RODATA] = alignUp(this.textBase + this.size[Sect.TEXT]!, PAGE);
    this.base[Sect.DATA] = alignUp(this.base[Sect.RODATA]! + this.size[Sect.RODATA]!, PAGE);
    this.base[Sect.BSS] = alignUp(this.base[Sect.DATA]! + this.size[Sect.DATA]!, Math.max(4, this.align[Sect.BSS]!));
    this.base[Sect.DISCARD] = 0;
    if (this.base[Sect.BSS]! + this.size[Sect.BSS]! > 2 ** 32) this.fail('program does not fit in the 32-bit address space', { line: 1, col: 1 });
    for (const s of this.syms.values()) {
      if (s.kind === 'label') s.final = BigInt(this.base[s.sect]!) + s.off;
      else if (s.lazy === null) s.final = s.sect === ABS ? s.off : BigInt(this.base[s.sect]!) + s.off;
    }
    for (const s of this.syms.values()) this.resolve(s);
  }

  /** Final value of a symbol, evaluating a forward-referencing .equ on first use. */
  private resolve(s: Sym): bigint {
    if (s.final !== null) return s.final;
    const lazy = s.lazy!;
    if (s.resolving) this.fail(`symbol '${s.shown}' is defined in terms of itself`, { line: s.line, col: s.col });
    if (++this.chain > MAX_EQU_CHAIN) this.fail(`symbol '${s.shown}': .equ definitions nest more than ${MAX_EQU_CHAIN} deep`, { line: s.line, col: s.col });
    s.resolving = true;
    const dot = s.lazyDot!;
    s.final = this.eval2(lazy, BigInt(this.base[dot.sect]!) + dot.v, false);
    s.resolving = false;
    this.chain--;
    return s.final;
  }

  // --- pass 2: bytes ---------------------------------------------------------------------------

  /** Absolute value of an expression once every address is known; `dot` is the value of `.`. */
  private eval2(e: Expr, dot: bigint, useP2 = true): bigint {
    switch (e.k) {
      case 'num': return e.v;
      case 'dot': return dot;
      case 'sym': {
        const s = this.syms.get(e.name);
        if (!s) this.fail(isInternal(e.name) ? `undefined local label '${e.shown}'` : `undefined symbol '${e.shown}'`, e);
        if (s.kind === 'label' && s.sect === Sect.DISCARD) this.fail(`symbol '${e.shown}' is in a discarded section`, e);
        if (useP2 && s.p2 !== null) return s.p2;
        return this.resolve(s);
      }
      case 'neg': return wrap64(-this.eval2(e.a, dot, useP2));
      case 'not': return ~this.eval2(e.a, dot, useP2);
      case 'bin': return binop(e.op, this.eval2(e.a, dot, useP2), this.eval2(e.b, dot, useP2), e);
      case 'reloc': {
        const v = Number(BigInt.asIntN(32, this.eval2(e.a, dot, useP2)));
        switch (e.op) {
          case 'hi': return BigInt(hi20(v));
          case 'lo': return BigInt(sext12(v));
          case 'pcrel_hi': return BigInt(hi20((v - this.pc) | 0));
          case 'pcrel_lo': {
            const hiValue = this.pcrelHi.get(v >>> 0);
            if (hiValue === undefined) this.fail(`%pcrel_lo: no auipc with %pcrel_hi at 0x${(v >>> 0).toString(16)}`, e);
            return BigInt(sext12(hiValue));
          }
        }
      }
    }
  }

  private pass2(stmts: readonly Stmt[]): void {
    this.loc.fill(0);
    this.bufs = this.size.map((n, s) => new Uint8Array(s === Sect.BSS ? 0 : n));
    this.cur = Sect.TEXT;
    const deferred: InsnStmt[] = [];
    for (const st of stmts) {
      this.line = st.line;
      this.col = st.col;
      switch (st.kind) {
        case 'label': break;
        case 'section': this.cur = st.sect; break;
        case 'set': this.syms.get(st.name)!.p2 = this.eval2(st.expr, BigInt(this.base[this.cur]! + this.loc2())); break;
        case 'size': this.sizes.set(st.name, Number(BigInt.asUintN(32, this.eval2(st.expr, BigInt(this.base[this.cur]! + this.loc2()))))); break;
        case 'insn':
          if (st.deferred) deferred.push(st);
          else this.emitInsn(st);
          break;
        case 'data': this.emitData(st); break;
        case 'bytes': this.bufs[st.sect]!.set(st.bytes, st.off); break;
        case 'space': if (st.sect !== Sect.BSS) this.bufs[st.sect]!.fill(st.fillByte, st.off, st.off + st.n); break;
        case 'align': if (st.sect !== Sect.BSS) this.fill(st.sect, st.off, st.off + st.pad, st.fillByte); break;
      }
      if (st.kind !== 'label' && st.kind !== 'section' && st.kind !== 'set' && st.kind !== 'size') this.loc[st.sect] = st.off + this.sizeOf(st);
    }
    for (const st of deferred) {
      this.line = st.line;
      this.col = st.col;
      this.emitInsn(st);
    }
    this.fill(Sect.TEXT, this.used[Sect.TEXT]!, this.size[Sect.TEXT]!, null);
  }

  private sizeOf(st: InsnStmt | DataStmt | BytesStmt | SpaceStmt | AlignStmt): number {
    switch (st.kind) {
      case 'insn': return st.size;
      case 'data': return st.width * st.items.length;
      case 'bytes': return st.bytes.length;
      case 'space': return st.n;
      case 'align': return st.pad;
    }
  }


  /** Location counter of the current section during pass 2 (for `.` in .set/.size). */
  private loc2(): number { return this.loc[this.cur]!; }

  /** Alignment padding: the fill byte, or in code GNU as's pattern (a zero byte, one C.NOP, then NOPs). */
  private fill(s: Sect, from: number, to: number, fillByte: number | null): void {
    const buf = this.bufs[s]!;
    if (fillByte !== null || s !== Sect.TEXT) { buf.fill(fillByte ?? 0, from, to); return; }
    let p = from;
    if ((to - p) % 2 === 1) buf[p++] = 0;
    if ((to - p) % 4 === 2) { buf[p] = C_NOP & 0xff; buf[p + 1] = C_NOP >>> 8; p += 2; }
    const nop = encode(OPS.addi!, {});
    for (; p + 4 <= to; p += 4) new DataView(buf.buffer).setUint32(p, nop, true);
  }

  private emitInsn(st: InsnStmt): void {
    this.buf = this.bufs[st.sect]!;
    this.pos = st.off;
    this.stmtPc = this.base[st.sect]! + st.off;
    this.pc = this.stmtPc;
    st.form.emit(this, st.args, st.size);
    if (this.pos - st.off !== st.size) throw new Error(`asm: ${st.form.name} emitted ${this.pos - st.off} bytes, sized ${st.size}`);
  }

  private emitData(st: DataStmt): void {
    const buf = this.bufs[st.sect]!;
    const view = new DataView(buf.buffer);
    const bits = st.width * 8;
    const lo = -(2n ** BigInt(bits - 1)), hi = 2n ** BigInt(bits) - 1n;
    st.items.forEach((e, k) => {
      const at = st.off + k * st.width;
      const v = this.eval2(e, BigInt(this.base[st.sect]! + at));
      if (st.width < 8 && (v < lo || v > hi)) this.fail(`value ${v} does not fit in ${st.width} byte${st.width > 1 ? 's' : ''}`, e);
      const u = BigInt.asUintN(bits, v);
      if (st.width === 8) view.setBigUint64(at, u, true);
      else if (st.width === 4) view.setUint32(at, Number(u), true);
      else if (st.width === 2) view.setUint16(at, Number(u), true);
      else view.setUint8(at, Number(u));
    });
  }

  // --- Emitter ---------------------------------------------------------------------------------

  private value(a: Arg | undefined): { v: bigint; at: At } {
    const x = exprOf(a);
    return { v: this.eval2(x.e, BigInt(this.stmtPc)), at: x.e };
  }

  int(a: Arg | undefined, lo: number, hi: number, what: string): number {
    const { v, at } = this.value(a);
    if (v < BigInt(lo) || v > BigInt(hi)) this.fail(`${what} ${v} out of range [${lo}, ${hi}]`, at);
    return Number(v);
  }

  error(a: Arg | undefined, msg: string): never {
    this.fail(msg, a ? { line: this.line, col: a.col } : undefined);
  }

  address(a: Arg | undefined): number {
    return this.int(a, -(2 ** 31), 2 ** 32 - 1, 'address') >>> 0;
  }

  li(a: Arg | undefined): number {
    return this.int(a, -(2 ** 31), 2 ** 32 - 1, 'immediate') | 0;
  }

  offset(a: Arg | undefined): number {
    const m = memOf(a);
    if (m.off === null) return 0;
    const v = this.eval2(m.off, BigInt(this.stmtPc));
    if (v < -2048n || v > 2047n) this.fail(`offset ${v} out of range [-2048, 2047]`, m.off);
    return Number(v);
  }

  target(a: Arg | undefined, fmt: Fmt): number {
    const { v, at } = this.value(a);
    const off = Number(BigInt.asIntN(32, v - BigInt(this.pc)));
    const reach = fmt === Fmt.J ? 1 << 20 : 1 << 12;
    const what = fmt === Fmt.J ? 'jump' : 'branch';
    if (off < -reach || off >= reach) this.fail(`${what} target out of range: offset ${off} not in [${-reach}, ${reach - 2}]`, at);
    if (off % 2 !== 0) this.fail(`${what} target 0x${(Number(BigInt.asUintN(32, v))).toString(16)} is not 2-byte aligned`, at);
    return off;
  }

  upper(a: Arg | undefined, auipc: boolean): number {
    const x = exprOf(a);
    const v = this.int(x, 0, 0xfffff, 'upper immediate');
    if (auipc && x.e.k === 'reloc' && x.e.op === 'pcrel_hi') {
      this.pcrelHi.set(this.pc >>> 0, Number(BigInt.asIntN(32, this.eval2(x.e.a, BigInt(this.stmtPc)) - BigInt(this.pc))));
    }
    return (v << 12) | 0;
  }

  opcode(a: Arg | undefined): number {
    const x = exprOf(a);
    if (x.e.k === 'sym') {
      const k = MAJOR_OPCODES.indexOf(x.e.name);
      if (k >= 0 && x.e.name !== '') return (k << 2) | 3;
    }
    const v = this.int(x, 0, 127, 'opcode');
    if ((v & 3) !== 3) this.fail(`opcode 0x${v.toString(16)} is not a 32-bit major opcode (low 2 bits must be 11)`, x.e);
    return v;
  }

  encodeRow(name: string, o: Operands): number {
    const op = OPS[name];
    if (op === undefined) throw new Error(`asm: no table row '${name}'`);
    try {
      return encode(op, o);
    } catch (e) {
      if (e instanceof EncodeError) this.fail(e.message);
      throw e;
    }
  }

  word(w: number): void {
    new DataView(this.buf.buffer).setUint32(this.pos, w >>> 0, true);
    this.pos += 4;
    this.pc += 4;
  }

  auipc(rd: number, target: number): number {
    const delta = (target - this.pc) | 0;
    this.pcrelHi.set(this.pc >>> 0, delta);
    this.word(this.encodeRow('auipc', { rd, imm: (hi20(delta) << 12) | 0 }));
    return sext12(delta);
  }

  // --- results ---------------------------------------------------------------------------------

  private output(meta: ReadonlyMap<string, SymMeta>): AsmOutput {
    for (const [name, m] of meta) {
      if (!this.syms.has(name)) this.fail(`symbol '${name}' is declared but never defined`, m);
    }
    const sections: AsmSection[] = SECT_NAMES.map((name, s) => ({
      name, vaddr: this.base[s]!, bytes: this.bufs[s]!, memsz: this.size[s]!, flags: SECT_FLAGS[s]!, align: this.align[s]!,
    }));
    const symbols = new Map<string, AsmSymbol>();
    for (const s of this.syms.values()) {
      if (isInternal(s.name) || (s.kind === 'label' && s.sect === Sect.DISCARD)) continue;
      const m = meta.get(s.name);
      const sect = s.kind === 'label' || s.lazy === null ? s.sect : ABS;
      symbols.set(s.name, {
        value: Number(BigInt.asUintN(32, s.final!)),
        section: sect === ABS || sect === Sect.DISCARD ? null : SECT_NAMES[sect]!,
        global: m?.global === 'global' || m?.global === 'weak',
        weak: m?.global === 'weak',
        type: m?.type ?? 'notype',
        size: this.sizes.get(s.name) ?? 0,
      });
    }
    const start = this.syms.get('_start');
    const entry = start ? Number(BigInt.asUintN(32, start.final!)) : this.base[Sect.TEXT]!;
    return { sections, symbols, entry };
  }
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
