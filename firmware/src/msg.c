/* MSG: one message — a call or a creation — over the collation's substate tries, and the handler
 * that serves its contracts' interrupts (docs/consensus.md, "MSG and its interrupts", "MSG's
 * input"). EVAL'd by INTERPRET_COLLATION with PSET HARD_DRIVE + CRYPTO and MSG_RAM of RAM.
 *
 * Memory: .bss holds the input's fields; the RAM between .bss and the stack is one scratch
 * buffer, used by the innermost message only: a callee's code is fetched into it (EVAL copies it
 * into the child) and the callee's output lands in it when the EVAL ends, after every deeper
 * handler has finished with it. So nesting costs stack alone: a message's roots (32 bytes per
 * trie), its running-contract entry and the handler's locals. A handler entered with less than
 * HANDLER_STACK above .bss THROWs 10 (msg.S); a call whose callee's code does not fit gets
 * MEMORY_LIMIT; the hardware's call depth gives CALL_DEPTH — all returned to the caller.
 *
 * A revert point is a trie's root (docs/peripherals.md): each message keeps its tries' roots on
 * its stack (GETROOT) and puts them back (SETROOT) when it fails, so a message holds none of the
 * hard drive's revert points, whatever the nesting. */
#include <evminf/evminf.h>

#define CONTRACT_RAM 16384u
#define MSG_RESERVE 5000u
#define MAX_CODE 65536u
/* A call's output is cut here, so what the caller pays to take it back (1 gas a word, several
 * times on the way out) fits in MSG_RESERVE. */
#define MAX_OUTPUT 4096u
/* EVAL's own charges before the child's limit is set (docs/architecture.md, EVAL steps 1 and 6,
 * at the default gas table): the reserve is kept after them. */
#define EVAL_GAS 200u
#define MAX_TRIES 16u
#define HDR_BYTES 264u
/* Scratch kept free below the live stack when a buffer is placed under it. */
#define STACK_MARGIN 256u

/* MSG's input (little-endian words; 264 bytes, then the data). */
typedef struct {
  uint32_t kind, ntries, tries[MAX_TRIES][2];
  uint8_t origin[28], caller[28], to[28];
  uint32_t nonce, height;
  uint8_t prevhash[32];
  uint32_t len;
} msg_input_t;
_Static_assert(sizeof(msg_input_t) == HDR_BYTES, "MSG's input header is 264 bytes");

/* A running contract: the innermost is `top`. Entries live on the stack of the frame that
 * EVALs the contract, so the list is as deep as the nesting and needs no table. */
typedef struct running {
  uint8_t addr[28], caller[28];
  struct running *prev;
} running_t;

static msg_input_t in;
static running_t *top;

extern uint8_t __bss_end[];
extern const uint8_t msg_irq[], msg_irq_end[];

static inline uint8_t *scratch(void) { return (uint8_t *)(((uintptr_t)__bss_end + 3) & ~(uintptr_t)3); }

/* The top of the free RAM below the caller's live stack. */
static inline uint8_t *stack_floor(void) {
  uintptr_t sp;
  __asm__ volatile("mv %0, sp" : "=r"(sp));
  return (uint8_t *)((sp - STACK_MARGIN) & ~(uintptr_t)3);
}

/* The hard drive's trie holding substate `sub`, 0 when it is not one of the collation's. */
static uint32_t trie_of(const uint8_t addr[28]) {
  uint32_t sub = ((uint32_t)addr[0] << 24) | ((uint32_t)addr[1] << 16) | ((uint32_t)addr[2] << 8) | addr[3];
  for (uint32_t i = 0; i < in.ntries; i++) if (in.tries[i][0] == sub) return in.tries[i][1];
  return 0;
}

/* An account record [nonce, code]: 0 and fills *nonce and code (32 bytes, *has 1) or *has 0;
 * absent: nonce 0, no code. -1 when the record does not decode or the drive failed. */
static int account(uint32_t trie, const uint8_t addr[28], uint32_t *nonce, uint8_t code[32], int *has) {
  uint8_t key[25], rec[64];
  uint32_t n;
  memcpy(key, addr + 4, 24);
  key[24] = 0;
  *nonce = 0;
  *has = 0;
  if (hdd_get(trie, key, 25, rec, sizeof rec, &n) != HDD_STATUS_OK) return -1;
  if (n == 0) return 0;
  rlp_t l, it[2];
  if (rlp_parse(rec, n, &l) != 0 || rlp_items(&l, it, 2) != 2 || rlp_u32(&it[0], nonce) != 0 || it[1].list) return -1;
  if (it[1].len == 32) { memcpy(code, it[1].p, 32); *has = 1; return 0; }
  return it[1].len == 0 ? 0 : -1;
}

/* Write the account record [nonce, code] (code NULL: a key holder). */
static int set_account(uint32_t trie, const uint8_t addr[28], uint32_t nonce, const uint8_t *code) {
  uint8_t key[25], rec[48], body[40];
  memcpy(key, addr + 4, 24);
  key[24] = 0;
  uint32_t b = rlp_uint(body, nonce);
  b += rlp_str(body + b, code, code ? 32 : 0);
  uint32_t h = rlp_hdr(rec, b, 1);
  memcpy(rec + h, body, b);
  return hdd_set(trie, key, 25, rec, h + b) == HDD_STATUS_OK ? 0 : -1;
}

