// The page: controls, the views of the machine and the waveform panel. The model lives in the
// worker (worker.js, ui/model-worker.ts); the page sends it commands and draws the state
// snapshots it answers with (ui/protocol.ts). docs/ui.md describes the page.

import type { Command, LoadSpec, MachineState, Reply, StageView, WaveWindow } from './protocol.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const hex8 = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');
const hexw = (v: number, w: number): string => (v >>> 0).toString(16).padStart(Math.ceil(w / 4), '0');
const SVG = 'http://www.w3.org/2000/svg';
const ABI = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];

const worker = new Worker('worker.js');
let state: MachineState | null = null;
let prevRegs: readonly number[] = [];
let running = false;
let lastCycle = 0;
let names: readonly string[] = [];
let widths: readonly number[] = [];
const picked: string[] = [];
// The waveform window [from, from + span) in cycles; follow: it ends at the current cycle.
let wave: WaveWindow | null = null;
let span = 64, from = 0, follow = true, cursor = -1;

function send(c: Command): void {
  worker.postMessage(c);
}

function setRunning(r: boolean): void {
  running = r;
  $('b-run').textContent = r ? 'pause ❚❚' : 'run ▶';
  $('status').textContent = r ? 'running' : state?.ended ?? 'stopped';
  document.body.dataset.running = String(r);
}

/** A command that moves time: the page shows "running" until the worker's state arrives. */
function move(c: Command): void {
  if (state === null) { showError('load a program first'); return; }
  showError('');
  setRunning(true);
  send(c);
}

function showError(m: string): void {
  $('error').textContent = m;
}

worker.onmessage = (e: MessageEvent<Reply>) => {
  const m = e.data;
  switch (m.t) {
    case 'state':
      lastCycle = m.state.cycle;
      prevRegs = state?.regs ?? [];
      state = m.state;
      setRunning(false);
      draw();
      requestWave();
      break;
    case 'progress':
      $('cycle').textContent = String(m.cycle);
      $('retired').textContent = String(m.retired);
      // Single steps say nothing of speed; runs of a few thousand cycles and more do.
      if (m.cycle - lastCycle >= 10000 || m.running) {
        $('speed').textContent = `${m.mcps.toFixed(2)} M cycles/s`;
        $('speed').dataset.mcps = String(m.mcps);
      }
      lastCycle = m.cycle;
      if (m.running) $('status').textContent = `running: cycle ${m.cycle}`;
      break;
    case 'hierarchy':
      names = m.names; widths = m.widths; picked.length = 0; wave = null;
      drawHierarchy();
      break;
    case 'wave':
      wave = m.wave;
      drawWave();
      break;
    case 'vcd': {
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([m.text], { type: 'text/plain' }));
      a.download = `${state?.name.replace(/\W+/g, '_') ?? 'wave'}-${m.from}-${m.to}.vcd`;
      document.body.append(a);
      a.click();
      a.remove();
      (window as unknown as { lastVcd: string }).lastVcd = m.text;
      break;
    }
    case 'error':
      showError(m.message);
      break;
  }
};

// A worker that ran out of memory or failed to load is gone: say so; a reload starts a new one.
worker.onerror = (e: ErrorEvent) => {
  setRunning(false);
  showError(`the model's worker stopped (${e.message || 'out of memory?'}): reload the page`);
};

