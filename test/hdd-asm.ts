// Assembly programs that drive the hard drive (peripherals/hdd.ts) from the guest, for
// test/hdd.test.ts and test/hdd-db.test.ts. A program sets registers, writes CMD and logs each
// command's STATUS, OUTLEN, RESULT and POINT into `log` (16 bytes a command), so a test reads
// back what the guest saw on either model.

import { Hdd, HddReg } from '../peripherals/regs.js';

export const LOG_WORDS = 4;

export class HddAsm {
  private readonly text: string[] = [];
  private readonly data: string[] = [];
  private labels = 0;
  /** Commands logged so far (index into `log`). */
  logged = 0;

  /** A data label holding `bytes`, word aligned; returns its name. */
  bytes(b: Uint8Array, name = `dat_${this.labels++}`): string {
    this.data.push(`  .balign 4\n${name}:${b.length > 0 ? ' .byte ' + Array.from(b).join(', ') : ''}`);
    return name;
  }

  /** `n` zero bytes, word aligned; returns its name. */
  space(n: number, name = `buf_${this.labels++}`): string {
    this.data.push(`  .balign 4\n${name}: .space ${Math.max(4, n)}`);
    return name;
  }

  /** Raw instructions. */
  asm(lines: string): this {
    this.text.push(lines);
    return this;
  }

  /** A register := a number, or a label's address. */
  set(reg: HddReg, v: number | string): this {
    this.text.push(typeof v === 'number' ? `  li t0, ${v | 0}` : `  la t0, ${v}`);
    this.text.push(`  sw t0, ${reg}(t6)`);
    return this;
  }

  /** HASH := the 32 bytes at `label`. */
  setHash(label: string): this {
    this.text.push(`  la t1, ${label}`);
    for (let k = 0; k < 8; k++) this.text.push(`  lw t0, ${4 * k}(t1)\n  sw t0, ${HddReg.HASH + 4 * k}(t6)`);
    return this;
  }

  /** The 32 bytes of HASH to `label`. */
  saveHash(label: string): this {
    this.text.push(`  la t1, ${label}`);
    for (let k = 0; k < 8; k++) this.text.push(`  lw t0, ${HddReg.HASH + 4 * k}(t6)\n  sw t0, ${4 * k}(t1)`);
    return this;
  }

  /** Write CMD, then log STATUS, OUTLEN, RESULT, POINT; returns the command's log index. */
  cmd(code: number): number {
    this.text.push(`  li t0, ${code}\n  sw t0, ${HddReg.CMD}(t6)`);
    const at = 4 * LOG_WORDS * this.logged;
    for (const [k, r] of [HddReg.STATUS, HddReg.OUTLEN, HddReg.RESULT, HddReg.POINT].entries()) this.text.push(`  lw t0, ${r}(t6)\n  sw t0, ${at + 4 * k}(s1)`);
    return this.logged++;
  }

  /** The program: exit code 0 after the last command (unless `tail` decides otherwise). */
  source(tail = ''): string {
    return `
  .text
  .globl _start
_start:
  li t6, 0x${Hdd.BASE.toString(16)}
  la s1, log
${this.text.join('\n')}
${tail}
  li a0, 0
  li a7, 93
  ecall
  .data
  .balign 4
log: .space ${Math.max(4, 4 * LOG_WORDS * this.logged)}
${this.data.join('\n')}
`;
  }
}
