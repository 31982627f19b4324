/* The benchmark workloads' runtime: the test programs' runtime (test/c/rt.h: _start, the Linux
 * RISC-V system calls, memcpy & co.; the same ELF runs on qemu-riscv32 and on `evminf run`) and,
 * on top, plain text output collected in a line buffer. Include it from the one source file of
 * a workload.
 *
 * Build (bench/run.ts does it): riscv64-unknown-elf-gcc -O2 -march=rv32im -mabi=ilp32
 *   -nostdlib -static -ffreestanding -fno-builtin prog.c -lgcc
 */
#ifndef BENCH_RT_H
#define BENCH_RT_H

#include "../../test/c/rt.h"

#define RT_FN static __attribute__((unused))

/* ---- Output: text is collected in a line buffer and written once per put_nl(). ---- */

static char rt_line[256];
static unsigned rt_len;

RT_FN void put_nl(void) {
  rt_line[rt_len++] = '\n';
  rt_write(1, rt_line, rt_len);
  rt_len = 0;
}

RT_FN void put_c(char c) {
  if (rt_len == sizeof rt_line - 1) { rt_write(1, rt_line, rt_len); rt_len = 0; }
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
