/**
 * Builds the RuleContext every rule reads: the snapshot, the optional inventory, the SPN index and
 * account lookup by the names IIS and admins write (DOMAIN\sam, sam@suffix, bare sam, name$).
 */
import type { Account, Domain, Snapshot } from '../model/directory.js';
import type { Inventory } from '../model/iis.js';
import type { FixAccount } from './fixes.js';
import { buildSpnIndex } from './spn-index.js';
import type { AnalyzeOptions, RuleContext } from './types.js';

export const DEFAULT_PASSWORD_AGE_DAYS = 365;

/** "now" defaults to the snapshot's collection time so an analysis of the same input is repeatable. */
export function defaultOptions(snapshot: Snapshot): AnalyzeOptions {
  const collected = new Date(snapshot.collectedAt);
  return {
    now: Number.isNaN(collected.getTime()) ? new Date(0) : collected,
    passwordAgeDays: DEFAULT_PASSWORD_AGE_DAYS,
  };
}

export function createRuleContext(snapshot: Snapshot, inventory: Inventory | null, options: Partial<AnalyzeOptions> = {}): RuleContext {
  const index = buildSpnIndex(snapshot);
  const opts: AnalyzeOptions = { ...defaultOptions(snapshot), ...definedOnly(options) };

  const byDomain = new Map<string, Domain>();
  for (const d of snapshot.domains) {
    byDomain.set(d.dnsName.toLowerCase(), d);
    if (d.netbiosName) byDomain.set(d.netbiosName.toLowerCase(), d);
  }
  const accountDomains = new Set<string>();
  for (const a of snapshot.accounts) accountDomains.add(a.domain.toLowerCase());
  /** DNS domain name for a NetBIOS name or DNS name; null when the name is no domain in scope. */
  const domainDns = (name: string): string | null => {
    const d = byDomain.get(name.toLowerCase());
    if (d) return d.dnsName.toLowerCase();
    // Accounts may come from a domain the snapshot has no Domain entry for.
    const lower = name.toLowerCase();
    return accountDomains.has(lower) ? lower : null;
  };

  const bySam = new Map<string, Account[]>();
  const byUpn = new Map<string, Account>();
  for (const a of snapshot.accounts) {
    const sam = a.sAMAccountName.toLowerCase();
    const list = bySam.get(sam);
    if (list) list.push(a);
    else bySam.set(sam, [a]);
    if (a.userPrincipalName) byUpn.set(a.userPrincipalName.toLowerCase(), a);
  }
  const samIn = (sam: string, domain: string): Account | undefined =>
    bySam.get(sam.toLowerCase())?.find((a) => a.domain.toLowerCase() === domain);

  const findAccount = (rawName: string, domainHint?: string | null): Account | undefined => {
    const name = rawName.trim();
    if (name === '') return undefined;
    const backslash = name.indexOf('\\');
    if (backslash >= 0) {
      const dom = domainDns(name.slice(0, backslash));
      // ".\user" or MACHINE\user: a local account, never a directory object.
      if (dom === null) return undefined;
      return samIn(name.slice(backslash + 1), dom);
    }
    const at = name.lastIndexOf('@');
    if (at > 0) {
      const upn = byUpn.get(name.toLowerCase());
      if (upn) return upn;
      const dom = domainDns(name.slice(at + 1));
      return dom === null ? undefined : samIn(name.slice(0, at), dom);
    }
    if (domainHint) {
      const dom = domainDns(domainHint);
      if (dom !== null) {
        const hit = samIn(name, dom);
        if (hit) return hit;
      }
    }
    // A bare name that exists in several domains is ambiguous: refuse to guess.
    const candidates = bySam.get(name.toLowerCase()) ?? [];
    return candidates.length === 1 ? candidates[0] : undefined;
  };

  // Display names are asked for millions of times (messages, sorting): built once per account.
  const netbiosByDomain = new Map<string, string>();
  const displayNames = new Map<Account, string>();
  const displayName = (account: Account): string => {
    let name = displayNames.get(account);
    if (name === undefined) {
      let netbios = netbiosByDomain.get(account.domain);
      if (netbios === undefined) {
        netbios = netbiosOf(snapshot.domains, account.domain);
        netbiosByDomain.set(account.domain, netbios);
      }
      name = `${netbios}\\${account.sAMAccountName}`;
      displayNames.set(account, name);
    }
    return name;
  };

  const ctx: RuleContext = {
    snapshot,
    inventory,
    index,
    forests: snapshot.forests,
    domains: snapshot.domains,
    findAccount,
    displayName,
    options: opts,
  };
  // Rules see the accounts in compareAccounts order, so each rule that sorts accounts sorts an
  // already sorted list (linear for V8's TimSort) instead of paying n log n string compares again.
  // Findings are sorted on their own keys, so this order never shows; the index keeps the file's order.
  ctx.snapshot = { ...snapshot, accounts: sortedAccounts(ctx, snapshot.accounts) };
  return ctx;
}

