import { describe, expect, it } from 'vitest';
import { createRuleContext } from '../../../src/analyze/context.js';
import { verdicts } from '../../../src/analyze/verdict.js';
import type { VerdictKind } from '../../../src/model/audit.js';
import type { IisServer } from '../../../src/model/iis.js';
import { account, computer, inventory, singleSite, snapshot } from '../../support/fixtures.js';

const web01 = computer('WEB01');
const svc = account({ sam: 'svc_web', spns: ['HTTP/intranet.contoso.test'] });
const dup = account({ sam: 'svc_dup', spns: ['HTTP/dup.contoso.test'] });
const dup2 = account({ sam: 'svc_dup2', spns: ['HTTP/dup.contoso.test'] });
const snap = snapshot({ accounts: [web01, svc, dup, dup2] });
const apc = { windows: { useAppPoolCredentials: true } };

describe('verdicts', () => {
  it.each<[string, IisServer, VerdictKind, string]>([
    ['SPN on the decrypting pool identity', singleSite({ identity: 'CONTOSO\\svc_web', auth: apc }), 'kerberos-ok', 'the ticket is encrypted for CONTOSO\\svc_web'],
    ['computer decrypts through the HOST alias', singleSite({ hosts: ['web01.contoso.test'] }), 'kerberos-ok', 'the account that decrypts it'],
    ['classic kernel-mode case', singleSite({ identity: 'CONTOSO\\svc_web' }), 'failure-401', 'KRB_AP_ERR_MODIFIED'],
    ['missing SPN with NTLM', singleSite({ hosts: ['nowhere.contoso.test'] }), 'ntlm-fallback', 'KDC_ERR_S_PRINCIPAL_UNKNOWN'],
    ['missing SPN, Kerberos-only', singleSite({ hosts: ['nowhere.contoso.test'], auth: { windows: { providers: ['Negotiate:Kerberos'] } } }), 'failure-401', 'no NTLM fallback'],
    ['duplicate SPN', singleSite({ hosts: ['dup.contoso.test'] }), 'ntlm-fallback', 'duplicate SPN'],
    ['NTLM-only providers', singleSite({ auth: { windows: { providers: ['NTLM'] } } }), 'kerberos-not-tried', 'without Negotiate'],
    ['anonymous also on', singleSite({ auth: { anonymous: true } }), 'kerberos-not-tried', 'anonymous authentication is also on'],
    ['Windows auth off', singleSite({ auth: { windows: false, anonymous: true } }), 'kerberos-not-tried', 'Windows authentication is off'],
    ['LocalService without kernel mode, SPN held', singleSite({ identity: 'LocalService', auth: { windows: { useKernelMode: false } } }), 'failure-401', 'cannot accept'],
    ['LocalService without kernel mode, no SPN', singleSite({ hosts: ['nowhere.contoso.test'], identity: 'LocalService', auth: { windows: { useKernelMode: false } } }), 'ntlm-fallback', 'nobody holds'],
    ['unknown pool identity', singleSite({ identity: 'CONTOSO\\ghost', auth: apc }), 'failure-401', 'not in the snapshot'],
  ])('%s', (_name, srv, kind, lastReason) => {
    const [v] = verdicts(createRuleContext(snap, inventory({ servers: [srv] })));
    expect(v?.verdict).toBe(kind);
    expect(v?.reasons.at(-1)).toContain(lastReason);
  });

  it('carries the full chain of facts for one endpoint', () => {
    const srv = singleSite({ identity: 'CONTOSO\\svc_web' });
    expect(verdicts(createRuleContext(snap, inventory({ servers: [srv] })))).toEqual([
      {
        server: 'WEB01',
        site: 'Intranet',
        application: '/',
        host: 'intranet.contoso.test',
        expectedSpn: 'HTTP/intranet.contoso.test',
        decryptingAccount: 'CONTOSO\\WEB01$',
        holders: ['CONTOSO\\svc_web'],
        verdict: 'failure-401',
        reasons: [
          'browsers request HTTP/intranet.contoso.test (no port: browsers omit it unless a client policy says otherwise)',
          'Windows authentication with Negotiate, NTLM is on for Intranet',
          'kernel-mode authentication is on and useAppPoolCredentials is off, so HTTP.sys decrypts tickets with the computer account key, whatever the pool identity',
          'the KDC finds HTTP/intranet.contoso.test on CONTOSO\\svc_web',
          'the ticket is encrypted for CONTOSO\\svc_web but CONTOSO\\WEB01$ decrypts: KRB_AP_ERR_MODIFIED, 401.1 (Negotiate does not fall back to NTLM after a ticket was issued)',
        ],
      },
    ]);
  });

  it('explains CNAMEs and empty host headers first', () => {
    const cname = verdicts(createRuleContext(snap, inventory({ servers: [singleSite({ hosts: ['www.contoso.test'] })], cnames: { 'www.contoso.test': 'web01.contoso.test' } })));
    expect(cname[0]?.reasons[0]).toBe('www.contoso.test is a DNS alias (www.contoso.test → web01.contoso.test); browsers use the canonical name web01.contoso.test');
    const empty = verdicts(createRuleContext(snap, inventory({ servers: [singleSite({ hosts: [''] })] })));
    expect(empty.map((v) => [v.host, v.verdict])).toEqual([
      ['web01', 'kerberos-ok'],
      ['web01.contoso.test', 'kerberos-ok'],
    ]);
    expect(empty[0]?.reasons[0]).toBe('the binding has no host header, so WEB01 answers to its own name web01');
  });
});
