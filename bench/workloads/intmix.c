/* Integer mix: add/shift/logic, multiply and divide, loads and stores of every width, calls.
 * Prints a checksum; bench/run.ts compares it with qemu-riscv32's output. */
#include "rt.h"

#ifndef ROUNDS
#define ROUNDS 1000
#endif
#define N 4096

static uint32_t a[N];
static uint16_t h[N];
static uint8_t b[N];
static int8_t s8[N];

__attribute__((noinline)) static uint32_t mix(uint32_t x, uint32_t y) {
  return (x * 2654435761u) ^ (y >> 3) ^ (y << 7);
}

/* Signed and unsigned division and remainder, high multiply. */
__attribute__((noinline)) static uint32_t divmix(uint32_t acc, int i) {
  int32_t q = (int32_t)acc / (int32_t)(i | 1);
  uint64_t p = (uint64_t)acc * (uint64_t)(uint32_t)(i * 40503u);
  return acc + (uint32_t)q + acc % 97u + (uint32_t)(p >> 32);
}

__attribute__((noinline)) static uint32_t fold(const uint32_t *p, const int8_t *q, int n) {
  uint32_t s = 0;
  for (int i = 0; i < n; i += 4) s = (s << 1 | s >> 31) + p[i] * (uint32_t)(q[i] | 1);
  return s;
}

int main(void) {
  uint32_t acc = 1;
  for (int i = 0; i < N; i++) { a[i] = i * 7919u; h[i] = (uint16_t)(i * 31); b[i] = (uint8_t)i; s8[i] = (int8_t)(i * 13); }
  for (int round = 0; round < ROUNDS; round++) {
    for (int i = 1; i < N; i++) {
      uint32_t x = a[i] + h[i] - b[i] + (uint32_t)(int32_t)s8[i];
      acc = mix(acc, x);
      a[i] = x ^ acc;
      h[i - 1] = (uint16_t)(acc >> 5);
      b[i] = (uint8_t)(x + round);
      s8[i] = (int8_t)(acc >> 11);
      if ((i & 15) == 0) acc = divmix(acc, i);
    }
    acc ^= fold(a, s8, N);
  }
  put_s("intmix ");
  put_x32(acc);
  put_nl();
  return 0;
}
