// The worker's side of the page: one loaded program on the cycle model, driven by the debugger
// (debug/debugger.ts: stepping, breakpoints, snapshots and stepping back), and what the page
// shows of it as plain data (ui/protocol.ts). Nothing here touches the DOM or Node, so the same
// session runs in a browser's worker and under Node (the tests and the bench drive it there).

import { assembleToElf } from '../isa/asm.js';
import type { Core, CycleTracer } from '../cpu/core.js';
import { GAS_INFINITE } from '../cpu/gas.js';
import { LinuxHost } from '../cpu/host.js';
import { createModel } from '../cpu/machine.js';
import { Perm } from '../cpu/memory.js';
import { PermBit } from '../cpu/perm.js';
import { DEFAULT_STACK_SIZE, loadElf, loadRom, STACK_TOP, type LoadedProgram } from '../cpu/program.js';
import type { Device } from '../peripherals/device.js';
import { DebugConsole } from '../peripherals/console.js';
import { HardDrive } from '../peripherals/hdd.js';
import { standardDevices } from '../peripherals/standard.js';
import { MemoryStore, hashKey } from '../peripherals/store.js';
import { TeeTracer, VcdWriter } from '../waveforms/vcd-writer.js';
import { Debugger, describeSessionEnd, type StopEvent } from '../debug/debugger.js';
import { BLOCK_RAM } from '../firmware/chain/format.js';
import type { DeviceView, DisLine, FrameView, LoadSpec, MachineState, RegionView, WaveWindow } from './protocol.js';

/** Steps between the debugger's snapshots: a back step replays at most this many. */
export const SNAPSHOT_EVERY = 1 << 16;
/** The most cycles one waveform window or VCD export covers. */
export const WAVE_MAX = 1 << 14;
/** Bytes of the memory window, and lines of the disassembly window. */
export const MEM_BYTES = 256;
export const DIS_LINES = 40;
const OUTPUT_KEPT = 16 << 10;
/** The memory budget of all live frames in the page (a browser tab holds less than a process). */
export const PAGE_MEM_LIMIT = 1 << 30;

/** INTERPRET_BLOCK's permission set (firmware/chain/chain.ts PSET_CONSENSUS). */
const PSET_CONSENSUS = PermBit.HARD_DRIVE | PermBit.CRYPTO;

const PSET_NAMES: readonly (readonly [number, string])[] = [
  [PermBit.SUBJECTIVE, 'SUBJECTIVE'], [PermBit.HARD_DRIVE, 'HARD_DRIVE'], [PermBit.CRYPTO, 'CRYPTO'],
  [PermBit.TIMER, 'TIMER'], [PermBit.INFINITE_GAS, 'INFINITE_GAS'], [PermBit.ALTER_GAS_TABLE, 'ALTER_GAS_TABLE'],
];
const psetNames = (p: number): string => PSET_NAMES.filter(([b]) => p & b).map(([, n]) => n).join('|') || '-';

/** The fields of cpu/frames.ts's Frame the view reads (as debug/gdbtarget.ts does). */
interface FrameFields {
  readonly kind: 'root' | 'eval' | 'handler';
  readonly perm: number;
  readonly depth: number;
  readonly pc: number;
  readonly gasUsed: number;
  readonly gasLimit: number;
}

/**
 * The hard drive's store as one file: records of a 32-byte key, a little-endian u32 length and
 * the value (ui/build.ts writes it for the block example).
 */
export function storeImage(entries: Iterable<readonly [Uint8Array, Uint8Array]>): Uint8Array {
  const parts: Uint8Array[] = [];
  let n = 0;
  for (const [k, v] of entries) {
    const rec = new Uint8Array(36 + v.length);
    rec.set(k, 0);
    new DataView(rec.buffer).setUint32(32, v.length, true);
    rec.set(v, 36);
    parts.push(rec);
    n += rec.length;
  }
  const out = new Uint8Array(n);
  n = 0;
  for (const p of parts) { out.set(p, n); n += p.length; }
  return out;
}

export function readStoreImage(b: Uint8Array): MemoryStore {
  const store = new MemoryStore();
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 0;
  while (p < b.length) {
    if (p + 36 > b.length) throw new Error('store image: truncated record');
    const len = dv.getUint32(p + 32, true);
    if (p + 36 + len > b.length) throw new Error('store image: truncated value');
    store.map.set(hashKey(b.subarray(p, p + 32)), b.slice(p + 36, p + 36 + len));
    p += 36 + len;
  }
  return store;
}

