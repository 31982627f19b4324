// `evminf rlp encode <json|file|->` and `evminf rlp decode <0x…|file|->`: RLP as geth's rlpdump
// and ethereum/tests write it. Encoding reads JSON: an array is a list, a number or "#<decimal>"
// a minimal big-endian integer (any size), "0x…" bytes, any other string its UTF-8; it prints
// 0x-hex. Decoding is strict (peripherals/rlpcodec.ts: what Ethereum's invalid-RLP tests reject)
// and prints JSON with byte strings as "0x…" — `--utf8` shows printable UTF-8 as text where that
// reads back as the same bytes — so `encode` of `decode`'s output gives the input again.
// Malformed input of either kind is one line and exit 126. Both walks are iterative (nesting is
// limited to MAX_DEPTH lists, as the device's VALIDATE) and output is written in chunks.

import { EXIT } from '../../cpu/exit-codes.js';
import { Rlp } from '../../peripherals/regs.js';
import { decode, encode, RlpError, uintBytes, type RlpItem } from '../../peripherals/rlpcodec.js';
import { command } from '../exit.js';
import { out, readInput, readStdin } from '../io.js';
import { UserError } from '../user-error.js';

/** Text gathered before a write. */
const CHUNK_CHARS = 1 << 16;
/** Longest decimal integer read (BigInt parsing is quadratic in the digits). */
const MAX_DIGITS = 100_000;

const bad = (msg: string): UserError => new UserError(msg, EXIT.BAD_INPUT);

/** The input: `-` is stdin (yargs hands it over as ''), read from fd 0; `literal(arg)` says when the argument is the data itself, else a file. */
function source(arg: string, literal: (s: string) => boolean): { text: Buffer; name: string; literal: boolean } {
  if (arg === '-' || arg === '') return { text: readStdin(), name: 'stdin', literal: false };
  if (literal(arg)) return { text: Buffer.from(arg, 'utf8'), name: 'the argument', literal: true };
  return { text: readInput(arg), name: arg, literal: false };
}

// ---- JSON to items ----

const HEX = /^[0-9a-fA-F]*$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A JSON string's item: "0x…" bytes, "#<decimal>" an integer, else UTF-8. */
function stringItem(s: string, where: string): RlpItem {
  if (s.startsWith('0x') || s.startsWith('0X')) {
    const h = s.slice(2);
    if (h.length % 2 !== 0) throw bad(`${where}: "${clip(s)}" has an odd number of hex digits`);
    if (!HEX.test(h)) throw bad(`${where}: "${clip(s)}" is not hex`);
    return Uint8Array.from(Buffer.from(h, 'hex'));
  }
  if (s.startsWith('#')) return integerItem(s.slice(1), where, `"${clip(s)}"`);
  if (LONE_SURROGATE.test(s)) throw bad(`${where}: a string with a lone surrogate has no UTF-8 form`);
  return Uint8Array.from(Buffer.from(s, 'utf8'));
}

function integerItem(digits: string, where: string, shown: string): Uint8Array {
  if (digits.startsWith('-')) throw bad(`${where}: ${shown} is negative; RLP integers are unsigned`);
  if (!/^[0-9]+$/.test(digits)) throw bad(`${where}: ${shown} is not a decimal integer`);
  if (digits.length > MAX_DIGITS) throw bad(`${where}: an integer of more than ${MAX_DIGITS} digits`);
  return uintBytes(BigInt(digits));
}

const clip = (s: string): string => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

/**
 * Parse JSON into an item, keeping integers exact (JSON.parse would round them to doubles) and
 * without recursion. Objects, booleans and null have no RLP form.
 */
