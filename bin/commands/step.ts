// `evminf step <program>`: the terminal stepper over the cycle model (bin/step.ts, docs/stepper.md),
// with the standard devices attached as `evminf run` attaches them.

import { command } from '../exit.js';
import { out } from '../io.js';
import { deviceOptions, limitOptions, programOptions } from '../options.js';
import { loadProgramElf, programDevices, programElf, type DeviceArgs } from '../program.js';
import { cmdStep, type StepArgs } from '../step.js';

async function run(a: StepArgs & DeviceArgs & { 'stack-size': number }): Promise<number> {
  const elf = await programElf(a.program);
  const prog = loadProgramElf(elf, a['stack-size']);
  // The console writes where the guest's stderr goes in the stepper.
  const { devices, file } = programDevices(a, (b) => out(2, b));
  try {
    // --at: the fast-forward scout runs on a machine of its own, its output dropped.
    const scout = a.at === undefined ? undefined : () => ({ prog: loadProgramElf(elf, a['stack-size']), devices: programDevices({ ...a, console: undefined }, () => {}).devices });
    const code = await cmdStep(prog, a, out, devices, scout);
    file?.close();
    return code;
  } catch (e) {
    file?.abort();
    throw e;
  }
}

export const stepCommand = command<StepArgs & DeviceArgs & { 'stack-size': number }>({
  command: 'step <program>',
  describe: 'step the cycle model in a terminal: breakpoints, watchpoints, signals, disassembly, stepping back; Ctrl-C stops a running command, an empty line repeats the last (docs/stepper.md)',
  builder: (y) => deviceOptions(limitOptions(programOptions(y), { cycles: 'most cycles one command runs (default 100000000)' })
    .option('script', { type: 'string', requiresArg: true, describe: 'run the commands in FILE, one a line, instead of reading the terminal; then exit' })
    .option('at', { type: 'string', requiresArg: true, describe: 'start at cycle N: the timing model runs up to a restart point shortly before N, the cycle model from there (docs/timing.md, Fast-forward)' })),
  run,
});
