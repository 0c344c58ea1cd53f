import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import type { Executor } from '../db/queries/executor.ts';
import { insertChunks } from '../db/queries/insert-chunks.ts';
import { type RunRole, type RunSummary, runSummarySchema } from '../domain/run.ts';
import { sanitizeRunError } from '../domain/run-error-text.ts';
import { PG_BOSS_SCHEMA, queueNames } from './queue-names.ts';

// Every statement the queue runs against `runs`. They are plain SQL because most of them are
// conditional single-row updates whose WHERE clause *is* the concurrency control: a claim only
// succeeds on a queued row, and a worker's writes only land while the row still names it.

/** A run a worker has claimed: the row's identity and the attempt this worker is making. */
// A type alias, not an interface: db.execute<T> wants T to be a Record.
export type ClaimedRun = {
  id: string;
  experimentId: string;
  role: RunRole;
  temperature: number | null;
  seed: number;
  architecture: string;
  /** 1 for the first start; +1 each time a stopped worker's unit is started again. */
  attempt: number;
  /** The token this worker wrote into runs.worker; every later write is fenced on it. */
  worker: string;
};

/** A distilled student trains against the teacher of its seed, so it waits for it. */
const teacherSucceeded = (run: string): SQL =>
  sql.raw(`exists (
    select 1 from runs t
    where t.experiment_id = ${run}.experiment_id and t.role = 'teacher'
      and t.seed = ${run}.seed and t.status = 'succeeded'
  )`);

/**
 * Moves a queued run to running for `worker`. Returns undefined when the run is not claimable
 * (already running elsewhere, finished, cancelled, or its teacher has not succeeded): the row
 * lock makes concurrent claims of one run serialize, so exactly one of them wins.
 */
export async function claimRun(
  db: Database,
  runId: string,
  worker: string,
): Promise<ClaimedRun | undefined> {
  // The run and its experiment's status change in one transaction: nobody reads a running run
  // in a pending experiment. The experiment row is locked first, as deleteExperiment locks it
  // (then its runs), so the two cannot deadlock. KEY SHARE is the weakest lock that still waits
  // for a delete (FOR UPDATE): claims do not queue behind each other, nor behind an import or an
  // enqueue holding the row; the status update takes the stronger lock only when it changes.
  return db.transaction(async (tx) => {
    const experiment = await tx.execute(sql`
      select e.id from experiments e join runs r on r.experiment_id = e.id
      where r.id = ${runId}
      for key share of e`);
    if (experiment.rows.length === 0) return undefined;
    const result = await tx.execute<ClaimedRun>(sql`
      update runs r set
        status = 'running', attempt = r.attempt + 1, worker = ${worker},
        heartbeat_at = now(), started_at = now(), finished_at = null, error = null,
        eta_seconds = null, updated_at = now()
      where r.id = ${runId} and r.status = 'queued' and not r.cancel_requested
        and (r.role <> 'distilled' or ${teacherSucceeded('r')})
      returning r.id, r.experiment_id as "experimentId", r.role, r.temperature, r.seed,
        r.architecture, r.attempt, r.worker`);
    const claimed = result.rows[0];
    // The first claim turns a pending experiment into a running one for the API and web UI.
    if (claimed) await refreshExperimentStatus(tx, [claimed.experimentId]);
    return claimed;
  });
}

/** What a worker learns from each heartbeat or progress write. */
export type Liveness = 'ok' | 'cancel-requested' | 'lost';

/**
 * Records that `worker` is alive on the run and reports whether to go on. 'lost' means the row
 * no longer names this worker (it was declared stale and requeued, or finished elsewhere): the
 * worker must stop and write nothing more.
 */
export async function heartbeatRun(
  db: Database,
  run: Pick<ClaimedRun, 'id' | 'worker'>,
): Promise<Liveness> {
  const result = await db.execute<{ cancel_requested: boolean }>(sql`
    update runs set heartbeat_at = now()
    where id = ${run.id} and worker = ${run.worker} and status = 'running'
    returning cancel_requested`);
  return liveness(result.rows[0]);
}

