// A worker process of a campaign (verify/campaign.ts), started with child_process.fork: it is
// told the campaign and its parameters, then runs the batches of case indices it is sent, sending
// each case's result, and asks for more when a batch is done. Cases are computed from their index
// and the parameters alone, so a result does not depend on which worker ran it.

import type { Campaign, FromWorker, ToWorker } from './campaign.js';
import { loadCampaign } from './campaigns.js';

const post = (m: FromWorker): void => { process.send!(m); };
const failed = (e: unknown): void => post({ kind: 'error', message: e instanceof Error ? e.message : String(e) });

let campaign: Promise<Campaign<Record<string, unknown>>> | null = null;
let params: Record<string, unknown> = {};
// The runner's end is this process's end: a runner killed with SIGKILL leaves no worker behind.
process.on('disconnect', () => process.exit(0));
process.on('message', (m: ToWorker) => {
  if (m.kind === 'stop') { process.disconnect(); return; }
  if (m.kind === 'init') {
    params = m.params;
    campaign = loadCampaign(m.name);
    campaign.then(() => post({ kind: 'idle' }), failed);
    return;
  }
  void (async () => {
    try {
      const c = await campaign!;
      for (let k = m.start; k < m.end; k++) post({ kind: 'result', index: k, result: await c.run(k, params) });
      post({ kind: 'idle' });
    } catch (e) {
      failed(e);
    }
  })();
});
post({ kind: 'ready' });
