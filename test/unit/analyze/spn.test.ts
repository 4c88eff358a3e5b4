import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { correctedSpn } from '../../../src/rules/kerberos/malformed-spn.js';
import { isCleanPlainSpn, isIpLiteral, isProtectedMachineSpn, parseSpn, spnDefects, spnDefectsByParsing, spnKey, tryParseSpn } from '../../../src/analyze/spn.js';

describe('parseSpn', () => {
  it.each([
    ['HTTP/intranet.contoso.test', { serviceClass: 'HTTP', host: 'intranet.contoso.test', port: null, instance: null, serviceName: null }],
    ['http/Intranet', { serviceClass: 'http', host: 'Intranet', port: null, instance: null, serviceName: null }],
    ['MSSQLSvc/sql01.contoso.test:1433', { serviceClass: 'MSSQLSvc', host: 'sql01.contoso.test', port: 1433, instance: null, serviceName: null }],
    ['MSSQLSvc/sql01.contoso.test:INSTANCE', { serviceClass: 'MSSQLSvc', host: 'sql01.contoso.test', port: null, instance: 'INSTANCE', serviceName: null }],
    ['ldap/dc1.contoso.test/contoso.test', { serviceClass: 'ldap', host: 'dc1.contoso.test', port: null, instance: null, serviceName: 'contoso.test' }],
    ['HTTP/10.0.0.5', { serviceClass: 'HTTP', host: '10.0.0.5', port: null, instance: null, serviceName: null }],
    ['HTTP/[fe80::1]:8080', { serviceClass: 'HTTP', host: 'fe80::1', port: 8080, instance: null, serviceName: null }],
    ['HTTP/fe80::1', { serviceClass: 'HTTP', host: 'fe80::1', port: null, instance: null, serviceName: null }],
    ['HTTP/web.contoso.test.', { serviceClass: 'HTTP', host: 'web.contoso.test.', port: null, instance: null, serviceName: null }],
    ['HTTPS/web.contoso.test', { serviceClass: 'HTTPS', host: 'web.contoso.test', port: null, instance: null, serviceName: null }],
  ])('%s parses', (value, expected) => {
    expect(parseSpn(value)).toEqual({ original: value, key: value.toLowerCase(), ...expected });
  });

  it.each([
    ['', 'empty value'],
    [' HTTP/web', 'leading or trailing whitespace'],
    ['HTTP/web ', 'leading or trailing whitespace'],
    ['HTTP/web 01', 'contains whitespace'],
    ['HTTP/web\u200b', 'invisible'],
    ['http://intranet.contoso.test/', 'looks like a URL'],
    ['HTTP:/intranet', 'contains ":"'],
    ['HTTP', 'missing "/"'],
    ['HTTP/', 'empty host'],
    ['/intranet', 'empty service class'],
    ['HTTP/web/', 'empty service name'],
    ['a/b/c/d', '4 "/"-separated parts'],
    ['HTTP/web:', 'empty port or instance'],
    ['HTTP/web:70000', 'out of range'],
    ['HTTP/:80', 'empty host'],
    ['HTTP/user@web', 'contains "\\" or "@"'],
  ])('%j is rejected: %s', (value, reason) => {
    const r = tryParseSpn(value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
    expect(parseSpn(value)).toBeNull();
  });

  it('keys are case-insensitive but never trimmed (the KDC matches the stored value)', () => {
    expect(spnKey('HTTP/Intranet.Contoso.TEST')).toBe('http/intranet.contoso.test');
    expect(spnKey(' HTTP/x')).not.toBe(spnKey('HTTP/x'));
  });
});

describe('spnDefects', () => {
  it.each([
    ['HTTP/intranet.contoso.test', []],
    ['MSSQLSvc/sql01.contoso.test:1433', []],
    ['MSSQLSvc/sql01.contoso.test:INSTANCE', []],
    ['HTTP/intranet.contoso.test:8080', []],
    ['ldap/dc1.contoso.test:389', []],
    ['HTTP/intranet.contoso.test:80', ['default-port']],
    ['www/intranet:443', ['default-port']],
    ['HTTPS/intranet.contoso.test', ['https-class']],
    ['HTTPS/intranet.contoso.test:443', ['https-class', 'default-port']],
    ['HTTP/intranet.contoso.test.', ['trailing-dot']],
    ['HTTP/10.0.0.5', ['ip-literal']],
    ['http://intranet.contoso.test', ['unparseable']],
    [' HTTP/intranet', ['unparseable']],
  ])('%j → %j', (value, codes) => {
    expect(spnDefects(value).map((d) => d.code)).toEqual(codes);
  });

  it('IP-literal SPNs are info at most (legitimate with TryIPSPN)', () => {
    expect(spnDefects('HTTP/10.0.0.5').map((d) => d.severity)).toEqual(['info']);
  });
});

describe('correctedSpn', () => {
  it.each([
    ['HTTPS/web.contoso.test', 'HTTP/web.contoso.test'],
    ['HTTP/web.contoso.test:80', 'HTTP/web.contoso.test'],
    ['HTTP/web.contoso.test.', 'HTTP/web.contoso.test'],
    [' HTTP/web ', 'HTTP/web'],
    ['http://web.contoso.test/', 'HTTP/web.contoso.test'],
    ['MSSQLSvc/sql01:1433', null],
    ['a/b/c/d', null],
  ])('%j → %j', (value, fixed) => {
    expect(correctedSpn(value)).toBe(fixed);
  });
});

describe('helpers', () => {
  it.each([
    ['10.1.2.3', true],
    ['fe80::1', true],
    ['300.1.2.3', false],
    ['web01', false],
  ])('isIpLiteral(%s) = %s', (host, expected) => expect(isIpLiteral(host)).toBe(expected));

  it.each([
    ['computer', 'HOST/web01', true],
    ['computer', 'host/web01.contoso.test', true],
    ['computer', 'RestrictedKrbHost/web01', true],
    ['computer', 'HTTP/web01', false],
    ['user', 'HOST/web01', false],
    ['gmsa', 'HOST/apps', false],
  ] as const)('isProtectedMachineSpn(%s, %s) = %s', (kind, spn, expected) => expect(isProtectedMachineSpn(kind, spn)).toBe(expected));
});

describe('isCleanPlainSpn (the scan shortcut)', () => {
  it('accepts the common clean shapes and leaves everything doubtful to the parser', () => {
    for (const v of ['HTTP/web01', 'HTTP/web01.contoso.test', 'HOST/WEB01', 'MSSQLSvc/sql_1.contoso.test', 'w3svc/a-b']) expect(isCleanPlainSpn(v)).toBe(true);
    for (const v of ['HTTPS/web01', 'https/web01', 'HTTP/web01.', 'HTTP/10.0.0.1', 'HTTP/1234', 'HTTP/web01:80', 'MSSQLSvc/sql:1433', 'HTTP/web/svc', ' HTTP/web', 'HTTP/web ', 'HTTP/', '/web', 'HTTP', 'HTTP/wéb', 'HTTP/web\u200b', 'http://web']) {
      expect(isCleanPlainSpn(v)).toBe(false);
    }
  });

  it('never answers "clean" for a value the parser finds a defect in, or parses with a port (property)', () => {
    const unit = fc.constantFrom('H', 't', 'P', 's', 'S', '/', '.', ':', '-', '_', '1', '8', '0', '4', '3', ' ', 'é', '@', '[', '`', '{');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 16 }), (v) => {
        if (!isCleanPlainSpn(v)) return;
        expect(spnDefectsByParsing(v)).toEqual([]);
        const p = parseSpn(v);
        expect(p).not.toBeNull();
        expect([p?.port, p?.instance, p?.serviceName]).toEqual([null, null, null]);
      }),
      { numRuns: 20_000 },
    );
    // The generator does reach both answers.
    expect(isCleanPlainSpn('HTTP/s1')).toBe(true);
  });
});
