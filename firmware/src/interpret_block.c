/* INTERPRET_BLOCK (docs/consensus.md, "INTERPRET_BLOCK"): the one fixed program of the chain, the
 * root frame every full node runs with the block's hash as input. Its nine steps: the header and
 * its parent by INVSHA3, the parent's state and chain record, every validator's signature, the
 * objects, each collation EVAL'd through INTERPRET_COLLATION (by the record's hash) on disjoint
 * substates, the new state, its root against endstate. The block is hostile: every length is
 * checked, every buffer bounded. A hash the drive does not hold stops the run (DATA UNAVAILABLE). */
#include <evminf/evminf.h>

enum {
  OK = 0, BAD_HEADER = 1, BAD_STATE = 2, MISSING_SIG = 3, BAD_SIG = 4, EXTRA_SIG = 5, BAD_OBJROOT = 6,
  UNKNOWN_OBJECT = 7, INTERSECTING = 8, BAD_PREV_ROOT = 9, COLLATION_FAILED = 10, BAD_COLLATION = 11, BAD_ENDSTATE = 20,
};

#define MAX_VALIDATORS 1024u
#define MAX_SUBSTATES 16u
#define MAX_IMAGE (256u * 1024u)
#define MAX_OBJECT (2u * 1024u * 1024u)
#define COLLATION_RAM (4u * 1024u * 1024u)
#define PREFIX 112u /* INTERPRET_COLLATION's input: mode, height, j, prevhash, stateroot, msgcode, len */
#define NONE 0xFFFFFFFFu
/* Internal faults (the hard drive's tables full): THROW, no verdict. */
#define FAULT 1u
/* Substates touched in the block: each costs INTERPRET_COLLATION a trie object, so the drive's
 * MAX_OBJECTS bounds them (the last collation's up to 16 are checked before its tries exist). */
#define TOUCHED_MAX (65536u + MAX_SUBSTATES)

static const uint8_t EMPTY_ROOT[32] = {
  0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45, 0xe6, 0x92, 0xc0, 0xf8, 0x6e,
  0x5b, 0x48, 0xe0, 0x1b, 0x99, 0x6c, 0xad, 0xc0, 0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63, 0xb4, 0x21,
};

static struct { uint32_t verdict, reason, object, tx, ntx, txgas; } out;

static uint8_t hdr[2][160];
static uint8_t vaddr[MAX_VALIDATORS][20];
static uint8_t sig[80];
static uint32_t colin[(PREFIX + MAX_OBJECT) / 4 + 1]; /* INTERPRET_COLLATION's input; the object is read into it */
static uint8_t colcode[MAX_IMAGE];
static uint32_t colcodelen, colloaded;
static uint32_t colout[5 + 8 * MAX_SUBSTATES];
static evm_desc_t desc;

static EVM_NORETURN void finish(uint32_t reason, uint32_t object, uint32_t tx) {
  out.verdict = reason == OK;
  out.reason = reason;
  out.object = object;
  out.tx = tx;
  evm_return(&out, sizeof out);
}

static void be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

/* A trie value into buf (cap bytes): its length, 0 when absent, -1 when it does not fit or the
 * trie's node is not one (the drive's TOO_SMALL, BAD_NODE); anything else is a fault. */
static int32_t get(uint32_t id, const uint8_t *k, uint32_t klen, void *buf, uint32_t cap) {
  uint32_t n = 0, st = hdd_get(id, k, klen, buf, cap, &n);
  if (st == HDD_STATUS_OK) return (int32_t)n;
  if (st == HDD_STATUS_TOO_SMALL) return cap == 0 ? (int32_t)n : -1;
  if (st == HDD_STATUS_BAD_NODE) return -1;
  evm_throw(FAULT);
}

static void del(uint32_t id, const uint8_t *k, uint32_t klen) {
  if (hdd_set(id, k, klen, NULL, 0) != HDD_STATUS_OK) evm_throw(FAULT);
}

static int root_is(uint32_t id, const uint8_t want[32]) {
  uint8_t r[32];
  if (hdd_getroot(id, r) != HDD_STATUS_OK) evm_throw(FAULT);
  return memcmp(r, want, 32) == 0;
}

/* The header under hash into hdr[w]: four 32-byte hashes at f. */
static int header(const uint8_t hash[32], int w, rlp_t f[4]) {
  uint32_t n = 0, st = hdd_invsha3(hash, hdr[w], sizeof hdr[w], &n);
  rlp_t h;
  if (st != HDD_STATUS_OK || rlp_parse(hdr[w], n, &h) != 0 || rlp_items(&h, f, 4) != 4) return -1;
  for (int i = 0; i < 4; i++) if (rlp_bytes(&f[i], 32) != 0) return -1;
  return 0;
}

/* The substates touched so far: an AA tree (Andersson's balanced tree, two rotations) over a
 * node pool; its height stays below 2 log2(n + 1), which bounds insert's recursion. */
static uint32_t t_key[TOUCHED_MAX + 1], t_left[TOUCHED_MAX + 1], t_right[TOUCHED_MAX + 1];
static uint8_t t_level[TOUCHED_MAX + 1];
static uint32_t t_root, t_used;

