// `evminf rlp encode` / `evminf rlp decode` as a user meets them (the built CLI): the reference
// `rlp` package decides the encodings of random JSON inputs, decoding gives back the JSON, every
// invalid vector of ethereum/tests (and ours) is one line on stderr with exit 126, and so is
// every malformed JSON input; inputs come as arguments, files (raw or 0x-hex) or stdin.

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as RLPREF from 'rlp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EVMINF, removeDir, tempDir } from './c/build.js';
import { EXTRA_INVALID, INVALID, nested } from './rlp-vectors.js';

interface Outcome { status: number | null; stdout: string; stderr: string }

/** The built CLI, asynchronously (the file's tests run a few at a time), with `input` on stdin. */
function evminf(args: readonly string[], input?: string | Uint8Array): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [EVMINF, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [], err: Buffer[] = [];
    p.stdout.on('data', (b: Buffer) => out.push(b));
    p.stderr.on('data', (b: Buffer) => err.push(b));
    p.on('error', reject);
    p.on('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    p.stdin.on('error', () => { /* the CLI may exit before reading stdin */ });
    p.stdin.end(input ?? '');
  });
}

/** Exactly one line, `evminf: …`, no stack trace, the given exit code. */
function expectError(r: Outcome, code: number, phrase: RegExp | string): void {
  expect(r.stderr).toMatch(/^evminf: [^\n]+\n$/);
  expect(r.stderr).not.toContain('internal error');
  expect(r.stderr).toMatch(phrase);
  expect(r.stdout).toBe('');
  expect(r.status).toBe(code);
}

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** xorshift32. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

/** A random value in both spellings: the CLI's JSON text and the reference package's input. */
interface Pair { json: string; ref: RLPREF.Input; decoded: unknown }

function randomPair(r: () => number, depth: number): Pair {
  const k = r();
  if (depth > 0 && k < 0.3) {
    const n = Math.floor(r() * 5);
    const xs = Array.from({ length: n }, () => randomPair(r, depth - 1));
    return { json: `[${xs.map((x) => x.json).join(', ')}]`, ref: xs.map((x) => x.ref), decoded: xs.map((x) => x.decoded) };
  }
  const bytesOf = (b: Uint8Array) => `0x${hexOf(b)}`;
  if (k < 0.5) {
    // An integer: small, around byte boundaries, or past 2^53 (where a double would round).
    const bits = [0, 1, 7, 8, 16, 53, 54, 64, 200, 256][Math.floor(r() * 10)]!;
    let v = 0n;
    for (let i = 0; i < bits; i++) v = (v << 1n) | (r() < 0.5 ? 1n : 0n);
    if (bits > 0) v |= 1n << BigInt(bits - 1);
    const enc = RLPREF.encode(v);
    const payload = enc.length === 1 && enc[0]! < 0x80 ? enc : RLPREF.decode(enc) as Uint8Array;
    return { json: r() < 0.5 ? v.toString() : `"#${v}"`, ref: v, decoded: bytesOf(payload) };
  }
  if (k < 0.8) {
    const len = [0, 1, 1, 2, 55, 56, 300][Math.floor(r() * 7)]!;
    const b = Uint8Array.from({ length: len }, () => Math.floor(r() * 256));
    return { json: `"${bytesOf(b)}"`, ref: b, decoded: bytesOf(b) };
  }
  const words = ['dog', 'cat', 'héllo wörld', 'Lorem ipsum dolor sit amet, consectetur adipisicing elit', '∞', 'tab\there', 'quote"'];
  const s = words[Math.floor(r() * words.length)]!;
  const b = new TextEncoder().encode(s);
  return { json: JSON.stringify(s), ref: b, decoded: bytesOf(b) };
}

describe('evminf rlp encode / decode against the reference package', () => {
  test.concurrent.each([1, 2, 3, 4])('random JSON (seed %i): encode equals rlp.encode, decode gives the bytes back', async (seed) => {
    const r = rng(seed);
    const parts = Array.from({ length: 12 }, () => randomPair(r, 4));
    const whole: Pair = { json: `[${parts.map((p) => p.json).join(',')}]`, ref: parts.map((p) => p.ref), decoded: parts.map((p) => p.decoded) };
    const want = `0x${hexOf(RLPREF.encode(whole.ref))}`;
    const enc = await evminf(['rlp', 'encode', whole.json]);
    expect(enc.stderr).toBe('');
    expect(enc.status).toBe(0);
    expect(enc.stdout).toBe(`${want}\n`);
    const dec = await evminf(['rlp', 'decode', want]);
    expect(dec.status).toBe(0);
    expect(JSON.parse(dec.stdout)).toEqual(whole.decoded);
    // --utf8 changes the spelling, never the bytes: encoding its output gives the input again.
    const text = await evminf(['rlp', 'decode', '--utf8', want]);
    expect(text.status).toBe(0);
    expect((await evminf(['rlp', 'encode', text.stdout.trim()])).stdout).toBe(`${want}\n`);
  });

  test.concurrent('integers past 2^53 stay exact; "0x" is the empty string; --utf8 shows text', async () => {
    const big = (1n << 64n) + 1n;
    expect((await evminf(['rlp', 'encode', `[${big}, "#${big * 3n}", "0x", 0]`])).stdout).toBe(`0x${hexOf(RLPREF.encode([big, big * 3n, new Uint8Array(0), 0]))}\n`);
    const enc = `0x${hexOf(RLPREF.encode(['dog', ['0x30', 'x'], Uint8Array.of(0xff)].map((s) => (typeof s === 'string' ? new TextEncoder().encode(s) : s instanceof Uint8Array ? s : s.map((t) => new TextEncoder().encode(t))))))}`;
    // "0x30" as text would read back as one byte: it stays hex; so does 0xff (not UTF-8).
    expect(JSON.parse((await evminf(['rlp', 'decode', '--utf8', enc])).stdout)).toEqual(['dog', ['0x30783330', 'x'], '0xff']);
  });
});

