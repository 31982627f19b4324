// Spawning the CLI for the red-team campaign: `node dist/bin/evminf.cjs ARGS` with its peak
// resident set (reported by a preloaded exit hook on fd 3, and polled from /proc so a process
// that grows without bound is killed at a quarter over the budget), a timeout, and optional stdin or
// stdout redirections (a closed pipe, /dev/full).

import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RSS_BUDGET_BYTES, SPAWN_TIMEOUT_MS } from './oracle.js';

/** The built CLI beside this file's own build. */
export const EVMINF = fileURLToPath(new URL('../../bin/evminf.cjs', import.meta.url));

export interface SpawnResult {
  code: number;
  signal: string | null;
  stdout: Buffer;
  stderr: string;
  rssBytes: number;
}

export interface SpawnOptions {
  cwd: string;
  /** Where stdout goes: captured (default), a file path opened for writing (/dev/full), or a pipe closed at once. */
  stdout?: 'capture' | 'closed-pipe' | { path: string };
  timeoutMs?: number;
}

/** The exit hook: CommonJS, so `-r` loads it before the ES module CLI. */
function hookFile(): string {
  const p = join(mkdtempSync(join(tmpdir(), 'evminf-redteam-hook-')), 'rss-hook.cjs');
  writeFileSync(p, "process.on('exit', () => { try { require('fs').writeSync(3, String(process.resourceUsage().maxRSS * 1024)); } catch { /* fd 3 not open: no report */ } });\n");
  return p;
}

let hook: string | null = null;

const SIGNALS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };

export function spawnCli(args: readonly string[], o: SpawnOptions): Promise<SpawnResult> {
  hook ??= hookFile();
  const outFd = typeof o.stdout === 'object' ? openSync(o.stdout.path, 'w') : null;
  const child = spawn(process.execPath, ['-r', hook, EVMINF, ...args], {
    cwd: o.cwd,
    stdio: ['ignore', outFd ?? 'pipe', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0', NODE_OPTIONS: '' },
  });
  if (outFd !== null) closeSync(outFd);
  const out: Buffer[] = [], err: Buffer[] = [], rss: Buffer[] = [];
  let outBytes = 0;
  if (o.stdout === 'closed-pipe') child.stdout!.destroy();
  else child.stdout?.on('data', (b: Buffer) => { if ((outBytes += b.length) < 64 << 20) out.push(b); });
  child.stderr!.on('data', (b: Buffer) => { if (err.length < 10_000) err.push(b); });
  (child.stdio[3] as NodeJS.ReadableStream).on('data', (b: Buffer) => rss.push(b));
  let polled = 0, why: string | null = null;
  const poll = setInterval(() => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) polled = Math.max(polled, Number(m[1]) * 1024);
      if (polled > RSS_BUDGET_BYTES * 1.25) { why = 'rss'; child.kill('SIGKILL'); }
    } catch { /* gone */ }
  }, 25);
  const timer = setTimeout(() => { why = 'timeout'; child.kill('SIGKILL'); }, o.timeoutMs ?? SPAWN_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(poll); clearTimeout(timer);
      const reported = Number(Buffer.concat(rss).toString() || '0');
      resolve({
        code: code ?? 128 + (SIGNALS[signal ?? ''] ?? 0),
        signal: why === 'timeout' ? 'timeout' : why === 'rss' ? `SIGKILL at ${(polled / 2 ** 20).toFixed(0)} MiB resident` : signal,
        stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), rssBytes: Math.max(reported, polled),
      });
    });
  });
}
