// A GDB remote stub (GDB manual, "Remote Protocol") over a GdbTarget (debug/gdbtarget.ts):
// the packets gdb-multiarch needs for riscv:rv32 — target description, registers, memory,
// breakpoints and watchpoints (Z0–Z4), step and continue (vCont with range stepping), reverse
// step and continue (bs, bc), threads (one per EVM∞ frame), monitor commands (qRcmd), kill,
// detach and Ctrl-C. docs/gdb.md describes what each command shows.
//
// The stub never trusts the client: a packet it cannot parse gets an error or the empty reply,
// a bad checksum a `-`, a packet longer than the decoder holds drops the connection.

import { createServer, type Server, type Socket } from 'node:net';
import { disassemble } from '../isa/disasm.js';
import { Cause } from '../cpu/trap.js';
import { describeSessionEnd } from './debugger.js';
import { gasText, GdbTarget, TargetError, type FrameInfo, type TargetStop, type Watch, type WatchKind } from './gdbtarget.js';
import { frame, fromHex, PACKET_SIZE, parseHex, regHex, RspDecoder, toHex } from './rsp.js';

/** The riscv:rv32 target description: x0–x31 under their ABI names, then pc (regnum 32). */
export const TARGET_XML = (() => {
  const names = ['zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 'fp', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
    'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6'];
  const type = (i: number): string => (i === 1 ? 'code_ptr' : i === 2 || i === 8 ? 'data_ptr' : 'int');
  const regs = names.map((n, i) => `<reg name="${n}" bitsize="32" type="${type(i)}" regnum="${i}"/>`);
  return '<?xml version="1.0"?>\n<!DOCTYPE target SYSTEM "gdb-target.dtd">\n<target version="1.0">\n<architecture>riscv:rv32</architecture>\n'
    + '<feature name="org.gnu.gdb.riscv.cpu">\n' + regs.join('\n') + '\n<reg name="pc" bitsize="32" type="code_ptr" regnum="32"/>\n</feature>\n</target>\n';
})();

/** Most memory bytes one `m` reply carries (hex doubles them; the rest is framing). */
export const MAX_READ = (PACKET_SIZE - 16) >> 1;
/** Packets that may wait while the target runs. */
const MAX_QUEUED = 256;
/** Positions a continue runs between looks at the connection (for Ctrl-C). */
const SLICE = 20_000;

/** How a session ended. */
export type SessionEndReason = 'detach' | 'kill' | 'exit' | 'disconnect' | 'protocol';

// gdb's own signal numbers (include/gdb/signals.def), which stop replies carry.
const SIGINT = 2, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 10, SIGSEGV = 11, SIGSYS = 12, SIGXCPU = 24;

const hex2 = (n: number): string => (n & 0xff).toString(16).padStart(2, '0');
const hex8 = (n: number): string => '0x' + (n >>> 0).toString(16).padStart(8, '0');

type Resume = { kind: 'continue' } | { kind: 'step' } | { kind: 'range'; start: number; end: number } | { kind: 'reverse-step' } | { kind: 'reverse-continue' };

export interface SessionOptions {
  /** One line about something that went wrong inside the stub (it goes on). */
  log?: (line: string) => void;
  /** After every stop, once the reply is sent (the CLI hands on the console's bytes here). */
  onStop?: () => void;
}

/** One client connection speaking the protocol: bytes in through `receive`, out through `send`. */
export class GdbSession {
  private readonly decoder = new RspDecoder();
  private noAck = false;
  private lastSent: Buffer | null = null;
  private readonly queue: Buffer[] = [];
  private busy = false;
  private running = false;
  private interrupted = false;
  private lastStop = 'S05';
  /** The frame `g`, `m` and friends read (index into frames()); -1: the running one. */
  private selected = -1;
  private ended: SessionEndReason | null = null;
  private readonly log: (line: string) => void;
  private readonly onStop: () => void;

