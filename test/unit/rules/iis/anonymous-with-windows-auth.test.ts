import { describe, expect, it } from 'vitest';
import { anonymousWithWindowsAuth } from '../../../../src/rules/iis/anonymous-with-windows-auth.js';
import type { AuthSpec } from '../../../support/fixtures.js';
import { inventory, server, site, snapshot } from '../../../support/fixtures.js';
import { runRule, ruleTester } from '../../../support/rule-tester.js';
import { ANONYMOUS, APPCMD, pos } from './helpers.js';

function web01(auth: AuthSpec, apps: Array<{ path: string; auth?: AuthSpec }> = []) {
  return inventory({ servers: [server({ name: 'WEB01', sites: [site('Intranet', { auth, apps })] })] });
}

const disableAnonymous = (loc: string) => `${APPCMD} "${loc}" ${ANONYMOUS} /enabled:"False" /commit:apphost`;
const subject = { server: 'WEB01', site: 'Intranet', appPool: 'IntranetPool' };

ruleTester(anonymousWithWindowsAuth).run({
  valid: [
    { name: 'no IIS input', input: { snapshot: snapshot() } },
    { name: 'Windows auth only', input: { snapshot: snapshot(), inventory: web01({}) } },
    { name: 'anonymous only', input: { snapshot: snapshot(), inventory: web01({ windows: false, anonymous: true }) } },
  ],
  invalid: [
    {
      name: 'both on',
      input: { snapshot: snapshot(), inventory: web01({ anonymous: true }) },
      findings: [
        {
          severity: 'info',
          subject,
          fixes: [disableAnonymous('Intranet')],
          fixKinds: ['appcmd'],
          message: 'anonymous and Windows authentication are both enabled',
          evidence: { applications: ['/'], anonymousUserName: 'IUSR' },
          notes: ['skip it if authorization rules already deny anonymous users'],
        },
      ],
    },
    {
      name: 'edge: root both on, child app Windows only: only the root is reported',
      input: { snapshot: snapshot(), inventory: web01({ anonymous: true }, [{ path: '/hr', auth: {} }]) },
      findings: [{ severity: 'info', subject, fixes: [disableAnonymous('Intranet')], evidence: { applications: ['/'] } }],
    },
    {
      name: 'edge: two child apps with their own sections are reported separately',
      input: {
        snapshot: snapshot(),
        inventory: web01({}, [
          { path: '/a', auth: { anonymous: { enabled: true, pos: pos(20) }, windows: { pos: pos(21) } } },
          { path: '/b', auth: { anonymous: { enabled: true, pos: pos(30) }, windows: { pos: pos(31) } } },
        ]),
      },
      findings: [
        { severity: 'info', subject, fixes: [disableAnonymous('Intranet/a')], evidence: { applications: ['/a'] } },
        { severity: 'info', subject, fixes: [disableAnonymous('Intranet/b')], evidence: { applications: ['/b'] } },
      ],
    },
  ],
});

describe('anonymous-with-windows-auth location', () => {
  it('points at the anonymousAuthentication section', () => {
    const [finding] = runRule(anonymousWithWindowsAuth, { snapshot: snapshot(), inventory: web01({ anonymous: { enabled: true, pos: pos(9) } }) });
    expect(finding?.location).toEqual(pos(9));
  });
});
