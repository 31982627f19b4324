#!/usr/bin/env node
// evminf as `node dist/bin/evminf.js`: the launcher (evminf.cjs, bin/evminf.cts), from an ES
// module. The package's bin is evminf.cjs itself, which starts without node's ES module loader.

import { createRequire } from 'node:module';

createRequire(import.meta.url)('./evminf.cjs');
