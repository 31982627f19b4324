// The GDB stub's pieces without gdb: the Remote Serial Protocol codec (debug/rsp.ts) against
// the manual's examples and random round trips, and the stub (debug/gdbstub.ts) against a
// hostile client — malformed packets, huge lengths, bad checksums, oversized packets, Ctrl-C,
// and a client that hangs up in the middle of a continue. test/gdb.test.ts runs real gdb.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { connect, createServer } from 'node:net';
import { describe, expect, test } from 'vitest';
import { assembleToElf } from '../isa/asm.js';
import { loadElf } from '../cpu/program.js';
import { disassemble } from '../isa/disasm.js';
import { GdbSession, MAX_READ, serveGdb, TARGET_XML, type SessionEndReason } from '../debug/gdbstub.js';
import { GdbTarget } from '../debug/gdbtarget.js';
import { frame, MAX_RAW_PACKET, RspDecoder, type RspEvent } from '../debug/rsp.js';
import { EVMINF } from './c/build.js';

const LOOP = `
  .text
  .globl _start
_start:
  li a0, 0
  la t1, word
again:
  addi a0, a0, 1
  sw a0, 0(t1)
  j again
  .data
word: .word 0
`;

const packets = (evs: RspEvent[]): string[] => evs.flatMap((e) => (e.kind === 'packet' ? [e.data.toString('latin1')] : []));

describe('RSP framing', () => {
  test('the manual\'s examples: $OK#9a, and a run of escapes', () => {
    expect(frame('OK').toString('latin1')).toBe('$OK#9a');
    expect(frame('').toString('latin1')).toBe('$#00');
    // `}` escapes $ # } * as the byte XOR 0x20; the checksum covers the escaped bytes.
    const f = frame(Buffer.from('a$b#c}d*', 'latin1')).toString('latin1');
    expect(f.slice(0, f.length - 3)).toBe('$a}\x04b}\x03c}]d}\x0a');
    const body = Buffer.from(f.slice(1, f.length - 3), 'latin1');
    expect(f.slice(-2)).toBe((body.reduce((a, b) => a + b, 0) & 0xff).toString(16).padStart(2, '0'));
  });

  test('random payloads survive framing and any split into chunks', () => {
    let seed = 12345;
    const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
    for (let k = 0; k < 300; k++) {
      const payload = Buffer.from(Array.from({ length: rnd(200) }, () => rnd(256)));
      const wire = Buffer.concat([Buffer.from('+'), frame(payload), Buffer.from([3]), frame('x')]);
      const d = new RspDecoder();
      const evs: RspEvent[] = [];
      for (let i = 0; i < wire.length;) { const n = 1 + rnd(40); evs.push(...d.push(wire.subarray(i, i + n))); i += n; }
      expect(evs.map((e) => e.kind)).toEqual(['ack', 'packet', 'interrupt', 'packet']);
      expect(evs[1]!.kind === 'packet' && evs[1]!.data.equals(payload)).toBe(true);
    }
  });

  test('a bad checksum, a bad checksum digit, and an oversized packet are events, not packets', () => {
    const d = new RspDecoder();
    expect(d.push(Buffer.from('$OK#9b$OK#zz$OK#9a')).map((e) => e.kind)).toEqual(['bad-checksum', 'bad-checksum', 'packet']);
    const huge = Buffer.concat([Buffer.from('$'), Buffer.alloc(MAX_RAW_PACKET + 10, 0x61), Buffer.from('#00$OK#9a')]);
    expect(d.push(huge).map((e) => e.kind)).toEqual(['overflow', 'packet']);
    expect(packets(d.push(Buffer.from('garbage$g#67')))).toEqual(['g']);
  });
});

