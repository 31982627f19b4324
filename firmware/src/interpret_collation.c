/* INTERPRET_COLLATION (docs/consensus.md, "INTERPRET_COLLATION"): checks one collation of a block
 * and runs its transactions through MSG, each on revert points of the collation's substate tries.
 * EVAL'd by INTERPRET_BLOCK (validate) or by `evminf block build` (build: the post roots out).
 * Everything read from the collation is hostile: every length is checked before it is used, the
 * transactions are walked one at a time, and every buffer has a fixed bound. */
#include <evminf/evminf.h>

enum {
  OK = 0, BAD_STATE = 2, BAD_COLLATION = 11, BAD_PROPOSER = 12, BAD_PROPOSER_SIG = 13, BAD_COLLATION_SIG = 14,
  BAD_TX = 15, TX_SUBSTATE = 16, BAD_TX_SIG = 17, BAD_NONCE = 18, BAD_POST = 19,
};

#define MAX_VALIDATORS 1024u
#define MAX_SUBSTATES 16u
#define MAX_IMAGE (256u * 1024u)
#define MAX_DATA 65536u
#define MAX_OBJECT (2u * 1024u * 1024u)
#define MSG_RAM (256u * 1024u)
#define MSG_HDR 264u
#define PREFIX 112u /* mode, height, j, prevhash, stateroot, msgcode, len */
#define NONE 0xFFFFFFFFu
/* Internal faults (the hard drive's tables full, a code image too long): THROW, no verdict. */
#define FAULT 1u

/* The output: five words, then (build mode) the post roots. */
static struct { uint32_t verdict, reason, tx, ntx, gas; uint8_t roots[MAX_SUBSTATES][32]; } out;

/* The substates: index, prev, post and the trie object holding each. */
static uint32_t nsub, sub_i[MAX_SUBSTATES], sub_id[MAX_SUBSTATES], sub_base[MAX_SUBSTATES];
static const uint8_t *sub_prev[MAX_SUBSTATES], *sub_post[MAX_SUBSTATES];

static uint8_t colbuf[MAX_OBJECT + 8];        /* rlp([substates, txs, proposer]): colhash's preimage */
static uint8_t scores[MAX_VALIDATORS][32];   /* score(v) of the signer draw */
static uint16_t drawn[MAX_VALIDATORS], tmp[MAX_VALIDATORS];
static uint8_t vaddr[20], key64[64], hbuf[64];
static uint8_t msgcode[MAX_IMAGE];
static uint32_t msglen, msgloaded;
static uint32_t msgin[(MSG_HDR + MAX_DATA) / 4];
static uint32_t msgout[16];
static evm_desc_t desc;

static EVM_NORETURN void finish(uint32_t reason, uint32_t tx, int roots) {
  out.verdict = reason == OK;
  out.reason = reason;
  out.tx = tx;
  evm_return(&out, 20 + (roots ? 32 * nsub : 0));
}

static void be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void keccak(const void *p, uint32_t n, uint8_t h[32]) {
  if (evm_keccak(p, n, h) != SHA3_STATUS_OK) evm_throw(FAULT);
}

/* A trie value into buf (cap bytes): its length, 0 when absent, -1 when it does not fit or the
 * trie's node is not one (the drive's TOO_SMALL, BAD_NODE). */
static int32_t get(uint32_t id, const uint8_t *k, uint32_t klen, void *buf, uint32_t cap) {
  uint32_t n = 0, st = hdd_get(id, k, klen, buf, cap, &n);
  if (st == HDD_STATUS_OK) return (int32_t)n;
  if (st == HDD_STATUS_TOO_SMALL || st == HDD_STATUS_BAD_NODE) return -1;
  evm_throw(FAULT);
}

/* A signature is 65 bytes r ‖ s ‖ v with v the y parity, 0 or 1: the unit also takes 27 and 28,
 * which would give one signature two encodings. */
static int sig_ok(const rlp_t *s) {
  return rlp_bytes(s, 65) == 0 && s->p[64] <= 1;
}

