// evminf run --log-commits FILE / --rvfi FILE / --inject-fault OP:N: the run goes through the
// retire port (waveforms/retire.ts), which reports every retired instruction. Runs without these
// options never build it, so the models' fast loops are unchanged.

import type { Core } from '../cpu/core.js';
import type { Iss } from '../cpu/iss.js';
import type { RunResult } from '../cpu/runner.js';
import { FaultSpecError, parseFault, RetireTap } from '../waveforms/retire.js';
import { TraceSinks } from '../waveforms/trace-out.js';
import { EXIT } from '../cpu/exit-codes.js';
import { UserError } from './user-error.js';

export interface TraceRunArgs {
  'log-commits'?: string;
  rvfi?: string;
  'inject-fault'?: string;
}

export interface TracedRun {
  /** Run this instead of the model. */
  readonly tap: RetireTap;
  /** Write the last records (halt, or the trapping instruction) and close the files. */
  finish(r: RunResult | null): void;
}

/** Null when the run needs no retire port. */
export function openTraces(model: Iss | Core, a: TraceRunArgs): TracedRun | null {
  if (a['log-commits'] === undefined && a.rvfi === undefined && a['inject-fault'] === undefined) return null;
  let fault = null;
  try {
    fault = a['inject-fault'] === undefined ? null : parseFault(a['inject-fault']);
  } catch (e) {
    if (e instanceof FaultSpecError) throw new UserError(e.message, EXIT.USAGE);
    throw e;
  }
  let sinks: TraceSinks;
  try {
    sinks = new TraceSinks({ commitLog: a['log-commits'], rvfi: a.rvfi });
  } catch (e) {
    throw new UserError(`${(e as NodeJS.ErrnoException).path ?? 'trace'}: cannot write (${(e as NodeJS.ErrnoException).code ?? 'error'})`, EXIT.NO_FILE);
  }
  const tap = new RetireTap(model, sinks.sink, fault);
  return {
    tap,
    finish(r: RunResult | null): void {
      if (r === null) { sinks.close(); return; }
      tap.flushFrames();
      const insn = r.reason === 'trap' ? model.mem.readWord(r.pc) : null;
      sinks.finish({ reason: r.reason, pc: r.pc, insn: insn === null ? null : insn >>> 0 }, tap.records);
    },
  };
}
