/**
 * The Kerberos path model: for every (server, site, application, binding host name) it answers
 * which SPN the browser requests, which account must decrypt the ticket, and what the KDC resolves
 * the SPN to. Pure functions over the RuleContext; rules and verdicts build on these.
 */
import type { Account } from '../model/directory.js';
import type { AppPool, Application, Binding, IisServer, Site, WindowsAuth } from '../model/iis.js';
import { netbiosOf } from '../model/account-order.js';
import { FoldTable } from './fold-table.js';
import { formatSpn, spnKey } from './spn.js';
import type { Resolution, RuleContext } from './types.js';

export type DecryptorKind = 'computer' | 'pool-account' | 'nobody';

/** The account whose key must match the service ticket. */
export interface Decryptor {
  kind: DecryptorKind;
  /** The directory account, or null (nobody, or the name did not resolve in the snapshot). */
  account: Account | null;
  /** DOMAIN\sam for display, also when unresolved (e.g. CONTOSO\WEB01$); null for nobody. */
  name: string | null;
  /** Why this account (one sentence, for verdict chains and messages). */
  reason: string;
}

/** How the endpoint's expected SPN relates to the decrypting account. */
export type SpnMatch =
  /** The KDC issues the ticket for the decrypting account. */
  | 'ok'
  /** Nobody holds the SPN (nor HOST/ through the alias): NTLM fallback. */
  | 'missing'
  /** Several accounts hold it in the forest: the KDC refuses (KDC event 11), NTLM fallback. */
  | 'duplicate'
  /** One holder, but not the decrypting account: KRB_AP_ERR_MODIFIED, 401.1. */
  | 'wrong-account'
  /** The pool identity cannot do Kerberos at all (LocalService, local account). */
  | 'no-decryptor'
  /** The decrypting account is not in the snapshot: cannot judge. */
  | 'unknown-decryptor';

export interface WebEndpoint {
  server: IisServer;
  site: Site;
  application: Application;
  appPool: AppPool | null;
  /** The name in the URL, lower-case (binding host header, or the server's NetBIOS/FQDN). */
  host: string;
  /** true when `host` comes from an empty host header (the machine's own names). */
  fromEmptyHostHeader: boolean;
  /** The name the browser builds the SPN from: `host` after CNAME resolution. */
  canonicalHost: string;
  /** The CNAME chain followed, host first; empty when `host` is not an alias. */
  cnameChain: string[];
  /** HTTP bindings of the site that produce this (host, SPN). */
  bindings: Binding[];
  /** Port in the SPN (only when browsers include it and it is not 80/443), else null. */
  spnPort: number | null;
  /** The SPN the browser requests, e.g. HTTP/intranet.contoso.test. */
  expectedSpn: string;
  /** Forest whose KDC resolves the SPN (the server's forest). */
  forest: string;
  /** The server's computer account, when in the snapshot. */
  computer: Account | null;
  decryptor: Decryptor;
  resolution: Resolution;
  match: SpnMatch;
  windowsAuth: WindowsAuth;
  /** Windows authentication on with Negotiate (or Negotiate:Kerberos) among the providers. */
  negotiates: boolean;
}

/** The server's computer account: sAMAccountName NETBIOS$ in its domain, else by dNSHostName. */
export function computerAccountOf(ctx: RuleContext, server: IisServer): Account | null {
  const computers = computerLookup(ctx);
  // Asked for every endpoint and application of the server: answered once per server.
  let found = computers.byServer.get(server);
  if (found === undefined) {
    found = findComputer(ctx, computers, server);
    computers.byServer.set(server, found);
  }
  return found;
}

function findComputer(ctx: RuleContext, computers: ComputerLookup, server: IisServer): Account | null {
  const sam = `${server.netbiosName}$`.toLowerCase();
  if (computers.sams.find(sam) < 0 || (server.fqdn && computers.fqdns.find(server.fqdn) < 0)) return scanForComputer(ctx, server);
  if (server.domain) {
    const hit = computers.byDomainSam.get(`${server.domain.toLowerCase()}\u0000${sam}`);
    if (hit) return hit;
  }
  if (server.fqdn) {
    const hit = byDnsHostName(ctx, computers).get(server.fqdn.toLowerCase());
    if (hit) return hit;
  }
  const bySam = computers.bySam.get(sam);
  return bySam && bySam.length === 1 ? (bySam[0] ?? null) : null;
}

