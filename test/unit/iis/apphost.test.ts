import { describe, expect, it } from 'vitest';
import { parseApplicationHostConfig } from '../../../src/iis/index.js';
import { UsageError } from '../../../src/errors.js';
import type { Application, Site } from '../../../src/model/iis.js';
import { fixture, lineOf } from './helpers.js';

const { file, text } = fixture('semantics.applicationHost.config');
const parsed = parseApplicationHostConfig(text, 'semantics.applicationHost.config', 'SRV1');
const shown = 'semantics.applicationHost.config';

function site(name: string): Site {
  const found = parsed.sites.find((s) => s.name === name);
  if (!found) throw new Error(`no site ${name}`);
  return found;
}
function app(siteName: string, path: string): Application {
  const found = site(siteName).applications.find((a) => a.path === path);
  if (!found) throw new Error(`no application ${siteName}${path}`);
  return found;
}

describe('application pools', () => {
  it.each([
    ['DefaultAppPool', 'ApplicationPoolIdentity', null, null],
    ['NetSvcPool', 'NetworkService', null, null],
    ['SystemPool', 'LocalSystem', null, null],
    ['LocalSvcPool', 'LocalService', null, null],
    ['DomainPool', 'SpecificUser', 'CONTOSO\\svc_web', { scope: 'domain', domain: 'CONTOSO', account: 'svc_web' }],
    ['UpnPool', 'SpecificUser', 'svc_upn@contoso.test', { scope: 'domain', domain: 'contoso.test', account: 'svc_upn' }],
    ['DotLocalPool', 'SpecificUser', '.\\localsvc', { scope: 'local', domain: 'SRV1', account: 'localsvc' }],
    ['MachinePool', 'SpecificUser', 'SRV1\\machinesvc', { scope: 'local', domain: 'SRV1', account: 'machinesvc' }],
    ['GmsaPool', 'SpecificUser', 'CONTOSO\\gmsa_web$', { scope: 'managed', domain: 'CONTOSO', account: 'gmsa_web$' }],
    ['InheritPool', 'ApplicationPoolIdentity', null, null],
    // userName is meaningless unless identityType is SpecificUser.
    ['IgnoredUserPool', 'NetworkService', null, null],
  ])('%s → %s %s', (name, identityType, userName, identity) => {
    const pool = parsed.appPools.find((p) => p.name === name);
    expect(pool).toMatchObject({ identityType, userName, identity });
    expect(pool?.pos).toEqual({ file: shown, line: lineOf(text, `name="${name}"`) });
  });

  it('never keeps a password, encrypted or not, anywhere in the result', () => {
    const json = JSON.stringify(parsed);
    expect(json).not.toContain('PlainTextSecret123!');
    expect(json).not.toContain('c2VjcmV0');
    expect(json).not.toContain('enc:');
    expect(json.toLowerCase()).not.toContain('password');
  });

  it('ignores <configProtectedData> entirely', () => {
    expect(JSON.stringify(parsed)).not.toContain('IISWASOnlyCngProvider');
  });
});

