/* String routines: copy, compare, search (naive and KMP), reverse, number conversion,
 * case mapping, ROT13, run-length coding, word counting, UTF-8 decoding. */
#include "rt.h"

static char *my_strcpy(char *d, const char *s) { char *r = d; while ((*d++ = *s++)) {} return r; }
static char *my_strcat(char *d, const char *s) { my_strcpy(d + strlen(d), s); return d; }
static int my_strcmp(const char *a, const char *b) {
  while (*a && *a == *b) { a++; b++; }
  return (unsigned char)*a - (unsigned char)*b;
}
static const char *my_strchr(const char *s, int c) {
  for (;; s++) {
    if (*s == (char)c) return s;
    if (!*s) return 0;
  }
}
static int naive_count(const char *text, const char *pat) {
  int n = 0, m = (int)strlen(pat);
  for (const char *p = text; *p; p++) {
    int k = 0;
    while (k < m && p[k] == pat[k]) k++;
    if (k == m) n++;
  }
  return n;
}
static int kmp_count(const char *text, const char *pat) {
  int m = (int)strlen(pat), fail[32], n = 0;
  fail[0] = 0;
  for (int i = 1, k = 0; i < m; i++) {
    while (k > 0 && pat[i] != pat[k]) k = fail[k - 1];
    if (pat[i] == pat[k]) k++;
    fail[i] = k;
  }
  for (int i = 0, k = 0; text[i]; i++) {
    while (k > 0 && text[i] != pat[k]) k = fail[k - 1];
    if (text[i] == pat[k]) k++;
    if (k == m) { n++; k = fail[k - 1]; }
  }
  return n;
}
static void reverse(char *s) {
  for (char *e = s + strlen(s) - 1; s < e; s++, e--) { char t = *s; *s = *e; *e = t; }
}
static char *itoa_base(int v, char *out, int base) {
  unsigned u = v < 0 && base == 10 ? 0u - (unsigned)v : (unsigned)v;
  char *p = out;
  do { unsigned d = u % (unsigned)base; *p++ = (char)(d < 10 ? '0' + d : 'a' + d - 10); u /= (unsigned)base; } while (u);
  if (v < 0 && base == 10) *p++ = '-';
  *p = 0;
  reverse(out);
  return out;
}
static int my_atoi(const char *s) {
  while (*s == ' ') s++;
  int neg = *s == '-';
  if (*s == '-' || *s == '+') s++;
  unsigned v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (unsigned)(*s++ - '0');
  return neg ? (int)(0u - v) : (int)v;
}
static void rot13(char *s) {
  for (; *s; s++) {
    char c = *s;
    if (c >= 'a' && c <= 'z') *s = (char)('a' + (c - 'a' + 13) % 26);
    else if (c >= 'A' && c <= 'Z') *s = (char)('A' + (c - 'A' + 13) % 26);
  }
}
static void upper(char *s) { for (; *s; s++) if (*s >= 'a' && *s <= 'z') *s = (char)(*s - 32); }
static int rle(const char *s, char *out) {
  char *o = out;
  while (*s) {
    char c = *s;
    int n = 0;
    while (*s == c && n < 9) { s++; n++; }
    *o++ = (char)('0' + n);
    *o++ = c;
  }
  *o = 0;
  return (int)(o - out);
}
static int words(const char *s) {
  int n = 0, in = 0;
  for (; *s; s++) {
    int sp = *s == ' ' || *s == '\n' || *s == '\t' || *s == ',' || *s == '.';
    if (!sp && !in) n++;
    in = !sp;
  }
  return n;
}
static int palindrome(const char *s) {
  const char *e = s + strlen(s) - 1;
  while (s < e) {
    while (s < e && !((*s | 32) >= 'a' && (*s | 32) <= 'z')) s++;
    while (s < e && !((*e | 32) >= 'a' && (*e | 32) <= 'z')) e--;
    if ((*s | 32) != (*e | 32)) return 0;
    s++; e--;
  }
  return 1;
}
/* Count code points of a UTF-8 string (bytes >= 0x80: signed char traps are avoided). */
static int utf8_len(const char *s) {
  int n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) n += (*p & 0xc0) != 0x80;
  return n;
}

static const char TEXT[] =
    "It was the best of times, it was the worst of times, it was the age of wisdom, "
    "it was the age of foolishness, it was the epoch of belief, it was the epoch of "
    "incredulity, it was the season of Light, it was the season of Darkness.";

int main(void) {
  char buf[160];
  my_strcpy(buf, "Hello");
  my_strcat(buf, ", ");
  my_strcat(buf, "world!");
  printf("%s (%u chars)\n", buf, (unsigned)strlen(buf));
  printf("strcmp: %d %d %d %d\n", my_strcmp("abc", "abc") == 0, my_strcmp("abc", "abd") < 0, my_strcmp("b", "abc") > 0, my_strcmp("\xe9", "e") > 0);
  printf("strchr(',') at %d, strchr('z') %s\n", (int)(my_strchr(buf, ',') - buf), my_strchr(buf, 'z') ? "found" : "null");
  printf("words in text: %d, length %u\n", words(TEXT), (unsigned)strlen(TEXT));
  printf("\"it was\" occurs %d times (naive), %d (KMP); \"of\" %d; \"aaa\" in \"aaaaaa\" %d %d\n",
         naive_count(TEXT, "it was"), kmp_count(TEXT, "it was"), kmp_count(TEXT, "of"), naive_count("aaaaaa", "aaa"), kmp_count("aaaaaa", "aaa"));
  char num[40];
  int vals[] = {0, 7, -7, 2147483647, -2147483647 - 1, 1000000, -31337};
  for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) {
    itoa_base(vals[i], num, 10);
    int back = my_atoi(num);
    char hex[40];
    itoa_base(vals[i], hex, 16);
    printf("  itoa %s hex %s roundtrip %d\n", num, hex, back == vals[i]);
  }
  printf("atoi(\"  -0042x\") = %d\n", my_atoi("  -0042x"));
  my_strcpy(buf, "Why did the chicken cross the road?");
  rot13(buf);
  printf("rot13: %s\n", buf);
  rot13(buf);
  upper(buf);
  printf("upper: %s\n", buf);
  reverse(buf);
  printf("reversed: %s\n", buf);
  char enc[80];
  int n = rle("aaabccccccccccccddddde", enc);
  printf("rle: %s (%d bytes)\n", enc, n);
  printf("palindromes: %d %d %d\n", palindrome("A man, a plan, a canal: Panama"), palindrome("racecar"), palindrome("evminf"));
  const char *u = "na\xc3\xafve caf\xc3\xa9 \xe2\x82\xac 5";
  printf("utf-8 \"%s\" has %d code points, %u bytes\n", u, utf8_len(u), (unsigned)strlen(u));
  uint32_t h = 5381;
  for (const char *p = TEXT; *p; p++) h = h * 33u ^ (unsigned char)*p;
  printf("djb2 of text %08x\n", h);
  return (int)(h % 97u);
}
