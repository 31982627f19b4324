// The RLP codec and the RLP device (peripherals/rlpcodec.ts, peripherals/rlp.ts,
// docs/peripherals.md "RLP"). The `rlp` package (the reference codec) decides encodings on
// random nested structures; ethereum/tests' invalid vectors must be rejected by `decode` and
// by the device's VALIDATE; the device's commands are checked register by register against
// the codec with a bench context (memory, clock, gas port), with the gas and latency formulas
// of the datasheet; then as a program on both models: a generic re-encoder in assembly that
// walks a nested list with NTH/UINT and rebuilds it with ENC_BYTES/ENC_UINT/ENC_LIST.

import * as RLPREF from 'rlp';
import { describe, expect, test } from 'vitest';
import { assembleToElf } from '../isa/asm.js';
import { CallManager, type FrameEnd } from '../cpu/frames.js';
import { LinuxHost } from '../cpu/host.js';
import { createModel, type ModelKind } from '../cpu/machine.js';
import { loadElf } from '../cpu/program.js';
import { Clock, DMA_FAULT, DMA_OK, type DeviceContext } from '../peripherals/device.js';
import { RlpUnit } from '../peripherals/rlp.js';
import { decode, encode, header, RlpError, uintBytes, type RlpHeader, type RlpItem } from '../peripherals/rlpcodec.js';
import { Rlp, RlpCmd, RlpReg, RlpStatus } from '../peripherals/regs.js';
import { lockstep } from './lockstep.js';
import { EXTRA_INVALID, INVALID, nested } from './rlp-vectors.js';

const hexb = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// ---- random structures ----

/** xorshift32: reproducible random numbers. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

/** Lengths at the encoding's boundaries (short/long form, one/two length bytes). */
const EDGE_LENGTHS = [0, 1, 2, 54, 55, 56, 57, 255, 256, 257];

function randomItem(r: () => number, depth: number): RlpItem {
  const pick = r();
  if (depth > 0 && pick < 0.35) {
    const n = r() < 0.1 ? EDGE_LENGTHS[Math.floor(r() * 6)]! : Math.floor(r() * 5);
    const items: RlpItem[] = [];
    for (let i = 0; i < n; i++) items.push(randomItem(r, depth - 1));
    return items;
  }
  if (pick < 0.55) return Uint8Array.of(Math.floor(r() * 0x80)); // a single byte below 0x80: its own encoding
  if (pick < 0.62) return Uint8Array.of(0x80 + Math.floor(r() * 0x80)); // a single byte that needs a header
  const len = r() < 0.5 ? EDGE_LENGTHS[Math.floor(r() * EDGE_LENGTHS.length)]! : Math.floor(r() * 70);
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = Math.floor(r() * 256);
  return b;
}

/** A list whose payload is exactly `n` bytes (single bytes), to hit the list header's boundaries. */
const listOfPayload = (n: number): RlpItem => Array.from({ length: n }, (_, i) => Uint8Array.of(i & 0x7f));

const RANDOM = 1200;
const structures: RlpItem[] = [];
{
  const r = rng(0x5eed);
  for (const n of [0, 1, 54, 55, 56, 57, 255, 256, 65535, 65536]) structures.push(listOfPayload(n));
  for (let k = 0; k < RANDOM; k++) structures.push(randomItem(r, Math.floor(r() * 7)));
}

/** Our decoded form as the reference package's (Uint8Array and arrays). */
const norm = (x: unknown): unknown => (x instanceof Uint8Array ? hexOf(x) : (x as unknown[]).map(norm));

describe('the codec against the reference `rlp` package', () => {
  test(`encode equals rlp.encode and decode inverts it, on ${structures.length} structures`, () => {
    let longForms = 0, lists = 0;
    for (const s of structures) {
      const ours = encode(s);
      const ref = RLPREF.encode(s as RLPREF.Input);
      if (hexOf(ours) !== hexOf(ref)) expect(hexOf(ours)).toBe(hexOf(ref));
      const back = decode(ours);
      const want = norm(RLPREF.decode(ref));
      if (JSON.stringify(norm(back)) !== JSON.stringify(want)) expect(norm(back)).toEqual(want);
      if (ours.length > 0 && (ours[0]! >= 0xf8 || (ours[0]! >= 0xb8 && ours[0]! < 0xc0))) longForms++;
      if (Array.isArray(s)) lists++;
    }
    // The generator reached both forms and both kinds.
    expect(longForms).toBeGreaterThan(50);
    expect(lists).toBeGreaterThan(200);
  });

  test('uintBytes: minimal big-endian, as the reference encodes integers', () => {
    for (const v of [0n, 1n, 0x7fn, 0x80n, 0xffn, 0x100n, 0xffff_ffffn, 0x1_0000_0000n, (1n << 64n) - 1n, 83729609699884896815286331701780722n]) {
      expect(hexOf(encode(uintBytes(v)))).toBe(hexOf(RLPREF.encode(v)));
    }
    expect(() => uintBytes(-1n)).toThrow(RlpError);
  });
});

