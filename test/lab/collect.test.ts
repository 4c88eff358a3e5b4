/**
 * `spnaudit collect` against the real Samba AD DC: completeness compared with ldapsearch as an
 * independent witness, the seeded scenario's flags, every transport, and the failure modes.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type { Snapshot } from '../../src/model/directory.js';
import { runCli } from '../support/cli.js';
import { ldapSearch } from './harness/ldapsearch.js';
import { values } from './harness/ldif.js';
import { describeLab, requireLab, type LabInfo } from './lab-context.js';
import { SCENARIO, bigSpns, scenarioDuplicates } from './scenario.js';
import { rangeFilter, usnRanges } from '../../src/directory/usn-split.js';

let lab: LabInfo;
let dir: string;

function connection(extra: string[] = [], url?: string): string[] {
  return ['--url', url ?? lab.ldapUrl, '--bind-dn', lab.bindDn, '--password-file', lab.passwordFile, ...extra];
}

async function collect(args: string[], name: string, env?: NodeJS.ProcessEnv) {
  const out = path.join(dir, name);
  const result = await runCli(['collect', ...args, '--out', out], env ? { env } : {});
  const snapshot = result.code === 0 || result.code === 4 ? (JSON.parse(await readFile(out, 'utf8')) as Snapshot) : null;
  return { ...result, snapshot, out };
}

describeLab('spnaudit collect against the Samba AD DC', () => {
  let plain: Awaited<ReturnType<typeof collect>>;

  beforeAll(async () => {
    lab = requireLab();
    dir = await mkdtemp(path.join(os.tmpdir(), 'spnaudit-collect-'));
    plain = await collect(connection(['--identity', 'CONTOSO\\svc_apppool_nospn']), 'plain.json');
  });

  it('exits 0 with a complete snapshot over ldap://', () => {
    expect(plain.stderr).toBe('');
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^collected \d+ accounts, \d+ SPNs from contoso\.test in [\d.]+ s -> /);
    expect(plain.snapshot!.complete).toBe(true);
    expect(plain.snapshot!.errors).toEqual([]);
  });

  it('finds every SPN holder and every SPN that ldapsearch finds', async () => {
    const witness = await ldapSearch(lab, { filter: '(servicePrincipalName=*)', attributes: ['servicePrincipalName', 'sAMAccountName'], paged: true });
    const expected = new Map(witness.map((e) => [values(e, 'sAMAccountName')[0]!.toLowerCase(), values(e, 'servicePrincipalName').map((s) => s.toLowerCase()).sort()]));
    const holders = plain.snapshot!.accounts.filter((a) => a.servicePrincipalNames.length > 0);
    const got = new Map(holders.map((a) => [a.sAMAccountName.toLowerCase(), a.servicePrincipalNames.map((s) => s.toLowerCase()).sort()]));
    expect(witness.length).toBeGreaterThan(15);
    expect(got).toEqual(expected);
  });

  it('reads all 2000 SPNs of the big account', () => {
    const big = plain.snapshot!.accounts.find((a) => a.sAMAccountName === 'svc_big')!;
    expect(big.servicePrincipalNames).toHaveLength(2000);
    expect(new Set(big.servicePrincipalNames.map((s) => s.toLowerCase()))).toEqual(new Set(bigSpns.map((s) => s.toLowerCase())));
  });

  it('sees both sides of every seeded duplicate', () => {
    const dups = scenarioDuplicates();
    expect(dups.size).toBeGreaterThanOrEqual(2);
    for (const [spn, holders] of dups) {
      const found = plain.snapshot!.accounts
        .filter((a) => a.servicePrincipalNames.some((s) => s.toLowerCase() === spn.toLowerCase()))
        .map((a) => a.sAMAccountName)
        .sort();
      expect(found, spn).toEqual(holders.map((h) => h.name).sort());
    }
  });

  it('records kind, userAccountControl, encryption types, delegation and privilege as seeded', () => {
    for (const seeded of SCENARIO) {
      const a = plain.snapshot!.accounts.find((x) => x.sAMAccountName.toLowerCase() === seeded.name.toLowerCase());
      expect(a, seeded.name).toBeDefined();
      expect({ name: a!.sAMAccountName, kind: a!.kind, enctypes: a!.supportedEncryptionTypes, delegation: [...a!.allowedToDelegateTo].sort() }).toEqual({
        name: seeded.name,
        kind: seeded.kind,
        enctypes: seeded.enctypes,
        delegation: [...seeded.delegation.allowedToDelegateTo].sort(),
      });
      // Samba may add bits of its own (e.g. PASSWD_NOTREQD on fresh accounts); the seeded ones must all be there.
      expect(a!.userAccountControl & seeded.uac, seeded.name).toBe(seeded.uac);
      expect(a!.privileged, seeded.name).toBe(seeded.traits.includes('privileged'));
    }
    const domain = plain.snapshot!.domains[0]!;
    expect(domain).toMatchObject({ dnsName: 'contoso.test', netbiosName: 'CONTOSO' });
    expect(domain.sid).toMatch(/^S-1-5-21-\d+-\d+-\d+$/);
    expect(plain.snapshot!.forests[0]!.rootDomain).toBe('contoso.test');
  });

  it('looks up an app pool identity that holds no SPN', () => {
    const a = plain.snapshot!.accounts.find((x) => x.sAMAccountName === 'svc_apppool_nospn');
    expect(a?.servicePrincipalNames).toEqual([]);
  });

  it('never writes the password into the snapshot or the output', async () => {
    const text = await readFile(plain.out, 'utf8');
    expect(text).not.toContain(lab.password);
    expect(plain.stdout + plain.stderr).not.toContain(lab.password);
    expect(JSON.parse(text).source).toEqual({ url: lab.ldapUrl, baseDn: '', bindIdentity: lab.bindDn, globalCatalog: false, tls: 'none' });
  });

  it('reads the same snapshot through ldapts (SPNAUDIT_LDAP_READER=ldapts, the fallback when the byte reader cannot be installed)', async () => {
    const viaLdapts = await collect(connection(['--identity', 'CONTOSO\\svc_apppool_nospn']), 'ldapts.json', { SPNAUDIT_LDAP_READER: 'ldapts' });
    expect(viaLdapts.code).toBe(0);
    const { collectedAt: _a, ...expected } = plain.snapshot!;
    const { collectedAt: _b, ...actual } = viaLdapts.snapshot!;
    // Everything but the collection time is identical, down to the order of accounts and values.
    expect(actual).toEqual(expected);
  });

  it('splits the SPN-holder search into uSNCreated ranges the DC answers disjointly and completely', async () => {
    // The DC names itself and its highest USN, so collect (default --parallel 2) does split.
    const [root] = await ldapSearch(lab, { base: '', scope: 'base', filter: '(objectClass=*)', attributes: ['dsServiceName', 'highestCommittedUSN'] });
    expect(values(root!, 'dsServiceName')[0]).toMatch(/^CN=NTDS Settings,/);
    const highest = Number(values(root!, 'highestCommittedUSN')[0]);
    expect(highest).toBeGreaterThan(1000);
    // Range filters as collect writes them, sent by ldapsearch: each holder in exactly one. The
    // scenario's holders were all created within the last few hundred USNs, so the ranges are cut
    // finer than collect's (4 per connection) to put them into several.
    const dnsOf = async (filter: string) => (await ldapSearch(lab, { filter, attributes: ['1.1'], paged: true })).map((e) => e.dn.toLowerCase());
    const all = await dnsOf('(servicePrincipalName=*)');
    const parts: string[][] = [];
    for (const range of usnRanges(highest, 64)) parts.push(await dnsOf(rangeFilter('(servicePrincipalName=*)', 'uSNCreated', range)));
    expect(parts.filter((p) => p.length > 0).length).toBeGreaterThan(1);
    expect(parts.flat().sort()).toEqual([...all].sort());
  });

  it('reads the same snapshot over one connection (--parallel 1) as over several (--parallel 4)', async () => {
    const one = await collect(connection(['--identity', 'CONTOSO\\svc_apppool_nospn', '--parallel', '1']), 'one.json');
    const four = await collect(connection(['--identity', 'CONTOSO\\svc_apppool_nospn', '--parallel', '4']), 'four.json');
    expect([one.code, one.stderr, four.code, four.stderr]).toEqual([0, '', 0, '']);
    const { collectedAt: _a, ...expected } = plain.snapshot!;
    const { collectedAt: _b, ...single } = one.snapshot!;
    const { collectedAt: _c, ...split } = four.snapshot!;
    expect(single).toEqual(expected);
    expect(split).toEqual(expected);
  });

  it('works over ldaps:// with --ca-file', async () => {
    const r = await collect(connection(['--ca-file', lab.caFile], lab.ldapsUrl), 'ldaps.json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.snapshot!.accounts.length).toBe(plain.snapshot!.accounts.length - 1);
    expect(r.snapshot!.source.tls).toBe('ldaps');
  });

  it('works over StartTLS with --ca-file', async () => {
    const r = await collect(connection(['--ca-file', lab.caFile, '--starttls']), 'starttls.json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.snapshot!.source.tls).toBe('starttls');
  });

  it('indexes the forest through the Global Catalog and reads details from the domain DC', async () => {
    const cfg = path.join(dir, 'gc.yaml');
    await writeFile(cfg, `ldap:\n  domainControllers:\n    contoso.test: ${lab.ldapUrl}\n`);
    const r = await collect(connection(['--gc', '--config', cfg], lab.gcUrl), 'gc.json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rc4 = r.snapshot!.accounts.find((a) => a.sAMAccountName === 'svc_rc4');
    expect(rc4?.supportedEncryptionTypes).toBe(4); // not in the GC: must come from the DC
    expect(r.snapshot!.accounts.filter((a) => a.servicePrincipalNames.length > 0).length).toBe(
      plain.snapshot!.accounts.filter((a) => a.servicePrincipalNames.length > 0).length,
    );
  });

  it('fails ldaps:// without the CA with a TLS error and exit 3', async () => {
    const r = await collect(connection([], lab.ldapsUrl), 'noca.json');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^spnaudit: TLS verification of ldaps:\/\/.* failed: .*--ca-file/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('fails a certificate that does not name the host, and says how to fix it', async () => {
    const r = await collect(connection(['--ca-file', lab.caFile], lab.ldapsNameMismatchUrl), 'mismatch.json');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/does not name this host .*--tls-server-name/);
  });

  it('rejects a wrong password with exit 3, one line, and no password echoed', async () => {
    const pw = path.join(dir, 'wrong-pw');
    await writeFile(pw, 'Wrong-Passw0rd!', { mode: 0o600 });
    const r = await runCli(['collect', '--url', lab.ldapUrl, '--bind-dn', lab.bindDn, '--password-file', pw, '--out', path.join(dir, 'x.json')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^spnaudit: bind as '.*' to ldap:\/\/.* rejected: invalid credentials \(LDAP 49\)/);
    expect(r.stderr).not.toContain('Wrong-Passw0rd!');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('reports a port nobody listens on as a connection error', async () => {
    const r = await runCli(['collect', ...connection([], 'ldap://127.0.0.1:1'), '--out', path.join(dir, 'y.json')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/connection refused/);
  });

  it('refuses to run without --out or a password source', async () => {
    const noOut = await runCli(['collect', ...connection()]);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/--out <file> is required/);
    const noPw = await runCli(['collect', '--url', lab.ldapUrl, '--bind-dn', lab.bindDn, '--out', path.join(dir, 'z.json')]);
    expect(noPw.code).toBe(2);
    expect(noPw.stderr).toMatch(/no LDAP password/);
  });
});
