// Model construction: the same loaded program on the ISS or on the cycle-accurate core.

import { Core, type CoreOptions } from './core.js';
import { GAS_INFINITE } from './gas.js';
import { Iss } from './iss.js';
import { TimedIss } from './timing.js';
import { PermBit, PSET_DEFINED } from './perm.js';
import type { LoadedProgram } from './program.js';
import type { CpuModel } from './runner.js';

/** cycle: the unit-level pipeline; iss: the functional ISS; fast: the ISS with the pipeline's exact cycle count (cpu/timing.ts). */
export type ModelKind = 'cycle' | 'iss' | 'fast';
export const MODEL_KINDS: readonly ModelKind[] = ['cycle', 'iss', 'fast'];

/** The root frame's default permission set: every defined permission (docs/architecture.md). */
export const ROOT_PSET = PSET_DEFINED;

/** A model reset to the program's entry with sp at the initial stack pointer. */
export interface RootOptions extends CoreOptions {
  /** The root frame's permission set (default ROOT_PSET; bits beyond PSET_DEFINED are dropped). */
  pset?: number;
  /** The root frame's gas limit (default: infinite). */
  gas?: number;
}

export function createModel(kind: 'cycle', prog: LoadedProgram, opts?: RootOptions): Core;
export function createModel(kind: 'iss', prog: LoadedProgram, opts?: RootOptions): Iss;
export function createModel(kind: 'fast', prog: LoadedProgram, opts?: RootOptions): TimedIss;
export function createModel(kind: ModelKind, prog: LoadedProgram, opts?: RootOptions): Core | Iss;
export function createModel(kind: ModelKind, prog: LoadedProgram, opts: RootOptions = {}): Core | Iss {
  const m: Core | Iss = kind === 'cycle' ? new Core(prog.mem, opts) : kind === 'fast' ? new TimedIss(prog.mem, opts) : new Iss(prog.mem, opts.devices ?? []);
  m.pc = prog.entry;
  m.x[2] = prog.sp;
  m.x[10] = (prog.a0 ?? 0) | 0;
  m.x[11] = (prog.a1 ?? 0) | 0;
  // The one place the root PSET is masked: both models then hold the same set.
  m.perm = (opts.pset ?? ROOT_PSET) & PSET_DEFINED;
  // An infinite-gas frame is metered but never runs out, whatever limit it is given.
  m.gasLimit = m.perm & PermBit.INFINITE_GAS ? GAS_INFINITE : (opts.gas ?? GAS_INFINITE);
  return m;
}

export type { CpuModel };
