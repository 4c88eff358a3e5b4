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
  /** DNS domain name for a NetBIOS name or DNS name; null when the name is no domain in scope. */
  const domainDns = (name: string): string | null => {
    const d = byDomain.get(name.toLowerCase());
    if (d) return d.dnsName.toLowerCase();
    // Accounts may come from a domain the snapshot has no Domain entry for.
    const lower = name.toLowerCase();
    return snapshot.accounts.some((a) => a.domain.toLowerCase() === lower) ? lower : null;
  };

  const bySam = new Map<string, Account[]>();
  const byUpn = new Map<string, Account>();
  for (const a of snapshot.accounts) {
    const sam = a.sAMAccountName.toLowerCase();
    const list = bySam.get(sam) ?? [];
    list.push(a);
    bySam.set(sam, list);
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

  return {
    snapshot,
    inventory,
    index,
    forests: snapshot.forests,
    domains: snapshot.domains,
    findAccount,
    displayName: (account) => `${netbiosOf(snapshot.domains, account.domain)}\\${account.sAMAccountName}`,
    options: opts,
  };
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
  const names = new Set(ctx.forests.map((f) => f.rootDomain.toLowerCase()));
  for (const a of ctx.snapshot.accounts) names.add(ctx.index.forestOf(a));
  return [...names].sort();
}

/** Stable ordering for accounts in messages and evidence: by display name, then objectGUID. */
export function compareAccounts(ctx: RuleContext, a: Account, b: Account): number {
  const da = ctx.displayName(a).toLowerCase();
  const db = ctx.displayName(b).toLowerCase();
  if (da !== db) return da < db ? -1 : 1;
  return a.objectGuid < b.objectGuid ? -1 : a.objectGuid > b.objectGuid ? 1 : 0;
}
