// The page in a real browser (Debian's Chromium driven by playwright-core): `evminf ui` serves
// it, the test loads programs, steps cycles and instructions forward and back, and checks what
// the page shows against the CLI — the pipeline against `evminf run --trace-pipeline`, the
// totals against `--json`, the waveform's values at the cursor and the exported VCD against
// `evminf run --vcd` — and the registers and frames against the debugger API at the same cycle.
// A 10-million-cycle run is paused from the page and must stop within a second. Screenshots go
// to test-artifacts/ui/.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Debugger } from '../debug/debugger.js';
import { createModel } from '../cpu/machine.js';
import { loadElf } from '../cpu/program.js';
import { assembleToElf } from '../isa/asm.js';
import { standardDevices } from '../peripherals/standard.js';
import { describeWithTools } from './tools.js';
import { LOOP } from './programs.js';
import { BENCH_LOOP as LONG } from '../ui/bench.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/bin/evminf.cjs');
const ART = join(ROOT, 'test-artifacts/ui');

const tmp = mkdtempSync(join(tmpdir(), 'evminf-ui-'));
const servers: ChildProcess[] = [];
let browser: Browser | undefined;

beforeAll(() => { mkdirSync(ART, { recursive: true }); });
afterAll(async () => {
  await browser?.close();
  for (const s of servers) s.kill('SIGINT');
  rmSync(tmp, { recursive: true, force: true });
});

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: tmp });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `evminf ui prog` on a free port; resolves to the URL it prints. */
function serve(prog: string | null): Promise<string> {
  const p = spawn(process.execPath, [CLI, 'ui', ...(prog === null ? [] : [prog])], { stdio: ['ignore', 'pipe', 'pipe'] });
  servers.push(p);
  return new Promise((resolve, reject) => {
    let out = '';
    p.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /evminf ui: (http:\/\/127\.0\.0\.1:\d+\/\S*)\n/.exec(out);
      if (m) resolve(m[1]!);
    });
    p.on('exit', (code) => reject(new Error(`evminf ui exited ${code}: ${out}`)));
  });
}

async function open(url: string): Promise<Page> {
  browser ??= await chromium.launch({ executablePath: spawnSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).stdout.trim(), args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1500, height: 1400 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  (page as Page & { errors: string[] }).errors = errors;
  await page.goto(url);
  return page;
}

/** Wait until the worker has answered the last command. */
async function idle(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.running === 'false');
}

async function press(page: Page, key: string): Promise<void> {
  await page.keyboard.press(key);
  await idle(page);
}

/** Run to cycle c with the "to cycle" field and its button. */
async function runTo(page: Page, c: number): Promise<void> {
  await page.fill('#runto', String(c));
  await page.click('#b-runto');
  await idle(page);
}

const cycleOf = async (page: Page): Promise<number> => Number(await page.textContent('#cycle'));

/** What the page shows of the five stages. */
function stages(page: Page): Promise<{ stage: string; state: string; pc: string }[]> {
  return page.evaluate(() => ['IF', 'ID', 'EX', 'MEM', 'WB'].map((s) => {
    const g = document.getElementById(`stage-${s}`)!;
    return { stage: s, state: g.dataset.state!, pc: g.dataset.pc! };
  }));
}

function regs(page: Page): Promise<number[]> {
  return page.evaluate(() => Array.from({ length: 32 }, (_, i) => Number(document.getElementById(`reg-x${i}`)!.dataset.value)));
}

/** The line trace's columns by cycle (docs/stepper.md). */
function lineTrace(text: string): Map<number, string[]> {
  const m = new Map<number, string[]>();
  for (const line of text.split('\n')) {
    const r = /^\s*(\d+): (.{8})\|(.{8})\|(.{8})\|(.{8})\|(.{8})/.exec(line);
    if (r) m.set(Number(r[1]), r.slice(2, 7));
  }
  return m;
}

