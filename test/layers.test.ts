// The layering of docs/design.md: every import points down (or stays within its folder). The
// hardware (isa, peripherals, cpu) imports nothing from the tools above it.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Folder → layer (docs/design.md). A folder may import its own layer's folder and lower layers. */
export const LAYERS: Record<string, number> = {
  isa: 0,
  peripherals: 1,
  cpu: 2,
  waveforms: 3,
  debug: 4,
  verify: 5,
  firmware: 6, bin: 7, bench: 7, examples: 7, ui: 7,
  // The package's public API (docs/api.md): a file at the top, not a folder.
  'index.ts': 7,
};

function sources(dir: string, out: string[] = []): string[] {
  if (statSync(dir).isFile()) { out.push(dir); return out; }
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.(ts|mts|cts)$/.test(e) && !/\.d\.[mc]?ts$/.test(e)) out.push(p);
  }
  return out;
}

/** Every relative import of every project source: [file, target folder] pairs. */
function imports(): { file: string; from: string; to: string; spec: string }[] {
  const found: { file: string; from: string; to: string; spec: string }[] = [];
  for (const folder of Object.keys(LAYERS)) {
    let files: string[];
    try { files = sources(join(ROOT, folder)); } catch { continue; }
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const re = /(?:from\s+|import\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        const target = relative(ROOT, normalize(join(file, '..', m[1]!)));
        const top = target.split(sep)[0]!;
        // An import of a top-level file names its compiled .js: `../index.js` is index.ts.
        found.push({ file: relative(ROOT, file), from: folder, to: top === target ? top.replace(/\.js$/, '.ts') : top, spec: m[1]! });
      }
    }
  }
  return found;
}

describe('layering (docs/design.md)', () => {
  const all = imports();

  it('finds the project imports (the scan is not vacuous)', () => {
    expect(all.length).toBeGreaterThan(100);
    for (const f of ['isa', 'cpu', 'waveforms', 'debug', 'verify', 'bin', 'index.ts'])
      expect(all.some((i) => i.from === f), f).toBe(true);
  });

  it('every import points down a layer or stays in its folder', () => {
    const bad = all.filter((i) => {
      if (i.to === i.from) return false;
      const lt = LAYERS[i.to];
      if (lt === undefined) return true; // outside the project's folders
      return lt >= LAYERS[i.from]!;
    }).map((i) => `${i.file} imports ${i.spec} (${i.from} → ${i.to})`);
    expect(bad).toEqual([]);
  });

  it('docs/design.md lists the same layers', () => {
    const doc = readFileSync(join(ROOT, 'docs/design.md'), 'utf8');
    for (const [folder, layer] of Object.entries(LAYERS))
      expect(doc, `${folder} at layer ${layer}`).toMatch(new RegExp(`\\|\\s*${layer}\\s*\\|[^\\n]*\`${folder.replace('.', '\\.')}${folder.endsWith('.ts') ? '' : '/'}\``));
  });
});