describe('sites, applications and pools', () => {
  it('reads sites with their <site> lines, ignoring siteDefaults and commented-out elements', () => {
    expect(parsed.sites.map((s) => [s.name, s.id, s.pos?.line])).toEqual([
      ['Main', 1, lineOf(text, '<site name="Main"')],
      ['Second', 2, lineOf(text, '<site name="Second"')],
      ['Twin', 2, lineOf(text, '<site name="Twin"')],
    ]);
  });

  it.each([
    ['Main', '/', 'InheritPool', 'sites-level applicationDefaults'],
    ['Main', '/app', 'DomainPool', 'explicit applicationPool'],
    ['Main', '/app/child', 'GmsaPool', 'explicit applicationPool'],
    ['Second', '/', 'UpnPool', 'site-level applicationDefaults win over the sites-level ones'],
    ['Second', '/locked', 'DomainPool', 'explicit applicationPool'],
  ])('%s%s runs in %s (%s)', (siteName, path, pool) => {
    const application = app(siteName, path);
    expect(application.appPool).toBe(pool);
    expect(application.locationOnly).toBeUndefined();
  });

  it('keeps an application whose pool is unknown, with a warning naming its line', () => {
    expect(app('Main', '/ghost').appPool).toBe('NoSuchPool');
    const line = lineOf(text, '<application path="/ghost"');
    expect(app('Main', '/ghost').pos).toEqual({ file: shown, line });
    expect(parsed.warnings).toContainEqual({ file: shown, line, message: expect.stringContaining("'NoSuchPool', which is not defined") });
  });

  it('warns about a duplicate site id and still models both sites', () => {
    const line = lineOf(text, '<site name="Twin"');
    expect(site('Twin').bindings.map((b) => b.host)).toEqual(['twin.contoso.test']);
    expect(parsed.warnings).toContainEqual({ file: shown, line, message: expect.stringContaining('already used by site') });
  });

  it('models a <location> below an application as a location-only path served by the containing pool', () => {
    const secure = app('Main', '/app/secure');
    expect(secure).toMatchObject({ appPool: 'DomainPool', locationOnly: true, pos: { file: shown, line: lineOf(text, '<location path="Main/app/secure">') } });
    expect(secure.auth.anonymous).toEqual({
      enabled: false,
      userName: 'IUSR',
      pos: { file: shown, line: lineOf(text, '<location path="Main/app/secure">') + 4 },
    });
  });

  it('warns about a <location> whose site does not exist', () => {
    expect(parsed.warnings).toContainEqual({ file: shown, line: lineOf(text, '<location path="Gone/app">'), message: expect.stringContaining('names no site') });
  });

  it('produces exactly the expected warnings', () => {
    expect(parsed.warnings.map((w) => w.line)).toEqual([
      lineOf(text, '<application path="/ghost"'),
      lineOf(text, 'bindingInformation="*:eighty:'),
      lineOf(text, '<site name="Twin"'),
      lineOf(text, '<location path="Gone/app">'),
    ]);
  });
});

describe('bindings', () => {
  const at = (needle: string) => ({ file: shown, line: lineOf(text, needle) });
  it('parses http/https IP:PORT:HOST (IPv4, IPv6 in brackets, empty host, host lower-cased) and keeps other protocols as written', () => {
    expect(site('Main').bindings).toEqual([
      { protocol: 'http', isHttp: true, raw: '*:80:Main.Contoso.Test', ip: '*', port: 80, host: 'main.contoso.test', pos: at('*:80:Main.Contoso.Test') },
      { protocol: 'https', isHttp: true, raw: '10.0.0.5:443:main.contoso.test', ip: '10.0.0.5', port: 443, host: 'main.contoso.test', pos: at('10.0.0.5:443') },
      { protocol: 'http', isHttp: true, raw: '[fe80::1]:8080:v6.contoso.test', ip: 'fe80::1', port: 8080, host: 'v6.contoso.test', pos: at('[fe80::1]') },
      { protocol: 'http', isHttp: true, raw: '[::1]:80:', ip: '::1', port: 80, host: '', pos: at('[::1]:80:') },
      { protocol: 'http', isHttp: true, raw: '*:80:', ip: '*', port: 80, host: '', pos: at('bindingInformation="*:80:" />') },
      { protocol: 'net.tcp', isHttp: false, raw: '808:*', ip: null, port: null, host: null, pos: at('808:*') },
      { protocol: 'net.pipe', isHttp: false, raw: '*', ip: null, port: null, host: null, pos: at('protocol="net.pipe"') },
      { protocol: 'msmq.formatname', isHttp: false, raw: 'localhost', ip: null, port: null, host: null, pos: at('msmq.formatname') },
      { protocol: 'ftp', isHttp: false, raw: '*:21:', ip: null, port: null, host: null, pos: at('protocol="ftp"') },
    ]);
  });

  it('skips an unparseable http binding with a warning naming it, and never warns about non-HTTP bindings', () => {
    const messages = parsed.warnings.map((w) => w.message);
    expect(messages).toContainEqual(expect.stringContaining("'*:eighty:bad.contoso.test' does not parse"));
    expect(messages.join('\n')).not.toMatch(/net\.tcp|net\.pipe|msmq|ftp/);
  });
});

