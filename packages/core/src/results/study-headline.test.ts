import type { StudySummary } from '@kdlens/metrics';
import { describe, expect, it } from 'vitest';
import { studyHeadline } from './study-headline.ts';

const estimate = (mean: number) => ({ mean, sd: 0, lower: mean, upper: mean, values: [mean] });
const arm = (
  role: 'teacher' | 'student' | 'distilled',
  temperature: number | null,
  acc: number,
) => ({
  role,
  temperature,
  seeds: [0],
  accuracy: estimate(acc),
});
const fair = (
  role: 'teacher' | 'student' | 'distilled',
  temperature: number | null,
  dpd: number,
) => ({
  role,
  temperature,
  dpd: estimate(dpd),
  eod: estimate(0),
});

function summary(over: Partial<StudySummary>): StudySummary {
  return {
    numClasses: 2,
    examples: 10,
    alpha: 0.05,
    statistic: 'normalized',
    arms: [],
    significance: [],
    groupFairness: [],
    individualFairness: null,
    ...over,
  };
}

describe('studyHeadline', () => {
  it('takes teacher and NDS means, the best distilled arm and the largest DPD', () => {
    const s = summary({
      arms: [
        arm('teacher', null, 0.91),
        arm('student', null, 0.84),
        arm('distilled', 1, 0.85),
        arm('distilled', 4, 0.88),
        arm('distilled', 8, 0.87),
      ],
      groupFairness: [
        {
          attribute: 'sex',
          groups: ['f', 'm'],
          arms: [fair('teacher', null, 0.05), fair('distilled', 4, 0.12)],
        },
        {
          attribute: 'age',
          groups: [0, 1],
          arms: [fair('student', null, 0.2), fair('distilled', 8, Number.NaN)],
        },
      ],
    });
    expect(studyHeadline(s)).toEqual({
      teacherAccuracy: 0.91,
      ndsAccuracy: 0.84,
      bestDistilledAccuracy: 0.88,
      bestDistilledTemperature: 4,
      maxDpd: 0.2,
      maxDpdAttribute: 'age',
    });
  });

  it('breaks ties by the lowest T and the first attribute, and skips NaN', () => {
    const s = summary({
      arms: [arm('teacher', null, Number.NaN), arm('distilled', 8, 0.8), arm('distilled', 2, 0.8)],
      groupFairness: [
        { attribute: 'b', groups: [0, 1], arms: [fair('teacher', null, 0.3)] },
        { attribute: 'a', groups: [0, 1], arms: [fair('teacher', null, 0.3)] },
      ],
    });
    expect(studyHeadline(s)).toEqual({
      teacherAccuracy: null,
      ndsAccuracy: null,
      bestDistilledAccuracy: 0.8,
      bestDistilledTemperature: 2,
      maxDpd: 0.3,
      maxDpdAttribute: 'b',
    });
  });

  it('is all null for a summary with no arms or attributes', () => {
    expect(studyHeadline(summary({}))).toEqual({
      teacherAccuracy: null,
      ndsAccuracy: null,
      bestDistilledAccuracy: null,
      bestDistilledTemperature: null,
      maxDpd: null,
      maxDpdAttribute: null,
    });
  });
});
