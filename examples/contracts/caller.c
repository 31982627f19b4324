/* caller: calls another contract and returns what it said; counts its own calls.
 *
 * Input: to (28) ‖ gas (4, big-endian) ‖ data — calls `to` with `gas` and `data`. Its own write
 * (slot 0, the number of calls made, incremented first) and the callee's status (slot 1) stay
 * whether or not the callee succeeds: a failed callee's writes alone are reverted.
 * Empty input: calls itself with empty input (recursion until a bound stops it).
 * Output: be32(status) ‖ the callee's output (at most 4,096 bytes). Each level of the recursion
 * so prefixes its callee's status: the output's length / 4 is the depth reached, and its last
 * word the status that stopped it (CALL_DEPTH, MEMORY_LIMIT or OUT_OF_GAS). */
#include <evminf/evminf.h>

#define OUT_MAX 4096

static uint8_t out[4 + OUT_MAX];

int main(const uint8_t *in, uint32_t len) {
  uint8_t to[32];
  uint32_t gas = 0xFFFFFFFFu, n;
  const uint8_t *data = in + 32;
  if (len == 0) {
    query(EVM_Q_ADDRESS, to);
    memmove(to, to + 4, 28);
    data = in;
  } else {
    if (len < 32) return 1;
    memcpy(to, in, 28);
    gas = ((uint32_t)in[28] << 24) | ((uint32_t)in[29] << 16) | ((uint32_t)in[30] << 8) | in[31];
    len -= 32;
  }
  sstore_u32(0, sload_u32(0) + 1);
  uint32_t st = call(to, gas, data, len, out + 4, OUT_MAX, &n);
  sstore_u32(1, st);
  out[0] = (uint8_t)(st >> 24); out[1] = (uint8_t)(st >> 16); out[2] = (uint8_t)(st >> 8); out[3] = (uint8_t)st;
  evm_return(out, 4 + n);
}
