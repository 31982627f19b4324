// Loading a program into a root frame: ELF segments become the frame's code ROM, read-only
// ROM and RAM; a stack region sits below STACK_TOP (docs/memory-map.md).

import { parseElf, ElfError, type ElfSymbol } from '../isa/elf.js';
import { CHILD_CODE_BASE, CHILD_INPUT_BASE, CHILD_RAM_BASE, MAX_RAM } from './frames.js';
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
  /** Initial a0 and a1 (a ROM loaded as a frame: its input's address and length); 0 when absent. */
  a0?: number;
  a1?: number;
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

export interface RomOptions {
  /** The frame's input (its input ROM at 0x2000_0000; a0 = its address, a1 = its length). */
  input?: Uint8Array;
  /** RAM at 0x4000_0000 in bytes: a multiple of 4, at most 16 MiB; sp starts at its top. */
  ramSize: number;
  symbols?: ElfSymbol[];
  memLimit?: number;
}

/**
 * A flat ROM image (firmware/build/NAME.bin) as a root frame laid out exactly as EVAL lays out a
 * child (docs/architecture.md): code ROM at 0x0001_0000, the input ROM, zeroed RAM, sp at the top
 * of RAM, a0/a1 the input. So firmware runs the same whether the host or a frame starts it.
 */
export function loadRom(code: Uint8Array, opts: RomOptions): LoadedProgram {
  const input = opts.input ?? new Uint8Array(0), ram = opts.ramSize;
  if (code.length === 0) throw new ElfError('empty ROM image');
  if (code.length > MAX_RAM) throw new ElfError(`ROM image of ${code.length} bytes: at most ${MAX_RAM}`);
  if (input.length > MAX_RAM) throw new ElfError(`ROM input of ${input.length} bytes: at most ${MAX_RAM}`);
  if (!(Number.isInteger(ram) && ram > 0 && ram <= MAX_RAM && ram % 4 === 0)) throw new ElfError(`RAM size ${ram}: a multiple of 4 in (0, ${MAX_RAM}]`);
  const size = (code.length + 3) & ~3;
  checkRootBudget(regionHostBytes(size, Perm.X) + input.length + ram, opts.memLimit ?? DEFAULT_MEM_LIMIT);
  const padded = new Uint8Array(size);
  padded.set(code);
  const mem = new AddressSpace();
  mem.add(new Region('code', 'code', CHILD_CODE_BASE, size, Perm.R | Perm.X, padded));
  if (input.length > 0) mem.add(new Region('input', 'input', CHILD_INPUT_BASE, input.length, Perm.R, input.slice()));
  mem.add(new Region('ram', 'ram', CHILD_RAM_BASE, ram, Perm.R | Perm.W));
  return { mem, entry: CHILD_CODE_BASE, sp: CHILD_RAM_BASE + ram, symbols: opts.symbols ?? [], a0: input.length > 0 ? CHILD_INPUT_BASE : 0, a1: input.length };
}
