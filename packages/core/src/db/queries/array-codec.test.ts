import { describe, expect, it } from 'vitest';
import { float32Bytes, float32FromBytes, int32Bytes, int32FromBytes } from './array-codec.ts';

describe('array codec', () => {
  it('writes little-endian Int32 and Float32, as the warehouse stores them', () => {
    // 1 and -2 as Int32 LE, 0.5 as Float32 LE (0x3f000000), written out by hand.
    expect([...int32Bytes([1, -2])]).toEqual([1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff]);
    expect([...float32Bytes([0.5])]).toEqual([0, 0, 0, 0x3f]);
  });

  it('reads back from aligned and unaligned buffers alike', () => {
    const bytes = int32Bytes(Int32Array.of(7, -1, 2 ** 31 - 1));
    const unaligned = Buffer.alloc(bytes.length + 1).subarray(1);
    bytes.copy(unaligned);
    expect(int32FromBytes(bytes)).toEqual(Int32Array.of(7, -1, 2 ** 31 - 1));
    expect(int32FromBytes(unaligned)).toEqual(Int32Array.of(7, -1, 2 ** 31 - 1));
    expect(float32FromBytes(float32Bytes([0.25, -3]))).toEqual(Float32Array.of(0.25, -3));
  });

  it('refuses a byte length that is not a whole number of values', () => {
    expect(() => int32FromBytes(Buffer.alloc(6))).toThrow('6 bytes, not a multiple of 4');
  });
});
