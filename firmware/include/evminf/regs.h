/* Generated from peripherals/regmap.ts by `npm run docs`. Do not edit by hand.
 * The EVM∞ virtual peripherals: base addresses, register offsets and addresses, command
 * codes, status codes, latency, gas and limits (docs/peripherals.md). */
#ifndef EVMINF_REGS_H
#define EVMINF_REGS_H

#include <stdint.h>

/* A device register as an lvalue: EVM_REG(SHA3_CMD_ADDR) = SHA3_CMD_KECCAK256; */
#define EVM_REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

#define EVM_DMA_BYTES_PER_CYCLE 4

/* PSET bits */
#define EVM_PERM_SUBJECTIVE 1u
#define EVM_PERM_HARD_DRIVE 2u
#define EVM_PERM_CRYPTO 4u
#define EVM_PERM_TIMER 8u

/* ---- sha3: Keccak-256 / SHA3-256 hash unit ---- */
#define SHA3_BASE 0xF0010000u
#define SHA3_SIZE 0x40u
#define SHA3_PERM 4u /* CRYPTO */
#define SHA3_CMD 0x00u /* rw */
#define SHA3_CMD_ADDR (SHA3_BASE + SHA3_CMD)
#define SHA3_STATUS 0x04u /* r */
#define SHA3_STATUS_ADDR (SHA3_BASE + SHA3_STATUS)
#define SHA3_SRC 0x08u /* rw */
#define SHA3_SRC_ADDR (SHA3_BASE + SHA3_SRC)
#define SHA3_LEN 0x0Cu /* rw */
#define SHA3_LEN_ADDR (SHA3_BASE + SHA3_LEN)
#define SHA3_DST 0x10u /* rw */
#define SHA3_DST_ADDR (SHA3_BASE + SHA3_DST)
#define SHA3_DIGEST 0x20u /* r, 8 words */
#define SHA3_DIGEST_ADDR (SHA3_BASE + SHA3_DIGEST)
#define SHA3_DIGEST_WORDS 8u
#define SHA3_CMD_KECCAK256 1u
#define SHA3_CMD_SHA3_256 2u
#define SHA3_STATUS_OK 0u
#define SHA3_STATUS_DMA_FAULT 1u
#define SHA3_STATUS_BAD_COMMAND 2u
#define SHA3_RATE 136u
#define SHA3_CYCLES_SETUP 2u
#define SHA3_CYCLES_PER_BLOCK 24u
#define SHA3_CYCLES_DST 8u
#define SHA3_GAS_BASE 30u
#define SHA3_GAS_PER_BLOCK 24u

/* ---- ecdsa: ECDSA secp256k1 signer recovery unit ---- */
#define ECDSA_BASE 0xF0020000u
#define ECDSA_SIZE 0x60u
#define ECDSA_PERM 4u /* CRYPTO */
#define ECDSA_CMD 0x00u /* rw */
#define ECDSA_CMD_ADDR (ECDSA_BASE + ECDSA_CMD)
#define ECDSA_STATUS 0x04u /* r */
#define ECDSA_STATUS_ADDR (ECDSA_BASE + ECDSA_STATUS)
#define ECDSA_SRC 0x08u /* rw */
#define ECDSA_SRC_ADDR (ECDSA_BASE + ECDSA_SRC)
#define ECDSA_V 0x0Cu /* rw */
#define ECDSA_V_ADDR (ECDSA_BASE + ECDSA_V)
#define ECDSA_DST 0x10u /* rw */
#define ECDSA_DST_ADDR (ECDSA_BASE + ECDSA_DST)
#define ECDSA_ADDR 0x20u /* r, 5 words */
#define ECDSA_ADDR_ADDR (ECDSA_BASE + ECDSA_ADDR)
#define ECDSA_ADDR_WORDS 5u
#define ECDSA_EXPECT 0x40u /* rw, 5 words */
#define ECDSA_EXPECT_ADDR (ECDSA_BASE + ECDSA_EXPECT)
#define ECDSA_EXPECT_WORDS 5u
#define ECDSA_CMD_RECOVER 1u
#define ECDSA_CMD_VERIFY 2u
#define ECDSA_STATUS_OK 0u
#define ECDSA_STATUS_DMA_FAULT 1u
#define ECDSA_STATUS_BAD_COMMAND 2u
#define ECDSA_STATUS_BAD_V 3u
#define ECDSA_STATUS_BAD_R 4u
#define ECDSA_STATUS_BAD_S 5u
#define ECDSA_STATUS_HIGH_S 6u
#define ECDSA_STATUS_NO_POINT 7u
#define ECDSA_STATUS_MISMATCH 8u
#define ECDSA_CYCLES_SETUP 2u
#define ECDSA_CYCLES_SRC 24u
#define ECDSA_CYCLES 5000u
#define ECDSA_CYCLES_DST 16u
#define ECDSA_GAS 3000u

