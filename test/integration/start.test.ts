import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startCli } from '../support/cli.ts';
import { freePort } from '../support/free-port.ts';
import { graphql } from '../support/graphql.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** Each experiment's name and its runs' statuses, through the API. */
async function runStatuses(apiPort: number): Promise<[string, string[]][]> {
  const data = await graphql<{
    experiments: { edges: { node: { name: string; runs: { status: string }[] } }[] };
  }>(
    `http://127.0.0.1:${apiPort}/graphql`,
    '{ experiments { edges { node { name runs { status } } } } }',
  );
  return data.experiments.edges.map(({ node: e }) => [e.name, e.runs.map((r) => r.status)]);
}

// What a new user gets from `npm start`: no DATABASE_URL, so an embedded server in KDLENS_HOME.
it('`kdlens start` trains the demo, serves API and web, and Ctrl-C stops everything', async () => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'kdlens-start-'));
  dirs.push(home);
  const apiPort = await freePort();
  const webPort = await freePort();
  // The demo preset trains 15 units for minutes; the same path with a 3-unit spec keeps this
  // test short (presets/demo.yaml itself is checked by \`kdlens spec validate\`'s tests).
  const demoSpec = path.join(home, 'demo.yaml');
  await writeFile(
    demoSpec,
    `name: demo
dataset:
  name: trifeature
  imageSize: 16
  generator: { trainCount: 128, testCount: 64 }
teacher: { architecture: mlp, epochs: 1, batchSize: 32, learningRate: 0.003, options: { hidden: [16] } }
student: { architecture: mlp, epochs: 1, batchSize: 32, learningRate: 0.003, options: { hidden: [8] } }
kd: { temperatures: [4] }
seeds: 1
backend: wasm
`,
  );
  const app = await startCli(
    ['start', '--demo-spec', demoSpec],
    { KDLENS_HOME: home, KDLENS_API_PORT: String(apiPort), KDLENS_WEB_PORT: String(webPort) },
    /Ctrl-C stops/,
  );
  expect(app.output()).toContain(`open http://127.0.0.1:${webPort}`);
  expect(app.output()).toContain('demo study trained (3 runs)');

  expect(await runStatuses(apiPort)).toEqual([['demo', ['succeeded', 'succeeded', 'succeeded']]]);
  const html = await (await fetch(`http://127.0.0.1:${webPort}/`)).text();
  expect(html.match(/data-testid="run-row"/g)).toHaveLength(3);

  const pidFile = path.join(home, 'postgres', 'postmaster.pid');
  expect(existsSync(pidFile)).toBe(true);
  app.child.kill('SIGINT');
  const code = await app.exited;
  expect(code, app.output()).toBe(130); // 128 + SIGINT, the shell convention for Ctrl-C
  expect(existsSync(pidFile)).toBe(false);
  await expect(fetch(`http://127.0.0.1:${apiPort}/healthz`)).rejects.toThrow();
  await expect(fetch(`http://127.0.0.1:${webPort}/`)).rejects.toThrow();

  // A second start finds the study in the warehouse and trains nothing.
  const again = await startCli(
    ['start', '--demo-spec', demoSpec],
    { KDLENS_HOME: home, KDLENS_API_PORT: String(apiPort), KDLENS_WEB_PORT: String(webPort) },
    /Ctrl-C stops/,
  );
  expect(again.output()).not.toContain('demo study trained');
  again.child.kill('SIGINT');
  expect(await again.exited).toBe(130);

  // The preset changed since (a new release): the stored study stays as it was, nothing trains,
  // and the output says how to train the new version.
  await writeFile(
    demoSpec,
    (await readFile(demoSpec, 'utf8')).replace(
      'kd: { temperatures: [4] }',
      'kd: { temperatures: [2] }',
    ),
  );
  const changed = await startCli(
    ['start', '--demo-spec', demoSpec],
    { KDLENS_HOME: home, KDLENS_API_PORT: String(apiPort), KDLENS_WEB_PORT: String(webPort) },
    /Ctrl-C stops/,
  );
  expect(changed.output()).toContain(
    `the warehouse's "demo" study was recorded from a different spec (an earlier version of this one, or another study of that name); it is kept as it is and nothing was trained. To train this spec, give it another name, or delete the stored study (npx kdlens experiments delete demo, which asks first) and run this command again`,
  );
  expect(await runStatuses(apiPort)).toEqual([['demo', ['succeeded', 'succeeded', 'succeeded']]]);
  expect(changed.output()).not.toContain('demo study trained');
  expect(changed.output()).not.toContain('the demo study failed');
  changed.child.kill('SIGINT');
  expect(await changed.exited).toBe(130);
});

it('`kdlens start` names the busy port', async () => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'kdlens-start-'));
  dirs.push(home);
  const net = await import('node:net');
  const blocker = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => blocker.once('listening', r));
  const address = blocker.address();
  const busy = typeof address === 'object' && address ? address.port : 0;
  const { runCli } = await import('../support/cli.ts');
  const result = await runCli(['start'], {
    KDLENS_HOME: home,
    KDLENS_API_PORT: String(busy),
    KDLENS_WEB_PORT: String(await freePort()),
  });
  blocker.close();
  expect(result.code).toBe(1);
  expect(result.stderr.trim().split('\n').at(-1)).toBe(
    `kdlens: port ${busy} on 127.0.0.1 is already in use: stop what uses it or set KDLENS_API_PORT`,
  );
  expect(existsSync(path.join(home, 'postgres', 'postmaster.pid'))).toBe(false);
});
