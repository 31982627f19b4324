// Instruction forms: each table row parsed by its syntax column, GNU as's pseudo-instructions
// expanded into rows by mnemonic, `.insn`, and matching a statement's operands to a form.
// No opcode is written here: rows are encoded through isa/encode.ts.

import type { Operands } from '../encode.js';
import { Fmt, OPS, TABLE } from '../table.js';
import { ExprParser, sext12, hi20, type Expr, type LocalLabels } from './expr.js';
import { REGS, SrcError, isRegister, type Operand } from './lex.js';

const X_ZERO = 0, X_RA = 1, X_T1 = 6;

/**
 * Major opcode names for `.insn`, in opcode-map order (unprivileged spec, "RV32/64G Instruction
 * Set Listings", base opcode map): entry k is the opcode (k << 2) | 0b11. Names as GNU as spells them.
 */
export const MAJOR_OPCODES = [
  'LOAD', 'LOAD_FP', 'CUSTOM_0', 'MISC_MEM', 'OP_IMM', 'AUIPC', 'OP_IMM_32', '',
  'STORE', 'STORE_FP', 'CUSTOM_1', 'AMO', 'OP', 'LUI', 'OP_32', '',
  'MADD', 'MSUB', 'NMSUB', 'NMADD', 'OP_FP', 'OP_V', 'CUSTOM_2', '',
  'BRANCH', 'JALR', '', 'JAL', 'SYSTEM', '', 'CUSTOM_3', '',
];

/** Padding halfword GNU as uses for a 2-byte gap in code: C.NOP (spec chapter "C" extension). */
export const C_NOP = 0x0001;
/** FENCE.TSO is FENCE with fm = 0b1000 in inst[31:28] (§2.7). */
const FENCE_FM_TSO = 8 << 28;



type SlotKind = 'reg' | 'expr' | 'mem' | 'fence';
export type Arg =
  | { readonly kind: 'reg'; readonly reg: number; readonly col: number }
  | { readonly kind: 'expr'; readonly e: Expr; readonly col: number }
  | { readonly kind: 'mem'; readonly off: Expr | null; readonly reg: number; readonly col: number }
  | { readonly kind: 'fence'; readonly bits: number; readonly col: number };

function regOf(a: Arg | undefined): number {
  if (a?.kind !== 'reg') throw new Error('asm: form expected a register operand');
  return a.reg;
}
export function exprOf(a: Arg | undefined): Extract<Arg, { kind: 'expr' }> {
  if (a?.kind !== 'expr') throw new Error('asm: form expected an expression operand');
  return a;
}
export function memOf(a: Arg | undefined): Extract<Arg, { kind: 'mem' }> {
  if (a?.kind !== 'mem') throw new Error('asm: form expected an address operand');
  return a;
}
function fenceOf(a: Arg | undefined): number {
  if (a?.kind !== 'fence') throw new Error('asm: form expected a fence set');
  return a.bits;
}

/** What a form's emitter can ask of pass 2. */
export interface Emitter {
  /** Value of an expression operand, range-checked. */
  int(a: Arg | undefined, lo: number, hi: number, what: string): number;
  /** Value of an expression operand as a 32-bit address. */
  address(a: Arg | undefined): number;
  /** Offset of an `imm(rs1)` operand (12-bit signed). */
  offset(a: Arg | undefined): number;
  /** Byte offset from the current instruction to a branch (Fmt.B) or jump (Fmt.J) target. */
  target(a: Arg | undefined, fmt: Fmt): number;
  /** U-type immediate operand (0..0xfffff), returned already shifted into place. */
  upper(a: Arg | undefined, auipc: boolean): number;
  /** `.insn` major opcode operand: a GNU opcode name or a number. */
  opcode(a: Arg | undefined): number;
  /** Encode a table row by mnemonic. */
  encodeRow(name: string, o: Operands): number;
  /** Emit one instruction word. */
  word(w: number): void;
  /** Emit `auipc rd, %pcrel_hi(target)` and return the matching %pcrel_lo. */
  auipc(rd: number, target: number): number;
  /** Value of an `li` operand as a signed 32-bit number. */
  li(a: Arg | undefined): number;
  /** Report a user error at an operand (or at the statement when none is given). */
  error(a: Arg | undefined, msg: string): never;
}

