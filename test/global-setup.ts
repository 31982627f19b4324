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
  // The page's static files (dist/ui, ui/build.ts): `evminf ui` serves them and the browser tests load them.
  const ui = spawnSync(process.execPath, [fileURLToPath(new URL('../dist/ui/build.js', import.meta.url))], { cwd: root, encoding: 'utf8' });
  if (ui.error) throw ui.error;
  if (ui.status !== 0) throw new Error(`global setup: node dist/ui/build.js exited ${ui.status}: ${ui.stderr}`);
  // The command line as one file (bin/bundle.ts), last: it also replaces tsc's dist/bin/evminf.js with the launcher that runs it.
  const bundle = spawnSync(process.execPath, [fileURLToPath(new URL('../dist/bin/bundle.js', import.meta.url))], { cwd: root, encoding: 'utf8' });
  if (bundle.error) throw bundle.error;
  if (bundle.status !== 0) throw new Error(`global setup: node dist/bin/bundle.js exited ${bundle.status}: ${bundle.stderr}`);
  console.log(`global setup: built dist/ in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