function checkStages(shown: { stage: string; state: string; pc: string }[], cols: string[], at: string): void {
  shown.forEach((s, i) => {
    const col = cols[i]!;
    if (col === '########') expect(s.state, `${at} ${s.stage}`).toBe('stall');
    else if (col === '~~~~~~~~') expect(['squash', 'bubble'], `${at} ${s.stage}: ${s.state}`).toContain(s.state);
    else expect({ state: s.state, pc: s.pc }, `${at} ${s.stage}`).toEqual({ state: 'run', pc: col });
  });
}

/** The debugger API on the same program, for registers and frames at a cycle. */
function reference(source: string): Debugger {
  const prog = loadElf(assembleToElf(source, { file: 'x.S' }));
  return new Debugger(createModel('cycle', prog, { devices: standardDevices() }), { symbols: prog.symbols });
}

/** name -> value at every time it changed, from a VCD (the names dotted from the scopes). */
function readVcd(text: string): Map<string, [number, number][]> {
  const scopes: string[] = [], byId = new Map<string, string[]>(), out = new Map<string, [number, number][]>();
  let t = 0;
  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^\$scope module (\S+) \$end/.exec(line))) scopes.push(m[1]!);
    else if (line.startsWith('$upscope')) scopes.pop();
    else if ((m = /^\$var wire \d+ (\S+) (\S+)/.exec(line))) {
      const name = [...scopes, m[2]!].join('.');
      byId.set(m[1]!, [...(byId.get(m[1]!) ?? []), name]);
      out.set(name, []);
    } else if ((m = /^#(\d+)/.exec(line))) t = Number(m[1]);
    else if ((m = /^b([01]+) (\S+)/.exec(line)) || (m = /^([01])(\S+)$/.exec(line))) {
      for (const n of byId.get(m[2]!) ?? []) out.get(n)!.push([t, parseInt(m[1]!, 2)]);
    }
  }
  return out;
}

function vcdAt(changes: [number, number][], cycle: number): number {
  let v = NaN;
  for (const [t, x] of changes) if (t <= 10 * cycle) v = x;
  return v;
}

