// Directives and statements: pass 0 turns source text into a list of statements (labels,
// instructions matched to their form, data, section switches, symbol definitions).

import type { SectionName } from '../asm.js';
import { PF_R, PF_W, PF_X } from '../elf-write.js';
import { ExprParser, LocalLabels, usesPcrelLo, type Expr } from './expr.js';
import { FORMS, INSN_FORMATS, matchForm, type Arg, type Form } from './forms.js';
import { IDENT, SrcError, parseString, splitOperands, splitStatements, type Operand, type Segment } from './lex.js';

// Sections

export const enum Sect { TEXT, RODATA, DATA, BSS, DISCARD }
export const NSECT = 5;
/** The section of an absolute value. */
export const ABS = -1;
export const SECT_NAMES: readonly SectionName[] = ['.text', '.rodata', '.data', '.bss'];
export const SECT_FLAGS = [PF_R | PF_X, PF_R, PF_R | PF_W, PF_R | PF_W];
export const PAGE = 0x1000;
export const MAX_ALIGN = PAGE;
export const MAX_SECTION = 256 << 20;

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

// Statements

interface StmtAt { readonly line: number; readonly col: number }
export interface InsnStmt extends StmtAt {
  readonly kind: 'insn';
  readonly form: Form;
  readonly args: readonly Arg[];
  /** Contains %pcrel_lo, so it is encoded after every auipc has been seen. */
  readonly deferred: boolean;
  sect: Sect;
  off: number;
  size: number;
}
export interface DataStmt extends StmtAt { readonly kind: 'data'; readonly width: 1 | 2 | 4 | 8; readonly items: readonly Expr[]; sect: Sect; off: number }
export interface BytesStmt extends StmtAt { readonly kind: 'bytes'; readonly bytes: Uint8Array; sect: Sect; off: number }
export interface SpaceStmt extends StmtAt { readonly kind: 'space'; readonly count: Expr; readonly fill: Expr | null; sect: Sect; off: number; n: number; fillByte: number }
export interface AlignStmt extends StmtAt {
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
export type Stmt =
  | InsnStmt | DataStmt | BytesStmt | SpaceStmt | AlignStmt
  | StmtAt & { readonly kind: 'label'; readonly name: string; readonly shown: string }
  | StmtAt & { readonly kind: 'set'; readonly name: string; readonly expr: Expr; readonly once: boolean }
  | StmtAt & { readonly kind: 'section'; readonly sect: Sect }
  | StmtAt & { readonly kind: 'size'; readonly name: string; readonly expr: Expr };

const IGNORED_DIRECTIVES = new Set(['.file', '.ident', '.option', '.attribute', '.loc', '.addrsig', '.addrsig_sym', '.sleb128', '.uleb128']);
const DATA_WIDTH: Record<string, 1 | 2 | 4 | 8> = {
  '.byte': 1, '.half': 2, '.short': 2, '.2byte': 2, '.word': 4, '.long': 4, '.int': 4, '.4byte': 4, '.dword': 8, '.quad': 8, '.8byte': 8,
};

export interface SymMeta { global: 'global' | 'local' | 'weak' | null; type: 'notype' | 'func' | 'object'; line: number; col: number }

/** `name:` or `1:` at a given index (sticky: matched in place, no copy of the rest of the line). */
const LABEL = /([A-Za-z_.$][\w.$]*|[0-9]+)\s*:/y;

/** Pass 0: turn text into statements, resolving local labels, forms and section switches. */
export class Parser {
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
      LABEL.lastIndex = i;
      const m = LABEL.exec(text);
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
          parseString(op, line, bytes);
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
