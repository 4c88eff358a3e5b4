import { describe, expect, it } from 'vitest';
import { extendedProtectionOffload } from '../../../../src/rules/iis/extended-protection-offload.js';
import type { ExtendedProtection, Farm } from '../../../../src/model/iis.js';
import { inventory, server, site, snapshot } from '../../../support/fixtures.js';
import { runRule, ruleTester } from '../../../support/rule-tester.js';
import { APPCMD, WINDOWS, pos } from './helpers.js';

const FARM: Farm = { name: 'intranet.contoso.test', servers: ['WEB01', 'WEB02'], tlsOffload: true };

function web01(ep: Partial<ExtendedProtection>, opts: { farms?: Farm[]; serverOffload?: boolean; hosts?: string[] } = {}) {
  return inventory({
    farms: opts.farms ?? [FARM],
    servers: [
      server({
        name: 'WEB01',
        tlsOffload: opts.serverOffload ?? false,
        sites: [
          site('Intranet', {
            bindings: (opts.hosts ?? ['intranet.contoso.test', 'intranet']).map((h) => `http *:80:${h}`),
            auth: { windows: { extendedProtection: { tokenChecking: 'Require', flags: [], spns: [], ...ep }, pos: pos(30, 'WEB01/applicationHost.config') } },
          }),
        ],
      }),
    ],
  });
}

const setFlags = (flags: string) => `${APPCMD} "Intranet" ${WINDOWS} /extendedProtection.flags:"${flags}" /commit:apphost`;
const addSpn = (spn: string) => `${APPCMD} "Intranet" ${WINDOWS} /+"extendedProtection.[name='${spn}']" /commit:apphost`;
const subject = { server: 'WEB01', site: 'Intranet', appPool: 'IntranetPool' };

ruleTester(extendedProtectionOffload).run({
  valid: [
    { name: 'no IIS input', input: { snapshot: snapshot() } },
    { name: 'Proxy flag and SPN list (the documented SSL-offload setup)', input: { snapshot: snapshot(), inventory: web01({ flags: ['Proxy'], spns: ['HTTP/intranet.contoso.test'] }) } },
    { name: 'Proxy with NoServiceNameCheck needs no SPN list', input: { snapshot: snapshot(), inventory: web01({ flags: ['Proxy', 'NoServiceNameCheck'] }) } },
    { name: 'tokenChecking Allow', input: { snapshot: snapshot(), inventory: web01({ tokenChecking: 'Allow' }) } },
    { name: 'not behind TLS offload', input: { snapshot: snapshot(), inventory: web01({}, { farms: [] }) } },
    { name: 'farm without TLS offload', input: { snapshot: snapshot(), inventory: web01({}, { farms: [{ ...FARM, tlsOffload: false }] }) } },
    { name: 'edge: offloading farm name not bound on this site', input: { snapshot: snapshot(), inventory: web01({}, { hosts: ['other.contoso.test'] }) } },
  ],
  invalid: [
    {
      name: 'Require behind the offloading farm, no Proxy flag, no SPNs',
      input: { snapshot: snapshot(), inventory: web01({ flags: ['None'] }) },
      findings: [
        {
          severity: 'error',
          subject,
          fixes: [setFlags('Proxy'), addSpn('HTTP/intranet.contoso.test')],
          fixKinds: ['appcmd', 'appcmd'],
          message: 'intranet.contoso.test is load-balanced with TLS offload, and the configuration lacks the Proxy flag and an SPN list',
          evidence: { tokenChecking: 'Require', flags: ['None'], spns: [], offloadedNames: ['intranet.contoso.test'], serverTlsOffload: false },
        },
      ],
    },
    {
      name: 'server marked as behind TLS offload, Proxy set but no SPN list: every FQDN bound is listed',
      input: { snapshot: snapshot(), inventory: web01({ flags: ['Proxy', 'AllowDotlessSpn'] }, { farms: [], serverOffload: true, hosts: ['intranet.contoso.test', 'intranet', 'www.contoso.test'] }) },
      findings: [
        {
          severity: 'error',
          subject,
          fixes: [[addSpn('HTTP/intranet.contoso.test'), addSpn('HTTP/www.contoso.test')].join(' && ')],
          message: 'WEB01 is behind TLS offload, and the configuration lacks an SPN list',
        },
      ],
    },
    {
      name: 'edge: on a farm member (server marked by the loader) only the farm name is proposed',
      input: { snapshot: snapshot(), inventory: web01({ flags: ['Proxy'] }, { serverOffload: true, hosts: ['intranet.contoso.test', 'web01.contoso.test'] }) },
      findings: [
        {
          severity: 'error',
          subject,
          fixes: [addSpn('HTTP/intranet.contoso.test')],
          message: 'intranet.contoso.test is load-balanced with TLS offload',
          evidence: { offloadedNames: ['intranet.contoso.test'], serverTlsOffload: true },
        },
      ],
    },
    {
      name: 'edge: SPNs listed but the Proxy flag missing keeps the other flags',
      input: { snapshot: snapshot(), inventory: web01({ flags: ['AllowDotlessSpn'], spns: ['HTTP/intranet.contoso.test'] }) },
      findings: [{ severity: 'error', subject, fixes: [setFlags('AllowDotlessSpn,Proxy')], message: 'lacks the Proxy flag.' }],
    },
    {
      name: 'edge: only dotless names behind offload: the SPN list is left to the admin',
      input: { snapshot: snapshot(), inventory: web01({ flags: ['Proxy'] }, { farms: [], serverOffload: true, hosts: ['intranet'] }) },
      findings: [
        {
          severity: 'error',
          subject,
          fixes: ['Add <spn name="HTTP/<name clients use>"/> under extendedProtection for "Intranet" on WEB01, with the fully qualified name clients type.'],
          fixKinds: ['manual'],
        },
      ],
    },
  ],
});

describe('extended-protection-offload details', () => {
  it('points at the windowsAuthentication section and records the new SPN list in the action', () => {
    const [finding] = runRule(extendedProtectionOffload, { snapshot: snapshot(), inventory: web01({}) });
    expect(finding?.location).toEqual(pos(30, 'WEB01/applicationHost.config'));
    expect(finding?.fixes[1]?.action).toEqual({
      type: 'iis-set',
      server: 'WEB01',
      location: 'Intranet',
      section: 'system.webServer/security/authentication/windowsAuthentication',
      property: 'extendedProtection.spn',
      value: 'HTTP/intranet.contoso.test',
      previous: '',
    });
  });
});