/* ---- rlp: RLP decoder / encoder ---- */
#define RLP_BASE 0xF0030000u
#define RLP_SIZE 0x60u
#define RLP_PERM 0u /* none */
#define RLP_CMD 0x00u /* rw */
#define RLP_CMD_ADDR (RLP_BASE + RLP_CMD)
#define RLP_STATUS 0x04u /* r */
#define RLP_STATUS_ADDR (RLP_BASE + RLP_STATUS)
#define RLP_BUF 0x08u /* rw */
#define RLP_BUF_ADDR (RLP_BASE + RLP_BUF)
#define RLP_BUFLEN 0x0Cu /* rw */
#define RLP_BUFLEN_ADDR (RLP_BASE + RLP_BUFLEN)
#define RLP_POS 0x10u /* rw */
#define RLP_POS_ADDR (RLP_BASE + RLP_POS)
#define RLP_INDEX 0x14u /* rw */
#define RLP_INDEX_ADDR (RLP_BASE + RLP_INDEX)
#define RLP_TYPE 0x18u /* r */
#define RLP_TYPE_ADDR (RLP_BASE + RLP_TYPE)
#define RLP_DOFF 0x1Cu /* r */
#define RLP_DOFF_ADDR (RLP_BASE + RLP_DOFF)
#define RLP_DLEN 0x20u /* r */
#define RLP_DLEN_ADDR (RLP_BASE + RLP_DLEN)
#define RLP_END 0x24u /* r */
#define RLP_END_ADDR (RLP_BASE + RLP_END)
#define RLP_COUNT 0x28u /* r */
#define RLP_COUNT_ADDR (RLP_BASE + RLP_COUNT)
#define RLP_VAL_LO 0x2Cu /* rw */
#define RLP_VAL_LO_ADDR (RLP_BASE + RLP_VAL_LO)
#define RLP_VAL_HI 0x30u /* rw */
#define RLP_VAL_HI_ADDR (RLP_BASE + RLP_VAL_HI)
#define RLP_OUT 0x40u /* rw */
#define RLP_OUT_ADDR (RLP_BASE + RLP_OUT)
#define RLP_OUTCAP 0x44u /* rw */
#define RLP_OUTCAP_ADDR (RLP_BASE + RLP_OUTCAP)
#define RLP_OUTLEN 0x48u /* rw */
#define RLP_OUTLEN_ADDR (RLP_BASE + RLP_OUTLEN)
#define RLP_SRC 0x4Cu /* rw */
#define RLP_SRC_ADDR (RLP_BASE + RLP_SRC)
#define RLP_SRCLEN 0x50u /* rw */
#define RLP_SRCLEN_ADDR (RLP_BASE + RLP_SRCLEN)
#define RLP_MARK 0x54u /* rw */
#define RLP_MARK_ADDR (RLP_BASE + RLP_MARK)
#define RLP_CMD_ITEM 1u
#define RLP_CMD_NTH 2u
#define RLP_CMD_COUNT 3u
#define RLP_CMD_VALIDATE 4u
#define RLP_CMD_UINT 5u
#define RLP_CMD_ENC_BYTES 8u
#define RLP_CMD_ENC_UINT 9u
#define RLP_CMD_ENC_LIST 10u
#define RLP_STATUS_OK 0u
#define RLP_STATUS_DMA_FAULT 1u
#define RLP_STATUS_BAD_COMMAND 2u
#define RLP_STATUS_MALFORMED 3u
#define RLP_STATUS_NOT_LIST 4u
#define RLP_STATUS_NOT_STRING 5u
#define RLP_STATUS_INDEX_RANGE 6u
#define RLP_STATUS_OVERFLOW 7u
#define RLP_STATUS_NOT_CANONICAL_INT 8u
#define RLP_CYCLES_SETUP 1u
#define RLP_CYCLES_PER_HEADER 2u
#define RLP_CYCLES_PER_WORD 1u
#define RLP_GAS_BASE 3u
#define RLP_GAS_PER_HEADER 1u
#define RLP_GAS_PER_WORD 1u
#define RLP_MAX_DEPTH 1024u

