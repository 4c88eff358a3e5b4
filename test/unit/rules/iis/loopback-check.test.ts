import { describe, expect, it } from 'vitest';
import { loopbackCheck } from '../../../../src/rules/iis/loopback-check.js';
import type { RegistryFacts } from '../../../../src/model/iis.js';
import type { AuthSpec } from '../../../support/fixtures.js';
import { binding, inventory, server, site, snapshot } from '../../../support/fixtures.js';
import { runRule, ruleTester } from '../../../support/rule-tester.js';
import { pos } from './helpers.js';

function web03(registry: RegistryFacts | null, hosts: string[] = ['portal.contoso.test', 'portal'], auth: AuthSpec = {}) {
  return inventory({
    servers: [server({ name: 'WEB03', registry, sites: [site('Portal', { bindings: hosts.map((h) => `http *:80:${h}`), auth })] })],
  });
}

const fix = (names: string) =>
  `On WEB03, add ${names} to the REG_MULTI_SZ value BackConnectionHostNames under ` +
  'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Lsa\\MSV1_0 (one name per line, keep the existing entries), then restart the IIS Admin service.';
const subject = { server: 'WEB03' };

ruleTester(loopbackCheck).run({
  valid: [
    { name: 'no IIS input', input: { snapshot: snapshot() } },
    { name: 'no registry facts for the server', input: { snapshot: snapshot(), inventory: web03(null) } },
    { name: 'DisableLoopbackCheck=1', input: { snapshot: snapshot(), inventory: web03({ disableLoopbackCheck: true }) } },
    { name: 'names listed (case-insensitive)', input: { snapshot: snapshot(), inventory: web03({ backConnectionHostNames: ['PORTAL.contoso.test', 'portal'] }) } },
    { name: 'the machine names and empty host headers', input: { snapshot: snapshot(), inventory: web03({}, ['web03.contoso.test', 'WEB03', '']) } },
    { name: 'anonymous-only site', input: { snapshot: snapshot(), inventory: web03({}, ['portal.contoso.test'], { windows: false, anonymous: true }) } },
  ],
  invalid: [
    {
      name: 'registry facts without BackConnectionHostNames (the example WEB03)',
      input: { snapshot: snapshot(), inventory: web03({}) },
      findings: [
        {
          severity: 'info',
          subject,
          fixes: [fix('portal.contoso.test, portal')],
          fixKinds: ['manual'],
          message: 'WEB03: host names portal.contoso.test, portal (site "Portal") are not the machine name and not in BackConnectionHostNames',
          evidence: {
            hosts: [
              { host: 'portal.contoso.test', site: 'Portal' },
              { host: 'portal', site: 'Portal' },
            ],
            backConnectionHostNames: [],
            disableLoopbackCheck: null,
          },
          notes: ['KB896861'],
        },
      ],
    },
    {
      name: 'edge: one finding per server across sites, each name once, anonymous-only sites left out',
      input: {
        snapshot: snapshot(),
        inventory: inventory({
          servers: [
            server({
              name: 'WEB03',
              registry: { backConnectionHostNames: ['portal.contoso.test'], disableLoopbackCheck: false },
              sites: [
                site('Portal', { bindings: ['http *:80:portal.contoso.test', 'http *:80:portal', 'https *:443:portal'] }),
                site('HR', { bindings: ['http *:80:hr.contoso.test', 'http *:80:portal'] }),
                site('Public', { bindings: ['http *:80:www.contoso.test'], auth: { windows: false, anonymous: true } }),
              ],
            }),
          ],
        }),
      },
      findings: [
        {
          severity: 'info',
          subject,
          fixes: [fix('portal, hr.contoso.test')],
          message: 'host names portal, hr.contoso.test (sites "Portal", "HR") are not',
          evidence: { hosts: [{ host: 'portal', site: 'Portal' }, { host: 'hr.contoso.test', site: 'HR' }], disableLoopbackCheck: false },
        },
      ],
    },
    {
      name: 'edge: a host name that cannot be printed safely is left to the evidence',
      input: { snapshot: snapshot(), inventory: web03({}, ['portal contoso']) },
      findings: [{ severity: 'info', subject, fixes: [fix("the host names listed in this finding's evidence")], evidence: { hosts: [{ host: 'portal contoso', site: 'Portal' }] } }],
    },
  ],
});

describe('loopback-check location', () => {
  it('points at the first binding whose name is missing', () => {
    const inv = web03({ backConnectionHostNames: ['portal.contoso.test'] });
    const s = inv.servers[0]?.sites[0];
    if (s) s.bindings = [{ ...binding('http *:80:portal.contoso.test'), pos: pos(50) }, { ...binding('http *:80:portal'), pos: pos(51) }];
    const [finding] = runRule(loopbackCheck, { snapshot: snapshot(), inventory: inv });
    expect(finding?.location).toEqual(pos(51));
  });
});
