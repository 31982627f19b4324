// Retired-instruction records in two outside formats:
//  - RVFI, the RISC-V Formal Interface (riscv-formal, docs/rvfi.md): one record per retired
//    instruction, written as JSON lines (or as a VCD of rvfi_* signals, waveforms/rvfi.ts);
//  - Spike's commit log (riscv-isa-sim `--log-commits`, riscv/execute.cc commit_log_print_insn):
//    `core   0: 3 0x<pc> (0x<insn>)` then ` x<rd> 0x<value>` for a register write (the number
//    left-aligned in two columns), ` mem 0x<addr>` for a load and ` mem 0x<addr> 0x<value>` for a
//    store (the value as many digits wide as the store's bytes).
// docs/rtl-testbench.md describes both for hardware designers.

import { decode } from '../isa/decode.js';
import { Op } from '../isa/table.js';
import type { Commit } from '../cpu/iss.js';
import { USES_RS1, USES_RS2 } from './retire.js';

/** RVFI fields in the order riscv-formal lists them; all hold unsigned values. */
export const RVFI_FIELDS = [
  'order', 'insn', 'trap', 'halt', 'rs1_addr', 'rs2_addr', 'rs1_rdata', 'rs2_rdata', 'rd_addr', 'rd_wdata',
  'pc_rdata', 'pc_wdata', 'mem_addr', 'mem_rmask', 'mem_wmask', 'mem_rdata', 'mem_wdata',
] as const;
export type RvfiField = (typeof RVFI_FIELDS)[number];
export type RvfiRecord = Record<RvfiField, number>;

/** Signal widths of the rvfi_* ports for XLEN = 32, NRET = 1. */
export const RVFI_WIDTHS: Readonly<Record<RvfiField, number>> = Object.freeze({
  order: 64, insn: 32, trap: 1, halt: 1, rs1_addr: 5, rs2_addr: 5, rs1_rdata: 32, rs2_rdata: 32, rd_addr: 5, rd_wdata: 32,
  pc_rdata: 32, pc_wdata: 32, mem_addr: 32, mem_rmask: 4, mem_wmask: 4, mem_rdata: 32, mem_wdata: 32,
});

export function emptyRecord(): RvfiRecord {
  const r = {} as RvfiRecord;
  for (const f of RVFI_FIELDS) r[f] = 0;
  return r;
}

/** Fill `r` from a retired instruction. Memory: mem_addr is the byte address, masks start at bit 0. */
export function rvfiFromCommit(c: Commit, halt: boolean, r: RvfiRecord = emptyRecord()): RvfiRecord {
  const op = decode(c.insn >>> 0);
  r.order = c.order;
  r.insn = c.insn >>> 0;
  r.trap = 0;
  r.halt = halt ? 1 : 0;
  r.rs1_addr = op !== Op.ILLEGAL && USES_RS1[op] ? c.rs1 : 0;
  r.rs2_addr = op !== Op.ILLEGAL && USES_RS2[op] ? c.rs2 : 0;
  r.rs1_rdata = r.rs1_addr === 0 ? 0 : c.rs1Value >>> 0;
  r.rs2_rdata = r.rs2_addr === 0 ? 0 : c.rs2Value >>> 0;
  r.rd_addr = c.rd;
  r.rd_wdata = c.rd === 0 ? 0 : c.rdValue >>> 0;
  r.pc_rdata = c.pc >>> 0;
  r.pc_wdata = c.nextPc >>> 0;
  const mask = c.memWidth === 0 ? 0 : (1 << c.memWidth) - 1;
  r.mem_addr = mask === 0 ? 0 : c.memAddr >>> 0;
  r.mem_rmask = c.memStore ? 0 : mask;
  r.mem_wmask = c.memStore ? mask : 0;
  r.mem_rdata = c.memStore || mask === 0 ? 0 : c.memValue >>> 0;
  r.mem_wdata = c.memStore ? c.memValue >>> 0 : 0;
  return r;
}

/** The record of an instruction that trapped and ended the run (no handler: pc_wdata = 0). */
export function rvfiTrap(order: number, pc: number, insn: number, r: RvfiRecord = emptyRecord()): RvfiRecord {
  for (const f of RVFI_FIELDS) r[f] = 0;
  r.order = order;
  r.insn = insn >>> 0;
  r.trap = 1;
  r.halt = 1;
  r.pc_rdata = pc >>> 0;
  return r;
}

export function rvfiJsonLine(r: RvfiRecord): string {
  let s = '{';
  for (let i = 0; i < RVFI_FIELDS.length; i++) {
    const f = RVFI_FIELDS[i]!;
    s += `${i === 0 ? '' : ','}"${f}":${r[f]}`;
  }
  return s + '}\n';
}

/** A trace the user supplied is malformed: one line, with where. */
export class TraceError extends Error {
  /** The exit code's name (cpu/exit-codes.ts EXIT) when this error ends an evminf command. */
  readonly exit = 'BAD_INPUT' as const;
}

/** A value from a trace, for a one-line message: short and printable. */
const brief = (s: string): string => (s.length > 60 ? s.slice(0, 57) + '...' : s).replace(/[^\x20-\x7e]/g, '?');

