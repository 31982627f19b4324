// `evminf block build <txs.json> --db DIR [-o FILE]` and `evminf block validate <block.rlp>…
// [--db DIR | --genesis G]`: the next block of a chain from a transaction list, and the
// validation of blocks by running INTERPRET_BLOCK on the model (firmware/chain/chain.ts,
// docs/chain.md). Validation exits 0 valid, 1 invalid, 137 DATA UNAVAILABLE, 126 bad input.

import { dirname } from 'node:path';
import { EXIT, exitCodeOf } from '../../cpu/exit-codes.js';
import type { ModelKind } from '../../cpu/machine.js';
import { buildBlock, initChainFile, Overlay, validateBlock, type ChainMeta, type Validation } from '../../firmware/chain/chain.js';
import { equalBytes, toHex } from '../../firmware/chain/format.js';
import { decodeWire, loadWire } from '../../firmware/chain/wire.js';
import { MemoryStore, type NodeStore } from '../../peripherals/store.js';
import { checkVcdOptions, type VcdOptions } from '../../waveforms/vcd.js';
import { command } from '../exit.js';
import { openVcd, runError } from '../run-waves.js';
import { checkInput, OutputFile, out, readInput } from '../io.js';
import { checkPerInstruction, jsonOption, modelOption } from '../options.js';
import { LevelStore } from '../store-level.js';
import { openTraces } from '../trace-run.js';
import { UserError } from '../user-error.js';
import { chainError, chainMeta, setChainMeta } from './chain.js';

/** Exit code of an invalid block. */
export const EXIT_INVALID = 1;

interface BuildArgs {
  txs: string;
  db: string;
  output?: string;
  model: ModelKind;
  json: boolean;
}

async function cmdBuild(a: BuildArgs): Promise<number> {
  checkInput(a.txs);
  const text = readInput(a.txs).toString('utf8');
  const store = await LevelStore.open(a.db, false);
  try {
    const meta = chainMeta(store);
    let b;
    try { b = buildBlock(store, meta, text, a.txs, dirname(a.txs), a.model); } catch (e) { throw chainError(e); }
    const path = a.output ?? `block-${meta.height + 1}.rlp`;
    const f = new OutputFile(path);
    try { f.write(b.wire); f.close(); } catch (e) { f.abort(); throw e; }
    if (Object.keys(b.created).length > 0) {
      // The names of the contracts the block creates, for the next transaction lists.
      setChainMeta(store, { ...meta, contracts: { ...meta.contracts, ...b.created } });
      await store.commit(`block build ${a.txs}`);
    }
    const gas = b.gas.reduce((x, y) => x + y, 0);
    out(1, a.json
      ? JSON.stringify({ file: path, hash: toHex(b.hash), prevhash: meta.head, endstate: toHex(b.header.endstate), collations: b.collations.length, txs: b.collations.reduce((n, c) => n + c.txs.length, 0), gas, created: b.created }) + '\n'
      : `${path}: block ${toHex(b.hash)} (height ${meta.height + 1}), ${b.collations.length} collation${b.collations.length === 1 ? '' : 's'}, ${plural(b.collations.reduce((n, c) => n + c.txs.length, 0), 'transaction')}, gas ${gas}, endstate ${toHex(b.header.endstate)}\n`);
  } finally {
    await store.close();
  }
  return 0;
}

interface ValidateArgs {
  blocks: string[];
  db?: string;
  genesis?: string;
  model: ModelKind;
  vcd?: string;
  'vcd-scope'?: string[];
  'vcd-from'?: number;
  'vcd-to'?: number;
  'log-commits'?: string;
  json: boolean;
}

