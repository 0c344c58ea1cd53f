import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packDirectorySync, unpackDirectory } from './directory-bundle.ts';

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

  it('refuses a bundle whose names would leave the directory', async () => {
    const header = Buffer.from(JSON.stringify([{ name: '../evil', bytes: 1 }]));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.byteLength);
    await expect(
      unpackDirectory(Buffer.concat([length, header, Buffer.from('x')]), await temp()),
    ).rejects.toThrow();
  });
});