describe('strictness: the invalid vectors', () => {
  const all = { ...INVALID, ...EXTRA_INVALID };
  test.each(Object.entries(all))('decode rejects %s with one line', (_name, hex) => {
    let err: unknown = null;
    try { decode(hexb(hex)); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(RlpError);
    expect((err as Error).message).toMatch(/^malformed RLP[^\n]*$/);
  });

  // The reference decodes the empty input as the empty string: stricter here, as ethereum/tests wants.
  test.each(Object.entries(INVALID).filter(([n]) => n !== 'emptyEncoding'))('the reference package rejects %s too (the vector is invalid)', (_name, hex) => {
    expect(() => RLPREF.decode(hexb(hex))).toThrow();
  });

  test('nesting: 1024 lists decode, 1025 do not', () => {
    expect(() => decode(hexb(nested(1024)))).not.toThrow();
    expect(() => decode(hexb(nested(1025)))).toThrow(/nested deeper than 1024/);
  });
});

// ---- the device on a bench: memory, a clock, a gas port ----

/** A flat memory for DMA: [MEM_BASE, MEM_BASE + size), read and write; everything else faults. */
const MEM_BASE = 0x4000_0000;

class Bench {
  readonly mem: Uint8Array;
  readonly t = { cycles: 0 };
  readonly clock = new Clock(this.t);
  readonly v = new Int32Array(256);
  charged = 0;
  /** Gas left; a charge above it is refused. */
  gasLeft = Number.MAX_SAFE_INTEGER;
  readonly dev = new RlpUnit();
  private slots = 0;

  constructor(size = 1 << 20) {
    this.mem = new Uint8Array(size);
    const inside = (a: number, n: number) => a >= MEM_BASE && a + n <= MEM_BASE + size;
    const ctx: DeviceContext = {
      clock: this.clock,
      v: this.v,
      signal: () => this.slots++,
      gas: { charge: (c) => { if (c > this.gasLeft) return false; this.gasLeft -= c; this.charged += c; return true; } },
      dma: {
        dmaRead: (a, dst) => { if (!inside(a, dst.length)) return DMA_FAULT; dst.set(this.mem.subarray(a - MEM_BASE, a - MEM_BASE + dst.length)); return DMA_OK; },
        dmaWrite: (a, src) => { if (!inside(a, src.length)) return DMA_FAULT; this.mem.set(src, a - MEM_BASE); return DMA_OK; },
        dmaView: (a, n) => (n === 0 ? new Uint8Array(0) : inside(a, n) ? this.mem.subarray(a - MEM_BASE, a - MEM_BASE + n) : null),
        dmaCheck: (a, n) => n === 0 || inside(a, n),
      },
    };
    this.dev.attach(ctx);
  }

  set(reg: number, value: number): void { this.dev.write(Rlp.BASE + reg, 15, value); }
  get(reg: number): number { return this.dev.read(Rlp.BASE + reg, 15) >>> 0; }

  /** Run command `code` and let it complete; its gas, cycles and status. */
  cmd(code: number): { status: number; gas: number; cycles: number } {
    const g = this.charged, c = this.dev.stats.cycles;
    this.set(RlpReg.CMD, code);
    const r = { status: this.get(RlpReg.STATUS), gas: this.charged - g, cycles: this.dev.stats.cycles - c };
    this.idle();
    return r;
  }

  /** Advance time until the command's completion has fired. */
  idle(): void {
    while (this.clock.pending > 0) { this.t.cycles = this.clock.next; this.clock.tick(this.t.cycles); }
  }

  load(bytes: Uint8Array, at = 0): number {
    this.mem.set(bytes, at);
    this.set(RlpReg.BUF, MEM_BASE + at);
    this.set(RlpReg.BUFLEN, bytes.length);
    return MEM_BASE + at;
  }

  result(): RlpHeader { return { list: this.get(RlpReg.TYPE) === 1, doff: this.get(RlpReg.DOFF), dlen: this.get(RlpReg.DLEN), end: this.get(RlpReg.END) }; }
}

/** The datasheet's cost of a decoding command that read `h` headers. */
const decodeCost = (h: number) => ({ gas: Rlp.GAS_BASE + Rlp.GAS_PER_HEADER * h, cycles: Rlp.CYCLES_SETUP + Rlp.CYCLES_PER_HEADER * h });
/** … of an encoding command that wrote a header and copied `n` bytes (ok), or failed. */
const encodeCost = (ok: boolean, n: number) => {
  const h = ok ? 1 : 0, w = ok ? Math.ceil(n / 4) : 0;
  return { gas: Rlp.GAS_BASE + Rlp.GAS_PER_HEADER * h + Rlp.GAS_PER_WORD * w, cycles: Rlp.CYCLES_SETUP + Rlp.CYCLES_PER_HEADER * h + Rlp.CYCLES_PER_WORD * w };
};

/** Reference: the elements of the list item at `pos` (their headers), by the codec. */
function elements(buf: Uint8Array, pos: number): RlpHeader[] {
  const h: RlpHeader = { list: false, doff: 0, dlen: 0, end: 0 };
  header(buf, pos, buf.length, h);
  const out: RlpHeader[] = [];
  for (let p = h.doff, end = h.end; p < end;) {
    const e: RlpHeader = { list: false, doff: 0, dlen: 0, end: 0 };
    header(buf, p, end, e);
    out.push(e);
    p = e.end;
  }
  return out;
}

describe('the device, register by register', () => {
  test('VALIDATE accepts every random structure and rejects every invalid vector', () => {
    const b = new Bench(1 << 20);
    let checked = 0;
    for (const s of structures.slice(0, 400)) {
      const enc = encode(s);
      if (enc.length > b.mem.length) continue;
      b.load(enc);
      b.set(RlpReg.POS, 0);
      const r = b.cmd(RlpCmd.VALIDATE);
      expect(r.status).toBe(RlpStatus.OK);
      expect(b.get(RlpReg.END)).toBe(enc.length);
      checked++;
    }
    expect(checked).toBeGreaterThan(390);
    for (const [name, hex] of Object.entries({ ...INVALID, ...EXTRA_INVALID })) {
      const buf = hexb(hex);
      b.load(buf);
      b.set(RlpReg.POS, 0);
      const r = b.cmd(RlpCmd.VALIDATE);
      // The firmware's whole-buffer check: VALIDATE OK and the item fills the buffer.
      const accepted = r.status === RlpStatus.OK && b.get(RlpReg.END) === buf.length;
      expect(accepted, name).toBe(false);
      if (r.status !== RlpStatus.OK) expect(b.result(), name).toEqual({ list: false, doff: 0, dlen: 0, end: 0 });
    }
  });

  test('VALIDATE: gas and cycles count every header read; 1024 nested lists pass, 1025 are MALFORMED', () => {
    const b = new Bench();
    const s: RlpItem = [Uint8Array.of(1), [Uint8Array.of(2, 3), []], new Uint8Array(60)];
    b.load(encode(s));
    b.set(RlpReg.POS, 0);
    expect(b.cmd(RlpCmd.VALIDATE)).toEqual({ status: RlpStatus.OK, ...decodeCost(6) });
    b.load(hexb(nested(1024)));
    expect(b.cmd(RlpCmd.VALIDATE)).toEqual({ status: RlpStatus.OK, ...decodeCost(1024) });
    b.load(hexb(nested(1025)));
    expect(b.cmd(RlpCmd.VALIDATE)).toEqual({ status: RlpStatus.MALFORMED, ...decodeCost(1025) });
    // A non-canonical element deep inside: the walk stops at it, and the charge with it.
    b.load(hexb('c5c3c281000000'.slice(0, 12)));
    expect(b.cmd(RlpCmd.VALIDATE)).toEqual({ status: RlpStatus.MALFORMED, ...decodeCost(4) });
  });

  test('ITEM, NTH, COUNT and UINT agree with the codec on random structures', () => {
    const b = new Bench();
    const r = rng(7);
    let nths = 0, uints = 0;
    for (const s of structures.slice(10, 310)) {
      const enc = encode(s);
      b.load(enc);
      b.set(RlpReg.POS, 0);
      const want: RlpHeader = { list: false, doff: 0, dlen: 0, end: 0 };
      header(enc, 0, enc.length, want);
      expect(b.cmd(RlpCmd.ITEM)).toEqual({ status: RlpStatus.OK, ...decodeCost(1) });
      expect(b.result()).toEqual(want);
      if (!Array.isArray(s)) {
        expect(b.cmd(RlpCmd.COUNT).status).toBe(RlpStatus.NOT_LIST);
        const u = b.cmd(RlpCmd.UINT);
        const bytes = s;
        const expected = bytes.length > 8 ? RlpStatus.OVERFLOW : bytes.length > 0 && bytes[0] === 0 ? RlpStatus.NOT_CANONICAL_INT : RlpStatus.OK;
        expect(u).toEqual({ status: expected, ...decodeCost(1) });
        const val = (BigInt(b.get(RlpReg.VAL_HI)) << 32n) | BigInt(b.get(RlpReg.VAL_LO));
        expect(val).toBe(expected === RlpStatus.OK && bytes.length > 0 ? BigInt('0x' + hexOf(bytes)) : 0n);
        // The item is still described when it was only the wrong kind of string.
        expect(b.result()).toEqual(want);
        uints++;
        continue;
      }
      const els = elements(enc, 0);
      expect(b.cmd(RlpCmd.COUNT)).toEqual({ status: RlpStatus.OK, ...decodeCost(1 + els.length) });
      expect(b.get(RlpReg.COUNT)).toBe(els.length);
      expect(b.result()).toEqual(want);
      expect(b.cmd(RlpCmd.UINT).status).toBe(RlpStatus.NOT_STRING);
      expect(b.get(RlpReg.VAL_LO)).toBe(0);
      const i = Math.floor(r() * (els.length + 2));
      b.set(RlpReg.INDEX, i);
      const n = b.cmd(RlpCmd.NTH);
      if (i < els.length) {
        expect(n).toEqual({ status: RlpStatus.OK, ...decodeCost(2 + i) });
        expect(b.result()).toEqual(els[i]);
      } else {
        expect(n).toEqual({ status: RlpStatus.INDEX_RANGE, ...decodeCost(1 + els.length) });
        expect(b.result()).toEqual({ list: false, doff: 0, dlen: 0, end: 0 });
      }
      nths++;
    }
    expect(nths).toBeGreaterThan(50);
    expect(uints).toBeGreaterThan(50);
  });

  test('hostile operands: a status and a cost bounded by the work done, never an exception', () => {
    const b = new Bench();
    // A long list of single bytes and NTH of element 2^32 - 1: the walk ends at the list's end.
    const long = encode(listOfPayload(50_000));
    b.load(long);
    b.set(RlpReg.POS, 0);
    b.set(RlpReg.INDEX, -1);
    expect(b.cmd(RlpCmd.NTH)).toEqual({ status: RlpStatus.INDEX_RANGE, ...decodeCost(1 + 50_000) });
    // BUFLEN beyond the memory: the buffer cannot be viewed, nothing is walked.
    b.set(RlpReg.BUFLEN, -1);
    expect(b.cmd(RlpCmd.ITEM)).toEqual({ status: RlpStatus.DMA_FAULT, ...decodeCost(0) });
    b.set(RlpReg.BUF, 0x1000);
    b.set(RlpReg.BUFLEN, 4);
    expect(b.cmd(RlpCmd.VALIDATE).status).toBe(RlpStatus.DMA_FAULT);
    // POS at or past the end of the buffer.
    b.load(hexb('c3010203'));
    for (const pos of [4, 5, 0xffff_ffff]) {
      b.set(RlpReg.POS, pos);
      for (const c of [RlpCmd.ITEM, RlpCmd.NTH, RlpCmd.COUNT, RlpCmd.VALIDATE, RlpCmd.UINT]) expect(b.cmd(c)).toEqual({ status: RlpStatus.MALFORMED, ...decodeCost(1) });
    }
    // POS inside the list's payload: an item of its own, bounded by the buffer.
    b.set(RlpReg.POS, 2);
    expect(b.cmd(RlpCmd.UINT).status).toBe(RlpStatus.OK);
    expect(b.get(RlpReg.VAL_LO)).toBe(2);
    // An undefined command.
    expect(b.cmd(77)).toEqual({ status: RlpStatus.BAD_COMMAND, gas: 0, cycles: 1 });
  });

  /** Encode `items` by commands (nested lists through marks); the output bytes. */
  function encodeByCommands(b: Bench, item: RlpItem, out: number, cap: number): Uint8Array {
    b.set(RlpReg.OUT, MEM_BASE + out);
    b.set(RlpReg.OUTCAP, cap);
    b.set(RlpReg.OUTLEN, 0);
    const src = 0x8_0000;
    const put = (x: RlpItem): void => {
      if (x instanceof Uint8Array) {
        if (x.length <= 8 && (x.length === 0 || x[0] !== 0)) {
          const v = x.length === 0 ? 0n : BigInt('0x' + hexOf(x));
          b.set(RlpReg.VAL_LO, Number(v & 0xffff_ffffn));
          b.set(RlpReg.VAL_HI, Number(v >> 32n));
          expect(b.cmd(RlpCmd.ENC_UINT)).toEqual({ status: RlpStatus.OK, ...encodeCost(true, x.length) });
        } else {
          b.mem.set(x, src);
          b.set(RlpReg.SRC, MEM_BASE + src);
          b.set(RlpReg.SRCLEN, x.length);
          expect(b.cmd(RlpCmd.ENC_BYTES)).toEqual({ status: RlpStatus.OK, ...encodeCost(true, x.length) });
        }
        return;
      }
      const mark = b.get(RlpReg.OUTLEN);
      for (const y of x) put(y);
      const n = b.get(RlpReg.OUTLEN) - mark;
      b.set(RlpReg.MARK, mark);
      expect(b.cmd(RlpCmd.ENC_LIST)).toEqual({ status: RlpStatus.OK, ...encodeCost(true, n) });
    };
    put(item);
    return b.mem.slice(out, out + b.get(RlpReg.OUTLEN));
  }

  test('ENC_BYTES, ENC_UINT and ENC_LIST build the reference encoding of random structures', () => {
    const b = new Bench();
    for (const s of structures.slice(0, 300)) {
      const ref = RLPREF.encode(s as RLPREF.Input);
      if (ref.length > 0x4_0000) continue;
      expect(hexOf(encodeByCommands(b, s, 0x1000, ref.length))).toBe(hexOf(ref));
    }
  });

  test('encoding: OVERFLOW and DMA_FAULT write nothing and cost the base only', () => {
    const b = new Bench();
    const fail = encodeCost(false, 0);
    b.set(RlpReg.OUT, MEM_BASE);
    b.set(RlpReg.OUTCAP, 3);
    b.set(RlpReg.OUTLEN, 0);
    b.mem.set([0xaa, 0xbb, 0xcc], 0x100);
    b.set(RlpReg.SRC, MEM_BASE + 0x100);
    b.set(RlpReg.SRCLEN, 3);
    expect(b.cmd(RlpCmd.ENC_BYTES)).toEqual({ status: RlpStatus.OVERFLOW, ...fail });
    expect(b.get(RlpReg.OUTLEN)).toBe(0);
    expect(b.mem[0]).toBe(0);
    b.set(RlpReg.OUTCAP, 4);
    expect(b.cmd(RlpCmd.ENC_BYTES)).toEqual({ status: RlpStatus.OK, ...encodeCost(true, 3) });
    expect(hexOf(b.mem.subarray(0, 4))).toBe('83aabbcc');
    // MARK past OUTLEN; a list header that would not fit.
    b.set(RlpReg.MARK, 5);
    expect(b.cmd(RlpCmd.ENC_LIST)).toEqual({ status: RlpStatus.OVERFLOW, ...fail });
    b.set(RlpReg.MARK, 0);
    expect(b.cmd(RlpCmd.ENC_LIST)).toEqual({ status: RlpStatus.OVERFLOW, ...fail });
    expect(b.get(RlpReg.OUTLEN)).toBe(4);
    // Source or output outside memory; output wrapping past 2^32.
    b.set(RlpReg.OUTCAP, 100);
    b.set(RlpReg.SRC, 0x10);
    expect(b.cmd(RlpCmd.ENC_BYTES)).toEqual({ status: RlpStatus.DMA_FAULT, ...fail });
    b.set(RlpReg.SRC, MEM_BASE + 0x100);
    b.set(RlpReg.OUT, 0x10);
    expect(b.cmd(RlpCmd.ENC_BYTES)).toEqual({ status: RlpStatus.DMA_FAULT, ...fail });
    expect(b.cmd(RlpCmd.ENC_UINT)).toEqual({ status: RlpStatus.DMA_FAULT, ...fail });
    b.set(RlpReg.OUT, 0xffff_fffe);
    b.set(RlpReg.OUTLEN, 1);
    b.set(RlpReg.MARK, 0);
    expect(b.cmd(RlpCmd.ENC_LIST)).toEqual({ status: RlpStatus.DMA_FAULT, ...fail });
    expect(b.get(RlpReg.OUTLEN)).toBe(1);
    expect(hexOf(b.mem.subarray(0, 5))).toBe('83aabbcc00');
  });

  test('ENC_BYTES with SRC overlapping the output encodes the source as it was', () => {
    const b = new Bench();
    const data = Uint8Array.from({ length: 80 }, (_, i) => 0x80 + i);
    for (const delta of [-3, -1, 0, 1, 2, 40]) {
      b.mem.fill(0);
      b.mem.set(data, 0x200);
      b.set(RlpReg.SRC, MEM_BASE + 0x200);
      b.set(RlpReg.SRCLEN, data.length);
      b.set(RlpReg.OUT, MEM_BASE + 0x200 + delta);
      b.set(RlpReg.OUTCAP, 1000);
      b.set(RlpReg.OUTLEN, 0);
      expect(b.cmd(RlpCmd.ENC_BYTES).status).toBe(RlpStatus.OK);
      expect(hexOf(b.mem.subarray(0x200 + delta, 0x200 + delta + b.get(RlpReg.OUTLEN))), `delta ${delta}`).toBe(hexOf(encode(data)));
    }
  });

  test('a refused charge changes nothing: registers, memory and stats as before', () => {
    const b = new Bench();
    b.load(encode([Uint8Array.of(1, 2, 3), [Uint8Array.of(9)]]));
    b.set(RlpReg.POS, 0);
    b.set(RlpReg.INDEX, 1);
    b.cmd(RlpCmd.ITEM);
    const regs = () => Array.from({ length: 0x58 / 4 }, (_, k) => b.get(4 * k));
    const before = regs(), stats = JSON.stringify(b.dev.stats), mem = b.mem.slice(0, 64);
    b.gasLeft = decodeCost(3).gas - 1;
    b.set(RlpReg.CMD, RlpCmd.NTH);
    expect(regs()).toEqual(before);
    expect(JSON.stringify(b.dev.stats)).toBe(stats);
    expect(b.clock.pending).toBe(0);
    b.set(RlpReg.OUT, MEM_BASE);
    b.set(RlpReg.OUTCAP, 64);
    b.set(RlpReg.SRC, MEM_BASE + 1);
    b.set(RlpReg.SRCLEN, 3);
    const before2 = regs();
    b.gasLeft = encodeCost(true, 3).gas - 1;
    b.set(RlpReg.CMD, RlpCmd.ENC_BYTES);
    expect(regs()).toEqual(before2);
    expect(b.mem.slice(0, 64)).toEqual(mem);
    b.gasLeft = encodeCost(true, 3).gas;
    b.set(RlpReg.CMD, RlpCmd.ENC_BYTES);
    expect(b.get(RlpReg.STATUS)).toBe(RlpStatus.OK);
    expect(b.gasLeft).toBe(0);
  });

  test('busy: ready is held low exactly the command\'s cycles, on every register', () => {
    const b = new Bench();
    b.load(encode([Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3), new Uint8Array(70)]));
    b.set(RlpReg.POS, 0);
    b.set(RlpReg.INDEX, 3);
    b.t.cycles = 1000;
    b.set(RlpReg.CMD, RlpCmd.NTH);
    const L = decodeCost(1 + 4).cycles;
    expect(L).toBe(11);
    for (let k = 0; k <= L + 1; k++) {
      b.t.cycles = 1000 + k;
      if (b.clock.next <= b.t.cycles) b.clock.tick(b.t.cycles);
      for (const reg of [RlpReg.STATUS, RlpReg.DOFF, RlpReg.CMD]) expect(b.dev.latency(Rlp.BASE + reg, false), `cycle +${k}`).toBe(Math.max(0, L - k));
      expect(b.dev.latency(Rlp.BASE + RlpReg.POS, true)).toBe(Math.max(0, L - k));
    }
  });
});

