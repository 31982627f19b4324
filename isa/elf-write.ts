// ELF32 little-endian executable writer for RISC-V (System V gABI; RISC-V ELF psABI:
// EM_RISCV, e_flags 0 = soft-float ilp32 without RVC). Each loadable section group becomes one
// PT_LOAD whose file offset is congruent to its address modulo the page size, as GNU ld lays
// out an executable, and a .symtab/.strtab pair makes the symbols visible to objdump and readelf.

/** Segment permission bits (gABI p_flags). */
export const PF_X = 1, PF_W = 2, PF_R = 4;

const PAGE = 0x1000;

// gABI constants.
const ET_EXEC = 2, EM_RISCV = 243, EV_CURRENT = 1, ELFCLASS32 = 1, ELFDATA2LSB = 1;
const PT_LOAD = 1;
const SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_NOBITS = 8;
const SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4;
const SHN_ABS = 0xfff1;
const STB_LOCAL = 0, STB_GLOBAL = 1, STB_WEAK = 2;
const STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2;
const EHDR_SIZE = 52, PHDR_SIZE = 32, SHDR_SIZE = 40, SYM_SIZE = 16;

export interface ElfSection {
  readonly name: string;
  readonly vaddr: number;
  /** File image; empty for a NOBITS section. */
  readonly bytes: Uint8Array;
  readonly memsz: number;
  /** PF_R | PF_W | PF_X. */
  readonly flags: number;
  readonly align: number;
  /** Occupies memory but no file space (.bss). */
  readonly nobits: boolean;
}

export interface ElfSymbol {
  readonly name: string;
  readonly value: number;
  readonly size: number;
  /** Name of the defining section, or null for an absolute symbol. */
  readonly section: string | null;
  readonly binding: 'local' | 'global' | 'weak';
  readonly type: 'notype' | 'func' | 'object';
}

export interface ElfImage {
  readonly entry: number;
  /** In address order. */
  readonly sections: readonly ElfSection[];
  readonly symbols: readonly ElfSymbol[];
}

interface Segment {
  vaddr: number;
  offset: number;
  filesz: number;
  memsz: number;
  flags: number;
  /** Index into the section list of the first section, and how many it holds. */
  first: number;
  count: number;
}

class StrTab {
  private readonly parts: Uint8Array[] = [new Uint8Array(1)];
  private size = 1;
  private readonly index = new Map<string, number>();
  add(s: string): number {
    if (s === '') return 0;
    const known = this.index.get(s);
    if (known !== undefined) return known;
    const bytes = new TextEncoder().encode(s + '\0');
    const at = this.size;
    this.parts.push(bytes);
    this.size += bytes.length;
    this.index.set(s, at);
    return at;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let p = 0;
    for (const b of this.parts) { out.set(b, p); p += b.length; }
    return out;
  }
}

const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;
/** The first offset >= `from` that is congruent to `vaddr` modulo the page size. */
const congruent = (from: number, vaddr: number): number => from + ((((vaddr - from) % PAGE) + PAGE) % PAGE);

/**
 * Group sections into PT_LOAD segments: a NOBITS section joins the segment before it when the
 * permissions match; an empty section (kept for its symbols) needs no segment.
 */
function segmentsOf(sections: readonly ElfSection[]): Segment[] {
  const segs: Segment[] = [];
  for (let i = 0; i < sections.length; i++) {
    const s = sections[i]!;
    if (s.memsz === 0) continue;
    const last = segs[segs.length - 1];
    if (last && s.nobits && last.flags === s.flags && s.vaddr >= last.vaddr + last.memsz && s.vaddr - (last.vaddr + last.memsz) < PAGE) {
      last.memsz = s.vaddr + s.memsz - last.vaddr;
      last.count++;
      continue;
    }
    segs.push({ vaddr: s.vaddr, offset: 0, filesz: s.bytes.length, memsz: s.memsz, flags: s.flags, first: i, count: 1 });
  }
  return segs;
}

