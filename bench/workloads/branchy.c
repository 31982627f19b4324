/* Data-dependent branches: a state machine, quicksort and binary search over pseudo-random
 * data. Exits 1 if the sort is wrong; prints a checksum that bench/run.ts compares with
 * qemu-riscv32's output. */
#include "rt.h"

#ifndef ROUNDS
#define ROUNDS 120
#endif
#define N 6000

static int32_t v[N];

static void quicksort(int32_t *p, int lo, int hi) {
  while (lo < hi) {
    int32_t pivot = p[(lo + hi) >> 1];
    int i = lo, j = hi;
    while (i <= j) {
      while (p[i] < pivot) i++;
      while (p[j] > pivot) j--;
      if (i <= j) { int32_t t = p[i]; p[i] = p[j]; p[j] = t; i++; j--; }
    }
    /* Recurse into the smaller half, loop on the larger: the stack stays O(log n). */
    if (j - lo < hi - i) { quicksort(p, lo, j); lo = i; } else { quicksort(p, i, hi); hi = j; }
  }
}

static int search(const int32_t *p, int n, int32_t key) {
  int lo = 0, hi = n;
  while (lo < hi) {
    int mid = (lo + hi) >> 1;
    if (p[mid] < key) lo = mid + 1; else hi = mid;
  }
  return lo;
}

int main(void) {
  uint32_t seed = 12345, state = 0, count = 0, found = 0;
  for (int round = 0; round < ROUNDS; round++) {
    for (int i = 0; i < N; i++) { seed = seed * 1103515245u + 12345u; v[i] = (int32_t)(seed >> 1) - (1 << 30); }
    for (int i = 0; i < N; i++) {
      uint32_t c = (uint32_t)v[i] & 7;
      switch (state) {
        case 0: state = c > 3 ? 1 : 2; break;
        case 1: state = c & 1 ? 3 : 0; count++; break;
        case 2: state = c == 5 ? 0 : 3; break;
        default: state = c < 2 ? 1 : 0; count += 2; break;
      }
    }
    quicksort(v, 0, N - 1);
    for (int i = 1; i < N; i++) if (v[i - 1] > v[i]) return 1;
    for (int i = 0; i < N; i += 8) found += (uint32_t)search(v, N, v[i] ^ (int32_t)count);
  }
  put_s("branchy ");
  put_u32(count);
  put_c(' ');
  put_u32(found);
  put_c(' ');
  put_x32((uint32_t)v[N / 2]);
  put_nl();
  return 0;
}
