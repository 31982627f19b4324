/* The ECDSA unit and the hard drive as C calls (docs/peripherals.md). Each command is performed
 * whole by the store to CMD; STATUS is read after it. */
#include <evminf/evminf.h>

static uint32_t ecdsa_src[24]; /* hash ‖ r ‖ s, word aligned for the unit's DMA */

static void ecdsa_setup(const uint8_t hash[32], const uint8_t sig[65]) {
  memcpy(ecdsa_src, hash, 32);
  memcpy((uint8_t *)ecdsa_src + 32, sig, 64);
  EVM_REG(ECDSA_SRC_ADDR) = (uint32_t)(uintptr_t)ecdsa_src;
  EVM_REG(ECDSA_V_ADDR) = sig[64];
}

uint32_t evm_ecrecover(const uint8_t hash[32], const uint8_t sig[65], uint8_t addr[20], uint8_t key[64]) {
  ecdsa_setup(hash, sig);
  EVM_REG(ECDSA_DST_ADDR) = (uint32_t)(uintptr_t)key;
  EVM_REG(ECDSA_CMD_ADDR) = ECDSA_CMD_RECOVER;
  uint32_t st = EVM_REG(ECDSA_STATUS_ADDR);
  if (addr) evm_bank_read(ECDSA_ADDR_ADDR, addr, 5);
  return st;
}

uint32_t evm_ecverify(const uint8_t hash[32], const uint8_t sig[65], const uint8_t addr[20]) {
  ecdsa_setup(hash, sig);
  EVM_REG(ECDSA_DST_ADDR) = 0;
  evm_bank_write(ECDSA_EXPECT_ADDR, addr, 5);
  EVM_REG(ECDSA_CMD_ADDR) = ECDSA_CMD_VERIFY;
  return EVM_REG(ECDSA_STATUS_ADDR);
}

uint32_t hdd_put(const void *val, uint32_t len, uint8_t hash[32]) {
  EVM_REG(HDD_VAL_ADDR) = (uint32_t)(uintptr_t)val;
  EVM_REG(HDD_VALLEN_ADDR) = len;
  EVM_REG(HDD_CMD_ADDR) = HDD_CMD_PUT;
  uint32_t st = EVM_REG(HDD_STATUS_ADDR);
  if (st == HDD_STATUS_OK && hash) evm_bank_read(HDD_HASH_ADDR, hash, 8);
  return st;
}

uint32_t hdd_invsha3(const uint8_t hash[32], void *out, uint32_t cap, uint32_t *len) {
  evm_bank_write(HDD_HASH_ADDR, hash, 8);
  EVM_REG(HDD_OUT_ADDR) = (uint32_t)(uintptr_t)out;
  EVM_REG(HDD_OUTCAP_ADDR) = cap;
  EVM_REG(HDD_CMD_ADDR) = HDD_CMD_INVSHA3;
  if (len) *len = EVM_REG(HDD_OUTLEN_ADDR);
  return EVM_REG(HDD_STATUS_ADDR);
}

uint32_t hdd_mktrie(const uint8_t root[32], uint32_t flags, uint32_t *id) {
  static const uint8_t zero[32];
  evm_bank_write(HDD_HASH_ADDR, root ? root : zero, 8);
  EVM_REG(HDD_FLAGS_ADDR) = flags;
  EVM_REG(HDD_CMD_ADDR) = HDD_CMD_MKTRIE;
  if (id) *id = EVM_REG(HDD_RESULT_ADDR);
  return EVM_REG(HDD_STATUS_ADDR);
}

uint32_t hdd_getroot(uint32_t id, uint8_t root[32]) {
  EVM_REG(HDD_ID_ADDR) = id;
  EVM_REG(HDD_CMD_ADDR) = HDD_CMD_TRIE_GETROOT;
  uint32_t st = EVM_REG(HDD_STATUS_ADDR);
  if (st == HDD_STATUS_OK) evm_bank_read(HDD_HASH_ADDR, root, 8);
  return st;
}

uint32_t hdd_setroot(uint32_t id, const uint8_t root[32]) {
  EVM_REG(HDD_ID_ADDR) = id;
  evm_bank_write(HDD_HASH_ADDR, root, 8);
  EVM_REG(HDD_CMD_ADDR) = HDD_CMD_TRIE_SETROOT;
  return EVM_REG(HDD_STATUS_ADDR);
}

uint32_t hdd_get(uint32_t id, const void *key, uint32_t klen, void *out, uint32_t cap, uint32_t *len) {
  EVM_REG(HDD_ID_ADDR) = id;
  EVM_REG(HDD_KEY_ADDR) = (uint32_t)(uintptr_t)key;
  EVM_REG(HDD_KEYLEN_ADDR) = klen;
  EVM_REG(HDD_OUT_ADDR) = (uint32_t)(uintptr_t)out;
  EVM_REG(HDD_OUTCAP_ADDR) = cap;
  EVM_REG(HDD_CMD_ADDR) = HDD_CMD_TRIE_GET;
  if (len) *len = EVM_REG(HDD_OUTLEN_ADDR);
  return EVM_REG(HDD_STATUS_ADDR);
}

uint32_t hdd_set(uint32_t id, const void *key, uint32_t klen, const void *val, uint32_t vlen) {
  EVM_REG(HDD_ID_ADDR) = id;
  EVM_REG(HDD_KEY_ADDR) = (uint32_t)(uintptr_t)key;
  EVM_REG(HDD_KEYLEN_ADDR) = klen;
  EVM_REG(HDD_VAL_ADDR) = (uint32_t)(uintptr_t)val;
  EVM_REG(HDD_VALLEN_ADDR) = vlen;
  EVM_REG(HDD_CMD_ADDR) = HDD_CMD_TRIE_SET;
  return EVM_REG(HDD_STATUS_ADDR);
}

uint32_t hdd_mkpoint(uint32_t id, uint32_t *point) {
  EVM_REG(HDD_ID_ADDR) = id;
  EVM_REG(HDD_CMD_ADDR) = HDD_CMD_TRIE_MKREVERT_POINT;
  if (point) *point = EVM_REG(HDD_POINT_ADDR);
  return EVM_REG(HDD_STATUS_ADDR);
}

uint32_t hdd_revert(uint32_t id, uint32_t point) {
  EVM_REG(HDD_ID_ADDR) = id;
  EVM_REG(HDD_POINT_ADDR) = point;
  EVM_REG(HDD_CMD_ADDR) = HDD_CMD_TRIE_REVERT;
  return EVM_REG(HDD_STATUS_ADDR);
}