/** Records the picked signals at every clock edge in [from, to] (values hold between samples). */
class WaveRecorder implements CycleTracer {
  readonly values: number[][];
  private readonly prev: number[];
  private next: number;
  constructor(private readonly slots: readonly number[], private readonly masks: readonly number[], readonly from: number, readonly to: number, v: Int32Array) {
    this.values = slots.map(() => []);
    this.prev = slots.map((s, k) => (v[s]! & masks[k]!) >>> 0);
    this.next = from;
  }
  cycle(cycle: number, v: Int32Array): void {
    this.fill(Math.min(cycle, this.to + 1));
    if (cycle < this.from || cycle > this.to) return;
    const { slots, masks } = this;
    for (let k = 0; k < slots.length; k++) this.prev[k] = (v[slots[k]!]! & masks[k]!) >>> 0;
    this.fill(cycle + 1);
  }
  /** Carry the last values up to (not including) cycle `end`. */
  fill(end: number): void {
    for (; this.next < end; this.next++) for (let k = 0; k < this.slots.length; k++) this.values[k]!.push(this.prev[k]!);
  }
}

export class Session {
  readonly core: Core;
  readonly dbg: Debugger;
  readonly name: string;
  private output = '';
  private readonly decoder = new TextDecoder();
  private picked: string[] = [];
  private memAddr: number;
  private disAddr: number | null = null;
  private messages: string[] = [];
  private console: DebugConsole | undefined;
  private consoleShown = 0;

  constructor(readonly spec: LoadSpec) {
    this.name = spec.name;
    // Console bytes are shown once: a replay after stepping back writes them again, and only the
    // bytes beyond the most the console has ever sent are new (as bin/commands/gdb.ts does).
    const onConsole = (b: Uint8Array): void => {
      const end = this.console?.stats.bytes ?? this.consoleShown + b.length, start = end - b.length;
      if (end > this.consoleShown) this.append(b.subarray(Math.max(0, this.consoleShown - start)));
      this.consoleShown = Math.max(this.consoleShown, end);
    };
    let prog: LoadedProgram;
    let devices: Device[];
    let pset: number | undefined;
    if (spec.kind === 'block') {
      prog = loadRom(spec.rom, { input: spec.hash, ramSize: BLOCK_RAM, symbols: [...spec.symbols], memLimit: PAGE_MEM_LIMIT });
      devices = standardDevices({ console: onConsole, hardDrive: new HardDrive(readStoreImage(spec.store)) });
      pset = PSET_CONSENSUS;
    } else {
      const elf = spec.kind === 'source' ? assembleToElf(spec.text, { file: spec.name }) : spec.bytes;
      prog = loadElf(elf, DEFAULT_STACK_SIZE, STACK_TOP, PAGE_MEM_LIMIT);
      devices = standardDevices({ console: onConsole });
    }
    this.console = devices.find((x): x is DebugConsole => x instanceof DebugConsole);
    this.core = createModel('cycle', prog, { devices, pset });
    this.dbg = new Debugger(this.core, {
      host: new LinuxHost(),
      symbols: prog.symbols,
      snapshotEvery: SNAPSHOT_EVERY,
      memLimit: PAGE_MEM_LIMIT,
      onOutput: (_fd, b) => this.append(b),
    });
    this.memAddr = this.defaultMemAddr();
  }

  private append(b: Uint8Array): void {
    this.output += this.decoder.decode(b, { stream: true });
    if (this.output.length > 2 * OUTPUT_KEPT) this.output = this.output.slice(-OUTPUT_KEPT);
  }

  private defaultMemAddr(): number {
    const regions = this.core.mem.regions;
    const data = regions.find((r) => r.kind === 'ram') ?? regions.find((r) => r.kind === 'rom') ?? regions.find((r) => r.kind === 'stack');
    return data === undefined ? 0 : data.base;
  }

  // ---- moving ----

  /** The generator of a command that moves forward (the worker runs it in slices). */
  forward(cmd: { t: 'step'; n: number } | { t: 'stepi'; n: number } | { t: 'run' } | { t: 'runto'; cycle: number }): Generator<void, StopEvent> {
    const d = this.dbg;
    switch (cmd.t) {
      case 'step': return d.stepping(checkCount(cmd.n));
      case 'stepi': return d.steppingInstruction(checkCount(cmd.n));
      case 'run': return d.continuing();
      case 'runto': return d.runningTo(checkCycle(cmd.cycle));
    }
  }

  /** What a finished (or abandoned) command said; the console's buffered bytes are shown now. */
  stopped(ev: StopEvent): void {
    this.messages = ev.messages;
    this.console?.drain();
  }

  /** The signals the waveform shows. */
  get pickedSignals(): readonly string[] {
    return this.picked;
  }

  back(n: number): void {
    this.dbg.back(checkCount(n));
    this.messages = [];
  }

