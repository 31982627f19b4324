/* Byte and halfword memory traffic: packed and padded structs, bit-fields, char/short arrays,
 * sign and zero extension, unions, little-endian byte order, misaligned accesses. */
#include "rt.h"
#include <stddef.h>

struct __attribute__((packed)) packed_rec {
  char tag;
  short s;
  int i;
  unsigned char u;
  long long ll;
  unsigned short us;
};

struct padded_rec {
  char tag;
  short s;
  int i;
  unsigned char u;
  long long ll;
  unsigned short us;
};

struct bits {
  unsigned a : 3;
  signed b : 5;
  unsigned c : 12;
  signed d : 12;
};

union pun {
  uint32_t w;
  uint16_t h[2];
  int8_t b[4];
  uint8_t ub[4];
};

static struct packed_rec precs[7];
static struct padded_rec qrecs[7];
static signed char sc[256];
static unsigned char uc[256];
static short ss[300];
static unsigned short us[300];

/* Misaligned word/halfword accesses (the compiler never emits them with strict alignment). */
static int32_t lw_at(const void *p) { int32_t v; __asm__ volatile("lw %0, 0(%1)" : "=r"(v) : "r"(p) : "memory"); return v; }
static int32_t lh_at(const void *p) { int32_t v; __asm__ volatile("lh %0, 0(%1)" : "=r"(v) : "r"(p) : "memory"); return v; }
static uint32_t lhu_at(const void *p) { uint32_t v; __asm__ volatile("lhu %0, 0(%1)" : "=r"(v) : "r"(p) : "memory"); return v; }
static void sw_at(void *p, uint32_t v) { __asm__ volatile("sw %1, 0(%0)" : : "r"(p), "r"(v) : "memory"); }
static void sh_at(void *p, uint32_t v) { __asm__ volatile("sh %1, 0(%0)" : : "r"(p), "r"(v) : "memory"); }