describe('authentication inheritance', () => {
  const line = (needle: string, occurrence?: number) => ({ file: shown, line: lineOf(text, needle, occurrence) });

  it('Main/: root providers plus the site location, extended protection, anonymous off', () => {
    const auth = app('Main', '/').auth;
    expect(auth.windows).toEqual({
      enabled: true,
      useKernelMode: true,
      useAppPoolCredentials: true,
      providers: ['Negotiate', 'NTLM', 'Negotiate:Kerberos'],
      extendedProtection: { tokenChecking: 'Require', flags: ['Proxy', 'AllowDotlessSpn'], spns: ['HTTP/main.contoso.test', 'HTTP/lb.contoso.test'] },
      pos: line('<windowsAuthentication enabled="True"'),
    });
    expect(auth.anonymous).toEqual({ enabled: false, userName: 'IUSR', pos: line('<anonymousAuthentication enabled="false" />', 1) });
    expect(auth.basic).toEqual({ enabled: false, pos: line('<basicAuthentication />') });
    // location path="" is the root too.
    expect(auth.digest).toEqual({ enabled: true, pos: line('<digestAuthentication enabled="true" />') });
    expect(auth.clientCertificateMapping).toEqual({ enabled: false, pos: null });
    expect(auth.iisClientCertificateMapping).toEqual({ enabled: false, pos: null });
  });

  it('Main/app: <remove> a provider and an spn, kernel mode off, basic on; the rest inherited', () => {
    const auth = app('Main', '/app').auth;
    expect(auth.windows).toMatchObject({
      enabled: true,
      useKernelMode: false,
      useAppPoolCredentials: true,
      providers: ['Negotiate', 'Negotiate:Kerberos'],
      extendedProtection: { tokenChecking: 'Require', flags: ['Proxy', 'AllowDotlessSpn'], spns: ['HTTP/main.contoso.test'] },
      pos: line('<windowsAuthentication useKernelMode="false">'),
    });
    expect(auth.basic.enabled).toBe(true);
    expect(auth.anonymous.enabled).toBe(false);
  });

  it('Main/app/child: <clear/> then re-ordered providers, cleared spns, anonymous as the pool identity, certificate mappings on', () => {
    const auth = app('Main', '/app/child').auth;
    expect(auth.windows).toMatchObject({
      enabled: true,
      useKernelMode: false,
      providers: ['NTLM', 'Negotiate'],
      extendedProtection: { tokenChecking: 'Allow', flags: [], spns: [] },
    });
    expect(auth.anonymous).toEqual({ enabled: true, userName: '', pos: line('<anonymousAuthentication enabled="true" userName="" />') });
    expect(auth.clientCertificateMapping.enabled).toBe(true);
    expect(auth.iisClientCertificateMapping.enabled).toBe(true);
    expect(auth.basic.enabled).toBe(true);
  });

  it('location path="." is the root as well, applied in document order among root scopes', () => {
    // "." sets useAppPoolCredentials=false at the root; Main overrides it, Second does not.
    expect(app('Second', '/').auth.windows.useAppPoolCredentials).toBe(false);
    expect(app('Main', '/').auth.windows.useAppPoolCredentials).toBe(true);
  });

  it('inheritInChildApplications="false" keeps the site location away from its child applications', () => {
    const root = app('Second', '/').auth;
    expect(root.windows.enabled).toBe(true);
    expect(root.anonymous).toMatchObject({ enabled: false, userName: 'CONTOSO\\anon' });
    const child = app('Second', '/locked').auth;
    expect(child.windows.enabled).toBe(false);
    expect(child.anonymous).toMatchObject({ enabled: true, userName: 'IUSR' });
  });

  it('overrideMode: sections a web.config could still override', () => {
    // configSections declare every auth section Deny; location "" allows digest; location Second allows what it contains.
    expect(app('Main', '/').auth.overridable).toEqual(['digest']);
    expect(app('Second', '/').auth.overridable).toEqual(['windows', 'anonymous', 'digest']);
    expect(app('Second', '/locked').auth.overridable).toEqual(['digest']);
  });
});

describe('schema defaults when nothing is configured', () => {
  const minimal = `<configuration>
  <system.applicationHost>
    <sites>
      <site name="Bare" id="1"><application path="/" applicationPool="P" /></site>
    </sites>
    <applicationPools><add name="P" /></applicationPools>
  </system.applicationHost>
</configuration>`;
  it('windows off with kernel mode on and no providers; anonymous on as IUSR; the rest off', () => {
    const result = parseApplicationHostConfig(minimal, 'min.config', 'X');
    expect(result.warnings).toEqual([]);
    expect(result.appPools[0]).toMatchObject({ identityType: 'ApplicationPoolIdentity', userName: null, identity: null });
    expect(result.sites[0]?.applications[0]?.auth).toEqual({
      windows: {
        enabled: false,
        useKernelMode: true,
        useAppPoolCredentials: false,
        providers: [],
        extendedProtection: { tokenChecking: 'None', flags: [], spns: [] },
        pos: null,
      },
      anonymous: { enabled: true, userName: 'IUSR', pos: null },
      basic: { enabled: false, pos: null },
      digest: { enabled: false, pos: null },
      clientCertificateMapping: { enabled: false, pos: null },
      iisClientCertificateMapping: { enabled: false, pos: null },
      overridable: [],
    });
  });
});

