// The device fuzz test (issue 11, acceptance): random register traffic to every standard device
// — loads and stores of every width, misaligned, at register offsets and elsewhere in a
// device's block, random command codes and operands, DMA addresses inside and outside the
// running frame — from the root frame and from an EVAL'd child, each under a random PSET and
// gas limit, on both models. Written over `standardDevices()` and the register maps of
// peripherals/regmap.ts only, so a device added to the standard set is fuzzed with the rest.
//
// Checks, per case:
//  - the host never throws;
//  - the zero response: a frame lacking a device's permission reads 0 from it, and its
//    accesses change nothing — the same program with those accesses sent to scratch RAM
//    instead (its "twin") ends in exactly the same state: registers, memory, gas, device
//    figures, device registers, console bytes;
//  - DMA never touches memory outside the running frame: the parent's memory is unchanged
//    while its child runs, except the output slice and RESULT / GASUSED;
//  - both models end with identical registers, memory, gas, device figures, device registers
//    (busy / done_at, which are time, excepted) and console bytes.
// The root program is built in memory (no assembler). EVMINF_DEVICE_FUZZ_COUNT=N runs more.

import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { encode } from '../isa/encode.js';
import { OPS } from '../isa/table.js';
import type { Core } from '../cpu/core.js';
import { CallManager, Desc, type FrameEnd } from '../cpu/frames.js';
import { GAS_INFINITE } from '../cpu/gas.js';
import { Iss } from '../cpu/iss.js';
import { createModel, type ModelKind } from '../cpu/machine.js';
import { AddressSpace, Perm, Region } from '../cpu/memory.js';
import { PermBit } from '../cpu/perm.js';
import type { Signals } from '../cpu/signals.js';
import { DebugConsole } from '../peripherals/console.js';
import type { Device } from '../peripherals/device.js';
import { DEVICE_MAPS, PERM_VALUES, type DeviceMap } from '../peripherals/regmap.js';
import { deviceStats, standardDevices } from '../peripherals/standard.js';
import { Rng } from '../verify/isolation.js';

// ---- The root's address space ----
const ROOT_CODE = 0x0001_0000;
const RAM = 0x0002_0000, RAM_SIZE = 0x1_0000;
const DESC = RAM, OUT = RAM + 0x100, OSIZE = 0x400, INPUT = RAM + 0x8000, ISIZE = 0x400;
/** DMA operands name RAM below this (a transfer is at most 0x400 bytes): the log and the code stay clear of them. */
const RAM_DMA_END = RAM + 0xa000;
const ROOT_LOG = RAM + 0xc000, CHILD_CODE = RAM + 0xd000, CHILD_CODE_END = RAM + RAM_SIZE;
/** Scratch RAM the twin's redirected accesses use: its own region, never a DMA target. */
const SCRATCH = 0x0003_0000, SCRATCH_SIZE = 0x1000;
// ---- The child's (docs/architecture.md, Frames) ----
const C_CODE = 0x0001_0000, C_INPUT = 0x2000_0000, C_RAM = 0x4000_0000, C_RAMSIZE = 0x2000;
const C_LOG = C_RAM + 0x1000, C_ZERO = C_RAM + 0x1800, C_WSCR = C_RAM + 0x1900;
/** DMA operands name the child's RAM below this: its log and scratch stay clear. */
const C_DMA_END = C_RAM + 0x800;

const T1 = 6, T2 = 7, T3 = 28, S1 = 9, A0 = 10, A1 = 11, A7 = 17, S0 = 8;
const e = (name: string, o: { rd?: number; rs1?: number; rs2?: number; imm?: number } = {}): number => encode(OPS[name]!, o);
function li(rd: number, v: number): number[] {
  const hi = (v + 0x800) & 0xfffff000;
  return [e('lui', { rd, imm: hi | 0 }), e('addi', { rd, rs1: rd, imm: (v - hi) | 0 })];
}