// ---- programs on both models ----

const DEV = `0x${Rlp.BASE.toString(16)}`;
const R = RlpReg, C = RlpCmd, S = RlpStatus;

/**
 * A generic re-encoder: VALIDATE the input, then rebuild it item by item — a string by UINT and
 * ENC_UINT when it is a canonical integer, else ENC_BYTES of its payload; a list by NTH over its
 * elements (recursing), then ENC_LIST at the mark taken before them — and compare the output
 * with the input. Exit 0: identical; 1: different; 90+: a command failed (the step).
 */
function reencoder(input: Uint8Array): string {
  const bytes = Array.from(input).join(', ') || '0';
  return `
  .text
  .globl _start
_start:
  li s0, ${DEV}
  la s1, inbuf
  sw s1, ${R.BUF}(s0)
  li t0, ${input.length}
  sw t0, ${R.BUFLEN}(s0)
  la t0, outbuf
  sw t0, ${R.OUT}(s0)
  li t0, ${input.length + 16}
  sw t0, ${R.OUTCAP}(s0)
  sw zero, ${R.OUTLEN}(s0)
  sw zero, ${R.POS}(s0)
  li t0, ${C.VALIDATE}
  sw t0, ${R.CMD}(s0)
  lw t1, ${R.STATUS}(s0)
  li a0, 90
  bnez t1, exit
  li a0, 0
  call reenc
  li t0, ${input.length}
  li a0, 91
  bne a1, t0, exit            # the top item's END: the whole input
  lw t1, ${R.OUTLEN}(s0)
  li a0, 1
  bne t1, t0, exit
  la t2, outbuf
  mv t3, s1
  add t4, s1, t0
cmp:
  beq t3, t4, same
  lbu t5, 0(t2)
  lbu t6, 0(t3)
  bne t5, t6, exit
  addi t2, t2, 1
  addi t3, t3, 1
  j cmp
same:
  li a0, 0
exit:
  lw s2, ${R.OUTLEN}(s0)
  li a7, 93
  ecall

# reenc(a0 = pos): re-encode the item at pos; returns a1 = its END.
reenc:
  addi sp, sp, -32
  sw ra, 28(sp)
  sw s2, 24(sp)
  sw s3, 20(sp)
  sw s4, 16(sp)
  sw s5, 12(sp)
  sw s6, 8(sp)
  mv s2, a0
  sw s2, ${R.POS}(s0)
  li t0, ${C.ITEM}
  sw t0, ${R.CMD}(s0)
  lw t1, ${R.STATUS}(s0)
  li a0, 92
  bnez t1, exit
  lw s6, ${R.END}(s0)
  lw t1, ${R.TYPE}(s0)
  bnez t1, list
  li t0, ${C.UINT}
  sw t0, ${R.CMD}(s0)
  lw t1, ${R.STATUS}(s0)
  bnez t1, bytes
  li t0, ${C.ENC_UINT}
  sw t0, ${R.CMD}(s0)
  j encoded
bytes:
  lw t2, ${R.DOFF}(s0)
  add t2, t2, s1
  sw t2, ${R.SRC}(s0)
  lw t3, ${R.DLEN}(s0)
  sw t3, ${R.SRCLEN}(s0)
  li t0, ${C.ENC_BYTES}
  sw t0, ${R.CMD}(s0)
encoded:
  lw t1, ${R.STATUS}(s0)
  li a0, 93
  bnez t1, exit
  j done
list:
  lw s3, ${R.OUTLEN}(s0)      # the mark
  lw s5, ${R.DOFF}(s0)        # where element 0 starts
  li s4, 0
next:
  sw s2, ${R.POS}(s0)
  sw s4, ${R.INDEX}(s0)
  li t0, ${C.NTH}
  sw t0, ${R.CMD}(s0)
  lw t1, ${R.STATUS}(s0)
  li t2, ${S.INDEX_RANGE}
  beq t1, t2, close
  li a0, 94
  bnez t1, exit
  lw t3, ${R.END}(s0)
  sw t3, 4(sp)
  mv a0, s5
  call reenc
  lw t3, 4(sp)
  li a0, 95
  bne a1, t3, exit            # NTH and the walk agree on where the element ends
  mv s5, a1
  addi s4, s4, 1
  j next
close:
  sw s3, ${R.MARK}(s0)
  li t0, ${C.ENC_LIST}
  sw t0, ${R.CMD}(s0)
  lw t1, ${R.STATUS}(s0)
  li a0, 96
  bnez t1, exit
done:
  mv a1, s6
  lw ra, 28(sp)
  lw s2, 24(sp)
  lw s3, 20(sp)
  lw s4, 16(sp)
  lw s5, 12(sp)
  lw s6, 8(sp)
  addi sp, sp, 32
  ret

  .data
inbuf: .byte ${bytes}
  .balign 4
outbuf: .space ${input.length + 16}
`;
}

