// The red-team campaign (docs/security.md): `count` hostile inputs across the kinds, each run
// and checked by verify/redteam/kinds.ts; counts by kind and outcome, and every failing input
// written to a directory as a replayable case (test/redteam.test.ts).

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asmElfSeeds, asmSeeds, cSeeds, qemuLog } from './corpus.js';
import { generate, KINDS, runCase, scratchDir, type Corpus, type Kind, type RedCase } from './kinds.js';
import { outcomeName } from './oracle.js';
import { Rng } from './mutate.js';
import { EVMINF } from './spawn.js';

/** Share of the inputs per kind (the CLI-misuse kind spawns every case, so it gets fewer). */
export const WEIGHTS: Readonly<Record<Kind, number>> = { elf: 30, asm: 30, trace: 15, guest: 22, cli: 3 };

export interface CampaignOptions {
  count: number;
  seed: number;
  only?: readonly Kind[];
  /** Directory for failing cases; null keeps none. */
  keep: string | null;
  /** Failing cases kept per kind and kind of violation (the rest are counted). */
  keepPerSignature?: number;
  onProgress?: (done: number, violations: number) => void;
  /** Called for each failing case. */
  onViolation?: (c: RedCase, v: readonly string[]) => void;
}

export interface CampaignSummary {
  count: number;
  seed: number;
  seconds: number;
  /** C corpus used (false: no cross compiler, the assembler's ELFs only). */
  cCorpus: boolean;
  byKind: Record<string, Record<string, number>>;
  /** Wall time spent per kind. */
  secondsByKind: Record<string, number>;
  failures: { kind: Kind; seed: number; what: string; violations: string[]; file: string | null }[];
}

/** Cases in flight: a spawned command runs on the other core while the next cases run here. */
const IN_FLIGHT = 3;

/** Seed of case k: spaced as the isolation fuzzer spaces its seeds. */
export const caseSeed = (seed: number, k: number): number => (seed + k * 7919) >>> 0;

/** The kind of case k: a weighted choice from its own seed, so `--only` keeps the others' seeds. */
export function caseKind(seed: number, only: readonly Kind[]): Kind {
  const kinds = only.length > 0 ? only : KINDS;
  const total = kinds.reduce((s, k) => s + WEIGHTS[k], 0);
  let x = new Rng(seed ^ 0x5bd1e995).below(total);
  for (const k of kinds) { if (x < WEIGHTS[k]) return k; x -= WEIGHTS[k]; }
  return kinds[0]!;
}

/** Build the corpus: C programs (when the cross compiler is there), assembler ELFs, traces. */
export function buildCorpus(scratch: string): { corpus: Corpus; cCorpus: boolean } {
  const sources = asmSeeds();
  const asmElves = asmElfSeeds(sources);
  const c = cSeeds();
  const calls = sources.find((s) => s.name === 'calls.S')!;
  const dir = join(scratch, 'traces');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'calls.S'), calls.text);
  writeFileSync(join(dir, 'write.S'), sources.find((s) => s.name === 'write.S')!.text);
  const run = (args: string[], status: number): void => {
    const r = spawnSync(process.execPath, [EVMINF, ...args], { cwd: dir, encoding: 'utf8' });
    if (r.status !== status) throw new Error(`redteam corpus: evminf ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  };
  // The waveform is of a short program: parsing a mutated VCD costs in proportion to its size.
  run(['run', 'write.S', '--model', 'cycle', '--vcd', 'a.vcd'], 3);
  run(['run', 'calls.S', '--model', 'cycle', '--rvfi', 'r.jsonl'], 20);
  run(['run', 'calls.S', '--model', 'cycle', '--rvfi', 'r.vcd'], 20);
  const traceElf = asmElves.find((s) => s.name === 'calls.S.elf')!.bytes;
  const read = (n: string): string => readFileSync(join(dir, n), 'utf8');
  const corpus: Corpus = {
    elves: [...(c ?? []), ...asmElves], sources, traceElf,
    traces: { vcd: read('a.vcd'), rvfi: read('r.jsonl'), rvfiVcd: read('r.vcd'), qemu: qemuLog(traceElf, 400) },
  };
  return { corpus, cCorpus: c !== null };
}

/** Strip numbers and quoted text from a violation, so alike failures share a signature. */
const signature = (kind: Kind, v: readonly string[]): string =>
  `${kind}:${v.map((x) => x.replace(/"[^"]*"|0x[0-9a-f]+|\d+/gi, '#')).sort().join('|')}`;

export async function campaign(o: CampaignOptions): Promise<CampaignSummary> {
  const t0 = performance.now();
  const scratch = scratchDir();
  try {
    const { corpus, cCorpus } = buildCorpus(scratch);
    const byKind: Record<string, Record<string, number>> = {};
    const secondsByKind: Record<string, number> = {};
    const failures: CampaignSummary['failures'] = [];
    const kept = new Map<string, number>();
    if (o.keep !== null) mkdirSync(o.keep, { recursive: true });
    // Spawned commands run while the next cases run in process: up to IN_FLIGHT at once.
    const results: { k: number; c: RedCase; v: string[] }[] = [];
    const pending = new Set<Promise<void>>();
    let done = 0, bad = 0;
    for (let k = 0; k < o.count; k++) {
      const seed = caseSeed(o.seed, k);
      const kind = caseKind(seed, o.only ?? []);
      const t1 = performance.now();
      const c = generate(kind, seed, corpus);
      const p = runCase(c, scratch).then((r) => {
        secondsByKind[kind] = (secondsByKind[kind] ?? 0) + (performance.now() - t1) / 1000;
        const name = outcomeName(r.code, r.violations);
        (byKind[kind] ??= {})[name] = (byKind[kind]![name] ?? 0) + 1;
        if (r.violations.length > 0) { results.push({ k, c, v: r.violations }); bad++; o.onViolation?.(c, r.violations); }
        o.onProgress?.(++done, bad);
      });
      const tracked = p.finally(() => pending.delete(tracked));
      pending.add(tracked);
      if (pending.size >= IN_FLIGHT) await Promise.race(pending);
    }
    await Promise.all(pending);
    // Kept in case order, so the same campaign keeps the same files.
    results.sort((a, b) => a.k - b.k);
    for (const { c, v } of results) {
      let file: string | null = null;
      const sig = signature(c.kind, v);
      const n = kept.get(sig) ?? 0;
      if (o.keep !== null && n < (o.keepPerSignature ?? 3)) {
        file = join(o.keep, `${c.kind}-${c.seed}.json`);
        writeFileSync(file, JSON.stringify({ ...c, violations: v }, null, 1) + '\n');
      }
      kept.set(sig, n + 1);
      failures.push({ kind: c.kind, seed: c.seed, what: c.what, violations: v, file });
    }
    return { count: o.count, seed: o.seed, seconds: (performance.now() - t0) / 1000, cCorpus, byKind, secondsByKind, failures };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** One case by kind and seed (the replay of `evminf-redteam --only KIND --seed S --count 1`). */
export function caseOf(kind: Kind, seed: number, corpus: Corpus): RedCase {
  return generate(kind, seed, corpus);
}
