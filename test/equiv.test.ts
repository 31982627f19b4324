// Equivalence with outside references (STYLE.md convention 9): lockstep against qemu-riscv32
// for C programs and random programs on both models, RVFI traces (JSON lines and VCD) and the
// commit log, vcd diff, and a deliberately wrong model caught at the right instruction and
// register by every checker. Malformed QEMU logs, traces and waveforms give one-line errors.

import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assembleToElf } from '../isa/asm.js';
import { decode } from '../isa/decode.js';
import { randomProgram, RANDPROG_ROWS } from '../verify/randprog.js';
import { OPS, TABLE } from '../isa/table.js';
import { fuzz } from '../verify/fuzz.js';
import { equivQemu, QemuLogError } from '../verify/qemu.js';
import { parseFault, USES_RS1, USES_RS2 } from '../waveforms/retire.js';
import { spikeCommitLine } from '../waveforms/rvfi.js';
import { ModelStepper } from '../verify/stepper.js';
import { describeWithTools } from './tools.js';
import { C_DIR, CC, compile, QEMU, removeDir, runEvminf, tempDir } from './c/build.js';

const SEED = 1000;
const PROGRAMS_ISS = 200;
const PROGRAMS_CYCLE = 30;
const INT_MIN = -0x80000000;

const text = (b: Buffer): string => b.toString('utf8');

interface Retired {
  index: number;
  pc: number;
  insn: number;
  rd: number;
  rdValue: number;
}

/** The retired stream of a program on the ISS (no fault). */
function retiredStream(elf: Uint8Array): { list: Retired[]; s: ModelStepper } {
  const s = new ModelStepper(elf, 'iss');
  const list: Retired[] = [];
  while (s.step()) {
    const c = s.tap.commit;
    list.push({ index: c.order, pc: c.pc, insn: c.insn, rd: c.rd, rdValue: c.rdValue });
    if (list.length > 1_000_000) throw new Error('runaway program');
  }
  return { list, s };
}

/** A fault spec `op:n` that hits the middle occurrence of `op` in the stream. */
function middleOf(list: readonly Retired[], op: string): string {
  const count = list.filter((r) => decode(r.insn) === OPS[op] && r.rd !== 0).length;
  if (count === 0) throw new Error(`no ${op} writes a register`);
  return `${op}:${Math.ceil(count / 2)}`;
}

/** The instruction `--inject-fault op:n` corrupts: the n-th retired `op` writing a register. */
function faultTarget(list: readonly Retired[], op: string, n: number): Retired {
  let seen = 0;
  for (const r of list) if (decode(r.insn) === OPS[op] && r.rd !== 0 && ++seen === n) return r;
  throw new Error(`no ${n}-th ${op}`);
}

