// The one instruction table of EVM∞: RV32I, M and the Xevm custom extension.
//
// Every consumer — decoder, encoder, assembler, disassembler, ISS, pipeline control, docs/isa.md,
// docs/gas.md and the test generators — reads these rows. No other file writes a numeric opcode.
// Encodings follow the RISC-V Unprivileged ISA, version 20191213, chapters 2 (RV32I) and 7 (M);
// Xevm lives in the custom-0 major opcode (chapter 26 "Extending RISC-V").

/** Instruction formats (unprivileged spec §2.2/§2.3). They fix where the immediate lives. */
export const enum Fmt { R, I, S, B, U, J, SHIFT, FENCE, SYS }

/** The hardware unit that executes an instruction in the EX stage. */
export type Unit = 'alu' | 'mdu' | 'bru' | 'lsu' | 'cmu' | 'gas' | 'perm';

/** Gas classes: the gas table gives each a base cost (docs/gas.md). */
export type GasClass = 'alu' | 'mul' | 'div' | 'branch' | 'jump' | 'load' | 'store' | 'fence' | 'interrupt' | 'eval' | 'frame' | 'query';

/** Latency classes: docs/timing.md gives each its cycle cost in the pipeline. */
export type Latency = 'single' | 'mul' | 'div' | 'load' | 'store' | 'branch' | 'jal' | 'jalr' | 'system';

/**
 * Operand syntax, in GNU as order. Tokens: rd rs1 rs2 are registers; `imm` an I-type
 * immediate; `shamt` a 5-bit shift amount; `imm(rs1)` a load/store/jalr address; `target` a
 * PC-relative branch or jump target; `uimm20` a U-type immediate; `pred,succ` fence sets.
 */
export type Syntax =
  | '' | 'rd,rs1,rs2' | 'rd,rs1,imm' | 'rd,rs1,shamt' | 'rd,imm(rs1)' | 'rs2,imm(rs1)'
  | 'rs1,rs2,target' | 'rd,target' | 'rd,uimm20' | 'pred,succ' | 'rd,rs1' | 'rs1,rs2' | 'rs1' | 'rd';

export interface InsnRow {
  /** Mnemonic as objdump spells it. */
  readonly name: string;
  readonly ext: 'I' | 'M' | 'Xevm';
  readonly fmt: Fmt;
  readonly syntax: Syntax;
  /** `word & mask === match` selects this row. */
  readonly match: number;
  readonly mask: number;
  readonly unit: Unit;
  readonly gas: GasClass;
  readonly latency: Latency;
  /** One line for docs/isa.md. */
  readonly desc: string;
}

// Major opcodes (inst[6:0]).
const OP_LUI = 0x37, OP_AUIPC = 0x17, OP_JAL = 0x6f, OP_JALR = 0x67, OP_BRANCH = 0x63,
  OP_LOAD = 0x03, OP_STORE = 0x23, OP_IMM = 0x13, OP_OP = 0x33, OP_MISC_MEM = 0x0f,
  OP_SYSTEM = 0x73, OP_CUSTOM0 = 0x0b;

const MASK_OPCODE = 0x7f;
const MASK_F3 = 0x707f;
const MASK_F7 = 0xfe00707f;

const f3 = (v: number): number => v << 12;
const f7 = (v: number): number => (v << 25) >>> 0;

type RowSpec = Omit<InsnRow, 'match' | 'mask'> & { match: number; mask: number };
const row = (r: RowSpec): InsnRow => Object.freeze({ ...r, match: r.match >>> 0, mask: r.mask >>> 0 });

const rType = (name: string, ext: 'I' | 'M', funct3: number, funct7: number, unit: Unit, gas: GasClass, latency: Latency, desc: string): InsnRow =>
  row({ name, ext, fmt: Fmt.R, syntax: 'rd,rs1,rs2', match: OP_OP | f3(funct3) | f7(funct7), mask: MASK_F7, unit, gas, latency, desc });