// ---- loading ----

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status} ${r.statusText}`);
  return new Uint8Array(await r.arrayBuffer());
}

function specOf(name: string, bytes: Uint8Array): LoadSpec {
  return /\.s$/i.test(name) ? { kind: 'source', name, text: new TextDecoder().decode(bytes) } : { kind: 'elf', name, bytes };
}

function load(spec: LoadSpec): void {
  state = null;
  $('program').textContent = spec.name;
  showError('');
  send({ t: 'load', spec });
}

interface ExampleEntry { kind: 'source' | 'block'; name: string; file?: string; rom?: string; symbols?: string; store?: string; hash?: string }
let examples: ExampleEntry[] = [];

async function loadExample(i: number): Promise<void> {
  const x = examples[i];
  if (x === undefined) return;
  try {
    if (x.kind === 'source') load(specOf(x.name, await fetchBytes(x.file!)));
    else {
      const [rom, store, syms] = await Promise.all([fetchBytes(x.rom!), fetchBytes(x.store!), fetch(x.symbols!).then((r) => r.json())]);
      const h = x.hash!.slice(2);
      const hash = new Uint8Array(h.length / 2).map((_, k) => parseInt(h.slice(2 * k, 2 * k + 2), 16));
      load({ kind: 'block', name: x.name, rom, store, symbols: syms, hash });
    }
  } catch (e) { showError(String((e as Error).message ?? e)); }
}

async function init(): Promise<void> {
  try {
    examples = await (await fetch('examples/index.json')).json() as ExampleEntry[];
    const sel = $<HTMLSelectElement>('example');
    examples.forEach((x, i) => sel.append(new Option(x.name, String(i))));
  } catch { /* a folder without examples */ }
  const pre = new URLSearchParams(location.search).get('load');
  if (pre !== null) {
    try { load(specOf(decodeURIComponent(pre.split('/').pop()!), await fetchBytes(pre))); } catch (e) { showError((e as Error).message); }
  }
}

$<HTMLSelectElement>('example').onchange = (e) => { void loadExample(Number((e.target as HTMLSelectElement).value)); };
$<HTMLInputElement>('file').onchange = async (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (f !== undefined) load(specOf(f.name, new Uint8Array(await f.arrayBuffer())));
};

// ---- controls ----

const runTo = (): void => {
  const c = Number($<HTMLInputElement>('runto').value);
  if (!Number.isSafeInteger(c) || c < 0) { showError('run to: a cycle number'); return; }
  move({ t: 'runto', cycle: c });
};
const runPause = (): void => { if (running) send({ t: 'pause' }); else move({ t: 'run' }); };
const actions: Record<string, () => void> = {
  step: () => move({ t: 'step', n: 1 }),
  stepi: () => move({ t: 'stepi', n: 1 }),
  run: runPause,
  runto: runTo,
  back: () => move({ t: 'back', n: 1 }),
  backi: () => move({ t: 'backi' }),
  reset: () => { if (state !== null) { move({ t: 'reset' }); } },
  help: () => $<HTMLDialogElement>('help').showModal(),
};
for (const [k, f] of Object.entries(actions)) $(`b-${k}`).onclick = f;

document.addEventListener('keydown', (e) => {
  const t = e.target as HTMLElement;
  if (t.tagName === 'INPUT' || t.tagName === 'SELECT' || e.ctrlKey || e.metaKey || e.altKey) return;
  const key: Record<string, () => void> = {
    s: actions.step!, i: actions.stepi!, r: runPause, ' ': runPause, t: runTo, b: actions.back!, B: actions.backi!, R: actions.reset!, '?': actions.help!,
    '+': () => zoom(0.5), '=': () => zoom(0.5), '-': () => zoom(2), '[': () => pan(-0.5), ']': () => pan(0.5), f: () => { follow = true; requestWave(); },
    ArrowLeft: () => setCursor(cursor - 1), ArrowRight: () => setCursor(cursor + 1), v: exportVcd,
  };
  const f = key[e.key];
  if (f !== undefined) { e.preventDefault(); f(); }
});

// ---- drawing the state ----

function draw(): void {
  const s = state!;
  $('cycle').textContent = String(s.cycle);
  $('retired').textContent = String(s.retired);
  $('pc').textContent = s.where;
  $('gas-used').textContent = String(s.gasUsed);
  $('gas-left').textContent = s.gasLeft === null ? '∞' : String(s.gasLeft);
  $('status').textContent = s.ended ?? s.messages[0] ?? 'stopped';
  $('messages').textContent = s.messages.join('\n');
  drawPipeline(s);
  drawDis(s);
  drawRegs(s);
  drawFrames(s);
  drawMemory(s);
  drawDevices(s);
  const out = $('output');
  out.textContent = s.output;
  out.scrollTop = out.scrollHeight;
}

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, parent: Element, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  parent.append(e);
  return e;
}

const STAGE_X = [20, 215, 410, 605, 800], STAGE_W = 175;
const MARK: Record<string, string> = { stall: '########', squash: '~~~~~~~~', bubble: '~~~~~~~~' };

function drawPipeline(s: MachineState): void {
  const svg = $('datapath') as unknown as SVGSVGElement;
  svg.replaceChildren();
  const stages: readonly StageView[] = s.stages ?? ['IF', 'ID', 'EX', 'MEM', 'WB'].map((st) => ({ stage: st as StageView['stage'], state: 'bubble', pc: 0, insn: null, text: '' }));
  const exValid = stages[2]!.state !== 'bubble';
  // Paths first, under the boxes: forwarding into EX, the redirect to IF, the load-use stall.
  const paths: [string, boolean, string][] = [
    [`M ${STAGE_X[3]! + 40} 150 C ${STAGE_X[3]! + 40} 200, ${STAGE_X[2]! + 60} 200, ${STAGE_X[2]! + 60} 150`, exValid && (s.fwdA === 1 || s.fwdB === 1), 'fwd-mem'],
    [`M ${STAGE_X[4]! + 40} 150 C ${STAGE_X[4]! + 40} 232, ${STAGE_X[2]! + 110} 232, ${STAGE_X[2]! + 110} 150`, exValid && (s.fwdA === 2 || s.fwdB === 2), 'fwd-wb'],
    [`M ${STAGE_X[2]! + 80} 50 C ${STAGE_X[2]! + 80} 12, ${STAGE_X[0]! + 90} 12, ${STAGE_X[0]! + 90} 50`, s.redirect, 'redirect'],
    [`M ${STAGE_X[2]! + 30} 50 C ${STAGE_X[2]! + 30} 30, ${STAGE_X[1]! + 130} 30, ${STAGE_X[1]! + 130} 50`, s.loadUse, 'load-use'],
  ];
  for (const [d, lit, id] of paths) {
    const p = el('path', { d, class: `path${lit ? ' lit' : ''}`, id: `path-${id}` }, svg);
    p.dataset.lit = String(lit);
  }
  const labels: [number, number, string][] = [[STAGE_X[3]! - 10, 205, 'EX/MEM → EX'], [STAGE_X[4]! - 40, 245, 'MEM/WB → EX'], [STAGE_X[1]! + 40, 10, 'redirect (taken branch, jump)'], [STAGE_X[1]! + 110, 40, 'load-use']];
  for (const [x, y, t] of labels) el('text', { x, y, fill: '#888' }, svg, t);
  stages.forEach((st, i) => {
    const g = el('g', { class: `stage ${st.state}`, id: `stage-${st.stage}` }, svg);
    g.dataset.state = st.state;
    g.dataset.pc = st.state === 'run' || st.state === 'stall' || st.state === 'squash' ? hex8(st.pc) : '';
    g.dataset.text = st.text;
    const x = STAGE_X[i]!;
    el('rect', { x, y: 50, width: STAGE_W, height: 100, rx: 6 }, g);
    el('text', { x: x + 8, y: 68, class: 'title' }, g, `${st.stage}  ${st.state}`);
    const shown = st.state === 'run' ? hex8(st.pc) : MARK[st.state]!;
    el('text', { x: x + 8, y: 88 }, g, st.state === 'bubble' ? '' : shown);
    if (st.state !== 'run' && st.state !== 'bubble') el('text', { x: x + 8, y: 104, fill: '#666' }, g, hex8(st.pc));
    el('text', { x: x + 8, y: 124 }, g, st.text.length > 21 ? st.text.slice(0, 20) + '…' : st.text);
    if (i < 4) el('rect', { x: x + STAGE_W + 4, y: 56, width: 12, height: 88, class: 'unit' }, svg);
  });
  el('text', { x: 20, y: 180, fill: '#444' }, svg, `cycle ${s.cycle}`);
}

function drawDis(s: MachineState): void {
  const box = $('dis');
  box.replaceChildren();
  for (const l of s.dis) {
    const d = document.createElement('div');
    if (l.breakpoint) d.classList.add('bp');
    if (l.addr === s.pc) d.classList.add('pc');
    d.dataset.addr = hex8(l.addr);
    const st = document.createElement('span');
    st.className = 'st';
    st.textContent = l.stages.join(' ');
    d.append(st, `${l.label === '' ? '' : `<${l.label}>\n          `}${hex8(l.addr)}  ${hex8(l.word)}  ${l.text}`);
    d.onclick = () => { send({ t: 'break', addr: l.addr }); };
    box.append(d);
  }
}

function drawRegs(s: MachineState): void {
  const t = $('regs');
  t.replaceChildren();
  for (let r = 0; r < 8; r++) {
    const tr = document.createElement('tr');
    for (let c = 0; c < 4; c++) {
      const i = r + 8 * c;
      const name = document.createElement('td');
      name.textContent = `${ABI[i]}`;
      const v = document.createElement('td');
      v.className = 'v';
      v.id = `reg-x${i}`;
      v.dataset.value = String(s.regs[i]);
      v.textContent = hex8(s.regs[i]!);
      if (prevRegs.length > 0 && prevRegs[i] !== s.regs[i]) v.classList.add('changed');
      tr.append(name, v);
    }
    t.append(tr);
  }
}

function drawFrames(s: MachineState): void {
  const t = $('frames');
  t.innerHTML = '<tr><th>#</th><th>kind</th><th>depth</th><th>parent</th><th>PSET</th><th>gas used</th><th>gas left</th><th>pc</th></tr>';
  s.frames.forEach((f, i) => {
    const tr = document.createElement('tr');
    if (f.running) tr.className = 'running';
    tr.dataset.kind = f.kind; tr.dataset.depth = String(f.depth); tr.dataset.pset = String(f.pset); tr.dataset.gasLeft = String(f.gasLeft);
    for (const c of [String(i), f.kind, String(f.depth), f.parent < 0 ? '-' : String(f.parent), `0x${f.pset.toString(16).padStart(2, "0")} ${f.psetNames.replace(/\|/g, ' ')}`, String(f.gasUsed), f.gasLeft === null ? '∞' : String(f.gasLeft), hex8(f.pc)]) {
      const td = document.createElement('td');
      td.textContent = c;
      tr.append(td);
    }
    t.append(tr);
  });
}

function drawMemory(s: MachineState): void {
  const sel = $<HTMLSelectElement>('region');
  const key = s.regions.map((r) => r.name).join();
  if (sel.dataset.key !== key) {
    sel.dataset.key = key;
    sel.replaceChildren(...s.regions.map((r) => new Option(`${r.name} ${r.perm} ${hex8(r.base)} +${r.size.toString(16)}`, String(r.base))));
  }
  const inside = s.regions.find((r) => s.memAddr >= r.base && s.memAddr < r.base + r.size);
  if (inside !== undefined) sel.value = String(inside.base);
  const lines: string[] = [];
  for (let o = 0; o < s.mem.length; o += 16) {
    const row = s.mem.slice(o, o + 16);
    const hx = row.map((b) => (b === null ? '..' : b.toString(16).padStart(2, '0'))).join(' ');
    const asc = row.map((b) => (b === null ? ' ' : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${hex8(s.memAddr + o)}  ${hx}  ${asc}`);
  }
  $('mem').textContent = lines.join('\n');
}
$<HTMLSelectElement>('region').onchange = (e) => send({ t: 'view', mem: Number((e.target as HTMLSelectElement).value) });
$<HTMLInputElement>('mem-addr').onchange = (e) => {
  const v = (e.target as HTMLInputElement).value.trim();
  const n = /^(0x)?[0-9a-f]+$/i.test(v) ? parseInt(v.replace(/^0x/i, ''), 16) : NaN;
  if (Number.isNaN(n)) showError(`memory: '${v}' is not a hex address`); else send({ t: 'view', mem: n });
};

