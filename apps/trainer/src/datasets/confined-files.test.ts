import { mkdir, mkdtemp, realpath, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { confineDataPath } from '@kdlens/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfinedFiles } from './confined-files.ts';
import { DatasetFormatError } from './dataset-format-error.ts';
import { catchFormatError } from './format-error.testing.ts';

let outer = '';
let data = '';
const SECRET = 'root:$6$not-a-real-hash';

beforeEach(async () => {
  outer = await mkdtemp(join(tmpdir(), 'kdlens-confined-'));
  data = join(outer, 'data');
  await mkdir(join(data, 'sub'), { recursive: true });
  await mkdir(join(outer, 'elsewhere'));
  await writeFile(join(data, 'sub', 'a.txt'), 'inside');
  await writeFile(join(outer, 'secret.txt'), SECRET);
  await writeFile(join(outer, 'elsewhere', 'b.txt'), SECRET);
});
afterEach(async () => {
  await rm(outer, { recursive: true, force: true });
});

const outsideMessage = (file: string) =>
  `${file}: leads outside the data set's folder ${data} (a symbolic link?); a data set's files must stay inside its folder, so it is not read`;

describe('ConfinedFiles', () => {
  it('reads files and folders inside, also through a link that stays inside', async () => {
    await symlink(join(data, 'sub', 'a.txt'), join(data, 'alias.txt'));
    await symlink(join(data, 'sub'), join(data, 'alias-dir'));
    const files = await ConfinedFiles.of(data);
    expect(await files.readText(join(data, 'sub', 'a.txt'))).toBe('inside');
    expect(await files.readText(join(data, 'alias.txt'))).toBe('inside');
    expect((await files.list(join(data, 'alias-dir'))).map((e) => e.name)).toEqual(['a.txt']);
    expect((await files.stat(join(data, 'alias-dir'))).isDirectory()).toBe(true);
    expect(await files.exists(join(data, 'alias.txt'))).toBe(true);
    expect(await files.exists(join(data, 'missing.txt'))).toBe(false);
  });

  it('refuses a file link, a folder link and a `..` path leading out, naming the path and not the target', async () => {
    const fileLink = join(data, 'list.txt');
    await symlink(join(outer, 'secret.txt'), fileLink);
    const dirLink = join(data, 'train');
    await symlink(join(outer, 'elsewhere'), dirLink);
    const files = await ConfinedFiles.of(data);
    for (const attempt of [
      () => files.readText(fileLink),
      () => files.readFile(fileLink),
      () => files.exists(fileLink),
      () => files.stat(fileLink),
      () => files.list(dirLink),
      () => files.readText(join(dirLink, 'b.txt')),
    ]) {
      const error = await catchFormatError(attempt());
      expect(error.message).not.toContain(SECRET);
      expect(error.message).not.toContain('secret.txt');
      expect(error.message).not.toContain('elsewhere');
    }
    expect((await catchFormatError(files.readText(fileLink))).message).toBe(
      outsideMessage(fileLink),
    );
    const dotDot = join(data, '..', 'secret.txt');
    expect((await catchFormatError(files.readText(dotDot))).message).toBe(outsideMessage(dotDot));
  });

  it('confines to the real folder when the folder itself is reached through a link', async () => {
    const linkedRoot = join(outer, 'linked-root');
    await symlink(data, linkedRoot);
    const files = await ConfinedFiles.of(linkedRoot);
    expect(files.realFolder).toBe(await realpath(data));
    expect(await files.readText(join(linkedRoot, 'sub', 'a.txt'))).toBe('inside');
  });

  it('ofRealFolder keeps the confined folder when it is swapped for a link after the check', async () => {
    const real = await confineDataPath(data, [outer], 'dataset.root');
    const files = ConfinedFiles.ofRealFolder(real);
    // A user who can write in the allowed root swaps the checked folder for a link out of it.
    await rename(data, join(outer, 'data-old'));
    await symlink(join(outer, 'elsewhere'), data);
    const swapped = join(real, 'b.txt');
    expect(files.realFolder).toBe(real);
    expect((await catchFormatError(files.readText(swapped))).message).toBe(
      `${swapped}: leads outside the data set's folder ${real} (a symbolic link?); a data set's files must stay inside its folder, so it is not read`,
    );
    await expect(files.list(real)).rejects.toBeInstanceOf(DatasetFormatError);
    // What resolving the folder a second time (ConfinedFiles.of) does: the link's target counts
    // as inside and the file outside the allowed root is read.
    expect(await (await ConfinedFiles.of(real)).readText(swapped)).toBe(SECRET);
  });

  it('lets a missing folder fail each read as missing (ENOENT), not as outside', async () => {
    const files = await ConfinedFiles.of(join(outer, 'nope'));
    await expect(files.readText(join(outer, 'nope', 'x.txt'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
    await expect(files.readText(join(outer, 'nope', 'x.txt'))).rejects.not.toBeInstanceOf(
      DatasetFormatError,
    );
    expect(await files.exists(join(outer, 'nope', 'x.txt'))).toBe(false);
  });
});
