import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Debian's Chromium through playwright-core. Outside CI a missing browser skips the suite with a
 * loud line; under CI=true it fails it.
 */
export async function launchBrowser(): Promise<Browser | undefined> {
  if (!existsSync(chromiumPath)) {
    if (process.env.CI === 'true') throw new Error(`no browser at ${chromiumPath}: install Debian's chromium`);
    console.warn(`\n!!! SKIPPING browser tests: no Chromium at ${chromiumPath} (apt-get install -y chromium)\n`);
    return undefined;
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}