const LOADS = [['lb', 1], ['lbu', 1], ['lh', 2], ['lhu', 2], ['lw', 4]] as const;
const STORES = [['sb', 1], ['sh', 2], ['sw', 4]] as const;

/** One access of the traffic: a load (logged) or a store of `value`. */
interface Access { load: boolean; op: string; width: number; addr: number; value: number }

interface Frame {
  /**
   * Ranges a DMA operand may name: [base, end) of memory the frame has, and of memory it has
   * not. Code is left out (the twin's differs), so are the logs and the scratch.
   */
  inside: readonly [number, number][];
  outside: readonly [number, number][];
  zero: number;
  wscr: number;
  log: number;
}

const ROOT_FRAME: Frame = {
  inside: [[RAM + 0x100, RAM_DMA_END]],
  outside: [[C_RAM, C_RAM + 0x100], [C_INPUT, C_INPUT + 0x100], [0xf001_0000, 0xf001_0100]],
  zero: SCRATCH, wscr: SCRATCH + 0x800, log: ROOT_LOG,
};
const CHILD_FRAME: Frame = {
  inside: [[C_RAM, C_DMA_END], [C_INPUT, C_INPUT + ISIZE]],
  outside: [[RAM, RAM + RAM_SIZE], [ROOT_CODE + 0x4000, ROOT_CODE + 0x4100], [0xf003_0000, 0xf003_0100]],
  zero: C_ZERO, wscr: C_WSCR, log: C_LOG,
};

/** An operand value for register `doc`: an address (in or out of the frame), a length, a code or any word. */
function operand(rng: Rng, f: Frame, name: string, doc: string): number {
  const pick = (rs: readonly [number, number][]): number => {
    const [b, end] = rs[rng.below(rs.length)]!;
    return rng.chance(0.2) ? end - 1 - rng.below(64) : b + rng.below(end - b);
  };
  if (/address/i.test(doc)) {
    const r = rng.next() % 100;
    if (r < 65) return pick(f.inside) >>> 0;
    if (r < 85) return pick(f.outside) >>> 0;
    return r < 92 ? 0 : rng.next();
  }
  if (/LEN|CAP|COUNT|POS|INDEX|MARK/.test(name) || /length|capacity|offset/i.test(doc)) {
    const r = rng.next() % 100;
    return r < 70 ? rng.below(200) : r < 90 ? rng.below(0x400) : r < 95 ? 0x2_0000 + rng.below(1 << 20) : rng.next();
  }
  return rng.chance(0.5) ? rng.below(64) : rng.next();
}

/** A register word of `map` (any word of a bank). */
function regWord(rng: Rng, map: DeviceMap): { off: number; name: string; doc: string; access: string } {
  const r = map.regs[rng.below(map.regs.length)]!;
  return { off: r.offset + 4 * rng.below(r.words ?? 1), name: r.name, doc: r.doc, access: r.access };
}

