import { missingSpn } from '../../../../src/rules/kerberos/missing-spn.js';
import { ruleTester } from '../../../support/rule-tester.js';
import { account, computer, domain, inventory, singleSite, snapshot } from '../../../support/fixtures.js';

const web01 = computer('WEB01');
const svc = account({ sam: 'svc_web', spns: ['HTTP/intranet.contoso.test'] });
const snap = snapshot({ accounts: [web01, svc] });
const apc = { windows: { useAppPoolCredentials: true } };

ruleTester(missingSpn).run({
  valid: [
    { name: 'the SPN is on the pool identity', input: { snapshot: snap, inventory: inventory({ servers: [singleSite({ identity: 'CONTOSO\\svc_web', auth: apc })] }) } },
    { name: 'the computer holds it through HOST/', input: { snapshot: snap, inventory: inventory({ servers: [singleSite({ hosts: ['web01'] })] }) } },
    { name: 'NTLM-only providers never request a ticket', input: { snapshot: snap, inventory: inventory({ servers: [singleSite({ hosts: ['app.contoso.test'], auth: { windows: { providers: ['NTLM'] } } })] }) } },
    { name: 'Windows authentication off', input: { snapshot: snap, inventory: inventory({ servers: [singleSite({ hosts: ['app.contoso.test'], auth: { windows: false, anonymous: true } })] }) } },
    {
      name: 'LocalService with kernel mode on: the computer decrypts and holds the name through HOST/',
      input: { snapshot: snap, inventory: inventory({ servers: [singleSite({ hosts: ['web01'], identity: 'LocalService' })] }) },
    },
    { name: 'a CNAME binding is cname-binding\'s finding', input: { snapshot: snap, inventory: inventory({ servers: [singleSite({ hosts: ['www.contoso.test'] })], cnames: { 'www.contoso.test': 'lb.contoso.test' } }) } },
  ],
  invalid: [
    {
      name: 'LocalService with kernel mode off: nobody holds the SPN and nobody could decrypt it',
      input: { snapshot: snap, inventory: inventory({ servers: [singleSite({ site: 'Local', hosts: ['local.contoso.test'], identity: 'LocalService', auth: { windows: { useKernelMode: false } } })] }) },
      findings: [
        {
          severity: 'error',
          subject: { spn: 'HTTP/local.contoso.test', host: 'local.contoso.test', server: 'WEB01', site: 'Local', appPool: 'LocalPool' },
          message: /and no account could decrypt it there: kernel-mode authentication is off and pool "LocalPool" runs as LocalService.*Users always get NTLM\.$/,
          fixes: [
            '%windir%\\system32\\inetsrv\\appcmd.exe set config "Local" -section:system.webServer/security/authentication/windowsAuthentication /useKernelMode:"True" /commit:apphost',
            'setspn -C -S HTTP/local.contoso.test "CONTOSO\\WEB01$"',
            'Alternatively run the pool as ApplicationPoolIdentity or a domain account (preferably a gMSA) and register HTTP/local.contoso.test on the account that then decrypts.',
          ],
        },
      ],
    },
    {
      name: 'edge: a machine-local identity with useAppPoolCredentials: the fix turns useAppPoolCredentials off',
      input: { snapshot: snap, inventory: inventory({ servers: [singleSite({ hosts: ['app.contoso.test'], identity: '.\\localsvc', auth: apc })] }) },
      findings: [
        {
          severity: 'error',
          subject: { spn: 'HTTP/app.contoso.test', host: 'app.contoso.test', server: 'WEB01', site: 'Intranet', appPool: 'IntranetPool' },
          message: /runs as the local account/,
          fixes: [
            '%windir%\\system32\\inetsrv\\appcmd.exe set config "Intranet" -section:system.webServer/security/authentication/windowsAuthentication /useAppPoolCredentials:"False" /commit:apphost',
            'setspn -C -S HTTP/app.contoso.test "CONTOSO\\WEB01$"',
            'Alternatively run the pool as ApplicationPoolIdentity or a domain account (preferably a gMSA) and register HTTP/app.contoso.test on the account that then decrypts.',
          ],
        },
      ],
    },
    {
      name: 'nobody holds the SPN of a domain pool identity with useAppPoolCredentials',
      input: { snapshot: snap, inventory: inventory({ servers: [singleSite({ hosts: ['app.contoso.test', 'app.contoso.test'], identity: 'CONTOSO\\svc_web', auth: apc })] }) },
      findings: [
        {
          severity: 'error',
          subject: { account: 'CONTOSO\\svc_web', accountGuid: svc.objectGuid, spn: 'HTTP/app.contoso.test', host: 'app.contoso.test', server: 'WEB01', site: 'Intranet', appPool: 'IntranetPool' },
          message: 'they fall back to NTLM',
          fixes: ['setspn -U -S HTTP/app.contoso.test CONTOSO\\svc_web'],
        },
      ],
    },
    {
      name: 'the computer decrypts (ApplicationPoolIdentity) and Kerberos-only providers make it a 401',
      input: { snapshot: snap, inventory: inventory({ servers: [singleSite({ hosts: ['app.contoso.test'], auth: { windows: { providers: ['Negotiate:Kerberos'] } } })] }) },
      findings: [
        {
          severity: 'error',
          subject: { account: 'CONTOSO\\WEB01$', accountGuid: web01.objectGuid, spn: 'HTTP/app.contoso.test', host: 'app.contoso.test', server: 'WEB01', site: 'Intranet', appPool: 'IntranetPool' },
          message: 'with Kerberos-only providers users get 401',
          fixes: ['setspn -C -S HTTP/app.contoso.test "CONTOSO\\WEB01$"'],
        },
      ],
    },
    {
      name: 'edge: the kernel-mode classic — register on the pool identity that already holds the FQDN, not on the computer',
      input: { snapshot: snap, inventory: inventory({ servers: [singleSite({ hosts: ['intranet.contoso.test', 'intranet'], identity: 'CONTOSO\\svc_web' })] }) },
      findings: [
        {
          severity: 'error',
          subject: { account: 'CONTOSO\\svc_web', accountGuid: svc.objectGuid, spn: 'HTTP/intranet', host: 'intranet', server: 'WEB01', site: 'Intranet', appPool: 'IntranetPool' },
          fixes: ['setspn -U -S HTTP/intranet CONTOSO\\svc_web'],
          notes: ['together with useAppPoolCredentials=True'],
        },
      ],
    },
    {
      name: 'edge: in a multi-domain forest the duplicate check covers the forest (-F); an unknown identity gets a manual fix',
      input: {
        snapshot: snapshot({ accounts: [web01, svc], domains: [domain(), domain({ dnsName: 'eu.contoso.test', forest: 'contoso.test' })] }),
        inventory: inventory({
          servers: [
            singleSite({ hosts: ['app.contoso.test'], identity: 'CONTOSO\\svc_web', auth: apc }),
            singleSite({ server: 'WEB02', hosts: ['ghost.contoso.test'], identity: 'CONTOSO\\ghost', auth: apc }),
          ],
        }),
      },
      findings: [
        {
          severity: 'error',
          subject: { account: 'CONTOSO\\svc_web', accountGuid: svc.objectGuid, spn: 'HTTP/app.contoso.test', host: 'app.contoso.test', server: 'WEB01', site: 'Intranet', appPool: 'IntranetPool' },
          fixes: ['setspn -U -F -S HTTP/app.contoso.test CONTOSO\\svc_web'],
        },
        {
          severity: 'error',
          subject: { spn: 'HTTP/ghost.contoso.test', host: 'ghost.contoso.test', server: 'WEB02', site: 'Intranet', appPool: 'IntranetPool' },
          fixKinds: ['manual'],
          fixes: ['Register HTTP/ghost.contoso.test on CONTOSO\\ghost once that account exists in the directory (it is not in the snapshot).'],
        },
      ],
    },
  ],
});

