// Comparing two waveforms signal by signal: both VCDs are walked in time order together, and
// after each timestamp every signal that changed in either must hold the same value in both.
// The first difference (time, signal, both values) is reported. A name map lets waveforms of two
// designs with different hierarchies be compared.

import { readFileSync } from 'node:fs';
import { formatValue, timescaleFs, VcdError, VcdReader, type VcdBatch, type VcdValue } from './vcdread.js';

/** Names in a.vcd → names in b.vcd; entries ending in '.' rename a scope prefix. */
export interface NameMap {
  exact: Map<string, string>;
  prefixes: [string, string][];
}

/** Parse a map file: a JSON object {"a.name": "b.name"}, or lines `a.name b.name` (# comments). */
export function parseNameMap(text: string, path: string): NameMap {
  const m: NameMap = { exact: new Map(), prefixes: [] };
  const add = (a: string, b: string): void => {
    if (a.endsWith('.') !== b.endsWith('.')) throw new VcdError(`${path}: '${a}' and '${b}': a scope prefix (ending in '.') maps only to a scope prefix`);
    if (a.endsWith('.')) m.prefixes.push([a, b]);
    else m.exact.set(a, b);
  };
  const t = text.trim();
  if (t.startsWith('{')) {
    let o: unknown;
    try {
      o = JSON.parse(t);
    } catch (e) {
      throw new VcdError(`${path}: not valid JSON (${(e as Error).message})`);
    }
    for (const [a, b] of Object.entries(o as Record<string, unknown>)) {
      if (typeof b !== 'string') throw new VcdError(`${path}: the value for '${a}' is not a signal name`);
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

// Values are normalised strings (VcdValue): equal exactly when the values are.
const same = (x: VcdValue | undefined, y: VcdValue | undefined): boolean =>
  x === undefined || y === undefined ? x === y : x.bits === y.bits;

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

function diff(ra: VcdReader, rb: VcdReader, opts: VcdDiffOptions): VcdDiffResult {
  // Pair the signals.
  const namesA: string[] = [], namesB: string[] = [], widths: number[] = [];
  const byIdA = new Map<string, number[]>(), byIdB = new Map<string, number[]>();
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
    const k = namesA.length;
    namesA.push(va.name); namesB.push(vb.name); widths.push(va.width);
    (byIdA.get(va.id) ?? byIdA.set(va.id, []).get(va.id)!).push(k);
    (byIdB.get(vb.id) ?? byIdB.set(vb.id, []).get(vb.id)!).push(k);
  }
  const onlyB = [...new Set(rb.vars.map((v) => v.name))].filter((n) => !usedB.has(n));
  if (namesA.length === 0 && widthDiff === null) throw new VcdError(`${ra.path} and ${rb.path} have no signal in common (map names with --map)`);
  const base = { signals: namesA.length, onlyA, onlyB };
  if (widthDiff !== null) return { ...base, equal: false, times: 0, first: widthDiff };

  const fsA = timescaleFs(ra.timescale, ra.path), fsB = timescaleFs(rb.timescale, rb.path);
  const va: (VcdValue | undefined)[] = new Array(namesA.length).fill(undefined);
  const vb: (VcdValue | undefined)[] = new Array(namesA.length).fill(undefined);
  const changed = new Uint8Array(namesA.length);
  const list: number[] = [];
  const apply = (b: VcdBatch, byId: Map<string, number[]>, vals: (VcdValue | undefined)[]): void => {
    for (const c of b.changes) {
      const ks = byId.get(c.id);
      if (ks === undefined) continue;
      for (const k of ks) {
        vals[k] = c;
        if (!changed[k]) { changed[k] = 1; list.push(k); }
      }
    }
  };
  let ba = ra.next(), bb = rb.next();
  let times = 0;
  while (ba !== null || bb !== null) {
    const ta = ba === null ? null : ba.time * fsA, tb = bb === null ? null : bb.time * fsB;
    const t = ta === null ? tb! : tb === null ? ta : ta < tb ? ta : tb;
    if (ta === t) { apply(ba!, byIdA, va); ba = ra.next(); }
    if (tb === t) { apply(bb!, byIdB, vb); bb = rb.next(); }
    times++;
    list.sort((x, y) => x - y);
    let first = -1, others = 0;
    for (const k of list) {
      changed[k] = 0;
      if (!same(va[k], vb[k])) { if (first < 0) first = k; else others++; }
    }
    list.length = 0;
    if (first >= 0) {
      const time = t % fsA === 0n ? `${t / fsA}` : `${t} fs`;
      return { ...base, equal: false, times, first: { time, signalA: namesA[first]!, signalB: namesB[first]!, a: formatValue(va[first], widths[first]!), b: formatValue(vb[first], widths[first]!), others } };
    }
  }
  return { ...base, equal: true, times, first: null };
}
