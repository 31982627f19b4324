/* Integer mix: arithmetic, multiply/divide, loads/stores of every width, calls. */
#include "rt.h"

#define N 4096
static uint32_t a[N];
static uint16_t h[N];
static uint8_t b[N];

static uint32_t mix(uint32_t x, uint32_t y) { return (x * 2654435761u) ^ (y >> 3) ^ (y << 7); }

int main(void) {
  uint32_t acc = 1;
  for (int i = 0; i < N; i++) { a[i] = i * 7919u; h[i] = (uint16_t)(i * 31); b[i] = (uint8_t)i; }
  for (int round = 0; round < 40; round++) {
    for (int i = 1; i < N; i++) {
      uint32_t x = a[i] + h[i] - b[i];
      acc = mix(acc, x);
      a[i] = x ^ acc;
      h[i - 1] = (uint16_t)(acc >> 5);
      b[i] = (uint8_t)(x + round);
      if ((i & 63) == 0) acc += acc / (uint32_t)(i | 1) + acc % 97u;
    }
  }
  printf("intmix %08x\n", acc);
  return 0;
}
