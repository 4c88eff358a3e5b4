import { mkdtempSync, writeFileSync, truncateSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfigText } from '../../../src/config/file.js';
import { UsageError } from '../../../src/errors.js';
import { discoverConfigs, loadInventory } from '../../../src/iis/index.js';
import { FIXTURES, fixture, lineOf } from './helpers.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'spnaudit-iis-'));
const minimalConfig = (pool: string) =>
  `<configuration><system.applicationHost><applicationPools><add name="${pool}" /></applicationPools></system.applicationHost></configuration>`;

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('discoverConfigs', () => {
  it('finds <SERVER>/applicationHost.config and <SERVER>.applicationHost.config in a folder, with server.json beside', async () => {
    const found = await discoverConfigs([join(FIXTURES, 'farm')]);
    expect(found).toEqual([
      { server: 'WEBA', file: join(FIXTURES, 'farm/WEBA/applicationHost.config'), serverJson: join(FIXTURES, 'farm/WEBA/server.json') },
      { server: 'WEBB', file: join(FIXTURES, 'farm/WEBB.applicationHost.config'), serverJson: null },
    ]);
  });

  it('names a server from a file given directly, and reads the same file only once', async () => {
    const found = await discoverConfigs([
      join(FIXTURES, 'farm/WEBB.applicationHost.config'),
      join(FIXTURES, 'farm/WEBA/applicationHost.config'),
      join(FIXTURES, 'farm'),
      join(FIXTURES, 'appcmd-export.xml'),
    ]);
    expect(found.map((f) => f.server)).toEqual(['WEBB', 'WEBA', 'appcmd-export']);
  });

  it('accepts a server folder itself, whatever the case of the file name', async () => {
    const dir = join(tmp(), 'web07');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ApplicationHost.config'), minimalConfig('P'));
    writeFileSync(join(dir, 'Server.json'), '{}');
    expect(await discoverConfigs([dir])).toEqual([{ server: 'web07', file: join(dir, 'ApplicationHost.config'), serverJson: join(dir, 'Server.json') }]);
  });

  it('a missing path is an error', async () => {
    expect(await failure(discoverConfigs([join(FIXTURES, 'nope')]))).toBe(`${join(FIXTURES, 'nope')}: no such file or folder`);
  });

  it('an empty folder is an error naming the expected layout', async () => {
    const dir = tmp();
    expect(await failure(discoverConfigs([dir]))).toBe(`${dir}: no applicationHost.config found (expected <SERVER>/applicationHost.config or <SERVER>.applicationHost.config)`);
  });

  it('two different files for one server are an error', async () => {
    const dir = tmp();
    copyFileSync(join(FIXTURES, 'farm/WEBB.applicationHost.config'), join(dir, 'weba.applicationHost.config'));
    expect(await failure(discoverConfigs([join(FIXTURES, 'farm'), dir]))).toMatch(/server weba already has a config file/);
  });
});

