#!/usr/bin/env node
// `npm run redteam`: the red-team campaign from the command line (docs/security.md).
//
//   npm run redteam -- [--count N] [--seed S] [--only KIND[,KIND]] [--keep DIR | --no-keep] [--json]
//
// Exit codes: 0 no violation; 1 violations (each listed, failing inputs kept); 2 bad command line.

import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { campaign, WEIGHTS } from './campaign.js';
import { ROOT } from './corpus.js';
import { KINDS, type Kind } from './kinds.js';

const USAGE = 'usage: npm run redteam -- [--count N] [--seed S] [--only KIND[,KIND]] [--keep DIR | --no-keep] [--json]';

function fail(msg: string): never {
  writeSync(2, `redteam: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

function count(name: string, s: string | undefined, dflt: number): number {
  if (s === undefined) return dflt;
  if (!/^\d{1,10}$/.test(s) || Number(s) > 0xffff_ffff) fail(`--${name} ${JSON.stringify(s)}: not an integer 0..4294967295`);
  return Number(s);
}

async function main(): Promise<number> {
  let a;
  try {
    a = parseArgs({
      options: {
        count: { type: 'string' }, seed: { type: 'string' }, only: { type: 'string', multiple: true },
        keep: { type: 'string' }, 'no-keep': { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean' },
      },
      strict: true, allowPositionals: false,
    }).values;
  } catch (e) { fail((e as Error).message.split('\n')[0]!); }
  if (a.help) { writeSync(1, `${USAGE}\nkinds: ${KINDS.join(', ')} (weights ${KINDS.map((k) => WEIGHTS[k]).join(':')})\n`); return 0; }
  const only = (a.only ?? []).flatMap((s) => s.split(',')).filter((s) => s !== '');
  for (const k of only) if (!(KINDS as readonly string[]).includes(k)) fail(`--only ${k}: the kinds are ${KINDS.join(', ')}`);
  const n = count('count', a.count, 10_000), seed = count('seed', a.seed, 20261201);
  const keep = a['no-keep'] ? null : a.keep ?? join(ROOT, 'test', 'redteam-cases');
  const tty = !a.json && process.stderr.isTTY === true;
  const t0 = Date.now();
  const s = await campaign({
    count: n, seed, only: only as Kind[], keep,
    onProgress: tty ? (done, bad) => { if (done % 10 === 0 || done === n) writeSync(2, `\r\x1b[K[${done}/${n}] ${bad} violations, ${((Date.now() - t0) / 1000).toFixed(0)} s`); } : undefined,
    onViolation: a.json ? undefined : (c, v) => {
      if (tty) writeSync(2, '\r\x1b[K');
      writeSync(1, `VIOLATION ${c.kind} seed ${c.seed} (${c.what.slice(0, 100)}):\n${v.map((x) => `  ${x}\n`).join('')}`);
    },
  });
  if (tty) writeSync(2, '\r\x1b[K');
  if (a.json) writeSync(1, JSON.stringify(s) + '\n');
  else {
    writeSync(1, `redteam: ${s.count} inputs (seed ${s.seed}${s.cCorpus ? '' : ', no C corpus: riscv64-unknown-elf-gcc not found'}), ${s.failures.length} violations, ${s.seconds.toFixed(1)} s\n`);
    for (const k of Object.keys(s.byKind).sort()) {
      const o = s.byKind[k]!;
      writeSync(1, `  ${k.padEnd(6)} ${s.secondsByKind[k]!.toFixed(1).padStart(6)} s  ${Object.keys(o).sort().map((x) => `${x} ${o[x]}`).join(', ')}\n`);
    }
    if (s.failures.length > 0 && keep !== null) writeSync(1, `failing inputs kept in ${keep} (test/redteam.test.ts replays test/redteam-cases/)\n`);
  }
  return s.failures.length === 0 ? 0 : 1;
}

main().then((c) => { process.exitCode = c; }, (e: unknown) => {
  writeSync(2, `redteam: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 70;
});