/** One way to write a mnemonic: its operand slots, its size and how it emits. */
export interface Form {
  readonly name: string;
  /** Operand syntax for messages, e.g. "rd,imm(rs1)". */
  readonly syntax: string;
  readonly slots: readonly SlotKind[];
  /** Bytes emitted; a function when the size depends on a constant (li). */
  readonly size: number | ((value: (e: Expr) => bigint | null, args: readonly Arg[]) => number);
  readonly emit: (em: Emitter, args: readonly Arg[], size: number) => void;
}

const slotKind = (tok: string): SlotKind => {
  if (tok === 'imm(rs1)') return 'mem';
  if (tok === 'pred' || tok === 'succ') return 'fence';
  if (/^(rd|rs|rs1|rs2|rt)$/.test(tok)) return 'reg';
  return 'expr';
};
const tokensOf = (syntax: string): string[] => (syntax === '' ? [] : syntax.split(','));

export const FORMS = new Map<string, Form[]>();
function addForm(name: string, syntax: string, size: Form['size'], emit: Form['emit']): void {
  const list = FORMS.get(name) ?? [];
  list.push({ name, syntax, slots: tokensOf(syntax).map(slotKind), size, emit });
  FORMS.set(name, list);
}

export const insn = (em: Emitter, name: string, o: Operands): void => em.word(em.encodeRow(name, o));

/** A table row, parsed by its syntax column. */
function addRowForm(op: number): void {
  const row = TABLE[op]!;
  const toks = tokensOf(row.syntax);
  addForm(row.name, row.syntax, 4, (em, args) => {
    const o: Operands = {};
    let pred = 0;
    for (let i = 0; i < toks.length; i++) {
      const a = args[i];
      switch (toks[i]) {
        case 'rd': o.rd = regOf(a); break;
        case 'rs1': o.rs1 = regOf(a); break;
        case 'rs2': o.rs2 = regOf(a); break;
        case 'imm': o.imm = em.int(a, -2048, 2047, 'immediate'); break;
        case 'shamt': o.imm = em.int(a, 0, 31, 'shift amount'); break;
        case 'target': o.imm = em.target(a, row.fmt); break;
        case 'uimm20': o.imm = em.upper(a, row.name === 'auipc'); break;
        case 'imm(rs1)': o.rs1 = memOf(a).reg; o.imm = em.offset(a); break;
        case 'pred': pred = fenceOf(a); break;
        case 'succ': o.imm = (pred << 4) | fenceOf(a); break;
        default: throw new Error(`asm: unknown syntax token in row ${row.name}`);
      }
    }
    insn(em, row.name, o);
  });
}

for (let op = 0; op < TABLE.length; op++) addRowForm(op);

// GNU as accepts the register-register mnemonic with an immediate (`add a0, a1, 5`, `sll a0, a1, 3`,
// `sltu a0, a1, 1`) and means the immediate row.
for (const row of TABLE) {
  if (row.syntax !== 'rd,rs1,rs2' || row.ext !== 'I') continue;
  const immRow = [row.name + 'i', row.name.replace(/u$/, 'iu')].map((n) => TABLE[OPS[n] ?? -1]).find((r) => r !== undefined);
  if (!immRow || (immRow.syntax !== 'rd,rs1,imm' && immRow.syntax !== 'rd,rs1,shamt')) continue;
  const immForms = FORMS.get(immRow.name)!;
  for (const f of immForms) FORMS.get(row.name)!.push({ ...f, name: row.name });
}

// Loads and stores of a symbol (`lw a0, sym` / `sw a0, sym, t0`): auipc + the row with %pcrel_lo.
for (const row of TABLE) {
  if (row.unit !== 'lsu') continue;
  if (row.syntax === 'rd,imm(rs1)') {
    addForm(row.name, 'rd,symbol', 8, (em, a) => {
      const rd = regOf(a[0]);
      insn(em, row.name, { rd, rs1: rd, imm: em.auipc(rd, em.address(a[1])) });
    });
  } else if (row.syntax === 'rs2,imm(rs1)') {
    addForm(row.name, 'rs2,symbol,rt', 8, (em, a) => {
      const rt = regOf(a[2]);
      insn(em, row.name, { rs2: regOf(a[0]), rs1: rt, imm: em.auipc(rt, em.address(a[1])) });
    });
  }
}

/** lui/addi pair GNU as builds for a constant: the carry-corrected %hi and a sign-extended %lo. */
function liParts(v: number): { hi: number; lo: number; size: number } {
  const lo = sext12(v);
  const hi = (v - lo) | 0;
  return { hi, lo, size: (hi !== 0 ? 4 : 0) + (lo !== 0 || hi === 0 ? 4 : 0) };
}

