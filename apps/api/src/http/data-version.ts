import {
  type Database,
  readWarehouseDataVersion,
  type WarehouseDataVersion,
} from '@kdlens/core/db';

/**
 * Reads the warehouse's data versions (one statement; core's readWarehouseDataVersion says what
 * they cover): `all` changes with every committed write, `results` only when results do, so a
 * cached answer stored under one is served only while nothing it could show has changed.
 */
export function warehouseDataVersion(db: Database): () => Promise<WarehouseDataVersion> {
  return () => readWarehouseDataVersion(db);
}

/** The versions and when (performance.now()) the read that produced them started. */
export interface DataVersion extends WarehouseDataVersion {
  readStartedAt: number;
}

/**
 * The data version, read at most once per `ttlMs` window: requests in the window share the last
 * read or the one in flight. A version is never older than `ttlMs` when handed out (it names every
 * write that committed before its read started), which bounds how stale a cached answer can be.
 */
export class DataVersionSource {
  private current: DataVersion | undefined;
  private pending: { promise: Promise<DataVersion>; startedAt: number } | undefined;
  /** Reads started before this are not handed out: a mutation through this server came after. */
  private validFrom = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly read: () => Promise<WarehouseDataVersion>,
    private readonly ttlMs: number,
  ) {}

  get(): Promise<DataVersion> {
    const now = performance.now();
    const current = this.current;
    if (current && now - current.readStartedAt <= this.ttlMs) return Promise.resolve(current);
    const pending = this.pending;
    if (pending && now - pending.startedAt <= this.ttlMs) return pending.promise;
    const startedAt = now;
    const promise = this.read().then(({ all, results }) => {
      const version = { all, results, readStartedAt: startedAt };
      // A slower, older read finishing late must not replace a newer one.
      if (startedAt >= this.validFrom && startedAt > (this.current?.readStartedAt ?? -1)) {
        this.current = version;
      }
      return version;
    });
    const entry = { promise, startedAt };
    this.pending = entry;
    const clear = () => {
      if (this.pending === entry) this.pending = undefined;
    };
    promise.then(clear, clear);
    return promise;
  }

  /**
   * Forgets the version so the next request reads afresh: called after a mutation through this
   * server, so its caller reads what it wrote at once instead of up to ttlMs later.
   */
  invalidate(): void {
    this.validFrom = performance.now();
    this.current = undefined;
    this.pending = undefined;
  }
}
