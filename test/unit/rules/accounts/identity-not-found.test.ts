import { identityNotFoundRule } from '../../../../src/rules/accounts/identity-not-found.js';
import { account, computer, inventory, pool, server, snapshot } from '../../../support/fixtures.js';
import { ruleTester } from '../../../support/rule-tester.js';

const web03 = (...pools: ReturnType<typeof pool>[]) => inventory({ servers: [server({ name: 'WEB03', pools })] });

ruleTester(identityNotFoundRule).run({
  valid: [
    {
      name: 'DOMAIN\\user, UPN and gMSA identities that all resolve; machine identities are never looked up',
      input: {
        snapshot: snapshot({
          accounts: [account({ sam: 'svc_portal' }), account({ sam: 'svc_hr' }), account({ sam: 'gmsa_apps', kind: 'gmsa' })],
        }),
        inventory: web03(
          pool('PortalPool', 'CONTOSO\\svc_portal', 'WEB03'),
          pool('HrPool', 'svc_hr@contoso.test', 'WEB03'),
          pool('AppsPool', 'CONTOSO\\gmsa_apps$', 'WEB03'),
          pool('DefaultAppPool', 'ApplicationPoolIdentity', 'WEB03'),
        ),
      },
    },
    {
      name: 'edge: a machine-local account is not a directory object',
      input: { snapshot: snapshot(), inventory: web03(pool('LocalUserPool', '.\\iisuser', 'WEB03')) },
    },
  ],
  invalid: [
    {
      name: 'typo in the pool identity: error, 503',
      input: { snapshot: snapshot({ accounts: [account({ sam: 'svc_portal' })] }), inventory: web03(pool('PortalPool', 'CONTOSO\\svc_portl', 'WEB03')) },
      findings: [
        {
          severity: 'error',
          subject: { account: 'CONTOSO\\svc_portl', server: 'WEB03', appPool: 'PortalPool' },
          message: 'Pool "PortalPool" on WEB03 runs as CONTOSO\\svc_portl, which matches no account in scope: IIS cannot log the pool on',
          evidence: { userName: 'CONTOSO\\svc_portl', snapshotComplete: true },
          fixes: [
            'Set the identity of pool "PortalPool" on WEB03 to an existing account (IIS Manager > Application Pools > Advanced Settings > Identity), or create the account "CONTOSO\\svc_portl".',
          ],
          fixKinds: ['manual'],
        },
      ],
    },
    {
      name: 'edge: name$ that only matches a computer account is not a gMSA',
      input: { snapshot: snapshot({ accounts: [computer('WEB01')] }), inventory: web03(pool('OddPool', 'CONTOSO\\WEB01$', 'WEB03')) },
      findings: [
        {
          severity: 'error',
          subject: { account: 'CONTOSO\\WEB01$', server: 'WEB03', appPool: 'OddPool' },
          message: 'matches no gMSA or MSA in scope',
          evidence: { matchedComputer: 'CONTOSO\\WEB01$' },
          fixes: [
            'Set the identity of pool "OddPool" on WEB03 to an existing account (IIS Manager > Application Pools > Advanced Settings > Identity), or create the account "CONTOSO\\WEB01$".',
          ],
        },
      ],
    },
    {
      name: 'edge: a domain outside the audit scope is reported as not checked (info), never as missing',
      input: { snapshot: snapshot(), inventory: web03(pool('PartnerPool', 'FABRIKAM\\svc_partner', 'WEB03')) },
      findings: [
        {
          severity: 'info',
          subject: { account: 'FABRIKAM\\svc_partner', server: 'WEB03', appPool: 'PartnerPool' },
          message: 'not in the audit scope',
          evidence: { inScope: false, domain: 'FABRIKAM' },
          fixes: ['Add FABRIKAM to the audit scope to check this identity.'],
        },
      ],
    },
    {
      name: 'edge: an incomplete snapshot says the account may exist in the unread part',
      input: { snapshot: snapshot({ complete: false }), inventory: web03(pool('LegacyPool', 'CONTOSO\\svc_apppool_nospn', 'WEB03')) },
      findings: [
        {
          severity: 'error',
          subject: { account: 'CONTOSO\\svc_apppool_nospn', server: 'WEB03', appPool: 'LegacyPool' },
          message: 'the directory snapshot is incomplete',
          evidence: { snapshotComplete: false },
          fixes: [
            'Set the identity of pool "LegacyPool" on WEB03 to an existing account (IIS Manager > Application Pools > Advanced Settings > Identity), or create the account "CONTOSO\\svc_apppool_nospn".',
          ],
        },
      ],
    },
  ],
});
