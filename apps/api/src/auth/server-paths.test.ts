import { describe, expect, it } from 'vitest';
import { redactPaths, redactSpec } from './server-paths.ts';

const folders = ['/home/alice/My Datasets', '/home/alice/.kdlens', '/srv/kdlens'];

describe('redactSpec', () => {
  it('replaces the path fields and every path in other strings, known folders whole', () => {
    const spec = {
      dataset: { name: 'cifar100', root: '/home/alice/My Datasets/cifar' },
      teacher: { pretrained: 'file:///srv/secret/model.json' },
      student: { arch: 'resnet8' },
      description: 'from /home/alice/My Datasets/cifar, see dataset.root:/srv/x and /srv/a,b/c.bin',
      import: { files: ['/srv/kdlens/runs/my preds.csv', '/mnt/other/b c.csv'] },
    };
    expect(redactSpec(spec, 'cifar100', folders)).toEqual({
      dataset: { name: 'cifar100', root: '<cifar100>' },
      teacher: { pretrained: '<teacher weights>' },
      student: { arch: 'resnet8' },
      description: 'from <cifar100>, see dataset.root:<cifar100> and <cifar100>',
      import: { files: ['<cifar100>', '<cifar100>'] },
    });
    // The stored object is left as it was.
    expect(spec.dataset.root).toBe('/home/alice/My Datasets/cifar');
  });
});

describe('redactPaths', () => {
  it('leaves URLs, ratios and role pairs alone', () => {
    expect(
      redactPaths(
        'at http://host/path, 3/4 done, teacher/student; /home/alice/.kdlens/runs.db',
        'x',
        folders,
      ),
    ).toBe('at http://host/path, 3/4 done, teacher/student; <x>');
  });
});
