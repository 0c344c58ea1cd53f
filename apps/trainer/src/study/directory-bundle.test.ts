import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createDirectoryUnpacker,
  directoryBundleChunks,
  packDirectorySync,
  snapshotDirectorySync,
  unpackDirectory,
} from './directory-bundle.ts';

const dirs: string[] = [];
const temp = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kdlens-bundle-'));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('directory bundles', () => {
  it('round-trips a flat directory byte for byte, leaving temp files out', async () => {
    const from = await temp();
    const bin = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) % 256);
    await writeFile(path.join(from, 'state-e2.bin'), bin);
    await writeFile(path.join(from, 'checkpoint.json'), '{"epoch":2}\n');
    await writeFile(path.join(from, 'checkpoint.json.tmp-123'), 'half written');
    const to = await temp();
    await unpackDirectory(packDirectorySync(from), path.join(to, 'inner'));
    expect((await readdir(path.join(to, 'inner'))).sort()).toEqual([
      'checkpoint.json',
      'state-e2.bin',
    ]);
    expect(new Uint8Array(await readFile(path.join(to, 'inner', 'state-e2.bin')))).toEqual(bin);
    expect(await readFile(path.join(to, 'inner', 'checkpoint.json'), 'utf8')).toBe('{"epoch":2}\n');
  });

  it('refuses a header that claims more than 1 MiB, whatever follows', async () => {
    const unpacker = createDirectoryUnpacker(await temp());
    const huge = Buffer.alloc(8);
    huge.writeUInt32LE(0xffffffff, 0);
    await expect(unpacker.write(huge)).rejects.toThrow(/header too large/);
    await unpacker.discard();
    await unpacker.discard();
  });

  it('refuses a bundle whose names would leave the directory', async () => {
    const header = Buffer.from(JSON.stringify([{ name: '../evil', bytes: 1 }]));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.byteLength);
    await expect(
      unpackDirectory(Buffer.concat([length, header, Buffer.from('x')]), await temp()),
    ).rejects.toThrow();
  });

  it('streams a bundle in pieces of any size, empty files included, equal to the packed one', async () => {
    const from = await temp();
    const big = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 13) % 256);
    await writeFile(path.join(from, 'a-empty.bin'), new Uint8Array(0));
    await writeFile(path.join(from, 'b-big.bin'), big);
    await writeFile(path.join(from, 'c.json'), '{}');
    await writeFile(path.join(from, 'd-empty.bin'), new Uint8Array(0));
    const snapshot = path.join(await temp(), 'snap');
    snapshotDirectorySync(from, snapshot);
    const pieces: Uint8Array[] = [];
    for await (const piece of directoryBundleChunks(snapshot)) pieces.push(piece);
    const whole = Buffer.concat(pieces);
    expect(whole.equals(Buffer.from(packDirectorySync(from)))).toBe(true);
    // Re-cut at 7 bytes: header and file boundaries fall inside pieces.
    const to = path.join(await temp(), 'out');
    const unpacker = createDirectoryUnpacker(to);
    for (let at = 0; at < whole.byteLength; at += 7)
      await unpacker.write(whole.subarray(at, at + 7));
    await unpacker.end();
    expect((await readdir(to)).sort()).toEqual([
      'a-empty.bin',
      'b-big.bin',
      'c.json',
      'd-empty.bin',
    ]);
    expect(new Uint8Array(await readFile(path.join(to, 'b-big.bin')))).toEqual(big);
    expect(await readFile(path.join(to, 'd-empty.bin'))).toHaveLength(0);
    // Cut short inside the big file: refused at the end.
    const short = createDirectoryUnpacker(path.join(await temp(), 'short'));
    await short.write(whole.subarray(0, whole.byteLength - 10));
    await expect(short.end()).rejects.toThrow('directory bundle: b-big.bin is truncated');
  });
});