export function jsonToItem(text: string, name: string): RlpItem {
  let i = 0;
  const n = text.length;
  const at = (): string => `${name}: at character ${i + 1}`;
  const ws = (): void => { while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++; };
  const lists: RlpItem[][] = [];
  let done: RlpItem | null = null;
  ws();
  if (i === n) throw bad(`${name}: no JSON value`);
  for (;;) {
    // A value.
    ws();
    if (i === n) throw bad(`${at()}: the input ends inside a list`);
    const c = text[i]!;
    let v: RlpItem | null = null;
    if (c === '[') {
      if (lists.length >= Rlp.MAX_DEPTH) throw bad(`${at()}: lists nested deeper than ${Rlp.MAX_DEPTH}`);
      i++;
      ws();
      if (text[i] === ']') { i++; v = []; } else { lists.push([]); continue; }
    } else if (c === '"') {
      const start = i;
      i++;
      let s = '';
      for (;;) {
        if (i >= n) throw bad(`${name}: a string opened at character ${start + 1} is not closed`);
        const d = text[i]!;
        if (d === '"') { i++; break; }
        if (d < ' ') throw bad(`${at()}: a control character inside a string`);
        if (d !== '\\') {
          let j = i;
          while (j < n && text[j] !== '"' && text[j] !== '\\' && text[j]! >= ' ') j++;
          s += text.slice(i, j);
          i = j;
          continue;
        }
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && simple[e] !== undefined) { s += simple[e]; i += 2; continue; }
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) { s += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16)); i += 6; continue; }
        throw bad(`${at()}: a bad escape in a string`);
      }
      v = stringItem(s, `${name}: the string at character ${start + 1}`);
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const start = i;
      if (c === '-') i++;
      while (i < n && text[i]! >= '0' && text[i]! <= '9') i++;
      const lit = text.slice(start, i);
      if (text[i] === '.' || text[i] === 'e' || text[i] === 'E') throw bad(`${name}: the number at character ${start + 1} is not an integer (write integers in decimal digits)`);
      if (/^-?0[0-9]/.test(lit) || lit === '-') throw bad(`${name}: the number at character ${start + 1} is not JSON`);
      v = integerItem(lit, name, lit.length > 40 ? `the number at character ${start + 1}` : lit);
    } else if (c === '{') throw bad(`${at()}: a JSON object has no RLP form (use a list)`);
    else if (text.startsWith('true', i) || text.startsWith('false', i) || text.startsWith('null', i)) throw bad(`${at()}: true, false and null have no RLP form`);
    else throw bad(`${at()}: not JSON`);
    // Where it goes; close the lists that end after it.
    for (;;) {
      if (lists.length === 0) { done = v; break; }
      lists[lists.length - 1]!.push(v!);
      ws();
      if (text[i] === ',') { i++; v = null; break; }
      if (text[i] === ']') { i++; v = lists.pop()!; continue; }
      throw bad(i === n ? `${name}: the input ends inside a list` : `${at()}: expected , or ] in a list`);
    }
    if (done !== null) break;
  }
  ws();
  if (i !== n) throw bad(`${at()}: more after the JSON value`);
  return done;
}

// ---- items to JSON ----

const PRINTABLE = /^[^\u0000-\u001f\u007f-\u009f]*$/u;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A byte string as JSON: "0x…", or (utf8) its text when that encodes back to the same bytes. */
function bytesJson(b: Uint8Array, asText: boolean): string {
  if (asText && b.length > 0) {
    let s: string | null = null;
    try { s = utf8.decode(b); } catch { /* not UTF-8 */ }
    if (s !== null && PRINTABLE.test(s) && !s.startsWith('0x') && !s.startsWith('0X') && !s.startsWith('#')) return JSON.stringify(s);
  }
  return `"0x${Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex')}"`;
}

/** Write `item` as compact JSON, iteratively, in chunks. */
function writeJson(item: RlpItem, asText: boolean): void {
  let text = '';
  const flush = (): void => { if (text.length >= CHUNK_CHARS) { out(1, text); text = ''; } };
  const stack: { list: RlpItem[]; next: number }[] = [];
  let cur: RlpItem | null = item;
  for (;;) {
    if (cur !== null) {
      if (cur instanceof Uint8Array) {
        if (cur.length > CHUNK_CHARS) {
          // A long string: its hex in slices, never one huge string.
          out(1, text + '"0x');
          text = '';
          for (let k = 0; k < cur.length; k += CHUNK_CHARS) out(1, Buffer.from(cur.buffer, cur.byteOffset + k, Math.min(CHUNK_CHARS, cur.length - k)).toString('hex'));
          text = '"';
        } else text += bytesJson(cur, asText);
        flush();
      } else {
        text += '[';
        stack.push({ list: cur, next: 0 });
      }
      cur = null;
    }
    const top = stack[stack.length - 1];
    if (top === undefined) break;
    if (top.next < top.list.length) {
      if (top.next > 0) text += ',';
      cur = top.list[top.next++]!;
    } else {
      text += ']';
      stack.pop();
      flush();
    }
  }
  out(1, text + '\n');
}

