/**
 * The forest-scoped SPN index: who holds which SPN, and what the KDC resolves a requested SPN to.
 * SPN uniqueness, sPNMappings and the HOST alias are forest-wide (Configuration partition), so
 * every lookup names its forest.
 */
import type { Account, Snapshot } from '../model/directory.js';
import { spnKey } from './spn.js';
import type { Resolution, SpnHolder, SpnIndex } from './types.js';

/**
 * The sPNMappings value AD ships with (CN=Directory Service,CN=Windows NT,CN=Services,CN=Configuration).
 * Used for a forest whose snapshot carries no sPNMappings.
 */
export const DEFAULT_SPN_MAPPINGS: readonly string[] = [
  'host=alerter,appmgmt,cisvc,clipsrv,browser,dhcp,dnscache,replicator,eventlog,eventsystem,policyagent,oakley,dmserver,dns,mcsvc,fax,msiserver,ias,messenger,netlogon,netman,netdde,netddedsm,nmagent,plugplay,protectedstorage,rasman,rpclocator,rpc,rpcss,remoteaccess,rsvp,samss,scardsvr,scesrv,seclogon,scm,dcom,cifs,spooler,snmp,schedule,tapisrv,trksvr,trkwks,ups,time,wins,www,http,w3svc,iisadmin,msdtc',
];

/** krbtgt holds kadmin/changepw in every domain of a forest by design. */
const DUPLICATE_EXEMPT = new Set(['kadmin/changepw']);

export function isDuplicateExempt(spn: string): boolean {
  return DUPLICATE_EXEMPT.has(spnKey(spn));
}

/**
 * Parses sPNMappings values (`target=alias1,alias2,...`, multi-valued) into alias class → target
 * class, both lower-case. Malformed values are ignored, as the DC does.
 */
export function parseSpnMappings(values: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) continue;
    const target = value.slice(0, eq).trim().toLowerCase();
    if (target === '') continue;
    for (const alias of value.slice(eq + 1).split(',')) {
      const a = alias.trim().toLowerCase();
      if (a !== '' && !map.has(a)) map.set(a, target);
    }
  }
  return map;
}

/** One holder, or several: nearly every SPN has exactly one, and a million one-element arrays cost ~100 MB. */
type Held = SpnHolder | SpnHolder[];

const holderList = (held: Held | undefined): SpnHolder[] => (held === undefined ? [] : Array.isArray(held) ? [...held] : [held]);

interface ForestData {
  /** key → holders (one per account, first stored spelling kept). */
  spns: Map<string, Held>;
  aliases: Map<string, string>;
  hostAliases: ReadonlySet<string>;
}

export function buildSpnIndex(snapshot: Snapshot): SpnIndex {
  const domainForest = new Map<string, string>();
  for (const d of snapshot.domains) domainForest.set(d.dnsName.toLowerCase(), d.forest.toLowerCase());

  const forestOfDomain = (domain: string): string => domainForest.get(domain.toLowerCase()) ?? domain.toLowerCase();
  const forestOf = (account: Account): string => forestOfDomain(account.domain);

  const forests = new Map<string, ForestData>();
  const dataFor = (forest: string): ForestData => {
    const key = forest.toLowerCase();
    let data = forests.get(key);
    if (!data) {
      const stored = snapshot.forests.find((f) => f.rootDomain.toLowerCase() === key);
      const mappings = stored && stored.spnMappings.length > 0 ? stored.spnMappings : DEFAULT_SPN_MAPPINGS;
      const aliases = parseSpnMappings(mappings);
      const hostAliases = new Set([...aliases].filter(([, target]) => target === 'host').map(([alias]) => alias));
      data = { spns: new Map(), aliases, hostAliases };
      forests.set(key, data);
    }
    return data;
  };

  for (const account of snapshot.accounts) {
    const data = dataFor(forestOf(account));
    for (const spn of account.servicePrincipalNames) {
      const key = spnKey(spn);
      const held = data.spns.get(key);
      if (held === undefined) data.spns.set(key, { account, spn });
      else if (!Array.isArray(held)) {
        if (held.account !== account) data.spns.set(key, [held, { account, spn }]);
      } else if (!held.some((h) => h.account === account)) held.push({ account, spn });
    }
  }

  const holders = (spn: string, forest: string): SpnHolder[] => holderList(dataFor(forest).spns.get(spnKey(spn)));

  const resolve = (spn: string, forest: string): Resolution => {
    const explicit = holders(spn, forest);
    if (explicit.length > 0) return { via: 'explicit', holders: explicit };
    const slash = spn.indexOf('/');
    if (slash > 0) {
      const target = dataFor(forest).aliases.get(spn.slice(0, slash).toLowerCase());
      if (target !== undefined) {
        const mapped = `${target}${spn.slice(slash)}`;
        const viaAlias = holders(mapped, forest);
        if (viaAlias.length > 0) return { via: 'host-alias', holders: viaAlias, hostSpn: viaAlias[0]?.spn ?? mapped };
      }
    }
    return { via: 'none', holders: [] };
  };

  return {
    holders,
    resolve,
    entries: function* (forest) {
      // Lazily, one copy per entry: callers filter millions of entries and keep a few.
      for (const [key, held] of dataFor(forest).spns) yield [key, holderList(held)];
    },
    hostAliases: (forest) => dataFor(forest).hostAliases,
    forestOf,
  };
}

/** SPN keys held by two or more accounts in the forest, kadmin/changepw excluded. Sorted by key. */
export function duplicateEntries(index: SpnIndex, forest: string): Array<[string, SpnHolder[]]> {
  return [...index.entries(forest)]
    .filter(([key, h]) => h.length > 1 && !isDuplicateExempt(key))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
