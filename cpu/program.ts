// Loading a program into a root frame: ELF segments become the frame's code ROM, read-only
// ROM and RAM; a stack region sits below STACK_TOP (docs/memory-map.md).

import { parseElf, ElfError, type ElfSymbol } from '../isa/elf.js';
import { AddressSpace, checkRootBudget, DEFAULT_MEM_LIMIT, LayoutError, Perm, Region, regionHostBytes, REQUEST_BASE, REQUEST_WINDOW, type RegionKind } from './memory.js';

/** The root frame's stack occupies [STACK_TOP - stackSize, STACK_TOP). */
export const STACK_TOP = 0x8000_0000;
export const DEFAULT_STACK_SIZE = 1 << 20;
/** Initial sp: 16 zero bytes above it stand for argc = 0, argv = envp = NULL, auxv = AT_NULL. */
export const INITIAL_SP = STACK_TOP - 16;

export interface LoadedProgram {
  mem: AddressSpace;
  entry: number;
  sp: number;
  symbols: ElfSymbol[];
}

const hex = (v: number): string => '0x' + v.toString(16);

/**
 * @param stackTop end of the stack region (default STACK_TOP); sp starts 16 bytes below it.
 *   Lockstep against QEMU moves it so that QEMU's initial sp lies inside the stack.
 * @param memLimit the memory budget (docs/architecture.md, Limits): a program whose segments,
 *   stack and predecoded code would need more host memory is rejected before anything is allocated.
 */
export function loadElf(bytes: Uint8Array, stackSize = DEFAULT_STACK_SIZE, stackTop = STACK_TOP, memLimit = DEFAULT_MEM_LIMIT): LoadedProgram {
  const img = parseElf(bytes);
  const mem = new AddressSpace();
  const reserved = (base: number, size: number): boolean => base < REQUEST_BASE + REQUEST_WINDOW && REQUEST_BASE < base + size;
  const window = `the request ROM window [${hex(REQUEST_BASE)}, ${hex(REQUEST_BASE + REQUEST_WINDOW)})`;
  if (!(stackSize > 0 && stackSize <= stackTop && Number.isInteger(stackSize))) throw new ElfError(`stack size ${stackSize} is not a whole number of bytes in (0, ${hex(stackTop)}]`);
  if (reserved(stackTop - stackSize, stackSize)) throw new ElfError(`a stack of ${stackSize} bytes below ${hex(stackTop)} reaches into ${window}, reserved (docs/memory-map.md)`);
  let need = stackSize;
  for (const s of img.segments) need += regionHostBytes(s.flags & Perm.X ? Math.ceil(s.memsz / 4) * 4 : s.memsz, s.flags & Perm.X);
  checkRootBudget(need, memLimit);
  img.segments.forEach((s, i) => {
    if (reserved(s.vaddr, s.memsz)) throw new ElfError(`malformed ELF: segment ${i} at ${hex(s.vaddr)} (+${hex(s.memsz)}) reaches into ${window}, reserved (docs/memory-map.md)`);
  });
  try {
    img.segments.forEach((s, i) => {
      if ((s.flags & (Perm.W | Perm.X)) === (Perm.W | Perm.X)) {
        throw new ElfError(`malformed ELF: segment ${i} at 0x${s.vaddr.toString(16)} is writable and executable; EVM∞ code ROM is read-only`);
      }
      const kind: RegionKind = s.flags & Perm.X ? 'code' : s.flags & Perm.W ? 'ram' : 'rom';
      // Code ROM is padded to whole words so the predecoder sees complete instructions.
      const size = kind === 'code' ? (s.memsz + 3) & ~3 : s.memsz;
      mem.add(new Region(`${kind}${i}`, kind, s.vaddr, size, s.flags | Perm.R, s.data));
    });
    mem.add(new Region('stack', 'stack', stackTop - stackSize, stackSize, Perm.R | Perm.W));
  } catch (e) {
    if (e instanceof LayoutError) throw new ElfError(`malformed ELF: ${e.message}`);
    throw e;
  }
  if (mem.find(img.entry, 4, Perm.X) === null) throw new ElfError(`malformed ELF: entry point 0x${img.entry.toString(16)} is not in an executable segment`);
  return { mem, entry: img.entry, sp: stackTop - 16, symbols: img.symbols };
}
