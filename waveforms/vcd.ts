// Waveform files: the VCD writer of waveforms/vcd-writer.ts on a file descriptor, and a
// waveform file written under a temporary name and renamed into place (WaveFile, VcdFile).

import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import type { Signals } from '../cpu/signals.js';
import { checkVcdOptions, selectSignals, VcdWriter as ChunkVcdWriter, VcdWriteError, type ChunkSink, type VcdOptions } from './vcd-writer.js';

export * from './vcd-writer.js';

/** Where the text goes: a file descriptor (written with writeSync) or a function taking chunks. */
export type VcdSink = number | ChunkSink;

/** A sink writing every chunk whole to `fd`; a failed write is a VcdWriteError with the errno code. */
export function fdSink(fd: number): ChunkSink {
  return (b) => {
    let off = 0;
    while (off < b.length) {
      try {
        off += writeSync(fd, b, off, b.length - off);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? 'error';
        if (code === 'EAGAIN') continue;
        throw new VcdWriteError(`cannot write the waveform (${code})`, code);
      }
    }
  };
}

/** The VCD writer (waveforms/vcd-writer.ts) on a file descriptor or a function. */
export class VcdWriter extends ChunkVcdWriter {
  constructor(sig: Signals, out: VcdSink, opts: VcdOptions = {}) {
    super(sig, typeof out === 'number' ? fdSink(out) : out, opts);
  }
}

/**
 * A waveform file written under a temporary name and renamed into place by `close()`, so a run
 * that fails to write it never leaves a truncated file under the name the user gave. The format
 * is the writer's (VcdFile, and FstFile in waveforms/fst.ts).
 */
export class WaveFile<W extends { close(): void }, O extends VcdOptions = VcdOptions> {
  readonly writer: W;
  private fd: number;
  private readonly tmp: string;

  /** Throws VcdOptionError for bad options, else the open error (an ErrnoException). */
  constructor(readonly path: string, sig: Signals, opts: O, make: (sig: Signals, fd: number, opts: O) => W) {
    checkVcdOptions(opts);
    selectSignals(sig, opts.scopes);
    this.tmp = `${path}.tmp-${process.pid}`;
    this.fd = openSync(this.tmp, 'w');
    try {
      this.writer = make(sig, this.fd, opts);
    } catch (e) {
      this.abort();
      throw e;
    }
  }

  /** Finish the dump and move it to its name. */
  close(): void {
    if (this.fd < 0) return;
    try {
      this.writer.close();
      closeSync(this.fd);
      this.fd = -1;
      renameSync(this.tmp, this.path);
    } catch (e) {
      this.abort();
      if (e instanceof VcdWriteError) throw e;
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      throw new VcdWriteError(`cannot write the waveform (${code})`, code);
    }
  }

  /** Drop the temporary file. */
  abort(): void {
    if (this.fd >= 0) {
      try { closeSync(this.fd); } catch { /* already closed */ }
      this.fd = -1;
    }
    try { unlinkSync(this.tmp); } catch { /* never created or already gone */ }
  }
}

/** A VCD file (WaveFile). */
export class VcdFile extends WaveFile<VcdWriter> {
  constructor(path: string, sig: Signals, opts: VcdOptions = {}) {
    super(path, sig, opts, (s, fd, o) => new VcdWriter(s, fd, o));
  }
}
