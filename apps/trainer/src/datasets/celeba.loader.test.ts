import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { indexCeleba, loadCelebaDataset } from './celeba.loader.ts';
import type { ImageSplit } from './dataset.ts';
import { catchFormatError } from './format-error.testing.ts';

// The 40 attributes in the order of the published list_attr_celeba.txt.
const attributeNames =
  '5_o_Clock_Shadow Arched_Eyebrows Attractive Bags_Under_Eyes Bald Bangs Big_Lips Big_Nose Black_Hair Blond_Hair Blurry Brown_Hair Bushy_Eyebrows Chubby Double_Chin Eyeglasses Goatee Gray_Hair Heavy_Makeup High_Cheekbones Male Mouth_Slightly_Open Mustache Narrow_Eyes No_Beard Oval_Face Pale_Skin Pointy_Nose Receding_Hairline Rosy_Cheeks Sideburns Smiling Straight_Hair Wavy_Hair Wearing_Earrings Wearing_Hat Wearing_Lipstick Wearing_Necklace Wearing_Necktie Young'.split(
    ' ',
  );
const SMILING = attributeNames.indexOf('Smiling');
const MALE = attributeNames.indexOf('Male');
const YOUNG = attributeNames.indexOf('Young');

interface Face {
  smiling: boolean;
  male: boolean;
  young: boolean;
  split: 0 | 1 | 2;
  grey: number;
}
const faces: Face[] = [
  { smiling: true, male: false, young: true, split: 0, grey: 20 },
  { smiling: false, male: true, young: true, split: 0, grey: 60 },
  { smiling: true, male: true, young: false, split: 1, grey: 100 },
  { smiling: false, male: false, young: false, split: 0, grey: 140 },
  { smiling: true, male: false, young: false, split: 2, grey: 180 },
  { smiling: false, male: true, young: true, split: 2, grey: 220 },
];
const imageName = (i: number) => `${String(i + 1).padStart(6, '0')}.jpg`;

/** A row as CelebA prints it: name, then each ±1 right-aligned in 2 columns after one space. */
function attrRow(i: number, face: Face): string {
  const values = attributeNames.map((_, a) => {
    if (a === SMILING) return face.smiling ? 1 : -1;
    if (a === MALE) return face.male ? 1 : -1;
    if (a === YOUNG) return face.young ? 1 : -1;
    return a % 3 === 0 ? 1 : -1;
  });
  return `${imageName(i)} ${values.map((v) => String(v).padStart(2, ' ')).join(' ')}`;
}

function attrFile(rows: string[], count = rows.length): string {
  return `${count}\n${attributeNames.join(' ')} \n${rows.join('\n')}\n`;
}

let root = '';
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kdlens-celeba-'));
  await mkdir(join(root, 'img_align_celeba'));
  await writeFile(join(root, 'list_attr_celeba.txt'), attrFile(faces.map((f, i) => attrRow(i, f))));
  await writeFile(
    join(root, 'list_eval_partition.txt'),
    faces.map((f, i) => `${imageName(i)} ${f.split}\n`).join(''),
  );
  for (const [i, face] of faces.entries()) {
    const { grey } = face;
    // CelebA's aligned crops are 178 wide × 218 tall; a small image of that shape will do.
    await sharp({
      create: { width: 18, height: 22, channels: 3, background: { r: grey, g: grey, b: grey } },
    })
      .jpeg({ quality: 95 })
      .toFile(join(root, 'img_align_celeba', imageName(i)));
  }
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const attrPath = () => join(root, 'list_attr_celeba.txt');

