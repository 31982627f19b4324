// Block validation (`npm run bench`, the "chain" part): a block of 100 token transfers — four
// senders in substates 1–4, each with its own token contract (examples/contracts/token.c)
// holding its balance, 25 transfers each to fresh addresses, so four collations. The block is
// built once (INTERPRET_COLLATION in build mode on the ISS), then validated by INTERPRET_BLOCK on
// each model: cycles, instructions and gas of the whole validation and per transaction, the
// transactions' own gas (MSG's GASUSED), and the wall time per block (best of `runs` after a
// warm-up). Both models must agree on the verdict, instructions and gas before anything is
// reported.

import { acceptBlock, buildBlock, devnetKey, initChain, validateBlock, type ChainMeta } from '../firmware/chain/chain.js';
import { address, keyHolderId, publicKey, toHex } from '../firmware/chain/format.js';
import { loadWire } from '../firmware/chain/wire.js';
import { REPO_ROOT } from '../firmware/images.js';
import { MemoryStore } from '../peripherals/store.js';
import { join } from 'node:path';

export interface ChainModelFigures {
  cycles: number | null;
  instructions: number;
  gas: number;
  secondsPerBlock: number;
  cyclesPerTx: number | null;
  instructionsPerTx: number;
  gasPerTx: number;
}

export interface ChainFigures {
  txs: number;
  collations: number;
  /** Gas the transactions themselves used (MSG's), per transaction. */
  txGasPerTx: number;
  iss: ChainModelFigures;
  cycle: ChainModelFigures;
}

export const BENCH_TXS = 100;
const SENDERS = 4;

/** The bench chain's genesis description and the transfers. */
function scenario(txs: number): { genesis: string; list: string } {
  const code = join(REPO_ROOT, 'examples', 'contracts', 'build', 'token.bin');
  const accounts = [], contracts = [];
  for (let s = 1; s <= SENDERS; s++) {
    const name = `sender${s}`;
    const addr = address(s, keyHolderId(publicKey(devnetKey(name))));
    accounts.push({ name, substate: s });
    // The token's balance of the sender: slot = the address right-aligned (token.c).
    contracts.push({ name: `token${s}`, substate: s, code, storage: { [toHex(new Uint8Array([0, 0, 0, 0, ...addr]))]: 1_000_000_000 } });
  }
  const genesis = JSON.stringify({ signers: 2, validators: [0, 1, 2, 3].map((v) => ({ name: `val${v}` })), accounts, contracts });
  const list = [];
  for (let k = 0; k < txs; k++) {
    const s = (k % SENDERS) + 1;
    const to = new Uint8Array(28);
    to[3] = s; to[27] = k & 0xff; to[26] = k >> 8; to[4] = 0xbe;
    list.push({ from: `sender${s}`, to: `token${s}`, data: [{ u8: 1 }, toHex(to), 1 + k], gas: 200_000 });
  }
  return { genesis, list: JSON.stringify({ txs: list }) };
}

const now = (): number => performance.now() / 1000;

export function measureChain(runs: number, txs = BENCH_TXS): ChainFigures {
  const { genesis, list } = scenario(txs);
  const base = new MemoryStore();
  const g = initChain(base, genesis, 'bench genesis', REPO_ROOT);
  const meta: ChainMeta = g.meta;
  const block = buildBlock(base, meta, list, 'bench transfers', REPO_ROOT, 'iss');
  const figures = (model: 'iss' | 'cycle'): ChainModelFigures & { txgas: number } => {
    let best = Infinity, last = null as ReturnType<typeof validateBlock> | null;
    for (let r = 0; r <= runs; r++) {
      const store = new MemoryStore();
      for (const [k, v] of base.map) store.map.set(k, v);
      const { hash } = loadWire(store, block.wire);
      const t0 = now();
      const v = validateBlock(store, hash, { model });
      const dt = now() - t0;
      if (v.verdict?.valid !== true) throw new Error(`bench block: ${model} model: ${v.verdict?.reasonName ?? v.result.message}`);
      if (r > 0) best = Math.min(best, dt);
      last = v;
    }
    const res = last!.result;
    return {
      cycles: res.cycles, instructions: res.instructions, gas: res.gas, secondsPerBlock: best,
      cyclesPerTx: res.cycles === null ? null : res.cycles / txs, instructionsPerTx: res.instructions / txs, gasPerTx: res.gas / txs, txgas: last!.verdict!.txgas,
    };
  };
  const iss = figures('iss'), cycle = figures('cycle');
  if (iss.instructions !== cycle.instructions || iss.gas !== cycle.gas || iss.txgas !== cycle.txgas) throw new Error('bench block: the models disagree on instructions or gas');
  // The block also validates as a chain would take it (sanity: the state moves on).
  acceptBlock(base, meta, block.wire, { model: 'iss' });
  if (meta.head !== toHex(block.hash)) throw new Error('bench block: not taken as the head');
  const { txgas: _a, ...issF } = iss, { txgas: _b, ...cycleF } = cycle;
  return { txs, collations: block.collations.length, txGasPerTx: iss.txgas / txs, iss: issF, cycle: cycleF };
}

export function chainLines(c: ChainFigures): string[] {
  const g = (n: number): string => Math.round(n).toLocaleString('en-US');
  const line = (name: string, f: ChainModelFigures): string =>
    `  ${name}: ${(f.secondsPerBlock * 1000).toFixed(0)} ms per block; ${f.cycles === null ? '' : `${g(f.cycles)} cycles (${g(f.cyclesPerTx!)} per tx), `}${g(f.instructions)} instructions (${g(f.instructionsPerTx)} per tx)`;
  return [
    `block validation (${c.txs} token transfers in ${c.collations} collations, INTERPRET_BLOCK): gas ${g(c.iss.gas)} (${g(c.iss.gasPerTx)} per tx; the transfers themselves ${g(c.txGasPerTx)} per tx)`,
    line('cycle model', c.cycle),
    line('ISS        ', c.iss),
  ];
}
