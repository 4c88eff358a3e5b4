/**
 * ldapsearch (OpenLDAP's client) against the lab: an independent witness of what the directory holds,
 * for lab tests and e2e suites that compare the project's collector with it.
 */
import { findExecutable, run, type RunResult } from './exec.js';
import { parseLdif, type LdifEntry } from './ldif.js';
import type { LabInfo } from './types.js';

export interface LdapSearchOptions {
  filter: string;
  attributes?: readonly string[];
  /** Defaults to the lab's ldap:// URL. */
  url?: string;
  /** Defaults to the lab's base DN. */
  base?: string;
  scope?: 'base' | 'one' | 'sub';
  /** PEM CA file for ldaps/StartTLS; omitted = no lab CA (verification still demanded). */
  caFile?: string;
  startTls?: boolean;
  /** Paged results (1000 per page, AD's MaxPageSize). */
  paged?: boolean;
  /** Another password file (wrong-password cases). */
  passwordFile?: string;
}

export function ldapSearchRaw(lab: LabInfo, options: LdapSearchOptions): Promise<RunResult> {
  const args = [
    '-LLL',
    '-x',
    '-o', 'ldif-wrap=no',
    '-H', options.url ?? lab.ldapUrl,
    '-D', lab.bindDn,
    '-y', options.passwordFile ?? lab.passwordFile,
    '-b', options.base ?? lab.baseDn,
    '-s', options.scope ?? 'sub',
  ];
  if (options.startTls) args.push('-ZZ');
  if (options.paged) args.push('-E', 'pr=1000/noprompt');
  args.push(options.filter, ...(options.attributes ?? []));
  const env: NodeJS.ProcessEnv = { ...process.env, LDAPTLS_REQCERT: 'demand' };
  delete env.LDAPTLS_CACERT;
  delete env.LDAPTLS_CACERTDIR;
  if (options.caFile) env.LDAPTLS_CACERT = options.caFile;
  return run(findExecutable('ldapsearch') ?? 'ldapsearch', args, { env, allowFailure: true, label: `ldapsearch ${options.filter}`, timeoutMs: 60_000 });
}

export async function ldapSearch(lab: LabInfo, options: LdapSearchOptions): Promise<LdifEntry[]> {
  const result = await ldapSearchRaw(lab, options);
  if (result.code !== 0) throw new Error(`ldapsearch ${options.filter} failed (exit ${result.code}): ${result.stderr.trim()}`);
  return parseLdif(result.stdout);
}
