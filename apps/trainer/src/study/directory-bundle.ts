/**
 * A flat directory (a checkpoint, a saved model) as one byte string, so it fits a run artifact
 * and any machine can materialise it again. Layout: 4-byte little-endian length of a JSON
 * header `[{ name, bytes }]`, the header, then the files back to back. Large directories (a
 * ResNet-50's weights) go through directoryBundleChunks and createDirectoryUnpacker, which hold
 * one file read (64 KB) or one stored chunk at a time, never the whole bundle.
 */
import {
  copyFileSync,
  createReadStream,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
} from 'node:fs';
import { type FileHandle, mkdir, open } from 'node:fs/promises';
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
type Header = z.infer<typeof headerSchema>;

/** The directory's files, sorted, without the trainer's half-written `.tmp-` files. */
function bundledFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.includes('.tmp-'))
    .map((e) => e.name)
    .sort();
}

function headerBytes(entries: Header): Buffer {
  const header = Buffer.from(JSON.stringify(entries));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.byteLength);
  return Buffer.concat([length, header]);
}

/**
 * Synchronous on purpose: the trainer rewrites the checkpoint directory after each epoch, and a
 * read that yields could see half of the next one. For small directories (snapshotDirectory and
 * directoryBundleChunks for large ones).
 */
export function packDirectorySync(dir: string): Uint8Array {
  const names = bundledFiles(dir);
  const files = names.map((name) => readFileSync(path.join(dir, name)));
  return Buffer.concat([
    headerBytes(names.map((name, i) => ({ name, bytes: files[i]?.byteLength ?? 0 }))),
    ...files,
  ]);
}

/**
 * Copies the directory's files into `into` (created) without reading them into JavaScript
 * memory (the kernel copies), so what is stored cannot be torn by the next epoch's write.
 * Synchronous for the same reason as packDirectorySync.
 */
export function snapshotDirectorySync(dir: string, into: string): void {
  mkdirSync(into, { recursive: true });
  for (const name of bundledFiles(dir)) copyFileSync(path.join(dir, name), path.join(into, name));
}

/** The bundle of `dir`, read a file piece at a time: write it with writeRunArtifact. */
export async function* directoryBundleChunks(dir: string): AsyncGenerator<Uint8Array> {
  const names = bundledFiles(dir);
  const entries = names.map((name) => ({ name, bytes: statSync(path.join(dir, name)).size }));
  yield headerBytes(entries);
  for (const { name, bytes } of entries) {
    let read = 0;
    // `end` bounds the read to the size in the header, whatever happens to the file meanwhile.
    if (bytes === 0) continue;
    for await (const piece of createReadStream(path.join(dir, name), { end: bytes - 1 })) {
      read += (piece as Buffer).byteLength;
      yield piece as Buffer;
    }
    if (read !== bytes) throw new Error(`directory bundle: ${name} changed while it was read`);
  }
}

export interface DirectoryUnpacker {
  /** Takes the next piece of the bundle, in order, of any size. */
  write(chunk: Uint8Array): Promise<void>;
  /** Checks that every file was complete. */
  end(): Promise<void>;
  /** Closes the open file, if any, without checking (after a failed read). Idempotent. */
  discard(): Promise<void>;
}

/** The largest header an unpacker accepts: a bundle is a flat folder of a few files. */
const MAX_HEADER_BYTES = 1024 * 1024;

/** Writes a bundle's files into `dir` (created if missing) as its pieces arrive. */
export function createDirectoryUnpacker(dir: string): DirectoryUnpacker {
  // Until the header is complete, the bytes seen so far (the header is small).
  let head: Buffer | undefined = Buffer.alloc(0);
  let entries: Header = [];
  let index = 0;
  let left = 0;
  let file: FileHandle | undefined;

  // Opens the next file that has bytes to come, creating the empty ones on the way.
  const nextFile = async () => {
    await file?.close();
    file = undefined;
    for (let entry = entries[index]; entry !== undefined; entry = entries[++index]) {
      const handle = await open(path.join(dir, entry.name), 'w');
      if (entry.bytes > 0) {
        file = handle;
        left = entry.bytes;
        return;
      }
      await handle.close();
    }
  };

  const body = async (data: Buffer) => {
    let at = 0;
    while (at < data.byteLength) {
      if (file === undefined) throw new Error('directory bundle: bytes after the last file');
      const n = Math.min(left, data.byteLength - at);
      await file.write(data.subarray(at, at + n));
      at += n;
      left -= n;
      if (left === 0) {
        index++;
        await nextFile();
      }
    }
  };

  const discard = async () => {
    const open = file;
    file = undefined;
    await open?.close().catch(() => {});
  };

  const write = async (chunk: Uint8Array) => {
    const data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (head === undefined) return body(data);
    head = Buffer.concat([head, data]);
    if (head.byteLength < 4) return;
    const length = head.readUInt32LE(0);
    // A corrupt length would otherwise have every later chunk copied into `head` again.
    if (length > MAX_HEADER_BYTES) throw new Error('directory bundle: header too large');
    if (head.byteLength < 4 + length) return;
    entries = headerSchema.parse(JSON.parse(head.subarray(4, 4 + length).toString()));
    const rest = head.subarray(4 + length);
    head = undefined;
    await mkdir(dir, { recursive: true });
    await nextFile();
    await body(rest);
  };

  return {
    write: (chunk) =>
      write(chunk).catch(async (error: unknown) => {
        await discard();
        throw error;
      }),
    discard,
    end: async () => {
      await file?.close();
      if (head !== undefined) throw new Error('directory bundle: too short');
      const missing = entries[index];
      if (file !== undefined && missing !== undefined) {
        throw new Error(`directory bundle: ${missing.name} is truncated`);
      }
    },
  };
}

/** Writes the bundle's files into `dir` (created if missing). */
export async function unpackDirectory(bundle: Uint8Array, dir: string): Promise<void> {
  const unpacker = createDirectoryUnpacker(dir);
  await unpacker.write(bundle);
  await unpacker.end();
}
