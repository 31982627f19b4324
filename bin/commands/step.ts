// `evminf step <program>`: the terminal stepper over the cycle model (bin/step.ts, docs/stepper.md).

import { command } from '../exit.js';
import { out } from '../io.js';
import { limitOptions, programOptions } from '../options.js';
import { loadProgram } from '../program.js';
import { cmdStep, type StepArgs } from '../step.js';

export const stepCommand = command<StepArgs & { 'stack-size': number }>({
  command: 'step <program>',
  describe: 'step the cycle model in a terminal: breakpoints, watchpoints, signals, stepping back (docs/stepper.md)',
  builder: (y) => limitOptions(programOptions(y), { cycles: 'most cycles one command runs (default 100000000)' })
    .option('script', { type: 'string', requiresArg: true, describe: 'run the commands in FILE, one a line, instead of reading the terminal; then exit' }),
  run: (a) => cmdStep(loadProgram(a.program, a['stack-size']), a, out),
});
