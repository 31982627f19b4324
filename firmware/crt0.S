/* Frame entry of every ROM image (docs/consensus.md, firmware/README.md). The frame starts at
 * 0x0001_0000 with a0 = input address, a1 = input length and sp at the top of its RAM (EVAL, or
 * the host loading a ROM as the root frame). RAM is zero, so .bss needs nothing; .data is copied
 * from its image in ROM. main(input, len) may end the frame itself (evm_return / evm_throw);
 * if it returns r, the frame RETURNs no output when r = 0 and THROWs r otherwise. */
  .section .text.start, "ax"
  .globl _start
_start:
  la t0, __data_load
  la t1, __data_start
  la t2, __data_end
1:
  bgeu t1, t2, 2f
  lw t3, 0(t0)
  sw t3, 0(t1)
  addi t0, t0, 4
  addi t1, t1, 4
  j 1b
2:
  call main
  bnez a0, 3f
  li a1, 0
  .insn r 0x0b, 1, 0, x0, a0, a1   /* return a0 (= 0), 0 */
3:
  .insn r 0x0b, 2, 0, x0, a0, x0   /* throw a0 */
