// Hostile EVAL programs for the red-team campaign: generated assembly whose root frame runs
// children that attack the call-management unit (docs/architecture.md). Each program checks
// what it can see itself and exits 99 when a check fails (a frame observed something it must
// not); what it cannot see — its canaries and its code ROM — the campaign checks from outside
// after the run (verify/redteam/kinds.ts). The attacks:
//  - race:      the handler rewrites the live descriptor (OSTART to a canary, the code ROM or
//               unmapped space, OSIZE, PSET, GAS, NSTART, NSIZE, RAMSIZE) while the child waits
//               in an INTERRUPT; the child reports its PSET and gas before and after
//  - nested:    INTERRUPTs forwarded through 1–3 levels of handlers to the host, with short
//               reply buffers and handlers that write their request ROM
//  - slices:    descriptors with slices at region edges, across them and wrapping 2^32
//  - perm:      children asking for permissions beyond their caller's, and GASTAB abuse
//  - recursion: a child that EVALs itself to the depth limit with big input slices
//  - exhaust:   the same with 16 MiB of RAM per frame, every page touched, until the memory
//               budget stops it (MEMORY_LIMIT)

import type { Rng } from './mutate.js';

export type GuestAttack = 'race' | 'nested' | 'slices' | 'perm' | 'recursion' | 'exhaust';
export const GUEST_ATTACKS: readonly GuestAttack[] = ['race', 'nested', 'slices', 'perm', 'recursion', 'exhaust'];

/** The highest EVAL status (MEMORY_LIMIT, docs/architecture.md). */
const MAX_STATUS = 10;

/** The exit status a generated program uses for "a check I could make failed". */
export const GUEST_FAIL = 99;

export interface GuestProgram {
  attack: GuestAttack;
  source: string;
  /** Root PSET and gas limit (`evminf run --pset/--gas`). */
  pset: number;
  gas?: number;
  /** Labels of the canaries: 64 bytes each that no frame may change. */
  canaries: readonly string[];
  /** What the program does, for the report. */
  what: string;
}

const CANARY = 64;
const RAM = 0x4000_0000;
const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

/** `li`/`sw` lines that write `words` (numbers or assembler expressions) at `addr` in the frame's RAM. */
function storeWords(addr: number, words: readonly (number | string)[]): string[] {
  const l = [`\tli t5, ${hex(addr)}`];
  words.forEach((w, i) => l.push(`\tli t6, ${typeof w === 'number' ? hex(w) : w}`, `\tsw t6, ${i * 4}(t5)`));
  return l;
}

const EXIT_LINES = ['pass:', '\tli a0, 0', '\tli a7, 93', '\tecall', 'fail:', `\tli a0, ${GUEST_FAIL}`, '\tli a7, 93', '\tecall'];

function dataBlock(extra: readonly string[]): string[] {
  return [
    '\t.data', '\t.p2align 4',
    `canary0:\t.skip ${CANARY}, 0xa5`,
    ...extra,
    `canary1:\t.skip ${CANARY}, 0x5a`,
    'out:\t.skip 256, 0',
    `canary2:\t.skip ${CANARY}, 0xc3`,
    'in:\t.word 1, 2, 3, 4, 5, 6, 7, 8',
    'scratch:\t.skip 64, 0',
    `canary3:\t.skip ${CANARY}, 0x3c`,
  ];
}

function rootPset(rng: Rng): { pset: number; gas?: number } {
  // Any byte: the models mask the root PSET to the defined bits. The CLI, which takes only the
  // defined bits (exit 2 otherwise), gets the masked value when the case is spawned.
  const pset = rng.pick([0xff, 0xff, 0xef, 0x3f, 0x2f, 0x10, 0x00, rng.below(256)]);
  return { pset, gas: pset & 0x10 ? undefined : 5_000_000 + rng.below(5_000_000) };
}

