import type { ArmKey } from '@kdlens/metrics';

/** The paper's names for the arms: Teacher, NDS (the non-distilled student), KD at T. */
export function armLabel(arm: ArmKey): string {
  if (arm.role === 'teacher') return 'Teacher';
  if (arm.role === 'student') return 'NDS';
  return `KD T=${arm.temperature}`;
}