  /**
   * Back one instruction: to the first step at which one instruction fewer had retired — the
   * state just after the previous instruction retired (the inverse of a step instruction).
   */
  backInstruction(): void {
    const d = this.dbg, core = this.core, here = d.steps, r = core.retired;
    this.messages = [];
    if (r === 0 || here === 0) { d.goTo(0); return; }
    let lo = here;
    for (let span = 64; ; span *= 4) {
      lo = Math.max(0, here - span);
      d.goTo(lo);
      if (core.retired < r - 1 || lo === 0) break;
    }
    // Forward from lo to the first step with retired >= r - 1.
    while (core.retired < r - 1 && d.steps < here) d.goTo(d.steps + 1);
  }

  toggleBreakpoint(addr: number): void {
    const d = this.dbg;
    const p = d.breakpoints.find((b) => b.kind === 'breakpoint' && b.addr === addr >>> 0);
    if (p !== undefined) d.delete(p.id);
    else d.addBreakpoint(addr);
  }

  setView(mem: number | undefined, dis: number | null | undefined): void {
    if (mem !== undefined) this.memAddr = (mem >>> 0) & ~15;
    if (dis !== undefined) this.disAddr = dis === null ? null : (dis >>> 0) & ~3;
  }

  // ---- the waveform ----

  /** The hierarchy the waveform panel picks from. */
  hierarchy(): { names: string[]; widths: number[] } {
    return { names: this.core.sig.names.slice(), widths: this.core.sig.widths.slice() };
  }

  pick(names: readonly string[]): void {
    for (const n of names) if (this.core.sig.slot(n) === undefined) throw new Error(`no signal named ${n}`);
    this.picked = [...names];
  }

  /**
   * The picked signals at every clock edge from `from` to `to` (clamped to what has run):
   * replayed from the newest snapshot before `from` with a recorder as the core's tracer, then
   * back to where the model was — the same timeline, so the same values as a VCD of the run.
   */
  wave(from: number, to: number): WaveWindow {
    const { lo, hi } = this.window(from, to);
    const sig = this.core.sig;
    const slots = this.picked.map((n) => sig.slot(n)!);
    const widths = slots.map((s) => sig.widths[s]!);
    const masks = widths.map((w) => (w === 32 ? -1 : (1 << w) - 1));
    const rec = this.replay(lo, (v) => new WaveRecorder(slots, masks, lo, hi, v));
    rec.fill(hi + 1);
    return { from: lo, to: hi, names: this.picked.slice(), widths, values: rec.values };
  }

  /** The picked signals (all of them when none is picked) from `from` to `to` as a VCD file. */
  vcd(from: number, to: number): { from: number; to: number; text: string } {
    const { lo, hi } = this.window(from, to);
    const chunks: Uint8Array[] = [];
    const scopes = this.picked.length > 0 ? this.picked : undefined;
    const w = this.replay(lo, (v) => {
      const wr = new VcdWriter(this.core.sig, (b) => { chunks.push(b.slice()); }, { scopes, from: lo, to: hi });
      wr.cycle(this.core.cycles, v);
      return wr;
    });
    w.close();
    let text = '';
    const dec = new TextDecoder('latin1');
    for (const c of chunks) text += dec.decode(c);
    return { from: lo, to: hi, text };
  }