/* A creation (step 2): the address from [creator, nonce], code PUT, account [0, H(code)]. With
 * bump, the creator's record takes nonce + 1 (CREATE by a contract). 0 and *addr, or THROW. */
static uint32_t creation(const uint8_t creator[28], uint32_t nonce, int bump, const uint8_t ccode[32], int chas,
                         const uint8_t *code, uint32_t len, uint8_t addr[28]) {
  uint32_t trie = trie_of(creator);
  if (trie == 0 || len == 0 || len > MAX_CODE || (bump && nonce == 0xFFFFFFFFu)) return EVM_THROW;
  /* rlp([creator, nonce]): 29 + at most 5 bytes of payload, so a one-byte list header. */
  uint8_t pre[40], h[32];
  uint32_t b = rlp_str(pre + 1, creator, 28);
  b += rlp_uint(pre + 1 + b, nonce);
  pre[0] = (uint8_t)(0xC0 + b);
  if (evm_keccak(pre, 1 + b, h) != SHA3_STATUS_OK) return EVM_THROW;
  memcpy(addr, creator, 4);
  memcpy(addr + 4, h + 8, 24);
  uint32_t n;
  int has;
  uint8_t c[32];
  if (account(trie, addr, &n, c, &has) != 0 || n != 0 || has) return EVM_THROW;
  /* An account record exists only with a nonce or code, so nonce 0 and no code is absent. */
  if (bump && set_account(trie, creator, nonce + 1, chas ? ccode : NULL) != 0) return EVM_THROW;
  if (hdd_put(code, len, h) != HDD_STATUS_OK) return EVM_THROW;
  if (set_account(trie, addr, 0, h) != 0) return EVM_THROW;
  return EVM_SUCCESS;
}

/* Call step 3: EVAL `to`'s code with data. Output at out + 4, *outlen its length.
 * Returns the EVAL status, or SUCCESS at once for a callee without code. */
static uint32_t run_call(const uint8_t to[28], const uint8_t from[28], uint32_t gas, const uint8_t *data, uint32_t dlen,
                         uint8_t *out, uint32_t *outlen) {
  *outlen = 0;
  /* The buffer ends below this frame's stack: everything live is above sp here. */
  uint8_t *floor = stack_floor();
  if (floor < out + 8) return EVM_MEMORY_LIMIT;
  uint32_t cap = (uint32_t)(floor - out) - 4;
  uint32_t trie = trie_of(to);
  if (trie == 0) return EVM_SUCCESS;
  uint32_t nonce, clen;
  uint8_t hash[32];
  int has;
  if (account(trie, to, &nonce, hash, &has) != 0) return EVM_THROW;
  if (!has) return EVM_SUCCESS;
  /* The code goes where the output will: EVAL copies it into the child first. */
  uint32_t st = hdd_invsha3(hash, out, cap + 4, &clen);
  if (st == HDD_STATUS_TOO_SMALL) return EVM_MEMORY_LIMIT;
  if (st != HDD_STATUS_OK || clen == 0) return EVM_THROW;
  uint32_t left = evm_gas(), pre = EVAL_GAS + (clen + 3) / 4 + (dlen + 3) / 4 + CONTRACT_RAM / 4 + MSG_RESERVE;
  uint32_t g = left > pre ? left - pre : 0;
  if (gas < g) g = gas;
  if (cap > MAX_OUTPUT) cap = MAX_OUTPUT;
  running_t self;
  memcpy(self.addr, to, 28);
  memcpy(self.caller, from, 28);
  self.prev = top;
  evm_desc_t d = {
    .pset = EVM_PERM_CRYPTO, .cstart = (uint32_t)(uintptr_t)out, .csize = clen,
    .istart = (uint32_t)(uintptr_t)data, .isize = dlen, .ostart = (uint32_t)(uintptr_t)(out + 4), .osize = cap,
    .gas = g, .nstart = (uint32_t)(uintptr_t)msg_irq, .nsize = (uint32_t)(msg_irq_end - msg_irq), .ramsize = CONTRACT_RAM,
  };
  top = &self;
  st = evm_eval(&d);
  /* Restored from this frame's own entry: a handler that died mid-way cannot leave top wrong. */
  top = self.prev;
  if (st == EVM_SUCCESS) *outlen = d.result;
  return st;
}

/* One message (steps 1, 3, 4): the tries' roots kept, the call run, the roots put back when it
 * failed. Creation (kind 1) goes through `create` instead of a call. */
