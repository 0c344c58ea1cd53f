import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const fashionMnist = '/usr/share/datasets/fashion-mnist';
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('kdlens datasets', () => {
  it('lists every data set', async () => {
    const result = await runCli(['datasets', 'list'], {});
    expect(result.code).toBe(0);
    for (const name of [
      'mnist',
      'fashion-mnist',
      'cifar10',
      'cifar100',
      'tiny-imagenet',
      'imagenet',
      'celeba',
      'hatexplain',
      'trifeature',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`^${name}$`, 'm'));
    }
  });

  // The one real data set a Debian package ships (CI installs dataset-fashion-mnist).
  it.runIf(existsSync(fashionMnist) || process.env.CI)(
    'inspects the real Fashion-MNIST: 60,000 / 10,000 examples, 6,000 / 1,000 per class',
    async () => {
      const result = await runCli(
        ['datasets', 'inspect', 'fashion-mnist', '--root', fashionMnist, '--json'],
        {},
      );
      expect(result.code, result.stderr).toBe(0);
      const summary = JSON.parse(result.stdout) as {
        label: { values: string[] };
        input: string;
        splits: { split: string; count: number; perClass: number[] }[];
      };
      expect(summary.input).toBe('28×28×1');
      expect(summary.label.values[9]).toBe('Ankle boot');
      expect(summary.splits.map((s) => [s.split, s.count])).toEqual([
        ['train', 60_000],
        ['test', 10_000],
      ]);
      expect(summary.splits[0]?.perClass).toEqual(new Array(10).fill(6000));
      expect(summary.splits[1]?.perClass).toEqual(new Array(10).fill(1000));
    },
  );

  it('renders a Trifeature preview grid as a PNG', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kdlens-render-'));
    dirs.push(dir);
    const out = path.join(dir, 'preview.png');
    const result = await runCli(
      [
        'datasets',
        'render',
        'trifeature',
        '--out',
        out,
        '--size',
        '32',
        '--rows',
        '2',
        '--cols',
        '3',
      ],
      {},
    );
    expect(result.code, result.stderr).toBe(0);
    const meta = await sharp(out).metadata();
    expect(meta.format).toBe('png');
    // 3 × 2 tiles of 32 px, with a 2 px gap around and between them.
    expect([meta.width, meta.height]).toEqual([3 * 32 + 4 * 2, 2 * 32 + 3 * 2]);
  });

  it('inspects a CSV-described data set without decoding its images', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kdlens-csv-'));
    dirs.push(dir);
    const csv = path.join(dir, 'data.csv');
    // The images do not exist: inspecting reads only the CSV.
    await writeFile(
      csv,
      'file,label,sex,split\na.png,cat,f,train\nb.png,dog,m,train\n"c,1.png",cat,m,test\n',
    );
    const result = await runCli(
      [
        'datasets',
        'inspect',
        'csv',
        '--root',
        csv,
        '--label',
        'label',
        '--sensitive',
        'sex',
        '--path-column',
        'file',
        '--split-column',
        'split',
        '--json',
      ],
      {},
    );
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.label.values).toEqual(['cat', 'dog']);
    expect(summary.splits).toEqual([
      { split: 'train', count: 2, perClass: [1, 1], perAttribute: { sex: [1, 1] } },
      { split: 'test', count: 1, perClass: [1, 0], perAttribute: { sex: [0, 1] } },
    ]);
  });

  it('explains a bad request in one line', async () => {
    const unknown = await runCli(['datasets', 'inspect', 'svhn'], {});
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toMatch(
      /^kdlens: unknown data set "svhn"; known: mnist, fashion-mnist, /,
    );
    const noRoot = await runCli(['datasets', 'inspect', 'cifar10'], {});
    expect(noRoot.stderr.trim()).toBe('kdlens: cifar10: give the data folder with --root <dir>');
    const badSize = await runCli(
      ['datasets', 'render', 'trifeature', '--out', '/tmp/x.png', '--size', '2'],
      {},
    );
    expect(badSize.stderr.trim()).toBe('kdlens: --size must be a number from 8 to 512, got "2"');
  });
});
