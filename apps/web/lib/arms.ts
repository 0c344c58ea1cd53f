/**
 * Arms in URLs: `teacher`, `student` (the non-distilled student, NDS) or `T4` (distilled at
 * T = 4). Short and readable, so a shared link says what it compares.
 */
import type { RunRole } from './graphql-document.ts';

export interface ArmKey {
  role: RunRole;
  temperature: number | null;
}

export function armParam(arm: ArmKey): string {
  return arm.role === 'distilled' ? `T${arm.temperature}` : arm.role;
}

/** The arm a URL names, or null when the text is not one. */
export function parseArmParam(text: string | undefined): ArmKey | null {
  if (text === 'teacher' || text === 'student') return { role: text, temperature: null };
  const match = /^T(\d+(?:\.\d+)?)$/.exec(text ?? '');
  return match?.[1] ? { role: 'distilled', temperature: Number(match[1]) } : null;
}

export function sameArm(a: ArmKey, b: ArmKey): boolean {
  return a.role === b.role && a.temperature === b.temperature;
}

/** GraphQL ArmInput for an arm. */
export function armInput(arm: ArmKey): { role: RunRole; temperature?: number } {
  return arm.temperature === null
    ? { role: arm.role }
    : { role: arm.role, temperature: arm.temperature };
}
