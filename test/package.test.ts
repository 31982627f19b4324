// The package as others build on it (docs/api.md): `npm pack` carries no tests; a fresh project
// installs the tarball, type-checks a program against the declarations (strict, no skipLibCheck)
// and runs it — load, run on both models, step, read signals, trace a VCD, snapshots, devices —
// with the results the CLI gives; the installed `evminf` answers --version and diffs the VCD
// without vcd-stream (a test-only dependency) installed at all.

import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { removeDir, runEvminf, tempDir } from './c/build.js';

const ROOT = join(import.meta.dirname, '..');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string> };
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const KVSTORE = join(ROOT, 'examples/kvstore.S');

interface Ran { status: number | null; stdout: string; stderr: string }

/** Run a command without blocking the test worker (npm and tsc take seconds). */
function run(cmd: string, args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, encoding: 'utf8', timeout: 240_000, maxBuffer: 64 << 20, env: { ...process.env, npm_config_update_notifier: 'false', ...env } }, (err, stdout, stderr) => {
      const status = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ status, stdout, stderr: stderr + (err !== null && typeof err.code !== 'number' ? String(err) : '') });
    });
  });
}

/** npm's own CLI: the one running this suite (`npm test`), else the one on PATH. */
function npm(args: string[], cwd: string): Promise<Ran> {
  const viaNpm = process.env.npm_execpath;
  return viaNpm && viaNpm.endsWith('.js') ? run(process.execPath, [viaNpm, ...args], cwd) : run('npm', args, cwd);
}

