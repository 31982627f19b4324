// A hostile guest: programs written to crash the host, exhaust its memory, outrun the gas gate
// or make the two models disagree. Each finding is reproduced on the ISS and the cycle model
// (describe.each), and where both models run one program it runs them in lockstep too.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { assemble, assembleToElf } from '../isa/asm.js';
import { writeElf32, PF_R, PF_X } from '../isa/elf-write.js';
import { EXIT } from '../cpu/exit-codes.js';
import { CallManager, MAX_DEPTH, Status } from '../cpu/frames.js';
import { ramGas } from '../cpu/gas.js';
import { LinuxHost } from '../cpu/host.js';
import { createModel, MODEL_KINDS, openModel, type ModelKind } from '../cpu/machine.js';
import { AddressSpace, DEFAULT_MEM_LIMIT, MemoryLimitError, Perm, Region, regionHostBytes, REQUEST_BASE, REQUEST_WINDOW } from '../cpu/memory.js';
import { PSET_DEFINED } from '../cpu/perm.js';
import { loadElf } from '../cpu/program.js';
import { runToEnd, type RunResult } from '../cpu/runner.js';
import { lockstep } from './lockstep.js';
import { removeDir, runEvminf, tempDir } from './c/build.js';

const dir = tempDir('hostile');
afterAll(() => removeDir(dir));

interface Ran {
  r: RunResult;
  word(symbol: string, index?: number): number;
  addr(symbol: string): number;
  cm: CallManager;
}

/** Run assembly source on one model to its end, with the frame logic's memory budget. */
function run(kind: ModelKind, src: string, o: { pset?: number; gas?: number; memLimit?: number; max?: number } = {}): Ran {
  const syms = assemble(src, { file: 'hostile.S' }).symbols;
  const m = createModel(kind, loadElf(assembleToElf(src, { file: 'hostile.S' })), { pset: o.pset, gas: o.gas });
  const cm = new CallManager(m, new LinuxHost(), { memLimit: o.memLimit });
  const end = cm.run({ maxInstructions: o.max ?? 20_000_000 });
  const r: RunResult = {
    reason: end.kind === 'exit' ? 'exit' : end.kind === 'return' ? 'return' : end.kind === 'trap' ? 'trap' : end.kind === 'limit' ? 'limit' : end.kind === 'throw' ? 'throw' : 'unavailable',
    exitCode: end.kind === 'exit' ? end.code : null, instructions: m.retired, cycles: m.cycles ?? null, gas: m.gasUsed, pc: m.pc >>> 0,
    cause: end.kind === 'trap' ? end.cause : null, output: end.kind === 'return' ? end.output : null, message: null, evals: cm.evals, interrupts: cm.interrupts,
  };
  const addr = (symbol: string): number => {
    const s = syms.get(symbol);
    if (s === undefined) throw new Error(`no symbol ${symbol}`);
    return s.value;
  };
  const word = (symbol: string, index = 0): number => m.mem.readWord(addr(symbol) + 4 * index)! >>> 0;
  return { r, word, addr, cm };
}

/** A descriptor as assembler data: fields in docs/architecture.md order. */
const desc = (f: { pset?: number | string; cstart: string; csize: string; istart?: string; isize?: number | string; ostart: string; osize: number | string; gas?: number | string; nstart?: string; nsize?: string | number; ramsize?: number | string }): string =>
  `.word ${f.pset ?? 0}, ${f.cstart}, ${f.csize}, ${f.istart ?? 0}, ${f.isize ?? 0}, ${f.ostart}, ${f.osize}, ${f.gas ?? 1_000_000}, ${f.nstart ?? 0}, ${f.nsize ?? 0}, ${f.ramsize ?? 256}
result: .word 0xdeadbeef
gasused: .word 0xdeadbeef`;

