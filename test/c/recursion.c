/* Recursion: deep call chains, stack frames, return addresses (jal/jalr, sp traffic). */
#include "rt.h"

static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static unsigned calls;
static unsigned ack(unsigned m, unsigned n) {
  calls++;
  if (m == 0) return n + 1;
  if (n == 0) return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}

static unsigned moves, trail;
static void hanoi(int n, int from, int to, int via) {
  if (n == 0) return;
  hanoi(n - 1, from, via, to);
  moves++;
  trail = trail * 31u + (unsigned)(from * 3 + to);
  if (moves <= 5) printf("  move disk %d from %c to %c\n", n, 'A' + from, 'A' + to);
  hanoi(n - 1, via, to, from);
}

/* N queens by backtracking: columns and both diagonals as bit masks. */
static int queens(int n, int row, unsigned cols, unsigned d1, unsigned d2) {
  if (row == n) return 1;
  int count = 0;
  for (int c = 0; c < n; c++) {
    unsigned a = 1u << c, b = 1u << (row + c), d = 1u << (row - c + n - 1);
    if ((cols & a) || (d1 & b) || (d2 & d)) continue;
    count += queens(n, row + 1, cols | a, d1 | b, d2 | d);
  }
  return count;
}

/* Mutual recursion that the compiler cannot turn into a loop across two functions easily. */
static int is_odd(unsigned n);
static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
static int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }

/* Recursive sum of digits of n! computed with a recursive big-number multiply. */
static void bigmul(unsigned char *d, int len, int i, unsigned k, unsigned carry) {
  if (i == len) return;
  unsigned v = d[i] * k + carry;
  d[i] = (unsigned char)(v % 10);
  bigmul(d, len, i + 1, k, v / 10);
}

int main(void) {
  int f = fib(20);
  printf("fib(20) = %d\n", f);
  unsigned a = ack(2, 3);
  printf("ack(2, 3) = %u\n", a);
  calls = 0;
  unsigned b = ack(3, 4);
  printf("ack(3, 4) = %u in %u calls\n", b, calls);
  printf("hanoi(12):\n");
  hanoi(12, 0, 2, 1);
  printf("hanoi(12) took %u moves, trail %08x\n", moves, trail);
  for (int n = 4; n <= 8; n++) printf("queens(%d) = %d\n", n, queens(n, 0, 0, 0, 0));
  printf("is_even(1001) = %d, is_odd(777) = %d\n", is_even(1001), is_odd(777));
  unsigned char digits[80];
  memset(digits, 0, sizeof digits);
  digits[0] = 1;
  for (unsigned k = 2; k <= 50; k++) bigmul(digits, 80, 0, k, 0);
  int top = 79;
  while (top > 0 && digits[top] == 0) top--;
  unsigned dsum = 0;
  printf("50! = ");
  for (int i = top; i >= 0; i--) { printf("%c", '0' + digits[i]); dsum += digits[i]; }
  printf("\ndigit sum of 50! = %u\n", dsum);
  return (int)((unsigned)f + a + b + moves + dsum) & 0xff;
}
