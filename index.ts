// The public API of evm-infinity (docs/api.md): what `import … from 'evm-infinity'` offers. It sits
// at the top of the layers (docs/design.md, beside bin/), so it may re-export any layer and no
// layer imports it. Everything here is also what the `evminf` commands are built from.

// Layer 0: the instruction set — assembler, disassembler, decoder, ELF.
export { assemble, assembleToElf, AsmError, type AsmOptions, type AsmOutput } from './isa/asm.js';
export { disassemble } from './isa/disasm.js';
export { parseElf, ElfError, type ElfImage, type ElfSymbol } from './isa/elf.js';

// Layer 1: the memory-mapped devices.
export { standardDevices, deviceStats, finishDevices, type StandardOptions } from './peripherals/standard.js';
export { MMIO_BASE, type BusSlave, type Device, type DeviceContext } from './peripherals/device.js';
export type { DeviceStats } from './peripherals/command.js';
export { HardDrive } from './peripherals/hdd.js';
export { MemoryStore } from './peripherals/store.js';

// Layer 2: the models and running a program on them.
export { loadElf, loadRom, DEFAULT_STACK_SIZE, STACK_TOP, type LoadedProgram, type RomOptions } from './cpu/program.js';
export { createModel, MODEL_KINDS, openModel, type CpuModel, type ModelKind, type RootOptions } from './cpu/machine.js';
export { Core, type CoreOptions, type CycleTracer } from './cpu/core.js';
export { Iss, type Commit } from './cpu/iss.js';
export { TimedIss, type TimingOptions } from './cpu/timing.js';
export { Signals } from './cpu/signals.js';
export { AddressSpace, DEFAULT_MEM_LIMIT } from './cpu/memory.js';
export { runToEnd, type RunLimits, type RunResult, type StopReason } from './cpu/runner.js';
export { CallManager, describeEnd, type FrameEnd, type FrameModel, type RootHandler } from './cpu/frames.js';
export { LinuxHost, HostError } from './cpu/host.js';
export { EXIT, exitCodeOf } from './cpu/exit-codes.js';

// Layer 3: tracing — waveforms, the line trace, retired-instruction records.
export { VcdWriter, VcdFile, VcdOptionError, VcdWriteError, attachVcd, TeeTracer, type VcdOptions, type VcdSink } from './waveforms/vcd.js';
export { LineTracer, type LineTraceOptions } from './waveforms/linetrace.js';
export { RetireTap, type RetireSink } from './waveforms/retire.js';
export { spikeCommitLine, rvfiFromCommit, rvfiJsonLine, RVFI_FIELDS, type RvfiRecord } from './waveforms/rvfi.js';
export { vcdDiff, type VcdDiffResult } from './waveforms/vcddiff.js';
export { FstWriter, FstFile, type FstOptions } from './waveforms/fst.js';
export { gtkwSave, type GtkwOptions } from './waveforms/gtkw.js';

// Layer 4: debugging — the cycle stepper and whole-machine snapshots.
export { Debugger, DebugError, type DebuggerOptions, type StopEvent } from './debug/debugger.js';
export { snapshot, restore, type Snapshot } from './debug/snapshot.js';
export { fastForward, debuggerAt, type FastForwarded, type FastForwardOptions, type Machine } from './debug/fastforward.js';
export { GdbTarget, type TargetOptions, type TargetStop, type FrameInfo, type WatchKind } from './debug/gdbtarget.js';
export { serveGdb, type ServeOptions, type SessionOptions, type SessionEndReason } from './debug/gdbstub.js';
export { Profiler, SymbolMap, functionTable, totals, folded, speedscope, type Counts, type ProfileNode, type FunctionRow } from './debug/profiler.js';

// Layer 5: one model stepped an instruction at a time, and lockstep against QEMU.
export { ModelStepper, type StepperOptions } from './verify/stepper.js';
export { equivQemu, QemuError, type QemuOptions } from './verify/qemu.js';
