/* The MSG interrupt requests a contract makes (docs/consensus.md, "MSG and its interrupts"):
 * each is an RLP list built on the stack, served by MSG's handler through INTERRUPT. */
#include <evminf/evminf.h>

/* [kind, a, b, c] with a, b, c strings (NULL: absent). Returns the request's length. */
static uint32_t request(uint8_t *buf, uint32_t kind, const void *a, uint32_t alen, const void *b, uint32_t blen,
                        const void *c, uint32_t clen, int nargs) {
  uint8_t body[8];
  uint32_t k = rlp_uint(body, kind), n = k;
  uint32_t la = nargs > 0 ? rlp_hdrlen(alen) + alen : 0, lb = nargs > 1 ? rlp_hdrlen(blen) + blen : 0;
  uint32_t lc = nargs > 2 ? rlp_hdrlen(clen) + clen : 0;
  if (nargs > 0 && alen == 1 && ((const uint8_t *)a)[0] < 0x80) la = 1;
  if (nargs > 1 && blen == 1 && ((const uint8_t *)b)[0] < 0x80) lb = 1;
  if (nargs > 2 && clen == 1 && ((const uint8_t *)c)[0] < 0x80) lc = 1;
  uint32_t h = rlp_hdr(buf, n + la + lb + lc, 1);
  memcpy(buf + h, body, k);
  uint32_t o = h + k;
  if (nargs > 0) o += rlp_str(buf + o, a, alen);
  if (nargs > 1) o += rlp_str(buf + o, b, blen);
  if (nargs > 2) o += rlp_str(buf + o, c, clen);
  return o;
}

/* A 32-byte word as its minimal big-endian bytes (leading zeros dropped). */
static const uint8_t *minimal(const uint8_t w[32], uint32_t *len) {
  uint32_t i = 0;
  while (i < 32 && w[i] == 0) i++;
  *len = 32 - i;
  return w + i;
}

uint32_t sload(const uint8_t key[32], uint8_t val[32]) {
  uint8_t req[48];
  uint32_t kl;
  const uint8_t *k = minimal(key, &kl);
  uint32_t n = request(req, 0, k, kl, NULL, 0, NULL, 0, 1);
  memset(val, 0, 32);
  return evm_interrupt(req, n, val, 32).status;
}

uint32_t sstore(const uint8_t key[32], const uint8_t val[32]) {
  uint8_t req[80];
  uint32_t kl, vl;
  const uint8_t *k = minimal(key, &kl), *v = minimal(val, &vl);
  uint32_t n = request(req, 1, k, kl, v, vl, NULL, 0, 2);
  return evm_interrupt(req, n, NULL, 0).status;
}

uint32_t call(const uint8_t to[28], uint32_t gas, const void *data, uint32_t len, void *out, uint32_t cap, uint32_t *outlen) {
  /* The request is built in place below the stack pointer; data is copied once. */
  uint8_t gasb[4];
  uint32_t gl = 0;
  for (int i = 3; i >= 0; i--) {
    uint8_t x = (uint8_t)(gas >> (8 * i));
    if (gl == 0 && x == 0) continue;
    gasb[gl++] = x;
  }
  uint8_t req[64 + len];
  uint32_t n = request(req, 2, to, 28, gasb, gl, data, len, 3);
  uint8_t reply[4 + cap];
  evm_irq_t r = evm_interrupt(req, n, reply, 4 + cap);
  if (outlen) *outlen = 0;
  if (r.status != EVM_SUCCESS) return r.status;
  if (r.len < 4) return EVM_THROW;
  uint32_t st;
  memcpy(&st, reply, 4);
  if (out) memcpy(out, reply + 4, r.len - 4);
  if (outlen) *outlen = r.len - 4;
  return st;
}

uint32_t create(const void *code, uint32_t len, uint8_t addr[28]) {
  uint8_t req[16 + len];
  uint32_t n = request(req, 3, code, len, NULL, 0, NULL, 0, 1);
  memset(addr, 0, 28);
  return evm_interrupt(req, n, addr, 28).status;
}

uint32_t query(uint32_t q, uint8_t out[32]) {
  uint8_t req[8], qb[1] = { (uint8_t)q };
  uint32_t n = request(req, 4, qb, q == 0 ? 0 : 1, NULL, 0, NULL, 0, 1);
  memset(out, 0, 32);
  return evm_interrupt(req, n, out, 32).status;
}

void word_u32(uint8_t w[32], uint32_t v) {
  memset(w, 0, 28);
  w[28] = (uint8_t)(v >> 24); w[29] = (uint8_t)(v >> 16); w[30] = (uint8_t)(v >> 8); w[31] = (uint8_t)v;
}

uint32_t u32_word(const uint8_t w[32]) {
  return ((uint32_t)w[28] << 24) | ((uint32_t)w[29] << 16) | ((uint32_t)w[30] << 8) | w[31];
}

uint32_t sload_u32(uint32_t slot) {
  uint8_t k[32], v[32];
  word_u32(k, slot);
  sload(k, v);
  return u32_word(v);
}

uint32_t sstore_u32(uint32_t slot, uint32_t v) {
  uint8_t k[32], w[32];
  word_u32(k, slot);
  word_u32(w, v);
  return sstore(k, w);
}
