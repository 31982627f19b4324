/* Checksums over a generated buffer: bitwise and table CRC-32, Adler-32, FNV-1a, Fletcher-16.
 * Long-running on purpose (well over a million instructions). */
#include "rt.h"

#define LEN 16384
static unsigned char data[LEN];
static uint32_t crc_table[256];

static uint32_t crc32_bitwise(const unsigned char *p, unsigned n) {
  uint32_t c = 0xffffffffu;
  while (n--) {
    c ^= *p++;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
  }
  return ~c;
}

static void crc32_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
    crc_table[i] = c;
  }
}

static uint32_t crc32_table(const unsigned char *p, unsigned n) {
  uint32_t c = 0xffffffffu;
  while (n--) c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
  return ~c;
}

static uint32_t adler32(const unsigned char *p, unsigned n) {
  uint32_t a = 1, b = 0;
  while (n--) { a = (a + *p++) % 65521u; b = (b + a) % 65521u; }
  return (b << 16) | a;
}

static uint32_t fnv1a(const unsigned char *p, unsigned n) {
  uint32_t h = 2166136261u;
  while (n--) h = (h ^ *p++) * 16777619u;
  return h;
}

static uint16_t fletcher16(const unsigned char *p, unsigned n) {
  uint16_t s1 = 0, s2 = 0;
  while (n--) { s1 = (uint16_t)((s1 + *p++) % 255); s2 = (uint16_t)((s2 + s1) % 255); }
  return (uint16_t)(s2 << 8 | s1);
}

int main(void) {
  const unsigned char *check = (const unsigned char *)"123456789";
  crc32_init();
  printf("crc32(\"123456789\") = %08x / %08x\n", crc32_bitwise(check, 9), crc32_table(check, 9));
  printf("adler32(\"Wikipedia\") = %08x\n", adler32((const unsigned char *)"Wikipedia", 9));
  printf("fnv1a(\"\") = %08x, fnv1a(\"a\") = %08x\n", fnv1a(check, 0), fnv1a((const unsigned char *)"a", 1));
  printf("fletcher16(\"abcde\") = %04x\n", fletcher16((const unsigned char *)"abcde", 5));
  for (unsigned i = 0; i < LEN; i++) data[i] = (unsigned char)(rt_rand() >> 7);
  uint32_t c1 = crc32_bitwise(data, LEN), c2 = crc32_table(data, LEN);
  uint32_t ad = adler32(data, LEN), fn = fnv1a(data, LEN);
  uint16_t fl = fletcher16(data, LEN);
  printf("buffer of %u bytes: crc32 %08x (table %08x, agree %d) adler32 %08x fnv1a %08x fletcher16 %04x\n", LEN, c1, c2, c1 == c2, ad, fn, fl);
  /* Incremental property: CRC of the buffer with its CRC appended is the fixed residue. */
  for (int k = 0; k < 4; k++) data[k] = (unsigned char)(c1 >> (8 * k));
  uint32_t res = crc32_table(data, 4);
  printf("crc32 of its own little-endian crc bytes %08x\n", res);
  return (int)(c1 & 0xff);
}