/** The handler rewrites fields of the live descriptor while the child is in an INTERRUPT. */
function race(rng: Rng): GuestProgram {
  const attacks: [string, string[]][] = [
    ['OSTART to a canary', ['\tla t1, canary1', '\tsw t1, 20(t0)']],
    ['OSTART to the code ROM', ['\tla t1, _start', '\tsw t1, 20(t0)']],
    ['OSTART to unmapped space', [`\tli t1, ${hex(rng.pick([0xffff_fff0, 0x0, 0x9000_0000, 0x7fff_fffc]))}`, '\tsw t1, 20(t0)']],
    ['OSIZE huge', [`\tli t1, ${hex(rng.pick([4096, 0x100_0000, 0xffff_ffff]))}`, '\tsw t1, 24(t0)']],
    ['PSET to all ones', ['\tli t1, -1', '\tsw t1, 0(t0)']],
    ['GAS to all ones', ['\tli t1, -1', '\tsw t1, 28(t0)']],
    ['NSTART to a second handler', ['\tla t1, handler2', '\tsw t1, 32(t0)']],
    ['NSIZE to 0', ['\tsw zero, 36(t0)']],
    ['RAMSIZE to 0', ['\tsw zero, 40(t0)']],
    ['CSTART/CSIZE to the root', ['\tla t1, _start', '\tsw t1, 4(t0)', '\tli t1, 64', '\tsw t1, 8(t0)']],
  ];
  const chosen = attacks.filter(() => rng.chance(0.35));
  if (chosen.length === 0) chosen.push(rng.pick(attacks));
  const p = rootPset(rng);
  const req = rng.pick([0xff, 0x0f, 0x10, 0x20, 0x00]);
  const child = [
    'child:',
    '\tperm s2', '\tgas s3',
    `\tli a0, ${hex(RAM)}`, '\tli a1, 4', `\tli a2, ${hex(RAM + 0x10)}`, '\tli a3, 4', '\tecall', '\tmv s6, a0',
    '\tperm s4', '\tgas s5',
    `\tli a0, ${hex(RAM)}`, '\tli a1, 4', `\tli a2, ${hex(RAM + 0x20)}`, '\tli a3, 4', '\tecall', '\tmv s7, a0',
    `\tli t0, ${hex(RAM + 0x40)}`,
    '\tsw s2, 0(t0)', '\tsw s3, 4(t0)', '\tsw s4, 8(t0)', '\tsw s5, 12(t0)', '\tsw s6, 16(t0)', '\tsw s7, 20(t0)',
    `\tli t1, ${hex(RAM + 0x10)}`, '\tlw t2, 0(t1)', '\tsw t2, 24(t0)', '\tlw t2, 16(t1)', '\tsw t2, 28(t0)',
    '\tmv a0, t0', '\tli a1, 64', '\treturn a0, a1',
    'child_end:',
  ];
  const handler = [
    'handler:', '\tla t0, desc',
    ...chosen.flatMap(([, l]) => l),
    '\tla t2, scratch', '\tli t1, 0x1111', '\tsw t1, 0(t2)', '\tmv a0, t2', '\tli a1, 4', '\treturn a0, a1',
    'handler2:', '\tla t2, scratch', '\tli t1, 0x2222', '\tsw t1, 4(t2)', '\taddi a0, t2, 4', '\tli a1, 4', '\treturn a0, a1',
    'handler_end:',
  ];
  const body = [
    '\tperm s8',
    '\tla s0, desc', '\teval s1, s0',
    // A child whose descriptor was latched at EVAL runs as if nothing had been rewritten.
    '\tbnez s1, fail',
    '\tla t0, out',
    '\tlw t1, 0(t0)', '\tlw t2, 8(t0)', '\tbne t1, t2, fail',          // PSET changed mid-run
    '\tnot t3, s8', '\tand t3, t3, t1', '\tbnez t3, fail',             // PSET beyond the root's
    '\tlw t1, 4(t0)', '\tlw t2, 12(t0)', '\tbltu t1, t2, fail',        // gas left grew
    '\tlw t1, 16(t0)', '\tbnez t1, fail', '\tlw t1, 20(t0)', '\tbnez t1, fail',
    '\tli t2, 0x1111', '\tlw t1, 24(t0)', '\tbne t1, t2, fail', '\tlw t1, 28(t0)', '\tbne t1, t2, fail',
  ];
  const desc = `desc:\t.word ${hex(req)}, child, child_end - child, in, 16, out, 64, 1000000, handler, handler_end - handler, 256, 0, 0`;
  return {
    attack: 'race', ...p, canaries: ['canary0', 'canary1', 'canary2', 'canary3'],
    what: `handler rewrites ${chosen.map(([w]) => w).join(', ')} (root PSET ${hex(p.pset)})`,
    source: program(body, [...handler, ...child], [desc]),
  };
}