/** Random traffic for one frame: bursts that program a command device, and stray accesses. */
function traffic(rng: Rng, f: Frame, maps: readonly DeviceMap[], n: number, faults: number): Access[] {
  const out: Access[] = [];
  const store = (addr: number, value: number, width?: number): void => {
    const [op, w] = width === undefined ? STORES[rng.below(3)]! : STORES.find((s) => s[1] === width)!;
    out.push({ load: false, op, width: w, addr: addr >>> 0, value: value | 0 });
  };
  const load = (addr: number, width?: number): void => {
    const [op, w] = width === undefined ? LOADS[rng.below(5)]! : LOADS.find((s) => s[1] === width)!;
    out.push({ load: true, op, width: w, addr: addr >>> 0, value: 0 });
  };
  while (out.length < n) {
    const map = maps[rng.below(maps.length)]!;
    const r = rng.next() % 100;
    if (r < 45 && map.commands.length > 0) {
      // A burst: operands, a command (mostly a defined one), then STATUS and results read back.
      for (let k = rng.below(5); k > 0; k--) {
        const w = regWord(rng, map);
        if (w.access !== 'r') store(map.base + w.off, operand(rng, f, w.name, w.doc), 4);
      }
      const code = rng.chance(0.85) ? map.commands[rng.below(map.commands.length)]!.value : rng.chance(0.5) ? rng.below(256) : rng.next();
      store(map.base, code, rng.chance(0.9) ? 4 : undefined);
      load(map.base + 4, 4);
      for (let k = rng.below(4); k > 0; k--) load(map.base + regWord(rng, map).off, 4);
    } else if (r < 75) {
      // A register, any width, sometimes misaligned (then the access may span two words).
      const w = regWord(rng, map);
      const addr = map.base + w.off + (rng.chance(0.25) ? 1 + rng.below(3) : 0);
      if (rng.chance(0.5)) load(addr);
      else store(addr, operand(rng, f, w.name, w.doc));
    } else if (r < 100 - faults) {
      // Elsewhere in the device's 64 KiB block: outside its register window.
      const addr = map.base + map.size + rng.below(0x1_0000 - map.size - 4);
      if (rng.chance(0.5)) load(addr); else store(addr, rng.next());
    } else {
      // Across the end of the block: a fault, which ends the frame.
      const addr = map.base + 0x1_0000 - 1 - rng.below(2);
      if (rng.chance(0.5)) load(addr, 4); else store(addr, rng.next(), 4);
    }
  }
  return out;
}

/**
 * The code of `acc`. `twin`: accesses that land wholly in a device the frame may not touch go
 * to scratch RAM instead (loads from zeros, stores to a dump), everything else as it is.
 */
function code(acc: readonly Access[], f: Frame, devices: readonly Device[], perm: number, twin: boolean): number[] {
  const words: number[] = [...li(S1, f.log)];
  let logged = 0;
  for (const a of acc) {
    let addr = a.addr;
    if (twin) {
      const d = devices.find((x) => addr >= x.base && addr + a.width <= x.end);
      if (d !== undefined && (specPerm(d) & ~perm) !== 0) addr = (a.load ? f.zero : f.wscr) + (addr & 3) + 8 * (logged & 15);
    }
    words.push(...li(T1, addr));
    if (a.load) {
      words.push(e(a.op, { rd: T3, rs1: T1, imm: 0 }), e('sw', { rs1: S1, rs2: T3, imm: 4 * logged }));
      logged++;
    } else {
      words.push(...li(T2, a.value), e(a.op, { rs1: T1, rs2: T2, imm: 0 }));
    }
  }
  return words;
}

/** The PSET bits a device needs, from its register map (the spec), not from the device. */
const specPerm = (d: Device): number => DEVICE_MAPS.find((m) => m.name === d.name)!.perm.reduce((s, p) => s | PERM_VALUES[p], 0);

const loadsOf = (acc: readonly Access[]): number => acc.filter((a) => a.load).length;

interface FuzzCase {
  seed: number;
  rootPerm: number;
  rootGas: number;
  childAsk: number;
  childGas: number;
  time: bigint;
  root: Access[];
  child: Access[];
}

function makeCase(seed: number, maps: readonly DeviceMap[]): FuzzCase {
  const rng = new Rng(seed);
  const rootPerm = rng.chance(0.6) ? 0x3f & ~(rng.chance(0.5) ? 0 : 1 << rng.below(6)) : rng.below(64);
  const rootGas = rootPerm & PermBit.INFINITE_GAS ? GAS_INFINITE : rng.chance(0.15) ? 200 + rng.below(3000) : 200_000 + rng.below(1_000_000);
  const childAsk = rng.chance(0.3) ? 0x3f : rng.below(64);
  const childGas = rng.chance(0.2) ? rng.below(3000) : rng.chance(0.1) ? rng.next() : 100_000 + rng.below(500_000);
  return {
    seed, rootPerm, rootGas, childAsk, childGas, time: (BigInt(rng.next()) << 32n) | BigInt((rng.next() | 1) >>> 0),
    // Faults end a frame: rarer in the root, which must reach its EVAL.
    root: traffic(rng, ROOT_FRAME, maps, 10 + rng.below(40), 1),
    child: traffic(rng, CHILD_FRAME, maps, 10 + rng.below(60), 3),
  };
}

