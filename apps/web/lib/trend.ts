import type { TrendPoint, TrendReference } from '@/charts/temperature-trend-chart.tsx';
import type { Arm } from './arm-fields.ts';
import type { Estimate } from './estimate-fields.ts';

/**
 * Splits per-arm estimates into the distilled line (by temperature) and the teacher/NDS
 * references the trend charts draw; arms without a mean are left out.
 */
export function trendOf(items: readonly { arm: Arm; estimate: Estimate | null }[]): {
  points: TrendPoint[];
  references: TrendReference[];
} {
  const points: TrendPoint[] = [];
  const references: TrendReference[] = [];
  for (const { arm, estimate } of items) {
    if (estimate?.mean === null || estimate?.mean === undefined) continue;
    const value = { mean: estimate.mean, lower: estimate.lower, upper: estimate.upper };
    if (arm.role === 'distilled' && arm.temperature !== null) {
      points.push({ temperature: arm.temperature, ...value });
    } else if (arm.role === 'teacher' || arm.role === 'student') {
      references.push({ label: arm.label, role: arm.role, ...value });
    }
  }
  points.sort((a, b) => a.temperature - b.temperature);
  return { points, references };
}
