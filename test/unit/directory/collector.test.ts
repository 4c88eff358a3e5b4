import { describe, expect, it } from 'vitest';
import type { Entry } from 'ldapts';
import { SizeLimitExceededError } from 'ldapts';
import { collect, parseIdentities } from '../../../src/directory/collector.js';
import type { SearchRequest } from '../../../src/directory/connection.js';
import { loadQueries } from '../../../src/directory/queries.js';
import { ConnectionError } from '../../../src/errors.js';
import { FakeSession, guidBytes, sidBytes } from './fake-session.js';

const DOMAIN_DN = 'DC=contoso,DC=test';
const CONFIG = 'CN=Configuration,DC=contoso,DC=test';
const DOMAIN_SID = 'S-1-5-21-1-2-3';
const queries = await loadQueries();

const TIER0 = `CN=Tier0 Ops,OU=Groups,${DOMAIN_DN}`;
const guid = (n: number) => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;

function account(n: number, sam: string, extra: Record<string, Entry[string]> = {}): Entry {
  return {
    dn: `CN=${sam},CN=Users,${DOMAIN_DN}`,
    objectGUID: guidBytes(guid(n)),
    objectSid: sidBytes(`${DOMAIN_SID}-${1100 + n}`),
    sAMAccountName: sam,
    objectClass: ['top', 'person', 'organizationalPerson', 'user'],
    userAccountControl: '512',
    pwdLastSet: '133000000000000000',
    accountExpires: '9223372036854775807',
    whenCreated: '20240101000000.0Z',
    ...extra,
  };
}

const bigSpns = Array.from({ length: 4000 }, (_, i) => `HTTP/big-${i}.contoso.test`);

interface Script {
  holders?: Entry[][] | Error;
  failRootDse?: boolean;
}

function adLike(script: Script = {}) {
  return (req: SearchRequest): Entry[][] | Error => {
    if (req.base === '' && req.scope === 'base') {
      return script.failRootDse
        ? [[{ dn: '', namingContexts: ['o=example'] }]]
        : [[{ dn: '', defaultNamingContext: DOMAIN_DN, configurationNamingContext: CONFIG, rootDomainNamingContext: DOMAIN_DN, domainFunctionality: '7' }]];
    }
    if (req.base.startsWith('CN=Directory Service')) return [[{ dn: req.base, sPNMappings: 'host=alerter,http,www', dSHeuristics: [] }]];
    if (req.base.startsWith('CN=Partitions')) return [[{ dn: `CN=CONTOSO,${req.base}`, nCName: DOMAIN_DN, dnsRoot: 'contoso.test', nETBIOSName: 'CONTOSO' }]];
    if (req.base === DOMAIN_DN && req.scope === 'base') return [[{ dn: DOMAIN_DN, objectSid: sidBytes(DOMAIN_SID), 'msDS-Behavior-Version': '7' }]];
    if (req.filter.includes('objectSid=')) {
      return [[
        { dn: `CN=Domain Admins,CN=Users,${DOMAIN_DN}`, objectSid: sidBytes(`${DOMAIN_SID}-512`), whenCreated: '20100101000000.0Z' },
        { dn: `CN=Read-only Domain Controllers,CN=Users,${DOMAIN_DN}`, objectSid: sidBytes(`${DOMAIN_SID}-521`), whenCreated: '20120304050607.0Z' },
      ]];
    }
    if (req.filter === '(servicePrincipalName=*)') {
      return script.holders ?? [
        [
          account(1, 'svc_web', { servicePrincipalName: ['HTTP/web.contoso.test', 'HTTP/web'], 'msDS-SupportedEncryptionTypes': '24', memberOf: TIER0 }),
          account(2, 'svc_big', { servicePrincipalName: [], 'servicePrincipalName;range=0-1499': bigSpns.slice(0, 1500) }),
        ],
        [account(3, 'WEB01$', { objectClass: ['top', 'computer'], servicePrincipalName: 'HOST/WEB01', primaryGroupID: '515' })],
      ];
    }
    if (req.scope === 'base' && req.attributes[0] === 'servicePrincipalName;range=1500-*') {
      return [[{ dn: req.base, 'servicePrincipalName;range=1500-2999': bigSpns.slice(1500, 3000) }]];
    }
    if (req.scope === 'base' && req.attributes[0] === 'servicePrincipalName;range=3000-*') {
      return [[{ dn: req.base, 'servicePrincipalName;range=3000-*': bigSpns.slice(3000) }]];
    }
    if (req.filter.includes('sAMAccountName=')) return [[account(4, 'svc_pool')]];
    // Domain Admins contains Tier0 Ops, which contains nothing further.
    if (req.filter === `(&(objectClass=group)(memberOf=CN=Domain Admins,CN=Users,${DOMAIN_DN}))`) return [[{ dn: TIER0, objectGUID: guidBytes(guid(50)) }]];
    if (req.filter.includes('(memberOf=')) return [[]];
    return new Error(`unexpected request ${JSON.stringify(req)}`);
  };
}

const source = { url: 'ldap://fake.example', baseDn: '', bindIdentity: 'admin@contoso.test', globalCatalog: false, tls: 'none' as const };
const now = () => new Date('2026-11-22T00:00:00Z');

