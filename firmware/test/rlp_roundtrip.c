/* Test ROM for firmware/lib/rlp.c (test/msg.test.ts): parses each input strictly, every level
 * down to 1,024 nested lists (the codec's limit, peripherals/rlpcodec.ts), and re-encodes it
 * with the library's encoders. Input: vectors as le32(length) ‖ bytes, one after another.
 * Output: per vector le32(n) ‖ the n bytes re-encoded, or le32(0xFFFFFFFF) when it is rejected. */
#include <evminf/evminf.h>

#define MAX_DEPTH 1024
#define POOL 32768

static rlp_t pool[POOL]; /* the elements of the lists being walked, a stack */
static uint32_t used;
static uint8_t outbuf[1 << 19];

/* Re-encode item it (at list depth d) at out; the bytes written, or -1 when it is rejected. */
static int32_t walk(const rlp_t *it, uint32_t d, uint8_t *out, uint8_t *end) {
  if (!it->list) {
    if ((uint32_t)(end - out) < rlp_hdrlen(it->len) + it->len) return -1;
    return (int32_t)rlp_str(out, it->p, it->len);
  }
  if (d >= MAX_DEPTH) return -1;
  int n = rlp_items(it, pool + used, POOL - used);
  if (n < 0) return -1;
  rlp_t *items = pool + used;
  used += (uint32_t)n;
  /* The payload first, 5 bytes in (the longest header), then the header in front of it. */
  if (end - out < 5) return -1;
  uint32_t len = 0;
  for (int i = 0; i < n; i++) {
    int32_t k = walk(&items[i], d + 1, out + 5 + len, end);
    if (k < 0) return -1;
    len += (uint32_t)k;
  }
  used -= (uint32_t)n;
  uint8_t h[5];
  uint32_t hl = rlp_hdr(h, len, 1);
  memmove(out + hl, out + 5, len);
  memcpy(out, h, hl);
  return (int32_t)(hl + len);
}

int main(const uint8_t *in, uint32_t len) {
  uint32_t o = 0, p = 0;
  while (p + 4 <= len) {
    uint32_t n;
    memcpy(&n, in + p, 4);
    p += 4;
    if (n > len - p) return 1;
    rlp_t top;
    used = 0;
    int32_t k = -1;
    if (rlp_parse(in + p, n, &top) == 0) k = walk(&top, 0, outbuf + o + 4, outbuf + sizeof outbuf);
    uint32_t w = k < 0 ? 0xFFFFFFFFu : (uint32_t)k;
    memcpy(outbuf + o, &w, 4);
    o += 4 + (k < 0 ? 0 : (uint32_t)k);
    p += n;
  }
  evm_return(outbuf, o);
}
