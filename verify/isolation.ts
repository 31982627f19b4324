// Isolation fuzzing of the call-management unit (docs/architecture.md): random child programs —
// random instruction words and random well-formed programs — run under EVAL with random
// permission sets, gas limits and descriptors. After every run:
//  - the caller's memory is unchanged outside its output slice and the RESULT/GASUSED words;
//  - no frame ever holds a permission its creator lacks;
//  - every finite-gas child ends within its gas limit;
//  - the host never throws, and both models end in the same state.
// The root program is built in memory directly (no assembler), so the fuzzer has no inputs.

import { createHash } from 'node:crypto';
import { encode } from '../isa/encode.js';
import { Op, OPS, TABLE } from '../isa/table.js';
import { CallManager, Desc, STATUS_NAMES } from '../cpu/frames.js';
import { GAS_INFINITE } from '../cpu/gas.js';
import { Iss } from '../cpu/iss.js';
import { createModel, type ModelKind } from '../cpu/machine.js';
import { AddressSpace, Perm, Region } from '../cpu/memory.js';
import { PermBit } from '../cpu/perm.js';
import { Cause } from '../cpu/trap.js';
import type { LoadedProgram } from '../cpu/program.js';

const ROOT_CODE = 0x0001_0000;
const RAM = 0x0002_0000, RAM_SIZE = 0x1_0000;
const DESC = RAM, OUT = RAM + 0x100, CHILD_CODE = RAM + 0x1000, INPUT = RAM + 0x3000;
const MAX_CHILD_WORDS = 256;

/** xorshift32: the fuzzer's only source of randomness. */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = (seed >>> 0) || 0x9e3779b9; }
  next(): number {
    let x = this.s;
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    return (this.s = x >>> 0);
  }
  below(n: number): number { return this.next() % n; }
  chance(p: number): boolean { return this.next() / 0x1_0000_0000 < p; }
}

const e = (name: string, o: { rd?: number; rs1?: number; rs2?: number; imm?: number } = {}): number => encode(OPS[name]!, o);

/** li rd, v as lui + addi. */
function li(rd: number, v: number): number[] {
  const hi = (v + 0x800) & 0xfffff000;
  return [e('lui', { rd, imm: hi | 0 }), e('addi', { rd, rs1: rd, imm: (v - hi) | 0 })];
}

/** A random well-formed child program of `n` instructions (plus prologue and an ending). */
function wellFormed(rng: Rng, n: number): number[] {
  // s2..s5 point into the child's RAM, input ROM, code ROM, and somewhere random.
  const code = [...li(18, 0x4000_0000), ...li(19, 0x2000_0000), ...li(20, 0x0001_0000), ...li(21, rng.next() | 0)];
  const base = code.length;
  const reg = (): number => (rng.chance(0.5) ? 18 + rng.below(4) : rng.below(32));
  const SAFE = [Op.ADDI, Op.ADD, Op.SUB, Op.XOR, Op.SLLI, Op.SRAI, Op.LUI, Op.MUL, Op.DIV, Op.REMU, Op.LW, Op.SW, Op.LBU, Op.SH, Op.BNE, Op.BEQ, Op.JAL, Op.GAS, Op.PERM, Op.ECALL];
  for (let i = 0; i < n; i++) {
    // Mostly instructions that keep the child alive, so it reaches its ending; now and then any
    // row of the table, faults included.
    const op = rng.chance(0.9) ? SAFE[rng.below(SAFE.length)]! : rng.below(TABLE.length);
    const r = TABLE[op]!;
    const here = (base + i) * 4, remaining = (n - i) * 4;
    let imm = ((rng.next() & 0xfff) << 20) >> 20;
    let rs1 = reg();
    if (r.syntax === 'rs1,rs2,target' || r.syntax === 'rd,target') imm = 4 * (1 + rng.below(Math.max(1, Math.min(16, remaining / 4))));
    if (r.syntax === 'rd,uimm20') imm = rng.next() & 0xfffff000;
    if (r.syntax === 'rd,rs1,shamt') imm = rng.below(32);
    if (r.syntax === 'pred,succ') imm = rng.below(256);
    if (r.unit === 'lsu' && rng.chance(0.85)) { rs1 = 18; imm = rng.below(256); }
    if (op === Op.JAL && rng.chance(0.9)) imm = Math.min(imm, remaining);
    // rd never s2..s5, so the address registers survive.
    let rd = rng.below(32);
    if (rd >= 18 && rd <= 21) rd = 5 + rng.below(3);
    void here;
    if (op === Op.ECALL && rng.chance(0.8)) {
      // A well-formed INTERRUPT: request and reply buffers in the child's RAM.
      code.push(e('addi', { rd: 10, rs1: 18, imm: 0 }), e('addi', { rd: 11, rs1: 0, imm: 12 }), e('addi', { rd: 12, rs1: 18, imm: 64 }), e('addi', { rd: 13, rs1: 0, imm: 16 }));
    }
    code.push(encode(op, { rd, rs1, rs2: reg(), imm }));
  }
  // End: RETURN a slice of RAM, or THROW.
  code.push(...li(11, rng.below(80)), e(rng.chance(0.8) ? 'return' : 'throw', { rs1: 18, rs2: 11 }));
  return code;
}