function program(body: readonly string[], code: readonly string[], data: readonly string[]): string {
  return ['# evminf red-team guest program (verify/redteam/guest.ts)', '\t.text', '\t.globl _start', '_start:', ...body, ...EXIT_LINES, ...code, 'text_end:', ...dataBlock(data), 'data_end:', ''].join('\n');
}

/** INTERRUPTs forwarded through `levels` frames of handlers to the root handler and the host. */
function nested(rng: Rng): GuestProgram {
  const levels = 1 + rng.below(3);
  const cap = rng.below(5);
  const romWrite = rng.chance(0.25);
  const marker = 0x600d_0000 | rng.below(0x1_0000);
  const code: string[] = [];
  // The root's handler: a write(1) through the host, then the marker as the reply.
  code.push('h0:', '\tli a0, 1', '\tla a1, msg', '\tli a2, 7', '\tli a7, 64', '\tecall',
    '\tla t0, scratch', `\tli t1, ${hex(marker)}`, '\tsw t1, 0(t0)', '\tmv a0, t0', '\tli a1, 4', '\treturn a0, a1', 'h0_end:');
  for (let i = 1; i <= levels; i++) {
    const at = (l: string): string => `0x10000 + (${l} - lvl${i})`;
    code.push(`lvl${i}:`);
    if (i < levels) {
      code.push(...storeWords(RAM + 0x100, [0xff, at(`lvl${i + 1}`), `lvls_end - lvl${i + 1}`, 0, 0, RAM + 0x200, 8, 1_000_000, at(`h${i}`), `h${i}_end - h${i}`, 4096, 0, 0]),
        `\tli t0, ${hex(RAM + 0x100)}`, '\teval s1, t0',
        `\tli t0, ${hex(RAM + 0x200)}`, '\tlw t1, 0(t0)', '\tor s1, s1, t1', '\tlw s2, 4(t0)');
    } else {
      // The innermost frame: its reply buffer holds `cap` bytes; the word after them must stay 0.
      code.push(`\tli a0, ${hex(RAM)}`, '\tli a1, 4', `\tli a2, ${hex(RAM + 0x10)}`, `\tli a3, ${cap}`, '\tecall', '\tmv s1, a0',
        `\tli t0, ${hex(RAM + 0x10)}`, '\tlw s2, 0(t0)', '\tlw t1, 4(t0)', `\tli t2, ${GUEST_FAIL}`, '\tbnez t1, 1f');
      code.push(`\tli t3, ${hex(cap >= 4 ? 0xffff_ffff : (2 ** (8 * cap)) - 1)}`, '\tnot t3, t3', '\tand t1, s2, t3', '\tbeqz t1, 2f', '1:\tthrow t2', '2:');
    }
    code.push(`\tli t0, ${hex(RAM + 0x300)}`, '\tsw s1, 0(t0)', '\tsw s2, 4(t0)', '\tmv a0, t0', '\tli a1, 8', '\treturn a0, a1');
    if (i < levels) {
      // This level's handler, in its own context: forward the request up, pass the reply down.
      code.push(`h${i}:`);
      if (romWrite && i === levels - 1) code.push('\tli t0, 0x30000000', '\tsw zero, 0(t0)');
      code.push('\tli a0, 0x30000000', `\tli a2, ${hex(RAM + 0x400)}`, '\tli a3, 4', '\tecall',
        `\tli a0, ${hex(RAM + 0x400)}`, '\tli a1, 4', '\treturn a0, a1', `h${i}_end:`);
    }
  }
  code.push('lvls_end:');
  // A handler that writes its request ROM faults: its interrupter sees BOUNDS (3) and no reply.
  const status = romWrite && levels > 1 ? 3 : 0;
  const reply = status !== 0 ? 0 : cap >= 4 ? marker : marker & ((2 ** (8 * cap)) - 1);
  const body = [
    '\tla s0, desc', '\teval s1, s0', '\tbnez s1, fail',
    '\tla t0, out', '\tlw t1, 0(t0)', `\tli t2, ${status}`, '\tbne t1, t2, fail',
    '\tlw t1, 4(t0)', `\tli t2, ${hex(reply)}`, '\tbne t1, t2, fail',
  ];
  const p = rootPset(rng);
  return {
    attack: 'nested', ...p, canaries: ['canary0', 'canary1', 'canary2', 'canary3'],
    what: `${levels} levels, reply capacity ${cap}${romWrite ? ', a handler writes its request ROM' : ''}`,
    source: program(body, code, [
      `desc:\t.word 0xff, lvl1, lvls_end - lvl1, 0, 0, out, 8, 2000000, h0, h0_end - h0, 4096, 0, 0`,
      'msg:\t.ascii "nested\\n"', '\t.p2align 2',
    ]),
  };
}

