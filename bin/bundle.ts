// The last step of `npm run build` (and of the tests' global setup): the command line
// (dist/bin/cli.js, as tsc compiled it, with the ISA's const enums inlined) as one ES module,
// dist/bin/evminf-bundle.js, with chunks for what only some command lines load (each command,
// waveforms, traces: a dynamic import stays a dynamic import of a chunk, so a plain run loads
// and evaluates only what it did before). Then dist/bin/evminf.js, tsc's launcher, is replaced
// by one that loads the bundle (EVMINF_NO_BUNDLE=1: the modules, as before). Bundle and chunks
// sit in dist/bin/ beside cli.js, so every path a module forms from import.meta.url names the
// same file from either (test/launcher.test.ts runs both). Packages with native code or files of
// their own (LevelDB, the VCD parser, yargs and its locales) are imported from node_modules.

import { build } from 'esbuild';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('.', import.meta.url));

export const LAUNCHER = `#!/usr/bin/env node
// evminf: the command line's launcher, written by bin/bundle.ts (npm run build) over the one tsc
// compiled from bin/evminf.ts: it runs the command line's one-file build, evminf-bundle.js.
// EVMINF_NO_BUNDLE=1 runs the compiled modules (cli.js) instead, and so does a bundle with a
// file missing (the modules are what it was built from).

async function load() {
  if (process.env.EVMINF_NO_BUNDLE !== '1') {
    try {
      return await import('./evminf-bundle.js');
    } catch (e) {
      if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('/evminf-')) throw e;
    }
  }
  return import('./cli.js');
}
const { runCli } = await load();
await runCli(process.argv.slice(2));
`;

// The chunks of the last build: their names change with their contents.
for (const f of readdirSync(BIN)) if (/^evminf-chunk-.*\.js(\.map)?$/.test(f)) rmSync(join(BIN, f));

await build({
  entryPoints: { 'evminf-bundle': join(BIN, 'cli.js') },
  outdir: BIN,
  chunkNames: 'evminf-chunk-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['classic-level', 'vcd-stream', 'yargs', 'esbuild', 'playwright-core'],
  legalComments: 'none',
  // Minified: a third less source for V8 to parse and compile at every start (the compile step
  // of a plain run's start-up 29 -> 19 ms, its collections 11 -> 7 ms). Errors reach users as one
  // line, never a stack; the source maps beside the chunks (node --enable-source-maps) and
  // EVMINF_NO_BUNDLE=1 give readable ones.
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
});
writeFileSync(join(BIN, 'evminf.js'), LAUNCHER);