export interface IsolationCase {
  seed: number;
  program: LoadedProgram;
  rootPerm: number;
  rootGas: number;
  /** Addresses the EVAL may legitimately write: [start, end) pairs. */
  writable: [number, number][];
  gasLimitChild: number;
}

/** Build one case: the root program, its RAM with a canary pattern, a descriptor and a child. */
export function makeCase(seed: number): IsolationCase {
  const rng = new Rng(seed);
  const mem = new AddressSpace();
  // Root: s0 = DESC; eval a0, s0; exit(a0). Then the handler: echo the request.
  const root = [...li(8, DESC), e('eval', { rd: 10, rs1: 8 }), ...li(17, 93), e('ecall')];
  const handler = root.length * 4;
  root.push(e('return', { rs1: 10, rs2: 11 }));
  const rom = new Uint8Array(root.length * 4);
  root.forEach((w, i) => new DataView(rom.buffer).setUint32(i * 4, w >>> 0, true));
  mem.add(new Region('code', 'code', ROOT_CODE, rom.length, Perm.R | Perm.X, rom));
  const ram = new Uint8Array(RAM_SIZE);
  for (let i = 0; i < RAM_SIZE; i++) ram[i] = rng.next() & 0xff;
  const child = rng.chance(0.3)
    ? Array.from({ length: 1 + rng.below(32) }, () => rng.next())
    : wellFormed(rng, 4 + rng.below(MAX_CHILD_WORDS - 20));
  const dv = new DataView(ram.buffer);
  child.forEach((w, i) => dv.setUint32(CHILD_CODE - RAM + i * 4, w >>> 0, true));
  const osize = rng.below(65);
  const gasField = rng.chance(0.1) ? rng.next() : rng.chance(0.3) ? rng.below(60) : rng.below(20_000);
  const fields: [number, number][] = [
    [Desc.PSET, rng.below(256)], [Desc.CSTART, CHILD_CODE], [Desc.CSIZE, child.length * 4],
    [Desc.ISTART, INPUT], [Desc.ISIZE, rng.below(65)], [Desc.OSTART, OUT], [Desc.OSIZE, osize],
    [Desc.GAS, gasField], [Desc.NSTART, ROOT_CODE + handler], [Desc.NSIZE, rng.chance(0.7) ? 4 : 0],
    [Desc.RAMSIZE, rng.chance(0.85) ? 256 + rng.below(1985) * 4 : rng.below(64) * 4],
  ];
  // Now and then a malformed descriptor: one field replaced by a random word.
  if (rng.chance(0.1)) fields[rng.below(fields.length)]![1] = rng.next();
  for (const [off, v] of fields) dv.setUint32(off, v >>> 0, true);
  mem.add(new Region('ram', 'ram', RAM, RAM_SIZE, Perm.R | Perm.W, ram));
  const rootPerm = rng.below(256);
  const rootGas = rootPerm & PermBit.INFINITE_GAS ? GAS_INFINITE : 10_000 + rng.below(200_000);
  return {
    seed, rootPerm, rootGas, gasLimitChild: dv.getUint32(Desc.GAS, true),
    program: { mem, entry: ROOT_CODE, sp: RAM + RAM_SIZE, symbols: [] },
    writable: [[OUT, OUT + osize], [DESC + Desc.RESULT, DESC + Desc.BYTES]],
  };
}

