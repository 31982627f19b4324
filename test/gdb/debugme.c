/* The program test/gdb.test.ts debugs with gdb-multiarch (test/gdb/forward.gdb and reverse.gdb): functions to
 * step into and out of, a local and a global to print, a global to watch, and an EVAL'd child
 * frame. Built with -g -O0 so that every line has code and every local lives on the stack. */
#include "../c/rt.h"

int counter;              /* written once per loop turn: the watchpoint's target */
int squares[6];

/* The child frame's code, copied into its own code ROM by EVAL: it sums 3 + 2 + 1 into t1,
 * stores it at the top of its RAM and RETURNs those 4 bytes. */
__asm__(
    ".section .rodata\n"
    ".balign 4\n"
    ".globl child_code\n"
    "child_code:\n"
    "  li t0, 3\n"
    "  li t1, 0\n"
    "1:\n"
    "  add t1, t1, t0\n"
    "  addi t0, t0, -1\n"
    "  bnez t0, 1b\n"
    "  addi a0, sp, -4\n"
    "  sw t1, 0(a0)\n"
    "  li a1, 4\n"
    "  .insn r 0x0b, 1, 0, x0, a0, a1\n" /* return a0, a1 */
    ".globl child_end\n"
    "child_end:\n"
    ".text\n");
extern const unsigned char child_code[], child_end[];

/* The EVAL descriptor (docs/architecture.md, EVAL). */
struct desc {
  uint32_t pset, cstart, csize, istart, isize, ostart, osize, gas, nstart, nsize, ramsize, result, gasused;
};
static struct desc child;
static uint32_t child_out;

static int square(int v) {
  int sq = v * v;
  return sq;
}

static int accumulate(int n) {
  int total = 0;
  for (int i = 1; i <= n; i++) {
    int s = square(i);
    squares[i] = s;
    total += s;
    counter = counter + 1;
  }
  return total;
}

static int run_child(void) {
  child.pset = 0;
  child.cstart = (uint32_t)child_code;
  child.csize = (uint32_t)(child_end - child_code);
  child.ostart = (uint32_t)&child_out;
  child.osize = 4;
  child.gas = 1000;
  child.ramsize = 64;
  int status;
  __asm__ volatile("eval_site:\n"
                   "  .insn r 0x0b, 0, 0, %0, %1, x0\n" /* eval status, &child */
                   : "=r"(status) : "r"(&child) : "memory");
  return status;
}

int main(void) {
  int total = accumulate(5);
  int status = run_child();
  rt_fprintf(1, "total %d counter %d child status %d output %u\n", total, counter, status, (unsigned)child_out);
  return total == 55 && counter == 5 && status == 0 && child_out == 6 ? 0 : 1;
}
