// Mutators for the red-team campaign (verify/redteam/campaign.ts): byte-level mutations of
// binary inputs (ELF images) and token-level mutations of text inputs (assembly, VCD, JSON
// lines, QEMU logs). Every mutator is a pure function of its input and the generator, so a case
// is reproduced from its seed alone.

import { XorShift32 } from '../randprog.js';

/** The campaign's generator: xorshift32 seeded through randprog's mixer. */
export class Rng extends XorShift32 {
  below(n: number): number { return n <= 0 ? 0 : this.next() % n; }
  override chance(p: number): boolean { return this.next() / 0x1_0000_0000 < p; }
  override pick<T>(xs: readonly T[]): T { return xs[this.below(xs.length)]!; }
}

/** Numbers that break parsers and range checks: edges of 8/16/32/53-bit ranges and friends. */
export const NASTY_NUMBERS: readonly number[] = [
  0, 1, -1, 2, 3, 4, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x1_0000, 0x7fff_ffff, 0x8000_0000,
  0xffff_fffc, 0xffff_ffff, 0x1_0000_0000, 2 ** 53, 0x100_0000, 0x100_0004, 16 << 20, (16 << 20) + 4, -0x8000_0000,
];

const u32 = (b: Uint8Array, o: number, v: number): void => {
  if (o + 4 > b.length) return;
  b[o] = v & 0xff; b[o + 1] = (v >>> 8) & 0xff; b[o + 2] = (v >>> 16) & 0xff; b[o + 3] = (v >>> 24) & 0xff;
};
const u16 = (b: Uint8Array, o: number, v: number): void => {
  if (o + 2 > b.length) return;
  b[o] = v & 0xff; b[o + 1] = (v >>> 8) & 0xff;
};
const rd32 = (b: Uint8Array, o: number): number => o + 4 > b.length ? 0 : (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
const rd16 = (b: Uint8Array, o: number): number => o + 2 > b.length ? 0 : b[o]! | (b[o + 1]! << 8);

/** Offsets of ELF32 header fields and the fields of one program/section header. */
const EHDR_FIELDS: readonly [number, 2 | 4][] = [
  [16, 2], [18, 2], [20, 4], [24, 4], [28, 4], [32, 4], [36, 4], [40, 2], [42, 2], [44, 2], [46, 2], [48, 2], [50, 2],
];
const PHDR_FIELDS: readonly number[] = [0, 4, 8, 12, 16, 20, 24, 28];
const SHDR_FIELDS: readonly number[] = [0, 4, 8, 12, 16, 20, 24, 28, 32, 36];

function nasty32(rng: Rng, old: number): number {
  switch (rng.below(5)) {
    case 0: return rng.pick(NASTY_NUMBERS) >>> 0;
    case 1: return (old + rng.pick([1, -1, 4, -4, 0x1000, -0x1000, 0x1000_0000])) >>> 0;
    case 2: return (old ^ (1 << rng.below(32))) >>> 0;
    case 3: return rng.next();
    default: return (0xffff_ffff - rng.below(64)) >>> 0;
  }
}

/**
 * One mutation of an ELF image: bit flips, truncation, header-field abuse (huge sizes and
 * offsets, wrong counts), program-header abuse, section-header abuse or appended garbage.
 * Returns the new bytes and a short description of what was done.
 */
export function mutateElf(src: Uint8Array, rng: Rng): { bytes: Uint8Array; what: string } {
  const b = Uint8Array.from(src);
  const phoff = rd32(b, 28), phentsize = rd16(b, 42) || 32, phnum = rd16(b, 44);
  const shoff = rd32(b, 32), shentsize = rd16(b, 46) || 40, shnum = rd16(b, 48);
  switch (rng.below(8)) {
    case 0: {
      const n = 1 + rng.below(8);
      for (let i = 0; i < n; i++) { const o = rng.below(b.length); b[o]! ^= 1 << rng.below(8); }
      return { bytes: b, what: `${n} bit flips` };
    }
    case 1: {
      const len = rng.chance(0.5) ? rng.below(Math.min(b.length, 128)) : rng.below(b.length);
      return { bytes: b.slice(0, len), what: `truncated to ${len} bytes` };
    }
    case 2: {
      const [o, w] = rng.pick(EHDR_FIELDS);
      const v = nasty32(rng, w === 4 ? rd32(b, o) : rd16(b, o));
      if (w === 4) u32(b, o, v); else u16(b, o, v);
      return { bytes: b, what: `ELF header +${o} = 0x${(w === 4 ? v : v & 0xffff).toString(16)}` };
    }
    case 3: {
      if (phnum === 0) break;
      const i = rng.below(phnum), f = rng.pick(PHDR_FIELDS);
      const o = phoff + i * phentsize + f;
      const v = nasty32(rng, rd32(b, o));
      u32(b, o, v);
      return { bytes: b, what: `program header ${i} +${f} = 0x${v.toString(16)}` };
    }
    case 4: {
      if (shnum === 0) break;
      const i = rng.below(shnum), f = rng.pick(SHDR_FIELDS);
      const o = shoff + i * shentsize + f;
      const v = nasty32(rng, rd32(b, o));
      u32(b, o, v);
      return { bytes: b, what: `section header ${i} +${f} = 0x${v.toString(16)}` };
    }
    case 5: {
      // Two program headers made to overlap, or one segment made writable and executable.
      if (phnum === 0) break;
      const i = rng.below(phnum), o = phoff + i * phentsize;
      if (rng.chance(0.5)) { u32(b, o + 24, 7); return { bytes: b, what: `program header ${i} flags RWX` }; }
      const j = rng.below(phnum);
      u32(b, o + 8, rd32(b, phoff + j * phentsize + 8));
      return { bytes: b, what: `program header ${i} vaddr = header ${j}'s` };
    }
    case 6: {
      const n = rng.chance(0.5) ? 1 + rng.below(64) : rng.below(1 << 16);
      const out = new Uint8Array(b.length + n);
      out.set(b);
      for (let i = b.length; i < out.length; i++) out[i] = rng.next() & 0xff;
      return { bytes: out, what: `${n} random bytes appended` };
    }
    default: break;
  }
  // Random bytes over a random stretch (also the fallback when the image has no headers to abuse).
  const o = rng.below(Math.max(1, b.length)), n = 1 + rng.below(16);
  for (let i = o; i < Math.min(b.length, o + n); i++) b[i] = rng.next() & 0xff;
  return { bytes: b, what: `${n} random bytes at ${o}` };
}

/** Tokens of a text: words, numbers, punctuation and the whitespace between them, in order. */
function tokens(text: string): string[] {
  return text.match(/[A-Za-z_.$][\w.$]*|0[xX][0-9a-fA-F]+|\d+|\s+|./gs) ?? [];
}

/** Replacement tokens for assembly: huge and odd literals, registers, directives, operators. */
const ASM_TOKENS: readonly string[] = [
  '0xffffffff', '0x100000000', '4294967296', '99999999999999999999', '-2147483649', '0x7fffffff', '-1', '0b102', '0x',
  '1e9', '08', '0xfffffffffffffffff', 'x32', 'x-1', 'zero', 'sp', 'a0', '.text', '.data', '.bss', '.word', '.space', '.align',
  '.equ', '.globl', '.skip', '%hi(', '%lo(', ')', '(', ',', ':', '"', '\\', '#', ';', '\n', '+', '-', '*', '/', '<<', '>>',
  '.', '1b', '1f', 'eval', 'return', 'throw', 'gastab', 'perm', 'gas', 'ecall', 'la', 'li', 'call', 'tail', '\0', '\u00e9',
];

const VCD_TOKENS: readonly string[] = [
  '$var', '$end', '$scope', '$upscope', '$enddefinitions', '$timescale', '$dumpvars', '#', '#-1', '#99999999999999999999',
  'b', 'bx', 'bz', 'b2', 'x', 'z', '0', '1', '!', '"', 'wire', 'reg', '4294967296', '64', '0', '-1', '1 fs', '7 ns', '\n', ' ',
];

const JSON_TOKENS: readonly string[] = [
  '{', '}', '[', ']', ':', ',', '"', 'null', 'true', '-1', '1e99', '4294967296', '"0x10"', 'NaN', '0.5', '"rvfi_valid"',
  '"order"', '"insn"', '"pc_rdata"', '"rd_wdata"', '\n', '99999999999999999999999',
];

const QEMU_TOKENS: readonly string[] = [
  'pc', 'x0/zero', 'x1/ra', 'x2/sp', 'x31/t6', '00000000', 'ffffffff', '100000000', 'zzzzzzzz', '0x10', '\n', ' ', '\t',
  'f0/ft0', 'V', '-', 'priv', '0000000000000000000000000000000000000000000000000',
];

export type TextFlavour = 'asm' | 'vcd' | 'json' | 'qemu';
const FLAVOUR_TOKENS: Readonly<Record<TextFlavour, readonly string[]>> = { asm: ASM_TOKENS, vcd: VCD_TOKENS, json: JSON_TOKENS, qemu: QEMU_TOKENS };

/**
 * One to a few token-level mutations of a text: delete, duplicate, swap or replace tokens,
 * insert a flavour's nasty token, truncate, or blow a line or the whole text up in size.
 */
export function mutateText(text: string, rng: Rng, flavour: TextFlavour): { text: string; what: string } {
  const t = tokens(text);
  const pool = FLAVOUR_TOKENS[flavour];
  const what: string[] = [];
  const n = 1 + rng.below(rng.chance(0.2) ? 12 : 3);
  for (let k = 0; k < n && t.length > 0; k++) {
    const i = rng.below(t.length);
    switch (rng.below(8)) {
      case 0: t.splice(i, 1 + rng.below(3)); what.push('delete'); break;
      case 1: t.splice(i, 0, t[rng.below(t.length)]!); what.push('duplicate'); break;
      case 2: { const j = rng.below(t.length); const s = t[i]!; t[i] = t[j]!; t[j] = s; what.push('swap'); break; }
      case 3: case 4: t[i] = rng.pick(pool); what.push(`replace with ${JSON.stringify(t[i])}`); break;
      case 5: t.splice(i, 0, rng.pick(pool)); what.push(`insert ${JSON.stringify(t[i])}`); break;
      case 6: t.length = i; what.push(`truncate at token ${i}`); break;
      default: {
        // Size abuse: a very long token, a long line, or a run of repeated lines.
        const big = rng.below(3);
        if (big === 0) { t[i] = t[i]!.slice(0, 100).repeat(1000 + rng.below(20_000)); what.push('long token'); }
        else if (big === 1) { t.splice(i, 0, ' '.repeat(1) + 'x'.repeat(100_000 + rng.below(400_000))); what.push('long line'); }
        else {
          // A random line of the text, repeated where token i starts.
          const lines = text.split('\n');
          const line = lines[rng.below(lines.length)]!.slice(0, 200) + '\n';
          t.splice(i, 0, line.repeat(1000 + rng.below(10_000)));
          what.push('repeated line');
        }
      }
    }
  }
  return { text: t.join(''), what: what.join(', ') };
}
