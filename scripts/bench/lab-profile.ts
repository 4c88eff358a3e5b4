/**
 * Profiles `spnaudit collect` against a lab holding the generated directory (for finding collector
 * hot spots; not part of npm run bench). Run under the machine-wide lab lock:
 *   flock /tmp/spnaudit-lab.lock npx tsx scripts/bench/lab-profile.ts ACCOUNTS PROFILE_DIR [RUNS]
 * Writes one .cpuprofile per run into PROFILE_DIR (summarise with profile-summary.mjs) and stops the lab.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWatchdog } from '../../test/lab/harness/daemon.js';
import { startLab, stopLab } from '../../test/lab/harness/lab.js';
import { ensureLabPackages } from '../../test/lab/harness/packages.js';
import { loadGenerated } from './lab-main.js';
import { runMeasured } from './measure.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const [accountsText = '20000', profileDir = '/tmp/spnaudit-collect-profile', runsText = '2'] = process.argv.slice(2);
const log = (line: string) => process.stderr.write(`profile(lab): ${line}\n`);

const packages = await ensureLabPackages(log);
if (!packages.ok) throw new Error(packages.reason);
let lab = (await startLab(packages.tools, { log })).lab;
startWatchdog(process.pid, lab.pid, lab.targetDir, false);
try {
  lab = (await loadGenerated(lab, packages.tools, { accounts: Number(accountsText), servers: 0 })).lab;
  mkdirSync(profileDir, { recursive: true });
  for (let r = 0; r < Number(runsText); r += 1) {
    const s = await runMeasured(process.execPath, [
      '--cpu-prof', `--cpu-prof-dir=${profileDir}`,
      path.join(ROOT, 'dist/cli/main.js'), 'collect', '--url', lab.ldapUrl, '--bind-dn', lab.bindDn, '--password-file', lab.passwordFile, '--out', path.join(profileDir, 'snapshot.json'),
    ]);
    log(`run ${r + 1}: ${(s.wallMs / 1000).toFixed(2)} s exit ${s.code} ${s.stdout.trim()}`);
  }
} finally {
  await stopLab(lab);
  log('lab stopped');
}
