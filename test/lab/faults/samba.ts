/**
 * Temporary changes to the shared lab for fault tests, each with its undo: throwaway users (created,
 * disabled, deleted) and the domain's account-lockout threshold. samba-tool works on the running DC's
 * sam.ldb directly, as an administrator on a real DC would.
 */
import { randomBytes } from 'node:crypto';
import { run } from '../harness/exec.js';
import type { LabInfo } from '../lab-context.js';

const SAMBA_TOOL = 'samba-tool';

function target(lab: LabInfo): string[] {
  return ['-s', lab.smbConf, '-H', lab.samPath];
}

/** A password Samba's default complexity policy accepts. */
export function throwawayPassword(): string {
  return `Fa1-${randomBytes(12).toString('base64url')}`;
}

export async function createUser(lab: LabInfo, name: string, password: string): Promise<void> {
  // The password is on samba-tool's argv for a moment: a throwaway user in a loopback-only lab.
  await run(SAMBA_TOOL, ['user', 'create', name, password, '--use-username-as-cn', ...target(lab)], { label: `samba-tool user create ${name}` });
}

export async function disableUser(lab: LabInfo, name: string): Promise<void> {
  await run(SAMBA_TOOL, ['user', 'disable', name, ...target(lab)], { label: `samba-tool user disable ${name}` });
}

export async function deleteUser(lab: LabInfo, name: string): Promise<void> {
  await run(SAMBA_TOOL, ['user', 'delete', name, ...target(lab)], { label: `samba-tool user delete ${name}`, allowFailure: true });
}

export async function userExists(lab: LabInfo, name: string): Promise<boolean> {
  const r = await run(SAMBA_TOOL, ['user', 'show', name, ...target(lab)], { label: `samba-tool user show ${name}`, allowFailure: true });
  return r.code === 0;
}

export async function lockoutThreshold(lab: LabInfo): Promise<number> {
  const r = await run(SAMBA_TOOL, ['domain', 'passwordsettings', 'show', ...target(lab)], { label: 'samba-tool domain passwordsettings show' });
  const m = /Account lockout threshold \(attempts\):\s*(\d+)/.exec(r.stdout);
  if (!m) throw new Error(`no lockout threshold in: ${r.stdout}`);
  return Number(m[1]);
}

export async function setLockoutThreshold(lab: LabInfo, attempts: number): Promise<void> {
  await run(SAMBA_TOOL, ['domain', 'passwordsettings', 'set', `--account-lockout-threshold=${attempts}`, ...target(lab)], {
    label: 'samba-tool domain passwordsettings set',
  });
}
