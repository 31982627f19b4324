// Outside tools for tests (cross binutils, QEMU, ...). A test that needs one says so when it is
// absent: normally it is skipped with a message; under CI=true an absent tool is a failure.

import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';

const found = new Map<string, boolean>();

/** True when `cmd` is an executable on PATH. */
export function hasTool(cmd: string): boolean {
  let ok = found.get(cmd);
  if (ok === undefined) {
    ok = spawnSync('sh', ['-c', 'command -v "$1" >/dev/null 2>&1', 'sh', cmd]).status === 0;
    found.set(cmd, ok);
  }
  return ok;
}

/** True when running under CI (CI=true), where a missing tool must fail rather than skip. */
export const inCI = (): boolean => process.env.CI === 'true';

/** The commands of `cmds` that are not on PATH. */
export function missingTools(cmds: readonly string[]): string[] {
  return cmds.filter((c) => !hasTool(c));
}

/**
 * For use inside a test body: true when every tool is present; otherwise throws under CI and
 * returns false (after saying what is missing) elsewhere, so the caller can return early.
 */
export function requireTools(cmds: readonly string[]): boolean {
  const missing = missingTools(cmds);
  if (missing.length === 0) return true;
  const why = `missing tool${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`;
  if (inCI()) throw new Error(`${why} (CI=true: a missing tool is a failure)`);
  console.warn(`skipping: ${why}`);
  return false;
}

/** requireTools for one command. */
export const requireTool = (cmd: string): boolean => requireTools([cmd]);

/**
 * describe() for a group of tests that needs outside tools. With every tool present it is a plain
 * describe; otherwise the group is skipped with the reason in its name, or under CI=true replaced
 * by one failing test that names the missing tools.
 */
export function describeWithTools(cmds: readonly string[], name: string, fn: () => void): void {
  const missing = missingTools(cmds);
  if (missing.length === 0) {
    describe(name, fn);
    return;
  }
  const why = `needs ${missing.join(', ')}, not found on PATH`;
  if (inCI()) {
    describe(name, () => {
      it(why, () => { throw new Error(`${name}: ${why} (CI=true: a missing tool is a failure)`); });
    });
  } else {
    console.warn(`skipping "${name}": ${why}`);
    describe.skip(`${name} [skipped: ${why}]`, fn);
  }
}

export interface ToolResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutBytes: Buffer;
}

/** Run a tool to completion (no shell), capturing its output. */
export function runTool(cmd: string, args: readonly string[], opts: { cwd?: string; input?: string | Uint8Array; timeoutMs?: number } = {}): ToolResult {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, input: opts.input, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8'), stdoutBytes: r.stdout };
}

/** Run a tool and throw with its stderr unless it exits 0. */
export function runToolOk(cmd: string, args: readonly string[], opts: { cwd?: string; input?: string | Uint8Array; timeoutMs?: number } = {}): ToolResult {
  const r = runTool(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r;
}