describe('loadInventory', () => {
  it('merges config files, server.json and the inventory section into one model', async () => {
    const config = await loadConfigFile(join(FIXTURES, 'farm.yaml'));
    const inventory = await loadInventory({ iisPaths: [], config });
    const yaml = fixture('farm.yaml').text;
    const yamlFile = join(FIXTURES, 'farm.yaml');
    expect(inventory.servers.map((s) => [s.name, s.netbiosName, s.fqdn, s.domain, s.iisVersion, s.tlsOffload, s.configFile])).toEqual([
      ['EMPTY01', 'EMPTY01', null, null, null, false, null],
      ['HAND01', 'HAND01', 'hand01.contoso.test', null, null, false, null],
      ['WEBA', 'WEBA', 'weba.contoso.test', 'contoso.test', '8.5', true, 'test/fixtures/iis/farm/WEBA/applicationHost.config'],
      ['WEBB', 'WEBB', 'webb.contoso.test', 'contoso.test', null, true, 'test/fixtures/iis/farm/WEBB.applicationHost.config'],
    ]);
    const [, hand, weba, webb] = inventory.servers;
    expect(weba?.registry).toEqual({ backConnectionHostNames: ['farm.contoso.test'], disableLoopbackCheck: false, maxFieldLength: 65534 });
    expect(webb?.registry).toBeNull();
    // MACHINE\user is local when MACHINE is the server's NetBIOS name.
    expect(weba?.appPools[0]?.identity).toEqual({ scope: 'local', domain: 'WEBA', account: 'localpoolsvc' });
    expect(webb?.appPools[0]?.identity).toEqual({ scope: 'domain', domain: 'CONTOSO', account: 'svc_farm' });
    expect(weba?.appPools[0]?.pos).toEqual({ file: 'test/fixtures/iis/farm/WEBA/applicationHost.config', line: 5 });
    expect(hand?.sites[0]?.bindings.map((b) => `${b.protocol} ${b.host}`)).toEqual(['http hand.contoso.test', 'https hand.contoso.test']);
    expect(hand?.sites[0]?.applications[0]?.auth.windows).toMatchObject({ enabled: true, useAppPoolCredentials: true });
    expect(inventory.farms).toEqual([
      { name: 'farm.contoso.test', servers: ['WEBA', 'WEBB'], tlsOffload: true },
      { name: 'other.contoso.test', servers: ['WEBA', 'NOPE'], tlsOffload: false },
    ]);
    expect(inventory.cnames).toEqual({ 'alias.contoso.test': 'weba.contoso.test' });
    expect(inventory.browsersIncludePort).toBe(true);
    expect(inventory.warnings).toEqual([
      { file: yamlFile, line: lineOf(yaml, '- name: WEBA'), message: "server 'WEBA': iisVersion '8.5' differs from '10.0' in test/fixtures/iis/farm/WEBA/server.json; the inventory value is used" },
      { file: yamlFile, line: lineOf(yaml, '- name: EMPTY01'), message: "server 'EMPTY01' has no applicationHost.config among the given paths and no hand-entered sites" },
      { file: yamlFile, line: lineOf(yaml, '- name: other.contoso.test'), message: "farm 'other.contoso.test' lists server 'NOPE', which is neither in the inventory nor among the config files read" },
    ]);
  });

  it('works from --iis paths alone, naming servers after the layout', async () => {
    const inventory = await loadInventory({ iisPaths: [join(FIXTURES, 'farm')], config: null });
    expect(inventory.servers.map((s) => [s.name, s.netbiosName, s.fqdn])).toEqual([
      ['WEBA', 'WEBA', 'weba.contoso.test'],
      ['WEBB', 'WEBB', null],
    ]);
    expect(inventory.warnings).toEqual([]);
  });

  it('refuses hand-entered sites for a server that also has a config file', async () => {
    const config = parseConfigText(`iis: [farm]\ninventory:\n  servers:\n    - name: WEBB\n      appPools: [{ name: X }]\n`, join(FIXTURES, 'x.yaml'));
    expect(await failure(loadInventory({ iisPaths: [], config }))).toMatch(/x\.yaml:4: server 'WEBB' has an applicationHost\.config .*only for servers without one/);
  });

  it('refuses a file over the size cap without reading it', async () => {
    const dir = tmp();
    const big = join(dir, 'BIG.applicationHost.config');
    writeFileSync(big, '');
    truncateSync(big, 64 * 1024 * 1024 + 1);
    expect(await failure(loadInventory({ iisPaths: [big], config: null }))).toMatch(/BIG\.applicationHost\.config: file is 64 MB, more than the 64 MB spnaudit reads$/);
  });

  it('decodes UTF-16 files as Windows tools write them', async () => {
    const dir = tmp();
    const file = join(dir, 'U16.applicationHost.config');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`<?xml version="1.0" encoding="UTF-16"?>\n${minimalConfig('Wide')}`, 'utf16le')]));
    const inventory = await loadInventory({ iisPaths: [file], config: null });
    expect(inventory.servers[0]?.appPools.map((p) => [p.name, p.pos?.line])).toEqual([['Wide', 2]]);
  });

  it('reports a bad server.json with its file and line', async () => {
    const dir = join(tmp(), 'WEBJ');
    mkdirSync(dir);
    writeFileSync(join(dir, 'applicationHost.config'), minimalConfig('P'));
    writeFileSync(join(dir, 'server.json'), '{\n  "netbios": "WEBJ",\n  "fqdnn": "webj.contoso.test"\n}\n');
    expect(await failure(loadInventory({ iisPaths: [dir], config: null }))).toMatch(/WEBJ\/server\.json:3: fqdnn: unknown key 'fqdnn'/);
  });
});

