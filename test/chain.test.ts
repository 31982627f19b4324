// Acceptance of the chain (issue 12): the example chain validates on both models with the same
// gas and ends in the builder's state, whose contents are what the contracts were asked to do;
// each kind of bad block is rejected with its reason (docs/consensus.md, "Reasons"); an unknown
// parent is DATA UNAVAILABLE; a malformed file loads nothing; a validation's VCD shows the frame
// switches and the devices; the commit logs of the two models are equal. Mostly on the ISS.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptBlock, assembleBlock, buildBlock, initChainFile, signCollation, validateBlock, type ChainMeta,
} from '../dist/firmware/chain/chain.js';
import {
  be32, contractAddress, decodeHeader, decodeObject, EMPTY, fromHex, H, sighash, sign, toHex, type Collation,
} from '../dist/firmware/chain/format.js';
import { ChainState, word32 } from '../dist/firmware/chain/state.js';
import { decodeWire, encodeWire, loadWire, trieNodes, WIRE_TRIE } from '../dist/firmware/chain/wire.js';
import { Trie } from '../dist/peripherals/mpt.js';
import { MemoryStore } from '../dist/peripherals/store.js';
import { execFile } from 'node:child_process';
import { EVMINF } from './c/build.js';
import { requireTool, runTool } from './tools.js';

/** evminf as a child process, without blocking this worker (long runs would starve its RPC). */
function runEvminf(args: readonly string[]): Promise<{ status: number; stdout: Buffer; stderr: Buffer }> {
  return new Promise((done) => {
    execFile(process.execPath, [EVMINF, ...args], { encoding: 'buffer', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1;
      done({ status: code, stdout, stderr });
    });
  });
}

const DIR = join(__dirname, '..', 'examples', 'chain');
const GENESIS = join(DIR, 'genesis.json');
const BLOCKS = [1, 2, 3, 4, 5].map((n) => join(DIR, `block-${n}.rlp`));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

interface Chain { store: MemoryStore; meta: ChainMeta }

function genesis(): Chain {
  const store = new MemoryStore();
  return { store, meta: initChainFile(store, GENESIS).meta };
}

const vkeys = (m: ChainMeta): Uint8Array[] => m.validators.map((v) => fromHex(v.key)!);

describe('the example chain', () => {
  it('the committed blocks are what the builder makes, each validating on the ISS; the end state holds the contracts\' effects', async () => {
    const { buildExampleChain } = await import('../dist/examples/chain/build.js');
    let chain: Chain | null = null;
    const built = buildExampleChain(undefined, (store: MemoryStore, meta: ChainMeta) => { chain = { store, meta }; }) as { file: string; wire: Uint8Array; endstate: string }[];
    expect(built.map((b) => b.file)).toEqual(BLOCKS.map((p) => p.slice(DIR.length + 1)));
    for (const b of built) expect(hex(b.wire), b.file).toBe(hex(readFileSync(join(DIR, b.file))));
    const { store, meta } = chain!;
    expect(meta.height).toBe(5);
    // At least 2 collations per block.
    for (const b of built) expect(new Trie(store, decodeWire(b.wire).header.objroot).get(be32(1)), b.file).not.toBeNull();
    const last = fromHex(built[4]!.endstate)!;
    expect(toHex(decodeWire(readFileSync(BLOCKS[4]!)).header.endstate)).toBe(toHex(last));
    const st = new ChainState(store, last);
    expect(st.record().height).toBe(5);
    const addr = (n: string): Uint8Array => fromHex(meta.contracts[n] ?? meta.accounts.find((a) => a.name === n)!.address)!;
    const load = (c: string, slot: Uint8Array | number): bigint => BigInt('0x' + hex(st.substate(addr(c)[3]!).load(addr(c).subarray(4), slot)));
    // counter: 41 at genesis, bob in blocks 1 and 3, carol through caller (substate 3 → 2) in block 2.
    expect(load('counter', 0)).toBe(44n);
    // thrower wrote and threw every time: nothing of it is left.
    expect(load('thrower', 0)).toBe(0n);
    expect(load('thrower', 1)).toBe(0n);
    // caller's own writes stay when its callee throws: three calls made, the last (counter2) succeeded.
    expect(load('caller', 0)).toBe(3n);
    expect(load('caller', 1)).toBe(0n);
    // token, created by alice's first transaction at the address the Identities rule gives.
    const token = contractAddress(addr('alice'), 0);
    expect(toHex(token)).toBe(meta.contracts.token);
    const bal = (who: string): bigint => BigInt('0x' + hex(st.substate(1).load(token.subarray(4), word32(addr(who)))));
    expect([bal('alice'), bal('bob'), bal('carol')]).toEqual([1_000_000n - 250n - 100n, 250n, 100n]);
    // counter2, created by bob's third transaction (block 4), called twice in block 5.
    expect(toHex(contractAddress(addr('bob'), 2))).toBe(meta.contracts.counter2);
    expect(load('counter2', 0)).toBe(2n);
    // Every nonce counts its sender's transactions.
    expect(st.substate(1).account(addr('alice').subarray(4)).nonce).toBe(5);
  });
});