describe.each(MODEL_KINDS)('hostile guest on the %s model', (kind) => {
  // openModel (what evminf run uses: it loads only the model's module) must set up the root
  // frame as createModel does: undefined PSET bits dropped, the gas limit, entry and stack.
  test('openModel builds the root frame createModel builds', async () => {
    const elf = assembleToElf('.text\n.globl _start\n_start:\n li a0, 0\n li a7, 93\n ecall\n', { file: 'root.S' });
    for (const opts of [{}, { pset: 0xffffffff, gas: 12345 }, { pset: 0, gas: 7 }]) {
      const a = createModel(kind, loadElf(elf), opts), b = await openModel(kind, loadElf(elf), opts);
      const root = (m: typeof a): unknown => ({ model: m.constructor.name, pc: m.pc, sp: m.x[2], a0: m.x[10], perm: m.perm, gasLimit: m.gasLimit });
      expect(root(b), JSON.stringify(opts)).toEqual(root(a));
      expect(b.perm & ~PSET_DEFINED).toBe(0);
    }
  });

  // Finding 1: the parent's handler rewrote the live descriptor's OSTART to code ROM while the
  // child was suspended; the child's RETURN crashed the host in CallManager.store.
  test('EVAL latches its descriptor: a handler rewriting it changes nothing for the running EVAL', () => {
    const src = `
  .text
  .globl _start
_start:
  la s0, desc
  eval a0, s0
  li a7, 93
  ecall
handler:
  la t0, desc
  la t1, _start
  sw t1, 20(t0)          # OSTART -> code ROM
  li t1, -1
  sw t1, 24(t0)          # OSIZE -> 4 GiB
  sw t1, 8(t0)           # CSIZE, RAMSIZE: garbage
  sw t1, 40(t0)
  li t1, 0x7ffffff0
  sw t1, 44(t0)          # RESULT/GASUSED: overwritten at the end anyway
  return a0, a1
handler_end:
child:
  li a1, 0
  li a3, 0
  ecall                  # the parent's handler runs now
  addi sp, sp, -16
  li t0, 42
  sw t0, 0(sp)
  li t0, 43
  sw t0, 4(sp)
  mv a0, sp
  li a1, 8
  return a0, a1
child_end:
  .data
  .balign 4
desc:
  ${desc({ cstart: 'child', csize: 'child_end - child', ostart: 'output', osize: 4, nstart: 'handler', nsize: 'handler_end - handler' })}
output: .word 0x11111111, 0x22222222
`;
    const { r, word, addr } = run(kind, src);
    expect(r.reason).toBe('exit');
    expect(r.exitCode).toBe(Status.SUCCESS);
    expect(word('output')).toBe(42); // the latched OSTART, and only the latched OSIZE (4 bytes)
    expect(word('output', 1)).toBe(0x22222222);
    expect(word('result')).toBe(4);
    expect(word('desc', 5)).toBe(addr('_start')); // the handler's write stays in memory
    const original = loadElf(assembleToElf(src, { file: 'hostile.S' })).mem;
    for (let a = addr('_start'); a < addr('child_end'); a += 4) expect(word('_start', (a - addr('_start')) / 4)).toBe(original.readWord(a)! >>> 0);
    expect(lockstep(assembleToElf(src, { file: 'hostile.S' })).end).toEqual({ kind: 'exit', code: 0 });
  });

  test('a handler reusing the live descriptor for a nested EVAL: each EVAL writes its own latched slices', () => {
    const src = `
  .text
  .globl _start
_start:
  la s0, desc
  eval a0, s0
  li a7, 93
  ecall
handler:
  la s1, desc
  la t1, output2
  sw t1, 20(s1)          # OSTART -> output2 for the nested EVAL
  la t1, child2
  sw t1, 4(s1)
  li t1, child2_end - child2
  sw t1, 8(s1)
  sw zero, 36(s1)        # the nested child may not interrupt
  eval t2, s1
  bnez t2, 1f
  return a0, a1
1: throw t2
handler_end:
child:
  li a1, 0
  li a3, 0
  ecall
  bnez a0, 1f
  addi sp, sp, -16
  li t0, 7
  sw t0, 0(sp)
  mv a0, sp
  li a1, 4
  return a0, a1
1: throw a0
child_end:
child2:
  addi sp, sp, -16
  li t0, 9
  sw t0, 0(sp)
  mv a0, sp
  li a1, 4
  return a0, a1
child2_end:
  .data
  .balign 4
desc:
  ${desc({ cstart: 'child', csize: 'child_end - child', ostart: 'output', osize: 4, nstart: 'handler', nsize: 'handler_end - handler' })}
output: .word 0x11111111
output2: .word 0x22222222
`;
    const { r, word } = run(kind, src);
    expect(r.exitCode).toBe(Status.SUCCESS);
    expect(word('output')).toBe(7);
    expect(word('output2')).toBe(9);
    expect(word('result')).toBe(4); // the outer EVAL wrote last
    expect(r.evals).toBe(2);
  });

  // Finding 2: a root frame with memory at 0x3000_0000 made the first INTERRUPT crash.
  test('the request ROM window is reserved: segments and stacks reaching into it are rejected', () => {
    const code = new Uint8Array(16);
    const elfAt = (vaddr: number, memsz: number): Uint8Array => writeElf32({
      entry: 0x10000, symbols: [],
      sections: [
        { name: '.text', vaddr: 0x10000, bytes: code, memsz: 16, flags: PF_R | PF_X, align: 4, nobits: false },
        { name: '.rodata', vaddr, bytes: new Uint8Array(16), memsz, flags: PF_R, align: 4, nobits: false },
      ],
    });
    expect(() => loadElf(elfAt(REQUEST_BASE, 16))).toThrow(/segment 1 at 0x30000000 .*request ROM window.*reserved/);
    expect(() => loadElf(elfAt(REQUEST_BASE - 16, 32))).toThrow(/request ROM window/);
    expect(() => loadElf(elfAt(REQUEST_BASE + REQUEST_WINDOW - 4, 16))).toThrow(/request ROM window/);
    expect(loadElf(elfAt(REQUEST_BASE + REQUEST_WINDOW, 16)).mem.regions.length).toBe(3);
    expect(() => loadElf(assembleToElf('.text\n_start: nop'), 0x8000_0000 - REQUEST_BASE)).toThrow(/stack of 1342177280 bytes .*request ROM window/);
    // A hand-made root address space reaching into it cannot be run either.
    const mem = new AddressSpace();
    mem.add(new Region('code', 'code', 0x10000, 16, Perm.R | Perm.X));
    mem.add(new Region('rom', 'rom', REQUEST_BASE + REQUEST_WINDOW - 4, 16, Perm.R));
    const m = createModel(kind, { mem, entry: 0x10000, sp: 0, symbols: [] });
    expect(() => new CallManager(m, new LinuxHost())).toThrow(/region rom at 0x30fffffc reaches into the request ROM window/);
  });

  test('an interrupt with a request of the whole window is served (ROM next to the window)', () => {
    const src = `
  .text
  .globl _start
_start:
  la s0, desc
  eval a0, s0
  bnez a0, 1f
  la t0, output
  lw a0, 0(t0)
1: li a7, 93
  ecall
handler:
  li t0, ${REQUEST_WINDOW - 4}
  add t0, a0, t0
  lw t1, 0(t0)           # the request's last word
  addi sp, sp, -16
  sw t1, 0(sp)
  mv a0, sp
  li a1, 4
  return a0, a1
handler_end:
child:
  lui a0, 0x40000        # the child's RAM: all of it is the request
  li a1, ${REQUEST_WINDOW}
  add t0, a0, a1
  li t1, 77
  sw t1, -4(t0)
  mv a2, a0
  li a3, 4
  ecall
  bnez a0, 1f
  lw t0, 0(a2)
  sw t0, 0(a2)
  mv a0, a2
  li a1, 4
  return a0, a1
1: throw a0
child_end:
  .data
  .balign 4
desc:
  ${desc({ cstart: 'child', csize: 'child_end - child', ostart: 'output', osize: 4, nstart: 'handler', nsize: 'handler_end - handler', ramsize: REQUEST_WINDOW, gas: '0x7fffffff' })}
output: .word 0
`;
    const { r } = run(kind, src);
    expect(r.exitCode).toBe(77);
    expect(r.interrupts).toBe(2);
  });

  // Finding 3: a 96-byte ELF declaring a 1 GiB executable segment aborted the ISS (V8 out of
  // memory, exit 134 after 44 s).
  test('a tiny ELF declaring a 1 GiB code segment is rejected up front, before any allocation', () => {
    const elf = tinyElf(1 << 30);
    expect(elf.length).toBe(96);
    const t0 = Date.now();
    expect(() => loadElf(elf)).toThrow(MemoryLimitError);
    expect(() => loadElf(elf)).toThrow(/program needs 9217 MiB of host memory .*over the memory budget of 4096 MiB/);
    expect(Date.now() - t0).toBeLessThan(1000);
    // Under a budget large enough for it, the same ELF loads (a small one, to keep the test fast).
    expect(loadElf(tinyElf(1 << 20)).mem.regions[0]!.hostBytes).toBe(regionHostBytes(1 << 20, Perm.R | Perm.X));
    expect(() => loadElf(tinyElf(1 << 20), undefined, undefined, (1 << 20) * 6)).toThrow(MemoryLimitError);
    const path = join(dir, 'huge.elf');
    writeFileSync(path, elf);
    const o = runEvminf(['run', path, '--model', kind]);
    expect(o.status).toBe(EXIT.BAD_INPUT);
    const err = o.stderr.toString();
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/memory budget/);
  });

  // Finding 4: recursive EVAL had no bound on the host memory of all live frames.
  test.each([
    ['code viewed from code ROM (whole words)', 'level_end - level', 0],
    ['code copied (a slice ending mid-word)', 'level_end - level - 1', 1],
  ])('recursion stops with MEMORY_LIMIT at the budget: %s', (_what, csize, copied) => {
    const ram = 64 << 10;
    const src = recursion(csize, ram);
    const root = run(kind, src, { memLimit: 2 ** 40, max: 1 }).cm.liveBytes;
    const syms = assemble(src).symbols;
    const codeBytes = syms.get('level_end')!.value - syms.get('level')!.value;
    const perLevel = ram + (copied ? regionHostBytes((codeBytes - 1 + 3) & ~3, Perm.R | Perm.X) : 0);
    const levels = 37;
    const memLimit = root + levels * perLevel + perLevel - 1;
    const { r, cm } = run(kind, src, { memLimit, pset: 0x0f, gas: 1e9 });
    expect(r.reason).toBe('return');
    const out = new DataView(r.output!.buffer, r.output!.byteOffset);
    expect(out.getUint32(4, true)).toBe(Status.MEMORY_LIMIT);
    expect(out.getUint32(0, true)).toBe(levels + 1); // the root and the levels that fit
    expect(r.evals).toBe(levels);
    expect(cm.peakBytes).toBe(root + levels * perLevel);
    expect(cm.peakBytes).toBeLessThanOrEqual(memLimit);
    expect(cm.liveBytes).toBe(root); // every child's memory is released when it ends
  });

  test('the default budget stops a guest allocating 16 MiB of RAM per level long before the call depth', () => {
    const ram = 16 << 20;
    const { r, cm } = run(kind, recursion('level_end - level', ram), { gas: 2 ** 40, pset: 0x0f });
    expect(cm.memLimit).toBe(DEFAULT_MEM_LIMIT);
    const out = new DataView(r.output!.buffer, r.output!.byteOffset);
    expect(out.getUint32(4, true)).toBe(Status.MEMORY_LIMIT);
    expect(r.evals).toBe(Math.floor((cm.memLimit - cm.liveBytes) / ram));
    expect(r.evals).toBeLessThan(MAX_DEPTH);
  });

  // Finding 5: INFINITE_GAS frames ran out of gas once GASTAB priced a class at 2^32 - 1.
  test('an INFINITE_GAS frame never runs out, even at 2^32-1 gas per instruction (root and child)', () => {
    const loop = `
  li t0, 0
  li t1, -1
  gastab zero, t0, t1     # alu
  li t0, 3
  gastab zero, t0, t1     # branch
  li t2, 2200000          # 2 * 2.2M * (2^32 - 1) > 2^53
1: addi t2, t2, -1
  bnez t2, 1b`;
    const src = `
  .text
  .globl _start
_start:
${loop}
  la s0, desc
  eval a0, s0
  li a7, 93
  ecall
child:
${loop}
  gas t0
  addi sp, sp, -16
  sw t0, 0(sp)
  mv a0, sp
  li a1, 4
  return a0, a1
child_end:
  .data
  .balign 4
desc:
  ${desc({ pset: 0x30, cstart: 'child', csize: 'child_end - child', ostart: 'output', osize: 4 })}
output: .word 0
`;
    const { r, word } = run(kind, src, { pset: 0x30, max: 30_000_000 });
    expect(r.reason).toBe('exit');
    expect(r.exitCode).toBe(Status.SUCCESS);
    expect(word('output')).toBe(0xffffffff); // gas reads "no limit"
    expect(word('gasused')).toBe(0);
    expect(r.gas).toBeGreaterThan(2 ** 53);
  });

  test('a finite frame is still gated: EVAL priced at 2^32-1 runs the caller out of gas', () => {
    const src = `
  .text
  .globl _start
_start:
  li t0, 9
  li t1, -1
  gastab zero, t0, t1     # eval
  la s0, desc
  eval a0, s0
  li a7, 93
  ecall
child:
  return zero, zero
child_end:
  .data
  .balign 4
desc:
  ${desc({ cstart: 'child', csize: 'child_end - child', ostart: 'output', osize: 4 })}
output: .word 0
`;
    const { r } = run(kind, src, { pset: 0x20, gas: 1e9 });
    expect(r.reason).toBe('trap');
    expect(r.cause).toBe(24);
    expect(r.evals).toBe(0);
  });

  // Finding 6: the models disagreed on `perm` for --pset 0x1ff.
  test.each([[0x1ff, 0x1ff & PSET_DEFINED], [0xff, PSET_DEFINED], [undefined, PSET_DEFINED], [0x13, 0x13]])('the root PSET %s reads back as the defined bits', (pset, expected) => {
    const src = '.text\n.globl _start\n_start:\n  perm a0\n  li a7, 93\n  ecall\n';
    expect(run(kind, src, { pset }).r.exitCode).toBe(expected);
  });

  // Finding 7: RAMSIZE was free in gas.
  test('RAM is priced per allocated word at EVAL', () => {
    const gasOf = (ramsize: number): number => run(kind, `
  .text
  .globl _start
_start:
  la s0, desc
  eval a0, s0
  li a7, 93
  ecall
child:
  return zero, zero
child_end:
  .data
  .balign 4
desc:
  ${desc({ cstart: 'child', csize: 'child_end - child', ostart: 'output', osize: 4, ramsize })}
output: .word 0
`, { gas: 1e9, pset: 0x0f }).r.gas;
    const small = gasOf(4096), big = gasOf(16 << 20);
    expect(big - small).toBe(ramGas(16 << 20) - ramGas(4096));
    expect(big - small).toBe((16 << 20) / 4 - 1024);
  });

  test('an EVAL whose RAM the caller cannot pay for is the caller\'s out of gas, and creates nothing', () => {
    const src = `
  .text
  .globl _start
_start:
  la s0, desc
  eval a0, s0
  li a7, 93
  ecall
child:
  return zero, zero
child_end:
  .data
  .balign 4
desc:
  ${desc({ cstart: 'child', csize: 'child_end - child', ostart: 'output', osize: 4, ramsize: 16 << 20 })}
output: .word 0
`;
    const { r, cm } = run(kind, src, { gas: 1_000_000, pset: 0x0f });
    expect(r.reason).toBe('trap');
    expect(r.cause).toBe(24);
    expect(r.evals).toBe(0);
    expect(cm.peakBytes).toBe(cm.liveBytes);
  });

  // Slices at region edges and wrapping 2^32, a descriptor at the top of the address space.
  test.each([
    ['code slice wrapping 2^32', { cstart: '0xfffffffc', csize: '8' }],
    ['code slice one byte past the end of code ROM', { cstart: 'child', csize: 'child_end - child + 1' }],
    ['input slice wrapping 2^32', { istart: '0xfffffff0', isize: 0x20 }],
    ['output slice wrapping 2^32', { ostart: '0xfffffffc', osize: 8 }],
    ['RAMSIZE 2^32 - 4', { ramsize: '0xfffffffc' }],
    ['CSIZE 2^32 - 1', { csize: '0xffffffff' }],
    ['NSTART + NSIZE wrapping', { nstart: '0xfffffffc', nsize: 8 }],
  ])('BAD_DESCRIPTOR, and the host survives: %s', (_what, f) => {
    const src = `
  .text
  .globl _start
_start:
  la s0, desc
  eval a0, s0
  li a7, 93
  ecall
child:
  return zero, zero
child_end:
  .data
  .balign 4
desc:
  ${desc({ cstart: 'child', csize: 'child_end - child', ostart: 'output', osize: 4, ...f })}
output: .word 0
`;
    const { r, word } = run(kind, src);
    expect(r.exitCode).toBe(Status.BAD_DESCRIPTOR);
    expect(word('result')).toBe(0xdeadbeef);
  });

  test('a descriptor address at the top of the address space, and an interrupt request wrapping 2^32', () => {
    const src = `
  .text
  .globl _start
_start:
  li s0, -16
  eval a0, s0              # descriptor would wrap: BAD_DESCRIPTOR
  li t0, ${Status.BAD_DESCRIPTOR}
  bne a0, t0, 1f
  la s0, desc
  eval a0, s0
1: li a7, 93
  ecall
handler:
  return a0, a1
handler_end:
child:
  li a0, -4
  li a1, 8
  li a3, 0
  ecall                    # request wraps: the child ends with BOUNDS
  return zero, zero
child_end:
  .data
  .balign 4
desc:
  ${desc({ cstart: 'child', csize: 'child_end - child', ostart: 'output', osize: 4, nstart: 'handler', nsize: 'handler_end - handler' })}
output: .word 0
`;
    const { r } = run(kind, src);
    expect(r.exitCode).toBe(Status.BOUNDS);
  });

  test('a child at the code ROM edge: a slice ending exactly at the end of the caller\'s code runs', () => {
    const src = `
  .text
  .globl _start
_start:
  la s0, desc
  eval a0, s0
  li a7, 93
  ecall
child:
  li a0, 5
  throw a0
child_end:
  .data
  .balign 4
desc:
  ${desc({ cstart: 'child', csize: 'child_end - child', ostart: 'output', osize: 4 })}
output: .word 0
`;
    const { r, word } = run(kind, src);
    expect(r.exitCode).toBe(Status.THROW);
    expect(word('result')).toBe(5);
  });
});

