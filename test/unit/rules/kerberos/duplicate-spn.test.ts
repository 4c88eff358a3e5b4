import { duplicateSpn } from '../../../../src/rules/kerberos/duplicate-spn.js';
import { ruleTester } from '../../../support/rule-tester.js';
import { account, computer, domain, forest, inventory, singleSite, snapshot } from '../../../support/fixtures.js';

const decide =
  'Decide which account must decrypt tickets for HTTP/shared.contoso.test (for IIS: the pool identity when useAppPoolCredentials is on or kernel mode is off, otherwise the server\'s computer account) and remove the SPN from every other holder.';

ruleTester(duplicateSpn).run({
  valid: [
    { name: 'every SPN on one account', input: { snapshot: snapshot({ accounts: [computer('WEB01'), account({ sam: 'svc_web', spns: ['HTTP/intranet.contoso.test'] })] }) } },
    {
      name: 'kadmin/changepw on every krbtgt of the forest',
      input: {
        snapshot: snapshot({
          accounts: [account({ sam: 'krbtgt', spns: ['kadmin/changepw'] }), account({ sam: 'krbtgt', domain: 'eu.contoso.test', spns: ['kadmin/changepw'] })],
          domains: [domain(), domain({ dnsName: 'eu.contoso.test', forest: 'contoso.test' })],
        }),
      },
    },
    {
      name: 'the same SPN in two forests (duplicate-spn-cross-forest)',
      input: {
        snapshot: snapshot({
          accounts: [account({ sam: 'svc_a', spns: ['HTTP/app'] }), account({ sam: 'svc_b', domain: 'fabrikam.test', spns: ['HTTP/app'] })],
          domains: [domain(), domain({ dnsName: 'fabrikam.test' })],
          forests: [forest(), forest({ rootDomain: 'fabrikam.test' })],
        }),
      },
    },
  ],
  invalid: [
    {
      name: 'two users, no IIS input to decide',
      input: { snapshot: snapshot({ accounts: [account({ sam: 'svc_dup2', spns: ['HTTP/shared.contoso.test'] }), account({ sam: 'svc_dup1', spns: ['HTTP/shared.contoso.test'] })] }) },
      findings: [
        {
          severity: 'error',
          subject: { spn: 'HTTP/shared.contoso.test' },
          message: 'HTTP/shared.contoso.test is registered on 2 accounts in forest contoso.test: CONTOSO\\svc_dup1, CONTOSO\\svc_dup2.',
          fixes: [decide, 'setspn -U -D HTTP/shared.contoso.test CONTOSO\\svc_dup1', 'setspn -U -D HTTP/shared.contoso.test CONTOSO\\svc_dup2'],
          notes: ['only if CONTOSO\\svc_dup1 is not the account that must decrypt'],
        },
      ],
    },
    {
      name: 'the IIS inventory names the owner: remove it from the computer',
      input: {
        snapshot: snapshot({
          accounts: [computer('WEB03', { spns: ['HOST/WEB03', 'HOST/web03.contoso.test', 'HTTP/hr.contoso.test'] }), account({ sam: 'svc_hr', spns: ['HTTP/hr.contoso.test'] })],
        }),
        inventory: inventory({ servers: [singleSite({ server: 'WEB03', site: 'HR', hosts: ['hr.contoso.test'], identity: 'svc_hr@contoso.test', auth: { windows: { useAppPoolCredentials: true } } })] }),
      },
      findings: [
        {
          severity: 'error',
          subject: { spn: 'HTTP/hr.contoso.test' },
          message: 'The IIS inventory says CONTOSO\\svc_hr must decrypt it.',
          evidence: { owner: 'CONTOSO\\svc_hr' },
          fixes: ['setspn -C -D HTTP/hr.contoso.test "CONTOSO\\WEB03$"'],
        },
      ],
    },
    {
      name: 'edge: case-insensitive duplicate; the computer decrypts through HOST/, so both explicit copies go and nothing is added',
      input: {
        snapshot: snapshot({
          accounts: [computer('WEB01'), account({ sam: 'svc_a', spns: ['HTTP/WEB01.contoso.test'] }), account({ sam: 'svc_b', spns: ['http/web01.CONTOSO.test'] })],
        }),
        inventory: inventory({ servers: [singleSite({ hosts: ['web01.contoso.test'] })] }),
      },
      findings: [
        {
          severity: 'error',
          subject: { spn: 'HTTP/WEB01.contoso.test' },
          fixes: ['setspn -U -D HTTP/WEB01.contoso.test CONTOSO\\svc_a', 'setspn -U -D http/web01.CONTOSO.test CONTOSO\\svc_b'],
        },
      ],
    },
    {
      name: 'edge: machine SPNs on two computers are never removed by a fix',
      input: { snapshot: snapshot({ accounts: [computer('WEB01'), computer('WEB01OLD', { spns: ['HOST/WEB01'] })] }) },
      findings: [
        {
          severity: 'error',
          subject: { spn: 'HOST/WEB01' },
          fixes: [
            "Decide which account must decrypt tickets for HOST/WEB01 (for IIS: the pool identity when useAppPoolCredentials is on or kernel mode is off, otherwise the server's computer account) and remove the SPN from every other holder.",
          ],
        },
      ],
    },
  ],
});
