/* MSG's interrupt handler entry (NSTART..NSIZE of every contract's EVAL): a handler frame starts
 * with fresh registers, sp below the newest suspended frame acting as MSG, a0/a1 the request.
 * Before any C frame is pushed, the stack must have HANDLER_STACK bytes above MSG's .bss (the
 * handler's deepest C path, measured with -fstack-usage, and margin): otherwise the handler
 * THROWs 10 (MEMORY_LIMIT) — nesting is bounded by MSG's RAM. */
#define HANDLER_STACK 2048

  .section .text.msg_irq, "ax"
  .globl msg_irq
  .globl msg_irq_end
msg_irq:
  la t0, __bss_end
  li t1, HANDLER_STACK
  add t0, t0, t1
  bltu sp, t0, 1f
  call msg_handler
1:
  li a0, 10
  .insn r 0x0b, 2, 0, x0, a0, x0   /* throw 10 */
msg_irq_end:
