// `evminf trie root` against ethereum/tests' TrieTests vectors (test/fixtures/trie/, each file
// names its source and commit): plain and secure tries, in-order lists with deletes and
// any-order objects (given in several orders), hex and UTF-8 strings; and every bad input ends
// in one line on stderr with exit 126 (127 for a missing file, 2 for a bad command line).

import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { removeDir, tempDir } from './c/build.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EVMINF = join(ROOT, 'dist/bin/evminf.cjs');
const FIXTURES = join(ROOT, 'test/fixtures/trie');

interface Vector { in: [string, string | null][] | Record<string, string | null>; root: string }
interface Suite { source: string; commit: string; secure: boolean; hex?: boolean; tests: Record<string, Vector> }

/** Run the built CLI (asynchronously: the worker stays free to answer vitest meanwhile). */
function evminf(args: string[], input?: string): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [EVMINF, ...args], { timeout: 60_000 });
    let stdout = '', stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    p.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    p.on('error', reject);
    p.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
    p.stdin.on('error', () => {}); // the CLI may exit before reading all of it
    p.stdin.end(input ?? '');
  });
}

const dir = tempDir('evminf-trie-');
afterAll(() => removeDir(dir));

const suites = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();

describe('ethereum/tests TrieTests vectors', () => {
  test('the fixtures are there and name their source', () => {
    expect(suites).toEqual(['hex_encoded_securetrie_test.json', 'trieanyorder.json', 'trieanyorder_secureTrie.json', 'trietest.json', 'trietest_secureTrie.json']);
    for (const f of suites) {
      const s = JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as Suite;
      expect(s.source).toMatch(/^https:\/\/github\.com\/ethereum\/tests\/blob\/develop\/TrieTests\//);
      expect(s.commit).toMatch(/^[0-9a-f]{40}$/);
    }
  });

  describe.each(suites)('%s', (file) => {
    const suite = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Suite;
    const flags = [...(suite.secure ? ['--secure'] : []), ...(suite.hex ? ['--hex'] : [])];
    test.each(Object.keys(suite.tests))('%s', async (name) => {
      const v = suite.tests[name]!;
      // The vector as it is (its "root" is ignored), from a file.
      const path = join(dir, `${file}-${name}.json`);
      writeFileSync(path, JSON.stringify(v));
      const r = await evminf(['trie', 'root', path, ...flags]);
      expect(r.stderr).toBe('');
      expect([r.status, r.stdout]).toEqual([0, `${v.root}\n`]);
      if (!Array.isArray(v.in)) {
        // Any order: the same root from stdin with the entries reversed, as a list.
        const reversed = Object.entries(v.in).reverse();
        const s = await evminf(['trie', 'root', '-', ...flags], JSON.stringify({ in: reversed }));
        expect([s.status, s.stdout]).toEqual([0, `${v.root}\n`]);
      }
    });
  });

  test('the wrong flag gives another root (the vectors are not passed by accident)', async () => {
    const s = JSON.parse(readFileSync(join(FIXTURES, 'trietest.json'), 'utf8')) as Suite;
    const v = s.tests.emptyValues!;
    const r = await evminf(['trie', 'root', '-', '--secure'], JSON.stringify(v));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^0x[0-9a-f]{64}\n$/);
    expect(r.stdout).not.toBe(`${v.root}\n`);
  });

  test('--hex reads every string as hex; without it only 0x strings are', async () => {
    const plain = await evminf(['trie', 'root', '-'], JSON.stringify({ in: { '0x0045': '0x0123456789', '0x4500': '0x9876543210' } }));
    const hex = await evminf(['trie', 'root', '-', '--hex'], JSON.stringify({ in: [['0045', '0123456789'], ['0x4500', '9876543210']] }));
    expect(plain.status).toBe(0);
    expect(hex.stdout).toBe(plain.stdout);
    const utf8 = await evminf(['trie', 'root', '-'], JSON.stringify({ in: { '0045': '0123456789', '4500': '9876543210' } }));
    expect(utf8.stdout).not.toBe(plain.stdout);
  });
});

describe('bad input: one line, no stack trace', () => {
  const cases: [string, string, RegExp][] = [
    ['not JSON', '{"in": [', /^evminf: stdin: not JSON \(/],
    ['no "in"', '{"root": "0x00"}', /^evminf: stdin: expected \{"in"/],
    ['an array', '[["a", "b"]]', /^evminf: stdin: expected \{"in"/],
    ['"in" a number', '{"in": 5}', /^evminf: stdin: expected \{"in"/],
    ['a pair of three', '{"in": [["a", "b", "c"]]}', /^evminf: stdin: "in"\[0\] is not a \[key, value \| null\] pair\n$/],
    ['a pair that is a string', '{"in": ["ab"]}', /^evminf: stdin: "in"\[0\] is not a \[key, value \| null\] pair\n$/],
    ['a number key', '{"in": [[1, "b"]]}', /^evminf: stdin: "in"\[0\]: the key is not a string\n$/],
    ['a number value', '{"in": {"a": 2}}', /^evminf: stdin: "in"\."a": the value is not a string or null\n$/],
    ['bad hex', '{"in": [["0xzz", "b"]]}', /^evminf: stdin: "in"\[0\]: "0xzz" is not hex/],
    ['odd hex', '{"in": [["a", "0x123"]]}', /^evminf: stdin: "in"\[0\]: "0x123" is not hex/],
    ['a key beyond MAX_KEY', JSON.stringify({ in: [[`0x${'ab'.repeat(1025)}`, 'v']] }), /^evminf: stdin: "in"\[0\]: a key of 1025 bytes \(the hard drive takes at most 1024\)\n$/],
  ];
  test.each(cases)('%s', async (_what, input, message) => {
    const r = await evminf(['trie', 'root', '-'], input);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.status).toBe(126);
  });

  test('--hex with a string that is not hex', async () => {
    const r = await evminf(['trie', 'root', '-', '--hex'], '{"in": [["do", "verb"]]}');
    expect([r.status, r.stderr]).toEqual([126, 'evminf: stdin: "in"[0]: "do" is not hex (an even number of hex digits)\n']);
  });

  test('a missing file, a directory, no file, no subcommand', async () => {
    const missing = await evminf(['trie', 'root', join(dir, 'none.json')]);
    expect([missing.status, missing.stderr]).toEqual([127, `evminf: ${join(dir, 'none.json')}: no such file\n`]);
    const sub = join(dir, 'sub');
    mkdirSync(sub, { recursive: true });
    const d = await evminf(['trie', 'root', sub]);
    expect([d.status, d.stderr]).toEqual([127, `evminf: ${sub}: is a directory\n`]);
    for (const args of [['trie', 'root'], ['trie'], ['trie', 'leaf', 'x.json']]) {
      const u = await evminf(args);
      expect(u.status, args.join(' ')).toBe(2);
      expect(u.stderr).toMatch(/^evminf: [^\n]+\n$/);
    }
  });
});
