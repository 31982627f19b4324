/* token: balances of 256-bit amounts in storage, a one-time mint and transfers.
 *
 * Input (the first byte selects the operation; words are 32 bytes, big-endian):
 *   0x00 ‖ supply            init: once, credits `supply` to the caller, who becomes the owner
 *   0x01 ‖ to (28) ‖ amount  transfer `amount` from the caller to `to`; returns the caller's new balance
 *   0x02 ‖ who (28)          balance of `who`
 * Storage: the balance of address A in slot A (the 28 bytes right-aligned in the word, so its top
 * 4 bytes are zero); the owner in slot 0x01 ‖ 0³¹ (a slot no address can take).
 * THROW codes: 1 malformed input, 2 balance too low, 3 already initialised, 4 overflow. */
#include <evminf/evminf.h>

static const uint8_t OWNER_SLOT[32] = { 1 };

static void addr_slot(uint8_t slot[32], const uint8_t a[28]) {
  memset(slot, 0, 4);
  memcpy(slot + 4, a, 28);
}

/* a += b; returns the carry out. */
static uint32_t add(uint8_t a[32], const uint8_t b[32]) {
  uint32_t c = 0;
  for (int i = 31; i >= 0; i--) { c += (uint32_t)a[i] + b[i]; a[i] = (uint8_t)c; c >>= 8; }
  return c;
}

/* a -= b (a ≥ b). */
static void sub(uint8_t a[32], const uint8_t b[32]) {
  int32_t br = 0;
  for (int i = 31; i >= 0; i--) {
    int32_t d = (int32_t)a[i] - b[i] - br;
    br = d < 0;
    a[i] = (uint8_t)(d + (br << 8));
  }
}

int main(const uint8_t *in, uint32_t len) {
  uint8_t me[32], slot[32], bal[32], amount[32];
  if (len < 1) return 1;
  query(EVM_Q_CALLER, me);
  switch (in[0]) {
    case 0: {
      if (len != 33) return 1;
      uint8_t owner[32];
      sload(OWNER_SLOT, owner);
      for (int i = 0; i < 32; i++) if (owner[i] != 0) return 3;
      sstore(OWNER_SLOT, me);
      memcpy(amount, in + 1, 32);
      sstore(me, amount); /* me: the caller right-aligned, as addr_slot lays it out */
      evm_return(amount, 32);
    }
    case 1: {
      if (len != 61) return 1;
      memcpy(amount, in + 29, 32);
      sload(me, bal);
      if (memcmp(bal, amount, 32) < 0) return 2;
      uint8_t to[32], tb[32];
      addr_slot(to, in + 1);
      if (memcmp(to, me, 32) == 0) evm_return(bal, 32);
      sload(to, tb);
      if (add(tb, amount) != 0) return 4;
      sub(bal, amount);
      sstore(me, bal);
      sstore(to, tb);
      evm_return(bal, 32);
    }
    case 2: {
      if (len != 29) return 1;
      addr_slot(slot, in + 1);
      sload(slot, bal);
      evm_return(bal, 32);
    }
  }
  return 1;
}