describe('the example farm (examples/spnaudit.yaml)', () => {
  it('matches the lab scenario', async () => {
    const config = await loadConfigFile('examples/spnaudit.yaml');
    const inventory = await loadInventory({ iisPaths: [], config });
    expect(inventory.warnings).toEqual([]);
    const summary = inventory.servers.map((server) => ({
      server: server.name,
      fqdn: server.fqdn,
      tlsOffload: server.tlsOffload,
      sites: server.sites.map((site) => {
        const root = site.applications.find((a) => a.path === '/');
        const pool = server.appPools.find((p) => p.name === root?.appPool);
        return [
          site.name,
          site.id,
          site.bindings.filter((b) => b.isHttp).map((b) => `${b.protocol}/${b.port}/${b.host}`).join(' '),
          `${pool?.identityType} ${pool?.userName ?? ''}`.trim(),
          `win=${root?.auth.windows.enabled} km=${root?.auth.windows.useKernelMode} apc=${root?.auth.windows.useAppPoolCredentials} prov=${root?.auth.windows.providers.join('+')} anon=${root?.auth.anonymous.enabled}`,
        ].join(' | ');
      }),
    }));
    const farmNode = (server: string, apc: boolean) => ({
      server,
      fqdn: `${server.toLowerCase()}.contoso.test`,
      tlsOffload: true,
      sites: [
        'Default Web Site | 1 | http/80/ | ApplicationPoolIdentity | win=false km=true apc=false prov=Negotiate+NTLM anon=true',
        `Intranet | 2 | http/80/intranet.contoso.test https/443/intranet.contoso.test http/80/intranet | SpecificUser CONTOSO\\svc_intranet | win=true km=true apc=${apc} prov=Negotiate+NTLM anon=false`,
      ],
    });
    expect(summary).toEqual([
      farmNode('WEB01', true),
      farmNode('WEB02', false),
      {
        server: 'WEB03',
        fqdn: 'web03.contoso.test',
        tlsOffload: false,
        sites: [
          'Portal | 2 | http/80/portal.contoso.test http/80/portal http/80/www.contoso.test https/443/portal.contoso.test | SpecificUser CONTOSO\\svc_portal | win=true km=true apc=false prov=Negotiate+NTLM anon=false',
          'HR | 3 | http/80/hr.contoso.test | SpecificUser svc_hr@contoso.test | win=true km=true apc=true prov=Negotiate+NTLM anon=false',
          'Apps | 4 | http/80/apps.contoso.test | SpecificUser CONTOSO\\gmsa_apps$ | win=true km=true apc=true prov=Negotiate+NTLM anon=false',
          'Legacy | 5 | http/8080/legacy.contoso.test | SpecificUser CONTOSO\\svc_apppool_nospn | win=true km=true apc=false prov=NTLM anon=false',
          'Reports | 6 | http/80/reports.contoso.test | SpecificUser CONTOSO\\svc_kcd | win=true km=true apc=true prov=Negotiate+NTLM anon=false',
          'Local | 7 | http/80/local.contoso.test | LocalService | win=true km=false apc=false prov=Negotiate+NTLM anon=false',
        ],
      },
    ]);
    expect(inventory.servers.find((s) => s.name === 'WEB03')?.registry).toEqual({ backConnectionHostNames: [], disableLoopbackCheck: false, maxFieldLength: 16384, maxRequestBytes: 16384 });
    expect(inventory.farms).toEqual([{ name: 'intranet.contoso.test', servers: ['WEB01', 'WEB02'], tlsOffload: true }]);
    expect(inventory.cnames).toEqual({ 'www.contoso.test': 'web03.contoso.test' });
  });
});
