/**
 * The one way loaders touch a data set's files: every file and folder they open must, after
 * symlinks, lie inside the data set's own folder. The worker checks the folder itself against
 * KDLENS_DATA_ROOTS (confineDataPath); without this, a link planted below it
 * (`celeba/list_attr_celeba.txt → /etc/shadow`, an image linking out of an ImageFolder class)
 * would still let a spec read any file the worker can (issue 12, item 1).
 *
 * Each path is checked on its real path just before it is opened, and opened by that real path
 * with O_NOFOLLOW. What remains is a window between the check and the open in which a folder on
 * the path could be swapped for a link; closing it needs openat2(RESOLVE_BENEATH), which Node does
 * not offer. Whoever can swap folders in an allowed root between two system calls already controls
 * that data.
 */
import { constants, type Dirent, type Stats } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { isPathInside } from '@kdlens/core';
import { DatasetFormatError } from './dataset-format-error.ts';

/** 0 where the platform has no O_NOFOLLOW (Windows), which then relies on the realpath check. */
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

/** A missing file or folder: callers keep their own "not found" handling for these. */
export function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export class ConfinedFiles {
  private constructor(
    /** The data set's folder as given (for messages). */
    readonly folder: string,
    /** Its real path, which every file's real path must lie inside. */
    readonly realFolder: string,
  ) {}

  /**
   * Confines reads to `folder` (its real path). A folder that does not exist confines to its
   * lexical path: every read then fails as missing, and loaders say which file they expected.
   * For folders the caller chose itself (CLI, tests); the worker uses ofRealFolder, since this
   * resolves `folder` again and checks the result against nothing.
   */
  static async of(folder: string): Promise<ConfinedFiles> {
    const real = await realpath(folder).catch((error: unknown) => {
      if (isMissing(error)) return path.resolve(folder);
      throw error;
    });
    return new ConfinedFiles(folder, real);
  }

  /**
   * Confines reads to `realFolder` as given, without resolving it again: it must already be a
   * real path that passed the KDLENS_DATA_ROOTS check (what confineDataPath returned). Resolving
   * it a second time would let whoever can write in an allowed root swap the folder for a link
   * between the check and this call, and everything at the link's target would count as inside;
   * taken as given, each file's real path then lies outside it and is refused.
   */
  static ofRealFolder(realFolder: string): ConfinedFiles {
    return new ConfinedFiles(realFolder, path.resolve(realFolder));
  }

  /**
   * The real path of `file`, refused with a DatasetFormatError naming `file` (never where it
   * leads: that is what a planted link would probe for) when it lies outside the folder. Errors
   * of the file system (ENOENT, EACCES) pass through unchanged.
   */
  async resolve(file: string): Promise<string> {
    const real = await realpath(file);
    if (!isPathInside(real, this.realFolder)) {
      throw new DatasetFormatError(
        file,
        undefined,
        `leads outside the data set's folder ${this.folder} (a symbolic link?); a data set's files must stay inside its folder, so it is not read`,
      );
    }
    return real;
  }

  /** The bytes of `file`, opened by its checked real path without following a link swapped in. */
  async readFile(file: string): Promise<Buffer> {
    const handle = await open(await this.resolve(file), constants.O_RDONLY | O_NOFOLLOW);
    try {
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  }

  /** `file` as UTF-8 text. */
  async readText(file: string): Promise<string> {
    return (await this.readFile(file)).toString('utf8');
  }

  /** The entries of folder `dir` (names only; each is checked again when opened). */
  async list(dir: string): Promise<Dirent[]> {
    return readdir(await this.resolve(dir), { withFileTypes: true });
  }

  /** What `file` is, links followed (inside the folder only). */
  async stat(file: string): Promise<Stats> {
    return stat(await this.resolve(file));
  }

  /** Whether `file` exists; a link leading outside is refused, not "missing". */
  async exists(file: string): Promise<boolean> {
    try {
      await this.resolve(file);
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }
}
