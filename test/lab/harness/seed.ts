/**
 * Seeding the scenario offline (daemon stopped): samba-tool for accounts (real keys, random passwords),
 * one ldbmodify through the full DSDB stack for attributes, then a raw partition write for the SPNs
 * Samba refuses as duplicates.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LabError, run } from './exec.js';
import { ldifAdd, ldifModify, parseLdif, values, type LdifOp } from './ldif.js';
import type { LabPaths } from './provision.js';
import type { LabTools } from './packages.js';
import { LAB_BASE_DN, SCENARIO, scenarioDn, type ScenarioAccount } from '../scenario.js';

export interface SeedTimings {
  accountsMs: number;
  attributesMs: number;
  duplicatesMs: number;
}

/** Runs ldbmodify/ldbadd with the lab's smb.conf, LDIF from a file kept in the lab dir for post-mortems. */
export async function ldbApply(
  tools: LabTools,
  paths: LabPaths,
  tool: 'ldbmodify' | 'ldbadd',
  url: string,
  ldif: string,
  fileName: string,
  extraArgs: string[] = [],
): Promise<void> {
  const file = path.join(paths.dir, 'seed', fileName);
  writeFileSync(file, ldif);
  await run(tools[tool], ['-H', url, `--configfile=${paths.smbConf}`, ...extraArgs, file], {
    label: `${tool} ${fileName}`,
    timeoutMs: 900_000,
  });
}

async function sidsByName(tools: LabTools, paths: LabPaths, names: readonly string[]): Promise<Map<string, string>> {
  if (names.length === 0) return new Map();
  const filter = `(|${names.map((n) => `(sAMAccountName=${n})`).join('')})`;
  const { stdout } = await run(tools.ldbsearch, ['-H', paths.samPath, `--configfile=${paths.smbConf}`, filter, 'sAMAccountName', 'objectSid'], {
    label: 'ldbsearch objectSid',
  });
  const sids = new Map<string, string>();
  for (const entry of parseLdif(stdout)) {
    const name = values(entry, 'sAMAccountName')[0];
    const sid = values(entry, 'objectSid')[0];
    if (name && sid) sids.set(name.toLowerCase(), sid);
  }
  for (const name of names) if (!sids.has(name.toLowerCase())) throw new LabError(`seed: no objectSid for ${name}`);
  return sids;
}

/** Which SPNs go through the DSDB (first holder in scenario order) and which need the raw write. */
export function splitDuplicates(accounts: readonly ScenarioAccount[]): {
  normal: Map<ScenarioAccount, string[]>;
  raw: Map<ScenarioAccount, string[]>;
} {
  const seen = new Set<string>();
  const normal = new Map<ScenarioAccount, string[]>();
  const raw = new Map<ScenarioAccount, string[]>();
  for (const account of accounts) {
    for (const spn of account.spns) {
      const key = spn.toLowerCase();
      const target = seen.has(key) ? raw : normal;
      target.set(account, [...(target.get(account) ?? []), spn]);
      seen.add(key);
    }
  }
  return { normal, raw };
}

function attributeOps(account: ScenarioAccount, spns: readonly string[]): LdifOp[] {
  const ops: LdifOp[] = [];
  // dNSHostName first: Samba rewrites HOST SPNs when the host name changes, the SPN replace then wins.
  if (account.dnsHostName) ops.push({ op: 'replace', attribute: 'dNSHostName', values: [account.dnsHostName] });
  ops.push({ op: 'replace', attribute: 'servicePrincipalName', values: spns });
  ops.push({ op: 'replace', attribute: 'userAccountControl', values: [String(account.uac)] });
  if (account.enctypes !== null) ops.push({ op: 'replace', attribute: 'msDS-SupportedEncryptionTypes', values: [String(account.enctypes)] });
  if (account.delegation.allowedToDelegateTo.length > 0) {
    ops.push({ op: 'replace', attribute: 'msDS-AllowedToDelegateTo', values: account.delegation.allowedToDelegateTo });
  }
  return ops;
}

/**
 * A gMSA as Windows makes it. Samba 4.17 stores the object (the schema has the class) but implements no
 * KDS root key and no msDS-ManagedPassword: it exists for the directory's shape, not for logons.
 */
