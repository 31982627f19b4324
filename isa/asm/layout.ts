// Layout and relocations: pass 1 sizes every statement and places labels, layout gives each
// section its address, pass 2 evaluates every expression and writes the bytes.

import type { AsmOutput, AsmSection, AsmSymbol } from '../asm.js';
import { EncodeError, encode, type Operands } from '../encode.js';
import { Fmt, OPS } from '../table.js';
import {
  ABS, MAX_ALIGN, MAX_SECTION, NSECT, PAGE, Parser, SECT_FLAGS, SECT_NAMES, Sect,
  type AlignStmt, type BytesStmt, type DataStmt, type InsnStmt, type SpaceStmt, type Stmt, type SymMeta,
} from './directives.js';
import { binop, evalOrder, hi20, sext12, wrap64, type At, type BinOp, type Expr } from './expr.js';
import { C_NOP, MAJOR_OPCODES, exprOf, memOf, type Arg, type Emitter } from './forms.js';
import { SrcError } from './lex.js';

/** Limit on how deep forward-.equ definitions may nest (reported as an error past it). */
const MAX_EQU_CHAIN = 500;

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

/** One expression being evaluated: its nodes, the next one, and where its values start on the stack. */
interface Frame {
  readonly order: readonly Expr[];
  i: number;
  readonly base: number;
  readonly dot: bigint;
  readonly useP2: boolean;
  /** The .equ this frame computes, or null for an expression of a statement. */
  readonly sym: Sym | null;
}

const isInternal = (name: string): boolean => name.includes(':');

export class Assembler implements Emitter {
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
  /** Value stacks of the expression evaluators (reused; empty between evaluations). */
  private readonly vals1: (Val | null)[] = [];
  private readonly vals2: bigint[] = [];

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

  /**
   * Value in pass 1, or null when it depends on something not yet known. A loop over the
   * expression's evaluation order with a value stack: no recursion, whatever the input.
   */
  private eval1(e: Expr): Val | null {
    if (e.k === 'num') return { v: e.v, sect: ABS };
    const order = e.k === 'sym' || e.k === 'dot' ? [e] : evalOrder(e, true);
    const vals = this.vals1;
    const base = vals.length;
    for (let i = 0; i < order.length; i++) {
      const n = order[i]!;
      switch (n.k) {
        case 'num': vals.push({ v: n.v, sect: ABS }); break;
        case 'dot': vals.push({ v: BigInt(this.loc[this.cur]!), sect: this.cur }); break;
        case 'sym': {
          const s = this.syms.get(n.name);
          vals.push(!s || s.lazy !== null ? null : { v: s.off, sect: s.sect });
          break;
        }
        case 'neg': case 'not': {
          const a = vals.pop()!;
          vals.push(!a || a.sect !== ABS ? null : { v: n.k === 'neg' ? wrap64(-a.v) : ~a.v, sect: ABS });
          break;
        }
        case 'bin': {
          const b = vals.pop()!, a = vals.pop()!;
          vals.push(this.bin1(n.op, a, b, n));
          break;
        }
        case 'reloc': {
          if (n.op === 'pcrel_hi' || n.op === 'pcrel_lo') { vals.push(null); break; }
          const a = vals.pop()!;
          if (!a || a.sect !== ABS) { vals.push(null); break; }
          const v = Number(BigInt.asIntN(32, a.v));
          vals.push({ v: BigInt(n.op === 'hi' ? hi20(v) : sext12(v)), sect: ABS });
          break;
        }
      }
    }
    const v = vals.pop()!;
    if (vals.length !== base) throw new Error('asm: unbalanced pass-1 evaluation');
    return v;
  }

  /** A binary operator in pass 1: section-relative values survive + and - only. */
  private bin1(op: BinOp, a: Val | null, b: Val | null, at: At): Val | null {
    if (!a || !b) return null;
    if (op === '+' && (a.sect === ABS || b.sect === ABS)) return { v: wrap64(a.v + b.v), sect: a.sect === ABS ? b.sect : a.sect };
    if (op === '-' && b.sect === ABS) return { v: wrap64(a.v - b.v), sect: a.sect };
    if (op === '-' && a.sect === b.sect) return { v: wrap64(a.v - b.v), sect: ABS };
    if (a.sect !== ABS || b.sect !== ABS) return null;
    return { v: binop(op, a.v, b.v, at), sect: ABS };
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
    return s.final ?? this.evaluate(this.resolving(s));
  }

