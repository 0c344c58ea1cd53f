/**
 * The launch form's own fields, checked in the browser as the user types and again on the
 * web server; the API then checks the whole spec with @kdlens/core's schema and its problems
 * come back beside the fields. Messages match the spec schema's wording where the rule is the
 * same.
 */
import { z } from 'zod';
import './zod-in-browser.ts';

const numberList = (what: string, rule: z.ZodNumber) =>
  z
    .string()
    .trim()
    .min(1, `give at least one ${what}`)
    .transform((text, ctx) => {
      const parts = text.split(/[\s,]+/).filter((p) => p !== '');
      const values: number[] = [];
      for (const part of parts) {
        const parsed = rule.safeParse(Number(part));
        if (part === '' || !parsed.success) {
          ctx.addIssue({
            code: 'custom',
            message: `"${part}" is not a valid ${what}${parsed.success ? '' : ` (${parsed.error.issues[0]?.message})`}`,
          });
          return z.NEVER;
        }
        if (values.includes(parsed.data)) {
          ctx.addIssue({ code: 'custom', message: `${what} ${parsed.data} is listed twice` });
          return z.NEVER;
        }
        values.push(parsed.data);
      }
      return values;
    });

const intField = (what: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${what} must be a number` })
    .int(`${what} must be an integer`)
    .min(min, `${what} must be >= ${min}`)
    .max(max, `${what} must be <= ${max}`);

export const launchFieldsSchema = z.object({
  preset: z.string().min(1, 'pick a preset to start from'),
  name: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'name must be lower-case letters, digits, ".", "_" or "-"')
    .max(100, 'at most 100 characters'),
  dataset: z.string().min(1, 'pick a data set'),
  teacherArchitecture: z.string().min(1, 'pick the teacher architecture'),
  studentArchitecture: z.string().min(1, 'pick the student architecture'),
  temperatures: numberList('temperature', z.number().positive('temperatures must be > 0')),
  // core's specLimits.seeds; the API checks again and names the field if they ever differ.
  seeds: intField('seeds', 1, 100),
  teacherEpochs: intField('teacher epochs', 1, 10_000),
  studentEpochs: intField('student epochs', 1, 10_000),
});
export type LaunchFields = z.output<typeof launchFieldsSchema>;
export type LaunchFieldName = keyof z.input<typeof launchFieldsSchema>;
export const launchFieldNames = Object.keys(launchFieldsSchema.shape) as LaunchFieldName[];

/** Field → first message, for showing beside each input. */
export type FieldErrors = Partial<Record<LaunchFieldName, string>>;

export function fieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path[0];
    if (typeof field === 'string' && launchFieldNames.some((f) => f === field)) {
      const key = field as LaunchFieldName;
      out[key] ??= issue.message;
    }
  }
  return out;
}

/** Which form field a spec path belongs to, so the spec schema's errors land beside it. */
export function fieldOfSpecPath(path: string): LaunchFieldName | undefined {
  if (path === 'name') return 'name';
  if (path.startsWith('dataset')) return 'dataset';
  if (path.startsWith('teacher.architecture')) return 'teacherArchitecture';
  if (path.startsWith('student.architecture')) return 'studentArchitecture';
  if (path.startsWith('teacher.epochs')) return 'teacherEpochs';
  if (path.startsWith('student.epochs')) return 'studentEpochs';
  if (path.startsWith('kd.temperatures')) return 'temperatures';
  if (path.startsWith('seeds')) return 'seeds';
  return undefined;
}
