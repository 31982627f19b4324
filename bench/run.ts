// `npm run bench`: simulation speed on the C workloads in bench/workloads (an integer mix,
// Keccak-256 in software, branchy code), compiled here with Debian's riscv64-unknown-elf-gcc
// into a cache directory. For each workload:
//   - the ISS, the whole program: instructions per second;
//   - the cycle model with tracing off, a fixed budget of cycles: cycles per second and CPI;
//   - the cycle model with a VCD of every signal written to a temporary file (waveforms/vcd.ts,
//     when built): cycles per second, VCD bytes per cycle and per second;
//   - `evminf run --model iss` as its own process, start-up included;
//   - the timing model (`--model fast`) when cpu/machine.ts lists one, else "—";
//   - qemu-riscv32 on the same ELF, when installed: the whole process's wall time, as
//     instructions per second, and every model's speed as a fraction of it (same run).
// Then the hard drive's trie against @ethereumjs/mpt doing the same work (bench/hdd.ts): sets and
// gets per second of each, and the ratio. Then block validation (bench/chain.ts): a block of 100
// token transfers validated by INTERPRET_BLOCK on both models.
// Every figure is the best of N runs after one warm-up. Outputs are checked before anything is
// reported: Keccak against known hashes and Node's SHA3, every workload's ISS output against
// QEMU's.
//
// Options: --json (one JSON object on stdout), --markdown (the figures as a Markdown table),
// --heap (add the heap check of bench/heap.ts), --runs=N, --cycles=N (cycle-model budget),
// --vcd-cycles=N, --hdd-keys=N, --only=NAME[,NAME] (hdd names the hard-drive workload),
// --no-devices (the models run with the standard devices attached and idle, as `evminf run` runs
// them; this drops them). Progress goes to stderr when it is a terminal.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { cpus, platform, arch, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Core, CycleTracer } from '../cpu/core.js';
import { LinuxHost } from '../cpu/host.js';
import { createModel, MODEL_KINDS, type ModelKind } from '../cpu/machine.js';
import { loadElf } from '../cpu/program.js';
import { runToEnd } from '../cpu/runner.js';
import type { Iss } from '../cpu/iss.js';
import type { CpuModel } from '../cpu/runner.js';
import { standardDevices } from '../peripherals/standard.js';
import type { Signals } from '../cpu/signals.js';
import { chainLines, measureChain, type ChainFigures } from './chain.js';
import { DEFAULT_HDD_KEYS, hddLines, measureHdd, type HddFigures } from './hdd.js';
import { DEFAULT_HEAP_CYCLES, heapCheckInChild, type HeapFigures } from './heap.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCES = join(ROOT, 'bench/workloads');
const CACHE = join(ROOT, 'node_modules/.cache/evminf-bench');
const CC = 'riscv64-unknown-elf-gcc';
const CFLAGS = ['-O2', '-march=rv32im', '-mabi=ilp32', '-nostdlib', '-static', '-ffreestanding', '-fno-builtin'];
const QEMU = 'qemu-riscv32';

/** The project's speed floors (README, docs/performance.md). */
const FLOOR_ISS = 100e6, FLOOR_CYCLE = 5e6, FLOOR_VCD = 0.5e6, FLOOR_VCD_BYTES = 800;
/** issue 13: `evminf run --model iss` at >= 0.25x qemu-riscv32's instructions/s, whole process against whole process. */
const FLOOR_ISS_QEMU = 0.25;
/** issue 13: the timing model at >= 50 % of the untimed ISS's speed (in-process, the same run). */
const FLOOR_FAST_ISS = 0.5;

// ---- Workloads and their output checks ----

const KECCAK_EMPTY = 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470';
const KECCAK_ABC = '4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45';

/** keccak.c's lines against known Keccak-256 values and Node's SHA3-256 of the same message. */
function checkKeccak(out: string): string | null {
  const got = new Map(out.trim().split('\n').map((l) => l.split(' ') as [string, string]));
  const msg = new Uint8Array(1000);
  for (let i = 0; i < msg.length; i++) msg[i] = (7 * i + 1) & 0xff;
  const want: [string, string][] = [
    ["keccak256('')", KECCAK_EMPTY],
    ["keccak256('abc')", KECCAK_ABC],
    ['sha3-256(m)', createHash('sha3-256').update(msg).digest('hex')],
  ];
  for (const [name, hash] of want) {
    if (got.get(name) !== hash) return `${name} is ${got.get(name) ?? 'missing'}, expected ${hash}`;
  }
  return got.has('chain') ? null : 'no chain line';
}

