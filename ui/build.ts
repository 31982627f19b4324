// `npm run build:ui` (and the end of `npm run build`): the page as static files in dist/ui/ —
// index.html, style.css, app.js (the page) and worker.js (the model: ui/model-worker.ts as tsc
// compiled it, so the ISA's const enums are inlined, bundled by esbuild for the browser) — with
// the examples and the firmware images beside them. Every URL in the page is relative, so the
// folder works from any web server (`evminf ui` is one).

import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { FIRMWARE, parseSymbols } from '../firmware/images.js';
import { initChainFile } from '../firmware/chain/chain.js';
import { toHex } from '../firmware/chain/format.js';
import { loadWire } from '../firmware/chain/wire.js';
import { keyBytes, MemoryStore } from '../peripherals/store.js';
import { storeImage } from './session.js';

/** The repository root (this file is dist/ui/build.js). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const OUT = join(ROOT, 'dist', 'ui');

/** An example the page offers (examples/index.json). */
export type Example =
  | { kind: 'source'; name: string; file: string }
  | { kind: 'block'; name: string; rom: string; symbols: string; store: string; hash: string };

/** The worker bundle's options; test/browser-bundle.test.ts bundles with the same. */
export const WORKER_BUNDLE = { bundle: true, platform: 'browser', format: 'iife', target: 'es2022', legalComments: 'none' } as const;

async function main(): Promise<void> {
  mkdirSync(join(OUT, 'examples'), { recursive: true });
  mkdirSync(join(OUT, 'firmware'), { recursive: true });
  await build({ ...WORKER_BUNDLE, entryPoints: [join(OUT, 'model-worker.js')], outfile: join(OUT, 'worker.js'), minify: true, logLevel: 'warning' });
  await build({ ...WORKER_BUNDLE, entryPoints: [join(ROOT, 'ui', 'app.ts')], outfile: join(OUT, 'app.js'), minify: true, logLevel: 'warning' });
  for (const f of ['index.html', 'style.css']) copyFileSync(join(ROOT, 'ui', f), join(OUT, f));

  const examples: Example[] = [];
  for (const f of readdirSync(join(ROOT, 'examples')).filter((n) => /\.S$/.test(n)).sort()) {
    copyFileSync(join(ROOT, 'examples', f), join(OUT, 'examples', f));
    examples.push({ kind: 'source', name: f, file: `examples/${f}` });
  }
  for (const name of FIRMWARE) {
    copyFileSync(join(ROOT, 'firmware', 'build', `${name}.bin`), join(OUT, 'firmware', `${name}.bin`));
    const syms = parseSymbols(readFileSync(join(ROOT, 'firmware', 'build', `${name}.sym`), 'utf8'));
    writeFileSync(join(OUT, 'firmware', `${name}.sym.json`), JSON.stringify(syms));
  }
  // The block validation: the example chain's genesis state with block 1 loaded, as the store
  // `evminf block validate examples/chain/block-1.rlp --genesis examples/chain/genesis.json` runs on.
  const chain = join(ROOT, 'examples', 'chain');
  const store = new MemoryStore();
  initChainFile(store, join(chain, 'genesis.json'));
  const { hash } = loadWire(store, new Uint8Array(readFileSync(join(chain, 'block-1.rlp'))), 'block-1.rlp');
  const entries = [...store.map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [keyBytes(k), v] as const);
  writeFileSync(join(OUT, 'examples', 'block-1.store'), storeImage(entries));
  examples.push({ kind: 'block', name: 'block-1.rlp (INTERPRET_BLOCK)', rom: 'firmware/interpret_block.bin', symbols: 'firmware/interpret_block.sym.json', store: 'examples/block-1.store', hash: toHex(hash) });
  writeFileSync(join(OUT, 'examples', 'index.json'), JSON.stringify(examples, null, 1) + '\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    process.stderr.write(`build:ui: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}\n`);
    process.exitCode = 1;
  });
}
