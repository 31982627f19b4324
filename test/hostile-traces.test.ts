// Trace readers against hostile input (docs/waveforms.md "Reading waveforms", docs/rtl-testbench.md
// "Limits"): the VCD reader and vcd diff, the RVFI sources (JSON lines, VCD) and the QEMU log
// parser are linear, iterative and bounded. Directed cases for what a mutation attack found
// (huge declared widths, deep scopes, one huge JSON line), through the library and the CLI (exit
// 126, one line), then a seeded fuzz: mutations of valid inputs end as a typed error or a valid
// result, quickly, never another exception.

import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { EXIT } from '../cpu/exit-codes.js';
import { QemuLogError, QemuLogParser } from '../waveforms/qemu-log.js';
import { RVFI_FIELDS, RVFI_WIDTHS, rvfiJsonLine, TraceError, type RvfiRecord } from '../waveforms/rvfi.js';
import { JsonLinesSource, RVFI_MAX_LINE, VcdRvfiSource } from '../waveforms/rvfi-source.js';
import { vcdDiff } from '../waveforms/vcddiff.js';
import { VCD_MAX_DECLARATION, VCD_MAX_NAME, VCD_MAX_TOKEN, VCD_MAX_WIDTH, VcdError, VcdReader } from '../waveforms/vcdread.js';
import { removeDir, runEvminf, tempDir } from './c/build.js';

const ROOT = new URL('..', import.meta.url).pathname;
const KVSTORE = join(ROOT, 'examples/kvstore.S');
const dir = tempDir('hostile');
afterAll(() => removeDir(dir));

let files = 0;
function file(body: string | Uint8Array, ext = 'vcd'): string {
  const p = join(dir, `f${files++}.${ext}`);
  writeFileSync(p, body);
  return p;
}

/** A one-variable VCD: `width` bits, the given value changes (`b… !` lines) at #0, #1, ... */
function oneVar(width: number, values: string[]): string {
  return `$timescale 1ns $end\n$scope module t $end\n$var wire ${width} ! v $end\n$upscope $end\n$enddefinitions $end\n` + values.map((v, i) => `#${i}\nb${v} !\n`).join('');
}

/** Read a whole VCD: the number of changes. */
async function drain(path: string): Promise<number> {
  const r = await VcdReader.open(path);
  try {
    let n = 0;
    for (let b = r.next(); b !== null; b = r.next()) n += b.changes.length;
    return n;
  } finally {
    r.close();
  }
}

const ms = (t0: number): number => performance.now() - t0;

/** The CLI fails with exit 126 and one line on stderr matching `m`. */
function cliRejects(args: string[], m: RegExp): void {
  const r = runEvminf(args);
  const err = r.stderr.toString('utf8');
  expect(r.status, err).toBe(EXIT.BAD_INPUT);
  expect(err.split('\n').filter((l) => l !== ''), err.slice(0, 300)).toHaveLength(1);
  expect(err).toMatch(m);
}

