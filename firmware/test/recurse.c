/* Test ROM (test/msg.test.ts): calls itself until a bound stops it, with as little work per
 * level as a contract can do. Output: be32(levels that succeeded below) ‖ be32(the status that
 * stopped the deepest call) — CALL_DEPTH, MEMORY_LIMIT or OUT_OF_GAS. */
#include <evminf/evminf.h>

int main(const uint8_t *in, uint32_t len) {
  uint8_t me[32], out[8];
  uint32_t n;
  query(EVM_Q_ADDRESS, me);
  uint32_t st = call(me + 4, 0xFFFFFFFFu, NULL, 0, out, 8, &n);
  if (st != EVM_SUCCESS || n != 8) {
    uint8_t r[8] = { 0, 0, 0, 0, (uint8_t)(st >> 24), (uint8_t)(st >> 16), (uint8_t)(st >> 8), (uint8_t)st };
    evm_return(r, 8);
  }
  uint32_t k = ((uint32_t)out[0] << 24 | (uint32_t)out[1] << 16 | (uint32_t)out[2] << 8 | out[3]) + 1;
  out[0] = (uint8_t)(k >> 24); out[1] = (uint8_t)(k >> 16); out[2] = (uint8_t)(k >> 8); out[3] = (uint8_t)k;
  evm_return(out, 8);
}
