import { chmod, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import {
  newEmbeddedPassword,
  readEmbeddedPassword,
  writeEmbeddedPassword,
} from './embedded-password.ts';

const dir = await mkdtemp(path.join(os.tmpdir(), 'kdlens-password-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

it('writes 0600 and reads back; refuses to overwrite', async () => {
  const file = path.join(dir, 'a.password');
  const password = newEmbeddedPassword();
  // 32 bytes in base64url without padding: ceil(32 * 4 / 3) = 43 characters.
  expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
  await writeEmbeddedPassword(file, password);
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  expect(await readEmbeddedPassword(file)).toBe(password);
  await expect(writeEmbeddedPassword(file, newEmbeddedPassword())).rejects.toMatchObject({
    code: 'EEXIST',
  });
  expect(await readEmbeddedPassword(file)).toBe(password);
});

it('is missing, or refused when others can read it or it is a symlink', async () => {
  expect(await readEmbeddedPassword(path.join(dir, 'none.password'))).toBeUndefined();
  const open = path.join(dir, 'open.password');
  await writeFile(open, `${newEmbeddedPassword()}\n`);
  await chmod(open, 0o644);
  await expect(readEmbeddedPassword(open)).rejects.toThrow(
    /readable by other users \(mode 644\).*chmod 600/,
  );
  const link = path.join(dir, 'link.password');
  await symlink(path.join(dir, 'a.password'), link);
  await expect(readEmbeddedPassword(link)).rejects.toThrow(/symbolic link/);
});
