// The RLP decoder / encoder (docs/peripherals.md, "RLP"): a command device on map RLP that any
// frame may use. Decoding walks the buffer [BUF, BUF + BUFLEN) of frame memory in place (a DMA
// view, never a copy) with the strict `header` of rlpcodec.ts; encoding appends at OUT + OUTLEN.
// Every command first walks or checks everything it needs (touching nothing), then charges its
// gas and takes its cycles in one `spend`, then writes memory and result registers — so gas is
// known before any visible change, and a refused charge leaves the device and memory as they
// were. Cost follows work done: headers read or written, words copied; a walk is bounded by
// the buffer (every header is at least one byte) and VALIDATE's nesting by MAX_DEPTH, kept on a
// fixed stack of its own (no host recursion a guest could drive).

import { CommandDevice, REFUSED } from './command.js';
import { RLP } from './regmap.js';
import { Rlp, RlpCmd, RlpReg, RlpStatus } from './regs.js';
import { header, headerLength, writeHeader, type RlpHeader } from './rlpcodec.js';

const TWO32 = 0x1_0000_0000;
/** Largest charge the gas port takes (GasPort.charge: below 2^31); more would be refused anyway. */
const GAS_CAP = 0x7fff_ffff;

/** 4-byte words in `n` bytes, rounded up. */
const words = (n: number): number => Math.ceil(n / 4);

export class RlpUnit extends CommandDevice {
  /** Header of the item a walk is at (reused: no allocation per command). */
  private readonly h: RlpHeader = { list: false, doff: 0, dlen: 0, end: 0 };
  /** VALIDATE: ends of the lists being walked, innermost last. */
  private readonly ends = new Uint32Array(Rlp.MAX_DEPTH);
  /** Headers read by the command in progress. */
  private headers = 0;
  /** ENC_UINT: the minimal big-endian bytes of VAL_HI:VAL_LO. */
  private readonly uint = new Uint8Array(8);
  /** A header being written (at most 1 + 4 bytes). */
  private readonly hdr = new Uint8Array(5);

  constructor() {
    super(RLP);
  }

  protected command(code: number): number {
    // The base calls this only with the map's codes; the `never` below makes the compiler check
    // that every one of them is handled here.
    const c = code as RlpCmd;
    switch (c) {
      case RlpCmd.ITEM: case RlpCmd.NTH: case RlpCmd.COUNT: case RlpCmd.VALIDATE: case RlpCmd.UINT: return this.decodeCmd(code);
      case RlpCmd.ENC_BYTES: return this.encBytes();
      case RlpCmd.ENC_UINT: return this.encUint();
      case RlpCmd.ENC_LIST: return this.encList();
    }
    const unhandled: never = c;
    return unhandled;
  }

  // ---- decoding ----

  /** One header read, counted (the count sets the command's gas and cycles). */
  private readHeader(buf: Uint8Array, pos: number, limit: number): boolean {
    this.headers++;
    return header(buf, pos, limit, this.h) !== null;
  }