describe('the hostile programs agree on both models, instruction by instruction', () => {
  test('recursion up to the memory budget, in lockstep', () => {
    const r = lockstep(assembleToElf(recursion('level_end - level', 1 << 20)), { gas: 2 ** 40, pset: 0x0f, memLimit: 300 << 20 });
    expect(r.end.kind).toBe('return');
    const out = (r.end as { output: Uint8Array }).output;
    expect(new DataView(out.buffer, out.byteOffset).getUint32(4, true)).toBe(Status.MEMORY_LIMIT);
    expect(r.evals).toBeGreaterThan(290);
    expect(r.evals).toBeLessThan(300);
  });

  test.each(['level_end - level', 'level_end - level - 1'])('code viewed or copied (CSIZE %s) runs the same, to the call depth', (csize) => {
    const r = lockstep(assembleToElf(recursion(csize, 4096)), { pset: 0x0f, gas: 1e8 });
    expect(r.end.kind).toBe('return');
    const out = (r.end as { output: Uint8Array }).output;
    const dv = new DataView(out.buffer, out.byteOffset);
    expect(dv.getUint32(4, true)).toBe(Status.CALL_DEPTH);
    expect(dv.getUint32(0, true)).toBe(MAX_DEPTH + 1);
    expect(r.evals).toBe(MAX_DEPTH);
  });
});

