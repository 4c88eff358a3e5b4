/**
 * Faults in the middle of talking to the real Samba AD DC, and the guarantees that must hold through
 * them: the documented exit code, one clear line on stderr, no stack trace, and `complete: false` in
 * any partial output. Faults the lab cannot produce by itself are made with a TCP proxy in front of it
 * (stall, reset, rewritten results). The lab is shared with the other suites: everything changed here
 * is restored in afterAll, and the restore is asserted.
 *
 * The suite ends with the secrets scan: every stdout, stderr and file any run here produced must be
 * free of the lab password and the throwaway users' passwords.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/model/audit.js';
import type { Snapshot } from '../../src/model/directory.js';
import { REPORT_FORMATS } from '../../src/report/index.js';
import { runCli, type CliResult } from '../support/cli.js';
import { ldapResult, STARTTLS_OID } from './faults/ber.js';
import { LdapProxy, type ProxyHooks } from './faults/ldap-proxy.js';
import { createUser, deleteUser, disableUser, lockoutThreshold, setLockoutThreshold, throwawayPassword, userExists } from './faults/samba.js';
import { makeForeignCa } from './faults/tls.js';
import { ldapSearch } from './harness/ldapsearch.js';
import { values } from './harness/ldif.js';
import { describeLab, requireLab, type LabInfo } from './lab-context.js';

const EXAMPLE_CONFIG = path.resolve('examples/spnaudit.yaml');
const SPN_HOLDERS_FILTER = '(servicePrincipalName=*)';

let lab: LabInfo;
let dir: string;
/** Every secret this suite knows: the scan at the end looks for each in everything the runs produced. */
const secrets: Array<{ label: string; value: string }> = [];
const transcripts: Array<{ label: string; text: string }> = [];
const proxies: LdapProxy[] = [];

async function cli(args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult> {
  const r = await runCli(args, env ? { env } : {});
  transcripts.push({ label: args.slice(0, 3).join(' '), text: `${r.stdout}\n${r.stderr}` });
  return r;
}

function connection(url = lab.ldapUrl, passwordFile = lab.passwordFile, bindDn = lab.bindDn): string[] {
  return ['--url', url, '--bind-dn', bindDn, '--password-file', passwordFile];
}

let outCount = 0;
async function collect(args: string[]): Promise<CliResult & { out: string; snapshot: Snapshot | null }> {
  const out = path.join(dir, `snapshot-${++outCount}.json`);
  const r = await cli(['collect', ...args, '--out', out]);
  const snapshot = existsSync(out) ? (JSON.parse(await readFile(out, 'utf8')) as Snapshot) : null;
  return { ...r, out, snapshot };
}

async function proxy(hooks: ProxyHooks = {}, target = lab.ldapUrl): Promise<LdapProxy> {
  const p = await LdapProxy.start(target, hooks);
  proxies.push(p);
  return p;
}

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

/** Exit 2/3: exactly one line on stderr, matching `pattern`, no stack trace, and no snapshot left behind. */
function expectOneLineFailure(r: CliResult & { snapshot?: Snapshot | null }, code: number, pattern: RegExp): void {
  expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code, stderr: expect.stringMatching(pattern) });
  expect(r.stderr).toMatch(/^spnaudit: [^\n]+\n$/);
  expect(r.stderr).not.toMatch(STACK_FRAME);
  if ('snapshot' in r) expect(r.snapshot).toBeNull();
}

/** Exit 4: one headline, then only the listed failures (one indented line each), and complete: false. */
function expectIncomplete(r: CliResult & { snapshot: Snapshot | null }, pattern: RegExp): Snapshot {
  expect(r.code, r.stderr).toBe(4);
  const [headline, ...details] = r.stderr.trimEnd().split('\n');
  expect(headline).toMatch(/^spnaudit: INCOMPLETE collection \(\d+ failure\(s\)\); the snapshot says complete: false$/);
  for (const line of details) expect(line).toMatch(/^ {2}- \S/);
  expect(r.stderr).not.toMatch(STACK_FRAME);
  expect(details.join('\n')).toMatch(pattern);
  expect(r.stdout).toMatch(/\(INCOMPLETE\) -> /);
  expect(r.snapshot?.complete).toBe(false);
  expect(r.snapshot!.errors.length).toBeGreaterThan(0);
  return r.snapshot!;
}