function cmdValidateWith(a: ValidateArgs, base: NodeStore, meta: ChainMeta | null, commit: (overlay: Overlay, meta: ChainMeta | null) => Promise<void>): Promise<number> {
  return (async () => {
    // Every file is read and decoded first: a malformed one is reported before anything runs.
    const files = a.blocks.map((p) => {
      checkInput(p);
      const bytes = readInput(p);
      try { decodeWire(bytes, p); } catch (e) { throw chainError(e); }
      return { path: p, bytes };
    });
    const progress = !a.json && process.stderr.isTTY;
    for (let k = 0; k < files.length; k++) {
      const { path, bytes } = files[k]!;
      const last = k === files.length - 1;
      const overlay = new Overlay(base);
      const { header, hash } = loadWire(overlay, bytes, path);
      // --vcd FILE (FST for a .fst name) as `evminf run` writes it, on the last block's model.
      let vcd: { close(): void; abort(): void }[] = [];
      let traces: ReturnType<typeof openTraces> = null;
      const t0 = process.hrtime.bigint();
      let v: Validation;
      try {
        v = validateBlock(overlay, hash, {
          model: a.model,
          attach: (m) => {
            if (last) vcd = openVcd(m, a);
            traces = last ? openTraces(m, { 'log-commits': a['log-commits'] }) : null;
            return traces?.tap ?? m;
          },
          onProgress: progress ? (n) => out(2, `\r\x1b[K${path}: ${(n / 1e6).toFixed(0)}M instructions`) : undefined,
        });
        if (progress) out(2, '\r\x1b[K');
        for (const w of vcd) w.close();
        (traces as ReturnType<typeof openTraces>)?.finish(v.result);
      } catch (e) {
        if (progress) out(2, '\r\x1b[K');
        for (const w of vcd) w.abort();
        try { (traces as ReturnType<typeof openTraces>)?.finish(null); } catch { /* the first error is reported */ }
        throw runError(e, a);
      }
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const r = v.result, vd = v.verdict;
      const code = vd !== null ? (vd.valid ? 0 : EXIT_INVALID) : exitCodeOf(r) === 0 ? EXIT.INTERNAL : exitCodeOf(r);
      if (a.json) {
        out(1, JSON.stringify({
          file: path, hash: toHex(hash), prevhash: toHex(header.prevhash), valid: vd?.valid ?? null, reason: vd?.reasonName ?? null, reasonCode: vd?.reason ?? null,
          object: vd === null || vd.object < 0 ? null : vd.object, tx: vd === null || vd.tx < 0 ? null : vd.tx, ntx: vd?.ntx ?? null, txgas: vd?.txgas ?? null,
          model: a.model, cycles: r.cycles, instructions: r.instructions, gas: r.gas, evals: r.evals, interrupts: r.interrupts, seconds,
          stop: r.reason, message: vd === null ? r.message : null, exitCode: code,
        }) + '\n');
      } else if (vd !== null) {
        const where = vd.valid ? '' : `${vd.object >= 0 ? ` in object ${vd.object}` : ''}${vd.tx >= 0 ? ` transaction ${vd.tx}` : ''}`;
        const cyc = r.cycles === null ? '' : `${r.cycles} cycles, `;
        out(1, `${path}: ${vd.valid ? 'valid' : `invalid: ${vd.reasonName}${where}`} (${a.model}: ${cyc}${r.instructions} instructions, gas ${r.gas}; ${plural(vd.ntx, 'transaction')}, tx gas ${vd.txgas})\n`);
      } else {
        out(2, `evminf: ${path}: no verdict: ${r.message}\n`);
      }
      if (code !== 0) return code;
      v.drive.commit(); // the block's writes (new state, created code) into the overlay
      let next = meta;
      if (meta !== null && equalBytes(header.prevhash, Buffer.from(meta.head.slice(2), 'hex'))) next = { ...meta, head: toHex(hash), height: meta.height + 1 };
      await commit(overlay, next);
      meta = next;
    }
    return 0;
  })();
}

/** `1 transaction`, `3 transactions`. */
const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

const vcdOptions = (a: ValidateArgs): VcdOptions => ({ scopes: a['vcd-scope'], from: a['vcd-from'], to: a['vcd-to'] });

