// `npm run bench`: simulation speed on the workloads in bench/workloads (integer mix, Keccak-256
// in software, branchy code), compiled here with Debian's riscv64-unknown-elf-gcc:
//   - the ISS: instructions per second;
//   - the cycle model with tracing off: simulated cycles per second;
//   - the cycle model with a full VCD of every signal: cycles per second, VCD bytes per cycle
//     and per second;
//   - qemu-riscv32 on the same ELF, when installed: instructions per second and the ratio.
// Each figure is the best of several runs after a warm-up. `--json` prints one JSON object;
// `--heap` adds a heap check of the untraced hot loop (run node with --expose-gc for it).
// Progress goes to stderr only on a terminal.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LinuxHost } from '../cpu/host.js';
import type { Core } from '../cpu/core.js';
import type { Iss } from '../cpu/iss.js';
import { createModel, type ModelKind } from '../cpu/machine.js';
import { loadElf } from '../cpu/program.js';
import { runToEnd } from '../cpu/runner.js';
import { attachVcd, VcdWriter } from '../waveforms/vcd.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const CC = 'riscv64-unknown-elf-gcc';
const CFLAGS = ['-O2', '-march=rv32im', '-mabi=ilp32', '-ffreestanding', '-fno-builtin', '-nostdlib', '-static'];
const CYCLE_BUDGET = 6_000_000;
const VCD_BUDGET = 1_000_000;

const args = process.argv.slice(2);
const json = args.includes('--json');
const heap = args.includes('--heap');
const runs = Number(args.find((a) => a.startsWith('--runs='))?.slice(7) ?? 3);
const tty = !json && process.stderr.isTTY;
const say = (s: string): void => { if (tty) process.stderr.write(`\r\x1b[K${s}`); };

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(1);
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1" >/dev/null', 'sh', cmd]).status === 0;
}

/** Compile every workload into a cache directory keyed by the sources' hash. */
function build(): Map<string, string> {
  if (!has(CC)) fail(`${CC} not found: install gcc-riscv64-unknown-elf (Debian) to build the workloads`);
  const dir = join(root, 'bench/workloads');
  const rt = join(root, 'test/c');
  const sources = readdirSync(dir).filter((f) => f.endsWith('.c')).sort();
  const hash = createHash('sha256');
  for (const f of [...sources.map((s) => join(dir, s)), join(rt, 'rt.h')]) hash.update(readFileSync(f));
  const cache = join(tmpdir(), `evminf-bench-${hash.digest('hex').slice(0, 12)}`);
  mkdirSync(cache, { recursive: true });
  const elfs = new Map<string, string>();
  for (const s of sources) {
    const name = s.replace(/\.c$/, '');
    const out = join(cache, name);
    if (!existsSync(out)) {
      const r = spawnSync(CC, [...CFLAGS, `-I${rt}`, '-o', out, join(dir, s), '-lgcc'], { encoding: 'utf8' });
      if (r.status !== 0) fail(`compiling ${s} failed: ${r.stderr.split('\n')[0]}`);
    }
    elfs.set(name, out);
  }
  return elfs;
}

function best(n: number, f: () => number): number {
  f(); // warm-up
  let b = 0;
  for (let i = 0; i < n; i++) b = Math.max(b, f());
  return b;
}

function model(kind: 'iss', elf: Uint8Array): Iss;
function model(kind: 'cycle', elf: Uint8Array): Core;
function model(kind: ModelKind, elf: Uint8Array): Core | Iss {
  return createModel(kind, loadElf(elf));
}

interface WorkloadFigures {
  instructions: number;
  issInstructionsPerSecond: number;
  cycleCyclesPerSecond: number;
  cpi: number;
  vcdCyclesPerSecond: number | null;
  vcdBytesPerCycle: number | null;
  vcdBytesPerSecond: number | null;
  qemuInstructionsPerSecond: number | null;
  issToQemu: number | null;
  output: string;
}

