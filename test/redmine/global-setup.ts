/**
 * vitest globalSetup for the `redmine` project: one private Redmine 5 (Debian) instance per test run,
 * always stopped by its pid file and removed. No Redmine (not Linux / not root and not installed /
 * install failed) → loud banner and `redmine: null`, so the suites skip — except under CI=true, where
 * that fails the run. A Redmine that is installed but cannot start is always a failure.
 */
import type { TestProject } from 'vitest/node';
import { groupAlive, startWatchdog } from '../lab/harness/daemon.js';
import { ensureRedminePackages, FORCE_MISSING_ENV } from './harness/packages.js';
import { handleUnavailable } from '../support/unavailable.js';
import { createInstance, KEEP_ENV, removeInstance, startServer, stopServer, stopServerSync, type RedmineInfo } from './harness/server.js';

const log = (line: string) => process.stderr.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const started = Date.now();
  const packages = await ensureRedminePackages(log);
  if (!packages.ok) {
    handleUnavailable({
      what: 'REDMINE',
      suites: 'THE REDMINE TICKET SUITES',
      reason: packages.reason,
      needs: 'The suite needs Debian/Ubuntu and root to install it (redmine redmine-sqlite ruby-webrick).',
      forceEnv: FORCE_MISSING_ENV,
    }, log);
    project.provide('redmine', null);
    return undefined;
  }
  if (packages.installedNow) log(`redmine: packages installed in ${seconds(packages.ms)}`);
  const keep = process.env[KEEP_ENV] === '1';
  const { info: base, timings } = await createInstance(packages.tools, log);
  let info: RedmineInfo;
  try {
    info = await startServer(packages.tools, base);
  } catch (error) {
    if (!keep) removeInstance(base);
    throw error;
  }
  log(`redmine: ready in ${seconds(Date.now() - started)} (migrate ${seconds(timings.migrateMs)}, seed ${seconds(timings.seedMs)}) — pid ${info.pid}, ${info.url}, ${info.dir}`);

  // Whatever happens to this process, the server must not outlive the run.
  let stopped = false;
  const onExit = () => {
    if (stopped) return;
    stopped = true;
    stopServerSync(info);
    if (!keep) removeInstance(info);
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
  // Exit handlers do not run when vitest is SIGKILLed: the lab's watchdog stops the server's process group
  // (WEBrick was started detached, so its pid leads its group) and removes the instance directory then.
  if (groupAlive(info.pid)) startWatchdog(process.pid, info.pid, info.dir, keep);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

  project.provide('redmine', info);
  return async () => {
    removeHandlers();
    if (stopped) return;
    stopped = true;
    const t = Date.now();
    try {
      await stopServer(info);
    } finally {
      if (!keep) removeInstance(info);
    }
    log(`redmine: stopped in ${seconds(Date.now() - t)}${keep ? `, kept ${info.dir} (${KEEP_ENV}=1)` : ''}`);
  };
}
