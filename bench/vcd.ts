// Throughput of VCD and FST tracing: `node dist/bench/vcd.js [cycles] [file]`. Runs a loop with
// loads, stores, a multiply and branches on the cycle model untraced, then traced with every
// signal (to a counting sink, or to FILE; and as FST to FILE.fst, or to a temporary file), and
// prints cycles/s and bytes/cycle.

import { closeSync, openSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FstWriter } from '../waveforms/fst.js';
import { CallManager } from '../cpu/frames.js';
import { LinuxHost } from '../cpu/host.js';
import { createModel } from '../cpu/machine.js';
import { loadElf } from '../cpu/program.js';
import { assembleToElf } from '../isa/asm.js';
import { attachVcd, VcdWriter, type VcdOptions } from '../waveforms/vcd.js';

const LOOP = `
        .text
        .globl _start
_start:
        la      s0, buf
        li      s1, 0
1:      lw      t0, 0(s0)
        addi    t0, t0, 3
        mul     t1, t0, s1
        sw      t1, 4(s0)
        xor     s1, s1, t1
        addi    s1, s1, 1
        andi    t2, s1, 7
        bnez    t2, 1b
        j       1b
        .data
buf:    .word 1, 2
`;

function run(cycles: number, trace: 'none' | 'count' | string, opts: VcdOptions = {}): { seconds: number; bytes: number } {
  const core = createModel('cycle', loadElf(assembleToElf(LOOP)));
  let bytes = 0;
  let fd = -1;
  let w: VcdWriter | null = null;
  if (trace !== 'none') {
    fd = trace === 'count' ? -1 : openSync(trace, 'w');
    w = new VcdWriter(core.sig, fd >= 0 ? fd : (b) => { bytes += b.length; }, opts);
    attachVcd(core, w);
  }
  const t0 = process.hrtime.bigint();
  new CallManager(core, new LinuxHost()).run({ maxCycles: cycles });
  w?.close();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (fd >= 0) closeSync(fd);
  return { seconds, bytes: w === null ? 0 : w.bytesWritten };
}

/** Every signal as FST to `path`. */
function runFst(cycles: number, path: string): { seconds: number; bytes: number } {
  const core = createModel('cycle', loadElf(assembleToElf(LOOP)));
  const fd = openSync(path, 'w');
  const w = new FstWriter(core.sig, fd);
  attachVcd(core, w);
  const t0 = process.hrtime.bigint();
  new CallManager(core, new LinuxHost()).run({ maxCycles: cycles });
  w.close();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  closeSync(fd);
  return { seconds, bytes: w.bytesWritten };
}

const cycles = Number(process.argv[2] ?? 2_000_000);
const file = process.argv[3];
run(200_000, 'count'); // warm up
const base = run(cycles, 'none');
console.log(`untraced: ${(cycles / base.seconds / 1e6).toFixed(2)} M cycles/s`);
for (const t of file === undefined ? ['count'] : ['count', file]) {
  const r = run(cycles, t);
  console.log(`traced (${t === 'count' ? 'counting sink' : t}): ${(cycles / r.seconds / 1e6).toFixed(2)} M cycles/s, ${(r.bytes / cycles).toFixed(1)} bytes/cycle, ${(r.bytes / 2 ** 20).toFixed(0)} MiB`);
}
for (const [what, opts] of [['scope evm.core.wb', { scopes: ['evm.core.wb'] }], ['window after the run', { from: cycles + 1 }]] as const) {
  const r = run(cycles, 'count', opts);
  console.log(`traced, ${what}: ${(cycles / r.seconds / 1e6).toFixed(2)} M cycles/s, ${(r.bytes / cycles).toFixed(1)} bytes/cycle`);
}
{
  const path = file === undefined ? join(tmpdir(), `evminf-bench-${process.pid}.fst`) : `${file}.fst`;
  const r = runFst(cycles, path);
  if (file === undefined) unlinkSync(path);
  console.log(`traced as FST (${path}): ${(cycles / r.seconds / 1e6).toFixed(2)} M cycles/s, ${(r.bytes / cycles).toFixed(1)} bytes/cycle, ${(r.bytes / 2 ** 20).toFixed(1)} MiB`);
}
