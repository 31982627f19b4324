// VCD waveforms of the cycle model (waveforms/vcd.ts, docs/waveforms.md), read back with an
// independent parser (vcd-stream's WebAssembly parser; our own reader, waveforms/vcdread.ts, is checked against it): the hierarchy is the signal
// registry's, the value of every signal at every cycle is the model's own, a time appears only
// when something changed and carries only what changed, scope and window selection work, the
// same run gives the same bytes, and memory stays bounded however long the run.

import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
// vcd-stream's WebAssembly parser only: its main entry loads a native addon that a machine
// without a build (or `npm ci --ignore-scripts`) does not have.
import webVcdParser, { type VcdScope, type VcdVarDecl } from 'vcd-stream/lib/web-vcd-parser.js';
import createVCD from 'vcd-stream/out/vcd.js';
import { assembleToElf } from '../isa/asm.js';
import type { Core, CoreOptions, CycleTracer } from '../cpu/core.js';
import { CallManager, CHILD_CODE_BASE } from '../cpu/frames.js';
import { LinuxHost } from '../cpu/host.js';
import { createModel } from '../cpu/machine.js';
import { loadElf } from '../cpu/program.js';
import { Signals } from '../cpu/signals.js';
import { VcdReader } from '../waveforms/vcdread.js';
import { attachVcd, vcdId, VcdOptionError, VcdWriteError, VcdWriter, type VcdOptions } from '../waveforms/vcd.js';
import { EXIT } from '../cpu/exit-codes.js';
import { runEvminf } from './c/build.js';
import { standardDevices } from '../peripherals/standard.js';

const ROOT = new URL('..', import.meta.url).pathname;
const KVSTORE = join(ROOT, 'examples/kvstore.S');

// Loads and stores of every width (one across a word boundary), the divider and multiplier,
// branches and host writes.
const BUSY = `
        .text
        .globl _start
_start:
        la      s0, buf
        li      s1, 40
        li      s2, 0
1:      lw      t0, 0(s0)
        add     s2, s2, t0
        sw      s2, 4(s0)
        lh      t1, 3(s0)
        xor     s2, s2, t1
        li      t2, 7
        divu    t3, s2, t2
        mul     t4, t3, t2
        sub     s2, s2, t4
        addi    s2, s2, 65
        sb      s2, 9(s0)
        lbu     t0, 9(s0)
        add     s2, s2, t0
        addi    s1, s1, -1
        andi    t5, s1, 7
        bnez    t5, 2f
        li      a0, 1
        addi    a1, s0, 9
        li      a2, 1
        li      a7, 64
        ecall
2:      bnez    s1, 1b
        andi    a0, s2, 255
        li      a7, 93
        ecall
        .data
        .balign 4
buf:    .word 1, 2, 3, 4
`;

// Runs forever: for the long traced run.
const SPIN = `
        .text
        .globl _start
_start:
        la      s0, buf
        li      s1, 0
1:      lw      t0, 0(s0)
        addi    t0, t0, 3
        mul     t1, t0, s1
        sw      t1, 4(s0)
        xor     s1, s1, t1
        addi    s1, s1, 1
        j       1b
        .data
buf:    .word 1, 2
`;

