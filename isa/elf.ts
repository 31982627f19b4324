// ELF32 reader for RISC-V little-endian executables (System V gABI; RISC-V ELF psABI).
// Every malformation a file can have is an ElfError with a one-line message. Offsets and sizes
// are checked against the file and the 32-bit address space before anything is built from them:
// segment contents are views into the file, never copies.

export class ElfError extends Error {
  /** The exit code's name (cpu/exit-codes.ts EXIT) when this error ends an evminf command. */
  readonly exit = 'BAD_INPUT' as const;
}

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

const PT_LOAD = 1, SHT_SYMTAB = 2, EM_RISCV = 243, ET_EXEC = 2, SYM_SIZE = 16;
/** Bound on the text of all symbol names together (each name is a fresh string). */
const MAX_NAME_BYTES = 64 << 20;

/** For each index of a string table, the index of the first NUL at or after it (or its length). */
function nulIndex(strs: Uint8Array): Int32Array {
  const out = new Int32Array(strs.length);
  let next = strs.length;
  for (let k = strs.length - 1; k >= 0; k--) {
    if (strs[k] === 0) next = k;
    out[k] = next;
  }
  return out;
}

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

  /** File bytes [off, off + len): offsets and sizes are unsigned 32-bit, so their sum can pass 4 GiB. */
  const span = (off: number, len: number, what: string): Uint8Array => {
    if (off + len > 0xffff_ffff) fail(`${what} [${off}, +${len}) wraps past the end of the 32-bit file offset range`);
    if (off + len > buf.length) fail(`${what} [${off}, +${len}) lies outside the ${buf.length}-byte file`);
    return buf.subarray(off, off + len);
  };

  // Program headers. An executable with no loadable segment is well formed (GNU ld writes one for
  // an empty program); it has no code to run, which the loader reports against its entry point.
  const segments: ElfSegment[] = [];
  if (phnum !== 0) {
    if (phentsize < 32) fail(`e_phentsize ${phentsize} is too small`);
    span(phoff, phnum * phentsize, 'program header table');
  }
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (u32(p) !== PT_LOAD) continue;
    const offset = u32(p + 4), vaddr = u32(p + 8), filesz = u32(p + 16), memsz = u32(p + 20), pflags = u32(p + 24);
    if (memsz === 0) continue;
    if (filesz > memsz) fail(`segment ${i}: p_filesz ${filesz} exceeds p_memsz ${memsz}`);
    if (vaddr + memsz > 0x1_0000_0000) fail(`segment ${i} at 0x${vaddr.toString(16)} runs past 4 GiB`);
    if (memsz > 0x4000_0000) fail(`segment ${i} is ${memsz} bytes; the limit is 1 GiB`);
    // A segment with no file bytes (.bss alone) has no file range: its p_offset is not checked.
    const data = filesz === 0 ? buf.subarray(0, 0) : span(offset, filesz, `segment ${i}`);
    segments.push({ vaddr, memsz, data, flags: pflags & 7 });
  }
  // Checked here, before anything is allocated for them: loadable segments must not overlap.
  const byAddr = segments.map((sg, k) => k).sort((x, y) => segments[x]!.vaddr - segments[y]!.vaddr);
  for (let k = 1; k < byAddr.length; k++) {
    const lo = segments[byAddr[k - 1]!]!, hi = segments[byAddr[k]!]!;
    if (hi.vaddr < lo.vaddr + lo.memsz) fail(`segment at 0x${hi.vaddr.toString(16)} overlaps the segment at 0x${lo.vaddr.toString(16)} (+0x${lo.memsz.toString(16)})`);
  }
  if (entry % 4 !== 0) fail(`entry point 0x${entry.toString(16)} is not word aligned`);

  const symbols: ElfSymbol[] = [];
  if (shoff !== 0 && shnum !== 0) {
    if (shentsize < 40) fail(`e_shentsize ${shentsize} is too small`);
    span(shoff, shnum * shentsize, 'section header table');
    const utf8 = new TextDecoder();
    let nameBytes = 0;
    for (let i = 0; i < shnum; i++) {
      const s = shoff + i * shentsize;
      if (u32(s + 4) !== SHT_SYMTAB) continue;
      const off = u32(s + 16), size = u32(s + 20), link = u32(s + 24), entsize = u32(s + 36) || SYM_SIZE;
      if (entsize < SYM_SIZE) fail(`symbol table ${i}: sh_entsize ${entsize} is smaller than an Elf32_Sym (16)`);
      if (link >= shnum) fail(`symbol table ${i} links to missing section ${link}`);
      const strs = span(u32(shoff + link * shentsize + 16), u32(shoff + link * shentsize + 20), 'string table');
      span(off, size, 'symbol table');
      // Where each name ends, found in one backward pass: names may share a tail (or have no NUL).
      let nul: Int32Array | null = null;
      for (let e = off; e + SYM_SIZE <= off + size; e += entsize) {
        const nameOff = u32(e), info = buf[e + 12]!, shndx = u16(e + 14);
        if (nameOff === 0 || shndx === 0) continue;
        if (nameOff >= strs.length) fail(`symbol name offset ${nameOff} outside its string table`);
        nul ??= nulIndex(strs);
        // Names may overlap (a shared tail), so a small table can spell a vast amount of text.
        nameBytes += nul[nameOff]! - nameOff;
        if (nameBytes > MAX_NAME_BYTES) fail(`symbol names total more than ${MAX_NAME_BYTES >>> 20} MiB`);
        const name = utf8.decode(strs.subarray(nameOff, nul[nameOff]!));
        symbols.push({ name, value: u32(e + 4), size: u32(e + 8), type: info & 0xf, global: info >> 4 !== 0 });
      }
    }
  }
  return { entry, segments, symbols };
}