describe('random programs (verify/randprog.ts)', () => {
  test('are deterministic from the seed and differ between seeds', () => {
    expect(randomProgram(SEED).source).toBe(randomProgram(SEED).source);
    expect(randomProgram(SEED).source).not.toBe(randomProgram(SEED + 1).source);
  });

  test(`${PROGRAMS_ISS} programs: every RV32IM row, dependencies at distance 0-3, both branch outcomes, loops, every access width misaligned, M corner operands; all terminate`, () => {
    const executed = new Uint32Array(TABLE.length);
    const taken = new Uint32Array(TABLE.length), notTaken = new Uint32Array(TABLE.length), misaligned = new Uint32Array(TABLE.length);
    const distance = [0, 0, 0, 0];
    let backward = 0, oddJalr = 0, divByZero = 0, overflow = 0, ebreaks = 0, writes = 0;
    const mduOperands = new Set<number>();
    for (let k = 0; k < PROGRAMS_ISS; k++) {
      const p = randomProgram(SEED + k);
      const staticMissing = RANDPROG_ROWS.filter((n) => n !== 'ebreak' && p.coverage[OPS[n]!] === 0);
      expect(staticMissing, `seed ${SEED + k}`).toEqual([]);
      const { list, s } = retiredStream(assembleToElf(p.source, { file: `seed${SEED + k}.S` }));
      const lastWrite = new Int32Array(32).fill(-100);
      for (const r of list) {
        const op = decode(r.insn);
        executed[op]!++;
        const row = TABLE[op]!;
        const c = { rs1: (r.insn >>> 15) & 31, rs2: (r.insn >>> 20) & 31 };
        for (const [used, reg] of [[USES_RS1[op], c.rs1], [USES_RS2[op], c.rs2]] as const) {
          const d = r.index - lastWrite[reg]! - 1;
          if (used && reg !== 0 && d >= 0 && d <= 3) distance[d]!++;
        }
        if (r.rd !== 0) lastWrite[r.rd] = r.index;
        if (row.syntax === 'rs1,rs2,target') {
          const next = list[r.index + 1];
          if (next !== undefined && next.pc !== r.pc + 4) { taken[op]!++; if (next.pc < r.pc) backward++; } else notTaken[op]!++;
        }
        if (row.name === 'jalr' && (r.insn >> 20) & 1) oddJalr++;
        if (row.name === 'ecall' && r.index !== list.length - 1) writes++;
      }
      // M operands and memory alignment from the retire port itself.
      const s2 = new ModelStepper(assembleToElf(p.source), 'iss');
      while (s2.step()) {
        const c = s2.tap.commit;
        const row = TABLE[decode(c.insn)]!;
        if (row.unit === 'mdu') {
          mduOperands.add(c.rs1Value).add(c.rs2Value);
          if (row.gas === 'div' && c.rs2Value === 0) divByZero++;
          if (row.gas === 'div' && c.rs1Value === INT_MIN && c.rs2Value === -1) overflow++;
        }
        if (c.memWidth > 1 && c.memAddr % c.memWidth !== 0) misaligned[decode(c.insn)]!++;
      }
      if (p.ending === 'ebreak') {
        ebreaks++;
        expect(s.end?.kind, `seed ${SEED + k}`).toBe('trap');
        expect(s.exitCode()).toBe(133);
      } else {
        expect(s.end?.kind, `seed ${SEED + k}`).toBe('exit');
        // exit(checksum of the registers): the status is a0's low byte.
        expect(s.exitCode()).toBe(s.x[10]! & 0xff);
        expect(s.stdout().length).toBeGreaterThanOrEqual(256);
      }
    }
    const notExecuted = RANDPROG_ROWS.filter((n) => n !== 'ebreak' && executed[OPS[n]!] === 0);
    expect(notExecuted).toEqual([]);
    for (const b of ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu']) {
      expect(taken[OPS[b]!], `${b} taken`).toBeGreaterThan(0);
      expect(notTaken[OPS[b]!], `${b} not taken`).toBeGreaterThan(0);
    }
    for (const m of ['lh', 'lhu', 'lw', 'sh', 'sw']) expect(misaligned[OPS[m]!], `misaligned ${m}`).toBeGreaterThan(0);
    for (let d = 0; d < 4; d++) expect(distance[d], `dependencies at distance ${d}`).toBeGreaterThan(0);
    for (const v of [0, 1, -1, INT_MIN, 0x7fffffff]) expect(mduOperands.has(v), `M operand ${v}`).toBe(true);
    expect(backward, 'loops').toBeGreaterThan(PROGRAMS_ISS);
    expect(oddJalr).toBeGreaterThan(0);
    expect(divByZero).toBeGreaterThan(0);
    expect(overflow).toBeGreaterThan(0);
    expect(writes).toBeGreaterThan(0);
    expect(ebreaks).toBeGreaterThan(PROGRAMS_ISS / 20);
    expect(ebreaks).toBeLessThan(PROGRAMS_ISS / 4);
  });
});