const dir = mkdtempSync(join(tmpdir(), 'evminf-vcd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function program(src: string): Uint8Array {
  return assembleToElf(src, { file: 'vcd.S' });
}

/** Keeps a copy of the signal array after chosen cycles (every cycle by default). */
class Sampler implements CycleTracer {
  readonly at = new Map<number, Int32Array>();
  constructor(private readonly n: number, private readonly want: (cycle: number) => boolean = () => true) {}
  cycle(cycle: number, v: Int32Array): void {
    if (this.want(cycle)) this.at.set(cycle, v.slice(0, this.n));
  }
}

interface Traced {
  core: Core;
  vcd: Buffer;
  samples: Map<number, Int32Array>;
  chunks: number[];
}

/** Run `elf` on the cycle model with a VcdWriter and a Sampler on its tracer. */
function traced(elf: Uint8Array, opts: VcdOptions = {}, core: CoreOptions = {}, maxCycles = 1_000_000): Traced {
  const m = createModel('cycle', loadElf(elf), core);
  const parts: Buffer[] = [];
  const chunks: number[] = [];
  const w = new VcdWriter(m.sig, (b) => { parts.push(Buffer.from(b)); chunks.push(b.length); }, opts);
  const s = new Sampler(m.sig.count);
  s.cycle(m.cycles, m.v);
  m.tracer = s;
  attachVcd(m, w);
  new CallManager(m, new LinuxHost()).run({ maxCycles });
  w.close();
  return { core: m, vcd: Buffer.concat(parts), samples: s.at, chunks };
}

/** Unsigned value of a slot as the VCD should show it. */
function expected(sig: Signals, v: Int32Array, slot: number): bigint {
  const w = sig.widths[slot]!;
  return BigInt(w === 32 ? v[slot]! >>> 0 : v[slot]! & ((1 << w) - 1));
}

interface Parsed {
  /** The model's signals (the clock `evm.clk` is checked and left out). */
  vars: { name: string; width: number; id: string }[];
  /** Cycles in file order (time / 10), and the changes at each rising edge (name → value). */
  times: number[];
  changes: Map<string, bigint>[];
}

/**
 * Read a VCD of ours back. The clock is checked on the way: every traced cycle c is a rising
 * edge at #10c (evm.clk = 1, with the cycle's changes) and a falling edge at #10c+5 where
 * nothing but the clock changes.
 */
async function parse(vcd: Buffer): Promise<Parsed> {
  const path = join(dir, `t${files++}.vcd`);
  writeFileSync(path, vcd);
  const r = await VcdReader.open(path);
  try {
    const nameOf = new Map<string, string[]>();
    for (const v of r.vars) (nameOf.get(v.id) ?? nameOf.set(v.id, []).get(v.id)!).push(v.name);
    const clk = r.vars.find((v) => v.name === 'evm.clk');
    expect(clk?.width).toBe(1);
    const times: number[] = [];
    const changes: Map<string, bigint>[] = [];
    for (let b = r.next(); b !== null; b = r.next()) {
      const m = new Map<string, bigint>();
      for (const c of b.changes) {
        expect(c.mask, `x/z bits at #${b.time}`).toBe(0n);
        for (const n of nameOf.get(c.id)!) m.set(n, c.value);
      }
      const t = Number(b.time);
      if (t % 10 === 5) {
        expect([...m], `#${t}: the falling edge`).toEqual([['evm.clk', 0n]]);
        expect(times[times.length - 1], `#${t} follows its rising edge`).toBe((t - 5) / 10);
        continue;
      }
      expect(t % 10, `#${t}`).toBe(0);
      expect(m.get('evm.clk'), `#${t}: the rising edge`).toBe(1n);
      m.delete('evm.clk');
      times.push(t / 10);
      changes.push(m);
    }
    return { vars: r.vars.filter((v) => v !== clk).map((v) => ({ name: v.name, width: v.width, id: v.id })), times, changes };
  } finally {
    r.close();
  }
}

/**
 * Walk the VCD and the samples together: after each sampled cycle, every variable must hold the
 * model's value. Returns the first few disagreements.
 */
function compare(p: Parsed, sig: Signals, samples: Map<number, Int32Array>): string[] {
  const cur = new Map<string, bigint>();
  const bad: string[] = [];
  const cycles = [...samples.keys()].sort((a, b) => a - b);
  let i = 0;
  for (const c of cycles) {
    while (i < p.times.length && p.times[i]! <= c) {
      for (const [n, v] of p.changes[i]!) cur.set(n, v);
      i++;
    }
    if (i === 0) continue; // before the first dumped time
    const v = samples.get(c)!;
    for (const { name } of p.vars) {
      const slot = sig.slot(name)!;
      const want = expected(sig, v, slot), got = cur.get(name);
      if (got !== want && bad.length < 10) bad.push(`cycle ${c} ${name}: vcd ${got?.toString(16)} model ${want.toString(16)}`);
    }
  }
  return bad;
}

/** The hierarchy as vcd-stream's own parser builds it from the header. */
async function header(vcd: Buffer): Promise<VcdScope> {
  const p = await webVcdParser(await createVCD());
  const end = vcd.indexOf('$enddefinitions $end') + '$enddefinitions $end\n'.length;
  for (let off = 0; off < end; off += 8192) p._write(vcd.subarray(off, Math.min(end, off + 8192)), 'buffer', () => undefined);
  return p.info.wires;
}

describe('VcdWriter', () => {
  test('identifier codes are short, printable and distinct', () => {
    const seen = new Set<string>();
    for (let k = 0; k < 94 * 94 + 94 + 10; k++) {
      const id = vcdId(k);
      expect(id).toMatch(/^[!-~]+$/);
      expect(id.length).toBe(k < 94 ? 1 : k < 94 + 94 * 94 ? 2 : 3);
      seen.add(id);
    }
    expect(seen.size).toBe(94 * 94 + 94 + 10);
  });

  test('vectors as b<binary without leading zeros>, scalars as 0!/1!, every width 1..32', () => {
    const sig = new Signals();
    for (let w = 1; w <= 32; w++) sig.add(`t.w${w}`, w);
    const text: string[] = [];
    const wr = new VcdWriter(sig, (b) => { text.push(Buffer.from(b).toString('latin1')); }, { chunkSize: 4096 });
    let seed = 12345;
    const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) | 0);
    const want: string[] = [];
    const prev = new Array<string>(32).fill('');
    const specials = [0, 1, -1, 0x80000000 | 0, 0x7fffffff, 2, 0x100, 0xff];
    for (let c = 0; c < 400; c++) {
      const lines: string[] = [];
      for (let w = 1; w <= 32; w++) {
        const x = c < specials.length ? specials[c]! : c % 3 === 0 ? rnd() >>> (c % 32) : rnd();
        sig.v[w - 1] = x;
        const u = w === 32 ? x >>> 0 : x & ((1 << w) - 1);
        const s = w === 1 ? `${u}${vcdId(w)}` : `b${u.toString(2)} ${vcdId(w)}`;
        if (c === 0 || s !== prev[w - 1]) lines.push(s);
        prev[w - 1] = s;
      }
      const clk = vcdId(0);
      if (c === 0) want.push('#0', '$dumpvars', `1${clk}`, ...lines, '$end', '#5', `0${clk}`);
      else want.push(`#${c}0`, `1${clk}`, ...lines, `#${c}5`, `0${clk}`);
      wr.cycle(c, sig.v);
    }
    wr.close();
    const all = text.join('');
    expect(all.slice(all.indexOf('$enddefinitions $end\n') + 21).trimEnd().split('\n')).toEqual(want);
  });

  test('times of cycles up to 2^53 are written exactly (ten units per cycle)', () => {
    const sig = new Signals();
    sig.add('t.a', 3);
    let text = '';
    const wr = new VcdWriter(sig, (b) => { text += Buffer.from(b).toString('latin1'); });
    const times = [0, 9, 10, 99, 100, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER];
    times.forEach((t, i) => { sig.v[0] = i; wr.cycle(t, sig.v); });
    wr.close();
    expect(text.split('\n').filter((l) => l.startsWith('#'))).toEqual(times.flatMap((t) => (t === 0 ? ['#0', '#5'] : [`#${t}0`, `#${t}5`])));
    expect(text).toContain('$timescale 100ps $end');
    expect(text).toContain('$var wire 3 " a [2:0] $end');
  });

  test.skipIf(!existsSync('/dev/full'))('a full disk is a VcdWriteError with the errno code', () => {
    const sig = new Signals();
    sig.add('t.a', 32);
    const fd = openSync('/dev/full', 'w');
    try {
      const wr = new VcdWriter(sig, fd, { chunkSize: 4096 });
      expect(() => { for (let c = 0; c < 1000; c++) { sig.v[0] = c; wr.cycle(c, sig.v); } }).toThrow(VcdWriteError);
      expect(() => wr.close()).toThrow(/cannot write the waveform \(ENOSPC\)/);
    } finally {
      closeSync(fd);
    }
  });

  test('bad options are one-line errors', () => {
    const sig = new Signals();
    sig.add('evm.core.a', 4);
    const mk = (o: VcdOptions) => () => new VcdWriter(sig, () => undefined, o);
    expect(mk({ scopes: ['evm.cor'] })).toThrow(VcdOptionError);
    expect(mk({ scopes: ['evm.cor'] })).toThrow(/--vcd-scope evm.cor matches no signal \(scopes: evm.core\)/);
    expect(mk({ from: 5, to: 4 })).toThrow(/--vcd-to 4 is before --vcd-from 5/);
    expect(mk({ from: -1 })).toThrow(VcdOptionError);
    expect(mk({ timescale: '3ns' })).toThrow(VcdOptionError);
    expect(mk({ scopes: ['evm.core.'], timescale: '10 ps' })).not.toThrow();
  });
});