/** Parse one JSON line of an RVFI trace. Values are non-negative integers or "0x…" strings. */
export function parseRvfiLine(line: string, where: string): RvfiRecord {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    throw new TraceError(`${where}: not a JSON object: ${brief(line)}`);
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new TraceError(`${where}: not a JSON object`);
  const o = obj as Record<string, unknown>;
  const r = emptyRecord();
  for (const f of RVFI_FIELDS) {
    const v = o[f] ?? o[`rvfi_${f}`];
    if (v === undefined) throw new TraceError(`${where}: missing RVFI field ${f}`);
    let n: number;
    if (typeof v === 'number') n = v;
    else if (typeof v === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(v)) n = Number(v);
    else throw new TraceError(`${where}: field ${f} is not a number: ${brief(JSON.stringify(v) ?? String(v))}`);
    const max = RVFI_WIDTHS[f] >= 53 ? Number.MAX_SAFE_INTEGER : 2 ** RVFI_WIDTHS[f] - 1;
    if (!Number.isInteger(n) || n < 0 || n > max) throw new TraceError(`${where}: field ${f} = ${brief(String(v))} is out of range for ${RVFI_WIDTHS[f]} bits`);
    r[f] = n;
  }
  return r;
}

const h8 = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');

/** One line of Spike's commit log (privilege 3 = M: EVM∞ has one privilege level). The format is
 *  riscv-isa-sim's commit_log_print_insn: `core%4d: %1d `, the pc and `(insn)`, a register write as
 *  ` %c%-2d ` (`x5  0x…`, `x10 0x…`), a load as ` mem 0xADDR`, a store as ` mem 0xADDR 0xVALUE`
 *  with the value as wide as the store (commit_log_print_value: `0x%02x`, `0x%04x`, `0x%08x`). */
export function spikeCommitLine(c: Commit): string {
  let s = `core   0: 3 0x${h8(c.pc)} (0x${h8(c.insn)})`;
  if (c.rd !== 0) s += ` x${String(c.rd).padEnd(2, ' ')} 0x${h8(c.rdValue)}`;
  if (c.memWidth !== 0) {
    s += ` mem 0x${h8(c.memAddr)}`;
    if (c.memStore) {
      const v = c.memValue >>> 0;
      s += ' 0x' + (c.memWidth === 1 ? (v & 0xff).toString(16).padStart(2, '0') : c.memWidth === 2 ? (v & 0xffff).toString(16).padStart(4, '0') : h8(v));
    }
  }
  return s + '\n';
}

/** A field that differs between a reference record and the model's. */
export interface FieldDiff {
  field: string;
  ref: number;
  model: number;
}

/** Fields compared for a trapping instruction; the rest are implementation-defined there. */
const TRAP_FIELDS: ReadonlySet<string> = new Set(['order', 'insn', 'trap', 'halt', 'pc_rdata']);

/** Memory access as (first byte address, mask from bit 0, data from bit 0), so cores that report word-aligned addresses with shifted masks compare equal. */
function canonicalMem(addr: number, mask: number, data: number): [number, number, number] {
  if (mask === 0) return [0, 0, 0];
  let sh = 0;
  while (((mask >>> sh) & 1) === 0) sh++;
  const m = mask >>> sh;
  const width = 32 - Math.clz32(m);
  const d = sh === 0 ? data >>> 0 : Math.floor((data >>> 0) / 2 ** (8 * sh));
  const dm = width >= 4 ? d >>> 0 : (d & ((1 << (8 * width)) - 1)) >>> 0;
  return [(addr + sh) >>> 0, m, dm];
}

/** Compare a reference (trace) record with the model's; `ignore` names fields to skip. */
export function diffRvfi(ref: RvfiRecord, model: RvfiRecord, ignore: ReadonlySet<string>): FieldDiff[] {
  const out: FieldDiff[] = [];
  const trap = ref.trap === 1 || model.trap === 1;
  for (const f of RVFI_FIELDS) {
    if (ignore.has(f) || (trap && !TRAP_FIELDS.has(f))) continue;
    if (f.startsWith('mem_')) continue;
    if (ref[f] !== model[f]) out.push({ field: f, ref: ref[f], model: model[f] });
  }
  if (trap) return out;
  const rr = canonicalMem(ref.mem_addr, ref.mem_rmask, ref.mem_rdata), mr = canonicalMem(model.mem_addr, model.mem_rmask, model.mem_rdata);
  const rw = canonicalMem(ref.mem_addr, ref.mem_wmask, ref.mem_wdata), mw = canonicalMem(model.mem_addr, model.mem_wmask, model.mem_wdata);
  const memDiff = (field: string, a: number, b: number): void => { if (!ignore.has(field) && a !== b) out.push({ field, ref: a, model: b }); };
  const rAddr = ref.mem_rmask !== 0 || ref.mem_wmask !== 0, mAddr = model.mem_rmask !== 0 || model.mem_wmask !== 0;
  memDiff('mem_addr', rAddr ? (rr[1] !== 0 ? rr[0] : rw[0]) : 0, mAddr ? (mr[1] !== 0 ? mr[0] : mw[0]) : 0);
  memDiff('mem_rmask', rr[1], mr[1]);
  memDiff('mem_wmask', rw[1], mw[1]);
  memDiff('mem_rdata', rr[2], mr[2]);
  memDiff('mem_wdata', rw[2], mw[2]);
  return out;
}
