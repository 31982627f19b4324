// The chain on the host: genesis from a description, the next block from a list of
// transactions, and validation by running INTERPRET_BLOCK (docs/consensus.md). The firmware
// decides: the builder runs INTERPRET_COLLATION in build mode — the same MSG firmware a
// validator runs — to learn the post roots, and only signs and assembles around them.

import { readFileSync, statSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { createModel, type ModelKind } from '../../cpu/machine.js';
import { LinuxHost } from '../../cpu/host.js';
import { PermBit } from '../../cpu/perm.js';
import { loadRom } from '../../cpu/program.js';
import { runToEnd, type CpuModel, type RunResult } from '../../cpu/runner.js';
import type { Core } from '../../cpu/core.js';
import type { Iss } from '../../cpu/iss.js';
import { HardDrive } from '../../peripherals/hdd.js';
import { Trie } from '../../peripherals/mpt.js';
import { finishDevices, standardDevices } from '../../peripherals/standard.js';
import type { NodeStore } from '../../peripherals/store.js';
import { firmwareImage } from '../images.js';
import {
  address, blockHash, BLOCK_RAM, be32, colHash, COLLATION_RAM, concat, contractAddress, decodeHeader, drawSigners, encodeCollation,
  encodeHeader, encodeObject, equalBytes, ethAddress, FormatError, fromHex, genesisHeader, H, keyHolderId, le32, MAX_CODE, MAX_SUBSTATES,
  publicKey, reasonName, sighash, sign, signTx, substateOf, toHex, type Collation, type Header, type Tx, type TxBody,
} from './format.js';
import { ChainState, word32 } from './state.js';
import { encodeWire, loadWire, trieNodes, WIRE_TRIE } from './wire.js';

/** A chain description or transaction list that cannot be used (bad input, one line). */
export class ChainError extends Error {}

export const PSET_CONSENSUS = PermBit.HARD_DRIVE | PermBit.CRYPTO;

// ---- names and keys -------------------------------------------------------------------------

export interface Named { name: string; key: string; address: string }
export interface NamedAccount extends Named { substate: number }

/** What the builder keeps of a chain (the chain meta record): a devnet's keys in the clear. */
export interface ChainMeta {
  format: 1;
  genesis: string;
  head: string;
  height: number;
  validators: Named[];
  accounts: NamedAccount[];
  /** Contract name → 28-byte address (hex). */
  contracts: Record<string, string>;
}

/** A devnet key derived from a name when the description gives none (never for real money). */
export const devnetKey = (name: string): Uint8Array => H(new TextEncoder().encode(`evminf devnet key ${name}`));

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

function keyOf(v: unknown, name: string, where: string): Uint8Array {
  if (v === undefined) return devnetKey(name);
  const k = typeof v === 'string' ? fromHex(v) : null;
  if (k === null || k.length !== 32) throw new ChainError(`${where}: "key" is not 32 bytes of hex`);
  try { publicKey(k); } catch { throw new ChainError(`${where}: "key" is not a valid secp256k1 private key`); }
  return k;
}

function u32Of(v: unknown, where: string, def?: number): number {
  if (v === undefined && def !== undefined) return def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff_ffff) throw new ChainError(`${where} is not a u32`);
  return v;
}

function obj(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ChainError(`${where} is not an object`);
  return v as Record<string, unknown>;
}

function arr(v: unknown, where: string): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ChainError(`${where} is not a list`);
  return v;
}

function nameOf(v: unknown, where: string, seen: Set<string>): string {
  if (typeof v !== 'string' || !NAME.test(v)) throw new ChainError(`${where}: "name" must be a name (letters, digits, _ . -; at most 64)`);
  if (seen.has(v)) throw new ChainError(`${where}: the name ${JSON.stringify(v)} is used twice`);
  seen.add(v);
  return v;
}

