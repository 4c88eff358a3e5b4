/**
 * The collection run: RootDSE → forest settings and domains → SPN holders (paged, range-complete)
 * → pool identities by name → privileged membership. Any query that fails is recorded and makes the
 * snapshot incomplete; nothing is guessed and nothing is silently dropped.
 */
import pLimit from 'p-limit';
import type { Account, CollectionError, Domain, Forest, Snapshot, SnapshotSource } from '../model/directory.js';
import { SNAPSHOT_SCHEMA_VERSION } from '../model/directory.js';
import { ConnectionError, oneLine } from '../errors.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { inAccountOrder } from '../model/account-order.js';
import { entryToAccount } from './account.js';
import type { LdapSession, SearchRequest } from './connection.js';
import type { LdapEntry } from './entry.js';
import { buildFilters, resolveBase, type NamingContexts, type QueryDef, type QuerySet } from './queries.js';
import { describeRange, rangeFilter, usnRanges } from './usn-split.js';
import { dnToDnsName, generalizedTimeToIso, sidToString } from './values.js';

export interface CollectOptions {
  /** Bound session to the server given by --url (a DC, or a GC with --gc). */
  session: LdapSession;
  source: SnapshotSource;
  queries: QuerySet;
  /** Base DN override (--base-dn); default: the domain's naming context. */
  baseDn?: string | undefined;
  /** App pool identity names to look up even without SPNs (DOMAIN\user, user@dns, name$). */
  identities?: readonly string[];
  /** --gc: opens a session to a DC of each domain for attributes the GC does not carry. */
  domainSession?: (domain: { dnsName: string; dn: string }) => Promise<LdapSession>;
  concurrency?: number;
  /**
   * Connections to one DC that a search its query file marks `split:` may use at once (--parallel);
   * 1 or no `openPeer`: every search is one request on one connection.
   */
  parallel?: number;
  /** Opens another bound session like the one to `url` (same credentials and TLS settings). */
  openPeer?: (url: string) => Promise<LdapSession>;
  /** Something the person running collect should know that is not a gap in the data. */
  onNotice?: (message: string) => void;
  now?: () => Date;
  /** Called after each page with the number of accounts read so far (progress display). */
  onProgress?: (accounts: number) => void;
}

interface DomainInfo {
  dn: string;
  dnsName: string;
  netbiosName: string | null;
}

const PRIVILEGED_RIDS = [512, 518, 519];
const BUILTIN_ADMINISTRATORS = 'S-1-5-32-544';
const RODC_RID = 521;
/** primaryGroupID values that make an account privileged by themselves. */
const PRIVILEGED_PRIMARY_GROUPS = new Set([512, 518, 519, 544]);

export class Collection {
  readonly errors: CollectionError[] = [];
  private readonly accounts = new Map<string, Account>();
  constructor(private readonly opts: CollectOptions) {}

  record(where: string, err: unknown): void {
    const code = (err as { code?: unknown })?.code;
    const message = oneLine(err instanceof Error ? err.message : String(err));
    this.errors.push({ where, message, ...(typeof code === 'number' ? { code } : {}) });
  }

  /** Run a query; every page goes to `onEntry`. Returns false (and records why) when it failed. */
  async run(
    session: LdapSession,
    query: QueryDef,
    nc: NamingContexts,
    onEntry: (entry: LdapEntry) => void | Promise<void>,
    opts: { values?: readonly string[]; base?: string; restrict?: (filter: string) => string; part?: string } = {},
  ): Promise<boolean> {
    let ok = true;
    for (const built of buildFilters(query, opts.values ?? [])) {
      const filter = opts.restrict ? opts.restrict(built) : built;
      const request: SearchRequest = {
        base: opts.base ?? resolveBase(query, nc),
        scope: query.scope,
        filter,
        attributes: query.attributes,
        binaryAttributes: query.binaryAttributes,
        paged: query.paged,
      };
      try {
        for await (const page of session.search(request)) {
          this.opts.onProgress?.(this.accounts.size);
          for (const entry of page) {
            await this.completeRanges(session, entry, query);
            try {
              await onEntry(entry);
            } catch (err) {
              this.record(`${query.id}: ${entry.dn}`, err);
              ok = false;
            }
          }
        }
      } catch (err) {
        if (query.optional && (err as { code?: number }).code === 32) continue; // noSuchObject
        this.record(`${query.id} (${request.base || 'RootDSE'})${opts.part ? ` ${opts.part}` : ''} on ${session.url}`, err);
        ok = false;
      }
    }
    return ok;
  }

