// Generated from peripherals/regmap.ts by `npm run docs`. Do not edit by hand.
// Register offsets (bytes from the device base), command codes, status codes, latency, gas
// and limits of the virtual peripherals (docs/peripherals.md).

/** Bytes a device's DMA moves per cycle. */
export const DMA_BYTES_PER_CYCLE = 4;

// ---- sha3: Keccak-256 / SHA3-256 hash unit ----

export const enum Sha3 {
  BASE = 0xF0010000,
  SIZE = 0x40,
  /** PSET bits needed: CRYPTO. */
  PERM = 4,
  /** bytes absorbed per Keccak-f[1600] permutation (a block) */
  RATE = 136,
  /** cycles to start a command (all that a DMA_FAULT takes) */
  CYCLES_SETUP = 2,
  /** cycles per block: one round of Keccak-f[1600] per cycle; a message of LEN bytes is floor(LEN / 136) + 1 blocks */
  CYCLES_PER_BLOCK = 24,
  /** cycles to write the digest to DST (32 bytes, a word per cycle) */
  CYCLES_DST = 8,
  /** gas per command (all that a DMA_FAULT costs) */
  GAS_BASE = 30,
  /** gas per block */
  GAS_PER_BLOCK = 24,
}

export const enum Sha3Reg {
  /** rw: write: start the command with this code (the access waits while the previous command runs); read: the last command written */
  CMD = 0x00,
  /** r: status of the last command (STATUS codes) */
  STATUS = 0x04,
  /** rw: address of the message */
  SRC = 0x08,
  /** rw: message length in bytes */
  LEN = 0x0C,
  /** rw: address the 32-byte digest is also written to; 0: the digest registers only */
  DST = 0x10,
  /** r, 8 words: the digest of the last command (bytes in memory order); 0 after a DMA_FAULT */
  DIGEST = 0x20,
}

export const enum Sha3Cmd {
  /** Keccak-256 as Ethereum uses it (FIPS 202 Keccak-f[1600], rate 136 bytes, padding 0x01…0x80) */
  KECCAK256 = 1,
  /** SHA3-256 (FIPS 202: rate 136 bytes, padding 0x06…0x80) */
  SHA3_256 = 2,
}

export const enum Sha3Status {
  /** the command was done */
  OK = 0,
  /** a buffer is not inside one region of the running frame granting the access; nothing was written */
  DMA_FAULT = 1,
  /** CMD was written with an undefined command code; nothing was done */
  BAD_COMMAND = 2,
}

// ---- ecdsa: ECDSA secp256k1 signer recovery unit ----

export const enum Ecdsa {
  BASE = 0xF0020000,
  SIZE = 0x60,
  /** PSET bits needed: CRYPTO. */
  PERM = 4,
  /** cycles to start a command and check its buffers (all that a DMA_FAULT takes) */
  CYCLES_SETUP = 2,
  /** cycles to read the 96 bytes at SRC (a word per cycle) */
  CYCLES_SRC = 24,
  /** cycles of the checks and the recovery, whatever the inputs and the outcome (fixed latency) */
  CYCLES = 5000,
  /** cycles to write the 64-byte key to DST (a word per cycle), when it is written */
  CYCLES_DST = 16,
  /** gas per RECOVER or VERIFY, whatever the outcome (as Ethereum's ecrecover precompile) */
  GAS = 3000,
}

export const enum EcdsaReg {
  /** rw: write: start the command with this code (the access waits while the previous command runs); read: the last command written */
  CMD = 0x00,
  /** r: status of the last command (STATUS codes) */
  STATUS = 0x04,
  /** rw: address of 96 bytes: the 32-byte message hash, then r and s, 32 bytes each, big-endian (as Ethereum lays them out) */
  SRC = 0x08,
  /** rw: recovery id: 27 or 28 (Ethereum), or the y parity 0 or 1 */
  V = 0x0C,
  /** rw: address the 64-byte public key (x then y, big-endian) is also written to; 0: none */
  DST = 0x10,
  /** r, 5 words: the recovered 20-byte Ethereum address (low 20 bytes of keccak-256 of x‖y, in memory order); 0 after a RECOVER or VERIFY that failed, MISMATCH excepted */
  ADDR = 0x20,
  /** rw, 5 words: the address VERIFY compares the recovered one with */
  EXPECT = 0x40,
}

