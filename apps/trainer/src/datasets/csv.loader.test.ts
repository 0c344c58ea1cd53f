import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { indexCsvDataset, loadCsvDataset, parseCsv, valueCodes } from './csv.loader.ts';
import type { ImageSplit, TextSplit } from './dataset.ts';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    const text = 'a,b,c\r\n1,"x, y","say ""hi"""\r\n2,"two\nlines",\n3,,z';
    expect(parseCsv(text, 'f.csv')).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'x, y', 'say "hi"'] },
      { line: 3, fields: ['2', 'two\nlines', ''] },
      { line: 5, fields: ['3', '', 'z'] },
    ]);
  });

  it('ignores a BOM and a final line break', () => {
    expect(parseCsv('\uFEFFh\nv\n', 'f.csv')).toEqual([
      { line: 1, fields: ['h'] },
      { line: 2, fields: ['v'] },
    ]);
    expect(parseCsv('', 'f.csv')).toEqual([]);
  });

  it('reports an unclosed quote at the line it opens, with the column', () => {
    expect(() => parseCsv('a,b\n1,"open\n\n', 'f.csv')).toThrow(
      expect.objectContaining({
        file: 'f.csv',
        where: { line: 2 },
        message: expect.stringContaining('column 2'),
      }),
    );
  });

  it('rejects a stray quote in an unquoted field and text after a closing quote', () => {
    expect(() => parseCsv('a,b\nx,y\n1,a"b', 'f.csv')).toThrow(
      expect.objectContaining({ where: { line: 3 }, message: expect.stringContaining('column 2') }),
    );
    expect(() => parseCsv('a\n"q"x', 'f.csv')).toThrow(
      expect.objectContaining({
        where: { line: 2 },
        message: expect.stringContaining('after a closing quote'),
      }),
    );
  });
});