describe('waveforms of real programs', () => {
  const runs: [string, () => Traced][] = [
    ['kvstore.S (EVAL, interrupts, frame switches)', () => traced(program(readFileSync(KVSTORE, 'utf8')))],
    ['loads, stores, divider', () => traced(program(BUSY))],
    ['loads, stores, divider with random bus stalls', () => traced(program(BUSY), {}, { randomStalls: 3, seed: 11 })],
  ];

  test.each(runs)('%s: hierarchy, and every signal at every cycle is the model\'s value', async (_, run) => {
    const t = run();
    const sig = t.core.sig;
    expect(t.core.cycles).toBeGreaterThan(500);

    // Hierarchy: one $scope per dotted prefix, each opened once, holding exactly its variables.
    const top = await header(t.vcd);
    const want = { scopes: new Map<string, number>(), vars: ['evm.clk:1'] as string[] };
    sig.names.forEach((n, i) => {
      const parts = n.split('.');
      for (let k = 1; k < parts.length; k++) want.scopes.set(parts.slice(0, k).join('.'), 0);
      want.vars.push(`${n}:${sig.widths[i]}`);
    });
    const got = { scopes: [] as string[], vars: [] as string[], ids: new Set<string>() };
    const walk = (s: VcdScope, path: string): void => {
      const names = new Set<string>();
      for (const item of s.body) {
        expect(names.has(`${item.kind}:${item.name}`), `${path}${item.name} opened twice`).toBe(false);
        names.add(`${item.kind}:${item.name}`);
        if (item.kind === 'scope') {
          expect(item.type).toBe('module');
          got.scopes.push(path + item.name);
          walk(item, `${path}${item.name}.`);
        } else {
          const v = item as VcdVarDecl;
          expect(v.type).toBe('wire');
          got.vars.push(`${path}${v.name}:${v.size}`);
          got.ids.add(v.link);
        }
      }
    };
    walk(top, '');
    expect(got.scopes.sort()).toEqual([...want.scopes.keys()].sort());
    expect(got.vars.sort()).toEqual([...want.vars].sort());
    expect(got.ids.size).toBe(sig.count + 1);
    // Vectors carry their range, `name [msb:0]`; scalars none.
    const decls = t.vcd.subarray(0, t.vcd.indexOf('$enddefinitions')).toString('latin1').split('\n').filter((l) => l.startsWith('$var'));
    expect(decls.length).toBe(sig.count + 1);
    for (const d of decls) {
      const m = /^\$var wire (\d+) \S+ \w+( \[(\d+):0\])? \$end$/.exec(d);
      expect(m, d).not.toBeNull();
      expect(m![2] === undefined ? 1 : Number(m![3]) + 1, d).toBe(Number(m![1]));
    }
    expect(readFileSync(join(ROOT, 'package.json'), 'utf8')).toContain('"vcd-stream"');

    // The model keeps every signal within its width (the VCD would otherwise drop bits).
    const over: string[] = [];
    for (const [c, v] of t.samples) {
      for (let s = 0; s < sig.count; s++) {
        const w = sig.widths[s]!;
        if (w < 32 && v[s]! >>> w !== 0 && over.length < 5) over.push(`cycle ${c}: ${sig.names[s]} = ${v[s]} does not fit in ${w} bits`);
      }
    }
    expect(over).toEqual([]);

    // Values: every signal after every cycle (and at reset, #0).
    const p = await parse(t.vcd);
    expect(p.times[0]).toBe(0);
    expect(p.changes[0]!.size).toBe(sig.count);
    expect(compare(p, sig, t.samples)).toEqual([]);

    // Every traced cycle is a rising edge carrying only what changed; the last is the run's last cycle.
    const cycles = [...t.samples.keys()].sort((a, b) => a - b);
    const changedAt: number[] = [];
    const changedNames = new Map<number, string[]>();
    for (let i = 1; i < cycles.length; i++) {
      const a = t.samples.get(cycles[i - 1]!)!, b = t.samples.get(cycles[i]!)!;
      const names: string[] = [];
      for (let s = 0; s < sig.count; s++) if (expected(sig, a, s) !== expected(sig, b, s)) names.push(sig.names[s]!);
      if (names.length > 0) { changedAt.push(cycles[i]!); changedNames.set(cycles[i]!, names); }
    }
    const last = cycles[cycles.length - 1]!;
    const times = p.times.slice(1);
    expect(times).toEqual(cycles.slice(1));
    expect(changedAt.length).toBeGreaterThan(cycles.length / 2);
    expect(p.times[p.times.length - 1]).toBe(last);
    for (let i = 1; i < p.times.length; i++) {
      const names = changedNames.get(p.times[i]!) ?? [];
      expect([...p.changes[i]!.keys()].sort(), `changes at #${p.times[i]}`).toEqual([...names].sort());
    }
  });

  test('scope selection dumps exactly the signals under the prefixes, with the right values', async () => {
    const scopes = ['evm.core.ex.alu', 'evm.gas', 'evm.core.rf.x10', 'evm.core.wb.'];
    const t = traced(program(BUSY), { scopes });
    const sig = t.core.sig;
    const want = new Set(scopes.flatMap((s) => sig.under(s.replace(/\.$/, ''))));
    expect(want.has('evm.core.rf.x1')).toBe(false);
    expect(want.has('evm.core.wb.retire_pc')).toBe(true);
    const p = await parse(t.vcd);
    expect(p.vars.map((v) => v.name).sort()).toEqual([...want].sort());
    expect(compare(p, sig, t.samples)).toEqual([]);
  });

  test('a cycle window: everything dumped at --vcd-from, nothing after --vcd-to', async () => {
    const t = traced(program(BUSY), { from: 200, to: 450 });
    const sig = t.core.sig;
    const p = await parse(t.vcd);
    expect(p.times[0]).toBe(200);
    expect(p.changes[0]!.size).toBe(sig.count);
    expect(p.times[p.times.length - 1]).toBe(450);
    const inWindow = new Map([...t.samples].filter(([c]) => c >= 200 && c <= 450));
    expect(compare(p, sig, inWindow)).toEqual([]);
  });

  test('frame switches are traced cycle by cycle: the CMU copies a word per cycle', async () => {
    const elf = program(readFileSync(KVSTORE, 'utf8'));
    const t = traced(elf);
    const sig = t.core.sig;
    const at = (name: string) => sig.slot(name)!;
    const [busy, left, src, dst] = ['evm.cmu.busy', 'evm.cmu.left', 'evm.cmu.src', 'evm.cmu.dst'].map(at) as [number, number, number, number];
    const cycles = [...t.samples.keys()].sort((a, b) => a - b);
    // The EVAL: the first run of busy cycles, with no gap in the trace.
    const first = cycles.find((c) => t.samples.get(c)![busy] === 1)!;
    let last = first;
    while (t.samples.get(last + 1)?.[busy] === 1) last++;
    const sym = (name: string): number => loadElf(elf).symbols.find((x) => x.name === name)!.value;
    const cstart = sym('child_start'), csize = sym('child_end') - cstart;
    // docs/architecture.md, Timing: 4 cycles to create the frame, then one per word of code.
    expect(last - first + 1).toBe(4 + Math.ceil(csize / 4));
    for (let c = first; c <= last; c++) {
      const v = t.samples.get(c)!;
      expect(v[left]).toBe(last - c);
      const k = c - first - 4;
      expect([v[src]! >>> 0, v[dst]! >>> 0]).toEqual(k < 0 ? [0, 0] : [cstart + 4 * k, CHILD_CODE_BASE + 4 * k]);
    }
    expect(t.samples.get(last + 1)![busy]).toBe(0);
    // The VCD carries every one of those cycles, and a window opening inside the switch starts there.
    const p = await parse(t.vcd);
    for (let c = first; c <= last; c++) expect(p.times).toContain(c);
    const w = traced(elf, { from: first + 5, to: last + 20 });
    const pw = await parse(w.vcd);
    expect(pw.times[0]).toBe(first + 5);
    expect(compare(pw, w.core.sig, new Map([...w.samples].filter(([c]) => c >= first + 5 && c <= last + 20)))).toEqual([]);
  });

  test('deterministic: the same run gives the same bytes', () => {
    const a = traced(program(readFileSync(KVSTORE, 'utf8')), {}, { randomStalls: 2, seed: 5 });
    const b = traced(program(readFileSync(KVSTORE, 'utf8')), {}, { randomStalls: 2, seed: 5 });
    expect(a.vcd.length).toBeGreaterThan(100_000);
    expect(a.vcd.equals(b.vcd)).toBe(true);
  });

  test('memory stays bounded on a long run: 2 M traced cycles through 1 MiB chunks', () => {
    const m = createModel('cycle', loadElf(program(SPIN)));
    let bytes = 0, biggest = 0;
    const w = new VcdWriter(m.sig, (b) => { bytes += b.length; biggest = Math.max(biggest, b.length); });
    attachVcd(m, w);
    const calls = new CallManager(m, new LinuxHost());
    calls.run({ maxCycles: 200_000 }); // warm up
    const mem = (): number => { const u = process.memoryUsage(); return u.heapUsed + u.arrayBuffers; };
    const before = mem();
    calls.run({ maxCycles: 2_200_000 });
    const grown = mem() - before;
    w.close();
    expect(m.cycles).toBe(2_200_000);
    expect(bytes).toBe(w.bytesWritten);
    expect(bytes).toBeGreaterThan(2_000_000 * 100); // hundreds of MB went through ...
    expect(biggest).toBeLessThanOrEqual(1 << 20); // ... in chunks of at most 1 MiB ...
    expect(grown).toBeLessThan(16 << 20); // ... while the heap stayed put
  });

  test('a 12-million-cycle run with every signal traced keeps memory flat', async () => {
    const m = createModel('cycle', loadElf(program(SPIN)));
    let bytes = 0;
    const w = new VcdWriter(m.sig, (b) => { bytes += b.length; });
    attachVcd(m, w);
    const calls = new CallManager(m, new LinuxHost());
    calls.run({ maxCycles: 1_000_000 }); // warm up
    const mem = (): number => { const u = process.memoryUsage(); return u.heapUsed + u.arrayBuffers; };
    const before = mem();
    // In slices of a million cycles, handing the event loop back in between: a worker that
    // stayed busy for the whole run would miss vitest's RPC deadline.
    for (let end = 2_000_000; end <= 12_000_000; end += 1_000_000) {
      calls.run({ maxCycles: end });
      await new Promise((resolve) => setImmediate(resolve));
    }
    const grown = mem() - before;
    w.close();
    expect(m.cycles).toBe(12_000_000);
    expect(bytes).toBeGreaterThan(11_000_000 * 100);
    expect(grown).toBeLessThan(16 << 20);
  }, 900_000);
});

