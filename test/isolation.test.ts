// Isolation fuzzing in CI: a fixed seed and a modest count (`evminf isolation --count N` runs
// more). Every case runs on the ISS; every fifth also on the cycle model, which must end in the
// same state.

import { describe, expect, test } from 'vitest';
import { runCase } from '../verify/isolation.js';

const SEED = 20261125;
const COUNT = Number(process.env.EVMINF_ISOLATION_COUNT ?? 2000);

describe('isolation of EVAL frames', () => {
  test(`${COUNT} random children on the ISS, every fifth on the cycle model too`, () => {
    const statuses = new Map<number | null, number>();
    let instructions = 0;
    for (let k = 0; k < COUNT; k++) {
      const seed = (SEED + k * 7919) >>> 0;
      const iss = runCase(seed, 'iss');
      expect(iss.violations, `seed ${seed}`).toEqual([]);
      statuses.set(iss.status, (statuses.get(iss.status) ?? 0) + 1);
      instructions += iss.instructions;
      if (k % 5 === 0) {
        const cyc = runCase(seed, 'cycle');
        expect(cyc.violations, `seed ${seed} (cycle model)`).toEqual([]);
        expect(cyc.digest, `seed ${seed}: models disagree`).toBe(iss.digest);
      }
    }
    console.log(`isolation: ${COUNT} cases, ${instructions} instructions, statuses ${JSON.stringify([...statuses].sort())}`);
    // The generator must reach the interesting outcomes, not only illegal instructions.
    for (const s of [0, 1, 2, 3, 4, 8]) expect(statuses.get(s) ?? 0, `status ${s} never reached`).toBeGreaterThan(0);
    expect(instructions).toBeGreaterThan(COUNT * 20);
  });
});
