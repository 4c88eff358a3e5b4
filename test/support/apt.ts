/**
 * Debian package installs for the suites that need a real server (Samba, Redmine, Chromium):
 * `apt-get update`, then `apt-get install --no-install-recommends`, non-interactive. Packages must not
 * start their daemons on all interfaces during the install: a policy-rc.d that says "no" (101) is in
 * place for the duration, unless the machine already has its own policy.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { run } from '../lab/harness/exec.js';

const POLICY_RC_D = '/usr/sbin/policy-rc.d';

export async function aptInstall(packages: readonly string[], who: string, log: (line: string) => void): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const ownPolicy = !existsSync(POLICY_RC_D);
  const removePolicy = () => {
    if (ownPolicy) rmSync(POLICY_RC_D, { force: true });
  };
  if (ownPolicy) writeFileSync(POLICY_RC_D, `#!/bin/sh\n# spnaudit ${who} install: start no daemons\nexit 101\n`, { mode: 0o755 });
  process.once('exit', removePolicy);
  try {
    log(`${who}: apt-get update`);
    await run('apt-get', ['update'], { env, timeoutMs: 600_000, label: 'apt-get update' });
    log(`${who}: apt-get install ${packages.join(' ')}`);
    await run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env, timeoutMs: 900_000, label: 'apt-get install' });
  } finally {
    removePolicy();
    process.removeListener('exit', removePolicy);
  }
}
