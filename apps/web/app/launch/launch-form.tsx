'use client';

import { type ReactNode, useActionState, useMemo, useState } from 'react';
import {
  type FieldErrors,
  fieldErrors,
  type LaunchFieldName,
  launchFieldsSchema,
} from '@/lib/launch-fields.ts';
import { type LaunchState, launch } from './actions.ts';

export interface PresetChoice {
  key: string;
  name: string;
  description: string;
  dataset: string;
  teacherArchitecture: string;
  studentArchitecture: string;
  temperatures: number[];
  seeds: number;
  teacherEpochs: number;
  studentEpochs: number;
}

type Values = Record<LaunchFieldName, string>;

function valuesOf(preset: PresetChoice): Values {
  return {
    preset: preset.key,
    name: `${preset.name.replace(/^(preset|experiment) /, '').replace(/-\d{12}$/, '')}-${new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '')}`,
    dataset: preset.dataset,
    teacherArchitecture: preset.teacherArchitecture,
    studentArchitecture: preset.studentArchitecture,
    temperatures: preset.temperatures.join(', '),
    seeds: String(preset.seeds),
    teacherEpochs: String(preset.teacherEpochs),
    studentEpochs: String(preset.studentEpochs),
  };
}

/** One labelled input with its error read out by screen readers. */
function Field({
  name,
  label,
  hint,
  error,
  children,
}: {
  name: LaunchFieldName;
  label: string;
  hint?: string;
  error: string | undefined;
  children: (props: {
    id: string;
    name: string;
    'aria-invalid'?: boolean;
    'aria-describedby'?: string;
  }) => ReactNode;
}) {
  const id = `field-${name}`;
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        name,
        ...(error ? { 'aria-invalid': true } : {}),
        ...(described ? { 'aria-describedby': described } : {}),
      })}
      {hint && (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="field-error" data-testid={`error-${name}`}>
          {error}
        </span>
      )}
    </div>
  );
}

/**
 * The experiment spec as a form: a preset fills every field, the user changes what they need;
 * each field is checked in the browser before anything is sent, the whole spec on the server.
 */
export function LaunchForm({
  presets,
  datasets,
  architectures,
}: {
  presets: PresetChoice[];
  datasets: readonly string[];
  architectures: readonly string[];
}) {
  const first = presets.find((p) => p.key === 'preset:demo') ?? presets[0];
  const [values, setValues] = useState<Values | null>(first ? valuesOf(first) : null);
  const [touched, setTouched] = useState<Partial<Record<LaunchFieldName, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const [state, action, pending] = useActionState<LaunchState, FormData>(launch, {
    fields: {},
    general: [],
  });

  const clientErrors: FieldErrors = useMemo(() => {
    if (!values) return {};
    const parsed = launchFieldsSchema.safeParse(values);
    return parsed.success ? {} : fieldErrors(parsed.error);
  }, [values]);

  if (!values)
    return (
      <p className="empty" data-testid="no-spec-sources">
        Nothing to start from: this API serves no presets and no experiment was launched from a spec
        yet. Launch one with `npx kdlens run &lt;spec.yaml&gt;` first.
      </p>
    );
  const preset = presets.find((p) => p.key === values.preset);
  const errorOf = (name: LaunchFieldName) =>
    (submitted || touched[name] ? clientErrors[name] : undefined) ?? state.fields[name];
  const set = (name: LaunchFieldName) => (event: { target: { value: string } }) =>
    setValues({ ...values, [name]: event.target.value });
  const blur = (name: LaunchFieldName) => () => setTouched((t) => ({ ...t, [name]: true }));

  return (
    <form
      action={action}
      className="launch-form"
      noValidate
      onSubmit={(event) => {
        setSubmitted(true);
        // Nothing leaves the browser while a field is wrong.
        if (Object.keys(clientErrors).length > 0) event.preventDefault();
      }}
    >
      <Field name="preset" label="Start from" hint={preset?.description} error={errorOf('preset')}>
        {(p) => (
          <select
            {...p}
            value={values.preset}
            onChange={(e) => {
              const next = presets.find((x) => x.key === e.target.value);
              if (next) setValues(valuesOf(next));
            }}
          >
            {presets.map((x) => (
              <option key={x.key} value={x.key}>
                {x.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        name="name"
        label="Experiment name"
        hint="lower-case letters, digits, . _ -"
        error={errorOf('name')}
      >
        {(p) => <input {...p} value={values.name} onChange={set('name')} onBlur={blur('name')} />}
      </Field>
      <Field
        name="dataset"
        label="Data set"
        hint="e.g. trifeature, cifar100, celeba; the rest of the data set options come from the preset"
        error={errorOf('dataset')}
      >
        {(p) => (
          <input
            {...p}
            list="dataset-options"
            value={values.dataset}
            onChange={set('dataset')}
            onBlur={blur('dataset')}
          />
        )}
      </Field>
      <div className="field-row">
        <Field name="teacherArchitecture" label="Teacher" error={errorOf('teacherArchitecture')}>
          {(p) => (
            <input
              {...p}
              list="architecture-options"
              value={values.teacherArchitecture}
              onChange={set('teacherArchitecture')}
              onBlur={blur('teacherArchitecture')}
            />
          )}
        </Field>
        <Field name="studentArchitecture" label="Student" error={errorOf('studentArchitecture')}>
          {(p) => (
            <input
              {...p}
              list="architecture-options"
              value={values.studentArchitecture}
              onChange={set('studentArchitecture')}
              onBlur={blur('studentArchitecture')}
            />
          )}
        </Field>
      </div>
      <Field
        name="temperatures"
        label="Temperatures"
        hint="comma-separated, e.g. 1, 4, 10"
        error={errorOf('temperatures')}
      >
        {(p) => (
          <input
            {...p}
            value={values.temperatures}
            onChange={set('temperatures')}
            onBlur={blur('temperatures')}
          />
        )}
      </Field>
      <div className="field-row">
        <Field
          name="seeds"
          label="Seeds"
          hint="runs per arm (seeds 0…n−1)"
          error={errorOf('seeds')}
        >
          {(p) => (
            <input
              {...p}
              type="number"
              min={1}
              max={1000}
              value={values.seeds}
              onChange={set('seeds')}
              onBlur={blur('seeds')}
            />
          )}
        </Field>
        <Field name="teacherEpochs" label="Teacher epochs" error={errorOf('teacherEpochs')}>
          {(p) => (
            <input
              {...p}
              type="number"
              min={1}
              value={values.teacherEpochs}
              onChange={set('teacherEpochs')}
              onBlur={blur('teacherEpochs')}
            />
          )}
        </Field>
        <Field name="studentEpochs" label="Student epochs" error={errorOf('studentEpochs')}>
          {(p) => (
            <input
              {...p}
              type="number"
              min={1}
              value={values.studentEpochs}
              onChange={set('studentEpochs')}
              onBlur={blur('studentEpochs')}
            />
          )}
        </Field>
      </div>
      <datalist id="dataset-options">
        {datasets.map((d) => (
          <option key={d} value={d} />
        ))}
      </datalist>
      <datalist id="architecture-options">
        {architectures.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      {state.general.length > 0 && (
        <div className="error" role="alert" data-testid="launch-error">
          <p>The experiment was not launched:</p>
          <ul>
            {state.general.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        </div>
      )}
      {Object.keys(state.fields).length > 0 && (
        <p className="error" role="alert">
          The spec has problems; see the marked fields.
        </p>
      )}
      <button type="submit" disabled={pending} data-testid="launch-submit">
        {pending ? 'Launching…' : 'Launch'}
      </button>
    </form>
  );
}