/* ---- hdd: Hard drive: preimages, tries and heaps ---- */
#define HDD_BASE 0xF0040000u
#define HDD_SIZE 0x60u
#define HDD_PERM 2u /* HARD_DRIVE */
#define HDD_CMD 0x00u /* rw */
#define HDD_CMD_ADDR (HDD_BASE + HDD_CMD)
#define HDD_STATUS 0x04u /* r */
#define HDD_STATUS_ADDR (HDD_BASE + HDD_STATUS)
#define HDD_ID 0x08u /* rw */
#define HDD_ID_ADDR (HDD_BASE + HDD_ID)
#define HDD_KEY 0x0Cu /* rw */
#define HDD_KEY_ADDR (HDD_BASE + HDD_KEY)
#define HDD_KEYLEN 0x10u /* rw */
#define HDD_KEYLEN_ADDR (HDD_BASE + HDD_KEYLEN)
#define HDD_VAL 0x14u /* rw */
#define HDD_VAL_ADDR (HDD_BASE + HDD_VAL)
#define HDD_VALLEN 0x18u /* rw */
#define HDD_VALLEN_ADDR (HDD_BASE + HDD_VALLEN)
#define HDD_OUT 0x1Cu /* rw */
#define HDD_OUT_ADDR (HDD_BASE + HDD_OUT)
#define HDD_OUTCAP 0x20u /* rw */
#define HDD_OUTCAP_ADDR (HDD_BASE + HDD_OUTCAP)
#define HDD_OUTLEN 0x24u /* r */
#define HDD_OUTLEN_ADDR (HDD_BASE + HDD_OUTLEN)
#define HDD_POINT 0x28u /* rw */
#define HDD_POINT_ADDR (HDD_BASE + HDD_POINT)
#define HDD_RESULT 0x2Cu /* r */
#define HDD_RESULT_ADDR (HDD_BASE + HDD_RESULT)
#define HDD_FLAGS 0x30u /* rw */
#define HDD_FLAGS_ADDR (HDD_BASE + HDD_FLAGS)
#define HDD_HASH 0x40u /* rw, 8 words */
#define HDD_HASH_ADDR (HDD_BASE + HDD_HASH)
#define HDD_HASH_WORDS 8u
#define HDD_CMD_PUT 1u
#define HDD_CMD_INVSHA3 2u
#define HDD_CMD_MKTRIE 16u
#define HDD_CMD_TRIE_GETROOT 17u
#define HDD_CMD_TRIE_SETROOT 18u
#define HDD_CMD_TRIE_GET 19u
#define HDD_CMD_TRIE_SET 20u
#define HDD_CMD_TRIE_MKREVERT_POINT 21u
#define HDD_CMD_TRIE_REVERT 22u
#define HDD_CMD_MKHEAP 32u
#define HDD_CMD_HEAP_GETROOT 33u
#define HDD_CMD_HEAP_SETROOT 34u
#define HDD_CMD_HEAP_GET 35u
#define HDD_CMD_HEAP_SET 36u
#define HDD_CMD_HEAP_MKREVERT_POINT 37u
#define HDD_CMD_HEAP_REVERT 38u
#define HDD_CMD_HEAP_TOP 39u
#define HDD_CMD_HEAP_POP 40u
#define HDD_STATUS_OK 0u
#define HDD_STATUS_DMA_FAULT 1u
#define HDD_STATUS_BAD_COMMAND 2u
#define HDD_STATUS_BAD_ID 3u
#define HDD_STATUS_WRONG_KIND 4u
#define HDD_STATUS_BAD_POINT 5u
#define HDD_STATUS_TOO_SMALL 6u
#define HDD_STATUS_EMPTY 7u
#define HDD_STATUS_TABLE_FULL 8u
#define HDD_STATUS_TOO_LARGE 9u
#define HDD_MAX_OBJECTS 65536u
#define HDD_MAX_POINTS 65536u
#define HDD_MAX_KEY 1024u
#define HDD_MAX_VALUE 16777216u
#define HDD_CYCLES_SETUP 4u
#define HDD_CYCLES_PER_NODE_READ 20u
#define HDD_CYCLES_PER_NODE_WRITE 40u
#define HDD_GAS_BASE 20u
#define HDD_GAS_PER_NODE_READ 20u
#define HDD_GAS_PER_NODE_WRITE 100u
#define HDD_GAS_PER_WORD 1u

/* ---- timer: CURTIME timer (subjective) ---- */
#define TIMER_BASE 0xF0050000u
#define TIMER_SIZE 0x08u
#define TIMER_PERM 9u /* SUBJECTIVE + TIMER */
#define TIMER_CURTIME_LO 0x00u /* r */
#define TIMER_CURTIME_LO_ADDR (TIMER_BASE + TIMER_CURTIME_LO)
#define TIMER_CURTIME_HI 0x04u /* r */
#define TIMER_CURTIME_HI_ADDR (TIMER_BASE + TIMER_CURTIME_HI)

/* ---- console: Debug console ---- */
#define CONSOLE_BASE 0xF0060000u
#define CONSOLE_SIZE 0x04u
#define CONSOLE_PERM 0u /* none */
#define CONSOLE_TX 0x00u /* w */
#define CONSOLE_TX_ADDR (CONSOLE_BASE + CONSOLE_TX)
#define CONSOLE_LIMIT 1048576u

#endif /* EVMINF_REGS_H */
