// Model construction: the same loaded program on the ISS, the timing model or the cycle-accurate
// core, every model loaded (cpu/models.ts: the kinds, the root frame, and openModel, which loads
// only the one it builds).

import { Core } from './core.js';
import { Iss } from './iss.js';
import { enterRoot, type ModelKind, type RootOptions } from './models.js';
import type { LoadedProgram } from './program.js';
import type { CpuModel } from './runner.js';
import { TimedIss } from './timing.js';

export { enterRoot, MODEL_KINDS, openModel, ROOT_PSET, type ModelKind, type RootOptions } from './models.js';

export function createModel(kind: 'cycle', prog: LoadedProgram, opts?: RootOptions): Core;
export function createModel(kind: 'iss', prog: LoadedProgram, opts?: RootOptions): Iss;
export function createModel(kind: 'fast', prog: LoadedProgram, opts?: RootOptions): TimedIss;
export function createModel(kind: ModelKind, prog: LoadedProgram, opts?: RootOptions): Core | Iss;
export function createModel(kind: ModelKind, prog: LoadedProgram, opts: RootOptions = {}): Core | Iss {
  return enterRoot(kind === 'cycle' ? new Core(prog.mem, opts) : kind === 'fast' ? new TimedIss(prog.mem, opts) : new Iss(prog.mem, opts.devices ?? []), prog, opts);
}

export type { CpuModel };
