// The examples users run first (README): examples/statedb.S keeps balances in a hard-drive trie,
// reverts an abandoned update, hashes the root with the Keccak unit and logs on the console. Its
// root must be Ethereum's for the same contents (@ethereumjs/mpt as the outside reference), its
// digest the Keccak-256 of that root, on both models, with the same gas.

import { createMPT } from '@ethereumjs/mpt';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, test } from 'vitest';
import { runEvminf } from './c/build.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => '0x' + Buffer.from(b).toString('hex');

describe('examples/statedb.S', () => {
  test.each(['cycle', 'iss'])('%s: the root is Ethereum\'s for alice=100, bob=7, carol=42 (the update after the revert point undone)', async (model) => {
    const t = await createMPT();
    for (const [k, v] of [['alice', '100'], ['bob', '7'], ['carol', '42']] as const) await t.put(utf8(k), utf8(v));
    const expected = hex(t.root());
    const r = runEvminf(['run', 'examples/statedb.S', '--model', model, '--json']);
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout.toString());
    const out: string = summary.stdout;
    const root = /^root +(0x[0-9a-f]{64})$/m.exec(out)?.[1];
    const digest = /^keccak256\(root\) +(0x[0-9a-f]{64})$/m.exec(out)?.[1];
    expect(root).toBe(expected);
    expect(digest).toBe(hex(keccak_256(Buffer.from(expected.slice(2), 'hex'))));
    // The console's lines go to the host's stderr, not into the guest's output.
    expect(r.stderr.toString()).toContain('statedb: reverted\n');
    expect(out).not.toContain('statedb:');
    expect(summary.devices.hdd.byCommand).toEqual({ MKTRIE: 1, TRIE_SET: 5, TRIE_MKREVERT_POINT: 1, TRIE_REVERT: 1, TRIE_GET: 1, TRIE_GETROOT: 1 });
    expect(summary.devices.sha3.byCommand).toEqual({ KECCAK256: 1 });
  });

  test('both models charge the same gas and report the same device figures', () => {
    const [c, i] = ['cycle', 'iss'].map((m) => JSON.parse(runEvminf(['run', 'examples/statedb.S', '--model', m, '--json']).stdout.toString()));
    expect(c.gas).toBe(i.gas);
    expect(c.devices).toEqual(i.devices);
  });
});