const iAlu = (name: string, funct3: number, desc: string): InsnRow =>
  row({ name, ext: 'I', fmt: Fmt.I, syntax: 'rd,rs1,imm', match: OP_IMM | f3(funct3), mask: MASK_F3, unit: 'alu', gas: 'alu', latency: 'single', desc });
const shiftI = (name: string, funct3: number, funct7: number, desc: string): InsnRow =>
  row({ name, ext: 'I', fmt: Fmt.SHIFT, syntax: 'rd,rs1,shamt', match: OP_IMM | f3(funct3) | f7(funct7), mask: MASK_F7, unit: 'alu', gas: 'alu', latency: 'single', desc });
const branch = (name: string, funct3: number, desc: string): InsnRow =>
  row({ name, ext: 'I', fmt: Fmt.B, syntax: 'rs1,rs2,target', match: OP_BRANCH | f3(funct3), mask: MASK_F3, unit: 'bru', gas: 'branch', latency: 'branch', desc });
const load = (name: string, funct3: number, desc: string): InsnRow =>
  row({ name, ext: 'I', fmt: Fmt.I, syntax: 'rd,imm(rs1)', match: OP_LOAD | f3(funct3), mask: MASK_F3, unit: 'lsu', gas: 'load', latency: 'load', desc });
const store = (name: string, funct3: number, desc: string): InsnRow =>
  row({ name, ext: 'I', fmt: Fmt.S, syntax: 'rs2,imm(rs1)', match: OP_STORE | f3(funct3), mask: MASK_F3, unit: 'lsu', gas: 'store', latency: 'store', desc });
const xevm = (name: string, funct3: number, syntax: Syntax, mask: number, unit: Unit, gas: GasClass, desc: string): InsnRow =>
  row({ name, ext: 'Xevm', fmt: Fmt.R, syntax, match: OP_CUSTOM0 | f3(funct3), mask, unit, gas, latency: 'system', desc });

// Field masks for Xevm rows whose unused register fields must be zero.
const M_RD = 0x00000f80, M_RS1 = 0x000f8000, M_RS2 = 0x01f00000;

