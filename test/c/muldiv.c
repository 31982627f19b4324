/* Multiply and divide: signed/unsigned division and remainder (including the RISC-V results
 * for division by zero and overflow), high multiplies, and 64-bit arithmetic via libgcc. */
#include "rt.h"
#include <limits.h>

/* The M extension's defined results for /0 and INT_MIN/-1 (C leaves them undefined). */
static int hw_div(int a, int b) { int r; __asm__ volatile("div %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static int hw_rem(int a, int b) { int r; __asm__ volatile("rem %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static unsigned hw_divu(unsigned a, unsigned b) { unsigned r; __asm__ volatile("divu %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static unsigned hw_remu(unsigned a, unsigned b) { unsigned r; __asm__ volatile("remu %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }
static int hw_mulhsu(int a, unsigned b) { int r; __asm__ volatile("mulhsu %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r; }

static volatile int SV[] = {0, 1, -1, 2, -2, 7, -7, 3, -3, 100, -100, 65536, INT_MAX, INT_MIN, INT_MIN + 1, 12345678};
#define NSV (int)(sizeof SV / sizeof SV[0])

static unsigned gcd(unsigned a, unsigned b) { while (b) { unsigned t = a % b; a = b; b = t; } return a; }

static uint32_t powmod(uint32_t b, uint32_t e, uint32_t m) {
  uint64_t r = 1, x = b % m;
  while (e) {
    if (e & 1) r = r * x % m;
    x = x * x % m;
    e >>= 1;
  }
  return (uint32_t)r;
}

static unsigned isqrt(unsigned n) {
  if (n < 2) return n;
  unsigned x = n, y = x / 2 + (x & 1); /* ceil(n/2) without overflow */
  while (y < x) { x = y; y = (x + n / x) / 2; }
  return x;
}

int main(void) {
  printf("signed division table (q r):\n");
  uint32_t h = 2166136261u;
  for (int i = 0; i < NSV; i++) {
    for (int j = 0; j < NSV; j++) {
      int a = SV[i], b = SV[j];
      int q = hw_div(a, b), r = hw_rem(a, b);
      unsigned uq = hw_divu((unsigned)a, (unsigned)b), ur = hw_remu((unsigned)a, (unsigned)b);
      /* Where C defines the result it must agree with the hardware. */
      if (b != 0 && !(a == INT_MIN && b == -1) && (q != a / b || r != a % b)) printf("MISMATCH %d %d\n", a, b);
      if (b != 0 && (uq != (unsigned)a / (unsigned)b || ur != (unsigned)a % (unsigned)b)) printf("MISMATCH u %d %d\n", a, b);
      h = (h ^ (uint32_t)q) * 16777619u; h = (h ^ (uint32_t)r) * 16777619u;
      h = (h ^ uq) * 16777619u; h = (h ^ ur) * 16777619u;
      if (i < 8 && (j == 0 || j == 2 || j == 5 || j == 8)) printf("  %d/%d = %d r %d; u: %u r %u\n", a, b, q, r, uq, ur);
    }
  }
  printf("  INT_MIN/-1 = %d r %d\n", hw_div(SV[13], SV[2]), hw_rem(SV[13], SV[2]));
  printf("  INT_MIN/0 = %d r %d\n", hw_div(SV[13], SV[0]), hw_rem(SV[13], SV[0]));
  printf("division hash %08x\n", h);

  printf("high multiplies:\n");
  uint32_t mh = 0;
  for (int i = 0; i < NSV; i++) {
    for (int j = 0; j < NSV; j++) {
      int a = SV[i], b = SV[j];
      int64_t ss = (int64_t)a * b;
      uint64_t uu = (uint64_t)(unsigned)a * (unsigned)b;
      int hsu = hw_mulhsu(a, (unsigned)b);
      uint32_t lo = (uint32_t)((unsigned)a * (unsigned)b);
      mh = mh * 33u + (uint32_t)(ss >> 32) + (uint32_t)(uu >> 32) * 7u + (uint32_t)hsu * 13u + lo;
      if (i == j && i >= 11) printf("  %d*%d: mulh %d mulhu %u mulhsu %d mul %u\n", a, b, (int)(ss >> 32), (unsigned)(uu >> 32), hsu, lo);
    }
  }
  printf("multiply hash %08x\n", mh);

  printf("64-bit:\n");
  uint64_t fact = 1;
  for (unsigned k = 2; k <= 20; k++) fact *= k;
  printf("  20! = %llu = 0x%llx\n", fact, fact);
  int64_t sfact = -(int64_t)fact;
  printf("  -20! / 1000003 = %lld r %lld\n", sfact / 1000003, sfact % 1000003);
  printf("  20! / 3628800 = %llu\n", fact / 3628800u);
  uint64_t acc = 0;
  int64_t sacc = 0;
  for (int k = 0; k < 300; k++) {
    uint64_t x = ((uint64_t)rt_rand() << 32) | rt_rand();
    uint64_t y = ((uint64_t)rt_rand() << (rt_rand() & 31)) | 1;
    acc += x / y + x % y;
    int64_t sx = (int64_t)x, sy = (int64_t)(y >> 1) * ((k & 1) ? -1 : 1);
    if (sy == 0) sy = 3;
    sacc ^= sx / sy + sx % sy;
    acc ^= x * y;
  }
  printf("  64-bit division accumulators %016llx %016llx\n", acc, (uint64_t)sacc);
  printf("  shifts: %llx %llx %lld\n", (uint64_t)0x0123456789abcdefull << 20, (uint64_t)0xfedcba9876543210ull >> 36, (int64_t)-0x123456789ll >> 9);

  unsigned primes = 0, last = 0;
  for (unsigned n = 2; n < 3000; n++) {
    unsigned d = 2, lim = isqrt(n), prime = 1;
    for (; d <= lim; d++) if (n % d == 0) { prime = 0; break; }
    if (prime) { primes++; last = n; }
  }
  printf("primes below 3000: %u, largest %u\n", primes, last);
  printf("gcd(1071, 462) = %u, gcd(2^31, 6^10) = %u\n", gcd(1071, 462), gcd(1u << 31, 60466176u));
  printf("isqrt(2^32-1) = %u, isqrt(1000000) = %u\n", isqrt(0xffffffffu), isqrt(1000000));
  printf("3^1000003 mod 1000000007 = %u\n", powmod(3, 1000003, 1000000007u));
  printf("2^(p-1) mod p for p = 4294967291: %u\n", powmod(2, 4294967290u, 4294967291u));
  return (int)((h ^ mh ^ primes) & 0x7f);
}