interface Run { end: FrameEnd; x: number[]; gas: number; retired: number; cycles?: number; dev: RlpUnit; out: Uint8Array; sym: (name: string) => number }

function runProgram(model: ModelKind, src: string, o: { gas?: number; pset?: number; outLen?: number } = {}): Run {
  const dev = new RlpUnit();
  const prog = loadElf(assembleToElf(src, { file: 'rlp.S' }));
  const sym = (name: string): number => prog.symbols.find((s) => s.name === name)!.value;
  const m = createModel(model, prog, { devices: [dev], gas: o.gas, pset: o.pset });
  const end = new CallManager(m, new LinuxHost()).run({ maxCycles: 50_000_000, maxInstructions: 10_000_000 });
  const out = m.mem.peek(sym('outbuf'), o.outLen ?? 16)!.slice();
  return { end, x: Array.from(m.x), gas: m.gasUsed, retired: m.retired, cycles: (m as { cycles?: number }).cycles, dev, out, sym };
}

describe.each(['iss', 'cycle'] as const)('programs on the %s', (model) => {
  const cases: [string, RlpItem][] = [
    ['a transaction-like list', [uintBytes(9), uintBytes(20_000_000_000n), uintBytes(21000), hexb('3535353535353535353535353535353535353535'), uintBytes(10n ** 18n), new Uint8Array(0), uintBytes(37), hexb('28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276'), hexb('67cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83')]],
    ['nested lists, integers with leading zeros, long strings', [[[], [[]]], Uint8Array.of(0), Uint8Array.of(0, 1), new Uint8Array(9).fill(1), [new Uint8Array(60).fill(0xab), [uintBytes(0x7f), uintBytes(0x80)]], uintBytes((1n << 64n) - 1n)]],
    ['a single byte string', Uint8Array.of(0x42)],
  ];
  test.each(cases)('re-encodes %s byte for byte', (_name, item) => {
    const input = encode(item);
    const r = runProgram(model, reencoder(input), { outLen: input.length });
    expect(r.end).toEqual({ kind: 'exit', code: 0 });
    expect(r.x[18]).toBe(input.length); // s2 = OUTLEN at exit
    expect(hexOf(r.out)).toBe(hexOf(input));
    expect(r.dev.stats.byCommand.ENC_LIST ?? 0).toBe(JSON.stringify(norm(item)).split('[').length - 1);
  });

  test('random structures re-encode identically; a corrupted copy does not', () => {
    const r = rng(99);
    for (let k = 0; k < 6; k++) {
      const item = randomItem(r, 3);
      const input = encode(item);
      if (input.length > 2000) continue;
      expect(runProgram(model, reencoder(input)).end).toEqual({ kind: 'exit', code: 0 });
    }
    // The checker can fail: an invalid input stops at VALIDATE.
    expect(runProgram(model, reencoder(hexb('c28100'))).end).toEqual({ kind: 'exit', code: 90 });
  });
});

