/* The EVM∞ firmware SDK: the Xevm instructions, EVAL descriptors and statuses, the peripherals
 * (registers from the generated regs.h) and, for contract authors, the MSG interrupt requests
 * (docs/consensus.md). Freestanding C for riscv64-unknown-elf-gcc -march=rv32im -mabi=ilp32;
 * link with firmware/crt0.S, firmware/link.ld and firmware/lib (npm run firmware does it). */
#ifndef EVMINF_H
#define EVMINF_H

#include <stddef.h>
#include <stdint.h>
#include "regs.h"

#define EVM_NORETURN __attribute__((noreturn))

/* ---- Frame memory map (docs/architecture.md) ---------------------------------------------- */
#define EVM_CODE_BASE 0x00010000u
#define EVM_INPUT_BASE 0x20000000u
#define EVM_RAM_BASE 0x40000000u
#define EVM_REQUEST_BASE 0x30000000u
#define EVM_MAX_RAM 0x01000000u

/* ---- Permissions (docs/architecture.md; regs.h has the device ones) ----------------------- */
#ifndef EVM_PERM_INFINITE_GAS
#define EVM_PERM_INFINITE_GAS 16u
#endif
#ifndef EVM_PERM_ALTER_GAS_TABLE
#define EVM_PERM_ALTER_GAS_TABLE 32u
#endif

/* ---- EVAL statuses (rd of eval, a0 after an interrupt) ------------------------------------ */
enum evm_status {
  EVM_SUCCESS = 0, EVM_THROW = 1, EVM_OUT_OF_GAS = 2, EVM_BOUNDS = 3, EVM_ILLEGAL_INSTRUCTION = 4,
  EVM_MISALIGNED = 5, EVM_BREAKPOINT = 6, EVM_CALL_DEPTH = 7, EVM_BAD_DESCRIPTOR = 8,
  EVM_INTERRUPT_DENIED = 9, EVM_MEMORY_LIMIT = 10,
};

/* The EVAL descriptor, 13 words (docs/architecture.md, EVAL). RESULT and GASUSED are written back. */
typedef struct {
  uint32_t pset, cstart, csize, istart, isize, ostart, osize, gas, nstart, nsize, ramsize;
  uint32_t result, gasused;
} evm_desc_t;

/* ---- Xevm instructions (docs/isa.md rows 48–53; ECALL is INTERRUPT) ----------------------- */
static inline uint32_t evm_eval(evm_desc_t *d) {
  uint32_t rd;
  __asm__ volatile(".insn r 0x0b, 0, 0, %0, %1, x0" : "=r"(rd) : "r"(d) : "memory");
  return rd;
}
static inline EVM_NORETURN void evm_return(const void *out, uint32_t len) {
  __asm__ volatile(".insn r 0x0b, 1, 0, x0, %0, %1" : : "r"(out), "r"(len) : "memory");
  __builtin_unreachable();
}
static inline EVM_NORETURN void evm_throw(uint32_t code) {
  __asm__ volatile(".insn r 0x0b, 2, 0, x0, %0, x0" : : "r"(code) : "memory");
  __builtin_unreachable();
}
/* Gas left after this instruction's own charge (0xffffffff in an infinite-gas frame). */
static inline uint32_t evm_gas(void) {
  uint32_t rd;
  __asm__ volatile(".insn r 0x0b, 3, 0, %0, x0, x0" : "=r"(rd) : : "memory");
  return rd;
}
static inline uint32_t evm_perm(void) {
  uint32_t rd;
  __asm__ volatile(".insn r 0x0b, 4, 0, %0, x0, x0" : "=r"(rd));
  return rd;
}
/* rd = the cost of gas class cls; with ALTER_GAS_TABLE the class then costs `cost`. */
static inline uint32_t evm_gastab(uint32_t cls, uint32_t cost) {
  uint32_t rd;
  __asm__ volatile(".insn r 0x0b, 5, 0, %0, %1, %2" : "=r"(rd) : "r"(cls), "r"(cost) : "memory");
  return rd;
}

/* INTERRUPT: the parent's handler serves [req, req + len) and replies into [reply, reply + cap). */
typedef struct { uint32_t status, len; } evm_irq_t;
static inline evm_irq_t evm_interrupt(const void *req, uint32_t len, void *reply, uint32_t cap) {
  register uint32_t a0 __asm__("a0") = (uint32_t)(uintptr_t)req;
  register uint32_t a1 __asm__("a1") = len;
  register uint32_t a2 __asm__("a2") = (uint32_t)(uintptr_t)reply;
  register uint32_t a3 __asm__("a3") = cap;
  __asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a3) : "memory");
  evm_irq_t r = { a0, a1 };
  return r;
}

/* ---- Freestanding C library (firmware/lib/libc.c) ----------------------------------------- */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* ---- Register banks hold bytes in memory order (peripherals/regmap.ts) -------------------- */
static inline void evm_bank_write(uint32_t addr, const void *src, uint32_t words) {
  const uint8_t *p = (const uint8_t *)src;
  for (uint32_t i = 0; i < words; i++) {
    uint32_t w;
    memcpy(&w, p + 4 * i, 4);
    EVM_REG(addr + 4 * i) = w;
  }
}
static inline void evm_bank_read(uint32_t addr, void *dst, uint32_t words) {
  uint8_t *p = (uint8_t *)dst;
  for (uint32_t i = 0; i < words; i++) {
    uint32_t w = EVM_REG(addr + 4 * i);
    memcpy(p + 4 * i, &w, 4);
  }
}

