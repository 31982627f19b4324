// Writers of retired-instruction traces: Spike's commit log, RVFI as JSON lines, and RVFI as a
// VCD of rvfi_* signals (the waveform an RTL core's testbench would dump). Output is buffered
// and written in large chunks.

import { closeSync, openSync, writeSync } from 'node:fs';
import type { Commit } from '../cpu/iss.js';
import type { StopReason } from '../cpu/runner.js';
import { emptyRecord, RVFI_FIELDS, RVFI_WIDTHS, rvfiFromCommit, rvfiJsonLine, rvfiTrap, spikeCommitLine, type RvfiRecord } from './rvfi.js';
import type { RetireTap } from './retire.js';

const CHUNK = 1 << 16;

export class TextFile {
  private fd: number;
  private buf = '';

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  write(s: string): void {
    this.buf += s;
    if (this.buf.length >= CHUNK) this.flush();
  }

  flush(): void {
    if (this.buf.length === 0) return;
    const b = Buffer.from(this.buf);
    this.buf = '';
    let off = 0;
    while (off < b.length) off += writeSync(this.fd, b, off, b.length - off);
  }

  close(): void {
    if (this.fd < 0) return;
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
  }
}

export interface RvfiWriter {
  /** A record that retired in `cycle` (cycles increase; the ISS uses the instruction index). */
  record(r: RvfiRecord, cycle: number): void;
  close(): void;
}

export class RvfiJsonWriter implements RvfiWriter {
  private readonly f: TextFile;
  constructor(path: string) {
    this.f = new TextFile(path);
  }
  record(r: RvfiRecord): void {
    this.f.write(rvfiJsonLine(r));
  }
  close(): void {
    this.f.close();
  }
}

/** Time units per clock cycle: signals are driven at 10k (clock low) and sampled at 10k+5 (rising edge). */
export const RVFI_VCD_PERIOD = 10;

/**
 * RVFI as a VCD: module `rvfi` with `clock`, `rvfi_valid` and the rvfi_* ports (NRET = 1,
 * XLEN = 32). Each record is driven while the clock is low and sampled on the following rising
 * edge; cycles without a retirement have rvfi_valid = 0. Only changed values are written.
 */
export class RvfiVcdWriter implements RvfiWriter {
  private readonly f: TextFile;
  private readonly prev: number[];
  private lastCycle = -1;
  private validHigh = false;
  private static readonly IDS = ['"', ...RVFI_FIELDS.map((_, i) => String.fromCharCode(0x41 + i))];

  constructor(path: string, version = 'evminf') {
    this.f = new TextFile(path);
    const ids = RvfiVcdWriter.IDS;
    let h = `$version ${version} $end\n$timescale 1ns $end\n$scope module rvfi $end\n$var wire 1 ! clock $end\n$var wire 1 ${ids[0]} rvfi_valid $end\n`;
    RVFI_FIELDS.forEach((f, i) => { h += `$var wire ${RVFI_WIDTHS[f]} ${ids[i + 1]} rvfi_${f}${RVFI_WIDTHS[f] > 1 ? ` [${RVFI_WIDTHS[f] - 1}:0]` : ''} $end\n`; });
    h += '$upscope $end\n$enddefinitions $end\n#0\n$dumpvars\n0!\n0"\n';
    RVFI_FIELDS.forEach((f, i) => { h += RVFI_WIDTHS[f] === 1 ? `0${ids[i + 1]}\n` : `b0 ${ids[i + 1]}\n`; });
    h += '$end\n';
    this.f.write(h);
    this.prev = RVFI_FIELDS.map(() => 0);
  }

  private edge(cycle: number): void {
    this.f.write(`#${cycle * RVFI_VCD_PERIOD + RVFI_VCD_PERIOD / 2}\n1!\n`);
  }

  /** Idle cycles up to (not including) `cycle`. */
  private idle(cycle: number): void {
    for (let k = this.lastCycle + 1; k < cycle; k++) {
      this.f.write(`#${k * RVFI_VCD_PERIOD}\n0!\n`);
      if (this.validHigh) { this.f.write('0"\n'); this.validHigh = false; }
      this.edge(k);
    }
  }

  record(r: RvfiRecord, cycle: number): void {
    if (cycle <= this.lastCycle) cycle = this.lastCycle + 1;
    this.idle(cycle);
    let s = `#${cycle * RVFI_VCD_PERIOD}\n0!\n`;
    if (!this.validHigh) { s += '1"\n'; this.validHigh = true; }
    const ids = RvfiVcdWriter.IDS;
    for (let i = 0; i < RVFI_FIELDS.length; i++) {
      const f = RVFI_FIELDS[i]!;
      const v = r[f];
      if (v === this.prev[i]) continue;
      this.prev[i] = v;
      s += RVFI_WIDTHS[f] === 1 ? `${v}${ids[i + 1]}\n` : `b${v.toString(2)} ${ids[i + 1]}\n`;
    }
    this.f.write(s);
    this.edge(cycle);
    this.lastCycle = cycle;
  }

  close(): void {
    // One idle cycle so that the last record is followed by rvfi_valid = 0.
    if (this.lastCycle >= 0) this.idle(this.lastCycle + 2);
    this.f.close();
  }
}

export function openRvfiWriter(path: string): RvfiWriter {
  return /\.vcd$/i.test(path) ? new RvfiVcdWriter(path) : new RvfiJsonWriter(path);
}

/** How a traced run ended, for the last record: halt on exit/return/throw, a trap record on a trap. */
export interface TraceEnd {
  reason: StopReason;
  pc: number;
  /** The instruction word at pc (trap), or null when unmapped. */
  insn: number | null;
}

/** Commit log and RVFI sinks fed by a RetireTap; RVFI records wait one step to learn `halt`. */
export class TraceSinks {
  private readonly log: TextFile | null;
  private readonly rvfi: RvfiWriter | null;
  private readonly pending: RvfiRecord = emptyRecord();
  private pendingCycle = -1;
  private hasPending = false;

  constructor(paths: { commitLog?: string; rvfi?: string }) {
    this.log = paths.commitLog ? new TextFile(paths.commitLog) : null;
    this.rvfi = paths.rvfi ? openRvfiWriter(paths.rvfi) : null;
  }

  readonly sink = (c: Commit, tap: RetireTap): void => {
    this.log?.write(spikeCommitLine(c));
    if (this.rvfi === null) return;
    if (this.hasPending) this.rvfi.record(this.pending, this.pendingCycle);
    rvfiFromCommit(c, false, this.pending);
    const cyc = tap.cycles;
    this.pendingCycle = cyc === undefined ? c.order : cyc - 1;
    this.hasPending = true;
  };

  finish(end: TraceEnd | null, records: number): void {
    if (this.rvfi !== null) {
      const halt = end !== null && (end.reason === 'exit' || end.reason === 'return' || end.reason === 'throw');
      if (this.hasPending) {
        this.pending.halt = halt ? 1 : 0;
        this.rvfi.record(this.pending, this.pendingCycle);
        this.hasPending = false;
      }
      if (end !== null && end.reason === 'trap') this.rvfi.record(rvfiTrap(records, end.pc, end.insn ?? 0), this.pendingCycle + 1);
    }
    this.close();
  }

  close(): void {
    this.log?.close();
    this.rvfi?.close();
  }
}
