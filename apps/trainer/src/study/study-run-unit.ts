/**
 * The worker's unit of a study: trains one run of a recorded experiment spec and stores its
 * results. Everything a unit needs comes from the warehouse (the spec, the teacher's weights, the
 * unit's last checkpoint), so any worker on any machine can run any unit.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  type BackendName,
  confineDataPath,
  type ExperimentSpec,
  KdlensError,
  type Logger,
} from '@kdlens/core';
import {
  type Database,
  readRunArtifact,
  recordEpoch,
  recordRunBackend,
  recordRunTeacherOutputs,
  writeRunArtifact,
} from '@kdlens/core/db';
import { recordTestSet, saveRunResults } from '@kdlens/core/results';
import { readStudySpec } from '@kdlens/core/study';
import type * as tf from '@tensorflow/tfjs';
import { ConfinedFiles } from '../datasets/confined-files.ts';
import { type EpochMetrics, initBackend, nativeKernelsStatus, trainUnit } from '../engine/index.ts';
import type { RunUnit, UnitContext, UnitResult } from '../worker/index.ts';
import {
  createDirectoryUnpacker,
  directoryBundleChunks,
  snapshotDirectorySync,
} from './directory-bundle.ts';
import { loadStudyData, type StudyData } from './load-study-data.ts';
import { storeTeacherEmbedding } from './teacher-embedding.ts';
import { liveTeacherReason, readTeacherLogits, storeTeacherLogits } from './teacher-logits.ts';
import { loadTeacher, storeTeacherWeights, succeededTeacherRun } from './teacher-weights.ts';
import { unitTrainOptions } from './unit-train-options.ts';

export interface StudyRunUnitOptions {
  db: Database;
  /**
   * This machine's KDLENS_BACKEND. Set to a concrete backend it wins over the spec's (a GPU
   * machine in a team of CPU ones); `auto` leaves the spec's choice. Runs record what they used.
   */
  machineBackend: BackendName;
  /**
   * This machine's KDLENS_DATA_ROOTS: the folders its units may read data and pretrained weights
   * from. Checked again here, on the real paths, whatever the spec passed at launch.
   */
  dataRoots: readonly string[];
}

// recordTestSet is idempotent, but one call per experiment and process saves a round-trip of
// the whole test set per unit.
const testSets = new Map<string, Promise<unknown>>();

function ensureTestSet(db: Database, experimentId: string, data: StudyData): Promise<unknown> {
  let recorded = testSets.get(experimentId);
  if (recorded === undefined) {
    recorded = recordTestSet(db, experimentId, data.testSet);
    testSets.set(experimentId, recorded);
    recorded.catch(() => testSets.delete(experimentId));
  }
  return recorded;
}

/** The study's summary options, as the spec's evaluation section states them. */
function studyOptions(spec: ExperimentSpec) {
  const f = spec.evaluation.individualFairness;
  return {
    individual: {
      k: f.neighbors,
      distance: f.distance,
      pairs: f.pairs === 'all' ? ('all' as const) : { sample: f.pairs, seed: 0 },
    },
  };
}

/** A distilled student's soft targets: its teacher's cached logits, or the teacher itself. */
type SoftTargets = { teacherLogits: Float32Array } | { teacher: tf.LayersModel };

/**
 * The teacher's logits from the warehouse when the spec allows caching them (computed and stored
 * here if its teacher ran before the cache existed), else the teacher, to run on every batch.
 */
async function softTargets(
  db: Database,
  run: Parameters<RunUnit>[0]['run'],
  spec: ExperimentSpec,
  data: StudyData,
  ctx: UnitContext,
): Promise<SoftTargets> {
  const teacherRunId = await succeededTeacherRun(db, run.experimentId, run.seed);
  const live = liveTeacherReason(spec, data);
  if (live === undefined) {
    const cached = await readTeacherLogits(db, teacherRunId, data);
    if (cached !== undefined) return { teacherLogits: cached };
  }
  const teacher = await loadTeacher(db, teacherRunId, run.seed, spec, data);
  if (live !== undefined) {
    ctx.log.info({ reason: live }, 'the teacher runs on every batch');
    return { teacher };
  }
  try {
    await ctx.heartbeat();
    // On the succeeded teacher's run, which no worker claims any more: no fence.
    return {
      teacherLogits: await storeTeacherLogits(db, teacherRunId, teacher, data, {
        signal: ctx.signal,
      }),
    };
  } finally {
    teacher.dispose();
  }
}