describe('valueCodes', () => {
  it('sorts numbers numerically and anything else by code unit', () => {
    expect(valueCodes(['10', '2', '9', '2'])).toEqual(['2', '9', '10']);
    expect(valueCodes(['male', 'Female', 'Male'])).toEqual(['Female', 'Male', 'male']);
    expect(valueCodes(['1', 'x'])).toEqual(['1', 'x']);
  });
});

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kdlens-csv-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadCsvDataset with text', () => {
  const csv = [
    'id,comment,toxic,group,split',
    '1,"Hello, world!",no,b,train',
    '2,"You are ""great""",yes,a,train',
    '3,hello again,no,a,test',
    '4,"new',
    'world",yes,b,val',
  ].join('\r\n');

  it('codes labels and attributes by sorted value and splits rows', async () => {
    const file = join(dir, 'comments.csv');
    await writeFile(file, csv);
    const dataset = await loadCsvDataset({
      file,
      text: 'comment',
      label: 'toxic',
      attributes: ['group'],
      split: 'split',
      maxLength: 4,
    });
    expect(dataset.label).toEqual({ name: 'toxic', values: ['no', 'yes'] });
    expect(dataset.attributes).toEqual([{ name: 'group', values: ['a', 'b'] }]);
    const train = dataset.splits.train as TextSplit;
    expect(Array.from(train.indices)).toEqual([0, 1]);
    expect(Array.from(train.labels)).toEqual([0, 1]);
    expect(Array.from(train.attributes.group ?? [])).toEqual([1, 0]);
    // Train tokens: hello , world ! you are " great " → '"'×2 first, then single ones by code unit.
    expect(dataset.vocabulary).toEqual([
      '<pad>',
      '<unk>',
      '"',
      '!',
      ',',
      'are',
      'great',
      'hello',
      'world',
      'you',
    ]);
    expect(Array.from(train.tokens)).toEqual([7, 4, 8, 3, 9, 5, 2, 6]);
    const test = dataset.splits.test as TextSplit;
    expect(Array.from(test.tokens)).toEqual([7, 1, 0, 0]);
    expect(Array.from(dataset.splits.val?.indices ?? [])).toEqual([3]);
    expect(Array.from((dataset.splits.val as TextSplit).tokens)).toEqual([1, 8, 0, 0]);
  });

  it('puts every row in train without a split column', async () => {
    const file = join(dir, 'comments.csv');
    await writeFile(file, csv);
    const dataset = await loadCsvDataset({ file, text: 'comment', label: 'id' });
    expect(Object.keys(dataset.splits)).toEqual(['train']);
    expect(dataset.label.values).toEqual(['1', '2', '3', '4']);
  });

  it('names file, line and column for an unknown column, empty value, bad split, short row', async () => {
    const file = join(dir, 'comments.csv');
    await writeFile(file, csv);
    await expect(
      loadCsvDataset({ file, text: 'comment', label: 'toxicity' }),
    ).rejects.toMatchObject({
      name: 'DatasetFormatError',
      file,
      where: { line: 1 },
      // The header is counted, not quoted: it may be the first line of any file.
      message: expect.stringMatching(
        /:1: no column "toxicity" in the header \(it has 5 columns\)$/,
      ),
    });
    await writeFile(file, csv.replace('3,hello again,no,a,test', '3,hello again,,a,test'));
    await expect(loadCsvDataset({ file, text: 'comment', label: 'toxic' })).rejects.toMatchObject({
      where: { line: 4 },
      message: expect.stringContaining('column 3 ("toxic") is empty'),
    });
    await writeFile(file, csv.replace('no,a,test', 'no,a,testing'));
    await expect(
      loadCsvDataset({ file, text: 'comment', label: 'toxic', split: 'split' }),
    ).rejects.toMatchObject({
      where: { line: 4 },
      message: expect.stringMatching(/:4: column 5 \("split"\) is not one of train, val, test$/),
    });
    await writeFile(file, csv.replace('3,hello again,no,a,test', '3,hello again,no'));
    await expect(loadCsvDataset({ file, text: 'comment', label: 'toxic' })).rejects.toMatchObject({
      where: { line: 4 },
      message: expect.stringContaining('3 fields, the header has 5'),
    });
  });

  it('wants exactly one of path and text', async () => {
    await expect(loadCsvDataset({ file: join(dir, 'x.csv'), label: 'y' })).rejects.toThrow(
      TypeError,
    );
  });
});

