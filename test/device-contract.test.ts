// The device contract (peripherals/device.ts, docs/peripherals.md) with a test device: a
// multi-cycle "sum of N words by DMA" unit whose result register holds `ready` low until the
// sum is done, completed by an event on the machine's clock. Both models must read the same
// values, charge the same gas and retire the same instructions; the cycle model spends exactly
// the wait states the bus rule gives; DMA stays inside the running frame; a frame without the
// permission gets the zero response; the registers are signals in the VCD; a snapshot taken
// mid-operation replays the same run; DATA UNAVAILABLE stops the cycle model between cycles.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { assembleToElf } from '../isa/asm.js';
import type { Core, CycleTracer } from '../cpu/core.js';
import { CallManager, type FrameEnd } from '../cpu/frames.js';
import { LinuxHost } from '../cpu/host.js';
import type { Iss } from '../cpu/iss.js';
import { createModel, type ModelKind } from '../cpu/machine.js';
import { Perm } from '../cpu/memory.js';
import { loadElf, STACK_TOP } from '../cpu/program.js';
import { restore, snapshot } from '../debug/snapshot.js';
import { VcdReader } from '../waveforms/vcdread.js';
import { VCD_PERIOD, VcdWriter } from '../waveforms/vcd.js';
import { AddressDecoder, BLOCK_SHIFT, BLOCKS, UNMAPPED } from '../peripherals/decoder.js';
import { Clock, DataUnavailable, DMA_FAULT, DMA_OK, NEVER, type BusSlave, type Device, type DeviceContext } from '../peripherals/device.js';

const SUM_PERM = 4;
const SUM_BASE = 0xf000_1000;
/** Register map of the sum unit (word offsets from SUM_BASE). */
const enum Reg { SRC = 0x00, COUNT = 0x04, DST = 0x08, START = 0x0c, RESULT = 0x10, STATUS = 0x14, UNAVAIL_THROW = 0x18, UNAVAIL_RAISE = 0x1c }
const TAG_DONE = 1;

/**
 * Sums COUNT words read by DMA from SRC when START is written; if DST is not 0 the sum is also
 * written there by DMA. The sum lands in RESULT `fixed + perWord * COUNT` cycles after the
 * START write took effect (a clock event); a RESULT read before that holds `ready` low until
 * then. STATUS is DMA_FAULT when either transfer faulted (nothing is then read or written).
 */
class SumDevice implements Device {
  readonly name = 'sum';
  readonly base = SUM_BASE;
  readonly end = SUM_BASE + 0x20;
  readonly perm = SUM_PERM;
  ctx: DeviceContext | null = null;
  // Register slots (evm.dev.sum.*).
  s_src = -1; s_count = -1; s_dst = -1; s_result = -1; s_status = -1; s_busy = -1; s_done_at = -1;
  /** The sum computed at START, latched into RESULT by the completion event. */
  pending = 0;
  starts = 0;
  /** State the snapshot walk does not enter (a Map): saved and loaded by the device itself. */
  journal = new Map<number, number>();
  constructor(readonly waitStates = 0, readonly fixed = 3, readonly perWord = 2) {}

  attach(ctx: DeviceContext): void {
    this.ctx = ctx;
    this.s_src = ctx.signal('src');
    this.s_count = ctx.signal('count', 8);
    this.s_dst = ctx.signal('dst');
    this.s_result = ctx.signal('result');
    this.s_status = ctx.signal('status', 1);
    this.s_busy = ctx.signal('busy', 1);
    this.s_done_at = ctx.signal('done_at');
  }

  private get v(): Int32Array { return this.ctx!.v; }

  latency(addr: number, write: boolean): number {
    const v = this.v, clock = this.ctx!.clock;
    if (!write && addr === this.base + Reg.RESULT && v[this.s_busy]) return Math.max(this.waitStates, v[this.s_done_at]! - clock.now);
    return this.waitStates;
  }

