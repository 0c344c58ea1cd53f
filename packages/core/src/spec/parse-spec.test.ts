import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KdlensError } from '../errors.ts';
import { parseSpecFile, parseSpecText } from './parse-spec.ts';
import { SpecError } from './spec-error.ts';

const valid = `name: tiny
dataset:
  name: trifeature
  generator: { trainCount: 100, testCount: 20 }
teacher: { architecture: reference-cnn, epochs: 1, batchSize: 32, learningRate: 0.01 }
student: { architecture: lenet5, epochs: 1, batchSize: 32, learningRate: 0.01 }
seeds: 2
`;

/** The formatted issue lines of the SpecError `run` throws. */
function issueLines(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof SpecError) return error.message.split('\n').slice(1);
    throw error;
  }
  throw new Error('expected a SpecError');
}

describe('parseSpecText', () => {
  it('reads YAML and JSON alike', () => {
    const yaml = parseSpecText(valid, 'tiny.yaml');
    expect(yaml.seeds).toEqual([0, 1]);
    const json = parseSpecText(JSON.stringify(yaml, null, 2), 'tiny.json');
    expect(json).toEqual(yaml);
  });

  it('lists every problem at its line and column, in file order', () => {
    const text = `name: tiny
dataset:
  name: trifeature
  generator: { trainCount: 100, testCount: 20 }
  sensitive: [colour]
teacher: { architecture: reference-cnn, epochs: 0, batchSize: 32, learningRate: 0.01 }
student: { architecture: lenet5, epochs: 1, batchSize: 32, learningRate: 0.01, optimiser: sgd }
kd:
  temperatures: [1, 4, 4]
`;
    // Columns by hand: "  sensitive: [" is 14 characters, so colour starts at 15; "teacher: {
    // architecture: reference-cnn, epochs: " is 48, so 0 is at 49; "  temperatures: [1, 4, " is
    // 23, so the second 4 is at 24.
    expect(issueLines(() => parseSpecText(text, 'spec.yaml'))).toEqual([
      'spec.yaml:5:15 dataset.sensitive.0: trifeature has no attribute "colour"; one of: shape, texture, color',
      'spec.yaml:6:49 teacher.epochs: epochs must be >= 1',
      'spec.yaml:7:80 student.optimiser: unknown field (a typo?)',
      'spec.yaml:9:24 kd.temperatures.2: temperature 4 is listed twice',
    ]);
  });

  it('locates problems in JSON too', () => {
    const json = `{
  "name": "tiny",
  "dataset": { "name": "trifeature", "generator": { "trainCount": 100, "testCount": 20 } },
  "teacher": { "architecture": "resnet20", "epochs": 1, "batchSize": 32, "learningRate": 0.01 },
  "student": { "architecture": "bert", "epochs": 1, "batchSize": 32, "learningRate": 0.01 },
  "kd": { "alpha": 2 }
}`;
    expect(issueLines(() => parseSpecText(json, 'spec.json'))).toEqual([
      expect.stringMatching(
        /^spec\.json:5:32 student\.architecture: Invalid option: expected one of /,
      ),
      'spec.json:6:20 kd.alpha: alpha must be in [0, 1]',
    ]);
  });

  it('points a missing field at its parent', () => {
    const text = 'name: tiny\ndataset:\n  generator: { trainCount: 1, testCount: 1 }\n';
    expect(issueLines(() => parseSpecText(text, 's.yaml'))).toEqual([
      's.yaml:1:1 teacher: missing (expected object)',
      's.yaml:1:1 student: missing (expected object)',
      expect.stringMatching(/^s\.yaml:3:3 dataset\.name: /),
    ]);
  });

  it('reports YAML syntax errors with their place', () => {
    expect(issueLines(() => parseSpecText('name: a\n  - b: [\n', 'broken.yaml'))[0]).toMatch(
      /^broken\.yaml:\d+:\d+ not valid YAML\/JSON: /,
    );
    expect(
      issueLines(() => parseSpecText('{"name": "x",\n "dataset": [}', 'broken.json'))[0],
    ).toMatch(/^broken\.json:2:\d+ not valid YAML\/JSON: /);
  });

  it('says so when the file is empty', () => {
    expect(issueLines(() => parseSpecText('# nothing\n', 'empty.yaml'))).toEqual([
      'empty.yaml the spec is empty; it needs name, dataset, teacher and student',
    ]);
  });

  it('carries the issues on the error for programs', () => {
    try {
      parseSpecText(valid.replace('seeds: 2', 'seeds: -1'), 'x.yaml');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SpecError);
      expect(error).toBeInstanceOf(KdlensError);
      expect((error as SpecError).issues).toEqual([
        { source: 'x.yaml', line: 7, col: 8, path: 'seeds', message: expect.any(String) },
      ]);
    }
  });
});