/** Live progress of the current attempt, as the UI shows it. */
export interface UnitProgress {
  /** Overall completion in [0, 1]. */
  fraction: number;
  /** 1-based epoch being trained. */
  epoch: number;
  etaSeconds?: number;
  imagesPerSec?: number;
  loss?: number;
  accuracy?: number;
}

/** Writes live progress (and counts as a heartbeat). Non-finite numbers are stored as null. */
export async function writeRunProgress(
  db: Database,
  run: Pick<ClaimedRun, 'id' | 'worker'>,
  p: UnitProgress,
): Promise<Liveness> {
  const result = await db.execute<{ cancel_requested: boolean }>(sql`
    update runs set
      progress = ${Math.min(1, Math.max(0, finite(p.fraction) ?? 0))},
      epoch = ${Math.max(0, Math.trunc(finite(p.epoch) ?? 0))},
      eta_seconds = ${finite(p.etaSeconds)}, images_per_sec = ${finite(p.imagesPerSec)},
      loss = ${finite(p.loss)}, accuracy = ${finite(p.accuracy)},
      heartbeat_at = now(), updated_at = now()
    where id = ${run.id} and worker = ${run.worker} and status = 'running'
    returning cancel_requested`);
  return liveness(result.rows[0]);
}

export type RunOutcome =
  | { status: 'succeeded'; summary?: RunSummary }
  | { status: 'failed' | 'cancelled'; error: string }
  /**
   * The worker is shutting down: the run goes back to the queue for another worker. `unstarted`:
   * it stopped between the claim and the unit's start, so the claim's attempt is given back.
   */
  | { status: 'queued'; error: string; unstarted?: boolean };

/** Ends this worker's attempt. False when the run was no longer this worker's to end. */
export async function finishRun(
  db: Database,
  run: Pick<ClaimedRun, 'id' | 'worker'>,
  outcome: RunOutcome,
): Promise<boolean> {
  const fence = sql`id = ${run.id} and worker = ${run.worker} and status = 'running'`;
  let result: { rowCount: number | null };
  switch (outcome.status) {
    case 'succeeded': {
      const summary = outcome.summary ? runSummarySchema.parse(outcome.summary) : undefined;
      result = await db.execute(sql`
        update runs set status = 'succeeded', progress = 1, eta_seconds = null, error = null,
          summary = coalesce(${summary ? JSON.stringify(summary) : null}::jsonb, summary),
          finished_at = now(), updated_at = now()
        where ${fence}`);
      break;
    }
    case 'queued':
      // attempt stays: the next claim counts the restart, and the checkpoint saves the work. A
      // unit that never started gives its attempt back: restarts of idle workers (a rolling
      // deploy) must not use up the retries that crashes are counted against.
      result = await db.execute(sql`
        update runs set status = 'queued', worker = null, heartbeat_at = null,
          attempt = attempt - ${outcome.unstarted === true ? 1 : 0},
          eta_seconds = null, error = ${sanitizeRunError(outcome.error)}, updated_at = now()
        where ${fence}`);
      break;
    default:
      result = await db.execute(sql`
        update runs set status = ${outcome.status}, error = ${sanitizeRunError(outcome.error)},
          eta_seconds = null, finished_at = now(), updated_at = now()
        where ${fence}`);
  }
  return (result.rowCount ?? 0) > 0;
}

/** Units of a plan; `dependsOn` and other fields of the spec's planned unit are ignored here. */
export interface QueueUnit {
  role: RunRole;
  temperature: number | null;
  seed: number;
  architecture: string;
}

/**
 * Inserts the units the experiment lacks (the runs_unit_key index makes this idempotent) and
 * puts its failed and cancelled runs back in the queue: running a spec again resumes what is
 * missing. Succeeded, queued and running runs are left alone. Returns how many rows changed.
 */
