/**
 * The lab is what the scenario says — checked with OpenLDAP's ldapsearch and MIT kvno, not with the
 * project's own collector, so collector tests can trust the lab as ground truth.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { findExecutable, run } from './harness/exec.js';
import { rawValues, values, type LdifEntry } from './harness/ldif.js';
import { ldapSearch, ldapSearchRaw } from './harness/ldapsearch.js';
import { describeLab, requireLab } from './lab-context.js';
import { bigSpns, LAB_BASE_DN, SCENARIO, scenarioAccount, scenarioDn, scenarioDuplicates, type ScenarioAccount } from './scenario.js';

const ACCOUNT_ATTRIBUTES = [
  'sAMAccountName',
  'objectClass',
  'servicePrincipalName',
  'userAccountControl',
  'msDS-SupportedEncryptionTypes',
  'dNSHostName',
  'msDS-AllowedToDelegateTo',
  'memberOf',
  'objectSid',
  'msDS-GroupMSAMembership',
];

const lower = (list: readonly string[]) => list.map((v) => v.toLowerCase()).sort();
const byName = new Map<string, LdifEntry>();

function entryOf(account: ScenarioAccount): LdifEntry {
  const entry = byName.get(account.name.toLowerCase());
  if (!entry) throw new Error(`${account.name} not found in the lab`);
  return entry;
}

describeLab('Samba lab matches the scenario (ldapsearch)', () => {
  beforeAll(async () => {
    const lab = requireLab();
    const filter = `(|${SCENARIO.map((a) => `(sAMAccountName=${a.name})`).join('')})`;
    for (const entry of await ldapSearch(lab, { filter, attributes: ACCOUNT_ATTRIBUTES, paged: true })) {
      byName.set(values(entry, 'sAMAccountName')[0]!.toLowerCase(), entry);
    }
  });

  it.each(SCENARIO.map((a) => [a.name, a] as const))('%s exists at its DN with exactly its SPNs', (_name, account) => {
    const entry = entryOf(account);
    expect(entry.dn.toLowerCase()).toBe(scenarioDn(account).toLowerCase());
    // Samba may re-case HOST/ SPNs when dNSHostName changes: SPNs compare case-insensitively.
    expect(lower(values(entry, 'servicePrincipalName'))).toEqual(lower(account.spns));
  });

  it.each(SCENARIO.map((a) => [a.name, a] as const))('%s has the scenario UAC, enctypes, host name, delegation, groups', (_name, account) => {
    const entry = entryOf(account);
    expect(Number(values(entry, 'userAccountControl')[0])).toBe(account.uac);
    const enctypes = values(entry, 'msDS-SupportedEncryptionTypes')[0];
    expect(enctypes === undefined ? null : Number(enctypes)).toBe(account.enctypes);
    expect(values(entry, 'dNSHostName')[0] ?? null).toBe(account.dnsHostName);
    expect(values(entry, 'msDS-AllowedToDelegateTo')).toEqual(account.delegation.allowedToDelegateTo);
    expect(lower(values(entry, 'memberOf'))).toEqual(lower(account.memberOf.map((g) => `CN=${g},CN=Users,${LAB_BASE_DN}`)));
    const objectClasses = lower(values(entry, 'objectClass'));
    const expectedClass = { user: 'user', computer: 'computer', gmsa: 'msds-groupmanagedserviceaccount', msa: 'msds-managedserviceaccount' }[account.kind];
    expect(objectClasses).toContain(expectedClass);
    if (account.kind === 'user') expect(objectClasses).not.toContain('computer');
  });

  it('the SPN holders are the scenario accounts plus only Samba’s own (krbtgt, the DC, its DNS account)', async () => {
    const holders = await ldapSearch(requireLab(), { filter: '(servicePrincipalName=*)', attributes: ['sAMAccountName'], paged: true });
    const names = holders.map((e) => values(e, 'sAMAccountName')[0]!.toLowerCase());
    const expected = SCENARIO.filter((a) => a.spns.length > 0).map((a) => a.name.toLowerCase());
    expect(names.filter((n) => !expected.includes(n)).sort()).toEqual(['dc1$', 'dns-dc1', 'krbtgt']);
    expect(expected.filter((n) => !names.includes(n))).toEqual([]);
  });

  const duplicates = [...scenarioDuplicates()].map(([spn, holders]) => [spn, holders.map((h) => h.name)] as const);

  it('the scenario has duplicates to find (user/user and user/computer)', () => {
    expect(duplicates.length).toBeGreaterThanOrEqual(2);
    expect(duplicates.some(([, names]) => names.some((n) => n.endsWith('$')) && names.some((n) => !n.endsWith('$')))).toBe(true);
  });

  it.each(duplicates)('both holders of duplicate %s are visible over LDAP and in the GC', async (spn, names) => {
    const lab = requireLab();
    for (const url of [lab.ldapUrl, lab.gcUrl]) {
      const entries = await ldapSearch(lab, { url, base: url === lab.gcUrl ? '' : lab.baseDn, filter: `(servicePrincipalName=${spn})`, attributes: ['sAMAccountName'] });
      expect(lower(entries.map((e) => values(e, 'sAMAccountName')[0]!))).toEqual(lower(names));
    }
  });

  it('svc_big holds all 2000 SPNs and a plain request returns them all (Samba does not range-truncate)', async () => {
    const [entry] = await ldapSearch(requireLab(), { filter: '(sAMAccountName=svc_big)', attributes: ['servicePrincipalName'] });
    expect([...entry!.attributes.keys()]).toEqual(['servicePrincipalName']);
    expect(lower(values(entry!, 'servicePrincipalName'))).toEqual(lower(bigSpns));
  });

  it.each([
    ['servicePrincipalName;range=0-1499', 'servicePrincipalName;range=0-1499', 1500],
    ['servicePrincipalName;range=1500-*', 'servicePrincipalName;range=1500-*', 500],
    ['servicePrincipalName;range=1990-2005', 'servicePrincipalName;range=1990-*', 10],
    ['servicePrincipalName;range=2000-*', null, 0],
  ] as const)('explicit %s comes back as %s with %i values', async (requested, returned, count) => {
    const [entry] = await ldapSearch(requireLab(), { filter: '(sAMAccountName=svc_big)', attributes: [requested] });
    expect([...entry!.attributes.keys()]).toEqual(returned === null ? [] : [returned]);
    if (returned !== null) expect(values(entry!, returned)).toHaveLength(count);
  });

  it('ranges 0-1499 and 1500-* together are exactly the 2000 SPNs', async () => {
    const lab = requireLab();
    const [first] = await ldapSearch(lab, { filter: '(sAMAccountName=svc_big)', attributes: ['servicePrincipalName;range=0-1499'] });
    const [rest] = await ldapSearch(lab, { filter: '(sAMAccountName=svc_big)', attributes: ['servicePrincipalName;range=1500-*'] });
    const all = [...values(first!, 'servicePrincipalName;range=0-1499'), ...values(rest!, 'servicePrincipalName;range=1500-*')];
    expect(lower(all)).toEqual(lower(bigSpns));
  });

  it('the gMSA grants password retrieval to exactly its readers (their SIDs are in msDS-GroupMSAMembership)', () => {
    for (const gmsa of SCENARIO.filter((a) => a.kind === 'gmsa')) {
      const descriptor = rawValues(entryOf(gmsa), 'msDS-GroupMSAMembership')[0];
      expect(descriptor).toBeDefined();
      for (const reader of SCENARIO.filter((a) => a.kind !== 'gmsa')) {
        const sid = rawValues(entryOf(reader), 'objectSid')[0]!;
        expect(descriptor!.includes(sid)).toBe(gmsa.gmsaPasswordReaders.includes(reader.name));
      }
    }
  });
});

describeLab('Samba lab transports (ldapsearch)', () => {
  const baseSearch = { filter: '(objectClass=*)', scope: 'base', attributes: ['dn'] } as const;

  type Lab = ReturnType<typeof requireLab>;
  it.each([
    { transport: 'plain ldap:// simple bind', works: true, options: (lab: Lab) => ({ url: lab.ldapUrl }) },
    { transport: 'StartTLS with the lab CA', works: true, options: (lab: Lab) => ({ url: lab.ldapUrl, startTls: true, caFile: lab.caFile }) },
    { transport: 'StartTLS without the lab CA', works: false, options: (lab: Lab) => ({ url: lab.ldapUrl, startTls: true }) },
    { transport: 'ldaps:// with the lab CA', works: true, options: (lab: Lab) => ({ url: lab.ldapsUrl, caFile: lab.caFile }) },
    { transport: 'ldaps:// without the lab CA', works: false, options: (lab: Lab) => ({ url: lab.ldapsUrl }) },
    {
      transport: 'ldaps:// to ::1 (not in the certificate) with the lab CA',
      works: false,
      options: (lab: Lab) => ({ url: lab.ldapsNameMismatchUrl, caFile: lab.caFile }),
    },
    { transport: 'GC over TLS (3269) with the lab CA', works: true, options: (lab: Lab) => ({ url: lab.gcsUrl, caFile: lab.caFile }) },
  ])('$transport → works: $works', async ({ works, options }) => {
    const lab = requireLab();
    const result = await ldapSearchRaw(lab, { base: lab.baseDn, ...baseSearch, ...options(lab) });
    if (works) {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^dn: /m);
    } else {
      // With verification demanded, OpenLDAP reports a failed handshake as "can't contact" (-1) or a StartTLS connect error.
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/Can't contact LDAP server|Connect error/);
    }
  });

  it('a wrong password is refused with invalidCredentials (49)', async () => {
    const lab = requireLab();
    const wrong = path.join(lab.targetDir, 'wrong.password');
    writeFileSync(wrong, `${lab.password}x`, { mode: 0o600 });
    const result = await ldapSearchRaw(lab, { ...baseSearch, passwordFile: wrong });
    expect(result.code).toBe(49);
    expect(result.stderr).toMatch(/Invalid credentials \(49\)/);
  });
});

describeLab('Samba lab KDC agrees with the directory (kinit/kvno)', () => {
  const env = () => {
    const lab = requireLab();
    return { ...process.env, KRB5_CONFIG: lab.krb5Config, KRB5CCNAME: `FILE:${path.join(lab.targetDir, 'lab-test.ccache')}` };
  };

  beforeAll(async () => {
    const lab = requireLab();
    await run(findExecutable('kinit')!, [lab.bindDn], { env: env(), input: lab.password, label: 'kinit Administrator' });
  });

  const aes = scenarioAccount('svc_aes').spns[0]!;
  const shared = scenarioAccount('svc_dup1').spns[0]!;
  const des = scenarioAccount('svc_des').spns[0]!;
  it.each([
    [aes, 'a registered SPN gets a ticket', null],
    [shared, 'a duplicate SPN is as good as missing', /Server not found in Kerberos database/],
    [des, 'a DES-only account gets no ticket', /KDC has no support for encryption type/],
    // WEB02$ lacks HOST/WEB02, yet Samba's KDC maps HTTP→HOST (sPNMappings) and finds host/web02 by sAMAccountName.
    ['HTTP/web02', 'the KDC serves it via the HOST alias and WEB02$ although HOST/WEB02 is missing', null],
    ['foo/web02', 'no alias for an unknown service class', /Server not found in Kerberos database/],
    ['HTTP/nobody.contoso.test', 'an SPN nobody holds is unknown', /Server not found in Kerberos database/],
  ] as const)('kvno %s: %s', async (spn, _why, error) => {
    const result = await run(findExecutable('kvno')!, [spn], { env: env(), allowFailure: true });
    if (error === null) {
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/kvno = \d+/);
    } else {
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(error);
    }
  });
});