function drawDevices(s: MachineState): void {
  const box = $('devices');
  const open = new Set([...box.querySelectorAll('details[open]')].map((d) => (d as HTMLElement).dataset.name));
  box.replaceChildren();
  for (const d of s.devices) {
    const det = document.createElement('details');
    det.dataset.name = d.name;
    if (open.has(d.name)) det.open = true;
    const sum = document.createElement('summary');
    sum.innerHTML = `${d.name} @ ${hex8(d.base)} ${d.busy ? '<span class="busy">BUSY</span>' : '<span class="dim">idle</span>'}`;
    det.append(sum);
    const pre = document.createElement('pre');
    pre.textContent = d.regs.map((r) => `${r.name.padEnd(12)} ${hexw(r.value, r.width)}`).join('\n');
    det.append(pre);
    box.append(det);
  }
}

// ---- the waveform ----

function drawHierarchy(): void {
  const root = $('hier');
  root.replaceChildren();
  const scopes = new Map<string, HTMLElement>();
  const scopeOf = (path: string): HTMLElement => {
    if (path === '') return root;
    let d = scopes.get(path);
    if (d !== undefined) return d;
    const parent = scopeOf(path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '');
    d = document.createElement('details');
    const sum = document.createElement('summary');
    sum.textContent = path.slice(path.lastIndexOf('.') + 1);
    d.append(sum);
    d.dataset.scope = path;
    if (path === 'evm' || path === 'evm.core') (d as HTMLDetailsElement).open = true;
    parent.append(d);
    scopes.set(path, d);
    return d;
  };
  names.forEach((n, i) => {
    const box = scopeOf(n.slice(0, n.lastIndexOf('.')));
    const l = document.createElement('label');
    const c = document.createElement('input');
    c.type = 'checkbox';
    c.dataset.signal = n;
    c.onchange = () => {
      const k = picked.indexOf(n);
      if (c.checked && k < 0) picked.push(n);
      if (!c.checked && k >= 0) picked.splice(k, 1);
      send({ t: 'signals', names: picked });
      requestWave();
    };
    l.append(c, ` ${n.slice(n.lastIndexOf('.') + 1)}${widths[i] === 1 ? '' : ` [${widths[i]! - 1}:0]`}`);
    box.append(l);
  });
}