/** A session over the loop program; `ask` sends packets and returns the replies that came back. */
function session(model: 'iss' | 'cycle' = 'iss', source = LOOP) {
  const t = new GdbTarget(loadElf(assembleToElf(source, { file: 'loop.S' })), { model, snapshotEvery: 64, snapshotsKept: 8 });
  const dec = new RspDecoder();
  const replies: string[] = [];
  const raw: string[] = [];
  let ended: SessionEndReason | null = null;
  const s = new GdbSession(t, (b) => { raw.push(b.toString('latin1')); replies.push(...packets(dec.push(b))); }, (why) => { ended = why; });
  const ask = async (...pkts: string[]): Promise<string[]> => {
    replies.length = 0;
    for (const p of pkts) s.receive(frame(p));
    for (let i = 0; i < 50 && replies.length < pkts.length; i++) await new Promise((r) => setImmediate(r));
    return [...replies];
  };
  return { t, s, ask, raw, ended: () => ended };
}

describe('the stub against a hostile client', () => {
  test('malformed and out-of-range packets get errors or the empty reply', async () => {
    const { ask, t } = session();
    const entry = t.pc;
    const hex = entry.toString(16);
    expect(await ask('m', 'mzz,4', 'm0,123456789', `m${hex},`, 'm0,4', 'p21', 'pzz', 'P1=12', 'Z2,0,0', 'Z9,0,4', 'Hg99', 'T99', 'qXfer:features:read:x.xml:0,10', 'Qfoo', 'vFoo'))
      .toEqual(['E01', 'E01', 'E01', 'E01', 'E01', 'E01', 'E01', 'E01', 'E01', 'E01', 'E01', 'E01', 'E00', '', '']);
    // A huge length reads what one reply holds; reading on past the region's end stops there.
    const [big] = await ask(`m${hex},ffffffff`);
    expect(big!.length).toBeLessThanOrEqual(2 * MAX_READ);
    expect(big!.length).toBeGreaterThan(0);
    // Registers: 33 of 8 hex digits, pc last and at the entry.
    const [g] = await ask('g');
    expect(g!.length).toBe(33 * 8);
    expect(Buffer.from(g!.slice(32 * 8), 'hex').readUInt32LE(0)).toBe(entry);
    // Code ROM is not writable (breakpoints are the stub's, never written into code).
    expect(await ask(`M${hex},4:00000000`, `X${hex},1:\x00`)).toEqual(['E01', 'E01']);
    expect(await ask('M0,4:0000', 'M0,2:0000')).toEqual(['E01', 'E01']);
  });

  test('the target description comes in pieces that join to the whole', async () => {
    const { ask } = session();
    let doc = '', off = 0;
    for (;;) {
      const [r] = await ask(`qXfer:features:read:target.xml:${off.toString(16)},100`);
      doc += r!.slice(1);
      off += r!.length - 1;
      if (r![0] === 'l') break;
      expect(r![0]).toBe('m');
    }
    expect(doc).toBe(TARGET_XML);
    expect(doc).toContain('<architecture>riscv:rv32</architecture>');
    expect((doc.match(/<reg /g) ?? []).length).toBe(33);
  });

  test('a bad checksum is answered with -, a nack repeats the last reply', async () => {
    const { s, raw, ask } = session();
    await ask('qC');
    raw.length = 0;
    s.receive(Buffer.from('$qC#00'));
    s.receive(Buffer.from('-'));
    expect(raw).toEqual(['-', frame('QC1').toString('latin1')]);
  });

  test('writes on the cycle model are refused; on the ISS they start a new history', async () => {
    const c = session('cycle');
    expect(await c.ask('P1=78563412', 'G' + '00'.repeat(33 * 4))).toEqual(['E01', 'E01']);
    const i = session('iss');
    await i.ask('vCont;s', 'vCont;s');
    expect(i.t.position).toBe(2);
    expect(await i.ask('Pa=2a000000')).toEqual(['OK']);
    expect(i.t.historyStart).toBe(2);
    expect(await i.ask('bs')).toEqual(['T05replaylog:begin;thread:1;']);
    expect(await i.ask('pa')).toEqual(['2a000000']);
  });

  test('an oversized packet, or a flood of packets while running, drops the connection', async () => {
    const a = session();
    a.s.receive(Buffer.concat([Buffer.from('$'), Buffer.alloc(MAX_RAW_PACKET + 1, 0x30)]));
    expect(a.ended()).toBe('protocol');
    const b = session();
    b.s.receive(Buffer.concat([frame('vCont;c'), ...Array.from({ length: 300 }, () => frame('g'))]));
    expect(b.ended()).toBe('protocol');
  });

  test('at a breakpoint on a store, memory is as before it on both models', async () => {
    const seen: Record<string, string[]> = {};
    for (const model of ['iss', 'cycle'] as const) {
      const { ask, t } = session(model);
      const sw = t.pc + 16; // li, la (auipc + addi), addi: then the sw
      const word = t.m.mem.regions.find((r) => (r.perm & 2) !== 0 && r.base < 0x7000_0000)!.base;
      expect(t.m.mem.readWord(sw)! & 0x7f).toBe(0x23); // a store
      await ask(`Z0,${sw.toString(16)},4`);
      seen[model] = [];
      for (let k = 0; k < 4; k++) {
        expect(await ask('vCont;c')).toEqual(['T05thread:1;']);
        const [a0, mem] = await ask('pa', `m${word.toString(16)},4`);
        // The store writes a0 there: before it runs, the word still holds the turn before's.
        expect(Buffer.from(mem!, 'hex').readUInt32LE(0)).toBe(Buffer.from(a0!, 'hex').readUInt32LE(0) - 1);
        seen[model]!.push(`${a0} ${mem}`);
      }
    }
    expect(seen.cycle).toEqual(seen.iss);
  });

  test('Ctrl-C stops a continue that would never end; watch and reverse stops carry their keys', async () => {
    const { s, ask, t } = session('cycle');
    const word = t.m.mem.regions.find((r) => r.name.includes('data') || (r.perm & 2) !== 0)!.base;
    const replies: string[] = [];
    const done = ask('vCont;c').then((r) => replies.push(...r));
    await new Promise((r) => setTimeout(r, 50));
    s.receive(Buffer.from([3]));
    await done;
    expect(replies).toEqual(['T02thread:1;']);
    expect(t.position).toBeGreaterThan(0);
    // A write watchpoint on the loop's word: stops before the store, with its address.
    expect(await ask(`Z2,${word.toString(16)},4`, 'vCont;c')).toEqual(['OK', `T05watch:${word.toString(16)};thread:1;`]);
    const at = t.position;
    expect(await ask('vCont;c')).toEqual([`T05watch:${word.toString(16)};thread:1;`]);
    expect(await ask('bc')).toEqual([`T05watch:${word.toString(16)};thread:1;`]);
    expect(t.position).toBe(at);
    expect(await ask(`z2,${word.toString(16)},4`, 'bc')).toEqual(['OK', 'T05replaylog:begin;thread:1;']);
    expect(t.position).toBe(0);
  });
});