  private decodeCmd(code: number): number {
    this.headers = 0;
    const len = this.reg(RlpReg.BUFLEN) >>> 0, pos = this.reg(RlpReg.POS) >>> 0;
    const buf = this.view(this.reg(RlpReg.BUF), len);
    let status: number = RlpStatus.DMA_FAULT;
    let count = 0, lo = 0, hi = 0;
    if (buf !== null) {
      status = this.readHeader(buf, pos, len) ? RlpStatus.OK : RlpStatus.MALFORMED;
      if (status === RlpStatus.OK) {
        switch (code) {
          case RlpCmd.NTH: status = this.nth(buf, this.reg(RlpReg.INDEX) >>> 0); break;
          case RlpCmd.COUNT: if (this.h.list) count = this.count(buf); else status = RlpStatus.NOT_LIST; break;
          case RlpCmd.VALIDATE: status = this.validate(buf); break;
          case RlpCmd.UINT: {
            const h = this.h;
            if (h.list) { status = RlpStatus.NOT_STRING; break; }
            if (h.dlen > 8) { status = RlpStatus.OVERFLOW; break; }
            if (h.dlen > 0 && buf[h.doff] === 0) { status = RlpStatus.NOT_CANONICAL_INT; break; }
            for (let i = 0; i < h.dlen; i++) {
              hi = ((hi << 8) | (lo >>> 24)) >>> 0;
              lo = ((lo << 8) | buf[h.doff + i]!) >>> 0;
            }
            break;
          }
        }
        if (count < 0) { status = -count; count = 0; }
      }
    }
    const n = this.headers;
    if (!this.spend(Math.min(GAS_CAP, Rlp.GAS_BASE + Rlp.GAS_PER_HEADER * n), Rlp.CYCLES_SETUP + Rlp.CYCLES_PER_HEADER * n)) return REFUSED;
    // The item's header is reported when it was read and well formed, even if the command wanted
    // another kind (NOT_LIST, NOT_STRING, NOT_CANONICAL_INT, OVERFLOW); otherwise 0.
    const shown = status === RlpStatus.OK || status === RlpStatus.NOT_LIST || status === RlpStatus.NOT_STRING
      || status === RlpStatus.NOT_CANONICAL_INT || status === RlpStatus.OVERFLOW;
    const h = this.h;
    this.setReg(RlpReg.TYPE, shown && h.list ? 1 : 0);
    this.setReg(RlpReg.DOFF, shown ? h.doff : 0);
    this.setReg(RlpReg.DLEN, shown ? h.dlen : 0);
    this.setReg(RlpReg.END, shown ? h.end : 0);
    if (code === RlpCmd.COUNT) this.setReg(RlpReg.COUNT, status === RlpStatus.OK ? count : 0);
    if (code === RlpCmd.UINT) {
      this.setReg(RlpReg.VAL_LO, status === RlpStatus.OK ? lo : 0);
      this.setReg(RlpReg.VAL_HI, status === RlpStatus.OK ? hi : 0);
    }
    return status;
  }

  /** NTH: walk the list in `h` to element `index`; leaves that element's header in `h`. */
  private nth(buf: Uint8Array, index: number): number {
    if (!this.h.list) return RlpStatus.NOT_LIST;
    const end = this.h.end;
    let p = this.h.doff;
    for (let i = 0; ; i++) {
      // Every element is at least one byte: the walk stops at the list's end.
      if (p >= end) return RlpStatus.INDEX_RANGE;
      if (!this.readHeader(buf, p, end)) return RlpStatus.MALFORMED;
      if (i === index) return RlpStatus.OK;
      p = this.h.end;
    }
  }

  /** COUNT: the elements of the list in `h` (its header kept in `h`); -MALFORMED if one is. */
  private count(buf: Uint8Array): number {
    const h = this.h, doff = h.doff, dlen = h.dlen, end = h.end;
    let n = 0;
    for (let p = doff; p < end; n++) {
      if (!this.readHeader(buf, p, end)) return -RlpStatus.MALFORMED;
      p = h.end;
    }
    h.list = true; h.doff = doff; h.dlen = dlen; h.end = end;
    return n;
  }

  /** VALIDATE: everything nested in the item in `h`, iteratively (its header kept in `h`). */
  private validate(buf: Uint8Array): number {
    const h = this.h, ends = this.ends;
    if (!h.list) return RlpStatus.OK;
    const doff = h.doff, dlen = h.dlen, end = h.end;
    ends[0] = end;
    let depth = 1, p = h.doff;
    while (depth > 0) {
      const limit = ends[depth - 1]!;
      if (p === limit) { depth--; continue; }
      if (!this.readHeader(buf, p, limit)) return RlpStatus.MALFORMED;
      if (h.list) {
        if (depth === Rlp.MAX_DEPTH) return RlpStatus.MALFORMED;
        ends[depth++] = h.end;
        p = h.doff;
      } else p = h.end;
    }
    h.list = true; h.doff = doff; h.dlen = dlen; h.end = end;
    return RlpStatus.OK;
  }

  // ---- encoding ----

