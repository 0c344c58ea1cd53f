import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kdlens-spec-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('kdlens spec', () => {
  it('validates a preset and summarises its plan', async () => {
    const result = await runCli(['spec', 'validate', 'cifar100'], {});
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/cifar100\.yaml: valid/);
    expect(result.stdout).toMatch(/teacher\s+resnet56: 164 epochs/);
    expect(result.stdout).toMatch(/student\s+resnet20: 164 epochs/);
    expect(result.stdout).toMatch(/KD\s+α 0\.8, T = 2, 4, 6, 8, 10/);
    // 5 seeds × (teacher + student + 5 temperatures).
    expect(result.stdout).toMatch(/units\s+35: 5 teachers, 5 students, 25 distilled/);
  });

  it('validates a JSON file', async () => {
    const file = path.join(dir, 'tiny.json');
    await writeFile(
      file,
      JSON.stringify({
        name: 'tiny',
        dataset: { name: 'trifeature', generator: { trainCount: 100, testCount: 20 } },
        teacher: { architecture: 'reference-cnn', epochs: 1, batchSize: 32, learningRate: 0.01 },
        student: { architecture: 'lenet5', epochs: 1, batchSize: 32, learningRate: 0.01 },
        kd: { temperatures: [1, 4] },
        seeds: [0, 1],
      }),
    );
    const result = await runCli(['spec', 'validate', file], {});
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/units\s+8: 2 teachers, 2 students, 4 distilled/);
  });

  it('lists every problem with its file, line, column and field, and exits 1', async () => {
    const file = path.join(dir, 'bad.yaml');
    await writeFile(
      file,
      [
        'name: bad',
        'dataset: { name: hatexplain, root: data, sensitive: [age] }',
        'teacher: { architecture: resnet20, epochs: 1, batchSize: 8, learningRate: 0.1 }',
        'student: { architecture: transformer, epochs: 1, batchSize: 8, learningRate: 0.1 }',
        'kd: { alpha: 0.8, temperatures: [2, 2] }',
        'seeds: 3',
        '',
      ].join('\n'),
    );
    const result = await runCli(['spec', 'validate', file], {});
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe(`kdlens: ${file}: 4 problems in the experiment spec`);
    // Columns are where the value starts on its line ('age' is the 54th character of line 2).
    expect(lines.slice(1)).toEqual([
      `${file}:1:1 evaluation.individualFairness.features: token ids have no meaningful distance; use teacher-embedding for text (not set in the file, so the default applies)`,
      `${file}:2:54 dataset.sensitive.0: hatexplain has no attribute "age"; one of: gender, race, religion`,
      `${file}:3:26 teacher.architecture: resnet20 is an image model but hatexplain gives texts; use transformer or bigru`,
      `${file}:5:37 kd.temperatures.1: temperature 2 is listed twice`,
    ]);
  });

  it('says what to do about a name that is neither a file nor a preset', async () => {
    const result = await runCli(['spec', 'validate', 'cifar1000'], {});
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^kdlens: cifar1000: no such file, and no preset of that name; presets: celeba, /,
    );
  });

  it('lists the presets and shows one', async () => {
    const list = await runCli(['spec', 'presets'], {});
    expect(list.code, list.stderr).toBe(0);
    for (const name of [
      'cifar100',
      'cifar10',
      'tiny-imagenet',
      'imagenet',
      'celeba',
      'trifeature',
      'hatexplain',
      'fashion-mnist',
      'demo',
    ]) {
      expect(list.stdout).toMatch(new RegExp(`^${name}\\s+\\S`, 'm'));
    }
    const show = await runCli(['spec', 'show', 'demo'], {});
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/^name: demo$/m);
    expect(show.stdout).toMatch(/^# /m); // the file as written, comments included
  });
});
