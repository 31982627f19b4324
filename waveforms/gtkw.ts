// A GTKWave save file (.gtkw) for a waveform of ours: the dumped signals in groups, one per
// pipeline stage (in pipeline order, the stage's units nested inside), then one per block (bus,
// gas, CMU, ...) and per device, with the register file closed. Vectors show in hex, and every
// instruction word goes through a GTKWave "Translate Filter Process" that prints it as assembly
// (`evminf disasm --filter`, docs/waveforms.md). The file names only signals the dump holds.

import type { Signals } from '../cpu/signals.js';
import { CLOCK_NAME, selectSignals } from './vcd.js';

// Trace flags (GTKWave analyzer.h): hex, binary, right-justified, process-translated, group begin/end, blank, closed.
const TR_HEX = 0x2, TR_BIN = 0x8, TR_RJUSTIFY = 0x20, TR_BLANK = 0x200, TR_PTRANSLATED = 0x4000;
const TR_CLOSED = 0x400000, TR_GRP_BEGIN = 0x800000, TR_GRP_END = 0x1000000;

export interface GtkwOptions {
  /** The waveform file (VCD or FST) the save file opens. */
  dumpfile: string;
  /** The translate filter as GTKWave runs it: an executable and at most one argument, no spaces in either. */
  filter: string;
  /** Dotted scope prefixes that were dumped (as for the writers); default: all. */
  scopes?: readonly string[];
}

/** Scopes shown first, in this order: the pipeline, then the blocks around it. */
const ORDER = ['evm.core.if', 'evm.core.id', 'evm.core.ex', 'evm.core.mem', 'evm.core.wb', 'evm.core.hazard', 'evm.bus', 'evm.gas', 'evm.cmu', 'evm.perm', 'evm.intc', 'evm.core.rf'];
const TITLES: Readonly<Record<string, string>> = {
  'evm.core.if': 'IF fetch', 'evm.core.id': 'ID decode', 'evm.core.ex': 'EX execute', 'evm.core.mem': 'MEM memory', 'evm.core.wb': 'WB writeback',
  'evm.core.hazard': 'hazard unit', 'evm.bus': 'bus', 'evm.gas': 'gas counter', 'evm.cmu': 'call-management unit', 'evm.perm': 'permissions',
  'evm.intc': 'interrupt controller', 'evm.core.rf': 'register file',
};

/** The name GTKWave gives a signal of ours: the dotted path, and `[msb:0]` on vectors. */
export function gtkwaveName(name: string, width: number): string {
  return width === 1 ? name : `${name}[${width - 1}:0]`;
}

/** Instruction words: shown as assembly through the filter. */
const isInstruction = (name: string): boolean => /\.(insn|retire_insn)$/.test(name);

/** The group a signal belongs to: a stage or block of ORDER, a device, or its parent scope. */
function groupOf(name: string): string {
  for (const g of ORDER) if (name.startsWith(g + '.')) return g;
  const p = name.split('.');
  return p[1] === 'dev' && p.length > 3 ? p.slice(0, 3).join('.') : p.slice(0, -1).join('.');
}

/** The text of the save file. Throws VcdOptionError for a scope that matches nothing. */
export function gtkwSave(sig: Signals, opts: GtkwOptions): string {
  const slots = selectSignals(sig, opts.scopes);
  const groups = new Map<string, number[]>();
  for (const s of slots) {
    const g = groupOf(sig.names[s]!);
    (groups.get(g) ?? groups.set(g, []).get(g)!).push(s);
  }
  const lines = [
    '[*] evm-infinity: signals grouped per pipeline stage and unit (docs/waveforms.md)',
    `[dumpfile] "${opts.dumpfile}"`,
    '[timestart] 0',
    '[size] 1600 900',
    '[sst_width] 260',
    '[signals_width] 320',
    '[sst_expanded] 1',
    '[treeopen] evm.',
    '[treeopen] evm.core.',
  ];
  const flags = (f: number): void => { lines.push(`@${f.toString(16)}`); };
  const trace = (s: number): void => {
    const name = sig.names[s]!, w = sig.widths[s]!;
    if (w > 1 && isInstruction(name)) {
      flags(TR_HEX | TR_RJUSTIFY | TR_PTRANSLATED);
      lines.push(`^>1 ${opts.filter}`);
    } else {
      flags((w === 1 ? TR_BIN : TR_HEX) | TR_RJUSTIFY);
    }
    lines.push(gtkwaveName(name, w));
  };
  flags(TR_BIN | TR_RJUSTIFY);
  lines.push(CLOCK_NAME);
  const cycle = sig.slot('evm.cycle');
  if (cycle !== undefined && slots.includes(cycle)) { flags(TR_HEX | TR_RJUSTIFY); lines.push(gtkwaveName('evm.cycle', sig.widths[cycle]!)); }
  const names = [...groups.keys()].filter((g) => g !== 'evm');
  names.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  for (const g of names) {
    const title = TITLES[g] ?? g.replace(/^evm\.dev\./, 'device ');
    flags(TR_BLANK | TR_GRP_BEGIN | (g === 'evm.core.rf' ? TR_CLOSED : 0));
    lines.push(`-${title}`);
    // The stage's own fields first, then each unit under it.
    const own = groups.get(g)!.filter((s) => sig.names[s]!.split('.').length === g.split('.').length + 1);
    const units = new Map<string, number[]>();
    for (const s of groups.get(g)!) {
      if (own.includes(s)) continue;
      const u = sig.names[s]!.split('.').slice(0, g.split('.').length + 1).join('.');
      (units.get(u) ?? units.set(u, []).get(u)!).push(s);
    }
    for (const s of own) trace(s);
    for (const [u, ss] of units) {
      flags(TR_BLANK | TR_GRP_BEGIN);
      lines.push(`-${u.split('.').pop()}`);
      for (const s of ss) trace(s);
      flags(TR_BLANK | TR_GRP_END);
      lines.push(`-${u.split('.').pop()}`);
    }
    flags(TR_BLANK | TR_GRP_END | (g === 'evm.core.rf' ? TR_CLOSED : 0));
    lines.push(`-${title}`);
  }
  for (const s of groups.get('evm') ?? []) if (s !== cycle) trace(s);
  lines.push('[pattern_trace] 1', '[pattern_trace] 0', '');
  return lines.join('\n');
}

function rank(g: string): number {
  const i = ORDER.indexOf(g);
  return i >= 0 ? i : g.startsWith('evm.dev.') ? ORDER.length : ORDER.length + 1;
}