export function createStudyRunUnit(opts: StudyRunUnitOptions): RunUnit {
  const { db } = opts;
  return async ({ run }, ctx) => {
    const spec = await readStudySpec(db, run.experimentId);
    const backend = await initBackend(
      opts.machineBackend === 'auto' ? spec.backend : opts.machineBackend,
      ctx.log,
    );
    // The rung actually chosen, so results say what they ran on.
    if (!(await recordRunBackend(db, run.id, run.worker, backend.name))) {
      // The claim was lost while the backend started (e.g. a slow GPU init): stop here.
      ctx.signal.throwIfAborted();
      throw new KdlensError(`run ${run.id} is no longer claimed by this worker`);
    }
    // Which convolution kernels wasm runs (native AVX2/AVX-512 or wasm), in the worker's log.
    if (backend.name === 'wasm') {
      ctx.log.info({ run: run.id, convKernels: nativeKernelsStatus() }, 'wasm convolution kernels');
    }
    // Generating or decoding data blocks the event loop; beat around it.
    await ctx.heartbeat();
    const data = await loadStudyData(spec, opts.dataRoots);
    await ctx.heartbeat();
    await ensureTestSet(db, run.experimentId, data);

    let soft: SoftTargets | undefined;
    const work = await mkdtemp(path.join(os.tmpdir(), 'kdlens-unit-'));
    try {
      if (run.role === 'distilled') {
        soft = await softTargets(db, run, spec, data, ctx);
        const outputs = 'teacher' in soft ? 'live' : 'cached';
        if (!(await recordRunTeacherOutputs(db, run.id, run.worker, outputs))) {
          ctx.signal.throwIfAborted();
          throw new KdlensError(`run ${run.id} is no longer claimed by this worker`);
        }
      }
      const checkpointDir = path.join(work, 'checkpoint');
      if (run.attempt > 1) {
        // Chunk by chunk into files: a large model's checkpoint is never whole in memory.
        const unpacker = createDirectoryUnpacker(checkpointDir);
        try {
          const found = await readRunArtifact(db, run.id, 'checkpoint', (c) => unpacker.write(c));
          if (found !== undefined) await unpacker.end();
        } finally {
          await unpacker.discard();
        }
      }
      return await train(spec, data, soft, checkpointDir, {
        work,
        db,
        run,
        ctx,
        dataRoots: opts.dataRoots,
      });
    } finally {
      if (soft !== undefined && 'teacher' in soft) soft.teacher.dispose();
      await rm(work, { recursive: true, force: true });
    }
  };
}

