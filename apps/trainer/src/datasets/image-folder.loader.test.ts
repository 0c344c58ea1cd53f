import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImageSplit } from './dataset.ts';
import { catchFormatError } from './format-error.testing.ts';
import {
  indexImageFolder,
  loadImageFolderDataset,
  parseSynsetNames,
  readableClassNames,
} from './image-folder.loader.ts';

type Rgb = [number, number, number];

async function solid(file: string, [r, g, b]: Rgb, width = 12, height = 10) {
  await mkdir(dirname(file), { recursive: true });
  const image = sharp({ create: { width, height, channels: 3, background: { r, g, b } } });
  await (file.toLowerCase().endsWith('.png') ? image.png() : image.jpeg({ quality: 95 })).toFile(
    file,
  );
}

const red: Rgb = [255, 0, 0];
const green: Rgb = [0, 255, 0];
const blue: Rgb = [0, 0, 255];

let root = '';
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kdlens-imagefolder-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** ImageNet-style tree: class folders are WordNet ids; 'Zebra' sorts before lowercase names. */
async function writeTree() {
  await solid(join(root, 'train', 'n02', 'b.png'), red);
  await solid(join(root, 'train', 'n02', 'a.JPEG'), red);
  await solid(join(root, 'train', 'n01', 'x.jpg'), green);
  await solid(join(root, 'train', 'Zebra', 'z.jpeg'), blue);
  await solid(join(root, 'train', 'Zebra', 'nested', 'y.png'), blue);
  await writeFile(join(root, 'train', 'n01', '.DS_Store'), 'finder metadata');
  await solid(join(root, 'val', 'n02', 'v.JPEG'), red);
  await solid(join(root, 'val', 'n01', 'w.png'), green);
}

