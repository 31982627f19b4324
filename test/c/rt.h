/* A freestanding runtime for the C test programs (RV32IM, ilp32, Linux user ABI).
 *
 * Build: riscv64-unknown-elf-gcc -march=rv32im -mabi=ilp32 -ffreestanding -fno-builtin
 *        -nostdlib -static prog.c -lgcc
 * The same ELF runs under qemu-riscv32 and `evminf run`; the tests compare the two.
 * Include this header from exactly one translation unit: it defines _start, memcpy & co.
 */
#ifndef RT_H
#define RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Linux RISC-V system call numbers (asm-generic/unistd.h). */
#define SYS_WRITE 64
#define SYS_EXIT 93
#define SYS_EXIT_GROUP 94

static inline long rt_syscall3(long n, long a, long b, long c) {
  register long a0 __asm__("a0") = a;
  register long a1 __asm__("a1") = b;
  register long a2 __asm__("a2") = c;
  register long a7 __asm__("a7") = n;
  __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
  return a0;
}

static inline long rt_write(int fd, const void *buf, size_t len) {
  return rt_syscall3(SYS_WRITE, fd, (long)buf, (long)len);
}

static inline __attribute__((noreturn)) void rt_exit(int code) {
  rt_syscall3(SYS_EXIT, code, 0, 0);
  for (;;) {}
}

static inline __attribute__((noreturn)) void rt_exit_group(int code) {
  rt_syscall3(SYS_EXIT_GROUP, code, 0, 0);
  for (;;) {}
}

/* Entry: gp for linker relaxation, then exit(main()). The loader (and QEMU) set sp. */
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

/* GCC may emit calls to these even with -ffreestanding -fno-builtin (struct copies, array
 * initialisers). The attribute keeps it from turning their own loops back into calls. */
#define RT_NOPATTERN __attribute__((optimize("no-tree-loop-distribute-patterns")))

RT_NOPATTERN void *memcpy(void *dst, const void *src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  while (n--) *d++ = *s++;
  return dst;
}

RT_NOPATTERN void *memmove(void *dst, const void *src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (d < s) {
    while (n--) *d++ = *s++;
  } else {
    while (n--) d[n] = s[n];
  }
  return dst;
}

RT_NOPATTERN void *memset(void *dst, int c, size_t n) {
  unsigned char *d = dst;
  while (n--) *d++ = (unsigned char)c;
  return dst;
}

RT_NOPATTERN int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *p = a, *q = b;
  for (; n; n--, p++, q++)
    if (*p != *q) return *p - *q;
  return 0;
}

RT_NOPATTERN size_t strlen(const char *s) {
  const char *p = s;
  while (*p) p++;
  return (size_t)(p - s);
}

/* ---- Formatted output: one write(2) per call, so stdout and stderr keep their order. ---- */

typedef struct {
  int fd;
  unsigned n;
  unsigned total;
  char buf[160];
} rt_out;

static void rt_flush(rt_out *o) {
  if (o->n) rt_write(o->fd, o->buf, o->n);
  o->n = 0;
}

static void rt_putc(rt_out *o, char c) {
  if (o->n == sizeof o->buf) rt_flush(o);
  o->buf[o->n++] = c;
  o->total++;
}

static void rt_pad(rt_out *o, char c, int n) {
  while (n-- > 0) rt_putc(o, c);
}

/* Unsigned 64-bit to digits (uses libgcc's __udivdi3/__umoddi3 for 64-bit values). */
static int rt_utoa(char *tmp, unsigned long long v, unsigned base, int upper) {
  const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  int n = 0;
  if (v <= 0xffffffffu) {
    unsigned w = (unsigned)v;
    do { tmp[n++] = digits[w % base]; w /= base; } while (w);
  } else {
    do { tmp[n++] = digits[v % base]; v /= base; } while (v);
  }
  return n;
}

/* %[-0][width][l|ll](d|i|u|x|X|c|s|%) */
static int rt_vformat(rt_out *o, const char *fmt, va_list ap) {
  for (; *fmt; fmt++) {
    if (*fmt != '%') { rt_putc(o, *fmt); continue; }
    fmt++;
    int left = 0, zero = 0, width = 0, lng = 0;
    for (;; fmt++) {
      if (*fmt == '-') left = 1;
      else if (*fmt == '0') zero = 1;
      else break;
    }
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l') { lng++; fmt++; }
    char tmp[24];
    int n = 0, neg = 0;
    const char *str = 0;
    switch (*fmt) {
      case 'd': case 'i': {
        long long v = lng >= 2 ? va_arg(ap, long long) : va_arg(ap, int);
        unsigned long long u = (unsigned long long)v;
        if (v < 0) { neg = 1; u = 0 - u; }
        n = rt_utoa(tmp, u, 10, 0);
        break;
      }
      case 'u': case 'x': case 'X': {
        unsigned long long v = lng >= 2 ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned);
        n = rt_utoa(tmp, v, *fmt == 'u' ? 10 : 16, *fmt == 'X');
        break;
      }
      case 'c': tmp[0] = (char)va_arg(ap, int); n = 1; break;
      case 's': str = va_arg(ap, const char *); if (!str) str = "(null)"; break;
      case '%': tmp[0] = '%'; n = 1; break;
      default: rt_putc(o, '%'); rt_putc(o, *fmt); continue;
    }
    if (str) {
      int len = (int)strlen(str);
      if (!left) rt_pad(o, ' ', width - len);
      while (*str) rt_putc(o, *str++);
      if (left) rt_pad(o, ' ', width - len);
      continue;
    }
    int len = n + neg;
    if (!left && !zero) rt_pad(o, ' ', width - len);
    if (neg) rt_putc(o, '-');
    if (!left && zero) rt_pad(o, '0', width - len);
    while (n > 0) rt_putc(o, tmp[--n]);
    if (left) rt_pad(o, ' ', width - len);
  }
  return (int)o->total;
}

static int rt_fprintf(int fd, const char *fmt, ...) {
  rt_out o;
  o.fd = fd; o.n = 0; o.total = 0;
  va_list ap;
  va_start(ap, fmt);
  int n = rt_vformat(&o, fmt, ap);
  va_end(ap);
  rt_flush(&o);
  return n;
}

#define printf(...) rt_fprintf(1, __VA_ARGS__)
#define eprintf(...) rt_fprintf(2, __VA_ARGS__)

static inline void rt_puts(const char *s) { rt_write(1, s, strlen(s)); rt_write(1, "\n", 1); }

/* Deterministic pseudo-random numbers (xorshift32). */
static uint32_t rt_seed = 2463534242u;
static inline uint32_t rt_rand(void) {
  uint32_t x = rt_seed;
  x ^= x << 13; x ^= x >> 17; x ^= x << 5;
  return rt_seed = x;
}

#endif
