// The register maps of the virtual peripherals: the one source. `npm run docs` generates from it
// the TypeScript constants every device and program uses (peripherals/regs.ts), the C header of
// the firmware SDK (firmware/include/evminf/regs.h) and the register tables of
// docs/peripherals.md; test/regmap.test.ts fails when a generated file is stale. A hardware
// designer reads the same numbers the model runs on.
//
// Conventions shared by every command device (docs/peripherals.md, "Command devices"):
//  - each device owns one 64 KiB block of the MMIO window (one decoder entry);
//  - registers are 32-bit words at base + offset; multi-word values (a digest, a hash, an
//    address) are banks of words holding bytes in memory order: byte i of the value is byte
//    lane i % 4 of word i / 4, so storing the words in order lays the value out in memory;
//  - CMD (write) starts a command, STATUS (read) reports the last one; STATUS_OK = 0 and
//    DMA_FAULT = 1 everywhere, device-specific codes from 2 on;
//  - every address register names memory of the running frame, reached by DMA.

/** PSET bit names (cpu/perm.ts PermBit; the generator checks they agree). */
export type PermName = 'SUBJECTIVE' | 'HARD_DRIVE' | 'CRYPTO' | 'TIMER';

/** PSET bit values (docs/architecture.md; test/regmap.test.ts checks them against PermBit). */
export const PERM_VALUES: Readonly<Record<PermName, number>> = { SUBJECTIVE: 1, HARD_DRIVE: 2, CRYPTO: 4, TIMER: 8 };

export interface RegDef {
  readonly name: string;
  /** Byte offset from the device's base (word aligned). */
  readonly offset: number;
  /** Words in a bank (default 1). */
  readonly words?: number;
  readonly access: 'r' | 'w' | 'rw';
  readonly doc: string;
}

export interface CodeDef {
  readonly name: string;
  readonly value: number;
  readonly doc: string;
}

export interface DeviceMap {
  /** Device name: signals `evm.dev.<name>.*`, constants `<PREFIX>_*`. */
  readonly name: string;
  /** Prefix of the generated constants (C macros, TS names). */
  readonly prefix: string;
  readonly title: string;
  readonly base: number;
  /** Bytes of the register window (the rest of the 64 KiB block reads 0 / ignores writes). */
  readonly size: number;
  /** PSET bits a frame must hold, all of them; none: every frame may use it. */
  readonly perm: readonly PermName[];
  readonly regs: readonly RegDef[];
  readonly commands: readonly CodeDef[];
  readonly statuses: readonly CodeDef[];
  /** Latency, gas and limits, by name. */
  readonly constants: readonly CodeDef[];
}

/** The status codes every command device shares. */
const COMMON_STATUS: readonly CodeDef[] = [
  { name: 'OK', value: 0, doc: 'the command was done' },
  { name: 'DMA_FAULT', value: 1, doc: 'a buffer is not inside one region of the running frame granting the access; nothing was written' },
  { name: 'BAD_COMMAND', value: 2, doc: 'CMD was written with an undefined command code; nothing was done' },
];

/** The CMD / STATUS pair at the start of every command device. */
const COMMAND_REGS: readonly RegDef[] = [
  { name: 'CMD', offset: 0x00, access: 'rw', doc: 'write: start the command with this code (the access waits while the previous command runs); read: the last command written' },
  { name: 'STATUS', offset: 0x04, access: 'r', doc: 'status of the last command (STATUS codes)' },
];

export const DMA_BYTES_PER_CYCLE = 4;

