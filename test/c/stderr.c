/* Output on both streams, interleaved, plus the error returns of write(2). */
#include "rt.h"

int main(void) {
  int total = 0;
  for (int k = 1; k <= 5; k++) {
    total += printf("stdout line %d\n", k);
    total += eprintf("stderr line %d: %d squared is %d\n", k, k, k * k);
  }
  long bad_fd = rt_write(-1, "x", 1);
  long bad_ptr = rt_write(1, (const void *)0x10, 4);
  long empty = rt_write(2, "", 0);
  eprintf("write(-1) = %ld, write(1, 0x10, 4) = %ld, write(2, \"\", 0) = %ld\n", bad_fd, bad_ptr, empty);
  /* A write without a trailing newline, and one larger than the formatting buffer. */
  static char big[600];
  for (int k = 0; k < 599; k++) big[k] = (char)('A' + k % 26);
  long n = rt_write(2, big, 599);
  eprintf("\nwrote %ld bytes\n", n);
  printf("total %d bytes via printf\n", total);
  return total % 7 + 1;
}
