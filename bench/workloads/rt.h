/* The benchmark workloads' runtime: _start, the write and exit system calls of the Linux RISC-V
 * user ABI (so the same ELF runs on qemu-riscv32 and on `evminf run`), memcpy/memset, and plain
 * text output. Include it from the one source file of a workload.
 *
 * Build (bench/run.ts does it): riscv64-unknown-elf-gcc -O2 -march=rv32im -mabi=ilp32
 *   -nostdlib -static -ffreestanding -fno-builtin prog.c -lgcc
 */
#ifndef BENCH_RT_H
#define BENCH_RT_H

#include <stddef.h>
#include <stdint.h>

#define SYS_WRITE 64
#define SYS_EXIT 93

static inline long sys3(long n, long a, long b, long c) {
  register long a0 __asm__("a0") = a;
  register long a1 __asm__("a1") = b;
  register long a2 __asm__("a2") = c;
  register long a7 __asm__("a7") = n;
  __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
  return a0;
}

/* Entry: gp for linker relaxation, then exit(main()). The loader and QEMU set sp. */
__asm__(
    ".section .text._start,\"ax\",@progbits\n"
    ".globl _start\n"
    "_start:\n"
    ".option push\n"
    ".option norelax\n"
    "  la gp, __global_pointer$\n"
    ".option pop\n"
    "  call main\n"
    "  li a7, 93\n"
    "  ecall\n"
    "1: j 1b\n"
    ".previous\n");

/* GCC emits calls to these for struct copies and array initialisers even when freestanding;
 * the attribute keeps it from turning their own loops back into calls to themselves. */
#define RT_NOPATTERN __attribute__((optimize("no-tree-loop-distribute-patterns")))

RT_NOPATTERN void *memcpy(void *dst, const void *src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  while (n--) *d++ = *s++;
  return dst;
}

RT_NOPATTERN void *memset(void *dst, int c, size_t n) {
  unsigned char *d = dst;
  while (n--) *d++ = (unsigned char)c;
  return dst;
}

#define RT_FN static __attribute__((unused))

/* ---- Output: text is collected in a line buffer and written once per put_nl(). ---- */

static char rt_line[256];
static unsigned rt_len;

RT_FN void put_nl(void) {
  rt_line[rt_len++] = '\n';
  sys3(SYS_WRITE, 1, (long)rt_line, rt_len);
  rt_len = 0;
}

RT_FN void put_c(char c) {
  if (rt_len == sizeof rt_line - 1) { sys3(SYS_WRITE, 1, (long)rt_line, rt_len); rt_len = 0; }
  rt_line[rt_len++] = c;
}

RT_FN void put_s(const char *s) {
  while (*s) put_c(*s++);
}

RT_FN void put_u32(uint32_t v) {
  char tmp[10];
  int n = 0;
  do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (n) put_c(tmp[--n]);
}

RT_FN void put_hex(const uint8_t *p, unsigned n) {
  static const char digits[] = "0123456789abcdef";
  for (unsigned i = 0; i < n; i++) { put_c(digits[p[i] >> 4]); put_c(digits[p[i] & 15]); }
}

RT_FN void put_x32(uint32_t v) {
  uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
  put_hex(b, 4);
}

#endif