export const SHA3: DeviceMap = {
  name: 'sha3',
  prefix: 'SHA3',
  title: 'Keccak-256 / SHA3-256 hash unit',
  base: 0xf001_0000,
  size: 0x40,
  perm: ['CRYPTO'],
  regs: [
    ...COMMAND_REGS,
    { name: 'SRC', offset: 0x08, access: 'rw', doc: 'address of the message' },
    { name: 'LEN', offset: 0x0c, access: 'rw', doc: 'message length in bytes' },
    { name: 'DST', offset: 0x10, access: 'rw', doc: 'address the 32-byte digest is also written to; 0: the digest registers only' },
    { name: 'DIGEST', offset: 0x20, words: 8, access: 'r', doc: 'the digest of the last command (bytes in memory order); 0 after a DMA_FAULT' },
  ],
  commands: [
    { name: 'KECCAK256', value: 1, doc: 'Keccak-256 as Ethereum uses it (FIPS 202 Keccak-f[1600], rate 136 bytes, padding 0x01…0x80)' },
    { name: 'SHA3_256', value: 2, doc: 'SHA3-256 (FIPS 202: rate 136 bytes, padding 0x06…0x80)' },
  ],
  statuses: [...COMMON_STATUS],
  constants: [
    { name: 'RATE', value: 136, doc: 'bytes absorbed per Keccak-f[1600] permutation (a block)' },
    { name: 'CYCLES_SETUP', value: 2, doc: 'cycles to start a command (all that a DMA_FAULT takes)' },
    { name: 'CYCLES_PER_BLOCK', value: 24, doc: 'cycles per block: one round of Keccak-f[1600] per cycle; a message of LEN bytes is floor(LEN / 136) + 1 blocks' },
    { name: 'CYCLES_DST', value: 8, doc: 'cycles to write the digest to DST (32 bytes, a word per cycle)' },
    { name: 'GAS_BASE', value: 30, doc: 'gas per command (all that a DMA_FAULT costs)' },
    { name: 'GAS_PER_BLOCK', value: 24, doc: 'gas per block' },
  ],
};

export const ECDSA: DeviceMap = {
  name: 'ecdsa',
  prefix: 'ECDSA',
  title: 'ECDSA secp256k1 signer recovery unit',
  base: 0xf002_0000,
  size: 0x60,
  perm: ['CRYPTO'],
  regs: [
    ...COMMAND_REGS,
    { name: 'SRC', offset: 0x08, access: 'rw', doc: 'address of 96 bytes: the 32-byte message hash, then r and s, 32 bytes each, big-endian (as Ethereum lays them out)' },
    { name: 'V', offset: 0x0c, access: 'rw', doc: 'recovery id: 27 or 28 (Ethereum), or the y parity 0 or 1' },
    { name: 'DST', offset: 0x10, access: 'rw', doc: 'address the 64-byte public key (x then y, big-endian) is also written to; 0: none' },
    { name: 'ADDR', offset: 0x20, words: 5, access: 'r', doc: 'the recovered 20-byte Ethereum address (low 20 bytes of keccak-256 of x‖y, in memory order); 0 after a RECOVER or VERIFY that failed, MISMATCH excepted' },
    { name: 'EXPECT', offset: 0x40, words: 5, access: 'rw', doc: 'the address VERIFY compares the recovered one with' },
  ],
  commands: [
    { name: 'RECOVER', value: 1, doc: 'recover the signer of (hash, v, r, s)' },
    { name: 'VERIFY', value: 2, doc: 'RECOVER, then STATUS is MISMATCH unless the address equals EXPECT' },
  ],
  statuses: [
    ...COMMON_STATUS,
    { name: 'BAD_V', value: 3, doc: 'V is not 0, 1, 27 or 28' },
    { name: 'BAD_R', value: 4, doc: 'r is 0 or not below the group order n' },
    { name: 'BAD_S', value: 5, doc: 's is 0 or not below n' },
    { name: 'HIGH_S', value: 6, doc: 's > n / 2 (EIP-2: only the low-s form is valid)' },
    { name: 'NO_POINT', value: 7, doc: 'r is not the x coordinate of a curve point, or the recovered key is the point at infinity' },
    { name: 'MISMATCH', value: 8, doc: 'VERIFY: the recovered address is not EXPECT (ADDR holds the recovered one, DST its key)' },
  ],
  constants: [
    { name: 'CYCLES_SETUP', value: 2, doc: 'cycles to start a command and check its buffers (all that a DMA_FAULT takes)' },
    { name: 'CYCLES_SRC', value: 24, doc: 'cycles to read the 96 bytes at SRC (a word per cycle)' },
    { name: 'CYCLES', value: 5000, doc: 'cycles of the checks and the recovery, whatever the inputs and the outcome (fixed latency)' },
    { name: 'CYCLES_DST', value: 16, doc: 'cycles to write the 64-byte key to DST (a word per cycle), when it is written' },
    { name: 'GAS', value: 3000, doc: 'gas per RECOVER or VERIFY, whatever the outcome (as Ethereum\'s ecrecover precompile)' },
  ],
};