/** A descriptor field: `bad` makes EVAL's validation fail; `unsure` leaves the outcome open. */
interface Field { value: string; bad: boolean; unsure?: boolean }
const ok = (value: number | string): Field => ({ value: typeof value === 'number' ? hex(value) : value, bad: false });
const bad = (value: number | string): Field => ({ value: typeof value === 'number' ? hex(value) : value, bad: true });

/** Descriptors with slices at region edges, across them and wrapping 2^32. */
function slices(rng: Rng): GuestProgram {
  const n = 1 + rng.below(6);
  const descs: string[] = [], body: string[] = [];
  for (let k = 0; k < n; k++) {
    const pick = (xs: readonly Field[]): Field => (rng.chance(0.6) ? xs[0]! : rng.pick(xs));
    const code = pick([ok('child'), bad(0xffff_fffc), bad('text_end - 4'), bad(0), bad(0xf000_0000)]);
    const csize = code.value === 'child' ? pick([ok('child_end - child'), ok(0), ok(4), bad(0xffff_ffff), bad(16 << 20), bad('text_end - child + 4'), ok('text_end - child')])
      : rng.chance(0.5) ? ok(0) : ok(8);
    // An empty slice at an address outside every region copies nothing; docs/architecture.md does
    // not say whether it is valid, so either answer is accepted.
    if (code.bad && csize.value === hex(0)) { code.bad = false; code.unsure = true; }
    const isz = rng.pick([4, 8, 32]);
    const input = pick([ok('in'), ok(`data_end - ${isz}`), bad(`data_end - ${isz - 4}`), bad(0xffff_fff0), bad(0x7ff0_0000 - 4)]);
    const osz = rng.pick([4, 16, 64]);
    const output = pick([ok('out'), ok(`canary2 - ${osz}`), bad('_start'), bad(0xffff_fffc), bad(`data_end - ${osz - 4}`), bad(0x7ff0_0000 - 4)]);
    const handler = pick([ok('handler'), bad('in'), bad(0xffff_fffc)]);
    const ramsize = pick([ok(256), ok(0), ok(4), ok(16 << 20), bad(3), bad((16 << 20) + 4), bad(0xffff_fffc)]);
    const gas = rng.pick([ok(100_000), ok(0), ok(1), ok(0xffff_ffff), ok(0x8000_0000)]);
    const pset = ok(rng.pick([0xff, 0xffff_ffff, rng.next(), 0]));
    const nsize = handler.value === 'handler' ? 'handler_end - handler' : '4';
    const fields = [pset, code, csize, input, ok(isz), output, ok(osz), gas, handler, ok(nsize), ramsize];
    const mustReject = fields.some((f) => f.bad), unsure = fields.some((f) => f.unsure);
    // Where the descriptor itself sits: in the data, exactly at the end of the data region, or
    // across its end.
    let place = rng.chance(0.8) ? 'mid' : rng.pick(['end', 'cross', 'wrap']);
    // One descriptor can sit at the end of the data.
    if ((place === 'end' || place === 'cross') && descs.some((d) => d.startsWith('@tail@'))) place = 'mid';
    const label = place === 'end' || place === 'cross' ? 'tail' : `d${k}`;
    const line = `${label}:\t.word ${fields.map((f) => f.value).join(', ')}, 0, 0`;
    if (place === 'end' || place === 'cross') {
      descs.push(`@tail@${line}`);
      body.push(place === 'end' ? '\tla s0, tail' : '\tla s0, tail + 8');
    } else {
      descs.push(line);
      body.push(place === 'wrap' ? '\tli s0, 0xfffffff0' : `\tla s0, d${k}`);
    }
    const reject = mustReject || place === 'cross' || place === 'wrap';
    body.push('\teval s1, s0', `\tli t2, ${MAX_STATUS}`, '\tbltu t2, s1, fail');
    if (reject) body.push('\tli t2, 8', '\tbne s1, t2, fail');
    else if (!unsure) body.push('\tli t2, 8', '\tbeq s1, t2, fail');
  }
  const child = ['child:', `\tli a0, ${hex(RAM)}`, '\tli a1, 64', '\treturn a0, a1', 'child_end:'];
  const handler = ['handler:', '\tmv a1, zero', '\treturn a0, a1', 'handler_end:'];
  const tail = descs.filter((d) => d.startsWith('@tail@')).map((d) => d.slice(6));
  const mid = descs.filter((d) => !d.startsWith('@tail@'));
  const p = rootPset(rng);
  const src = program(body, [...child, ...handler], mid).replace('data_end:', [...tail, 'data_end:'].join('\n'));
  return { attack: 'slices', ...p, canaries: ['canary0', 'canary1', 'canary2', 'canary3'], what: `${n} descriptors at region edges`, source: src };
}