static uint32_t message(const uint8_t to[28], const uint8_t from[28], uint32_t gas, const uint8_t *data, uint32_t dlen,
                        int create, uint8_t *out, uint32_t *outlen) {
  uint8_t roots[in.ntries][32];
  for (uint32_t i = 0; i < in.ntries; i++) if (hdd_getroot(in.tries[i][1], roots[i]) != HDD_STATUS_OK) return EVM_THROW;
  uint32_t st;
  if (create) {
    st = creation(from, in.nonce, 0, NULL, 0, data, dlen, out + 4);
    *outlen = st == EVM_SUCCESS ? 28 : 0;
  } else {
    st = run_call(to, from, gas, data, dlen, out, outlen);
  }
  if (st != EVM_SUCCESS) {
    for (uint32_t i = 0; i < in.ntries; i++) hdd_setroot(in.tries[i][1], roots[i]);
  }
  return st;
}

static EVM_NORETURN void reply_status(uint8_t *out, uint32_t st, uint32_t outlen) {
  memcpy(out, &st, 4);
  evm_return(out, 4 + outlen);
}

int main(const uint8_t *input, uint32_t len) {
  if (len < HDR_BYTES) evm_throw(1);
  memcpy(&in, input, HDR_BYTES);
  if (in.kind > 1 || in.ntries == 0 || in.ntries > MAX_TRIES || in.len != len - HDR_BYTES) evm_throw(1);
  uint8_t *out = scratch();
  uint32_t outlen;
  uint32_t st = message(in.to, in.caller, 0xFFFFFFFFu, input + HDR_BYTES, in.len, in.kind == 1, out, &outlen);
  reply_status(out, st, outlen);
}

/* ---- The handler: a contract's INTERRUPT, served in MSG's context (entered from msg.S) ---- */

/* The running contract's storage key: id ‖ 0x01 ‖ slot, the slot k left-padded to 32 bytes. */
static void slot_key(uint8_t key[57], const rlp_t *k) {
  memcpy(key, top->addr + 4, 24);
  key[24] = 1;
  memset(key + 25, 0, 32 - k->len);
  memcpy(key + 57 - k->len, k->p, k->len);
}

EVM_NORETURN void msg_handler(const uint8_t *req, uint32_t len) {
  rlp_t l, it[4];
  uint32_t kind, n;
  int items;
  if (top == NULL || rlp_parse(req, len, &l) != 0 || (items = rlp_items(&l, it, 4)) < 2 || rlp_u32(&it[0], &kind) != 0) evm_throw(1);
  uint32_t trie = trie_of(top->addr);
  uint8_t word[32], key[57];
  switch (kind) {
    case 0: { /* [0, k] SLOAD */
      if (items != 2 || it[1].list || it[1].len > 32 || trie == 0) break;
      slot_key(key, &it[1]);
      uint8_t v[32];
      if (hdd_get(trie, key, 57, v, 32, &n) != HDD_STATUS_OK) break;
      memset(word, 0, 32 - n);
      memcpy(word + 32 - n, v, n);
      evm_return(word, 32);
    }
    case 1: { /* [1, k, v] SSTORE: the word without its leading zeros, zero deletes */
      if (items != 3 || it[1].list || it[1].len > 32 || it[2].list || it[2].len > 32 || trie == 0) break;
      slot_key(key, &it[1]);
      const uint8_t *v = it[2].p;
      uint32_t vl = it[2].len;
      while (vl > 0 && v[0] == 0) { v++; vl--; }
      if (hdd_set(trie, key, 57, v, vl) != HDD_STATUS_OK) break;
      evm_return(NULL, 0);
    }
    case 2: { /* [2, to, gas, data] CALL: a nested message, reply le32(status) ‖ output */
      uint32_t gas, outlen;
      if (items != 4 || rlp_bytes(&it[1], 28) != 0 || rlp_u32(&it[2], &gas) != 0 || it[3].list) break;
      uint8_t *out = scratch();
      uint32_t st = message(it[1].p, top->addr, gas, it[3].p, it[3].len, 0, out, &outlen);
      reply_status(out, st, outlen);
    }
    case 3: { /* [3, code] CREATE by the running contract, its nonce incremented */
      uint8_t code[32], addr[28];
      int has;
      if (items != 2 || it[1].list || trie == 0 || account(trie, top->addr, &n, code, &has) != 0) break;
      if (creation(top->addr, n, 1, code, has, it[1].p, it[1].len, addr) != EVM_SUCCESS) break;
      evm_return(addr, 28);
    }
    case 4: { /* [4, q] QUERY */
      uint32_t q;
      if (items != 2 || rlp_u32(&it[1], &q) != 0) break;
      memset(word, 0, 32);
      if (q == EVM_Q_ADDRESS) memcpy(word + 4, top->addr, 28);
      else if (q == EVM_Q_CALLER) memcpy(word + 4, top->caller, 28);
      else if (q == EVM_Q_ORIGIN) memcpy(word + 4, in.origin, 28);
      else if (q == EVM_Q_NUMBER || q == EVM_Q_TIMESTAMP) { uint32_t h = in.height; word[28] = (uint8_t)(h >> 24); word[29] = (uint8_t)(h >> 16); word[30] = (uint8_t)(h >> 8); word[31] = (uint8_t)h; }
      else if (q == EVM_Q_PREVHASH) memcpy(word, in.prevhash, 32);
      else break;
      evm_return(word, 32);
    }
  }
  evm_throw(1);
}