export async function insertMissingRuns(
  db: Executor,
  experimentId: string,
  units: readonly QueueUnit[],
): Promise<{ inserted: number; requeued: number }> {
  return db.transaction(async (tx) => {
    let inserted = 0;
    // Five parameters a unit: a 20,000-unit plan would pass the protocol's 65,535 in one go.
    for (const chunk of insertChunks(units, 5)) {
      const values = sql.join(
        chunk.map(
          (u) =>
            sql`(${experimentId}::uuid, ${u.role}::run_role, ${u.temperature}::double precision, ${u.seed}::integer, ${u.architecture})`,
        ),
        sql`, `,
      );
      const result = await tx.execute(sql`
        insert into runs (experiment_id, role, temperature, seed, architecture)
        values ${values}
        on conflict do nothing`);
      inserted += result.rowCount ?? 0;
    }
    // attempt restarts at 0 so a re-run gets the full retry budget; fencing uses runs.worker,
    // a fresh token per claim, so a reused attempt number cannot let an old worker write.
    const requeued = await tx.execute(sql`
      update runs set status = 'queued', cancel_requested = false, attempt = 0, worker = null,
        heartbeat_at = null, finished_at = null, updated_at = now()
      where experiment_id = ${experimentId} and status in ('failed', 'cancelled')`);
    return { inserted, requeued: requeued.rowCount ?? 0 };
  });
}

/** Which experiments reconciliation looks at: one, or every experiment in the warehouse. */
export type ReconcileScope = { experimentId: string } | 'all';

// Every experiment, those never claimed included: a job lost before its first claim (its sender
// crashed between the commit and the send, or a worker died between fetch and claim) is sent
// again by the next periodic pass. Workers that must not take other experiments' units are
// scoped instead (WorkerScope in fetch-train-unit.ts).
function scopeFilter(scope: ReconcileScope, run: string): SQL {
  if (scope !== 'all') return sql`${sql.raw(run)}.experiment_id = ${scope.experimentId}`;
  return sql`true`;
}

/**
 * Runs whose worker stopped heartbeating more than `staleAfterSeconds` ago go back to the queue
 * (the next claim increments attempt), or end: cancelled if a cancel was pending, failed once
 * `maxAttempts` attempts have each lost their worker (a unit that kills its worker every time,
 * e.g. by running out of memory, must not loop forever).
 */
export async function reapStaleRuns(
  db: Database,
  scope: ReconcileScope,
  opts: { staleAfterSeconds: number; maxAttempts: number },
): Promise<{ id: string; experimentId: string; status: string }[]> {
  const result = await db.execute<{ id: string; experimentId: string; status: string }>(sql`
    with stale as (
      select r.id,
        case when r.cancel_requested then 'cancelled'
             when r.attempt >= ${opts.maxAttempts} then 'failed'
             else 'queued' end as next
      from runs r
      where r.status = 'running' and r.heartbeat_at is not null
        and r.heartbeat_at < now() - make_interval(secs => ${opts.staleAfterSeconds})
        and ${scopeFilter(scope, 'r')}
      for update skip locked
    )
    update runs r set
      status = stale.next::run_status,
      error = case stale.next
        when 'queued' then r.error
        when 'cancelled' then 'cancelled (its worker had stopped)'
        else format('its worker (%s) stopped heartbeating on each of %s attempts', r.worker, r.attempt)
      end,
      worker = case when stale.next = 'queued' then null else r.worker end,
      heartbeat_at = case when stale.next = 'queued' then null else r.heartbeat_at end,
      finished_at = case when stale.next = 'queued' then null else now() end,
      eta_seconds = null, updated_at = now()
    from stale where r.id = stale.id
    returning r.id, r.experiment_id as "experimentId", r.status`);
  return result.rows;
}

/**
 * A distilled student whose teacher failed or was cancelled can never start; it takes its
 * teacher's fate, with a message, instead of waiting in the queue forever.
 */
export async function settleOrphanedStudents(
  db: Database,
  scope: ReconcileScope,
): Promise<{ id: string; experimentId: string }[]> {
  const result = await db.execute<{ id: string; experimentId: string }>(sql`
    update runs d set
      status = t.status,
      error = format('its teacher (seed %s) %s; run the spec again to retry', d.seed, t.status),
      finished_at = now(), updated_at = now()
    from runs t
    where d.role = 'distilled' and d.status = 'queued'
      and t.experiment_id = d.experiment_id and t.role = 'teacher' and t.seed = d.seed
      and t.status in ('failed', 'cancelled') and ${scopeFilter(scope, 'd')}
    returning d.id, d.experiment_id as "experimentId"`);
  return result.rows;
}

