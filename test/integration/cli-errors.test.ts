import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { freePort } from '../support/free-port.ts';

/** A user-facing failure: exit code 1 and exactly one line on stderr, no stack trace. */
function expectOneLineError(result: { code: number | null; stderr: string }, ...parts: RegExp[]) {
  expect(result.code).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^kdlens: /);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  for (const part of parts) expect(lines[0]).toMatch(part);
}

describe('errors a user can act on', () => {
  it('a DATABASE_URL whose server is not there', async () => {
    const port = await freePort();
    const result = await runCli(['db', 'status'], {
      DATABASE_URL: `postgres://kd:secret@127.0.0.1:${port}/kdlens`,
    });
    expectOneLineError(
      result,
      /connection refused/,
      new RegExp(`127\\.0\\.0\\.1:${port}`),
      /DATABASE_URL/,
    );
    expect(result.stderr).not.toContain('secret');
  });

  it('a DATABASE_URL that is not a URL', async () => {
    const result = await runCli(['db', 'status'], { DATABASE_URL: 'localhost:5432' });
    expectOneLineError(result, /DATABASE_URL="localhost:5432"/, /postgres:\/\/user:password@host/);
  });

  it('a port that is not a number', async () => {
    const result = await runCli(['db', 'status'], { KDLENS_API_PORT: 'eighty' });
    expectOneLineError(result, /KDLENS_API_PORT="eighty"/, /port/);
  });

  it('an unknown backend', async () => {
    const result = await runCli(['demo'], { KDLENS_BACKEND: 'tpu' });
    expectOneLineError(result, /KDLENS_BACKEND="tpu"/, /wasm/);
  });

  it('a data file that breaks its format (a DatasetFormatError, not a bug)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kdlens-bad-csv-'));
    try {
      const csv = path.join(dir, 'data.csv');
      await writeFile(csv, 'file,label,split\na.png,,train\n');
      const result = await runCli(
        ['datasets', 'inspect', 'csv', '--root', csv, '--label', 'label', '--path-column', 'file'],
        {},
      );
      expectOneLineError(result, /data\.csv:2: column 2 \("label"\) is empty$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lists the commands', async () => {
    const result = await runCli(['--help'], {});
    expect(result.code).toBe(0);
    for (const command of ['db', 'demo', 'api', 'serve', 'start']) {
      expect(result.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    }
    const db = await runCli(['db', '--help'], {});
    for (const command of ['start', 'migrate', 'status']) {
      expect(db.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    }
  });
});
