/**
 * Throwaway hostile accounts on the shared lab, written over LDAP (ldapmodify as Administrator, the way
 * a delegated admin or a machine-account creator would), all under one OU so the cleanup is one
 * subtree delete. Every write reports whether Samba accepted it and, if not, the LDAP result it gave.
 */
import { findExecutable, run } from '../harness/exec.js';
import { ldifAdd, ldifLine, ldifModify } from '../harness/ldif.js';
import type { LabInfo } from '../lab-context.js';

export const HOSTILE_OU = 'OU=SpnauditHostile';

export function hostileOuDn(lab: LabInfo): string {
  return `${HOSTILE_OU},${lab.baseDn}`;
}

/** userAccountControl NORMAL_ACCOUNT | PASSWD_NOTREQD: an enabled user Samba accepts without a password. */
export const HOSTILE_UAC = 0x200 | 0x20;

export interface WriteResult {
  ok: boolean;
  /** ldapmodify's diagnostic for a refusal, e.g. "Constraint violation (19)". */
  refusal: string | null;
}

function ldapArgs(lab: LabInfo): string[] {
  return ['-x', '-H', lab.ldapUrl, '-D', lab.bindDn, '-y', lab.passwordFile];
}

/** The LDAP result line ldapmodify prints for a failed operation, without the changing details. */
function refusalOf(stderr: string): string {
  const result = /ldap_\w+: (.+?)(?:\n|$)/.exec(stderr)?.[1] ?? stderr.trim().split('\n')[0] ?? 'failed';
  return result.replace(/\s+/g, ' ').trim();
}

export async function ldapModify(lab: LabInfo, ldif: string, label: string, add = false): Promise<WriteResult> {
  const tool = findExecutable('ldapmodify') ?? 'ldapmodify';
  const r = await run(tool, [...ldapArgs(lab), ...(add ? ['-a'] : [])], { input: ldif, allowFailure: true, label, timeoutMs: 600_000 });
  return r.code === 0 ? { ok: true, refusal: null } : { ok: false, refusal: refusalOf(r.stderr) };
}

export function createOu(lab: LabInfo): Promise<WriteResult> {
  return ldapModify(lab, ldifAdd(hostileOuDn(lab), { objectClass: ['top', 'organizationalUnit'], ou: HOSTILE_OU.slice(3) }), 'ldapadd hostile OU', true);
}

export function userDn(lab: LabInfo, cn: string): string {
  return `CN=${cn},${hostileOuDn(lab)}`;
}

/** A user with this sAMAccountName (and description, when given); CN is a tame tag. */
export function addUser(lab: LabInfo, cn: string, sam: string, description: string | null): Promise<WriteResult> {
  const attrs: Record<string, string | string[]> = {
    objectClass: ['top', 'person', 'organizationalPerson', 'user'],
    cn,
    sAMAccountName: sam,
    userAccountControl: String(HOSTILE_UAC),
  };
  if (description !== null) attrs.description = description;
  return ldapModify(lab, ldifAdd(userDn(lab, cn), attrs), `ldapadd ${cn}`, true);
}

export function addSpns(lab: LabInfo, cn: string, spns: readonly string[]): Promise<WriteResult> {
  return ldapModify(lab, ldifModify(userDn(lab, cn), [{ op: 'add', attribute: 'servicePrincipalName', values: spns }]), `ldapmodify ${cn} +${spns.length} SPN`);
}

/** Removes the OU and everything in it (ldapdelete -r); true when nothing is left. */
export async function deleteHostileOu(lab: LabInfo): Promise<void> {
  const tool = findExecutable('ldapdelete') ?? 'ldapdelete';
  await run(tool, [...ldapArgs(lab), '-r', hostileOuDn(lab)], { allowFailure: true, label: 'ldapdelete -r hostile OU', timeoutMs: 600_000 });
}

/** For the record in docs: an LDIF line as ldapmodify receives it (base64 for anything unsafe). */
export { ldifLine };