// Pseudo-instructions (unprivileged spec chapter "RISC-V Assembly Programmer's Handbook"; expansions
// as GNU as 2.40 emits them).
addForm('nop', '', 4, (em) => insn(em, 'addi', {}));
addForm('li', 'rd,imm', (value, a) => {
  const v = value(exprOf(a[1]).e);
  // A value unknown in pass 1 (a label, a later .equ) always gets the two-instruction form.
  return v === null ? 8 : liParts(Number(BigInt.asIntN(32, v))).size;
}, (em, a, size) => {
  const rd = regOf(a[0]);
  const v = em.li(a[1]);
  const p = liParts(v);
  if (p.size === size) {
    if (p.hi !== 0) insn(em, 'lui', { rd, imm: p.hi });
    if (p.lo !== 0 || p.hi === 0) insn(em, 'addi', { rd, rs1: p.hi !== 0 ? rd : X_ZERO, imm: p.lo });
  } else if (size === 8) {
    insn(em, 'lui', { rd, imm: hi20(v) << 12 });
    insn(em, 'addi', { rd, rs1: rd, imm: sext12(v) });
  } else {
    em.error(a[1], 'li value changed between passes');
  }
});
for (const name of ['la', 'lla']) {
  addForm(name, 'rd,symbol', 8, (em, a) => {
    const rd = regOf(a[0]);
    insn(em, 'addi', { rd, rs1: rd, imm: em.auipc(rd, em.address(a[1])) });
  });
}
const unaryAlias = (name: string, row: string, build: (rd: number, rs: number) => Operands): void =>
  addForm(name, 'rd,rs', 4, (em, a) => insn(em, row, build(regOf(a[0]), regOf(a[1]))));
unaryAlias('mv', 'addi', (rd, rs) => ({ rd, rs1: rs, imm: 0 }));
unaryAlias('not', 'xori', (rd, rs) => ({ rd, rs1: rs, imm: -1 }));
unaryAlias('neg', 'sub', (rd, rs) => ({ rd, rs1: X_ZERO, rs2: rs }));
unaryAlias('seqz', 'sltiu', (rd, rs) => ({ rd, rs1: rs, imm: 1 }));
unaryAlias('snez', 'sltu', (rd, rs) => ({ rd, rs1: X_ZERO, rs2: rs }));
unaryAlias('sltz', 'slt', (rd, rs) => ({ rd, rs1: rs, rs2: X_ZERO }));
unaryAlias('sgtz', 'slt', (rd, rs) => ({ rd, rs1: X_ZERO, rs2: rs }));
for (const [name, row] of [['sgt', 'slt'], ['sgtu', 'sltu']] as const) {
  addForm(name, 'rd,rs,rt', 4, (em, a) => insn(em, row, { rd: regOf(a[0]), rs1: regOf(a[2]), rs2: regOf(a[1]) }));
}
// Branches against zero: [name, row, rs is rs1 (else rs2)].
for (const [name, row, rsFirst] of [['beqz', 'beq', true], ['bnez', 'bne', true], ['blez', 'bge', false],
  ['bgez', 'bge', true], ['bltz', 'blt', true], ['bgtz', 'blt', false]] as const) {
  addForm(name, 'rs,target', 4, (em, a) => {
    const rs = regOf(a[0]);
    insn(em, row, { rs1: rsFirst ? rs : X_ZERO, rs2: rsFirst ? X_ZERO : rs, imm: em.target(a[1], Fmt.B) });
  });
}
// Branches with swapped operands.
for (const [name, row] of [['bgt', 'blt'], ['ble', 'bge'], ['bgtu', 'bltu'], ['bleu', 'bgeu']] as const) {
  addForm(name, 'rs,rt,target', 4, (em, a) => insn(em, row, { rs1: regOf(a[1]), rs2: regOf(a[0]), imm: em.target(a[2], Fmt.B) }));
}
addForm('j', 'target', 4, (em, a) => insn(em, 'jal', { rd: X_ZERO, imm: em.target(a[0], Fmt.J) }));
addForm('jal', 'target', 4, (em, a) => insn(em, 'jal', { rd: X_RA, imm: em.target(a[0], Fmt.J) }));
addForm('jr', 'rs', 4, (em, a) => insn(em, 'jalr', { rd: X_ZERO, rs1: regOf(a[0]), imm: 0 }));
addForm('jr', 'rs,imm', 4, (em, a) => insn(em, 'jalr', { rd: X_ZERO, rs1: regOf(a[0]), imm: em.int(a[1], -2048, 2047, 'immediate') }));
addForm('jalr', 'rs', 4, (em, a) => insn(em, 'jalr', { rd: X_RA, rs1: regOf(a[0]), imm: 0 }));
addForm('jalr', 'rd,rs', 4, (em, a) => insn(em, 'jalr', { rd: regOf(a[0]), rs1: regOf(a[1]), imm: 0 }));
addForm('jalr', 'rd,rs,imm', 4, (em, a) => insn(em, 'jalr', { rd: regOf(a[0]), rs1: regOf(a[1]), imm: em.int(a[2], -2048, 2047, 'immediate') }));
addForm('ret', '', 4, (em) => insn(em, 'jalr', { rd: X_ZERO, rs1: X_RA, imm: 0 }));
const farJump = (em: Emitter, rd: number, tmp: number, target: Arg | undefined): void =>
  insn(em, 'jalr', { rd, rs1: tmp, imm: em.auipc(tmp, em.address(target)) });
