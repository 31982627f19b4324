// `npm run firmware`: builds every ROM image with Debian's riscv64-unknown-elf-gcc — the consensus
// firmware (firmware/src/NAME.c) and the example contracts (examples/contracts/NAME.c) — into a
// flat image (NAME.bin) and a symbol map (NAME.sym), committed so users need no cross compiler.
// `--check` builds into a temporary directory and fails when a committed file differs (CI).

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseElf } from '../isa/elf.js';
import { formatSymbols, REPO_ROOT } from './images.js';

export const CC = 'riscv64-unknown-elf-gcc';
export const OBJCOPY = 'riscv64-unknown-elf-objcopy';

/** The flags every image is built with: rv32im, freestanding, no gp relaxation (a handler frame
 * starts with gp = 0, so nothing may be addressed through gp), sections collected by the linker. */
export const CFLAGS = [
  '-march=rv32im', '-mabi=ilp32', '-O2', '-g0', '-ffreestanding', '-nostdlib', '-static', '-mno-relax',
  '-fno-pic', '-ffunction-sections', '-fdata-sections', '-Wall', '-Wextra', '-Werror', '-Wno-unused-parameter',
  '-Ifirmware/include', '-Tfirmware/link.ld', '-Wl,--gc-sections', '-Wl,--no-relax', '-Wl,--build-id=none',
];

export interface Target {
  name: string;
  /** Sources relative to the repository root: the target's own .c (and .S when there is one). */
  sources: string[];
  /** Output directory relative to the repository root. */
  out: string;
}

const LIB = ['firmware/crt0.S', 'firmware/lib/libc.c', 'firmware/lib/rlp.c', 'firmware/lib/devices.c', 'firmware/lib/contract.c'];

/** Every target: one per .c in firmware/src and examples/contracts (a .S of the same name joins it). */
export function targets(root = REPO_ROOT): Target[] {
  const out: Target[] = [];
  for (const [dir, dest] of [['firmware/src', 'firmware/build'], ['examples/contracts', 'examples/contracts/build']] as const) {
    if (!existsSync(join(root, dir))) continue;
    for (const f of readdirSync(join(root, dir)).sort()) {
      if (!f.endsWith('.c')) continue;
      const name = f.slice(0, -2);
      const sources = [`${dir}/${f}`];
      if (existsSync(join(root, dir, `${name}.S`))) sources.push(`${dir}/${name}.S`);
      out.push({ name, sources, out: dest });
    }
  }
  return out;
}

function run(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.error) throw new Error(`${cmd}: ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not installed (Debian: apt-get install gcc-riscv64-unknown-elf)' : r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} failed:\n${r.stderr}`);
}

/** Build one target into dir: NAME.bin and NAME.sym. Returns the written paths. */
export function buildTarget(t: Target, dir: string, root = REPO_ROOT): string[] {
  mkdirSync(dir, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'evminf-fw-'));
  try {
    const elf = join(tmp, `${t.name}.elf`);
    run(CC, [...CFLAGS, '-o', elf, ...LIB, ...t.sources, '-lgcc'], root);
    const bin = join(dir, `${t.name}.bin`), sym = join(dir, `${t.name}.sym`);
    run(OBJCOPY, ['-O', 'binary', '-j', '.text', '-j', '.rodata', '-j', '.data', elf, bin], root);
    chmodSync(bin, 0o644);
    const img = parseElf(new Uint8Array(readFileSync(elf)));
    const symbols = img.symbols.filter((s) => s.name !== '' && s.type !== 4 /* STT_FILE */ && !s.name.startsWith('.L') && !s.name.startsWith('$'))
      .sort((a, b) => a.value - b.value || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    writeFileSync(sym, formatSymbols(symbols));
    return [bin, sym];
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Build every target in place. */
export function buildAll(root = REPO_ROOT): string[] {
  const written: string[] = [];
  for (const t of targets(root)) written.push(...buildTarget(t, join(root, t.out), root));
  return written;
}

/** Build every target into a temporary directory; the committed files that differ (or are missing). */
export function checkAll(root = REPO_ROOT): string[] {
  const tmp = mkdtempSync(join(tmpdir(), 'evminf-fwcheck-'));
  const differ: string[] = [];
  try {
    for (const t of targets(root)) {
      for (const p of buildTarget(t, join(tmp, t.out), root)) {
        const committed = join(root, relative(tmp, p));
        if (!existsSync(committed) || !readFileSync(committed).equals(readFileSync(p))) differ.push(relative(root, committed));
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return differ;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    if (process.argv.includes('--check')) {
      const differ = checkAll();
      if (differ.length > 0) {
        process.stderr.write(`firmware: committed images differ from a rebuild: ${differ.join(', ')} (run npm run firmware)\n`);
        process.exit(1);
      }
      process.stdout.write(`firmware: ${targets().length} images match their sources\n`);
    } else {
      const written = buildAll();
      process.stdout.write(`firmware: built ${written.filter((p) => p.endsWith('.bin')).length} images\n`);
    }
  } catch (e) {
    process.stderr.write(`firmware: ${(e as Error).message.trimEnd()}\n`);
    process.exit(1);
  }
}
