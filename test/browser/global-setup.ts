/**
 * vitest globalSetup for the `browser` project: makes sure Debian's `chromium` is installed, the way
 * the lab installs Samba (test/lab/harness/packages.ts): as root on Debian/Ubuntu, `apt-get update`
 * then `apt-get install`. No browser and no way to install one → loud banner and `chromium: null`,
 * so the suites skip — except under CI=true, where that fails the run. A browser that is installed
 * but does not start is always a failure (the test's launch throws).
 */
import { accessSync, constants, existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { findExecutable } from '../lab/harness/exec.js';
import { CHROMIUM_PATH } from './chromium.js';
import { handleUnavailable } from '../support/unavailable.js';
import { aptInstall } from '../support/apt.js';

/** chromium itself, and a font so the screenshot shows text rather than boxes on a bare image. */
export const BROWSER_PACKAGES = ['chromium', 'fonts-dejavu-core'] as const;
export const FORCE_MISSING_ENV = 'SPNAUDIT_BROWSER_FORCE_MISSING';

const log = (line: string) => process.stderr.write(`${line}\n`);

type BrowserCheck = { ok: true; path: string; installedNow: boolean; ms: number } | { ok: false; reason: string };

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function ensureChromium(): Promise<BrowserCheck> {
  const started = Date.now();
  if (process.env[FORCE_MISSING_ENV] === '1') return { ok: false, reason: `${FORCE_MISSING_ENV}=1 (simulated missing browser)` };
  if (executable(CHROMIUM_PATH)) return { ok: true, path: CHROMIUM_PATH, installedNow: false, ms: Date.now() - started };
  const missing = `${CHROMIUM_PATH} is missing`;
  if (process.platform !== 'linux') return { ok: false, reason: `${missing}; the browser test needs Linux (this is ${process.platform})` };
  if (!existsSync('/etc/debian_version') || !findExecutable('apt-get')) {
    return { ok: false, reason: `${missing}; automatic install needs Debian/Ubuntu with apt-get (or install: ${BROWSER_PACKAGES.join(' ')})` };
  }
  if (process.getuid?.() !== 0) return { ok: false, reason: `${missing}; installing it needs root (apt-get install ${BROWSER_PACKAGES.join(' ')})` };
  try {
    await aptInstall(BROWSER_PACKAGES, 'browser', log);
  } catch (error) {
    return { ok: false, reason: `${missing}; install failed: ${(error as Error).message}` };
  }
  if (!executable(CHROMIUM_PATH)) throw new Error(`installed ${BROWSER_PACKAGES.join(' ')} but ${CHROMIUM_PATH} is still missing`);
  return { ok: true, path: CHROMIUM_PATH, installedNow: true, ms: Date.now() - started };
}

export default async function setup(project: TestProject): Promise<void> {
  const check = await ensureChromium();
  if (!check.ok) {
    handleUnavailable({
      what: 'CHROMIUM',
      suites: 'THE BROWSER SUITES',
      reason: check.reason,
      needs: `They need Debian/Ubuntu and root to install it (apt-get install ${BROWSER_PACKAGES.join(' ')}).`,
      forceEnv: FORCE_MISSING_ENV,
    }, log);
    project.provide('chromium', null);
    return;
  }
  if (check.installedNow) log(`browser: chromium installed in ${(check.ms / 1000).toFixed(1)} s`);
  project.provide('chromium', check.path);
}
