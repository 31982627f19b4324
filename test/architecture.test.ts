// Conformance suite of docs/architecture.md: one program per rule, run on the ISS and the cycle
// model in lockstep (test/lockstep.ts), with exact status, output bytes, registers and gas, and
// exact cycles where docs/timing.md and the architecture's timing table give them.

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { assemble, assembleToElf } from '../isa/asm.js';
import { lockstep, type LockstepOptions, type LockstepResult } from './lockstep.js';

/** A root frame that EVALs the child between `child:` and `child_end:` with descriptor fields. */
function parent(child: string, d: { pset?: number; gas?: number; osize?: number; isize?: number; nsize?: string; ramsize?: number; cstart?: string } = {}, extra = ''): string {
  return `
  .text
  .globl _start
_start:
  la s0, desc
  eval a0, s0
  li a7, 93
  ecall
handler:
  ${extra || 'return a0, a1'}
handler_end:
child:
${child}
child_end:
  .data
  .balign 4
desc:
  .word ${d.pset ?? 0}, ${d.cstart ?? 'child'}, child_end - child
  .word input, ${d.isize ?? 0}
  .word output, ${d.osize ?? 16}
  .word ${d.gas ?? 100000}
  .word handler, ${d.nsize ?? 'handler_end - handler'}
  .word ${d.ramsize ?? 256}
result: .word 0xdeadbeef
gasused: .word 0xdeadbeef
output: .word 0x11111111, 0x22222222, 0x33333333, 0x44444444
input: .ascii "0123456789abcdef"
`;
}

interface Ran extends LockstepResult {
  status: number;
  word(symbol: string, index?: number): number;
}

function run(src: string, opts: LockstepOptions = {}): Ran {
  const syms = assemble(src, { file: 'arch.S' }).symbols;
  const r = lockstep(assembleToElf(src, { file: 'arch.S' }), opts);
  // The same program with random bus stalls must end identically.
  const stalled = lockstep(assembleToElf(src, { file: 'arch.S' }), { ...opts, randomStalls: 2, seed: 99 });
  expect({ end: stalled.end, gas: stalled.gas, n: stalled.instructions, out: stalled.stdout }).toEqual({ end: r.end, gas: r.gas, n: r.instructions, out: r.stdout });
  const word = (symbol: string, index = 0): number => {
    const s = syms.get(symbol);
    if (s === undefined) throw new Error(`no symbol ${symbol}`);
    return r.iss.mem.readWord(s.value + 4 * index)! >>> 0;
  };
  expect(r.end.kind).toBe('exit');
  return { ...r, status: r.end.kind === 'exit' ? r.end.code : -1, word };
}

