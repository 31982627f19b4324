// In-model lockstep checker: the ISS and the cycle model run the same program side by side,
// one retired instruction at a time, through the same call-management unit logic. After every
// step the architectural state (pc, x1..x31, instructions retired, gas) must agree; at the end
// the exit, output and every writable byte of memory must agree. The first difference throws
// with its context.

import { CallManager, type FrameEnd } from '../cpu/frames.js';
import { LinuxHost } from '../cpu/host.js';
import { createModel } from '../cpu/machine.js';
import type { Iss } from '../cpu/iss.js';
import { Perm, type AddressSpace } from '../cpu/memory.js';
import { loadElf } from '../cpu/program.js';
import { disassemble } from '../isa/disasm.js';
import type { BusSlave } from '../peripherals/device.js';
import type { Core } from '../cpu/core.js';

export interface LockstepOptions {
  randomStalls?: number;
  seed?: number;
  waitStates?: number;
  maxInstructions?: number;
  /** The root frame's permissions and gas limit. */
  pset?: number;
  gas?: number;
  /** The memory budget of the live frames (CallManager's memLimit). */
  memLimit?: number;
  /** Devices for each model: called once per model (a device belongs to one machine). */
  devices?: () => BusSlave[];
}

export interface LockstepResult {
  instructions: number;
  cycles: number;
  gas: number;
  end: FrameEnd;
  stdout: string;
  stderr: string;
  evals: number;
  /** The ISS at the end, for reading registers and memory. */
  iss: Iss;
  /** The cycle model at the end. */
  core: Core;
}

const hex = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');

function memoryDigest(mem: AddressSpace): string {
  return mem.regions.filter((r) => r.perm & Perm.W).map((r) => `${r.name}@${hex(r.base)}:${Buffer.from(r.u8).toString('base64')}`).join('|');
}

export function lockstep(elf: Uint8Array, opts: LockstepOptions = {}): LockstepResult {
  const root = { pset: opts.pset, gas: opts.gas };
  const iss = createModel('iss', loadElf(elf), { ...root, devices: opts.devices?.() });
  const core = createModel('cycle', loadElf(elf), { ...root, randomStalls: opts.randomStalls, seed: opts.seed, waitStates: opts.waitStates, devices: opts.devices?.() });
  const hi = new LinuxHost(), hc = new LinuxHost();
  const ci = new CallManager(iss, hi, { memLimit: opts.memLimit }), cc = new CallManager(core, hc, { memLimit: opts.memLimit });
  const max = opts.maxInstructions ?? 50_000_000;
  const recent: string[] = [];
  for (let step = 0; ; step++) {
    const pc = iss.pc;
    const word = iss.mem.readWord(pc);
    recent.push(`${hex(pc)}: ${word === null ? '(unmapped)' : disassemble(word >>> 0, pc)}`);
    if (recent.length > 8) recent.shift();
    const ei = ci.advance(1);
    const ec = cc.advance(1, core.cycles + 100_000);
    const diffs: string[] = [];
    if (iss.retired !== core.retired) diffs.push(`retired ${iss.retired} vs ${core.retired}`);
    if (iss.pc !== core.retiredPc) diffs.push(`pc ${hex(iss.pc)} vs ${hex(core.retiredPc)}`);
    for (let r = 1; r < 32; r++) if (iss.x[r] !== core.x[r]) diffs.push(`x${r} ${hex(iss.x[r]!)} vs ${hex(core.x[r]!)}`);
    if (iss.gasUsed !== core.retiredGas) diffs.push(`gas ${iss.gasUsed} vs ${core.retiredGas}`);
    if ((ei === null) !== (ec === null) || (ei && ec && JSON.stringify(ei) !== JSON.stringify(ec))) diffs.push(`end ${JSON.stringify(ei)} vs ${JSON.stringify(ec)}`);
    if (diffs.length > 0) {
      throw new Error(`ISS and cycle model diverge at step ${step} (instruction ${iss.retired}, cycle ${core.cycles}): ${diffs.join('; ')}\n  last instructions:\n    ${recent.join('\n    ')}`);
    }
    if (ei !== null) {
      if (memoryDigest(iss.mem) !== memoryDigest(core.mem)) throw new Error('ISS and cycle model end with different memory');
      const dec = new TextDecoder();
      if (Buffer.compare(hi.output(1), hc.output(1)) !== 0 || Buffer.compare(hi.output(2), hc.output(2)) !== 0) throw new Error('ISS and cycle model wrote different output');
      return { instructions: iss.retired, cycles: core.cycles, gas: iss.gasUsed, end: ei, stdout: dec.decode(hi.output(1)), stderr: dec.decode(hi.output(2)), evals: ci.evals, iss, core };
    }
    if (iss.retired > max) throw new Error(`no end within ${max} instructions`);
  }
}