test('both models: same registers, gas and retired instructions; the cycle model waits the commands out', () => {
  const input = encode([[Uint8Array.of(1), new Uint8Array(70)], uintBytes(123456789), [[], []]]);
  const src = reencoder(input);
  const iss = runProgram('iss', src), cyc = runProgram('cycle', src);
  expect(iss.end).toEqual({ kind: 'exit', code: 0 });
  expect(cyc.end).toEqual(iss.end);
  expect(cyc.x).toEqual(iss.x);
  expect(cyc.gas).toBe(iss.gas);
  expect(cyc.retired).toBe(iss.retired);
  expect(cyc.dev.stats).toEqual(iss.dev.stats);
  expect(iss.dev.stats.gas).toBeGreaterThan(0);
});

test.each([0, 1, 2])('lockstep (random stalls, seed %i): the re-encoder agrees at every retired instruction', (seed) => {
  const input = encode([uintBytes(1), [new Uint8Array(57).fill(7), [[]]], Uint8Array.of(0, 0, 1)]);
  const r = lockstep(assembleToElf(reencoder(input), { file: 'rlp.S' }), { devices: () => [new RlpUnit()], randomStalls: seed === 0 ? 0 : 3, seed });
  expect(r.end).toEqual({ kind: 'exit', code: 0 });
  expect(r.gas).toBeGreaterThan(r.instructions);
});

