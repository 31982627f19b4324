// Fast-forward into the cycle model (docs/timing.md, "Fast-forward"): run the timing model
// (cpu/timing.ts) up to a restart point before cycle N, build the cycle model's state there and
// go on in the unit-level pipeline, so that every signal from cycle N on is the full detailed
// run's.
//
// A restart point is a boundary where the next fetch waits for no older instruction: right
// after a taken branch or jump resolved in EX, a flush in WB, a frame switch, or reset. The
// timing of every later instruction is then that of a pipeline started empty there, and the
// architectural state (registers, memory, frames, devices, gas) is the ISS's. What an empty
// pipeline does not have is the older instructions' leftover signal values; they are all
// replaced once the first instruction after the point has gone through the five stages, except
// in units that are used rarely (the MDU, the branch unit, the LSU's load and store paths and
// its split-access register; the interrupt controller's count and the call-management unit's
// last op are handed over, their other outputs are pulses or idle between switches). So the point
// is moved back before the last use of each such unit before N, and no device work may be
// pending there.
//
// Two passes of the timing model, so that nothing is copied: a scout on a throwaway machine
// finds the point (it records restart points and unit uses as it goes); then the real machine
// runs the timing model up to that point's instruction count and hands over to the cycle model.

import { Core, type CoreOptions } from '../cpu/core.js';
import { type MemoryWaitStates } from '../cpu/bus.js';
import { CallManager, type RootHandler } from '../cpu/frames.js';
import { createModel, type RootOptions } from '../cpu/machine.js';
import type { LoadedProgram } from '../cpu/program.js';
import type { BusSlave } from '../peripherals/device.js';
import { NEVER } from '../peripherals/clock.js';
import { TimedIss } from '../cpu/timing.js';
import { DIV_CYCLES } from '../cpu/mdu.js';
import { LinuxHost } from '../cpu/host.js';
import { Debugger, type DebuggerOptions } from './debugger.js';

/** A fresh machine to run: the program loaded, its devices and the root frame's host. */
export interface Machine {
  prog: LoadedProgram;
  devices: readonly BusSlave[];
  host: RootHandler;
}

export interface FastForwardOptions extends RootOptions {
  /** The memory budget of the frames (RunLimits.memLimit). */
  memLimit?: number;
}

/** The cycle model, running from a restart point before `at`, and the frames it runs in. */
export interface FastForwarded {
  core: Core;
  /** Resume the run with it (RunLimits.resume). */
  cm: CallManager;
  /** The root frame's host (make('run')'s). */
  host: RootHandler;
  /** The restart point: the cycle the cycle model started after, and the instructions retired there. */
  cycle: number;
  instructions: number;
}

const maxOf = (ws: MemoryWaitStates | undefined): number => (ws === undefined ? 0 : typeof ws === 'number' ? ws : Math.max(0, ...Object.values(ws).map((w) => w ?? 0)));

/**
 * Cycles between a restart point and N: enough for the first instruction after it to pass
 * through every stage (a division, a split access with wait states, a load-use), so that no
 * pipeline register holds an older instruction's fields at N.
 */
export const fastForwardMargin = (opts: { waitStates?: MemoryWaitStates }): number => 16 + DIV_CYCLES + 4 * (1 + maxOf(opts.waitStates));

/**
 * Run `make('scout')` on the timing model to find the restart point for cycle `at`, then run
 * `make('run')` up to it and return the cycle model there (with `make('run')`'s devices and host).
 * The scout's machine must behave like the real one (its own memory, devices and host).
 */
export function fastForward(make: (pass: 'scout' | 'run') => Machine, at: number, opts: FastForwardOptions = {}): FastForwarded {
  const margin = fastForwardMargin(opts);
  const point = at - margin <= 0 ? null : scout(make('scout'), at - margin, opts);
  const m = make('run');
  if (point === null || point.instructions === 0) return startCore(m, opts);
  const fast = createModel('fast', m.prog, { ...opts, devices: m.devices });
  const cm = new CallManager(fast, m.host, { memLimit: opts.memLimit });
  const end = cm.run({ maxInstructions: point.instructions });
  if (end.kind !== 'limit' || fast.retired !== point.instructions) throw new Error(`fast-forward: the run ended before instruction ${point.instructions} (${end.kind})`);
  return { ...handOver(fast, cm, point.cycle, m.devices, opts), host: m.host, cycle: point.cycle, instructions: point.instructions };
}