/** The root's program and memory; `twin` redirects the accesses the frames may not make. */
function build(c: FuzzCase, devices: readonly Device[], twin: boolean, childPerm: number): { mem: AddressSpace; entry: number; sp: number } {
  const rng = new Rng(c.seed ^ 0x5eed);
  // t1 held the last address (the twin's differ): cleared before the EVAL.
  const root = [...code(c.root, ROOT_FRAME, devices, c.rootPerm, twin), e('addi', { rd: T1, rs1: 0, imm: 0 }), ...li(S0, DESC), e('eval', { rd: A0, rs1: S0 }), ...li(A7, 93), e('ecall')];
  const child = [...code(c.child, CHILD_FRAME, devices, childPerm, twin), ...li(A0, C_LOG), ...li(A1, 4 * loadsOf(c.child)), e('return', { rs1: A0, rs2: A1 })];
  const mem = new AddressSpace();
  const rom = new Uint8Array(root.length * 4);
  const rv = new DataView(rom.buffer);
  root.forEach((w, i) => rv.setUint32(4 * i, w >>> 0, true));
  mem.add(new Region('code', 'code', ROOT_CODE, rom.length, Perm.R | Perm.X, rom));
  const ram = new Uint8Array(RAM_SIZE);
  for (let i = 0; i < RAM_SIZE; i++) ram[i] = rng.next() & 0xff;
  const dv = new DataView(ram.buffer);
  child.forEach((w, i) => dv.setUint32(CHILD_CODE - RAM + 4 * i, w >>> 0, true));
  const fields: [number, number][] = [
    [Desc.PSET, c.childAsk], [Desc.CSTART, CHILD_CODE], [Desc.CSIZE, child.length * 4], [Desc.ISTART, INPUT], [Desc.ISIZE, ISIZE],
    [Desc.OSTART, OUT], [Desc.OSIZE, OSIZE], [Desc.GAS, c.childGas], [Desc.NSTART, 0], [Desc.NSIZE, 0], [Desc.RAMSIZE, C_RAMSIZE],
  ];
  for (const [off, v] of fields) dv.setUint32(off, v >>> 0, true);
  ram.fill(0, ROOT_LOG - RAM, ROOT_LOG - RAM + 4 * loadsOf(c.root));
  mem.add(new Region('ram', 'ram', RAM, RAM_SIZE, Perm.R | Perm.W, ram));
  mem.add(new Region('scratch', 'ram', SCRATCH, SCRATCH_SIZE, Perm.R | Perm.W, new Uint8Array(SCRATCH_SIZE)));
  return { mem, entry: ROOT_CODE, sp: RAM + RAM_SIZE };
}

interface Run {
  end: FrameEnd | null;
  thrown: string | null;
  x: number[];
  pc: number;
  gas: number;
  retired: number;
  /** sha256 of the root's RAM but the child's code (the twin's code differs; no DMA reads code). */
  memory: string;
  ram: Uint8Array;
  /** The parent's RAM when the child was created, and the child's actual PSET (null: no child). */
  atEval: Uint8Array | null;
  childPerm: number | null;
  stats: string;
  regs: string;
  console: string;
}

/** The device registers by name, time excepted (busy, done_at). */
function devRegs(sig: Signals): string {
  const o: Record<string, number> = {};
  sig.names.forEach((n, i) => { if (n.startsWith('evm.dev.') && !/\.(busy|done_at)$/.test(n)) o[n] = sig.read(n); void i; });
  return JSON.stringify(o);
}

