import { describe, expect, it } from 'vitest';
import {
  BASE_SCALE,
  MAX_ROTATION,
  SCALE_JITTER,
  sampleTrifeatureScene,
  trifeatureImageSeed,
} from './sample-trifeature-scene.ts';

const N = 2000;
const scenes = Array.from({ length: N }, (_, index) => sampleTrifeatureScene(7, index, 0));

describe('sampleTrifeatureScene', () => {
  it('keeps rotations within ±45° and uses the whole range', () => {
    const rotations = scenes.map((scene) => scene.rotation);
    expect(Math.min(...rotations)).toBeGreaterThanOrEqual(-MAX_ROTATION);
    expect(Math.max(...rotations)).toBeLessThanOrEqual(MAX_ROTATION);
    // Uniform on ±45: P(no draw beyond ±40 out of 2000) = (80/90)^2000 ≈ 1e-102.
    expect(Math.min(...rotations)).toBeLessThan(-40);
    expect(Math.max(...rotations)).toBeGreaterThan(40);
  });

  it('jitters the size a little and keeps the shape disc inside the image', () => {
    for (const { scale, cx, cy } of scenes) {
      expect(scale).toBeGreaterThanOrEqual(BASE_SCALE * (1 - SCALE_JITTER));
      expect(scale).toBeLessThanOrEqual(BASE_SCALE * (1 + SCALE_JITTER));
      for (const centre of [cx, cy]) {
        expect(centre - scale).toBeGreaterThan(0);
        expect(centre + scale).toBeLessThan(1);
      }
    }
  });

  it('depends on the index: neighbouring images differ', () => {
    const distinctPoses = new Set(scenes.map((scene) => scene.rotation));
    expect(distinctPoses.size).toBe(N);
    expect(trifeatureImageSeed(7, 0)).not.toBe(trifeatureImageSeed(7, 1));
    expect(trifeatureImageSeed(7, 0)).not.toBe(trifeatureImageSeed(8, 0));
  });

  it('changes only colours when the correlation changes', () => {
    for (let index = 0; index < 200; index++) {
      const free = sampleTrifeatureScene(7, index, 0);
      const linked = sampleTrifeatureScene(7, index, 1);
      expect(linked.color).toBe(linked.shape);
      expect({ ...linked, color: free.color }).toEqual(free);
    }
  });
});
