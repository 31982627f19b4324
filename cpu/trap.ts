// Exception causes and run-loop stop reasons, shared by the ISS and the cycle model.
// Cause numbers 0–8 follow RISC-V mcause (privileged spec table 3.6) so they read familiarly;
// 24 and up are EVM∞'s own (docs/architecture.md).

export const enum Cause {
  FETCH_MISALIGNED = 0,
  FETCH_FAULT = 1,
  ILLEGAL_INSTRUCTION = 2,
  BREAKPOINT = 3,
  LOAD_FAULT = 5,
  STORE_FAULT = 7,
  OUT_OF_GAS = 24,
}

export const CAUSE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'instruction address misaligned',
  1: 'instruction fetch outside code ROM',
  2: 'illegal instruction',
  3: 'breakpoint',
  5: 'load outside mapped memory',
  7: 'store outside writable memory',
  24: 'out of gas',
});

/** Why a run loop returned to its caller. */
export const enum Stop {
  /** The instruction or cycle budget ran out; the model can simply continue. */
  LIMIT = 0,
  /** An ECALL (INTERRUPT) retired; the frame's handler must serve it. */
  ECALL = 1,
  /** An exception: `cause`, `tval`, and `pc` of the faulting instruction are set. */
  TRAP = 2,
  /** A frame instruction (EVAL/RETURN/THROW/GASTAB) is at `pc`, for the call-management unit. */
  FRAME = 3,
}