/** The same answer as computerAccountOf, by a scan: for a server that is not in the context's inventory. */
function scanForComputer(ctx: RuleContext, server: IisServer): Account | null {
  const sam = `${server.netbiosName}$`.toLowerCase();
  const isComputer = (a: Account): boolean => a.kind === 'computer';
  const accounts = ctx.snapshot.accounts;
  if (server.domain) {
    const dom = server.domain.toLowerCase();
    const hit = accounts.find((a) => isComputer(a) && a.domain.toLowerCase() === dom && a.sAMAccountName.toLowerCase() === sam);
    if (hit) return hit;
  }
  if (server.fqdn) {
    const fqdn = server.fqdn.toLowerCase();
    const hit = accounts.find((a) => isComputer(a) && a.dnsHostName?.toLowerCase() === fqdn);
    if (hit) return hit;
  }
  const bySam = accounts.filter((a) => isComputer(a) && a.sAMAccountName.toLowerCase() === sam);
  return bySam.length === 1 ? (bySam[0] ?? null) : null;
}

interface ComputerLookup {
  /** The names indexed: those of the inventory's servers (case-insensitive tables, so a million computers are matched without a lower-cased copy of each name). */
  sams: FoldTable;
  fqdns: FoldTable;
  /** The answer of computerAccountOf per server already asked for. */
  byServer: Map<IisServer, Account | null>;
  /** First computer (snapshot order) per `domain\0sam`, both lower-case. */
  byDomainSam: Map<string, Account>;
  /** First computer per dNSHostName, lower-case; built on first use (a scan of every account). */
  byDnsHostName: Map<string, Account> | null;
  /** Every computer per lower-case sAMAccountName. */
  bySam: Map<string, Account[]>;
}

const computerLookups = new WeakMap<RuleContext, ComputerLookup>();

/**
 * Computer accounts by name, built once per context (each server and application asks), holding
 * only the names the inventory's servers can ask for: a million-account directory is scanned once
 * without building a million keys.
 */
function computerLookup(ctx: RuleContext): ComputerLookup {
  let lookup = computerLookups.get(ctx);
  if (!lookup) {
    const sams = new FoldTable();
    const fqdns = new FoldTable();
    lookup = { sams, fqdns, byServer: new Map(), byDomainSam: new Map(), byDnsHostName: null, bySam: new Map() };
    for (const server of ctx.inventory?.servers ?? []) {
      if (server.fqdn) fqdns.intern(server.fqdn);
      const before = sams.size;
      if (sams.intern(`${server.netbiosName}$`) !== before) continue; // a name already looked up
      // Through the context's name table: the servers' names, not a scan of every account.
      // (In the file's order; two computers with one sAMAccountName in one domain cannot exist in AD.)
      for (const a of ctx.accountsNamed(`${server.netbiosName}$`)) {
        if (a.kind !== 'computer') continue;
        const sam = a.sAMAccountName.toLowerCase();
        const domainSam = `${a.domain.toLowerCase()}\u0000${sam}`;
        if (!lookup.byDomainSam.has(domainSam)) lookup.byDomainSam.set(domainSam, a);
        const same = lookup.bySam.get(sam);
        if (same) same.push(a);
        else lookup.bySam.set(sam, [a]);
      }
    }
    computerLookups.set(ctx, lookup);
  }
  return lookup;
}

function byDnsHostName(ctx: RuleContext, lookup: ComputerLookup): Map<string, Account> {
  if (!lookup.byDnsHostName) {
    const map = new Map<string, Account>();
    for (const a of ctx.snapshot.accounts) {
      if (a.kind !== 'computer' || !a.dnsHostName || lookup.fqdns.find(a.dnsHostName) < 0) continue;
      const host = a.dnsHostName.toLowerCase();
      if (!map.has(host)) map.set(host, a);
    }
    lookup.byDnsHostName = map;
  }
  return lookup.byDnsHostName;
}

function computerName(ctx: RuleContext, server: IisServer, computer: Account | null): string {
  if (computer) return ctx.displayName(computer);
  const domain = server.domain ?? (server.fqdn?.includes('.') ? server.fqdn.slice(server.fqdn.indexOf('.') + 1) : null);
  const sam = `${server.netbiosName.toUpperCase()}$`;
  return domain ? `${netbiosOf(ctx.domains, domain)}\\${sam}` : sam;
}

