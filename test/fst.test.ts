// FST waveforms (waveforms/fst.ts), the GTKWave save file (waveforms/gtkw.ts) and the translate
// filter (evminf disasm --filter), checked with GTKWave's own tools (Debian's gtkwave package):
// fst2vcd of our FST holds, signal for signal and cycle for cycle, what our VCD of the same run
// holds; gtkwave itself, under Xvfb, loads the .gtkw with every signal it names.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { assembleToElf } from '../isa/asm.js';
import { disassemble } from '../isa/disasm.js';
import { CallManager } from '../cpu/frames.js';
import { LinuxHost } from '../cpu/host.js';
import { createModel } from '../cpu/machine.js';
import { loadElf } from '../cpu/program.js';
import { FstWriter } from '../waveforms/fst.js';
import { gtkwSave } from '../waveforms/gtkw.js';
import { VcdReader } from '../waveforms/vcdread.js';
import { attachVcd, TeeTracer, VcdOptionError, VcdWriter, type VcdOptions } from '../waveforms/vcd.js';
import { filterLine } from '../bin/commands/disasm.js';
import { EXIT } from '../cpu/exit-codes.js';
import { runEvminf } from './c/build.js';
import { describeWithTools, runTool } from './tools.js';

const ROOT = new URL('..', import.meta.url).pathname;
const KVSTORE = join(ROOT, 'examples/kvstore.S');
const dir = mkdtempSync(join(tmpdir(), 'evminf-fst-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Loads, stores, the divider and branches: many signals change every cycle.
const BUSY = `
        .text
        .globl _start
_start:
        la      s0, buf
        li      s1, 60
1:      lw      t0, 0(s0)
        add     s2, s2, t0
        sw      s2, 4(s0)
        lh      t1, 3(s0)
        divu    t3, s2, s1
        mul     t4, t3, t1
        sb      t4, 9(s0)
        addi    s1, s1, -1
        bnez    s1, 1b
        li      a7, 93
        ecall
        .data
        .balign 4
buf:    .word 1, 2, 3, 4
`;

/** One run traced as VCD and as FST at once (the same cycles, the same signals). */
function both(src: string, name: string, opts: VcdOptions & { blockBytes?: number } = {}, core = {}): { vcd: string; fst: string; cycles: number } {
  const m = createModel('cycle', loadElf(assembleToElf(src, { file: `${name}.S` })), core);
  const vcd = join(dir, `${name}.vcd`), fst = join(dir, `${name}.fst`);
  const vfd = openSync(vcd, 'w'), ffd = openSync(fst, 'w');
  const v = new VcdWriter(m.sig, vfd, opts), f = new FstWriter(m.sig, ffd, opts);
  attachVcd(m, v);
  f.cycle(m.cycles, m.v);
  m.tracer = new TeeTracer(m.tracer!, f);
  new CallManager(m, new LinuxHost()).run({ maxCycles: 2_000_000 });
  v.close();
  f.close();
  closeSync(vfd);
  closeSync(ffd);
  return { vcd, fst, cycles: m.cycles };
}

interface Steps {
  names: string[];
  /** Per time with a change: the time, then (signal, value) pairs sorted by signal, a value written again unchanged left out. */
  times: bigint[];
  ends: number[];
  sig: Int32Array;
  val: bigint[];
}

/** What changed at each time of a VCD, signals numbered by sorted name: two files that agree hold the same value of every signal after every time. */
async function changes(path: string): Promise<Steps> {
  const r = await VcdReader.open(path);
  try {
    const names = r.vars.map((v) => `${v.name}:${v.width}`).sort();
    const byId = new Map<string, number[]>();
    for (const v of r.vars) (byId.get(v.id) ?? byId.set(v.id, []).get(v.id)!).push(names.indexOf(`${v.name}:${v.width}`));
    const cur: (bigint | undefined)[] = new Array(names.length);
    const times: bigint[] = [], ends: number[] = [], val: bigint[] = [];
    let sig = new Int32Array(1 << 16), len = 0;
    const batch: number[] = [];
    for (let b = r.next(); b !== null; b = r.next()) {
      batch.length = 0;
      for (const c of b.changes) {
        if (c.mask !== 0n) throw new Error(`x bits at #${b.time}`);
        for (const k of byId.get(c.id)!) {
          if (cur[k] === c.value) continue;
          cur[k] = c.value;
          batch.push(k);
        }
      }
      if (batch.length === 0) continue;
      batch.sort((x, y) => x - y);
      if (len + batch.length > sig.length) { const g = new Int32Array(sig.length * 2 + batch.length); g.set(sig); sig = g; }
      for (const k of batch) { sig[len++] = k; val.push(cur[k]!); }
      times.push(b.time);
      ends.push(len);
    }
    return { names, times, ends, sig, val };
  } finally {
    r.close();
  }
}

/** The first few places where two VCDs disagree (their signals, or what changed at a time). */
async function disagree(a: string, b: string): Promise<string[]> {
  const x = await changes(a), y = await changes(b);
  const bad: string[] = [];
  if (x.names.join() !== y.names.join()) bad.push(`signals differ: ${x.names.length} vs ${y.names.length}`);
  if (x.times.length !== y.times.length) bad.push(`${x.times.length} times vs ${y.times.length}`);
  for (let i = 0; i < Math.min(x.times.length, y.times.length) && bad.length < 5; i++) {
    const xa = i === 0 ? 0 : x.ends[i - 1]!, ya = i === 0 ? 0 : y.ends[i - 1]!;
    let same = x.times[i] === y.times[i] && x.ends[i]! - xa === y.ends[i]! - ya;
    for (let j = 0; same && j < x.ends[i]! - xa; j++) same = x.sig[xa + j] === y.sig[ya + j] && x.val[xa + j] === y.val[ya + j];
    if (!same) bad.push(`step ${i}: #${x.times[i]} (${x.ends[i]! - xa} changes) vs #${y.times[i]} (${y.ends[i]! - ya} changes)`);
  }
  return bad;
}

describeWithTools(['fst2vcd'], 'FST read back by GTKWave\'s fst2vcd', () => {
  test.each([
    ['kvstore.S (EVAL, interrupts, frame switches), one block', () => both(readFileSync(KVSTORE, 'utf8'), 'kv1', { blockBytes: 8 << 20 })],
    ['kvstore.S in blocks of 4 KiB of changes', () => both(readFileSync(KVSTORE, 'utf8'), 'kv4k', { blockBytes: 4096 })],
    ['loads, stores, divider with random bus stalls, blocks of 16 KiB', () => both(BUSY, 'busy', { blockBytes: 16384 }, { randomStalls: 3, seed: 7 })],
    ['a scope and a cycle window', () => both(BUSY, 'win', { scopes: ['evm.core.wb', 'evm.gas'], from: 100, to: 700, blockBytes: 2048 })],
  ])('%s: equals our VCD signal for signal, cycle for cycle', async (_, run) => {
    const r = run();
    expect(r.cycles).toBeGreaterThan(500);
    const back = `${r.fst}.vcd`;
    const t = runTool('fst2vcd', [r.fst]);
    expect(t.status, t.stderr).toBe(0);
    writeFileSync(back, t.stdoutBytes);
    expect(await disagree(r.vcd, back)).toEqual([]);
    // In one block the FST is a small fraction of the VCD (docs/performance.md has the figures).
    if (r.fst.endsWith('kv1.fst')) expect(readFileSync(r.fst).length * 10).toBeLessThan(readFileSync(r.vcd).length);
  });

  test('a deliberately wrong FST is caught: the comparison can fail', async () => {
    const r = both(readFileSync(KVSTORE, 'utf8'), 'kvbad');
    const t = runTool('fst2vcd', [r.fst]);
    const text = t.stdout.split('\n');
    // Change one value of evm.cycle in the middle of the converted file.
    const id = /\$var wire 32 (\S+) cycle /.exec(t.stdout)![1]!;
    const k = text.findIndex((l, i) => i > text.length / 2 && l.endsWith(` ${id}`));
    text[k] = `b1 ${id}`;
    writeFileSync(join(dir, 'bad.vcd'), text.join('\n'));
    expect((await disagree(r.vcd, join(dir, 'bad.vcd'))).length).toBeGreaterThan(0);
  });
});

describe('evminf run --fst / --vcd FILE.fst', () => {
  test('the same bytes either way, and the same run gives the same file', () => {
    const a = join(dir, 'a.fst'), b = join(dir, 'b.fst');
    expect(runEvminf(['run', KVSTORE, '--fst', a]).status).toBe(0);
    expect(runEvminf(['run', KVSTORE, '--vcd', b]).status).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(readFileSync(a).subarray(0, 1)[0]).toBe(0); // the header block first
  });

  test.each([
    [['--fst', '/dev/null'], EXIT.USAGE, 'an FST must go to a regular file'],
    [['--fst', join('no-such-dir', 'x.fst')], EXIT.NO_FILE, 'cannot write (ENOENT)'],
    [['--gtkw', 'x.gtkw'], EXIT.USAGE, '--gtkw needs --vcd FILE or --fst FILE'],
  ] as const)('%j: exit %i, one line', (args, code, message) => {
    const r = runEvminf(['run', KVSTORE, ...args], dir);
    expect(r.status).toBe(code);
    expect(r.stderr.toString()).toMatch(/^evminf: [^\n]+\n$/);
    expect(r.stderr.toString()).toContain(message);
    expect(existsSync(join(dir, 'x.fst'))).toBe(false);
  });

  test('memory stays bounded: 150,000 cycles in blocks of 64 KiB', () => {
    const m = createModel('cycle', loadElf(assembleToElf(BUSY.replace('li      s1, 60', 'li      s1, 30000'))));
    const path = join(dir, 'long.fst');
    const fd = openSync(path, 'w');
    const f = new FstWriter(m.sig, fd, { blockBytes: 64 << 10 });
    attachVcd(m, f);
    const calls = new CallManager(m, new LinuxHost());
    calls.run({ maxCycles: 50_000 });
    // What the writer holds between blocks: its change chains and time table (the process's heap
    // is shared with other test files' workers, so it measures them too).
    const w = f as unknown as { chains: Uint8Array[]; times: Float64Array; blocks: number };
    const heldNow = (): number => w.chains.reduce((a, x) => a + x.byteLength, 0) + w.times.byteLength;
    const first = heldNow();
    let held = 0;
    for (let c = 50_000; c < 150_000; c += 10_000) {
      calls.run({ maxCycles: c + 10_000 });
      held = Math.max(held, heldNow());
    }
    // Two thirds of the run later the writer holds no more than it did after 50,000 cycles.
    expect(held).toBeLessThanOrEqual(first);
    const grown = held;
    expect(w.blocks).toBeGreaterThan(4);
    f.close();
    closeSync(fd);
    expect(m.cycles).toBe(150_000);
    expect(f.bytesWritten).toBe(readFileSync(path).length);
    expect(grown).toBeLessThan(16 << 20);
  });

  test('bad options are one-line errors', () => {
    const m = createModel('cycle', loadElf(assembleToElf(BUSY)));
    const fd = openSync(join(dir, 'o.fst'), 'w');
    try {
      expect(() => new FstWriter(m.sig, fd, { scopes: ['evm.nothing'] })).toThrow(VcdOptionError);
      expect(() => new FstWriter(m.sig, fd, { timescale: '1fs' })).toThrow(/too fine/);
    } finally {
      closeSync(fd);
    }
  });
});

describe('the translate filter', () => {
  test('each word as the disassembler spells it, targets relative to the instruction, other values unchanged', () => {
    const words = [0x00000013, 0x00a00513, 0xfe000ee3, 0x0080006f, 0x02b50533, 0xfff00093];
    for (const w of words) {
      const want = disassemble(w, 0x1000).replace('\t', ' ');
      const got = filterLine(w.toString(16).padStart(8, '0'));
      if (/pc[+-]/.test(got)) expect(got.replace(/pc([+-]\d+)$/, (_, d: string) => (0x1000 + Number(d)).toString(16))).toBe(want);
      else expect(got).toBe(want);
    }
    expect(filterLine('0x00000013')).toBe('addi x0,x0,0');
    expect(filterLine('xxxxxxxx')).toBe('xxxxxxxx');
    expect(filterLine('0000zz13')).toBe('0000zz13');
    expect(filterLine('')).toBe('');
  });

  test('the process answers each line before the next arrives, as GTKWave drives it', async () => {
    const p = spawn(process.execPath, [join(ROOT, 'dist/bin/disasm-filter.js')]);
    const replies: string[] = [];
    let buf = '';
    const next = (): Promise<string> => new Promise((resolve) => {
      const take = (): void => {
        const i = buf.indexOf('\n');
        if (i < 0) { p.stdout.once('data', (d: Buffer) => { buf += d.toString(); take(); }); return; }
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        resolve(line);
      };
      take();
    });
    for (const w of ['00a00513', 'fe000ee3', 'not hex']) {
      p.stdin.write(`${w}\n`);
      replies.push(await next());
    }
    p.stdin.end();
    await new Promise((resolve) => p.on('close', resolve));
    expect(replies).toEqual(['addi x10,x0,10', 'beq x0,x0,pc-4', 'not hex']);
  });
});

describeWithTools(['gtkwave', 'xvfb-run'], 'the GTKWave save file', () => {
  test.each(['fst'])('loads in GTKWave (under Xvfb) with the %s: every signal it names is shown, no warning', (kind) => {
    const wave = join(dir, `g.${kind}`), save = join(dir, `g-${kind}.gtkw`);
    const r = runEvminf(['run', KVSTORE, kind === 'fst' ? '--fst' : '--vcd', wave, '--gtkw', save]);
    expect(r.status).toBe(0);
    const gtkw = readFileSync(save, 'utf8');
    expect(gtkw).toContain(`[dumpfile] "${wave}"`);
    const named = gtkw.split('\n').filter((l) => /^evm\./.test(l));
    // One trace per signal (the clock included), instruction words through the filter.
    const sig = createModel('cycle', loadElf(assembleToElf(BUSY))).sig;
    expect(named.length).toBeGreaterThan(sig.count);
    expect(gtkw.match(/^\^>1 .*disasm-filter\.js$/gm)!.length).toBe(5);
    const tcl = join(dir, 'list.tcl');
    writeFileSync(tcl, 'foreach s [gtkwave::getDisplayedSignals] { puts "SIG $s" }\ngtkwave::/File/Quit\n');
    const g = runTool('xvfb-run', ['-a', 'gtkwave', '-S', tcl, wave, save], { timeoutMs: 120_000 });
    expect(g.status, g.stderr).toBe(0);
    const shown = g.stdout.split('\n').filter((l) => l.startsWith('SIG ')).map((l) => l.slice(4));
    expect(shown).toEqual(named);
    expect(g.stderr.split('\n').filter((l) => /warn|error|could not|not found/i.test(l))).toEqual([]);
  });

  test('a scope selection names only the dumped signals', () => {
    const m = createModel('cycle', loadElf(assembleToElf(BUSY)));
    const text = gtkwSave(m.sig, { dumpfile: 'x.vcd', filter: 'node f.js', scopes: ['evm.core.wb'] });
    const named = text.split('\n').filter((l) => /^evm\./.test(l));
    expect(named.every((n) => n === 'evm.clk' || n.startsWith('evm.core.wb.'))).toBe(true);
    expect(named.length).toBe(m.sig.under('evm.core.wb').length + 1);
  });
});