describe('indexCeleba', () => {
  it('puts each image in its partition with 0/1 label and attribute codes', async () => {
    const index = await indexCeleba({ root, label: 'Smiling', sensitive: ['Young', 'Male'] });
    expect(index.label).toEqual({ name: 'Smiling', values: ['no', 'yes'] });
    expect(index.attributes).toEqual([
      { name: 'Young', values: ['no', 'yes'] },
      { name: 'Male', values: ['no', 'yes'] },
    ]);
    const train = index.splits.train;
    expect(Array.from(train?.indices ?? [])).toEqual([0, 1, 3]);
    expect(train?.files.map((f) => f.slice(root.length + 1))).toEqual([
      'img_align_celeba/000001.jpg',
      'img_align_celeba/000002.jpg',
      'img_align_celeba/000004.jpg',
    ]);
    expect(Array.from(train?.labels ?? [])).toEqual([1, 0, 0]);
    expect(Array.from(train?.attributes.Young ?? [])).toEqual([1, 1, 0]);
    expect(Array.from(train?.attributes.Male ?? [])).toEqual([0, 1, 0]);
    expect(Array.from(index.splits.val?.indices ?? [])).toEqual([2]);
    expect(Array.from(index.splits.test?.indices ?? [])).toEqual([4, 5]);
    expect(Array.from(index.splits.test?.labels ?? [])).toEqual([1, 0]);
  });

  it('defaults to Smiling with Young and Male; any attribute can be the label', async () => {
    const defaults = await indexCeleba({ root });
    expect(defaults.label.name).toBe('Smiling');
    expect(defaults.attributes.map((a) => a.name)).toEqual(['Young', 'Male']);
    const byAge = await indexCeleba({ root, label: 'Young', sensitive: ['Smiling'] });
    expect(Array.from(byAge.splits.train?.labels ?? [])).toEqual([1, 1, 0]);
  });

  it('accepts CRLF line ends', async () => {
    const text = attrFile(faces.map((f, i) => attrRow(i, f))).replaceAll('\n', '\r\n');
    await writeFile(attrPath(), text);
    expect((await indexCeleba({ root })).splits.train?.files.length).toBe(3);
  });

  it('rejects an unknown attribute at the header line, without quoting the header', async () => {
    const error = await catchFormatError(indexCeleba({ root, label: 'Smile' }));
    expect(error).toMatchObject({ file: attrPath(), where: { line: 2 } });
    expect(error.message).toBe(
      `${attrPath()}:2: no attribute "Smile" among the 40 names of the header`,
    );
  });

  it('rejects a value that is not ±1, and a missing value, at its line', async () => {
    const rows = faces.map((f, i) => attrRow(i, f));
    await writeFile(
      attrPath(),
      attrFile(rows.map((r, i) => (i === 2 ? r.replace(/ -1$| 1$/, '  0') : r))),
    );
    await expect(indexCeleba({ root })).rejects.toMatchObject({
      where: { line: 5 },
      // Young is the 40th attribute, the row's 41st field; the bad value is not echoed.
      message: expect.stringMatching(/:5: value 40 of 40 \(field 41\) is not 1 or -1$/),
    });
    await writeFile(attrPath(), attrFile(rows.map((r, i) => (i === 1 ? r.slice(0, -3) : r))));
    await expect(indexCeleba({ root })).rejects.toMatchObject({
      where: { line: 4 },
      message: expect.stringContaining('got 39 values'),
    });
  });

  it('rejects a count line that disagrees with the rows', async () => {
    const rows = faces.map((f, i) => attrRow(i, f));
    await writeFile(attrPath(), attrFile(rows, 7));
    await expect(indexCeleba({ root })).rejects.toMatchObject({
      file: attrPath(),
      message: expect.stringContaining('announces 7 images but the file has 6 rows'),
    });
    await writeFile(attrPath(), attrFile(rows, 5));
    await expect(indexCeleba({ root })).rejects.toMatchObject({ where: { line: 8 } });
  });

  it('rejects an image missing from the partition file, and a bad partition code', async () => {
    const partition = join(root, 'list_eval_partition.txt');
    await writeFile(
      partition,
      faces
        .slice(0, 5)
        .map((f, i) => `${imageName(i)} ${f.split}\n`)
        .join(''),
    );
    await expect(indexCeleba({ root })).rejects.toMatchObject({
      file: attrPath(),
      where: { line: 8 },
      message: expect.stringMatching(/:8: the image is not in list_eval_partition\.txt$/),
    });
    await writeFile(
      partition,
      faces.map((_, i) => `${imageName(i)} ${i === 3 ? 3 : 0}\n`).join(''),
    );
    await expect(indexCeleba({ root })).rejects.toMatchObject({
      file: partition,
      where: { line: 4 },
    });
  });

  it('refuses a list file or the image folder when it links outside the root, naming the link', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'kdlens-celeba-outside-'));
    try {
      const secret = join(outside, 'shadow');
      await writeFile(secret, 'root:$6$hash:19000:0:99999:7:::\n');
      // A link that stays inside is followed.
      await rename(attrPath(), join(root, 'attributes.txt'));
      await symlink(join(root, 'attributes.txt'), attrPath());
      expect((await indexCeleba({ root })).splits.train?.files.length).toBe(3);
      await rm(attrPath());
      await symlink(secret, attrPath());
      const list = await catchFormatError(indexCeleba({ root }));
      expect(list.file).toBe(attrPath());
      expect(list.where).toBeUndefined();
      expect(list.message).toBe(
        `${attrPath()}: leads outside the data set's folder ${root} (a symbolic link?); a data set's files must stay inside its folder, so it is not read`,
      );
      expect(list.message).not.toContain('root:');
      expect(list.message).not.toContain(outside);

      await rm(attrPath());
      await rename(join(root, 'attributes.txt'), attrPath());
      await rename(join(root, 'img_align_celeba'), join(outside, 'img_align_celeba'));
      await symlink(join(outside, 'img_align_celeba'), join(root, 'img_align_celeba'));
      const images = await catchFormatError(indexCeleba({ root }));
      expect(images.file).toBe(join(root, 'img_align_celeba'));
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('rejects an image file that is not on disk', async () => {
    await rm(join(root, 'img_align_celeba', '000002.jpg'));
    await expect(indexCeleba({ root })).rejects.toMatchObject({
      file: attrPath(),
      where: { line: 4 },
    });
  });
});

describe('loadCelebaDataset', () => {
  it('decodes the first `limit` images of each split', async () => {
    const dataset = await loadCelebaDataset({ root, size: 10, limit: 2 });
    const train = dataset.splits.train as ImageSplit;
    expect(train).toMatchObject({ count: 2, height: 10, width: 10, channels: 3 });
    expect(Array.from(train.indices)).toEqual([0, 1]);
    const centre = (n: number) => train.pixels[((n * 10 + 5) * 10 + 5) * 3] ?? -1;
    expect(Math.abs(centre(0) - 20)).toBeLessThanOrEqual(3);
    expect(Math.abs(centre(1) - 60)).toBeLessThanOrEqual(3);
    expect(dataset.splits.test?.count).toBe(2);
    expect(dataset.splits.val?.count).toBe(1);
  });
});