export const enum EcdsaCmd {
  /** recover the signer of (hash, v, r, s) */
  RECOVER = 1,
  /** RECOVER, then STATUS is MISMATCH unless the address equals EXPECT */
  VERIFY = 2,
}

export const enum EcdsaStatus {
  /** the command was done */
  OK = 0,
  /** a buffer is not inside one region of the running frame granting the access; nothing was written */
  DMA_FAULT = 1,
  /** CMD was written with an undefined command code; nothing was done */
  BAD_COMMAND = 2,
  /** V is not 0, 1, 27 or 28 */
  BAD_V = 3,
  /** r is 0 or not below the group order n */
  BAD_R = 4,
  /** s is 0 or not below n */
  BAD_S = 5,
  /** s > n / 2 (EIP-2: only the low-s form is valid) */
  HIGH_S = 6,
  /** r is not the x coordinate of a curve point, or the recovered key is the point at infinity */
  NO_POINT = 7,
  /** VERIFY: the recovered address is not EXPECT (ADDR holds the recovered one, DST its key) */
  MISMATCH = 8,
}

// ---- rlp: RLP decoder / encoder ----

export const enum Rlp {
  BASE = 0xF0030000,
  SIZE = 0x60,
  /** PSET bits needed: none. */
  PERM = 0,
  /** cycles to start a command */
  CYCLES_SETUP = 1,
  /** cycles per item header read or written */
  CYCLES_PER_HEADER = 2,
  /** cycles per 4 bytes (rounded up) copied into or moved within the output */
  CYCLES_PER_WORD = 1,
  /** gas per command */
  GAS_BASE = 3,
  /** gas per item header read or written */
  GAS_PER_HEADER = 1,
  /** gas per 4 bytes (rounded up) copied into or moved within the output */
  GAS_PER_WORD = 1,
  /** lists nested in one item, at most (VALIDATE; deeper is MALFORMED) */
  MAX_DEPTH = 1024,
}

export const enum RlpReg {
  /** rw: write: start the command with this code (the access waits while the previous command runs); read: the last command written */
  CMD = 0x00,
  /** r: status of the last command (STATUS codes) */
  STATUS = 0x04,
  /** rw: decoding: address of the buffer holding RLP */
  BUF = 0x08,
  /** rw: decoding: length of the buffer; no item may reach past it */
  BUFLEN = 0x0C,
  /** rw: decoding: offset in the buffer of the item a command reads */
  POS = 0x10,
  /** rw: NTH: the element of the list at POS to find (0 is the first) */
  INDEX = 0x14,
  /** r: result: 0 a byte string, 1 a list */
  TYPE = 0x18,
  /** r: result: offset in the buffer of the item's payload */
  DOFF = 0x1C,
  /** r: result: length of the payload */
  DLEN = 0x20,
  /** r: result: offset in the buffer just past the item */
  END = 0x24,
  /** r: COUNT: elements of the list */
  COUNT = 0x28,
  /** rw: UINT result / ENC_UINT operand: low 32 bits */
  VAL_LO = 0x2C,
  /** rw: UINT result / ENC_UINT operand: high 32 bits */
  VAL_HI = 0x30,
  /** rw: encoding: address of the output buffer */
  OUT = 0x40,
  /** rw: encoding: capacity of the output buffer */
  OUTCAP = 0x44,
  /** rw: encoding: bytes of output so far (each command appends at OUT + OUTLEN) */
  OUTLEN = 0x48,
  /** rw: ENC_BYTES: address of the bytes to encode */
  SRC = 0x4C,
  /** rw: ENC_BYTES: their length */
  SRCLEN = 0x50,
  /** rw: ENC_LIST: offset in the output where the list's payload starts */
  MARK = 0x54,
}