ruleTester(missingSpn).run({
  valid: [],
  invalid: [
    {
      name: 'edge: two nodes of one name decrypt with different accounts — no conflicting registrations are proposed',
      input: {
        snapshot: snapshot({ accounts: [computer('WEB01'), computer('WEB02'), svc] }),
        inventory: inventory({
          servers: [
            singleSite({ hosts: ['farm.contoso.test'], identity: 'CONTOSO\\svc_web', auth: { windows: { useAppPoolCredentials: true } } }),
            singleSite({ server: 'WEB02', hosts: ['farm.contoso.test'], identity: 'CONTOSO\\svc_web' }),
          ],
        }),
      },
      findings: ['WEB01', 'WEB02'].map((server, i) => ({
        severity: 'error' as const,
        subject: {
          account: i === 0 ? 'CONTOSO\\svc_web' : 'CONTOSO\\WEB02$',
          accountGuid: i === 0 ? svc.objectGuid : computer('WEB02').objectGuid,
          spn: 'HTTP/farm.contoso.test',
          host: 'farm.contoso.test',
          server,
          site: 'Intranet',
          appPool: 'IntranetPool',
        },
        fixKinds: ['manual' as const],
        fixes: [
          'HTTP/farm.contoso.test is requested for applications that decrypt with different accounts (CONTOSO\\svc_web, CONTOSO\\WEB02$); only one can hold it: first make them agree (see host-shared-by-identities and farm-inconsistent-identity), then register it on that account.',
        ],
      })),
    },
  ],
});