describe('vcd diff: declared widths, deep scopes, aliases (finding 1)', () => {
  test.each([3_000_000, 2 ** 30])('a %d-bit variable is one clear error, at once', async (width) => {
    // 114-byte files; the x value made the old reader extend a 3-Mbit mask one bit at a time.
    const a = file(oneVar(width, ['x'])), b = file(oneVar(width, ['0']));
    const t0 = performance.now();
    await expect(vcdDiff(a, b)).rejects.toThrow(VcdError);
    await expect(vcdDiff(a, b)).rejects.toThrow(new RegExp(`\\$var t\\.v is ${width} bits wide: the limit is ${VCD_MAX_WIDTH} bits$`));
    expect(ms(t0)).toBeLessThan(2000);
    cliRejects(['vcd', 'diff', a, b], new RegExp(`^evminf: malformed VCD .*: \\$var t\\.v is ${width} bits wide: the limit is ${VCD_MAX_WIDTH} bits\\n$`));
  });

  test('a variable at the width limit is compared as normalised strings', async () => {
    const w = VCD_MAX_WIDTH;
    const ones = '1'.repeat(w), xs = 'x'.repeat(w);
    // Same values written differently (leading zeros, x extension) are equal...
    const a = file(oneVar(w, ['x', '1', '0', '1' + '0'.repeat(w - 1)]));
    const b = file(oneVar(w, [xs, '0'.repeat(w - 1) + '1', '0'.repeat(w), '1' + '0'.repeat(w - 1)]));
    const t0 = performance.now();
    const same = await vcdDiff(a, b);
    expect(same).toMatchObject({ equal: true, signals: 1, times: 4 });
    // ...and one differing bit at the top is a difference, shown in full.
    const c = file(oneVar(w, [xs, '1', '0', '0']));
    const d = await vcdDiff(a, c);
    expect(d.first).toMatchObject({ time: '3', signalA: 't.v', a: `0x8${'0'.repeat(w / 4 - 1)}`, b: '0x0' });
    const e = await vcdDiff(file(oneVar(w, ['x1'])), file(oneVar(w, ['0x1'])));
    expect(e.first).toMatchObject({ a: `b${'x'.repeat(w - 1)}1`, b: `b${'0'.repeat(w - 2)}x1` });
    expect(ms(t0)).toBeLessThan(3000);
    expect((await vcdDiff(file(oneVar(w, [ones])), file(oneVar(w, [ones])))).equal).toBe(true);
  });

  test('200,000 nested scopes are one clear error; deep but legal nesting is read without recursion', async () => {
    const n = 200_000;
    const deep = file('$scope module a $end\n'.repeat(n) + '$var wire 1 ! v $end\n' + '$upscope $end\n'.repeat(n) + '$enddefinitions $end\n#0\n1!\n');
    const t0 = performance.now();
    await expect(vcdDiff(deep, deep)).rejects.toThrow(new RegExp(`scope names nested deeper than ${VCD_MAX_NAME} characters`));
    expect(ms(t0)).toBeLessThan(2000);
    cliRejects(['vcd', 'diff', deep, deep], /^evminf: malformed VCD .*, line \d+: '\$scope module a \$end': scope names nested deeper than 4096 characters \(\d+ scopes\)\n$/);
    // 2,000 levels (a 4,000-character name) are fine: the hierarchy is an explicit stack.
    const k = (VCD_MAX_NAME - 2) / 2;
    const ok = file('$scope module a $end\n'.repeat(k) + '$var wire 1 ! v $end\n' + '$upscope $end\n'.repeat(k) + '$enddefinitions $end\n#0\n1!\n');
    const r = await VcdReader.open(ok);
    expect(r.vars.map((v) => v.name)).toEqual(['a.'.repeat(k) + 'v']);
    r.close();
    expect((await vcdDiff(ok, ok)).equal).toBe(true);
  });

  test('an identifier code standing for 50,000 signals costs one step per change', async () => {
    // a.vcd: one code for every signal, set again at each of 50,000 times; b.vcd: a code each.
    const n = 50_000;
    let ha = '$scope module t $end\n', hb = ha;
    for (let i = 0; i < n; i++) { ha += `$var wire 1 ! s${i} $end\n`; hb += `$var wire 1 s${i} s${i} $end\n`; }
    const tail = '$upscope $end\n$enddefinitions $end\n';
    let ba = '#0\n1!\n', bb = '#0\n';
    for (let i = 0; i < n; i++) bb += `1s${i}\n`;
    for (let t = 1; t < n; t++) ba += `#${t}\n1!\n`;
    const a = file(ha + tail + ba), b = file(hb + tail + bb + `#${n}\n0s${n - 1}\n`);
    let t0 = performance.now();
    expect(await drain(a)).toBe(n);
    expect(await drain(b)).toBe(n + 1);
    const read = ms(t0);
    t0 = performance.now();
    const r = await vcdDiff(a, b);
    expect(r.first).toMatchObject({ time: `${n}`, signalA: `t.s${n - 1}`, a: '1', b: '0', others: 0 });
    expect(r.times).toBe(n + 1);
    // Comparing costs about what reading costs (the old pairing visited 50,000 signals per change
    // of a: 2.5e9 steps). Relative, as the machine may be shared.
    expect(ms(t0)).toBeLessThan(3 * read + 500);
  });

  test('other malformed waveforms: one line each', async () => {
    const head = '$scope module t $end\n$var wire 8 ! v $end\n$upscope $end\n$enddefinitions $end\n';
    const cases: [string, string | Uint8Array, RegExp][] = [
      ['upscope at the top', '$upscope $end\n' + head, /line 1: '\$upscope \$end': \$upscope outside any \$scope$/],
      ['huge time', head + '#0\nb1 !\n#' + '9'.repeat(30) + '\nb0 !\n', /line 7: .*: a time beyond 2\^64 - 1$/],
      ['time past 2^64', head + '#0\nb1 !\n#18446744073709551616\nb0 !\n', /a time beyond 2\^64 - 1$/],
      ['backwards', head + '#5\nb1 !\n#4\nb0 !\n', /time goes backwards \(#4 after #5, line 7\)$/],
      ['too many digits', head + `#0\nb${'1'.repeat(VCD_MAX_WIDTH + 1)} !\n`, new RegExp(`a token of more than ${VCD_MAX_WIDTH + 1} bytes$`)],
      ['long identifier', head + `#0\n1${'!'.repeat(10_000)}\n`, /a token of more than 65537 bytes|undeclared identifier '!!!!.*\.\.\.' at time 0/],
      ['two widths for one code', '$var wire 8 ! a $end\n$var wire 4 ! b $end\n$enddefinitions $end\n', /identifier code '!' is declared 8 and 4 bits wide$/],
      ['binary', Buffer.from([0x24, 0x76, 0x61, 0x72, 0x20, 0xff, 0xfe, 0x00, 0x1b, 0x0d, 0x0a]), /^malformed VCD .*: ('[ -~]*': )?[ -~]+$/],
      ['no $end', '$scope module t\n$var wire 1 ! v\n', /\$scope has no \$end$/],
    ];
    for (const [what, body, m] of cases) {
      const p = file(body);
      const err = await drain(p).then(() => null, (e: unknown) => e);
      expect(err, what).toBeInstanceOf(VcdError);
      const msg = (err as Error).message;
      expect(msg, what).toMatch(m);
      expect(msg, what).not.toMatch(/[\n\r]/);
      expect(msg.length, what).toBeLessThan(400);
    }
  });
});

/** Records of a plausible trace (values in range for each field). */
function records(n: number, rnd: () => number): RvfiRecord[] {
  const out: RvfiRecord[] = [];
  for (let i = 0; i < n; i++) {
    const r = {} as RvfiRecord;
    for (const f of RVFI_FIELDS) r[f] = RVFI_WIDTHS[f] >= 32 ? (rnd() * 2 ** 32) >>> 0 : Math.floor(rnd() * 2 ** RVFI_WIDTHS[f]);
    r.order = i;
    out.push(r);
  }
  return out;
}

function drainJsonl(path: string): number {
  const s = new JsonLinesSource(path);
  try {
    let n = 0;
    while (s.next() !== null) n++;
    return n;
  } finally {
    s.close();
  }
}

describe('RVFI JSON lines (finding 2)', () => {
  test('a 100 MB line is one clear error, at once (it was 62 s)', () => {
    const p = join(dir, 'long.jsonl');
    const fd = openSync(p, 'w');
    writeSync(fd, '{"order":0,"pad":"');
    const chunk = Buffer.alloc(1 << 20, 0x61);
    for (let i = 0; i < 100; i++) writeSync(fd, chunk);
    writeSync(fd, '"}\n');
    closeSync(fd);
    const t0 = performance.now();
    expect(() => drainJsonl(p)).toThrow(TraceError);
    expect(() => drainJsonl(p)).toThrow(new RegExp(`line 1: longer than ${RVFI_MAX_LINE} bytes \\(an RVFI trace has one short JSON object a line\\)$`));
    expect(ms(t0)).toBeLessThan(2000);
    cliRejects(['equiv', '--rvfi', p, KVSTORE], new RegExp(`^evminf: .*long\\.jsonl line 1: longer than ${RVFI_MAX_LINE} bytes`));
  });

  test('lines across reads, at the length limit, blank lines and CRLF are read exactly', () => {
    let rng = 7;
    const rnd = (): number => { rng = (Math.imul(rng, 1103515245) + 12345) >>> 0; return rng / 2 ** 32; };
    const recs = records(6000, rnd); // ~3.5 MB: lines straddle the 1 MiB reads
    const lines = recs.map((r, i) => (i % 7 === 0 ? rvfiJsonLine(r).replace('\n', '\r\n') : rvfiJsonLine(r)) + (i % 11 === 0 ? '\n' : ''));
    const padded = rvfiJsonLine(recs[0]!).slice(0, -2) + ' '.repeat(RVFI_MAX_LINE - rvfiJsonLine(recs[0]!).length + 1) + '}';
    expect(padded.length).toBe(RVFI_MAX_LINE);
    const p = file(lines.join('') + padded, 'jsonl'); // the last line has no newline
    const s = new JsonLinesSource(p);
    for (const want of [...recs, recs[0]!]) expect(s.next()).toEqual(want);
    expect(s.next()).toBeNull();
    s.close();
    expect(() => drainJsonl(file(padded + ' \n', 'jsonl'))).toThrow(/line 1: longer than/);
  });

  test('values are quoted short and printable in messages', () => {
    const v = '0x' + 'f'.repeat(10_000);
    const p = file(rvfiJsonLine(records(1, rng(3))[0]!).replace(/"insn":\d+/, `"insn":"${v}"`), 'jsonl');
    expect(() => drainJsonl(p)).toThrow(/field insn = 0xfff.*\.\.\. is out of range for 32 bits$/);
    const q = file('{"order": "\u001b[2J\u00ff' + 'a'.repeat(1000) + '"}\n', 'jsonl');
    const err = (() => { try { drainJsonl(q); } catch (e) { return e as Error; } return null; })();
    expect(err).toBeInstanceOf(TraceError);
    expect(err!.message.length).toBeLessThan(200);
    expect(err!.message).toMatch(/^[ -~]+$/);
  });
});

test('the documented limits are the code\'s', () => {
  const waves = readFileSync(join(ROOT, 'docs/waveforms.md'), 'utf8'), rtl = readFileSync(join(ROOT, 'docs/rtl-testbench.md'), 'utf8');
  const n = (x: number): string => x.toLocaleString('en-US');
  expect(waves).toContain(`| declared width of a \`$var\` | ${n(VCD_MAX_WIDTH)} bits |`);
  expect(waves).toContain(`| ${n(VCD_MAX_NAME)} characters |`);
  expect(waves).toContain(`| ${n(VCD_MAX_TOKEN)} bytes |`);
  expect(waves).toContain(`| ${n(VCD_MAX_DECLARATION)} bytes |`);
  expect(rtl).toContain(`A JSON line\nis at most ${n(RVFI_MAX_LINE)} bytes`);
});

// ---- fuzz ----

/** mulberry32: a small seeded generator, so every case can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A mutation of `base`: bit flips, truncation, duplication, huge numbers, nesting, long lines, garbage, non-UTF-8. */
function mutate(base: Buffer, r: () => number, kind: 'vcd' | 'jsonl' | 'qemu'): Buffer {
  const int = (n: number): number => Math.floor(r() * n);
  const at = (): number => int(base.length + 1);
  const splice = (b: Buffer, i: number, del: number, ins: Buffer | string): Buffer => Buffer.concat([b.subarray(0, i), Buffer.from(ins as string), b.subarray(i + del)]);
  let b = Buffer.from(base);
  const rounds = 1 + int(3);
  for (let k = 0; k < rounds; k++) {
    const i = int(b.length + 1);
    switch (int(12)) {
      case 0: { for (let j = 0, n = 1 + int(8); j < n && b.length > 0; j++) { const x = int(b.length); b[x] = b[x]! ^ (1 << int(8)); } break; }
      case 1: b = b.subarray(0, at() % (b.length + 1)); break;
      case 2: { const s = int(b.length), e = Math.min(b.length, s + int(400)); const d = b.subarray(s, e); b = splice(b, i, 0, Buffer.concat(Array.from({ length: 1 + int(50) }, () => d))); break; }
      case 3: b = splice(b, i, 0, ['9'.repeat(1 + int(400)), '18446744073709551616', '-1', '1e400', '0x' + 'f'.repeat(int(200)), '340282366920938463463374607431768211456'][int(6)]!); break;
      case 4: b = splice(b, i, 0, kind === 'vcd' ? '$scope module m $end\n'.repeat(int(5000)) : kind === 'jsonl' ? '['.repeat(int(40000)) : 'pc '.repeat(int(5000))); break;
      case 5: b = splice(b, i, 0, (kind === 'vcd' ? 'b' : '') + ['0', '1', 'x', 'z', 'a', '"'][int(6)]!.repeat(int(200_000))); break;
      case 6: b = splice(b, i, 0, Buffer.from(Array.from({ length: 1 + int(2000) }, () => int(256)))); break;
      case 7: b = splice(b, i, 0, Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82, 0xf0, 0x9f, 0x92, 0xed, 0xa0, 0x80])); break;
      case 8: b = splice(b, i, int(200), ''); break;
      case 9: b = splice(b, i, 0, kind === 'vcd' ? ['$var wire 65537 # w $end\n', '$upscope $end\n', '$enddefinitions $end\n', '#5\n', '#3\n', '$var real 64 % r $end\nr1.5 %\n', '$comment\n', 'bx !\n', '$dumpvars\n'][int(9)]! : kind === 'jsonl' ? ['\n', '{}', '{"order":', 'null', '"\\ud800"'][int(5)]! : ['\n', 'x0/zero 00000001 ', 'pc 123456789 '][int(3)]!); break;
      case 10: { const s = int(b.length); b = splice(b, s, 0, b.subarray(int(b.length))); break; } // duplicated tail (headers twice)
      default: b[int(b.length)] = int(256); break;
    }
    if (b.length > 4 << 20) b = b.subarray(0, 4 << 20);
  }
  return b;
}