export const enum RlpCmd {
  /** the item at POS: TYPE, DOFF, DLEN, END (its header checked, its payload inside the buffer) */
  ITEM = 1,
  /** element INDEX of the list at POS: TYPE, DOFF, DLEN, END of that element */
  NTH = 2,
  /** the number of elements of the list at POS: COUNT (and the list's TYPE, DOFF, DLEN, END) */
  COUNT = 3,
  /** the item at POS and everything nested in it, strictly: STATUS, and TYPE, DOFF, DLEN, END of the item */
  VALIDATE = 4,
  /** the byte string at POS as a canonical big-endian unsigned integer of at most 8 bytes: VAL_HI:VAL_LO */
  UINT = 5,
  /** append the encoding of the SRCLEN bytes at SRC */
  ENC_BYTES = 8,
  /** append the encoding of VAL_HI:VAL_LO as a minimal big-endian integer (0 is the empty string) */
  ENC_UINT = 9,
  /** close a list: the output from MARK to OUTLEN becomes the payload of a list whose header is inserted at MARK */
  ENC_LIST = 10,
}

export const enum RlpStatus {
  /** the command was done */
  OK = 0,
  /** a buffer is not inside one region of the running frame granting the access; nothing was written */
  DMA_FAULT = 1,
  /** CMD was written with an undefined command code; nothing was done */
  BAD_COMMAND = 2,
  /** not canonical RLP, or an item reaching past its buffer or enclosing list (the rules of docs/peripherals.md) */
  MALFORMED = 3,
  /** NTH or COUNT on a byte string */
  NOT_LIST = 4,
  /** UINT on a list */
  NOT_STRING = 5,
  /** NTH: the list has no element INDEX */
  INDEX_RANGE = 6,
  /** encoding past OUTCAP, MARK past OUTLEN, or UINT of more than 8 bytes; nothing written */
  OVERFLOW = 7,
  /** UINT: the integer has a leading zero byte (or is the single byte 0x00) */
  NOT_CANONICAL_INT = 8,
}

// ---- hdd: Hard drive: preimages, tries and heaps ----

export const enum Hdd {
  BASE = 0xF0040000,
  SIZE = 0x60,
  /** PSET bits needed: HARD_DRIVE. */
  PERM = 2,
  /** objects (tries and heaps) per run */
  MAX_OBJECTS = 65536,
  /** live revert points per object */
  MAX_POINTS = 65536,
  /** bytes of a key */
  MAX_KEY = 1024,
  /** bytes of a value or preimage */
  MAX_VALUE = 16777216,
  /** cycles to start a command */
  CYCLES_SETUP = 4,
  /** cycles per trie/heap node read (a store lookup) */
  CYCLES_PER_NODE_READ = 20,
  /** cycles per node written (hashed and stored) */
  CYCLES_PER_NODE_WRITE = 40,
  /** gas per command */
  GAS_BASE = 20,
  /** gas per node read */
  GAS_PER_NODE_READ = 20,
  /** gas per node written */
  GAS_PER_NODE_WRITE = 100,
  /** gas per 4 bytes (rounded up) of key, value or preimage moved by DMA */
  GAS_PER_WORD = 1,
}

export const enum HddReg {
  /** rw: write: start the command with this code (the access waits while the previous command runs); read: the last command written */
  CMD = 0x00,
  /** r: status of the last command (STATUS codes) */
  STATUS = 0x04,
  /** rw: the object (trie or heap) a command acts on */
  ID = 0x08,
  /** rw: address of the key */
  KEY = 0x0C,
  /** rw: length of the key */
  KEYLEN = 0x10,
  /** rw: address of the value (PUT, TRIE_SET, HEAP_SET) */
  VAL = 0x14,
  /** rw: length of the value; 0 in a SET deletes the key */
  VALLEN = 0x18,
  /** rw: address results are written to (INVSHA3, GET, TOP, POP) */
  OUT = 0x1C,
  /** rw: capacity at OUT */
  OUTCAP = 0x20,
  /** r: length of the result (also when it did not fit: TOO_SMALL) */
  OUTLEN = 0x24,
  /** rw: a revert point: MKREVERT_POINT result, REVERT operand */
  POINT = 0x28,
  /** r: MKTRIE / MKHEAP: the new object's id */
  RESULT = 0x2C,
  /** rw: MKTRIE: bit 0 SECURE (keys are keccak-256 hashed before use) */
  FLAGS = 0x30,
  /** rw, 8 words: a 32-byte hash: PUT result, INVSHA3 operand, root for MK*, SETROOT and from GETROOT */
  HASH = 0x40,
}

