// `evminf asm <source> -o <out.elf>`: GNU-as source to an ELF32 executable.

import { assembleToElf } from '../../isa/asm.js';
import { command } from '../exit.js';
import { OutputFile, readInput } from '../io.js';

interface AsmArgs {
  source: string;
  output: string;
}

function cmdAsm(a: AsmArgs): number {
  const elf = assembleToElf(readInput(a.source).toString('utf8'), { file: a.source });
  // Executable, as a linker's output is: qemu-riscv32 refuses files without the x bit.
  const f = new OutputFile(a.output, 0o755);
  try {
    f.write(elf);
  } catch (e) {
    f.abort();
    throw e;
  }
  f.close();
  return 0;
}

export const asmCommand = command<AsmArgs>({
  command: 'asm <source>',
  describe: 'assemble GNU-as source into an ELF32 executable',
  builder: (y) => y
    .positional('source', { type: 'string', demandOption: true, describe: 'assembly source' })
    .option('output', { alias: 'o', type: 'string', requiresArg: true, demandOption: true, describe: 'ELF file to write' }),
  run: cmdAsm,
});
