# A parent frame runs untrusted child code under EVAL and serves its INTERRUPTs with an in-RAM
# key-value store standing in for SLOAD/SSTORE (docs/architecture.md).
#
#   evminf run examples/kvstore.S
#
# Interrupt request (12 bytes): op (0 = SLOAD, 1 = SSTORE), key, value. Reply: one word.

        .equ SYS_WRITE, 64
        .equ SYS_EXIT, 93
        .equ OP_SLOAD, 0
        .equ OP_SSTORE, 1
        .equ KV_SLOTS, 16

        .text
        .globl _start
_start:
        # Fill in the descriptor fields that are addresses (the rest are constants in .data).
        la      s0, desc
        la      t0, child_start
        sw      t0, 4(s0)               # CSTART
        la      t1, child_end
        sub     t1, t1, t0
        sw      t1, 8(s0)               # CSIZE
        la      t0, output
        sw      t0, 20(s0)              # OSTART
        la      t0, handler
        sw      t0, 32(s0)              # NSTART
        la      t1, handler_end
        sub     t1, t1, t0
        sw      t1, 36(s0)              # NSIZE

        eval    s1, s0                  # run the child; s1 = status

        la      a0, msg_status
        call    puts
        mv      a0, s1
        call    putdec
        la      a0, msg_out
        call    puts
        la      t0, output
        lw      a0, 0(t0)
        call    putdec
        la      a0, msg_comma
        call    puts
        la      t0, output
        lw      a0, 4(t0)
        call    putdec
        la      a0, msg_gas
        call    puts
        lw      a0, 48(s0)              # GASUSED
        call    putdec
        la      a0, msg_store
        call    puts
        # Print every occupied slot of the store as key=value.
        la      s2, kv
        li      s3, KV_SLOTS
1:      lw      t0, 0(s2)
        beqz    t0, 2f
        lw      a0, 0(s2)
        call    putdec
        la      a0, msg_eq
        call    puts
        lw      a0, 4(s2)
        call    putdec
        la      a0, msg_sp
        call    puts
2:      addi    s2, s2, 8
        addi    s3, s3, -1
        bnez    s3, 1b
        la      a0, msg_nl
        call    puts

        mv      a0, s1                  # exit code = the child's status
        li      a7, SYS_EXIT
        ecall

# puts(a0 = NUL-terminated string)
puts:
        mv      t0, a0
1:      lbu     t1, 0(t0)
        beqz    t1, 2f
        addi    t0, t0, 1
        j       1b
2:      sub     a2, t0, a0
        mv      a1, a0
        li      a0, 1
        li      a7, SYS_WRITE
        ecall
        ret

# putdec(a0 = unsigned value): decimal digits
putdec:
        la      t0, numbuf + 11
        sb      zero, 0(t0)
        li      t2, 10
1:      remu    t1, a0, t2
        addi    t1, t1, '0'
        addi    t0, t0, -1
        sb      t1, 0(t0)
        divu    a0, a0, t2
        bnez    a0, 1b
        mv      a0, t0
        j       puts

# ---- The interrupt handler: runs in this frame's context (its RAM, its permissions) with the
# request in a read-only ROM at a0 (length a1). It ends with RETURN (the reply word).
handler:
        lw      t0, 0(a0)               # op
        lw      t1, 4(a0)               # key
        lw      t2, 8(a0)               # value
        la      t3, kv
        li      t4, KV_SLOTS
        mv      t5, zero                # first free slot
1:      lw      t6, 0(t3)
        beq     t6, t1, 3f              # found the key
        bnez    t6, 2f
        bnez    t5, 2f
        mv      t5, t3                  # remember the first free slot
2:      addi    t3, t3, 8
        addi    t4, t4, -1
        bnez    t4, 1b
        # Key absent: SLOAD reads 0; SSTORE takes the free slot (or throws when full).
        li      t6, OP_SSTORE
        bne     t0, t6, 4f
        beqz    t5, 5f
        sw      t1, 0(t5)
        sw      t2, 4(t5)
        j       4f
3:      li      t6, OP_SSTORE
        bne     t0, t6, 6f
        sw      t2, 4(t3)               # overwrite
4:      la      a0, reply
        sw      t2, 0(a0)
        li      t6, OP_SSTORE
        beq     t0, t6, 7f
        sw      zero, 0(a0)             # SLOAD of an absent key
        j       7f
6:      la      a0, reply
        lw      t2, 4(t3)
        sw      t2, 0(a0)
7:      li      a1, 4
        return  a0, a1
5:      li      a0, 1                   # store full
        throw   a0
handler_end:

# ---- The child: untrusted code, copied into its own frame (code ROM at 0x10000). It sees
# only its registers, its RAM and its input; it reaches storage only through INTERRUPT.
child_start:
        addi    sp, sp, -32
        li      a4, OP_SSTORE
        li      a5, 1
        li      a6, 42
        jal     ra, 1f                  # SSTORE 1 = 42
        li      a5, 2
        li      a6, 7
        jal     ra, 1f                  # SSTORE 2 = 7
        li      a5, 1
        li      a6, 100
        jal     ra, 1f                  # SSTORE 1 = 100 (overwrite)
        li      a4, OP_SLOAD
        li      a5, 1
        jal     ra, 1f                  # SLOAD 1
        sw      a0, 24(sp)
        li      a5, 2
        jal     ra, 1f                  # SLOAD 2
        sw      a0, 28(sp)
        addi    a0, sp, 24
        li      a1, 8
        return  a0, a1                  # output: SLOAD 1, SLOAD 2
1:      sw      a4, 0(sp)               # request: op, key, value
        sw      a5, 4(sp)
        sw      a6, 8(sp)
        mv      a0, sp
        li      a1, 12
        addi    a2, sp, 16
        li      a3, 4
        ecall                           # INTERRUPT: a0 = status, a1 = reply length
        lw      a0, 16(sp)
        ret
child_end:

        .data
        .balign 4
desc:   .word   0x03                    # PSET: subjective + hard drive (no infinite gas, so
                                        # the child's gas is metered and charged)
        .word   0, 0                    # CSTART, CSIZE (filled in)
        .word   0, 0                    # ISTART, ISIZE: no input
        .word   0, 8                    # OSTART (filled in), OSIZE
        .word   100000                  # GAS
        .word   0, 0                    # NSTART, NSIZE (filled in)
        .word   4096                    # RAMSIZE
        .word   0, 0                    # RESULT, GASUSED (written back)
output: .word   0, 0
reply:  .word   0
kv:     .zero   8 * KV_SLOTS
numbuf: .zero   12

        .section .rodata
msg_status: .asciz "child status "
msg_out:    .asciz ", output "
msg_comma:  .asciz ","
msg_gas:    .asciz ", gas used "
msg_store:  .asciz "\nstore: "
msg_eq:     .asciz "="
msg_sp:     .asciz " "
msg_nl:     .asciz "\n"