/** One command after `setup`, `nops` instructions, then STATUS and a result register read. */
function oneCommand(setup: string, cmd: number, nops = 0, result: number = RlpReg.END): string {
  return `
  .text
  .globl _start
_start:
  li s0, ${DEV}
${setup}
  li t0, ${cmd}
cmd_store:
  sw t0, ${R.CMD}(s0)
  ${'nop\n  '.repeat(nops)}
  lw a0, ${R.STATUS}(s0)
  lw a1, ${result}(s0)
  lw a2, ${R.OUTLEN}(s0)
  li a7, 93
  ecall
  .data
  .balign 4
inbuf: .byte 0xc8, 0x83, 1, 2, 3, 0xc3, 0x80, 0xc1, 0x05
  .balign 4
outbuf: .space 64
`;
}

const DECODE_SETUP = `  la t1, inbuf\n  sw t1, ${R.BUF}(s0)\n  li t1, 9\n  sw t1, ${R.BUFLEN}(s0)\n  li t1, 1\n  sw t1, ${R.INDEX}(s0)`;

// docs/timing.md T11 as in test/device-contract.test.ts: the CMD store's write takes effect at
// the edge of its MEM cycle c, the k NOPs behind it spend a cycle each in MEM, so the STATUS load
// starts in cycle c + 1 + k and waits max(0, L - 1 - k) cycles for a command of L cycles.
test.each([0, 1, 3, 5, 6, 7, 12])('the cycle model: STATUS read %i instructions after the command waits max(0, L - 1 - k) cycles', (k) => {
  const L = decodeCost(3).cycles, far = L + 4;
  const run = (n: number) => runProgram('cycle', oneCommand(DECODE_SETUP, RlpCmd.NTH, n));
  const r = run(k), base = run(far), iss = runProgram('iss', oneCommand(DECODE_SETUP, RlpCmd.NTH, k));
  expect(r.dev.stats.cycles).toBe(L);
  expect(r.cycles! - base.cycles! - (k - far)).toBe(Math.max(0, L - 1 - k));
  expect(r.x).toEqual(iss.x);
  expect(r.gas).toBe(iss.gas);
});