  /**
   * Where `n` more bytes of output go: OUT + OUTLEN, or -OVERFLOW past OUTCAP, or -DMA_FAULT
   * when the range is not writable memory of the frame (also when it wraps past 2^32).
   */
  private outAt(n: number): number {
    const outLen = this.reg(RlpReg.OUTLEN) >>> 0;
    if (outLen + n > (this.reg(RlpReg.OUTCAP) >>> 0)) return -RlpStatus.OVERFLOW;
    const at = (this.reg(RlpReg.OUT) >>> 0) + outLen;
    return at + n <= TWO32 && this.canWrite(at, n) ? at : -RlpStatus.DMA_FAULT;
  }

  /** The charge of an encoding command: one header written, `copied` bytes moved; false: refused. */
  private spendEnc(ok: boolean, copied: number): boolean {
    const h = ok ? 1 : 0, w = ok ? words(copied) : 0;
    return this.spend(Math.min(GAS_CAP, Rlp.GAS_BASE + Rlp.GAS_PER_HEADER * h + Rlp.GAS_PER_WORD * w), Rlp.CYCLES_SETUP + Rlp.CYCLES_PER_HEADER * h + Rlp.CYCLES_PER_WORD * w);
  }

  private encBytes(): number {
    const len = this.reg(RlpReg.SRCLEN) >>> 0;
    const src = this.view(this.reg(RlpReg.SRC), len);
    const single = src !== null && len === 1 && src[0]! < 0x80;
    const hl = single ? 0 : headerLength(len);
    const at = src === null ? -RlpStatus.DMA_FAULT : this.outAt(hl + len);
    if (!this.spendEnc(at >= 0, len)) return REFUSED;
    if (at < 0) return -at;
    // Payload first: SRC may overlap the output, and a same-buffer copy reads its source whole
    // before writing; the header then overwrites only bytes already copied.
    this.put(at + hl, src!);
    if (!single) this.put(at, this.hdr.subarray(0, writeHeader(this.hdr, 0, len, false)));
    this.setReg(RlpReg.OUTLEN, this.reg(RlpReg.OUTLEN) + hl + len);
    return RlpStatus.OK;
  }

  private encUint(): number {
    const lo = this.reg(RlpReg.VAL_LO) >>> 0, hi = this.reg(RlpReg.VAL_HI) >>> 0, u = this.uint;
    let n = 0;
    for (let k = 7; k >= 0; k--) {
      const b = (k >= 4 ? hi >>> (8 * (k - 4)) : lo >>> (8 * k)) & 0xff;
      if (n > 0 || b !== 0) u[n++] = b;
    }
    const single = n === 1 && u[0]! < 0x80;
    const hl = single ? 0 : 1;
    const at = this.outAt(hl + n);
    if (!this.spendEnc(at >= 0, n)) return REFUSED;
    if (at < 0) return -at;
    const hdr = this.hdr;
    hdr[0] = 0x80 + n;
    if (!single) this.put(at, hdr.subarray(0, 1));
    this.put(at + hl, u.subarray(0, n));
    this.setReg(RlpReg.OUTLEN, this.reg(RlpReg.OUTLEN) + hl + n);
    return RlpStatus.OK;
  }

  private encList(): number {
    const out = this.reg(RlpReg.OUT) >>> 0, outLen = this.reg(RlpReg.OUTLEN) >>> 0, mark = this.reg(RlpReg.MARK) >>> 0;
    let status: number = RlpStatus.OK;
    const n = outLen - mark, hl = headerLength(n);
    let payload: Uint8Array | null = null;
    if (mark > outLen || outLen + hl > (this.reg(RlpReg.OUTCAP) >>> 0)) status = RlpStatus.OVERFLOW;
    else {
      // The payload is read back and moved up by the header's length: [OUT+MARK, OUT+OUTLEN+hl)
      // must be readable and writable memory.
      const at = out + mark;
      payload = at + n + hl <= TWO32 && this.canWrite(at, n + hl) ? this.view(at, n) : null;
      if (payload === null) status = RlpStatus.DMA_FAULT;
    }
    if (!this.spendEnc(status === RlpStatus.OK, n)) return REFUSED;
    if (status !== RlpStatus.OK) return status;
    this.put(out + mark + hl, payload!);
    this.put(out + mark, this.hdr.subarray(0, writeHeader(this.hdr, 0, n, true)));
    this.setReg(RlpReg.OUTLEN, outLen + hl);
    return RlpStatus.OK;
  }
}
