// `evminf equiv <program>`: the model in lockstep with qemu-riscv32, or against an RTL core's
// RVFI trace (STYLE.md convention 9). Exit codes (docs/rtl-testbench.md): 0 equal to the end;
// 1 a divergence (the first one is printed); 2 bad command line; 124 the instruction limit was
// reached while still equal; 126 a malformed ELF, assembly source, QEMU log or RVFI trace, or
// QEMU could not run the program; 127 an input file, or QEMU itself, is missing.

import type { ModelKind } from '../../cpu/machine.js';
import { EXIT } from '../../cpu/exit-codes.js';
import { parseFault, type FaultSpec } from '../../waveforms/retire.js';
import { RVFI_FIELDS } from '../../waveforms/rvfi.js';
import { openRvfiSource } from '../../waveforms/rvfi-source.js';
import { DEFAULT_MAX_INSTRUCTIONS, equivQemu } from '../../verify/qemu.js';
import { formatResult, resultJson, type EquivResult } from '../../verify/report.js';
import { equivRvfi } from '../../verify/rvfi-equiv.js';
import { command, EXIT_DIVERGED } from '../exit.js';
import { checkInput, out } from '../io.js';
import { jsonOption, limitOptions, modelOption, programOptions } from '../options.js';
import { checkStack, programElf } from '../program.js';
import { UserError } from '../user-error.js';

interface EquivArgs {
  program: string;
  ref: string;
  model: ModelKind;
  rvfi?: string;
  clock?: string;
  prefix?: string;
  ignore?: string;
  partial: boolean;
  qemu?: string;
  'qemu-log'?: string;
  'inject-fault'?: string;
  'max-instructions'?: number;
  'stack-size': number;
  sp?: number;
  context: number;
  json: boolean;
}

export function fault(spec: string | undefined): FaultSpec | null {
  return spec === undefined ? null : parseFault(spec);
}

function parseIgnore(s: string | undefined): Set<string> {
  const set = new Set<string>();
  for (const f of (s ?? '').split(',').map((x) => x.trim().replace(/^rvfi_/, '')).filter((x) => x !== '')) {
    if (!(RVFI_FIELDS as readonly string[]).includes(f)) throw new UserError(`--ignore: no RVFI field ${f}`, EXIT.USAGE);
    set.add(f);
  }
  return set;
}

async function cmdEquiv(a: EquivArgs): Promise<number> {
  const elf = await programElf(a.program);
  checkStack(elf, a['stack-size']);
  const common = { model: a.model, fault: fault(a['inject-fault']), maxInstructions: a['max-instructions'], stackSize: a['stack-size'], context: a.context };
  let r: EquivResult;
  if (a.rvfi !== undefined) {
    const ignore = parseIgnore(a.ignore);
    checkInput(a.rvfi);
    const src = await openRvfiSource(a.rvfi, { clock: a.clock, prefix: a.prefix, ignore });
    r = equivRvfi(elf, src, a.rvfi, { ...common, ignore, partial: a.partial, sp: a.sp });
  } else {
    if (a.ref !== 'qemu') throw new UserError(`--ref ${a.ref}: the reference is qemu (or an RTL trace with --rvfi)`, EXIT.USAGE);
    if (a['qemu-log'] !== undefined) checkInput(a['qemu-log']);
    // A long check shows how far it got on a terminal; Ctrl-C stops QEMU and removes its files.
    const progress = !a.json && process.stderr.isTTY === true;
    const ctl = new AbortController();
    const onInt = (): void => ctl.abort();
    process.on('SIGINT', onInt);
    try {
      r = await equivQemu(elf, {
        ...common, qemu: a.qemu, log: a['qemu-log'], signal: ctl.signal,
        onProgress: progress ? (n) => out(2, `\r\x1b[K${(n / 1e6).toFixed(2)}M instructions compared`) : undefined,
      });
    } finally {
      // Once interrupted, a second Ctrl-C does not cut the clean-up short.
      if (!ctl.signal.aborted) process.off('SIGINT', onInt);
      if (progress) out(2, '\r\x1b[K');
    }
  }
  out(1, a.json ? JSON.stringify(resultJson(r)) + '\n' : formatResult(r));
  if (r.equal) return 0;
  return r.limited ? EXIT.LIMIT : EXIT_DIVERGED;
}

export const equivCommand = command<EquivArgs>({
  command: 'equiv <program>',
  describe: 'run a program on the model and on qemu-riscv32 (or against an RTL core\'s RVFI trace) in lockstep; exit 1 at the first difference',
  builder: (y) => {
    y = programOptions(y)
      .option('ref', { type: 'string', requiresArg: true, default: 'qemu', describe: 'the reference: qemu (qemu-riscv32 -singlestep -d cpu,nochain)' });
    y = modelOption(y, 'iss', 'the model compared');
    y = y
      .option('rvfi', { type: 'string', requiresArg: true, describe: "compare with an RTL core's RVFI trace: JSON lines, or a VCD of its rvfi_* signals (.vcd)" })
      .option('clock', { type: 'string', requiresArg: true, describe: 'VCD: the clock signal (default clock or clk beside rvfi_valid)' })
      .option('prefix', { type: 'string', requiresArg: true, describe: 'VCD: what precedes rvfi_valid in the full signal names, e.g. tb.dut. (default: found)' })
      .option('ignore', { type: 'string', requiresArg: true, describe: 'RVFI fields not compared, comma-separated (e.g. halt,order)' })
      .option('partial', { type: 'boolean', default: false, describe: 'RVFI: accept a trace that stops before the program ends' })
      .option('sp', { type: 'string', requiresArg: true, describe: "RVFI: the model's initial sp, when the core starts with another" })
      .option('qemu', { type: 'string', requiresArg: true, describe: 'the QEMU binary (default qemu-riscv32 on PATH)' })
      .option('qemu-log', { type: 'string', requiresArg: true, describe: 'compare with a recorded QEMU log (-singlestep -d cpu,nochain -D FILE) instead of running QEMU' })
      .option('inject-fault', { type: 'string', requiresArg: true, describe: 'test hook: flip bit 0 of the result of the n-th retired <mnemonic>, e.g. add:3' });
    y = limitOptions(y, { instructions: `stop (exit 124) after this many instructions (default ${DEFAULT_MAX_INSTRUCTIONS})` });
    y = y.option('context', { type: 'string', requiresArg: true, default: 8, describe: 'instructions shown before a divergence' });
    return jsonOption(y);
  },
  run: cmdEquiv,
});
