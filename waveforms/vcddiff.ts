// Comparing two waveforms signal by signal: both VCDs are walked in time order together, and
// after each timestamp every signal that changed in either must hold the same value in both.
// The first difference (time, signal, both values) is reported. A name map lets waveforms of two
// designs with different hierarchies be compared.

import { readFileSync } from 'node:fs';
import { formatValue, shown, timescaleFs, VcdError, VcdReader, type VcdBatch, type VcdValue } from './vcdread.js';

/** Names in a.vcd → names in b.vcd; entries ending in '.' rename a scope prefix. */
export interface NameMap {
  exact: Map<string, string>;
  prefixes: [string, string][];
}

/** Parse a map file: a JSON object {"a.name": "b.name"}, or lines `a.name b.name` (# comments). */
export function parseNameMap(text: string, path: string): NameMap {
  const m: NameMap = { exact: new Map(), prefixes: [] };
  const add = (a: string, b: string): void => {
    if (a.endsWith('.') !== b.endsWith('.')) throw new VcdError(`${path}: '${shown(a, 200)}' and '${shown(b, 200)}': a scope prefix (ending in '.') maps only to a scope prefix`);
    if (a.endsWith('.')) m.prefixes.push([a, b]);
    else m.exact.set(a, b);
  };
  const t = text.trim();
  if (t.startsWith('{')) {
    let o: unknown;
    try {
      o = JSON.parse(t);
    } catch (e) {
      throw new VcdError(`${path}: not valid JSON (${shown((e as Error).message, 200)})`);
    }
    for (const [a, b] of Object.entries(o as Record<string, unknown>)) {
      if (typeof b !== 'string') throw new VcdError(`${path}: the value for '${shown(a, 200)}' is not a signal name`);
      add(a, b);
    }
  } else {
    t.split('\n').forEach((line, i) => {
      const s = line.replace(/#.*/, '').trim();
      if (s === '') return;
      const parts = s.split(/\s+/);
      if (parts.length !== 2) throw new VcdError(`${path} line ${i + 1}: expected 'name-in-a name-in-b'`);
      add(parts[0]!, parts[1]!);
    });
  }
  m.prefixes.sort((x, y) => y[0].length - x[0].length);
  return m;
}

export function readNameMap(path: string): NameMap {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new VcdError(`${path}: cannot read the name map`);
  }
  return parseNameMap(text, path);
}

export interface VcdDifference {
  /** Time in a.vcd's timescale units (fs when they do not divide it). */
  time: string;
  signalA: string;
  signalB: string;
  a: string;
  b: string;
  /** Other signals differing at the same time. */
  others: number;
}

export interface VcdDiffResult {
  equal: boolean;
  /** Signals compared. */
  signals: number;
  /** Timestamps compared. */
  times: number;
  first: VcdDifference | null;
  onlyA: string[];
  onlyB: string[];
}

function mapName(m: NameMap | null, a: string): string | null {
  if (m === null) return a;
  const e = m.exact.get(a);
  if (e !== undefined) return e;
  for (const [pa, pb] of m.prefixes) if (a.startsWith(pa)) return pb + a.slice(pa.length);
  return null;
}

export interface VcdDiffOptions {
  map?: NameMap;
  /** Compare only signals the map names (default: also every signal with the same name in both). */
  onlyMapped?: boolean;
}

export async function vcdDiff(pathA: string, pathB: string, opts: VcdDiffOptions = {}): Promise<VcdDiffResult> {
  const ra = await VcdReader.open(pathA);
  let rb: VcdReader;
  try {
    rb = await VcdReader.open(pathB);
  } catch (e) {
    ra.close();
    throw e;
  }
  try {
    return diff(ra, rb, opts);
  } finally {
    ra.close();
    rb.close();
  }
}

/** The node of an identifier code in the pairing graph (a new one the first time). */
function node(ids: Map<string, number>, id: string, parent: number[]): number {
  let n = ids.get(id);
  if (n === undefined) { n = parent.length; parent.push(n); ids.set(id, n); }
  return n;
}

function root(parent: number[], n: number): number {
  while (parent[n] !== n) { parent[n] = parent[parent[n]!]!; n = parent[n]!; }
  return n;
}