interface Workload {
  name: string;
  what: string;
  check?: (stdout: string) => string | null;
}

/** The hard-drive workload's name for --only (it is not a C program). */
const HDD = 'hdd';
const CHAIN = 'chain';

const WORKLOADS: readonly Workload[] = [
  { name: 'intmix', what: 'arithmetic, mul/div, loads/stores of every width, calls' },
  { name: 'keccak', what: 'Keccak-256 in software, 64-bit lanes as register pairs', check: checkKeccak },
  { name: 'branchy', what: 'state machine, quicksort and binary search on pseudo-random data' },
];

// ---- Options ----

interface Options {
  json: boolean;
  markdown: boolean;
  heap: boolean;
  runs: number;
  cycles: number;
  vcdCycles: number;
  hddKeys: number;
  only: string[] | null;
  /** Attach the standard devices (idle here), as `evminf run` does; --no-devices: none. */
  devices: boolean;
}

/** The workload on a model with the machine's devices (or none). */
function machine(kind: 'iss', elf: Uint8Array, o: Options): Iss;
function machine(kind: 'cycle', elf: Uint8Array, o: Options): Core;
function machine(kind: 'iss' | 'cycle', elf: Uint8Array, o: Options): Core | Iss {
  return createModel(kind, loadElf(elf), { devices: o.devices ? standardDevices() : [] });
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { json: false, markdown: false, heap: false, runs: 3, cycles: 10_000_000, vcdCycles: 1_000_000, hddKeys: DEFAULT_HDD_KEYS, only: null, devices: true };
  const count = (a: string, v: string): number => {
    const n = Number(v.replace(/_/g, ''));
    if (!Number.isSafeInteger(n) || n <= 0) fail(`${a} needs a positive integer`);
    return n;
  };
  for (const a of argv) {
    const [k, v] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, ''];
    switch (k) {
      case '--json': o.json = true; break;
      case '--markdown': o.markdown = true; break;
      case '--heap': o.heap = true; break;
      case '--no-devices': o.devices = false; break;
      case '--runs': o.runs = count(k, v); break;
      case '--cycles': o.cycles = count(k, v); break;
      case '--vcd-cycles': o.vcdCycles = count(k, v); break;
      case '--hdd-keys': o.hddKeys = count(k, v); break;
      case '--only': {
        o.only = v.split(',').filter((s) => s !== '');
        const bad = o.only.find((n) => n !== HDD && n !== CHAIN && !WORKLOADS.some((w) => w.name === n));
        if (bad !== undefined || o.only.length === 0) fail(`--only takes workload names: ${[...WORKLOADS.map((w) => w.name), HDD, CHAIN].join(', ')}`);
        break;
      }
      default: fail(`unknown option ${a} (--json, --markdown, --heap, --no-devices, --runs=N, --cycles=N, --vcd-cycles=N, --hdd-keys=N, --only=NAME,...)`);
    }
  }
  return o;
}

const progress = process.stderr.isTTY;
function say(s: string): void {
  if (progress) process.stderr.write(`\r\x1b[K${s}`);
}

// ---- Tools ----

/** First line of `cmd --version`, or null when it is not installed. */
function toolVersion(cmd: string): string | null {
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) return null;
  return r.stdout.split('\n')[0]!.trim();
}

/** Compile each workload once per (compiler, flags, sources) into the cache; paths by name. */
function build(workloads: readonly Workload[], cc: string): Map<string, string> {
  mkdirSync(CACHE, { recursive: true });
  const rt = Buffer.concat([readFileSync(join(SOURCES, 'rt.h')), readFileSync(join(ROOT, 'test/c/rt.h'))]);
  const elfs = new Map<string, string>();
  for (const w of workloads) {
    const src = join(SOURCES, `${w.name}.c`);
    const key = createHash('sha256').update(cc).update(CFLAGS.join(' ')).update(rt).update(readFileSync(src)).digest('hex').slice(0, 16);
    const out = join(CACHE, `${w.name}-${key}.elf`);
    if (!existsSync(out)) {
      say(`compiling ${w.name}.c`);
      const tmp = `${out}.tmp-${process.pid}`;
      const r = spawnSync(CC, [...CFLAGS, '-o', tmp, src, '-lgcc'], { encoding: 'utf8' });
      if (r.status !== 0) fail(`compiling ${w.name}.c failed: ${r.stderr.split('\n').find((l) => l.includes('error')) ?? r.stderr.split('\n')[0]}`);
      renameSync(tmp, out);
    }
    elfs.set(w.name, out);
  }
  return elfs;
}

