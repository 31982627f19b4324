// A worker thread of a campaign (verify/campaign.ts): loads the campaign named in workerData,
// then runs the batches of case indices it is sent, posting each case's result, and asks for
// more when a batch is done. Cases are computed from their index and the parameters alone, so a
// result does not depend on which worker ran it.

import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './campaign.js';
import { loadCampaign } from './campaigns.js';

const port = parentPort!;
const { name, params } = workerData as { name: string; params: Record<string, unknown> };
const post = (m: FromWorker): void => port.postMessage(m);

try {
  const c = await loadCampaign(name);
  port.on('message', (m: ToWorker) => {
    if (m.kind === 'stop') { port.close(); return; }
    void (async () => {
      try {
        for (let k = m.start; k < m.end; k++) post({ kind: 'result', index: k, result: await c.run(k, params) });
        post({ kind: 'idle' });
      } catch (e) {
        post({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
      }
    })();
  });
  post({ kind: 'idle' });
} catch (e) {
  post({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
}
