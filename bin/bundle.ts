// The last step of `npm run build` (and of the tests' global setup): the command line
// (dist/bin/cli.js, as tsc compiled it, with the ISA's const enums inlined) as one CommonJS
// file, dist/bin/evminf-bundle.cjs, with a V8 code cache beside it; then dist/bin/evminf.cjs,
// tsc's launcher of the modules, is replaced by one that runs the bundle from its cache
// (EVMINF_NO_BUNDLE=1: the modules, as before).
//
// Why this shape (docs/performance.md, "Start-up"): node 20 keeps no code cache for user code,
// so every start parsed and compiled what it loaded, and an ES module graph also costs node
// its ES module loader (resolving each file's URL, fs/promises, readline, streams). One script
// compiled by vm.Script from its code cache skips both: a plain `evminf run` of a 3-instruction
// program starts ~35 ms sooner on the 2-core VM. Everything is in the one file, but a module
// that a command line does not use is never evaluated: a dynamic import() of our own modules
// becomes a lazy initialiser (esbuild's __esm), so a plain run still evaluates only what it
// did before — and the cache spares even the parsing of the rest.
//
// The cache is made here, by the launcher itself on a warm-up run (EVMINF_WRITE_CODE_CACHE),
// so it holds the functions a run compiles, not just the top level. V8 checks a cache against
// its own version and flags and rejects it otherwise (the launcher then compiles the source, as
// without one), but against the source only by its length: the cache's name carries a hash of
// the bundle, and the bundle's first line names it, so a cache can only meet its own bundle.
//
// Bundle and launcher sit in dist/bin/ beside cli.js, so every path a module forms from its own
// URL (import.meta.url, here the bundle's) names the same file from either. Packages with
// native code or files of their own (LevelDB, the VCD parser, yargs and its locales) are
// imported from node_modules.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { assembleToElf } from '../isa/asm.js';

const BIN = fileURLToPath(new URL('.', import.meta.url));
const BUNDLE = 'evminf-bundle.cjs';

/** The bundle's first line: `// evminf-bundle <hash>`, the hash its code cache is named by. */
const ID_LINE = /^\/\/ evminf-bundle ([0-9a-f]{16})\n/;

export const LAUNCHER = `#!/usr/bin/env node
// evminf: the command line's launcher (the package's bin), written by bin/bundle.ts (npm run
// build) over the one tsc compiled from bin/evminf.cts: it runs the command line's one-file
// build, ${BUNDLE}, from the V8 code cache made with it (evminf-bundle-<hash>.v8cache; a cache
// V8 rejects, or none, only costs the compile). EVMINF_NO_BUNDLE=1 runs the compiled modules
// (cli.js) instead, and so does a missing bundle (the modules are what it was built from).
// NODE_DEBUG=evminf says which ran, and what became of the cache.
'use strict';
const { readFileSync, writeFileSync, renameSync } = require('node:fs');
const { join } = require('node:path');
const debug = require('node:util').debuglog('evminf');

function bundle() {
  if (process.env.EVMINF_NO_BUNDLE === '1') return null;
  const file = join(__dirname, '${BUNDLE}');
  let source;
  try {
    source = readFileSync(file, 'latin1');
  } catch (e) {
    if (e.code === 'ENOENT') return null;
    throw e;
  }
  const id = ${ID_LINE}.exec(source);
  const cache = id === null ? null : join(__dirname, 'evminf-bundle-' + id[1] + '.v8cache');
  let cachedData;
  if (cache !== null) try { cachedData = readFileSync(cache); } catch { /* none: compiled from source */ }
  const { Script, constants } = require('node:vm');
  // CommonJS's own wrapper: the bundle sees require, module, __filename and __dirname as a file
  // of this directory would; and its import() of a package is this file's (a script run from a
  // code cache has none of its own in node 20).
  const script = new Script('(function (exports, require, module, __filename, __dirname, __eimp) {' + source + '\\n})', {
    filename: file, cachedData, importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  debug('bundle %s, code cache %s', id === null ? '(no id line)' : id[1], cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted');
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, require, module, file, __dirname, (name) => import(name));
  const out = process.env.EVMINF_WRITE_CODE_CACHE;
  if (out !== undefined && out !== '') {
    // The build's warm-up run (bin/bundle.ts): the cache, made once the command has run.
    process.once('beforeExit', () => {
      const tmp = out + '.tmp-' + process.pid;
      try {
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, out);
      } catch (e) {
        process.stderr.write('evminf: EVMINF_WRITE_CODE_CACHE ' + out + ': ' + e.message + '\\n');
        process.exitCode = 1;
      }
    });
  }
  return module.exports;
}

let loaded;
try {
  loaded = bundle();
} catch (e) {
  // A bundle that cannot be read or does not compile (a broken build or install): one line.
  const why = String(e && e.message).split('\\n')[0];
  process.stderr.write('evminf: the command line\\'s bundle (' + join(__dirname, '${BUNDLE}') + ') does not load: ' + why + '; npm run build writes it again, EVMINF_NO_BUNDLE=1 runs the modules\\n');
  process.exit(1);
}
if (loaded === null) debug('modules (cli.js)');
void (loaded !== null ? Promise.resolve(loaded) : import('./cli.js')).then(({ runCli }) => runCli(process.argv.slice(2)));
`;