describe('evminf run --vcd', () => {
  const out = (name: string): string => join(dir, name);

  test('writes the waveform of the run; the same run gives the same file', async () => {
    const a = runEvminf(['run', KVSTORE, '--vcd', out('a.vcd')]);
    expect(a.status).toBe(0);
    expect(a.stdout.toString()).toContain('store: 1=100 2=7');
    const b = runEvminf(['run', KVSTORE, '--vcd', out('b.vcd'), '--trace-pipeline', out('b.trace')]);
    expect(b.status).toBe(0);
    const va = readFileSync(out('a.vcd'));
    expect(va.equals(readFileSync(out('b.vcd')))).toBe(true);
    expect(readFileSync(out('b.trace'), 'utf8').split('\n').length).toBeGreaterThan(2000);
    const p = await parse(va);
    // `evminf run` attaches the standard devices: their signals are in the file too.
    expect(p.vars.length).toBe(createModel('cycle', loadElf(program(BUSY)), { devices: standardDevices() }).sig.count);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  test('a run with --log-commits writes the same waveform (the frame switches\' depth included)', () => {
    const a = runEvminf(['run', KVSTORE, '--vcd', out('c.vcd'), '--vcd-scope', 'evm.cmu']);
    const b = runEvminf(['run', KVSTORE, '--vcd', out('d.vcd'), '--vcd-scope', 'evm.cmu', '--log-commits', out('d.log')]);
    expect([a.status, b.status]).toEqual([0, 0]);
    const vc = readFileSync(out('c.vcd'), 'utf8');
    expect(vc).toMatch(/^b10 /m); // depth 2 is reached
    expect(readFileSync(out('d.vcd'), 'utf8')).toBe(vc);
  });

  test('--vcd-scope and --vcd-from/--vcd-to', async () => {
    const r = runEvminf(['run', KVSTORE, '--vcd', out('w.vcd'), '--vcd-scope', 'evm.core.wb', '--vcd-scope', 'evm.cmu', '--vcd-from', '100', '--vcd-to', '700']);
    expect(r.status).toBe(0);
    const p = await parse(readFileSync(out('w.vcd')));
    expect(new Set(p.vars.map((v) => v.name.split('.').slice(0, 3).join('.')))).toEqual(new Set(['evm.core.wb', ...['depth', 'req', 'op', 'busy', 'left', 'src', 'dst'].map((n) => `evm.cmu.${n}`)]));
    expect(p.times[0]).toBe(100);
    expect(p.times[p.times.length - 1]).toBe(700);
  });

  test.each([
    [['--model', 'iss', '--vcd', 'x.vcd'], EXIT.USAGE, '--vcd needs the cycle model (--model cycle)'],
    [['--vcd-scope', 'evm.core'], EXIT.USAGE, '--vcd-scope needs --vcd FILE'],
    [['--vcd', 'x.vcd', '--vcd-scope', 'evm.nothing'], EXIT.USAGE, '--vcd-scope evm.nothing matches no signal'],
    [['--vcd', 'x.vcd', '--vcd-from', '9', '--vcd-to', '3'], EXIT.USAGE, '--vcd-to 3 is before --vcd-from 9'],
    [['--vcd', 'x.vcd', '--vcd-from', '-1'], EXIT.USAGE, '--vcd-from must be a non-negative integer'],
    [['--vcd', join('no-such-dir', 'x.vcd')], EXIT.NO_FILE, 'no-such-dir/x.vcd: cannot write (ENOENT)'],
  ] as const)('%j: exit %i, one line', (args, code, message) => {
    const r = runEvminf(['run', KVSTORE, ...args], dir);
    expect(r.status).toBe(code);
    const err = r.stderr.toString('utf8');
    expect(err).toMatch(/^evminf: [^\n]+\n$/);
    expect(err).toContain(message);
    expect(existsSync(join(dir, 'x.vcd'))).toBe(false);
  });

  test('docs/waveforms.md lists every top-level scope', () => {
    const doc = readFileSync(join(ROOT, 'docs/waveforms.md'), 'utf8');
    const sig = createModel('cycle', loadElf(program(BUSY))).sig;
    const tops = new Set(sig.names.map((n) => n.split('.').slice(0, 2).join('.')));
    for (const t of tops) expect(doc, t).toContain(`\`${t}\``);
  });
});
