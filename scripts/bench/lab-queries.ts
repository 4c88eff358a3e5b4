/**
 * Times each LDAP query `spnaudit collect` sends, one by one with ldapsearch, against a lab holding
 * the generated directory: where the DC spends a collection's time (not part of npm run bench).
 *   flock /tmp/spnaudit-lab.lock npx tsx scripts/bench/lab-queries.ts [ACCOUNTS]
 */
import { startWatchdog } from '../../test/lab/harness/daemon.js';
import { startLab, stopLab } from '../../test/lab/harness/lab.js';
import { ensureLabPackages } from '../../test/lab/harness/packages.js';
import { ldapSearchRaw } from '../../test/lab/harness/ldapsearch.js';
import { loadGenerated } from './lab-main.js';

const log = (line: string) => process.stderr.write(`queries(lab): ${line}\n`);
const accounts = Number(process.argv[2] ?? '20000');
const packages = await ensureLabPackages(log);
if (!packages.ok) throw new Error(packages.reason);
let lab = (await startLab(packages.tools, { log })).lab;
startWatchdog(process.pid, lab.pid, lab.targetDir, false);
try {
  lab = (await loadGenerated(lab, packages.tools, { accounts, servers: 0 })).lab;
  const base = lab.baseDn;
  const groups = ['Domain Admins', 'Schema Admins', 'Enterprise Admins'].map((g) => `CN=${g},CN=Users,${base}`).concat(`CN=Administrators,CN=Builtin,${base}`);
  const cases: Array<[string, string, string[], boolean]> = [
    ['spn-holders, 20 attributes, paged', '(servicePrincipalName=*)', ['objectGUID', 'objectSid', 'sAMAccountName', 'userPrincipalName', 'objectClass', 'userAccountControl', 'msDS-User-Account-Control-Computed', 'servicePrincipalName', 'msDS-SupportedEncryptionTypes', 'pwdLastSet', 'accountExpires', 'whenCreated', 'lastLogonTimestamp', 'dNSHostName', 'msDS-AllowedToDelegateTo', 'msDS-AllowedToActOnBehalfOfOtherIdentity', 'msDS-GroupMSAMembership', 'adminCount', 'memberOf', 'primaryGroupID'], true],
    ['spn-holders without msDS-User-Account-Control-Computed', '(servicePrincipalName=*)', ['objectGUID', 'sAMAccountName', 'servicePrincipalName', 'userAccountControl', 'memberOf'], true],
    ...groups.map((g): [string, string, string[], boolean] => [`privileged-members ${g.split(',')[0]}`, `(memberOf:1.2.840.113556.1.4.1941:=${g})`, ['objectGUID'], true]),
    ['privileged-members, the 4 groups OR-ed', `(|${groups.map((g) => `(memberOf:1.2.840.113556.1.4.1941:=${g})`).join('')})`, ['objectGUID'], true],
  ];
  for (const [name, filter, attributes, paged] of cases) {
    for (let r = 0; r < 2; r += 1) {
      const t = process.hrtime.bigint();
      const res = await ldapSearchRaw(lab, { filter, attributes, paged });
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      log(`${name}: ${(ms / 1000).toFixed(2)} s, exit ${res.code}, ${(res.stdout.match(/^dn: /gm) ?? []).length} entries`);
    }
  }
} finally {
  await stopLab(lab);
  log('lab stopped');
}
