// Signals are slots. At elaboration every unit registers its ports and registers here under a
// hierarchical name (`evm.core.ex.alu.result`) with a bit width; from then on the hot path
// touches only `v[slot]`. Waveform writers and the stepper read names and widths once.
//
// Units keep their slot numbers (and the units they are wired to) in fields that the
// constructor assigns and that are marked `declare`: with ES2022 class fields a plain
// `readonly i_op: number;` is first defined as `undefined`, and V8 then types the field as any
// value, so every `v[this.i_op]` in the hot path pays a tag check. Declared fields are created
// by the constructor's assignment and stay small integers (bench: intmix, docs/performance.md).

export class Signals {
  /** Current value of every signal (two's complement int32; narrower signals are zero-extended). */
  declare readonly v: Int32Array;
  readonly names: string[] = [];
  readonly widths: number[] = [];
  private readonly index = new Map<string, number>();

  constructor(capacity = 2048) {
    this.v = new Int32Array(capacity);
  }

  /** Register a signal; returns its slot. */
  add(name: string, width = 32): number {
    if (this.index.has(name)) throw new Error(`signal ${name} registered twice`);
    if (width < 1 || width > 32) throw new Error(`signal ${name}: width ${width} not in 1..32`);
    const slot = this.names.length;
    if (slot >= this.v.length) throw new Error(`signal capacity ${this.v.length} exceeded at ${name}`);
    this.names.push(name);
    this.widths.push(width);
    this.index.set(name, slot);
    return slot;
  }

  /** Register `count` consecutive signals `${prefix}${i}`; returns the first slot. */
  addArray(prefix: string, count: number, width = 32): number {
    const first = this.names.length;
    for (let i = 0; i < count; i++) this.add(`${prefix}${i}`, width);
    return first;
  }

  get count(): number {
    return this.names.length;
  }

  slot(name: string): number | undefined {
    return this.index.get(name);
  }

  /** Unsigned value of a signal by name (for the API and the stepper). */
  read(name: string): number {
    const s = this.index.get(name);
    if (s === undefined) throw new Error(`no signal named ${name}`);
    const w = this.widths[s]!;
    return w === 32 ? this.v[s]! >>> 0 : this.v[s]! & ((1 << w) - 1);
  }

  /** Names under `prefix` (a dotted scope), in registration order. */
  under(prefix: string): string[] {
    return this.names.filter((n) => n === prefix || n.startsWith(prefix + '.'));
  }
}

/**
 * A pipeline register: named fields whose Q outputs live in the signal array and whose D inputs
 * are written by the stage in front of it during evaluate. A stalled register holds (its D is
 * its Q); a bubble clears the valid field (field 0 by convention).
 *
 * Stages evaluate back to front (WB, MEM, EX, ID, IF), so by the time a stage drives a register's
 * D, every reader of that register's Q this cycle — the stage behind it, and the stage itself —
 * has already read it. D therefore needs no storage of its own: `d` is a view over the Q slots,
 * the stage's writes are the latch, and holding is leaving them alone. (Forwarding that would
 * read a Q after its D was driven takes the value from the unit it was latched into instead: EX
 * forwards from WB through the register file's write port, not from MEM/WB.)
 */
export class PipeReg {
  /** Slot of field 0's Q. */
  declare readonly base: number;
  /** D inputs: the Q slots themselves (see above). */
  declare readonly d: Int32Array;

  constructor(base: number, d: Int32Array) {
    this.base = base;
    this.d = d;
  }
}

/** Pipeline registers elaborated next to each other, one field per signal. */
export class PipeBank {
  declare readonly base: number;
  readonly regs: PipeReg[] = [];

  constructor(sig: Signals, specs: readonly (readonly [string, readonly (readonly [string, number])[]])[]) {
    this.base = sig.count;
    for (const [prefix, fields] of specs) {
      const base = sig.count;
      for (const [name, width] of fields) sig.add(`${prefix}.${name}`, width);
      this.regs.push(new PipeReg(base, sig.v.subarray(base, base + fields.length)));
    }
  }
}