  constructor(
    private readonly t: GdbTarget,
    private readonly sendBytes: (b: Buffer) => void,
    private readonly onEnd: (why: SessionEndReason) => void,
    opts: SessionOptions = {},
  ) {
    this.log = opts.log ?? (() => {});
    this.onStop = opts.onStop ?? (() => {});
    this.lastStop = 'T05thread:1;';
  }

  get closed(): boolean {
    return this.ended !== null;
  }

  /** Bytes from the client. */
  receive(chunk: Uint8Array): void {
    if (this.ended !== null) return;
    for (const ev of this.decoder.push(chunk)) {
      switch (ev.kind) {
        case 'packet':
          if (!this.noAck) this.sendBytes(Buffer.from('+'));
          // gdb sends nothing but Ctrl-C while the target runs; a client that floods is dropped.
          if (this.queue.length >= MAX_QUEUED) {
            this.log(`more than ${MAX_QUEUED} packets waiting: dropping the connection`);
            this.end('protocol');
            return;
          }
          this.queue.push(ev.data);
          break;
        case 'bad-checksum':
          if (!this.noAck) this.sendBytes(Buffer.from('-'));
          break;
        case 'nack':
          if (this.lastSent !== null) this.sendBytes(this.lastSent);
          break;
        case 'interrupt':
          if (this.running) this.interrupted = true;
          break;
        case 'overflow':
          this.log(`a packet longer than ${PACKET_SIZE * 2} bytes: dropping the connection`);
          this.end('protocol');
          return;
        case 'ack':
          break;
      }
    }
    void this.pump();
  }

  /** The client went away. */
  disconnected(): void {
    if (this.ended === null) this.end('disconnect');
  }

  private end(why: SessionEndReason): void {
    if (this.ended !== null) return;
    this.ended = why;
    this.running = false;
    this.onEnd(why);
  }