/* Validator v's 20-byte address from the state (stid) into vaddr. */
static int validator(uint32_t stid, uint32_t v) {
  uint8_t k[5] = { 1 };
  be32(k + 1, v);
  return get(stid, k, 5, vaddr, 20) == 20 ? 0 : -1;
}

/* Does (score, v) of a come before b's? */
static int before(uint16_t a, uint16_t b) {
  int c = memcmp(scores[a], scores[b], 32);
  return c < 0 || (c == 0 && a < b);
}

/* Sort drawn[0..n) by (score, v): bottom-up merge sort, O(n log n) for up to 1,023 candidates. */
static void sort_drawn(uint32_t n) {
  uint16_t *src = drawn, *dst = tmp;
  for (uint32_t w = 1; w < n; w *= 2) {
    for (uint32_t lo = 0; lo < n; lo += 2 * w) {
      uint32_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n, a = lo, b = mid, o = lo;
      while (a < mid && b < hi) dst[o++] = before(src[b], src[a]) ? src[b++] : src[a++];
      while (a < mid) dst[o++] = src[a++];
      while (b < hi) dst[o++] = src[b++];
    }
    uint16_t *t = src; src = dst; dst = t;
  }
  if (src != drawn) memcpy(drawn, src, n * sizeof drawn[0]);
}

/* The substates list [[i, prev, post], …]: 1 to 16, i ascending. */
static int substates(const rlp_t *l) {
  rlp_t s[MAX_SUBSTATES], e[3];
  int n = rlp_items(l, s, MAX_SUBSTATES);
  if (n < 1) return -1;
  for (int k = 0; k < n; k++) {
    uint32_t i;
    if (rlp_items(&s[k], e, 3) != 3 || rlp_u32(&e[0], &i) != 0 || rlp_bytes(&e[1], 32) != 0 || rlp_bytes(&e[2], 32) != 0) return -1;
    if (k > 0 && i <= sub_i[k - 1]) return -1;
    sub_i[k] = i; sub_prev[k] = e[1].p; sub_post[k] = e[2].p;
  }
  nsub = (uint32_t)n;
  return 0;
}

static void load_msg(const uint8_t hash[32]) {
  if (msgloaded) return;
  if (hdd_invsha3(hash, msgcode, MAX_IMAGE, &msglen) != HDD_STATUS_OK) evm_throw(FAULT);
  msgloaded = 1;
}

