/**
 * vitest globalSetup for the `lab` project: one Samba AD DC per test run, shared by every lab suite,
 * always torn down. No lab (not root / not Debian / install failed) → loud banner and `lab: null`, so the
 * suites skip — except under CI=true, where a missing lab fails the run. A lab that cannot start when
 * the packages are there is always a failure.
 */
import type { TestProject } from 'vitest/node';
import { startWatchdog } from './harness/daemon.js';
import { LabError } from './harness/exec.js';
import { KEEP_ENV, startLab, stopLab, stopLabSync } from './harness/lab.js';
import { ensureLabPackages, FORCE_MISSING_ENV } from './harness/packages.js';
import type { LabInfo } from './harness/types.js';
import { handleUnavailable } from '../support/unavailable.js';

const log = (line: string) => process.stderr.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const started = Date.now();
  const packages = await ensureLabPackages(log);
  if (!packages.ok) {
    handleUnavailable({
      what: 'SAMBA LAB',
      suites: 'THE LAB SUITES',
      reason: packages.reason,
      needs: 'The lab needs Debian/Ubuntu and root (it installs samba, ldb-tools, ldap-utils, krb5-user, openssl).',
      forceEnv: FORCE_MISSING_ENV,
      error: (m) => new LabError(m),
    }, log);
    project.provide('lab', null);
    return undefined;
  }
  if (packages.installedNow) log(`lab: packages installed in ${seconds(packages.ms)}`);

  const keep = process.env[KEEP_ENV] === '1';
  const { lab, timings } = await startLab(packages.tools, { log, keepOnFailure: keep });
  log(
    `lab: ready in ${seconds(Date.now() - started)} (provision ${seconds(timings.provisionMs)}, config+TLS ${seconds(timings.configMs)}, ` +
      `accounts ${seconds(timings.accountsMs)}, attributes ${seconds(timings.attributesMs)}, duplicates ${seconds(timings.duplicatesMs)}, ` +
      `samba start ${seconds(timings.startMs)}) — pid ${lab.pid}, ${lab.targetDir}`,
  );

  // Whatever happens to this process (a crash, Ctrl-C, a worker bug), samba must not outlive the run.
  let stopped = false;
  const onExit = () => {
    if (stopped) return;
    stopped = true;
    stopLabSync(lab, { keepDir: keep });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    onExit();
    removeHandlers();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const removeHandlers = () => {
    process.removeListener('exit', onExit);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(signal, onSignal);
  };
  process.on('exit', onExit);
  startWatchdog(process.pid, lab.pid, lab.targetDir, keep);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

  project.provide('lab', lab satisfies LabInfo);

  return async () => {
    removeHandlers();
    if (stopped) return;
    stopped = true;
    const t = Date.now();
    try {
      await stopLab(lab, { keepDir: keep });
    } catch (error) {
      stopLabSync(lab, { keepDir: keep });
      throw error;
    }
    log(`lab: stopped in ${seconds(Date.now() - t)}${keep ? `, kept ${lab.targetDir} (${KEEP_ENV}=1)` : ''}`);
  };
}
