// `evminf db ls|get --db DIR`: look into a hard drive's LevelDB store (bin/store-level.ts).
// `ls` streams the nodes in key order (a store of any size, never loaded whole), with the
// meta record of the last committed run; `get` prints one value.

import { EXIT } from '../../cpu/exit-codes.js';
import { command } from '../exit.js';
import { out } from '../io.js';
import { jsonOption } from '../options.js';
import { LevelStore, type DbMeta } from '../store-level.js';
import { UserError } from '../user-error.js';

interface DbArgs {
  db: string;
  json: boolean;
}

interface DbGetArgs extends DbArgs {
  hash: string;
}

/** Output gathered into chunks of about this many characters (a line per write is slow). */
const CHUNK = 1 << 16;

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

function dbOption(y: import('yargs').Argv): import('yargs').Argv {
  return y.option('db', { type: 'string', requiresArg: true, demandOption: true, describe: 'the LevelDB directory of the hard drive\'s store' });
}

function describeMeta(m: DbMeta): string {
  if (m.last === null) return `# ${m.runs} runs committed\n`;
  return `# ${m.runs} run${m.runs === 1 ? '' : 's'} committed; the last: ${m.last.program}, ${m.last.nodes} nodes, ${m.last.bytes} bytes, ${m.last.time}\n`;
}

async function cmdLs(a: DbArgs): Promise<number> {
  const store = await LevelStore.open(a.db, false);
  try {
    const meta = store.meta();
    let buf = a.json ? `{"meta":${JSON.stringify(meta)},"nodes":[` : describeMeta(meta);
    let n = 0, bytes = 0;
    for await (const [k, v] of store.nodes()) {
      buf += a.json ? `${n === 0 ? '' : ','}{"hash":"0x${hex(k)}","size":${v.length}}` : `0x${hex(k)} ${v.length}\n`;
      n++;
      bytes += v.length;
      if (buf.length >= CHUNK) { out(1, buf); buf = ''; }
    }
    buf += a.json ? `],"count":${n},"bytes":${bytes}}\n` : `# ${n} nodes, ${bytes} bytes\n`;
    out(1, buf);
  } finally {
    await store.close();
  }
  return 0;
}

async function cmdGet(a: DbGetArgs): Promise<number> {
  const h = String(a.hash);
  if (!/^0x[0-9a-fA-F]{64}$/.test(h)) throw new UserError(`db get: a hash is 0x and 64 hex digits, not '${h.length > 80 ? h.slice(0, 80) + '…' : h}'`, EXIT.USAGE);
  const store = await LevelStore.open(a.db, false);
  let v: Uint8Array | undefined;
  try {
    v = store.get(Buffer.from(h.slice(2), 'hex'));
  } finally {
    await store.close();
  }
  if (v === undefined) throw new UserError(`db get: ${h.toLowerCase()} not held in ${a.db}`, EXIT.DATA_UNAVAILABLE);
  out(1, a.json ? JSON.stringify({ hash: h.toLowerCase(), size: v.length, value: `0x${hex(v)}` }) + '\n' : `0x${hex(v)}\n`);
  return 0;
}

const lsCommand = command<DbArgs>({
  command: 'ls',
  describe: 'list the nodes (hash and size) and the last committed run',
  builder: (y) => jsonOption(dbOption(y), 'print one JSON object: meta, nodes [{hash, size}], count, bytes'),
  run: cmdLs,
});

const getCommand = command<DbGetArgs>({
  command: 'get <hash>',
  describe: 'print the value held under a hash as 0x…; exit 137 when it is not held',
  builder: (y) => jsonOption(dbOption(y).positional('hash', { type: 'string', demandOption: true, describe: 'a 32-byte hash: 0x and 64 hex digits' }), 'print one JSON object: hash, size, value'),
  run: cmdGet,
});

export const dbCommand = command<Record<string, never>>({
  command: 'db',
  describe: 'db ls | db get <0xhash> --db DIR: look into the hard drive\'s LevelDB store',
  builder: (y) => y.command(lsCommand).command(getCommand).demandCommand(1, 'name what to do: db ls --db DIR, or db get <0xhash> --db DIR'),
  run: () => 0,
});
