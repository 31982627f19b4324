// `evminf chain init <genesis.json> [--db DIR]`: a chain's genesis (firmware/chain/chain.ts,
// docs/chain.md). It prints the genesis hash; with --db the state, the consensus images, the
// contracts' code and the genesis header go into the LevelDB store at DIR, with the chain's
// meta record (head, names, the devnet's keys) beside them, in one batch.

import { EXIT } from '../../cpu/exit-codes.js';
import { ChainError, initChainFile, type ChainMeta } from '../../firmware/chain/chain.js';
import { FormatError } from '../../firmware/chain/format.js';
import { MemoryStore } from '../../peripherals/store.js';
import { command } from '../exit.js';
import { checkInput, out } from '../io.js';
import { jsonOption } from '../options.js';
import { LevelStore } from '../store-level.js';
import { UserError } from '../user-error.js';

/** The chain meta record's name in the db (bin/store-level.ts, named records). */
export const CHAIN_RECORD = 'chain';

/** A chain-format or chain-input error as a one-line user error (exit 126); others go on. */
export function chainError(e: unknown): unknown {
  return e instanceof ChainError || e instanceof FormatError ? new UserError(e.message, EXIT.BAD_INPUT) : e;
}

/** The chain meta record of the db at `store.dir`. */
export function chainMeta(store: LevelStore): ChainMeta {
  const raw = store.record(CHAIN_RECORD);
  if (raw === undefined) throw new UserError(`--db ${store.dir}: no chain there (make one with evminf chain init)`, EXIT.NO_FILE);
  try {
    const m = JSON.parse(new TextDecoder().decode(raw)) as ChainMeta;
    if (m.format !== 1 || typeof m.head !== 'string' || !Array.isArray(m.validators)) throw new Error('format');
    return m;
  } catch {
    throw new UserError(`--db ${store.dir}: the chain's meta record is damaged`, EXIT.BAD_INPUT);
  }
}

export function setChainMeta(store: LevelStore, m: ChainMeta): void {
  store.setRecord(CHAIN_RECORD, new TextEncoder().encode(JSON.stringify(m)));
}

interface InitArgs {
  genesis: string;
  db?: string;
  json: boolean;
}

async function cmdInit(a: InitArgs): Promise<number> {
  checkInput(a.genesis);
  if (a.db === undefined) {
    const g = (() => { try { return initChainFile(new MemoryStore(), a.genesis); } catch (e) { throw chainError(e); } })();
    out(1, a.json ? JSON.stringify({ genesis: g.meta.genesis, stateRoot: '0x' + Buffer.from(g.header.endstate).toString('hex') }) + '\n' : `${g.meta.genesis}\n`);
    return 0;
  }
  // The description is checked whole in memory first: a bad one creates no db.
  try { initChainFile(new MemoryStore(), a.genesis); } catch (e) { throw chainError(e); }
  const store = await LevelStore.open(a.db, true);
  try {
    if (store.record(CHAIN_RECORD) !== undefined) throw new UserError(`--db ${a.db}: a chain is there already`, EXIT.BAD_INPUT);
    const g = initChainFile(store, a.genesis);
    setChainMeta(store, g.meta);
    await store.commit(`chain init ${a.genesis}`);
    out(1, a.json ? JSON.stringify({ genesis: g.meta.genesis, stateRoot: '0x' + Buffer.from(g.header.endstate).toString('hex'), db: a.db }) + '\n' : `${g.meta.genesis}\n`);
  } finally {
    await store.close();
  }
  return 0;
}

const initCommand = command<InitArgs>({
  command: 'init <genesis>',
  describe: 'make a chain\'s genesis from a description (docs/chain.md) and print its hash',
  builder: (y) => {
    y = jsonOption(y, 'print the genesis hash and state root as one JSON object');
    return y
      .positional('genesis', { type: 'string', describe: 'the genesis description (JSON)' })
      .option('db', { type: 'string', requiresArg: true, describe: 'keep the chain in this LevelDB directory (created; it must hold no chain yet)' });
  },
  run: cmdInit,
});

export const chainCommand = command<Record<string, never>>({
  command: 'chain',
  describe: 'chain init <genesis.json>: make a chain\'s genesis',
  builder: (y) => y.command(initCommand).demandCommand(1, 'name what to do: chain init <genesis.json>'),
  run: () => 0,
});
