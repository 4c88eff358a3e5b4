import { describe, expect, it } from 'vitest';
import { buildSpnIndex, DEFAULT_SPN_MAPPINGS, duplicateEntries, parseSpnMappings } from '../../../src/analyze/spn-index.js';
import { account, computer, domain, forest, snapshot } from '../../support/fixtures.js';

const web01 = computer('WEB01');
const svc = account({ sam: 'svc_web', spns: ['HTTP/Intranet.Contoso.Test'] });

describe('buildSpnIndex', () => {
  it('looks up case-insensitively and keeps the stored spelling', () => {
    const index = buildSpnIndex(snapshot({ accounts: [web01, svc] }));
    expect(index.holders('http/intranet.contoso.test', 'contoso.test')).toEqual([{ account: svc, spn: 'HTTP/Intranet.Contoso.Test' }]);
    expect(index.holders('HTTP/INTRANET.CONTOSO.TEST', 'CONTOSO.TEST').map((h) => h.account)).toEqual([svc]);
  });

  it('resolves an explicit SPN before the HOST alias, like the KDC (MS-DRSR LookupSPN/MapSPN)', () => {
    const explicit = account({ sam: 'svc_x', spns: ['HTTP/web01.contoso.test'] });
    const index = buildSpnIndex(snapshot({ accounts: [web01, explicit] }));
    expect(index.resolve('HTTP/web01.contoso.test', 'contoso.test')).toEqual({ via: 'explicit', holders: [{ account: explicit, spn: 'HTTP/web01.contoso.test' }] });
  });

  it('falls back to HOST/x through the default sPNMappings when nobody holds HTTP/x', () => {
    const index = buildSpnIndex(snapshot({ accounts: [web01] }));
    expect(index.resolve('HTTP/WEB01', 'contoso.test')).toEqual({ via: 'host-alias', holders: [{ account: web01, spn: 'HOST/WEB01' }], hostSpn: 'HOST/WEB01' });
    expect(index.resolve('cifs/web01.contoso.test', 'contoso.test').via).toBe('host-alias');
    expect(index.resolve('MSSQLSvc/web01.contoso.test', 'contoso.test')).toEqual({ via: 'none', holders: [] });
    expect(index.resolve('HTTP/web02', 'contoso.test')).toEqual({ via: 'none', holders: [] });
  });

  it('uses the forest’s own sPNMappings when the snapshot has them', () => {
    const snap = snapshot({ accounts: [web01], forests: [forest({ spnMappings: ['host=cifs,rpc'] })] });
    const index = buildSpnIndex(snap);
    expect(index.resolve('HTTP/web01', 'contoso.test').via).toBe('none');
    expect(index.resolve('cifs/web01', 'contoso.test').via).toBe('host-alias');
    expect([...index.hostAliases('contoso.test')].sort()).toEqual(['cifs', 'rpc']);
  });

  it('scopes holders and mappings by forest', () => {
    const fabrikam = account({ sam: 'svc_fab', domain: 'fabrikam.test', spns: ['HTTP/intranet.contoso.test'] });
    const snap = snapshot({
      accounts: [svc, fabrikam],
      domains: [domain(), domain({ dnsName: 'fabrikam.test' })],
      forests: [forest(), forest({ rootDomain: 'fabrikam.test', spnMappings: ['host=rpc'] })],
    });
    const index = buildSpnIndex(snap);
    expect(index.holders('HTTP/intranet.contoso.test', 'contoso.test').map((h) => h.account)).toEqual([svc]);
    expect(index.holders('HTTP/intranet.contoso.test', 'fabrikam.test').map((h) => h.account)).toEqual([fabrikam]);
    expect(index.forestOf(fabrikam)).toBe('fabrikam.test');
    expect(index.hostAliases('fabrikam.test').has('http')).toBe(false);
    expect(index.hostAliases('contoso.test').has('http')).toBe(true);
  });

  it('maps a child domain to its forest root', () => {
    const child = account({ sam: 'svc_child', domain: 'eu.contoso.test', spns: ['HTTP/eu.app'] });
    const index = buildSpnIndex(snapshot({ accounts: [child], domains: [domain(), domain({ dnsName: 'eu.contoso.test', forest: 'contoso.test' })] }));
    expect(index.forestOf(child)).toBe('contoso.test');
    expect(index.holders('HTTP/eu.app', 'contoso.test').map((h) => h.account)).toEqual([child]);
  });

  it('lists an account once per SPN even when it stores two spellings', () => {
    const twice = account({ sam: 'svc_twice', spns: ['HTTP/a', 'http/A'] });
    const index = buildSpnIndex(snapshot({ accounts: [twice] }));
    expect(index.holders('HTTP/a', 'contoso.test')).toEqual([{ account: twice, spn: 'HTTP/a' }]);
  });
});

describe('duplicateEntries', () => {
  it('finds SPNs on two accounts, case-insensitively, and ignores kadmin/changepw', () => {
    const a = account({ sam: 'svc_a', spns: ['HTTP/shared.contoso.test'] });
    const b = account({ sam: 'svc_b', spns: ['http/SHARED.contoso.test'] });
    const krbtgt = account({ sam: 'krbtgt', spns: ['kadmin/changepw'] });
    const krbtgt2 = account({ sam: 'krbtgt', domain: 'eu.contoso.test', spns: ['kadmin/changepw'] });
    const snap = snapshot({ accounts: [a, b, krbtgt, krbtgt2], domains: [domain(), domain({ dnsName: 'eu.contoso.test', forest: 'contoso.test' })] });
    const dups = duplicateEntries(buildSpnIndex(snap), 'contoso.test');
    expect(dups.map(([key, holders]) => [key, holders.map((h) => h.account.sAMAccountName)])).toEqual([['http/shared.contoso.test', ['svc_a', 'svc_b']]]);
  });
});

describe('parseSpnMappings', () => {
  it('parses target=alias lists, multi-valued, ignoring junk', () => {
    const map = parseSpnMappings(['host=HTTP, www ,', 'garbage', '=x', 'other=foo']);
    expect([...map]).toEqual([
      ['http', 'host'],
      ['www', 'host'],
      ['foo', 'other'],
    ]);
  });

  it('the default list maps http, www and w3svc to host', () => {
    const map = parseSpnMappings(DEFAULT_SPN_MAPPINGS);
    expect(['http', 'www', 'w3svc', 'cifs'].map((c) => map.get(c))).toEqual(['host', 'host', 'host', 'host']);
    expect(map.size).toBe(53);
  });
});
