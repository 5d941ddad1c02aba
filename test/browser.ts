import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether Debian's Chromium is here for the browser suites. Call it at the top of a test file and
 * wrap the suites in `describe.skipIf(!browser)`: outside CI a missing browser skips them with a
 * loud line; under CI=true it fails the file.
 */
export function browserAvailable(): boolean {
  if (existsSync(chromiumPath)) return true;
  if (process.env.CI === 'true') throw new Error(`no browser at ${chromiumPath}: install Debian's chromium`);
  console.warn(`\n!!! SKIPPING browser tests: no Chromium at ${chromiumPath} (apt-get install -y chromium)\n`);
  return false;
}

/** Debian's Chromium through playwright-core; the caller closes it. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}
