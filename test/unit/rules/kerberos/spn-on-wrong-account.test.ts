import { spnOnWrongAccount } from '../../../../src/rules/kerberos/spn-on-wrong-account.js';
import { ruleTester } from '../../../support/rule-tester.js';
import { account, computer, inventory, pool, server, singleSite, site, snapshot } from '../../../support/fixtures.js';

const web01 = computer('WEB01');
const svc = account({ sam: 'svc_web', spns: ['HTTP/intranet.contoso.test'] });
const other = account({ sam: 'svc_other', spns: ['HTTP/other.contoso.test'] });
const snap = snapshot({ accounts: [web01, svc, other] });
const apc = { windows: { useAppPoolCredentials: true } };
const where = { server: 'WEB01', site: 'Intranet', appPool: 'IntranetPool' };

ruleTester(spnOnWrongAccount).run({
  valid: [
    { name: 'the SPN is on the decrypting pool identity', input: { snapshot: snap, inventory: inventory({ servers: [singleSite({ identity: 'CONTOSO\\svc_web', auth: apc })] }) } },
    { name: 'the computer decrypts and holds HOST/', input: { snapshot: snap, inventory: inventory({ servers: [singleSite({ hosts: ['web01.contoso.test'] })] }) } },
    { name: 'the kernel-mode classic is its own rule', input: { snapshot: snap, inventory: inventory({ servers: [singleSite({ identity: 'CONTOSO\\svc_web' })] }) } },
    { name: 'nobody holds it (missing-spn)', input: { snapshot: snap, inventory: inventory({ servers: [singleSite({ hosts: ['none.contoso.test'], identity: 'CONTOSO\\svc_web', auth: apc })] }) } },
  ],
  invalid: [
    {
      name: 'explicit SPN on another user: move it',
      input: { snapshot: snap, inventory: inventory({ servers: [singleSite({ hosts: ['other.contoso.test'], identity: 'CONTOSO\\svc_web', auth: apc })] }) },
      findings: [
        {
          severity: 'error',
          subject: { account: 'CONTOSO\\svc_other', accountGuid: other.objectGuid, spn: 'HTTP/other.contoso.test', host: 'other.contoso.test', ...where },
          message: 'the KDC issues it for CONTOSO\\svc_other (explicitly) but CONTOSO\\svc_web must decrypt it: KRB_AP_ERR_MODIFIED, 401.1.',
          fixes: ['setspn -U -D HTTP/other.contoso.test CONTOSO\\svc_other', 'setspn -U -S HTTP/other.contoso.test CONTOSO\\svc_web'],
        },
      ],
    },
    {
      name: 'the computer decrypts (ApplicationPoolIdentity) but a user holds the SPN: remove it, HOST/ then serves the computer',
      input: {
        snapshot: snapshot({ accounts: [web01, account({ sam: 'svc_x', spns: ['HTTP/web01.contoso.test'] })] }),
        inventory: inventory({ servers: [singleSite({ hosts: ['web01.contoso.test'] })] }),
      },
      findings: [
        {
          severity: 'error',
          subject: { account: 'CONTOSO\\svc_x', accountGuid: account({ sam: 'svc_x' }).objectGuid, spn: 'HTTP/web01.contoso.test', host: 'web01.contoso.test', ...where },
          fixes: ['setspn -U -D HTTP/web01.contoso.test CONTOSO\\svc_x'],
        },
      ],
    },
    {
      name: 'edge: the holder is the computer through HOST/ — never remove HOST/, state the alias side effect',
      input: { snapshot: snap, inventory: inventory({ servers: [singleSite({ hosts: ['web01.contoso.test'], identity: 'CONTOSO\\svc_web', auth: apc })] }) },
      findings: [
        {
          severity: 'error',
          subject: { account: 'CONTOSO\\WEB01$', accountGuid: web01.objectGuid, spn: 'HTTP/web01.contoso.test', host: 'web01.contoso.test', ...where },
          message: '(through the HOST alias (HOST/web01.contoso.test))',
          fixKinds: ['appcmd', 'setspn', 'manual'],
          fixes: [
            '%windir%\\system32\\inetsrv\\appcmd.exe set config "Intranet" -section:system.webServer/security/authentication/windowsAuthentication /useAppPoolCredentials:"False" /commit:apphost',
            'setspn -U -S HTTP/web01.contoso.test CONTOSO\\svc_web',
            'Alternatively give the site its own host name (a DNS A record) and register HTTP/<new name> on CONTOSO\\svc_web; never remove HOST/web01.contoso.test from CONTOSO\\WEB01$.',
          ],
          notes: [
            'an explicit HTTP/web01.contoso.test overrides the HOST alias on CONTOSO\\WEB01$: every HTTP-class Kerberos service on that name (WinRM, PowerShell remoting, other sites) will get tickets for CONTOSO\\svc_web',
          ],
        },
      ],
    },
    {
      name: 'edge: a sub-application on another pool — the holder serves the root, so no SPN move is proposed',
      input: {
        snapshot: snap,
        inventory: inventory({
          servers: [
            server({
              name: 'WEB01',
              pools: [pool('IntranetPool', 'CONTOSO\\svc_web'), pool('ApiPool', 'CONTOSO\\svc_other')],
              sites: [site('Intranet', { pool: 'IntranetPool', bindings: ['http *:80:intranet.contoso.test'], auth: apc, apps: [{ path: '/api', pool: 'ApiPool' }] })],
            }),
          ],
        }),
      },
      findings: [
        {
          severity: 'error',
          subject: { account: 'CONTOSO\\svc_web', accountGuid: svc.objectGuid, spn: 'HTTP/intranet.contoso.test', host: 'intranet.contoso.test', server: 'WEB01', site: 'Intranet/api', appPool: 'ApiPool' },
          fixKinds: ['manual'],
          fixes: [
            'CONTOSO\\svc_web also decrypts HTTP/intranet.contoso.test for WEB01 "Intranet", so moving the SPN would break those: run every application on intranet.contoso.test as one identity, or give this one its own host name (see host-shared-by-identities).',
          ],
        },
      ],
    },
  ],
});