function measure(name: string, path: string): WorkloadFigures {
  const elf = readFileSync(path);
  // ISS: the whole program.
  say(`${name}: ISS`);
  let instructions = 0, output = '';
  const iss = best(runs, () => {
    const m = model('iss', elf);
    const host = new LinuxHost();
    const t = process.hrtime.bigint();
    const r = runToEnd(m, host);
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    if (r.reason !== 'exit' || r.exitCode !== 0) fail(`${name} did not exit 0 on the ISS (${r.message ?? r.reason})`);
    instructions = r.instructions;
    output = new TextDecoder().decode(host.output(1));
    return r.instructions / s;
  });
  // Cycle model, untraced: a fixed budget of cycles.
  say(`${name}: cycle model`);
  let cpi = 0;
  const cyc = best(runs, () => {
    const m = model('cycle', elf);
    const t = process.hrtime.bigint();
    const r = runToEnd(m, new LinuxHost(), { maxCycles: CYCLE_BUDGET });
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    cpi = r.cycles! / r.instructions;
    return r.cycles! / s;
  });
  // Cycle model with a VCD of every signal, to a file (what a user gets with --vcd).
  say(`${name}: cycle model + VCD`);
  let vcd: number | null = null, bytesPerCycle: number | null = null;
  const file = join(tmpdir(), `evminf-bench-${process.pid}.vcd`);
  try {
    vcd = best(Math.max(1, runs - 1), () => {
      const m = model('cycle', elf);
      const fd = openSync(file, 'w');
      const w = new VcdWriter(m.sig, fd);
      attachVcd(m, w);
      const t = process.hrtime.bigint();
      const r = runToEnd(m, new LinuxHost(), { maxCycles: VCD_BUDGET });
      w.close();
      closeSync(fd);
      const s = Number(process.hrtime.bigint() - t) / 1e9;
      bytesPerCycle = statSync(file).size / r.cycles!;
      return r.cycles! / s;
    });
  } finally {
    rmSync(file, { force: true });
  }
  // QEMU on the same ELF, best wall time of a few runs.
  let qemu: number | null = null;
  if (has('qemu-riscv32')) {
    say(`${name}: qemu-riscv32`);
    qemu = best(runs, () => {
      const t = process.hrtime.bigint();
      const r = spawnSync('qemu-riscv32', [path]);
      const s = Number(process.hrtime.bigint() - t) / 1e9;
      if (r.status !== 0) fail(`${name} did not exit 0 under qemu-riscv32`);
      return instructions / s;
    });
  }
  return {
    instructions, issInstructionsPerSecond: iss, cycleCyclesPerSecond: cyc, cpi,
    vcdCyclesPerSecond: vcd, vcdBytesPerCycle: bytesPerCycle, vcdBytesPerSecond: vcd !== null && bytesPerCycle !== null ? vcd * bytesPerCycle : null,
    qemuInstructionsPerSecond: qemu, issToQemu: qemu === null ? null : iss / qemu, output,
  };
}

/** Heap use of the untraced cycle loop: allocation per cycle would show as growth and GCs. */
function heapCheck(path: string): { cycles: number; heapBefore: number; heapAfter: number; gcExposed: boolean } {
  const gc = (globalThis as { gc?: () => void }).gc;
  const m = model('cycle', readFileSync(path));
  runToEnd(m, new LinuxHost(), { maxCycles: 200_000 }); // warm-up: JIT and caches
  gc?.();
  const before = process.memoryUsage().heapUsed;
  runToEnd(m, new LinuxHost(), { maxCycles: 200_000 + 5_000_000 });
  gc?.();
  const after = process.memoryUsage().heapUsed;
  return { cycles: 5_000_000, heapBefore: before, heapAfter: after, gcExposed: gc !== undefined };
}

const M = (x: number | null, d = 2): string => (x === null ? 'n/a' : (x / 1e6).toFixed(d));

function main(): void {
  const elfs = build();
  const results: Record<string, WorkloadFigures> = {};
  for (const [name, path] of elfs) results[name] = measure(name, path);
  const heapResult = heap ? heapCheck(elfs.get('intmix')!) : null;
  say('');
  if (tty) process.stderr.write('\r\x1b[K');
  const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  if (json) {
    process.stdout.write(JSON.stringify({ date: new Date().toISOString(), machine, cycleBudget: CYCLE_BUDGET, vcdBudget: VCD_BUDGET, workloads: results, heap: heapResult }) + '\n');
    return;
  }
  const lines = [
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}`,
    '',
    'workload   instructions   ISS M instr/s   cycle M cyc/s   CPI    VCD M cyc/s   VCD B/cyc   VCD MB/s   QEMU M instr/s   ISS/QEMU',
  ];
  for (const [name, r] of Object.entries(results)) {
    lines.push(`${name.padEnd(10)} ${String(r.instructions).padStart(12)}   ${M(r.issInstructionsPerSecond, 1).padStart(13)}   ${M(r.cycleCyclesPerSecond).padStart(13)}   ${r.cpi.toFixed(3)}  ${M(r.vcdCyclesPerSecond).padStart(11)}   ${r.vcdBytesPerCycle === null ? 'n/a' : r.vcdBytesPerCycle.toFixed(0).padStart(9)}   ${M(r.vcdBytesPerSecond, 0).padStart(8)}   ${M(r.qemuInstructionsPerSecond, 1).padStart(14)}   ${r.issToQemu === null ? 'n/a' : r.issToQemu.toFixed(3).padStart(8)}`);
  }
  if (heapResult) {
    lines.push('', `heap: ${(heapResult.heapBefore / 1024).toFixed(0)} KiB before, ${(heapResult.heapAfter / 1024).toFixed(0)} KiB after ${heapResult.cycles} untraced cycles${heapResult.gcExposed ? '' : ' (run node with --expose-gc for exact figures)'}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

main();