/**
 * Queued runs that may start now: not cancelled, (distilled) their teacher succeeded, and no
 * worker is between fetching the run's job and claiming it. That last one is a job made active
 * less than `staleAfterSeconds` ago: sending another then would only duplicate it, while an
 * older active job on a queued run was lost (its worker died before the claim) and is replaced.
 */
export async function readyRuns(
  db: Database,
  scope: ReconcileScope,
  opts: { staleAfterSeconds: number },
): Promise<{ id: string; experimentId: string; role: RunRole }[]> {
  const result = await db.execute<{ id: string; experimentId: string; role: RunRole }>(sql`
    with claiming as (
      select j.singleton_key from ${sql.identifier(PG_BOSS_SCHEMA)}.job j
      where j.name = ${queueNames.trainUnit} and j.state = 'active'
        and j.started_on > now() - make_interval(secs => ${opts.staleAfterSeconds})
    )
    select r.id, r.experiment_id as "experimentId", r.role
    from runs r
    where r.status = 'queued' and not r.cancel_requested
      and (r.role <> 'distilled' or ${teacherSucceeded('r')})
      and ${scopeFilter(scope, 'r')}
      and r.id::text not in (select singleton_key from claiming where singleton_key is not null)
    order by r.created_at, r.id`);
  return result.rows;
}

/**
 * Derives each experiment's status from its runs: pending until a run starts, running while any
 * run is queued or running, then succeeded, failed (any failure) or cancelled.
 */
export async function refreshExperimentStatus(
  db: Executor,
  experimentIds: readonly string[],
): Promise<void> {
  if (experimentIds.length === 0) return;
  const ids = sql.join(
    [...new Set(experimentIds)].map((id) => sql`${id}::uuid`),
    sql`, `,
  );
  await db.execute(sql`
    update experiments e set status = s.status, updated_at = now()
    from (
      select experiment_id, (case
        when count(*) filter (where status in ('queued', 'running')) > 0 then
          case when count(*) filter (where status <> 'queued') > 0 then 'running' else 'pending' end
        when count(*) filter (where status = 'succeeded') = count(*) then 'succeeded'
        when count(*) filter (where status = 'failed') > 0 then 'failed'
        else 'cancelled' end)::experiment_status as status
      from runs where experiment_id in (${ids})
      group by experiment_id
    ) s
    where e.id = s.experiment_id and e.status <> s.status`);
}

/** What to cancel: every unfinished run of an experiment, or one run. */
export type CancelTarget = { experimentId: string } | { runId: string };

/**
 * Marks the target's unfinished runs cancel_requested. Queued runs are cancelled at once; a
 * running one stays running until its worker sees the flag at its next heartbeat and stops (or,
 * if that worker is gone, until reconciliation finds it stale).
 */
export async function markCancelRequested(
  db: Database,
  target: CancelTarget,
): Promise<{ id: string; experimentId: string; status: 'cancelled' | 'running' }[]> {
  const where =
    'runId' in target ? sql`id = ${target.runId}` : sql`experiment_id = ${target.experimentId}`;
  const result = await db.execute<{
    id: string;
    experimentId: string;
    status: 'cancelled' | 'running';
  }>(sql`
    update runs set
      cancel_requested = true,
      status = case when status = 'queued' then 'cancelled'::run_status else status end,
      error = case when status = 'queued' then 'cancelled before it started' else error end,
      finished_at = case when status = 'queued' then now() else finished_at end,
      updated_at = now()
    where ${where} and status in ('queued', 'running')
    returning id, experiment_id as "experimentId", status`);
  return result.rows;
}

function liveness(row: { cancel_requested: boolean } | undefined): Liveness {
  if (!row) return 'lost';
  return row.cancel_requested ? 'cancel-requested' : 'ok';
}

function finite(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}
