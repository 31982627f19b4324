// The firmware toolchain: committed ROM images equal a rebuild from their sources (CI has the
// cross compiler), and a ROM runs as a root frame laid out as EVAL lays out a child.

import { describe, expect, it } from 'vitest';
import { checkAll, targets } from '../dist/firmware/build.js';
import { contractImage } from '../dist/firmware/images.js';
import { loadRom } from '../dist/cpu/program.js';
import { createModel } from '../dist/cpu/machine.js';
import { runToEnd } from '../dist/cpu/runner.js';
import { HostError, LinuxHost } from '../dist/cpu/host.js';
import { describeWithTools } from './tools.js';

describeWithTools(['riscv64-unknown-elf-gcc', 'riscv64-unknown-elf-objcopy'], 'committed ROM images', () => {
  it('every image and symbol map equals a rebuild from its sources (npm run firmware)', () => {
    expect(targets().length).toBeGreaterThan(0);
    expect(checkAll()).toEqual([]);
  }, 120_000);
});

describe('loadRom', () => {
  it('lays out code, input and RAM as EVAL does: pc, sp, a0, a1', () => {
    const img = contractImage('counter');
    const input = Uint8Array.of(1, 2, 3);
    const prog = loadRom(img.code, { input, ramSize: 0x4000, symbols: img.symbols });
    for (const kind of ['iss', 'cycle'] as const) {
      const m = createModel(kind, prog);
      expect([m.pc, m.x[2], m.x[10], m.x[11]]).toEqual([0x10000, 0x4000_4000, 0x2000_0000, 3]);
    }
    const names = prog.mem.regions.map((r) => [r.name, r.base, r.end - r.base]);
    expect(names).toEqual([['code', 0x10000, (img.code.length + 3) & ~3], ['input', 0x2000_0000, 3], ['ram', 0x4000_0000, 0x4000]]);
  });

  it('a contract run as the root frame asks the host for its storage: the host refuses the unknown call', () => {
    // The counter's first SLOAD is an INTERRUPT; the root's handler is the Linux host, which
    // knows no such system call (a7 = 0): the run stops naming it, on both models alike.
    const img = contractImage('counter');
    const ends = (['iss', 'cycle'] as const).map((kind) => {
      const m = createModel(kind, loadRom(img.code, { ramSize: 0x4000 }));
      let err: unknown = null;
      try { runToEnd(m, new LinuxHost(), { maxInstructions: 100_000 }); } catch (e) { err = e; }
      return [err instanceof HostError ? err.message : String(err), m.x[10], m.x[11]];
    });
    expect(ends[0]).toEqual(ends[1]);
    expect(String(ends[0]![0])).toMatch(/^unknown system call 0 \(a7\) at pc 0x1[0-9a-f]{4}$/);
    // a0 points at the request the SDK built: the RLP list [0, ""] = c2 80 80, on the stack.
    expect(ends[0]![2]).toBe(3);
  });

  it('refuses an empty image, a RAM size that is not a multiple of 4, and a RAM beyond 16 MiB', () => {
    expect(() => loadRom(new Uint8Array(0), { ramSize: 16 })).toThrow(/empty ROM/);
    expect(() => loadRom(Uint8Array.of(0x13, 0, 0, 0), { ramSize: 6 })).toThrow(/RAM size 6/);
    expect(() => loadRom(Uint8Array.of(0x13, 0, 0, 0), { ramSize: 0x100_0004 })).toThrow(/RAM size/);
  });
});