/** Serialise an executable image into an ELF32 RISC-V ET_EXEC file. */
export function writeElf32(img: ElfImage): Uint8Array {
  const secs = img.sections;
  const segs = segmentsOf(secs);

  // File layout: headers, segment contents, .symtab, .strtab, .shstrtab, section headers.
  const headers = EHDR_SIZE + PHDR_SIZE * segs.length;
  let cur = headers;
  for (const seg of segs) {
    if (seg.filesz > 0) {
      seg.offset = congruent(cur, seg.vaddr);
      cur = seg.offset + seg.filesz;
    } else {
      // No file bytes (.bss alone): the offset only has to be congruent, so take one inside the
      // file, as GNU ld does, rather than one past its end. Before the headers end there may be
      // none; then the file grows to the first congruent offset.
      const below = cur - ((((cur - seg.vaddr) % PAGE) + PAGE) % PAGE);
      seg.offset = below >= 0 ? below : congruent(cur, seg.vaddr);
      cur = Math.max(cur, seg.offset);
    }
  }
  const secOffset = (i: number): number => {
    const seg = segs.find((g) => i >= g.first && i < g.first + g.count);
    if (seg) return seg.offset + (secs[i]!.vaddr - seg.vaddr);
    // An empty section (kept for its symbols) occupies no file space: any offset inside the file.
    const o = congruent(headers, secs[i]!.vaddr);
    return o <= cur ? o : cur;
  };

  // Symbols: the null symbol, then locals, then globals (gABI: locals precede globals).
  const strtab = new StrTab();
  const shndxOf = new Map<string, number>(secs.map((s, i) => [s.name, i + 1]));
  const ordered = [...img.symbols.filter((s) => s.binding === 'local'), ...img.symbols.filter((s) => s.binding !== 'local')];
  const firstGlobal = 1 + img.symbols.filter((s) => s.binding === 'local').length;
  const symtab = new Uint8Array(SYM_SIZE * (ordered.length + 1));
  const symView = new DataView(symtab.buffer);
  ordered.forEach((s, k) => {
    const at = SYM_SIZE * (k + 1);
    const bind = s.binding === 'global' ? STB_GLOBAL : s.binding === 'weak' ? STB_WEAK : STB_LOCAL;
    const type = s.type === 'func' ? STT_FUNC : s.type === 'object' ? STT_OBJECT : STT_NOTYPE;
    symView.setUint32(at, strtab.add(s.name), true);
    symView.setUint32(at + 4, s.value >>> 0, true);
    symView.setUint32(at + 8, s.size >>> 0, true);
    symView.setUint8(at + 12, (bind << 4) | type);
    symView.setUint16(at + 14, s.section === null ? SHN_ABS : shndxOf.get(s.section) ?? SHN_ABS, true);
  });
  const strBytes = strtab.bytes();

  const shstr = new StrTab();
  const symtabOff = alignUp(cur, 4);
  const strtabOff = symtabOff + symtab.length;
  const shstrOff = strtabOff + strBytes.length;
  const shstrNames = [...secs.map((s) => s.name), '.symtab', '.strtab', '.shstrtab'].map((n) => shstr.add(n));
  const shstrBytes = shstr.bytes();
  const shoff = alignUp(shstrOff + shstrBytes.length, 4);
  const shnum = secs.length + 4;
  const total = shoff + SHDR_SIZE * shnum;

  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);

  // ELF header.
  out.set([0x7f, 0x45, 0x4c, 0x46, ELFCLASS32, ELFDATA2LSB, EV_CURRENT], 0);
  v.setUint16(16, ET_EXEC, true);
  v.setUint16(18, EM_RISCV, true);
  v.setUint32(20, EV_CURRENT, true);
  v.setUint32(24, img.entry >>> 0, true);
  // No program headers (an empty program): e_phoff 0, as gABI asks of a file without a table.
  v.setUint32(28, segs.length > 0 ? EHDR_SIZE : 0, true);
  v.setUint32(32, shoff, true);
  v.setUint32(36, 0, true);
  v.setUint16(40, EHDR_SIZE, true);
  v.setUint16(42, PHDR_SIZE, true);
  v.setUint16(44, segs.length, true);
  v.setUint16(46, SHDR_SIZE, true);
  v.setUint16(48, shnum, true);
  v.setUint16(50, shnum - 1, true);

  // Program headers.
  segs.forEach((seg, k) => {
    const at = EHDR_SIZE + PHDR_SIZE * k;
    v.setUint32(at, PT_LOAD, true);
    v.setUint32(at + 4, seg.offset, true);
    v.setUint32(at + 8, seg.vaddr >>> 0, true);
    v.setUint32(at + 12, seg.vaddr >>> 0, true);
    v.setUint32(at + 16, seg.filesz, true);
    v.setUint32(at + 20, seg.memsz, true);
    v.setUint32(at + 24, seg.flags, true);
    v.setUint32(at + 28, PAGE, true);
  });

  // Contents.
  secs.forEach((s, i) => { if (!s.nobits && s.bytes.length > 0) out.set(s.bytes, secOffset(i)); });
  out.set(symtab, symtabOff);
  out.set(strBytes, strtabOff);
  out.set(shstrBytes, shstrOff);

  // Section headers; index 0 is the null section.
  const shdr = (k: number, name: number, type: number, flags: number, addr: number, offset: number, size: number, link: number, info: number, align: number, entsize: number): void => {
    const at = shoff + SHDR_SIZE * k;
    const fields = [name, type, flags, addr >>> 0, offset, size, link, info, align, entsize];
    for (let f = 0; f < fields.length; f++) v.setUint32(at + 4 * f, fields[f]!, true);
  };
  secs.forEach((s, i) => {
    const flags = SHF_ALLOC | (s.flags & PF_W ? SHF_WRITE : 0) | (s.flags & PF_X ? SHF_EXECINSTR : 0);
    shdr(i + 1, shstrNames[i]!, s.nobits ? SHT_NOBITS : SHT_PROGBITS, flags, s.vaddr, secOffset(i), s.memsz, 0, 0, s.align, 0);
  });
  const n = secs.length;
  shdr(n + 1, shstrNames[n]!, SHT_SYMTAB, 0, 0, symtabOff, symtab.length, n + 2, firstGlobal, 4, SYM_SIZE);
  shdr(n + 2, shstrNames[n + 1]!, SHT_STRTAB, 0, 0, strtabOff, strBytes.length, 0, 0, 1, 0);
  shdr(n + 3, shstrNames[n + 2]!, SHT_STRTAB, 0, 0, shstrOff, shstrBytes.length, 0, 0, 1, 0);
  return out;
}
