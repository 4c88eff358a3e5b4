import { describe, expect, it } from 'vitest';
import { noAuthenticationEnabled } from '../../../../src/rules/iis/no-authentication-enabled.js';
import type { AuthSpec } from '../../../support/fixtures.js';
import { inventory, server, site, snapshot } from '../../../support/fixtures.js';
import { runRule, ruleTester } from '../../../support/rule-tester.js';
import { APPCMD, WINDOWS, pos } from './helpers.js';

const NONE: AuthSpec = { windows: false, anonymous: false };

function web03(auth: AuthSpec, opts: { apps?: Array<{ path: string; auth?: AuthSpec }>; bindings?: string[] } = {}) {
  return inventory({
    servers: [server({ name: 'WEB03', sites: [site('Portal', { auth, ...(opts.apps ? { apps: opts.apps } : {}), ...(opts.bindings ? { bindings: opts.bindings } : {}) })] })],
  });
}

const enableWindows = (loc: string) => `${APPCMD} "${loc}" ${WINDOWS} /enabled:"True" /commit:apphost`;

ruleTester(noAuthenticationEnabled).run({
  valid: [
    { name: 'no IIS input', input: { snapshot: snapshot() } },
    { name: 'Windows auth only', input: { snapshot: snapshot(), inventory: web03({}) } },
    { name: 'anonymous only', input: { snapshot: snapshot(), inventory: web03({ windows: false, anonymous: true }) } },
    { name: 'basic only', input: { snapshot: snapshot(), inventory: web03({ windows: false, basic: true }) } },
    { name: 'digest only', input: { snapshot: snapshot(), inventory: web03({ windows: false, digest: true }) } },
    { name: 'edge: a site with only a net.tcp binding is not served over HTTP', input: { snapshot: snapshot(), inventory: web03(NONE, { bindings: ['net.tcp 808:*'] }) } },
  ],
  invalid: [
    {
      name: 'every method off',
      input: { snapshot: snapshot(), inventory: web03(NONE) },
      findings: [
        {
          severity: 'error',
          subject: { server: 'WEB03', site: 'Portal', appPool: 'PortalPool' },
          fixes: [enableWindows('Portal')],
          fixKinds: ['appcmd'],
          message: '401.2',
          evidence: { applications: ['/'] },
          notes: ['run on WEB03', 'enable anonymous authentication instead if the content is public'],
        },
      ],
    },
    {
      name: 'edge: only a child application has everything off',
      input: { snapshot: snapshot(), inventory: web03({ windows: false, anonymous: true }, { apps: [{ path: '/secure', auth: NONE }] }) },
      findings: [
        {
          severity: 'error',
          subject: { server: 'WEB03', site: 'Portal', appPool: 'PortalPool' },
          fixes: [enableWindows('Portal/secure')],
          message: 'WEB03 site "Portal" (/secure): every authentication method is disabled',
          evidence: { applications: ['/secure'] },
        },
      ],
    },
  ],
});

describe('no-authentication-enabled location', () => {
  it('points at the windowsAuthentication section when it has a position', () => {
    const [finding] = runRule(noAuthenticationEnabled, {
      snapshot: snapshot(),
      inventory: web03({ windows: { enabled: false, pos: pos(12) }, anonymous: { enabled: false, pos: pos(13) } }),
    });
    expect(finding?.location).toEqual(pos(12));
  });
});