  read(addr: number, strb: number): number {
    const v = this.v;
    let w = 0;
    switch (addr - this.base) {
      case Reg.SRC: w = v[this.s_src]!; break;
      case Reg.COUNT: w = v[this.s_count]!; break;
      case Reg.DST: w = v[this.s_dst]!; break;
      case Reg.RESULT:
        if (v[this.s_busy]) throw new Error('RESULT read before the sum was done: ready was not held low');
        w = v[this.s_result]!;
        break;
      case Reg.STATUS: w = v[this.s_status]!; break;
      case Reg.UNAVAIL_THROW: throw new DataUnavailable('preimage not held (thrown)');
      case Reg.UNAVAIL_RAISE: this.ctx!.clock.raise('preimage not held (raised)'); return 0;
    }
    let out = 0;
    for (let i = 0; i < 4; i++) if (strb & (1 << i)) out |= w & (0xff << (8 * i));
    return out;
  }

  write(addr: number, _strb: number, data: number): void {
    const v = this.v;
    switch (addr - this.base) {
      case Reg.SRC: v[this.s_src] = data; break;
      case Reg.COUNT: v[this.s_count] = data & 0xff; break;
      case Reg.DST: v[this.s_dst] = data; break;
      case Reg.START: this.start(); break;
    }
  }

  private start(): void {
    const { v, ctx } = this, clock = ctx!.clock;
    this.starts++;
    clock.cancel(this, TAG_DONE);
    const n = v[this.s_count]!;
    const words = new Uint8Array(4 * n);
    let status = ctx!.dma.dmaRead(v[this.s_src]!, words);
    let sum = 0;
    const dv = new DataView(words.buffer);
    for (let i = 0; i < n; i++) sum = (sum + dv.getInt32(4 * i, true)) | 0;
    if (status === DMA_OK && v[this.s_dst] !== 0) {
      const out = new Uint8Array(4);
      new DataView(out.buffer).setInt32(0, sum, true);
      status = ctx!.dma.dmaWrite(v[this.s_dst]!, out);
    }
    v[this.s_status] = status;
    if (status !== DMA_OK) { v[this.s_busy] = 0; return; }
    this.pending = sum;
    this.journal.set(this.starts, sum);
    v[this.s_busy] = 1;
    v[this.s_done_at] = clock.now + this.fixed + this.perWord * n;
    clock.schedule(this, v[this.s_done_at]!, TAG_DONE);
  }

  onClock(tag: number): void {
    if (tag !== TAG_DONE) throw new Error(`unexpected clock tag ${tag}`);
    this.v[this.s_result] = this.pending;
    this.v[this.s_busy] = 0;
  }

  save(): unknown { return new Map(this.journal); }
  load(state: unknown): void { this.journal = new Map(state as Map<number, number>); }
}

const WORDS = [7, 0x1000, -3, 123456, 5, 99, 0x7fffffff, 2];
const wordsDecl = `words: .word ${WORDS.join(', ')}`;

/** Program the unit, start it, wait `nops` instructions, read RESULT and STATUS and the DMA'd sum. */
function sumProgram(o: { count?: number; nops?: number; src?: string; dst?: string; after?: string } = {}): string {
  return `
  .text
  .globl _start
_start:
  li t0, 0x${SUM_BASE.toString(16)}
  ${o.src ?? 'la t1, words'}
  sw t1, ${Reg.SRC}(t0)
  li t2, ${o.count ?? 4}
  sw t2, ${Reg.COUNT}(t0)
  ${o.dst ?? 'la t3, out'}
  sw t3, ${Reg.DST}(t0)
  sw zero, ${Reg.START}(t0)
  ${'nop\n  '.repeat(o.nops ?? 0)}
  lw a0, ${Reg.RESULT}(t0)
  lw a1, ${Reg.STATUS}(t0)
  la t3, out
  lw a2, 0(t3)
  ${o.after ?? ''}
  li a7, 93
  ecall
  .data
  .balign 4
${wordsDecl}
out: .word 0
`;
}

interface Outcome {
  end: FrameEnd;
  x: number[];
  gas: number;
  retired: number;
  cycles: number | undefined;
  dev: SumDevice;
  out: number;
  m: Core | Iss;
}

interface RunOpts { dev?: SumDevice; randomStalls?: number; seed?: number; pset?: number; tracer?: (m: Core) => CycleTracer }

