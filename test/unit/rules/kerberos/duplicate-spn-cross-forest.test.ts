import { duplicateSpnCrossForest } from '../../../../src/rules/kerberos/duplicate-spn-cross-forest.js';
import { ruleTester } from '../../../support/rule-tester.js';
import { account, computer, domain, forest, snapshot } from '../../../support/fixtures.js';

const twoForests = { domains: [domain(), domain({ dnsName: 'fabrikam.test' })], forests: [forest(), forest({ rootDomain: 'fabrikam.test' })] };

ruleTester(duplicateSpnCrossForest).run({
  valid: [
    { name: 'one forest, even with a duplicate inside it', input: { snapshot: snapshot({ accounts: [account({ sam: 'a', spns: ['HTTP/x'] }), account({ sam: 'b', spns: ['HTTP/x'] })] }) } },
    {
      name: 'kadmin/changepw exists in every forest',
      input: { snapshot: snapshot({ ...twoForests, accounts: [account({ sam: 'krbtgt', spns: ['kadmin/changepw'] }), account({ sam: 'krbtgt', domain: 'fabrikam.test', spns: ['kadmin/changepw'] })] }) },
    },
    {
      name: 'different SPNs in two forests',
      input: { snapshot: snapshot({ ...twoForests, accounts: [account({ sam: 'a', spns: ['HTTP/app.contoso.test'] }), account({ sam: 'b', domain: 'fabrikam.test', spns: ['HTTP/app.fabrikam.test'] })] }) },
    },
  ],
  invalid: [
    {
      name: 'the same HTTP SPN in two forests',
      input: {
        snapshot: snapshot({
          ...twoForests,
          accounts: [account({ sam: 'svc_app', spns: ['HTTP/app.contoso.test'] }), account({ sam: 'svc_app', domain: 'fabrikam.test', spns: ['http/APP.contoso.test'] })],
        }),
      },
      findings: [
        {
          severity: 'warning',
          subject: { spn: 'HTTP/app.contoso.test' },
          message: 'HTTP/app.contoso.test is registered in 2 forests: contoso.test (CONTOSO\\svc_app); fabrikam.test (FABRIKAM\\svc_app).',
          fixes: [
            'Keep HTTP/app.contoso.test only in the forest where the service runs and remove it in the other forest(s).',
            'setspn -U -D HTTP/app.contoso.test CONTOSO\\svc_app',
            'setspn -U -D http/APP.contoso.test FABRIKAM\\svc_app',
          ],
          notes: ['run against that forest'],
        },
      ],
    },
    {
      name: 'edge: machine SPNs in two forests get no removal command',
      input: { snapshot: snapshot({ ...twoForests, accounts: [computer('WEB01', { spns: ['HOST/web01'] }), computer('WEB01', { domain: 'fabrikam.test', spns: ['HOST/WEB01'] })] }) },
      findings: [
        {
          severity: 'warning',
          subject: { spn: 'HOST/web01' },
          fixes: ['Keep HOST/web01 only in the forest where the service runs and remove it in the other forest(s).'],
        },
      ],
    },
  ],
});
