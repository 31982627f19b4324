// dist/bin/evminf.js, the command line's launcher as `npm run build` leaves it (bin/bundle.ts),
// runs the one-file build of the command line (dist/bin/evminf-bundle.js and its chunks); with
// EVMINF_NO_BUNDLE=1 it runs the modules tsc compiled. Both must behave alike, line for line, and
// a plain run must load nothing outside the bundle (that is what it is for). Which files a
// process loads is read with a module-resolution hook (node:module register), as Node reports them.

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LAUNCHER = join(ROOT, 'dist', 'bin', 'evminf.js');
const dir = mkdtempSync(join(tmpdir(), 'evminf-launcher-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The hook: every file: URL a module import resolves to, one per line, into $LOADED.
writeFileSync(join(dir, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.startsWith('file:')) appendFileSync(process.env.LOADED, r.url + '\\n');
  return r;
}
`);
writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);

writeFileSync(join(dir, 'hello.S'), '.text\n.globl _start\n_start:\n  li a0, 1\n  la a1, msg\n  li a2, 6\n  li a7, 64\n  ecall\n  li a0, 3\n  li a7, 93\n  ecall\n.section .rodata\nmsg: .ascii "hello\\n"\n');

interface Ran { status: number | null; stdout: string; stderr: string; loaded: string[] }

let runs = 0;
/** `node <launcher> ...args`, with the files it loaded (relative to the repository). */
function launch(launcher: string, args: readonly string[], env: Record<string, string> = {}): Ran {
  const loaded = join(dir, `loaded-${runs++}.txt`);
  writeFileSync(loaded, '');
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, launcher, ...args], {
    encoding: 'utf8', env: { ...process.env, LOADED: loaded, ...env }, timeout: 60_000,
  });
  const files = readFileSync(loaded, 'utf8').split('\n').filter((l) => l !== '').map((u) => fileURLToPath(u).slice(ROOT.length));
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, loaded: [...new Set(files)] };
}

/** --json's summary without its wall time. */
const summary = (out: string): unknown => { const o = JSON.parse(out) as Record<string, unknown>; delete o.seconds; return o; };

describe('the launcher and the bundle', () => {
  test('a bundle with a file missing: the launcher runs the modules instead', () => {
    // The launcher and the bundle's entry copied without its chunks; cli.js linked (it resolves
    // its own imports from where it really is).
    const bin = join(dir, 'partial', 'bin');
    mkdirSync(bin, { recursive: true });
    copyFileSync(LAUNCHER, join(bin, 'evminf.js'));
    copyFileSync(join(ROOT, 'dist', 'bin', 'evminf-bundle.js'), join(bin, 'evminf-bundle.js'));
    symlinkSync(join(ROOT, 'dist', 'bin', 'cli.js'), join(bin, 'cli.js'));
    const r = launch(join(bin, 'evminf.js'), ['run', '--model', 'iss', join(dir, 'hello.S')]);
    expect([r.status, r.stdout, r.stderr]).toEqual([3, 'hello\n', '']);
    expect(r.loaded).toContain('dist/bin/cli.js');
  });

  test('a plain run loads the launcher and the bundle only: no module of dist/ beside them, no package', () => {
    const r = launch(LAUNCHER, ['run', '--model', 'iss', join(dir, 'hello.S')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('hello\n');
    const other = r.loaded.filter((f) => f !== 'dist/bin/evminf.js' && !/^dist\/bin\/evminf-(bundle|chunk-[A-Z0-9]+)\.js$/.test(f));
    expect(other).toEqual([]);
    expect(r.loaded).toContain('dist/bin/evminf-bundle.js');
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
      expect(m.loaded.some((f) => f.startsWith('dist/bin/evminf-'))).toBe(false);
      expect(b.loaded).not.toContain('dist/bin/cli.js');
      expect([m.status, m.stderr], args.join(' ')).toEqual([b.status, b.stderr]);
      expect(args.includes('--json') ? summary(m.stdout) : m.stdout, args.join(' ')).toEqual(args.includes('--json') ? summary(b.stdout) : b.stdout);
    }
  });
});