function vcdBase(r: () => number): string {
  // An RVFI waveform as trace-out writes it (clock, rvfi_valid, the fields), plus aliases,
  // vectors with x, a comment and nested scopes.
  const ids = ['"', ...RVFI_FIELDS.map((_, i) => String.fromCharCode(0x41 + i))];
  let h = '$date today $end\n$version fuzz $end\n$timescale 1ns $end\n$scope module rvfi $end\n$var wire 1 ! clock $end\n$var wire 1 " rvfi_valid $end\n';
  RVFI_FIELDS.forEach((f, i) => { h += `$var wire ${RVFI_WIDTHS[f]} ${ids[i + 1]} rvfi_${f}${RVFI_WIDTHS[f] > 1 ? ` [${RVFI_WIDTHS[f] - 1}:0]` : ''} $end\n`; });
  h += '$scope module inner $end\n$var wire 1 ! alias $end\n$var reg 12 ~ v $end\n$upscope $end\n$upscope $end\n$comment a comment $end\n$enddefinitions $end\n#0\n$dumpvars\n0!\n0"\nbx ~\n$end\n';
  const recs = records(6, r);
  let body = '', t = 0;
  for (const rec of recs) {
    body += `#${t}\n1"\n`;
    RVFI_FIELDS.forEach((f, i) => { body += RVFI_WIDTHS[f] === 1 ? `${rec[f]}${ids[i + 1]}\n` : `b${rec[f].toString(2)} ${ids[i + 1]}\n`; });
    body += `b1x0 ~\n#${t + 5}\n1!\n#${t + 10}\n0!\n`;
    t += 10;
  }
  return h + body;
}

