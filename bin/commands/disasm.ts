// `evminf disasm <program>`: an objdump -d style listing of every executable segment, written
// in chunks as it is made (a large code segment never becomes one string).

import { disassemble } from '../../isa/disasm.js';
import { parseElf } from '../../isa/elf.js';
import { command } from '../exit.js';
import { out } from '../io.js';
import { programElf } from '../program.js';

/** Text gathered before a write. */
const CHUNK_CHARS = 1 << 16;

function cmdDisasm(a: { program: string }): number {
  const img = parseElf(programElf(a.program));
  const names = new Map<number, string>();
  for (const s of img.symbols) if (s.type !== 3 && s.type !== 4 && !names.has(s.value)) names.set(s.value, s.name);
  const symbol = (t: number): string | undefined => names.get(t);
  let text = '', wrote = false;
  for (const seg of img.segments) {
    if (!(seg.flags & 1)) continue;
    for (let off = 0; off + 4 <= seg.data.length; off += 4) {
      const pc = seg.vaddr + off;
      const label = names.get(pc);
      if (label !== undefined) text += `\n${pc.toString(16).padStart(8, '0')} <${label}>:\n`;
      const w = (seg.data[off]! | (seg.data[off + 1]! << 8) | (seg.data[off + 2]! << 16) | (seg.data[off + 3]! << 24)) >>> 0;
      text += `${pc.toString(16).padStart(8, ' ')}:\t${w.toString(16).padStart(8, '0')}          \t${disassemble(w, pc, symbol)}\n`;
      if (text.length >= CHUNK_CHARS) { out(1, text); text = ''; wrote = true; }
    }
  }
  // An ELF without code still prints one (empty) line, as the listing always ends in a newline.
  out(1, text === '' && !wrote ? '\n' : text);
  return 0;
}

export const disasmCommand = command<{ program: string }>({
  command: 'disasm <program>',
  describe: 'disassemble a program\'s code (ELF, or .S/.s assembled first) in objdump -d -M no-aliases,numeric spelling',
  builder: (y) => y.positional('program', { type: 'string', demandOption: true, describe: 'ELF executable or assembly source (.S/.s)' }),
  run: cmdDisasm,
});
