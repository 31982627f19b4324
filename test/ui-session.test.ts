// The worker's session (ui/session.ts) under Node, and the debugger's chunked runs it relies on:
// a run in chunks reaches exactly the state a run one step at a time reaches (across frame
// switches, with random bus stalls); a waveform window is the VCD of the same run; back an
// instruction undoes a step instruction; the block example validates as the CLI validates it.

import { spawn, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Debugger } from '../debug/debugger.js';
import { createModel } from '../cpu/machine.js';
import { loadElf } from '../cpu/program.js';
import { assembleToElf } from '../isa/asm.js';
import { standardDevices } from '../peripherals/standard.js';
import { VcdWriter } from '../waveforms/vcd-writer.js';
import { Session, readStoreImage, storeImage } from '../ui/session.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KV = readFileSync(join(ROOT, 'examples/kvstore.S'), 'utf8');

function debuggerOn(source: string, opts: { stalls?: number } = {}): Debugger {
  const prog = loadElf(assembleToElf(source, { file: 'x.S' }));
  const core = createModel('cycle', prog, { devices: standardDevices(), randomStalls: opts.stalls ?? 0, seed: 7 });
  return new Debugger(core, { symbols: prog.symbols, snapshotEvery: 64 });
}

/** Everything a view reads: cycles, steps, retired, registers, every signal. */
const fingerprint = (d: Debugger): string => JSON.stringify([d.cycle, d.steps, d.core.retired, d.calls.depth, Array.from(d.core.v), d.stages()]);

describe('the debugger runs in chunks exactly as one step at a time', () => {
  for (const stalls of [0, 3]) {
    it(`kvstore (an EVAL child, interrupts, frame switches)${stalls === 0 ? '' : ' with random bus stalls'}`, () => {
      const slow = debuggerOn(KV, { stalls }), fast = debuggerOn(KV, { stalls });
      // A watchpoint that never fires keeps `slow` on the step-at-a-time path.
      slow.addWatchpoint('evm.core.rf.x0');
      for (const until of [1, 17, 60, 61, 200, 333, 1000, 1500]) {
        slow.run(until);
        fast.run(until);
        expect(fingerprint(fast), `run to ${until}`).toBe(fingerprint(slow));
      }
      for (const n of [1, 5, 64, 100, 777]) {
        slow.step(n);
        fast.step(n);
        expect(fingerprint(fast), `step ${n}`).toBe(fingerprint(slow));
      }
      expect(slow.continue().reason).toBe('end');
      expect(fast.continue().reason).toBe('end');
      expect(fingerprint(fast)).toBe(fingerprint(slow));
      // And back: the snapshots the chunks took are the ones single steps take.
      for (const s of [1500, 700, 64, 3]) {
        slow.goTo(s);
        fast.goTo(s);
        expect(fingerprint(fast), `back to step ${s}`).toBe(fingerprint(slow));
      }
    });
  }
});