function qemuBase(n: number, r: () => number): string {
  let s = '';
  for (let k = 0; k < n; k++) {
    s += ` pc       ${((0x10000 + 4 * k) >>> 0).toString(16).padStart(8, '0')}\n`;
    for (let i = 0; i < 32; i++) s += ` x${i}/r${i}${' '.repeat(4)}${(i === 0 ? 0 : (r() * 2 ** 32) >>> 0).toString(16).padStart(8, '0')}${i % 4 === 3 ? '\n' : ''}`;
  }
  return s;
}

/** Run `f`; a typed error of `types` or a result is fine. Returns what happened, for the tally. */
async function outcome(f: () => Promise<unknown> | unknown, types: (new (...a: never[]) => Error)[]): Promise<'ok' | 'typed' | Error> {
  try {
    await f();
    return 'ok';
  } catch (e) {
    if (types.some((t) => e instanceof t)) {
      const m = (e as Error).message;
      if (/[\n\r]/.test(m) || m.length > 600) return new Error(`not one short line: ${JSON.stringify(m.slice(0, 200))}`);
      return 'typed';
    }
    return e as Error;
  }
}

/** Mutations per format; HOSTILE_CASES=3000 for a longer run. */
const CASES = Number(process.env.HOSTILE_CASES ?? 300);
/** Added to each format's seed; HOSTILE_SEED=n explores other mutations (the suite uses 0). */
const SEED = Number(process.env.HOSTILE_SEED ?? 0);
const CASE_MS = 3000;

