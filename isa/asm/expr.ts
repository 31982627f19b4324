// Expressions: parsing into a tree, and the tree in evaluation order. Operator precedence is GNU as's, not C's: * / % << >> bind tightest, then | & ^,
// then + - (binutils "Infix Operators").

import { IDENT, IDENT_REST, IDENT_START, SrcError, escape } from './lex.js';

/**
 * Limits on one expression. Parsing recurses once per nesting level, so the nesting limit bounds
 * its stack; evaluation walks the postfix order in a loop and needs no limit of its own.
 */
const MAX_EXPR_NODES = 2000, MAX_EXPR_NESTING = 200;

export type BinOp = '*' | '/' | '%' | '<<' | '>>' | '|' | '&' | '^' | '+' | '-';
type RelocOp = 'hi' | 'lo' | 'pcrel_hi' | 'pcrel_lo';
export interface At { readonly line: number; readonly col: number }
export type Expr = At & (
  | { readonly k: 'num'; readonly v: bigint }
  | { readonly k: 'sym'; readonly name: string; readonly shown: string }
  | { readonly k: 'dot' }
  | { readonly k: 'neg' | 'not'; readonly a: Expr }
  | { readonly k: 'bin'; readonly op: BinOp; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'reloc'; readonly op: RelocOp; readonly a: Expr }
);

export const wrap64 = (v: bigint): bigint => BigInt.asIntN(64, v);
export const sext12 = (v: number): number => ((v & 0xfff) ^ 0x800) - 0x800;
export const hi20 = (v: number): number => ((v + 0x800) >>> 12) & 0xfffff;

export function binop(op: BinOp, a: bigint, b: bigint, at: At): bigint {
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


/** Numeric local labels: `1:` may be defined many times; `1b`/`1f` pick the nearest one. */
export class LocalLabels {
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

export class ExprParser {
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

/**
 * The nodes of `e` in evaluation order: operands before their operator, left before right (the
 * order a recursive evaluator visits them, so errors come in the same order). Built with an
 * explicit stack. With `opaquePcrel`, a %pcrel_hi/%pcrel_lo is one leaf: pass 1 cannot know a
 * pc-relative value and never looks inside one.
 */
export function evalOrder(e: Expr, opaquePcrel = false): Expr[] {
  const out: Expr[] = [];
  const todo: Expr[] = [e];
  /** Parallel to `todo`: 1 when the node's operands are already queued (emit it next time). */
  const expanded: number[] = [0];
  while (todo.length > 0) {
    const n = todo.pop()!;
    if (expanded.pop() === 1) { out.push(n); continue; }
    switch (n.k) {
      case 'num': case 'sym': case 'dot': out.push(n); break;
      case 'neg': case 'not': todo.push(n, n.a); expanded.push(1, 0); break;
      case 'bin': todo.push(n, n.b, n.a); expanded.push(1, 0, 0); break;
      case 'reloc':
        if (opaquePcrel && (n.op === 'pcrel_hi' || n.op === 'pcrel_lo')) out.push(n);
        else { todo.push(n, n.a); expanded.push(1, 0); }
        break;
    }
  }
  return out;
}

/** Contains %pcrel_lo anywhere. */
export function usesPcrelLo(e: Expr): boolean {
  if (e.k === 'num' || e.k === 'sym' || e.k === 'dot') return false;
  const order = evalOrder(e);
  for (let i = 0; i < order.length; i++) {
    const n = order[i]!;
    if (n.k === 'reloc' && n.op === 'pcrel_lo') return true;
  }
  return false;
}
