import type { Database } from '../database.ts';

/** A transaction handle: the queries below run the same on it as on the pool. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
export type Executor = Database | Transaction;
