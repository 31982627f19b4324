// `evminf ui [program]`: serve the page (dist/ui, built by `npm run build`, docs/ui.md) on
// 127.0.0.1 — a free port unless --port names one — and print its URL. A program given is
// checked first (it must assemble or parse) and served as program/NAME, which the page loads.
// The model runs in the page's worker; the server only hands out files. Ctrl-C stops it.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { basename, extname, join, normalize, sep } from 'node:path';
import { EXIT } from '../../cpu/exit-codes.js';
import { REPO_ROOT } from '../../firmware/images.js';
import { loadElf } from '../../cpu/program.js';
import { command } from '../exit.js';
import { checkInput, out } from '../io.js';
import { programElf } from '../program.js';
import { UserError } from '../user-error.js';

interface UiArgs {
  program?: string;
  port: number;
  host: string;
}

/** The built page: dist/ui (found from the package root: this module runs as dist/bin/commands/ui.js or inside dist/bin/evminf-bundle.cjs). */
export const UI_DIR = join(REPO_ROOT, 'dist', 'ui') + sep;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.png': 'image/png', '.s': 'text/plain; charset=utf-8',
};

function serve(root: string, program: { name: string; bytes: Uint8Array } | null) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const send = (code: number, body: Uint8Array | string, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') { send(405, 'GET only\n'); return; }
    let path: string;
    try { path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname); } catch { send(400, 'bad path\n'); return; }
    if (path === '/') path = '/index.html';
    if (program !== null && path === `/program/${program.name}`) { send(200, program.bytes, 'application/octet-stream'); return; }
    const file = normalize(join(root, path));
    if (!file.startsWith(root) || path.includes('\0')) { send(404, 'not found\n'); return; }
    let st;
    try { st = statSync(file); } catch { send(404, 'not found\n'); return; }
    if (!st.isFile()) { send(404, 'not found\n'); return; }
    send(200, readFileSync(file), TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
  };
}

async function run(a: UiArgs): Promise<number> {
  const root = UI_DIR.endsWith(sep) ? UI_DIR : UI_DIR + sep;
  if (!existsSync(join(root, 'index.html')) || !existsSync(join(root, 'worker.js'))) throw new UserError(`the page is not built (${root}index.html): run npm run build`, EXIT.NO_FILE);
  let program: { name: string; bytes: Uint8Array } | null = null;
  if (a.program !== undefined) {
    checkInput(a.program);
    loadElf(await programElf(a.program)); // a program that does not load is reported here, not in the page
    program = { name: encodeURIComponent(basename(a.program)), bytes: readFileSync(a.program) };
  }
  const server = createServer(serve(root, program));
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(a.port, a.host, () => {
      const addr = server.address();
      resolve(typeof addr === 'object' && addr !== null ? addr.port : a.port);
    });
  }).catch((e: NodeJS.ErrnoException) => {
    const why = e.code === 'EADDRINUSE' ? 'the port is in use' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' ? 'no such local address' : e.code ?? e.message;
    throw new UserError(`cannot listen on ${a.host}:${a.port}: ${why}`, EXIT.USAGE);
  });
  const host = a.host.includes(':') ? `[${a.host}]` : a.host;
  out(1, `evminf ui: http://${host}:${port}/${program === null ? '' : `?load=program/${program.name}`}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  out(2, 'evminf ui: stopped\n');
  return 0;
}

export const uiCommand = command<UiArgs>({
  command: 'ui [program]',
  describe: 'serve the machine in a browser on 127.0.0.1 (a free port, printed): pipeline, frames, peripherals, waveforms, stepping back (docs/ui.md)',
  builder: (y) => y
    .positional('program', { type: 'string', describe: 'ELF or assembly source (.S/.s) to load in the page' })
    .option('port', { type: 'string', requiresArg: true, default: 0, defaultDescription: '0 (a free port, printed)', describe: 'TCP port (0: a free one)' })
    .option('host', { type: 'string', requiresArg: true, default: '127.0.0.1', describe: 'the address to listen on' }),
  run,
});
