// An RTL core's RVFI stream against the model: record k of the trace must equal the model's
// k-th retired instruction, field by field, until both end. Memory fields are compared as bytes,
// so a core that reports word-aligned addresses with shifted masks matches the model's
// byte-address convention.

import type { ModelKind } from '../cpu/machine.js';
import type { Difference, EquivResult } from './report.js';
import { diffRvfi, emptyRecord, type RvfiRecord } from '../waveforms/rvfi.js';
import type { RvfiSource } from '../waveforms/rvfi-source.js';
import { hex8, ModelStepper, type StepperOptions } from './stepper.js';

export interface RvfiEquivOptions extends StepperOptions {
  model: ModelKind;
  /** Fields not compared. */
  ignore?: ReadonlySet<string>;
  /** Accept a trace that stops before the program ends (a simulation cut short). */
  partial?: boolean;
  maxInstructions?: number;
}

/** The model as a stream of RVFI records (a trapping instruction gives a last record with trap = 1). */
class ModelRvfi {
  finished = false;
  private readonly rec = emptyRecord();
  constructor(readonly s: ModelStepper) {}

  next(): RvfiRecord | null {
    if (this.finished) return null;
    const s = this.s;
    if (s.step()) {
      if (s.end !== null) this.finished = true;
      return s.rvfi(this.rec);
    }
    this.finished = true;
    return s.trapRecord(this.rec);
  }
}

export function equivRvfi(elf: Uint8Array, src: RvfiSource, refName: string, opts: RvfiEquivOptions): EquivResult {
  const t0 = performance.now();
  const s = new ModelStepper(elf, opts.model, opts);
  const m = new ModelRvfi(s);
  const ignore = opts.ignore ?? new Set<string>();
  const max = opts.maxInstructions ?? Number.MAX_SAFE_INTEGER;
  const result = (k: number, divergence: EquivResult['divergence'], limited = false): EquivResult => ({
    ref: refName, model: opts.model, equal: divergence === null, limited, instructions: k, exitCode: s.exitCode(), refExitCode: null,
    stdoutBytes: s.stdout().length, divergence, seconds: (performance.now() - t0) / 1000,
  });
  try {
    let k = 0;
    for (;; k++) {
      const ref = src.next();
      if (ref === null) break;
      if (k >= max) return result(k, { index: k, pc: s.pc, insn: null, reason: `stopped at the limit of ${max} instructions`, diffs: [], recent: s.recent() }, true);
      const mod = m.next();
      if (mod === null) {
        return result(k, {
          index: k, pc: ref.pc_rdata, insn: ref.insn, diffs: [], recent: s.recent(),
          reason: `the model has ended (${s.describeEnd()}) but the trace goes on (${src.where()})`,
        });
      }
      const d = diffRvfi(ref, mod, ignore);
      if (d.length > 0) {
        const diffs: Difference[] = d.map((x) => ({ name: x.field, ref: x.ref, model: x.model }));
        const what = d.length === 1 ? `${d[0]!.field} differs` : `${d.length} fields differ (${d.map((x) => x.field).join(', ')})`;
        return result(k, { index: k, pc: mod.pc_rdata, insn: mod.insn, diffs, recent: s.recent(), reason: `${what} (${src.where()})` });
      }
    }
    if (!m.finished && !opts.partial) {
      const next = m.next();
      if (next !== null) {
        return result(k, {
          index: k, pc: next.pc_rdata, insn: next.insn, diffs: [], recent: s.recent(),
          reason: `the trace ends after ${k} records; the model goes on at pc ${hex8(next.pc_rdata)} (accept a cut-short trace with --partial)`,
        });
      }
    }
    return result(k, null);
  } finally {
    src.close();
  }
}