/** A load, an add and a store of one word, forever: for hardware breakpoints and read/access watchpoints. */
const LOAD_STORE = `
  .text
  .globl _start
_start:
  la t1, word
again:
  lw a0, 0(t1)
  addi a0, a0, 1
  sw a0, 0(t1)
  j again
  .data
word: .word 0
`;

describe.each(['iss', 'cycle'] as const)('hardware breakpoints, read and access watchpoints, kill and detach (%s)', (model) => {
  const addrOf = (t: GdbTarget, insn: string): number => {
    for (let pc = t.pc; ; pc += 4) if (disassemble(t.m.mem.readWord(pc)! >>> 0, pc).startsWith(insn)) return pc;
  };
  test('Z1 stops at its address; Z3 and Z4 stop at the load and the store with rwatch/awatch and the address', async () => {
    const { ask, t } = session(model, LOAD_STORE);
    const add = addrOf(t, 'addi'), load = addrOf(t, 'lw'), store = addrOf(t, 'sw');
    expect(await ask(`Z1,${add.toString(16)},4`, 'vCont;c')).toEqual(['OK', 'T05thread:1;']);
    expect(t.pc >>> 0).toBe(add);
    expect(t.m.x[10]).toBe(0);
    const w = (t.m.x[6]! >>> 0).toString(16); // t1: the word's address
    expect(await ask(`z1,${add.toString(16)},4`, `Z3,${w},4`, 'vCont;c')).toEqual(['OK', 'OK', `T05rwatch:${w};thread:1;`]);
    const r1 = t.retired;
    expect(await ask('vCont;c')).toEqual([`T05rwatch:${w};thread:1;`]);
    expect(t.retired - r1).toBe(4); // one loop: lw, addi, sw, j — the store does not stop a read watch
    expect(await ask(`z3,${w},4`, `Z4,${w},4`, 'vCont;c')).toEqual(['OK', 'OK', `T05awatch:${w};thread:1;`]);
    const r2 = t.retired;
    expect(await ask('vCont;c')).toEqual([`T05awatch:${w};thread:1;`]);
    expect(t.retired - r2).toBeGreaterThan(0);
    expect(t.retired - r2).toBeLessThan(4); // the load and the store both stop an access watch
    expect([load, store]).toContain(t.pc >>> 0);
  });
  test('D answers OK and ends the session as a detach; k and vKill end it as a kill', async () => {
    const a = session(model, LOAD_STORE);
    expect(await a.ask('D')).toEqual(['OK']);
    expect(a.ended()).toBe('detach');
    const b = session(model, LOAD_STORE);
    await b.ask('k');
    expect(b.ended()).toBe('kill');
    const c = session(model, LOAD_STORE);
    expect(await c.ask('vKill;1')).toEqual(['OK']);
    expect(c.ended()).toBe('kill');
  });
});