describe('evminf block validate', () => {
  let tmp: string;
  beforeAll(() => { tmp = mkdtempSync(join(tmpdir(), 'evminf-chain-')); });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('--vcd FILE.fst writes FST, and GTKWave\'s fst2vcd reads back the VCD of the same validation', async () => {
    const fst = join(tmp, 'b1.fst'), vcd = join(tmp, 'b1.vcd'), back = join(tmp, 'b1.fst.vcd');
    const common = ['block', 'validate', BLOCKS[0]!, '--genesis', GENESIS, '--vcd-scope', 'evm.cmu', '--vcd-scope', 'evm.dev.hdd', '--vcd-to', '60000'];
    for (const f of [fst, vcd]) {
      const r = await runEvminf([...common, '--vcd', f]);
      expect(r.stderr.toString()).toBe('');
      expect(r.status).toBe(0);
    }
    const bytes = readFileSync(fst);
    expect(bytes[0]).toBe(0); // FST_BL_HDR: an FST file starts with its header block, not with VCD text
    expect(bytes.length * 4).toBeLessThan(readFileSync(vcd).length);
    if (!requireTool('fst2vcd')) return;
    const t = runTool('fst2vcd', [fst]);
    expect(t.status, t.stderr).toBe(0);
    writeFileSync(back, t.stdoutBytes);
    const d = await runEvminf(['vcd', 'diff', vcd, back]);
    expect(d.stdout.toString()).toMatch(/^evminf vcd diff: equal: 31 signals over 120002 timestamps$/m);
    expect(d.status).toBe(0);
  });

  it('--model fast refuses --log-commits in one line (the timing model does not time single instructions)', async () => {
    const r = await runEvminf(['block', 'validate', BLOCKS[0]!, '--genesis', GENESIS, '--model', 'fast', '--log-commits', join(tmp, 'f.log')]);
    expect(r.status).toBe(2);
    expect(r.stderr.toString().trim().split('\n')).toEqual(['evminf: --log-commits needs --model cycle or iss (the timing model counts cycles per translated block)']);
  });

  it('both models: every block valid with the same gas; the VCD shows frame switches and devices; equal commit logs', async () => {
    const runs = await Promise.all((['cycle', 'iss'] as const).map(async (model) => {
      const log = join(tmp, `${model}.log`), vcd = join(tmp, 'b5.vcd');
      const args = ['block', 'validate', ...BLOCKS, '--genesis', GENESIS, '--model', model, '--json', '--log-commits', log];
      if (model === 'cycle') args.push('--vcd', vcd, '--vcd-scope', 'evm.cmu', '--vcd-scope', 'evm.dev');
      const r = await runEvminf(args);
      expect(r.stderr.toString()).toBe('');
      expect(r.status).toBe(0);
      return { lines: r.stdout.toString().trim().split('\n').map((l) => JSON.parse(l)), log: readFileSync(log), vcd: model === 'cycle' ? readFileSync(vcd, 'utf8') : '' };
    }));
    const [cycle, iss] = runs as [typeof runs[0], typeof runs[0]];
    expect(cycle.lines.length).toBe(5);
    for (let k = 0; k < 5; k++) {
      expect(cycle.lines[k]).toMatchObject({ valid: true, reason: 'OK', exitCode: 0 });
      expect(cycle.lines[k].gas).toBe(iss.lines[k].gas);
      expect(cycle.lines[k].instructions).toBe(iss.lines[k].instructions);
      expect(cycle.lines[k].cycles).toBeGreaterThan(cycle.lines[k].instructions);
      expect(cycle.lines[k].txgas).toBe(iss.lines[k].txgas);
    }
    expect(cycle.log.length).toBeGreaterThan(100_000);
    expect(cycle.log.equals(iss.log)).toBe(true);
    // The VCD: the CMU's frame depth goes 0 → 1 (INTERPRET_COLLATION) → 2 (MSG) → 3 (a contract) and back.
    const v = cycle.vcd;
    const id = (scope: string, name: string): string => {
      const at = v.indexOf(`$scope module ${scope} $end`);
      const m = new RegExp(`\\$var wire \\d+ (\\S+) ${name}( \\[\\d+:\\d+\\])? \\$end`).exec(v.slice(at));
      expect(m, `${scope}.${name}`).not.toBeNull();
      return m![1]!;
    };
    const depth = id('cmu', 'depth');
    const values = new Set<number>();
    for (const line of v.split('\n')) if (line.startsWith('b') && line.endsWith(` ${depth}`)) values.add(parseInt(line.slice(1, line.indexOf(' ')), 2));
    for (const d of [0, 1, 2, 3]) expect(values.has(d), `depth ${d} of ${depth}: ${[...values].join(",")}`).toBe(true);
    for (const dev of ['sha3', 'ecdsa', 'hdd']) expect(v).toContain(`$scope module ${dev} $end`);
  });

  it('an unknown parent is DATA UNAVAILABLE (137), not invalid; a malformed file is one line, exit 126, nothing loaded', async () => {
    const out = await runEvminf(['block', 'validate', BLOCKS[1]!, '--genesis', GENESIS, '--model', 'iss']);
    expect(out.status).toBe(137);
    expect(out.stderr.toString()).toMatch(/^evminf: .*block-2\.rlp: no verdict: data unavailable: preimage 0x[0-9a-f]{64} not held.*\n$/);
    expect(out.stdout.toString()).toBe('');
    const good = readFileSync(BLOCKS[0]!);
    const cases: [string, Uint8Array][] = [
      ['truncated', good.subarray(0, good.length - 7)],
      ['trailing', Buffer.concat([good, Buffer.of(0)])],
      ['not-a-list', Buffer.from('hello')],
    ];
    const p = join(tmp, 'truncated.rlp');
    writeFileSync(p, cases[0]![1]);
    // The good first block is not validated either: every file is decoded before anything runs.
    const r = await runEvminf(['block', 'validate', BLOCKS[0]!, p, '--genesis', GENESIS, '--model', 'iss']);
    expect(r.status).toBe(126);
    expect(r.stdout.toString()).toBe('');
    expect(r.stderr.toString()).toMatch(/^evminf: .*truncated\.rlp: malformed RLP at byte \d+: [^\n]*\n$/);
    for (const [name, bytes] of cases) {
      expect(() => loadWire(new MemoryStore(), bytes), name).toThrow();
      const s = new MemoryStore();
      try { loadWire(s, bytes); } catch { /* checked above */ }
      expect(s.size).toBe(0);
    }
  });

  it('chain init, block build and validate --db: the builder makes the committed block; a valid block becomes the head', async () => {
    const db = join(tmp, 'db');
    const init = await runEvminf(['chain', 'init', GENESIS, '--db', db]);
    expect(init.status).toBe(0);
    const built = join(tmp, 'b1.rlp');
    const b = await runEvminf(['block', 'build', join(DIR, 'block-1.json'), '--db', db, '-o', built, '--json']);
    expect(b.stderr.toString()).toBe('');
    expect(readFileSync(built).equals(readFileSync(BLOCKS[0]!))).toBe(true);
    const v = await runEvminf(['block', 'validate', built, '--db', db, '--model', 'iss']);
    expect(v.stdout.toString()).toMatch(/b1\.rlp: valid/);
    // The head moved: the next block builds on block 1 (the meta record's head and height).
    const b2 = await runEvminf(['block', 'build', join(DIR, 'block-2.json'), '--db', db, '-o', join(tmp, 'b2.rlp'), '--json']);
    expect(JSON.parse(b2.stdout.toString())).toMatchObject({ prevhash: JSON.parse(b.stdout.toString()).hash });
    expect(readFileSync(join(tmp, 'b2.rlp')).equals(readFileSync(BLOCKS[1]!))).toBe(true);
    const again = await runEvminf(['chain', 'init', GENESIS, '--db', db]);
    expect(again.status).toBe(126);
    expect(again.stderr.toString()).toMatch(/a chain is there already/);
  });
});

