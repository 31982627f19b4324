#!/usr/bin/env node
// evminf: the command line's launcher (the package's bin); the command line itself is
// bin/cli.ts. As tsc compiles it, this file runs the compiled modules. `npm run build` then
// replaces dist/bin/evminf.cjs with the launcher of the command line's one-file build
// (bin/bundle.ts), which a plain `evminf run` starts in ~40 ms less on the 2-core VM
// (docs/performance.md, "Start-up"). A bare `tsc` writes this version back, so the modules it
// just compiled run, never an older bundle.
//
// CommonJS, not an ES module: an ES module entry has node load its ES module loader first (with
// the fs/promises, readline and stream modules that loader loads), before any of evminf runs.

void import('./cli.js').then(({ runCli }) => runCli(process.argv.slice(2)));
