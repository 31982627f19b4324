// The debug console (docs/peripherals.md, "Debug console"): a store to TX sends the byte in lane
// 0 to the host's console sink (`evminf run`: stderr, or --console FILE). Every frame may use it
// (no permission). A run may write at most CONSOLE.LIMIT bytes; the rest are dropped and
// counted, so a guest cannot fill the host's disk.
//
// The cycle loop never waits for the host: bytes go into a buffer that is handed to the sink
// when it is full and when the run ends (`flush`). A sink that fails (a closed pipe, a full
// disk) is not the guest's business: the error is kept, the console stops writing, the run goes
// on unchanged, and `flush` at the end throws the error for the host to report as it reports
// any output error (bin/io.ts). So what a program does never depends on the sink.
//
// Signal `evm.dev.console.tx`: the last byte written (0 after a frame switch).

import type { Device, DeviceContext } from './device.js';
import type { DeviceStats } from './command.js';
import { CONSOLE } from './regmap.js';
import { Console as ConsoleC, ConsoleReg } from './regs.js';

/** Where the console's bytes go: called with a chunk the sink may keep only during the call. */
export type ConsoleSink = (bytes: Uint8Array) => void;

/** Bytes buffered before the sink is called. */
export const CONSOLE_BUFFER = 16 << 10;

/** What the console did in a run: TX writes (ops), of them dropped past LIMIT (errors). */
export interface ConsoleStats extends DeviceStats {
  /** Bytes sent to the sink. */
  bytes: number;
  /** Bytes dropped past CONSOLE.LIMIT. */
  dropped: number;
}

export class DebugConsole implements Device {
  readonly name = CONSOLE.name;
  readonly base = CONSOLE.base;
  /** The device owns its 64 KiB block; every other offset reads 0 and ignores writes. */
  readonly end = CONSOLE.base + 0x1_0000;
  readonly perm = 0;
  waitStates = 0;
  readonly stats: ConsoleStats = { ops: 0, errors: 0, cycles: 0, gas: 0, byCommand: {}, bytes: 0, dropped: 0 };
  /** The bytes not yet handed to the sink. */
  private buf = new Uint8Array(CONSOLE_BUFFER);
  private n = 0;
  /** The sink's first error, thrown by `flush`; the console writes nothing after it. */
  failure: unknown = null;
  private v: Int32Array | null = null;
  private declare s_tx: number;

  /** `sink`: the host's console (default: the bytes are counted and discarded). */
  constructor(private readonly sink: ConsoleSink = () => {}) {}

  attach(ctx: DeviceContext): void {
    this.v = ctx.v;
    this.s_tx = ctx.signal('tx', 8);
  }

  read(_addr: number, _strb: number): number {
    return 0;
  }

  write(addr: number, strb: number, data: number): void {
    if (addr - this.base !== ConsoleReg.TX || (strb & 1) === 0) return;
    const st = this.stats, b = data & 0xff;
    st.ops++;
    st.byCommand.TX = st.ops;
    if (this.v !== null) this.v[this.s_tx] = b;
    if (st.bytes >= ConsoleC.LIMIT) { st.errors++; st.dropped++; return; }
    st.bytes++;
    this.buf[this.n++] = b;
    if (this.n === this.buf.length) this.drain();
  }

  /** A frame switch: TX shows 0; bytes written are the host's and stay buffered. */
  reset(): void {
    if (this.v !== null) this.v[this.s_tx] = 0;
  }

  /** Hand the buffered bytes to the sink; then throw the sink's error if it ever failed. */
  flush(): void {
    this.drain();
    if (this.failure !== null) throw this.failure;
  }

  /** Hand the buffered bytes to the sink now (the host's other output keeps its order with them). */
  drain(): void {
    const n = this.n;
    if (n === 0) return;
    this.n = 0;
    if (this.failure !== null) return;
    try {
      this.sink(this.buf.subarray(0, n));
    } catch (e) {
      this.failure = e;
    }
  }
}