  /** AD range retrieval: ask for attr;range=N-* until the server answers with a range ending in '*'. */
  private async completeRanges(session: LdapSession, entry: LdapEntry, query: QueryDef): Promise<void> {
    for (const pending of entry.pendingRanges) {
      let state = pending;
      let rounds = 0;
      while (state.next !== null) {
        if (++rounds > 10_000) throw new Error(`range retrieval of ${state.attribute} on ${entry.dn} did not end`);
        const attr = `${state.attribute};range=${state.next}-*`;
        let answer: LdapEntry | undefined;
        for await (const page of session.search({
          base: entry.dn,
          scope: 'base',
          filter: '(objectClass=*)',
          attributes: [attr],
          binaryAttributes: query.binaryAttributes.includes(state.attribute) ? [attr] : [],
          paged: false,
        })) {
          answer = page[0];
        }
        if (!answer) throw new Error(`range retrieval of ${state.attribute} on ${entry.dn}: entry vanished`);
        state = entry.mergeRange(answer, state.attribute);
      }
    }
  }

  addAccount(account: Account): void {
    const existing = this.accounts.get(account.objectGuid);
    // A DC's copy carries attributes the GC lacks; it wins over the GC's.
    this.accounts.set(account.objectGuid, existing ? { ...existing, ...account, privileged: existing.privileged || account.privileged } : account);
  }

  allAccounts(): Account[] {
    return [...this.accounts.values()];
  }

  hasAccountNamed(domain: string, sam: string): boolean {
    const key = sam.toLowerCase();
    for (const a of this.accounts.values()) if (a.domain === domain && a.sAMAccountName.toLowerCase() === key) return true;
    return false;
  }

}