describe('loadCsvDataset with images', () => {
  it('decodes image paths relative to the CSV', async () => {
    await mkdir(join(dir, 'img'));
    const colours: Record<string, [number, number, number]> = {
      'img/r.png': [255, 0, 0],
      'img/g.jpg': [0, 255, 0],
      'img/b.png': [0, 0, 255],
    };
    for (const [file, [r, g, b]] of Object.entries(colours)) {
      const image = sharp({
        create: { width: 14, height: 9, channels: 3, background: { r, g, b } },
      });
      await (file.endsWith('.png') ? image.png() : image.jpeg({ quality: 95 })).toFile(
        join(dir, file),
      );
    }
    const file = join(dir, 'images.csv');
    await writeFile(
      file,
      'path,label,age\nimg/r.png,10,old\nimg/g.jpg,9,young\nimg/b.png,10,young\n',
    );
    const dataset = await loadCsvDataset({
      file,
      path: 'path',
      label: 'label',
      attributes: ['age'],
      size: 6,
    });
    expect(dataset.label.values).toEqual(['9', '10']);
    const train = dataset.splits.train as ImageSplit;
    expect(train).toMatchObject({ kind: 'image', count: 3, height: 6, width: 6, channels: 3 });
    expect(Array.from(train.labels)).toEqual([1, 0, 1]);
    expect(Array.from(train.attributes.age ?? [])).toEqual([0, 1, 1]);
    const centre = (n: number) =>
      Array.from(train.pixels.subarray(((n * 6 + 3) * 6 + 3) * 3, ((n * 6 + 3) * 6 + 3) * 3 + 3));
    expect(centre(0)).toEqual([255, 0, 0]);
    expect(centre(1).map((v) => Math.round(v / 32))).toEqual([0, 8, 0]);
    expect(centre(2)).toEqual([0, 0, 255]);

    await writeFile(file, 'path,label\nimg/r.png,1\nimg/missing.png,2\n');
    await expect(
      loadCsvDataset({ file, path: 'path', label: 'label', size: 6 }),
    ).rejects.toMatchObject({
      name: 'DatasetFormatError',
      file,
      where: { line: 3 },
      message: expect.stringContaining('column 1 ("path")'),
    });
  });

  it('refuses an image path that is absolute outside, or climbs out of, the CSV folder, by line and column, without quoting it', async () => {
    const data = join(dir, 'data');
    await mkdir(data);
    await sharp({ create: { width: 4, height: 4, channels: 3, background: 'red' } })
      .png()
      .toFile(join(dir, 'outside.png'));
    await sharp({ create: { width: 4, height: 4, channels: 3, background: 'red' } })
      .png()
      .toFile(join(data, 'in.png'));
    const file = join(data, 'images.csv');
    const refused = (line: number) =>
      `${file}:${line}: column 2 ("path"): the image path leads outside the CSV's folder; image paths must be relative to the CSV and stay inside its folder`;
    for (const [rows, line] of [
      ['a,in.png\nb,/etc/hostname\n', 3],
      ['a,../outside.png\n', 2],
      ['a,in.png\nb,sub/../../outside.png\n', 3],
      [`a,${join(dir, 'outside.png')}\n`, 2],
      ['a,in.png\u0000../x\n', 2],
    ] as const) {
      await writeFile(file, `label,path\n${rows}`);
      const error = await indexCsvDataset({ file, path: 'path', label: 'label', size: 4 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ name: 'DatasetFormatError', file, where: { line } });
      expect((error as Error).message).toBe(refused(line));
    }
    // An absolute path inside the folder is still an image path.
    await writeFile(file, `path,label\n${join(data, 'in.png')},a\nin.png,b\n`);
    const indexed = await indexCsvDataset({ file, path: 'path', label: 'label', size: 4 });
    expect(indexed.kind === 'image' && indexed.index.splits.train?.files).toEqual([
      join(data, 'in.png'),
      join(data, 'in.png'),
    ]);
  });

  it('refuses an image that links outside the CSV folder when it is read, at its CSV line', async () => {
    const data = join(dir, 'data');
    await mkdir(data);
    const secret = join(dir, 'secret.png');
    await sharp({ create: { width: 4, height: 4, channels: 3, background: 'red' } })
      .png()
      .toFile(secret);
    await sharp({ create: { width: 4, height: 4, channels: 3, background: 'blue' } })
      .png()
      .toFile(join(data, 'in.png'));
    await symlink(secret, join(data, 'face.png'));
    const file = join(data, 'images.csv');
    await writeFile(file, 'path,label\nin.png,a\nface.png,b\n');
    const error = await loadCsvDataset({ file, path: 'path', label: 'label', size: 4 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: 'DatasetFormatError', file, where: { line: 3 } });
    expect((error as Error).message).toBe(
      `${file}:3: column 1 ("path"): ${join(data, 'face.png')}: leads outside the data set's folder ${data} (a symbolic link?); a data set's files must stay inside its folder, so it is not read`,
    );
    expect((error as Error).message).not.toContain('secret');
  });

  it('refuses a CSV file that is itself a link out of its folder', async () => {
    const data = join(dir, 'data');
    await mkdir(data);
    await writeFile(join(dir, 'secret.csv'), 'label,text\na,hunter2\n');
    await symlink(join(dir, 'secret.csv'), join(data, 'link.csv'));
    const error = await indexCsvDataset({
      file: join(data, 'link.csv'),
      text: 'text',
      label: 'label',
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: 'DatasetFormatError', file: join(data, 'link.csv') });
    expect((error as Error).message).not.toContain('hunter2');
  });
});
