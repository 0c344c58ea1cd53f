import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImageSplit } from './dataset.ts';
import { indexTinyImagenet, loadTinyImagenetDataset } from './tiny-imagenet.loader.ts';

type Rgb = [number, number, number];

async function jpeg(file: string, [r, g, b]: Rgb) {
  await mkdir(dirname(file), { recursive: true });
  await sharp({ create: { width: 16, height: 16, channels: 3, background: { r, g, b } } })
    .jpeg({ quality: 95 })
    .toFile(file);
}

// wnids.txt is deliberately not sorted: its line order, not the id, is the class code.
const wnids = ['n03444034', 'n01443537', 'n02124075'];
const colourOf: Record<string, Rgb> = {
  n03444034: [255, 0, 0],
  n01443537: [0, 255, 0],
  n02124075: [0, 0, 255],
};
// As published: `file<TAB>wnid<TAB>x0<TAB>y0<TAB>x1<TAB>y1`.
const valRows = [
  ['val_0.JPEG', 'n02124075', '0', '32', '44', '62'],
  ['val_1.JPEG', 'n03444034', '52', '37', '63', '63'],
  ['val_2.JPEG', 'n01443537', '4', '0', '60', '55'],
];

let root = '';
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kdlens-tiny-'));
  await writeFile(join(root, 'wnids.txt'), `${wnids.join('\n')}\n`);
  await writeFile(
    join(root, 'words.txt'),
    [
      'n00001740\tentity',
      'n01443537\tgoldfish, Carassius auratus',
      'n02124075\tEgyptian cat',
      'n03444034\tgo-kart',
      'n09999999\tunused, extra',
    ].join('\n'),
  );
  for (const wnid of wnids) {
    for (const k of [1, 0])
      await jpeg(
        join(root, 'train', wnid, 'images', `${wnid}_${k}.JPEG`),
        colourOf[wnid] ?? [0, 0, 0],
      );
    await writeFile(
      join(root, 'train', wnid, `${wnid}_boxes.txt`),
      `${wnid}_0.JPEG\t0\t0\t63\t63\n`,
    );
  }
  for (const [file, wnid] of valRows) {
    await jpeg(join(root, 'val', 'images', file ?? ''), colourOf[wnid ?? ''] ?? [0, 0, 0]);
  }
  await writeFile(
    join(root, 'val', 'val_annotations.txt'),
    `${valRows.map((r) => r.join('\t')).join('\n')}\n`,
  );
  await jpeg(join(root, 'test', 'images', 'test_0.JPEG'), [9, 9, 9]);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('indexTinyImagenet', () => {
  it('codes classes in wnids.txt order with their first words.txt name', async () => {
    const index = await indexTinyImagenet({ root });
    expect(index.wnids).toEqual(wnids);
    expect(index.label.values).toEqual(['go-kart', 'goldfish', 'Egyptian cat']);
    expect(Object.keys(index.splits)).toEqual(['train', 'val']);
  });

  it('lists train by class then file name, val in annotation order', async () => {
    const index = await indexTinyImagenet({ root });
    const train = index.splits.train;
    expect(train?.files.map((f) => f.slice(root.length + 1))).toEqual([
      'train/n03444034/images/n03444034_0.JPEG',
      'train/n03444034/images/n03444034_1.JPEG',
      'train/n01443537/images/n01443537_0.JPEG',
      'train/n01443537/images/n01443537_1.JPEG',
      'train/n02124075/images/n02124075_0.JPEG',
      'train/n02124075/images/n02124075_1.JPEG',
    ]);
    expect(Array.from(train?.labels ?? [])).toEqual([0, 0, 1, 1, 2, 2]);
    expect(Array.from(train?.indices ?? [])).toEqual([0, 1, 2, 3, 4, 5]);
    const val = index.splits.val;
    expect(val?.files.map((f) => f.slice(root.length + 1))).toEqual([
      'val/images/val_0.JPEG',
      'val/images/val_1.JPEG',
      'val/images/val_2.JPEG',
    ]);
    expect(Array.from(val?.labels ?? [])).toEqual([2, 0, 1]);
  });

  it('rejects a val annotation naming an unknown wnid (file and line)', async () => {
    const rows = valRows.map((r) => [...r]);
    const second = rows[1];
    if (second) second[1] = 'n07777777';
    await writeFile(
      join(root, 'val', 'val_annotations.txt'),
      rows.map((r) => r.join('\t')).join('\n'),
    );
    await expect(indexTinyImagenet({ root })).rejects.toMatchObject({
      name: 'DatasetFormatError',
      file: join(root, 'val', 'val_annotations.txt'),
      where: { line: 2 },
      message: `${join(root, 'val', 'val_annotations.txt')}:2: field 2 (wnid): expected a WordNet id listed in wnids.txt`,
    });
  });

  it('rejects a val annotation whose image is missing (file and line)', async () => {
    await rm(join(root, 'val', 'images', 'val_2.JPEG'));
    await expect(indexTinyImagenet({ root })).rejects.toMatchObject({
      file: join(root, 'val', 'val_annotations.txt'),
      where: { line: 3 },
      message: `${join(root, 'val', 'val_annotations.txt')}:3: field 1 (file): expected the name of an image in val/images/`,
    });
  });

  it('rejects a space-separated annotation row and an unannotated val image', async () => {
    await writeFile(join(root, 'val', 'val_annotations.txt'), 'val_0.JPEG n02124075 0 32 44 62\n');
    await expect(indexTinyImagenet({ root })).rejects.toMatchObject({ where: { line: 1 } });
    await writeFile(join(root, 'val', 'val_annotations.txt'), `${valRows[0]?.join('\t')}\n`);
    await expect(indexTinyImagenet({ root })).rejects.toThrow(/val_1.JPEG has no label/);
  });

  it('rejects a wnid without a words.txt entry and a train folder not in wnids.txt', async () => {
    await writeFile(join(root, 'wnids.txt'), 'n03444034\nn01443537\nn02124075\nn05555555\n');
    await expect(indexTinyImagenet({ root })).rejects.toMatchObject({
      file: join(root, 'wnids.txt'),
      where: { line: 4 },
    });
    await expect(indexTinyImagenet({ root })).rejects.toThrow(
      `${join(root, 'wnids.txt')}:4: the WordNet id has no entry in words.txt`,
    );
    await writeFile(join(root, 'wnids.txt'), 'n03444034\nn01443537\n');
    await expect(indexTinyImagenet({ root })).rejects.toMatchObject({
      file: join(root, 'train', 'n02124075'),
    });
  });

  it('says where wnids.txt and val_annotations.txt go wrong without quoting their lines', async () => {
    const wnids = join(root, 'wnids.txt');
    const cases: [string, string][] = [
      ['n03444034\n\nn02124075\n', `${wnids}:2: expected one WordNet id, got an empty line`],
      [
        'n03444034\nroot:x:0:0 secret\n',
        `${wnids}:2: expected one WordNet id (such as n01443537), got several words`,
      ],
      [
        'n03444034\nn01443537\nn03444034\n',
        `${wnids}:3: the WordNet id is listed twice (also on line 1)`,
      ],
    ];
    for (const [text, message] of cases) {
      await writeFile(wnids, text);
      const error = await indexTinyImagenet({ root }).catch((e: unknown) => e);
      expect((error as Error).message).toBe(message);
    }
    await writeFile(wnids, 'n03444034\nn01443537\nn02124075\n');
    const annotations = join(root, 'val', 'val_annotations.txt');
    const rows = valRows.map((r) => [...r]);
    const first = rows[0];
    const third = rows[2];
    if (first && third) third[0] = first[0] ?? '';
    await writeFile(annotations, rows.map((r) => r.join('\t')).join('\n'));
    await expect(indexTinyImagenet({ root })).rejects.toThrow(
      `${annotations}:3: field 1 (file): the image is annotated twice (also on line 1)`,
    );
  });
});

describe('loadTinyImagenetDataset', () => {
  it('decodes train and val at 64 px by default with the right colours', async () => {
    const dataset = await loadTinyImagenetDataset({ root });
    expect(dataset.name).toBe('tiny-imagenet');
    const val = dataset.splits.val as ImageSplit;
    expect(val).toMatchObject({ count: 3, height: 64, width: 64, channels: 3 });
    const centre = (n: number) => {
      const at = ((n * 64 + 32) * 64 + 32) * 3;
      return Array.from(val.pixels.subarray(at, at + 3));
    };
    // val_0 is the blue cat class, val_1 the red go-kart class.
    expect(centre(0).map((v) => Math.round(v / 32))).toEqual([0, 0, 8]);
    expect(centre(1).map((v) => Math.round(v / 32))).toEqual([8, 0, 0]);
    expect(dataset.splits.train?.count).toBe(6);
  });
});