export async function collect(opts: CollectOptions): Promise<Snapshot> {
  const c = new Collection(opts);
  const { session, queries } = opts;
  const now = opts.now ?? (() => new Date());

  // RootDSE: without naming contexts this is not Active Directory, and nothing else can be read.
  let rootDse: LdapEntry | undefined;
  await c.run(session, queries.rootdse, {}, (e) => {
    rootDse = e;
  });
  const configNc = rootDse?.string('configurationNamingContext');
  const defaultNc = rootDse?.string('defaultNamingContext') ?? null;
  const rootNc = rootDse?.string('rootDomainNamingContext') ?? defaultNc;
  if (!rootDse || !configNc || !rootNc) {
    const why = c.errors[0]?.message ?? 'the RootDSE has no configurationNamingContext';
    throw new ConnectionError(`${session.url} does not look like Active Directory: ${why}`);
  }
  const nc: NamingContexts = { configurationNamingContext: configNc, rootDomainNamingContext: rootNc };
  const functionalLevel = rootDse.integer('domainFunctionality');

  const forest: Forest = { rootDomain: dnToDnsName(rootNc), configurationDn: configNc, spnMappings: [], dsHeuristics: null };
  await c.run(session, queries['directory-service'], nc, (e) => {
    forest.spnMappings = e.strings('sPNMappings');
    forest.dsHeuristics = e.string('dSHeuristics');
  });

  const partitions: DomainInfo[] = [];
  await c.run(session, queries.partitions, nc, (e) => {
    const dn = e.string('nCName');
    if (!dn) throw new Error('crossRef without nCName');
    partitions.push({ dn, dnsName: (e.string('dnsRoot') ?? dnToDnsName(dn)).toLowerCase(), netbiosName: e.string('nETBIOSName') });
  });

  const inScope = domainsInScope(opts, partitions, defaultNc);
  if (inScope.length === 0) {
    c.record('scope', new Error(`no domain partition matches ${opts.baseDn ?? defaultNc ?? 'the server'}; nothing was collected`));
  }
  const domainOfDn = (dn: string): string => {
    const lower = dn.toLowerCase();
    const match = [...partitions, ...inScope]
      .filter((d) => lower.endsWith(d.dn.toLowerCase()))
      .sort((a, b) => b.dn.length - a.dn.length)[0];
    return match?.dnsName ?? dnToDnsName(dn);
  };
  const toAccount = (e: LdapEntry) => c.addAccount(entryToAccount(e, { domain: domainOfDn(e.dn) }));

  // With --gc the forest-wide SPN index comes from the Global Catalog in one search.
  if (opts.source.globalCatalog) {
    await c.run(session, queries['spn-holders'], nc, toAccount, { base: '' });
  }

  const limit = pLimit(Math.max(1, opts.concurrency ?? 4));
  const identities = parseIdentities(opts.identities ?? [], partitions);
  const domains = await Promise.all(
    inScope.map((d) =>
      limit(async (): Promise<Domain> => {
        let s = session;
        if (opts.source.globalCatalog && opts.domainSession) {
          try {
            s = await opts.domainSession(d);
          } catch (err) {
            c.record(`domain ${d.dnsName}: no domain controller session (attributes not in the GC are missing)`, err);
            return { dnsName: d.dnsName, netbiosName: d.netbiosName, dn: d.dn, sid: null, forest: forest.rootDomain, functionalLevel: null, rodcGroupCreated: null };
          }
        }
        try {
          return await collectDomain(c, s, queries, d, { ...nc, domainDn: d.dn }, {
            base: opts.baseDn && opts.baseDn.toLowerCase().endsWith(d.dn.toLowerCase()) ? opts.baseDn : d.dn,
            identities: identities.filter((i) => i.domain === null || i.domain === d.dnsName).map((i) => i.sam),
            forest: forest.rootDomain,
            parallel: opts.parallel ?? 1,
            openPeer: opts.openPeer,
            onNotice: opts.onNotice,
            functionalLevel: d.dn.toLowerCase() === defaultNc?.toLowerCase() ? functionalLevel : null,
            toAccount,
          });
        } finally {
          if (s !== session) await s.close();
        }
      }),
    ),
  );

  for (const i of identities) {
    if (i.domain === null && i.domainHint) c.record(`identity ${i.original}`, new Error(`domain '${i.domainHint}' is not a domain of this forest`));
  }

  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    collectedAt: now().toISOString(),
    source: opts.source,
    complete: c.errors.length === 0,
    errors: c.errors,
    forests: [forest],
    domains,
    // In account order, so an audit of this snapshot need not sort a million accounts first.
    accounts: inAccountOrder(c.allAccounts(), domains),
  };
}

function domainsInScope(opts: CollectOptions, partitions: DomainInfo[], defaultNc: string | null): DomainInfo[] {
  if (opts.source.globalCatalog && !opts.baseDn) return partitions;
  const anchor = (opts.baseDn ?? defaultNc ?? '').toLowerCase();
  const match = partitions
    .filter((d) => anchor.endsWith(d.dn.toLowerCase()))
    .sort((a, b) => b.dn.length - a.dn.length)[0];
  if (match) return [match];
  // A DC whose crossRefs we could not read still has its own domain.
  return defaultNc && anchor.endsWith(defaultNc.toLowerCase()) ? [{ dn: defaultNc, dnsName: dnToDnsName(defaultNc), netbiosName: null }] : [];
}

