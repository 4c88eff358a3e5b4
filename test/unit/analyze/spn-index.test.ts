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

describe('allocation-free lookups agree with holders() and resolve()', () => {
  const other = account({ sam: 'svc_other', spns: ['http/intranet.contoso.test', 'HTTP/shared'] });
  const shared = account({ sam: 'svc_shared', spns: ['HTTP/SHARED'] });
  const index = buildSpnIndex(snapshot({ accounts: [web01, svc, other, shared] }));
  const cases = ['HTTP/intranet.contoso.test', 'HTTP/web01', 'HTTP/WEB01.contoso.test', 'HOST/web01', 'http/shared', 'HTTP/nobody', 'MSSQLSvc/web01', 'nonsense'];

  it('isHeld / holderCount', () => {
    for (const spn of cases) {
      expect(index.holderCount(spn, 'contoso.test')).toBe(index.holders(spn, 'contoso.test').length);
      expect(index.isHeld(spn, 'contoso.test')).toBe(index.holders(spn, 'contoso.test').length > 0);
    }
    expect(index.holderCount('HTTP/Intranet.contoso.test', 'contoso.test')).toBe(2);
  });

  it('heldOutside: some holder of the first SPN does not hold the second', () => {
    const both = account({ sam: 'svc_both', spns: ['HOST/both', 'HTTP/both', 'HOST/pair', 'HTTP/pair'] });
    const pairToo = account({ sam: 'svc_pair', spns: ['host/PAIR'] });
    const idx = buildSpnIndex(snapshot({ accounts: [web01, svc, other, shared, both, pairToo] }));
    const spns = [...cases, 'HOST/both', 'HTTP/both', 'HOST/pair', 'HTTP/pair', 'HTTP/web01.contoso.test'];
    for (const spn of spns) {
      for (const otherSpn of spns) {
        const holdersOfOther = new Set(idx.holders(otherSpn, 'contoso.test').map((h) => h.account));
        const expected = idx.holders(spn, 'contoso.test').some((h) => !holdersOfOther.has(h.account));
        expect(idx.heldOutside(spn, otherSpn, 'contoso.test'), `${spn} outside ${otherSpn}`).toBe(expected);
      }
    }
    // Single holders on both sides, multi on one side, multi on both sides: each shape once by name.
    expect(idx.heldOutside('HOST/both', 'HTTP/both', 'contoso.test')).toBe(false);
    expect(idx.heldOutside('HOST/web01', 'HTTP/intranet.contoso.test', 'contoso.test')).toBe(true);
    expect(idx.heldOutside('HOST/pair', 'HTTP/pair', 'contoso.test')).toBe(true);
    expect(idx.heldOutside('http/shared', 'HTTP/SHARED', 'contoso.test')).toBe(false);
  });

  it('resolvesOnlyTo', () => {
    for (const spn of cases) {
      for (const a of [web01, svc, other, shared]) {
        const r = index.resolve(spn, 'contoso.test');
        expect(index.resolvesOnlyTo(spn, 'contoso.test', a)).toBe(r.holders.length === 1 && r.holders[0]?.account === a);
      }
    }
    expect(index.resolvesOnlyTo('HTTP/web01', 'contoso.test', web01)).toBe(true);
    expect(index.resolvesOnlyTo('HTTP/intranet.contoso.test', 'contoso.test', svc)).toBe(false);
  });

  it('spellings lists each key once, as first stored; duplicates lists the shared keys', () => {
    expect(index.spellings('contoso.test').filter((s) => s.toLowerCase() === 'http/shared')).toEqual(['HTTP/shared']);
    expect([...index.duplicates('contoso.test')].map(([key, h]) => [key, h.map((x) => x.account.sAMAccountName)])).toEqual([
      ['http/intranet.contoso.test', ['svc_web', 'svc_other']],
      ['http/shared', ['svc_other', 'svc_shared']],
    ]);
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