  private reply(payload: string | Buffer): void {
    if (this.ended !== null) return;
    const b = frame(payload);
    this.lastSent = b;
    this.sendBytes(b);
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length > 0 && this.ended === null) {
        const pkt = this.queue.shift()!;
        let r: string | Resume | null;
        try {
          r = this.handle(pkt);
        } catch (e) {
          if (e instanceof TargetError) r = 'E01';
          else { this.log(`internal error on packet ${JSON.stringify(pkt.subarray(0, 40).toString('latin1'))}: ${e instanceof Error ? e.message : String(e)}`); r = 'E00'; }
        }
        if (r === null) continue;
        if (typeof r === 'string') { this.reply(r); continue; }
        await this.resume(r);
      }
    } finally {
      this.busy = false;
    }
  }

  private async resume(r: Resume): Promise<void> {
    const t = this.t;
    let stop: TargetStop | null;
    this.selected = -1;
    try {
      if (r.kind === 'reverse-step') stop = t.reverseStep();
      else if (r.kind === 'reverse-continue') stop = t.reverseContinue();
      else {
        this.running = true;
        this.interrupted = false;
        let fresh = true;
        for (;;) {
          stop = t.forward(r, SLICE, fresh);
          fresh = false;
          if (stop !== null) break;
          // Let the connection deliver a Ctrl-C (or a hang-up) before the next slice.
          await new Promise<void>((res) => setImmediate(res));
          if (this.ended !== null) return;
          if (this.interrupted) break;
        }
      }
    } catch (e) {
      this.running = false;
      this.log(`internal error while running: ${e instanceof Error ? e.message : String(e)}`);
      this.reply(this.lastStop = `T${hex2(SIGABRT)}thread:${this.tid()};`);
      return;
    }
    this.running = false;
    const text = stop === null ? `T${hex2(SIGINT)}thread:${this.tid()};` : this.stopReply(stop);
    this.lastStop = text;
    this.reply(text);
    this.onStop();
    if (text.startsWith('W')) this.end('exit');
  }

  /** Thread 1 is the running frame, whichever it is, so a stop is always in thread 1. */
  private tid(): string {
    return '1';
  }

  /** The frame of thread `tid`: 1 the running one, 2.. the suspended ones, outermost first. */
  private frameIndex(tid: number, count: number): number {
    if (tid === 1) return count - 1;
    return tid >= 2 && tid - 2 < count - 1 ? tid - 2 : -1;
  }

  private stopReply(s: TargetStop): string {
    const th = `thread:${this.tid()};`;
    switch (s.kind) {
      case 'step':
      case 'breakpoint':
      case 'frame':
        return `T${hex2(SIGTRAP)}${th}`;
      case 'watch': {
        const key = s.watch === 'write' ? 'watch' : s.watch === 'read' ? 'rwatch' : 'awatch';
        return `T${hex2(SIGTRAP)}${key}:${(s.addr >>> 0).toString(16)};${th}`;
      }
      case 'begin':
        return `T${hex2(SIGTRAP)}replaylog:begin;${th}`;
      case 'end': {
        const e = s.end;
        switch (e.kind) {
          case 'exit': return `W${hex2(e.code)}`;
          case 'return': return 'W00';
          case 'throw': return `T${hex2(SIGABRT)}${th}`;
          case 'trap': {
            const sig = e.cause === Cause.ILLEGAL_INSTRUCTION ? SIGILL : e.cause === Cause.BREAKPOINT ? SIGTRAP : e.cause === Cause.OUT_OF_GAS ? SIGXCPU : SIGSEGV;
            return `T${hex2(sig)}${th}`;
          }
          case 'unavailable': return `T${hex2(SIGBUS)}${th}`;
          case 'host-error': return `T${hex2(SIGSYS)}${th}`;
          case 'limit': return `T${hex2(SIGINT)}${th}`;
        }
      }
    }
  }

  /** The frame a read or write means: the one `Hg` selected, else the running one. */
  private frame(): FrameInfo {
    const fs = this.t.frames();
    return this.selected >= 0 && this.selected < fs.length ? fs[this.selected]! : fs[fs.length - 1]!;
  }

  private isRunningFrame(): boolean {
    return this.selected < 0 || this.selected === this.t.frames().length - 1;
  }

  /** The reply to one packet, a motion to perform, or null for no reply. */
  private handle(pkt: Buffer): string | Resume | null {
    const s = pkt.toString('latin1');
    const t = this.t;
    switch (s[0]) {
      case '?': return this.lastStop;
      case 'g': {
        const f = this.frame();
        let out = '';
        for (let i = 0; i < 32; i++) out += regHex(i === 0 ? 0 : f.regs[i]!);
        return out + regHex(f.pc);
      }
      case 'G': {
        if (!this.isRunningFrame()) return 'E01';
        const b = fromHex(s.slice(1));
        if (b === null || b.length < 33 * 4) return 'E01';
        for (let i = 1; i < 33; i++) t.writeRegister(i, b.readUInt32LE(4 * i));
        return 'OK';
      }
      case 'p': {
        const n = parseHex(s.slice(1), 4);
        if (n === null || n > 32) return 'E01';
        const f = this.frame();
        return regHex(n === 32 ? f.pc : n === 0 ? 0 : f.regs[n]!);
      }
      case 'P': {
        const m = /^P([0-9a-fA-F]{1,4})=([0-9a-fA-F]{8})$/.exec(s);
        if (m === null || !this.isRunningFrame()) return 'E01';
        const n = parseInt(m[1]!, 16);
        if (n > 32) return 'E01';
        t.writeRegister(n, Buffer.from(m[2]!, 'hex').readUInt32LE(0));
        return 'OK';
      }
      case 'm': {
        const m = /^m([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(s);
        const addr = m === null ? null : parseHex(m[1]!), len = m === null ? null : parseHex(m[2]!);
        if (addr === null || len === null) return 'E01';
        if (len === 0) return '';
        const bytes = t.readMemory(this.frame().mem, addr, Math.min(len, MAX_READ));
        return bytes.length === 0 ? 'E01' : toHex(bytes);
      }
      case 'M': {
        const m = /^M([0-9a-fA-F]+),([0-9a-fA-F]+):([0-9a-fA-F]*)$/.exec(s);
        const addr = m === null ? null : parseHex(m[1]!), len = m === null ? null : parseHex(m[2]!);
        const data = m === null ? null : fromHex(m[3]!);
        if (addr === null || len === null || data === null || data.length !== len || !this.isRunningFrame()) return 'E01';
        t.writeMemory(addr, data);
        return 'OK';
      }
      case 'X': {
        const colon = pkt.indexOf(0x3a);
        const m = colon < 0 ? null : /^X([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(pkt.subarray(0, colon).toString('latin1'));
        const addr = m === null ? null : parseHex(m[1]!), len = m === null ? null : parseHex(m[2]!);
        if (addr === null || len === null) return 'E01';
        const data = pkt.subarray(colon + 1);
        if (data.length !== len || !this.isRunningFrame()) return 'E01';
        t.writeMemory(addr, data);
        return 'OK';
      }
      case 'Z':
      case 'z':
        return this.point(s);
      case 'c':
      case 's':
      case 'C':
      case 'S': {
        // `c [addr]`, `C sig[;addr]`: a resume address moves pc first (a register write).
        const rest = s[0] === 'c' || s[0] === 's' ? s.slice(1) : s.slice(1).split(';')[1] ?? '';
        if (rest !== '') {
          const a = parseHex(rest);
          if (a === null) return 'E01';
          t.writeRegister(32, a);
        }
        return s[0] === 'c' || s[0] === 'C' ? { kind: 'continue' } : { kind: 'step' };
      }
      case 'b':
        if (s === 'bs') return { kind: 'reverse-step' };
        if (s === 'bc') return { kind: 'reverse-continue' };
        return '';
      case 'H': {
        if (s.length < 2) return 'E01';
        const id = s.slice(2);
        if (s[1] !== 'g') return 'OK';
        if (id === '0' || id === '-1') { this.selected = -1; return 'OK'; }
        const n = parseHex(id, 4), count = t.frames().length;
        const i = n === null ? -1 : this.frameIndex(n, count);
        if (i < 0) return 'E01';
        this.selected = i;
        return 'OK';
      }
      case 'T': {
        const n = parseHex(s.slice(1), 4);
        return n !== null && this.frameIndex(n, t.frames().length) >= 0 ? 'OK' : 'E01';
      }
      case 'k':
        this.end('kill');
        return null;
      case 'D':
        this.reply('OK');
        this.end('detach');
        return null;
      case 'q':
      case 'Q':
        return this.query(s);
      case 'v':
        return this.vPacket(s);
      default:
        return '';
    }
  }

  private point(s: string): string {
    const m = /^([Zz])([0-4]),([0-9a-fA-F]+),([0-9a-fA-F]+)(;.*)?$/.exec(s);
    if (m === null) return 'E01';
    const type = Number(m[2]), addr = parseHex(m[3]!), kind = parseHex(m[4]!);
    if (addr === null || kind === null) return 'E01';
    const t = this.t, insert = m[1] === 'Z';
    if (type <= 1) {
      // Software and hardware breakpoints are the same here: the stub compares pc, code is untouched.
      if (insert) t.addBreakpoint(addr); else t.removeBreakpoint(addr);
      return 'OK';
    }
    if (kind === 0 || addr + kind > 0x1_0000_0000) return 'E01';
    const w: Watch = { addr, len: kind, kind: (['write', 'read', 'access'] as WatchKind[])[type - 2]! };
    if (insert) t.addWatch(w); else t.removeWatch(w);
    return 'OK';
  }

  private query(s: string): string | null {
    const t = this.t;
    if (s.startsWith('qSupported')) {
      return `PacketSize=${PACKET_SIZE.toString(16)};qXfer:features:read+;ReverseStep+;ReverseContinue+;QStartNoAckMode+;vContSupported+`;
    }
    if (s === 'QStartNoAckMode') {
      // The OK still goes out with the acknowledgement expected; after it, none.
      this.reply('OK');
      this.noAck = true;
      return null;
    }
    if (s.startsWith('qXfer:features:read:')) {
      const m = /^qXfer:features:read:([^:]*):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(s);
      if (m === null) return 'E00';
      if (m[1] !== 'target.xml') return 'E00';
      const off = parseHex(m[2]!), len = parseHex(m[3]!);
      if (off === null || len === null) return 'E00';
      const doc = Buffer.from(TARGET_XML, 'latin1');
      if (off >= doc.length) return 'l';
      const n = Math.min(len, PACKET_SIZE - 16);
      const part = doc.subarray(off, off + n);
      return (off + part.length >= doc.length ? 'l' : 'm') + part.toString('latin1');
    }
    if (s === 'qfThreadInfo') return 'm' + t.frames().map((_, i) => (i + 1).toString(16)).join(',');
    if (s === 'qsThreadInfo') return 'l';
    if (s === 'qC') return `QC${this.tid()}`;
    if (s === 'qAttached') return '1';
    if (s.startsWith('qThreadExtraInfo,')) {
      const n = parseHex(s.slice('qThreadExtraInfo,'.length), 4);
      const fs = t.frames();
      const i = n === null ? -1 : this.frameIndex(n, fs.length);
      if (i < 0) return 'E01';
      const f = fs[i]!;
      return toHex(Buffer.from(`${f.kind} frame, depth ${f.depth}, pset 0x${f.pset.toString(16)}, gas ${f.gasUsed}/${gasText(f.gasLimit)}${f.running ? '' : ', suspended'}`));
    }
    if (s.startsWith('qRcmd,')) {
      const cmd = fromHex(s.slice(6));
      if (cmd === null) return 'E01';
      const text = this.monitor(cmd.toString('utf8').trim());
      return text === '' ? 'OK' : toHex(Buffer.from(text, 'utf8'));
    }
    if (s === 'qSymbol::') return 'OK';
    return '';
  }

  private vPacket(s: string): string | Resume | null {
    if (s === 'vCont?') return 'vCont;c;C;s;S;r';
    if (s.startsWith('vCont;')) {
      // One machine runs one frame at a time: the first action is the machine's.
      const action = s.slice(6).split(';')[0]!.split(':')[0]!;
      if (action === 'c' || /^C[0-9a-fA-F]{2}$/.test(action)) return { kind: 'continue' };
      if (action === 's' || /^S[0-9a-fA-F]{2}$/.test(action)) return { kind: 'step' };
      const r = /^r([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(action);
      if (r !== null) {
        const start = parseHex(r[1]!), end = parseHex(r[2]!);
        if (start === null || end === null) return 'E01';
        return { kind: 'range', start, end };
      }
      return 'E01';
    }
    if (s.startsWith('vKill')) {
      this.reply('OK');
      this.end('kill');
      return null;
    }
    return '';
  }

  // ---- monitor commands ----

  private monitor(line: string): string {
    const [cmd = '', arg] = line.split(/\s+/).filter(Boolean);
    const t = this.t;
    switch (cmd) {
      case '':
      case 'help':
        return MONITOR_HELP;
      case 'cycles': {
        const c = t.cycles;
        return `${c === null ? 'cycles: none on the ISS (--model cycle counts them)' : `cycles ${c}`}\ninstructions retired ${t.retired}\n`;
      }
      case 'gas': {
        const f = t.frames().at(-1)!;
        const left = f.gasLimit >= Number.MAX_SAFE_INTEGER ? 'infinite' : String(f.gasLimit - f.gasUsed);
        return `gas used ${f.gasUsed}, limit ${gasText(f.gasLimit)}, left ${left} (${f.kind} frame, depth ${f.depth})\n`;
      }
      case 'frames':
        return this.framesText();
      case 'pipe':
      case 'pipeline':
        return this.pipeText();
      case 'stop-on-frames':
        if (arg === 'on' || arg === 'off') t.stopOnFrames = arg === 'on';
        else if (arg !== undefined) return `monitor stop-on-frames takes on or off\n`;
        return `stop-on-frames ${t.stopOnFrames ? 'on' : 'off'}: ${t.stopOnFrames ? 'running forward stops' : 'no stop'} when a frame is entered or left\n`;
      case 'history':
        return `position ${t.position}; history from ${t.historyStart}; ${t.snapshots} snapshots${t.ended === null ? '' : `; the program ended: ${describeSessionEnd(t.ended)}`}\n`;
      default:
        return `unknown monitor command '${cmd}'; monitor help lists them\n`;
    }
  }

  private framesText(): string {
    const fs = this.t.frames();
    const rows = fs.map((f, i) => {
      const gas = `${f.gasUsed}/${gasText(f.gasLimit)}`;
      return `${f.running ? '*' : ' '} ${String(f.running ? 1 : i + 2).padEnd(6)} ${f.kind.padEnd(7)} ${String(f.depth).padEnd(5)} ${('0x' + f.pset.toString(16)).padEnd(5)} ${gas.padEnd(24)} ${hex8(f.pc)}`;
    });
    return `  thread kind    depth pset  gas used/limit           pc\n${rows.join('\n')}\n`;
  }

  private pipeText(): string {
    const t = this.t, stages = t.pipeline();
    if (stages === null) return t.model === 'iss' ? 'pipeline: none on the ISS (--model cycle has one)\n' : 'pipeline: nothing has run yet\n';
    const lines = [`cycle ${t.cycles}`];
    for (const st of stages) {
      const pc = st.state === 'bubble' ? '-' : hex8(st.pc);
      const insn = st.insn === null ? '' : disassemble(st.insn, st.pc).replace('\t', ' ');
      lines.push(`${st.stage.padEnd(4)} ${pc.padEnd(10)}  ${st.state.padEnd(7)} ${insn}`.trimEnd());
    }
    return lines.join('\n') + '\n';
  }
}

const MONITOR_HELP = [
  'monitor cycles     cycles (cycle model) and instructions retired',
  'monitor gas        gas used, limit and left of the running frame',
  'monitor frames     every live EVM∞ frame: thread, kind, depth, PSET, gas, pc (* = running)',
  'monitor pipe       each pipeline stage in the last cycle (cycle model)',
  'monitor history    position in time, start of history, snapshots kept',
  'monitor stop-on-frames [on|off]   stop (SIGTRAP) when a frame is entered or left: stepi into EVAL',
  '',
].join('\n');

export interface ServeOptions extends SessionOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Called once listening, with the port. */
  onListening?: (port: number) => void;
}

/**
 * Listen on 127.0.0.1 for one gdb connection and serve it until it detaches, kills, the program
 * exits, or the client goes away. Other connections meanwhile are refused. Resolves with how it
 * ended; rejects if the port cannot be bound.
 */
export function serveGdb(t: GdbTarget, opts: ServeOptions): Promise<SessionEndReason> {
  return new Promise((resolve, reject) => {
    let active: Socket | null = null;
    const server: Server = createServer((sock) => {
      if (active !== null) { sock.destroy(); return; }
      active = sock;
      sock.setNoDelay(true);
      const session = new GdbSession(t, (b) => { if (!sock.destroyed) sock.write(b); }, (why) => {
        sock.end();
        server.close();
        resolve(why);
      }, opts);
      sock.on('data', (d: Buffer) => session.receive(d));
      sock.on('error', () => session.disconnected());
      sock.on('close', () => session.disconnected());
    });
    server.on('error', reject);
    server.listen(opts.port, '127.0.0.1', () => {
      const addr = server.address();
      opts.onListening?.(typeof addr === 'object' && addr !== null ? addr.port : opts.port);
    });
  });
}