function run(model: ModelKind, src: string, o: RunOpts = {}): Outcome {
  const dev = o.dev ?? new SumDevice();
  const prog = loadElf(assembleToElf(src, { file: 'sum.S' }));
  const m = createModel(model, prog, { devices: [dev], randomStalls: o.randomStalls, seed: o.seed, pset: o.pset });
  if (o.tracer !== undefined) (m as Core).tracer = o.tracer(m as Core);
  const end = new CallManager(m, new LinuxHost()).run({ maxCycles: 1_000_000, maxInstructions: 100_000 });
  return { end, x: Array.from(m.x), gas: m.gasUsed, retired: m.retired, cycles: (m as Core).cycles, dev, out: m.x[12]!, m };
}

const sum = (n: number): number => WORDS.slice(0, n).reduce((a, b) => (a + b) | 0, 0);

describe('a multi-cycle device on both models', () => {
  test.each([1, 4, 8])('sum of %i words: same values, gas and retired instructions on the ISS and the cycle model', (n) => {
    const src = sumProgram({ count: n });
    const iss = run('iss', src), cyc = run('cycle', src);
    expect(iss.end).toEqual({ kind: 'exit', code: sum(n) & 0xff });
    expect(iss.x[10]).toBe(sum(n));
    expect(iss.x[11]).toBe(DMA_OK);
    expect(iss.x[12]).toBe(sum(n)); // the DMA'd copy
    expect(cyc.end).toEqual(iss.end);
    expect(cyc.x).toEqual(iss.x);
    expect(cyc.gas).toBe(iss.gas);
    expect(cyc.retired).toBe(iss.retired);
    // Idle again: no event pending, the cycle loop's compare never fires.
    for (const r of [iss, cyc]) {
      expect(r.m.clock.pending).toBe(0);
      expect(r.m.clock.next).toBe(NEVER);
    }
  });

  // Cycle count, from docs/timing.md: with the device's wait states 0 the START store is one
  // cycle in MEM (T9, cycle c) and its write takes effect at that cycle's edge, so the sum is
  // due at cycle c + L (L = fixed + perWord * count). The k NOPs behind it each spend one cycle
  // in MEM (T1), so the RESULT load's transaction starts in cycle c + 1 + k and has
  // w = max(0, L - 1 - k) wait states (T11), each a cycle lost. A unit with L = 0 runs the
  // same program with none.
  test.each([0, 1, 4, 9, 10, 11, 15])('the RESULT read %i instructions after START costs max(0, L - 1 - k) cycles', (k) => {
    const count = 4, fixed = 3, perWord = 2, L = fixed + perWord * count;
    const src = sumProgram({ count, nops: k });
    const slow = run('cycle', src, { dev: new SumDevice(0, fixed, perWord) });
    const fast = run('cycle', src, { dev: new SumDevice(0, 0, 0) });
    const iss = run('iss', src, { dev: new SumDevice(0, fixed, perWord) });
    expect(slow.x).toEqual(fast.x);
    expect(slow.x).toEqual(iss.x);
    expect(slow.gas).toBe(iss.gas);
    expect(slow.retired).toBe(iss.retired);
    expect(slow.cycles! - fast.cycles!).toBe(Math.max(0, L - 1 - k));
  });

  test('static wait states: w per transaction on every register access (T11)', () => {
    const src = sumProgram({ count: 2, nops: 20 });
    const w0 = run('cycle', src, { dev: new SumDevice(0) });
    const w3 = run('cycle', src, { dev: new SumDevice(3) });
    // Device transactions: SRC, COUNT, DST, START, RESULT, STATUS.
    expect(w3.cycles! - w0.cycles!).toBe(6 * 3);
    expect(w3.x).toEqual(w0.x);
  });

  test.each([1, 2, 3, 4])('random bus stalls (seed %i) change cycles only', (seed) => {
    const src = sumProgram({ count: 8, nops: 2 });
    const base = run('cycle', src, { dev: new SumDevice(1) });
    const r = run('cycle', src, { dev: new SumDevice(1), randomStalls: 3, seed });
    expect(r.end).toEqual(base.end);
    expect(r.x).toEqual(base.x);
    expect(r.gas).toBe(base.gas);
    expect(r.retired).toBe(base.retired);
    expect(r.dev.starts).toBe(1);
    expect(r.cycles!).toBeGreaterThan(base.cycles!);
  });
});

