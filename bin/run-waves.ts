// The waveforms and the line trace of `evminf run` (--vcd, --fst, --gtkw, --trace-pipeline):
// imported by bin/commands/run.ts only when a command line asks for one of them.

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Core } from '../cpu/core.js';
import type { Iss } from '../cpu/iss.js';
import { EXIT } from '../cpu/exit-codes.js';
import { LineTracer } from '../waveforms/linetrace.js';
import { attachVcd, checkVcdOptions, selectSignals, VcdOptionError, VcdWriter, VcdWriteError, type VcdOptions } from '../waveforms/vcd.js';
import { FstWriter } from '../waveforms/fst.js';
import { gtkwSave } from '../waveforms/gtkw.js';
import { OutputFile, out, writeFailure } from './io.js';
import { UserError } from './user-error.js';

/** The options of `evminf run` these read. */
export interface WaveArgs {
  vcd?: string;
  fst?: string;
  gtkw?: string;
  'vcd-scope'?: string[];
  'vcd-from'?: number;
  'vcd-to'?: number;
}

/** --trace-pipeline [FILE]: the cycle model's pipeline line trace, to FILE or to stderr. */
export function openLineTrace(model: Iss | Core, path: string): { close(): void; abort(): void } {
  if (!(model instanceof Core)) throw new UserError('--trace-pipeline needs the cycle model (--model cycle)', EXIT.USAGE);
  const file = path === '' || path === '-' ? null : new OutputFile(path);
  const tracer = new LineTracer(model, file === null ? (text) => out(2, text) : (text) => file.write(Buffer.from(text)));
  model.tracer = tracer;
  return {
    close: () => { tracer.flush(); file?.close(); },
    abort: () => file?.abort(),
  };
}

/** One waveform file of --vcd / --fst. */
function openWave(model: Core, path: string, fst: boolean, opts: VcdOptions): { close(): void; abort(): void } {
  const file = new OutputFile(path);
  const failed = (e: unknown): unknown => (e instanceof VcdWriteError ? writeFailure(e.code, path) : e);
  let writer: VcdWriter | FstWriter;
  try {
    writer = fst ? new FstWriter(model.sig, file.fd, opts) : new VcdWriter(model.sig, file.fd, opts);
    attachVcd(model, writer);
  } catch (e) {
    file.abort();
    if (e instanceof VcdOptionError) throw new UserError(`${path}: ${e.message}`, EXIT.USAGE);
    throw failed(e);
  }
  return {
    close: () => {
      try {
        writer.close();
      } catch (e) {
        file.abort();
        throw failed(e);
      }
      file.close();
    },
    abort: () => file.abort(),
  };
}

/** The translate filter a .gtkw names: node and this build's disasm-filter.js (GTKWave passes at most one argument). */
export function gtkwaveFilter(): string {
  const script = fileURLToPath(new URL('./disasm-filter.js', import.meta.url));
  const cmd = `${process.execPath} ${script}`;
  if (/\s/.test(process.execPath) || /\s/.test(script)) throw new UserError(`--gtkw: GTKWave cannot run a filter whose path has spaces (${cmd})`, EXIT.USAGE);
  return cmd;
}

/** --gtkw FILE: a GTKWave save file for the waveform `dump` (waveforms/gtkw.ts), written when the run ends. */
function openGtkw(model: Core, path: string, dump: string, opts: VcdOptions): { close(): void; abort(): void } {
  const text = gtkwSave(model.sig, { dumpfile: resolve(dump), filter: gtkwaveFilter(), scopes: opts.scopes });
  const file = new OutputFile(path);
  return {
    close: () => { file.write(Buffer.from(text)); file.close(); },
    abort: () => file.abort(),
  };
}

/** --vcd FILE / --fst FILE: the cycle model's signals as waveforms (docs/waveforms.md); a .fst name for --vcd writes FST. */
export function openVcd(model: Iss | Core, a: WaveArgs): { close(): void; abort(): void }[] {
  if (a.vcd === undefined && a.fst === undefined) {
    for (const k of ['vcd-scope', 'vcd-from', 'vcd-to', 'gtkw'] as const) if (a[k] !== undefined) throw new UserError(`--${k} needs --vcd FILE or --fst FILE`, EXIT.USAGE);
    return [];
  }
  const which = a.vcd !== undefined ? '--vcd' : '--fst';
  if (!(model instanceof Core)) throw new UserError(`${which} needs the cycle model (--model cycle)`, EXIT.USAGE);
  if (a.vcd === '') throw new UserError('--vcd needs a FILE', EXIT.USAGE);
  if (a.fst === '') throw new UserError('--fst needs a FILE', EXIT.USAGE);
  const opts: VcdOptions = { scopes: a['vcd-scope'], from: a['vcd-from'], to: a['vcd-to'] };
  // Options first: a bad one leaves no file behind.
  checkVcdOptions(opts);
  selectSignals(model.sig, opts.scopes);
  const waves: { close(): void; abort(): void }[] = [];
  try {
    if (a.vcd !== undefined) waves.push(openWave(model, a.vcd, /\.fst$/i.test(a.vcd), opts));
    if (a.fst !== undefined) waves.push(openWave(model, a.fst, true, opts));
    if (a.gtkw !== undefined) waves.push(openGtkw(model, a.gtkw, a.fst ?? a.vcd!, opts));
  } catch (e) {
    for (const w of waves) w.abort();
    throw e;
  }
  return waves;
}

/** A VcdWriteError escaping the run names the waveform file. */
export function runError(e: unknown, a: WaveArgs): unknown {
  return e instanceof VcdWriteError ? writeFailure(e.code, a.vcd ?? a.fst ?? 'waveform') : e;
}
