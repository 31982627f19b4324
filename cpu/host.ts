// The host: the root frame's interrupt handler. It speaks the subset of the Linux RISC-V user
// ABI that static test programs use (syscall number in a7, arguments in a0–a2, result in a0),
// so the same ELF runs identically under qemu-riscv32.

import type { AddressSpace } from './memory.js';

export const SYS_WRITE = 64;
export const SYS_EXIT = 93;
export const SYS_EXIT_GROUP = 94;
const EBADF = 9, EFAULT = 14;
const A0 = 10, A1 = 11, A2 = 12, A7 = 17;

/** An ECALL the host does not serve. */
export class HostError extends Error {
  /** The exit code's name (cpu/exit-codes.ts EXIT) when this error ends an evminf command. */
  readonly exit = 'UNKNOWN_SYSCALL' as const;
  constructor(readonly number: number, pc: number) {
    super(`unknown system call ${number} (a7) at pc 0x${(pc >>> 0).toString(16)}`);
  }
}

export interface HostState {
  readonly x: Int32Array;
  readonly mem: AddressSpace;
}

/** What the guest wrote, per file descriptor, and how it exited. */
export class LinuxHost {
  exitCode: number | null = null;
  private readonly chunks: Uint8Array[][] = [[], [], []];

  /**
   * @param sink receives output as it is written (fd, bytes); when absent output is kept and
   *   read back with `output(fd)`.
   */
  constructor(private readonly sink?: (fd: number, bytes: Uint8Array) => void) {}

  /** Serve the ECALL that just retired at `pc`. Returns true when the guest exited. */
  ecall(s: HostState, pc: number): boolean {
    const x = s.x;
    const n = x[A7]!;
    switch (n) {
      case SYS_EXIT:
      case SYS_EXIT_GROUP:
        this.exitCode = x[A0]! & 0xff;
        return true;
      case SYS_WRITE: {
        const fd = x[A0]!, addr = x[A1]! >>> 0, len = x[A2]! >>> 0;
        if (fd !== 1 && fd !== 2) { x[A0] = -EBADF; return false; }
        const bytes = len === 0 ? new Uint8Array(0) : s.mem.peek(addr, len);
        if (bytes === null) { x[A0] = -EFAULT; return false; }
        if (this.sink) this.sink(fd, bytes); else this.chunks[fd]!.push(bytes);
        x[A0] = len;
        return false;
      }
      default:
        throw new HostError(n, pc);
    }
  }

  output(fd: 1 | 2): Uint8Array {
    const parts = this.chunks[fd]!;
    let n = 0;
    for (const p of parts) n += p.length;
    const out = new Uint8Array(n);
    n = 0;
    for (const p of parts) { out.set(p, n); n += p.length; }
    return out;
  }
}