async function train(
  spec: ExperimentSpec,
  data: StudyData,
  soft: SoftTargets | undefined,
  checkpointDir: string,
  unit: {
    /** The unit's scratch folder (removed after it). */
    work: string;
    db: Database;
    run: Parameters<RunUnit>[0]['run'];
    ctx: UnitContext;
    dataRoots: readonly string[];
  },
): Promise<UnitResult> {
  const { db, run, ctx } = unit;
  const log: Logger = ctx.log;
  // Epoch rows and checkpoints are written behind the training loop, in order; a failed write
  // costs a resume point, not the run.
  let writes: Promise<void> = Promise.resolve();
  const later = (what: string, write: () => Promise<unknown>) => {
    writes = writes.then(write).then(
      () => {},
      (error: unknown) => log.warn({ err: error }, `could not store the ${what}`),
    );
  };
  const onEpoch = (m: EpochMetrics) => {
    // A copy made now, stored behind the loop: the next epoch rewrites checkpointDir.
    const snapshot = path.join(unit.work, `checkpoint-e${m.epoch}`);
    snapshotDirectorySync(checkpointDir, snapshot);
    later('epoch history', () =>
      recordEpoch(db, run.id, {
        epoch: m.epoch,
        loss: m.loss,
        trainAccuracy: m.trainAccuracy,
        evalAccuracy: m.evalAccuracy ?? null,
        imagesPerSec: m.imagesPerSec,
        seconds: m.seconds,
      }),
    );
    later('checkpoint', async () => {
      try {
        await writeRunArtifact(
          db,
          run.id,
          'checkpoint',
          directoryBundleChunks(snapshot),
          { epoch: m.epoch, attempt: run.attempt },
          { claim },
        );
      } finally {
        await rm(snapshot, { recursive: true, force: true });
      }
    });
  };

  // Every artifact this attempt stores is fenced by its claim (run-artifacts.ts).
  const claim = { worker: run.worker };
  const options = unitTrainOptions(spec, run, data);
  if (options.pretrained !== undefined) {
    // The weights are read from the real folder that passed the check, not through the link.
    const field = run.role === 'teacher' ? 'teacher.pretrained' : 'student.pretrained';
    const dir = await confineDataPath(options.pretrained.dir, unit.dataRoots, field);
    options.pretrained = { dir, within: ConfinedFiles.ofRealFolder(dir) };
  }
  // Where a unit's time goes besides training, in its 'unit results stored' log line.
  const seconds: Record<string, number> = {};
  let mark = performance.now();
  const lap = (phase: string) => {
    const now = performance.now();
    seconds[phase] = Math.round(now - mark) / 1000;
    mark = now;
  };
  const result = await trainUnit({
    ...options,
    ...soft,
    checkpointDir,
    resume: true,
    signal: ctx.signal,
    onEpoch,
    onProgress: (p) =>
      ctx.reportProgress({
        fraction: p.fraction,
        epoch: p.epoch,
        loss: p.loss,
        accuracy: p.accuracy,
        imagesPerSec: p.imagesPerSec,
        etaSeconds: p.etaSeconds,
      }),
  }).catch(async (error: unknown) => {
    // The queued writes read from the unit's folder, which is removed once this returns.
    await writes;
    throw error;
  });
  try {
    if (result.resumedFromEpoch > 0) {
      log.info({ resumedFromEpoch: result.resumedFromEpoch }, 'unit resumed from its checkpoint');
    }
    lap('trainAndEvaluate');
    await writes;
    lap('checkpointWrites');
    if (run.role === 'teacher') {
      // Before the results: saving them marks the teacher succeeded, which lets its students start.
      await storeTeacherWeights(db, run.id, result.model, options.architecture, claim);
      lap('teacherWeights');
      // Its students' soft targets, computed once here rather than on each of their batches.
      if (liveTeacherReason(spec, data) === undefined) {
        await storeTeacherLogits(db, run.id, result.model, data, { signal: ctx.signal, claim });
        lap('teacherLogits');
      }
      // The first teacher's test-set embedding, when the study measures individual fairness there.
      await storeTeacherEmbedding(db, run.experimentId, spec, result.features, log);
      lap('teacherEmbedding');
    }
    // A cancelled or lost unit must not record results over another attempt's.
    ctx.signal.throwIfAborted();
    await saveRunResults(
      db,
      run.id,
      {
        predicted: result.predictions,
        probabilities: result.probabilities,
        ...(result.features === undefined ? {} : { features: result.features }),
        trainSeconds: result.trainSeconds,
        imagesPerSec: result.imagesPerSec,
      },
      { studyOptions: studyOptions(spec), claim: { worker: run.worker } },
    );
    lap('saveResults');
    log.info(
      {
        accuracy: result.accuracy,
        trainSeconds: result.trainSeconds,
        imagesPerSec: result.imagesPerSec,
        seconds,
      },
      'unit results stored',
    );
    // saveRunResults wrote the run's summary and status itself.
    return {};
  } finally {
    result.model.dispose();
  }
}