describe('the session', () => {
  it('a waveform window holds the values the VCD of the same run holds', () => {
    const s = new Session({ kind: 'source', name: 'kv.S', text: KV });
    const names = ['evm.core.wb.pc', 'evm.cmu.busy', 'evm.cmu.depth', 'evm.core.rf.x10', 'evm.gas.used'];
    s.pick(names);
    s.dbg.run(900);
    const w = s.wave(700, 900);
    expect(w.from).toBe(700);
    expect(w.to).toBe(900);
    // The reference: one run with a VCD writer on the cycle model.
    const prog = loadElf(assembleToElf(KV, { file: 'kv.S' }));
    const d = new Debugger(createModel('cycle', prog, { devices: standardDevices() }), { symbols: prog.symbols });
    const seen = new Map<number, number[]>();
    const slots = names.map((n) => d.core.sig.slot(n)!);
    let last: number[] = slots.map((x) => d.core.v[x]! >>> 0);
    d.core.tracer = { cycle: (c, v) => { last = slots.map((x, k) => (v[x]! & (names[k] === 'evm.cmu.busy' ? 1 : names[k] === 'evm.cmu.depth' ? 0x7ff : -1)) >>> 0); seen.set(c, last); } };
    d.run(900);
    let prev = last;
    for (let c = 0; c <= 900; c++) {
      prev = seen.get(c) ?? prev;
      if (c >= 700) expect(w.values.map((v) => v[c - 700]), `cycle ${c}`).toEqual(prev);
    }
    // The session is where it was.
    expect(s.core.cycles).toBe(d.core.cycles);
    expect(fingerprint(s.dbg)).toBe(fingerprint(d));
    // Its VCD export is the writer's text for the same window.
    const text: string[] = [];
    const ref = new Session({ kind: 'source', name: 'kv.S', text: KV });
    const wr = new VcdWriter(ref.core.sig, (b) => { text.push(new TextDecoder('latin1').decode(b)); }, { scopes: names, from: 700, to: 900 });
    wr.cycle(0, ref.core.v);
    ref.core.tracer = wr;
    ref.dbg.run(900);
    wr.close();
    expect(s.vcd(700, 900).text).toBe(text.join(''));
  });

  it('back an instruction undoes a step instruction; back a cycle undoes a step', () => {
    const s = new Session({ kind: 'source', name: 'kv.S', text: KV });
    s.dbg.run(300);
    for (let k = 0; k < 40; k++) {
      s.dbg.stepInstruction();
      const here = fingerprint(s.dbg), r = s.core.retired;
      s.backInstruction();
      expect(s.core.retired).toBeLessThan(r);
      s.dbg.stepInstruction();
      expect(fingerprint(s.dbg)).toBe(here);
      s.dbg.step();
      s.back(1);
      expect(fingerprint(s.dbg)).toBe(here);
    }
  });

  it('the store image round-trips', () => {
    const a = new Uint8Array(32).fill(7), b = new Uint8Array(32).fill(9);
    const st = readStoreImage(storeImage([[a, new Uint8Array([1, 2, 3])], [b, new Uint8Array(0)]]));
    expect(st.get(a)).toEqual(new Uint8Array([1, 2, 3]));
    expect(st.get(b)).toEqual(new Uint8Array(0));
    expect(() => readStoreImage(new Uint8Array(35))).toThrow(/truncated/);
  });

  it('the block example (dist/ui/examples) validates block 1 as evminf block validate does', () => {
    const dir = join(ROOT, 'dist/ui');
    const list = JSON.parse(readFileSync(join(dir, 'examples/index.json'), 'utf8')) as { kind: string; rom: string; symbols: string; store: string; hash: string; name: string }[];
    const x = list.find((e) => e.kind === 'block')!;
    const h = x.hash.slice(2);
    const s = new Session({
      kind: 'block', name: x.name, rom: new Uint8Array(readFileSync(join(dir, x.rom))), symbols: JSON.parse(readFileSync(join(dir, x.symbols), 'utf8')),
      store: new Uint8Array(readFileSync(join(dir, x.store))), hash: Uint8Array.from({ length: 32 }, (_, i) => parseInt(h.slice(2 * i, 2 * i + 2), 16)),
    });
    expect(s.dbg.continue().reason).toBe('end');
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/bin/evminf.cjs'), 'block', 'validate', 'examples/chain/block-1.rlp', '--genesis', 'examples/chain/genesis.json', '--json'], { cwd: ROOT, encoding: 'utf8' });
    const cli = JSON.parse(r.stdout) as { valid: boolean; cycles: number; instructions: number; hash: string };
    expect(cli.valid).toBe(true);
    expect(cli.hash).toBe(x.hash);
    expect(s.core.cycles).toBe(cli.cycles);
    expect(s.core.retired).toBe(cli.instructions);
    const end = s.dbg.ended!;
    expect(end.kind).toBe('return');
    const out = (end as { output: Uint8Array }).output;
    expect(new DataView(out.buffer, out.byteOffset).getUint32(0, true)).toBe(1); // valid
  });
});

describe('evminf ui serves the page and nothing else', () => {
  /** A raw GET (the path as given, not normalised by a URL parser). */
  const get = (port: number, path: string): Promise<{ status: number; type: string; body: string }> => new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });

  it('the page, the bundles, the examples and the program; no path outside dist/ui; Ctrl-C stops it', async () => {
    const prog = join(ROOT, 'examples/kvstore.S');
    const p = spawn(process.execPath, [join(ROOT, 'dist/bin/evminf.cjs'), 'ui', prog], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      p.stdout!.on('data', (d: Buffer) => { out += d.toString(); const m = /^evminf ui: (http:\/\/127\.0\.0\.1:\d+\/\?load=program\/kvstore\.S)\n$/.exec(out); if (m) resolve(m[1]!); });
      p.on('exit', (c) => reject(new Error(`exited ${c}: ${out}`)));
    });
    const port = Number(new URL(url).port);
    try {
      expect((await get(port, '/')).body).toMatch(/<script src="app.js">/);
      expect((await get(port, '/worker.js')).type).toMatch(/javascript/);
      expect((await get(port, '/examples/index.json')).type).toBe('application/json');
      expect((await get(port, '/program/kvstore.S')).body).toBe(readFileSync(prog, 'latin1'));
      for (const bad of ['/../package.json', '/%2e%2e/package.json', '/..%2f..%2fpackage.json', '/%2e%2e%2f%2e%2e%2fLICENSE', '/examples', '/nope', '/program/other.S'])
        expect((await get(port, bad)).status, bad).toBe(404);
    } finally {
      p.kill('SIGINT');
    }
    const code = await new Promise<number | null>((resolve) => p.on('exit', resolve));
    expect(code).toBe(0);
    expect(err).toBe('evminf ui: stopped\n');
  });
});
