import { beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Entry } from 'ldapts';
import { collect } from '../../../src/directory/collector.js';
import type { LdapSession, SearchRequest } from '../../../src/directory/connection.js';
import { loadQueries } from '../../../src/directory/queries.js';
import { inRange, rangeFilter, usnRanges, type UsnRange } from '../../../src/directory/usn-split.js';
import { FakeSession, guidBytes, sidBytes } from './fake-session.js';

describe('usnRanges', () => {
  it('puts every USN, and an object without one, in exactly one range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5_000_000 }), fc.integer({ min: 1, max: 64 }), fc.option(fc.integer({ min: 0, max: 6_000_000 })), (highest, parts, usn) => {
        const ranges = usnRanges(highest, parts);
        expect(ranges.filter((r) => inRange(usn, r))).toHaveLength(1);
      }),
      { numRuns: 5000 },
    );
  });

  it('cuts evenly, leaves the last range open for objects created during the run, and never returns an empty list', () => {
    expect(usnRanges(100, 4)).toEqual([
      { above: null, upTo: 25 },
      { above: 25, upTo: 50 },
      { above: 50, upTo: 75 },
      { above: 75, upTo: null },
    ]);
    expect(usnRanges(0, 8)).toEqual([{ above: null, upTo: null }]);
    expect(usnRanges(3, 8)).toHaveLength(3);
    expect(() => usnRanges(-1, 2)).toThrow(/not a USN/);
  });

  it('writes each range as the base filter AND the bounds, in the negation form', () => {
    const f = '(servicePrincipalName=*)';
    expect(rangeFilter(f, 'uSNCreated', { above: null, upTo: 25 })).toBe('(&(servicePrincipalName=*)(uSNCreated<=25))');
    expect(rangeFilter(f, 'uSNCreated', { above: 25, upTo: 50 })).toBe('(&(servicePrincipalName=*)(!(uSNCreated<=25))(uSNCreated<=50))');
    expect(rangeFilter(f, 'uSNCreated', { above: 75, upTo: null })).toBe('(&(servicePrincipalName=*)(!(uSNCreated<=75)))');
    expect(rangeFilter(f, 'uSNCreated', { above: null, upTo: null })).toBe(f);
  });
});

// ---- the collector running a split search over several fake connections to one "DC" ----

const DOMAIN_DN = 'DC=contoso,DC=test';
const CONFIG = 'CN=Configuration,DC=contoso,DC=test';
const DC1 = `CN=NTDS Settings,CN=DC1,CN=Servers,CN=Default-First-Site-Name,CN=Sites,${CONFIG}`;
const DC2 = DC1.replace('DC1', 'DC2');
const queries = await loadQueries();
const source = { url: 'ldap://fake.example', baseDn: '', bindIdentity: 'admin@contoso.test', globalCatalog: false, tls: 'none' as const };
const now = () => new Date('2026-11-22T00:00:00Z');

/** 200 holders with uSNCreated spread over 30..5970 (one without the attribute), highestCommittedUSN 6000. */
function holder(n: number): { entry: Entry; usn: number | null } {
  const sam = `svc_${n}`;
  const entry: Entry = {
    dn: `CN=${sam},CN=Users,${DOMAIN_DN}`,
    objectGUID: guidBytes(`00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`),
    objectSid: sidBytes(`S-1-5-21-1-2-3-${1100 + n}`),
    sAMAccountName: sam,
    objectClass: ['top', 'person', 'organizationalPerson', 'user'],
    userAccountControl: '512',
    servicePrincipalName: `HTTP/app${n}.contoso.test`,
  };
  return { entry, usn: n === 0 ? null : 30 * n };
}
const HOLDERS = Array.from({ length: 200 }, (_, n) => holder(n));

/** Evaluates the range terms rangeFilter writes, the way AD does (a missing attribute fails <=). */
function matchesRange(filter: string, usn: number | null): boolean {
  const above = /\(!\(uSNCreated<=(\d+)\)\)/.exec(filter);
  const upTo = /\(uSNCreated<=(\d+)\)/.exec(filter.replace(/\(!\(uSNCreated<=\d+\)\)/, ''));
  const range: UsnRange = { above: above ? Number(above[1]) : null, upTo: upTo ? Number(upTo[1]) : null };
  return inRange(usn, range);
}

