import { ConfigError, exitCodes, KdlensError, WarehouseError } from '@kdlens/core';
import { MetricsInputError } from '@kdlens/metrics';
import {
  CheckpointError,
  DatasetFormatError,
  InvalidModelOptionError,
  PretrainedWeightsError,
  TrifeatureOptionError,
  UnknownArchitectureError,
  UnsupportedInputShapeError,
} from '@kdlens/trainer';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { exitCodeFor } from './exit-code.ts';

function run(error: unknown): { code: number; stderr: string } {
  let stderr = '';
  const code = exitCodeFor(error, { write: (text: string) => (stderr += text) });
  return { code, stderr };
}

describe('exitCodeFor', () => {
  const actionable: [string, Error, string][] = [
    ['KdlensError', new KdlensError('do this'), 'do this'],
    ['ConfigError', new ConfigError('KDLENS_X="y": bad'), 'KDLENS_X="y": bad'],
    ['WarehouseError', new WarehouseError('no server'), 'no server'],
    [
      'DatasetFormatError',
      new DatasetFormatError('data.csv', { line: 2 }, 'label is empty'),
      'data.csv:2: label is empty',
    ],
    [
      'TrifeatureOptionError',
      new TrifeatureOptionError('size', 'expected 8..512'),
      'trifeature option size: expected 8..512',
    ],
    [
      'UnknownArchitectureError',
      new UnknownArchitectureError('vgg', ['mlp', 'resnet20']),
      "Unknown architecture 'vgg'. Valid architectures: mlp, resnet20.",
    ],
    [
      'UnsupportedInputShapeError',
      new UnsupportedInputShapeError('mlp', [3], 'rank 3'),
      "Architecture 'mlp' does not support inputShape [3]: expected rank 3.",
    ],
    [
      'InvalidModelOptionError',
      new InvalidModelOptionError('mlp', 'width', -1, 'a positive integer'),
      "Architecture 'mlp': option 'width' = -1 is invalid: expected a positive integer.",
    ],
    ['CheckpointError', new CheckpointError('ckpt: manifest missing'), 'ckpt: manifest missing'],
    [
      'PretrainedWeightsError',
      new PretrainedWeightsError('model.json: no weights'),
      'model.json: no weights',
    ],
    [
      'MetricsInputError',
      new MetricsInputError('yPred', 'not a class index', 4),
      'yPred[4]: not a class index',
    ],
  ];

  it.each(actionable)('%s: exit 1 and its message as one line', (name, error, message) => {
    expect(error.name).toBe(name);
    expect(run(error)).toEqual({ code: 1, stderr: `kdlens: ${message}\n` });
  });

  it('a plain Error is a bug: exit 70 (EX_SOFTWARE), with its stack frames', () => {
    const { code, stderr } = run(new TypeError('x is undefined'));
    expect(code).toBe(70);
    expect(stderr).toMatch(/^kdlens: unexpected error \(a bug; please report it\):\n/);
    expect(stderr).toContain('x is undefined');
    expect(stderr).toMatch(/\n {4}at /);
  });

  it('an object merely named like a user error is still a bug (the check is the class)', () => {
    expect(run({ name: 'KdlensError', message: 'fake' }).code).toBe(70);
  });

  it('help and --version exit 0 and print nothing more (commander printed them)', () => {
    expect(run(new CommanderError(0, 'commander.helpDisplayed', '(help)'))).toEqual({
      code: 0,
      stderr: '',
    });
    expect(run(new CommanderError(0, 'commander.version', '0.1.0'))).toEqual({
      code: 0,
      stderr: '',
    });
  });

  it.each([
    'commander.unknownCommand',
    'commander.unknownOption',
    'commander.missingArgument',
    'commander.missingMandatoryOptionValue',
    'commander.invalidArgument',
    'commander.help',
  ])("commander's %s is a usage error: exit 2, nothing more printed", (code) => {
    expect(run(new CommanderError(1, code, 'x'))).toEqual({ code: 2, stderr: '' });
  });

  it('the documented codes (docs/cli.md "Output and exit codes"): 0 ok, 1 failure, 2 usage, 70 bug', () => {
    expect(exitCodes).toEqual({ ok: 0, failure: 1, usage: 2, bug: 70 });
  });
});