/** Children asking for more than their caller holds, and GASTAB with and without the right. */
function perm(rng: Rng): GuestProgram {
  const gastab = (): string[] => {
    const l: string[] = [];
    for (let i = rng.below(4); i > 0; i--) {
      l.push(`\tli t3, ${hex(rng.pick([0, 1, 3, 8, 9, 10, 11, 12, 0xffff_ffff, 0x8000_0000, rng.below(16)]))}`,
        `\tli t4, ${hex(rng.pick([0, 1, 0xffff_ffff, 0x8000_0000, 1000, rng.next()]))}`, '\tgastab t2, t3, t4');
    }
    return l;
  };
  const reqChild = rng.pick([0xff, 0xffff_ffff, 0x20, 0x10, 0x30, rng.next()]);
  const reqGrand = rng.pick([0xff, 0xffff_ffff, 0x20, 0x10, rng.next()]);
  const at = (l: string): string => `0x10000 + (${l} - child)`;
  const code = [
    'child:', '\tperm s2', ...gastab(),
    ...storeWords(RAM + 0x100, [reqGrand, at('gc'), 'gc_end - gc', 0, 0, RAM + 0x200, 4, 100_000, 0, 0, 64, 0, 0]),
    `\tli t0, ${hex(RAM + 0x100)}`, '\teval s3, t0',
    `\tli t0, ${hex(RAM + 0x200)}`, '\tlw s4, 0(t0)',
    `\tli t0, ${hex(RAM)}`, '\tsw s2, 0(t0)', '\tsw s4, 4(t0)', '\tsw s3, 8(t0)', '\tmv a0, t0', '\tli a1, 12', '\treturn a0, a1',
    'gc:', '\tperm t0', ...gastab(), `\tli t1, ${hex(RAM)}`, '\tsw t0, 0(t1)', '\tmv a0, t1', '\tli a1, 4', '\treturn a0, a1', 'gc_end:',
    'child_end:',
  ];
  const measure = (rd: string): string[] => ['\tgas t0', ...Array(8).fill('\taddi zero, zero, 0'), '\tgas t1', `\tsub ${rd}, t0, t1`];
  const body = [
    '\tperm s2', ...measure('s3'),
    '\tla s0, desc', '\teval s1, s0',
    ...measure('s4'),
    `\tli t2, ${MAX_STATUS}`, '\tbltu t2, s1, fail',
    '\tla t0, out', '\tlw s5, 0(t0)', '\tlw s6, 4(t0)',
    '\tnot t2, s2', '\tand t3, t2, s5', '\tbnez t3, fail',   // the child holds no bit the root lacks
    '\tnot t2, s5', '\tand t3, t2, s6', '\tbnez t3, fail',   // the grandchild none the child lacks
    // Without ALTER_GAS_TABLE anywhere below, the root's costs are what they were. Below means
    // the root's own bit: a child that changed the table and then failed (out of gas at its
    // new prices, say) reports no PSET, but it could only hold the bit if the root does.
    '\tandi t2, s2, 32', '\tbnez t2, pass', '\tandi t2, s2, 16', '\tbnez t2, pass',
    '\tbne s3, s4, fail',
  ];
  const p = rootPset(rng);
  return {
    attack: 'perm', ...p, canaries: ['canary0', 'canary1', 'canary2', 'canary3'],
    what: `root PSET ${hex(p.pset)}, child asks ${hex(reqChild)}, grandchild ${hex(reqGrand)}`,
    source: program(body, code, [`desc:\t.word ${hex(reqChild)}, child, child_end - child, 0, 0, out, 12, 1000000, 0, 0, 256, 0, 0`]),
  };
}

