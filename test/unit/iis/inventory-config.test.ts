import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/file.js';
import { UsageError } from '../../../src/errors.js';
import { parseIisPathsSection, parseInventorySection } from '../../../src/iis/index.js';

function parse(yaml: string) {
  const config = parseConfigText(yaml, '/cfg/spnaudit.yaml');
  return parseInventorySection(config.data.inventory, config);
}

function failure(yaml: string): string {
  try {
    parse(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('parseInventorySection', () => {
  it('reads servers, registry facts, farms and DNS facts, normalising names', () => {
    const inventory = parse(`inventory:
  browsersIncludePort: true
  servers:
    - name: web01
      netbios: web01
      fqdn: WEB01.Contoso.Test
      domain: Contoso.Test
      iisVersion: "10.0"
      tlsOffload: true
      registry:
        backConnectionHostNames: [Intranet.Contoso.Test, intranet]
        disableLoopbackCheck: 0
        maxFieldLength: 65534
        maxRequestBytes: 16384
  farms:
    - name: Intranet.Contoso.Test
      servers: [web01, WEB02]
      tlsOffload: true
  dns:
    cnames:
      WWW.contoso.test.: web03.contoso.test
`);
    expect(inventory).toEqual({
      browsersIncludePort: true,
      servers: [
        {
          name: 'web01',
          netbios: 'WEB01',
          fqdn: 'web01.contoso.test',
          domain: 'contoso.test',
          iisVersion: '10.0',
          tlsOffload: true,
          registry: { backConnectionHostNames: ['intranet.contoso.test', 'intranet'], disableLoopbackCheck: false, maxFieldLength: 65534, maxRequestBytes: 16384 },
          appPools: null,
          sites: null,
          pos: { file: '/cfg/spnaudit.yaml', line: 4 },
        },
      ],
      farms: [{ name: 'intranet.contoso.test', servers: ['web01', 'WEB02'], tlsOffload: true, pos: { file: '/cfg/spnaudit.yaml', line: 16 } }],
      cnames: { 'www.contoso.test': 'web03.contoso.test' },
    });
  });

  it('models hand-entered pools and sites like parsed ones, with IIS install defaults for auth', () => {
    const inventory = parse(`inventory:
  servers:
    - name: HAND01
      appPools:
        - name: HandPool
          identityType: specificuser
          userName: HAND01\\localsvc
        - name: Plain
      sites:
        - name: Hand
          id: 5
          bindings:
            - http *:80:Hand.Contoso.Test
            - { protocol: net.tcp, bindingInformation: "808:*" }
          applications:
            - path: /
              appPool: Plain
            - path: api/
              appPool: HandPool
              auth:
                windows: { enabled: true, useKernelMode: false, providers: [Negotiate:Kerberos], extendedProtection: { tokenChecking: Require, flags: [Proxy], spns: [HTTP/hand.contoso.test] } }
                anonymous: { enabled: false, userName: "" }
                basic: { enabled: true }
`);
    const server = inventory.servers[0];
    expect(server?.appPools).toEqual([
      { name: 'HandPool', identityType: 'SpecificUser', userName: 'HAND01\\localsvc', identity: { scope: 'local', domain: 'HAND01', account: 'localsvc' }, pos: { file: '/cfg/spnaudit.yaml', line: 5 } },
      { name: 'Plain', identityType: 'ApplicationPoolIdentity', userName: null, identity: null, pos: { file: '/cfg/spnaudit.yaml', line: 8 } },
    ]);
    const site = server?.sites?.[0];
    expect(site?.bindings.map((b) => [b.protocol, b.isHttp, b.host, b.pos?.line])).toEqual([
      ['http', true, 'hand.contoso.test', 13],
      ['net.tcp', false, null, 14],
    ]);
    expect(site?.applications.map((a) => [a.path, a.appPool])).toEqual([
      ['/', 'Plain'],
      ['/api', 'HandPool'],
    ]);
    expect(site?.applications[0]?.auth).toMatchObject({
      windows: { enabled: false, useKernelMode: true, useAppPoolCredentials: false, providers: ['Negotiate', 'NTLM'], pos: null },
      anonymous: { enabled: true, userName: 'IUSR', pos: null },
      basic: { enabled: false, pos: null },
    });
    expect(site?.applications[1]?.auth).toMatchObject({
      windows: {
        enabled: true,
        useKernelMode: false,
        providers: ['Negotiate:Kerberos'],
        extendedProtection: { tokenChecking: 'Require', flags: ['Proxy'], spns: ['HTTP/hand.contoso.test'] },
        pos: { file: '/cfg/spnaudit.yaml', line: 21 },
      },
      anonymous: { enabled: false, userName: '' },
      basic: { enabled: true },
    });
  });

  it('an absent section is an empty inventory', () => {
    expect(parse('ldap: {}\n')).toEqual({ browsersIncludePort: false, servers: [], farms: [], cnames: {} });
  });

  it.each([
    ['a typo in a server key', 'inventory:\n  servers:\n    - name: A\n      fdqn: a.contoso.test\n', /^\/cfg\/spnaudit\.yaml:4: inventory\.servers\[0\]\.fdqn: unknown key 'fdqn' \(expected one of: name, netbios, fqdn/],
    ['a typo at the top', 'inventory:\n  server: []\n', /:2: inventory\.server: unknown key 'server'/],
    ['a typo in registry', 'inventory:\n  servers:\n    - name: A\n      registry:\n        backConnectionHostname: [x]\n', /:5: .*unknown key 'backConnectionHostname'/],
    ['a typo in auth', 'inventory:\n  servers:\n    - name: A\n      appPools: [{ name: P }]\n      sites:\n        - name: S\n          id: 1\n          appPool: P\n          auth: { window: { enabled: true } }\n', /:9: .*unknown key 'window'/],
    ['servers not a list', 'inventory:\n  servers: WEB01\n', /:2: inventory\.servers: expected a list/],
    ['a server without name', 'inventory:\n  servers:\n    - fqdn: a.contoso.test\n', /:3: inventory\.servers\[0\]\.name: expected a non-empty string/],
    ['tlsOffload not a boolean', 'inventory:\n  servers:\n    - name: A\n      tlsOffload: "yes"\n', /:4: .*tlsOffload: expected true or false/],
    ['a bad fqdn', 'inventory:\n  servers:\n    - name: A\n      fqdn: "a b"\n', /:4: .*'a b' is not a host name/],
    ['a NetBIOS name too long', 'inventory:\n  servers:\n    - name: A\n      netbios: ABCDEFGHIJKLMNOPQ\n', /:4: .*not a NetBIOS name/],
    ['a negative registry limit', 'inventory:\n  servers:\n    - name: A\n      registry: { maxFieldLength: -1 }\n', /:4: .*maxFieldLength: expected a whole number/],
    ['a server listed twice', 'inventory:\n  servers:\n    - name: A\n    - name: a\n', /:4: .*server 'a' is listed twice/],
    ['an empty farm', 'inventory:\n  farms:\n    - name: f.contoso.test\n      servers: []\n', /:4: .*a farm needs at least one server/],
    ['an unknown identityType', 'inventory:\n  servers:\n    - name: A\n      appPools:\n        - { name: P, identityType: Root }\n', /:5: .*identityType: expected ApplicationPoolIdentity/],
    ['SpecificUser without userName', 'inventory:\n  servers:\n    - name: A\n      appPools:\n        - { name: P, identityType: SpecificUser }\n', /:5: .*SpecificUser needs a userName/],
    ['a pool listed twice', 'inventory:\n  servers:\n    - name: A\n      appPools: [{ name: P }, { name: p }]\n', /:4: .*'p' is listed twice/],
    ['an unknown pool', 'inventory:\n  servers:\n    - name: A\n      appPools: [{ name: P }]\n      sites:\n        - { name: S, id: 1, appPool: Q }\n', /:6: .*application pool 'Q' is not in this server's appPools/],
    ['a bad binding', 'inventory:\n  servers:\n    - name: A\n      appPools: [{ name: P }]\n      sites:\n        - name: S\n          id: 1\n          appPool: P\n          bindings: ["http *:80"]\n', /:9: .*binding '\*:80' does not parse/],
    ['a site id of 0', 'inventory:\n  servers:\n    - name: A\n      appPools: [{ name: P }]\n      sites:\n        - { name: S, id: 0, appPool: P }\n', /:6: .*id: expected a whole number from 1/],
    ['a duplicate site id', 'inventory:\n  servers:\n    - name: A\n      appPools: [{ name: P }]\n      sites:\n        - { name: S, id: 1, appPool: P }\n        - { name: T, id: 1, appPool: P }\n', /:7: .*site id 1 is listed twice/],
    ['a bad tokenChecking', 'inventory:\n  servers:\n    - name: A\n      appPools: [{ name: P }]\n      sites:\n        - name: S\n          id: 1\n          appPool: P\n          auth: { windows: { extendedProtection: { tokenChecking: Always } } }\n', /:9: .*expected None, Allow or Require/],
    ['a bad cname', 'inventory:\n  dns:\n    cnames:\n      "www x": a.contoso.test\n', /:4: .*is not a host name/],
  ])('%s is a file:line error', (_label, yaml, pattern) => {
    const message = failure(yaml);
    expect(message).toMatch(pattern);
    expect(message).not.toContain('\n');
  });
});

describe('parseIisPathsSection', () => {
  it('resolves paths relative to the config file folder', () => {
    const config = parseConfigText('iis:\n  - iis\n  - /abs/WEB09.applicationHost.config\n', '/cfg/spnaudit.yaml');
    expect(parseIisPathsSection(config.data.iis, config)).toEqual([join('/cfg', 'iis'), '/abs/WEB09.applicationHost.config']);
  });

  it('rejects a non-list with file:line', () => {
    const config = parseConfigText('iis:\n  dir: x\n', '/cfg/spnaudit.yaml');
    expect(() => parseIisPathsSection(config.data.iis, config)).toThrow(/^\/cfg\/spnaudit\.yaml:2: iis: expected a list/);
  });
});