/** A number or a hex string as a 32-byte word. */
function wordOf(v: unknown, where: string): Uint8Array {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return word32(v);
  if (typeof v === 'string') {
    const b = fromHex(v);
    if (b !== null && b.length <= 32 && (v.startsWith('0x') || v.startsWith('0X'))) return word32(b);
    if (/^[0-9]+$/.test(v) && BigInt(v) < 1n << 256n) return word32(BigInt(v));
  }
  throw new ChainError(`${where} is not a 256-bit word (a number, decimal string or 0x hex of at most 32 bytes)`);
}

/** The most a genesis file may hold. */
const MAX_GENESIS = 64 << 20;

/**
 * Refuse what is not a regular file of at most `limit` bytes before reading it: a device or a
 * pipe (/dev/zero) would be read without end.
 */
function checkFile(path: string, limit: number, where: string): void {
  let st;
  try { st = statSync(path); } catch (e) {
    throw new ChainError(`${where}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!st.isFile()) throw new ChainError(`${where}: ${path} is not a regular file`);
  if (st.size > limit) throw new ChainError(`${where}: ${path} is ${st.size} bytes (at most ${limit})`);
}

function readCode(path: string, where: string): Uint8Array {
  checkFile(path, MAX_CODE, where);
  let b: Uint8Array;
  try { b = new Uint8Array(readFileSync(path)); } catch (e) {
    throw new ChainError(`${where}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (b.length === 0 || b.length > MAX_CODE) throw new ChainError(`${where}: ${path} is ${b.length} bytes (code is 1 to ${MAX_CODE})`);
  return b;
}

function parseJson(text: string, name: string): unknown {
  try { return JSON.parse(text); } catch (e) {
    throw new ChainError(`${name}: not JSON (${(e as Error).message})`);
  }
}

// ---- genesis --------------------------------------------------------------------------------

export interface Genesis {
  header: Header;
  hash: Uint8Array;
  meta: ChainMeta;
}

/**
 * `evminf chain init`: the genesis state from a description (docs/chain.md), written into
 * `store` with the consensus images and contract code as preimages and the genesis header
 * under its hash. `base` resolves the description's relative paths.
 */
export function initChain(store: NodeStore, text: string, name: string, base: string): Genesis {
  const d = obj(parseJson(text, name), name);
  for (const k of Object.keys(d)) if (!['signers', 'validators', 'accounts', 'contracts', 'interpret_collation', 'msg'].includes(k)) throw new ChainError(`${name}: unknown field ${JSON.stringify(k)}`);
  const names = new Set<string>();
  const vals = arr(d.validators, `${name}: "validators"`);
  if (vals.length < 1 || vals.length > 1024) throw new ChainError(`${name}: "validators" lists ${vals.length} (1 to 1024)`);
  const signers = u32Of(d.signers, `${name}: "signers"`, Math.min(2, vals.length - 1));
  const image = (field: 'interpret_collation' | 'msg'): Uint8Array =>
    d[field] === undefined ? firmwareImage(field).code : readCode(resolve(base, String(d[field])), `${name}: "${field}"`);
  const collationCode = image('interpret_collation'), msgCode = image('msg');
  const put = (v: Uint8Array): Uint8Array => { const h = H(v); store.put(h, v); return h; };
  const st = new ChainState(store);
  const meta: ChainMeta = { format: 1, genesis: '', head: '', height: 0, validators: [], accounts: [], contracts: {} };
  vals.forEach((v, i) => {
    const where = `${name}: validator ${i}`;
    const o = obj(v, where);
    const n = nameOf(o.name, where, names);
    const k = keyOf(o.key, n, where);
    const a = ethAddress(publicKey(k));
    st.setValidator(i, a);
    meta.validators.push({ name: n, key: toHex(k), address: toHex(a) });
  });
  st.setRecord({ height: 0, nvalidators: vals.length, signers, collationCode: put(collationCode), msgCode: put(msgCode) });
  const subs = new Map<number, ReturnType<ChainState['substate']>>();
  const sub = (i: number) => { let s = subs.get(i); if (s === undefined) { s = st.substate(i); subs.set(i, s); } return s; };
  arr(d.accounts, `${name}: "accounts"`).forEach((v, i) => {
    const where = `${name}: account ${i}`;
    const o = obj(v, where);
    const n = nameOf(o.name, where, names);
    const k = keyOf(o.key, n, where);
    const s = u32Of(o.substate, `${where}: "substate"`);
    const id = keyHolderId(publicKey(k));
    sub(s).setAccount(id, { nonce: u32Of(o.nonce, `${where}: "nonce"`, 0), code: new Uint8Array(0) });
    meta.accounts.push({ name: n, key: toHex(k), address: toHex(address(s, id)), substate: s });
  });
  arr(d.contracts, `${name}: "contracts"`).forEach((v, i) => {
    const where = `${name}: contract ${i}`;
    const o = obj(v, where);
    const n = nameOf(o.name, where, names);
    const s = u32Of(o.substate, `${where}: "substate"`);
    if (typeof o.code !== 'string') throw new ChainError(`${where}: "code" must name an image file`);
    const code = readCode(resolve(base, o.code), where);
    // A genesis contract is as if created by the zero account of its substate, with nonce i.
    const addr = contractAddress(address(s, new Uint8Array(24)), i);
    const id = addr.subarray(4), ss = sub(s);
    ss.setAccount(id, { nonce: 0, code: put(code) });
    for (const [slot, val] of Object.entries(obj(o.storage ?? {}, `${where}: "storage"`))) ss.store(id, wordOf(slot, `${where}: storage slot ${slot}`), wordOf(val, `${where}: storage ${slot}`));
    meta.contracts[n] = toHex(addr);
  });
  for (const [i, s] of subs) st.setSubstateRoot(i, s.root);
  const header = genesisHeader(st.root);
  const enc = encodeHeader(header), hash = H(enc);
  store.put(hash, enc);
  meta.genesis = meta.head = toHex(hash);
  return { header, hash, meta };
}

export function initChainFile(store: NodeStore, path: string): Genesis {
  let text: string;
  checkFile(path, MAX_GENESIS, 'genesis');
  try { text = readFileSync(path, 'utf8'); } catch (e) {
    throw new ChainError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return initChain(store, text, path, dirname(path));
}

// ---- running the firmware -------------------------------------------------------------------

export interface FirmwareRun {
  result: RunResult;
  drive: HardDrive;
}

export interface RunOptions {
  model: ModelKind;
  /** Wraps the model before the run (a VCD writer, a retire tap); returns what to run. */
  attach?: (m: Iss | Core) => CpuModel;
  onProgress?: (instructions: number, cycles: number | null) => void;
  maxInstructions?: number;
}

/** Run a consensus ROM as the root frame (PSET HARD_DRIVE + CRYPTO) over `store`. */
export function runFirmware(code: Uint8Array, input: Uint8Array, ramSize: number, store: NodeStore, o: RunOptions): FirmwareRun {
  const drive = new HardDrive(store);
  const devices = standardDevices({ hardDrive: drive });
  const prog = loadRom(code, { input, ramSize });
  const m = createModel(o.model, prog, { devices, pset: PSET_CONSENSUS });
  const run = o.attach ? o.attach(m) : m;
  const result = runToEnd(run, new LinuxHost(), { onProgress: o.onProgress, maxInstructions: o.maxInstructions ?? 20e9 });
  finishDevices(devices);
  return { result, drive };
}

const word = (b: Uint8Array, i: number): number => new DataView(b.buffer, b.byteOffset).getUint32(4 * i, true);

/** INTERPRET_BLOCK's output words (docs/consensus.md, step 9). */
export interface Verdict {
  valid: boolean;
  reason: number;
  reasonName: string;
  object: number;
  tx: number;
  ntx: number;
  txgas: number;
}

export interface Validation extends FirmwareRun {
  /** null when the run gave no verdict (DATA UNAVAILABLE, a trap, a limit). */
  verdict: Verdict | null;
}

/** Validate the block whose header is held under `hash` in `store` by running INTERPRET_BLOCK. */
export function validateBlock(store: NodeStore, hash: Uint8Array, o: RunOptions): Validation {
  const run = runFirmware(firmwareImage('interpret_block').code, hash, BLOCK_RAM, store, o);
  const out = run.result.reason === 'return' ? run.result.output : null;
  if (out === null || out.length < 24) return { ...run, verdict: null };
  const reason = word(out, 1);
  return { ...run, verdict: { valid: word(out, 0) === 1, reason, reasonName: reasonName(reason), object: word(out, 2) | 0, tx: word(out, 3) | 0, ntx: word(out, 4), txgas: word(out, 5) } };
}

// ---- building -------------------------------------------------------------------------------

/** A transaction as the builder's input names it. */
interface TxSpec {
  from: string;
  to: Uint8Array; // empty: a creation
  data: Uint8Array;
  gas: number;
  nonce?: number;
  substates: number[];
  as?: string;
}

interface CollationSpec {
  proposer?: number;
  txs: TxSpec[];
  substates: number[];
}

export interface BuiltBlock {
  header: Header;
  hash: Uint8Array;
  wire: Uint8Array;
  collations: Collation[];
  /** Gas the transactions used, per collation (INTERPRET_COLLATION's figure). */
  gas: number[];
  /** Contracts the block creates, by the names the input gave them. */
  created: Record<string, string>;
}

/**
 * Bytes from the input: "0x…" hex, "@FILE" a file's bytes, or a list of parts — a number is a
 * 32-byte word, "0x…" raw bytes, a name the 28-byte address of that account or contract,
 * {"u32": n} 4 bytes and {"u8": n} 1 byte (big-endian).
 */
function bytesField(v: unknown, where: string, base: string, meta: ChainMeta): Uint8Array {
  if (v === undefined) return new Uint8Array(0);
  if (typeof v === 'string') {
    if (v.startsWith('@')) return readCode(resolve(base, v.slice(1)), where);
    const b = fromHex(v);
    if (b !== null && (v.startsWith('0x') || v.startsWith('0X') || v === '')) return b;
  }
  if (Array.isArray(v)) {
    return concat(...v.map((w, i): Uint8Array => {
      const at = `${where}[${i}]`;
      if (typeof w === 'number') return wordOf(w, at);
      if (typeof w === 'string') {
        if (w.startsWith('0x') || w.startsWith('0X')) { const b = fromHex(w); if (b !== null) return b; throw new ChainError(`${at} is not hex`); }
        return addressOf(w, meta, at);
      }
      if (typeof w === 'object' && w !== null && !Array.isArray(w)) {
        const o = w as Record<string, unknown>;
        if (Object.keys(o).length === 1 && 'u32' in o) return be32(u32Of(o.u32, `${at}.u32`));
        if (Object.keys(o).length === 1 && 'u8' in o) { const n = u32Of(o.u8, `${at}.u8`); if (n < 256) return Uint8Array.of(n); }
      }
      throw new ChainError(`${at} is not a word, 0x bytes, a name, {"u32": n} or {"u8": n}`);
    }));
  }
  throw new ChainError(`${where} is not 0x hex, @FILE or a list of parts`);
}

function addressOf(v: unknown, meta: ChainMeta, where: string): Uint8Array {
  if (typeof v !== 'string') throw new ChainError(`${where} is not a name or an address`);
  const named = meta.contracts[v] ?? meta.accounts.find((a) => a.name === v)?.address;
  if (named !== undefined) return fromHex(named)!;
  const b = fromHex(v);
  if (b !== null && b.length === 28 && v.startsWith('0x')) return b;
  throw new ChainError(`${where}: ${JSON.stringify(v)} is no account or contract of this chain (nor a 28-byte 0x address)`);
}

function txSpec(v: unknown, meta: ChainMeta, where: string, base: string): TxSpec {
  const o = obj(v, where);
  for (const k of Object.keys(o)) if (!['from', 'to', 'create', 'data', 'gas', 'nonce', 'substates', 'as'].includes(k)) throw new ChainError(`${where}: unknown field ${JSON.stringify(k)}`);
  const from = meta.accounts.find((a) => a.name === o.from);
  if (from === undefined) throw new ChainError(`${where}: "from" ${JSON.stringify(o.from)} is no account of this chain`);
  if ((o.to === undefined) === (o.create === undefined)) throw new ChainError(`${where}: give "to" (a call) or "create" (code), not both`);
  const to = o.to === undefined ? new Uint8Array(0) : addressOf(o.to, meta, `${where}: "to"`);
  const data = o.create === undefined ? bytesField(o.data, `${where}: "data"`, base, meta) : bytesField(o.create, `${where}: "create"`, base, meta);
  if (data.length > MAX_CODE) throw new ChainError(`${where}: ${data.length} bytes of data (at most ${MAX_CODE})`);
  const subs = new Set<number>([from.substate]);
  if (to.length > 0) subs.add(substateOf(to));
  for (const [i, s] of arr(o.substates, `${where}: "substates"`).entries()) subs.add(u32Of(s, `${where}: "substates"[${i}]`));
  if (o.as !== undefined && (typeof o.as !== 'string' || !NAME.test(o.as))) throw new ChainError(`${where}: "as" must be a name`);
  if (o.as !== undefined && o.create === undefined) throw new ChainError(`${where}: "as" names a created contract: it needs "create"`);
  return {
    from: from.name, to, data, gas: u32Of(o.gas, `${where}: "gas"`, 1_000_000),
    nonce: o.nonce === undefined ? undefined : u32Of(o.nonce, `${where}: "nonce"`), substates: [...subs].sort((a, b) => a - b), as: o.as as string | undefined,
  };
}

/**
 * The collations of a transaction list: given ("collations": [{proposer, txs, substates}]) or
 * grouped ("txs": [...]): a transaction touches its sender's substate, its callee's and those it
 * declares; transactions whose substates meet share a collation (in input order), so the
 * collations of a block touch disjoint substates.
 */
function collationSpecs(d: Record<string, unknown>, meta: ChainMeta, name: string, base: string): CollationSpec[] {
  const vname = (v: unknown, where: string): number => {
    if (typeof v === 'number') { if (Number.isInteger(v) && v >= 0 && v < meta.validators.length) return v; }
    else { const i = meta.validators.findIndex((x) => x.name === v); if (i >= 0) return i; }
    throw new ChainError(`${where}: ${JSON.stringify(v)} is no validator of this chain`);
  };
  if (d.collations !== undefined) {
    if (d.txs !== undefined) throw new ChainError(`${name}: give "txs" or "collations", not both`);
    return arr(d.collations, `${name}: "collations"`).map((c, j) => {
      const o = obj(c, `${name}: collation ${j}`);
      const txs = arr(o.txs, `${name}: collation ${j}: "txs"`).map((t, k) => txSpec(t, meta, `${name}: collation ${j} tx ${k}`, base));
      const subs = new Set<number>();
      for (const t of txs) for (const s of t.substates) subs.add(s);
      for (const [i, s] of arr(o.substates, `${name}: collation ${j}: "substates"`).entries()) subs.add(u32Of(s, `${name}: collation ${j}: "substates"[${i}]`));
      if (subs.size === 0) throw new ChainError(`${name}: collation ${j} touches no substate (name its "substates")`);
      return { proposer: o.proposer === undefined ? undefined : vname(o.proposer, `${name}: collation ${j}: "proposer"`), txs, substates: [...subs].sort((a, b) => a - b) };
    });
  }
  const txs = arr(d.txs, `${name}: "txs"`).map((t, k) => txSpec(t, meta, `${name}: tx ${k}`, base));
  const groups: CollationSpec[] = [];
  for (const t of txs) {
    const meets = groups.filter((g) => g.substates.some((s) => t.substates.includes(s)));
    const into: CollationSpec = meets[0] ?? { txs: [], substates: [] };
    if (meets.length === 0) groups.push(into);
    for (const g of meets.slice(1)) { into.txs.push(...g.txs); into.substates.push(...g.substates); groups.splice(groups.indexOf(g), 1); }
    into.txs.push(t);
    into.substates = [...new Set([...into.substates, ...t.substates])].sort((a, b) => a - b);
  }
  return groups;
}

/** INTERPRET_COLLATION's input (docs/consensus.md): mode, height, j, prevhash, stateroot, msgcode, len, collation. */
export function collationInput(mode: number, height: number, j: number, prevhash: Uint8Array, stateroot: Uint8Array, msgcode: Uint8Array, collation: Uint8Array): Uint8Array {
  return concat(le32(mode), le32(height), le32(j), prevhash, stateroot, msgcode, le32(collation.length), collation);
}

/**
 * `evminf block build`: the next block after the head `meta.head` from a transaction list.
 * The post roots come from INTERPRET_COLLATION in build mode run on `model` over `store`
 * (whose staged writes are thrown away); nothing is committed.
 */
export function buildBlock(store: NodeStore, meta: ChainMeta, text: string, name: string, base: string, model: ModelKind = 'iss'): BuiltBlock {
  const d = obj(parseJson(text, name), name);
  for (const k of Object.keys(d)) if (!['txs', 'collations'].includes(k)) throw new ChainError(`${name}: unknown field ${JSON.stringify(k)}`);
  const specs = collationSpecs(d, meta, name, base);
  specs.forEach((c, j) => { if (c.substates.length > MAX_SUBSTATES) throw new ChainError(`${name}: collation ${j} touches ${c.substates.length} substates (at most ${MAX_SUBSTATES})`); });
  const prevhash = fromHex(meta.head)!;
  const prevEnc = store.get(prevhash);
  if (prevEnc === undefined) throw new ChainError(`the chain's head ${meta.head} is not in the store`);
  const prev = decodeHeader(prevEnc);
  const before = new ChainState(store, prev.endstate);
  const rec = before.record();
  const height = rec.height + 1;
  // Work over an overlay: the builder's runs write nothing into the chain's store.
  const overlay = new Overlay(store);
  const after = new ChainState(overlay, prev.endstate);
  const keys = new Map<string, Uint8Array>(meta.accounts.map((a) => [a.name, fromHex(a.key)!]));
  const vkeys = meta.validators.map((v) => fromHex(v.key)!);
  const nonces = new Map<string, number>();
  const created: Record<string, string> = {};
  const collations: Collation[] = [], gas: number[] = [];
  const collationCode = overlay.get(rec.collationCode);
  if (collationCode === undefined) throw new ChainError(`INTERPRET_COLLATION's image ${toHex(rec.collationCode)} is not in the store`);
  specs.forEach((spec, j) => {
    const txs: Tx[] = spec.txs.map((t) => {
      const acct = meta.accounts.find((a) => a.name === t.from)!;
      const addr = fromHex(acct.address)!;
      let n = nonces.get(t.from);
      if (n === undefined) n = before.substate(acct.substate).account(addr.subarray(4)).nonce;
      const nonce = t.nonce ?? n;
      nonces.set(t.from, nonce + 1);
      if (t.as !== undefined) created[t.as] = toHex(contractAddress(addr, nonce));
      const body: TxBody = { nonce, substate: acct.substate, to: t.to, gas: t.gas, data: t.data };
      return signTx(body, keys.get(t.from)!);
    });
    const proposer = spec.proposer ?? j % meta.validators.length;
    const substates = spec.substates.map((i) => ({ i, prev: after.substateRoot(i), post: after.substateRoot(i) }));
    const draft: Collation = { substates, txs, proposer, proposerSig: new Uint8Array(0), sigs: [] };
    const input = collationInput(1, height, j, prevhash, prev.endstate, rec.msgCode, encodeCollation(draft));
    const run = runFirmware(collationCode, input, COLLATION_RAM, overlay, { model });
    const out = run.result.reason === 'return' ? run.result.output : null;
    if (out === null || out.length < 20) throw new ChainError(`collation ${j}: INTERPRET_COLLATION gave no output (${run.result.message ?? run.result.reason})`);
    if (word(out, 0) !== 1) {
      const t = word(out, 2);
      throw new ChainError(`collation ${j}: ${reasonName(word(out, 1))}${t === 0xffff_ffff ? '' : ` at transaction ${t}`}`);
    }
    if (out.length !== 20 + 32 * substates.length) throw new ChainError(`collation ${j}: INTERPRET_COLLATION's build output is ${out.length} bytes, not ${20 + 32 * substates.length}`);
    run.drive.commit(); // the post states' nodes, into the overlay
    substates.forEach((s, k) => { s.post = out.slice(20 + 32 * k, 52 + 32 * k); after.setSubstateRoot(s.i, s.post); });
    collations.push(signCollation(draft, j, prevhash, vkeys, rec.signers));
    gas.push(word(out, 4));
  });
  after.setRecord({ ...rec, height });
  const { header, wire } = assembleBlock(overlay, prevhash, collations, after.root, vkeys);
  return { header, hash: blockHash(header), wire, collations, gas, created };
}

/** A collation signed by its proposer and the drawn signers of object `j` (keys by validator). */
export function signCollation(draft: Collation, j: number, prevhash: Uint8Array, vkeys: readonly Uint8Array[], signers: number): Collation {
  const ch = colHash(draft);
  const drawn = drawSigners(prevhash, j, draft.proposer, vkeys.length, signers);
  return { ...draft, proposerSig: sign(ch, vkeys[draft.proposer]!), sigs: drawn.map((v) => sign(ch, vkeys[v]!)) };
}

/**
 * A block from signed collations and its end state: objroot and valroot (every validator's
 * signature over sighash) made in `store`, and the wire file carrying both tries.
 */
export function assembleBlock(store: NodeStore, prevhash: Uint8Array, collations: readonly Collation[], endstate: Uint8Array, vkeys: readonly Uint8Array[]): { header: Header; wire: Uint8Array } {
  const objs = new Trie(store);
  collations.forEach((c, j) => objs.set(be32(j), encodeObject(c)));
  const sh = sighash({ prevhash, objroot: objs.root, endstate });
  const vals = new Trie(store);
  vkeys.forEach((k, v) => vals.set(be32(v), sign(sh, k)));
  const header: Header = { prevhash, valroot: vals.root, objroot: objs.root, endstate };
  const wire = encodeWire({ header, items: [{ kind: WIRE_TRIE, values: trieNodes(store, vals.root) }, { kind: WIRE_TRIE, values: trieNodes(store, objs.root) }] });
  return { header, wire };
}

/** A store in front of another: writes stay here, reads fall through. */
export class Overlay implements NodeStore {
  readonly map = new Map<string, Uint8Array>();
  constructor(readonly under: NodeStore) {}
  get(hash: Uint8Array): Uint8Array | undefined {
    return this.map.get(Buffer.from(hash).toString('latin1')) ?? this.under.get(hash);
  }
  put(hash: Uint8Array, value: Uint8Array): void {
    this.map.set(Buffer.from(hash).toString('latin1'), value);
  }
}


/** A validated block taken into a chain held in memory: its writes are in `store`, `meta` advanced. */
export interface Accepted {
  validation: Validation;
  hash: Uint8Array;
  header: Header;
}

/**
 * Load a wire file over `store`, validate it, and when valid take what it loaded and what its
 * validation wrote into `store` and make it the head of `meta` (when it extends the head).
 * An invalid block leaves both as they were.
 */
export function acceptBlock(store: NodeStore, meta: ChainMeta, wire: Uint8Array, o: RunOptions, name?: string): Accepted {
  const overlay = new Overlay(store);
  const { header, hash } = loadWire(overlay, wire, name);
  const validation = validateBlock(overlay, hash, o);
  if (validation.verdict?.valid === true) {
    validation.drive.commit();
    for (const [k, v] of overlay.map) store.put(Buffer.from(k, 'latin1'), v);
    if (toHex(header.prevhash) === meta.head) { meta.head = toHex(hash); meta.height++; }
  }
  return { validation, hash, header };
}