describe.each(['iss', 'cycle'] as const)('hostile programs on the %s', (model) => {
  test('a buffer outside the frame: DMA_FAULT, results 0', () => {
    const setup = `  li t1, 0x50000000\n  sw t1, ${R.BUF}(s0)\n  li t1, 9\n  sw t1, ${R.BUFLEN}(s0)`;
    const r = runProgram(model, oneCommand(setup, RlpCmd.VALIDATE));
    expect(r.x[10]).toBe(RlpStatus.DMA_FAULT);
    expect(r.x[11]).toBe(0);
  });

  test('encoding into the code (read-only) or outside the frame: DMA_FAULT, nothing written', () => {
    for (const out of ['la t1, _start', 'li t1, 0x50000000']) {
      const setup = `  ${out}\n  sw t1, ${R.OUT}(s0)\n  li t1, 64\n  sw t1, ${R.OUTCAP}(s0)\n  li t1, 300\n  sw t1, ${R.VAL_LO}(s0)`;
      const r = runProgram(model, oneCommand(setup, RlpCmd.ENC_UINT));
      expect(r.end).toEqual({ kind: 'exit', code: RlpStatus.DMA_FAULT });
      expect(r.x[12]).toBe(0); // OUTLEN
    }
  });

  test('NTH finds element 1 of the list: its END', () => {
    const r = runProgram(model, oneCommand(DECODE_SETUP, RlpCmd.NTH));
    expect(r.x[10]).toBe(RlpStatus.OK);
    expect(r.x[11]).toBe(9);
  });

  test('out of gas at the CMD store: cause 24 there, nothing done, as the other model', () => {
    const src = oneCommand(DECODE_SETUP, RlpCmd.NTH);
    const full = runProgram(model, src, { pset: 0 });
    expect(full.end).toEqual({ kind: 'exit', code: 0 });
    const devGas = decodeCost(3).gas;
    expect(full.dev.stats.gas).toBe(devGas);
    const other = model === 'iss' ? 'cycle' : 'iss';
    const atStore: number[] = [];
    for (let g = 0; g < full.gas; g++) {
      const r = runProgram(model, src, { pset: 0, gas: g }), o = runProgram(other, src, { pset: 0, gas: g });
      expect(r.end, `gas ${g}`).toMatchObject({ kind: 'trap', cause: 24 });
      expect(o.end).toEqual(r.end);
      expect(o.gas).toBe(r.gas);
      expect(o.retired).toBe(r.retired);
      if ((r.end as { pc: number }).pc !== r.sym('cmd_store')) continue;
      atStore.push(g);
      expect(r.dev.stats.ops).toBe(0);
      expect(r.gas).toBeLessThanOrEqual(g);
    }
    // The store traps for every limit below its own cost plus the device's charge, and no other.
    expect(atStore.length).toBeGreaterThanOrEqual(devGas);
    const top = atStore[atStore.length - 1]!;
    expect(atStore).toEqual(Array.from({ length: atStore.length }, (_, k) => top - atStore.length + 1 + k));
    const past = runProgram(model, src, { pset: 0, gas: top + 1 });
    expect(past.dev.stats.ops).toBe(1);
    expect((past.end as { pc?: number }).pc).not.toBe(past.sym('cmd_store'));
  });
});
