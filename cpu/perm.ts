// Permission register: the running frame's permission set (docs/architecture.md). It changes
// only on a frame switch; a privileged access checks one bit of it.

import type { Signals } from './signals.js';

/** Permission bits. PSET 19 = subjective + hard drive + infinite gas. */
export const enum PermBit {
  SUBJECTIVE = 1 << 0,
  HARD_DRIVE = 1 << 1,
  CRYPTO = 1 << 2,
  TIMER = 1 << 3,
  INFINITE_GAS = 1 << 4,
  ALTER_GAS_TABLE = 1 << 5,
}

/** Every defined PSET bit (docs/architecture.md); higher bits are reserved. */
export const PSET_DEFINED = 0x3f;

export class PermReg {
  declare readonly r_pset: number;

  constructor(sig: Signals, path: string) {
    this.r_pset = sig.add(`${path}.pset`, 8);
  }

  has(v: Int32Array, bits: number): boolean {
    return (v[this.r_pset]! & bits) === bits;
  }
}