describe('indexImageFolder', () => {
  it('codes classes by sorted folder name and orders files stably', async () => {
    await writeTree();
    const index = await indexImageFolder({ root });
    // Code-unit order: uppercase before lowercase, as Python's sorted().
    expect(index.classFolders).toEqual(['Zebra', 'n01', 'n02']);
    expect(index.label).toEqual({ name: 'class', values: ['Zebra', 'n01', 'n02'] });
    const train = index.splits.train;
    expect(train?.files.map((f) => f.slice(root.length + 1))).toEqual([
      'train/Zebra/nested/y.png',
      'train/Zebra/z.jpeg',
      'train/n01/x.jpg',
      'train/n02/a.JPEG',
      'train/n02/b.png',
    ]);
    expect(Array.from(train?.labels ?? [])).toEqual([0, 0, 1, 2, 2]);
    expect(Array.from(train?.indices ?? [])).toEqual([0, 1, 2, 3, 4]);
    const val = index.splits.val;
    expect(Array.from(val?.labels ?? [])).toEqual([1, 2]);
    expect(index.splits.test).toBeUndefined();
  });

  it('takes readable names from words.txt (first name, repeats disambiguated)', async () => {
    await writeTree();
    await writeFile(
      join(root, 'words.txt'),
      'n00\tentity\nn01\tcrane\nn02\tcrane, derrick\nZebra\tzebra, Equus grevyi\n',
    );
    const index = await indexImageFolder({ root });
    expect(index.label.values).toEqual(['zebra', 'crane (n01)', 'crane (n02)']);
  });

  it('reads LOC_synset_mapping.txt (space-separated) when there is no words.txt', async () => {
    await writeTree();
    await writeFile(
      join(root, 'LOC_synset_mapping.txt'),
      'Zebra zebra\r\nn01 tench, Tinca tinca\r\nn02 goldfish, Carassius auratus\r\n',
    );
    expect((await indexImageFolder({ root })).label.values).toEqual(['zebra', 'tench', 'goldfish']);
  });

  it('rejects a names file that misses a class, or has a malformed line', async () => {
    await writeTree();
    await writeFile(join(root, 'words.txt'), 'n01\ttench\nZebra\tzebra\n');
    await expect(indexImageFolder({ root })).rejects.toThrow(/no name for class folder\(s\) n02/);
    await writeFile(join(root, 'words.txt'), 'n01\ttench\nn02 goldfish\n');
    await expect(indexImageFolder({ root })).rejects.toMatchObject({
      name: 'DatasetFormatError',
      file: join(root, 'words.txt'),
      where: { line: 2 },
    });
  });

  it('rejects a non-image file, a val class unknown to train, a missing layout', async () => {
    await writeTree();
    await writeFile(join(root, 'train', 'n01', 'notes.txt'), 'hi');
    await expect(indexImageFolder({ root })).rejects.toMatchObject({
      file: join(root, 'train', 'n01', 'notes.txt'),
    });
    await rm(join(root, 'train', 'n01', 'notes.txt'));
    await solid(join(root, 'val', 'n99', 'q.png'), red);
    await expect(indexImageFolder({ root })).rejects.toMatchObject({
      file: join(root, 'val', 'n99'),
    });
    await expect(indexImageFolder({ root: join(root, 'train') })).rejects.toThrow(
      /no train\/, val\/ or test\/ folder/,
    );
  });

  it('follows links that stay inside the root and refuses an image or a class folder linking outside', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'kdlens-imagefolder-outside-'));
    try {
      await writeTree();
      await solid(join(outside, 'cls', 'secret.png'), blue);
      // Inside: an ImageNet-style tree of links into the root's own files is still read.
      await symlink(join(root, 'train', 'n01'), join(root, 'val', 'Zebra'));
      const followed = await indexImageFolder({ root });
      expect(followed.splits.val?.files.map((f) => f.slice(root.length + 1))).toEqual([
        'val/Zebra/x.jpg',
        'val/n01/w.png',
        'val/n02/v.JPEG',
      ]);
      await rm(join(root, 'val', 'Zebra'));

      const imageLink = join(root, 'train', 'n01', 'stolen.png');
      await symlink(join(outside, 'cls', 'secret.png'), imageLink);
      const refusedImage = await catchFormatError(indexImageFolder({ root }));
      expect(refusedImage.file).toBe(imageLink);
      expect(refusedImage.message).toBe(
        `${imageLink}: leads outside the data set's folder ${root} (a symbolic link?); a data set's files must stay inside its folder, so it is not read`,
      );
      expect(refusedImage.message).not.toContain(outside);
      await rm(imageLink);

      const classLink = join(root, 'val', 'n02');
      await rm(classLink, { recursive: true });
      await symlink(join(outside, 'cls'), classLink);
      const refusedClass = await catchFormatError(indexImageFolder({ root }));
      expect(refusedClass.file).toBe(classLink);
      expect(refusedClass.message).not.toContain(outside);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});

describe('loadImageFolderDataset', () => {
  it('decodes every split to size×size RGB with the listed labels', async () => {
    await writeTree();
    const dataset = await loadImageFolderDataset({ root, size: 8 });
    expect(dataset.name).toBe('image-folder');
    const train = dataset.splits.train as ImageSplit;
    expect(train).toMatchObject({ kind: 'image', count: 5, height: 8, width: 8, channels: 3 });
    const centre = (n: number) => {
      const at = ((n * 8 + 4) * 8 + 4) * 3;
      return Array.from(train.pixels.subarray(at, at + 3));
    };
    const expected = [blue, blue, green, red, red];
    expected.forEach((colour, n) => {
      centre(n).forEach((v, c) => {
        expect(Math.abs(v - (colour[c] ?? 0))).toBeLessThanOrEqual(8);
      });
    });
    expect((dataset.splits.val as ImageSplit).count).toBe(2);
  });

  it('honours limit per split', async () => {
    await writeTree();
    const dataset = await loadImageFolderDataset({ root, size: 4, limit: 2, name: 'mini' });
    expect(dataset.name).toBe('mini');
    expect(dataset.splits.train?.count).toBe(2);
    expect(Array.from(dataset.splits.train?.labels ?? [])).toEqual([0, 0]);
  });
});

describe('parseSynsetNames / readableClassNames', () => {
  it('keeps the first comma-separated name', () => {
    const names = parseSynsetNames('n1\tgoldfish, Carassius auratus\n', 'words.txt', 'tab');
    expect(names.get('n1')).toBe('goldfish');
    expect(readableClassNames(['n1', 'n2'], names)).toEqual(['goldfish', 'n2']);
  });
});