function requestWave(): void {
  if (state === null) return;
  if (follow) from = Math.max(0, state.cycle - span + 1);
  if (cursor < 0 || follow) cursor = state.cycle;
  $<HTMLInputElement>('w-cursor').value = String(cursor);
  if (picked.length === 0) { wave = null; drawWave(); return; }
  send({ t: 'wave', from, to: from + span - 1 });
}

function zoom(f: number): void {
  const mid = cursor >= 0 ? cursor : from + span / 2;
  span = Math.max(8, Math.min(1 << 14, Math.round(span * f)));
  if (!follow) from = Math.max(0, Math.round(mid - span / 2));
  requestWave();
}

function pan(f: number): void {
  follow = false;
  from = Math.max(0, from + Math.round(span * f));
  requestWave();
}

function setCursor(c: number): void {
  if (!Number.isSafeInteger(c) || c < 0) return;
  cursor = c;
  $<HTMLInputElement>('w-cursor').value = String(c);
  if (wave !== null && (c < wave.from || c > wave.to)) { follow = false; from = Math.max(0, c - Math.floor(span / 2)); requestWave(); } else drawWave();
}

function exportVcd(): void {
  if (state === null) return;
  send({ t: 'vcd', from, to: from + span - 1 });
}

$('w-in').onclick = () => zoom(0.5);
$('w-out').onclick = () => zoom(2);
$('w-left').onclick = () => pan(-0.5);
$('w-right').onclick = () => pan(0.5);
$('w-follow').onclick = () => { follow = true; requestWave(); };
$('w-vcd').onclick = exportVcd;
$<HTMLInputElement>('w-cursor').onchange = (e) => setCursor(Number((e.target as HTMLInputElement).value));

