/* Strict RLP: one canonical form per item (docs/peripherals.md, "Canonical form"), the rules of
 * peripherals/rlpcodec.ts. Decoding checks one level at a time: rlp_parse the item a buffer must
 * hold exactly, rlp_items the elements of a list, each bounded by the list's end; a consumer
 * checks every element it uses, so nothing is accepted unchecked and nothing recurses. */
#include <evminf/evminf.h>

/* The item whose header is at p, within [p, end). 0 on success. */
static int header(const uint8_t *p, const uint8_t *end, rlp_t *it) {
  if (p >= end) return -1;
  uint32_t avail = (uint32_t)(end - p), b = p[0], hl, n;
  if (b < 0x80) { it->p = p; it->len = 1; it->raw = p; it->rawlen = 1; it->list = 0; return 0; }
  int list = b >= 0xC0;
  uint32_t base = list ? 0xC0 : 0x80;
  if (b - base <= 55) {
    hl = 1;
    n = b - base;
    if (!list && n == 1 && (avail < 2 || p[1] < 0x80)) return -1;
  } else {
    uint32_t ll = b - base - 55;
    if (ll > 4 || avail < 1 + ll || p[1] == 0) return -1;
    n = 0;
    for (uint32_t i = 0; i < ll; i++) n = (n << 8) | p[1 + i];
    if (n <= 55) return -1;
    hl = 1 + ll;
  }
  if (n > avail - hl) return -1;
  it->p = p + hl; it->len = n; it->raw = p; it->rawlen = hl + n; it->list = list;
  return 0;
}

int rlp_parse(const uint8_t *buf, uint32_t len, rlp_t *out) {
  if (header(buf, buf + len, out) != 0) return -1;
  return out->rawlen == len ? 0 : -1;
}

int rlp_items(const rlp_t *l, rlp_t *items, uint32_t max) {
  if (!l->list) return -1;
  const uint8_t *p = l->p, *end = l->p + l->len;
  uint32_t n = 0;
  while (p < end) {
    rlp_t it;
    if (n == max || header(p, end, &it) != 0) return -1;
    items[n++] = it;
    p += it.rawlen;
  }
  return (int)n;
}

int rlp_u32(const rlp_t *it, uint32_t *v) {
  if (it->list || it->len > 4 || (it->len > 0 && it->p[0] == 0)) return -1;
  uint32_t x = 0;
  for (uint32_t i = 0; i < it->len; i++) x = (x << 8) | it->p[i];
  *v = x;
  return 0;
}

int rlp_bytes(const rlp_t *it, uint32_t n) {
  return !it->list && it->len == n ? 0 : -1;
}

uint32_t rlp_hdrlen(uint32_t len) {
  if (len <= 55) return 1;
  return len < 0x100 ? 2 : len < 0x10000 ? 3 : len < 0x1000000 ? 4 : 5;
}

uint32_t rlp_hdr(uint8_t *out, uint32_t len, int list) {
  uint8_t base = list ? 0xC0 : 0x80;
  if (len <= 55) { out[0] = (uint8_t)(base + len); return 1; }
  uint32_t ll = rlp_hdrlen(len) - 1;
  out[0] = (uint8_t)(base + 55 + ll);
  for (uint32_t i = 0; i < ll; i++) out[1 + i] = (uint8_t)(len >> (8 * (ll - 1 - i)));
  return 1 + ll;
}

uint32_t rlp_str(uint8_t *out, const void *p, uint32_t len) {
  const uint8_t *s = (const uint8_t *)p;
  if (len == 1 && s[0] < 0x80) { out[0] = s[0]; return 1; }
  uint32_t h = rlp_hdr(out, len, 0);
  memmove(out + h, s, len);
  return h + len;
}

uint32_t rlp_uint(uint8_t *out, uint32_t v) {
  uint8_t b[4];
  uint32_t n = 0;
  for (int i = 3; i >= 0; i--) {
    uint8_t x = (uint8_t)(v >> (8 * i));
    if (n == 0 && x == 0) continue;
    b[n++] = x;
  }
  return rlp_str(out, b, n);
}