/** The instruction table. Row order is the opcode index used by every predecoded array. */
export const TABLE: readonly InsnRow[] = Object.freeze([
  // RV32I (§2.4–2.8)
  row({ name: 'lui', ext: 'I', fmt: Fmt.U, syntax: 'rd,uimm20', match: OP_LUI, mask: MASK_OPCODE, unit: 'alu', gas: 'alu', latency: 'single', desc: 'rd = imm << 12' }),
  row({ name: 'auipc', ext: 'I', fmt: Fmt.U, syntax: 'rd,uimm20', match: OP_AUIPC, mask: MASK_OPCODE, unit: 'alu', gas: 'alu', latency: 'single', desc: 'rd = pc + (imm << 12)' }),
  row({ name: 'jal', ext: 'I', fmt: Fmt.J, syntax: 'rd,target', match: OP_JAL, mask: MASK_OPCODE, unit: 'bru', gas: 'jump', latency: 'jal', desc: 'rd = pc + 4; pc = pc + offset' }),
  row({ name: 'jalr', ext: 'I', fmt: Fmt.I, syntax: 'rd,imm(rs1)', match: OP_JALR, mask: MASK_F3, unit: 'bru', gas: 'jump', latency: 'jalr', desc: 'rd = pc + 4; pc = (rs1 + imm) & ~1' }),
  branch('beq', 0, 'if rs1 == rs2: pc = pc + offset'),
  branch('bne', 1, 'if rs1 != rs2: pc = pc + offset'),
  branch('blt', 4, 'if rs1 < rs2 (signed): pc = pc + offset'),
  branch('bge', 5, 'if rs1 >= rs2 (signed): pc = pc + offset'),
  branch('bltu', 6, 'if rs1 < rs2 (unsigned): pc = pc + offset'),
  branch('bgeu', 7, 'if rs1 >= rs2 (unsigned): pc = pc + offset'),
  load('lb', 0, 'rd = sext(mem8[rs1 + imm])'),
  load('lh', 1, 'rd = sext(mem16[rs1 + imm])'),
  load('lw', 2, 'rd = mem32[rs1 + imm]'),
  load('lbu', 4, 'rd = zext(mem8[rs1 + imm])'),
  load('lhu', 5, 'rd = zext(mem16[rs1 + imm])'),
  store('sb', 0, 'mem8[rs1 + imm] = rs2[7:0]'),
  store('sh', 1, 'mem16[rs1 + imm] = rs2[15:0]'),
  store('sw', 2, 'mem32[rs1 + imm] = rs2'),
  iAlu('addi', 0, 'rd = rs1 + imm'),
  iAlu('slti', 2, 'rd = rs1 < imm (signed)'),
  iAlu('sltiu', 3, 'rd = rs1 < imm (unsigned, imm sign-extended first)'),
  iAlu('xori', 4, 'rd = rs1 ^ imm'),
  iAlu('ori', 6, 'rd = rs1 | imm'),
  iAlu('andi', 7, 'rd = rs1 & imm'),
  shiftI('slli', 1, 0x00, 'rd = rs1 << shamt'),
  shiftI('srli', 5, 0x00, 'rd = rs1 >>> shamt (logical)'),
  shiftI('srai', 5, 0x20, 'rd = rs1 >> shamt (arithmetic)'),
  rType('add', 'I', 0, 0x00, 'alu', 'alu', 'single', 'rd = rs1 + rs2'),
  rType('sub', 'I', 0, 0x20, 'alu', 'alu', 'single', 'rd = rs1 - rs2'),
  rType('sll', 'I', 1, 0x00, 'alu', 'alu', 'single', 'rd = rs1 << rs2[4:0]'),
  rType('slt', 'I', 2, 0x00, 'alu', 'alu', 'single', 'rd = rs1 < rs2 (signed)'),
  rType('sltu', 'I', 3, 0x00, 'alu', 'alu', 'single', 'rd = rs1 < rs2 (unsigned)'),
  rType('xor', 'I', 4, 0x00, 'alu', 'alu', 'single', 'rd = rs1 ^ rs2'),
  rType('srl', 'I', 5, 0x00, 'alu', 'alu', 'single', 'rd = rs1 >>> rs2[4:0] (logical)'),
  rType('sra', 'I', 5, 0x20, 'alu', 'alu', 'single', 'rd = rs1 >> rs2[4:0] (arithmetic)'),
  rType('or', 'I', 6, 0x00, 'alu', 'alu', 'single', 'rd = rs1 | rs2'),
  rType('and', 'I', 7, 0x00, 'alu', 'alu', 'single', 'rd = rs1 & rs2'),
  // FENCE: rs1, rd and fm are ignored for forward compatibility (§2.7), so only funct3 is matched.
  row({ name: 'fence', ext: 'I', fmt: Fmt.FENCE, syntax: 'pred,succ', match: OP_MISC_MEM | f3(0), mask: MASK_F3, unit: 'alu', gas: 'fence', latency: 'single', desc: 'memory ordering; a no-op on this in-order, single-hart core' }),
  row({ name: 'ecall', ext: 'I', fmt: Fmt.SYS, syntax: '', match: OP_SYSTEM, mask: 0xffffffff, unit: 'cmu', gas: 'interrupt', latency: 'system', desc: 'INTERRUPT: run the parent frame\'s interrupt handler (docs/architecture.md)' }),
  row({ name: 'ebreak', ext: 'I', fmt: Fmt.SYS, syntax: '', match: OP_SYSTEM | (1 << 20), mask: 0xffffffff, unit: 'cmu', gas: 'interrupt', latency: 'system', desc: 'breakpoint exception' }),
  // M (chapter 7)
  rType('mul', 'M', 0, 0x01, 'mdu', 'mul', 'mul', 'rd = (rs1 * rs2)[31:0]'),
  rType('mulh', 'M', 1, 0x01, 'mdu', 'mul', 'mul', 'rd = (signed rs1 * signed rs2)[63:32]'),
  rType('mulhsu', 'M', 2, 0x01, 'mdu', 'mul', 'mul', 'rd = (signed rs1 * unsigned rs2)[63:32]'),
  rType('mulhu', 'M', 3, 0x01, 'mdu', 'mul', 'mul', 'rd = (unsigned rs1 * unsigned rs2)[63:32]'),
  rType('div', 'M', 4, 0x01, 'mdu', 'div', 'div', 'rd = rs1 / rs2 (signed, toward zero; /0 = -1; MIN/-1 = MIN)'),
  rType('divu', 'M', 5, 0x01, 'mdu', 'div', 'div', 'rd = rs1 / rs2 (unsigned; /0 = 2^32-1)'),
  rType('rem', 'M', 6, 0x01, 'mdu', 'div', 'div', 'rd = rs1 % rs2 (signed; %0 = rs1; MIN%-1 = 0)'),
  rType('remu', 'M', 7, 0x01, 'mdu', 'div', 'div', 'rd = rs1 % rs2 (unsigned; %0 = rs1)'),
  // Xevm, custom-0 (docs/architecture.md gives the full semantics)
  xevm('eval', 0, 'rd,rs1', MASK_F7 | M_RS2, 'cmu', 'eval', 'EVAL: run a child frame described at rs1; rd = status'),
  xevm('return', 1, 'rs1,rs2', MASK_F7 | M_RD, 'cmu', 'frame', 'RETURN: end this frame successfully with output mem[rs1 .. rs1+rs2)'),
  xevm('throw', 2, 'rs1', MASK_F7 | M_RD | M_RS2, 'cmu', 'frame', 'THROW: end this frame with exception code rs1'),
  xevm('gas', 3, 'rd', MASK_F7 | M_RS1 | M_RS2, 'gas', 'query', 'rd = gas left in this frame (0xffffffff when infinite)'),
  xevm('perm', 4, 'rd', MASK_F7 | M_RS1 | M_RS2, 'perm', 'query', 'rd = this frame\'s permission set'),
  xevm('gastab', 5, 'rd,rs1,rs2', MASK_F7, 'gas', 'query', 'rd = cost of gas class rs1; set it to rs2 (needs alter-gas-table, else rd = 0)'),
]);