describe('EVAL', () => {
  test('success: output copied, RESULT and GASUSED written, exact gas and cycles', () => {
    const r = run(parent(`
  addi sp, sp, -16
  li t0, 42
  sw t0, 0(sp)
  mv a0, sp
  li a1, 4
  return a0, a1`, { osize: 16 }));
    expect(r.status).toBe(0);
    expect(r.word('output')).toBe(42);
    expect(r.word('output', 1)).toBe(0x22222222); // past the 4 bytes returned: untouched
    expect(r.word('result')).toBe(4);
    // Child: addi 1 + li 1 + sw 2 + mv 1 + li 1 + RETURN 20 + one word out 1.
    expect(r.word('gasused')).toBe(27);
    // Root: la 2 + EVAL 200 + copy-in of 6 code words 6 + 64 words of RAM (256 bytes) 64 + the
    // child's 27 + copy-out 1 + li 1 + ECALL 40.
    expect(r.gas).toBe(341);
    // EVAL (instruction 2) in WB at cycle 7; frame creation 4 + 6 code words; the child's RETURN
    // (its instruction 5) in WB 10 cycles after it starts; teardown 2 + 1 word; the root's last
    // two instructions: 6 cycles.
    expect(r.cycles).toBe(7 + 10 + 10 + 3 + 6);
    expect(r.instructions).toBe(5 + 6);
  });

  test('the child sees its input ROM, its RAM and sp at the top of RAM', () => {
    const r = run(parent(`
  lw t0, 4(a0)          # input bytes 4..7
  sw t0, -4(sp)
  sw a1, -8(sp)         # ISIZE
  sw sp, -12(sp)
  addi a0, sp, -12
  li a1, 12
  return a0, a1`, { isize: 16, ramsize: 64 }));
    expect(r.status).toBe(0);
    expect(r.word('output')).toBe(0x4000_0040);
    expect(r.word('output', 1)).toBe(16);
    expect(r.word('output', 2)).toBe(0x37363534); // "4567"
  });

  test('THROW: status 1, code in RESULT, no output', () => {
    const r = run(parent(`
  li a0, 7
  throw a0`));
    expect(r.status).toBe(1);
    expect(r.word('result')).toBe(7);
    expect(r.word('output')).toBe(0x11111111);
  });

  test('out of gas: status 2, GASUSED = the limit spent, RESULT = the pc that could not run', () => {
    const r = run(parent(`
1: j 1b`, { gas: 10 }));
    expect(r.status).toBe(2);
    expect(r.word('gasused')).toBe(10);
    expect(r.word('result')).toBe(0x10000);
  });

  test.each([
    ['bounds (load from the null guard)', '  lw a0, 0(zero)', 3],
    ['bounds (store to code ROM)', '  lui t0, 0x10\n  sw t0, 0(t0)', 3],
    ['bounds (store to input ROM)', '  sw t0, 0(a0)', 3],
    ['illegal instruction', '  nop\n  .word 0', 4],
    ['illegal: a CSR instruction (csrrs a0, cycle, zero)', '  .word 0xc0002573', 4],
    ['misaligned jump', '  auipc t0, 0\n  addi t0, t0, 10\n  jr t0', 5],
    ['breakpoint', '  ebreak', 6],
  ])('%s', (_what, child, status) => {
    const r = run(parent(child, { isize: 16 }));
    expect(r.status).toBe(status);
    expect(r.word('result')).toBeGreaterThanOrEqual(0x10000);
    expect(r.word('output')).toBe(0x11111111);
  });

  test('BAD_DESCRIPTOR: a code slice outside the caller leaves the child unrun', () => {
    const r = run(parent('  li a0, 1\n  return a0, a0', { cstart: '0x100' }));
    expect(r.status).toBe(8);
    expect(r.word('result')).toBe(0xdeadbeef);
  });

  test('CALL_DEPTH: recursion stops at depth 1024', () => {
    // Each frame EVALs its own code; the frame at depth 1024 gets CALL_DEPTH and returns 0, every
    // other returns its child's value + 1. The root therefore reads 1023.
    const r = run(parent(`
  addi sp, sp, -64
  mv s0, sp
  sw zero, 0(s0)
  lui t0, 0x10
  sw t0, 4(s0)
  li t0, child_end - child
  sw t0, 8(s0)
  sw zero, 12(s0)
  sw zero, 16(s0)
  addi t0, s0, 56
  sw t0, 20(s0)
  li t0, 4
  sw t0, 24(s0)
  li t0, 0x7fffffff
  sw t0, 28(s0)
  sw zero, 32(s0)
  sw zero, 36(s0)
  li t0, 128
  sw t0, 40(s0)
  eval a0, s0
  li t1, 7
  beq a0, t1, 1f
  lw t0, 56(s0)
  addi t0, t0, 1
  j 2f
1: li t0, 0
2: sw t0, 60(s0)
  addi a0, s0, 60
  li a1, 4
  return a0, a1`, { ramsize: 128, gas: 0x7fffffff }));
    expect(r.status).toBe(0);
    expect(r.word('output')).toBe(1023);
    expect(r.evals).toBe(1024);
  });
});

describe('permissions', () => {
  test('a child never gains a permission: PSET is masked by the caller\'s', () => {
    const r = run(parent('  addi sp, sp, -16\n  perm t0\n  sw t0, 0(sp)\n  mv a0, sp\n  li a1, 4\n  return a0, a1', { pset: 0xff }), { pset: 0x03, gas: 1_000_000 });
    expect(r.status).toBe(0);
    expect(r.word('output')).toBe(0x03);
  });

  test('PSET 19 = subjective + hard drive + infinite gas: the child is metered, not charged', () => {
    const r = run(parent('  addi sp, sp, -16\n  perm t0\n  gas t1\n  sw t0, 0(sp)\n  sw t1, 4(sp)\n  mv a0, sp\n  li a1, 8\n  return a0, a1', { pset: 19 }));
    expect(r.word('output')).toBe(19);
    expect(r.word('output', 1)).toBe(0xffffffff);
    expect(r.word('gasused')).toBe(0);
  });

  test('zero response: GASTAB without alter-gas-table reads 0 and changes nothing', () => {
    const r = run(parent(`
  addi sp, sp, -16
  li t0, 0
  li t1, 99
  gastab t2, t0, t1
  addi t3, zero, 1
  sw t2, 0(sp)
  mv a0, sp
  li a1, 4
  return a0, a1`, { pset: 0 }));
    expect(r.word('output')).toBe(0);
    // addi 1, li 1, li 1, gastab 1, addi 1 (cost unchanged), sw 2, mv 1, li 1, RETURN 20, copy 1.
    expect(r.word('gasused')).toBe(30);
  });

  test('GASTAB with alter-gas-table changes the class cost from the next instruction on', () => {
    const r = run(parent(`
  addi sp, sp, -16
  li t0, 0
  li t1, 5
  gastab t2, t0, t1
  addi t3, zero, 1
  sw t2, 0(sp)
  mv a0, sp
  li a1, 4
  return a0, a1`, { pset: 0x20 }));
    expect(r.word('output')).toBe(1);
    // addi 1, li 1, li 1, gastab 1, then ALU at 5: addi 5, sw 2, mv 5, li 5, RETURN 20, copy 1.
    expect(r.word('gasused')).toBe(42);
  });

  test('gas costs are unsigned: a cost of 0x80000000 is huge, not negative', () => {
    const r = run(parent(`
  li t0, 0
  li t1, 0x80000000
  gastab t2, t0, t1
  addi t3, zero, 1
  return zero, zero`, { pset: 0x20, gas: 1000 }));
    expect(r.status).toBe(2);
    expect(r.word('gasused')).toBe(3);
  });
});