// ---- Measurements ----

const now = (): number => performance.now() / 1000;

/** One warm-up, then the best (highest) of `runs` rates. */
function best(runs: number, warmup: () => void, measure: () => number): number {
  warmup();
  let b = 0;
  for (let i = 0; i < runs; i++) b = Math.max(b, measure());
  return b;
}

interface IssFigures { instructions: number; instructionsPerSecond: number; stdout: string }

function measureIss(name: string, elf: Uint8Array, runs: number, o: Options): IssFigures {
  let instructions = 0, stdout = '';
  const rate = best(runs, () => {
    runToEnd(machine('iss', elf, o), new LinuxHost(), { maxInstructions: 20_000_000 });
  }, () => {
    const m = machine('iss', elf, o);
    const host = new LinuxHost();
    const t = now();
    const r = runToEnd(m, host);
    const s = now() - t;
    if (r.reason !== 'exit' || r.exitCode !== 0) fail(`${name} did not exit 0 on the ISS: ${r.message ?? `exit code ${r.exitCode}`}`);
    instructions = r.instructions;
    stdout = new TextDecoder().decode(host.output(1));
    return r.instructions / s;
  });
  return { instructions, instructionsPerSecond: rate, stdout };
}

/**
 * The timing model (`--model fast`, issue 13), when this build has one: cpu/machine.ts lists it
 * in MODEL_KINDS. Looked up at run time, so the bench shows "—" until the model exists.
 */
const FAST: ModelKind | null = (MODEL_KINDS as readonly string[]).includes('fast') ? ('fast' as ModelKind) : null;

interface FastFigures { instructions: number; instructionsPerSecond: number; cycles: number | null }

function measureFast(name: string, kind: ModelKind, elf: Uint8Array, runs: number, o: Options): FastFigures {
  let instructions = 0, cycles: number | null = null;
  const rate = best(runs, () => {
    runToEnd(createModel(kind, loadElf(elf), { devices: o.devices ? standardDevices() : [] }) as CpuModel, new LinuxHost(), { maxInstructions: 20_000_000 });
  }, () => {
    const m = createModel(kind, loadElf(elf), { devices: o.devices ? standardDevices() : [] }) as CpuModel;
    const t = now();
    const r = runToEnd(m, new LinuxHost());
    const s = now() - t;
    if (r.reason !== 'exit' || r.exitCode !== 0) fail(`${name} did not exit 0 on the ${kind} model: ${r.message ?? `exit code ${r.exitCode}`}`);
    instructions = r.instructions;
    cycles = r.cycles;
    return r.instructions / s;
  });
  return { instructions, instructionsPerSecond: rate, cycles };
}

interface ProcessFigures { seconds: number; instructionsPerSecond: number }

const EVMINF = join(ROOT, 'dist/bin/evminf.cjs');

/**
 * `evminf run --model iss` on the ELF as its own process, start-up included: the figure to set
 * against qemu-riscv32's whole process (docs/performance.md). Its output must be the in-process ISS's.
 */
function measureIssProcess(name: string, elfPath: string, runs: number, instructions: number, issStdout: string, o: Options): ProcessFigures {
  let fastest = Infinity;
  const args = [EVMINF, 'run', '--model', 'iss', ...(o.devices ? [] : ['--no-devices']), elfPath];
  for (let i = 0; i <= runs; i++) {
    const t = now();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    const s = now() - t;
    if (r.status !== 0) fail(`${name}: evminf run --model iss exited ${r.status} (${r.stderr.trim().split('\n')[0] ?? ''})`);
    if (r.stdout !== issStdout) fail(`${name}: evminf run printed ${JSON.stringify(r.stdout.trim())}, the ISS in-process ${JSON.stringify(issStdout.trim())}`);
    if (i > 0) fastest = Math.min(fastest, s); // run 0 warms the page cache
  }
  return { seconds: fastest, instructionsPerSecond: instructions / fastest };
}