addForm('call', 'target', 8, (em, a) => farJump(em, X_RA, X_RA, a[0]));
addForm('call', 'rd,target', 8, (em, a) => farJump(em, regOf(a[0]), X_T1, a[1]));
addForm('tail', 'target', 8, (em, a) => farJump(em, X_ZERO, X_T1, a[0]));
addForm('jump', 'target,rt', 8, (em, a) => farJump(em, X_ZERO, regOf(a[1]), a[0]));
addForm('fence', '', 4, (em) => insn(em, 'fence', { imm: 0xff }));
addForm('fence.tso', '', 4, (em) => em.word((em.encodeRow('fence', { imm: 0x33 }) | FENCE_FM_TSO) >>> 0));

// `.insn` (GNU as "RISC-V Instruction Formats"): a table row of the same format supplies the
// operand fields; the opcode and function fields come from the source.
const insnFields = (em: Emitter, baseRow: string, o: Operands, opcode: number, f3: number, f7: number): void => {
  const row = TABLE[OPS[baseRow]!]!;
  em.word(((em.encodeRow(baseRow, o) & ~row.mask) | opcode | (f3 << 12) | (f7 << 25)) >>> 0);
};
const funct3 = (em: Emitter, a: Arg | undefined): number => em.int(a, 0, 7, 'funct3');
addForm('.insn r', 'opcode,funct3,funct7,rd,rs1,rs2', 4, (em, a) =>
  insnFields(em, 'add', { rd: regOf(a[3]), rs1: regOf(a[4]), rs2: regOf(a[5]) }, em.opcode(a[0]), funct3(em, a[1]), em.int(a[2], 0, 127, 'funct7')));
addForm('.insn i', 'opcode,funct3,rd,rs1,simm12', 4, (em, a) =>
  insnFields(em, 'addi', { rd: regOf(a[2]), rs1: regOf(a[3]), imm: em.int(a[4], -2048, 2047, 'immediate') }, em.opcode(a[0]), funct3(em, a[1]), 0));
addForm('.insn i', 'opcode,funct3,rd,imm(rs1)', 4, (em, a) =>
  insnFields(em, 'addi', { rd: regOf(a[2]), rs1: memOf(a[3]).reg, imm: em.offset(a[3]) }, em.opcode(a[0]), funct3(em, a[1]), 0));
addForm('.insn s', 'opcode,funct3,rs2,imm(rs1)', 4, (em, a) =>
  insnFields(em, 'sw', { rs2: regOf(a[2]), rs1: memOf(a[3]).reg, imm: em.offset(a[3]) }, em.opcode(a[0]), funct3(em, a[1]), 0));
addForm('.insn b', 'opcode,funct3,rs1,rs2,target', 4, (em, a) =>
  insnFields(em, 'beq', { rs1: regOf(a[2]), rs2: regOf(a[3]), imm: em.target(a[4], Fmt.B) }, em.opcode(a[0]), funct3(em, a[1]), 0));
addForm('.insn u', 'opcode,rd,uimm20', 4, (em, a) =>
  insnFields(em, 'lui', { rd: regOf(a[1]), imm: em.upper(a[2], false) }, em.opcode(a[0]), 0, 0));
addForm('.insn j', 'opcode,rd,target', 4, (em, a) =>
  insnFields(em, 'jal', { rd: regOf(a[1]), imm: em.target(a[2], Fmt.J) }, em.opcode(a[0]), 0, 0));