/**
 * A frame that EVALs its own code (`csize` bytes from `level`, RAM `ram`) and returns
 * [frames below and including it, the status that stopped the recursion]. The root runs it too.
 */
function recursion(csize: string, ram: number): string {
  return `
  .text
  .globl _start
_start:
level:
  addi sp, sp, -64
  mv s0, sp
  li t0, 0x0f
  sw t0, 0(s0)
  la t0, level
  sw t0, 4(s0)
  li t0, ${csize}
  sw t0, 8(s0)
  sw zero, 12(s0)
  sw zero, 16(s0)
  addi t0, s0, 56
  sw t0, 20(s0)
  li t0, 8
  sw t0, 24(s0)
  gas t0
  sw t0, 28(s0)
  sw zero, 32(s0)
  sw zero, 36(s0)
  li t0, ${ram}
  sw t0, 40(s0)
  eval a0, s0
  bnez a0, 1f
  lw t0, 56(s0)
  addi t0, t0, 1
  sw t0, 56(s0)
  j 2f
1: li t0, 1
  sw t0, 56(s0)
  sw a0, 60(s0)
2: addi a0, s0, 56
  li a1, 8
  return a0, a1
level_end:
`;
}

/** A 96-byte ELF: header, one executable PT_LOAD of `memsz` bytes holding three instructions. */
function tinyElf(memsz: number): Uint8Array {
  const b = new Uint8Array(96);
  const dv = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  dv.setUint16(16, 2, true); dv.setUint16(18, 243, true); dv.setUint32(20, 1, true);
  dv.setUint32(24, 0x10000, true); dv.setUint32(28, 52, true);
  dv.setUint16(40, 52, true); dv.setUint16(42, 32, true); dv.setUint16(44, 1, true); dv.setUint16(46, 40, true);
  dv.setUint32(52, 1, true); dv.setUint32(56, 84, true); dv.setUint32(60, 0x10000, true); dv.setUint32(64, 0x10000, true);
  dv.setUint32(68, 12, true); dv.setUint32(72, memsz, true); dv.setUint32(76, PF_R | PF_X, true); dv.setUint32(80, 4, true);
  dv.setUint32(84, 0x05d00893, true); // li a7, 93
  dv.setUint32(88, 0x00000513, true); // li a0, 0
  dv.setUint32(92, 0x00000073, true); // ecall
  return b;
}