/** Position of each account of the context in compareAccounts order (small integers: no strings kept). */
const ranks = new WeakMap<RuleContext, Map<Account, number>>();
/** The context sorted last, so millions of comparisons skip the WeakMap; weak, so it never keeps a snapshot alive. */
let lastRanked: { ctx: WeakRef<RuleContext>; rank: WeakRef<Map<Account, number>> } | null = null;

function sortKeyOf(ctx: RuleContext, account: Account): string {
  return ctx.displayName(account).toLowerCase();
}

/**
 * Sorts once with keys computed once per account (not twice per comparison), and remembers each
 * account's rank so later comparisons are two map lookups.
 */
function sortedAccounts(ctx: RuleContext, accounts: readonly Account[]): Account[] {
  const netbios = new Map<string, string>();
  const keyed = accounts.map((account) => {
    let prefix = netbios.get(account.domain);
    if (prefix === undefined) {
      prefix = netbiosOf(ctx.domains, account.domain);
      netbios.set(account.domain, prefix);
    }
    // The same string as sortKeyOf, without caching a display name for every account.
    return { key: `${prefix}\\${account.sAMAccountName}`.toLowerCase(), guid: account.objectGuid, account };
  });
  keyed.sort((a, b) => (a.key !== b.key ? (a.key < b.key ? -1 : 1) : a.guid < b.guid ? -1 : a.guid > b.guid ? 1 : 0));
  const rank = new Map<Account, number>();
  const sorted = keyed.map((k, i) => {
    rank.set(k.account, i);
    return k.account;
  });
  ranks.set(ctx, rank);
  lastRanked = { ctx: new WeakRef(ctx), rank: new WeakRef(rank) };
  return sorted;
}

function definedOnly<T extends object>(o: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** NetBIOS name of a DNS domain; falls back to the upper-cased first label when unknown. */
export function netbiosOf(domains: readonly Domain[], dnsName: string): string {
  const d = domains.find((x) => x.dnsName.toLowerCase() === dnsName.toLowerCase());
  if (d?.netbiosName) return d.netbiosName.toUpperCase();
  return (dnsName.split('.')[0] ?? dnsName).toUpperCase();
}

/** The account as the fix builders in fixes.ts need it. */
export function fixAccount(ctx: RuleContext, account: Account): FixAccount {
  return {
    netbiosDomain: netbiosOf(ctx.domains, account.domain),
    domain: account.domain.toLowerCase(),
    sAMAccountName: account.sAMAccountName,
    kind: account.kind,
  };
}

/**
 * Every forest in scope (lower-case root names): those the snapshot lists plus any an account's
 * domain maps to. Sorted.
 */
export function forestNames(ctx: RuleContext): string[] {
  let names = forestNameMemo.get(ctx);
  if (!names) {
    const set = new Set(ctx.forests.map((f) => f.rootDomain.toLowerCase()));
    // Accounts of one domain share a forest: look each domain up once, not each account.
    const domains = new Set<string>();
    for (const a of ctx.snapshot.accounts) {
      if (domains.has(a.domain)) continue;
      domains.add(a.domain);
      set.add(ctx.index.forestOf(a));
    }
    names = [...set].sort();
    forestNameMemo.set(ctx, names);
  }
  return [...names];
}

const forestNameMemo = new WeakMap<RuleContext, string[]>();

/** Stable ordering for accounts in messages and evidence: by display name, then objectGUID. */
export function compareAccounts(ctx: RuleContext, a: Account, b: Account): number {
  if (a === b) return 0;
  const rank = (lastRanked?.ctx.deref() === ctx ? lastRanked.rank.deref() : undefined) ?? ranks.get(ctx);
  const ra = rank?.get(a);
  const rb = rank?.get(b);
  if (ra !== undefined && rb !== undefined) return ra - rb;
  const da = sortKeyOf(ctx, a);
  const db = sortKeyOf(ctx, b);
  if (da !== db) return da < db ? -1 : 1;
  return a.objectGuid < b.objectGuid ? -1 : a.objectGuid > b.objectGuid ? 1 : 0;
}
