// The hard drive's store on disk (docs/peripherals.md, "Storage"): LevelDB through
// classic-level. Reads inside the cycle loop are synchronous (`getSync`: the run's pending
// writes first, then the db). Everything a run writes is pending in memory until the run has
// ended, then goes to the db as ONE batch together with the meta record — LevelDB applies a
// batch whole or not at all, so a process killed during the commit loses that run and never
// leaves half of it. Node-only (the native binding): it stays out of peripherals/ and cpu/.

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ClassicLevel } from 'classic-level';
import { EXIT } from '../cpu/exit-codes.js';
import { HardDrive } from '../peripherals/hdd.js';
import { hashKey, keyBytes, type NodeStore } from '../peripherals/store.js';
import { UserError } from './user-error.js';

/** Key of the meta record: not 32 bytes long, so never a node's hash. */
export const META_KEY = new TextEncoder().encode('evminf.meta');

const recordKey = (name: string): Uint8Array => new TextEncoder().encode(`evminf.${name}`);

/** A commit at least this large says so on stderr first (it takes a while). */
export const COMMIT_NOTICE_BYTES = 1 << 20;

/** The meta record (JSON), rewritten in every run's batch. */
export interface DbMeta {
  format: 1;
  /** Runs committed to this db. */
  runs: number;
  /** The last committed run: its program, and the nodes and bytes it wrote. */
  last: { program: string; nodes: number; bytes: number; time: string } | null;
}

type Db = ClassicLevel<Uint8Array, Uint8Array>;

/** A db error as the one line a user sees. */
function dbError(dir: string, e: unknown): UserError {
  const x = e as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const cause = x.cause?.code ?? x.code, detail = x.cause?.message ?? x.message ?? String(e);
  if (cause === 'LEVEL_LOCKED') return new UserError(`--db ${dir}: the database is in use by another process`, EXIT.BAD_INPUT);
  if (cause === 'LEVEL_CORRUPTION') return new UserError(`--db ${dir}: the database is corrupt (${detail.replace(/\s+/g, ' ')})`, EXIT.BAD_INPUT);
  if (/does not exist/.test(detail)) return new UserError(`--db ${dir}: no database there`, EXIT.NO_FILE);
  if (cause === 'ENOTDIR' || cause === 'EEXIST') return new UserError(`--db ${dir}: not a directory`, EXIT.NO_FILE);
  if (cause === 'EACCES' || cause === 'EPERM') return new UserError(`--db ${dir}: permission denied`, EXIT.NO_FILE);
  return new UserError(`--db ${dir}: ${detail.replace(/\s+/g, ' ')}`, EXIT.BAD_INPUT);
}

export class LevelStore implements NodeStore {
  /** Writes of the run in progress (hashKey → value), committed by `commit`. */
  private readonly pending = new Map<string, Uint8Array>();
  private pendingBytes = 0;
  /** Named records (`evminf.NAME`) for the next batch. */
  private readonly records = new Map<string, Uint8Array>();

  private constructor(readonly dir: string, private readonly db: Db) {}

  /** Open the db at `dir` (`create`: make it when missing). Errors are one-line UserErrors. */
  static async open(dir: string, create: boolean): Promise<LevelStore> {
    if (dir === '') throw new UserError('--db needs a DIR', EXIT.USAGE);
    // Opening a directory that holds no database leaves LevelDB's LOCK and LOG in it, and a missing
    // one is created before LevelDB finds no CURRENT: look first.
    if (!create && (statSync(dir, { throwIfNoEntry: false })?.isDirectory() !== true || !existsSync(join(dir, 'CURRENT')))) throw new UserError(`--db ${dir}: no database there`, EXIT.NO_FILE);
    // Imported here, not at the top: in the command line's bundle (bin/bundle.ts) a static import
    // of this external package would load LevelDB (35 modules) for every command.
    const { ClassicLevel } = await import('classic-level');
    const db: Db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view', createIfMissing: create });
    try {
      await db.open();
      const s = new LevelStore(dir, db);
      s.meta(); // a damaged meta record is found now, not after the run
      return s;
    } catch (e) {
      await db.close().catch(() => {});
      throw e instanceof UserError ? e : dbError(dir, e);
    }
  }