int main(const uint8_t *in, uint32_t len) {
  if (len < PREFIX) evm_throw(FAULT);
  uint32_t mode = le32(in), height = le32(in + 4), j = le32(in + 8), clen = le32(in + 108);
  const uint8_t *prevhash = in + 12, *stateroot = in + 44, *msghash = in + 76, *col = in + PREFIX;
  if (mode > 1 || clen != len - PREFIX || clen > MAX_OBJECT) evm_throw(FAULT);
  out.tx = NONE;

  /* 1. Decode the collation; the state's record; the proposer. */
  rlp_t c, f[5];
  uint32_t proposer;
  if (rlp_parse(col, clen, &c) != 0 || rlp_items(&c, f, 5) != 5 || substates(&f[0]) != 0 || !f[1].list ||
      rlp_u32(&f[2], &proposer) != 0)
    finish(BAD_COLLATION, NONE, 0);
  if (mode == 0) {
    if (f[3].list || !f[4].list) finish(BAD_COLLATION, NONE, 0);
    rlp_t s;
    uint32_t off = 0;
    int r;
    while ((r = rlp_next(&f[4], &off, &s)) == 1) if (s.list) finish(BAD_COLLATION, NONE, 0);
    if (r < 0) finish(BAD_COLLATION, NONE, 0);
  }
  uint32_t stid;
  if (hdd_mktrie(stateroot, 0, &stid) != HDD_STATUS_OK) evm_throw(FAULT);
  uint8_t rec[160], k0 = 0;
  rlp_t r, rf[5];
  uint32_t rheight, nval, signers;
  int32_t rl = get(stid, &k0, 1, rec, sizeof rec);
  if (rl <= 0 || rlp_parse(rec, (uint32_t)rl, &r) != 0 || rlp_items(&r, rf, 5) != 5 || rlp_u32(&rf[0], &rheight) != 0 ||
      rlp_u32(&rf[1], &nval) != 0 || rlp_u32(&rf[2], &signers) != 0 || rlp_bytes(&rf[3], 32) != 0 ||
      rlp_bytes(&rf[4], 32) != 0 || rheight == NONE || nval < 1 || nval > MAX_VALIDATORS)
    finish(BAD_STATE, NONE, 0);
  if (proposer >= nval) finish(BAD_PROPOSER, NONE, 0);

  /* 2. The proposer's and the drawn signers' signatures over colhash. */
  if (mode == 0) {
    uint32_t body = (uint32_t)(f[2].raw + f[2].rawlen - f[0].raw), h = rlp_hdr(colbuf, body, 1);
    uint8_t colhash[32];
    memcpy(colbuf + h, f[0].raw, body);
    keccak(colbuf, h + body, colhash);
    if (validator(stid, proposer) != 0) finish(BAD_STATE, NONE, 0);
    if (!sig_ok(&f[3]) || evm_ecverify(colhash, f[3].p, vaddr) != ECDSA_STATUS_OK) finish(BAD_PROPOSER_SIG, NONE, 0);
    uint32_t want = signers < nval - 1 ? signers : nval - 1, n = 0;
    if (want > 0) {
      uint8_t seed[36];
      memcpy(seed, prevhash, 32);
      be32(seed + 32, j);
      keccak(seed, 36, hbuf);
      for (uint32_t v = 0; v < nval; v++) {
        if (v == proposer) continue;
        be32(hbuf + 32, v);
        keccak(hbuf, 36, scores[v]);
        drawn[n++] = (uint16_t)v;
      }
      sort_drawn(n);
    }
    rlp_t s;
    uint32_t off = 0, count = 0;
    while (rlp_next(&f[4], &off, &s) == 1) count++;
    if (count != want) finish(BAD_COLLATION_SIG, NONE, 0);
    off = 0;
    for (uint32_t m = 0; m < want; m++) {
      rlp_next(&f[4], &off, &s);
      if (validator(stid, drawn[m]) != 0) finish(BAD_STATE, NONE, 0);
      if (!sig_ok(&s) || evm_ecverify(colhash, s.p, vaddr) != ECDSA_STATUS_OK) finish(BAD_COLLATION_SIG, NONE, 0);
    }
  }

  /* 3. A trie at prev for every substate, with a base point the per-transaction points go back to. */
  for (uint32_t k = 0; k < nsub; k++) {
    if (hdd_mktrie(sub_prev[k], 0, &sub_id[k]) != HDD_STATUS_OK || hdd_mkpoint(sub_id[k], &sub_base[k]) != HDD_STATUS_OK)
      evm_throw(FAULT);
  }

  /* 4. The transactions, in order. */
  rlp_t tx;
  uint32_t off = 0, t = 0;
  for (;; t++) {
    int more = rlp_next(&f[1], &off, &tx);
    if (more == 0) break;
    rlp_t tf[2], b[5];
    uint32_t nonce, substate, gas;
    if (more < 0 || rlp_items(&tx, tf, 2) != 2 || rlp_items(&tf[0], b, 5) != 5 || tf[1].list || rlp_u32(&b[0], &nonce) != 0 ||
        rlp_u32(&b[1], &substate) != 0 || b[2].list || (b[2].len != 0 && b[2].len != 28) || rlp_u32(&b[3], &gas) != 0 ||
        b[4].list || b[4].len > MAX_DATA)
      finish(BAD_TX, t, 0);
    uint32_t k = 0;
    while (k < nsub && sub_i[k] != substate) k++;
    if (k == nsub) finish(TX_SUBSTATE, t, 0);
    uint8_t txhash[32], id[25];
    keccak(tf[0].raw, tf[0].rawlen, txhash);
    if (!sig_ok(&tf[1]) || evm_ecrecover(txhash, tf[1].p, NULL, key64) != ECDSA_STATUS_OK) finish(BAD_TX_SIG, t, 0);
    keccak(key64, 64, hbuf);
    memcpy(id, hbuf + 8, 24);
    id[24] = 0;

    /* The sender's account [nonce, code] (absent: nonce 0, no code), then [nonce + 1, code]. */
    uint8_t acct[64], code[33];
    uint32_t anonce = 0, codelen = 0;
    int32_t al = get(sub_id[k], id, 25, acct, sizeof acct);
    if (al < 0) finish(BAD_STATE, t, 0);
    if (al > 0) {
      rlp_t a, af[2];
      if (rlp_parse(acct, (uint32_t)al, &a) != 0 || rlp_items(&a, af, 2) != 2 || rlp_u32(&af[0], &anonce) != 0 || af[1].list ||
          (af[1].len != 0 && af[1].len != 32))
        finish(BAD_STATE, t, 0);
      codelen = af[1].len;
      memcpy(code, af[1].p, codelen);
    }
    if (nonce != anonce || anonce == NONE) finish(BAD_NONCE, t, 0);
    uint8_t body[48], rec2[48];
    uint32_t bl = rlp_uint(body, anonce + 1);
    bl += rlp_str(body + bl, code, codelen);
    uint32_t h = rlp_hdr(rec2, bl, 1);
    memcpy(rec2 + h, body, bl);
    if (hdd_set(sub_id[k], id, 25, rec2, h + bl) != HDD_STATUS_OK) evm_throw(FAULT);

    /* A revert point on every trie, then MSG (docs/consensus.md, "MSG's input"). */
    uint32_t pt[MAX_SUBSTATES];
    for (uint32_t q = 0; q < nsub; q++) if (hdd_mkpoint(sub_id[q], &pt[q]) != HDD_STATUS_OK) evm_throw(FAULT);
    load_msg(msghash);
    uint8_t *m = (uint8_t *)msgin;
    memset(m, 0, MSG_HDR);
    msgin[0] = b[2].len == 0;
    msgin[1] = nsub;
    for (uint32_t q = 0; q < nsub; q++) { msgin[2 + 2 * q] = sub_i[q]; msgin[3 + 2 * q] = sub_id[q]; }
    be32(m + 136, substate);
    memcpy(m + 140, id, 24);
    memcpy(m + 164, m + 136, 28);
    memcpy(m + 192, b[2].p, b[2].len);
    msgin[220 / 4] = nonce;
    msgin[224 / 4] = height;
    memcpy(m + 228, prevhash, 32);
    msgin[260 / 4] = b[4].len;
    memcpy(m + MSG_HDR, b[4].p, b[4].len);
    desc = (evm_desc_t){
      .pset = EVM_PERM_HARD_DRIVE | EVM_PERM_CRYPTO, .cstart = (uint32_t)(uintptr_t)msgcode, .csize = msglen,
      .istart = (uint32_t)(uintptr_t)msgin, .isize = MSG_HDR + b[4].len, .ostart = (uint32_t)(uintptr_t)msgout,
      .osize = sizeof msgout, .gas = gas, .ramsize = MSG_RAM,
    };
    uint32_t st = evm_eval(&desc);
    out.gas += desc.gasused;
    /* MSG reverts a failed contract itself; a MSG that failed (its own gas ran out) is reverted here.
     * Then every trie goes back to its base point and on at its current root, so the points this
     * transaction and MSG made are dropped: the live points stay bounded however many run. */
    for (uint32_t q = 0; q < nsub; q++) {
      uint8_t root[32];
      if ((st != EVM_SUCCESS && hdd_revert(sub_id[q], pt[q]) != HDD_STATUS_OK) || hdd_getroot(sub_id[q], root) != HDD_STATUS_OK ||
          hdd_revert(sub_id[q], sub_base[q]) != HDD_STATUS_OK || hdd_setroot(sub_id[q], root) != HDD_STATUS_OK)
        evm_throw(FAULT);
    }
    out.ntx = t + 1;
  }

  /* 5. The post roots: compared (validate) or output (build). */
  for (uint32_t k = 0; k < nsub; k++) {
    if (hdd_getroot(sub_id[k], out.roots[k]) != HDD_STATUS_OK) evm_throw(FAULT);
    if (mode == 0 && memcmp(out.roots[k], sub_post[k], 32) != 0) finish(BAD_POST, NONE, 0);
  }
  finish(OK, NONE, mode == 1);
}
