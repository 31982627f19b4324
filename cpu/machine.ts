// Model construction: the same loaded program on the ISS or on the cycle-accurate core.

import { Core, type CoreOptions } from './core.js';
import { Iss } from './iss.js';
import type { LoadedProgram } from './program.js';
import type { CpuModel } from './runner.js';

export type ModelKind = 'cycle' | 'iss';
export const MODEL_KINDS: readonly ModelKind[] = ['cycle', 'iss'];

/** The root frame's default permission set: every permission (docs/architecture.md). */
export const ROOT_PSET = 0xff;

/** A model reset to the program's entry with sp at the initial stack pointer. */
export function createModel(kind: 'cycle', prog: LoadedProgram, opts?: CoreOptions): Core;
export function createModel(kind: 'iss', prog: LoadedProgram): Iss;
export function createModel(kind: ModelKind, prog: LoadedProgram, opts?: CoreOptions): Core | Iss;
export function createModel(kind: ModelKind, prog: LoadedProgram, opts: CoreOptions = {}): Core | Iss {
  const m: Core | Iss = kind === 'cycle' ? new Core(prog.mem, opts) : new Iss(prog.mem);
  m.pc = prog.entry;
  m.x[2] = prog.sp;
  m.perm = ROOT_PSET;
  return m;
}

export type { CpuModel };
