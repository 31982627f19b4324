// The worker's import graph — the hardware (isa, peripherals, cpu), the VCD writer, the
// debugger and the session — bundles for a browser: esbuild with platform 'browser' fails on
// any `node:` import, and the bundle must not use Buffer or process (no Node globals in a
// worker). And the check can fail: a module that imports node:fs, or uses Buffer, is caught.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'evminf-bundle-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Bundle `entry` as ui/build.ts bundles the worker; the problems found, none when it is clean. */
async function problems(entry: string): Promise<string[]> {
  let text: string;
  try {
    const r = await build({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'iife', target: 'es2022', legalComments: 'none', write: false, logLevel: 'silent', metafile: true });
    text = r.outputFiles[0]!.text;
    const inputs = Object.keys(r.metafile.inputs);
    if (inputs.length < 2) return [`the bundle of ${entry} holds ${inputs.length} module(s)`];
  } catch (e) {
    const errs = (e as { errors?: { text: string }[] }).errors ?? [{ text: String(e) }];
    return errs.map((x) => x.text);
  }
  const out: string[] = [];
  for (const [re, what] of [[/\bBuffer\s*[.(]/, 'Buffer'], [/\bprocess\s*\./, 'process'], [/\brequire\s*\(\s*["']node:/, 'require("node:…")']] as const) {
    const m = re.exec(text);
    if (m !== null) out.push(`uses ${what}: …${text.slice(Math.max(0, m.index - 60), m.index + 40)}…`);
  }
  return out;
}

/** Every .ts file under `dir`. */
function sourcesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => join(dir, f));
}

// The generators of docs and headers (run by `npm run docs`, imported by no hardware module).
const GENERATORS = ['isa/gendocs.ts', 'peripherals/genregs.ts'];

describe('the hardware folders use nothing of Node', () => {
  it('no file of isa/, peripherals/ or cpu/ but the two generators imports node: or uses Buffer or process', () => {
    const files = ['isa', 'peripherals', 'cpu'].flatMap(sourcesUnder);
    expect(files.length).toBeGreaterThan(40);
    const bad = files.filter((f) => !GENERATORS.includes(f)).filter((f) => {
      const code = readFileSync(join(ROOT, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      return /from\s+['"]node:|import\(\s*['"]node:|\bBuffer\s*[.(]|\bprocess\s*\./.test(code);
    });
    expect(bad).toEqual([]);
    // And no hardware module imports a generator.
    for (const f of files) expect(readFileSync(join(ROOT, f), 'utf8'), f).not.toMatch(/from\s+['"][^'"]*(gendocs|genregs)\.js['"]/);
  });
});

describe('the browser bundle', () => {
  it('the worker (dist/ui/model-worker.js) and its whole import graph bundle with no Node import or global', async () => {
    expect(await problems(join(ROOT, 'dist/ui/model-worker.js'))).toEqual([]);
  });

  it('the hardware folders bundle from their sources too (the TypeScript the worker is built from)', async () => {
    const entry = join(tmp, 'hardware.ts');
    writeFileSync(entry, [
      `export * from ${JSON.stringify(join(ROOT, 'cpu/machine.ts'))};`,
      `export * from ${JSON.stringify(join(ROOT, 'cpu/frames.ts'))};`,
      `export * from ${JSON.stringify(join(ROOT, 'peripherals/standard.ts'))};`,
      `export * from ${JSON.stringify(join(ROOT, 'isa/asm.ts'))};`,
      `export * from ${JSON.stringify(join(ROOT, 'waveforms/vcd-writer.ts'))};`,
      `export * from ${JSON.stringify(join(ROOT, 'debug/debugger.ts'))};`,
    ].join('\n'));
    expect(await problems(entry)).toEqual([]);
  });

  it('fails on a module that imports node:fs', async () => {
    const entry = join(tmp, 'fs.ts');
    writeFileSync(entry, `import { readFileSync } from 'node:fs';\nexport const f = () => readFileSync('x');\n`);
    const p = await problems(entry);
    expect(p.join('\n')).toMatch(/node:fs/);
  });

  it('fails on a module that uses Buffer or process', async () => {
    const a = join(tmp, 'buf.ts'), b = join(tmp, 'proc.ts');
    writeFileSync(a, `import { Perm } from ${JSON.stringify(join(ROOT, 'cpu/memory.ts'))};\nexport const hex = (x: Uint8Array) => Buffer.from(x).toString('hex') + Perm.R;\n`);
    writeFileSync(b, `import { Perm } from ${JSON.stringify(join(ROOT, 'cpu/memory.ts'))};\nexport const pid = () => process.pid + Perm.R;\n`);
    expect((await problems(a)).join('\n')).toMatch(/uses Buffer/);
    expect((await problems(b)).join('\n')).toMatch(/uses process/);
  });

  it('fails on the VCD file writer (waveforms/vcd.ts writes files: it is not for the browser)', async () => {
    expect((await problems(join(ROOT, 'waveforms/vcd.ts'))).join('\n')).toMatch(/node:fs/);
  });
});