describe('INTERRUPT', () => {
  test('examples/kvstore.S: SLOAD/SSTORE served by the parent\'s handler', () => {
    const r = run(readFileSync(new URL('../examples/kvstore.S', import.meta.url), 'utf8'));
    expect(r.stdout).toBe('child status 0, output 100,7, gas used 329\nstore: 1=100 2=7 \n');
    expect(r.status).toBe(0);
  });

  test('a handler that throws: the interrupter resumes with a0 = THROW, a1 = the code', () => {
    const r = run(parent(`
  addi sp, sp, -32
  mv a0, sp
  li a1, 4
  addi a2, sp, 16
  li a3, 4
  ecall
  sw a0, 0(sp)
  sw a1, 4(sp)
  mv a0, sp
  li a1, 8
  return a0, a1`, {}, 'li a0, 9\n  throw a0'));
    expect(r.status).toBe(0);
    expect(r.word('output')).toBe(1);
    expect(r.word('output', 1)).toBe(9);
  });

  test('the reply is copied into the interrupter\'s buffer, truncated to its capacity', () => {
    const r = run(parent(`
  addi sp, sp, -32
  li t0, 0x61626364
  sw t0, 0(sp)
  sw t0, 4(sp)
  mv a0, sp
  li a1, 8
  addi a2, sp, 16
  li a3, 6
  ecall
  sw a1, 24(sp)
  addi a0, sp, 16
  li a1, 12
  return a0, a1`));
    expect(r.word('output')).toBe(0x61626364);
    expect(r.word('output', 1) & 0xffff).toBe(0x6364);
    expect(r.word('output', 2)).toBe(6);
  });

  test('INTERRUPT with no handler: INTERRUPT_DENIED', () => {
    const r = run(parent('  ecall\n  li a0, 1\n  return a0, a0', { nsize: '0' }));
    expect(r.status).toBe(9);
  });

  test('a handler that interrupts is served by the parent\'s parent: the host', () => {
    const r = run(parent(`
  addi sp, sp, -16
  mv a0, sp
  li a1, 0
  mv a2, sp
  li a3, 0
  ecall
  mv a0, sp
  return a0, zero`, {}, `la a1, hello
  li a0, 1
  li a2, 3
  li a7, 64
  ecall
  return a0, zero
hello: .ascii "hi\\n"
  .balign 4`));
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('hi\n');
  });
});

describe('the root frame', () => {
  test('RETURN from the root ends the run successfully with its output', () => {
    const r = lockstep(assembleToElf('.text\n.globl _start\n_start:\n la a0, msg\n li a1, 3\n return a0, a1\n.data\nmsg: .ascii "ok\\n"'));
    expect(r.end).toEqual({ kind: 'return', output: new Uint8Array([0x6f, 0x6b, 0x0a]) });
  });

  test('THROW from the root ends the run with its code', () => {
    const r = lockstep(assembleToElf('.text\n.globl _start\n_start:\n li a0, 5\n throw a0'));
    expect(r.end).toEqual({ kind: 'throw', code: 5 });
  });

  test('out of gas in the root frame', () => {
    const r = lockstep(assembleToElf('.text\n.globl _start\n_start:\n1: addi a0, a0, 1\n j 1b'), { pset: 0, gas: 100 });
    expect(r.end).toMatchObject({ kind: 'trap', cause: 24 });
    expect(r.gas).toBe(100);
  });
});