static uint32_t skew(uint32_t t) {
  uint32_t l = t_left[t];
  if (l == 0 || t_level[l] != t_level[t]) return t;
  t_left[t] = t_right[l];
  t_right[l] = t;
  return l;
}

static uint32_t split(uint32_t t) {
  uint32_t r = t_right[t];
  if (r == 0 || t_right[r] == 0 || t_level[t_right[r]] != t_level[t]) return t;
  t_right[t] = t_left[r];
  t_left[r] = t;
  t_level[r]++;
  return r;
}

/* Inserts key under t; *dup = 1 when it was there already. Returns the subtree's new root. */
static uint32_t insert(uint32_t t, uint32_t key, int *dup) {
  if (t == 0) {
    if (t_used == TOUCHED_MAX) evm_throw(FAULT);
    uint32_t n = ++t_used;
    t_key[n] = key; t_left[n] = 0; t_right[n] = 0; t_level[n] = 1;
    return n;
  }
  if (key == t_key[t]) { *dup = 1; return t; }
  if (key < t_key[t]) t_left[t] = insert(t_left[t], key, dup);
  else t_right[t] = insert(t_right[t], key, dup);
  return split(skew(t));
}

int main(const uint8_t *in, uint32_t len) {
  if (len != 32) evm_throw(FAULT);
  out.object = NONE; out.tx = NONE;

  /* 1. The header and its parent. */
  uint8_t hash[32];
  rlp_t h[4], p[4];
  memcpy(hash, in, 32);
  if (header(hash, 0, h) != 0) finish(BAD_HEADER, NONE, NONE);
  const uint8_t *prevhash = h[0].p, *valroot = h[1].p, *objroot = h[2].p, *endstate = h[3].p;
  if (header(prevhash, 1, p) != 0) finish(BAD_HEADER, NONE, NONE);
  const uint8_t *prevstate = p[3].p;

  /* 2. The parent's state: its chain record and the validators' addresses. */
  uint32_t stid;
  if (hdd_mktrie(prevstate, 0, &stid) != HDD_STATUS_OK) evm_throw(FAULT);
  uint8_t rec[160], k0 = 0;
  rlp_t r, rf[5];
  uint32_t height, nval, signers;
  int32_t rl = get(stid, &k0, 1, rec, sizeof rec);
  if (rl <= 0 || rlp_parse(rec, (uint32_t)rl, &r) != 0 || rlp_items(&r, rf, 5) != 5 || rlp_u32(&rf[0], &height) != 0 ||
      rlp_u32(&rf[1], &nval) != 0 || rlp_u32(&rf[2], &signers) != 0 || rlp_bytes(&rf[3], 32) != 0 ||
      rlp_bytes(&rf[4], 32) != 0 || height == NONE || nval < 1 || nval > MAX_VALIDATORS)
    finish(BAD_STATE, NONE, NONE);
  for (uint32_t v = 0; v < nval; v++) {
    uint8_t k[5] = { 1 };
    be32(k + 1, v);
    if (get(stid, k, 5, vaddr[v], 20) != 20) finish(BAD_STATE, NONE, NONE);
  }

  /* 3. Every validator's signature over sighash = H(rlp([prevhash, objroot, endstate])), each
   * deleted from a copy of valroot once checked: what is left over is an extra entry. */
  uint8_t sh[101], sighash[32];
  uint32_t o = rlp_hdr(sh, 99, 1);
  o += rlp_str(sh + o, prevhash, 32);
  o += rlp_str(sh + o, objroot, 32);
  o += rlp_str(sh + o, endstate, 32);
  if (evm_keccak(sh, o, sighash) != SHA3_STATUS_OK) evm_throw(FAULT);
  uint32_t vt;
  if (hdd_mktrie(valroot, 0, &vt) != HDD_STATUS_OK) evm_throw(FAULT);
  for (uint32_t v = 0; v < nval; v++) {
    uint8_t k[4];
    be32(k, v);
    int32_t n = get(vt, k, 4, sig, sizeof sig);
    if (n == 0) finish(MISSING_SIG, NONE, NONE);
    if (n != 65 || sig[64] > 1 || evm_ecverify(sighash, sig, vaddr[v]) != ECDSA_STATUS_OK) finish(BAD_SIG, NONE, NONE);
    del(vt, k, 4);
  }
  if (!root_is(vt, EMPTY_ROOT)) finish(EXTRA_SIG, NONE, NONE);

  /* 4. The objects be32(0), be32(1), … up to the first absent key, and nothing else. */
  uint32_t ot, nobj = 0;
  if (hdd_mktrie(objroot, 0, &ot) != HDD_STATUS_OK) evm_throw(FAULT);
  for (;; nobj++) {
    uint8_t k[4];
    be32(k, nobj);
    int32_t n = get(ot, k, 4, NULL, 0);
    if (n < 0) finish(BAD_OBJROOT, NONE, NONE);
    if (n == 0) break;
    del(ot, k, 4);
  }
  if (!root_is(ot, EMPTY_ROOT)) finish(BAD_OBJROOT, NONE, NONE);
  if (hdd_setroot(ot, objroot) != HDD_STATUS_OK) evm_throw(FAULT);

  /* 5–6. Each collation: disjoint substates at their current roots, INTERPRET_COLLATION, posts. */
  uint8_t *cin = (uint8_t *)colin, *obj = cin + PREFIX;
  for (uint32_t j = 0; j < nobj; j++) {
    uint8_t k[4];
    be32(k, j);
    int32_t n = get(ot, k, 4, obj, MAX_OBJECT);
    rlp_t ob, of[2], c, f[5], s[MAX_SUBSTATES], e[3];
    uint32_t kind;
    if (n <= 0 || rlp_parse(obj, (uint32_t)n, &ob) != 0 || rlp_items(&ob, of, 2) != 2 || rlp_u32(&of[0], &kind) != 0 || kind != 0)
      finish(UNKNOWN_OBJECT, j, NONE);
    c = of[1];
    int ns = rlp_items(&c, f, 5) == 5 ? rlp_items(&f[0], s, MAX_SUBSTATES) : -1;
    uint32_t si[MAX_SUBSTATES];
    uint8_t post[MAX_SUBSTATES][32];
    if (ns < 1) finish(BAD_COLLATION, j, NONE);
    for (int q = 0; q < ns; q++) {
      if (rlp_items(&s[q], e, 3) != 3 || rlp_u32(&e[0], &si[q]) != 0 || rlp_bytes(&e[1], 32) != 0 || rlp_bytes(&e[2], 32) != 0 ||
          (q > 0 && si[q] <= si[q - 1]))
        finish(BAD_COLLATION, j, NONE);
      memcpy(post[q], e[2].p, 32);
    }
    for (int q = 0; q < ns; q++) {
      int dup = 0;
      t_root = insert(t_root, si[q], &dup);
      if (dup) finish(INTERSECTING, j, NONE);
    }
    for (int q = 0; q < ns; q++) {
      uint8_t sk[5] = { 2 }, cur[32];
      be32(sk + 1, si[q]);
      rlp_items(&s[q], e, 3);
      int32_t rn = get(stid, sk, 5, cur, 32);
      if (rn == 0) memcpy(cur, EMPTY_ROOT, 32);
      else if (rn != 32) finish(BAD_STATE, j, NONE);
      if (memcmp(cur, e[1].p, 32) != 0) finish(BAD_PREV_ROOT, j, NONE);
    }
    if (!colloaded) {
      uint32_t st = hdd_invsha3(rf[3].p, colcode, MAX_IMAGE, &colcodelen);
      if (st == HDD_STATUS_TOO_SMALL) finish(COLLATION_FAILED, j, NONE);
      if (st != HDD_STATUS_OK) evm_throw(FAULT);
      colloaded = 1;
    }
    /* The input: the prefix, then the collation moved down over the object's header. */
    uint32_t clen = c.rawlen;
    memmove(obj, c.raw, clen);
    put32(cin, 0);
    put32(cin + 4, height + 1);
    put32(cin + 8, j);
    memcpy(cin + 12, prevhash, 32);
    memcpy(cin + 44, prevstate, 32);
    memcpy(cin + 76, rf[4].p, 32);
    put32(cin + 108, clen);
    desc = (evm_desc_t){
      .pset = EVM_PERM_HARD_DRIVE | EVM_PERM_CRYPTO, .cstart = (uint32_t)(uintptr_t)colcode, .csize = colcodelen,
      .istart = (uint32_t)(uintptr_t)cin, .isize = PREFIX + clen, .ostart = (uint32_t)(uintptr_t)colout,
      .osize = sizeof colout, .gas = 0xFFFFFFFFu, .ramsize = COLLATION_RAM,
    };
    uint32_t st = evm_eval(&desc);
    if (st != EVM_SUCCESS || desc.result < 20) finish(COLLATION_FAILED, j, NONE);
    out.ntx += colout[3];
    out.txgas += colout[4];
    if (colout[0] != 1) finish(colout[1] != OK ? colout[1] : COLLATION_FAILED, j, colout[2]);
    for (int q = 0; q < ns; q++) {
      uint8_t sk[5] = { 2 };
      be32(sk + 1, si[q]);
      uint32_t empty = memcmp(post[q], EMPTY_ROOT, 32) == 0;
      if (hdd_set(stid, sk, 5, post[q], empty ? 0 : 32) != HDD_STATUS_OK) evm_throw(FAULT);
    }
  }

  /* 7. The record's height + 1; 8. the state's root against endstate. */
  uint8_t body[160], nrec[160];
  uint32_t bl = rlp_uint(body, height + 1);
  for (int i = 1; i < 5; i++) { memcpy(body + bl, rf[i].raw, rf[i].rawlen); bl += rf[i].rawlen; }
  uint32_t hl = rlp_hdr(nrec, bl, 1);
  memcpy(nrec + hl, body, bl);
  if (hdd_set(stid, &k0, 1, nrec, hl + bl) != HDD_STATUS_OK) evm_throw(FAULT);
  if (!root_is(stid, endstate)) finish(BAD_ENDSTATE, NONE, NONE);
  finish(OK, NONE, NONE);
}
