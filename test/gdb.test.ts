// `evminf gdb` under Debian's gdb-multiarch in batch mode, on a C program built with -g
// (test/gdb/debugme.c). The forward half of the session (test/gdb/forward.gdb: breakpoints,
// continue, next, step into and finish out of a function, locals and globals, a conditional
// breakpoint, up/down, a watchpoint) must give the very transcript that gdb gives against
// qemu-riscv32's own gdb stub — the outside reference. The second half (test/gdb/reverse.gdb)
// has no reference there: reverse-continue must come back to the earlier breakpoint with the
// earlier registers, reverse execution must stop at the start of history, and inside the EVAL'd
// child `monitor frames` and the threads must show both frames. Both models run the same script.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CC, CFLAGS, EVMINF, QEMU, removeDir, tempDir } from './c/build.js';
import { describeWithTools, runTool, runToolOk } from './tools.js';

const GDB = 'gdb-multiarch';
const DIR = join(import.meta.dirname, 'gdb');
const SOURCE = join(DIR, 'debugme.c');

/** The 1-based line of debugme.c that contains `text`. */
function lineOf(text: string): number {
  const i = readFileSync(SOURCE, 'utf8').split('\n').findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`debugme.c has no line with ${text}`);
  return i + 1;
}

interface Stub { proc: ChildProcess; port: number; stdout: () => string; stderr: () => string; exited: Promise<number | null> }

/** Start `evminf gdb` and wait for the port it prints. */
function startStub(elf: string, model: string): Promise<Stub> {
  const proc = spawn(process.execPath, [EVMINF, 'gdb', elf, '--port', '0', '--model', model], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString('utf8'); });
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill(); reject(new Error(`evminf gdb printed no port: ${err}`)); }, 15_000);
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString('utf8');
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(err);
      if (m !== null) { clearTimeout(timer); resolve({ proc, port: Number(m[1]), stdout: () => out, stderr: () => err, exited }); }
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

function gdb(port: number, elf: string, scripts: string[], pre: string[] = []): string {
  const args = ['-q', '-batch', '-nx', ...pre.flatMap((c) => ['-ex', c]), '-ex', `target remote 127.0.0.1:${port}`, ...scripts.flatMap((s) => ['-x', join(DIR, s)]), elf];
  // One stream, so that gdb's messages and the commands' output keep their order.
  const r = runTool('sh', ['-c', `exec ${GDB} "$@" 2>&1`, 'sh', ...args], { timeoutMs: 60_000 });
  return r.stdout;
}

/** Lines between two markers of a transcript. */
function between(text: string, from: RegExp, to: RegExp): string {
  const a = text.search(from);
  const rest = text.slice(a + 1);
  const b = rest.search(to);
  return a < 0 || b < 0 ? '' : rest.slice(0, b);
}