export const enum HddCmd {
  /** store the VALLEN bytes at VAL; HASH = their keccak-256 */
  PUT = 1,
  /** the preimage of HASH to OUT; OUTLEN its length */
  INVSHA3 = 2,
  /** a new trie object with root HASH (FLAGS.SECURE): RESULT its id */
  MKTRIE = 16,
  /** HASH = the root of trie ID */
  TRIE_GETROOT = 17,
  /** trie ID takes root HASH */
  TRIE_SETROOT = 18,
  /** the value of KEY in trie ID to OUT; OUTLEN its length, 0 when absent */
  TRIE_GET = 19,
  /** KEY takes the value at VAL in trie ID (VALLEN 0 deletes) */
  TRIE_SET = 20,
  /** POINT = a revert point of trie ID at its current root */
  TRIE_MKREVERT_POINT = 21,
  /** trie ID goes back to its root at POINT; POINT and the points made before it stay valid, later ones become invalid */
  TRIE_REVERT = 22,
  /** a new heap object with root HASH: RESULT its id */
  MKHEAP = 32,
  /** HASH = the root of heap ID */
  HEAP_GETROOT = 33,
  /** heap ID takes root HASH */
  HEAP_SETROOT = 34,
  /** the value of KEY in heap ID to OUT; OUTLEN its length, 0 when absent */
  HEAP_GET = 35,
  /** KEY takes the value at VAL in heap ID (VALLEN 0 deletes) */
  HEAP_SET = 36,
  /** POINT = a revert point of heap ID */
  HEAP_MKREVERT_POINT = 37,
  /** heap ID goes back to POINT (as TRIE_REVERT) */
  HEAP_REVERT = 38,
  /** the smallest key of heap ID to OUT, OUTLEN its length (EMPTY when there is none) */
  HEAP_TOP = 39,
  /** HEAP_TOP, then delete that key */
  HEAP_POP = 40,
}

export const enum HddStatus {
  /** the command was done */
  OK = 0,
  /** a buffer is not inside one region of the running frame granting the access; nothing was written */
  DMA_FAULT = 1,
  /** CMD was written with an undefined command code; nothing was done */
  BAD_COMMAND = 2,
  /** ID names no object */
  BAD_ID = 3,
  /** a trie command on a heap or a heap command on a trie */
  WRONG_KIND = 4,
  /** POINT is not a valid revert point of the object */
  BAD_POINT = 5,
  /** the result is longer than OUTCAP: OUTLEN is its length, nothing was written */
  TOO_SMALL = 6,
  /** HEAP_TOP / HEAP_POP on an empty heap */
  EMPTY = 7,
  /** MKTRIE / MKHEAP beyond MAX_OBJECTS objects, or MKREVERT_POINT beyond MAX_POINTS points of one object */
  TABLE_FULL = 8,
  /** KEYLEN beyond MAX_KEY or VALLEN beyond MAX_VALUE */
  TOO_LARGE = 9,
}

// ---- timer: CURTIME timer (subjective) ----

export const enum Timer {
  BASE = 0xF0050000,
  SIZE = 0x08,
  /** PSET bits needed: SUBJECTIVE + TIMER. */
  PERM = 9,
}

export const enum TimerReg {
  /** r: the current time in seconds since 1970-01-01 UTC, low 32 bits, as the host set it (evminf run --time); fixed for the run */
  CURTIME_LO = 0x00,
  /** r: its high 32 bits */
  CURTIME_HI = 0x04,
}

// ---- console: Debug console ----

export const enum Console {
  BASE = 0xF0060000,
  SIZE = 0x04,
  /** PSET bits needed: none. */
  PERM = 0,
  /** bytes a run may write; further bytes are dropped (and counted) */
  LIMIT = 1048576,
}

export const enum ConsoleReg {
  /** w: write: the byte in lane 0 goes to the host's console sink (stderr, or evminf run --console FILE); reads 0 */
  TX = 0x00,
}
