import { randomBytes } from 'node:crypto';
import { createLogger } from '@kdlens/core';
import {
  dropDatabase,
  ensureDatabase,
  openWarehouse,
  type Warehouse,
  withDatabase,
} from '@kdlens/core/db';
import { inject } from 'vitest';

export interface TestDatabase {
  /** URL of the fresh, migrated database. */
  url: string;
  warehouse: Warehouse;
  drop(): Promise<void>;
}

/** A uniquely named, migrated database on the test server; `drop()` removes it. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const adminUrl = inject('adminUrl');
  const name = `kdlens_test_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(adminUrl, name);
  const url = withDatabase(adminUrl, name);
  const warehouse = await openWarehouse({
    config: { databaseUrl: url, home: '/nonexistent', embeddedPgPort: 0 },
    log: createLogger('warn', 'test'),
  });
  return {
    url,
    warehouse,
    drop: async () => {
      await warehouse.close();
      await dropDatabase(adminUrl, name);
    },
  };
}
