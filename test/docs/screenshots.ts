/**
 * `npm run docs:screenshots`: runs the web app's browser tests (integration/web-pages.test.ts,
 * a real API and web app over a seeded study, and integration/web-run-curves.test.ts for the
 * learning-curve comparison in the dark theme) with KDLENS_SCREENSHOTS_DIR set to a fresh folder,
 * then writes the pages the docs show to docs/images/: cropped to the top of the page and
 * palette-compressed, so the committed PNGs stay small. Needs the built web app
 * (`npm run build -w @kdlens/web`, which the npm script runs first), Chromium, and
 * TEST_DATABASE_URL or an embedded PostgreSQL, as the test does.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const testDir = fileURLToPath(new URL('../', import.meta.url));
const imagesDir = fileURLToPath(new URL('../../docs/images/', import.meta.url));

/** The test's screenshot → the docs image. */
const pages: Record<string, string> = {
  'web-overview.png': 'overview.png',
  'web-classes.png': 'classes.png',
  'web-groups.png': 'groups.png',
  'web-runs.png': 'runs.png',
  'web-launch.png': 'launch.png',
  'web-runs-curves-dark.png': 'runs-dark.png',
};
const tests = ['integration/web-pages.test.ts', 'integration/web-run-curves.test.ts'];
// The test's viewport is 1280 px wide; the docs show the first screenful and a half at most.
const WIDTH = 1280;
const MAX_HEIGHT = 1400;

const shots = await mkdtemp(path.join(tmpdir(), 'kdlens-screenshots-'));
try {
  const run = spawnSync('npx', ['vitest', 'run', ...tests], {
    cwd: testDir,
    stdio: 'inherit',
    // CI makes the test fail rather than skip when Chromium is missing: no silent empty run.
    env: { ...process.env, KDLENS_SCREENSHOTS_DIR: shots, CI: process.env.CI ?? '1' },
  });
  if (run.status !== 0) {
    throw new Error(`${tests.join(' or ')} failed (exit ${run.status}); no image written`);
  }
  let total = 0;
  for (const [source, target] of Object.entries(pages)) {
    const from = path.join(shots, source);
    const image = sharp(from);
    const { width = WIDTH, height = MAX_HEIGHT } = await image.metadata();
    const to = path.join(imagesDir, target);
    await image
      .extract({ left: 0, top: 0, width, height: Math.min(height, MAX_HEIGHT) })
      .resize({ width: Math.min(width, WIDTH) })
      .png({ palette: true, colours: 128, compressionLevel: 9, effort: 10 })
      .toFile(to);
    const size = (await stat(to)).size;
    total += size;
    process.stderr.write(`wrote docs/images/${target} (${Math.round(size / 1024)} KiB)\n`);
  }
  process.stderr.write(`docs/images: ${Math.round(total / 1024)} KiB in all\n`);
} finally {
  await rm(shots, { recursive: true, force: true });
}