/** How often each holder was sent, over every fake connection of a test. */
const sent = new Map<string, number>();

function dc(service: string | null, opts: { failRange?: number; failAll?: boolean; highest?: string } = {}) {
  return (req: SearchRequest): Entry[][] | Error => {
    if (req.base === '' && req.scope === 'base') {
      return [[{
        dn: '', defaultNamingContext: DOMAIN_DN, configurationNamingContext: CONFIG, rootDomainNamingContext: DOMAIN_DN, domainFunctionality: '7',
        ...(service ? { dsServiceName: service, highestCommittedUSN: opts.highest ?? '6000' } : {}),
      }]];
    }
    if (req.base.startsWith('CN=Directory Service')) return [[{ dn: req.base, sPNMappings: 'host=http' }]];
    if (req.base.startsWith('CN=Partitions')) return [[{ dn: `CN=CONTOSO,${req.base}`, nCName: DOMAIN_DN, dnsRoot: 'contoso.test', nETBIOSName: 'CONTOSO' }]];
    if (req.base === DOMAIN_DN && req.scope === 'base') return [[{ dn: DOMAIN_DN, objectSid: sidBytes('S-1-5-21-1-2-3') }]];
    if (req.filter.includes('objectSid=') || req.filter.includes('(memberOf=')) return [[]];
    if (req.filter.startsWith('(&(servicePrincipalName=*)') || req.filter === '(servicePrincipalName=*)') {
      if (opts.failAll || (opts.failRange !== undefined && req.filter.includes(`(!(uSNCreated<=${opts.failRange}))`))) return new Error('socket closed');
      const hits = HOLDERS.filter((h) => matchesRange(req.filter, h.usn)).map((h) => h.entry);
      for (const h of hits) sent.set(h.dn, (sent.get(h.dn) ?? 0) + 1);
      // Two pages, like a paged search over a real DC.
      return [hits.slice(0, 30), hits.slice(30)];
    }
    return new Error(`unexpected request ${JSON.stringify(req)}`);
  };
}

const holderSearches = (s: FakeSession) => s.requests.filter((r) => r.filter.includes('servicePrincipalName=*')).map((r) => r.filter);