function runOnce(c: FuzzCase, model: ModelKind, twin: boolean, childPerm: number): Run {
  const bytes: number[] = [];
  // A time other than 0, so that a timer read the zero response should have answered shows.
  const devices = standardDevices({ time: c.time, console: (b) => { for (const x of b) bytes.push(x); } });
  const prog = build(c, devices, twin, childPerm);
  const m = createModel(model, { ...prog, symbols: [] }, { devices, pset: c.rootPerm, gas: c.rootGas });
  if (m instanceof Iss && c.seed & 1) m.hot = 0;
  // The root ends with exit(a0): a0 is the child's EVAL status.
  const host = { exitCode: null as number | null, ecall(s: { x: Int32Array }): boolean { this.exitCode = s.x[A0]!; return true; } };
  const cm = new CallManager(m, host);
  const ramOf = (): Uint8Array => prog.mem.find(RAM, 1, 0)!.u8;
  let atEval: Uint8Array | null = null, cp: number | null = null;
  cm.onEnter = (kind, depth, perm) => { if (kind === 'eval' && depth === 1) { atEval = ramOf().slice(); cp = perm; } };
  let end: FrameEnd | null = null, thrown: string | null = null;
  try {
    end = cm.run({ maxInstructions: 200_000, maxCycles: 20_000_000 });
    for (const d of devices) if (d instanceof DebugConsole) d.flush();
  } catch (err) {
    thrown = err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err);
  }
  const h = createHash('sha256');
  h.update(ramOf().subarray(0, CHILD_CODE - RAM));
  const sig = m instanceof Iss ? m.deviceSignals! : (m as Core).sig;
  return {
    end, thrown, x: Array.from(m.x), pc: m.pc >>> 0, gas: m.gasUsed, retired: m.retired, memory: h.digest('hex'), ram: ramOf().slice(),
    atEval, childPerm: cp, stats: JSON.stringify(deviceStats(devices)), regs: devRegs(sig), console: Buffer.from(bytes).toString('hex'),
  };
}

/** The fields two runs must agree in (a run stopped at a limit has charged what it has not retired). */
function state(r: Run): Record<string, unknown> {
  const limited = r.end?.kind === 'limit';
  return { end: r.end, thrown: r.thrown, x: r.x, pc: limited ? null : r.pc, gas: limited ? null : r.gas, memory: limited ? null : r.memory, stats: r.stats, regs: r.regs, console: r.console };
}

