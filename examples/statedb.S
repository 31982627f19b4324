# A small state database on the EVM∞ peripherals (docs/peripherals.md): the hard drive keeps a
# Merkle-Patricia trie of balances, a revert point undoes a failed update, the Keccak unit
# hashes the result and the debug console logs progress. It prints the trie's root, which is
# Ethereum's for the same contents (check: evminf trie root with the three pairs below), and
# the Keccak-256 of that root.
#
#   evminf run examples/statedb.S --stats
#
# Register offsets, commands and statuses are those of peripherals/regmap.ts
# (firmware/include/evminf/regs.h for C).

  .equ SHA3, 0xf0010000
  .equ HDD, 0xf0040000
  .equ CONSOLE, 0xf0060000
  # hard-drive registers and commands
  .equ H_CMD, 0x00
  .equ H_STATUS, 0x04
  .equ H_ID, 0x08
  .equ H_KEY, 0x0c
  .equ H_KEYLEN, 0x10
  .equ H_VAL, 0x14
  .equ H_VALLEN, 0x18
  .equ H_OUT, 0x1c
  .equ H_OUTCAP, 0x20
  .equ H_OUTLEN, 0x24
  .equ H_POINT, 0x28
  .equ H_RESULT, 0x2c
  .equ H_HASH, 0x40
  .equ MKTRIE, 16
  .equ TRIE_GETROOT, 17
  .equ TRIE_GET, 19
  .equ TRIE_SET, 20
  .equ TRIE_MKREVERT_POINT, 21
  .equ TRIE_REVERT, 22
  # Keccak unit
  .equ S_CMD, 0x00
  .equ S_STATUS, 0x04
  .equ S_SRC, 0x08
  .equ S_LEN, 0x0c
  .equ S_DST, 0x10
  .equ KECCAK256, 1

  .text
  .globl _start
_start:
  li s0, HDD
  la a0, msg_start
  call log

  # A trie object over the empty root (HASH reads 0 after reset: the empty trie).
  li t0, MKTRIE
  sw t0, H_CMD(s0)
  lw t0, H_STATUS(s0)
  bnez t0, fail
  lw s1, H_RESULT(s0)          # s1 = the trie's id
  sw s1, H_ID(s0)

  la a0, k_alice
  li a1, 5
  la a2, v_100
  li a3, 3
  call set
  la a0, k_bob
  li a1, 3
  la a2, v_7
  li a3, 1
  call set
  la a0, k_carol
  li a1, 5
  la a2, v_42
  li a3, 2
  call set

  # A revert point, then an update that is abandoned: alice pays everything to dave.
  li t0, TRIE_MKREVERT_POINT
  sw t0, H_CMD(s0)
  lw s2, H_POINT(s0)           # s2 = the point
  la a0, msg_update
  call log
  la a0, k_alice
  li a1, 5
  la a2, v_0
  li a3, 1
  call set
  la a0, k_dave
  li a1, 4
  la a2, v_100
  li a3, 3
  call set
  la a0, msg_revert
  call log
  sw s2, H_POINT(s0)
  li t0, TRIE_REVERT
  sw t0, H_CMD(s0)
  lw t0, H_STATUS(s0)
  bnez t0, fail

  # bob's balance is read back: "7".
  la t0, k_bob
  sw t0, H_KEY(s0)
  li t0, 3
  sw t0, H_KEYLEN(s0)
  la t0, got
  sw t0, H_OUT(s0)
  li t0, 8
  sw t0, H_OUTCAP(s0)
  li t0, TRIE_GET
  sw t0, H_CMD(s0)
  lw t0, H_STATUS(s0)
  bnez t0, fail
  lw t0, H_OUTLEN(s0)
  li t1, 1
  bne t0, t1, fail
  lbu t0, got
  li t1, '7'
  bne t0, t1, fail

  # The root: 32 bytes from the HASH bank to memory.
  li t0, TRIE_GETROOT
  sw t0, H_CMD(s0)
  la t1, root
  addi t2, s0, H_HASH
  li t3, 8
copy:
  lw t4, 0(t2)
  sw t4, 0(t1)
  addi t1, t1, 4
  addi t2, t2, 4
  addi t3, t3, -1
  bnez t3, copy

  # Keccak-256 of the root, by DMA into `digest`.
  li s3, SHA3
  la t0, root
  sw t0, S_SRC(s3)
  li t0, 32
  sw t0, S_LEN(s3)
  la t0, digest
  sw t0, S_DST(s3)
  li t0, KECCAK256
  sw t0, S_CMD(s3)
  lw t0, S_STATUS(s3)
  bnez t0, fail

  la a0, label_root
  li a1, 6
  call write
  la a0, root
  call hex32
  la a0, label_digest
  li a1, 18
  call write
  la a0, digest
  call hex32
  la a0, msg_done
  call log
  li a0, 0
  li a7, 93
  ecall

fail:
  la a0, msg_fail
  call log
  li a0, 1
  li a7, 93
  ecall

# set(a0 key, a1 keylen, a2 value, a3 vallen) in trie s1; fails the run on a bad status.
set:
  sw a0, H_KEY(s0)
  sw a1, H_KEYLEN(s0)
  sw a2, H_VAL(s0)
  sw a3, H_VALLEN(s0)
  li t0, TRIE_SET
  sw t0, H_CMD(s0)
  lw t0, H_STATUS(s0)
  bnez t0, fail
  ret

# log(a0 = NUL-terminated string) to the debug console.
log:
  li t1, CONSOLE
1:
  lbu t0, 0(a0)
  beqz t0, 2f
  sb t0, 0(t1)
  addi a0, a0, 1
  j 1b
2:
  ret

# write(a0 buf, a1 len) to stdout.
write:
  mv a2, a1
  mv a1, a0
  li a0, 1
  li a7, 64
  ecall
  ret

# hex32(a0 = 32 bytes): "0x" and 64 hex digits and a newline to stdout.
hex32:
  la t1, line
  li t0, '0'
  sb t0, 0(t1)
  li t0, 'x'
  sb t0, 1(t1)
  addi t1, t1, 2
  la t5, hexdigits
  li t3, 32
3:
  lbu t0, 0(a0)
  srli t2, t0, 4
  add t2, t2, t5
  lbu t2, 0(t2)
  sb t2, 0(t1)
  andi t2, t0, 15
  add t2, t2, t5
  lbu t2, 0(t2)
  sb t2, 1(t1)
  addi t1, t1, 2
  addi a0, a0, 1
  addi t3, t3, -1
  bnez t3, 3b
  li t0, '\n'
  sb t0, 0(t1)
  la a1, line
  li a2, 67
  li a0, 1
  li a7, 64
  ecall
  ret

  .section .rodata
k_alice: .ascii "alice"
k_bob: .ascii "bob"
k_carol: .ascii "carol"
k_dave: .ascii "dave"
v_100: .ascii "100"
v_7: .ascii "7"
v_42: .ascii "42"
v_0: .ascii "0"
hexdigits: .ascii "0123456789abcdef"
label_root: .ascii "root  "
label_digest: .ascii "keccak256(root)   "
msg_start: .asciz "statedb: balances of alice, bob and carol\n"
msg_update: .asciz "statedb: alice pays dave (to be abandoned)\n"
msg_revert: .asciz "statedb: reverted\n"
msg_done: .asciz "statedb: done\n"
msg_fail: .asciz "statedb: a device reported an error\n"

  .data
  .balign 4
root: .space 32
digest: .space 32
got: .space 8
line: .space 68