describeWithTools([QEMU], 'lockstep with qemu-riscv32: random programs', () => {
  test(`${PROGRAMS_ISS} random programs on the ISS`, async () => {
    const s = await fuzz({ count: PROGRAMS_ISS, seed: SEED, model: 'iss' });
    expect(s.failures.map((f) => `seed ${f.seed}: ${f.result.divergence?.reason}`)).toEqual([]);
    expect(s.instructions).toBeGreaterThan(PROGRAMS_ISS * 300);
    console.log(`fuzz (iss): ${s.programs} programs, ${s.instructions} instructions compared, ${s.seconds.toFixed(1)} s`);
  }, 600_000);

  test(`${PROGRAMS_CYCLE} random programs on the cycle model`, async () => {
    const s = await fuzz({ count: PROGRAMS_CYCLE, seed: SEED + PROGRAMS_ISS, model: 'cycle' });
    expect(s.failures.map((f) => `seed ${f.seed}: ${f.result.divergence?.reason}`)).toEqual([]);
    console.log(`fuzz (cycle): ${s.programs} programs, ${s.instructions} instructions compared, ${s.seconds.toFixed(1)} s`);
  }, 600_000);

  test.each(['iss', 'cycle'] as const)('a wrong %s model (--inject-fault) is caught at the right instruction and register', async (model) => {
    const elf = assembleToElf(randomProgram(SEED + 3).source);
    const { list } = retiredStream(elf);
    for (const op of ['mul', 'lw', 'add', 'jal', 'srai']) {
      const spec = middleOf(list, op);
      const [, n] = spec.split(':');
      const t = faultTarget(list, op, Number(n));
      const r = await equivQemu(elf, { model, fault: parseFault(spec) });
      expect(r.equal, spec).toBe(false);
      const d = r.divergence!;
      expect(d.index, spec).toBe(t.index);
      expect(d.pc).toBe(t.pc);
      expect(d.insn).toBe(t.insn);
      expect(d.diffs.map((x) => x.name)).toEqual([expect.stringMatching(new RegExp(`^x${t.rd}/`))]);
      expect(d.diffs[0]!.ref).toBe(t.rdValue >>> 0);
      expect(d.diffs[0]!.model).toBe((t.rdValue ^ 1) >>> 0);
      expect(d.recent.at(-1)?.index).toBe(t.index);
    }
  });

  describe('through the CLI', () => {
    let dir: string;
    beforeAll(() => { dir = tempDir('equiv'); });
    afterAll(() => removeDir(dir));

    const asm = (name: string, body: string): string => {
      const path = join(dir, name);
      writeFileSync(path, `\t.text\n\t.globl _start\n_start:\n${body}\n`);
      return path;
    };

    test('equal exits 0; a divergence exits 1 with the instruction, its disassembly, the registers and the instructions before it', () => {
      const prog = join(dir, 'r.S');
      writeFileSync(prog, randomProgram(SEED + 7).source);
      const ok = runEvminf(['equiv', prog]);
      expect(ok.status, text(ok.stderr)).toBe(0);
      expect(text(ok.stdout)).toMatch(/^evminf equiv: iss model equals qemu-riscv32: \d+ instructions, exit code \d+, stdout \d+ bytes/);
      const bad = runEvminf(['equiv', prog, '--model', 'cycle', '--inject-fault', 'addi:5']);
      expect(bad.status).toBe(1);
      const out = text(bad.stdout);
      expect(out).toMatch(/diverges from qemu-riscv32 at instruction \d+ \(pc 0x[0-9a-f]{8}: addi x\d+,x\d+,-?\d+\)/);
      expect(out).toMatch(/x\d+\/\w+ +0x[0-9a-f]{8} +0x[0-9a-f]{8}/);
      expect(out).toMatch(/last instructions \(model\):\n( {4}[ >] +\d+ {2}0x[0-9a-f]{8} {2}.+\n){2,}/);
      const json = runEvminf(['equiv', prog, '--inject-fault', 'addi:5', '--json']);
      expect(json.status).toBe(1);
      const j = JSON.parse(text(json.stdout));
      expect(j.equal).toBe(false);
      expect(j.divergence.disasm).toMatch(/^addi\t/);
      expect(j.divergence.diffs).toHaveLength(1);
    });

    test('exit codes and stdout are part of the comparison', () => {
      // A load outside memory: SIGSEGV under QEMU, a load fault here; both exit 139.
      const segv = asm('segv.S', '\taddi x5, x0, 7\n\tlui x7, 0x50000\n\tlw x8, 0(x7)\n\taddi x17, x0, 93\n\tecall');
      const r = runEvminf(['equiv', segv, '--json']);
      expect(r.status, text(r.stdout)).toBe(0);
      expect(JSON.parse(text(r.stdout))).toMatchObject({ equal: true, exitCode: 139, refExitCode: 139, instructions: 3 });
      // An unknown system call: QEMU returns -ENOSYS and goes on; the model's host refuses it.
      const nosys = asm('nosys.S', '\taddi x17, x0, 172\n\tecall\n\taddi x17, x0, 93\n\tecall');
      const n = runEvminf(['equiv', nosys]);
      expect(n.status).toBe(1);
      expect(text(n.stdout)).toContain('the model ended (unknown system call 172 (a7) at pc 0x10004) after this instruction; QEMU goes on at pc 0x00010008');
      // An Xevm instruction: QEMU raises SIGILL where the model executes it.
      const xevm = asm('xevm.S', '\taddi x5, x0, 7\n\tgastab x6, x0, x0\n\taddi x17, x0, 93\n\tecall');
      const x = runEvminf(['equiv', xevm]);
      expect(x.status).toBe(1);
      expect(text(x.stdout)).toContain('at instruction 1 (pc 0x00010004: gastab x6,x0,x0)');
      expect(text(x.stdout)).toContain('QEMU ended (killed by SIGILL) at this instruction');
    });

    test('malformed QEMU logs give one-line errors (exit 126)', async () => {
      const prog = join(dir, 'small.S');
      writeFileSync(prog, randomProgram(SEED + 9, { items: 10 }).source);
      const elfPath = join(dir, 'small.elf');
      expect(runEvminf(['asm', prog, '-o', elfPath]).status).toBe(0);
      chmodSync(elfPath, 0o755); // qemu-riscv32 refuses a file that is not executable
      const logPath = join(dir, 'good.log');
      const q = spawnSync(QEMU, ['-singlestep', '-d', 'cpu,nochain', '-D', logPath, elfPath], { cwd: dir });
      expect(q.error).toBeUndefined();
      const good = readFileSync(logPath, 'utf8');
      const elf = readFileSync(elfPath);
      const check = async (name: string, content: string, message: RegExp): Promise<void> => {
        const path = join(dir, name);
        writeFileSync(path, content);
        await expect(equivQemu(elf, { model: 'iss', log: path })).rejects.toThrow(message);
        await expect(equivQemu(elf, { model: 'iss', log: path })).rejects.toBeInstanceOf(QemuLogError);
      };
      const ok = await equivQemu(elf, { model: 'iss', log: logPath });
      expect(ok.equal).toBe(true);
      const lines = good.split('\n');
      await check('trunc.log', good.slice(0, 1000), /^malformed .*trunc\.log \(line \d+\): the log ends in the middle of a record, after 1 complete records$/);
      await check('garbage.log', [...lines.slice(0, 20), 'garbage here', ...lines.slice(20)].join('\n'), /garbage\.log \(line 21\): expected register x4, found 'garbage'/);
      await check('order.log', good.replace(' x4/tp ', ' x5/tp '), /order\.log \(line 3\): expected register x4, found 'x5\/tp'/);
      await check('hex.log', good.replace('00000000', '0000000g'), /hex\.log \(line 2\): expected up to 8 hex digits, found '0000000g'/);
      await check('text.log', 'hello world\n', /text\.log \(line 1\): expected 'pc', found 'hello'/);
      await check('empty.log', '', /no instruction was logged/);
      const cli = runEvminf(['equiv', elfPath, '--qemu-log', join(dir, 'garbage.log')]);
      expect(cli.status).toBe(126);
      expect(text(cli.stderr).trim().split('\n')).toHaveLength(1);
    });

    test('a missing QEMU is an error, not a pass (exit 127)', () => {
      const r = runEvminf(['equiv', asm('tiny.S', '\taddi x17, x0, 93\n\tecall'), '--qemu', '/nonexistent/qemu-riscv32']);
      expect(r.status).toBe(127);
      expect(text(r.stderr)).toMatch(/^evminf: \/nonexistent\/qemu-riscv32 not found/);
    });

    test('evminf fuzz reports failures with the seed that reproduces them; --json summary', () => {
      const ok = runEvminf(['fuzz', '--count', '4', '--seed', '77', '--json']);
      expect(ok.status, text(ok.stdout)).toBe(0);
      expect(JSON.parse(text(ok.stdout))).toMatchObject({ programs: 4, passed: 4, failed: 0, failures: [] });
      const bad = runEvminf(['fuzz', '--count', '2', '--seed', '77', '--inject-fault', 'xor:1', '--json']);
      expect(bad.status).toBe(1);
      const j = JSON.parse(text(bad.stdout));
      expect(j.failed).toBe(2);
      expect(j.failures[0].reproduce).toBe('evminf fuzz --count 1 --seed 77 --model iss --inject-fault xor:1');
      const printed = runEvminf(['fuzz', '--print', '--seed', '77']);
      expect(text(printed.stdout)).toBe(randomProgram(77).source);
    });
  });
});

