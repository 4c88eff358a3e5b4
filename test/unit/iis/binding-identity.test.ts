import { describe, expect, it } from 'vitest';
import { parseBinding, parseIdentity, parseIdentityType } from '../../../src/iis/index.js';

describe('parseBinding', () => {
  it.each([
    ['http', '*:80:intranet.contoso.test', { ip: '*', port: 80, host: 'intranet.contoso.test' }],
    ['HTTP', '*:80:Intranet', { protocol: 'http', ip: '*', port: 80, host: 'intranet' }],
    ['https', '192.168.1.10:443:', { ip: '192.168.1.10', port: 443, host: '' }],
    ['http', ':80:blank-ip.contoso.test', { ip: '*', port: 80, host: 'blank-ip.contoso.test' }],
    ['http', '[2001:db8::5]:80:v6.contoso.test', { ip: '2001:db8::5', port: 80, host: 'v6.contoso.test' }],
    ['http', '[::]:8080:', { ip: '::', port: 8080, host: '' }],
    ['https', '*:443:*.contoso.test', { ip: '*', port: 443, host: '*.contoso.test' }],
    ['http', '*:80:trailing.contoso.test.', { host: 'trailing.contoso.test' }],
  ])('%s %s', (protocol, info, expected) => {
    const result = parseBinding(protocol, info, null);
    expect(result.ok).toBe(true);
    expect(result.ok && result.binding).toMatchObject({ isHttp: true, raw: info, ...expected });
  });

  it.each([
    ['net.tcp', '808:*'],
    ['net.pipe', '*'],
    ['net.msmq', 'localhost'],
    ['msmq.formatname', 'localhost'],
    ['ftp', '*:21:'],
    ['net.tcp', 'anything at all'],
  ])('%s %s is a non-HTTP binding kept as written', (protocol, info) => {
    expect(parseBinding(protocol, info, { file: 'f', line: 3 })).toEqual({
      ok: true,
      binding: { protocol, isHttp: false, raw: info, ip: null, port: null, host: null, pos: { file: 'f', line: 3 } },
    });
  });

  it.each([
    ['*:80', /two colons/],
    ['intranet.contoso.test', /IP:PORT:HOST/],
    ['*:0:x.contoso.test', /port '0'/],
    ['*:65536:x.contoso.test', /port '65536'/],
    ['*::x.contoso.test', /port ''/],
    ['300.1.1.1:80:x', /'300\.1\.1\.1' is not/],
    ['[fe80::1:80:x', /closing bracket/],
    ['[nothex]:80:x', /not an IPv6/],
    ['[::1]80:x', /expected ':'/],
    ['*:80:bad host', /host 'bad host'/],
    ['*:80:http://x', /host 'http:\/\/x'/],
  ])('http %s does not parse', (info, reason) => {
    const result = parseBinding('http', info, null);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });
});

describe('identity', () => {
  it.each([
    ['ApplicationPoolIdentity', 'ApplicationPoolIdentity'],
    ['networkservice', 'NetworkService'],
    [' LOCALSYSTEM ', 'LocalSystem'],
    ['LocalService', 'LocalService'],
    ['specificuser', 'SpecificUser'],
    ['Administrator', null],
    ['3', null],
  ])('identityType %j → %s', (written, expected) => {
    expect(parseIdentityType(written)).toBe(expected);
  });

  it.each([
    ['CONTOSO\\svc_web', { scope: 'domain', domain: 'CONTOSO', account: 'svc_web' }],
    ['contoso.test\\svc_web', { scope: 'domain', domain: 'contoso.test', account: 'svc_web' }],
    ['svc_web@contoso.test', { scope: 'domain', domain: 'contoso.test', account: 'svc_web' }],
    ['CONTOSO\\gmsa_apps$', { scope: 'managed', domain: 'CONTOSO', account: 'gmsa_apps$' }],
    ['gmsa_apps$@contoso.test', { scope: 'managed', domain: 'contoso.test', account: 'gmsa_apps$' }],
    ['.\\localuser', { scope: 'local', domain: 'WEB03', account: 'localuser' }],
    ['web03\\localuser', { scope: 'local', domain: 'web03', account: 'localuser' }],
    ['WEB03\\localuser', { scope: 'local', domain: 'WEB03', account: 'localuser' }],
    ['localhost\\localuser', { scope: 'local', domain: 'WEB03', account: 'localuser' }],
    ['NT AUTHORITY\\NETWORK SERVICE', { scope: 'local', domain: 'NT AUTHORITY', account: 'NETWORK SERVICE' }],
    ['WEB04\\svc', { scope: 'domain', domain: 'WEB04', account: 'svc' }],
  ])('%s on WEB03', (userName, identity) => {
    expect(parseIdentity(userName, 'WEB03')).toEqual({ identity, note: null });
  });

  it('a bare account name is modeled as a domain account with a note', () => {
    expect(parseIdentity('svc_web', 'WEB03')).toEqual({
      identity: { scope: 'domain', domain: null, account: 'svc_web' },
      note: expect.stringContaining('no domain part'),
    });
    expect(parseIdentity('  ', 'WEB03')).toBeNull();
  });
});