describe('collect', () => {
  it('reads forest settings, the domain and every SPN holder, completing AD range retrieval', async () => {
    const session = new FakeSession(adLike());
    const snap = await collect({ session, queries, source, identities: ['CONTOSO\\svc_pool'], now });
    expect(snap.complete).toBe(true);
    expect(snap.errors).toEqual([]);
    expect(snap.forests).toEqual([
      { rootDomain: 'contoso.test', configurationDn: CONFIG, spnMappings: ['host=alerter,http,www'], dsHeuristics: null },
    ]);
    expect(snap.domains).toEqual([
      { dnsName: 'contoso.test', netbiosName: 'CONTOSO', dn: DOMAIN_DN, sid: DOMAIN_SID, forest: 'contoso.test', functionalLevel: 7, rodcGroupCreated: '2012-03-04T05:06:07.000Z' },
    ]);
    expect(snap.accounts.map((a) => a.sAMAccountName)).toEqual(['svc_big', 'svc_pool', 'svc_web', 'WEB01$']);
    const big = snap.accounts.find((a) => a.sAMAccountName === 'svc_big')!;
    expect(big.servicePrincipalNames).toEqual(bigSpns);
    const web = snap.accounts.find((a) => a.sAMAccountName === 'svc_web')!;
    expect(web).toMatchObject({ kind: 'user', objectGuid: guid(1), objectSid: `${DOMAIN_SID}-1101`, supportedEncryptionTypes: 24, privileged: true, domain: 'contoso.test' });
    expect(snap.accounts.find((a) => a.sAMAccountName === 'WEB01$')).toMatchObject({ kind: 'computer', servicePrincipalNames: ['HOST/WEB01'], privileged: false });
    const rangeRequests = session.requests.filter((r) => r.attributes[0]?.includes(';range='));
    expect(rangeRequests.map((r) => [r.base, r.attributes[0]])).toEqual([
      [`CN=svc_big,CN=Users,${DOMAIN_DN}`, 'servicePrincipalName;range=1500-*'],
      [`CN=svc_big,CN=Users,${DOMAIN_DN}`, 'servicePrincipalName;range=3000-*'],
    ]);
  });

  it('marks members of groups nested in a privileged group as privileged, following the nesting', async () => {
    const session = new FakeSession(adLike());
    await collect({ session, queries, source, now });
    const nested = session.requests.filter((r) => r.filter.includes('(memberOf=')).map((r) => r.filter);
    expect(nested).toEqual([
      `(&(objectClass=group)(memberOf=CN=Domain Admins,CN=Users,${DOMAIN_DN}))`,
      `(&(objectClass=group)(memberOf=CN=Tier0 Ops,OU=Groups,${DOMAIN_DN}))`,
    ]);
  });

  it('never sends anything but searches through the session, with escaped identity filters', async () => {
    const session = new FakeSession(adLike());
    await collect({ session, queries, source, identities: ['CONTOSO\\*)(objectClass=*'], now });
    const byName = session.requests.find((r) => r.filter.includes('sAMAccountName='))!;
    expect(byName.filter).toBe('(sAMAccountName=\\2a\\29\\28objectClass=\\2a)');
  });

  it('keeps what it read but says incomplete when paging dies midway', async () => {
    const session = new FakeSession(adLike({ holders: new Error('socket closed') }));
    const snap = await collect({ session, queries, source, now });
    expect(snap.complete).toBe(false);
    expect(snap.errors).toEqual([{ where: `spn-holders (${DOMAIN_DN}) on ldap://fake.example`, message: 'socket closed' }]);
  });

  it('reports a server size limit as incomplete with the LDAP code', async () => {
    const session = new FakeSession(adLike({ holders: new SizeLimitExceededError('Size limit exceeded') }));
    const snap = await collect({ session, queries, source, now });
    expect(snap.complete).toBe(false);
    expect(snap.errors[0]).toMatchObject({ code: 4 });
  });

  it('names the entry it could not decode and marks the snapshot incomplete', async () => {
    const broken = { ...account(9, 'svc_broken', { servicePrincipalName: 'HTTP/x' }) };
    delete (broken as Record<string, unknown>).objectGUID;
    const session = new FakeSession(adLike({ holders: [[broken, account(1, 'svc_web', { servicePrincipalName: 'HTTP/web' })]] }));
    const snap = await collect({ session, queries, source, now });
    expect(snap.complete).toBe(false);
    expect(snap.errors).toEqual([{ where: `spn-holders: CN=svc_broken,CN=Users,${DOMAIN_DN}`, message: 'objectGUID missing' }]);
    expect(snap.accounts.map((a) => a.sAMAccountName)).toEqual(['svc_web']);
  });

  it('refuses a server that is not Active Directory', async () => {
    const session = new FakeSession(adLike({ failRootDse: true }));
    await expect(collect({ session, queries, source, now })).rejects.toThrow(ConnectionError);
    await expect(collect({ session, queries, source, now })).rejects.toThrow(/does not look like Active Directory/);
  });
});

describe('parseIdentities', () => {
  const partitions = [{ dn: DOMAIN_DN, dnsName: 'contoso.test', netbiosName: 'CONTOSO' }];
  it.each([
    ['CONTOSO\\svc_web', { sam: 'svc_web', domain: 'contoso.test', domainHint: null }],
    ['contoso\\gmsa_apps$', { sam: 'gmsa_apps$', domain: 'contoso.test', domainHint: null }],
    ['svc_hr@contoso.test', { sam: 'svc_hr', domain: 'contoso.test', domainHint: null }],
    ['svc_x@other.test', { sam: 'svc_x', domain: null, domainHint: null }],
    ['FABRIKAM\\svc', { sam: 'svc', domain: null, domainHint: 'FABRIKAM' }],
    ['plain', { sam: 'plain', domain: null, domainHint: null }],
  ])('%s', (name, expected) => {
    expect(parseIdentities([name], partitions)[0]).toMatchObject(expected);
  });
  it('skips machine-local accounts', () => {
    expect(parseIdentities(['.\\localuser', '  '], partitions)).toEqual([]);
  });
});
