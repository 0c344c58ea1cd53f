import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '@kdlens/core';
import { startEmbeddedPostgres } from '@kdlens/core/db';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A URL to a database on the test server with rights to create databases. */
    adminUrl: string;
    serverKind: 'external' | 'embedded';
  }
}

/**
 * One PostgreSQL server for the whole run: TEST_DATABASE_URL when set (CI sets it to the
 * machine's cluster), else an embedded server in a temporary folder. Each test file then makes
 * its own database on it and drops it (support/test-database.ts).
 */
export default async function setup(project: TestProject) {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide('adminUrl', external);
    project.provide('serverKind', 'external');
    return;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kdlens-test-pg-'));
  const server = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'postgres'),
    port: 0,
    log: createLogger('warn', 'test-postgres'),
  });
  project.provide('adminUrl', server.adminUrl);
  project.provide('serverKind', 'embedded');
  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