/**
 * The account that must decrypt the ticket for an application (see the model):
 * kernel mode without useAppPoolCredentials → the computer account, whatever the identity;
 * otherwise machine identities → the computer account, a domain user/gMSA/MSA → that account,
 * LocalService or a local account → nobody (they present no domain credentials on the network).
 */
export function decryptingAccount(ctx: RuleContext, server: IisServer, pool: AppPool | null, windows: WindowsAuth): Decryptor {
  const computer = computerAccountOf(ctx, server);
  const asComputer = (reason: string): Decryptor => ({ kind: 'computer', account: computer, name: computerName(ctx, server, computer), reason });

  if (windows.useKernelMode && !windows.useAppPoolCredentials) {
    return asComputer('kernel-mode authentication is on and useAppPoolCredentials is off, so HTTP.sys decrypts tickets with the computer account key, whatever the pool identity');
  }
  const how = windows.useKernelMode ? 'useAppPoolCredentials is on' : 'kernel-mode authentication is off';
  if (!pool) {
    return { kind: 'nobody', account: null, name: null, reason: `the application's pool is not defined on ${server.name}, so no process can accept the ticket` };
  }
  switch (pool.identityType) {
    case 'ApplicationPoolIdentity':
    case 'NetworkService':
    case 'LocalSystem':
      return asComputer(`${how} and pool "${pool.name}" runs as ${pool.identityType}, which uses the computer account on the network`);
    case 'LocalService':
      return { kind: 'nobody', account: null, name: null, reason: `${how} and pool "${pool.name}" runs as LocalService, which presents anonymous credentials on the network: Kerberos is impossible` };
    case 'SpecificUser': {
      const userName = pool.userName ?? '';
      if (pool.identity?.scope === 'local') {
        return { kind: 'nobody', account: null, name: null, reason: `${how} and pool "${pool.name}" runs as the local account "${userName}", which has no directory key: Kerberos is impossible` };
      }
      const account = ctx.findAccount(userName, server.domain) ?? null;
      const name = account ? ctx.displayName(account) : userName;
      return { kind: 'pool-account', account, name, reason: `${how}, so pool "${pool.name}" decrypts with its identity ${name}` };
    }
  }
}

/** Follows the inventory's CNAME facts from `host` (lower-case); returns the chain, host first. */
export function cnameChain(cnames: Record<string, string>, host: string): string[] {
  const chain = [host];
  let current = host;
  for (;;) {
    const next = cnames[current]?.toLowerCase().replace(/\.$/, '');
    if (next === undefined || chain.includes(next)) break;
    chain.push(next);
    current = next;
  }
  return chain.length > 1 ? chain : [];
}

export function negotiates(windows: WindowsAuth): boolean {
  return windows.enabled && windows.providers.some((p) => /^negotiate(:kerberos)?$/i.test(p.trim()));
}

/** Plain Negotiate or NTLM among the providers: a failed Kerberos attempt can still end in NTLM. */
export function ntlmFallback(windows: WindowsAuth): boolean {
  return windows.providers.some((p) => /^(ntlm|negotiate)$/i.test(p.trim()));
}

function matchOf(decryptor: Decryptor, resolution: Resolution): SpnMatch {
  if (decryptor.kind === 'nobody') return 'no-decryptor';
  if (resolution.via === 'none') return 'missing';
  if (resolution.holders.length > 1) return 'duplicate';
  if (!decryptor.account) return 'unknown-decryptor';
  return resolution.holders[0]?.account === decryptor.account ? 'ok' : 'wrong-account';
}

/** The host names a binding answers to: its host header, or the server's NetBIOS name and FQDN. */
export function bindingHostNames(server: IisServer, binding: Binding): Array<{ host: string; fromEmptyHostHeader: boolean }> {
  const header = (binding.host ?? '').trim().toLowerCase();
  if (header !== '') return [{ host: header, fromEmptyHostHeader: false }];
  const names = [server.netbiosName.toLowerCase(), ...(server.fqdn ? [server.fqdn.toLowerCase()] : [])];
  return [...new Set(names)].map((host) => ({ host, fromEmptyHostHeader: true }));
}

