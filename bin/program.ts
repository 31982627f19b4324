// The program a command runs: an ELF file or, for .S/.s, the ELF its assembly gives; loaded
// into a root frame with a stack that must stay clear of the program's segments; and the
// devices of the machine it runs on.

import { parseElf } from '../isa/elf.js';
import { loadElf, STACK_TOP, type LoadedProgram } from '../cpu/program.js';
import { EXIT } from '../cpu/exit-codes.js';
import { OutputFile, out, readInput } from './io.js';
import { parseTimeOption } from './options.js';
import type { ConsoleSink } from '../peripherals/console.js';
import type { Device } from '../peripherals/device.js';
import { standardDevices } from '../peripherals/standard.js';
import { UserError } from './user-error.js';

/**
 * An ELF image from an ELF file or, for .S/.s, from assembling it: the assembler is loaded only
 * then (a sixth of what a plain run of an ELF would otherwise parse at start-up).
 */
export async function programElf(path: string): Promise<Uint8Array> {
  const bytes = readInput(path);
  if (!/\.s$/i.test(path)) return bytes;
  const { assembleToElf } = await import('../isa/asm.js');
  return assembleToElf(bytes.toString('utf8'), { file: path });
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** A usage error when [stackTop - stackSize, stackTop) overlaps a segment of the ELF. */
export function checkStack(elf: Uint8Array, stackSize: number, stackTop = STACK_TOP): void {
  const lo = stackTop - stackSize;
  let end = 0, hit: [number, number] | null = null;
  for (const s of parseElf(elf).segments) {
    if (s.memsz === 0 || s.vaddr >= stackTop) continue;
    end = Math.max(end, s.vaddr + s.memsz);
    if (hit === null && s.vaddr + s.memsz > lo) hit = [s.vaddr, s.vaddr + s.memsz];
  }
  if (hit === null) return;
  const room = Math.max(0, Math.floor((stackTop - end) / 4) * 4);
  throw new UserError(`--stack-size ${hex(stackSize)}: the stack [${hex(lo)}, ${hex(stackTop)}) overlaps the program's segment [${hex(hit[0])}, ${hex(hit[1])}); at most ${hex(room)} fits`, EXIT.USAGE);
}

/** Check the stack and load: a fresh root frame of the program each time (programElf's image). */
export function loadProgramElf(elf: Uint8Array, stackSize: number, memLimit?: number): LoadedProgram {
  checkStack(elf, stackSize);
  return loadElf(elf, stackSize, STACK_TOP, memLimit);
}

/** Read, assemble if needed, check the stack and load. */
export async function loadProgram(path: string, stackSize: number, memLimit?: number): Promise<LoadedProgram> {
  return loadProgramElf(await programElf(path), stackSize, memLimit);
}

/** The device options (bin/options.ts deviceOptions). */
export interface DeviceArgs {
  devices: boolean;
  time?: string;
  console?: string;
}

/**
 * The standard devices a program runs with (none with --no-devices) and, with --console FILE, the file
 * their console writes to. Console bytes never go into the --json capture: they are the host's
 * console, not the guest's stdout or stderr.
 */
export function programDevices(a: DeviceArgs, stderr: ConsoleSink = (b) => out(2, b), hardDrive?: Device): { devices: Device[]; file: OutputFile | null } {
  if (!a.devices) {
    for (const k of ['time', 'console'] as const) if (a[k] !== undefined) throw new UserError(`--${k} needs the devices (drop --no-devices)`, EXIT.USAGE);
    return { devices: [], file: null };
  }
  const time = parseTimeOption(a.time);
  if (a.console === '') throw new UserError('--console needs a FILE', EXIT.USAGE);
  const file = a.console === undefined ? null : new OutputFile(a.console);
  const sink: ConsoleSink = file === null ? stderr : (b) => file.write(b);
  return { devices: standardDevices({ time, console: sink, hardDrive }), file };
}
