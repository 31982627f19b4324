// RLP test vectors shared by test/rlp.test.ts and test/rlp-cli.test.ts.
//
// INVALID: every vector of ethereum/tests RLPTests/invalidRLPTest.json (hex as published, by
// name), which a strict decoder must reject; EXTRA_INVALID: more rejections the spec implies
// (trailing bytes, non-canonical items nested inside a valid list, nesting past the limit).

export const INVALID: Readonly<Record<string, string>> = {
  int32Overflow: 'bf0f000000000000021111',
  int32Overflow2: 'ff0f000000000000021111',
  wrongSizeList: 'f80180',
  wrongSizeList2: 'f80100',
  incorrectLengthInArray: 'b9002100dc2b275d0f74e8a53e6f4ec61b27f24278820be3f82ea2110e582081b0565df0',
  randomRLP: 'f861f83eb9002100dc2b275d0f74e8a53e6f4ec61b27f24278820be3f82ea2110e582081b0565df027b90015002d5ef8325ae4d034df55d4b58d0dfba64d61ddd17be00000b9001a00dae30907045a2f66fa36f2bb8aa9029cbb0b8a7b3b5c435ab331',
  bytesShouldBeSingleByte00: '8100',
  bytesShouldBeSingleByte01: '8101',
  bytesShouldBeSingleByte7F: '817F',
  leadingZerosInLongLengthArray1: 'b90040000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f',
  leadingZerosInLongLengthArray2: 'b800',
  leadingZerosInLongLengthList1: 'fb00000040000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f',
  leadingZerosInLongLengthList2: 'f800',
  nonOptimalLongLengthArray1: 'b81000112233445566778899aabbccddeeff',
  nonOptimalLongLengthArray2: 'b801ff',
  nonOptimalLongLengthList1: 'f810000102030405060708090a0b0c0d0e0f',
  nonOptimalLongLengthList2: 'f803112233',
  emptyEncoding: '',
  lessThanShortLengthArray1: '81',
  lessThanShortLengthArray2: 'a0000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e',
  lessThanShortLengthList1: 'c5010203',
  lessThanShortLengthList2: 'e201020304050607',
  lessThanLongLengthArray1: 'ba010000aabbccddeeff',
  lessThanLongLengthArray2: 'b840ffeeddccbbaa99887766554433221100',
  lessThanLongLengthList1: 'f90180',
  lessThanLongLengthList2: 'ffffffffffffffffff0001020304050607',
};

/** Lists nested `n` deep around nothing: c0 wrapped n - 1 times. */
export function nested(n: number): string {
  let b = Buffer.from('c0', 'hex');
  for (let k = 1; k < n; k++) {
    const len = b.length;
    const head = len <= 55 ? Buffer.from([0xc0 + len]) : len < 256 ? Buffer.from([0xf8, len]) : Buffer.from([0xf9, len >> 8, len & 0xff]);
    b = Buffer.concat([head, b]);
  }
  return b.toString('hex');
}

export const EXTRA_INVALID: Readonly<Record<string, string>> = {
  trailingByte: '8001',
  trailingAfterList: 'c18080',
  twoItems: '0102',
  singleByteInList: 'c28100',
  leadingZeroLengthInList: 'c3b80001',
  listElementPastList: 'c281',
  elementPastEnclosingList: 'c2c28080',
  lengthOfLength5: 'bc0000000001',
  nestedTooDeep: nested(1025),
};