async function collectDomain(
  c: Collection,
  s: LdapSession,
  queries: QuerySet,
  d: DomainInfo,
  nc: NamingContexts,
  o: { base: string; identities: string[]; forest: string; functionalLevel: number | null; toAccount: (e: LdapEntry) => void } & PeerOptions,
): Promise<Domain> {
  const domain: Domain = {
    dnsName: d.dnsName,
    netbiosName: d.netbiosName,
    dn: d.dn,
    sid: null,
    forest: o.forest,
    functionalLevel: o.functionalLevel,
    rodcGroupCreated: null,
  };
  await c.run(s, queries.domain, nc, (e) => {
    const sid = e.buffer('objectSid');
    domain.sid = sid ? sidToString(sid) : null;
    domain.functionalLevel = e.integer('msDS-Behavior-Version') ?? domain.functionalLevel;
  });

  const privilegedGroups: string[] = [];
  if (domain.sid) {
    const sids = [...PRIVILEGED_RIDS, RODC_RID].map((rid) => `${domain.sid}-${rid}`).concat(BUILTIN_ADMINISTRATORS);
    await c.run(s, queries['well-known-groups'], nc, (e) => {
      const sidBuf = e.buffer('objectSid');
      const sid = sidBuf ? sidToString(sidBuf) : '';
      if (sid === `${domain.sid}-${RODC_RID}`) {
        const created = e.string('whenCreated');
        domain.rodcGroupCreated = created ? generalizedTimeToIso(created) : null;
      } else {
        privilegedGroups.push(e.dn);
      }
    }, { values: sids });
  }

  await runSplit(c, s, queries, queries['spn-holders'], nc, o.toAccount, o.base, o);

  const missing = o.identities.filter((sam) => !c.hasAccountNamed(d.dnsName, sam));
  if (missing.length > 0) await c.run(s, queries['accounts-by-name'], nc, o.toAccount, { values: missing });

  // Transitive privileged groups: each privileged group, then every group nested in one already found.
  const privileged = new Set(privilegedGroups.map((g) => g.toLowerCase()));
  const queue = [...privilegedGroups];
  for (let groupDn = queue.shift(); groupDn !== undefined; groupDn = queue.shift()) {
    await c.run(s, queries['nested-groups'], nc, (e) => {
      if (privileged.has(e.dn.toLowerCase())) return;
      privileged.add(e.dn.toLowerCase());
      queue.push(e.dn);
    }, { values: [groupDn] });
  }
  for (const a of c.allAccounts()) {
    if (a.domain !== d.dnsName) continue;
    if (a.memberOf.some((g) => privileged.has(g.toLowerCase()))) a.privileged = true;
    if (a.primaryGroupId !== null && PRIVILEGED_PRIMARY_GROUPS.has(a.primaryGroupId)) a.privileged = true;
  }
  return domain;
}

type PeerOptions = Pick<CollectOptions, 'parallel' | 'openPeer' | 'onNotice'>;

/** uSNCreated ranges per connection: more ranges than connections, so one slow range does not leave a connection idle. */
const RANGES_PER_CONNECTION = 4;

/**
 * Runs a query as one search, or, when its file says `split:` and --parallel allows, as disjoint
 * uSNCreated ranges over several connections to the same DC (src/directory/usn-split.ts says why
 * they cover every object exactly once). A connection that cannot be opened, or that reaches a
 * different DC, is not used: the ranges then run on the connections that remain.
 */
