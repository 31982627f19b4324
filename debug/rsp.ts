// The GDB Remote Serial Protocol's framing (GDB manual, "Overview" of "Remote Protocol"):
// `$payload#cs` with cs the two hex digits of the sum of the payload bytes mod 256, answered
// by `+` or `-`; `}` escapes a byte as byte ^ 0x20; a lone 0x03 byte interrupts. This file only
// frames and unframes bytes; what the packets mean is debug/gdbstub.ts.

/** The longest packet payload we accept or send (announced as PacketSize in qSupported). */
export const PACKET_SIZE = 0x4000;
/** The longest raw (escaped) payload the decoder takes: room for escapes beyond PACKET_SIZE. */
export const MAX_RAW_PACKET = 2 * PACKET_SIZE;

export type RspEvent =
  | { readonly kind: 'packet'; readonly data: Buffer }
  | { readonly kind: 'ack' }
  | { readonly kind: 'nack' }
  /** Ctrl-C: the client asks a running target to stop. */
  | { readonly kind: 'interrupt' }
  /** A packet whose checksum did not match: answer `-` so the client sends it again. */
  | { readonly kind: 'bad-checksum' }
  /** A packet longer than MAX_RAW_PACKET: the client broke the protocol; drop the connection. */
  | { readonly kind: 'overflow' };

const enum State { IDLE, BODY, CS1, CS2 }

const HEX = '0123456789abcdef';

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Unframes a byte stream into events. Bytes between packets other than + - 0x03 are ignored. */
export class RspDecoder {
  private state = State.IDLE;
  private readonly body = Buffer.alloc(MAX_RAW_PACKET);
  private len = 0;
  private sum = 0;
  private cs = 0;
  private tooLong = false;

  /** The events the bytes of `chunk` complete, in order. */
  push(chunk: Uint8Array): RspEvent[] {
    const events: RspEvent[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      switch (this.state) {
        case State.IDLE:
          if (b === 0x24) { this.state = State.BODY; this.len = 0; this.sum = 0; this.tooLong = false; }
          else if (b === 0x2b) events.push({ kind: 'ack' });
          else if (b === 0x2d) events.push({ kind: 'nack' });
          else if (b === 0x03) events.push({ kind: 'interrupt' });
          break;
        case State.BODY:
          if (b === 0x23) { this.state = State.CS1; break; }
          // A `$` inside a body starts the packet again (the client gave up on the one before).
          if (b === 0x24) { this.len = 0; this.sum = 0; this.tooLong = false; break; }
          this.sum = (this.sum + b) & 0xff;
          if (this.len < MAX_RAW_PACKET) this.body[this.len++] = b;
          else if (!this.tooLong) { this.tooLong = true; events.push({ kind: 'overflow' }); }
          break;
        case State.CS1: {
          const h = hexValue(b);
          if (h < 0) { this.state = State.IDLE; events.push({ kind: 'bad-checksum' }); break; }
          this.cs = h << 4;
          this.state = State.CS2;
          break;
        }
        case State.CS2: {
          const h = hexValue(b);
          this.state = State.IDLE;
          if (this.tooLong) break;
          if (h < 0 || (this.cs | h) !== this.sum) { events.push({ kind: 'bad-checksum' }); break; }
          events.push({ kind: 'packet', data: unescape(this.body.subarray(0, this.len)) });
          break;
        }
      }
    }
    return events;
  }
}

/** The payload with `}` escapes undone (a copy). */
export function unescape(raw: Uint8Array): Buffer {
  const out = Buffer.alloc(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b === 0x7d && i + 1 < raw.length) out[n++] = raw[++i]! ^ 0x20;
    else out[n++] = b;
  }
  return out.subarray(0, n);
}

/** `$payload#cs`, with `$ # } *` in the payload escaped. */
export function frame(payload: string | Uint8Array): Buffer {
  const src = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
  const out = Buffer.alloc(src.length * 2 + 4);
  let n = 0, sum = 0;
  out[n++] = 0x24;
  for (let i = 0; i < src.length; i++) {
    let b = src[i]!;
    if (b === 0x24 || b === 0x23 || b === 0x7d || b === 0x2a) { out[n++] = 0x7d; sum += 0x7d; b ^= 0x20; }
    out[n++] = b;
    sum += b;
  }
  out[n++] = 0x23;
  out[n++] = HEX.charCodeAt((sum >> 4) & 15);
  out[n++] = HEX.charCodeAt(sum & 15);
  return out.subarray(0, n);
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Bytes of an even-length hex string; null if it is not one. */
export function fromHex(s: string): Buffer | null {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return null;
  return Buffer.from(s, 'hex');
}

/** A 32-bit little-endian register value as gdb's 8 hex digits. */
export function regHex(v: number): string {
  const u = v >>> 0;
  let s = '';
  for (let i = 0; i < 4; i++) { const b = (u >>> (8 * i)) & 0xff; s += HEX[b >> 4]! + HEX[b & 15]!; }
  return s;
}

/** A number in hex of at most `digits` digits (addresses, lengths, register numbers); null if not one. */
export function parseHex(s: string, digits = 8): number | null {
  if (s.length === 0 || s.length > digits || !/^[0-9a-fA-F]+$/.test(s)) return null;
  return parseInt(s, 16);
}
