#!/usr/bin/env node
// evminf: the command line's launcher; the command line itself is bin/cli.ts. As tsc compiles
// it, this file runs the compiled modules. `npm run build` then replaces dist/bin/evminf.js with
// the launcher of the command line's one-file build (bin/bundle.ts): a plain `evminf run` loads
// its bundle and a few chunks instead of ~80 modules, ~50 ms of its start-up on the 2-core VM
// (docs/performance.md, "Start-up"). A bare `tsc` writes this version back, so the modules it
// just compiled run, never an older bundle.

const { runCli } = await import('./cli.js');
await runCli(process.argv.slice(2));
