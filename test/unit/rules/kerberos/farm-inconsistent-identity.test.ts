import { farmInconsistentIdentity } from '../../../../src/rules/kerberos/farm-inconsistent-identity.js';
import { ruleTester } from '../../../support/rule-tester.js';
import { account, computer, inventory, singleSite, snapshot } from '../../../support/fixtures.js';

const svc = account({ sam: 'svc_intranet', spns: ['HTTP/intranet.contoso.test', 'HTTP/intranet'] });
const snap = snapshot({ accounts: [computer('WEB01'), computer('WEB02'), svc] });
const farm = [{ name: 'intranet.contoso.test', servers: ['WEB01', 'WEB02'], tlsOffload: true }];
const node = (name: string, windows: { useAppPoolCredentials?: boolean; useKernelMode?: boolean } = {}, identity = 'CONTOSO\\svc_intranet') =>
  singleSite({ server: name, hosts: ['intranet.contoso.test', 'intranet'], identity, auth: { windows: { useAppPoolCredentials: true, ...windows } } });
const appcmd = '%windir%\\system32\\inetsrv\\appcmd.exe set config "Intranet" -section:system.webServer/security/authentication/windowsAuthentication /useAppPoolCredentials:"True" /commit:apphost';

ruleTester(farmInconsistentIdentity).run({
  valid: [
    { name: 'every node runs as the SPN holder with useAppPoolCredentials', input: { snapshot: snap, inventory: inventory({ servers: [node('WEB01'), node('WEB02')], farms: farm }) } },
    { name: 'a name on one server only', input: { snapshot: snap, inventory: inventory({ servers: [node('WEB01')] }) } },
  ],
  invalid: [
    {
      name: 'one node without useAppPoolCredentials (the scenario)',
      input: { snapshot: snap, inventory: inventory({ servers: [node('WEB01'), node('WEB02', { useAppPoolCredentials: false })], farms: farm }) },
      findings: [
        {
          severity: 'error',
          subject: { spn: 'HTTP/intranet.contoso.test', host: 'intranet.contoso.test', site: 'Intranet' },
          message: 'WEB02 decrypts with its computer account, which cannot share HTTP/intranet.contoso.test with the other nodes',
          evidence: { names: ['intranet.contoso.test', 'intranet'], target: 'CONTOSO\\svc_intranet' },
          fixKinds: ['appcmd'],
          fixes: [appcmd],
          notes: ['run on WEB02'],
        },
      ],
    },
    {
      name: 'edge: an undeclared name on two servers, all machine identities',
      input: { snapshot: snap, inventory: inventory({ servers: [node('WEB01', {}, 'ApplicationPoolIdentity'), node('WEB02', {}, 'ApplicationPoolIdentity')] }) },
      findings: [
        {
          severity: 'error',
          subject: { spn: 'HTTP/intranet.contoso.test', host: 'intranet.contoso.test', site: 'Intranet' },
          message: 'WEB01, WEB02 decrypt with their computer account',
          fixKinds: ['manual'],
          fixes: [
            "Run the farm's application pool on every node as one domain identity (preferably a gMSA) with useAppPoolCredentials=True, and register HTTP/intranet.contoso.test on that identity: the nodes' computer accounts cannot all hold the same SPN.",
          ],
        },
      ],
    },
    {
      name: 'edge: a node with another identity is told to switch, and the SPN stays with the holder',
      input: { snapshot: snapshot({ accounts: [computer('WEB01'), computer('WEB02'), svc, account({ sam: 'svc_other' })] }), inventory: inventory({ servers: [node('WEB01'), node('WEB02', {}, 'CONTOSO\\svc_other')], farms: farm }) },
      findings: [
        {
          severity: 'error',
          subject: { spn: 'HTTP/intranet.contoso.test', host: 'intranet.contoso.test', site: 'Intranet' },
          fixes: ['On WEB02, run application pool "IntranetPool" as CONTOSO\\svc_intranet (identityType SpecificUser), like the other nodes.'],
        },
      ],
    },
  ],
});
