// ELF32 reader for RISC-V little-endian executables (System V gABI; RISC-V ELF psABI).
// Every malformation a file can have is an ElfError with a one-line message.

export class ElfError extends Error {}

export interface ElfSegment {
  vaddr: number;
  memsz: number;
  /** File bytes (filesz of them); the rest up to memsz is zero. */
  data: Uint8Array;
  /** p_flags: X=1, W=2, R=4. */
  flags: number;
}

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  /** STT_* */
  type: number;
  global: boolean;
}

export interface ElfImage {
  entry: number;
  segments: ElfSegment[];
  symbols: ElfSymbol[];
}

const PT_LOAD = 1, SHT_SYMTAB = 2, EM_RISCV = 243, ET_EXEC = 2;

export function parseElf(buf: Uint8Array): ElfImage {
  const fail = (m: string): never => { throw new ElfError(`malformed ELF: ${m}`); };
  if (buf.length < 52) fail(`file is ${buf.length} bytes, shorter than an ELF32 header`);
  if (buf[0] !== 0x7f || buf[1] !== 0x45 || buf[2] !== 0x4c || buf[3] !== 0x46) fail('bad magic (not an ELF file)');
  if (buf[4] !== 1) fail(buf[4] === 2 ? 'ELF64 file; EVM∞ runs ELF32 (RV32) only' : `bad EI_CLASS ${buf[4]}`);
  if (buf[5] !== 1) fail('not little-endian');
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const u16 = (o: number): number => dv.getUint16(o, true);
  const u32 = (o: number): number => dv.getUint32(o, true);
  const type = u16(16), machine = u16(18);
  if (machine !== EM_RISCV) fail(`e_machine ${machine} is not RISC-V (243)`);
  if (type !== ET_EXEC) fail(`e_type ${type} is not an executable (ET_EXEC); link the program first`);
  const flags = u32(36);
  if (flags & 0x1) fail('built with the C extension (EF_RISCV_RVC); EVM∞ runs RV32IM only');
  if (flags & 0x6) fail('uses a hardware floating-point ABI; EVM∞ runs the ilp32 ABI');
  const entry = u32(24), phoff = u32(28), shoff = u32(32), phentsize = u16(42), phnum = u16(44);
  const shentsize = u16(46), shnum = u16(48);

  const span = (off: number, len: number, what: string): Uint8Array => {
    if (off + len > buf.length || off < 0 || len < 0) fail(`${what} [${off}, +${len}) lies outside the ${buf.length}-byte file`);
    return buf.subarray(off, off + len);
  };

  const segments: ElfSegment[] = [];
  if (phnum === 0) fail('no program headers');
  if (phentsize < 32) fail(`e_phentsize ${phentsize} is too small`);
  span(phoff, phnum * phentsize, 'program header table');
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (u32(p) !== PT_LOAD) continue;
    const offset = u32(p + 4), vaddr = u32(p + 8), filesz = u32(p + 16), memsz = u32(p + 20), pflags = u32(p + 24);
    if (memsz === 0) continue;
    if (filesz > memsz) fail(`segment ${i}: p_filesz ${filesz} exceeds p_memsz ${memsz}`);
    if (vaddr + memsz > 0x1_0000_0000) fail(`segment ${i} at 0x${vaddr.toString(16)} runs past 4 GiB`);
    if (memsz > 0x4000_0000) fail(`segment ${i} is ${memsz} bytes; the limit is 1 GiB`);
    segments.push({ vaddr, memsz, data: span(offset, filesz, `segment ${i}`), flags: pflags & 7 });
  }
  if (segments.length === 0) fail('no loadable segments');
  if (entry % 4 !== 0) fail(`entry point 0x${entry.toString(16)} is not word aligned`);

  const symbols: ElfSymbol[] = [];
  if (shoff !== 0 && shnum !== 0) {
    if (shentsize < 40) fail(`e_shentsize ${shentsize} is too small`);
    span(shoff, shnum * shentsize, 'section header table');
    for (let i = 0; i < shnum; i++) {
      const s = shoff + i * shentsize;
      if (u32(s + 4) !== SHT_SYMTAB) continue;
      const off = u32(s + 16), size = u32(s + 20), link = u32(s + 24), entsize = u32(s + 36) || 16;
      if (link >= shnum) fail(`symbol table ${i} links to missing section ${link}`);
      const strs = span(u32(shoff + link * shentsize + 16), u32(shoff + link * shentsize + 20), 'string table');
      span(off, size, 'symbol table');
      for (let e = off; e + 16 <= off + size; e += entsize) {
        const nameOff = u32(e), info = buf[e + 12]!, shndx = u16(e + 14);
        if (nameOff === 0 || shndx === 0) continue;
        if (nameOff >= strs.length) fail(`symbol name offset ${nameOff} outside its string table`);
        let end = nameOff;
        while (end < strs.length && strs[end] !== 0) end++;
        const name = new TextDecoder().decode(strs.subarray(nameOff, end));
        symbols.push({ name, value: u32(e + 4), size: u32(e + 8), type: info & 0xf, global: info >> 4 !== 0 });
      }
    }
  }
  return { entry, segments, symbols };
}
