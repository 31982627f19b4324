// `evminf disasm <program>`: an objdump -d style listing of every executable segment, written
// in chunks as it is made (a large code segment never becomes one string).
// `evminf disasm --filter`: GTKWave's translate filter process (docs/waveforms.md): instruction
// words in hex on stdin, one a line, their assembly on stdout, one a line, as each arrives.

import { readSync, writeSync } from 'node:fs';
import { decode } from '../../isa/decode.js';
import { disassemble } from '../../isa/disasm.js';
import { parseElf } from '../../isa/elf.js';
import { TABLE } from '../../isa/table.js';
import { EXIT } from '../../cpu/exit-codes.js';
import { UserError } from '../user-error.js';
import { command } from '../exit.js';
import { out } from '../io.js';
import { programElf } from '../program.js';

/** Text gathered before a write. */
const CHUNK_CHARS = 1 << 16;

async function cmdDisasm(a: { program: string }): Promise<number> {
  const img = parseElf(await programElf(a.program));
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

/** A line longer than this without a newline is taken as a line (a filter never hoards input). */
const FILTER_LINE_MAX = 1 << 16;

/**
 * One value from GTKWave: a word in hex (optionally 0x) becomes its assembly, branch and jump
 * targets relative to the instruction (`pc+8`: the filter does not know the pc); anything else
 * (x or z bits, an empty line) comes back as it was.
 */
export function filterLine(line: string): string {
  const t = line.trim();
  const m = /^(?:0x)?([0-9a-f]{1,8})$/i.exec(t);
  if (m === null) return t;
  const w = parseInt(m[1]!, 16) >>> 0;
  // GTKWave draws a tab as a box: one space between mnemonic and operands.
  const text = disassemble(w, 0).replace('\t', ' ');
  const op = decode(w);
  if (op >= TABLE.length || !TABLE[op]!.syntax.endsWith('target')) return text;
  return text.replace(/[0-9a-f]+$/, (h) => {
    const off = parseInt(h, 16) | 0;
    return off < 0 ? `pc${off}` : `pc+${off}`;
  });
}

/** The filter loop: blocking reads of stdin, one reply line per input line, written at once. */
export function disasmFilter(inFd = 0, outFd = 1): number {
  const buf = Buffer.alloc(1 << 16);
  let pending = '';
  for (;;) {
    let n: number;
    try {
      n = readSync(inFd, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); continue; }
      if (code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    pending += buf.toString('latin1', 0, n);
    let reply = '';
    for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
      reply += filterLine(pending.slice(0, i)) + '\n';
      pending = pending.slice(i + 1);
    }
    if (pending.length > FILTER_LINE_MAX) { reply += filterLine(pending) + '\n'; pending = ''; }
    if (reply !== '') writeSync(outFd, reply);
  }
  if (pending !== '') writeSync(outFd, filterLine(pending) + '\n');
  return 0;
}

export const disasmCommand = command<{ program?: string; filter: boolean }>({
  command: 'disasm [program]',
  describe: 'disassemble the code of an ELF (objdump -d -M no-aliases,numeric spelling); --filter: GTKWave\'s translate filter',
  builder: (y) => y
    .positional('program', { type: 'string', describe: 'ELF executable or assembly source (.S/.s)' })
    .option('filter', { type: 'boolean', default: false, describe: 'read instruction words in hex from stdin, one a line, and write each one\'s assembly (a GTKWave Translate Filter Process; docs/waveforms.md)' }),
  run: (a) => {
    if (a.filter) {
      if (a.program !== undefined) throw new UserError('disasm --filter reads stdin: name no program', EXIT.USAGE);
      return disasmFilter();
    }
    if (a.program === undefined) throw new UserError('disasm needs a program (or --filter)', EXIT.USAGE);
    return cmdDisasm({ program: a.program });
  },
});
