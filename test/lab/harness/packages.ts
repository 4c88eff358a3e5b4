/**
 * Making sure the Samba AD DC and its tools are on the machine. A fresh Debian CI box has none of them:
 * as root we install them; otherwise the caller decides between skipping (with a banner) and failing.
 */
import { existsSync } from 'node:fs';
import { findExecutable, LabError } from './exec.js';
import { aptInstall } from '../../support/apt.js';

export const LAB_PACKAGES = [
  'samba',
  'samba-ad-dc',
  'samba-ad-provision',
  'samba-dsdb-modules',
  'samba-vfs-modules',
  'winbind',
  'ldb-tools',
  'ldap-utils',
  'krb5-user',
  // Not in the list: the lab signs its own LDAPS certificate (with 127.0.0.1 in the SAN), and
  // openssl is not pulled in by Samba.
  'openssl',
] as const;

export const LAB_TOOLS = [
  'samba',
  'samba-tool',
  'ldbadd',
  'ldbmodify',
  'ldbsearch',
  'ldapsearch',
  'openssl',
  'kinit',
  'kvno',
] as const;
export type LabTool = (typeof LAB_TOOLS)[number];
export type LabTools = Record<LabTool, string>;

export const FORCE_MISSING_ENV = 'SPNAUDIT_LAB_FORCE_MISSING';

export type PackageCheck =
  | { ok: true; tools: LabTools; installedNow: boolean; ms: number }
  | { ok: false; reason: string };

function locateTools(): { tools: Partial<LabTools>; missing: LabTool[] } {
  const tools: Partial<LabTools> = {};
  const missing: LabTool[] = [];
  for (const tool of LAB_TOOLS) {
    const found = findExecutable(tool);
    if (found) tools[tool] = found;
    else missing.push(tool);
  }
  return { tools, missing };
}


export async function ensureLabPackages(log: (line: string) => void): Promise<PackageCheck> {
  const started = Date.now();
  if (process.env[FORCE_MISSING_ENV] === '1') {
    return { ok: false, reason: `${FORCE_MISSING_ENV}=1 (simulated missing lab)` };
  }
  if (process.platform !== 'linux') return { ok: false, reason: `the lab needs Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0) {
    return { ok: false, reason: 'the lab needs root: the Samba AD DC binds ports 88/389/636, and installing it needs apt-get' };
  }
  let { tools, missing } = locateTools();
  if (missing.length === 0) return { ok: true, tools: tools as LabTools, installedNow: false, ms: Date.now() - started };

  const missingText = `missing tools: ${missing.join(', ')}`;
  if (!existsSync('/etc/debian_version') || !findExecutable('apt-get')) {
    return { ok: false, reason: `${missingText}; automatic install needs Debian/Ubuntu with apt-get (or install: ${LAB_PACKAGES.join(' ')})` };
  }
  try {
    await aptInstall(LAB_PACKAGES, 'lab', log);
  } catch (error) {
    return { ok: false, reason: `${missingText}; install failed: ${(error as Error).message}` };
  }
  ({ tools, missing } = locateTools());
  if (missing.length > 0) {
    throw new LabError(`installed the lab packages but still missing: ${missing.join(', ')}`);
  }
  return { ok: true, tools: tools as LabTools, installedNow: true, ms: Date.now() - started };
}

/** For callers that need an already installed lab (scripts/lab.ts stop/status/seed-bulk). */
export function requireLabTools(): LabTools {
  const { tools, missing } = locateTools();
  if (missing.length > 0) throw new LabError(`missing lab tools: ${missing.join(', ')} (npx tsx scripts/lab.ts start installs them as root)`);
  return tools as LabTools;
}
