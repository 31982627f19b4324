// `evminf vcd diff <a.vcd> <b.vcd>`: compare two waveforms signal by signal; exit 0 when equal,
// 1 at the first difference. The VCD reader streams, so the files have no size limit.

import { parseNameMap, vcdDiff } from '../../waveforms/vcddiff.js';
import { command, EXIT_DIVERGED } from '../exit.js';
import { checkInput, out, readInput } from '../io.js';
import { jsonOption } from '../options.js';

interface VcdDiffArgs {
  a: string;
  b: string;
  map?: string;
  'only-mapped': boolean;
  json: boolean;
}

async function cmdVcdDiff(a: VcdDiffArgs): Promise<number> {
  for (const p of [a.a, a.b]) checkInput(p);
  const map = a.map === undefined ? undefined : parseNameMap(readInput(a.map).toString('utf8'), a.map);
  const r = await vcdDiff(a.a, a.b, { map, onlyMapped: a['only-mapped'] });
  if (a.json) {
    out(1, JSON.stringify(r) + '\n');
  } else {
    const f = r.first;
    if (f === null) out(1, `evminf vcd diff: equal: ${r.signals} signals over ${r.times} timestamps\n`);
    else {
      const name = f.signalA === f.signalB ? f.signalA : `${f.signalA} (a) / ${f.signalB} (b)`;
      out(1, `evminf vcd diff: first difference at time ${f.time}: ${name}: a = ${f.a}, b = ${f.b}${f.others > 0 ? ` (and ${f.others} more signals at that time)` : ''}\n`);
    }
    if (r.onlyA.length + r.onlyB.length > 0) {
      const list = (l: string[]): string => l.slice(0, 5).join(', ') + (l.length > 5 ? ', ...' : '');
      out(2, `evminf vcd diff: not compared: ${r.onlyA.length} signals only in ${a.a}${r.onlyA.length ? ` (${list(r.onlyA)})` : ''}, ${r.onlyB.length} only in ${a.b}${r.onlyB.length ? ` (${list(r.onlyB)})` : ''}\n`);
    }
  }
  return r.equal ? 0 : EXIT_DIVERGED;
}

const diffCommand = command<VcdDiffArgs>({
  command: 'diff <a> <b>',
  describe: 'the first time and signal at which two waveforms differ',
  builder: (y) => jsonOption(y
    .positional('a', { type: 'string', demandOption: true, describe: 'a VCD file' })
    .positional('b', { type: 'string', demandOption: true, describe: 'the VCD file compared with it' })
    .option('map', { type: 'string', requiresArg: true, describe: "names in a → names in b: JSON {\"a\": \"b\"} or lines 'a b'; 'top.cpu. tb.dut.' renames a scope" })
    .option('only-mapped', { type: 'boolean', default: false, describe: 'compare only the signals the map names' })),
  run: cmdVcdDiff,
});

export const vcdCommand = command<Record<string, never>>({
  command: 'vcd',
  describe: 'vcd diff a.vcd b.vcd: compare two waveforms signal by signal; exit 0 when equal, 1 at the first difference',
  builder: (y) => y.command(diffCommand).demandCommand(1, 'name what to do: vcd diff <a.vcd> <b.vcd>'),
  run: () => 0,
});