/** Tampered blocks: each built on the genesis (or block 1), rejected with its reason. */
describe('rejected blocks', () => {
  let c: Chain, prevhash: Uint8Array, block1: Uint8Array;
  const rec = () => new ChainState(c.store, genesisState()).record();
  const genesisState = (): Uint8Array => decodeHeader(c.store.get(prevhash)!).endstate;

  beforeAll(() => {
    c = genesis();
    prevhash = fromHex(c.meta.head)!;
    block1 = new Uint8Array(readFileSync(BLOCKS[0]!));
  });

  /** The collations of block 1 (signed, as built). */
  function collations(): Collation[] {
    const s = new MemoryStore();
    const { header } = loadWire(s, block1);
    const t = new Trie(s, header.objroot), out: Collation[] = [];
    for (let j = 0; ; j++) {
      const o = t.get(be32(j));
      if (o === null) return out;
      out.push(decodeObject(o, `object ${j}`));
    }
  }

  function verdict(wire: Uint8Array): string {
    const store = new MemoryStore();
    for (const [k, v] of c.store.map) store.map.set(k, v);
    const { hash } = loadWire(store, wire);
    const v = validateBlock(store, hash, { model: 'iss' });
    expect(v.result.reason, v.result.message ?? '').toBe('return');
    return v.verdict!.reasonName;
  }

  /** Re-sign edited collations and assemble them with `endstate` (block 1's unless given). */
  function reassemble(cols: Collation[], endstate = decodeWire(block1).header.endstate, resign = true): { header: ReturnType<typeof decodeWire>['header']; wire: Uint8Array; store: MemoryStore } {
    const store = new MemoryStore();
    const signed = resign ? cols.map((x, j) => signCollation(x, j, prevhash, vkeys(c.meta), rec().signers)) : cols;
    return { ...assembleBlock(store, prevhash, signed, endstate, vkeys(c.meta)), store };
  }

  /** Block 1 with its valroot entries changed by `edit` (the trie rebuilt and re-carried). */
  function withValroot(edit: (t: Trie, sh: Uint8Array) => void): Uint8Array {
    const w = decodeWire(block1);
    const store = new MemoryStore();
    for (const it of w.items) for (const n of it.values) store.put(H(n), n);
    const t = new Trie(store, w.header.valroot);
    edit(t, sighash(w.header));
    const nodes = (root: Uint8Array): Uint8Array[] => trieNodes(store, root);
    return encodeWire({ header: { ...w.header, valroot: t.root }, items: [{ kind: WIRE_TRIE, values: nodes(t.root) }, { kind: WIRE_TRIE, values: nodes(w.header.objroot) }] });
  }

  it('the untouched block 1 and its reassembly are valid (the tampering below is all that differs)', () => {
    expect(verdict(block1)).toBe('OK');
    expect(hex(reassemble(collations()).wire)).toBe(hex(block1));
  });

  it('a bad validator signature: BAD_SIG', () => {
    expect(verdict(withValroot((t, sh) => t.set(be32(1), sign(sh, vkeys(c.meta)[2]!))))).toBe('BAD_SIG');
    expect(verdict(withValroot((t, sh) => { const s = sign(sh, vkeys(c.meta)[1]!); s[5]! ^= 0x40; t.set(be32(1), s); }))).toBe('BAD_SIG');
  });

  it('a missing validator signature: MISSING_SIG; an extra entry: EXTRA_SIG', () => {
    expect(verdict(withValroot((t) => t.set(be32(2), new Uint8Array(0))))).toBe('MISSING_SIG');
    expect(verdict(withValroot((t, sh) => t.set(be32(4), sign(sh, vkeys(c.meta)[0]!))))).toBe('EXTRA_SIG');
  });

  it('a wrong endstate, signed by every validator: BAD_ENDSTATE', () => {
    expect(verdict(reassemble(collations(), H(Uint8Array.of(1))).wire)).toBe('BAD_ENDSTATE');
  });

  it('a tampered collation post root, re-signed by proposer and signers: BAD_POST', () => {
    const cols = collations();
    cols[1]!.substates[0]!.post = H(Uint8Array.of(2));
    expect(verdict(reassemble(cols).wire)).toBe('BAD_POST');
  });

  it('the drawn signers\' signatures out of drawn order: BAD_COLLATION_SIG', () => {
    const cols = collations();
    cols[0]!.sigs = [cols[0]!.sigs[1]!, cols[0]!.sigs[0]!]; // drawn order swapped
    expect(verdict(reassemble(cols, undefined, false).wire)).toBe('BAD_COLLATION_SIG');
  });

  it('two collations touching one substate: INTERSECTING', () => {
    const cols = collations();
    const two = { ...cols[1]!, substates: [{ ...cols[0]!.substates[0]! }], txs: [] };
    expect(verdict(reassemble([cols[0]!, two]).wire)).toBe('INTERSECTING');
  });

  it('a transaction whose signature does not recover: BAD_TX_SIG', () => {
    const cols = collations();
    const tx = cols[1]!.txs[0]!;
    const sig = new Uint8Array(tx.sig); sig.fill(0, 0, 32); // r = 0 (a copy: tx.sig is a view into the file)
    cols[1]!.txs[0] = { ...tx, sig };
    expect(verdict(reassemble(cols).wire)).toBe('BAD_TX_SIG');
  });

  it('a replayed transaction (block 1\'s, again in block 2): BAD_NONCE', () => {
    // Block 2's parent is block 1: a fresh chain with block 1 taken.
    const chain = genesis();
    const a1 = acceptBlock(chain.store, chain.meta, block1, { model: 'iss' });
    expect(a1.validation.result.message).toBeNull();
    expect(a1.validation.verdict!.valid).toBe(true);
    const p2 = fromHex(chain.meta.head)!;
    const tx = collations()[1]!.txs[0]!;
    const st = new ChainState(chain.store, decodeWire(block1).header.endstate);
    const root = st.substateRoot(tx.substate);
    const col = signCollation({ substates: [{ i: tx.substate, prev: root, post: root }], txs: [tx], proposer: 0, proposerSig: new Uint8Array(0), sigs: [] }, 0, p2, vkeys(chain.meta), st.record().signers);
    const s = new MemoryStore();
    const { wire } = assembleBlock(s, p2, [col], st.root, vkeys(chain.meta));
    const { hash } = loadWire(chain.store, wire);
    const v = validateBlock(chain.store, hash, { model: 'iss' });
    expect(v.verdict).toMatchObject({ valid: false, reasonName: 'BAD_NONCE', object: 0, tx: 0 });
    // The builder refuses to make it.
    const list = JSON.stringify({ txs: [{ from: 'bob', to: 'counter', gas: 200000, nonce: 0 }] });
    expect(() => buildBlock(chain.store, chain.meta, list, 'replay.json', DIR)).toThrow(/BAD_NONCE/);
  });
});