describe('inputs: argument, file, stdin', () => {
  let dir: string;
  beforeAll(() => { dir = tempDir('rlp-cli'); });
  afterAll(() => removeDir(dir));
  const value = ['dog', [1, 2, '#1000'], '0xdeadbeef'];
  const ref = () => `0x${hexOf(RLPREF.encode([new TextEncoder().encode('dog'), [1, 2, 1000], Uint8Array.of(0xde, 0xad, 0xbe, 0xef)]))}`;

  test.concurrent('encode: a JSON file, and stdin (-)', async () => {
    const f = join(dir, 'v.json');
    writeFileSync(f, JSON.stringify(value, null, 2));
    expect((await evminf(['rlp', 'encode', f])).stdout).toBe(`${ref()}\n`);
    expect((await evminf(['rlp', 'encode', '-'], JSON.stringify(value))).stdout).toBe(`${ref()}\n`);
  });

  test.concurrent('decode: a raw file, a 0x-hex file with a newline, and stdin', async () => {
    const raw = join(dir, 'v.rlp'), hex = join(dir, 'v.hex');
    writeFileSync(raw, Buffer.from(ref().slice(2), 'hex'));
    writeFileSync(hex, `\n${ref()}\n`);
    const want = JSON.stringify(JSON.parse((await evminf(['rlp', 'decode', ref()])).stdout));
    for (const r of [await evminf(['rlp', 'decode', raw]), await evminf(['rlp', 'decode', hex]), await evminf(['rlp', 'decode', '-'], ref()), await evminf(['rlp', 'decode', '-'], Buffer.from(ref().slice(2), 'hex'))]) {
      expect(r.status).toBe(0);
      expect(JSON.stringify(JSON.parse(r.stdout))).toBe(want);
    }
    expect(JSON.parse(want)).toEqual(['0x646f67', ['0x01', '0x02', '0x03e8'], '0xdeadbeef']);
  });

  test.concurrent('a missing file: exit 127; no subcommand: usage, exit 2', async () => {
    expectError(await evminf(['rlp', 'decode', join(dir, 'nope.rlp')]), 127, 'no such file');
    expectError(await evminf(['rlp', 'encode', join(dir, 'nope.json')]), 127, 'no such file');
    expectError(await evminf(['rlp']), 2, 'rlp encode');
  });

  test.concurrent('nesting: 1024 lists encode and decode, 1025 are refused both ways', async () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const ok = await evminf(['rlp', 'encode', '-'], deep(1024));
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe(`0x${nested(1024)}\n`);
    expect((await evminf(['rlp', 'decode', ok.stdout.trim()])).stdout).toBe(`${deep(1024)}\n`);
    expectError(await evminf(['rlp', 'encode', '-'], deep(1025)), 126, 'nested deeper than 1024');
    expectError(await evminf(['rlp', 'decode', `0x${nested(1025)}`]), 126, 'nested deeper than 1024');
  });
});

describe('malformed input: one line, exit 126', () => {
  test.concurrent.each(Object.entries({ ...INVALID, ...EXTRA_INVALID }).filter(([n]) => n !== 'nestedTooDeep'))('decode rejects %s', async (_name, hex) => {
    expectError(await evminf(['rlp', 'decode', `0x${hex}`]), 126, /malformed RLP/);
  });

  test.concurrent.each([
    ['[1.5]', 'not an integer'],
    ['[1e3]', 'not an integer'],
    ['[-1]', 'negative'],
    ['"#-5"', 'negative'],
    ['"#12a"', 'not a decimal integer'],
    ['"#"', 'not a decimal integer'],
    ['"0x123"', 'odd number of hex digits'],
    ['"0xzz"', 'not hex'],
    ['{"a": 1}', 'object has no RLP form'],
    ['[true]', 'no RLP form'],
    ['[null]', 'no RLP form'],
    ['[1,]', 'not JSON'],
    ['[1', 'ends inside a list'],
    ['[1 2]', 'expected , or ]'],
    ['"abc', 'not closed'],
    ['[1] 2', 'more after the JSON value'],
    ['007', 'not JSON'],
    ['"\\ud800"', 'lone surrogate'],
    ['"\\x41"', 'bad escape'],
  ])('encode %s: %s', async (json, phrase) => {
    expectError(await evminf(['rlp', 'encode', json]), 126, phrase);
  });

  test.concurrent('decode: bad hex and an empty stdin', async () => {
    expectError(await evminf(['rlp', 'decode', '0x123']), 126, 'odd number of hex digits');
    expectError(await evminf(['rlp', 'decode', '0xzz']), 126, 'not hex');
    expectError(await evminf(['rlp', 'decode', '-'], ''), 126, 'malformed RLP');
    expectError(await evminf(['rlp', 'encode', '-'], '  '), 126, 'no JSON value');
  });
});