interface CycleFigures { cycles: number; cyclesPerSecond: number; cpi: number }

function measureCycle(name: string, elf: Uint8Array, runs: number, budget: number, o: Options): CycleFigures {
  let cycles = 0, cpi = 0;
  const once = (maxCycles: number): number => {
    const m = machine('cycle', elf, o);
    const t = now();
    const r = runToEnd(m, new LinuxHost(), { maxCycles });
    const s = now() - t;
    if (r.reason !== 'limit' && !(r.reason === 'exit' && r.exitCode === 0)) fail(`${name} failed on the cycle model: ${r.message ?? `exit code ${r.exitCode}`}`);
    cycles = r.cycles!;
    cpi = r.cycles! / r.instructions;
    return r.cycles! / s;
  };
  const rate = best(runs, () => once(Math.ceil(budget / 5)), () => once(budget));
  return { cycles, cyclesPerSecond: rate, cpi };
}

/** What the bench needs of waveforms/vcd.ts, loaded at run time so the bench works without it. */
interface VcdTracer extends CycleTracer {
  close(): void;
}
interface VcdModule {
  VcdWriter: new (sig: Signals, out: number) => VcdTracer;
  attachVcd?: (core: Core, w: VcdTracer) => void;
}

async function loadVcd(): Promise<VcdModule | null> {
  const spec = '../waveforms/vcd.js';
  try {
    const m = (await import(spec)) as Partial<VcdModule>;
    return typeof m.VcdWriter === 'function' ? (m as VcdModule) : null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return null;
    throw e;
  }
}

interface VcdFigures { cycles: number; cyclesPerSecond: number; bytesPerCycle: number; bytesPerSecond: number }

function measureVcd(name: string, elf: Uint8Array, runs: number, budget: number, vcd: VcdModule, o: Options): VcdFigures {
  const file = join(tmpdir(), `evminf-bench-${process.pid}.vcd`);
  let cycles = 0, bytes = 0, seconds = 0;
  const once = (maxCycles: number): number => {
    const m = machine('cycle', elf, o);
    const fd = openSync(file, 'w');
    try {
      const w = new vcd.VcdWriter(m.sig, fd);
      const t = now();
      // Sample the reset state as `#0`, then trace every cycle (what `evminf run --vcd` does).
      if (vcd.attachVcd) vcd.attachVcd(m, w);
      else { w.cycle(m.cycles, m.sig.v); m.tracer = w; }
      const r = runToEnd(m, new LinuxHost(), { maxCycles });
      w.close();
      const s = now() - t;
      if (r.reason !== 'limit' && !(r.reason === 'exit' && r.exitCode === 0)) fail(`${name} failed on the traced cycle model: ${r.message ?? `exit code ${r.exitCode}`}`);
      cycles = r.cycles!;
      bytes = statSync(file).size;
      seconds = s;
      return r.cycles! / s;
    } finally {
      closeSync(fd);
      rmSync(file, { force: true });
    }
  };
  let bestRate = 0, bestBytes = 0, bestSeconds = 0;
  once(Math.ceil(budget / 5));
  for (let i = 0; i < runs; i++) {
    const rate = once(budget);
    if (rate > bestRate) { bestRate = rate; bestBytes = bytes; bestSeconds = seconds; }
  }
  return { cycles, cyclesPerSecond: bestRate, bytesPerCycle: bestBytes / cycles, bytesPerSecond: bestBytes / bestSeconds };
}

interface QemuFigures { seconds: number; instructionsPerSecond: number }

/** qemu-riscv32's best wall time for the whole process (start-up included), and its output. */
function measureQemu(name: string, elfPath: string, runs: number, instructions: number, issStdout: string): QemuFigures {
  let fastest = Infinity;
  for (let i = 0; i <= runs; i++) {
    const t = now();
    const r = spawnSync(QEMU, [elfPath], { encoding: 'utf8' });
    const s = now() - t;
    if (r.status !== 0) fail(`${name} did not exit 0 under ${QEMU} (${r.error?.message ?? `exit status ${r.status}`})`);
    if (r.stdout !== issStdout) fail(`${name}: the ISS printed ${JSON.stringify(issStdout.trim())}, ${QEMU} ${JSON.stringify(r.stdout.trim())}`);
    if (i > 0) fastest = Math.min(fastest, s); // run 0 warms the page cache
  }
  return { seconds: fastest, instructionsPerSecond: instructions / fastest };
}