describeWithTools([CC, QEMU], 'lockstep with qemu-riscv32: C programs (gcc -O2 -march=rv32im -mabi=ilp32 -nostdlib -static -ffreestanding)', () => {
  let dir: string;
  const elves = new Map<string, Uint8Array>();
  beforeAll(() => { dir = tempDir('equiv-c'); });
  afterAll(() => removeDir(dir));
  const elfOf = (name: string): Uint8Array => {
    let e = elves.get(name);
    if (e === undefined) { e = compile([join(C_DIR, `${name}.c`)], join(dir, `${name}.elf`), '-O2'); elves.set(name, e); }
    return e;
  };

  test.each(['memory', 'string', 'stderr', 'exitcode', 'muldiv', 'sort'])('%s on the ISS', async (name) => {
    const r = await equivQemu(elfOf(name), { model: 'iss' });
    expect(r.divergence).toBeNull();
    expect(r.equal).toBe(true);
    expect(r.exitCode).toBe(r.refExitCode);
    expect(r.instructions).toBeGreaterThan(1000);
    console.log(`equiv ${name}: ${r.instructions} instructions (iss) in ${r.seconds.toFixed(2)} s`);
  });

  test.each(['memory', 'string', 'stderr', 'exitcode'])('%s on the cycle model', async (name) => {
    const r = await equivQemu(elfOf(name), { model: 'cycle' });
    expect(r.divergence).toBeNull();
    expect(r.equal).toBe(true);
  });
});

