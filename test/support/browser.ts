import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); playwright cannot download browsers here. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const haveChromium = existsSync(chromiumPath);

// KDLENS_SCREENSHOTS_DIR sends the screenshots to a folder of their own, so that
// `npm run docs:screenshots` (docs/screenshots.ts) takes only those this run wrote.
export const artifactsDir = process.env.KDLENS_SCREENSHOTS_DIR
  ? `${path.resolve(process.env.KDLENS_SCREENSHOTS_DIR)}${path.sep}`
  : fileURLToPath(new URL('../artifacts/', import.meta.url));

export async function launchChromium(): Promise<Browser> {
  await mkdir(artifactsDir, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // Without the networking flags Chromium keeps dialling Google's hosts on this closed network.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