export const RLP: DeviceMap = {
  name: 'rlp',
  prefix: 'RLP',
  title: 'RLP decoder / encoder',
  base: 0xf003_0000,
  size: 0x60,
  perm: [],
  regs: [
    ...COMMAND_REGS,
    { name: 'BUF', offset: 0x08, access: 'rw', doc: 'decoding: address of the buffer holding RLP' },
    { name: 'BUFLEN', offset: 0x0c, access: 'rw', doc: 'decoding: length of the buffer; no item may reach past it' },
    { name: 'POS', offset: 0x10, access: 'rw', doc: 'decoding: offset in the buffer of the item a command reads' },
    { name: 'INDEX', offset: 0x14, access: 'rw', doc: 'NTH: the element of the list at POS to find (0 is the first)' },
    { name: 'TYPE', offset: 0x18, access: 'r', doc: 'result: 0 a byte string, 1 a list' },
    { name: 'DOFF', offset: 0x1c, access: 'r', doc: 'result: offset in the buffer of the item\'s payload' },
    { name: 'DLEN', offset: 0x20, access: 'r', doc: 'result: length of the payload' },
    { name: 'END', offset: 0x24, access: 'r', doc: 'result: offset in the buffer just past the item' },
    { name: 'COUNT', offset: 0x28, access: 'r', doc: 'COUNT: elements of the list' },
    { name: 'VAL_LO', offset: 0x2c, access: 'rw', doc: 'UINT result / ENC_UINT operand: low 32 bits' },
    { name: 'VAL_HI', offset: 0x30, access: 'rw', doc: 'UINT result / ENC_UINT operand: high 32 bits' },
    { name: 'OUT', offset: 0x40, access: 'rw', doc: 'encoding: address of the output buffer' },
    { name: 'OUTCAP', offset: 0x44, access: 'rw', doc: 'encoding: capacity of the output buffer' },
    { name: 'OUTLEN', offset: 0x48, access: 'rw', doc: 'encoding: bytes of output so far (each command appends at OUT + OUTLEN)' },
    { name: 'SRC', offset: 0x4c, access: 'rw', doc: 'ENC_BYTES: address of the bytes to encode' },
    { name: 'SRCLEN', offset: 0x50, access: 'rw', doc: 'ENC_BYTES: their length' },
    { name: 'MARK', offset: 0x54, access: 'rw', doc: 'ENC_LIST: offset in the output where the list\'s payload starts' },
  ],
  commands: [
    { name: 'ITEM', value: 1, doc: 'the item at POS: TYPE, DOFF, DLEN, END (its header checked, its payload inside the buffer)' },
    { name: 'NTH', value: 2, doc: 'element INDEX of the list at POS: TYPE, DOFF, DLEN, END of that element' },
    { name: 'COUNT', value: 3, doc: 'the number of elements of the list at POS: COUNT (and the list\'s TYPE, DOFF, DLEN, END)' },
    { name: 'VALIDATE', value: 4, doc: 'the item at POS and everything nested in it, strictly: STATUS, and TYPE, DOFF, DLEN, END of the item' },
    { name: 'UINT', value: 5, doc: 'the byte string at POS as a canonical big-endian unsigned integer of at most 8 bytes: VAL_HI:VAL_LO' },
    { name: 'ENC_BYTES', value: 8, doc: 'append the encoding of the SRCLEN bytes at SRC' },
    { name: 'ENC_UINT', value: 9, doc: 'append the encoding of VAL_HI:VAL_LO as a minimal big-endian integer (0 is the empty string)' },
    { name: 'ENC_LIST', value: 10, doc: 'close a list: the output from MARK to OUTLEN becomes the payload of a list whose header is inserted at MARK' },
  ],
  statuses: [
    ...COMMON_STATUS,
    { name: 'MALFORMED', value: 3, doc: 'not canonical RLP, or an item reaching past its buffer or enclosing list (the rules of docs/peripherals.md)' },
    { name: 'NOT_LIST', value: 4, doc: 'NTH or COUNT on a byte string' },
    { name: 'NOT_STRING', value: 5, doc: 'UINT on a list' },
    { name: 'INDEX_RANGE', value: 6, doc: 'NTH: the list has no element INDEX' },
    { name: 'OVERFLOW', value: 7, doc: 'encoding past OUTCAP, MARK past OUTLEN, or UINT of more than 8 bytes; nothing written' },
    { name: 'NOT_CANONICAL_INT', value: 8, doc: 'UINT: the integer has a leading zero byte (or is the single byte 0x00)' },
  ],
  constants: [
    { name: 'CYCLES_SETUP', value: 1, doc: 'cycles to start a command' },
    { name: 'CYCLES_PER_HEADER', value: 2, doc: 'cycles per item header read or written' },
    { name: 'CYCLES_PER_WORD', value: 1, doc: 'cycles per 4 bytes (rounded up) copied into or moved within the output' },
    { name: 'GAS_BASE', value: 3, doc: 'gas per command' },
    { name: 'GAS_PER_HEADER', value: 1, doc: 'gas per item header read or written' },
    { name: 'GAS_PER_WORD', value: 1, doc: 'gas per 4 bytes (rounded up) copied into or moved within the output' },
    { name: 'MAX_DEPTH', value: 1024, doc: 'lists nested in one item, at most (VALIDATE; deeper is MALFORMED)' },
  ],
};