describe('RVFI traces and the commit log', () => {
  let dir: string;
  let prog: string, elf: Uint8Array;
  const kvstore = join(C_DIR, '..', '..', 'examples', 'kvstore.S');
  beforeAll(() => {
    dir = tempDir('rvfi');
    prog = join(dir, 'p.S');
    writeFileSync(prog, randomProgram(SEED + 11).source);
    elf = assembleToElf(readFileSync(prog, 'utf8'));
  });
  afterAll(() => removeDir(dir));

  /** evminf run: the guest's exit status is its own (any 0-255, 133 for EBREAK), so check stderr. */
  const run = (args: string[]): void => {
    const r = runEvminf(['run', ...args]);
    expect(r.signal).toBeNull();
    expect(text(r.stderr)).not.toMatch(/internal error|cannot write|usage|Unknown/i);
  };

  test.each([['random program', 'p'], ['examples/kvstore.S (EVAL, interrupts)', 'kv']])('round trip, %s: the model\'s RVFI as JSON lines and as VCD compares equal to both models', (_, which) => {
    const src = which === 'p' ? prog : kvstore;
    for (const writer of ['iss', 'cycle']) {
      const json = join(dir, `${which}-${writer}.jsonl`), vcd = join(dir, `${which}-${writer}.vcd`);
      run(['--model', writer, '--rvfi', json, src]);
      run(['--model', writer, '--rvfi', vcd, src]);
      for (const model of ['iss', 'cycle']) {
        for (const trace of [json, vcd]) {
          const r = runEvminf(['equiv', '--rvfi', trace, src, '--model', model]);
          expect(r.status, `${writer} trace ${trace} vs ${model}: ${text(r.stdout)}${text(r.stderr)}`).toBe(0);
          expect(text(r.stdout)).toContain(`${model} model equals ${trace}`);
        }
      }
    }
  });

  test('a wrong model is caught by the RVFI comparison at the right instruction and field', () => {
    const { list } = retiredStream(elf);
    const spec = middleOf(list, 'mul');
    const t = faultTarget(list, 'mul', Number(spec.split(':')[1]));
    for (const ext of ['jsonl', 'vcd']) {
      const bad = join(dir, `bad.${ext}`);
      run(['--model', 'cycle', '--rvfi', bad, '--inject-fault', spec, prog]);
      const r = runEvminf(['equiv', '--rvfi', bad, prog, '--json']);
      expect(r.status).toBe(1);
      const d = JSON.parse(text(r.stdout)).divergence;
      expect(d.index).toBe(t.index);
      expect(d.pc).toBe(t.pc);
      expect(d.diffs).toEqual([{ name: 'rd_wdata', ref: (t.rdValue ^ 1) >>> 0, model: t.rdValue >>> 0 }]);
    }
  });

  test('a core reporting word-aligned addresses with shifted masks compares equal', () => {
    const json = join(dir, 'aligned-src.jsonl'), aligned = join(dir, 'aligned.jsonl');
    run(['--model', 'iss', '--rvfi', json, prog]);
    let shifted = 0;
    const out = readFileSync(json, 'utf8').trim().split('\n').map((l) => {
      const r = JSON.parse(l) as Record<string, number>;
      const mask = r.mem_rmask! | r.mem_wmask!;
      const sh = r.mem_addr! & 3;
      if (mask !== 0 && sh !== 0 && (mask << sh) <= 15) {
        shifted++;
        r.mem_addr = r.mem_addr! - sh;
        r.mem_rmask = r.mem_rmask! << sh;
        r.mem_wmask = r.mem_wmask! << sh;
        r.mem_rdata = (r.mem_rdata! << (8 * sh)) >>> 0;
        r.mem_wdata = (r.mem_wdata! << (8 * sh)) >>> 0;
      }
      return JSON.stringify(r);
    });
    expect(shifted).toBeGreaterThan(5);
    writeFileSync(aligned, out.join('\n') + '\n');
    const r = runEvminf(['equiv', '--rvfi', aligned, prog]);
    expect(r.status, text(r.stdout)).toBe(0);
  });

  test('a trace that stops early diverges, unless --partial', () => {
    const json = join(dir, 'full.jsonl'), cut = join(dir, 'cut.jsonl');
    run(['--model', 'iss', '--rvfi', json, prog]);
    writeFileSync(cut, readFileSync(json, 'utf8').split('\n').slice(0, 40).join('\n') + '\n');
    const r = runEvminf(['equiv', '--rvfi', cut, prog]);
    expect(r.status).toBe(1);
    expect(text(r.stdout)).toContain('the trace ends after 40 records; the model goes on at pc');
    expect(runEvminf(['equiv', '--rvfi', cut, prog, '--partial']).status).toBe(0);
  });

  test('malformed traces and waveforms give one-line errors (exit 126)', () => {
    const json = join(dir, 'm.jsonl'), vcd = join(dir, 'm.vcd');
    run(['--model', 'iss', '--rvfi', json, prog]);
    run(['--model', 'iss', '--rvfi', vcd, prog]);
    const lines = readFileSync(json, 'utf8').split('\n');
    const wave = readFileSync(vcd, 'utf8');
    const cases: [string, string, RegExp][] = [
      ['missing.jsonl', [...lines.slice(0, 3), '{"order":3}'].join('\n'), /missing\.jsonl line 4: missing RVFI field insn$/],
      ['notjson.jsonl', 'not json\n', /notjson\.jsonl line 1: not a JSON object: not json$/],
      ['range.jsonl', lines[0]!.replace(/"insn":\d+/, '"insn":-5'), /range\.jsonl line 1: field insn = -5 is out of range for 32 bits$/],
      ['notvcd.vcd', 'hello\n', /malformed VCD .*notvcd\.vcd, line 1: 'hello': expected a declaration command/],
      ['junk.vcd', wave.replace('\n#95\n', '\n#95\n?? junk\n'), /malformed VCD .*junk\.vcd, line \d+: '\?\? junk': expected a value change or #time$/],
      ['nosignal.vcd', wave.replace(' rvfi_rd_wdata ', ' rvfi_rd_data '), /nosignal\.vcd: no signal rvfi\.rvfi_rd_wdata \(name the others with --prefix, or skip fields with --ignore\)$/],
      ['xvalue.vcd', ((i) => `${wave.slice(0, i)}\nbx J\n${wave.slice(wave.indexOf('\n', i + 1) + 1)}`)(wave.search(/\nb[01]+ J\n(?![^]*\nb[01]+ J\n)/)), /xvalue\.vcd: rvfi_rd_wdata is x\/z at the rising clock edge at time \d+ \(rvfi_valid = 1\)$/],
      ['noheader.vcd', '$scope module a $end\n', /noheader\.vcd: no \$enddefinitions: not a VCD file$/],
    ];
    for (const [name, content, message] of cases) {
      const path = join(dir, name);
      writeFileSync(path, content);
      const r = runEvminf(['equiv', '--rvfi', path, prog]);
      expect(r.status, name).toBe(126);
      const err = text(r.stderr).trim();
      expect(err.split('\n'), name).toHaveLength(1);
      expect(err, name).toMatch(message);
    }
  });

  test('every register number and store width prints as Spike\'s format strings do', () => {
    // riscv-isa-sim riscv/execute.cc, commit_log_print_insn and commit_log_print_value, verbatim:
    // the line is built from these strings by a printf (for the conversions they use) here.
    const SPIKE = { core: 'core%4d: ', priv: '%1d ', reg: ' %c%-2d ', mem: ' mem ', v8: '0x%02x', v16: '0x%04x', v32: '0x%08x' };
    const printf = (fmt: string, ...args: (number | string)[]): string => fmt.replace(/%(-?)(0?)(\d*)([cdx])/g, (_m, left: string, zero: string, w: string, conv: string) => {
      const a = args.shift()!;
      const body = conv === 'c' ? String(a) : conv === 'x' ? (Number(a) >>> 0).toString(16) : String(a);
      const width = Number(w || 0);
      return left ? body.padEnd(width, ' ') : body.padStart(width, zero ? '0' : ' ');
    });
    const VAL: Record<number, string> = { 1: SPIKE.v8, 2: SPIKE.v16, 4: SPIKE.v32 };
    const mask = (w: number): number => (w === 4 ? 0xffffffff : (1 << (8 * w)) - 1);
    for (let rd = 0; rd < 32; rd++) {
      for (const [memWidth, memStore] of [[0, false], [1, false], [1, true], [2, true], [4, true]] as const) {
        const c = { order: rd, pc: 0x10000 + 4 * rd, insn: 0x13 | (rd << 7), rd: memStore ? 0 : rd, rdValue: rd * 0x01010101, rs1: 0, rs2: 0,
          rs1Value: 0, rs2Value: 0, nextPc: 0, memWidth, memStore, memAddr: 0x7fff0000 + rd, memValue: rd * 3 };
        let want = printf(SPIKE.core, 0) + printf(SPIKE.priv, 3) + printf(SPIKE.v32, c.pc) + ' (' + printf(SPIKE.v32, c.insn) + ')';
        if (c.rd !== 0) want += printf(SPIKE.reg, 'x', c.rd) + printf(SPIKE.v32, c.rdValue);
        if (memWidth !== 0) want += SPIKE.mem + printf(SPIKE.v32, c.memAddr);
        if (memStore) want += ' ' + printf(VAL[memWidth]!, c.memValue & mask(memWidth));
        expect(spikeCommitLine(c), `rd ${rd} width ${memWidth}`).toBe(want + '\n');
      }
    }
  });

  test('the commit log follows Spike\'s --log-commits format', () => {
    const src = join(dir, 'spike.S');
    // Hand-encoded words (RISC-V Unprivileged ISA §2.2) check the assembler and the log at once.
    writeFileSync(src, [
      '\t.text', '\t.globl _start', '_start:',
      '\taddi x5, x0, 7', //    0x00700293: a store's value keeps its leading zeros
      '\tsb x5, -1(x2)', //     0xfe510fa3
      '\tlb x10, -1(x2)', //    0xfff10503
      '\tsh x5, -4(x2)', //     0xfe511e23
      '\tsw x5, -8(x2)', //     0xfe512c23
      '\taddi x17, x0, 93', //  0x05d00893
      '\tecall', //             0x00000073
    ].join('\n') + '\n');
    const log = join(dir, 'spike.log');
    for (const model of ['iss', 'cycle']) {
      run(['--model', model, '--log-commits', log, src]);
      expect(readFileSync(log, 'utf8')).toBe([
        'core   0: 3 0x00010000 (0x00700293) x5  0x00000007',
        'core   0: 3 0x00010004 (0xfe510fa3) mem 0x7fffffef 0x07',
        'core   0: 3 0x00010008 (0xfff10503) x10 0x00000007 mem 0x7fffffef',
        'core   0: 3 0x0001000c (0xfe511e23) mem 0x7fffffec 0x0007',
        'core   0: 3 0x00010010 (0xfe512c23) mem 0x7fffffe8 0x00000007',
        'core   0: 3 0x00010014 (0x05d00893) x17 0x0000005d',
        'core   0: 3 0x00010018 (0x00000073)',
        '',
      ].join('\n'));
    }
    // Every line of a larger program has the same shape.
    run(['--model', 'cycle', '--log-commits', log, prog]);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines.length).toBe(retiredStream(elf).list.length);
    for (const l of lines) expect(l).toMatch(/^core {3}0: 3 0x[0-9a-f]{8} \(0x[0-9a-f]{8}\)( x(?:[1-9] |[12]\d|3[01]) 0x[0-9a-f]{8})?( mem 0x[0-9a-f]{8}( 0x(?:[0-9a-f]{2}|[0-9a-f]{4}|[0-9a-f]{8}))?)?$/);
  });
});

