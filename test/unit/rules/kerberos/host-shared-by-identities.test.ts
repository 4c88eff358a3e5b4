import { hostSharedByIdentities } from '../../../../src/rules/kerberos/host-shared-by-identities.js';
import { ruleTester } from '../../../support/rule-tester.js';
import { account, computer, inventory, pool, server, site, snapshot } from '../../../support/fixtures.js';

const web01 = computer('WEB01');
const svcA = account({ sam: 'svc_a', spns: ['HTTP/app.contoso.test'] });
const svcB = account({ sam: 'svc_b' });
const snap = snapshot({ accounts: [web01, svcA, svcB] });
const apc = { windows: { useAppPoolCredentials: true } };
const twoSites = (poolB: string, opts: { bAuth?: typeof apc } = {}) =>
  server({
    name: 'WEB01',
    pools: [pool('PoolA', 'CONTOSO\\svc_a'), pool('PoolB', poolB)],
    sites: [
      site('A', { pool: 'PoolA', bindings: ['http *:80:app.contoso.test'], auth: apc }),
      site('B', { pool: 'PoolB', bindings: ['http *:8080:app.contoso.test'], auth: opts.bAuth ?? apc }),
    ],
  });

ruleTester(hostSharedByIdentities).run({
  valid: [
    { name: 'both sites run as the same identity', input: { snapshot: snap, inventory: inventory({ servers: [twoSites('CONTOSO\\svc_a')] }) } },
    { name: 'browsers include the port, so the SPNs differ', input: { snapshot: snap, inventory: inventory({ servers: [twoSites('ApplicationPoolIdentity')], browsersIncludePort: true }) } },
    {
      name: 'edge: a load-balanced name across servers is farm-inconsistent-identity\'s finding',
      input: {
        snapshot: snap,
        inventory: inventory({
          servers: [
            server({ name: 'WEB01', pools: [pool('P', 'CONTOSO\\svc_a')], sites: [site('A', { pool: 'P', bindings: ['http *:80:app.contoso.test'], auth: apc })] }),
            server({ name: 'WEB02', pools: [pool('P')], sites: [site('A', { pool: 'P', bindings: ['http *:80:app.contoso.test'] })] }),
          ],
        }),
      },
    },
  ],
  invalid: [
    {
      name: 'same host on another port, different identity',
      input: { snapshot: snap, inventory: inventory({ servers: [twoSites('CONTOSO\\svc_b')] }) },
      findings: [
        {
          severity: 'error',
          subject: { spn: 'HTTP/app.contoso.test', host: 'app.contoso.test', server: 'WEB01' },
          message: 'HTTP/app.contoso.test is requested for 2 applications decrypting with 2 different accounts (CONTOSO\\svc_a, CONTOSO\\svc_b); only one can hold the SPN (now CONTOSO\\svc_a)',
          evidence: { decryptingAccounts: ['CONTOSO\\svc_a', 'CONTOSO\\svc_b'] },
          fixKinds: ['manual'],
          fixes: [
            'Run every application on app.contoso.test under one identity (preferably a gMSA) with useAppPoolCredentials=True and register HTTP/app.contoso.test on it; or use kernel mode without useAppPoolCredentials on all of them so the computer account decrypts; or give each application its own host name.',
          ],
        },
      ],
    },
    {
      name: 'edge: kernel mode makes the second site decrypt with the computer account',
      input: { snapshot: snap, inventory: inventory({ servers: [twoSites('CONTOSO\\svc_b', { bAuth: { windows: { useAppPoolCredentials: false } } })] }) },
      findings: [
        {
          severity: 'error',
          subject: { spn: 'HTTP/app.contoso.test', host: 'app.contoso.test', server: 'WEB01' },
          evidence: { decryptingAccounts: ['CONTOSO\\svc_a', 'CONTOSO\\WEB01$'] },
          fixes: [
            'Run every application on app.contoso.test under one identity (preferably a gMSA) with useAppPoolCredentials=True and register HTTP/app.contoso.test on it; or use kernel mode without useAppPoolCredentials on all of them so the computer account decrypts; or give each application its own host name.',
          ],
        },
      ],
    },
  ],
});