async function cmdValidate(a: ValidateArgs): Promise<number> {
  if (a.vcd === undefined) {
    for (const k of ['vcd-scope', 'vcd-from', 'vcd-to'] as const) if (a[k] !== undefined) throw new UserError(`--${k} needs --vcd FILE`, EXIT.USAGE);
  } else {
    if (a.model !== 'cycle') throw new UserError('--vcd needs the cycle model (--model cycle)', EXIT.USAGE);
    if (a.vcd === '') throw new UserError('--vcd needs a FILE', EXIT.USAGE);
    checkVcdOptions(vcdOptions(a));
  }
  if (a['log-commits'] !== undefined) checkPerInstruction(a.model, '--log-commits needs');
  if ((a.db === undefined) === (a.genesis === undefined)) throw new UserError('name the chain: --db DIR or --genesis FILE', EXIT.USAGE);
  if (a.genesis !== undefined) {
    checkInput(a.genesis);
    const store = new MemoryStore();
    let meta: ChainMeta;
    try { meta = initChainFile(store, a.genesis).meta; } catch (e) { throw chainError(e); }
    return cmdValidateWith(a, store, meta, async (overlay) => { for (const [k, v] of overlay.map) store.map.set(k, v); });
  }
  for (const p of a.blocks) checkInput(p);
  const store = await LevelStore.open(a.db!, false);
  try {
    const meta = chainMeta(store);
    return await cmdValidateWith(a, store, meta, async (overlay, next) => {
      for (const [k, v] of overlay.map) store.put(Buffer.from(k, 'latin1'), v);
      if (next !== null) setChainMeta(store, next);
      await store.commit(`block validate ${next?.head ?? ''}`);
    });
  } finally {
    await store.close();
  }
}

const buildCommand = command<BuildArgs>({
  command: 'build <txs>',
  describe: 'build the next block of a chain from a list of transactions (docs/chain.md)',
  builder: (y) => {
    y = modelOption(y, 'iss', 'the model INTERPRET_COLLATION runs on to compute the post roots (cycle, iss or fast: the roots are the same)');
    y = jsonOption(y, 'print the block\'s hash, endstate and figures as one JSON object');
    return y
      .positional('txs', { type: 'string', describe: 'the transactions (JSON)' })
      .option('db', { type: 'string', requiresArg: true, demandOption: true, describe: 'the chain (a LevelDB directory made by evminf chain init)' })
      .option('output', { alias: 'o', type: 'string', requiresArg: true, describe: 'the block file to write (default block-HEIGHT.rlp)' });
  },
  run: cmdBuild,
});

const validateCommand = command<ValidateArgs>({
  command: 'validate <blocks..>',
  describe: 'validate blocks in order by running INTERPRET_BLOCK: exit 0 valid, 1 invalid, 137 data unavailable',
  builder: (y) => {
    y = modelOption(y, 'cycle', 'cycle: cycle-accurate pipeline; iss: functional instruction-set simulator; fast: the ISS with the pipeline\'s exact cycle count (docs/timing.md)');
    y = jsonOption(y, 'print one JSON object per block');
    return y
      .positional('blocks', { type: 'string', array: true, describe: 'block files (the wire format, docs/consensus.md)' })
      .option('db', { type: 'string', requiresArg: true, describe: 'the chain (LevelDB): a valid block is committed and becomes the head' })
      .option('genesis', { type: 'string', requiresArg: true, describe: 'a chain from this genesis description, in memory (nothing kept)' })
      .option('vcd', { type: 'string', requiresArg: true, describe: 'cycle model: the last block\'s validation as a VCD waveform, or FST for a .fst name (docs/waveforms.md)' })
      .option('vcd-scope', { type: 'string', array: true, requiresArg: true, describe: 'with --vcd: only the signals under this dotted scope, e.g. evm.cmu (repeatable)' })
      .option('vcd-from', { type: 'string', requiresArg: true, describe: 'with --vcd: first cycle to dump' })
      .option('vcd-to', { type: 'string', requiresArg: true, describe: 'with --vcd: last cycle to dump' })
      .option('log-commits', { type: 'string', requiresArg: true, describe: 'the last block\'s retired instructions as a Spike commit log (docs/waveforms.md)' });
  },
  run: cmdValidate,
});

export const blockCommand = command<Record<string, never>>({
  command: 'block',
  describe: 'block build <txs.json> | block validate <block.rlp>…',
  builder: (y) => y.command(buildCommand).command(validateCommand).demandCommand(1, 'name what to do: block build or block validate'),
  run: () => 0,
});
