/* Test ROM (test/msg.test.ts): a contract that sends its input to MSG's handler as the raw
 * INTERRUPT request and returns le32(a0) ‖ le32(a1) ‖ the reply — what the handler said to a
 * request, malformed or hostile ones included. The reply buffer is 1,024 bytes. A request of
 * four bytes 0xFFFFFFFF instead claims a request 16 MiB long (beyond the frame's memory). */
#include <evminf/evminf.h>

static uint8_t out[8 + 1024];

int main(const uint8_t *in, uint32_t len) {
  uint32_t big = 0xFFFFFFFFu;
  evm_irq_t r = len == 4 && memcmp(in, &big, 4) == 0 ? evm_interrupt(in, 0x1000000, out + 8, 1024)
                                                     : evm_interrupt(in, len, out + 8, 1024);
  memcpy(out, &r.status, 4);
  memcpy(out + 4, &r.len, 4);
  evm_return(out, 8 + (r.status == EVM_SUCCESS ? r.len : 0));
}