/** Opcode index of each row by mnemonic, for code that must name an instruction. */
export const OPS: Readonly<Record<string, number>> = Object.freeze(Object.fromEntries(TABLE.map((r, i) => [r.name, i])));

/** Named opcode indices: the switch labels of the ISS and of pipeline control. */
export const enum Op {
  LUI, AUIPC, JAL, JALR, BEQ, BNE, BLT, BGE, BLTU, BGEU, LB, LH, LW, LBU, LHU, SB, SH, SW,
  ADDI, SLTI, SLTIU, XORI, ORI, ANDI, SLLI, SRLI, SRAI, ADD, SUB, SLL, SLT, SLTU, XOR, SRL, SRA, OR, AND,
  FENCE, ECALL, EBREAK, MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU,
  EVAL, RETURN, THROW, GAS, PERM, GASTAB,
  /** Not a row: the predecoded value of an encoding the table rejects. */
  ILLEGAL,
}

/** Gas classes in a fixed order: `gastab` addresses them by this index. */
export const GAS_CLASSES: readonly GasClass[] = Object.freeze(['alu', 'mul', 'div', 'branch', 'jump', 'load', 'store', 'fence', 'interrupt', 'eval', 'frame', 'query']);

/** The default gas table (cost per retired instruction of each class); docs/gas.md. */
export const DEFAULT_GAS_COSTS: Readonly<Record<GasClass, number>> = Object.freeze({
  alu: 1, mul: 3, div: 8, branch: 1, jump: 1, load: 2, store: 2, fence: 1, interrupt: 40, eval: 200, frame: 20, query: 1,
});

/** Gas per 32-bit word (rounded up) of every slice the call-management unit copies (docs/gas.md). */
export const COPY_GAS_PER_WORD = 1;
/** Gas per 32-bit word of RAM an EVAL allocates for its child (docs/gas.md). */
export const RAM_GAS_PER_WORD = 1;