async function runSplit(
  c: Collection,
  s: LdapSession,
  queries: QuerySet,
  query: QueryDef,
  nc: NamingContexts,
  onEntry: (e: LdapEntry) => void,
  base: string,
  o: PeerOptions,
): Promise<void> {
  const parallel = o.parallel ?? 1;
  const { openPeer } = o;
  const attribute = query.split;
  const dc = attribute && parallel > 1 && openPeer ? await dcIdentity(s, queries.rootdse).catch(() => null) : null;
  if (!dc || !attribute || !openPeer) {
    await c.run(s, query, nc, onEntry, { base });
    return;
  }
  // Newest ranges first: the oldest often holds little more than the built-in accounts, and the
  // first connection should be busy with a real range while the others connect (a prefork DC
  // such as Samba then hands them to other worker processes instead of the idle first one's).
  const ranges = usnRanges(dc.highestUsn, parallel * RANGES_PER_CONNECTION).reverse();
  let next = 0;
  /** Takes ranges until none are left; a connection whose range failed (recorded) takes no more. */
  const work = async (session: LdapSession): Promise<void> => {
    for (let range = ranges[next++]; range !== undefined; range = ranges[next++]) {
      const part = range;
      const ok = await c.run(session, query, nc, onEntry, { base, restrict: (filter) => rangeFilter(filter, attribute, part), part: describeRange(attribute, part) });
      // A reset connection would fail every range it took next, before the healthy ones could.
      if (!ok) return;
    }
  };
  const peers: LdapSession[] = [];
  const refused: string[] = [];
  /** Opens one more connection; it joins the work only when it reaches the same DC. */
  const peerWork = async (): Promise<void> => {
    let peer: LdapSession;
    try {
      peer = await openPeer(s.url);
    } catch (err) {
      refused.push(oneLine(err instanceof Error ? err.message : String(err)));
      return;
    }
    peers.push(peer);
    const same = await dcIdentity(peer, queries.rootdse).catch(() => null);
    if (same?.service.toLowerCase() !== dc.service.toLowerCase()) {
      refused.push(`it reached ${same?.service ?? 'a server without dsServiceName'} instead of ${dc.service}`);
      return;
    }
    await work(peer);
  };
  try {
    await Promise.all([work(s), ...Array.from({ length: parallel - 1 }, peerWork)]);
    // Every connection stopped on a failure: what nobody read must be in the record too.
    const unread = ranges.slice(next);
    if (unread.length > 0) {
      c.record(`${query.id} (${base}) on ${s.url}`, new Error(`${unread.length} ${attribute} range(s) not read (${unread.map((r) => describeRange(attribute, r)).join(', ')}): every connection failed before them`));
    }
    if (refused.length > 0) {
      o.onNotice?.(`${query.id}: ${refused.length} of ${parallel - 1} extra connection(s) to ${s.url} not used (${[...new Set(refused)].join('; ')}); read on ${parallel - refused.length}`);
    }
  } finally {
    await Promise.all(peers.map((p) => p.close().catch(() => undefined)));
  }
}

/**
 * Which DC a session reaches (dsServiceName) and its highestCommittedUSN, read with the rootdse
 * query; null when the RootDSE does not say (then nothing is split).
 */
async function dcIdentity(session: LdapSession, rootdse: QueryDef): Promise<{ service: string; highestUsn: number } | null> {
  let found: { service: string; highestUsn: number } | null = null;
  const request = { base: '', scope: 'base' as const, filter: rootdse.filter, attributes: rootdse.attributes, binaryAttributes: [], paged: false };
  for await (const page of session.search(request)) {
    const e = page[0];
    const service = e?.string('dsServiceName');
    const usn = Number(e?.string('highestCommittedUSN') ?? NaN);
    if (service && Number.isSafeInteger(usn) && usn >= 0) found = { service, highestUsn: usn };
  }
  return found;
}

export interface ParsedIdentity {
  original: string;
  sam: string;
  /** DNS name of the domain the identity names, or null when unqualified / unknown. */
  domain: string | null;
  /** The NetBIOS or DNS domain as written, when it names one we do not know. */
  domainHint: string | null;
}

/** DOMAIN\sam, sam@dns.domain, or bare sam → the account name to search for, per domain. */
export function parseIdentities(names: readonly string[], partitions: readonly DomainInfo[]): ParsedIdentity[] {
  const byNetbios = new Map(partitions.filter((p) => p.netbiosName).map((p) => [p.netbiosName!.toLowerCase(), p.dnsName]));
  const byDns = new Set(partitions.map((p) => p.dnsName));
  const out: ParsedIdentity[] = [];
  for (const original of names) {
    const trimmed = original.trim();
    if (trimmed === '') continue;
    const slash = trimmed.indexOf('\\');
    const at = trimmed.lastIndexOf('@');
    if (slash > 0) {
      const hint = trimmed.slice(0, slash);
      const sam = trimmed.slice(slash + 1);
      if (hint === '.') continue; // machine-local account: nothing to find in AD
      const domain = byNetbios.get(hint.toLowerCase()) ?? (byDns.has(hint.toLowerCase()) ? hint.toLowerCase() : null);
      out.push({ original, sam, domain, domainHint: domain ? null : hint });
    } else if (at > 0) {
      const suffix = trimmed.slice(at + 1).toLowerCase();
      out.push({ original, sam: trimmed.slice(0, at), domain: byDns.has(suffix) ? suffix : null, domainHint: null });
    } else {
      out.push({ original, sam: trimmed, domain: null, domainHint: null });
    }
  }
  return out;
}