/** Counts the spn-holders page requests (each page is its own searchRequest) across connections. */
function onSpnHoldersPage(page: number, action: 'stall' | 'reset'): ProxyHooks {
  let seen = 0;
  return {
    onRequest: (req) => (req.search?.filter === SPN_HOLDERS_FILTER && ++seen === page ? action : 'forward'),
  };
}

/** Replaces the server's searchResDone of the n-th spn-holders page with the given result code. */
function rewriteSpnHoldersDone(page: number, resultCode: number, diagnostic: string, referrals: string[] = []): ProxyHooks {
  const ids = new Map<string, number>();
  let pages = 0;
  return {
    onRequest: (req, conn) => {
      if (req.search?.filter === SPN_HOLDERS_FILTER) ids.set(`${conn}:${req.messageId}`, ++pages);
      return 'forward';
    },
    onResponse: (res, _raw, conn) =>
      res.op === 5 && ids.get(`${conn}:${res.messageId}`) === page ? ldapResult(res.messageId, 5, resultCode, diagnostic, referrals) : 'forward',
  };
}

describeLab('faults against the Samba AD DC', () => {
  let baseline: Snapshot;

  beforeAll(async () => {
    lab = requireLab();
    dir = await mkdtemp(path.join(os.tmpdir(), 'spnaudit-faults-'));
    secrets.push({ label: 'lab Administrator password', value: lab.password });
    const r = await collect(connection());
    expect(r.code, r.stderr).toBe(0);
    baseline = r.snapshot!;
  });

  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    // Password files live here (one deliberately world-readable): nothing stays behind in the temp dir.
    await rm(dir, { recursive: true, force: true });
  });

  describe('bind failures', () => {
    const disabled = { name: 'faults_disabled', password: throwawayPassword(), file: '' };
    const locked = { name: 'faults_locked', password: throwawayPassword(), file: '' };
    let originalThreshold: number;

    beforeAll(async () => {
      originalThreshold = await lockoutThreshold(lab);
      for (const user of [disabled, locked]) {
        secrets.push({ label: `${user.name} password`, value: user.password });
        user.file = path.join(dir, `${user.name}.pw`);
        await writeFile(user.file, user.password, { mode: 0o600 });
        await createUser(lab, user.name, user.password);
      }
      await disableUser(lab, disabled.name);
    });

    afterAll(async () => {
      await setLockoutThreshold(lab, originalThreshold);
      for (const user of [disabled, locked]) await deleteUser(lab, user.name);
      // The other suites count accounts and read the password policy: prove the lab is as it was.
      expect(await lockoutThreshold(lab)).toBe(originalThreshold);
      for (const user of [disabled, locked]) expect(await userExists(lab, user.name), user.name).toBe(false);
    });

    it('a wrong password: exit 3, one line, the password not echoed', async () => {
      const wrong = path.join(dir, 'wrong.pw');
      const value = `Wrong-${throwawayPassword()}`;
      secrets.push({ label: 'wrong password', value });
      await writeFile(wrong, value, { mode: 0o600 });
      const r = await collect(connection(lab.ldapUrl, wrong));
      expectOneLineFailure(r, 3, /^spnaudit: bind as 'Administrator@CONTOSO\.TEST' to ldap:\/\/127\.0\.0\.1:389 rejected: invalid credentials \(LDAP 49\); check --bind-dn and the password source\n$/);
    });

    it('the same with SPNAUDIT_DEBUG=1: a stack trace for the developer, still no password', async () => {
      const r = await cli(['collect', ...connection(lab.ldapUrl, path.join(dir, 'wrong.pw')), '--out', path.join(dir, 'debug.json')], { SPNAUDIT_DEBUG: '1' });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(STACK_FRAME);
    });

    it('a disabled account: exit 3 and the reason', async () => {
      const r = await collect(connection(lab.ldapUrl, disabled.file, `${disabled.name}@${lab.realm}`));
      expectOneLineFailure(r, 3, /rejected: account disabled \(LDAP 49\)/);
    });

    it('a locked-out account: exit 3 and the reason, even with the right password', async () => {
      await setLockoutThreshold(lab, 3);
      const wrong = path.join(dir, 'wrong.pw');
      for (let i = 0; i < 3; i++) {
        const r = await collect(connection(lab.ldapUrl, wrong, `${locked.name}@${lab.realm}`));
        expectOneLineFailure(r, 3, /rejected: invalid credentials \(LDAP 49\)/);
      }
      const r = await collect(connection(lab.ldapUrl, locked.file, `${locked.name}@${lab.realm}`));
      expectOneLineFailure(r, 3, /rejected: account locked out \(LDAP 49\)/);
    });
  });

  describe('TLS', () => {
    it('a CA that did not sign the certificate: exit 3, says to pass the issuing CA', async () => {
      const foreign = await makeForeignCa(dir);
      const r = await collect([...connection(lab.ldapsUrl), '--ca-file', foreign]);
      expectOneLineFailure(r, 3, /^spnaudit: TLS verification of ldaps:\/\/127\.0\.0\.1:636 failed: .*(not signed by a trusted CA|untrusted self-signed CA|issuing CA is not trusted).*--ca-file/);
    });

    it('the same CA through StartTLS', async () => {
      const r = await collect([...connection(), '--starttls', '--ca-file', path.join(dir, 'foreign-ca.pem')]);
      expectOneLineFailure(r, 3, /^spnaudit: TLS verification of ldap:\/\/127\.0\.0\.1:389 failed: /);
    });

    it.each([
      ['an address not in the certificate', () => [...connection(lab.ldapsNameMismatchUrl), '--ca-file', lab.caFile]],
      ['--tls-server-name naming another host', () => [...connection(lab.ldapsUrl), '--ca-file', lab.caFile, '--tls-server-name', 'evil.example']],
    ])('hostname mismatch, %s: exit 3 and how to fix it', async (_label, args) => {
      const r = await collect(args());
      expectOneLineFailure(r, 3, /failed: the certificate does not name this host \(ERR_TLS_CERT_ALTNAME_INVALID\); pass --ca-file .* --tls-server-name/);
    });

    it('--tls-insecure works but warns, on collect and on audit, from the flag and from the config file', async () => {
      const cfg = path.join(dir, 'insecure.yaml');
      await writeFile(cfg, 'ldap:\n  tlsInsecure: true\n');
      const runs = [
        await collect([...connection(lab.ldapsUrl), '--tls-insecure']),
        await collect([...connection(lab.ldapsUrl), '--config', cfg]),
        await cli(['audit', ...connection(lab.ldapsUrl), '--tls-insecure', '--format', 'json', '--fail-on', 'never']),
      ];
      for (const r of runs) {
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toBe('spnaudit: WARNING: TLS certificate verification is OFF (--tls-insecure); the directory server is not authenticated\n');
      }
    });
  });

  describe('the server goes away', () => {
    it('nothing listening: exit 3, connection refused', async () => {
      const closed = await freePort();
      const r = await collect(connection(`ldap://127.0.0.1:${closed}`));
      expectOneLineFailure(r, 3, /^spnaudit: cannot connect to ldap:\/\/127\.0\.0\.1:\d+: connection refused/);
    });

    it('the server stops answering before the bind completes: --timeout fires, exit 3', async () => {
      const p = await proxy({ onResponse: (res) => (res.op === 1 ? 'stall' : 'forward') });
      const started = Date.now();
      const r = await collect([...connection(p.url), '--timeout', '2']);
      expectOneLineFailure(r, 3, /^spnaudit: bind on ldap:\/\/127\.0\.0\.1:\d+ timed out .*raise --timeout/);
      expect(Date.now() - started).toBeLessThan(30_000);
    });

    it('the server stops answering in the middle of paging: exit 4 and complete: false, nothing sent unauthenticated', async () => {
      const p = await proxy(onSpnHoldersPage(2, 'stall'));
      // --parallel 1: the fault hits the one unsplit search whose pages the proxy counts.
      const r = await collect([...connection(p.url), '--timeout', '2', '--page-size', '5', '--parallel', '1']);
      const snapshot = expectIncomplete(r, /spn-holders \(DC=contoso,DC=test\) on ldap:\/\/127\.0\.0\.1:\d+: .*timed out/i);
      expect(snapshot.accounts.length).toBeGreaterThanOrEqual(5);
      expectEveryConnectionAuthenticated(p);
      expect(p.connectionCount).toBe(1);
    });

    // The issue asks for the DC to be killed mid-paging. Killing the shared lab would break every other
    // suite; a connection reset after two pages is the same fault as seen from the client (the DC's
    // socket dies with the process), so that is what this proxy does.
    it('the connection is reset in the middle of paging (a killed DC, seen from the client): exit 4, complete: false', async () => {
      const p = await proxy(onSpnHoldersPage(3, 'reset'));
      const r = await collect([...connection(p.url), '--page-size', '5', '--parallel', '1']);
      const snapshot = expectIncomplete(r, /spn-holders \(DC=contoso,DC=test\) on ldap:\/\/127\.0\.0\.1:\d+: /);
      expect(snapshot.accounts.length).toBeGreaterThanOrEqual(10);
      expect(snapshot.accounts.length).toBeLessThan(baseline.accounts.length);
      expectEveryConnectionAuthenticated(p);
      // The queries after the reset fail at once instead of reading anonymously over a new connection.
      // (One may still be written to the dying socket before its close event: that is not a new connection.)
      const [first, ...after] = snapshot.errors;
      expect(first!.where).toMatch(/^spn-holders /);
      expect(after.at(-1)?.message).toMatch(/^the connection to ldap:\/\/127\.0\.0\.1:\d+ was lost earlier in this run \(reset or timed out\); not reconnecting unauthenticated$/);
      for (const e of after) expect(e.message).toMatch(/^(the connection to .* was lost earlier in this run|Connection closed before message response)/);
      expect(p.connectionCount).toBe(1);
    });

    it('the second connection of a split search is reset: exit 4, complete: false, the first one finishes its ranges', async () => {
      let seen = 0;
      const p = await proxy({ onRequest: (req, conn) => (conn === 2 && req.search?.filter.startsWith(`(&${SPN_HOLDERS_FILTER}`) && ++seen === 1 ? 'reset' : 'forward') });
      // Page size 1 keeps the first connection busy with the newest range (where the scenario's
      // holders are) while the second one connects and takes a range of its own.
      const r = await collect([...connection(p.url), '--page-size', '1']);
      const snapshot = expectIncomplete(r, /spn-holders \(DC=contoso,DC=test\) uSNCreated [^)]*on ldap:\/\/127\.0\.0\.1:\d+: /);
      expect(p.connectionCount).toBe(2);
      expectEveryConnectionAuthenticated(p);
      // One range lost, recorded once: the reset connection took no more ranges, and the first one
      // read all the others (8 ranges: 2 connections x 4).
      expect(snapshot.errors).toHaveLength(1);
      const ranges = (conn: number) => new Set(p.requests.filter((q) => q.connection === conn && q.search?.filter.startsWith(`(&${SPN_HOLDERS_FILTER}`)).map((q) => q.search!.filter));
      expect(ranges(2).size).toBe(1);
      expect(ranges(1).size).toBe(7);
      expect(new Set([...ranges(1), ...ranges(2)]).size).toBe(8);
    });

    it('audit through the same reset: every report says incomplete, exit 4', async () => {
      const p = await proxy(onSpnHoldersPage(3, 'reset'));
      const json = path.join(dir, 'reset-audit.json');
      const r = await cli(['audit', ...connection(p.url), '--page-size', '5', '--parallel', '1', '--config', EXAMPLE_CONFIG, '--format', 'json', '--output', json, '--report', `sarif=${path.join(dir, 'reset.sarif')}`]);
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toMatch(/^spnaudit: INCOMPLETE audit: the directory could not be read completely; findings may be missing \(exit 4\)\n$/);
      const report = JSON.parse(await readFile(json, 'utf8')) as AuditResult;
      expect(report.scope.complete).toBe(false);
      const sarif = JSON.parse(await readFile(path.join(dir, 'reset.sarif'), 'utf8')) as { runs: Array<{ invocations: Array<{ executionSuccessful: boolean }> }> };
      expect(sarif.runs[0]!.invocations[0]!.executionSuccessful).toBe(false);
    });
  });

  describe('server-side limits and referrals (results rewritten by a proxy)', () => {
    it.each([
      [4, 'sizeLimitExceeded', 'Size limit exceeded'],
      [3, 'timeLimitExceeded', 'Time limit exceeded'],
      [11, 'adminLimitExceeded', 'Admin limit exceeded'],
      [10, 'referral', 'Referral to another server'],
    ])('LDAP %i (%s) on the second page: exit 4, complete: false, the code recorded', async (code, _name, diagnostic) => {
      const p = await proxy(rewriteSpnHoldersDone(2, code, diagnostic, code === 10 ? ['ldap://dc9.fabrikam.test/DC=fabrikam,DC=test'] : []));
      const r = await collect([...connection(p.url), '--page-size', '5', '--parallel', '1']);
      const snapshot = expectIncomplete(r, new RegExp(`spn-holders .*${diagnostic}`));
      expect(snapshot.errors).toEqual([expect.objectContaining({ where: expect.stringMatching(/^spn-holders /), code })]);
      expect(snapshot.accounts.length).toBeGreaterThanOrEqual(5);
    });

    it('a search base outside the naming context: exit 4, nothing collected and it says so', async () => {
      const r = await collect([...connection(), '--base-dn', 'DC=fabrikam,DC=test']);
      const snapshot = expectIncomplete(r, /no domain partition matches DC=fabrikam,DC=test/);
      expect(snapshot.domains).toEqual([]);
    });

    it('a search base that does not exist inside it: exit 4, the server\'s no-such-object recorded', async () => {
      const r = await collect([...connection(), '--base-dn', 'OU=Nowhere,DC=contoso,DC=test']);
      const snapshot = expectIncomplete(r, /spn-holders \(OU=Nowhere,DC=contoso,DC=test\)/);
      expect(snapshot.errors.map((e) => e.code)).toContain(32);
    });
  });

  describe('read-only: what a full collect and audit send', () => {
    const READ_ONLY = ['bindRequest', 'searchRequest', 'unbindRequest'];

    it('collect and audit over ldap:// send only bind, search and unbind', async () => {
      const p = await proxy();
      const c = await collect([...connection(p.url), '--identity', 'CONTOSO\\svc_apppool_nospn']);
      expect(c.code, c.stderr).toBe(0);
      const a = await cli(['audit', ...connection(p.url), '--config', EXAMPLE_CONFIG, '--format', 'json']);
      expect(a.code, a.stderr).toBe(1);
      // Two connections each (the default --parallel 2 splits the SPN-holder search).
      expect(p.connectionCount).toBe(4);
      expect(new Set(p.opNames())).toEqual(new Set(READ_ONLY));
      expectEveryConnectionAuthenticated(p);
      for (const conn of [1, 2, 3, 4]) expect(p.requests.filter((r) => r.connection === conn).at(-1)?.opName).toBe('unbindRequest');
    });

    it('--gc: the GC and the domain DC connections send only bind, search and unbind', async () => {
      const dc = await proxy();
      const gc = await proxy({}, lab.gcUrl);
      const cfg = path.join(dir, 'gc-proxied.yaml');
      await writeFile(cfg, `ldap:\n  domainControllers:\n    contoso.test: ${dc.url}\n`);
      const r = await collect([...connection(gc.url), '--gc', '--config', cfg]);
      expect(r.code, r.stderr).toBe(0);
      // The GC search is one search; the domain DC's SPN-holder search is split over two connections.
      expect([gc.connectionCount, dc.connectionCount]).toEqual([1, 2]);
      for (const p of [gc, dc]) expect(new Set(p.opNames())).toEqual(new Set(READ_ONLY));
    });

    it('--starttls: the only request in clear is the StartTLS extended operation', async () => {
      const p = await proxy();
      const r = await collect([...connection(p.url), '--starttls', '--ca-file', lab.caFile]);
      expect(r.code, r.stderr).toBe(0);
      // Each of the two connections (default --parallel 2) sends StartTLS first and nothing else in clear.
      expect(p.requests.map((q) => [q.opName, q.extended?.oid])).toEqual([['extendedReq', STARTTLS_OID], ['extendedReq', STARTTLS_OID]]);
      expect([p.encryptedAfterStartTls.has(1), p.encryptedAfterStartTls.has(2)]).toEqual([true, true]);
    });
  });

  describe('hostile identity names reach the directory escaped', () => {
    const ASSERTION = /\(sAMAccountName=[^()]*\)/g;

    function byNameFilters(p: LdapProxy): string[] {
      return p.requests.filter((q) => q.search?.filter.includes('sAMAccountName=')).map((q) => q.search!.filter);
    }

    it('--identity: one escaped equality per name, no extra accounts', async () => {
      const p = await proxy();
      const r = await collect([...connection(p.url), '--identity', '*)(objectClass=*', '--identity', 'CONTOSO\\(svc)', '--identity', 'CONTOSO\\back\\slash']);
      expect(r.code, r.stderr).toBe(0);
      const [filter, ...more] = byNameFilters(p);
      expect(more).toEqual([]);
      const parts = filter!.match(ASSERTION)!;
      expect(filter).toBe(`(|${parts.join('')})`);
      expect([...parts].sort()).toEqual(['(sAMAccountName=\\28svc\\29)', '(sAMAccountName=\\2a\\29\\28objectClass=\\2a)', '(sAMAccountName=back\\5cslash)'].sort());
      expect(r.snapshot!.accounts.map((a) => a.objectGuid).sort()).toEqual(baseline.accounts.map((a) => a.objectGuid).sort());
    });

    it('an app pool userName in applicationHost.config, and a NUL from the inventory file', async () => {
      const iis = path.join(dir, 'HOSTILE.applicationHost.config');
      await writeFile(
        iis,
        `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <applicationPools>
      <add name="Hostile"><processModel identityType="SpecificUser" userName="CONTOSO\\*)(objectClass=*" /></add>
      <add name="Paren"><processModel identityType="SpecificUser" userName="CONTOSO\\svc)(|(cn=*" /></add>
    </applicationPools>
    <sites>
      <site name="S" id="1"><application path="/" applicationPool="Hostile" /><bindings><binding protocol="http" bindingInformation="*:80:s.contoso.test" /></bindings></site>
    </sites>
  </system.applicationHost>
</configuration>
`,
      );
      const cfg = path.join(dir, 'hostile-inventory.yaml');
      await writeFile(cfg, `inventory:\n  servers:\n    - name: HAND01\n      appPools:\n        - name: Nul\n          identityType: SpecificUser\n          userName: "CONTOSO\\\\svc\\0nul"\n`);
      const p = await proxy();
      const saved = path.join(dir, 'hostile-audit.snapshot.json');
      const r = await cli(['audit', ...connection(p.url), '--iis', iis, '--config', cfg, '--format', 'json', '--save-snapshot', saved]);
      expect([0, 1]).toContain(r.code);
      const [filter] = byNameFilters(p);
      expect([...filter!.match(ASSERTION)!].sort()).toEqual(
        ['(sAMAccountName=\\2a\\29\\28objectClass=\\2a)', '(sAMAccountName=svc\\00nul)', '(sAMAccountName=svc\\29\\28|\\28cn=\\2a)'].sort(),
      );
      const snapshot = JSON.parse(await readFile(saved, 'utf8')) as Snapshot;
      expect(snapshot.accounts.map((a) => a.objectGuid).sort()).toEqual(baseline.accounts.map((a) => a.objectGuid).sort());
    });

    it('binary SIDs go out byte for byte: the RODC group is found (it was missed before the filter fix)', async () => {
      const witness = await ldapSearch(lab, { filter: '(sAMAccountName=Read-only Domain Controllers)', attributes: ['whenCreated'] });
      expect(witness).toHaveLength(1);
      expect(baseline.domains[0]!.rodcGroupCreated).not.toBeNull();
      const created = values(witness[0]!, 'whenCreated')[0]!;
      expect(baseline.domains[0]!.rodcGroupCreated).toBe(`${created.slice(0, 4)}-${created.slice(4, 6)}-${created.slice(6, 8)}T${created.slice(8, 10)}:${created.slice(10, 12)}:${created.slice(12, 14)}.000Z`);
    });
  });

  describe('secrets', () => {
    it('every report format of a live audit, and its saved snapshot, are written (for the scan below)', async () => {
      const reports = REPORT_FORMATS.flatMap((f) => ['--report', `${f}=${path.join(dir, 'reports', `audit.${f}`)}`]);
      const r = await cli(['audit', ...connection(), '--config', EXAMPLE_CONFIG, ...reports, '--save-snapshot', path.join(dir, 'reports', 'saved.json')]);
      expect(r.code, r.stderr).toBe(1);
      expect((await readdir(path.join(dir, 'reports'))).sort()).toEqual([...REPORT_FORMATS.map((f) => `audit.${f}`), 'saved.json'].sort());
    });

    it('a password file others can read still works, with a warning', async () => {
      const loose = path.join(dir, 'loose.pw');
      await writeFile(loose, lab.password);
      await chmod(loose, 0o644);
      const r = await collect(connection(lab.ldapUrl, loose));
      expect(r.code).toBe(0);
      expect(r.stderr).toBe(`spnaudit: warning: ${loose} is readable by other users; restrict it with chmod 600\n`);
    });

    it('no secret appears in any stdout, stderr or file of this suite', async () => {
      const files = await listFiles(dir);
      const texts = [...transcripts, ...(await Promise.all(files.filter((f) => !f.endsWith('.pw') && !f.endsWith('.key')).map(async (f) => ({ label: f, text: await readFile(f, 'latin1') }))))];
      expect(transcripts.length).toBeGreaterThan(30);
      expect(files.filter((f) => f.endsWith('.json')).length).toBeGreaterThan(15);
      for (const secret of secrets) {
        expect(secret.value.length).toBeGreaterThan(8);
        const leaks = texts.filter((t) => t.text.includes(secret.value)).map((t) => t.label);
        expect(leaks, secret.label).toEqual([]);
      }
    });
  });
});

function expectEveryConnectionAuthenticated(p: LdapProxy): void {
  const first = new Map<number, string>();
  for (const r of p.requests) if (!first.has(r.connection)) first.set(r.connection, r.opName);
  for (const [conn, op] of first) expect(op, `connection ${conn} started with ${op}`).toBe('bindRequest');
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else out.push(full);
  }
  return out;
}