describe.each(['iss', 'cycle'] as const)('DMA and permissions on the %s', (model) => {
  test('a DMA read outside the frame gives DMA_FAULT and touches nothing', () => {
    const r = run(model, sumProgram({ src: 'li t1, 0x50000000' }));
    expect(r.x[11]).toBe(DMA_FAULT);
    expect(r.x[10]).toBe(0); // RESULT never set
    expect(r.x[12]).toBe(0); // out never written
    expect(r.dev.journal.size).toBe(0);
    expect(r.m.clock.pending).toBe(0);
  });

  test('a DMA write to read-only memory gives DMA_FAULT and leaves it unchanged', () => {
    const src = sumProgram({ dst: 'la t3, _start' });
    const prog = loadElf(assembleToElf(src, { file: 'sum.S' }));
    const code = prog.mem.regions.find((r) => r.perm & Perm.X)!;
    const before = code.u8.slice();
    const dev = new SumDevice();
    const m = createModel(model, prog, { devices: [dev] });
    new CallManager(m, new LinuxHost()).run({ maxInstructions: 10_000 });
    expect(m.x[11]).toBe(DMA_FAULT);
    expect(code.u8).toEqual(before);
    expect(m.x[12]).toBe(0);
  });

  test('a DMA that straddles the end of a region faults', () => {
    // The stack ends at STACK_TOP with nothing mapped above it: 2 words in, 1 out.
    const straddle = run(model, sumProgram({ count: 3, src: `li t1, 0x${(STACK_TOP - 8).toString(16)}` }));
    expect(straddle.x[11]).toBe(DMA_FAULT);
    const inside = run(model, sumProgram({ count: 2, src: `li t1, 0x${(STACK_TOP - 8).toString(16)}` }));
    expect(inside.x[11]).toBe(DMA_OK);
  });

  // A child frame is given its parent's address of `words` as input and points the unit at it.
  const CHILD = (pset: number): string => `
  .text
  .globl _start
_start:
  la t1, words
  la t2, inbuf
  sw t1, 0(t2)
  la s0, desc
  eval a2, s0
  la t2, output
  lw a3, 0(t2)
  lw a4, 4(t2)
  li a7, 93
  ecall
child:
  lw t1, 0(a0)
  li t0, 0x${SUM_BASE.toString(16)}
  sw t1, ${Reg.SRC}(t0)
  li t2, 4
  sw t2, ${Reg.COUNT}(t0)
  sw zero, ${Reg.DST}(t0)
  sw zero, ${Reg.START}(t0)
  lw t3, ${Reg.STATUS}(t0)
  lw t4, ${Reg.RESULT}(t0)
  addi sp, sp, -16
  sw t3, 0(sp)
  sw t4, 4(sp)
  mv a0, sp
  li a1, 8
  return a0, a1
child_end:
  .data
  .balign 4
desc: .word ${pset}, child, child_end - child, inbuf, 4, output, 8, 100000, 0, 0, 64, 0, 0
inbuf: .word 0
output: .word 0, 0
${wordsDecl}
`;

  test("a child cannot DMA its parent's memory: DMA_FAULT", () => {
    const r = run(model, CHILD(SUM_PERM));
    expect(r.x[12]).toBe(0); // EVAL SUCCESS
    expect(r.x[13]).toBe(DMA_FAULT);
    expect(r.x[14]).toBe(0);
    expect(r.dev.starts).toBe(1);
    expect(r.dev.journal.size).toBe(0);
  });

  test('a child without the permission bit gets the zero response', () => {
    const r = run(model, CHILD(0));
    expect(r.x[12]).toBe(0);
    expect(r.x[13]).toBe(0); // STATUS reads 0
    expect(r.x[14]).toBe(0);
    expect(r.dev.starts).toBe(0); // its writes were dropped
    expect(r.dev.ctx!.v[r.dev.s_src]).toBe(0);
  });

  test('a root frame without the permission bit gets the zero response too', () => {
    const r = run(model, sumProgram(), { pset: 0xff & ~SUM_PERM });
    expect(r.end).toEqual({ kind: 'exit', code: 0 });
    expect(r.x.slice(10, 13)).toEqual([0, 0, 0]);
    expect(r.dev.starts).toBe(0);
  });
});

