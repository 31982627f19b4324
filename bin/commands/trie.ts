// `evminf trie root <file.json|->`: the root of the Merkle-Patricia trie that a list of sets
// builds, with the hard drive's own trie (peripherals/mpt.ts) over a memory store. The input is
// ethereum/tests' TrieTests shape, so a vector can be given as it is (keys other than "in",
// such as its "root", are ignored):
//   {"in": [[key, value | null], ...]}   applied in order; null (or an empty value) deletes
//   {"in": {key: value | null, ...}}     the same, in the object's order
// Strings starting with 0x are hex, others UTF-8; --hex makes every string hex (0x optional).

import { EXIT } from '../../cpu/exit-codes.js';
import { EMPTY_ROOT, Trie } from '../../peripherals/mpt.js';
import { Hdd } from '../../peripherals/regs.js';
import { MemoryStore } from '../../peripherals/store.js';
import { command } from '../exit.js';
import { out, readInput, readStdin } from '../io.js';
import { UserError } from '../user-error.js';

interface TrieRootArgs {
  input: string;
  secure: boolean;
  hex: boolean;
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** The bytes a JSON string names (`where` locates it in the input for an error). */
function bytesOf(s: string, hex: boolean, where: string): Uint8Array {
  const h = s.startsWith('0x') || s.startsWith('0X') ? s.slice(2) : hex ? s : null;
  if (h === null) return Buffer.from(s, 'utf8');
  if (!HEX.test(h)) throw new UserError(`${where}: ${JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s)} is not hex (an even number of hex digits)`, EXIT.BAD_INPUT);
  return Buffer.from(h, 'hex');
}

/** The sets the input asks for, checked. */
export function parseTrieInput(text: string, name: string, hex: boolean): [Uint8Array, Uint8Array][] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${name}: not JSON (${(e as Error).message})`, EXIT.BAD_INPUT);
  }
  const shape = `${name}: expected {"in": [[key, value | null], ...]} or {"in": {key: value | null}}`;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !('in' in doc)) throw new UserError(shape, EXIT.BAD_INPUT);
  const input = (doc as { in: unknown }).in;
  let pairs: [unknown, unknown, string][];
  if (Array.isArray(input)) {
    pairs = input.map((p: unknown, i) => {
      if (!Array.isArray(p) || p.length !== 2) throw new UserError(`${name}: "in"[${i}] is not a [key, value | null] pair`, EXIT.BAD_INPUT);
      return [p[0], p[1], `"in"[${i}]`];
    });
  } else if (typeof input === 'object' && input !== null) {
    pairs = Object.entries(input).map(([k, v]) => [k, v, `"in".${JSON.stringify(k)}`]);
  } else throw new UserError(shape, EXIT.BAD_INPUT);
  const sets: [Uint8Array, Uint8Array][] = [];
  for (const [k, v, where] of pairs) {
    if (typeof k !== 'string') throw new UserError(`${name}: ${where}: the key is not a string`, EXIT.BAD_INPUT);
    if (v !== null && typeof v !== 'string') throw new UserError(`${name}: ${where}: the value is not a string or null`, EXIT.BAD_INPUT);
    const key = bytesOf(k, hex, `${name}: ${where}`);
    if (key.length > Hdd.MAX_KEY) throw new UserError(`${name}: ${where}: a key of ${key.length} bytes (the hard drive takes at most ${Hdd.MAX_KEY})`, EXIT.BAD_INPUT);
    sets.push([key, v === null ? new Uint8Array(0) : bytesOf(v, hex, `${name}: ${where}`)]);
  }
  return sets;
}

/** The root after the sets, in order. */
export function trieRoot(sets: readonly (readonly [Uint8Array, Uint8Array])[], secure: boolean): Uint8Array {
  const t = new Trie(new MemoryStore(), EMPTY_ROOT, secure);
  for (let i = 0; i < sets.length; i++) t.set(sets[i]![0], sets[i]![1]);
  return t.root;
}

function cmdTrieRoot(a: TrieRootArgs): number {
  const stdin = a.input === '-' || a.input === ''; // yargs hands a lone '-' over as ''
  const name = stdin ? 'stdin' : a.input;
  const text = (stdin ? readStdin() : readInput(a.input)).toString('utf8');
  const root = trieRoot(parseTrieInput(text, name, a.hex), a.secure);
  out(1, `0x${Buffer.from(root).toString('hex')}\n`);
  return 0;
}

const rootCommand = command<TrieRootArgs>({
  command: 'root <input>',
  describe: 'the root hash of the trie built by {"in": [[key, value|null], ...]} (or {"in": {key: value}}), ethereum/tests TrieTests style',
  builder: (y) => y
    .positional('input', { type: 'string', demandOption: true, describe: 'a JSON file, or - for stdin' })
    .option('secure', { type: 'boolean', default: false, describe: 'keys are keccak-256 hashed first (a secure trie, as the state trie)' })
    .option('hex', { type: 'boolean', default: false, describe: 'every string is hex (0x optional); otherwise only 0x… strings are, others UTF-8' }),
  run: cmdTrieRoot,
});

export const trieCommand = command<Record<string, never>>({
  command: 'trie',
  describe: 'trie root <file.json|->: the Merkle-Patricia root of a list of sets',
  builder: (y) => y.command(rootCommand).demandCommand(1, 'name what to do: trie root <file.json|->'),
  run: () => 0,
});
