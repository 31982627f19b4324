// The committed ROM images (firmware/build, examples/contracts/build): the flat bytes of a ROM
// and its symbol map, for the host tools and the tests. Users need no cross compiler to run them.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { ElfSymbol } from '../isa/elf.js';

/** The repository root (dist/firmware/images.js and firmware/images.ts both sit two levels in). */
export const REPO_ROOT = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../' : '../', import.meta.url));

/** The consensus ROMs (firmware/src/NAME.c → firmware/build/NAME.bin). */
export const FIRMWARE = ['interpret_block', 'interpret_collation', 'msg'] as const;
export type FirmwareName = (typeof FIRMWARE)[number];

export interface RomImage {
  name: string;
  /** The flat image: .text, .rodata and .data's initial bytes, loaded at 0x0001_0000. */
  code: Uint8Array;
  symbols: ElfSymbol[];
  /** RAM the image needs for .data and .bss (its stack comes on top). */
  ramMin: number;
}

const STT: Record<string, number> = { notype: 0, object: 1, func: 2 };

/** Symbol map lines: `address size kind name` (address in hex, size in decimal). */
export function formatSymbols(symbols: readonly ElfSymbol[]): string {
  const kind = (t: number): string => (t === 2 ? 'func' : t === 1 ? 'object' : 'notype');
  return symbols.map((s) => `${s.value.toString(16).padStart(8, '0')} ${s.size} ${kind(s.type)} ${s.name}`).join('\n') + '\n';
}

export function parseSymbols(text: string): ElfSymbol[] {
  const out: ElfSymbol[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [addr, size, kind, name] = line.split(' ');
    out.push({ name: name!, value: parseInt(addr!, 16), size: Number(size), type: STT[kind!] ?? 0, global: true });
  }
  return out;
}

/** The image at DIR/NAME.bin with its DIR/NAME.sym. */
export function loadImageFrom(dir: string, name: string): RomImage {
  const bin = join(dir, `${name}.bin`), sym = join(dir, `${name}.sym`);
  if (!existsSync(bin)) throw new Error(`ROM image ${bin} is missing: run npm run firmware`);
  const symbols = existsSync(sym) ? parseSymbols(readFileSync(sym, 'utf8')) : [];
  const end = symbols.find((s) => s.name === '__bss_end')?.value ?? 0x4000_0000;
  return { name, code: new Uint8Array(readFileSync(bin)), symbols, ramMin: Math.max(0, end - 0x4000_0000) };
}

/** A consensus ROM. */
export function firmwareImage(name: FirmwareName): RomImage {
  return loadImageFrom(join(REPO_ROOT, 'firmware', 'build'), name);
}

/** An example contract (examples/contracts/NAME.c). */
export function contractImage(name: string): RomImage {
  return loadImageFrom(join(REPO_ROOT, 'examples', 'contracts', 'build'), name);
}