/** A child that EVALs itself until the depth limit, copying `isize` bytes of input each level. */
function recursion(rng: Rng, exhaust: boolean): GuestProgram {
  const ram = exhaust ? 16 << 20 : rng.pick([256, 4096, 65536]);
  const isize = exhaust ? rng.pick([4, 8 << 20]) : Math.max(4, rng.below(ram - 64) & ~3);
  const gas = rng.pick([0xffff_ffff, 10_000_000, 100_000]);
  const code = ['child:'];
  if (exhaust || rng.chance(0.3)) {
    // Touch every page of the RAM, so the host has to back it.
    code.push(`\tli t0, ${hex(RAM)}`, `\tli t1, ${hex(RAM + ram)}`, '\tli t2, 4096', '1:\tsw t2, 0(t0)', '\tadd t0, t0, t2', '\tbltu t0, t1, 1b');
  }
  code.push(
    '\tli t0, 0x20000000', '\tlw s2, 0(t0)', '\taddi s2, s2, 1',
    `\tli t0, ${hex(RAM)}`, '\tsw s2, 0(t0)',
    ...storeWords(RAM + ram - 64, [0xff, 0x10000, 'child_end - child', RAM, isize, RAM + 0x10, 4, gas, 0, 0, ram, 0, 0]),
    `\tli t0, ${hex(RAM + ram - 64)}`, '\teval s3, t0',
    '\tbnez s3, 1f', `\tli t0, ${hex(RAM + 0x10)}`, '\tlw s2, 0(t0)',
    `1:\tli t0, ${hex(RAM + 0x20)}`, '\tsw s2, 0(t0)', '\tmv a0, t0', '\tli a1, 4', '\treturn a0, a1',
    'child_end:',
  );
  const body = [
    '\tla s0, desc', '\teval s1, s0', `\tli t2, ${MAX_STATUS}`, '\tbltu t2, s1, fail', '\tbnez s1, pass',
    // No frame ran deeper than the limit of 1024 (the root is depth 0).
    '\tla t0, out', '\tlw t1, 0(t0)', '\tli t2, 1024', '\tbltu t2, t1, fail', '\tbeqz t1, fail',
  ];
  const p = exhaust ? { pset: 0xff } : rootPset(rng);
  return {
    attack: exhaust ? 'exhaust' : 'recursion', ...p, canaries: ['canary0', 'canary1', 'canary2', 'canary3'],
    what: `self-EVAL with RAMSIZE ${ram}, ISIZE ${isize}, GAS ${hex(gas)}`,
    source: program(body, code, [`desc:\t.word 0xff, child, child_end - child, in, 4, out, 4, ${hex(gas)}, 0, 0, ${hex(ram)}, 0, 0`]).replace('in:\t.word 1,', 'in:\t.word 0,'),
  };
}

export function guestProgram(rng: Rng, attack: GuestAttack): GuestProgram {
  switch (attack) {
    case 'race': return race(rng);
    case 'nested': return nested(rng);
    case 'slices': return slices(rng);
    case 'perm': return perm(rng);
    case 'recursion': return recursion(rng, false);
    case 'exhaust': return recursion(rng, true);
  }
}