describe('DATA UNAVAILABLE', () => {
  /** Counts retirements as the tracer sees them, and the last cycle it saw. */
  class RetireCounter implements CycleTracer {
    retired = 0;
    last = 0;
    constructor(private readonly slot: number) {}
    cycle(cycle: number, v: Int32Array): void {
      this.retired += v[this.slot]!;
      this.last = cycle;
    }
  }

  test.each([['thrown by the device', Reg.UNAVAIL_THROW], ['raised on the clock', Reg.UNAVAIL_RAISE]] as const)(
    '%s: both models stop with the same retired instructions; the cycle model at a cycle boundary', (how, reg) => {
      const src = sumProgram({ after: `addi s1, zero, 1\n  lw a3, ${reg}(t0)\n  addi s2, zero, 2` });
      const detail = `preimage not held (${how.split(' ')[0]})`;
      const iss = run('iss', src);
      expect(iss.end).toEqual({ kind: 'unavailable', detail, depth: 0 });
      let counter: RetireCounter | null = null;
      const cyc = run('cycle', src, { tracer: (m) => (counter = new RetireCounter(m.sig.slot('evm.core.wb.retire')!)) });
      expect(cyc.end).toEqual(iss.end);
      // Every instruction before the load retired, the load did not, on both models.
      expect(cyc.retired).toBe(iss.retired);
      expect(iss.x[9]).toBe(1);
      expect(iss.x[18]).toBe(0);
      expect(cyc.x[9]).toBe(1);
      expect(cyc.x[18]).toBe(0);
      // No half-evaluated cycle: every retirement was in a traced (completed) cycle.
      expect(counter!.retired).toBe(cyc.retired);
      expect(counter!.last).toBe(cyc.cycles);
      // Nothing left in flight: the next instruction is the load, and gas is that of the retired ones.
      expect(cyc.m.pc).toBe(iss.m.pc);
      expect((cyc.m as Core).retiredGas).toBe(cyc.gas);
      expect(cyc.m.clock.unavailable).toBeNull();
      expect(cyc.gas).toBe(iss.gas);
    });
});

describe('device registers as signals', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evminf-dev-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('appear in the VCD under evm.dev.sum and follow the operation', async () => {
    const dev = new SumDevice(0, 5, 1);
    const prog = loadElf(assembleToElf(sumProgram({ count: 4 }), { file: 'sum.S' }));
    const m = createModel('cycle', prog, { devices: [dev] });
    const parts: Buffer[] = [];
    const w = new VcdWriter(m.sig, (b) => { parts.push(Buffer.from(b)); });
    w.cycle(m.cycles, m.v);
    m.tracer = w;
    new CallManager(m, new LinuxHost()).run({ maxCycles: 100_000 });
    w.close();
    const path = join(dir, 'sum.vcd');
    writeFileSync(path, Buffer.concat(parts));
    const r = await VcdReader.open(path);
    try {
      const names = r.vars.map((v) => v.name).filter((n) => n.includes('.dev.'));
      expect(names.sort()).toEqual(['busy', 'count', 'done_at', 'dst', 'result', 'src', 'status'].map((n) => `evm.dev.sum.${n}`).sort());
      const busy = r.get('evm.dev.sum.busy')!, result = r.get('evm.dev.sum.result')!, doneAt = r.get('evm.dev.sum.done_at')!;
      const seen: { t: number; id: string; v: bigint }[] = [];
      // A VCD time is ten units per cycle (docs/waveforms.md, Time): cycles here.
      for (let b = r.next(); b !== null; b = r.next()) for (const c of b.changes) seen.push({ t: Number(b.time) / VCD_PERIOD, id: c.id, v: c.value });
      const busyChanges = seen.filter((c) => c.id === busy.id && c.t > 0).map((c) => c.v);
      expect(busyChanges).toEqual([1n, 0n]);
      const due = seen.find((c) => c.id === doneAt.id && c.v !== 0n)!.v;
      const rise = seen.find((c) => c.id === busy.id && c.v === 1n)!.t;
      const fall = seen.find((c) => c.id === busy.id && c.t > rise && c.v === 0n)!.t;
      // Started at the edge of cycle (due - L) and done at the start of cycle `due`; a VCD time
      // is the number of cycles completed when it was sampled.
      expect(fall - rise).toBe(5 + 4);
      expect(BigInt(fall)).toBe(due + 1n);
      const res = seen.filter((c) => c.id === result.id && c.v !== 0n);
      expect(res.map((c) => c.v)).toEqual([BigInt(sum(4) >>> 0)]);
      expect(res[0]!.t).toBe(fall);
    } finally {
      r.close();
    }
  });

  test('the ISS keeps device registers as signals too; a machine without devices has none', () => {
    const dev = new SumDevice();
    const iss = createModel('iss', loadElf(assembleToElf(sumProgram(), { file: 'sum.S' })), { devices: [dev] });
    expect(iss.deviceSignals!.names.filter((n) => n.startsWith('evm.dev.sum.'))).toHaveLength(7);
    const plain = createModel('iss', loadElf(assembleToElf(sumProgram(), { file: 'sum.S' })));
    expect(plain.deviceSignals).toBeNull();
  });
});