const FRAMES = `
  .text
  .globl _start
_start:
  li s1, 3
outer:
  la s0, desc
  eval a0, s0
  la t0, buf
  lw t1, 0(t0)
  addi t1, t1, 1
  sw t1, 0(t0)
  li a0, 1
  la a1, msg
  li a2, 3
  li a7, 64
  ecall
  addi s1, s1, -1
  bnez s1, outer
  li a0, 0
  li a7, 93
  ecall
child:
  li t0, 5
1:
  addi t0, t0, -1
  bnez t0, 1b
  addi a0, sp, -4
  sw s1, 0(a0)
  li a1, 4
  return a0, a1
child_end:
  .data
  .balign 4
desc:
  .word 0, child, child_end - child
  .word 0, 0
  .word out, 4
  .word 1000
  .word 0, 0
  .word 64
  .word 0, 0
out: .word 0
buf: .word 0
msg: .ascii "hi\\n"
`;

/** Everything gdb can see at a position: registers, pc, gas, cycles, frames, writable memory. */
function digest(t: GdbTarget): string {
  const h = createHash('sha256');
  for (const f of t.frames()) {
    h.update(`${f.kind} ${f.depth} ${f.pset} ${f.gasUsed} ${f.gasLimit} ${f.pc} ${Array.from(f.regs).join(',')};`);
    for (const r of f.mem.regions) if (r.perm & 2) h.update(t.readMemory(f.mem, r.base, r.size));
  }
  return `${t.position} ${t.cycles} ${t.retired} ${h.digest('hex')}`;
}