/** The cycle model from reset (no restart point before N). */
function startCore(m: Machine, opts: FastForwardOptions): FastForwarded {
  const core = createModel('cycle', m.prog, { ...opts, devices: m.devices });
  const cm = new CallManager(core, m.host, { memLimit: opts.memLimit });
  return { core, cm, host: m.host, cycle: 0, instructions: 0 };
}

/**
 * A debugger on the cycle model stopped at cycle `at` (or where the program ended before it),
 * reached by fast-forward: `evminf step --at N`. make('run')'s host must be a LinuxHost without
 * a sink (the debugger's). Stepping back reaches the restart point, not cycle 0.
 */
export function debuggerAt(make: (pass: 'scout' | 'run') => Machine, at: number, opts: FastForwardOptions = {}, dbg: DebuggerOptions = {}): Debugger {
  const f = fastForward(make, at, opts);
  if (!(f.host instanceof LinuxHost)) throw new Error('debuggerAt: the machine\'s host must be a LinuxHost');
  const d = new Debugger(f.core, { ...dbg, host: f.host, calls: f.cm });
  d.run(at);
  return d;
}

/** The scout: the timing model with tracking, run until no instruction retires later than `until`. */
function scout(m: Machine, until: number, opts: FastForwardOptions): { cycle: number; instructions: number } | null {
  const fast = createModel('fast', m.prog, { ...opts, devices: m.devices });
  fast.track = true;
  fast.trackUntil = until;
  const cm = new CallManager(fast, m.host, { memLimit: opts.memLimit });
  // Translated blocks while far from the end; the last stretch one instruction at a time, stopping
  // before the first instruction that would retire after `until` (blocks check no cycle limit).
  const guard = 64 * (DIV_CYCLES + 2 * (2 + maxOf(opts.waitStates))) + 64;
  for (;;) {
    const left = until - guard - fast.cycles;
    if (left <= 0) break;
    const end = cm.run({ maxInstructions: fast.retired + Math.max(1, Math.floor(left / (DIV_CYCLES + 2 * (2 + maxOf(opts.waitStates))))) });
    if (end.kind !== 'limit') return fast.restartPoint();
  }
  cm.run({ maxCycles: until });
  return fast.restartPoint();
}

/** The cycle model holding the timing model's state at restart point cycle `cycle`. */
function handOver(fast: TimedIss, cm: CallManager, cycle: number, devices: readonly BusSlave[], opts: CoreOptions): { core: Core; cm: CallManager } {
  // Device work due by the restart point is done there (the scout checked none is later).
  if (fast.clock.next !== NEVER) fast.clock.fire(cycle - 1);
  if (fast.clock.next !== NEVER) throw new Error('fast-forward: device work pending at the restart point');
  const core = new Core(fast.mem, { ...opts, devices });
  // The devices now belong to the core: their registers (signals) move across by name.
  const from = fast.deviceSignals;
  if (from !== null) {
    for (let s = 0; s < from.names.length; s++) {
      const to = core.sig.slot(from.names[s]!);
      if (to !== undefined) core.v[to] = from.v[s]!;
    }
  }
  core.x.set(fast.x);
  core.pc = fast.pc;
  core.perm = fast.perm;
  core.gasCost = fast.gasCost;
  core.gasLimit = fast.gasLimit;
  core.gasUsed = fast.gasUsed;
  core.setDepth(cm.depth);
  core.v[core.intc.r_count] = fast.ecalls;
  core.v[core.cmu.o_op] = fast.frameOp;
  core.cycles = cycle;
  core.retired = fast.retired;
  cm.switchModel(core);
  return { core, cm };
}