  get(hash: Uint8Array): Uint8Array | undefined {
    const p = this.pending.get(hashKey(hash));
    if (p !== undefined) return p;
    try {
      return this.db.getSync(hash);
    } catch (e) {
      throw dbError(this.dir, e);
    }
  }

  put(hash: Uint8Array, value: Uint8Array): void {
    const k = hashKey(hash);
    if (this.pending.has(k)) return;
    this.pending.set(k, value);
    this.pendingBytes += value.length;
  }

  /** A named record kept beside the nodes (its key, `evminf.NAME`, is never 32 bytes), or undefined. */
  record(name: string): Uint8Array | undefined {
    const pending = this.records.get(name);
    if (pending !== undefined) return pending;
    try {
      return this.db.getSync(recordKey(name));
    } catch (e) {
      throw dbError(this.dir, e);
    }
  }

  /** Set a named record: written in the next commit's batch, with the nodes. */
  setRecord(name: string, value: Uint8Array): void {
    this.records.set(name, value);
  }

  /** The meta record (a fresh one for a new db). */
  meta(): DbMeta {
    let raw: Uint8Array | undefined;
    try {
      raw = this.db.getSync(META_KEY);
    } catch (e) {
      throw dbError(this.dir, e);
    }
    if (raw === undefined) return { format: 1, runs: 0, last: null };
    try {
      const m = JSON.parse(new TextDecoder().decode(raw)) as DbMeta;
      if (m.format !== 1 || !Number.isSafeInteger(m.runs)) throw new Error('bad format');
      return m;
    } catch {
      throw new UserError(`--db ${this.dir}: the database's meta record is damaged`, EXIT.BAD_INPUT);
    }
  }

  /**
   * Write the pending nodes and the updated meta record as one batch (synced to disk).
   * `notice` hears one line before a large commit starts. Returns the meta record written.
   */
  async commit(program: string, notice?: (line: string) => void): Promise<DbMeta> {
    const m = this.meta();
    const nodes = this.pending.size, bytes = this.pendingBytes;
    const next: DbMeta = { format: 1, runs: m.runs + 1, last: { program, nodes, bytes, time: new Date().toISOString() } };
    const ops: { type: 'put'; key: Uint8Array; value: Uint8Array }[] = [];
    for (const [k, v] of this.pending) ops.push({ type: 'put', key: keyBytes(k), value: v });
    for (const [name, value] of this.records) ops.push({ type: 'put', key: recordKey(name), value });
    ops.push({ type: 'put', key: META_KEY, value: new TextEncoder().encode(JSON.stringify(next)) });
    if (bytes >= COMMIT_NOTICE_BYTES) notice?.(`evminf: db: committing ${nodes} nodes (${bytes} bytes) to ${this.dir}\n`);
    try {
      await this.db.batch(ops, { sync: true });
    } catch (e) {
      throw dbError(this.dir, e);
    }
    this.pending.clear();
    this.records.clear();
    this.pendingBytes = 0;
    return next;
  }

  /** Every node (key, value) in key order, streamed from the db (the meta record left out). */
  async *nodes(): AsyncGenerator<[Uint8Array, Uint8Array]> {
    try {
      for await (const [k, v] of this.db.iterator()) if (k.length === 32) yield [k, v];
    } catch (e) {
      throw dbError(this.dir, e);
    }
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

/**
 * `evminf run --db DIR`: the run gets a hard drive on the db at DIR; when it has ended (with
 * any stop reason), what it wrote is committed as one batch. An error during the run commits
 * nothing.
 */
export async function runWithDb(dir: string, program: string, run: (drive: HardDrive) => number | Promise<number>, notice?: (line: string) => void): Promise<number> {
  const store = await LevelStore.open(dir, true);
  try {
    const drive = new HardDrive(store);
    const code = await run(drive);
    drive.commit();
    await store.commit(program, notice);
    return code;
  } finally {
    await store.close();
  }
}