describe('the packed package in a fresh project', () => {
  let dir: string, app: string, files: string[];
  beforeAll(async () => {
    dir = tempDir('pkg');
    // The build is current (test/global-setup.ts): pack it as is, without running prepare again.
    const pack = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT);
    expect(pack.status, pack.stderr).toBe(0);
    const info = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    files = info[0]!.files.map((f) => f.path);
    app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
    // Dependencies from npm's cache where it has them (`npm ci` filled it), else the registry.
    const inst = await npm(['install', join(dir, info[0]!.filename), '--prefer-offline', '--no-audit', '--no-fund'], app);
    expect(inst.status, inst.stderr).toBe(0);
    copyFileSync(join(ROOT, 'test/fixtures/package/main.ts'), join(app, 'main.ts'));
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, outDir: 'out',
        // The declarations are checked too (no skipLibCheck); node's types come from this project.
        typeRoots: [join(ROOT, 'node_modules/@types')], types: ['node'],
      },
      files: ['main.ts'],
    }));
  });
  afterAll(() => removeDir(dir));

  test('npm pack carries the build, the declarations, docs and LICENSE, and no test file', () => {
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('dist/bin/evminf.cjs');
    expect(files).toContain('dist/bin/evminf.js');
    expect(files).toContain('LICENSE');
    expect(files).toContain('docs/api.md');
    expect(files.filter((f) => /(^|\/)test\/|\.test\.|\.spec\.|vitest|tsconfig/.test(f))).toEqual([]);
    // Nothing a test reads either: the fixtures and the golden outputs live under test/ only.
    // Besides code, dist/ holds the page `evminf ui` serves (docs/ui.md): its static files.
    expect(files).toContain('dist/ui/index.html');
    expect(files).toContain('dist/ui/worker.js');
    // Beside the code (.js, .cjs and their declarations), the bundle's code cache (bin/bundle.ts).
    expect(files.filter((f) => /^dist\/bin\/evminf-bundle-[0-9a-f]{16}\.v8cache$/.test(f))).toHaveLength(1);
    expect(files.filter((f) => f.startsWith('dist/') && !/\.(c?js|d\.c?ts|v8cache)$/.test(f) && !/^dist\/ui\/(index\.html|style\.css|examples\/(index\.json|[\w-]+\.S|block-1\.store)|firmware\/\w+\.(bin|sym\.json))$/.test(f))).toEqual([]);
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
  });

  test('npm ci has no install script left to approve: each is declared in allowScripts', async () => {
    const allow = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> }).allowScripts;
    // Every package of the lockfile with an install script has its entry (npm 11 blocks the rest
    // and warns; older npm runs them all and ignores the field).
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };
    const scripted = Object.entries(lock.packages).filter(([, p]) => p.hasInstallScript === true).map(([k]) => k.replace(/^.*node_modules\//, '')).sort();
    expect(scripted.length).toBeGreaterThan(0);
    expect(Object.keys(allow).sort()).toEqual(scripted);
    // And npm itself, where it has the policy, finds nothing to review.
    const major = Number((await npm(['--version'], ROOT)).stdout.split('.')[0]);
    if (major >= 11) {
      const ls = await npm(['install-scripts', 'ls', '--json'], ROOT);
      if (!/Unknown command/i.test(ls.stderr + ls.stdout)) {
        expect(ls.status, ls.stderr).toBe(0);
        expect(JSON.parse(ls.stdout)).toEqual({ allowScripts: [] });
      }
    }
    // vcd-stream's script builds a native addon the tests never load (they use its WebAssembly parser).
    expect(allow['vcd-stream']).toBe(false);
  });

  test('only the runtime dependencies are installed (vcd-stream is for the tests)', () => {
    for (const d of Object.keys(PKG.dependencies)) expect(existsSync(join(app, 'node_modules', d)), d).toBe(true);
    expect(existsSync(join(app, 'node_modules/vcd-stream'))).toBe(false);
    expect(existsSync(join(app, 'node_modules/vitest'))).toBe(false);
  });

  test('a TypeScript program type-checks against the declarations and runs as the CLI does', async () => {
    const tsc = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], app);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    const vcd = join(app, 'kv.vcd');
    const main = await run(process.execPath, ['out/main.js', KVSTORE, vcd], app);
    expect(main.stderr).toBe('');
    const got = JSON.parse(main.stdout) as Record<string, any>;
    const cli = (model: string): Record<string, any> => JSON.parse(runEvminf(['run', '--model', model, '--json', KVSTORE]).stdout.toString('utf8'));
    const c = cli('cycle'), i = cli('iss');
    expect(got.cycle).toEqual({ reason: 'exit', exitCode: 0, instructions: c.instructions, cycles: c.cycles, gas: c.gas });
    expect(got.iss).toEqual({ reason: 'exit', instructions: i.instructions, gas: i.gas });
    expect(got.devices).toEqual(Object.keys(c.devices));
    expect(got.stepped).toBe(c.instructions);
    expect(got.firstPcs).toEqual([0x10000, 0x10004, 0x10008, 0x1000c, 0x10010]);
    // Stepping back lands on the same cycle, pc and signal values.
    expect(got.back).toEqual(got.at10);
    expect(got.at10.cycle).toBeGreaterThan(10);
    // A restored snapshot runs to the same place.
    expect(got.restored).toBe(100);
    expect(got.again).toEqual(got.first);

    // The installed command: --version, and vcd diff (its own reader; no vcd-stream here).
    const bin = join(app, 'node_modules/.bin/evminf');
    const v = await run(bin, ['--version'], app);
    expect(v.stdout).toBe(`${PKG.version}\n`);
    expect(v.status).toBe(0);
    // The installed launcher is the one npm run build writes (bin/bundle.ts): it runs the
    // command line's one-file build from the code cache packed with it (made by this node),
    // and its run is the repository's.
    const installed = join(app, 'node_modules', PKG.name, 'dist/bin');
    expect(readFileSync(join(installed, 'evminf.cjs'), 'utf8')).toContain("join(__dirname, 'evminf-bundle.cjs')");
    expect(existsSync(join(installed, 'evminf-bundle.cjs'))).toBe(true);
    const r = await run(bin, ['run', '--model', 'iss', '--json', KVSTORE], app, { NODE_DEBUG: 'evminf' });
    expect(r.stderr).toMatch(/^EVMINF \d+: bundle [0-9a-f]{16}, code cache accepted\n$/);
    const { seconds: _s, ...fromPackage } = JSON.parse(r.stdout) as Record<string, unknown>;
    const { seconds: _t, ...fromRepo } = i;
    expect(fromPackage).toEqual(fromRepo);
    const d = await run(bin, ['vcd', 'diff', vcd, vcd], app);
    expect(d.stderr).toBe('');
    expect(d.stdout).toMatch(/^evminf vcd diff: equal: \d+ signals over \d+ timestamps\n$/);
    expect(d.status).toBe(0);
  });
});