function gmsaAdd(account: ScenarioAccount, spns: readonly string[], readerSids: readonly string[]): string {
  const attributes: Record<string, string | readonly string[]> = {
    objectClass: 'msDS-GroupManagedServiceAccount',
    sAMAccountName: account.name,
    userAccountControl: String(account.uac),
    'msDS-ManagedPasswordInterval': '30',
  };
  if (account.dnsHostName) attributes.dNSHostName = account.dnsHostName;
  if (spns.length > 0) attributes.servicePrincipalName = spns;
  if (account.enctypes !== null) attributes['msDS-SupportedEncryptionTypes'] = String(account.enctypes);
  if (readerSids.length > 0) {
    // Owner BUILTIN\Administrators, full control for each reader: what Set-ADServiceAccount writes.
    attributes['msDS-GroupMSAMembership'] = `O:S-1-5-32-544D:${readerSids.map((sid) => `(A;;0xf01ff;;;${sid})`).join('')}`;
  }
  return ldifAdd(scenarioDn(account), attributes);
}

export async function seedScenario(
  paths: LabPaths,
  tools: LabTools,
  accounts: readonly ScenarioAccount[] = SCENARIO,
): Promise<SeedTimings> {
  const samArgs = ['-s', paths.smbConf, '-H', paths.samPath];
  mkdirSync(path.join(paths.dir, 'seed'), { recursive: true });

  let t = Date.now();
  for (const account of accounts) {
    if (account.kind === 'user') {
      await run(tools['samba-tool'], ['user', 'create', account.name, '--random-password', '--use-username-as-cn', ...samArgs], {
        label: `samba-tool user create ${account.name}`,
      });
    } else if (account.kind === 'computer') {
      // --prepare-oldjoin: enabled, with keys; plain `computer create` makes a disabled account.
      await run(tools['samba-tool'], ['computer', 'create', account.name.replace(/\$$/, ''), '--prepare-oldjoin', ...samArgs], {
        label: `samba-tool computer create ${account.name}`,
      });
    }
  }
  const accountsMs = Date.now() - t;

  t = Date.now();
  const { normal, raw } = splitDuplicates(accounts);
  const readers = [...new Set(accounts.flatMap((a) => a.gmsaPasswordReaders))];
  const sids = await sidsByName(tools, paths, readers);
  let ldif = '';
  for (const account of accounts) {
    const spns = normal.get(account) ?? [];
    if (account.kind === 'gmsa') {
      ldif += gmsaAdd(account, spns, account.gmsaPasswordReaders.map((r) => sids.get(r.toLowerCase())!));
    } else if (account.kind === 'user' || account.kind === 'computer') {
      ldif += ldifModify(scenarioDn(account), attributeOps(account, spns));
    } else {
      throw new LabError(`seed: account kind ${account.kind} (${account.name}) is not supported by the lab`);
    }
  }
  const groups = new Map<string, string[]>();
  for (const account of accounts) for (const group of account.memberOf) groups.set(group, [...(groups.get(group) ?? []), scenarioDn(account)]);
  for (const [group, members] of groups) {
    ldif += ldifModify(`CN=${group},CN=Users,${LAB_BASE_DN}`, [{ op: 'add', attribute: 'member', values: members }]);
  }
  await ldbApply(tools, paths, 'ldbmodify', paths.samPath, ldif, 'scenario.ldif');
  const attributesMs = Date.now() - t;

  t = Date.now();
  let rawLdif = '';
  for (const [account, spns] of raw) {
    rawLdif += ldifModify(scenarioDn(account), [{ op: 'add', attribute: 'servicePrincipalName', values: spns }]);
  }
  // The DSDB refuses duplicate SPNs on every path (LDAP, samba-tool, sam.ldb with relax); the raw partition
  // takes them, as replication from an old DC would have.
  if (rawLdif) await ldbApply(tools, paths, 'ldbmodify', `mdb://${paths.domainPartition}`, rawLdif, 'duplicates.ldif');
  const duplicatesMs = Date.now() - t;
  return { accountsMs, attributesMs, duplicatesMs };
}