describeWithTools([CC, QEMU, GDB], 'evminf gdb under gdb-multiarch', () => {
  let dir: string;
  let elf: string;
  let reference: string;

  beforeAll(async () => {
    dir = tempDir('gdb');
    elf = join(dir, 'debugme.elf');
    // Compiled from its own folder, so that gdb names the file as QEMU's session and ours both see it.
    runToolOk(CC, ['-O0', '-g', ...CFLAGS, '-o', elf, 'debugme.c', '-lgcc'], { cwd: DIR, timeoutMs: 60_000 });
    // QEMU's user-mode stub has no hardware watchpoints: gdb watches in software there, which
    // stops at the same instruction.
    const port = await freePort();
    const qemu = spawn(QEMU, ['-g', String(port), elf], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 300));
      reference = gdb(port, elf, ['forward.gdb'], ['set can-use-hw-watchpoints 0']);
    } finally {
      qemu.kill();
    }
  }, 60_000);
  afterAll(() => removeDir(dir));

  test('the program is what the script expects', () => {
    expect(CFLAGS).toContain('-march=rv32im');
    expect(reference).toContain(`Breakpoint 1, accumulate (n=5) at debugme.c:${lineOf('int total = 0;')}`);
    expect(reference).toMatch(/Old value = 2\nNew value = 3/);
  });

  describe.each(['iss', 'cycle'])('--model %s', (model) => {
    let transcript: string;
    let stub: Stub;

    beforeAll(async () => {
      stub = await startStub(elf, model);
      transcript = gdb(stub.port, elf, ['forward.gdb', 'reverse.gdb']);
      await Promise.race([stub.exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (stub.proc.exitCode === null) stub.proc.kill();
    }, 60_000);

    test('forward: the same transcript as gdb against qemu-riscv32', () => {
      const ours = transcript.replaceAll('Hardware watchpoint', 'Watchpoint');
      expect(ours.slice(0, reference.length)).toBe(reference);
      // It stepped into square and finished out of it, and the watchpoint fired after the store
      // of `counter = counter + 1`, reported at the next line, as on QEMU.
      expect(reference).toContain(`square (v=1) at debugme.c:${lineOf('int sq = v * v;')}`);
      expect(reference).toContain('Value returned is $4 = 1');
      expect(reference).toMatch(new RegExp(`Old value = 2\\nNew value = 3\\naccumulate \\(n=5\\) at debugme.c:${lineOf('for (int i = 1')}`));
    });

    test('reverse-continue comes back to the earlier breakpoint with the earlier registers', () => {
      const rev = transcript.slice(reference.length);
      const regs = [...rev.matchAll(/^(ra|sp|gp|tp|t[0-6]|fp|s[0-9]+|a[0-7]|pc) +(0x[0-9a-f]+)/gm)].map((m) => `${m[1]}=${m[2]}`);
      // Two `info registers` (ra..t6 and pc): at square(5), and back there from run_child.
      expect(regs.length).toBe(64);
      expect(regs.slice(32)).toEqual(regs.slice(0, 32));
      expect(regs).toContain('a0=0x5');
      const square = lineOf('int sq = v * v;');
      expect(rev).toMatch(new RegExp(`Breakpoint \\d+, run_child \\(\\) at debugme.c:\\d+[^]*\\n\\nBreakpoint \\d+, square \\(v=5\\) at debugme.c:${square}\\n`));
      // reverse-step leaves square backwards, into the line of accumulate that called it.
      expect(rev).toMatch(new RegExp(`\\$\\d+ = 5\\naccumulate \\(n=5\\) at debugme.c:${lineOf('int s = square(i);')}\\n.*\\n\\$\\d+ = 5\\n`));
      // With no breakpoint left, reverse-continue stops at the start of history: the entry.
      expect(rev).toMatch(/No more reverse-execution history\.\n0x[0-9a-f]+ in _start \(\)\n\$\d+ = \(void \(\*\)\(\)\) 0x[0-9a-f]+ <_start>/);
    });

    test('monitor frames inside the EVAL child shows both frames', () => {
      const frames = between(transcript, /\n {2}thread kind/, /\ngas used/);
      expect(frames).toMatch(/\n {2}2 +root +0 +0x3f +\d+\/infinite +0x[0-9a-f]{8}/);
      expect(frames).toMatch(/\n\* 1 +eval +1 +0x0 +0\/1000 +0x00010000/);
      expect(transcript).toMatch(/gas used 0, limit 1000, left 1000 \(eval frame, depth 1\)/);
      expect(transcript).toMatch(/Thread 2 \(root frame, depth 0, pset 0x3f, gas \d+\/infinite, suspended\) 0x[0-9a-f]+ in run_child \(\)/);
      expect(transcript).toMatch(/#1 +0x[0-9a-f]+ in main \(\) at debugme\.c/);
      if (model === 'cycle') expect(transcript).toMatch(/\ncycle \d+\nIF {3}/);
      else expect(transcript).toContain('pipeline: none on the ISS');
      expect(transcript).toContain('[Inferior 1 (Remote target) exited normally]');
      // Guest output once, although the replay after reverse execution ran its write again.
      expect(stub.stdout()).toBe('total 55 counter 5 child status 0 output 6\n');
    });
  });
});
