// Heap check of the cycle model's untraced hot loop (`npm run bench -- --heap` runs it):
//
//   node --expose-gc dist/bench/heap.js ELF [cycles]     prints one JSON object (HeapFigures)
//
// After a warm-up (JIT, region caches) and a forced full GC it runs `cycles` more cycles and
// reads the heap right after, with no GC in between, and counts the collections V8 ran during
// the run. A loop that allocated even a few bytes per cycle would fill the young generation
// (16 MiB semi-spaces) many times over in a few million cycles and show up as scavenges; no
// collection and a flat heap bound the allocation per cycle by growth / cycles.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { LinuxHost } from '../cpu/host.js';
import { createModel } from '../cpu/machine.js';
import { loadElf } from '../cpu/program.js';
import { runToEnd } from '../cpu/runner.js';

export interface HeapFigures {
  /** Cycles measured (after the warm-up). */
  cycles: number;
  warmupCycles: number;
  /** Heap in use after a forced full GC, before the run. */
  heapBeforeBytes: number;
  /** Heap in use right after the run, before any forced GC. */
  heapAfterBytes: number;
  /** Heap in use after a forced full GC, after the run. */
  heapAfterGcBytes: number;
  /** Collections V8 ran during the run: scavenges, and mark-sweep-compact (incl. incremental). */
  gcMinor: number;
  gcMajor: number;
  /** (after - before) / cycles when no collection ran (an upper bound), else null. */
  bytesPerCycleAtMost: number | null;
}

export const DEFAULT_HEAP_CYCLES = 5_000_000;
const WARMUP_CYCLES = 500_000;

/** Run the check in this process; needs --expose-gc. */
export async function heapCheck(elf: Uint8Array, cycles = DEFAULT_HEAP_CYCLES): Promise<HeapFigures> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('the heap check needs node --expose-gc');
  const core = createModel('cycle', loadElf(elf));
  const host = new LinuxHost();
  const warm = runToEnd(core, host, { maxCycles: WARMUP_CYCLES });
  if (warm.reason !== 'limit') throw new Error(`the workload ended during the warm-up (${warm.message ?? warm.reason})`);
  gc();
  gc();
  let minor = 0, major = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = ((e as unknown as { detail?: { kind?: number } }).detail)?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) minor++;
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR || kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) major++;
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  const before = getHeapStatistics().used_heap_size;
  const r = runToEnd(core, host, { maxCycles: WARMUP_CYCLES + cycles });
  const after = getHeapStatistics().used_heap_size;
  // GC entries are delivered asynchronously.
  await new Promise((resolve) => setTimeout(resolve, 50));
  obs.disconnect();
  gc();
  const afterGc = getHeapStatistics().used_heap_size;
  const ran = (r.cycles ?? 0) - WARMUP_CYCLES;
  return {
    cycles: ran,
    warmupCycles: WARMUP_CYCLES,
    heapBeforeBytes: before,
    heapAfterBytes: after,
    heapAfterGcBytes: afterGc,
    gcMinor: minor,
    gcMajor: major,
    bytesPerCycleAtMost: minor + major === 0 ? Math.max(0, after - before) / ran : null,
  };
}

const self = fileURLToPath(import.meta.url);

/** Run the check in a fresh `node --expose-gc` child, away from the benchmark's own heap. */
export function heapCheckInChild(elfPath: string, cycles = DEFAULT_HEAP_CYCLES): HeapFigures {
  const r = spawnSync(process.execPath, ['--expose-gc', self, elfPath, String(cycles)], { encoding: 'utf8' });
  if (r.status !== 0) {
    const why = r.error?.message ?? r.stderr.trim().split('\n').filter((l) => l !== '').pop() ?? `exit status ${r.status}`;
    throw new Error(`heap check failed: ${why}`);
  }
  return JSON.parse(r.stdout) as HeapFigures;
}

async function main(argv: string[]): Promise<void> {
  const [elfPath, cyclesArg] = argv;
  if (elfPath === undefined) {
    process.stderr.write('usage: node --expose-gc dist/bench/heap.js ELF [cycles]\n');
    process.exit(2);
  }
  const cycles = cyclesArg === undefined ? DEFAULT_HEAP_CYCLES : Number(cyclesArg);
  if (!Number.isSafeInteger(cycles) || cycles <= 0) {
    process.stderr.write(`heap: cycles must be a positive integer, not '${cyclesArg}'\n`);
    process.exit(2);
  }
  if ((globalThis as { gc?: unknown }).gc === undefined) {
    // Started without --expose-gc: run again with it.
    const r = spawnSync(process.execPath, ['--expose-gc', self, ...argv], { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
  try {
    process.stdout.write(JSON.stringify(await heapCheck(readFileSync(elfPath), cycles)) + '\n');
  } catch (e) {
    process.stderr.write(`heap: ${(e as Error).message}\n`);
    process.exit(1);
  }
}

if (process.argv[1] === self) await main(process.argv.slice(2));