export const HDD: DeviceMap = {
  name: 'hdd',
  prefix: 'HDD',
  title: 'Hard drive: preimages, tries and heaps',
  base: 0xf004_0000,
  size: 0x60,
  perm: ['HARD_DRIVE'],
  regs: [
    ...COMMAND_REGS,
    { name: 'ID', offset: 0x08, access: 'rw', doc: 'the object (trie or heap) a command acts on' },
    { name: 'KEY', offset: 0x0c, access: 'rw', doc: 'address of the key' },
    { name: 'KEYLEN', offset: 0x10, access: 'rw', doc: 'length of the key' },
    { name: 'VAL', offset: 0x14, access: 'rw', doc: 'address of the value (PUT, TRIE_SET, HEAP_SET)' },
    { name: 'VALLEN', offset: 0x18, access: 'rw', doc: 'length of the value; 0 in a SET deletes the key' },
    { name: 'OUT', offset: 0x1c, access: 'rw', doc: 'address results are written to (INVSHA3, GET, TOP, POP)' },
    { name: 'OUTCAP', offset: 0x20, access: 'rw', doc: 'capacity at OUT' },
    { name: 'OUTLEN', offset: 0x24, access: 'r', doc: 'length of the result (also when it did not fit: TOO_SMALL)' },
    { name: 'POINT', offset: 0x28, access: 'rw', doc: 'a revert point: MKREVERT_POINT result, REVERT operand' },
    { name: 'RESULT', offset: 0x2c, access: 'r', doc: 'MKTRIE / MKHEAP: the new object\'s id' },
    { name: 'FLAGS', offset: 0x30, access: 'rw', doc: 'MKTRIE: bit 0 SECURE (keys are keccak-256 hashed before use)' },
    { name: 'HASH', offset: 0x40, words: 8, access: 'rw', doc: 'a 32-byte hash: PUT result, INVSHA3 operand, root for MK*, SETROOT and from GETROOT' },
  ],
  commands: [
    { name: 'PUT', value: 1, doc: 'store the VALLEN bytes at VAL; HASH = their keccak-256' },
    { name: 'INVSHA3', value: 2, doc: 'the preimage of HASH to OUT; OUTLEN its length' },
    { name: 'MKTRIE', value: 16, doc: 'a new trie object with root HASH (FLAGS.SECURE): RESULT its id' },
    { name: 'TRIE_GETROOT', value: 17, doc: 'HASH = the root of trie ID' },
    { name: 'TRIE_SETROOT', value: 18, doc: 'trie ID takes root HASH' },
    { name: 'TRIE_GET', value: 19, doc: 'the value of KEY in trie ID to OUT; OUTLEN its length, 0 when absent' },
    { name: 'TRIE_SET', value: 20, doc: 'KEY takes the value at VAL in trie ID (VALLEN 0 deletes)' },
    { name: 'TRIE_MKREVERT_POINT', value: 21, doc: 'POINT = a revert point of trie ID at its current root' },
    { name: 'TRIE_REVERT', value: 22, doc: 'trie ID goes back to its root at POINT; POINT and the points made before it stay valid, later ones become invalid' },
    { name: 'MKHEAP', value: 32, doc: 'a new heap object with root HASH: RESULT its id' },
    { name: 'HEAP_GETROOT', value: 33, doc: 'HASH = the root of heap ID' },
    { name: 'HEAP_SETROOT', value: 34, doc: 'heap ID takes root HASH' },
    { name: 'HEAP_GET', value: 35, doc: 'the value of KEY in heap ID to OUT; OUTLEN its length, 0 when absent' },
    { name: 'HEAP_SET', value: 36, doc: 'KEY takes the value at VAL in heap ID (VALLEN 0 deletes)' },
    { name: 'HEAP_MKREVERT_POINT', value: 37, doc: 'POINT = a revert point of heap ID' },
    { name: 'HEAP_REVERT', value: 38, doc: 'heap ID goes back to POINT (as TRIE_REVERT)' },
    { name: 'HEAP_TOP', value: 39, doc: 'the smallest key of heap ID to OUT, OUTLEN its length (EMPTY when there is none)' },
    { name: 'HEAP_POP', value: 40, doc: 'HEAP_TOP, then delete that key' },
  ],
  statuses: [
    ...COMMON_STATUS,
    { name: 'BAD_ID', value: 3, doc: 'ID names no object' },
    { name: 'WRONG_KIND', value: 4, doc: 'a trie command on a heap or a heap command on a trie' },
    { name: 'BAD_POINT', value: 5, doc: 'POINT is not a valid revert point of the object' },
    { name: 'TOO_SMALL', value: 6, doc: 'the result is longer than OUTCAP: OUTLEN is its length, nothing was written' },
    { name: 'EMPTY', value: 7, doc: 'HEAP_TOP / HEAP_POP on an empty heap' },
    { name: 'TABLE_FULL', value: 8, doc: 'MKTRIE / MKHEAP beyond MAX_OBJECTS objects, or MKREVERT_POINT beyond MAX_POINTS points of one object' },
    { name: 'TOO_LARGE', value: 9, doc: 'KEYLEN beyond MAX_KEY or VALLEN beyond MAX_VALUE' },
  ],
  constants: [
    { name: 'MAX_OBJECTS', value: 65536, doc: 'objects (tries and heaps) per run' },
    { name: 'MAX_POINTS', value: 65536, doc: 'live revert points per object' },
    { name: 'MAX_KEY', value: 1024, doc: 'bytes of a key' },
    { name: 'MAX_VALUE', value: 16777216, doc: 'bytes of a value or preimage' },
    { name: 'CYCLES_SETUP', value: 4, doc: 'cycles to start a command' },
    { name: 'CYCLES_PER_NODE_READ', value: 20, doc: 'cycles per trie/heap node read (a store lookup)' },
    { name: 'CYCLES_PER_NODE_WRITE', value: 40, doc: 'cycles per node written (hashed and stored)' },
    { name: 'GAS_BASE', value: 20, doc: 'gas per command' },
    { name: 'GAS_PER_NODE_READ', value: 20, doc: 'gas per node read' },
    { name: 'GAS_PER_NODE_WRITE', value: 100, doc: 'gas per node written' },
    { name: 'GAS_PER_WORD', value: 1, doc: 'gas per 4 bytes (rounded up) of key, value or preimage moved by DMA' },
  ],
};

