// `evminf gdb <program>`: a GDB remote stub on 127.0.0.1 (debug/gdbstub.ts, docs/gdb.md) over the
// ISS or the cycle model, with the standard devices attached as `evminf run` attaches them.

import type { ModelKind } from '../../cpu/machine.js';
import { EXIT } from '../../cpu/exit-codes.js';
import { serveGdb } from '../../debug/gdbstub.js';
import { GdbTarget } from '../../debug/gdbtarget.js';
import { DebugConsole } from '../../peripherals/console.js';
import { finishDevices } from '../../peripherals/standard.js';
import { command } from '../exit.js';
import { out } from '../io.js';
import { deviceOptions, programOptions } from '../options.js';
import { loadProgram, programDevices, type DeviceArgs } from '../program.js';
import { UserError } from '../user-error.js';

interface GdbArgs extends DeviceArgs {
  program: string;
  port: number;
  model: ModelKind;
  'stack-size': number;
}

async function run(a: GdbArgs): Promise<number> {
  const prog = await loadProgram(a.program, a['stack-size']);
  // Console bytes are shown once: a replay after stepping back writes them again, and only the
  // bytes beyond the most the console has ever held are new.
  let con: DebugConsole | undefined, shown = 0;
  const { devices, file } = programDevices(a, (b) => {
    const end = con?.stats.bytes ?? shown + b.length, start = end - b.length;
    if (end > shown) out(2, b.subarray(Math.max(0, shown - start)));
    shown = Math.max(shown, end);
  });
  con = devices.find((d): d is DebugConsole => d instanceof DebugConsole);
  const target = new GdbTarget(prog, { model: a.model, devices, onOutput: (fd, b) => out(fd, b) });
  let why;
  try {
    why = await serveGdb(target, {
      port: a.port,
      onListening: (port) => out(2, `evminf gdb: listening on 127.0.0.1:${port} (gdb: target remote :${port})\n`),
      log: (line) => out(2, `evminf gdb: ${line}\n`),
      onStop: () => con?.drain(),
    });
  } catch (e) {
    file?.abort();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') throw new UserError(`cannot listen on 127.0.0.1:${a.port}: ${code === 'EADDRINUSE' ? 'the port is in use' : 'permission denied'}`, EXIT.USAGE);
    throw e;
  }
  finishDevices(devices);
  file?.close();
  if (why === 'disconnect' || why === 'protocol') out(2, `evminf gdb: the client ${why === 'disconnect' ? 'disconnected' : 'broke the protocol'}; stopping\n`);
  return 0;
}

export const gdbCommand = command<GdbArgs>({
  command: 'gdb <program>',
  describe: 'serve gdb (target remote :PORT) on 127.0.0.1: breakpoints, watchpoints, reverse step and continue, monitor frames (docs/gdb.md)',
  // The timing model has no signals to show; gdb debugs the cycle model or the ISS.
  builder: (y) => deviceOptions(programOptions(y).option('model', { choices: ['cycle', 'iss'], default: 'cycle', describe: 'the model gdb debugs' })
    .option('port', { type: 'string', requiresArg: true, default: 0, defaultDescription: '0 (a free port, printed)', describe: 'TCP port on 127.0.0.1 (0: a free one)' })),
  run,
});
