import { describe, expect, it } from 'vitest';
import { createRuleContext } from '../../../src/analyze/context.js';
import { ExplainUrlError, explainUrl, parseTargetUrl } from '../../../src/analyze/explain.js';
import { EXIT } from '../../../src/errors.js';
import { kerberosRules } from '../../../src/rules/kerberos/index.js';
import { account, computer, inventory, singleSite, snapshot } from '../../support/fixtures.js';

const web01 = computer('WEB01');
const svc = account({ sam: 'svc_web', spns: ['HTTP/intranet.contoso.test'] });
const snap = snapshot({ accounts: [web01, svc, account({ sam: 'svc_unrelated', spns: ['HTTP/x.contoso.test', 'HTTPS/y.contoso.test'] })] });
const rules = { rules: kerberosRules };

describe('parseTargetUrl', () => {
  it.each([
    ['https://Intranet.Contoso.Test/', { scheme: 'https', host: 'intranet.contoso.test', port: 443, path: '/' }],
    ['http://intranet.contoso.test:8080/app/page', { scheme: 'http', host: 'intranet.contoso.test', port: 8080, path: '/app/page' }],
    ['intranet', { scheme: 'http', host: 'intranet', port: 80, path: '/' }],
    ['http://web01.contoso.test./', { scheme: 'http', host: 'web01.contoso.test', port: 80, path: '/' }],
  ])('%s', (raw, expected) => {
    expect(parseTargetUrl(raw)).toMatchObject(expected);
  });

  it.each(['ftp://intranet/', 'http://', 'http://exa mple/'])('rejects %j as a usage error', (raw) => {
    expect(() => parseTargetUrl(raw)).toThrow(ExplainUrlError);
    try {
      parseTargetUrl(raw);
    } catch (err) {
      expect((err as ExplainUrlError).exitCode).toBe(EXIT.USAGE);
      expect((err as Error).message).not.toMatch(/\n/);
    }
  });
});

describe('explainUrl', () => {
  it('explains the kernel-mode classic: SPN, holder, decrypting account, verdict, findings and fix', () => {
    const ctx = createRuleContext(snap, inventory({ servers: [singleSite({ identity: 'CONTOSO\\svc_web' })] }));
    const x = explainUrl('http://intranet.contoso.test/', ctx, rules);
    expect(x).toMatchObject({
      host: 'intranet.contoso.test',
      port: 80,
      expectedSpn: 'HTTP/intranet.contoso.test',
      forest: 'contoso.test',
      resolution: { via: 'explicit', hostSpn: null, holders: [{ account: 'CONTOSO\\svc_web', kind: 'user', spn: 'HTTP/intranet.contoso.test' }] },
      endpoints: [{ server: 'WEB01', site: 'Intranet', application: '/', appPool: 'IntranetPool', decryptor: { kind: 'computer', account: 'CONTOSO\\WEB01$' }, verdict: { verdict: 'failure-401' } }],
      notes: [],
    });
    expect(x.findings.map((f) => f.ruleId)).toEqual(['kernel-mode-needs-app-pool-credentials', 'missing-spn-variant']);
    expect(x.findings[0]?.fixes[0]?.command).toContain('/useAppPoolCredentials:"True"');
  });

  it('shows the HOST alias and the CNAME the browser follows', () => {
    const ctx = createRuleContext(snap, inventory({ servers: [singleSite({ hosts: ['www.contoso.test'] })], cnames: { 'www.contoso.test': 'web01.contoso.test' } }));
    const x = explainUrl('http://www.contoso.test', ctx, rules);
    expect(x.cnameChain).toEqual(['www.contoso.test', 'web01.contoso.test']);
    expect(x.expectedSpn).toBe('HTTP/web01.contoso.test');
    expect(x.resolution).toEqual({ via: 'host-alias', hostSpn: 'HOST/web01.contoso.test', holders: [{ account: 'CONTOSO\\WEB01$', objectGuid: web01.objectGuid, kind: 'computer', spn: 'HOST/web01.contoso.test' }] });
    expect(x.endpoints[0]?.verdict.verdict).toBe('kerberos-ok');
    expect(x.notes).toEqual(['Nobody holds HTTP/web01.contoso.test explicitly; the KDC uses HOST/web01.contoso.test through the sPNMappings HOST alias.']);
  });

  it('picks the deepest application for the path, and only bindings on the URL port', () => {
    const srv = singleSite({ identity: 'CONTOSO\\svc_web', auth: { windows: { useAppPoolCredentials: true } } });
    srv.sites[0]?.applications.push({ ...srv.sites[0].applications[0]!, path: '/api' });
    const ctx = createRuleContext(snap, inventory({ servers: [srv] }));
    expect(explainUrl('http://intranet.contoso.test/API/v1', ctx, rules).endpoints.map((e) => e.application)).toEqual(['/api']);
    expect(explainUrl('http://intranet.contoso.test/other', ctx, rules).endpoints.map((e) => e.application)).toEqual(['/']);
    expect(explainUrl('http://intranet.contoso.test:8080/', ctx, rules).endpoints).toEqual([]);
  });

  it('without IIS input explains the directory side and says what is unknown', () => {
    const x = explainUrl('intranet.contoso.test', createRuleContext(snap, null), rules);
    expect(x.endpoints).toEqual([]);
    expect(x.resolution.holders.map((h) => h.account)).toEqual(['CONTOSO\\svc_web']);
    expect(x.notes).toEqual(['No IIS input was given: only the directory side (who holds the SPN) can be explained.']);
    expect(x.findings.map((f) => [f.ruleId, f.subject.account, f.evidence.missing])).toEqual([['missing-spn-variant', 'CONTOSO\\svc_web', ['HTTP/intranet']]]);
  });
});
