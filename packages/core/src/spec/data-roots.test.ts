import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  confineDataPath,
  DataRootError,
  dataPathProblems,
  dataPathRefusal,
  isPathInside,
  resolveDataPaths,
} from './data-roots.ts';
import { parseSpecText } from './parse-spec.ts';

describe('isPathInside', () => {
  it('compares whole path segments after normalising, not string prefixes', () => {
    expect(isPathInside('/data', '/data')).toBe(true);
    expect(isPathInside('/data/', '/data')).toBe(true);
    expect(isPathInside('/data/cifar', '/data/')).toBe(true);
    expect(isPathInside('/data//cifar/./x', '/data')).toBe(true);
    // A sibling that only shares the prefix.
    expect(isPathInside('/data-secret/x', '/data')).toBe(false);
    expect(isPathInside('/database', '/data')).toBe(false);
    // Up and out, however it is spelt.
    expect(isPathInside('/data/../etc/passwd', '/data')).toBe(false);
    expect(isPathInside('/data/cifar/../../etc', '/data')).toBe(false);
    expect(isPathInside('/data/..', '/data')).toBe(false);
    // A folder whose name merely starts with two dots stays inside.
    expect(isPathInside('/data/..hidden', '/data')).toBe(true);
    expect(isPathInside('/', '/data')).toBe(false);
    expect(isPathInside('/etc/passwd', '/')).toBe(true);
  });
});

describe('dataPathRefusal', () => {
  const roots = ['/srv/data', '/usr/share/datasets'];

  it('allows paths under a root and refuses the rest, naming the roots', () => {
    expect(dataPathRefusal('/srv/data/cifar', roots)).toBeUndefined();
    expect(dataPathRefusal('/usr/share/datasets/fashion-mnist/', roots)).toBeUndefined();
    expect(dataPathRefusal('/etc/passwd', roots)).toBe(
      '/etc/passwd is outside the data folders this server allows (/srv/data, /usr/share/datasets); put the data under one of them, or ask the server’s owner to add its folder to KDLENS_DATA_ROOTS'.replace(
        '’',
        "'",
      ),
    );
    expect(dataPathRefusal('/srv/data/../../etc/passwd', roots)).toMatch(
      /^\/etc\/passwd is outside/,
    );
    expect(dataPathRefusal('/srv/x', [])).toMatch(/allows \(none\)/);
  });

  it('refuses /proc, /sys and /dev even under a root of /, and control characters', () => {
    expect(dataPathRefusal('/proc/self/environ', ['/'])).toBe(
      '/proc/self/environ is a system folder, not data',
    );
    expect(dataPathRefusal('/sys/kernel', ['/'])).toMatch(/system folder/);
    expect(dataPathRefusal('/dev/zero', ['/'])).toMatch(/system folder/);
    expect(dataPathRefusal('/process/data', ['/'])).toBeUndefined();
    expect(dataPathRefusal('/srv/data/a\u0000b', roots)).toMatch(/control character/);
  });
});

const spec = (dataset: string, models = '') =>
  parseSpecText(
    `name: t
dataset: ${dataset}
teacher: { architecture: mlp, epochs: 1, batchSize: 8, learningRate: 0.01${models} }
student: { architecture: mlp, epochs: 1, batchSize: 8, learningRate: 0.01 }
`,
    'test',
  );

describe('resolveDataPaths and dataPathProblems', () => {
  it('makes relative roots and weights absolute from the base, then names each field outside', () => {
    const s = spec(
      '{ name: csv, root: ../x.csv, label: y, imageSize: 16, columns: { path: p } }',
      ', pretrained: w/teacher',
    );
    resolveDataPaths(s, '/srv/data/specs');
    expect(s.dataset.root).toBe('/srv/data/x.csv');
    expect(s.teacher.pretrained).toBe('/srv/data/specs/w/teacher');
    expect(dataPathProblems(s, ['/srv/data'])).toEqual([]);
    expect(dataPathProblems(s, ['/srv/data/specs']).map((p) => p.path)).toEqual(['dataset.root']);
    expect(dataPathProblems(s, ['/elsewhere']).map((p) => p.path)).toEqual([
      'dataset.root',
      'teacher.pretrained',
    ]);
  });

  it('checks a default root, and nothing for generated data', () => {
    const fashion = spec('{ name: fashion-mnist }');
    expect(dataPathProblems(fashion, ['/usr/share/datasets'])).toEqual([]);
    expect(dataPathProblems(fashion, ['/srv/data'])).toEqual([
      {
        path: 'dataset.root',
        message: expect.stringMatching(
          /^fashion-mnist's default folder \/usr\/share\/datasets\/fashion-mnist is outside/,
        ),
      },
    ]);
    const trifeature = spec('{ name: trifeature, generator: { trainCount: 8, testCount: 8 } }');
    expect(dataPathProblems(trifeature, [])).toEqual([]);
  });
});

