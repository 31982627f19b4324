// `npm run chain:example`: rebuilds the example chain (examples/chain/block-N.rlp) from its
// genesis and transaction lists, in memory: block N is built on block N − 1 after that one
// validated. Signatures are RFC 6979 (deterministic), so the files come out the same every time;
// `--check` fails when a committed block differs from the rebuild.

import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { acceptBlock, buildBlock, initChainFile, type ChainMeta } from '../../firmware/chain/chain.js';
import { toHex } from '../../firmware/chain/format.js';
import { REPO_ROOT } from '../../firmware/images.js';
import { MemoryStore } from '../../peripherals/store.js';

export const CHAIN_DIR = join(REPO_ROOT, 'examples', 'chain');

/** The transaction lists, block-1.json, block-2.json, … in order. */
export function blockLists(dir = CHAIN_DIR): string[] {
  return readdirSync(dir).filter((f) => /^block-\d+\.json$/.test(f)).sort((a, b) => parseInt(a.slice(6)) - parseInt(b.slice(6)));
}

export interface ExampleBlock { file: string; wire: Uint8Array; hash: string; endstate: string; gas: number }

/**
 * Build every block of the example chain (validating each on the ISS before the next); `into`
 * receives the chain's store and meta record at the end.
 */
export function buildExampleChain(dir = CHAIN_DIR, into?: (store: MemoryStore, meta: ChainMeta) => void): ExampleBlock[] {
  const store = new MemoryStore();
  const { meta } = initChainFile(store, join(dir, 'genesis.json'));
  const out: ExampleBlock[] = [];
  for (const list of blockLists(dir)) {
    const path = join(dir, list);
    const b = buildBlock(store, meta, readFileSync(path, 'utf8'), path, dir, 'iss');
    const a = acceptBlock(store, meta, b.wire, { model: 'iss' }, list);
    const v = a.validation.verdict;
    if (v === null || !v.valid) throw new Error(`${list}: the built block does not validate (${v?.reasonName ?? a.validation.result.message})`);
    Object.assign(meta.contracts, b.created);
    out.push({ file: list.replace(/\.json$/, '.rlp'), wire: b.wire, hash: toHex(b.hash), endstate: toHex(b.header.endstate), gas: b.gas.reduce((x, y) => x + y, 0) });
  }
  into?.(store, meta);
  return out;
}

function main(): void {
  const check = process.argv.includes('--check');
  const blocks = buildExampleChain();
  let bad = 0;
  for (const b of blocks) {
    const path = join(CHAIN_DIR, b.file);
    if (check) {
      const same = existsSync(path) && Buffer.compare(readFileSync(path), Buffer.from(b.wire)) === 0;
      if (!same) { bad++; console.error(`chain:example: ${b.file} differs from a rebuild`); }
    } else writeFileSync(path, b.wire);
    console.log(`${b.file}: ${b.hash} endstate ${b.endstate} gas ${b.gas}`);
  }
  if (bad > 0) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) main();
