// dist/bin/evminf.cjs, the command line's launcher as `npm run build` leaves it (bin/bundle.ts),
// runs the one-file build of the command line (dist/bin/evminf-bundle.cjs) from the V8 code
// cache the build made with it; with EVMINF_NO_BUNDLE=1, or no bundle, it runs the modules tsc
// compiled. Both must behave alike, line for line; a plain run must load nothing outside the
// bundle (that is what it is for), and the cache must be used when V8 can and never stand in
// the way when it cannot. Which files a process loads is read from node itself: the CommonJS
// modules it required (require.cache) and the ES modules it resolved (a node:module hook).

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'dist', 'bin');
const LAUNCHER = join(BIN, 'evminf.cjs');
const dir = mkdtempSync(join(tmpdir(), 'evminf-launcher-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The hooks: every file: URL a process resolves as an ES module, and at exit every file it
// required as a CommonJS module, one per line, into $LOADED.
writeFileSync(join(dir, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.startsWith('file:')) appendFileSync(process.env.LOADED, r.url + '\\n');
  return r;
}
`);
writeFileSync(join(dir, 'trace.cjs'), `const { appendFileSync } = require('node:fs');
const { pathToFileURL } = require('node:url');
require('node:module').register(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});
process.on('exit', () => appendFileSync(process.env.LOADED, Object.keys(require.cache).map((f) => pathToFileURL(f).href + '\\n').join('')));
`);

writeFileSync(join(dir, 'hello.S'), '.text\n.globl _start\n_start:\n  li a0, 1\n  la a1, msg\n  li a2, 6\n  li a7, 64\n  ecall\n  li a0, 3\n  li a7, 93\n  ecall\n.section .rodata\nmsg: .ascii "hello\\n"\n');

interface Ran { status: number | null; stdout: string; stderr: string; loaded: string[]; debug: string[] }

let runs = 0;
/** `node <launcher> ...args`, with the files it loaded (relative to the repository). */
function launch(launcher: string, args: readonly string[], env: Record<string, string> = {}): Ran {
  const loaded = join(dir, `loaded-${runs++}.txt`);
  writeFileSync(loaded, '');
  const r = spawnSync(process.execPath, ['--require', join(dir, 'trace.cjs'), launcher, ...args], {
    encoding: 'utf8', env: { ...process.env, LOADED: loaded, NODE_DEBUG: 'evminf', ...env }, timeout: 60_000,
  });
  const files = readFileSync(loaded, 'utf8').split('\n').filter((l) => l !== '').map((u) => fileURLToPath(u)).map((f) => f.startsWith(ROOT) ? f.slice(ROOT.length) : f);
  // NODE_DEBUG=evminf: the launcher's lines ("EVMINF <pid>: ..."), apart from the command's own stderr.
  const debug = /^EVMINF \d+: (.*)$/gm;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.replace(debug, '').replace(/^\n/gm, ''), loaded: [...new Set(files)], debug: [...r.stderr.matchAll(debug)].map((m) => m[1]!) };
}

/** --json's summary without its wall time. */
const summary = (out: string): unknown => { const o = JSON.parse(out) as Record<string, unknown>; delete o.seconds; return o; };

/** The launcher, the bundle and its cache copied to a directory of their own (cli.js linked: it resolves its imports from where it really is). */
function copyBin(name: string, files: { bundle?: boolean; cache?: Buffer | 'built' } = { bundle: true, cache: 'built' }): string {
  const bin = join(dir, name, 'bin');
  mkdirSync(bin, { recursive: true });
  copyFileSync(LAUNCHER, join(bin, 'evminf.cjs'));
  symlinkSync(join(BIN, 'cli.js'), join(bin, 'cli.js'));
  if (files.bundle === true) copyFileSync(join(BIN, 'evminf-bundle.cjs'), join(bin, 'evminf-bundle.cjs'));
  const cache = readdirSync(BIN).find((f) => /^evminf-bundle-[0-9a-f]{16}\.v8cache$/.test(f))!;
  if (files.cache === 'built') copyFileSync(join(BIN, cache), join(bin, cache));
  else if (files.cache !== undefined) writeFileSync(join(bin, cache), files.cache);
  return join(bin, 'evminf.cjs');
}

const HELLO = (): string[] => ['run', '--model', 'iss', join(dir, 'hello.S')];

describe('the launcher and the bundle', () => {
  test('a plain run: the bundle, from its code cache; no module of dist/ beside the launcher, no package', () => {
    const r = launch(LAUNCHER, HELLO());
    expect([r.status, r.stdout, r.stderr]).toEqual([3, 'hello\n', '']);
    expect(r.debug).toEqual([expect.stringMatching(/^bundle [0-9a-f]{16}, code cache accepted$/)]);
    // Node's own modules are not files; the trace hooks are not under the repository.
    expect(r.loaded.filter((f) => !f.startsWith(dir))).toEqual(['dist/bin/evminf.cjs']);
  });

  test("the cache is the bundle's own: named by the hash on the bundle's first line, made by the build", () => {
    const bundle = readFileSync(join(BIN, 'evminf-bundle.cjs'), 'latin1');
    const id = /^\/\/ evminf-bundle ([0-9a-f]{16})\n/.exec(bundle);
    expect(id).not.toBeNull();
    expect(readdirSync(BIN).filter((f) => f.endsWith('.v8cache'))).toEqual([`evminf-bundle-${id![1]}.v8cache`]);
    // The hash is the bundle's below that line.
    expect(createHash('sha256').update(bundle.slice(id![0].length), 'latin1').digest('hex').slice(0, 16)).toBe(id![1]);
  });

  test('a cache V8 rejects, or none: the bundle compiled from source, the same run', () => {
    for (const [name, cache, said] of [['garbage', Buffer.alloc(4096, 0xa5), 'rejected'], ['empty', Buffer.alloc(0), 'rejected'], ['none', undefined, 'none']] as const) {
      const r = launch(copyBin(`cache-${name}`, { bundle: true, cache }), HELLO());
      expect([r.status, r.stdout, r.stderr], name).toEqual([3, 'hello\n', '']);
      expect(r.debug, name).toEqual([expect.stringMatching(new RegExp(`^bundle [0-9a-f]{16}, code cache ${said}$`))]);
    }
    // Other V8 flags than the build's: V8 itself refuses the cache.
    const r = spawnSync(process.execPath, ['--no-opt', LAUNCHER, ...HELLO()], { encoding: 'utf8', env: { ...process.env, NODE_DEBUG: 'evminf' } });
    expect([r.status, r.stdout]).toEqual([3, 'hello\n']);
    expect(r.stderr).toMatch(/^EVMINF \d+: bundle [0-9a-f]{16}, code cache rejected\n$/);
  });

  test('a bundle that cannot be read or does not compile: one line, exit 1', () => {
    const cut = copyBin('cut', { cache: 'built' });
    writeFileSync(join(dirname(cut), 'evminf-bundle.cjs'), readFileSync(join(BIN, 'evminf-bundle.cjs')).subarray(0, 100_000));
    const dir_ = copyBin('dir', {});
    mkdirSync(join(dirname(dir_), 'evminf-bundle.cjs'));
    for (const [launcher, why] of [[cut, /SyntaxError|Unexpected|Invalid/], [dir_, /EISDIR/]] as const) {
      const r = launch(launcher, HELLO());
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^evminf: the command line's bundle \(\S+evminf-bundle\.cjs\) does not load: [^\n]+; npm run build writes it again, EVMINF_NO_BUNDLE=1 runs the modules\n$/);
      expect(r.stderr.split('\n')[0]).toMatch(why);
    }
  });

  test('no bundle: the launcher runs the modules instead', () => {
    const r = launch(copyBin('no-bundle', {}), HELLO());
    expect([r.status, r.stdout, r.stderr]).toEqual([3, 'hello\n', '']);
    expect(r.debug).toEqual(['modules (cli.js)']);
    expect(r.loaded).toContain('dist/bin/cli.js');
  });

  test('node dist/bin/evminf.js, the ES module entry, runs the same launcher', () => {
    const r = launch(join(BIN, 'evminf.js'), HELLO());
    expect([r.status, r.stdout, r.stderr]).toEqual([3, 'hello\n', '']);
    expect(r.debug).toEqual([expect.stringMatching(/, code cache accepted$/)]);
    expect(r.loaded).not.toContain('dist/bin/cli.js');
  });

  test('EVMINF_NO_BUNDLE=1 runs the compiled modules, and every line ends as from the bundle', () => {
    const lines: string[][] = [
      ['run', '--model', 'iss', '--json', join(dir, 'hello.S')],
      ['run', '--json', '--stats', join(dir, 'hello.S')],
      ['run', join(dir, 'missing.elf')],
      ['run', '--model', 'nope', join(dir, 'hello.S')],
      ['rlp', 'decode', '0xc0'],
      ['--version'],
    ];
    for (const args of lines) {
      const b = launch(LAUNCHER, args);
      const m = launch(LAUNCHER, args, { EVMINF_NO_BUNDLE: '1' });
      expect(m.loaded, args.join(' ')).toContain('dist/bin/cli.js');
      expect(m.debug).toEqual(['modules (cli.js)']);
      expect(b.loaded).not.toContain('dist/bin/cli.js');
      expect(b.debug).toEqual([expect.stringMatching(/, code cache accepted$/)]);
      expect([m.status, m.stderr], args.join(' ')).toEqual([b.status, b.stderr]);
      expect(args.includes('--json') ? summary(m.stdout) : m.stdout, args.join(' ')).toEqual(args.includes('--json') ? summary(b.stdout) : b.stdout);
    }
  });
});
