// Vitest global setup: build dist/ once with the project's TypeScript, so that tests which run
// the CLI (`node dist/bin/evminf.cjs`, the package's bin) exercise the current sources.

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
  const cli = fileURLToPath(new URL('../dist/bin/evminf.cjs', import.meta.url));
  if (r.status !== 0) {
    // tsc still emits JavaScript for files with type errors; only a missing CLI is fatal here.
    const why = `tsc -p tsconfig.json exited ${r.status}:\n${r.stdout}${r.stderr}`;
    if (!existsSync(cli)) throw new Error(`global setup: the build produced no ${cli}; ${why}`);
    console.warn(`global setup: ${why}`);
  }
  // The build's other steps, as `npm run build` runs them: the page's static files (dist/ui,
  // ui/build.ts: `evminf ui` serves them and the browser tests load them), then the command line
  // as one file with its code cache (bin/bundle.ts), last: it replaces tsc's dist/bin/evminf.cjs with
  // the launcher that runs it.
  for (const script of ['dist/ui/build.js', 'dist/bin/bundle.js']) {
    const s = spawnSync(process.execPath, [fileURLToPath(new URL(`../${script}`, import.meta.url))], { cwd: root, encoding: 'utf8' });
    if (s.error) throw s.error;
    if (s.status !== 0) throw new Error(`global setup: node ${script} exited ${s.status}: ${s.stderr}`);
  }
  console.log(`global setup: built dist/ in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
