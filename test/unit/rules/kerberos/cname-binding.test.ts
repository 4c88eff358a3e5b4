import { cnameBinding } from '../../../../src/rules/kerberos/cname-binding.js';
import { ruleTester } from '../../../support/rule-tester.js';
import { account, computer, inventory, singleSite, snapshot } from '../../../support/fixtures.js';

const web03 = computer('WEB03');
const svc = account({ sam: 'svc_portal', spns: ['HTTP/portal.contoso.test'] });
const snap = snapshot({ accounts: [web03, svc, account({ sam: 'svc_www', spns: ['HTTP/www.contoso.test'] })] });
const apc = { windows: { useAppPoolCredentials: true } };
const site = (hosts: string[], identity = 'CONTOSO\\svc_portal', auth: Parameters<typeof singleSite>[0]['auth'] = apc) =>
  singleSite({ server: 'WEB03', site: 'Portal', hosts, identity, auth });
const where = { host: 'www.contoso.test', server: 'WEB03', site: 'Portal', appPool: 'PortalPool' };

ruleTester(cnameBinding).run({
  valid: [
    { name: 'no CNAME facts', input: { snapshot: snap, inventory: inventory({ servers: [site(['portal.contoso.test'])] }) } },
    {
      name: 'the canonical name\'s SPN is on the decrypting account',
      input: { snapshot: snap, inventory: inventory({ servers: [site(['go.contoso.test'])], cnames: { 'go.contoso.test': 'portal.contoso.test' } }) },
    },
    {
      name: 'the computer decrypts and the CNAME points at its own name',
      input: { snapshot: snap, inventory: inventory({ servers: [site(['www.contoso.test'], 'ApplicationPoolIdentity', {})], cnames: { 'www.contoso.test': 'web03.contoso.test' } }) },
    },
  ],
  invalid: [
    {
      name: 'the canonical name is the node itself (HOST/ on the computer) while the pool identity decrypts',
      input: { snapshot: snap, inventory: inventory({ servers: [site(['www.contoso.test'])], cnames: { 'www.contoso.test': 'web03.contoso.test' } }) },
      findings: [
        {
          severity: 'error',
          subject: { account: 'CONTOSO\\svc_portal', accountGuid: svc.objectGuid, spn: 'HTTP/web03.contoso.test', ...where },
          message: 'HTTP/web03.contoso.test belongs to CONTOSO\\WEB03$ through HOST/web03.contoso.test, not to CONTOSO\\svc_portal: 401.1.',
          fixes: [
            'Replace the DNS CNAME www.contoso.test → web03.contoso.test with an A record, so browsers request HTTP/www.contoso.test.',
            'HTTP/www.contoso.test is held by CONTOSO\\svc_www: an A record for www.contoso.test only helps once that name is dedicated to this site.',
          ],
        },
      ],
    },
    {
      name: 'SPN registered for the alias only; the canonical name is dedicated, so it can be registered',
      input: {
        snapshot: snapshot({ accounts: [web03, account({ sam: 'svc_portal', spns: ['HTTP/portal.contoso.test', 'HTTP/www.contoso.test'] })] }),
        inventory: inventory({ servers: [site(['www.contoso.test'])], cnames: { 'www.contoso.test': 'lb.contoso.test' } }),
      },
      findings: [
        {
          severity: 'error',
          subject: { account: 'CONTOSO\\svc_portal', accountGuid: svc.objectGuid, spn: 'HTTP/lb.contoso.test', ...where },
          message: 'nobody holds HTTP/lb.contoso.test; HTTP/www.contoso.test (the alias) is registered, but browsers never ask for it: NTLM fallback.',
          fixes: [
            'setspn -U -S HTTP/lb.contoso.test CONTOSO\\svc_portal',
            'Replace the DNS CNAME www.contoso.test → lb.contoso.test with an A record, so browsers request HTTP/www.contoso.test (already on CONTOSO\\svc_portal).',
          ],
        },
      ],
    },
    {
      name: 'edge: the kernel-mode classic — after useAppPoolCredentials the node name no longer works',
      input: {
        snapshot: snapshot({ accounts: [web03, svc] }),
        inventory: inventory({ servers: [site(['portal.contoso.test', 'www.contoso.test'], 'CONTOSO\\svc_portal', {})], cnames: { 'www.contoso.test': 'web03.contoso.test' } }),
      },
      findings: [
        {
          severity: 'error',
          subject: { account: 'CONTOSO\\svc_portal', accountGuid: svc.objectGuid, spn: 'HTTP/web03.contoso.test', ...where },
          message: 'which decrypts once useAppPoolCredentials is turned on for this site',
          fixes: [
            'Replace the DNS CNAME www.contoso.test → web03.contoso.test with an A record, so browsers request HTTP/www.contoso.test.',
            'setspn -U -S HTTP/www.contoso.test CONTOSO\\svc_portal',
          ],
          notes: ['needed once www.contoso.test is an A record'],
        },
      ],
    },
  ],
});
