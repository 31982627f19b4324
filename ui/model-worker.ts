// The Web Worker that owns the model (bundled to dist/ui/worker.js by ui/build.ts). It takes the
// page's commands (ui/protocol.ts) one at a time and answers with state snapshots. A command
// that runs long goes in slices of about SLICE_MS: between two slices the worker reads its
// messages, so `pause` stops a run within one slice, and it posts progress and speed.

import type { StopEvent } from '../debug/debugger.js';
import type { Command, Reply } from './protocol.js';
import { Session } from './session.js';

/** Milliseconds of model time between two looks at the message queue. */
export const SLICE_MS = 40;
/** Progress messages at most this often while a run goes. */
const PROGRESS_MS = 200;

/** The worker's global scope, as far as this file uses it (no DOM types in the Node build). */
interface WorkerScope {
  onmessage: ((e: { data: Command }) => void) | null;
  postMessage(m: Reply): void;
  setTimeout(f: () => void, ms: number): unknown;
}

const scope = globalThis as unknown as WorkerScope;
let session: Session | null = null;
let running: { gen: Generator<void, StopEvent>; t0: number; c0: number; shown: number } | null = null;
let pauseAsked = false;
const queue: Command[] = [];

const post = (m: Reply): void => scope.postMessage(m);
const oneLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

function needSession(): Session {
  if (session === null) throw new Error('load a program first');
  return session;
}

function sendState(): void {
  if (session !== null) post({ t: 'state', state: session.state() });
}

function handle(c: Command): void {
  switch (c.t) {
    case 'load':
      session = new Session(c.spec);
      post({ t: 'hierarchy', ...session.hierarchy() });
      break;
    case 'reset':
      if (session !== null) {
        const old = session, bps = old.state().breakpoints;
        session = new Session(old.spec);
        for (const a of bps) session.toggleBreakpoint(a);
        session.pick(old.pickedSignals);
      }
      break;
    case 'step': case 'stepi': case 'run': case 'runto': {
      const s = needSession();
      running = { gen: s.forward(c), t0: now(), c0: s.core.cycles, shown: now() };
      pauseAsked = false;
      slice();
      return;
    }
    case 'pause': return;
    case 'back': needSession().back(c.n); break;
    case 'backi': needSession().backInstruction(); break;
    case 'break': needSession().toggleBreakpoint(c.addr); break;
    case 'view': needSession().setView(c.mem, c.dis); break;
    case 'signals': needSession().pick(c.names); return;
    case 'wave': post({ t: 'wave', wave: needSession().wave(c.from, c.to) }); return;
    case 'vcd': post({ t: 'vcd', ...needSession().vcd(c.from, c.to) }); return;
  }
  sendState();
}

const now = (): number => performance.now();

/** Run the current command for about SLICE_MS, then let messages in. */
function slice(): void {
  const r = running, s = session;
  if (r === null || s === null) return;
  let ev: StopEvent | null = null;
  try {
    if (pauseAsked) {
      r.gen.return(undefined as never);
      ev = s.dbg.interrupted();
    } else {
      const until = now() + SLICE_MS;
      for (;;) {
        const x = r.gen.next();
        if (x.done === true) { ev = x.value; break; }
        if (now() >= until) break;
      }
    }
  } catch (e) {
    running = null;
    post({ t: 'error', message: oneLine(e) });
    sendState();
    drain();
    return;
  }
  const t = now();
  const mcps = (s.core.cycles - r.c0) / Math.max(1e-3, t - r.t0) / 1e3;
  if (ev !== null) {
    running = null;
    s.stopped(ev);
    post({ t: 'progress', cycle: s.core.cycles, retired: s.core.retired, mcps, running: false });
    sendState();
    drain();
    return;
  }
  if (t - r.shown >= PROGRESS_MS) {
    r.shown = t;
    post({ t: 'progress', cycle: s.core.cycles, retired: s.core.retired, mcps, running: true });
  }
  scope.setTimeout(slice, 0);
}

/** Commands that came while a run went, in order. */
function drain(): void {
  while (running === null && queue.length > 0) run(queue.shift()!);
}

function run(c: Command): void {
  try {
    handle(c);
  } catch (e) {
    post({ t: 'error', message: oneLine(e) });
    sendState();
  }
}

scope.onmessage = (e) => {
  const c = e.data;
  if (running !== null) {
    if (c.t === 'pause') pauseAsked = true;
    else queue.push(c);
    return;
  }
  run(c);
};