  /** Start evaluating a lazy .equ: the frame that computes it, after the checks that bound a chain. */
  private resolving(s: Sym): Frame {
    if (s.resolving) this.fail(`symbol '${s.shown}' is defined in terms of itself`, { line: s.line, col: s.col });
    if (++this.chain > MAX_EQU_CHAIN) this.fail(`symbol '${s.shown}': .equ definitions nest more than ${MAX_EQU_CHAIN} deep`, { line: s.line, col: s.col });
    s.resolving = true;
    const dot = s.lazyDot!;
    return { order: evalOrder(s.lazy!), i: 0, base: this.vals2.length, dot: BigInt(this.base[dot.sect]!) + dot.v, useP2: false, sym: s };
  }

  // --- pass 2: bytes ---------------------------------------------------------------------------

  /** Absolute value of an expression once every address is known; `dot` is the value of `.`. */
  private eval2(e: Expr, dot: bigint, useP2 = true): bigint {
    if (e.k === 'num') return e.v;
    if (e.k === 'dot') return dot;
    return this.evaluate({ order: e.k === 'sym' ? [e] : evalOrder(e), i: 0, base: this.vals2.length, dot, useP2, sym: null });
  }

  /**
   * Run evaluation frames to the end of the first one. A symbol whose .equ is not evaluated yet
   * suspends its frame and pushes one for the definition; when that finishes the symbol has its
   * value and the suspended frame resumes at the same node. This is the recursion of a tree
   * evaluator, with the frames on a heap stack, so a chain of definitions cannot exhaust the JS
   * stack, and errors come in the order a recursive evaluation would meet them.
   */
  private evaluate(first: Frame): bigint {
    const frames: Frame[] = [first];
    const vals = this.vals2;
    for (;;) {
      const f = frames[frames.length - 1]!;
      if (f.i === f.order.length) {
        const v = vals.pop()!;
        if (vals.length !== f.base) throw new Error('asm: unbalanced evaluation');
        frames.pop();
        if (f.sym !== null) { f.sym.final = v; f.sym.resolving = false; this.chain--; }
        if (frames.length === 0) return v;
        continue;
      }
      const n = f.order[f.i]!;
      switch (n.k) {
        case 'num': vals.push(n.v); break;
        case 'dot': vals.push(f.dot); break;
        case 'sym': {
          const s = this.syms.get(n.name);
          if (!s) this.fail(isInternal(n.name) ? `undefined local label '${n.shown}'` : `undefined symbol '${n.shown}'`, n);
          if (s.kind === 'label' && s.sect === Sect.DISCARD) this.fail(`symbol '${n.shown}' is in a discarded section`, n);
          if (f.useP2 && s.p2 !== null) vals.push(s.p2);
          else if (s.final !== null) vals.push(s.final);
          else { frames.push(this.resolving(s)); continue; }
          break;
        }
        case 'neg': vals.push(wrap64(-vals.pop()!)); break;
        case 'not': vals.push(~vals.pop()!); break;
        case 'bin': {
          const b = vals.pop()!, a = vals.pop()!;
          vals.push(binop(n.op, a, b, n));
          break;
        }
        case 'reloc': {
          const v = Number(BigInt.asIntN(32, vals.pop()!));
          switch (n.op) {
            case 'hi': vals.push(BigInt(hi20(v))); break;
            case 'lo': vals.push(BigInt(sext12(v))); break;
            case 'pcrel_hi': vals.push(BigInt(hi20((v - this.pc) | 0))); break;
            case 'pcrel_lo': {
              const hiValue = this.pcrelHi.get(v >>> 0);
              if (hiValue === undefined) this.fail(`%pcrel_lo: no auipc with %pcrel_hi at 0x${(v >>> 0).toString(16)}`, n);
              vals.push(BigInt(sext12(hiValue)));
              break;
            }
          }
          break;
        }
      }
      f.i++;
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
