/* Data-dependent branches: a state machine and quicksort over pseudo-random data. */
#include "rt.h"

#define N 6000
static int32_t v[N];

static void qs(int32_t *p, int lo, int hi) {
  while (lo < hi) {
    int32_t piv = p[(lo + hi) >> 1];
    int i = lo, j = hi;
    while (i <= j) {
      while (p[i] < piv) i++;
      while (p[j] > piv) j--;
      if (i <= j) { int32_t t = p[i]; p[i] = p[j]; p[j] = t; i++; j--; }
    }
    if (j - lo < hi - i) { qs(p, lo, j); lo = i; } else { qs(p, i, hi); hi = j; }
  }
}

int main(void) {
  uint32_t s = 12345, state = 0, count = 0;
  for (int round = 0; round < 12; round++) {
    for (int i = 0; i < N; i++) { s = s * 1103515245u + 12345u; v[i] = (int32_t)(s >> 1) - (1 << 30); }
    for (int i = 0; i < N; i++) {
      uint32_t c = (uint32_t)v[i] & 7;
      switch (state) {
        case 0: state = c > 3 ? 1 : 2; break;
        case 1: state = c & 1 ? 3 : 0; count++; break;
        case 2: state = c == 5 ? 0 : 3; break;
        default: state = c < 2 ? 1 : 0; count += 2; break;
      }
    }
    qs(v, 0, N - 1);
    for (int i = 1; i < N; i++) if (v[i - 1] > v[i]) return 1;
  }
  printf("branchy %u %d\n", count, v[N / 2]);
  return 0;
}