describeWithTools(['chromium'], 'the machine in a browser (evminf ui)', () => {
  const loop = join(tmp, 'loop.S'), kv = join(ROOT, 'examples/kvstore.S'), long = join(tmp, 'long.S');
  writeFileSync(loop, LOOP);
  writeFileSync(long, LONG);

  it('steps cycles and instructions, forward and back: the pipeline is the line trace, the registers the API\'s, the totals --json\'s', async () => {
    const trace = join(tmp, 'loop.trace');
    expect(cli(['run', loop, `--trace-pipeline=${trace}`]).status).toBe(22);
    const lines = lineTrace(readFileSync(trace, 'utf8'));
    const json = JSON.parse(cli(['run', loop, '--json']).stdout) as { cycles: number; instructions: number; gas: number };
    const ref = reference(LOOP);
    const page = await open(await serve(loop));
    await page.waitForSelector('#dis div');
    await idle(page);
    expect(await cycleOf(page)).toBe(0);
    for (let c = 1; c <= 24; c++) {
      await press(page, 's');
      expect(await cycleOf(page)).toBe(c);
      checkStages(await stages(page), lines.get(c)!, `cycle ${c}`);
      ref.goTo(c);
      expect(await regs(page), `registers after cycle ${c}`).toEqual(Array.from(ref.core.x, (x) => x >>> 0));
    }
    await page.screenshot({ path: join(ART, 'loop-cycle-24.png'), fullPage: true });
    // Back a cycle at a time: the same views as on the way forward.
    for (let c = 23; c >= 18; c--) {
      await press(page, 'b');
      expect(await cycleOf(page)).toBe(c);
      checkStages(await stages(page), lines.get(c)!, `back at cycle ${c}`);
      ref.goTo(c);
      expect(await regs(page)).toEqual(Array.from(ref.core.x, (x) => x >>> 0));
    }
    // Instructions: the cycle after each is the API's stepInstruction's.
    for (let k = 0; k < 4; k++) {
      const before = await cycleOf(page);
      ref.goTo(before);
      ref.stepInstruction();
      await press(page, 'i');
      expect(await cycleOf(page), `instruction after cycle ${before}`).toBe(ref.cycle);
      checkStages(await stages(page), lines.get(ref.cycle)!, `instruction to cycle ${ref.cycle}`);
      expect(await regs(page)).toEqual(Array.from(ref.core.x, (x) => x >>> 0));
      // Back an instruction, and forward again to the same place.
      await press(page, 'B');
      const back = await cycleOf(page);
      expect(back).toBeLessThan(ref.cycle);
      await press(page, 'i');
      expect(await cycleOf(page)).toBe(ref.cycle);
    }
    // A breakpoint set by a click stops a run where the API's does.
    await page.click(`#dis div[data-addr="00010008"]`);
    await page.waitForSelector(`#dis div.bp[data-addr="00010008"]`);
    await press(page, 'R');
    expect(await cycleOf(page)).toBe(0);
    await press(page, 'r');
    const api = reference(LOOP);
    api.addBreakpoint(0x10008);
    expect(api.continue().reason).toBe('breakpoint');
    expect(await cycleOf(page)).toBe(api.cycle);
    expect(await page.textContent('#messages')).toMatch(/breakpoint 1 at 0x00010008 <loop>/);
    await page.click(`#dis div[data-addr="00010008"]`);
    await page.waitForSelector(`#dis div[data-addr="00010008"]:not(.bp)`);
    // To the end: the totals --json gives.
    await press(page, 'r');
    expect(await cycleOf(page)).toBe(json.cycles);
    expect(Number(await page.textContent('#retired'))).toBe(json.instructions);
    expect(Number(await page.textContent('#gas-used'))).toBe(json.gas);
    expect(await page.textContent('#status')).toMatch(/exited with code 22/);
    expect(await page.textContent('#output')).toBe('hi\n');
    // Forward past the end is a one-line error; back still works.
    await press(page, 's');
    expect(await page.textContent('#error')).toMatch(/^the program has ended \(exited with code 22\); back steps back$/);
    expect(await cycleOf(page)).toBe(json.cycles);
    await press(page, 'b');
    expect(await page.textContent('#error')).toBe('');
    expect(await cycleOf(page)).toBe(json.cycles - 1);
    await page.screenshot({ path: join(ART, 'loop-end.png'), fullPage: true });
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
  });

  it('the frame stack inside an EVAL child and its interrupt handler is the API\'s; the pipeline is the line trace', async () => {
    const trace = join(tmp, 'kv.trace');
    cli(['run', kv, `--trace-pipeline=${trace}`]);
    const lines = lineTrace(readFileSync(trace, 'utf8'));
    const ref = reference(readFileSync(kv, 'utf8'));
    // Cycles at which the running frame is 1 and 2 deep.
    const deep: number[] = [];
    while (ref.ended === null && deep.length < 2) {
      ref.step();
      if (ref.calls.depth === deep.length + 1 && lines.has(ref.cycle)) deep.push(ref.cycle);
    }
    expect(deep.length).toBe(2);
    const page = await open(await serve(kv));
    await page.waitForSelector('#dis div');
    await idle(page);
    const check = async (c: number): Promise<number> => {
      expect(await cycleOf(page)).toBe(c);
      const api = reference(readFileSync(kv, 'utf8'));
      api.run(c);
      const rows = await page.evaluate(() => [...document.querySelectorAll('#frames tr[data-kind]')].map((r) => {
        const d = (r as HTMLElement).dataset;
        return { kind: d.kind, depth: Number(d.depth), pset: Number(d.pset), gasLeft: d.gasLeft, running: r.classList.contains('running') };
      }));
      const stack = api.calls['stack'] as unknown as { kind: string; depth: number; perm: number; gasUsed: number; gasLimit: number }[];
      const left = (used: number, limit: number): string => String(limit === Number.MAX_SAFE_INTEGER ? null : limit - used);
      const want = [
        ...stack.map((f) => ({ kind: f.kind, depth: f.depth, pset: f.perm, gasLeft: left(f.gasUsed, f.gasLimit), running: false })),
        { kind: (api.calls['frame'] as unknown as { kind: string }).kind, depth: api.calls.depth, pset: api.core.perm, gasLeft: left(api.core.retiredGas, api.core.gasLimit), running: true },
      ];
      expect(rows, `frames at cycle ${c}`).toEqual(want);
      if (lines.has(c)) checkStages(await stages(page), lines.get(c)!, `kvstore cycle ${c}`);
      expect(await regs(page)).toEqual(Array.from(api.core.x, (x) => x >>> 0));
      return rows.length;
    };
    for (const c of deep) {
      await runTo(page, c);
      const n = await check(c);
      await page.screenshot({ path: join(ART, `kvstore-${n}-frames.png`), fullPage: true });
    }
    // Back a cycle at a time out of the handler, then from the start to a cycle in the root frame.
    for (let k = 1; k <= 5; k++) {
      await press(page, 'b');
      await check(await cycleOf(page));
    }
    await page.click('#b-reset');
    await idle(page);
    await runTo(page, 12);
    expect(await check(12)).toBe(1);
  });

  it('picked signals: the values at the cursor are the VCD\'s of the same run, and the exported window is the CLI\'s VCD byte for byte', async () => {
    const names = ['evm.core.ex.pc', 'evm.core.wb.retire', 'evm.core.rf.x10', 'evm.core.hazard.fwd_a', 'evm.core.ex.stall'];
    const vcdFile = join(tmp, 'loop.vcd');
    expect(cli(['run', loop, '--vcd', vcdFile, ...names.flatMap((n) => ['--vcd-scope', n])]).status).toBe(22);
    const vcd = readVcd(readFileSync(vcdFile, 'latin1'));
    const page = await open(await serve(loop));
    await page.waitForSelector('#dis div');
    await idle(page);
    await runTo(page, 30);
    await page.evaluate(() => document.querySelectorAll('#hier details').forEach((d) => { (d as HTMLDetailsElement).open = true; }));
    for (const n of names) await page.check(`#hier input[data-signal="${n}"]`);
    await page.waitForFunction((k) => document.querySelectorAll('#wave-values tr[data-name]').length === k, names.length);
    for (const c of [0, 3, 7, 8, 12, 19, 20, 21, 25, 30]) {
      await page.evaluate((x) => { const i = document.getElementById('w-cursor') as HTMLInputElement; i.value = String(x); i.dispatchEvent(new Event('change')); }, c);
      await page.waitForFunction((x) => document.querySelector('#wave-values tr[data-name]')?.getAttribute('data-cycle') === String(x), c);
      const shown = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('#wave-values tr[data-name]')].map((r) => [(r as HTMLElement).dataset.name, Number((r as HTMLElement).dataset.value)])));
      for (const n of names) expect(shown[n], `${n} at cycle ${c}`).toBe(vcdAt(vcd.get(n)!, c));
    }
    await page.screenshot({ path: join(ART, 'waveform.png'), fullPage: true });
    // Export what is shown; the CLI's VCD of the same window and signals is the same file.
    const shownWindow = (await page.textContent('#w-window'))!;
    const [, lo, hi] = /cycles (\d+)\.\.(\d+)/.exec(shownWindow)!;
    await page.evaluate(() => { delete (window as unknown as { lastVcd?: string }).lastVcd; });
    await page.click('#w-vcd');
    const text = await page.waitForFunction(() => (window as unknown as { lastVcd?: string }).lastVcd).then((h) => h.jsonValue() as Promise<string>);
    const cut = join(tmp, 'cut.vcd');
    cli(['run', loop, '--vcd', cut, '--vcd-from', lo!, '--vcd-to', hi!, ...names.flatMap((n) => ['--vcd-scope', n])]);
    expect(text).toBe(readFileSync(cut, 'latin1'));
  });

  it('a 10-million-cycle run keeps the page responsive: pause stops it within a second', async () => {
    const page = await open(await serve(long));
    await page.waitForSelector('#dis div');
    await idle(page);
    await page.click('#b-run');
    await page.waitForFunction(() => /running: cycle [1-9]/.test(document.getElementById('status')!.textContent!));
    await page.waitForTimeout(500);
    // The page answers while the worker runs.
    const t0 = Date.now();
    await page.click('#b-help');
    await page.keyboard.press('Escape');
    await page.click('#b-run'); // pause
    await idle(page);
    const waited = Date.now() - t0;
    const at = await cycleOf(page);
    expect(waited).toBeLessThan(1000);
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(10_500_000);
    expect(await page.textContent('#messages')).toMatch(/interrupted at cycle/);
    await page.screenshot({ path: join(ART, 'long-paused.png'), fullPage: true });
    // And on to the end: the cycles --json gives.
    await page.click('#b-run');
    await page.waitForFunction(() => document.body.dataset.running === 'false' && /exited/.test(document.getElementById('status')!.textContent!), undefined, { timeout: 30_000 });
    const json = JSON.parse(cli(['run', long, '--json']).stdout) as { cycles: number };
    expect(await cycleOf(page)).toBe(json.cycles);
    console.log(`worker speed (the rest of the run after the pause): ${await page.getAttribute('#speed', 'data-mcps')} M cycles/s`);
  });

  it('the block validation example: INTERPRET_BLOCK over the hard drive, to the end evminf block validate reaches', async () => {
    const r = cli(['block', 'validate', join(ROOT, 'examples/chain/block-1.rlp'), '--genesis', join(ROOT, 'examples/chain/genesis.json'), '--json']);
    const json = JSON.parse(r.stdout) as { valid: boolean; cycles: number; instructions: number; evals: number };
    expect(json.valid).toBe(true);
    const page = await open(await serve(null));
    await page.waitForFunction(() => document.querySelectorAll('#example option').length > 2);
    const value = await page.evaluate(() => [...document.querySelectorAll('#example option')].find((o) => /INTERPRET_BLOCK/.test(o.textContent!))!.getAttribute('value')!);
    await page.selectOption('#example', value);
    await page.waitForSelector('#dis div');
    await idle(page);
    expect(await page.textContent('#program')).toMatch(/block-1/);
    await page.click('#b-run');
    await page.waitForFunction(() => document.body.dataset.running === 'false' && /return/.test(document.getElementById('status')!.textContent!), undefined, { timeout: 30_000 });
    expect(await cycleOf(page)).toBe(json.cycles);
    expect(Number(await page.textContent('#retired'))).toBe(json.instructions);
    await page.screenshot({ path: join(ART, 'block-1-end.png'), fullPage: true });
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
  });

  it('an ELF given to evminf ui is loaded by the page and runs as the CLI runs it', async () => {
    const elf = join(tmp, 'loop.elf');
    expect(cli(['asm', loop, '-o', elf]).status).toBe(0);
    const json = JSON.parse(cli(['run', elf, '--json']).stdout) as { cycles: number; instructions: number };
    const page = await open(await serve(elf));
    await page.waitForSelector('#dis div');
    await idle(page);
    expect(await page.textContent('#program')).toBe('loop.elf');
    await press(page, 'r');
    expect(await cycleOf(page)).toBe(json.cycles);
    expect(Number(await page.textContent('#retired'))).toBe(json.instructions);
  });

  it('bad command lines: one line and a non-zero exit', async () => {
    for (const [args, code, msg] of [
      [['ui', 'no-such.S'], 127, /no-such\.S/],
      [['ui', loop, '--port', '70000'], 2, /--port/],
      [['ui', '--port', 'x'], 2, /--port/],
    ] as const) {
      const r = cli([...args]);
      expect(r.status, args.join(' ')).toBe(code);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    // A port in use.
    const url = new URL(await serve(null));
    const busy = cli(['ui', '--port', url.port]);
    expect(busy.status).toBe(2);
    expect(busy.stderr).toMatch(/in use/);
    expect(busy.stderr.trim().split('\n')).toHaveLength(1);
    const bad = join(tmp, 'bad.S');
    writeFileSync(bad, 'addi x1, x2\n');
    const r = cli(['ui', bad]);
    expect(r.status).toBe(126);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
}, );