describe('reverse execution against a straight run', () => {
  test.each(['iss', 'cycle'] as const)('%s: random jumps back and forth across EVAL, RETURN and ECALL land on the very states of the straight run', (model) => {
    const elf = assembleToElf(FRAMES, { file: 'frames.S' });
    const straight = new GdbTarget(loadElf(elf, 8192), { model });
    const states: string[] = [digest(straight)];
    while (straight.forward({ kind: 'step' }, 1, true)!.kind === 'step') states.push(digest(straight));
    states.push(digest(straight));
    const last = straight.position;
    expect(straight.ended).toEqual({ kind: 'exit', code: 0 });
    const out: string[] = [];
    const t = new GdbTarget(loadElf(elf, 8192), { model, snapshotEvery: 7, snapshotsKept: 3, onOutput: (_fd, b) => out.push(Buffer.from(b).toString('latin1')) });
    let seed = 7;
    const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
    for (let k = 0; k < 150; k++) {
      const op = rnd(4);
      if (op === 0) t.goTo(rnd(last + 1));
      else if (op === 1) t.reverseStep();
      else if (op === 2) t.forward({ kind: 'step' }, 1, true);
      else t.forward({ kind: 'continue' }, rnd(40), true);
      expect(digest(t), `after operation ${k}`).toBe(states[t.position]);
      expect(t.snapshots).toBeLessThanOrEqual(4);
    }
    t.goTo(last);
    expect(digest(t)).toBe(states[last]);
    // Each write shown once, however often the replays ran the ECALL that made it.
    expect(out.join('')).toBe('hi\n'.repeat(3));
  });
});

test('with stop-on-frames, running forward stops at every frame entry and exit', async () => {
  const t = new GdbTarget(loadElf(assembleToElf(FRAMES, { file: 'frames.S' }), 8192), { model: 'cycle' });
  const dec = new RspDecoder();
  const replies: string[] = [];
  const s = new GdbSession(t, (b) => replies.push(...packets(dec.push(b))), () => {});
  s.receive(frame(`qRcmd,${Buffer.from('stop-on-frames on').toString('hex')}`));
  const depths: number[] = [];
  let evalPc = -1;
  for (let k = 0; k < 6; k++) {
    s.receive(frame('vCont;c'));
    await new Promise((r) => setImmediate(r));
    depths.push(t.frames().length - 1);
    // Entering a child stops at its first instruction, leaving it just after the EVAL.
    if (k % 2 === 0) { expect(t.pc).toBe(0x10000); evalPc = t.frames()[0]!.pc; }
    else expect(t.pc).toBe(evalPc + 4);
  }
  expect(depths).toEqual([1, 0, 1, 0, 1, 0]);
  expect(replies[0]).toBe(Buffer.from('stop-on-frames on: running forward stops when a frame is entered or left\n').toString('hex'));
  expect(replies.slice(1)).toEqual(Array(6).fill('T05thread:1;'));
});

describe('over TCP and from the command line', () => {
  test('a client that hangs up in the middle of a continue ends the session, the stub survives', async () => {
    const t = new GdbTarget(loadElf(assembleToElf(LOOP, { file: 'loop.S' })), { model: 'iss' });
    let port = 0;
    const served = serveGdb(t, { port: 0, onListening: (p) => { port = p; } });
    while (port === 0) await new Promise((r) => setTimeout(r, 5));
    const sock = connect(port, '127.0.0.1');
    await new Promise((r) => sock.on('connect', r));
    sock.write(frame('vCont;c'));
    await new Promise((r) => setTimeout(r, 50));
    sock.destroy();
    expect(await served).toBe('disconnect');
    expect(t.position).toBeGreaterThan(0);
  });

  test('a bad port and a busy port are one-line usage errors', async () => {
    const bad = spawnSync(process.execPath, [EVMINF, 'gdb', 'x.S', '--port', '70000'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const port = (busy.address() as { port: number }).port;
    try {
      const src = `${process.cwd()}/examples/kvstore.S`;
      const r = spawnSync(process.execPath, [EVMINF, 'gdb', src, '--port', String(port)], { encoding: 'utf8', timeout: 20_000 });
      expect(r.stderr).toBe(`evminf: cannot listen on 127.0.0.1:${port}: the port is in use\n`);
      expect(r.status).toBe(2);
    } finally {
      busy.close();
    }
  });
});
