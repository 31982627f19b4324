// Lexing: source text into statements and operands, registers by name, strings into bytes.
// Everything here is a loop over characters: no recursion, and no work that grows with the size
// of the source outside the statement at hand.

// Registers (RISC-V psABI register names).
const ABI_NAMES = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];
export const REGS = new Map<string, number>([...ABI_NAMES.map((n, i) => [n, i] as const), ...ABI_NAMES.map((_, i) => [`x${i}`, i] as const), ['fp', 8]]);

// Errors with a position; converted to AsmError (which needs the file name) at the API boundary.

export class SrcError extends Error {
  constructor(readonly line: number, readonly col: number, msg: string) { super(msg); }
}

export const IDENT_START = /[A-Za-z_.$]/;
export const IDENT_REST = /[A-Za-z0-9_.$]/;
export const IDENT = /[A-Za-z_.$][A-Za-z0-9_.$]*/y;

const SIMPLE_ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, b: 8, f: 12, v: 11, a: 7, e: 27, '\\': 92, "'": 39, '"': 34 };

/** Decode one C escape at s[i] (just after the backslash): [byte, next index]. */
export function escape(s: string, i: number): [number, number] {
  const c = s[i] ?? '';
  if (Object.hasOwn(SIMPLE_ESCAPES, c)) return [SIMPLE_ESCAPES[c]!, i + 1];
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


export interface Operand { readonly text: string; readonly col: number }

export interface Segment { readonly line: number; readonly col: number; readonly text: string }

/**
 * Split source into statements: comments (`#`, `//`, `/* *\/`) become spaces so columns stay
 * true, and `;` separates statements on a line. Linear in the source: each line is copied once
 * (comments blanked in pieces joined at the end) and a statement is a slice of that copy.
 */
export function splitStatements(src: string): Segment[] {
  const out: Segment[] = [];
  const lines = src.split(/\r\n|\n|\r/);
  let inBlock = false;
  const pieces: string[] = [];
  /** Statement boundaries in the line: start, end, start, end, ... */
  const cuts: number[] = [];
  for (let ln = 0; ln < lines.length; ln++) {
    const s = lines[ln]!;
    pieces.length = 0;
    cuts.length = 0;
    // Text at index j of the line stays at index j of its copy, so columns need no mapping.
    let copied = 0, start = 0, j = 0;
    const blank = (to: number): void => { pieces.push(s.slice(copied, j), ' '.repeat(to - j)); copied = to; };
    while (j < s.length) {
      if (inBlock) {
        const close = s.indexOf('*/', j);
        const to = close < 0 ? s.length : close + 2;
        blank(to);
        j = to;
        if (close >= 0) inBlock = false;
        continue;
      }
      const c = s.charCodeAt(j);
      if (c === 0x22 /* " */) {
        let k = j + 1;
        while (k < s.length && s.charCodeAt(k) !== 0x22) k += s.charCodeAt(k) === 0x5c ? 2 : 1;
        j = Math.min(k + 1, s.length);
        continue;
      }
      if (c === 0x27 /* ' */) {
        let k = j + 1 + (s.charCodeAt(j + 1) === 0x5c ? 2 : 1);
        if (s.charCodeAt(k) === 0x27) k++;
        j = Math.min(k, s.length);
        continue;
      }
      if (c === 0x23 /* # */ || (c === 0x2f && s.charCodeAt(j + 1) === 0x2f)) break;
      if (c === 0x2f && s.charCodeAt(j + 1) === 0x2a) { inBlock = true; blank(j + 2); j += 2; continue; }
      if (c === 0x3b /* ; */) { cuts.push(start, j); j++; start = j; continue; }
      j++;
    }
    cuts.push(start, j);
    pieces.push(s.slice(copied, j));
    const text = pieces.length === 1 ? pieces[0]! : pieces.join('');
    for (let k = 0; k < cuts.length; k += 2) {
      const a = cuts[k]!, b = cuts[k + 1]!;
      if (!isBlank(text, a, b)) out.push({ line: ln + 1, col: a + 1, text: text.slice(a, b) });
    }
  }
  return out;
}

/** True when text[a, b) is all white space (as String.prototype.trim sees it). */
function isBlank(text: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && !WS.test(text[i]!)) return false;
  }
  return true;
}
const WS = /\s/;

/** Split an operand list on top-level commas, keeping each operand's column. */
export function splitOperands(text: string, col0: number, line: number): Operand[] {
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

/**
 * Append the bytes of a double-quoted string operand to `out` (UTF-8, C escapes). Appends in
 * place: a string may be any length, so its bytes must never pass through an argument list.
 */
export function parseString(op: Operand, line: number, out: number[]): void {
  const s = op.text;
  if (s[0] !== '"' || s.length < 2 || s[s.length - 1] !== '"') throw new SrcError(line, op.col, 'expected a string in double quotes');
  for (let i = 1; i < s.length - 1;) {
    if (s.charCodeAt(i) === 0x5c) {
      const [b, j] = escape(s, i + 1);
      out.push(b);
      i = j;
      continue;
    }
    let cp = s.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
    // A lone surrogate is not a character: U+FFFD, as TextEncoder writes it.
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
}

export function isRegister(text: string): boolean { return REGS.has(text); }
