// Worker process of engine.bench.ts's multi-process line: one training unit per process, the
// way real runs use several cores. Forked with a JSON config as argv[2]; it warms up, says
// 'ready', trains when the parent says 'go' (so all workers overlap), reports, and exits.
import { initBackend } from '../src/engine/index.ts';
import { timedTraining } from './synthetic-training.ts';
import { goMessageSchema, type WorkerMessage, workerConfigSchema } from './worker-protocol.ts';

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) {
      reject(new Error('train-worker.ts must be started with child_process.fork'));
      return;
    }
    process.send(message, (err: Error | null) => (err ? reject(err) : resolve()));
  });
}

async function main(): Promise<void> {
  const config = workerConfigSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
  await initBackend(config.backend);
  // One step first: the wasm heap grows and kernels set up before the timed part.
  (await timedTraining(config.architecture, config.batch, 1, config.seed)).model.dispose();
  const go = new Promise<void>((resolve, reject) => {
    process.once('message', (m) => {
      if (goMessageSchema.safeParse(m).success) resolve();
      else reject(new Error(`expected {"type":"go"}, got ${JSON.stringify(m)}`));
    });
  });
  await send({ type: 'ready' });
  await go;
  const startedAt = performance.timeOrigin + performance.now();
  const run = await timedTraining(config.architecture, config.batch, config.steps, config.seed);
  const endedAt = performance.timeOrigin + performance.now();
  run.model.dispose();
  await send({ type: 'result', images: run.images, seconds: run.trainSeconds, startedAt, endedAt });
}

await main()
  .catch(async (err: unknown) => {
    await send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    process.exitCode = 1;
  })
  .finally(() => process.disconnect());
