import { describe, expect, it } from 'vitest';
import { negotiateDisabled } from '../../../../src/rules/iis/negotiate-disabled.js';
import { inventory, pool, server, site, snapshot } from '../../../support/fixtures.js';
import { runRule, ruleTester } from '../../../support/rule-tester.js';
import { pos, providerEdit } from './helpers.js';

/** WEB03 with one site "Legacy" whose root (and optional child apps) use `providers`. */
function legacy(providers: string[], extra: { apps?: Array<{ path: string; providers?: string[]; line?: number }>; bindings?: string[]; name?: string } = {}) {
  const name = extra.name ?? 'Legacy';
  return inventory({
    servers: [
      server({
        name: 'WEB03',
        pools: [pool('LegacyPool', 'CONTOSO\\svc_apppool_nospn', 'WEB03')],
        sites: [
          site(name, {
            pool: 'LegacyPool',
            bindings: extra.bindings ?? ['http *:8080:legacy.contoso.test'],
            auth: { windows: { providers, pos: pos(40) } },
            apps: (extra.apps ?? []).map((a) => ({
              path: a.path,
              auth: { windows: { providers: a.providers ?? providers, pos: pos(a.line ?? 40) } },
            })),
          }),
        ],
      }),
    ],
  });
}

const subject = { server: 'WEB03', site: 'Legacy', appPool: 'LegacyPool' };
const addNegotiateFirst = (loc: string) =>
  [providerEdit(loc, '+', 'Negotiate'), providerEdit(loc, '-', 'NTLM'), providerEdit(loc, '+', 'NTLM')].join(' && ');

ruleTester(negotiateDisabled).run({
  valid: [
    { name: 'no IIS input', input: { snapshot: snapshot() } },
    { name: 'IIS default providers', input: { snapshot: snapshot(), inventory: legacy(['Negotiate', 'NTLM']) } },
    { name: 'Negotiate:Kerberos counts as Negotiate', input: { snapshot: snapshot(), inventory: legacy(['Negotiate:Kerberos']) } },
    { name: 'Negotiate after NTLM is still offered', input: { snapshot: snapshot(), inventory: legacy(['NTLM', 'negotiate']) } },
    {
      name: 'Windows auth off: providers do not matter',
      input: {
        snapshot: snapshot(),
        inventory: inventory({ servers: [server({ name: 'WEB03', sites: [site('Legacy', { auth: { windows: { enabled: false, providers: ['NTLM'] } } })] })] }),
      },
    },
    { name: 'site without http/https bindings (net.tcp only)', input: { snapshot: snapshot(), inventory: legacy(['NTLM'], { bindings: ['net.tcp 808:*'] }) } },
  ],
  invalid: [
    {
      name: 'NTLM only (the example "Legacy" site)',
      input: { snapshot: snapshot(), inventory: legacy(['NTLM']) },
      findings: [
        {
          severity: 'error',
          subject,
          fixes: [addNegotiateFirst('Legacy')],
          fixKinds: ['appcmd'],
          message: 'WEB03 site "Legacy": Windows authentication is on with only NTLM as providers',
          evidence: { applications: ['/'], providers: ['NTLM'], proposedProviders: ['Negotiate', 'NTLM'] },
          notes: ['run on WEB03', 'must list Negotiate first'],
        },
      ],
    },
    {
      name: 'empty provider list: restore the IIS default (Negotiate, NTLM)',
      input: { snapshot: snapshot(), inventory: legacy([]) },
      findings: [
        {
          severity: 'error',
          subject,
          fixes: [[providerEdit('Legacy', '+', 'Negotiate'), providerEdit('Legacy', '+', 'NTLM')].join(' && ')],
          message: 'with no providers at all as providers',
        },
      ],
    },
    {
      name: 'edge: a child application inheriting the same section is one finding, fixed at the site',
      input: { snapshot: snapshot(), inventory: legacy(['NTLM'], { apps: [{ path: '/api' }] }) },
      findings: [{ severity: 'error', subject, fixes: [addNegotiateFirst('Legacy')], message: '(/, /api)', evidence: { applications: ['/', '/api'] } }],
    },
    {
      name: 'edge: a child application with its own section is its own finding, fixed at its path',
      input: { snapshot: snapshot(), inventory: legacy(['Negotiate', 'NTLM'], { apps: [{ path: '/api', providers: ['NTLM'], line: 77 }] }) },
      findings: [{ severity: 'error', subject, fixes: [addNegotiateFirst('Legacy/api')], evidence: { applications: ['/api'] } }],
    },
    {
      name: 'edge: a site name that cannot be quoted withholds the command',
      input: { snapshot: snapshot(), inventory: legacy(['NTLM'], { name: 'Legacy%PATH%' }) },
      findings: [
        {
          severity: 'error',
          subject: { ...subject, site: 'Legacy%PATH%' },
          fixes: ['Command withheld: the site/application path or a collection value contains characters that cannot be quoted safely; review and apply by hand.'],
          fixKinds: ['manual'],
        },
      ],
    },
  ],
});

describe('negotiate-disabled details', () => {
  it('points at the windowsAuthentication section and keys the fingerprint on server, site and path', () => {
    const [root] = runRule(negotiateDisabled, { snapshot: snapshot(), inventory: legacy(['NTLM']) });
    const [child] = runRule(negotiateDisabled, { snapshot: snapshot(), inventory: legacy(['Negotiate'], { apps: [{ path: '/api', providers: ['NTLM'], line: 77 }] }) });
    expect(root?.location).toEqual(pos(40));
    expect(child?.location).toEqual(pos(77));
    expect(root?.fingerprint).not.toBe(child?.fingerprint);
  });

  it('carries the full new provider list as the structured action', () => {
    const [finding] = runRule(negotiateDisabled, { snapshot: snapshot(), inventory: legacy(['NTLM', 'Negotiate:PKU2U']) });
    expect(finding?.fixes[0]?.action).toEqual({
      type: 'iis-set',
      server: 'WEB03',
      location: 'Legacy',
      section: 'system.webServer/security/authentication/windowsAuthentication',
      property: 'providers',
      value: 'Negotiate,NTLM,Negotiate:PKU2U',
      previous: 'NTLM,Negotiate:PKU2U',
    });
  });

  it('says when a web.config may still override the section', () => {
    const inv = legacy(['NTLM']);
    const app = inv.servers[0]?.sites[0]?.applications[0];
    if (app) app.auth.overridable = ['windows'];
    const [finding] = runRule(negotiateDisabled, { snapshot: snapshot(), inventory: inv });
    expect(finding?.message).toContain('A web.config may still override windowsAuthentication here');
    expect(finding?.evidence).toMatchObject({ webConfigMayOverride: ['windowsAuthentication'] });
  });
});
