/**
 * Making sure Debian's Redmine 5 is on the machine. A fresh Debian CI box has none of it: as root we
 * install it (no debconf prompt, no database created by the package); otherwise the caller decides
 * between skipping (with a banner) and failing.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { findExecutable } from '../../lab/harness/exec.js';
import { aptInstall } from '../../support/apt.js';

export const REDMINE_PACKAGES = ['redmine', 'redmine-sqlite', 'ruby-webrick'] as const;
export const REDMINE_HOME = '/usr/share/redmine';
export const FORCE_MISSING_ENV = 'SPNAUDIT_REDMINE_FORCE_MISSING';

export interface RedmineTools {
  ruby: string;
  bundle: string;
}

export type PackageCheck =
  | { ok: true; tools: RedmineTools; installedNow: boolean; ms: number }
  | { ok: false; reason: string };

function locate(): { tools: RedmineTools | null; missing: string[] } {
  const ruby = findExecutable('ruby');
  const bundle = findExecutable('bundle');
  const missing: string[] = [];
  if (!ruby) missing.push('ruby');
  if (!bundle) missing.push('bundle');
  if (!existsSync(`${REDMINE_HOME}/Gemfile`)) missing.push(`${REDMINE_HOME}/Gemfile`);
  // WEBrick left Ruby's default gems in 3.0; Debian's Redmine bundle has no app server of its own.
  if (!hasWebrick()) missing.push('ruby-webrick');
  return { tools: ruby && bundle && missing.length === 0 ? { ruby, bundle } : null, missing };
}

const GEMSPECS = '/usr/share/rubygems-integration/all/specifications';

function hasWebrick(): boolean {
  return existsSync(GEMSPECS) && readdirSync(GEMSPECS).some((f) => /^webrick-[\d.]+\.gemspec$/.test(f));
}

const DBCONFIG_DIR = '/etc/dbconfig-common/redmine/instances';

/**
 * dbconfig-common asks about a database unless told not to; a debconf preseed breaks after a purge, the
 * instance config file does not. The package then creates no database: the harness migrates its own.
 */
function writeDbconfig(): void {
  mkdirSync(DBCONFIG_DIR, { recursive: true });
  const file = `${DBCONFIG_DIR}/default.conf`;
  if (existsSync(file)) return;
  writeFileSync(file, "dbc_install='false'\ndbc_upgrade='false'\ndbc_remove='false'\ndbc_dbtype='sqlite3'\n", { mode: 0o600 });
}


export async function ensureRedminePackages(log: (line: string) => void): Promise<PackageCheck> {
  const started = Date.now();
  if (process.env[FORCE_MISSING_ENV] === '1') return { ok: false, reason: `${FORCE_MISSING_ENV}=1 (simulated missing Redmine)` };
  if (process.platform !== 'linux') return { ok: false, reason: `the Redmine suite needs Linux (this is ${process.platform})` };
  let found = locate();
  if (found.tools) return { ok: true, tools: found.tools, installedNow: false, ms: Date.now() - started };
  const missingText = `missing: ${found.missing.join(', ')}`;
  if (process.getuid?.() !== 0) return { ok: false, reason: `${missingText}; installing Redmine needs root (apt-get)` };
  if (!existsSync('/etc/debian_version') || !findExecutable('apt-get')) {
    return { ok: false, reason: `${missingText}; automatic install needs Debian/Ubuntu with apt-get (or install: ${REDMINE_PACKAGES.join(' ')})` };
  }
  try {
    writeDbconfig();
    await aptInstall(REDMINE_PACKAGES, 'redmine', log);
  } catch (error) {
    return { ok: false, reason: `${missingText}; install failed: ${(error as Error).message}` };
  }
  found = locate();
  if (!found.tools) return { ok: false, reason: `installed ${REDMINE_PACKAGES.join(' ')} but still missing: ${found.missing.join(', ')}` };
  return { ok: true, tools: found.tools, installedNow: true, ms: Date.now() - started };
}