const NAME_W = 150, ROW_H = 22;

function drawWave(): void {
  const svg = $('wave') as unknown as SVGSVGElement;
  svg.replaceChildren();
  const vals = $('wave-values');
  vals.replaceChildren();
  const w = wave;
  $('w-window').textContent = w === null ? '' : `cycles ${w.from}..${w.to}`;
  if (w === null || w.names.length === 0) { svg.setAttribute('height', '40'); return; }
  const width = Math.max(200, svg.clientWidth || 800), n = w.to - w.from + 1;
  const height = ROW_H * w.names.length + 18;
  svg.setAttribute('height', String(height));
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const dx = (width - NAME_W) / Math.max(1, n);
  const X = (c: number): number => NAME_W + (c - w.from) * dx;
  const step = Math.max(1, Math.ceil(n / 16));
  for (let c = w.from; c <= w.to + 1; c += step) {
    el('line', { x1: X(c), x2: X(c), y1: 0, y2: height - 14, class: 'grid' }, svg);
    el('text', { x: X(c) + 2, y: height - 3, fill: '#888' }, svg, String(c));
  }
  w.names.forEach((name, k) => {
    const y0 = k * ROW_H + 3, y1 = y0 + ROW_H - 6, v = w.values[k]!, width1 = w.widths[k]!;
    el('text', { x: 2, y: y1 - 3 }, svg, name.replace(/^evm\./, '').slice(-22));
    if (width1 === 1) {
      let d = '';
      for (let i = 0; i < v.length; i++) {
        const y = v[i] ? y0 : y1;
        d += `${i === 0 ? 'M' : 'L'} ${X(w.from + i)} ${y} L ${X(w.from + i + 1)} ${y} `;
      }
      el('path', { d, class: 'sig' }, svg);
    } else {
      let start = 0;
      for (let i = 1; i <= v.length; i++) {
        if (i < v.length && v[i] === v[start]) continue;
        const xa = X(w.from + start), xb = X(w.from + i);
        el('path', { d: `M ${xa} ${(y0 + y1) / 2} L ${xa + 2} ${y0} L ${xb - 2} ${y0} L ${xb} ${(y0 + y1) / 2} L ${xb - 2} ${y1} L ${xa + 2} ${y1} Z`, class: 'sig' }, svg);
        const label = hexw(v[start]!, width1);
        if (xb - xa > label.length * 7 + 4) el('text', { x: xa + 4, y: y1 - 3 }, svg, label);
        start = i;
      }
    }
  });
  if (state !== null && state.cycle >= w.from && state.cycle <= w.to) el('line', { x1: X(state.cycle + 0.5), x2: X(state.cycle + 0.5), y1: 0, y2: height - 14, class: 'now' }, svg);
  if (cursor >= w.from && cursor <= w.to) el('line', { x1: X(cursor + 0.5), x2: X(cursor + 0.5), y1: 0, y2: height - 14, class: 'cursor' }, svg);
  svg.onclick = (e) => {
    const r = svg.getBoundingClientRect();
    setCursor(w.from + Math.floor(((e.clientX - r.left) * (width / r.width) - NAME_W) / dx));
  };
  const head = document.createElement('tr');
  head.innerHTML = `<th>signal</th><th>at cycle ${cursor}</th>`;
  vals.append(head);
  w.names.forEach((name, k) => {
    const tr = document.createElement('tr');
    const i = cursor - w.from;
    const val = i >= 0 && i < w.values[k]!.length ? w.values[k]![i]! : null;
    tr.dataset.name = name;
    tr.dataset.value = val === null ? '' : String(val);
    tr.dataset.cycle = String(cursor);
    tr.innerHTML = `<td>${name}</td><td>${val === null ? '' : '0x' + hexw(val, w.widths[k]!)}</td>`;
    vals.append(tr);
  });
}

void init();
