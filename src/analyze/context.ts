/**
 * Builds the RuleContext every rule reads: the snapshot, the optional inventory, the SPN index and
 * account lookup by the names IIS and admins write (DOMAIN\sam, sam@suffix, bare sam, name$).
 */
import type { Account, Domain, Snapshot } from '../model/directory.js';
import type { Inventory } from '../model/iis.js';
import type { FixAccount } from './fixes.js';
import { inAccountOrder, netbiosLookup, netbiosOf } from '../model/account-order.js';
import { FoldTable } from './fold-table.js';
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

  // Case-insensitive name tables over the file's account list: no lower-cased copy of each name
  // and no one-element array per account (a million accounts cost ~150 MB as a Map of lists).
  const accounts = snapshot.accounts;
  const sams = new FoldTable(accounts.length);
  // There are at most as many distinct names as accounts: the per-id arrays never grow.
  /** Per name id: the first account position with that sAMAccountName; per position: the next one. */
  const samFirst = new Int32Array(accounts.length);
  const samNext = new Int32Array(accounts.length);
  const upns = new FoldTable();
  /** Per UPN id: the LAST account with that UPN (a later duplicate replaced an earlier one). */
  const upnOwner = new Int32Array(accounts.length);
  for (let i = accounts.length - 1; i >= 0; i -= 1) {
    const a = accounts[i]!;
    const before = sams.size;
    const id = sams.intern(a.sAMAccountName);
    samNext[i] = id === before ? -1 : samFirst[id]!;
    samFirst[id] = i;
    if (a.userPrincipalName) {
      const known = upns.size;
      const u = upns.intern(a.userPrincipalName);
      if (u === known) upnOwner[u] = i;
    }
  }
  const withSam = (sam: string): Account[] => {
    const out: Account[] = [];
    const id = sams.find(sam);
    if (id >= 0) for (let i = samFirst[id]!; i >= 0; i = samNext[i]!) out.push(accounts[i]!);
    return out;
  };
  const byUpn = (upn: string): Account | undefined => {
    const id = upns.find(upn);
    return id >= 0 ? accounts[upnOwner[id]!] : undefined;
  };
  const samIn = (sam: string, domain: string): Account | undefined => withSam(sam).find((a) => a.domain.toLowerCase() === domain);

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
      const upn = byUpn(name);
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
    const candidates = withSam(name);
    return candidates.length === 1 ? candidates[0] : undefined;
  };

  // Display names are asked for millions of times (messages, sorting): built once per account.
  const netbiosFor = netbiosLookup(snapshot.domains);
  const displayNames = new Map<Account, string>();
  const displayName = (account: Account): string => {
    let name = displayNames.get(account);
    if (name === undefined) {
      name = `${netbiosFor(account.domain)}\\${account.sAMAccountName}`;
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
    accountsNamed: withSam,
    displayName,
    options: opts,
  };
  // Rules see the accounts in account order (src/model/account-order.ts): scopedAccounts and every
  // list built from the accounts come out sorted without sorting again. Findings are sorted on their
  // own keys, so this order never shows; the index and the name tables keep the file's order.
  // collect writes snapshots in this order, so usually this is one pass and no copy.
  ctx.snapshot = { ...snapshot, accounts: inAccountOrder(snapshot.accounts, snapshot.domains) };
  return ctx;
}

function definedOnly<T extends object>(o: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
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
