import { describe, expect, it } from 'vitest';
import { doubleText, float32Text } from './number-text.ts';

describe('float32Text', () => {
  // Expected strings are numpy's shortest float32 forms (repr(np.float32(x)) without the type),
  // except where noted.
  it('writes the shortest decimal that reads back as the same float32', () => {
    expect(float32Text(Math.fround(0.8))).toBe('0.8');
    expect(float32Text(Math.fround(0.1))).toBe('0.1');
    expect(float32Text(Math.fround(1 / 3))).toBe('0.33333334');
    expect(float32Text(Math.fround(0.05))).toBe('0.05');
    expect(float32Text(Math.fround(1e-7))).toBe('1e-7');
    expect(float32Text(0)).toBe('0');
    expect(float32Text(1)).toBe('1');
    expect(float32Text(Math.fround(-2.5))).toBe('-2.5');
    // 16777217 is not a float32; it rounds to 2^24.
    expect(float32Text(Math.fround(16777217))).toBe('16777216');
    expect(float32Text(Math.fround(3.4028235e38))).toBe('3.4028235e+38');
  });

  it('finds six-digit forms just below a power of ten (where seven digits do not pad)', () => {
    // numpy: 9.89941e-04. Rounding to seven digits gives 0.0009899409, which also reads back.
    const v = new Float32Array(new Uint32Array([0x3a81c0e8]).buffer)[0] as number;
    expect(Math.fround(Number('0.000989941'))).toBe(v);
    expect(float32Text(v)).toBe('0.000989941');
  });

  it('writes subnormals with as few digits as they carry', () => {
    expect(float32Text(Math.fround(1e-45))).toBe('1e-45');
    expect(float32Text(Math.fround(1.1754942e-38))).toBe('1.1754942e-38');
  });

  it('reads back as the same float32 for every value it writes', () => {
    const bits = new Uint32Array(20_000);
    let x = 12345;
    for (let i = 0; i < bits.length; i++) {
      // xorshift32 over all bit patterns that are finite floats
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      bits[i] = (x >>> 0) & 0x7f7fffff;
    }
    const values = new Float32Array(bits.buffer);
    for (const v of values) expect(Math.fround(Number(float32Text(v)))).toBe(v);
  });

  it('is null where the value is absent', () => {
    expect(float32Text(null)).toBeNull();
    expect(float32Text(Number.NaN)).toBeNull();
    expect(float32Text(Number.POSITIVE_INFINITY)).toBeNull();
  });
});

describe('doubleText', () => {
  it('is the shortest round-trip form of a double, null when not finite', () => {
    expect(doubleText(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(doubleText(-0.25)).toBe('-0.25');
    expect(doubleText(Number.NaN)).toBeNull();
    expect(doubleText(null)).toBeNull();
  });
});