function diff(ra: VcdReader, rb: VcdReader, opts: VcdDiffOptions): VcdDiffResult {
  // Pair the signals. Identifier codes of a and b are the nodes of a graph, a compared signal is
  // an edge between its two codes (aliases make codes share edges).
  const namesA: string[] = [], namesB: string[] = [], widths: number[] = [];
  const sigA: number[] = [], sigB: number[] = [];
  const nodesA = new Map<string, number>(), nodesB = new Map<string, number>();
  const parent: number[] = [];
  const usedB = new Set<string>();
  const seenA = new Set<string>();
  const onlyA: string[] = [];
  let widthDiff: VcdDifference | null = null;
  for (const va of ra.vars) {
    if (seenA.has(va.name)) continue;
    seenA.add(va.name);
    let nb = opts.map ? mapName(opts.map, va.name) : null;
    if (nb === null && !opts.onlyMapped) nb = va.name;
    const vb = nb === null ? undefined : rb.get(nb);
    if (vb === undefined) { onlyA.push(va.name); continue; }
    usedB.add(vb.name);
    if (va.width !== vb.width) {
      widthDiff ??= { time: '0', signalA: va.name, signalB: vb.name, a: `${va.width} bits`, b: `${vb.width} bits`, others: 0 };
      continue;
    }
    namesA.push(va.name); namesB.push(vb.name); widths.push(va.width);
    const x = node(nodesA, va.id, parent), y = node(nodesB, vb.id, parent);
    sigA.push(x); sigB.push(y);
    const rx = root(parent, x), ry = root(parent, y);
    if (rx !== ry) parent[rx] = ry;
  }
  const onlyB = [...new Set(rb.vars.map((v) => v.name))].filter((n) => !usedB.has(n));
  if (namesA.length === 0 && widthDiff === null) throw new VcdError(`${ra.path} and ${rb.path} have no signal in common (map names with --map)`);
  const base = { signals: namesA.length, onlyA, onlyB };
  if (widthDiff !== null) return { ...base, equal: false, times: 0, first: widthDiff };

  // Up to the first difference every signal is equal in a and b, so all the codes of a connected
  // part of the graph hold one value. A timestamp keeps them equal exactly when the codes of each
  // part it changes all change to one value, which is the part's value unless all of them
  // changed. That costs one step per change, however many signals an alias stands for; only at
  // the difference are the signals themselves compared.
  const nodes = parent.length;
  const part = new Int32Array(nodes), size = new Int32Array(nodes);
  for (let n = 0; n < nodes; n++) { part[n] = root(parent, n); size[part[n]!]!++; }
  const cur: (string | undefined)[] = new Array(nodes).fill(undefined);
  const held: (string | undefined)[] = new Array(nodes).fill(undefined);
  const next: (string | undefined)[] = new Array(nodes).fill(undefined);
  const stamp = new Int32Array(nodes), changed = new Int32Array(nodes), ok = new Uint8Array(nodes);
  const touched: number[] = [];
  let times = 0;
  const apply = (b: VcdBatch, ids: Map<string, number>): void => {
    for (const c of b.changes) {
      const n = ids.get(c.id);
      if (n === undefined) continue;
      cur[n] = c.bits;
      const r = part[n]!;
      if (stamp[r] !== times) { stamp[r] = times; changed[r] = 0; next[r] = c.bits; ok[r] = 1; touched.push(r); }
      else if (next[r] !== c.bits) ok[r] = 0;
      changed[r]!++;
    }
  };
  const fsA = timescaleFs(ra.timescale, ra.path), fsB = timescaleFs(rb.timescale, rb.path);
  let ba = ra.next(), bb = rb.next();
  while (ba !== null || bb !== null) {
    times++;
    const ta = ba === null ? null : ba.time * fsA, tb = bb === null ? null : bb.time * fsB;
    const t = ta === null ? tb! : tb === null ? ta : ta < tb ? ta : tb;
    if (ta === t) { apply(ba!, nodesA); ba = ra.next(); }
    if (tb === t) { apply(bb!, nodesB); bb = rb.next(); }
    let equal = true;
    for (const r of touched) {
      if (ok[r] && (changed[r] === size[r] || next[r] === held[r])) held[r] = next[r];
      else equal = false;
    }
    touched.length = 0;
    if (equal) continue;
    let first = -1, others = 0;
    for (let k = 0; k < namesA.length; k++) {
      if (cur[sigA[k]!] !== cur[sigB[k]!]) { if (first < 0) first = k; else others++; }
    }
    const val = (n: number): VcdValue | undefined => (cur[n] === undefined ? undefined : { bits: cur[n]!, width: widths[first]! });
    const time = t % fsA === 0n ? `${t / fsA}` : `${t} fs`;
    return { ...base, equal: false, times, first: { time, signalA: namesA[first]!, signalB: namesB[first]!, a: formatValue(val(sigA[first]!), widths[first]!), b: formatValue(val(sigB[first]!), widths[first]!), others } };
  }
  return { ...base, equal: true, times, first: null };
}
