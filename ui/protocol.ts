// The messages between the page (ui/app.ts) and the worker that owns the model
// (ui/model-worker.ts). The page posts commands; the worker answers with state snapshots,
// progress while a run goes, waveform windows and VCD text. docs/ui.md describes them.

import type { ElfSymbol } from '../isa/elf.js';

/** A program to load: assembly source (assembled in the worker), an ELF, or a block validation. */
export type LoadSpec =
  | { readonly kind: 'source'; readonly name: string; readonly text: string }
  | { readonly kind: 'elf'; readonly name: string; readonly bytes: Uint8Array }
  | {
    readonly kind: 'block'; readonly name: string;
    /** firmware/build/interpret_block.bin and its symbols (from interpret_block.sym). */
    readonly rom: Uint8Array; readonly symbols: readonly ElfSymbol[];
    /** The hard drive's store (ui/build.ts storeImage): the chain state with the block loaded. */
    readonly store: Uint8Array;
    /** The block header's hash: INTERPRET_BLOCK's input. */
    readonly hash: Uint8Array;
  };

export type Command =
  | { readonly t: 'load'; readonly spec: LoadSpec }
  | { readonly t: 'reset' }
  | { readonly t: 'step'; readonly n: number }
  | { readonly t: 'stepi'; readonly n: number }
  | { readonly t: 'run' }
  | { readonly t: 'runto'; readonly cycle: number }
  | { readonly t: 'pause' }
  | { readonly t: 'back'; readonly n: number }
  | { readonly t: 'backi' }
  | { readonly t: 'break'; readonly addr: number }
  | { readonly t: 'view'; readonly mem?: number; readonly dis?: number | null }
  | { readonly t: 'signals'; readonly names: readonly string[] }
  | { readonly t: 'wave'; readonly from: number; readonly to: number }
  | { readonly t: 'vcd'; readonly from: number; readonly to: number };

export type StageStateName = 'run' | 'stall' | 'squash' | 'bubble';

export interface StageView {
  readonly stage: 'IF' | 'ID' | 'EX' | 'MEM' | 'WB';
  readonly state: StageStateName;
  readonly pc: number;
  /** The instruction word, or null (bubble, unmapped fetch). */
  readonly insn: number | null;
  readonly text: string;
}

export interface FrameView {
  readonly kind: 'root' | 'eval' | 'handler';
  readonly depth: number;
  readonly pset: number;
  /** The PSET's bits by name (`HARD_DRIVE|CRYPTO`). */
  readonly psetNames: string;
  readonly gasUsed: number;
  /** null: infinite. */
  readonly gasLeft: number | null;
  readonly pc: number;
  /** Index of the frame below it in the list (its parent), -1 for the root. */
  readonly parent: number;
  readonly running: boolean;
}

export interface RegionView {
  readonly name: string;
  readonly kind: string;
  readonly base: number;
  readonly size: number;
  readonly perm: string;
}

export interface DisLine {
  readonly addr: number;
  readonly word: number;
  readonly text: string;
  readonly label: string;
  readonly breakpoint: boolean;
  /** Stages holding this address in the last cycle (IF..WB). */
  readonly stages: readonly string[];
}

export interface DeviceView {
  readonly name: string;
  readonly base: number;
  readonly busy: boolean;
  readonly regs: readonly { readonly name: string; readonly value: number; readonly width: number }[];
}

export interface MachineState {
  readonly name: string;
  readonly cycle: number;
  readonly steps: number;
  readonly retired: number;
  readonly pc: number;
  readonly where: string;
  /** How the program ended, or null while it runs. */
  readonly ended: string | null;
  /** The five stages in the last cycle (IF first); null before the first. */
  readonly stages: readonly StageView[] | null;
  /** Forwarding selects of the operands in EX (0 register file, 1 from EX/MEM, 2 from MEM/WB), load-use stall, redirect. */
  readonly fwdA: number;
  readonly fwdB: number;
  readonly loadUse: boolean;
  readonly redirect: boolean;
  readonly regs: readonly number[];
  readonly frames: readonly FrameView[];
  readonly gasUsed: number;
  readonly gasLeft: number | null;
  readonly regions: readonly RegionView[];
  /** The memory window: address and bytes (null where unmapped). */
  readonly memAddr: number;
  readonly mem: readonly (number | null)[];
  readonly dis: readonly DisLine[];
  readonly breakpoints: readonly number[];
  readonly devices: readonly DeviceView[];
  /** Guest output so far (fd 1 and 2 and the console), the last 16 KiB. */
  readonly output: string;
  /** What stopped the last command (breakpoints, the end). */
  readonly messages: readonly string[];
}

export interface WaveWindow {
  readonly from: number;
  readonly to: number;
  readonly names: readonly string[];
  readonly widths: readonly number[];
  /** values[k][c - from]: signal k after the clock edge of cycle c (unsigned). */
  readonly values: readonly (readonly number[])[];
}

export type Reply =
  | { readonly t: 'state'; readonly state: MachineState }
  | { readonly t: 'hierarchy'; readonly names: readonly string[]; readonly widths: readonly number[] }
  | { readonly t: 'progress'; readonly cycle: number; readonly retired: number; readonly mcps: number; readonly running: boolean }
  | { readonly t: 'wave'; readonly wave: WaveWindow }
  | { readonly t: 'vcd'; readonly from: number; readonly to: number; readonly text: string }
  | { readonly t: 'error'; readonly message: string };
