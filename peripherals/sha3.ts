// The Keccak-256 / SHA3-256 hash unit (docs/peripherals.md, "Keccak-256 / SHA3-256"): a
// command device on the SHA3 map. CMD hashes the LEN bytes at SRC, read in place through the
// DMA port (a view: a message of any length is never copied), into the DIGEST bank and, when
// DST is not 0, into memory at DST. The engine absorbs a 136-byte block per Keccak-f[1600]
// permutation, one round a cycle, so the latency and the gas are linear in the blocks.

import { keccak_256, sha3_256 } from '@noble/hashes/sha3.js';
import { CommandDevice, REFUSED } from './command.js';
import { SHA3 } from './regmap.js';
import { DMA_BYTES_PER_CYCLE, Sha3, Sha3Cmd, Sha3Reg, Sha3Status } from './regs.js';

const DIGEST_BYTES = 32;
const DIGEST_WORDS = DIGEST_BYTES / 4;

/** Blocks (Keccak-f[1600] permutations) of a LEN-byte message: the padding always adds one. */
export const sha3Blocks = (len: number): number => Math.floor(len / Sha3.RATE) + 1;

/**
 * Gas of a command that hashes `len` bytes. At LEN = 2^32 − 1 it is 757,935,438: every LEN
 * gives an integer below 2^31, so the gas port needs no cap.
 */
export const sha3Gas = (len: number): number => Sha3.GAS_BASE + Sha3.GAS_PER_BLOCK * sha3Blocks(len);

/**
 * Cycles of a command that hashes `len` bytes (`dst`: the digest is written to DST). At
 * LEN = 2^32 − 1 it is 1,831,677,242, below 2^31 too.
 */
export const sha3Cycles = (len: number, dst: boolean): number =>
  Sha3.CYCLES_SETUP + Math.ceil(len / DMA_BYTES_PER_CYCLE) + Sha3.CYCLES_PER_BLOCK * sha3Blocks(len) + (dst ? Sha3.CYCLES_DST : 0);

export class Sha3Unit extends CommandDevice {
  constructor() {
    super(SHA3);
  }

  protected override command(code: number): number {
    const len = this.reg(Sha3Reg.LEN) >>> 0, dst = this.reg(Sha3Reg.DST);
    // LEN 0 reads nothing, so SRC is not checked (as the EVM's KECCAK256 of size 0).
    const msg = this.view(this.reg(Sha3Reg.SRC), len);
    if (msg === null || (dst !== 0 && !this.canWrite(dst, DIGEST_BYTES))) {
      // Found at setup, before the engine starts: the command's base cost only.
      if (!this.spend(Sha3.GAS_BASE, Sha3.CYCLES_SETUP)) return REFUSED;
      this.setBank(Sha3Reg.DIGEST, null, DIGEST_WORDS);
      return Sha3Status.DMA_FAULT;
    }
    if (!this.spend(sha3Gas(len), sha3Cycles(len, dst !== 0))) return REFUSED;
    const digest = code === Sha3Cmd.KECCAK256 ? keccak_256(msg) : sha3_256(msg);
    this.setBank(Sha3Reg.DIGEST, digest, DIGEST_WORDS);
    // Checked writable above, and nothing ran in between: this DMA is done.
    if (dst !== 0) this.put(dst, digest);
    return Sha3Status.OK;
  }
}
