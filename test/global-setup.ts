// Vitest global setup: build dist/ once with the project's TypeScript, so that tests which run
// the CLI (`node dist/bin/evminf.js`) exercise the current sources.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: root, encoding: 'utf8' });
  if (r.error) throw r.error;
  const cli = fileURLToPath(new URL('../dist/bin/evminf.js', import.meta.url));
  if (r.status !== 0) {
    // tsc still emits JavaScript for files with type errors; only a missing CLI is fatal here.
    const why = `tsc -p tsconfig.json exited ${r.status}:\n${r.stdout}${r.stderr}`;
    if (!existsSync(cli)) throw new Error(`global setup: the build produced no ${cli}; ${why}`);
    console.warn(`global setup: ${why}`);
  }
  console.log(`global setup: built dist/ in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