describe('snapshot and restore mid-operation', () => {
  test('replay from a snapshot taken while the unit is busy gives the same run', () => {
    const src = sumProgram({ count: 8, nops: 1, after: 'sw zero, 12(t0)\n  lw a4, 16(t0)' });
    const whole = run('cycle', src, { dev: new SumDevice(1, 20, 3) });
    const dev = new SumDevice(1, 20, 3);
    const m = createModel('cycle', loadElf(assembleToElf(src, { file: 'sum.S' })), { devices: [dev] });
    const host = new LinuxHost();
    const cm = new CallManager(m, host);
    // Run until the unit is busy, then a few cycles into the wait.
    while (!m.v[dev.s_busy]) expect(cm.run({ maxCycles: m.cycles + 1 })).toEqual({ kind: 'limit' });
    cm.run({ maxCycles: m.cycles + 7 });
    expect(m.v[dev.s_busy]).toBe(1);
    expect(m.clock.pending).toBe(1);
    const snap = snapshot(m, [cm, host]);
    const finish = () => {
      const end = cm.run({ maxCycles: 1_000_000 });
      return { end, x: Array.from(m.x), gas: m.gasUsed, retired: m.retired, cycles: m.cycles, journal: [...dev.journal], pending: m.clock.pending };
    };
    const first = finish();
    restore(m, snap);
    expect(m.v[dev.s_busy]).toBe(1);
    expect(dev.journal.size).toBe(1);
    const second = finish();
    expect(second).toEqual(first);
    expect(first.end).toEqual(whole.end);
    expect(first.x).toEqual(whole.x);
    expect(first.cycles).toBe(whole.cycles);
    expect(first.journal).toEqual([...whole.dev.journal]);
    expect(first.journal).toHaveLength(2);
    expect(first.x[14]).toBe(sum(8));
  });
});

