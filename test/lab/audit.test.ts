/**
 * End to end: `spnaudit audit` and `spnaudit explain` against the live Samba DC plus the example IIS
 * farm give exactly the reviewed findings, and the bundled example snapshot says the same.
 */
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import type { AuditResult } from '../../src/model/audit.js';
import { runCli } from '../support/cli.js';
import { EXPECTED_EXAMPLE_FINDINGS, findingKey } from '../support/expected-findings.js';
import { describeLab, requireLab, type LabInfo } from './lab-context.js';

const CONFIG = path.resolve('examples/spnaudit.yaml');
let lab: LabInfo;

function live(args: string[]): string[] {
  return [...args, '--config', CONFIG, '--url', lab.ldapUrl, '--bind-dn', lab.bindDn, '--password-file', lab.passwordFile];
}

describeLab('spnaudit audit / explain against the Samba AD DC and the example farm', () => {
  let result: AuditResult;
  let code: number;
  let stderr: string;

  beforeAll(async () => {
    lab = requireLab();
    const r = await runCli(live(['audit', '--format', 'json']));
    code = r.code;
    stderr = r.stderr;
    result = JSON.parse(r.stdout) as AuditResult;
  });

  it('is complete and exits 1 for the error-level findings', () => {
    expect(stderr).toBe('');
    expect(result.scope.complete).toBe(true);
    expect(result.scope.domains).toEqual(['contoso.test']);
    expect(result.scope.servers).toEqual(['WEB01', 'WEB02', 'WEB03']);
    expect(result.scope.skipped).toEqual([]);
    expect(code).toBe(1);
  });

  it('finds exactly the expected findings', () => {
    expect(result.findings.map(findingKey)).toEqual(EXPECTED_EXAMPLE_FINDINGS);
  });

  it('agrees with the bundled example snapshot (examples/ is in sync with the lab scenario)', async () => {
    const r = await runCli(['audit', '--snapshot', 'examples/contoso.snapshot.json', '--config', CONFIG, '--format', 'json']);
    const fromExample = JSON.parse(r.stdout) as AuditResult;
    expect(fromExample.findings.map(findingKey)).toEqual(result.findings.map(findingKey));
    expect(fromExample.verdicts.map((v) => [v.server, v.site, v.host, v.verdict])).toEqual(result.verdicts.map((v) => [v.server, v.site, v.host, v.verdict]));
  });

  it('explains the classic kernel-mode 401 on the Portal site', async () => {
    const r = await runCli(live(['explain', 'http://portal.contoso.test/']));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Browser requests  HTTP/portal.contoso.test');
    expect(r.stdout).toContain('Held by           CONTOSO\\svc_portal [user]');
    expect(r.stdout).toMatch(/decrypts with\s+CONTOSO\\WEB03\$/);
    expect(r.stdout).toContain('verdict         FAILS with 401');
    expect(r.stdout).toContain('/useAppPoolCredentials:"True"');
  });

  it('explains a duplicate SPN', async () => {
    const r = await runCli(live(['explain', 'hr.contoso.test', '--format', 'json']));
    const x = JSON.parse(r.stdout) as { resolution: { holders: Array<{ account: string }> }; endpoints: Array<{ verdict: { verdict: string } }> };
    expect(x.resolution.holders.map((h) => h.account).sort()).toEqual(['CONTOSO\\WEB03$', 'CONTOSO\\svc_hr']);
    expect(x.endpoints.map((e) => e.verdict.verdict)).toEqual(['ntlm-fallback']);
  });
});
