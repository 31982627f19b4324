// `npm run bench:ui`: the cycle model's speed in the page's worker against the CLI's, on one
// 10.5-million-cycle loop — `evminf run --json` (its own "seconds": the run, start-up left
// out), the worker's session under Node (ui/session.ts, as the worker drives it), and the
// worker in Chromium (playwright-core and /usr/bin/chromium; left out when there is none),
// each the best of --runs=N (default 3). Numbers on a loaded machine are noisy.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session } from './session.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist/bin/evminf.cjs');

/** 1.75 M iterations of 4 instructions and a taken branch: 10.5 M cycles (also test/ui.test.ts's long run). */
export const BENCH_LOOP = `
        .text
        .globl _start
_start:
        li      t0, 1750000
        li      a0, 0
loop:
        addi    a0, a0, 3
        xor     a1, a0, t0
        addi    t0, t0, -1
        bnez    t0, loop
        li      a0, 0
        li      a7, 93
        ecall
`;

const best = (xs: number[]): number => Math.max(...xs);

async function browserSpeed(prog: string, runs: number): Promise<number[] | null> {
  const chrome = spawnSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).stdout.trim();
  if (chrome === '') return null;
  const { chromium } = await import('playwright-core');
  const server = spawn(process.execPath, [CLI, 'ui', prog], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (d: Buffer) => { out += d.toString(); const m = /(http:\S+)\n/.exec(out); if (m) resolve(m[1]!); });
      server.on('exit', (c) => reject(new Error(`evminf ui exited ${c}`)));
    });
    const browser = await chromium.launch({ executablePath: chrome, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      await page.goto(url);
      await page.waitForSelector('#dis div');
      const out: number[] = [];
      for (let i = 0; i < runs; i++) {
        await page.click('#b-reset');
        await page.waitForFunction(() => document.body.dataset.running === 'false' && document.getElementById('cycle')!.textContent === '0');
        await page.click('#b-run');
        await page.waitForFunction(() => document.body.dataset.running === 'false' && /exited/.test(document.getElementById('status')!.textContent!), undefined, { timeout: 120_000 });
        out.push(Number(await page.getAttribute('#speed', 'data-mcps')));
      }
      return out;
    } finally {
      await browser.close();
    }
  } finally {
    server.kill('SIGINT');
  }
}

async function main(): Promise<void> {
  const runs = Number(/^--runs=(\d+)$/.exec(process.argv.find((a) => a.startsWith('--runs=')) ?? '')?.[1] ?? 3);
  const json = process.argv.includes('--json');
  const dir = mkdtempSync(join(tmpdir(), 'evminf-bench-ui-'));
  try {
    const prog = join(dir, 'loop.S');
    writeFileSync(prog, BENCH_LOOP);
    const cli: number[] = [], node: number[] = [];
    let cycles = 0;
    for (let i = 0; i < runs; i++) {
      const r = JSON.parse(spawnSync(process.execPath, [CLI, 'run', prog, '--json'], { encoding: 'utf8' }).stdout) as { cycles: number; seconds: number };
      cycles = r.cycles;
      cli.push(r.cycles / r.seconds / 1e6);
    }
    for (let i = 0; i < runs; i++) {
      const s = new Session({ kind: 'source', name: 'loop.S', text: BENCH_LOOP });
      const t0 = performance.now();
      const g = s.forward({ t: 'run' });
      while (g.next().done !== true) { /* slices */ }
      node.push(s.core.cycles / ((performance.now() - t0) / 1000) / 1e6);
    }
    const browser = await browserSpeed(prog, runs);
    const fig = { cycles, runs, cliMcps: best(cli), sessionNodeMcps: best(node), workerChromiumMcps: browser === null ? null : best(browser) };
    if (json) { process.stdout.write(JSON.stringify(fig) + '\n'); return; }
    const ratio = (x: number | null): string => (x === null ? '—' : `${(x / fig.cliMcps).toFixed(2)}×`);
    process.stdout.write([
      `cycle model, ${cycles} cycles, best of ${runs}:`,
      `  evminf run (the run's own seconds)   ${fig.cliMcps.toFixed(2)} M cycles/s`,
      `  the worker's session under Node      ${fig.sessionNodeMcps.toFixed(2)} M cycles/s  (${ratio(fig.sessionNodeMcps)} the CLI)`,
      `  the worker in Chromium               ${fig.workerChromiumMcps === null ? '— (no chromium)' : `${fig.workerChromiumMcps.toFixed(2)} M cycles/s  (${ratio(fig.workerChromiumMcps)} the CLI)`}`,
      '',
    ].join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => { process.stderr.write(`bench:ui: ${(e as Error).message}\n`); process.exitCode = 1; });
}