/* ---- Keccak / SHA3 unit ------------------------------------------------------------------- */
/* out = keccak-256(p[0..n)); returns the unit's status (SHA3_STATUS_OK). */
static inline uint32_t evm_keccak(const void *p, uint32_t n, uint8_t out[32]) {
  EVM_REG(SHA3_SRC_ADDR) = (uint32_t)(uintptr_t)p;
  EVM_REG(SHA3_LEN_ADDR) = n;
  EVM_REG(SHA3_DST_ADDR) = (uint32_t)(uintptr_t)out;
  EVM_REG(SHA3_CMD_ADDR) = SHA3_CMD_KECCAK256;
  return EVM_REG(SHA3_STATUS_ADDR);
}

/* ---- ECDSA unit --------------------------------------------------------------------------- */
/* Recover the signer of hash from a 65-byte r‖s‖v signature: addr (20 bytes) and, when key is not
 * NULL, the 64-byte public key. Returns the unit's status (ECDSA_STATUS_OK). */
uint32_t evm_ecrecover(const uint8_t hash[32], const uint8_t sig[65], uint8_t addr[20], uint8_t key[64]);
/* ECDSA_STATUS_OK when sig is addr's signature of hash; MISMATCH or a signature error otherwise. */
uint32_t evm_ecverify(const uint8_t hash[32], const uint8_t sig[65], const uint8_t addr[20]);

/* ---- Hard drive (docs/peripherals.md, "Hard drive"); each returns the STATUS --------------- */
uint32_t hdd_put(const void *val, uint32_t len, uint8_t hash[32]);
/* The preimage of hash into out (cap bytes); *len its length. A hash not held: DATA UNAVAILABLE. */
uint32_t hdd_invsha3(const uint8_t hash[32], void *out, uint32_t cap, uint32_t *len);
/* A trie at root (NULL: empty); flags EVM_HDD_SECURE or 0; *id the object. */
#define EVM_HDD_SECURE 1u
uint32_t hdd_mktrie(const uint8_t root[32], uint32_t flags, uint32_t *id);
uint32_t hdd_getroot(uint32_t id, uint8_t root[32]);
uint32_t hdd_setroot(uint32_t id, const uint8_t root[32]);
/* The value of key into out; *len 0 when absent. */
uint32_t hdd_get(uint32_t id, const void *key, uint32_t klen, void *out, uint32_t cap, uint32_t *len);
/* key takes val (vlen 0 deletes). */
uint32_t hdd_set(uint32_t id, const void *key, uint32_t klen, const void *val, uint32_t vlen);
uint32_t hdd_mkpoint(uint32_t id, uint32_t *point);
uint32_t hdd_revert(uint32_t id, uint32_t point);

/* ---- RLP (firmware/lib/rlp.c): strict, canonical (docs/peripherals.md, "Canonical form") -- */
typedef struct {
  const uint8_t *p;   /* payload */
  uint32_t len;       /* payload length */
  const uint8_t *raw; /* the whole item, header included */
  uint32_t rawlen;
  int list;           /* 1: a list, 0: a string */
} rlp_t;
/* The item at buf: 0 when buf holds exactly one canonical item (its tree is checked whole). */
int rlp_parse(const uint8_t *buf, uint32_t len, rlp_t *out);
/* The n elements of list l into items[0..max); -1 when l is not a list or has more than max. */
int rlp_items(const rlp_t *l, rlp_t *items, uint32_t max);
/* A canonical integer string of at most 4 bytes; -1 otherwise. */
int rlp_u32(const rlp_t *it, uint32_t *v);
/* A string of exactly n bytes; -1 otherwise. */
int rlp_bytes(const rlp_t *it, uint32_t n);
/* Encoders: each writes at out and returns the bytes written. */
uint32_t rlp_hdr(uint8_t *out, uint32_t len, int list);
uint32_t rlp_str(uint8_t *out, const void *p, uint32_t len);
uint32_t rlp_uint(uint8_t *out, uint32_t v);
/* The length of an item header for a payload of len. */
uint32_t rlp_hdrlen(uint32_t len);

/* ---- Contracts: the MSG interrupt requests (docs/consensus.md, "MSG and its interrupts") --- */
#define EVM_ADDR_BYTES 28
enum { EVM_Q_ADDRESS = 0, EVM_Q_CALLER = 1, EVM_Q_ORIGIN = 2, EVM_Q_NUMBER = 3, EVM_Q_PREVHASH = 4, EVM_Q_TIMESTAMP = 5 };
/* Storage word key (32 bytes) into val (32 bytes). Returns the handler's status. */
uint32_t sload(const uint8_t key[32], uint8_t val[32]);
uint32_t sstore(const uint8_t key[32], const uint8_t val[32]);
/* Call to with gas and data; the callee's output (up to cap) into out, *outlen its length.
 * Returns the callee's EVAL status (EVM_SUCCESS …), or the handler's when it failed itself. */
uint32_t call(const uint8_t to[28], uint32_t gas, const void *data, uint32_t len, void *out, uint32_t cap, uint32_t *outlen);
/* Create a contract with code; its address into addr. Returns the handler's status. */
uint32_t create(const void *code, uint32_t len, uint8_t addr[28]);
/* An environment query (EVM_Q_*): 32 bytes, a number big-endian or an address right-aligned. */
uint32_t query(uint32_t q, uint8_t out[32]);
/* Conveniences over 32-byte words: a u32 in the last 4 bytes, big-endian. */
uint32_t sload_u32(uint32_t slot);
uint32_t sstore_u32(uint32_t slot, uint32_t v);
void word_u32(uint8_t w[32], uint32_t v);
uint32_t u32_word(const uint8_t w[32]);

#endif
