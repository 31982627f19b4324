// The models by kind and the root frame a program starts in. openModel builds a model after
// loading only its own module, so that a command line running the ISS never parses the
// unit-level pipeline or the timing model (a third of what `evminf run --model iss` loaded;
// docs/performance.md, start-up); createModel (cpu/machine.ts) builds any of them at once.

import type { Core, CoreOptions } from './core.js';
import { GAS_INFINITE } from './gas.js';
import type { Iss } from './iss.js';
import { PermBit, PSET_DEFINED } from './perm.js';
import type { LoadedProgram } from './program.js';
import type { TimedIss } from './timing.js';

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

/** A new model of `prog`'s memory, in the program's root frame: entry, stack, a0/a1, permissions and gas. */
export function enterRoot<M extends Core | Iss>(m: M, prog: LoadedProgram, opts: RootOptions): M {
  m.pc = prog.entry;
  m.x[2] = prog.sp;
  m.x[10] = (prog.a0 ?? 0) | 0;
  m.x[11] = (prog.a1 ?? 0) | 0;
  // The one place the root PSET is masked: every model then holds the same set.
  m.perm = (opts.pset ?? ROOT_PSET) & PSET_DEFINED;
  // An infinite-gas frame is metered but never runs out, whatever limit it is given.
  m.gasLimit = m.perm & PermBit.INFINITE_GAS ? GAS_INFINITE : (opts.gas ?? GAS_INFINITE);
  return m;
}

/** createModel, loading the one model's module first. */
export async function openModel(kind: 'cycle', prog: LoadedProgram, opts?: RootOptions): Promise<Core>;
export async function openModel(kind: 'iss', prog: LoadedProgram, opts?: RootOptions): Promise<Iss>;
export async function openModel(kind: 'fast', prog: LoadedProgram, opts?: RootOptions): Promise<TimedIss>;
export async function openModel(kind: ModelKind, prog: LoadedProgram, opts?: RootOptions): Promise<Core | Iss>;
export async function openModel(kind: ModelKind, prog: LoadedProgram, opts: RootOptions = {}): Promise<Core | Iss> {
  const m = kind === 'cycle' ? new (await import('./core.js')).Core(prog.mem, opts)
    : kind === 'fast' ? new (await import('./timing.js')).TimedIss(prog.mem, opts)
    : new (await import('./iss.js')).Iss(prog.mem, opts.devices ?? []);
  return enterRoot(m, prog, opts);
}