/** Write `b` as 0x-hex and a newline, in chunks. */
function writeHex(b: Uint8Array): void {
  out(1, '0x');
  for (let k = 0; k < b.length; k += CHUNK_CHARS) out(1, Buffer.from(b.buffer, b.byteOffset + k, Math.min(CHUNK_CHARS, b.length - k)).toString('hex'));
  out(1, '\n');
}

// ---- the commands ----

/** A JSON literal rather than a file name: it starts as JSON values do. */
const jsonLiteral = (s: string): boolean => /^\s*[[{"0-9-]/.test(s);

function cmdEncode(a: { input: string }): number {
  const { text, name } = source(a.input, jsonLiteral);
  writeHex(encode(jsonToItem(text.toString('utf8'), name)));
  return 0;
}

/** The RLP bytes of a decode input: 0x-hex text (a literal, or a file or stdin holding it), else raw bytes. */
function rlpBytes(text: Buffer, name: string): Uint8Array {
  // A raw RLP item cannot start with "0x" (0x30 is a whole item, and bytes after it are trailing).
  if (text.length >= 2 && text[0] === 0x30 && (text[1] === 0x78 || text[1] === 0x58)) {
    const h = text.toString('latin1', 2).trim();
    if (h.length % 2 !== 0) throw bad(`${name}: an odd number of hex digits`);
    if (!HEX.test(h)) throw bad(`${name}: not hex after 0x`);
    return Uint8Array.from(Buffer.from(h, 'hex'));
  }
  return Uint8Array.from(text);
}

function cmdDecode(a: { input: string; utf8: boolean }): number {
  const { text, name, literal } = source(a.input, (s) => /^0[xX]/.test(s));
  const bytes = rlpBytes(literal ? text : trimHexText(text), name);
  let item: RlpItem;
  try {
    item = decode(bytes);
  } catch (e) {
    if (e instanceof RlpError) throw bad(`${name}: ${e.message}`);
    throw e;
  }
  writeJson(item, a.utf8);
  return 0;
}

/** A file holding 0x-hex may have whitespace around it (an editor's newline). */
function trimHexText(b: Buffer): Buffer {
  let s = 0;
  while (s < b.length && (b[s] === 0x20 || b[s] === 0x0a || b[s] === 0x0d || b[s] === 0x09)) s++;
  return s + 1 < b.length && b[s] === 0x30 && (b[s + 1] === 0x78 || b[s + 1] === 0x58) ? b.subarray(s) : b;
}

const encodeCommand = command<{ input: string }>({
  command: 'encode <input>',
  describe: 'JSON to RLP hex: arrays are lists, numbers and "#<decimal>" integers, "0x…" bytes, other strings UTF-8',
  builder: (y) => y.positional('input', { type: 'string', demandOption: true, describe: 'JSON, a file holding it, or - (stdin)' }),
  run: cmdEncode,
});

const decodeCommand = command<{ input: string; utf8: boolean }>({
  command: 'decode <input>',
  describe: 'RLP to JSON, strictly (non-canonical or malformed RLP is an error): byte strings as "0x…"',
  builder: (y) => y
    .positional('input', { type: 'string', demandOption: true, describe: '0x-hex, a file holding raw RLP or 0x-hex, or - (stdin)' })
    .option('utf8', { type: 'boolean', default: false, describe: 'print printable UTF-8 byte strings as text (still read back by encode as the same bytes)' }),
  run: cmdDecode,
});

export const rlpCommand = command<Record<string, never>>({
  command: 'rlp',
  describe: 'rlp encode <json> | rlp decode <0x…>: RLP as ethereum/tests writes it, strictly',
  builder: (y) => y.command(encodeCommand).command(decodeCommand).demandCommand(1, 'name what to do: rlp encode <json|file|-> or rlp decode <0x…|file|->'),
  run: () => 0,
});