describe('seeded fuzz: each mutation is a typed error or a valid result, quickly', () => {
  test(`VCD reader, vcd diff and the VCD RVFI source: ${CASES} mutations`, async () => {
    const r = rng(0x7ace5 + SEED);
    const base = Buffer.from(vcdBase(r));
    const basePath = file(base);
    // The base itself is valid: 6 records, equal to itself.
    const src = await VcdRvfiSource.open(basePath);
    let recs = 0;
    while (src.next() !== null) recs++;
    src.close();
    expect(recs).toBe(6);
    expect((await vcdDiff(basePath, basePath)).equal).toBe(true);
    const tally = { ok: 0, typed: 0 };
    for (let c = 0; c < CASES; c++) {
      const p = join(dir, 'fuzz.vcd');
      writeFileSync(p, mutate(base, r, 'vcd'));
      const t0 = performance.now();
      for (const run of [() => drain(p), () => vcdDiff(basePath, p), async () => { const s = await VcdRvfiSource.open(p); try { while (s.next() !== null); } finally { s.close(); } }]) {
        const o = await outcome(run, [VcdError, TraceError]);
        if (o instanceof Error) throw new Error(`case ${c}: ${o.constructor.name}: ${o.message.slice(0, 300)}`);
        tally[o]++;
      }
      expect(ms(t0), `case ${c}`).toBeLessThan(CASE_MS);
    }
    // Both ends are reached: mutations that stay valid, and ones that are rejected.
    expect(tally.ok).toBeGreaterThan(CASES / 10);
    expect(tally.typed).toBeGreaterThan(CASES / 10);
  });

  test(`RVFI JSON lines: ${CASES} mutations`, async () => {
    const r = rng(0x15011 + SEED);
    const base = Buffer.from(records(40, r).map(rvfiJsonLine).join(''));
    expect(drainJsonl(file(base, 'jsonl'))).toBe(40);
    const tally = { ok: 0, typed: 0 };
    let read = 0;
    for (let c = 0; c < CASES; c++) {
      const p = join(dir, 'fuzz.jsonl');
      writeFileSync(p, mutate(base, r, 'jsonl'));
      const t0 = performance.now();
      const o = await outcome(() => {
        const s = new JsonLinesSource(p);
        try { while (s.next() !== null) read++; } finally { s.close(); }
      }, [TraceError]);
      if (o instanceof Error) throw new Error(`case ${c}: ${o.constructor.name}: ${o.message.slice(0, 300)}`);
      tally[o]++;
      expect(ms(t0), `case ${c}`).toBeLessThan(CASE_MS);
    }
    // Nearly every mutation breaks some line, but the records before it are read.
    expect(read).toBeGreaterThan(CASES * 5);
    expect(tally.typed).toBeGreaterThan(CASES / 2);
  });

  test(`QEMU log parser: ${CASES} mutations, fed in random pieces`, async () => {
    const r = rng(0x9e3 + SEED);
    const base = Buffer.from(qemuBase(8, r));
    let n = 0;
    const p0 = new QemuLogParser(() => { n++; return true; });
    p0.feed(base);
    p0.end();
    expect(n).toBe(8);
    const tally = { ok: 0, typed: 0 };
    for (let c = 0; c < CASES; c++) {
      const m = mutate(base, r, 'qemu');
      const t0 = performance.now();
      const o = await outcome(() => {
        const p = new QemuLogParser(() => true, 'fuzz log');
        for (let i = 0; i < m.length;) { const e = i + 1 + Math.floor(r() * 4096); p.feed(m.subarray(i, e)); i = e; }
        p.end();
      }, [QemuLogError]);
      if (o instanceof Error) throw new Error(`case ${c}: ${o.constructor.name}: ${o.message.slice(0, 300)}`);
      tally[o]++;
      expect(ms(t0), `case ${c}`).toBeLessThan(CASE_MS);
    }
    expect(tally.ok).toBeGreaterThan(CASES / 50);
    expect(tally.typed).toBeGreaterThan(CASES / 10);
  });
});