describe('evminf vcd diff', () => {
  let dir: string, prog: string, target: Retired;
  beforeAll(() => {
    dir = tempDir('vcddiff');
    prog = join(dir, 'p.S');
    writeFileSync(prog, randomProgram(SEED + 13).source);
    const list = retiredStream(assembleToElf(readFileSync(prog, 'utf8'))).list;
    const spec = middleOf(list, 'addi');
    target = faultTarget(list, 'addi', Number(spec.split(':')[1]));
    for (const [name, extra] of [['a', []], ['b', ['--inject-fault', spec]]] as const) {
      const r = runEvminf(['run', '--model', 'iss', '--rvfi', join(dir, `${name}.vcd`), ...extra, prog]);
      expect(text(r.stderr)).not.toMatch(/internal error/);
    }
  });
  afterAll(() => removeDir(dir));

  test('equal waveforms exit 0; a wrong model is reported at the first differing time and signal', () => {
    const a = join(dir, 'a.vcd'), b = join(dir, 'b.vcd');
    const same = runEvminf(['vcd', 'diff', a, a]);
    expect(same.status).toBe(0);
    expect(text(same.stdout)).toMatch(/^evminf vcd diff: equal: 19 signals over \d+ timestamps/);
    const r = runEvminf(['vcd', 'diff', a, b]);
    expect(r.status).toBe(1);
    // The ISS's RVFI VCD drives record k at 10k ns.
    expect(text(r.stdout)).toBe(`evminf vcd diff: first difference at time ${10 * target.index}: rvfi.rvfi_rd_wdata: a = 0x${(target.rdValue >>> 0).toString(16)}, b = 0x${((target.rdValue ^ 1) >>> 0).toString(16)}\n`);
    const j = JSON.parse(text(runEvminf(['vcd', 'diff', a, b, '--json']).stdout));
    expect(j).toMatchObject({ equal: false, first: { time: `${10 * target.index}`, signalA: 'rvfi.rvfi_rd_wdata', signalB: 'rvfi.rvfi_rd_wdata' } });
  });

  test('a name map pairs signals of two hierarchies (JSON or lines, scope prefixes)', () => {
    const a = join(dir, 'a.vcd'), moved = join(dir, 'moved.vcd');
    writeFileSync(moved, readFileSync(join(dir, 'b.vcd'), 'utf8')
      .replace('$scope module rvfi $end', '$scope module tb $end\n$scope module core $end')
      .replace('$upscope $end', '$upscope $end\n$upscope $end')
      .replace(' rvfi_insn ', ' insn '));
    const none = runEvminf(['vcd', 'diff', a, moved]);
    expect(none.status).toBe(126);
    expect(text(none.stderr)).toMatch(/have no signal in common \(map names with --map\)/);
    const lines = join(dir, 'map.txt'), json = join(dir, 'map.json');
    writeFileSync(lines, '# scopes\nrvfi. tb.core.\nrvfi.rvfi_insn tb.core.insn\n');
    writeFileSync(json, JSON.stringify({ 'rvfi.rvfi_rd_wdata': 'tb.core.rvfi_rd_wdata' }));
    const r = runEvminf(['vcd', 'diff', a, moved, '--map', lines]);
    expect(r.status).toBe(1);
    expect(text(r.stdout)).toContain(`first difference at time ${10 * target.index}: rvfi.rvfi_rd_wdata (a) / tb.core.rvfi_rd_wdata (b)`);
    expect(text(r.stderr)).toBe('');
    const only = runEvminf(['vcd', 'diff', a, moved, '--map', json, '--only-mapped']);
    expect(only.status).toBe(1);
    expect(text(only.stderr)).toMatch(/not compared: 18 signals only in/);
    writeFileSync(json, '{"a": 1}');
    const badMap = runEvminf(['vcd', 'diff', a, moved, '--map', json]);
    expect(badMap.status).toBe(126);
    expect(text(badMap.stderr)).toMatch(/map\.json: the value for 'a' is not a signal name/);
  });

  test('x values, widths, timescales and malformed waveforms', () => {
    const w = (name: string, body: string, scale = '1ns'): string => {
      const p = join(dir, name);
      writeFileSync(p, `$timescale ${scale} $end\n$scope module t $end\n$var wire 8 ! d [7:0] $end\n$var wire 1 " c $end\n$upscope $end\n$enddefinitions $end\n${body}`);
      return p;
    };
    const a = w('x1.vcd', '#0\nbx !\n0"\n#10\nb101 !\n1"\n');
    expect(runEvminf(['vcd', 'diff', a, w('x2.vcd', '#0\nbxxxxxxxx !\n0"\n#10\nb00000101 !\n1"\n')]).status).toBe(0);
    // The same waveform in picoseconds.
    expect(runEvminf(['vcd', 'diff', a, w('ps.vcd', '#0\nbx !\n0"\n#10000\nb101 !\n1"\n', '1ps')]).status).toBe(0);
    const late = runEvminf(['vcd', 'diff', a, w('late.vcd', '#0\nbx !\n0"\n#10\nb101 !\n#11\n1"\n')]);
    expect(text(late.stdout)).toBe('evminf vcd diff: first difference at time 10: t.c: a = 1, b = 0\n');
    const xs = runEvminf(['vcd', 'diff', a, w('x3.vcd', '#0\nb1x !\n0"\n')]);
    expect(text(xs.stdout)).toBe('evminf vcd diff: first difference at time 0: t.d: a = bxxxxxxxx, b = b0000001x\n');
    const wide = join(dir, 'wide.vcd');
    writeFileSync(wide, readFileSync(a, 'utf8').replace('wire 8 ! d [7:0]', 'wire 16 ! d [15:0]'));
    expect(text(runEvminf(['vcd', 'diff', a, wide]).stdout)).toBe('evminf vcd diff: first difference at time 0: t.d: a = 8 bits, b = 16 bits\n');
    const bad = runEvminf(['vcd', 'diff', a, w('bad.vcd', '#0\n0"\n#5\n@@\n')]);
    expect(bad.status).toBe(126);
    expect(text(bad.stderr)).toMatch(/^evminf: malformed VCD .*bad\.vcd, line 10: '@@': expected a value change or #time\n$/);
  });
});