const rawInsn = (em: Emitter, a: Arg | undefined): void => {
  const w = em.int(a, -(2 ** 31), 2 ** 32 - 1, 'instruction word') >>> 0;
  // Only 32-bit encodings: inst[1:0] = 11 and inst[4:2] != 111 (spec "Expanded Instruction-Length Encoding").
  if ((w & 3) !== 3 || ((w >>> 2) & 7) === 7) em.error(a, `0x${w.toString(16)} is not a 32-bit instruction encoding`);
  em.word(w);
};
addForm('.insn', 'word', 4, (em, a) => rawInsn(em, a[0]));
addForm('.insn', 'length,word', 4, (em, a) => {
  em.int(a[0], 4, 4, 'instruction length');
  rawInsn(em, a[1]);
});
export const INSN_FORMATS: Record<string, string> = { r: 'r', i: 'i', s: 's', b: 'b', sb: 'b', u: 'u', j: 'j', uj: 'j' };

/** Classify one operand for a slot; an error message (not thrown) when it does not fit. */
function matchSlot(kind: SlotKind, op: Operand, line: number, locals: LocalLabels): Arg | SrcError {
  const bad = (msg: string): SrcError => new SrcError(line, op.col, msg);
  const t = op.text;
  if (t === '') return bad('missing operand');
  switch (kind) {
    case 'reg': {
      const r = REGS.get(t);
      if (r !== undefined) return { kind: 'reg', reg: r, col: op.col };
      return bad(/^[A-Za-z_.$][\w.$]*$/.test(t) ? `bad register '${t}'` : `expected a register, got '${t}'`);
    }
    case 'fence': {
      // An empty set: objdump spells it `unknown`; `0` is accepted too.
      if (t === '0' || t === 'unknown') return { kind: 'fence', bits: 0, col: op.col };
      if (!/^[iorw]+$/.test(t) || new Set(t).size !== t.length) return bad(`bad fence set '${t}' (letters from "iorw")`);
      const bits = (t.includes('i') ? 8 : 0) | (t.includes('o') ? 4 : 0) | (t.includes('r') ? 2 : 0) | (t.includes('w') ? 1 : 0);
      return { kind: 'fence', bits, col: op.col };
    }
    case 'mem': {
      if (t.endsWith(')')) {
        let depth = 0, open = -1;
        for (let i = t.length - 1; i >= 0; i--) {
          if (t[i] === ')') depth++;
          else if (t[i] === '(' && --depth === 0) { open = i; break; }
        }
        const inner = open >= 0 ? t.slice(open + 1, -1).trim() : '';
        const reg = REGS.get(inner);
        if (reg !== undefined) {
          const offText = t.slice(0, open);
          if (offText.trim() === '') return { kind: 'mem', off: null, reg, col: op.col };
          try {
            return { kind: 'mem', off: ExprParser.parse(offText, line, op.col, locals), reg, col: op.col };
          } catch (e) {
            if (e instanceof SrcError) return e;
            throw e;
          }
        }
        if (open >= 0 && /^[A-Za-z_.$][\w.$]*$/.test(inner) && !t.startsWith('(')) return bad(`bad register '${inner}'`);
      }
      return bad(`expected an address 'offset(register)', got '${t}'`);
    }
    case 'expr': {
      if (isRegister(t)) return bad(`expected an expression, got register '${t}'`);
      try {
        return { kind: 'expr', e: ExprParser.parse(t, line, op.col, locals), col: op.col };
      } catch (e) {
        if (e instanceof SrcError) return e;
        throw e;
      }
    }
  }
}

/** Pick the form whose slots all fit; otherwise report the best near miss. */
export function matchForm(name: string, forms: readonly Form[], ops: readonly Operand[], line: number, col: number, locals: LocalLabels): { form: Form; args: Arg[] } {
  let best: { score: number; err: SrcError } | null = null;
  for (const form of forms) {
    if (form.slots.length !== ops.length) continue;
    const args: Arg[] = [];
    let err: SrcError | null = null;
    for (let i = 0; i < ops.length; i++) {
      const a = matchSlot(form.slots[i]!, ops[i]!, line, locals);
      if (a instanceof SrcError) { err = a; break; }
      args.push(a);
    }
    if (err === null) return { form, args };
    if (best === null || args.length > best.score) best = { score: args.length, err };
  }
  if (best) throw best.err;
  const expected = forms.map((f) => (f.syntax === '' ? 'no operands' : f.syntax)).join(' or ');
  throw new SrcError(line, col, `wrong number of operands for '${name}' (expected ${expected})`);
}