  private window(from: number, to: number): { lo: number; hi: number } {
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from) throw new Error(`bad window ${from}..${to}`);
    const hi = Math.min(to, this.core.cycles);
    const lo = Math.max(0, Math.min(from, hi), hi - WAVE_MAX + 1);
    return { lo, hi };
  }

  /** Go back to a step at or before cycle `from`, run to here again with `make(v)` as the tracer. */
  private replay<T extends CycleTracer>(from: number, make: (v: Int32Array) => T): T {
    const d = this.dbg, core = this.core, here = d.steps;
    let s = Math.max(0, here - (core.cycles - from));
    d.goTo(s);
    while (core.cycles > from && s > 0) {
      s = Math.max(0, s - (core.cycles - from));
      d.goTo(s);
    }
    const t = make(core.sig.v);
    const before = core.tracer;
    core.tracer = before === null ? t : new TeeTracer(before, t);
    try {
      d.goTo(here);
    } finally {
      core.tracer = before;
    }
    return t;
  }

  // ---- what the page shows ----

  state(): MachineState {
    const d = this.dbg, core = this.core, v = core.v, sig = core.sig;
    // The memory window shows the running frame's memory: after a frame switch, one of its regions.
    if (core.mem.find(this.memAddr, 1, 0) === null) this.memAddr = this.defaultMemAddr();
    const at = (name: string): number => v[sig.slot(name)!]!;
    const stages = d.stages()?.map((s) => ({
      ...s, text: s.insn === null ? '' : d.disassemble(s.insn, s.pc),
    })) ?? null;
    const end = d.ended;
    return {
      name: this.name,
      cycle: core.cycles,
      steps: d.steps,
      retired: core.retired,
      pc: d.pc,
      where: d.where(d.pc),
      ended: end === null ? null : describeSessionEnd(end),
      stages,
      fwdA: at('evm.core.hazard.fwd_a'),
      fwdB: at('evm.core.hazard.fwd_b'),
      loadUse: at('evm.core.hazard.load_use') === 1,
      redirect: at('evm.core.ex.redirect') === 1,
      regs: Array.from(core.x, (x) => x >>> 0),
      frames: this.frames(),
      gasUsed: core.retiredGas,
      gasLeft: core.gasLimit === GAS_INFINITE ? null : core.gasLimit - core.retiredGas,
      regions: core.mem.regions.map((r): RegionView => ({
        name: r.name, kind: r.kind, base: r.base, size: r.size,
        perm: (r.perm & Perm.R ? 'r' : '-') + (r.perm & Perm.W ? 'w' : '-') + (r.perm & Perm.X ? 'x' : '-'),
      })),
      memAddr: this.memAddr,
      mem: this.memory(this.memAddr),
      dis: this.disassembly(),
      breakpoints: d.breakpoints.flatMap((p) => (p.kind === 'breakpoint' ? [p.addr] : [])),
      devices: this.devices(),
      output: this.output.slice(-OUTPUT_KEPT),
      messages: this.messages,
    };
  }

  /** Every live frame, outermost first; the last one runs. */
  frames(): FrameView[] {
    const calls = this.dbg.calls, core = this.core;
    const stack = calls['stack'] as unknown as readonly FrameFields[];
    const running = calls['frame'] as unknown as FrameFields;
    const left = (used: number, limit: number): number | null => (limit === GAS_INFINITE ? null : limit - used);
    const out: FrameView[] = stack.map((f, i) => ({
      kind: f.kind, depth: f.depth, pset: f.perm, psetNames: psetNames(f.perm), gasUsed: f.gasUsed, gasLeft: left(f.gasUsed, f.gasLimit), pc: f.pc >>> 0, parent: i - 1, running: false,
    }));
    out.push({ kind: running.kind, depth: running.depth, pset: core.perm, psetNames: psetNames(core.perm), gasUsed: core.retiredGas, gasLeft: left(core.retiredGas, core.gasLimit), pc: this.dbg.pc, parent: stack.length - 1, running: true });
    return out;
  }

  private memory(addr: number): (number | null)[] {
    const out: (number | null)[] = [];
    const mem = this.core.mem;
    for (let i = 0; i < MEM_BYTES; i++) {
      const b = mem.peek((addr + i) >>> 0, 1);
      out.push(b === null ? null : b[0]!);
    }
    return out;
  }

  private disassembly(): DisLine[] {
    const d = this.dbg;
    const stages = d.stages();
    const center = this.disAddr ?? d.pc;
    const start = Math.max(0, center - 4 * Math.floor(DIS_LINES / 3)) >>> 0;
    const bps = new Set(d.breakpoints.flatMap((p) => (p.kind === 'breakpoint' ? [p.addr] : [])));
    const out: DisLine[] = [];
    for (let a = start, k = 0; k < DIS_LINES; k++, a = (a + 4) >>> 0) {
      const word = d.codeWord(a);
      if (word === null) { if (out.length > 0) break; continue; }
      const label = d.symbols.at(a) ?? '';
      const at = stages === null ? [] : stages.filter((s) => s.pc === a && s.state !== 'bubble').map((s) => s.stage);
      out.push({ addr: a, word, text: d.disassemble(word, a), label, breakpoint: bps.has(a), stages: at });
    }
    return out;
  }

  private devices(): DeviceView[] {
    const sig = this.core.sig, v = this.core.v;
    return (this.core.devices as readonly Device[]).map((dev) => {
      const names = sig.under(`evm.dev.${dev.name}`);
      const busySlot = sig.slot(`evm.dev.${dev.name}.busy`);
      return {
        name: dev.name,
        base: dev.base >>> 0,
        busy: busySlot !== undefined && v[busySlot] === 1,
        regs: names.map((n) => {
          const s = sig.slot(n)!, w = sig.widths[s]!;
          return { name: n.slice(`evm.dev.${dev.name}.`.length), value: w === 32 ? v[s]! >>> 0 : v[s]! & ((1 << w) - 1), width: w };
        }),
      };
    });
  }
}

function checkCount(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`a count must be a positive integer, not ${n}`);
  return n;
}

function checkCycle(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`a cycle must be a non-negative integer, not ${n}`);
  return n;
}