describe('confineDataPath', () => {
  let dir = '';
  let allowed = '';
  let outside = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kdlens-roots-'));
    allowed = path.join(dir, 'allowed');
    outside = path.join(dir, 'outside');
    await mkdir(path.join(allowed, 'real'), { recursive: true });
    await mkdir(outside);
    await writeFile(path.join(outside, 'secret.csv'), 'SECRET=1\n');
    await symlink(path.join(outside, 'secret.csv'), path.join(allowed, 'link.csv'));
    await symlink(path.join(allowed, 'real'), path.join(dir, 'alias'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('returns the real path of a path inside a root', async () => {
    await expect(
      confineDataPath(path.join(allowed, 'real/'), [allowed], 'dataset.root'),
    ).resolves.toBe(path.join(allowed, 'real'));
  });

  it('refuses a symlink inside a root that leads outside, without naming its target', async () => {
    const link = path.join(allowed, 'link.csv');
    // Lexically inside: launch-time validation lets it through.
    expect(dataPathRefusal(link, [allowed])).toBeUndefined();
    const refused = await confineDataPath(link, [allowed], 'dataset.root').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DataRootError);
    expect((refused as Error).message).toBe(
      `dataset.root: ${link} leads outside the data folders this server allows (a symbolic link?); the worker refuses to read it`,
    );
    expect((refused as Error).message).not.toContain('outside/secret');
  });

  it('compares real paths when a root itself is reached through a link', async () => {
    // The root is named through the alias; the candidate through the real folder.
    await expect(
      confineDataPath(path.join(allowed, 'real'), [path.join(dir, 'alias')], 'dataset.root'),
    ).resolves.toBe(path.join(allowed, 'real'));
  });

  it('answers a path outside the roots the same whether it exists or not (no existence oracle)', async () => {
    const missing = path.join(outside, 'no-such-key');
    const existing = path.join(outside, 'secret.csv');
    for (const candidate of [missing, existing, '/etc/passwd', '/no-such-dir/id_rsa']) {
      await expect(confineDataPath(candidate, [allowed], 'dataset.root')).rejects.toThrow(
        `dataset.root: ${candidate} is outside the data folders this server allows (${allowed}); put the data under one of them, or ask the server's owner to add its folder to KDLENS_DATA_ROOTS`,
      );
    }
  });

  it('gives one message for a link whose target is outside, missing, not a folder or a loop', async () => {
    const links: Record<string, string> = {
      'to-missing': path.join(outside, 'no-such-key'),
      'through-file': path.join(outside, 'secret.csv', 'x'),
      'to-folder': outside,
      loop: path.join(allowed, 'loop'),
    };
    const refusals: string[] = [];
    for (const [name, target] of Object.entries(links)) {
      const link = path.join(allowed, name);
      await symlink(target, link);
      for (const candidate of [link, path.join(link, 'below')]) {
        const refused = await confineDataPath(candidate, [allowed], 'dataset.root').catch(
          (e: unknown) => e,
        );
        expect(refused).toBeInstanceOf(DataRootError);
        refusals.push((refused as Error).message.replace(candidate, '<path>'));
      }
    }
    expect(new Set(refusals)).toEqual(
      new Set([
        'dataset.root: <path> leads outside the data folders this server allows (a symbolic link?); the worker refuses to read it',
      ]),
    );
  });

  it('says a missing path does not exist, and refuses /proc before touching it', async () => {
    await expect(
      confineDataPath(path.join(allowed, 'nope'), [allowed], 'teacher.pretrained'),
    ).rejects.toThrow(`teacher.pretrained: ${path.join(allowed, 'nope')} does not exist`);
    await expect(confineDataPath('/proc/self/environ', ['/'], 'dataset.root')).rejects.toThrow(
      'dataset.root: /proc/self/environ is a system folder, not data',
    );
  });
});
