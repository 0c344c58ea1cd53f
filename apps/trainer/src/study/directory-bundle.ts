/**
 * A flat directory (a checkpoint, a saved model) as one byte string, so it fits a run_artifacts
 * row and any machine can materialise it again. Layout: 4-byte little-endian length of a JSON
 * header `[{ name, bytes }]`, the header, then the files back to back.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

const headerSchema = z.array(
  z.object({
    // Flat directories only: a name with a separator could write outside the target.
    name: z
      .string()
      .regex(/^[^/\\]+$/)
      .refine((n) => n !== '.' && n !== '..'),
    bytes: z.int().min(0),
  }),
);

/**
 * Synchronous on purpose: the trainer rewrites the checkpoint directory after each epoch, and a
 * read that yields could see half of the next one.
 */
export function packDirectorySync(dir: string): Uint8Array {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.includes('.tmp-'))
    .map((e) => e.name)
    .sort();
  const files = names.map((name) => readFileSync(path.join(dir, name)));
  const header = Buffer.from(
    JSON.stringify(names.map((name, i) => ({ name, bytes: files[i]?.byteLength ?? 0 }))),
  );
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.byteLength);
  return Buffer.concat([length, header, ...files]);
}

/** Writes the bundle's files into `dir` (created if missing). */
export async function unpackDirectory(bundle: Uint8Array, dir: string): Promise<void> {
  const buf = Buffer.from(bundle.buffer, bundle.byteOffset, bundle.byteLength);
  if (buf.byteLength < 4) throw new Error('directory bundle: too short');
  const headerBytes = buf.readUInt32LE(0);
  const entries = headerSchema.parse(JSON.parse(buf.subarray(4, 4 + headerBytes).toString()));
  await mkdir(dir, { recursive: true });
  let at = 4 + headerBytes;
  for (const { name, bytes } of entries) {
    if (at + bytes > buf.byteLength) throw new Error(`directory bundle: ${name} is truncated`);
    await writeFile(path.join(dir, name), buf.subarray(at, at + bytes));
    at += bytes;
  }
}