describe('line numbers survive CRLF line ends and a byte order mark', () => {
  it.each([
    ['LF', text],
    ['CRLF', text.replace(/\n/g, '\r\n')],
    ['BOM + CRLF', `\uFEFF${text.replace(/\n/g, '\r\n')}`],
  ])('%s', (_label, variant) => {
    const result = parseApplicationHostConfig(variant, shown, 'SRV1');
    const child = result.sites[0]?.applications.find((a) => a.path === '/app/child');
    expect(child?.pos?.line).toBe(lineOf(text, '<application path="/app/child"'));
    expect(child?.auth.windows.pos?.line).toBe(lineOf(text, '<location path="Main/app/child">') + 4);
    expect(result.sites[0]?.bindings.at(-1)?.pos?.line).toBe(lineOf(text, 'protocol="ftp"'));
  });
});

describe('bad input', () => {
  const error = (xml: string, name = 'bad.config') => {
    try {
      parseApplicationHostConfig(xml, name, 'X');
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      return (err as Error).message;
    }
    throw new Error('expected a UsageError');
  };

  it.each([
    ['malformed.applicationHost.config', /^malformed\.applicationHost\.config:8: malformed XML: Expected closing tag 'binding' \(opened in line 7/],
    ['web.config', /^web\.config:2: not an applicationHost\.config: <configuration> has no <system\.applicationHost>/],
    ['billion-laughs.applicationHost.config', /^billion-laughs\.applicationHost\.config:3: DOCTYPE declarations are not accepted/],
    ['xxe.applicationHost.config', /^xxe\.applicationHost\.config:2: DOCTYPE declarations are not accepted/],
  ])('%s → one-line error with file:line', (name, pattern) => {
    const message = error(fixture(name).text, name);
    expect(message).toMatch(pattern);
    expect(message).not.toContain('\n');
  });

  it.each([
    ['an unrelated root element', '<?xml version="1.0"?>\n<project><x/></project>', /^bad\.config:2: not an applicationHost\.config: the root element is <project>/],
    ['two root elements', '<configuration><system.applicationHost/></configuration>\n<configuration/>', /^bad\.config:2: more than one root element/],
    ['an empty file', '', /^bad\.config:1: malformed XML/],
    ['text that is not XML', 'hello', /^bad\.config:1: malformed XML/],
    [
      'a duplicate site name',
      '<configuration><system.applicationHost><sites>\n<site name="A" id="1"/>\n<site name="a" id="2"/>\n</sites></system.applicationHost></configuration>',
      /^bad\.config:3: site 'a' is defined twice \(first at line 2\)/,
    ],
    [
      'a duplicate pool name',
      '<configuration><system.applicationHost><applicationPools>\n<add name="P"/>\n<add name="P"/>\n</applicationPools></system.applicationHost></configuration>',
      /^bad\.config:3: application pool 'P' is defined twice/,
    ],
  ])('%s', (_label, xml, pattern) => {
    expect(error(xml)).toMatch(pattern);
  });

  it('refuses a document over the size cap before parsing it', () => {
    const huge = `<configuration>${' '.repeat(64 * 1024 * 1024)}</configuration>`;
    expect(error(huge)).toMatch(/^bad\.config: file is larger than 64 MB/);
  });

  it('leaves entities unexpanded: predefined ones and character references decode, anything else stays literal', () => {
    const { text: xml } = fixture('entities.applicationHost.config');
    expect(parseApplicationHostConfig(xml, 'e.config', 'X').appPools.map((p) => p.name)).toEqual(['R&D "Pool" AB &undefined;']);
  });

  it('skips encrypted sections with a warning and never copies their content or configProtectedData', () => {
    const { text: xml } = fixture('encrypted.applicationHost.config');
    const result = parseApplicationHostConfig(xml, 'enc.config', 'X');
    expect(result.appPools).toEqual([]);
    expect(result.sites[0]?.applications[0]?.auth.windows).toMatchObject({ enabled: false, pos: null });
    expect(result.warnings.map((w) => [w.line, w.message.replace(/ \(.*/, '')])).toEqual([
      [lineOf(xml, '<applicationPools configProtectionProvider'), 'section <applicationPools> is encrypted'],
      [lineOf(xml, '<application path="/"'), "site 'Plain' application '/' uses application pool 'DefaultAppPool', which is not defined in <applicationPools>"],
      [lineOf(xml, '<windowsAuthentication configProtectionProvider'), 'section windowsAuthentication is encrypted'],
    ]);
    const json = JSON.stringify(result);
    for (const secret of ['ENCRYPTEDPOOLSBLOB', 'ENCRYPTEDWINDOWSBLOB', 'ANONSECRETBLOB', 'SECRETSESSIONKEY', 'CipherValue']) expect(json).not.toContain(secret);
  });

  it('warns (and defaults) on values IIS would not accept, naming the line', () => {
    const xml = `<configuration>
<system.applicationHost>
<applicationPools>
<add name="Odd"><processModel identityType="RootUser" /></add>
<add name="NoUser"><processModel identityType="SpecificUser" /></add>
<add name="Bare"><processModel identityType="SpecificUser" userName="justaname" /></add>
</applicationPools>
<sites><site name="S" id="x"><application path="/" applicationPool="Odd" /></site></sites>
</system.applicationHost>
<system.webServer><security><authentication><windowsAuthentication enabled="yes" /></authentication></security></system.webServer>
</configuration>`;
    const result = parseApplicationHostConfig(xml, 'odd.config', 'X');
    expect(result.appPools.map((p) => [p.name, p.identityType, p.userName])).toEqual([
      ['Odd', 'ApplicationPoolIdentity', null],
      ['NoUser', 'SpecificUser', null],
      ['Bare', 'SpecificUser', 'justaname'],
    ]);
    expect(result.sites[0]?.id).toBe(0);
    expect(result.warnings.map((w) => w.line)).toEqual([4, 5, 6, 8, 10]);
    expect(result.warnings.map((w) => w.message).join('\n')).toMatch(/identityType 'RootUser' is unknown[\s\S]*SpecificUser without a userName[\s\S]*has no domain part[\s\S]*id 'x' is not a positive number[\s\S]*enabled='yes' is not true or false/);
  });
});

describe('appcmd list config /xml exports', () => {
  it('reads CONFIG sections, maps APPHOST/<site> paths to locations and skips non-APPHOST paths with a warning', () => {
    const { text: xml } = fixture('appcmd-export.xml');
    const result = parseApplicationHostConfig(xml, 'appcmd-export.xml', 'X');
    expect(result.appPools.map((p) => [p.name, p.userName])).toEqual([['ExportPool', 'CONTOSO\\svc_export']]);
    expect(result.sites.map((s) => [s.name, s.id, s.bindings.map((b) => b.host)])).toEqual([['Exported', 7, ['export.contoso.test']]]);
    expect(result.sites[0]?.applications[0]?.auth.windows).toMatchObject({
      enabled: true,
      useAppPoolCredentials: true,
      pos: { file: 'appcmd-export.xml', line: lineOf(xml, '<windowsAuthentication enabled="true"') },
    });
    expect(result.warnings).toEqual([
      { file: 'appcmd-export.xml', line: lineOf(xml, 'path="MACHINE/WEBROOT" '), message: expect.stringContaining('is not under MACHINE/WEBROOT/APPHOST') },
    ]);
  });
});

describe('root scopes in file order', () => {
  it('a <location path=""> before the root <system.webServer> is overridden by it', () => {
    const xml = `<configuration>
<location path=""><system.webServer><security><authentication><windowsAuthentication enabled="true" /></authentication></security></system.webServer></location>
<system.applicationHost><applicationPools><add name="P" /></applicationPools>
<sites><site name="S" id="1"><application path="/" applicationPool="P" /></site></sites></system.applicationHost>
<system.webServer><security><authentication><windowsAuthentication enabled="false" /></authentication></security></system.webServer>
</configuration>`;
    const windows = parseApplicationHostConfig(xml, 'o.config', 'X').sites[0]?.applications[0]?.auth.windows;
    expect(windows).toMatchObject({ enabled: false, pos: { file: 'o.config', line: 5 } });
  });
});