function checkCase(seed: number, models: readonly ModelKind[] = ['iss', 'cycle']): { violations: string[]; end: string; childStatus: number | null; ops: number } {
  const maps = DEVICE_MAPS.filter((mp) => standardDevices().some((d) => d.name === mp.name));
  const c = makeCase(seed, maps);
  const v: string[] = [];
  const first = runOnce(c, models[0]!, false, 0);
  const childPerm = first.childPerm ?? (c.childAsk & c.rootPerm & 0x3f);
  const runs = [first, ...models.slice(1).map((m) => runOnce(c, m, false, childPerm))];
  for (const [i, r] of runs.entries()) if (r.thrown !== null) v.push(`${models[i]}: the host threw: ${r.thrown}`);
  // Both models: the same end state, devices included.
  for (let i = 1; i < runs.length; i++) {
    const a = state(runs[0]!), b = state(runs[i]!);
    for (const k of Object.keys(a)) if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) v.push(`${models[0]} and ${models[i]} differ in ${k}: ${JSON.stringify(a[k]).slice(0, 200)} vs ${JSON.stringify(b[k]).slice(0, 200)}`);
  }
  // The twin: what the frames could not touch, untouched — the same end state.
  // (t1 holds the address of the last access: a redirected one, in a frame stopped by a trap.)
  const twin = runOnce(c, models[0]!, true, childPerm);
  const a = state(first), b = state(twin);
  (a.x as number[])[T1] = (b.x as number[])[T1] = 0;
  for (const k of Object.keys(a)) if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) v.push(`accesses without permission made a difference in ${k}: ${JSON.stringify(a[k]).slice(0, 200)} vs ${JSON.stringify(b[k]).slice(0, 200)}`);
  // The zero response, directly: every logged load from a device the frame lacks is 0.
  const devices = standardDevices();
  const zeroCheck = (acc: readonly Access[], perm: number, log: Uint8Array | null, who: string): void => {
    if (log === null) return;
    const dv = new DataView(log.buffer, log.byteOffset, log.byteLength);
    let k = 0;
    for (const x of acc) {
      if (!x.load) continue;
      const d = devices.find((y) => x.addr >= y.base && x.addr + x.width <= y.end);
      if (d !== undefined && (specPerm(d) & ~perm) !== 0 && 4 * k + 4 <= log.length && dv.getInt32(4 * k, true) !== 0) v.push(`${who}: load ${k} from ${d.name} without permission read ${dv.getInt32(4 * k, true)}`);
      k++;
    }
  };
  const ram = first.ram;
  const evalDone = first.end?.kind === 'exit' && first.atEval !== null;
  if (evalDone) zeroCheck(c.root, c.rootPerm & 0x3f, ram.subarray(ROOT_LOG - RAM, ROOT_LOG - RAM + 4 * loadsOf(c.root)), 'root');
  const status = evalDone ? first.end!.kind === 'exit' ? (first.end as { code: number }).code : null : null;
  if (status === 0) zeroCheck(c.child, childPerm, ram.subarray(OUT - RAM, OUT - RAM + 4 * loadsOf(c.child)), 'child');
  // DMA: the parent's memory while the child ran, unchanged but for the output slice and RESULT/GASUSED.
  if (first.atEval !== null && first.end?.kind !== 'limit') {
    const before = first.atEval as Uint8Array;
    for (let i = 0; i < RAM_SIZE; i++) {
      const at = RAM + i;
      if (before[i] === ram[i] || (at >= OUT && at < OUT + OSIZE) || (at >= DESC + Desc.RESULT && at < DESC + Desc.BYTES)) continue;
      v.push(`the parent's memory changed at 0x${at.toString(16)} while its child ran`);
      break;
    }
  }
  const ops = Object.values(JSON.parse(first.stats) as Record<string, { ops: number }>).reduce((s, d) => s + d.ops, 0);
  return { violations: v, end: first.thrown !== null ? 'threw' : first.end?.kind ?? '?', childStatus: status, ops };
}

const SEED = 20261202;
const COUNT = Number(process.env.EVMINF_DEVICE_FUZZ_COUNT ?? 120);

// In chunks of CHUNK cases, so that the test worker reports between them on a loaded machine.
const CHUNK = 20;
const chunks = Array.from({ length: Math.ceil(COUNT / CHUNK) }, (_, i) => i);

describe('device fuzzing', () => {
  const t0 = Date.now();
  const ends: Record<string, number> = {}, statuses: Record<string, number> = {};
  let ops = 0;
  test.each(chunks)(`cases %i of ${chunks.length}: random device traffic from random frames, on both models`, (i) => {
    for (let k = i * CHUNK; k < Math.min(COUNT, (i + 1) * CHUNK); k++) {
      const seed = (SEED + 7919 * k) >>> 0;
      const r = checkCase(seed);
      expect(r.violations, `seed ${seed}`).toEqual([]);
      ends[r.end] = (ends[r.end] ?? 0) + 1;
      statuses[String(r.childStatus)] = (statuses[String(r.childStatus)] ?? 0) + 1;
      ops += r.ops;
    }
  }, 120_000);

  test(`the ${COUNT} cases reached the interesting outcomes`, () => {
    console.log(`device fuzz: ${COUNT} cases in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${ops} device operations, ends ${JSON.stringify(ends)}, child statuses ${JSON.stringify(statuses)}`);
    // Children that finish and read back (status 0), children that fault or run out of gas,
    // and real device work.
    expect(statuses['0'] ?? 0).toBeGreaterThan(COUNT / 10);
    expect(Object.keys(statuses).length).toBeGreaterThan(2);
    expect(ops).toBeGreaterThan(COUNT);
  });
});
