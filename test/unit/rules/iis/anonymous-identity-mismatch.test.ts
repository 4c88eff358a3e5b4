import { describe, expect, it } from 'vitest';
import { anonymousIdentityMismatch, isPoolIdentity } from '../../../../src/rules/iis/anonymous-identity-mismatch.js';
import type { AuthSpec } from '../../../support/fixtures.js';
import { inventory, pool, server, site, snapshot } from '../../../support/fixtures.js';
import { runRule, ruleTester } from '../../../support/rule-tester.js';
import { ANONYMOUS, APPCMD, pos } from './helpers.js';

/** WEB03 site "Portal" on PortalPool running as `identity` (a pool is defined only when identity is given). */
function portal(identity: string | null, auth: AuthSpec) {
  return inventory({
    servers: [
      server({
        name: 'WEB03',
        pools: identity === null ? [] : [pool('PortalPool', identity, 'WEB03')],
        sites: [site('Portal', { pool: 'PortalPool', auth })],
      }),
    ],
  });
}

const useAppPoolIdentity = (loc: string) => `${APPCMD} "${loc}" ${ANONYMOUS} /userName:"" /commit:apphost`;
const subject = { server: 'WEB03', site: 'Portal', appPool: 'PortalPool' };

ruleTester(anonymousIdentityMismatch).run({
  valid: [
    { name: 'no IIS input', input: { snapshot: snapshot() } },
    { name: 'anonymous uses the pool identity (userName="")', input: { snapshot: snapshot(), inventory: portal('CONTOSO\\svc_portal', { anonymous: { enabled: true, userName: '' } }) } },
    { name: 'IUSR with ApplicationPoolIdentity (the IIS default)', input: { snapshot: snapshot(), inventory: portal('ApplicationPoolIdentity', { anonymous: true }) } },
    { name: 'anonymous off', input: { snapshot: snapshot(), inventory: portal('CONTOSO\\svc_portal', { anonymous: false }) } },
    {
      name: 'edge: anonymous user is the pool identity written as a UPN',
      input: { snapshot: snapshot(), inventory: portal('CONTOSO\\svc_portal', { anonymous: { enabled: true, userName: 'svc_portal@contoso.test' } }) },
    },
    { name: 'edge: the pool is not defined on the server (nothing to compare)', input: { snapshot: snapshot(), inventory: portal(null, { anonymous: true }) } },
  ],
  invalid: [
    {
      name: 'IUSR while the pool runs as a domain account (the seed article case)',
      input: { snapshot: snapshot(), inventory: portal('CONTOSO\\svc_portal', { anonymous: true }) },
      findings: [
        {
          severity: 'warning',
          subject,
          fixes: [useAppPoolIdentity('Portal')],
          fixKinds: ['appcmd'],
          message: 'anonymous requests run as "IUSR" while pool "PortalPool" runs as CONTOSO\\svc_portal',
          evidence: { applications: ['/'], anonymousUserName: 'IUSR', poolIdentity: 'CONTOSO\\svc_portal' },
          notes: ['anonymous requests then use the pool identity'],
        },
      ],
    },
    {
      name: 'edge: a specific anonymous account that is not the pool identity',
      input: { snapshot: snapshot(), inventory: portal('CONTOSO\\svc_portal', { windows: false, anonymous: { enabled: true, userName: 'CONTOSO\\svc_anon' } }) },
      findings: [{ severity: 'warning', subject, fixes: [useAppPoolIdentity('Portal')], evidence: { anonymousUserName: 'CONTOSO\\svc_anon' } }],
    },
  ],
});

describe('anonymous-identity-mismatch details', () => {
  it.each([
    ['CONTOSO\\svc', 'CONTOSO\\svc', true],
    ['contoso\\SVC', 'CONTOSO\\svc', true],
    ['svc@contoso.test', 'CONTOSO\\svc', true],
    ['svc', 'CONTOSO\\svc', true],
    ['FABRIKAM\\svc', 'CONTOSO\\svc', false],
    ['CONTOSO\\svc2', 'CONTOSO\\svc', false],
    ['IUSR', 'CONTOSO\\svc', false],
  ])('isPoolIdentity(%s, pool %s) = %s', (anonymous, poolUser, expected) => {
    expect(isPoolIdentity(anonymous, pool('P', poolUser))).toBe(expected);
  });

  it('points at the anonymousAuthentication section', () => {
    const [finding] = runRule(anonymousIdentityMismatch, { snapshot: snapshot(), inventory: portal('CONTOSO\\svc_portal', { anonymous: { enabled: true, pos: pos(5) } }) });
    expect(finding?.location).toEqual(pos(5));
  });
});
