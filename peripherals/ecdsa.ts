// The ECDSA secp256k1 signer recovery unit (docs/peripherals.md, "ECDSA secp256k1"): a command
// device on the ECDSA map. RECOVER reads hash‖r‖s (96 bytes) at SRC, takes the recovery id from
// V, and gives the signer's Ethereum address in ADDR (and its public key x‖y at DST when DST is
// not 0); VERIFY compares the address with EXPECT. The checks are Ethereum's: v in {0, 1, 27,
// 28}, 0 < r, s < n, and s ≤ n/2 (EIP-2). The engine has a fixed latency whatever the inputs,
// and every command costs the same gas, as the ecrecover precompile does.

import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { CommandDevice, REFUSED } from './command.js';
import { ECDSA } from './regmap.js';
import { Ecdsa, EcdsaCmd, EcdsaReg, EcdsaStatus } from './regs.js';

const SRC_BYTES = 96;
const KEY_BYTES = 64;
const ADDR_BYTES = 20;
const ADDR_WORDS = ADDR_BYTES / 4;

const Point = secp256k1.Point;
const Fp = Point.Fp;
const N = Point.Fn.ORDER;
const HALF_N = N >> 1n;
/** (p − 1) / 2: Euler's criterion, a^((p−1)/2) = 1 exactly when a is a non-zero square mod p. */
const LEGENDRE = (Fp.ORDER - 1n) >> 1n;

/** The outcome of recovering a signer: a status, and on success the key x‖y and the address. */
export interface Recovered {
  status: number;
  key: Uint8Array | null;
  addr: Uint8Array | null;
}

/**
 * Recover the signer of `hash` (32 bytes) from (v, r, s), Ethereum's rules. The first failing
 * check names the status: BAD_V, BAD_R, BAD_S, HIGH_S, then NO_POINT (r is not the x
 * coordinate of a curve point, or the key comes out as the point at infinity). Never throws
 * on any input.
 */
export function recoverSigner(hash: Uint8Array, v: number, r: bigint, s: bigint): Recovered {
  const fail = (status: number): Recovered => ({ status, key: null, addr: null });
  if (v !== 0 && v !== 1 && v !== 27 && v !== 28) return fail(EcdsaStatus.BAD_V);
  if (r === 0n || r >= N) return fail(EcdsaStatus.BAD_R);
  if (s === 0n || s >= N) return fail(EcdsaStatus.BAD_S);
  if (s > HALF_N) return fail(EcdsaStatus.HIGH_S);
  // R = (r, y) must exist: r³ + 7 a square mod p (never 0: −7 is not a cube mod p).
  if (Fp.pow(Fp.add(Fp.mul(Fp.sqr(r), r), 7n), LEGENDRE) !== 1n) return fail(EcdsaStatus.NO_POINT);
  let q;
  try {
    q = new secp256k1.Signature(r, s).addRecoveryBit(v >= 27 ? v - 27 : v).recoverPublicKey(hash);
  } catch {
    // With r, s and R checked above, the one throw left is the key at infinity (s·R = h·G).
    return fail(EcdsaStatus.NO_POINT);
  }
  const key = q.toBytes(false).subarray(1);
  return { status: EcdsaStatus.OK, key, addr: keccak_256(key).subarray(32 - ADDR_BYTES) };
}

export class EcdsaUnit extends CommandDevice {
  constructor() {
    super(ECDSA);
  }

  protected override command(code: number): number {
    const dst = this.reg(EcdsaReg.DST);
    const src = this.view(this.reg(EcdsaReg.SRC), SRC_BYTES);
    if (src === null || (dst !== 0 && !this.canWrite(dst, KEY_BYTES))) {
      // The buffers are checked before the engine starts: setup cycles, the command's gas.
      if (!this.spend(Ecdsa.GAS, Ecdsa.CYCLES_SETUP)) return REFUSED;
      this.setBank(EcdsaReg.ADDR, null, ADDR_WORDS);
      return EcdsaStatus.DMA_FAULT;
    }
    const got = recoverSigner(src.subarray(0, 32), this.reg(EcdsaReg.V) >>> 0, bytesToNumberBE(src.subarray(32, 64)), bytesToNumberBE(src.subarray(64, 96)));
    let status = got.status;
    if (status === EcdsaStatus.OK && code === EcdsaCmd.VERIFY && !sameBytes(got.addr!, this.bank(EcdsaReg.EXPECT, ADDR_BYTES))) status = EcdsaStatus.MISMATCH;
    const writeKey = dst !== 0 && got.key !== null;
    if (!this.spend(Ecdsa.GAS, Ecdsa.CYCLES_SETUP + Ecdsa.CYCLES_SRC + Ecdsa.CYCLES + (writeKey ? Ecdsa.CYCLES_DST : 0))) return REFUSED;
    this.setBank(EcdsaReg.ADDR, got.addr, ADDR_WORDS);
    // Checked writable above, and nothing ran in between: this DMA is done.
    if (writeKey) this.put(dst, got.key!);
    return status;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