describe('collect with --parallel', () => {
  beforeEach(() => sent.clear());

  it('reads every holder exactly once over several connections to the same DC, and closes the extra ones', async () => {
    const main = new FakeSession(dc(DC1));
    const peers: FakeSession[] = [];
    const openPeer = async (url: string): Promise<LdapSession> => {
      expect(url).toBe(main.url);
      const p = new FakeSession(dc(DC1));
      peers.push(p);
      return p;
    };
    const snap = await collect({ session: main, queries, source, now, parallel: 3, openPeer });
    expect(snap.complete).toBe(true);
    expect(snap.accounts).toHaveLength(200);
    const all = [main, ...peers].flatMap(holderSearches);
    // 3 connections × 4 ranges, each sent once, and no unsplit search.
    expect(all).toHaveLength(12);
    expect(new Set(all).size).toBe(12);
    expect(all).not.toContain('(servicePrincipalName=*)');
    expect(peers).toHaveLength(2);
    for (const s of [main, ...peers]) expect(holderSearches(s).length).toBeGreaterThan(0);
    expect(peers.every((p) => p.closed)).toBe(true);
    expect(main.closed).toBe(false);
    // Each holder was sent by the DC exactly once (accounts merge by GUID, so count at the source).
    expect(sent.size).toBe(200);
    expect([...sent.values()].every((n) => n === 1)).toBe(true);
    // Same accounts, same order, as one search on one connection.
    const single = await collect({ session: new FakeSession(dc(DC1)), queries, source, now, parallel: 1 });
    expect(snap.accounts).toEqual(single.accounts);
  });

  it('does not use a connection that reached another DC (uSNCreated is per DC) and says so', async () => {
    const notices: string[] = [];
    const other = new FakeSession(dc(DC2));
    const snap = await collect({ session: new FakeSession(dc(DC1)), queries, source, now, parallel: 2, openPeer: async () => other, onNotice: (m) => notices.push(m) });
    expect(snap.complete).toBe(true);
    expect(snap.accounts).toHaveLength(200);
    expect(holderSearches(other)).toEqual([]);
    expect(other.closed).toBe(true);
    expect(notices).toEqual([`spn-holders: 1 of 1 extra connection(s) to ldap://fake.example not used (it reached ${DC2} instead of ${DC1}); read on 1`]);
  });

  it('goes on with the connections it has when an extra one cannot be opened', async () => {
    const notices: string[] = [];
    const main = new FakeSession(dc(DC1));
    let calls = 0;
    const opened: FakeSession[] = [];
    const openPeer = async (): Promise<LdapSession> => {
      calls += 1;
      if (calls === 1) throw new Error('connect ECONNREFUSED 127.0.0.1:389');
      const p = new FakeSession(dc(DC1));
      opened.push(p);
      return p;
    };
    const snap = await collect({ session: main, queries, source, now, parallel: 3, openPeer, onNotice: (m) => notices.push(m) });
    expect(snap.complete).toBe(true);
    expect(snap.accounts).toHaveLength(200);
    expect(opened.map((p) => p.closed)).toEqual([true]);
    expect(notices).toEqual(['spn-holders: 1 of 2 extra connection(s) to ldap://fake.example not used (connect ECONNREFUSED 127.0.0.1:389); read on 2']);
  });

  it('sends one search when the DC does not give its name and highest USN', async () => {
    const main = new FakeSession(dc(null));
    const opened: string[] = [];
    const snap = await collect({ session: main, queries, source, now, parallel: 4, openPeer: async (u) => (opened.push(u), new FakeSession(dc(null))) });
    expect(snap.accounts).toHaveLength(200);
    expect(holderSearches(main)).toEqual(['(servicePrincipalName=*)']);
    expect(opened).toEqual([]);
  });

  it('marks the snapshot incomplete, naming the range, when one part fails; the other connection reads the rest', async () => {
    // 8 ranges of 750 USNs; the one above 3000 fails: its 25 holders (USN 3030..3750) are missing.
    const main = new FakeSession(dc(DC1, { failRange: 3000 }));
    const peer = new FakeSession(dc(DC1, { failRange: 3000 }));
    const snap = await collect({ session: main, queries, source, now, parallel: 2, openPeer: async () => peer });
    expect(snap.complete).toBe(false);
    expect(snap.errors).toEqual([{ where: `spn-holders (${DOMAIN_DN}) uSNCreated >3000 <=3750 on ldap://fake.example`, message: 'socket closed' }]);
    expect(snap.accounts).toHaveLength(200 - 25);
    // The connection whose range failed took no other range after it.
    const [failedOn] = [main, peer].filter((x) => holderSearches(x).some((f) => f.includes('(!(uSNCreated<=3000))')));
    expect(holderSearches(failedOn!).at(-1)).toContain('(!(uSNCreated<=3000))');
  });

  it('records the ranges nobody read when every connection failed', async () => {
    const main = new FakeSession(dc(DC1, { failAll: true }));
    const snap = await collect({ session: main, queries, source, now, parallel: 2, openPeer: async () => new FakeSession(dc(DC1, { failAll: true })) });
    expect(snap.complete).toBe(false);
    expect(snap.accounts).toEqual([]);
    // Two ranges failed (one per connection); the other six are named as not read.
    expect(snap.errors.map((e) => e.message)).toEqual([
      'socket closed',
      'socket closed',
      '6 uSNCreated range(s) not read (uSNCreated >3750 <=4500, uSNCreated >3000 <=3750, uSNCreated >2250 <=3000, uSNCreated >1500 <=2250, uSNCreated >750 <=1500, uSNCreated <=750): every connection failed before them',
    ]);
  });
});
