// The machine's clock: time, scheduled completions and "finished" belong to the machine, not to
// the devices (Verilator's context owns time and gotFinish; avr8js's addClockEvent keeps a
// pooled event list). A device schedules an event at cycle N and is called back then; it never
// polls and never keeps a timer of its own.
//
// The cycle model asks one question per cycle — `cycles >= clock.next` — and pays nothing more
// while no event is pending (`next` is NEVER). The ISS has no time: its clock stays at cycle 0
// and it fires every pending event before each device access (`drain`), so a result is there
// at the access that needs it. Because no register exposes time (docs/peripherals.md), both
// ways read the same values.
//
// DATA UNAVAILABLE raised by an access during a cycle is held here and thrown at the next cycle
// boundary (`tick`), so the cycle model never stops half-way through evaluating a cycle. A
// completion may not raise it (the models complete work at different points of the program):
// it must come from the access that needs the missing data.

/** What a clock event calls back: a device, with the tag it scheduled. */
export interface Clocked {
  onClock(tag: number): void;
}

/** The model's cycle counter, read by the clock (null for the ISS: no time). */
export interface TimeSource {
  readonly cycles: number;
}

/** `Clock.next` when no event is pending. */
export const NEVER = Number.MAX_SAFE_INTEGER;

/**
 * Raised by a device that cannot produce data the consensus rules require (the hard drive
 * missing a preimage): no frame can catch it; every frame is unwound to the host (exit 137).
 */
export class DataUnavailable extends Error {}

export class Clock {
  /**
   * Cycle of the earliest pending event; NEVER when none; -1 while DATA UNAVAILABLE waits for
   * the cycle boundary. The cycle loop's one compare is against this.
   */
  next = NEVER;
  /** DATA UNAVAILABLE raised during the current cycle (its detail), or null. */
  unavailable: string | null = null;
  /** Pending events sorted by cycle (stable): parallel arrays, grown by doubling, never shrunk. */
  private at = new Float64Array(8);
  private tag = new Int32Array(8);
  private who: (Clocked | null)[] = [null, null, null, null, null, null, null, null];
  private n = 0;
  private declare readonly src: TimeSource | null;

  constructor(src: TimeSource | null) {
    this.src = src;
  }

  /** The current cycle (0 on the ISS, which has no time). */
  get now(): number {
    return this.src === null ? 0 : this.src.cycles;
  }

  /** False on the ISS: work completes at once, wait states are not spent. */
  get timed(): boolean {
    return this.src !== null;
  }

  /** Events pending. */
  get pending(): number {
    return this.n;
  }

  /** Call `dev.onClock(tag)` at the start of cycle `at` (before that cycle is evaluated). */
  schedule(dev: Clocked, at: number, tag = 0): void {
    if (this.n === this.at.length) this.grow();
    let k = this.n;
    while (k > 0 && this.at[k - 1]! > at) {
      this.at[k] = this.at[k - 1]!; this.tag[k] = this.tag[k - 1]!; this.who[k] = this.who[k - 1]!;
      k--;
    }
    this.at[k] = at; this.tag[k] = tag; this.who[k] = dev;
    this.n++;
    this.update();
  }

  /** Drop `dev`'s pending events with `tag`. */
  cancel(dev: Clocked, tag = 0): void {
    let w = 0;
    for (let k = 0; k < this.n; k++) {
      if (this.who[k] === dev && this.tag[k] === tag) continue;
      this.at[w] = this.at[k]!; this.tag[w] = this.tag[k]!; this.who[w] = this.who[k]!;
      w++;
    }
    for (let k = w; k < this.n; k++) this.who[k] = null;
    this.n = w;
    this.update();
  }

  /** Fire every event due at cycle `now` or earlier, in order (events may schedule more). */
  fire(now: number): void {
    while (this.n > 0 && this.at[0]! <= now && this.unavailable === null) this.pop();
    this.update();
  }

  /**
   * Before an ISS's device access: with no time every pending event is due now; with a time
   * source (the timing model, cpu/timing.ts) the events due by its current cycle.
   */
  drain(): void {
    if (this.src !== null) { this.fire(this.src.cycles); return; }
    while (this.n > 0 && this.unavailable === null) this.pop();
    this.update();
  }

  /** The cycle loop, when `cycles >= next`: fire what is due, then throw a pending DATA UNAVAILABLE. */
  tick(now: number): void {
    if (this.unavailable === null) this.fire(now);
    this.check();
  }

  /** Hold DATA UNAVAILABLE for the cycle boundary (the first one raised wins). */
  raise(detail: string): void {
    if (this.unavailable === null) this.unavailable = detail;
    this.next = -1;
  }

  /** A device threw during an access or an event: DATA UNAVAILABLE is held, anything else rethrown. */
  caught(e: unknown): void {
    if (!(e instanceof DataUnavailable)) throw e;
    this.raise(e.message);
  }

  /** Throw (and clear) a pending DATA UNAVAILABLE. */
  check(): void {
    const u = this.unavailable;
    if (u === null) return;
    this.unavailable = null;
    this.update();
    throw new DataUnavailable(u);
  }

  private pop(): void {
    const dev = this.who[0]!, tag = this.tag[0]!;
    this.n--;
    this.at.copyWithin(0, 1, this.n + 1);
    this.tag.copyWithin(0, 1, this.n + 1);
    for (let k = 0; k < this.n; k++) this.who[k] = this.who[k + 1]!;
    this.who[this.n] = null;
    let bad: string | null = null;
    try {
      dev.onClock(tag);
    } catch (e) {
      if (!(e instanceof DataUnavailable)) throw e;
      bad = e.message;
    }
    if (this.unavailable !== null) { bad = this.unavailable; this.unavailable = null; }
    if (bad !== null) {
      this.update();
      throw new Error(`a device raised DATA UNAVAILABLE (${bad}) in a clock event; raise it from the access that needs the data`);
    }
  }

  private update(): void {
    this.next = this.unavailable !== null ? -1 : this.n > 0 ? this.at[0]! : NEVER;
  }

  private grow(): void {
    const at = new Float64Array(2 * this.n), tag = new Int32Array(2 * this.n);
    at.set(this.at); tag.set(this.tag);
    this.at = at; this.tag = tag;
    for (let k = this.n; k < 2 * this.n; k++) this.who.push(null);
  }
}
