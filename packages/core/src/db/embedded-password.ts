import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { WarehouseError } from '../errors.ts';

/** Where the embedded server's superuser password lives: beside its data directory. */
export function embeddedPasswordFile(dataDir: string): string {
  return `${path.resolve(dataDir)}.password`;
}

/** 32 random bytes, base64url: 43 characters a URL carries without escaping. */
export function newEmbeddedPassword(): string {
  return randomBytes(32).toString('base64url');
}

const passwordPattern = /^[A-Za-z0-9_-]{43,200}$/;

/**
 * The password in `file`, or undefined when there is none. Refuses a file that others could have
 * read (group/other mode bits) or that belongs to another user: a leaked superuser password lets
 * any local user run `copy … to program` as the server's OS user, so fixing the mode silently
 * would hide that it may already be known.
 */
export async function readEmbeddedPassword(file: string): Promise<string | undefined> {
  let handle: fs.FileHandle;
  try {
    // O_NOFOLLOW: a symlink planted in KDLENS_HOME must not redirect us to someone else's file.
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') {
      throw new WarehouseError(
        `${file} is a symbolic link; the password file must be a plain file`,
      );
    }
    throw new WarehouseError(`cannot read the embedded PostgreSQL password file ${file}: ${code}`);
  }
  try {
    const stat = await handle.stat();
    const uid = process.getuid?.();
    if (!stat.isFile()) {
      throw new WarehouseError(`${file} is not a regular file; it should hold the password`);
    }
    if (uid !== undefined && stat.uid !== uid) {
      throw new WarehouseError(
        `${file} belongs to uid ${stat.uid}, not to you (uid ${uid}); run kdlens as its owner or remove the file and the data directory beside it`,
      );
    }
    if ((stat.mode & 0o077) !== 0) {
      throw new WarehouseError(
        `${file} is readable by other users (mode ${(stat.mode & 0o777).toString(8)}), so the PostgreSQL superuser password may be known: run chmod 600 ${file}, and if other users could log in, remove it together with the data directory beside it to start afresh`,
      );
    }
    const text = (await handle.readFile('utf8')).trim();
    if (!passwordPattern.test(text)) {
      throw new WarehouseError(
        `${file} does not hold a KDLens password (expected 43+ base64url characters on one line); restore it or remove it together with the data directory beside it`,
      );
    }
    return text;
  } finally {
    await handle.close();
  }
}

/**
 * Writes the password atomically and exclusively with mode 0600: a temporary file created with
 * that mode, then hard-linked to its name, which fails with EEXIST when the file exists, so two
 * processes creating it at once cannot each keep a different password; no reader ever sees a
 * partial or a wider-readable file.
 */
export async function writeEmbeddedPassword(file: string, password: string): Promise<void> {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await fs.open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(`${password}\n`);
    await handle.sync();
    await handle.close();
    await fs.link(temp, file);
  } finally {
    await handle.close().catch(() => {});
    await fs.rm(temp, { force: true });
  }
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802 / RFC 7677; PostgreSQL's
 * `rolpassword` format). `alter role … password '<verifier>'` sets the password without the
 * plain text reaching the server, where a failed statement would be written to its log.
 * The password is ASCII, so SASLprep leaves it as it is.
 */
export function scramSha256Verifier(password: string, iterations = 4096): string {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
