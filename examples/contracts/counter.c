/* counter: every call adds 1 to storage word 0 and returns the new count (4 bytes, big-endian).
 * The smallest contract that reads and writes storage through MSG's handler. */
#include <evminf/evminf.h>

int main(const uint8_t *in, uint32_t len) {
  uint32_t n = sload_u32(0) + 1;
  sstore_u32(0, n);
  uint8_t out[4] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n };
  evm_return(out, 4);
}
