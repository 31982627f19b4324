/* Keccak-256 (Ethereum's: padding 0x01) in software on RV32, 64-bit lanes that GCC keeps as
 * pairs of 32-bit registers; θ, ρπ and χ unrolled so every rotation is by a constant.
 * FIPS 202 §3 gives the step mappings; the ρπ walk is the usual 24-step cycle starting at lane 1.
 *
 * Output, one `name hex` per line, checked by bench/run.ts: keccak256("") and keccak256("abc")
 * against their known values, SHA3-256 (the same sponge with padding 0x06) of a 1000-byte
 * message against Node's crypto, and a chain of ROUNDS hashes against qemu-riscv32. */
#include "rt.h"

#ifndef ROUNDS
#define ROUNDS 400
#endif
#define MSG 1000
#define RATE 136

static const uint64_t RC[24] = {
  0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull, 0x8000000080008000ull,
  0x000000000000808bull, 0x0000000080000001ull, 0x8000000080008081ull, 0x8000000000008009ull,
  0x000000000000008aull, 0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
  0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull, 0x8000000000008003ull,
  0x8000000000008002ull, 0x8000000000000080ull, 0x000000000000800aull, 0x800000008000000aull,
  0x8000000080008081ull, 0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull,
};

#define ROL(x, n) (((x) << (n)) | ((x) >> (64 - (n))))

static void keccakf(uint64_t *a) {
  for (int r = 0; r < 24; r++) {
    uint64_t c0, c1, c2, c3, c4, d, t, u;
    /* θ: each lane takes the parity of two neighbouring columns. */
    c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20];
    c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
    c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22];
    c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
    c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];
#define THETA(x, cl, cr) d = cl ^ ROL(cr, 1); a[x] ^= d; a[x + 5] ^= d; a[x + 10] ^= d; a[x + 15] ^= d; a[x + 20] ^= d;
    THETA(0, c4, c1) THETA(1, c0, c2) THETA(2, c1, c3) THETA(3, c2, c4) THETA(4, c3, c0)
    /* ρ and π: move each lane to its π position, rotated by its ρ offset. */
    t = a[1];
#define RP(p, n) u = a[p]; a[p] = ROL(t, n); t = u;
    RP(10, 1) RP(7, 3) RP(11, 6) RP(17, 10) RP(18, 15) RP(3, 21) RP(5, 28) RP(16, 36)
    RP(8, 45) RP(21, 55) RP(24, 2) RP(4, 14) RP(15, 27) RP(23, 41) RP(19, 56) RP(13, 8)
    RP(12, 25) RP(2, 43) RP(20, 62) RP(14, 18) RP(22, 39) RP(9, 61) RP(6, 20) RP(1, 44)
    /* χ: the only non-linear step, row by row. */
#define CHI(y) c0 = a[y]; c1 = a[y + 1]; c2 = a[y + 2]; c3 = a[y + 3]; c4 = a[y + 4]; \
    a[y] = c0 ^ (~c1 & c2); a[y + 1] = c1 ^ (~c2 & c3); a[y + 2] = c2 ^ (~c3 & c4); \
    a[y + 3] = c3 ^ (~c4 & c0); a[y + 4] = c4 ^ (~c0 & c1);
    CHI(0) CHI(5) CHI(10) CHI(15) CHI(20)
    /* ι */
    a[0] ^= RC[r];
  }
}

static void absorb(uint64_t *s, const uint8_t *p) {
  for (int i = 0; i < RATE / 8; i++) {
    uint32_t lo = p[8 * i] | p[8 * i + 1] << 8 | p[8 * i + 2] << 16 | (uint32_t)p[8 * i + 3] << 24;
    uint32_t hi = p[8 * i + 4] | p[8 * i + 5] << 8 | p[8 * i + 6] << 16 | (uint32_t)p[8 * i + 7] << 24;
    s[i] ^= (uint64_t)hi << 32 | lo;
  }
  keccakf(s);
}

/* The Keccak[512] sponge with a 256-bit output; `pad` is the domain byte (0x01 or 0x06). */
static void sponge(const uint8_t *in, unsigned len, uint8_t pad, uint8_t out[32]) {
  uint64_t s[25];
  uint8_t last[RATE];
  memset(s, 0, sizeof s);
  for (; len >= RATE; in += RATE, len -= RATE) absorb(s, in);
  memset(last, 0, sizeof last);
  memcpy(last, in, len);
  last[len] ^= pad;
  last[RATE - 1] ^= 0x80;
  absorb(s, last);
  for (int i = 0; i < 32; i++) out[i] = (uint8_t)(s[i / 8] >> (8 * (i % 8)));
}

static void line(const char *name, const uint8_t h[32]) {
  put_s(name);
  put_c(' ');
  put_hex(h, 32);
  put_nl();
}

static uint8_t data[MSG];

int main(void) {
  uint8_t h[32];
  sponge((const uint8_t *)"", 0, 0x01, h);
  line("keccak256('')", h);
  sponge((const uint8_t *)"abc", 3, 0x01, h);
  line("keccak256('abc')", h);
  for (int i = 0; i < MSG; i++) data[i] = (uint8_t)(7 * i + 1);
  sponge(data, MSG, 0x06, h);
  line("sha3-256(m)", h);
  for (int round = 0; round < ROUNDS; round++) {
    sponge(data, MSG, 0x01, h);
    memcpy(data + 32 * (round % (MSG / 32)), h, 32);
  }
  line("chain", h);
  return 0;
}
