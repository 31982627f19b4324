/* Exits through exit_group(2) with a status above 255: only the low 8 bits reach the parent. */
#include "rt.h"

int main(void) {
  unsigned x = 0;
  for (unsigned k = 1; k <= 100; k++) x += k * k % 13;
  printf("sum of k^2 mod 13 for k = 1..100: %u\n", x);
  eprintf("exiting with status %u (reported as %u)\n", 0x100 + x % 200, (0x100 + x % 200) & 0xff);
  rt_exit_group((int)(0x100 + x % 200));
}