int main(void) {
  printf("sizeof packed %u padded %u bits %u\n", (unsigned)sizeof(struct packed_rec), (unsigned)sizeof(struct padded_rec), (unsigned)sizeof(struct bits));
  printf("offsets packed s=%u i=%u u=%u ll=%u us=%u; padded s=%u i=%u u=%u ll=%u us=%u\n",
         (unsigned)offsetof(struct packed_rec, s), (unsigned)offsetof(struct packed_rec, i), (unsigned)offsetof(struct packed_rec, u),
         (unsigned)offsetof(struct packed_rec, ll), (unsigned)offsetof(struct packed_rec, us),
         (unsigned)offsetof(struct padded_rec, s), (unsigned)offsetof(struct padded_rec, i), (unsigned)offsetof(struct padded_rec, u),
         (unsigned)offsetof(struct padded_rec, ll), (unsigned)offsetof(struct padded_rec, us));

  /* Fill packed (misaligned fields: byte loads and stores) and padded records alike. */
  for (int k = 0; k < 7; k++) {
    uint32_t r = rt_rand();
    precs[k].tag = (char)(r >> 24);
    precs[k].s = (short)(r >> 3);
    precs[k].i = (int)(r * 2654435761u);
    precs[k].u = (unsigned char)(r >> 11);
    precs[k].ll = (long long)r * -1234567;
    precs[k].us = (unsigned short)(r >> 9);
    qrecs[k].tag = precs[k].tag; qrecs[k].s = precs[k].s; qrecs[k].i = precs[k].i;
    qrecs[k].u = precs[k].u; qrecs[k].ll = precs[k].ll; qrecs[k].us = precs[k].us;
  }
  struct packed_rec copy = precs[3]; /* a struct copy: memcpy or byte moves */
  int same = 1;
  for (int k = 0; k < 7; k++) {
    const struct packed_rec *p = &precs[k];
    const struct padded_rec *q = &qrecs[k];
    same &= p->tag == q->tag && p->s == q->s && p->i == q->i && p->u == q->u && p->ll == q->ll && p->us == q->us;
    printf("  rec %d: tag %d s %d i %d u %u ll %lld us %u\n", k, p->tag, p->s, p->i, p->u, p->ll, p->us);
  }
  printf("packed == padded: %d; copy of rec 3 has s %d ll %lld\n", same, copy.s, copy.ll);
  const unsigned char *raw = (const unsigned char *)&precs[1];
  printf("raw bytes of packed rec 1:");
  for (unsigned k = 0; k < sizeof precs[1]; k++) printf(" %02x", raw[k]);
  printf("\n");

  /* Bit-fields: sign extension of signed fields, truncation on store. */
  struct bits bf[4] = {{7, -16, 4095, -2048}, {0, 15, 0, 2047}, {5, -1, 1234, -1}, {0, 0, 0, 0}};
  volatile int wide[4] = {9, 17, 5000, 3000};
  bf[3].a = (unsigned)wide[0]; bf[3].b = wide[1]; bf[3].c = (unsigned)wide[2]; bf[3].d = wide[3]; /* truncated: 1, -15, 904, -1096 */
  for (int k = 0; k < 4; k++) printf("  bits %d: a %u b %d c %u d %d\n", k, bf[k].a, bf[k].b, bf[k].c, bf[k].d);

  /* Character and short arrays: every byte value, sign- and zero-extended. */
  int ssum = 0;
  unsigned usum = 0;
  for (int k = 0; k < 256; k++) { sc[k] = (signed char)k; uc[k] = (unsigned char)k; }
  for (int k = 0; k < 256; k++) { ssum += sc[k]; usum += uc[k]; }
  printf("sum signed chars %d, unsigned chars %u; sc[200] %d uc[200] %u\n", ssum, usum, sc[200], uc[200]);
  int hsum = 0;
  unsigned husum = 0;
  for (int k = 0; k < 300; k++) {
    ss[k] = (short)(k * 331 - 40000);
    us[k] = (unsigned short)(k * 331 - 40000);
  }
  for (int k = 0; k < 300; k++) { hsum += ss[k]; husum += us[k]; }
  printf("sum shorts %d, unsigned shorts %u; ss[7] %d us[7] %u\n", hsum, husum, ss[7], us[7]);
  volatile int32_t big = -123456789;
  printf("casts of %d: (signed char) %d (unsigned char) %u (short) %d (unsigned short) %u\n",
         big, (signed char)big, (unsigned char)big, (short)big, (unsigned short)big);

  /* Byte order and type punning. */
  union pun u;
  u.w = 0x80c0e0f1u;
  printf("union: h %04x %04x b %d %d %d %d ub %u %u %u %u\n", u.h[0], u.h[1], u.b[0], u.b[1], u.b[2], u.b[3], u.ub[0], u.ub[1], u.ub[2], u.ub[3]);
  u.h[1] = 0x7fff; u.b[0] = -2;
  printf("after stores: w %08x\n", u.w);

  /* Misaligned accesses at every offset of a small buffer. */
  static unsigned char buf[16];
  for (int k = 0; k < 16; k++) buf[k] = (unsigned char)(0x81 + k * 0x11);
  uint32_t mx = 0;
  for (int k = 0; k < 12; k++) {
    int32_t w = lw_at(buf + k), h = lh_at(buf + k);
    uint32_t hu = lhu_at(buf + k);
    mx = mx * 31u + (uint32_t)w + (uint32_t)h * 3u + hu * 5u;
    if (k < 4) printf("  at +%d: lw %08x lh %d lhu %u\n", k, (unsigned)w, (int)h, (unsigned)hu);
  }
  sw_at(buf + 1, 0xdeadbeefu);
  sh_at(buf + 7, 0xcafeu);
  sh_at(buf + 10, 0x1234u);
  printf("after misaligned stores:");
  for (int k = 0; k < 16; k++) printf(" %02x", buf[k]);
  printf("\nmisaligned hash %08x\n", mx);

  /* memmove with overlap both ways, memset, memcmp. */
  char text[32] = "abcdefghijklmnopqrstuvwxyz";
  memmove(text + 3, text, 10);
  memmove(text + 14, text + 16, 8);
  memset(text + 24, '#', 2);
  printf("memmove: %s memcmp %d %d\n", text, memcmp(text, "abcabc", 6) == 0, memcmp("abd", "abc", 3) > 0);

  uint32_t h = 0;
  for (int k = 0; k < 256; k++) h = h * 131u + (uint32_t)sc[k] + uc[k];
  for (int k = 0; k < 300; k++) h = h * 131u + (uint32_t)ss[k] + us[k];
  return (int)((h ^ mx) % 200u) + 1;
}
