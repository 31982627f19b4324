/* Sorting: quicksort, heapsort, merge sort, insertion sort on shorts, a generic qsort with a
 * comparator through a function pointer, and string sorting. */
#include "rt.h"

#define N 400

static int base[N], a1[N], a2[N], a3[N], tmp[N];
static short sh[N];

static void quicksort(int *a, int lo, int hi) {
  while (lo < hi) {
    int p = a[(lo + hi) / 2], i = lo, j = hi;
    while (i <= j) {
      while (a[i] < p) i++;
      while (a[j] > p) j--;
      if (i <= j) { int t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
    }
    /* recurse into the smaller half, loop on the larger */
    if (j - lo < hi - i) { quicksort(a, lo, j); lo = i; }
    else { quicksort(a, i, hi); hi = j; }
  }
}

static void sift(int *a, int root, int n) {
  for (;;) {
    int c = 2 * root + 1;
    if (c >= n) return;
    if (c + 1 < n && a[c + 1] > a[c]) c++;
    if (a[root] >= a[c]) return;
    int t = a[root]; a[root] = a[c]; a[c] = t;
    root = c;
  }
}

static void heapsort(int *a, int n) {
  for (int i = n / 2 - 1; i >= 0; i--) sift(a, i, n);
  for (int end = n - 1; end > 0; end--) {
    int t = a[0]; a[0] = a[end]; a[end] = t;
    sift(a, 0, end);
  }
}

static void mergesort(int *a, int *t, int n) {
  if (n < 2) return;
  int m = n / 2;
  mergesort(a, t, m);
  mergesort(a + m, t, n - m);
  int i = 0, j = m, k = 0;
  while (i < m && j < n) t[k++] = a[j] < a[i] ? a[j++] : a[i++];
  while (i < m) t[k++] = a[i++];
  while (j < n) t[k++] = a[j++];
  for (k = 0; k < n; k++) a[k] = t[k];
}

static void insertion_short(short *a, int n) {
  for (int i = 1; i < n; i++) {
    short v = a[i];
    int j = i - 1;
    while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; }
    a[j + 1] = v;
  }
}

/* Generic in-place sort of `n` elements of `size` bytes (shell sort, byte-wise swaps). */
static void gsort(void *v, int n, int size, int (*cmp)(const void *, const void *)) {
  unsigned char *b = v;
  for (int gap = n / 2; gap > 0; gap /= 2) {
    for (int i = gap; i < n; i++) {
      for (int j = i - gap; j >= 0 && cmp(b + j * size, b + (j + gap) * size) > 0; j -= gap) {
        unsigned char *x = b + j * size, *y = b + (j + gap) * size;
        for (int k = 0; k < size; k++) { unsigned char t = x[k]; x[k] = y[k]; y[k] = t; }
      }
    }
  }
}

struct item { unsigned char key; short weight; char name[5]; };

static int by_key_then_weight(const void *p, const void *q) {
  const struct item *a = p, *b = q;
  if (a->key != b->key) return a->key < b->key ? -1 : 1;
  return a->weight - b->weight;
}

static int cmp_str(const void *p, const void *q) {
  const char *a = *(const char *const *)p, *b = *(const char *const *)q;
  while (*a && *a == *b) { a++; b++; }
  return (unsigned char)*a - (unsigned char)*b;
}

static int sorted(const int *a, int n) {
  for (int i = 1; i < n; i++) if (a[i - 1] > a[i]) return 0;
  return 1;
}

int main(void) {
  for (int i = 0; i < N; i++) {
    base[i] = (int)(rt_rand() % 20001u) - 10000;
    sh[i] = (short)rt_rand();
  }
  for (int i = 0; i < N; i++) a1[i] = a2[i] = a3[i] = base[i];
  quicksort(a1, 0, N - 1);
  heapsort(a2, N);
  mergesort(a3, tmp, N);
  insertion_short(sh, N);
  int agree = 1;
  for (int i = 0; i < N; i++) agree &= a1[i] == a2[i] && a2[i] == a3[i];
  int shsorted = 1;
  for (int i = 1; i < N; i++) shsorted &= sh[i - 1] <= sh[i];
  printf("quicksort sorted %d, heapsort sorted %d, mergesort sorted %d, all agree %d\n", sorted(a1, N), sorted(a2, N), sorted(a3, N), agree);
  printf("min %d max %d median %d\n", a1[0], a1[N - 1], a1[N / 2]);
  printf("shorts sorted %d: %d %d %d ... %d\n", shsorted, sh[0], sh[1], sh[2], sh[N - 1]);
  uint32_t h = 0;
  for (int i = 0; i < N; i++) h = (h ^ (uint32_t)a1[i]) * 16777619u;
  for (int i = 0; i < N; i++) h = (h ^ (uint16_t)sh[i]) * 16777619u;
  printf("sorted hash %08x\n", h);

  struct item items[24];
  for (int i = 0; i < 24; i++) {
    uint32_t r = rt_rand();
    items[i].key = (unsigned char)(r % 5);
    items[i].weight = (short)((r >> 8) % 2001) - 1000;
    for (int k = 0; k < 4; k++) items[i].name[k] = (char)('a' + (r >> (3 * k + 16)) % 26);
    items[i].name[4] = 0;
  }
  gsort(items, 24, (int)sizeof(struct item), by_key_then_weight);
  printf("items by key, weight:\n");
  for (int i = 0; i < 24; i += 3) printf("  %u %5d %s\n", items[i].key, items[i].weight, items[i].name);

  const char *words[] = {"pear", "apple", "fig", "banana", "cherry", "apricot", "date", "elderberry", "grape", "kiwi", "applesauce", "app", "Zebra", "zebra"};
  int nw = (int)(sizeof words / sizeof words[0]);
  gsort(words, nw, (int)sizeof(char *), cmp_str);
  printf("words:");
  for (int i = 0; i < nw; i++) printf(" %s", words[i]);
  printf("\n");
  return agree && shsorted ? (int)(h & 0x3f) : 255;
}