/**
 * The warm-up run's program: a loop of loads, stores, ALU operations and a branch, long enough
 * for the ISS to translate its blocks and form a region of them, then exit(0).
 */
const WARM_UP = `.text
.globl _start
_start:
  li t0, 4096
  li t1, 0
  la t2, word
1:
  lw t3, 0(t2)
  add t1, t1, t3
  xor t3, t3, t1
  sw t3, 0(t2)
  andi t4, t0, 15
  bnez t4, 2f
  mul t1, t1, t0
2:
  addi t0, t0, -1
  bnez t0, 1b
  li a0, 0
  li a7, 93
  ecall
.data
word: .word 1
`;

// The last build's files: the chunks and launcher of the ES module bundle before this one, and
// caches whose bundle is gone.
for (const f of readdirSync(BIN)) {
  if (/^evminf-(chunk-.*\.js|bundle\.js|bundle-[0-9a-f]{16}\.v8cache(\.tmp-\d+)?)(\.map)?$/.test(f)) rmSync(join(BIN, f));
}

const built = await build({
  entryPoints: { 'evminf-bundle': join(BIN, 'cli.js') },
  outdir: BIN,
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['classic-level', 'vcd-stream', 'yargs', 'esbuild', 'playwright-core'],
  // A module's own URL is the bundle's (the same directory as the module it was built from).
  define: { 'import.meta.url': '__evminf_url' },
  banner: { js: 'const __evminf_url = require("node:url").pathToFileURL(__filename).href;' },
  legalComments: 'none',
  // Minified: a third less source for V8 to parse, and a smaller cache. Errors reach users as one
  // line, never a stack; the source map beside the bundle (node --enable-source-maps) and
  // EVMINF_NO_BUNDLE=1 give readable ones.
  minify: true,
  sourcemap: true,
  write: false,
  logLevel: 'warning',
});
// The bundle with its id line first, and its source map one line down with it.
let hash = '';
for (const f of built.outputFiles) {
  if (f.path.endsWith('.map')) {
    const map = JSON.parse(f.text) as { mappings: string };
    writeFileSync(f.path, JSON.stringify({ ...map, mappings: `;${map.mappings}` }));
    continue;
  }
  // ASCII (esbuild escapes the rest), so the launcher reads it as latin1: a one-byte string, no UTF-8 decoding.
  if (f.contents.some((c) => c > 0x7f)) throw new Error(`bundle: ${BUNDLE} is not ASCII`);
  // A dynamic import() left in the bundle is a package's (our own modules are in it): the
  // launcher's import() does it, under a name as long (the source map's columns stay right).
  if (f.text.includes('__eimp')) throw new Error(`bundle: ${BUNDLE} already uses the name __eimp`);
  const text = f.text.replace(/\bimport\((?=")/g, '__eimp(');
  if (/\bimport\(/.test(text)) throw new Error(`bundle: ${BUNDLE} has an import() the launcher cannot make (its specifier is not a string literal)`);
  hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  writeFileSync(f.path, `// evminf-bundle ${hash}\n${text}`, 'latin1');
}
writeFileSync(join(BIN, 'evminf.cjs'), LAUNCHER);
// Runnable as it stands (./dist/bin/evminf.cjs), as npm makes the bin of an installed package.
chmodSync(join(BIN, 'evminf.cjs'), 0o755);

// The code cache: the launcher's own warm-up run, as a user's, with the flags of a user's.
const tmp = mkdtempSync(join(tmpdir(), 'evminf-bundle-'));
try {
  const elf = join(tmp, 'warm-up.elf');
  writeFileSync(elf, assembleToElf(WARM_UP, { file: 'warm-up.S' }));
  const cache = join(BIN, `evminf-bundle-${hash}.v8cache`);
  const r = spawnSync(process.execPath, [join(BIN, 'evminf.cjs'), 'run', '--model', 'iss', elf], {
    encoding: 'utf8', env: { ...process.env, EVMINF_WRITE_CODE_CACHE: cache, EVMINF_NO_BUNDLE: '' }, timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`bundle: the warm-up run exited ${r.status ?? r.signal}: ${r.stderr}`);
  if (!existsSync(cache)) throw new Error(`bundle: the warm-up run wrote no ${cache}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