// ---- Report ----

interface WorkloadFigures {
  description: string;
  stdout: string;
  iss: Omit<IssFigures, 'stdout'>;
  /** `evminf run --model iss` as a whole process (start-up included). */
  issProcess: ProcessFigures;
  /** The timing model; null until this build has one (FAST). */
  fast: FastFigures | null;
  cycle: CycleFigures;
  vcd: VcdFigures | null;
  /** qemu-riscv32 in the same bench run, and each model's speed as a fraction of it. */
  qemu: (QemuFigures & { qemuToIss: number; issProcessToQemu: number; issToQemu: number; fastToQemu: number | null; cycleToQemu: number }) | null;
}

interface Floor { floor: string; value: number | null; unit: string; met: boolean | null }

/** The floors are set on the integer mix workload (docs/performance.md); null when it did not run. */
function floors(results: Record<string, WorkloadFigures>): Floor[] {
  const r = results.intmix as WorkloadFigures | undefined;
  const iss = r?.iss.instructionsPerSecond ?? null;
  const cyc = r?.cycle.cyclesPerSecond ?? null;
  const vcd = r?.vcd?.cyclesPerSecond ?? null;
  const vcdBytes = r?.vcd?.bytesPerCycle ?? null;
  const vsQemu = r?.qemu?.issProcessToQemu ?? null;
  const fast = r?.fast?.instructionsPerSecond ?? null;
  const fastIss = fast === null || iss === null ? null : fast / iss;
  return [
    { floor: 'evminf run --model iss >= 0.25x qemu-riscv32, whole processes', value: vsQemu, unit: 'x qemu-riscv32', met: vsQemu === null ? null : vsQemu >= FLOOR_ISS_QEMU },
    { floor: 'timing model >= 0.5x the ISS, in-process', value: fastIss, unit: 'x the ISS', met: fastIss === null ? null : fastIss >= FLOOR_FAST_ISS },
    { floor: 'ISS >= 100 M instructions/s', value: iss, unit: 'instructions/s', met: iss === null ? null : iss >= FLOOR_ISS },
    { floor: 'cycle model >= 5 M cycles/s, tracing off', value: cyc, unit: 'cycles/s', met: cyc === null ? null : cyc >= FLOOR_CYCLE },
    { floor: 'full VCD >= 0.5 M cycles/s', value: vcd, unit: 'cycles/s', met: vcd === null ? null : vcd >= FLOOR_VCD },
    { floor: 'full VCD < 800 bytes/cycle', value: vcdBytes, unit: 'bytes/cycle', met: vcdBytes === null ? null : vcdBytes < FLOOR_VCD_BYTES },
  ];
}

const mega = (x: number | null | undefined, digits = 2): string => (x === null || x === undefined ? 'n/a' : (x / 1e6).toFixed(digits));
const fixed = (x: number | null | undefined, digits: number): string => (x === null || x === undefined ? 'n/a' : x.toFixed(digits));
const group = (n: number): string => n.toLocaleString('en-US');

// The models side by side in instructions per second (the cycle model's from its cycles and
// CPI), then each as a fraction of qemu-riscv32 timed in the same run; "—": no timing model in
// this build. "ISS proc" is `evminf run --model iss` as a whole process, start-up included.
const HEADERS = ['workload', 'instructions', 'ISS M instr/s', 'ISS proc M/s', 'timing M instr/s', 'cycle M instr/s', 'QEMU M instr/s', 'ISS proc/QEMU', 'ISS/QEMU', 'timing/QEMU', 'cycle/QEMU'];
const VCD_HEADERS = ['workload', 'cycle M cyc/s', 'CPI', 'VCD M cyc/s', 'VCD B/cyc', 'VCD MB/s'];
const NONE = '\u2014';

const ratio = (x: number | null | undefined): string => (x === null || x === undefined ? 'n/a' : x.toFixed(3));

function rows(results: Record<string, WorkloadFigures>): string[][] {
  return Object.entries(results).map(([name, r]) => [
    name,
    group(r.iss.instructions),
    mega(r.iss.instructionsPerSecond, 1),
    mega(r.issProcess.instructionsPerSecond, 1),
    r.fast === null ? NONE : mega(r.fast.instructionsPerSecond, 1),
    mega(r.cycle.cyclesPerSecond / r.cycle.cpi, 2),
    mega(r.qemu?.instructionsPerSecond, 0),
    ratio(r.qemu?.issProcessToQemu),
    ratio(r.qemu?.issToQemu),
    r.fast === null ? NONE : ratio(r.qemu?.fastToQemu),
    r.qemu ? r.qemu.cycleToQemu.toExponential(2) : 'n/a',
  ]);
}

