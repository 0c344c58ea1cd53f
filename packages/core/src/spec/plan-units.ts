import type { ArchitectureName } from '../domain/architectures.ts';
import type { RunRole } from '../domain/run.ts';
import type { ExperimentSpec } from './experiment-spec.schema.ts';

/**
 * One training job of a study. A distilled student depends on the teacher of the same seed, so
 * every distilled student of a seed is compared against the same teacher.
 */
export interface PlannedUnit {
  /** Stable within a spec: `teacher/s<seed>`, `student/s<seed>`, `distilled/T<t>/s<seed>`. */
  key: string;
  role: RunRole;
  /** Set exactly when role is 'distilled'. */
  temperature: number | null;
  seed: number;
  architecture: ArchitectureName;
  /** The teacher unit's key (distilled students only). */
  dependsOn?: string;
}

export function unitKey(role: RunRole, seed: number, temperature: number | null = null): string {
  return role === 'distilled' ? `distilled/T${temperature}/s${seed}` : `${role}/s${seed}`;
}

/**
 * Expands a spec into its units: all teachers first (so a queue that runs in order never waits
 * on a missing teacher), then per seed the non-distilled student and the distilled students in
 * the spec's temperature order. seeds × (2 + temperatures) units in all.
 */
export function planUnits(spec: ExperimentSpec): PlannedUnit[] {
  const teacher = spec.teacher.architecture;
  const student = spec.student.architecture;
  const units: PlannedUnit[] = spec.seeds.map((seed) => ({
    key: unitKey('teacher', seed),
    role: 'teacher',
    temperature: null,
    seed,
    architecture: teacher,
  }));
  for (const seed of spec.seeds) {
    units.push({
      key: unitKey('student', seed),
      role: 'student',
      temperature: null,
      seed,
      architecture: student,
    });
    for (const temperature of spec.kd.temperatures) {
      units.push({
        key: unitKey('distilled', seed, temperature),
        role: 'distilled',
        temperature,
        seed,
        architecture: student,
        dependsOn: unitKey('teacher', seed),
      });
    }
  }
  return units;
}
