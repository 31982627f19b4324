/* thrower: writes storage, then THROWs 7. Every call increments slot 0 and stores its input's
 * first byte (or 0xEE) in slot 1 — and MSG reverts it all: its writes must vanish. */
#include <evminf/evminf.h>

int main(const uint8_t *in, uint32_t len) {
  sstore_u32(0, sload_u32(0) + 1);
  sstore_u32(1, len > 0 ? in[0] : 0xEE);
  evm_throw(7);
}