export const TIMER: DeviceMap = {
  name: 'timer',
  prefix: 'TIMER',
  title: 'CURTIME timer (subjective)',
  base: 0xf005_0000,
  size: 0x08,
  perm: ['SUBJECTIVE', 'TIMER'],
  regs: [
    { name: 'CURTIME_LO', offset: 0x00, access: 'r', doc: 'the current time in seconds since 1970-01-01 UTC, low 32 bits, as the host set it (evminf run --time); fixed for the run' },
    { name: 'CURTIME_HI', offset: 0x04, access: 'r', doc: 'its high 32 bits' },
  ],
  commands: [],
  statuses: [],
  constants: [],
};

export const CONSOLE: DeviceMap = {
  name: 'console',
  prefix: 'CONSOLE',
  title: 'Debug console',
  base: 0xf006_0000,
  size: 0x04,
  perm: [],
  regs: [
    { name: 'TX', offset: 0x00, access: 'w', doc: 'write: the byte in lane 0 goes to the host\'s console sink (stderr, or evminf run --console FILE); reads 0' },
  ],
  commands: [],
  statuses: [],
  constants: [
    { name: 'LIMIT', value: 1048576, doc: 'bytes a run may write; further bytes are dropped (and counted)' },
  ],
};

/** Every device of the standard machine, in address order. */
export const DEVICE_MAPS: readonly DeviceMap[] = [SHA3, ECDSA, RLP, HDD, TIMER, CONSOLE];
