#!/usr/bin/env node
// GTKWave's translate filter process as its own executable: GTKWave runs a filter with at most
// one argument (`^>1 node .../disasm-filter.js` in a .gtkw), so `evminf disasm --filter` could
// not be named there. Same loop, same output (bin/commands/disasm.ts).

import { disasmFilter } from './commands/disasm.js';

process.exitCode = disasmFilter();