describe('the address decoder', () => {
  const mem = (name: string, base: number, size: number): BusSlave => ({ name, base, end: base + size, waitStates: 0, read: () => 0, write: () => {} });
  const dev = (name: string, base: number, size: number): BusSlave => ({ ...mem(name, base, size), perm: 1 });
  const memory = [mem('code', 0x0001_0000, 0x3000), mem('ram', 0x4000_0000, 0x2_0000), mem('mmio-ram', 0xf000_0000, 0x1000), mem('top', 0xffff_f000, 0x1000)];
  const devices = [dev('a', 0xf000_1000, 0x100), dev('b', 0xf001_0000, 0x2_0000), dev('c', 0xf000_2000, 0x10)];
  const all = [...memory, ...devices];
  const d = new AddressDecoder();
  d.map(memory, devices);

  /** Reference: the first slave (memory first) whose range covers any byte of the word at addr. */
  const wordSlave = (addr: number): BusSlave => all.find((s) => addr + 3 >= s.base && addr < s.end) ?? UNMAPPED;
  const holder = (addr: number, len: number): BusSlave => devices.find((s) => addr >= s.base && addr + len <= s.end) ?? UNMAPPED;

  test('every block maps to the right slave; unmapped space gives the unmapped slave', () => {
    let mapped = 0;
    for (let b = 0; b < BLOCKS; b++) {
      const base = b * (1 << BLOCK_SHIFT);
      for (const off of [0, 0x1000, 0x1004, 0x2000, 0x2008, 0x8000, 0xfffc]) {
        const a = base + off;
        const want = wordSlave(a);
        const got = d.decode(a);
        if (got !== want) expect(`${a.toString(16)}: ${got.name}`).toBe(`${a.toString(16)}: ${want.name}`);
        if (got !== UNMAPPED) mapped++;
      }
    }
    expect(mapped).toBeGreaterThan(0);
    expect(d.decode(0x2000_0000)).toBe(UNMAPPED);
    expect(d.decode(0xf000_1ffc)).toBe(UNMAPPED); // the hole between devices a and c
  });

  test('device(): only devices, holding the whole access', () => {
    const probes = [0xf000_0ffc, 0xf000_1000, 0xf000_10fc, 0xf000_10fe, 0xf000_1100, 0xf001_0000, 0xf001_fffe, 0xf002_fffc, 0xf003_0000, 0x4000_0000, 0xf000_200c, 0xf000_200e, 0x0001_0000];
    for (const a of probes) for (const len of [1, 2, 4]) expect(d.device(a, len).name, `${a.toString(16)}+${len}`).toBe(holder(a, len).name);
    expect(d.device(0x4000_0000, 4)).toBe(UNMAPPED); // memory is not a device
  });

  test('the unmapped slave reads 0 and ignores writes; overlapping devices are refused', () => {
    expect(UNMAPPED.read(0x1234, 15)).toBe(0);
    expect(() => UNMAPPED.write(0x1234, 15, 1)).not.toThrow();
    expect(() => new AddressDecoder().map([], [dev('x', 0xf000_0000, 0x100), dev('y', 0xf000_00f0, 0x100)])).toThrow(/overlaps device x/);
  });
});

describe('the clock', () => {
  test('events fire in cycle order, stably, and can be cancelled; idle means next = NEVER', () => {
    const t = { cycles: 0 };
    const c = new Clock(t);
    const log: string[] = [];
    const a = { onClock: (tag: number) => log.push(`a${tag}@${t.cycles}`) };
    const b = { onClock: (tag: number) => { log.push(`b${tag}@${t.cycles}`); if (tag === 1) c.schedule(b, t.cycles + 1, 9); } };
    expect(c.next).toBe(NEVER);
    for (let k = 0; k < 20; k++) c.schedule(a, 100 + k, k); // grows the pool
    c.cancel(a, 3);
    c.schedule(b, 5, 1);
    c.schedule(a, 5, 50);
    expect(c.next).toBe(5);
    for (t.cycles = 0; t.cycles < 130; t.cycles++) if (t.cycles >= c.next) c.tick(t.cycles);
    expect(log.slice(0, 3)).toEqual(['b1@5', 'a50@5', 'b9@6']);
    expect(log.slice(3)).toEqual(Array.from({ length: 20 }, (_, k) => k).filter((k) => k !== 3).map((k) => `a${k}@${100 + k}`));
    expect(c.next).toBe(NEVER);
    expect(c.pending).toBe(0);
  });

  test('untimed (the ISS): drain fires everything at once; DATA UNAVAILABLE is held, then thrown once', () => {
    const c = new Clock(null);
    let fired = 0;
    c.schedule({ onClock: () => { fired++; } }, 1_000_000);
    expect(c.timed).toBe(false);
    c.drain();
    expect(fired).toBe(1);
    c.raise('gone');
    expect(c.next).toBe(-1);
    expect(() => c.tick(0)).toThrow(DataUnavailable);
    expect(c.next).toBe(NEVER);
    expect(() => c.tick(0)).not.toThrow();
    expect(() => c.caught(new Error('a bug'))).toThrow('a bug');
  });

  test('a completion may not raise DATA UNAVAILABLE (the models complete work at different points)', () => {
    for (const raise of [(c: Clock) => c.raise('late'), () => { throw new DataUnavailable('late'); }]) {
      const t = { cycles: 0 };
      const c = new Clock(t);
      c.schedule({ onClock: () => raise(c) }, 3);
      t.cycles = 3;
      expect(() => c.tick(3)).toThrow(/in a clock event; raise it from the access/);
      expect(c.unavailable).toBeNull();
      expect(c.next).toBe(NEVER);
    }
  });
});
