import { describe, expect, it } from 'vitest';
import { planUnits } from './plan-units.ts';
import { listPresets, loadPreset, readPresetText } from './presets.ts';

const paperPresets = [
  'cifar100',
  'cifar10',
  'tiny-imagenet',
  'imagenet',
  'celeba',
  'trifeature',
  'hatexplain',
];

describe('presets', () => {
  it('ships the paper’s grid, fashion-mnist and demo, each with a description', async () => {
    const presets = await listPresets();
    expect(presets.map((p) => p.name).sort()).toEqual(
      [...paperPresets, 'demo', 'fashion-mnist'].sort(),
    );
    for (const preset of presets) expect(preset.description).not.toBe('');
  });

  // Unit counts: seeds × (teacher + student + one distilled student per temperature).
  it.each([
    ['cifar100', 'resnet56', 'resnet20', 5 * (2 + 5)],
    ['cifar10', 'resnet56', 'resnet20', 5 * (2 + 5)],
    ['tiny-imagenet', 'resnet50', 'resnet18', 5 * (2 + 5)],
    ['imagenet', 'resnet50', 'resnet18', 5 * (2 + 5)],
    ['celeba', 'resnet50', 'resnet18', 5 * (2 + 10)],
    ['trifeature', 'resnet20', 'lenet5', 5 * (2 + 10)],
    ['hatexplain', 'transformer', 'transformer', 5 * (2 + 10)],
    ['fashion-mnist', 'reference-cnn', 'lenet5', 3 * (2 + 3)],
    ['demo', 'reference-cnn', 'reference-cnn', 3 * (2 + 3)],
  ])('%s parses and plans: %s → %s, %i units', async (name, teacher, student, units) => {
    const spec = await loadPreset(name);
    expect([spec.teacher.architecture, spec.student.architecture]).toEqual([teacher, student]);
    expect(planUnits(spec)).toHaveLength(units);
  });

  it('paper presets use the paper’s α = 0.8 and 5 seeds', async () => {
    for (const name of paperPresets) {
      const spec = await loadPreset(name);
      expect(spec.kd.alpha).toBe(0.8);
      expect(spec.seeds).toEqual([0, 1, 2, 3, 4]);
    }
  });

  it('paper presets use the paper’s labels and sensitive attributes', async () => {
    const celeba = await loadPreset('celeba');
    expect([celeba.dataset.label, celeba.dataset.sensitive]).toEqual([
      'Smiling',
      ['Young', 'Male'],
    ]);
    const trifeature = await loadPreset('trifeature');
    expect([trifeature.dataset.label, trifeature.dataset.sensitive]).toEqual([
      'shape',
      ['color', 'texture'],
    ]);
  });

  it('keeps the demo small: Trifeature ≤ 32 px with a shape–colour correlation, 3 seeds, ≥ 3 temperatures, wasm, ≤ 260,000 training images per seed', async () => {
    const demo = await loadPreset('demo');
    expect(demo.dataset.name).toBe('trifeature');
    expect(demo.dataset.imageSize).toBeLessThanOrEqual(32);
    expect(demo.dataset.generator?.correlation).toBeGreaterThan(0);
    const train = demo.dataset.generator?.trainCount ?? Number.POSITIVE_INFINITY;
    expect(train + (demo.dataset.generator?.testCount ?? 0)).toBeLessThanOrEqual(20_000);
    // What sets its three minutes: the images a seed's teacher and students train on.
    const students = 1 + demo.kd.temperatures.length;
    expect(train * (demo.teacher.epochs + students * demo.student.epochs)).toBeLessThanOrEqual(
      260_000,
    );
    expect(demo.seeds).toHaveLength(3);
    expect(demo.kd.temperatures.length).toBeGreaterThanOrEqual(3);
    expect(demo.backend).toBe('wasm');
  });

  it('names the preset in a message when it does not exist', async () => {
    await expect(readPresetText('cifar1000')).rejects.toThrow(
      /no preset "cifar1000"; presets: celeba, /,
    );
  });
});
