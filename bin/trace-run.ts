// evminf run --log-commits FILE / --rvfi FILE / --inject-fault OP:N: the run goes through the
// retire port (waveforms/retire.ts), which reports every retired instruction. Runs without these
// options never build it, so the models' fast loops are unchanged. Each file has its own sink,
// so that a write error names the file it happened in.

import type { Core } from '../cpu/core.js';
import type { Iss } from '../cpu/iss.js';
import type { RunResult } from '../cpu/runner.js';
import { parseFault, RetireTap } from '../waveforms/retire.js';
import { TraceSinks } from '../waveforms/trace-out.js';
import { EXIT } from '../cpu/exit-codes.js';
import { writeFailure } from './io.js';
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

/** An error from writing `path` as the one-line error it should be. */
function failed(e: unknown, path: string): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? writeFailure(code, path) : e;
}

function openSinks(paths: { commitLog?: string; rvfi?: string }, path: string): TraceSinks {
  try {
    return new TraceSinks(paths);
  } catch (e) {
    throw new UserError(`${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? 'error'})`, EXIT.NO_FILE);
  }
}

/** Null when the run needs no retire port. */
export function openTraces(model: Iss | Core, a: TraceRunArgs): TracedRun | null {
  if (a['log-commits'] === undefined && a.rvfi === undefined && a['inject-fault'] === undefined) return null;
  const fault = a['inject-fault'] === undefined ? null : parseFault(a['inject-fault']);
  const logPath = a['log-commits'] || undefined, rvfiPath = a.rvfi || undefined;
  const log = logPath === undefined ? null : openSinks({ commitLog: logPath }, logPath);
  let rvfi: TraceSinks | null = null;
  try {
    rvfi = rvfiPath === undefined ? null : openSinks({ rvfi: rvfiPath }, rvfiPath);
  } catch (e) {
    log?.close();
    throw e;
  }
  const tap = new RetireTap(model, (c, t) => {
    if (log !== null) try { log.sink(c, t); } catch (e) { throw failed(e, logPath!); }
    if (rvfi !== null) try { rvfi.sink(c, t); } catch (e) { throw failed(e, rvfiPath!); }
  }, fault);
  const each = (f: (s: TraceSinks) => void): void => {
    let first: unknown = null;
    for (const [s, p] of [[log, logPath], [rvfi, rvfiPath]] as const) {
      if (s === null) continue;
      try { f(s); } catch (e) { first ??= failed(e, p!); }
    }
    if (first !== null) throw first;
  };
  return {
    tap,
    finish(r: RunResult | null): void {
      if (r === null) { each((s) => s.close()); return; }
      tap.flushFrames();
      const insn = r.reason === 'trap' ? model.mem.readWord(r.pc) : null;
      each((s) => s.finish({ reason: r.reason, pc: r.pc, insn: insn === null ? null : insn >>> 0 }, tap.records));
    },
  };
}
