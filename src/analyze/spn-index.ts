/**
 * The forest-scoped SPN index: who holds which SPN, and what the KDC resolves a requested SPN to.
 * SPN uniqueness, sPNMappings and the HOST alias are forest-wide (Configuration partition), so
 * every lookup names its forest.
 */
import type { Account, Snapshot } from '../model/directory.js';
import { foldHash, FoldTable } from './fold-table.js';
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

interface ForestData {
  /** Distinct SPN keys of the forest (case-insensitive), first stored spelling kept. */
  keys: FoldTable;
  /** Per key id: the holder's position in snapshot.accounts, or -(n + 1) for several holders (multi[n]). */
  owner: Int32Array;
  /** Keys held by two or more accounts: each holder with its own spelling, in snapshot order. */
  multi: SpnHolder[][];
  aliases: Map<string, string>;
  hostAliases: ReadonlySet<string>;
}

export function buildSpnIndex(snapshot: Snapshot): SpnIndex {
  const domainForest = new Map<string, string>();
  for (const d of snapshot.domains) domainForest.set(d.dnsName.toLowerCase(), d.forest.toLowerCase());

  const forestOfDomain = (domain: string): string => domainForest.get(domain.toLowerCase()) ?? domain.toLowerCase();
  const forestOf = (account: Account): string => forestOfDomain(account.domain);

  const accounts = snapshot.accounts;
  const forests = new Map<string, ForestData>();
  const dataFor = (forest: string): ForestData => {
    const key = forest.toLowerCase();
    let data = forests.get(key);
    if (!data) {
      const stored = snapshot.forests.find((f) => f.rootDomain.toLowerCase() === key);
      const mappings = stored && stored.spnMappings.length > 0 ? stored.spnMappings : DEFAULT_SPN_MAPPINGS;
      const aliases = parseSpnMappings(mappings);
      const hostAliases = new Set([...aliases].filter(([, target]) => target === 'host').map(([alias]) => alias));
      // Sized for the SPNs of the forest's accounts (none for a forest only looked up).
      const expected = spnsByForest.get(key) ?? 0;
      data = { keys: new FoldTable(expected), owner: new Int32Array(Math.max(1024, expected)), multi: [], aliases, hostAliases };
      forests.set(key, data);
    }
    return data;
  };

  let spnCount = 0;
  const spnsByForest = new Map<string, number>();
  for (const account of accounts) {
    const n = account.servicePrincipalNames.length;
    if (n === 0) continue;
    spnCount += n;
    const forest = forestOf(account);
    spnsByForest.set(forest, (spnsByForest.get(forest) ?? 0) + n);
  }
  // Two passes over the same values in the same order: hashes first, then the inserts (see internHashed).
  const hashes = new Int32Array(spnCount);
  let k = 0;
  for (const account of accounts) for (const spn of account.servicePrincipalNames) hashes[k++] = foldHash(spn);
  k = 0;
  let lastDomain: string | null = null;
  let data: ForestData | null = null;
  for (let i = 0; i < accounts.length; i += 1) {
    const account = accounts[i]!;
    if (account.domain !== lastDomain || data === null) {
      lastDomain = account.domain;
      data = dataFor(forestOfDomain(account.domain));
    }
    for (const spn of account.servicePrincipalNames) {
      const before = data.keys.size;
      const id = data.keys.internHashed(spn, hashes[k++]!);
      if (id === before) {
        // Sized for every SPN counted for this forest above: a forest has no more keys than that.
        data.owner[id] = i;
        continue;
      }
      const owner = data.owner[id]!;
      if (owner === i) continue;
      if (owner >= 0) {
        data.multi.push([{ account: accounts[owner]!, spn: data.keys.spelling(id) }, { account, spn }]);
        data.owner[id] = -data.multi.length;
      } else {
        const list = data.multi[-owner - 1]!;
        if (!list.some((h) => h.account === account)) list.push({ account, spn });
      }
    }
  }

  const holdersOf = (forest: ForestData, id: number): SpnHolder[] => {
    if (id < 0) return [];
    const owner = forest.owner[id]!;
    return owner >= 0 ? [{ account: accounts[owner]!, spn: forest.keys.spelling(id) }] : [...forest.multi[-owner - 1]!];
  };
  const holders = (spn: string, forest: string): SpnHolder[] => {
    const f = dataFor(forest);
    return holdersOf(f, f.keys.find(spn));
  };
  const isHeld = (spn: string, forest: string): boolean => dataFor(forest).keys.find(spn) >= 0;

  /** The SPN the KDC tries when nobody holds `spn` (HOST/x for an sPNMappings alias class), or null. */
  const aliasTarget = (f: ForestData, spn: string): string | null => {
    const slash = spn.indexOf('/');
    const target = slash > 0 ? f.aliases.get(spn.slice(0, slash).toLowerCase()) : undefined;
    return target === undefined ? null : `${target}${spn.slice(slash)}`;
  };

  const resolvesOnlyTo = (spn: string, forest: string, account: Account): boolean => {
    const f = dataFor(forest);
    let id = f.keys.find(spn);
    if (id < 0) {
      const mapped = aliasTarget(f, spn);
      id = mapped === null ? -1 : f.keys.find(mapped);
      if (id < 0) return false;
    }
    const owner = f.owner[id]!;
    return owner >= 0 && accounts[owner] === account;
  };
  const holdsId = (f: ForestData, id: number, account: Account): boolean => {
    const owner = f.owner[id]!;
    return owner >= 0 ? accounts[owner] === account : f.multi[-owner - 1]!.some((h) => h.account === account);
  };
  const heldOutside = (spn: string, other: string, forest: string): boolean => {
    const f = dataFor(forest);
    const id = f.keys.find(spn);
    if (id < 0) return false;
    const otherId = f.keys.find(other);
    if (otherId < 0) return true;
    const owner = f.owner[id]!;
    if (owner >= 0) return !holdsId(f, otherId, accounts[owner]!);
    return f.multi[-owner - 1]!.some((h) => !holdsId(f, otherId, h.account));
  };
  const holderCount = (spn: string, forest: string): number => {
    const f = dataFor(forest);
    const id = f.keys.find(spn);
    if (id < 0) return 0;
    const owner = f.owner[id]!;
    return owner >= 0 ? 1 : f.multi[-owner - 1]!.length;
  };

  const resolve = (spn: string, forest: string): Resolution => {
    const explicit = holders(spn, forest);
    if (explicit.length > 0) return { via: 'explicit', holders: explicit };
    const mapped = aliasTarget(dataFor(forest), spn);
    if (mapped !== null) {
      const viaAlias = holders(mapped, forest);
      if (viaAlias.length > 0) return { via: 'host-alias', holders: viaAlias, hostSpn: viaAlias[0]?.spn ?? mapped };
    }
    return { via: 'none', holders: [] };
  };

  return {
    holders,
    isHeld,
    holderCount,
    heldOutside,
    resolvesOnlyTo,
    resolve,
    spellings: (forest) => dataFor(forest).keys.spellings,
    duplicates: function* (forest) {
      const f = dataFor(forest);
      for (const list of f.multi) yield [spnKey(list[0]!.spn), [...list]];
    },
    hostAliases: (forest) => dataFor(forest).hostAliases,
    forestOf,
  };
}

/** SPN keys held by two or more accounts in the forest, kadmin/changepw excluded. Sorted by key. */
export function duplicateEntries(index: SpnIndex, forest: string): Array<[string, SpnHolder[]]> {
  return [...index.duplicates(forest)]
    .filter(([key]) => !isDuplicateExempt(key))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
