/* Keccak-256 (the Ethereum variant: padding 0x01) in software, 64-bit lanes on RV32. */
#include "rt.h"

static const uint64_t RC[24] = {
  0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull, 0x8000000080008000ull,
  0x000000000000808bull, 0x0000000080000001ull, 0x8000000080008081ull, 0x8000000000008009ull,
  0x000000000000008aull, 0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
  0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull, 0x8000000000008003ull,
  0x8000000000008002ull, 0x8000000000000080ull, 0x000000000000800aull, 0x800000008000000aull,
  0x8000000080008081ull, 0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull,
};
static const int ROT[25] = { 0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14 };

static uint64_t rol(uint64_t x, int n) { return n ? (x << n) | (x >> (64 - n)) : x; }

static void keccakf(uint64_t s[25]) {
  for (int r = 0; r < 24; r++) {
    uint64_t c[5], d[5], b[25];
    for (int x = 0; x < 5; x++) c[x] = s[x] ^ s[x + 5] ^ s[x + 10] ^ s[x + 15] ^ s[x + 20];
    for (int x = 0; x < 5; x++) d[x] = c[(x + 4) % 5] ^ rol(c[(x + 1) % 5], 1);
    for (int i = 0; i < 25; i++) s[i] ^= d[i % 5];
    for (int x = 0; x < 5; x++)
      for (int y = 0; y < 5; y++) b[y + 5 * ((2 * x + 3 * y) % 5)] = rol(s[x + 5 * y], ROT[x + 5 * y]);
    for (int x = 0; x < 5; x++)
      for (int y = 0; y < 5; y++) s[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
    s[0] ^= RC[r];
  }
}

static void keccak256(const uint8_t *in, unsigned len, uint8_t out[32]) {
  uint64_t s[25];
  uint8_t block[136];
  memset(s, 0, sizeof s);
  for (;;) {
    unsigned n = len < 136 ? len : 136;
    memset(block, 0, sizeof block);
    memcpy(block, in, n);
    if (n < 136) { block[n] ^= 0x01; block[135] ^= 0x80; }
    for (int i = 0; i < 17; i++) {
      uint64_t lane = 0;
      for (int k = 7; k >= 0; k--) lane = (lane << 8) | block[8 * i + k];
      s[i] ^= lane;
    }
    keccakf(s);
    if (n < 136) break;
    in += n; len -= n;
  }
  for (int i = 0; i < 32; i++) out[i] = (uint8_t)(s[i / 8] >> (8 * (i % 8)));
}

static void hex(const uint8_t *h) { for (int i = 0; i < 32; i++) printf("%02x", h[i]); printf("\n"); }

int main(void) {
  uint8_t h[32], data[1000];
  keccak256(data, 0, h);
  hex(h); /* keccak256("") */
  for (int i = 0; i < 1000; i++) data[i] = (uint8_t)i;
  for (int round = 0; round < 60; round++) { keccak256(data, sizeof data, h); memcpy(data, h, 32); }
  hex(h);
  return 0;
}