function serverForest(ctx: RuleContext, server: IisServer, computer: Account | null): string {
  if (computer) return ctx.index.forestOf(computer);
  if (server.domain) {
    const d = ctx.domains.find((x) => x.dnsName.toLowerCase() === server.domain?.toLowerCase());
    return (d?.forest ?? server.domain).toLowerCase();
  }
  return (ctx.forests[0]?.rootDomain ?? ctx.domains[0]?.forest ?? '').toLowerCase();
}

const memo = new WeakMap<RuleContext, readonly WebEndpoint[]>();

/**
 * Every Kerberos-over-HTTP endpoint in the inventory, in inventory order. Empty without inventory.
 * Computed once per context (the context is immutable), since most rules walk the same list.
 */
export function webEndpoints(ctx: RuleContext): WebEndpoint[] {
  let list = memo.get(ctx);
  if (!list) {
    list = computeWebEndpoints(ctx);
    memo.set(ctx, list);
  }
  return [...list];
}

/**
 * The endpoints that request an SPN (case-insensitive) in a forest, in inventory order; empty when
 * none does. Rules ask this for each of thousands of SPNs: one map per context instead of a scan each.
 */
export function endpointsRequesting(ctx: RuleContext, spn: string, forest: string): readonly WebEndpoint[] {
  let bySpn = bySpnMemo.get(ctx);
  if (!bySpn) {
    bySpn = new Map();
    for (const e of webEndpoints(ctx)) {
      const key = `${e.forest}\u0000${e.expectedSpn.toLowerCase()}`;
      const list = bySpn.get(key);
      if (list) list.push(e);
      else bySpn.set(key, [e]);
    }
    bySpnMemo.set(ctx, bySpn);
  }
  return bySpn.get(`${forest}\u0000${spn.toLowerCase()}`) ?? [];
}

const bySpnMemo = new WeakMap<RuleContext, Map<string, WebEndpoint[]>>();

function computeWebEndpoints(ctx: RuleContext): WebEndpoint[] {
  const inventory = ctx.inventory;
  if (!inventory) return [];
  const out: WebEndpoint[] = [];
  for (const server of inventory.servers) {
    const computer = computerAccountOf(ctx, server);
    const forest = serverForest(ctx, server, computer);
    for (const site of server.sites) {
      // Group the site's HTTP bindings by (host, SPN): http and https of one name are one endpoint.
      const groups = new Map<string, { host: string; fromEmpty: boolean; chain: string[]; canonical: string; port: number | null; spn: string; bindings: Binding[] }>();
      for (const binding of site.bindings) {
        if (!binding.isHttp) continue;
        for (const { host, fromEmptyHostHeader } of bindingHostNames(server, binding)) {
          const chain = cnameChain(inventory.cnames, host);
          const canonical = chain[chain.length - 1] ?? host;
          const port =
            inventory.browsersIncludePort && binding.port !== null && binding.port !== 80 && binding.port !== 443 ? binding.port : null;
          const spn = formatSpn('HTTP', canonical, port);
          const key = `${host}\u0000${spnKey(spn)}`;
          const group = groups.get(key);
          if (group) group.bindings.push(binding);
          else groups.set(key, { host, fromEmpty: fromEmptyHostHeader, chain, canonical, port, spn, bindings: [binding] });
        }
      }
      for (const application of site.applications) {
        const appPool = server.appPools.find((p) => p.name.toLowerCase() === application.appPool.toLowerCase()) ?? null;
        const windows = application.auth.windows;
        const decryptor = decryptingAccount(ctx, server, appPool, windows);
        for (const g of groups.values()) {
          const resolution = ctx.index.resolve(g.spn, forest);
          out.push({
            server,
            site,
            application,
            appPool,
            host: g.host,
            fromEmptyHostHeader: g.fromEmpty,
            canonicalHost: g.canonical,
            cnameChain: g.chain,
            bindings: g.bindings,
            spnPort: g.port,
            expectedSpn: g.spn,
            forest,
            computer,
            decryptor,
            resolution,
            match: matchOf(decryptor, resolution),
            windowsAuth: windows,
            negotiates: negotiates(windows),
          });
        }
      }
    }
  }
  return out;
}

/** "Site" for the root application, "Site/app" otherwise: the appcmd location of an application. */
export function appLocation(site: Site, application: Application): string {
  return application.path === '/' || application.path === '' ? site.name : `${site.name}${application.path}`;
}
