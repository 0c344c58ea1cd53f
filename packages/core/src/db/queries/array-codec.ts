/**
 * Arrays in the warehouse are bytea of little-endian Int32 / Float32. node-postgres sends a Buffer
 * parameter in binary, so on a little-endian host writing a typed array is a zero-copy view and
 * reading one back is a view over the decoded bytes (bench/warehouse.bench.ts compares int[]).
 */

const hostIsLittleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Which numeric arrays callers may hand in: plain arrays or typed arrays. */
export type NumericArray = ArrayLike<number>;

export function isNumericArray(value: unknown): value is NumericArray {
  if (Array.isArray(value)) return true;
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

export function int32Bytes(values: NumericArray): Buffer {
  const a = values instanceof Int32Array ? values : Int32Array.from(values);
  if (hostIsLittleEndian) return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const out = Buffer.allocUnsafe(a.length * 4);
  for (let i = 0; i < a.length; i++) out.writeInt32LE(a[i] as number, i * 4);
  return out;
}

export function float32Bytes(values: NumericArray): Buffer {
  const a = values instanceof Float32Array ? values : Float32Array.from(values);
  if (hostIsLittleEndian) return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const out = Buffer.allocUnsafe(a.length * 4);
  for (let i = 0; i < a.length; i++) out.writeFloatLE(a[i] as number, i * 4);
  return out;
}

export function int32FromBytes(bytes: Uint8Array): Int32Array {
  const n = checkWidth(bytes);
  // A typed-array view needs 4-byte alignment; small Buffers from pg's pool may not have it.
  if (hostIsLittleEndian && bytes.byteOffset % 4 === 0) {
    return new Int32Array(bytes.buffer, bytes.byteOffset, n);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}

export function float32FromBytes(bytes: Uint8Array): Float32Array {
  const n = checkWidth(bytes);
  if (hostIsLittleEndian && bytes.byteOffset % 4 === 0) {
    return new Float32Array(bytes.buffer, bytes.byteOffset, n);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

function checkWidth(bytes: Uint8Array): number {
  if (bytes.byteLength % 4 !== 0) {
    throw new Error(`a stored array has ${bytes.byteLength} bytes, not a multiple of 4`);
  }
  return bytes.byteLength / 4;
}