function vcdRows(results: Record<string, WorkloadFigures>): string[][] {
  return Object.entries(results).map(([name, r]) => [
    name,
    mega(r.cycle.cyclesPerSecond),
    fixed(r.cycle.cpi, 3),
    mega(r.vcd?.cyclesPerSecond),
    fixed(r.vcd?.bytesPerCycle, 0),
    mega(r.vcd?.bytesPerSecond, 0),
  ]);
}

function textTable(head: string[], body: string[][]): string {
  const width = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join('  ').trimEnd();
  return [line(head), width.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function markdownTable(head: string[], body: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function floorValue(f: Floor): string {
  if (f.value === null) return 'n/a';
  if (f.unit === 'x qemu-riscv32' || f.unit === 'x the ISS') return `${f.value.toFixed(3)}${f.unit}`;
  return f.unit === 'bytes/cycle' ? `${f.value.toFixed(0)} bytes/cycle` : `${mega(f.value, 2)} M ${f.unit}`;
}

function heapLine(h: HeapFigures): string {
  const kib = (b: number): string => `${group(Math.round(b / 1024))} KiB`;
  const verdict = h.gcMinor + h.gcMajor === 0 ? `no GC ran: at most ${h.bytesPerCycleAtMost!.toFixed(4)} bytes allocated per cycle` : 'the loop allocates';
  return `heap (intmix, ${group(h.cycles)} untraced cycles): ${kib(h.heapBeforeBytes)} before, ${kib(h.heapAfterBytes)} right after, ${kib(h.heapAfterGcBytes)} after a full GC; ${h.gcMinor} scavenges, ${h.gcMajor} mark-sweeps during the run; ${verdict}`;
}

// ---- Main ----

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const cc = toolVersion(CC);
  if (cc === null) fail(`${CC} not found: install it (Debian: apt-get install gcc-riscv64-unknown-elf) to build the workloads`);
  const qemu = toolVersion(QEMU);
  const vcd = await loadVcd();
  const notes: string[] = [];
  notes.push(o.devices ? 'the models run with the standard devices attached (idle), as evminf run runs them' : 'the models run without devices (--no-devices)');
  if (vcd === null) notes.push('waveforms/vcd.js is not built: the VCD columns are skipped');
  if (FAST === null) notes.push('this build has no timing model (no "fast" in cpu/machine.ts MODEL_KINDS): its columns show \u2014');
  if (qemu === null) notes.push(`${QEMU} is not installed: the QEMU columns are skipped and outputs are checked only against known values`);
  else notes.push(`${QEMU} times are whole-process wall times, start-up included`);
  // Every node process reads this bundle at start, before any of evminf runs (~40 ms on the
  // 2-core VM): it is part of "whole process" here, but not of evminf.
  if (process.env.NODE_EXTRA_CA_CERTS !== undefined) notes.push('NODE_EXTRA_CA_CERTS is set: node loads those certificates at the start of every evminf process (QEMU does not)');

  const workloads = WORKLOADS.filter((w) => o.only === null || o.only.includes(w.name));
  const elfs = build(workloads, cc);
  const results: Record<string, WorkloadFigures> = {};
  for (const w of workloads) {
    const path = elfs.get(w.name)!;
    const elf = readFileSync(path);
    say(`${w.name}: ISS`);
    const iss = measureIss(w.name, elf, o.runs, o);
    const bad = w.check?.(iss.stdout) ?? null;
    if (bad !== null) fail(`${w.name} computed a wrong result on the ISS: ${bad}`);
    say(`${w.name}: evminf run --model iss, whole process`);
    const issProcess = measureIssProcess(w.name, path, o.runs, iss.instructions, iss.stdout, o);
    say(`${w.name}: timing model`);
    const fast = FAST === null ? null : measureFast(w.name, FAST, elf, o.runs, o);
    if (fast !== null && fast.instructions !== iss.instructions) fail(`${w.name}: the timing model retired ${fast.instructions} instructions, the ISS ${iss.instructions}`);
    say(`${w.name}: qemu-riscv32`);
    const q = qemu === null ? null : measureQemu(w.name, path, o.runs, iss.instructions, iss.stdout);
    say(`${w.name}: cycle model, ${group(o.cycles)} cycles`);
    const cycle = measureCycle(w.name, elf, o.runs, o.cycles, o);
    say(`${w.name}: cycle model with a full VCD, ${group(o.vcdCycles)} cycles`);
    const v = vcd === null ? null : measureVcd(w.name, elf, o.runs, o.vcdCycles, vcd, o);
    results[w.name] = {
      description: w.what,
      stdout: iss.stdout,
      iss: { instructions: iss.instructions, instructionsPerSecond: iss.instructionsPerSecond },
      issProcess,
      fast,
      cycle,
      vcd: v,
      qemu: q === null ? null : {
        ...q,
        qemuToIss: q.instructionsPerSecond / iss.instructionsPerSecond,
        issProcessToQemu: issProcess.instructionsPerSecond / q.instructionsPerSecond,
        issToQemu: iss.instructionsPerSecond / q.instructionsPerSecond,
        fastToQemu: fast === null ? null : fast.instructionsPerSecond / q.instructionsPerSecond,
        cycleToQemu: cycle.cyclesPerSecond / cycle.cpi / q.instructionsPerSecond,
      },
    };
  }
  let hdd: HddFigures | null = null;
  if (o.only === null || o.only.includes(HDD)) {
    say(`hard drive: ${group(o.hddKeys)} keys, ours and @ethereumjs/mpt`);
    try {
      hdd = await measureHdd(o.hddKeys, o.runs);
    } catch (e) {
      fail((e as Error).message);
    }
    if (hdd.ethereumjs === null) notes.push('@ethereumjs/mpt is not installed: the hard-drive figures are not compared');
  }
  let chain: ChainFigures | null = null;
  if (o.only === null || o.only.includes(CHAIN)) {
    say('block validation: 100 token transfers, both models');
    try {
      chain = measureChain(o.runs);
    } catch (e) {
      fail((e as Error).message);
    }
  }
  let heap: HeapFigures | null = null;
  if (o.heap && workloads.length > 0) {
    const path = elfs.get('intmix') ?? elfs.get(workloads[0]!.name)!;
    say(`heap check, ${group(DEFAULT_HEAP_CYCLES)} cycles`);
    try {
      heap = heapCheckInChild(path);
    } catch (e) {
      fail((e as Error).message);
    }
  }
  say('');
  if (progress) process.stderr.write('\r\x1b[K');

  const cpuList = cpus();
  const machine = {
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    platform: `${platform()} ${arch()}`,
    node: process.version,
  };
  const fl = floors(results);
  if (o.json) {
    const settings = { runs: o.runs, cycleBudget: o.cycles, vcdCycleBudget: o.vcdCycles, hddKeys: o.hddKeys, compiler: cc, cflags: CFLAGS.join(' '), qemu };
    process.stdout.write(JSON.stringify({ date: new Date().toISOString(), machine, settings, workloads: results, floors: fl, hdd, chain, heap, notes }) + '\n');
    return;
  }
  const out: string[] = [
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}`,
    `best of ${o.runs} after a warm-up; cycle model ${group(o.cycles)} cycles, full VCD ${group(o.vcdCycles)} cycles; ISS and QEMU run each program to its end`,
    '',
    o.markdown ? markdownTable(HEADERS, rows(results)) : textTable(HEADERS, rows(results)),
    '',
    o.markdown ? markdownTable(VCD_HEADERS, vcdRows(results)) : textTable(VCD_HEADERS, vcdRows(results)),
    '',
  ];
  const fh = ['floor (integer mix)', 'intmix', 'met'];
  const fr = fl.map((f) => [f.floor, floorValue(f), f.met === null ? 'n/a' : f.met ? 'yes' : 'no']);
  out.push(o.markdown ? markdownTable(fh, fr) : textTable(fh, fr));
  if (hdd !== null) out.push('', ...hddLines(hdd));
  if (chain !== null) out.push('', ...chainLines(chain));
  if (heap !== null) out.push('', heapLine(heap));
  for (const n of notes) out.push(`note: ${n}`);
  process.stdout.write(out.join('\n') + '\n');
}

await main();