describe('parseSpecFile', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('reads a file and names it in errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kdlens-spec-'));
    dirs.push(dir);
    const file = join(dir, 'tiny.yaml');
    await writeFile(file, valid);
    expect((await parseSpecFile(file)).name).toBe('tiny');
    await writeFile(file, valid.replace('seeds: 2', 'seeds: [1, 1]'));
    await expect(parseSpecFile(file)).rejects.toThrow(
      `${file}:7:12 seeds.1: seed 1 is listed twice`,
    );
  });

  it('says when the file is missing', async () => {
    await expect(parseSpecFile('/nonexistent/spec.yaml')).rejects.toThrow(
      '/nonexistent/spec.yaml: no such spec file',
    );
  });

  it('refuses deep nesting before parsing it, in flow and in block style', () => {
    const flow = `${valid}description: ${'['.repeat(200_000)}${']'.repeat(200_000)}\n`;
    expect(issueLines(() => parseSpecText(flow, 'deep.yaml'))).toEqual([
      'deep.yaml:8:78 nested deeper than 64 levels',
    ]);
    // Block nesting needs a line per level: 70 levels of `a:` under `description`.
    const block = Array.from({ length: 70 }, (_, i) => `${'  '.repeat(i + 1)}a:`).join('\n');
    const lines = issueLines(() => parseSpecText(`${valid}description:\n${block} 1\n`, 'b.yaml'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^b\.yaml:\d+:\d+ nested deeper than 64 levels$/);
  });

  it('refuses NUL characters and over-long strings, naming the field', () => {
    const nul = valid.replace('name: tiny', 'name: "ti\\u0000ny"');
    expect(issueLines(() => parseSpecText(nul, 'n.yaml'))).toEqual([
      'n.yaml:1:7 name: contains a NUL character (\\u0000); remove it',
    ]);
    const lone = valid.replace('name: tiny', 'name: "ti\\ud800ny"');
    expect(issueLines(() => parseSpecText(lone, 's.yaml'))).toEqual([
      's.yaml:1:7 name: contains an unpaired surrogate (\\ud800); remove it',
    ]);
    const long = `${valid}description: ${'x'.repeat(4097)}\n`;
    expect(issueLines(() => parseSpecText(long, 'l.yaml'))).toEqual([
      'l.yaml:8:14 description: longer than 4096 characters',
    ]);
  });

  it("refuses text over 64 KiB before parsing it, and the review's fooled-scan exploit quickly", () => {
    const big = `${valid}# ${'x'.repeat(64 * 1024)}\n`;
    expect(issueLines(() => parseSpecText(big, 'big.yaml'))).toEqual([
      `big.yaml the spec text has ${big.length} characters; at most 65536 (64 KiB)`,
    ]);
    const exploit = `description: a "x\nb: ${'['.repeat(300_000)}${']'.repeat(300_000)}\n`;
    const started = performance.now();
    expect(issueLines(() => parseSpecText(exploit, 'x.yaml'))).toEqual([
      'x.yaml:2:68 nested deeper than 64 levels',
    ]);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
