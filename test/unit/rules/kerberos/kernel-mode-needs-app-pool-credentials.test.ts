import { kernelModeNeedsAppPoolCredentials } from '../../../../src/rules/kerberos/kernel-mode-needs-app-pool-credentials.js';
import { ruleTester } from '../../../support/rule-tester.js';
import { account, computer, inventory, pool, server, singleSite, site, snapshot } from '../../../support/fixtures.js';

const web03 = computer('WEB03');
const portal = account({ sam: 'svc_portal', spns: ['HTTP/portal.contoso.test'] });
const gmsa = account({ sam: 'gmsa_apps', kind: 'gmsa', spns: ['HTTP/apps.contoso.test'] });
const snap = snapshot({ accounts: [web03, portal, gmsa] });
const portalSite = (auth?: Parameters<typeof singleSite>[0]['auth']) =>
  singleSite({ server: 'WEB03', site: 'Portal', hosts: ['portal.contoso.test', 'portal'], identity: 'CONTOSO\\svc_portal', ...(auth ? { auth } : {}) });
const fix = (location: string) =>
  `%windir%\\system32\\inetsrv\\appcmd.exe set config "${location}" -section:system.webServer/security/authentication/windowsAuthentication /useAppPoolCredentials:"True" /commit:apphost`;

ruleTester(kernelModeNeedsAppPoolCredentials).run({
  valid: [
    { name: 'useAppPoolCredentials is on', input: { snapshot: snap, inventory: inventory({ servers: [portalSite({ windows: { useAppPoolCredentials: true } })] }) } },
    { name: 'kernel mode is off', input: { snapshot: snap, inventory: inventory({ servers: [portalSite({ windows: { useKernelMode: false } })] }) } },
    { name: 'the pool identity holds none of the site\'s SPNs', input: { snapshot: snapshot({ accounts: [web03, account({ sam: 'svc_portal' })] }), inventory: inventory({ servers: [portalSite()] }) } },
    { name: 'a machine identity', input: { snapshot: snap, inventory: inventory({ servers: [singleSite({ server: 'WEB03', hosts: ['portal.contoso.test'] })] }) } },
  ],
  invalid: [
    {
      name: 'the classic: kernel mode, no useAppPoolCredentials, SPN on the domain pool identity',
      input: { snapshot: snap, inventory: inventory({ servers: [portalSite()] }) },
      findings: [
        {
          severity: 'error',
          subject: { account: 'CONTOSO\\svc_portal', accountGuid: portal.objectGuid, spn: 'HTTP/portal.contoso.test', host: 'portal.contoso.test', server: 'WEB03', site: 'Portal', appPool: 'PortalPool' },
          message: 'so tickets are decrypted with the key of CONTOSO\\WEB03$, but HTTP/portal.contoso.test is registered on the pool identity CONTOSO\\svc_portal: 401.1.',
          fixKinds: ['appcmd'],
          fixes: [fix('Portal')],
          notes: ['run on WEB03'],
        },
      ],
    },
    {
      name: 'edge: a gMSA identity in a sub-application',
      input: {
        snapshot: snap,
        inventory: inventory({
          servers: [
            server({
              name: 'WEB03',
              pools: [pool('Root'), pool('AppsPool', 'CONTOSO\\gmsa_apps$', 'WEB03')],
              sites: [site('Apps', { pool: 'Root', bindings: ['http *:80:apps.contoso.test'], auth: { windows: { useAppPoolCredentials: true } }, apps: [{ path: '/svc', pool: 'AppsPool', auth: {} }] })],
            }),
          ],
        }),
      },
      findings: [
        {
          severity: 'error',
          subject: { account: 'CONTOSO\\gmsa_apps$', accountGuid: gmsa.objectGuid, spn: 'HTTP/apps.contoso.test', host: 'apps.contoso.test', server: 'WEB03', site: 'Apps/svc', appPool: 'AppsPool' },
          fixes: [fix('Apps/svc')],
        },
      ],
    },
  ],
});