export interface IsolationOutcome {
  seed: number;
  model: ModelKind;
  status: number | null;
  instructions: number;
  violations: string[];
  /** Final RAM and status, for comparing models. */
  digest: string;
}

const MAX_INSTRUCTIONS = 3_000_000;

/** Run one case on one model and check the isolation properties. */
export function runCase(seed: number, model: ModelKind): IsolationOutcome {
  const c = makeCase(seed);
  const before = Uint8Array.from(c.program.mem.find(RAM, 1, 0)!.u8);
  const m = createModel(model, c.program, { pset: c.rootPerm, gas: c.rootGas });
  // On odd seeds the ISS translates every block at first sight (cpu/blocks.ts), so translated
  // code — its region caches across frame switches above all — is fuzzed as hard as the
  // interpreter; even seeds keep the interpreter's own paths.
  if (m instanceof Iss && seed & 1) m.hot = 0;
  const host = { exitCode: null as number | null, ecall(s: { x: Int32Array }): boolean { this.exitCode = s.x[10]! & 0xff; return true; } };
  const cm = new CallManager(m, host);
  const violations: string[] = [];
  let unbounded = false;
  cm.onEnter = (kind, depth, perm, gasLimit) => {
    if ((perm & ~c.rootPerm) !== 0) violations.push(`${kind} frame at depth ${depth} holds PSET 0x${perm.toString(16)} beyond the root's 0x${c.rootPerm.toString(16)}`);
    if (gasLimit === GAS_INFINITE) unbounded = true;
  };
  let status: number | null = null;
  try {
    const end = cm.run({ maxInstructions: MAX_INSTRUCTIONS });
    if (end.kind === 'exit') status = end.code;
    else if (end.kind === 'limit') { if (!unbounded) violations.push(`did not end within ${MAX_INSTRUCTIONS} instructions with finite gas`); }
    // The root may run out of its own gas after a child spent it: that is the caller's limit.
    else if (end.kind === 'trap' && end.cause === Cause.OUT_OF_GAS) status = -1;
    else violations.push(`root frame ended by ${end.kind}${end.kind === 'trap' ? ` (cause ${end.cause} at 0x${end.pc.toString(16)})` : ''}`);
  } catch (err) {
    violations.push(`host threw: ${err instanceof Error ? err.message : String(err)}`);
  }
  const after = c.program.mem.find(RAM, 1, 0)!.u8;
  for (let i = 0; i < RAM_SIZE; i++) {
    const a = RAM + i;
    if (before[i] === after[i] || c.writable.some(([s, e]) => a >= s && a < e)) continue;
    violations.push(`caller memory changed at 0x${a.toString(16)}`);
    break;
  }
  const dv = new DataView(after.buffer, after.byteOffset);
  const gasUsed = dv.getUint32(Desc.GASUSED, true);
  if (status !== null && status >= 0 && status !== 8 && status !== 7 && gasUsed > c.gasLimitChild && !unbounded) {
    violations.push(`child used ${gasUsed} gas over its limit ${c.gasLimitChild}`);
  }
  if (status !== null && status >= STATUS_NAMES.length) violations.push(`EVAL status ${status} is not a status code`);
  return {
    seed, model, status, instructions: m.retired, violations,
    // At an instruction limit the cycle model has charged the instruction in MEM, not yet retired.
    digest: `${status}:${status === null ? '-' : m.gasUsed}:${createHash('sha256').update(after).digest('hex')}`,
  };
}
