/**
 * Which accounts the account rules look at: SPN holders (from the snapshot) and application pool
 * identities (SpecificUser pools in the IIS inventory, when there is one), each with the pools that
 * run as it.
 */
import type { RuleContext } from '../../analyze/types.js';
import type { Account, Domain } from '../../model/directory.js';
import { isKrbtgt, keysPredate, parseTime } from './flags.js';
import type { AppPool, IisServer } from '../../model/iis.js';

export interface PoolUse {
  server: IisServer;
  pool: AppPool;
}

export type PoolResolution =
  | { status: 'found'; account: Account }
  /** The name (`name$`) matched only a computer account: a pool cannot run as a computer. */
  | { status: 'computer'; computer: Account }
  /** Not in the snapshot, although its domain is in scope. */
  | { status: 'missing' }
  /** Its domain (NetBIOS name or UPN suffix) is no domain in scope: nothing can be proven. */
  | { status: 'out-of-scope'; domain: string }
  /** A machine-local account (`.\user`, `MACHINE\user`): never a directory object. */
  | { status: 'local' };

/** Every SpecificUser pool in the inventory, in inventory order. Empty without inventory. */
export function specificUserPools(ctx: RuleContext): PoolUse[] {
  const out: PoolUse[] = [];
  for (const server of ctx.inventory?.servers ?? []) {
    for (const pool of server.appPools) {
      if (pool.identityType === 'SpecificUser' && pool.userName !== null && pool.userName.trim() !== '') out.push({ server, pool });
    }
  }
  return out;
}

/** True when `name` is a NetBIOS or DNS name of a domain in scope (or the domain of a collected account). */
function domainInScope(ctx: RuleContext, name: string): boolean {
  const lower = name.toLowerCase();
  return (
    ctx.domains.some((d) => d.dnsName.toLowerCase() === lower || d.netbiosName?.toLowerCase() === lower) ||
    ctx.snapshot.accounts.some((a) => a.domain.toLowerCase() === lower || a.userPrincipalName?.toLowerCase().endsWith(`@${lower}`) === true)
  );
}

/**
 * Resolves a pool's userName the way Windows does: `name$` is a gMSA/MSA, never a computer (a
 * computer's password is not available to IIS); other names are users.
 */
export function resolvePoolIdentity(ctx: RuleContext, use: PoolUse): PoolResolution {
  const { pool, server } = use;
  const identity = pool.identity;
  if (identity?.scope === 'local') return { status: 'local' };
  const found = ctx.findAccount(pool.userName ?? '', server.domain);
  if (found) {
    if (found.kind === 'computer') return { status: 'computer', computer: found };
    return { status: 'found', account: found };
  }
  const domain = identity?.domain ?? null;
  if (domain !== null && !domainInScope(ctx, domain)) return { status: 'out-of-scope', domain };
  return { status: 'missing' };
}

export interface ScopedAccount {
  account: Account;
  /** The account holds at least one SPN. */
  holdsSpns: boolean;
  /** Pools (any server) that run as this account. */
  pools: PoolUse[];
}

/**
 * SPN holders and resolved pool identities, one entry per account, sorted by display name.
 * Without an inventory this is the SPN holders only.
 */
export function scopedAccounts(ctx: RuleContext): ScopedAccount[] {
  // Eleven rules ask for the same list; on a million accounts building it took 11 s per audit.
  const cached = scopedCache.get(ctx);
  if (cached) return cached;
  const built = Object.freeze(buildScopedAccounts(ctx)) as ScopedAccount[];
  scopedCache.set(ctx, built);
  return built;
}

const scopedCache = new WeakMap<RuleContext, ScopedAccount[]>();

const NO_POOLS: PoolUse[] = Object.freeze([]) as unknown as PoolUse[];

function buildScopedAccounts(ctx: RuleContext): ScopedAccount[] {
  const poolsOf = new Map<Account, PoolUse[]>();
  for (const use of specificUserPools(ctx)) {
    const resolved = resolvePoolIdentity(ctx, use);
    if (resolved.status !== 'found') continue;
    const list = poolsOf.get(resolved.account);
    if (list) list.push(use);
    else poolsOf.set(resolved.account, [use]);
  }
  // The context's accounts are in display-name order already (createRuleContext sorts them), and
  // findAccount only returns accounts of that list: one pass in that order, no map of every holder, no sort.
  const out: ScopedAccount[] = [];
  for (const account of ctx.snapshot.accounts) {
    const pools = poolsOf.get(account);
    const holdsSpns = account.servicePrincipalNames.length > 0;
    if (!pools && (!holdsSpns || isKrbtgt(account))) continue;
    out.push({ account, holdsSpns, pools: pools ?? NO_POOLS });
  }
  return out;
}

/** "WEB03/PortalPool" labels for evidence and messages. */
export function poolLabels(pools: readonly PoolUse[]): string[] {
  return pools.map((u) => `${u.server.name}/${u.pool.name}`);
}

/** Servers (by inventory name, unique, in order) whose pools run as the account. */
export function poolServers(pools: readonly PoolUse[]): IisServer[] {
  const seen = new Set<string>();
  const out: IisServer[] = [];
  for (const { server } of pools) {
    const key = server.name.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(server);
    }
  }
  return out;
}

/** The Domain entry of the account's domain, when the snapshot has one. */
export function domainOf(ctx: RuleContext, account: Account): Domain | undefined {
  return domainFacts(ctx, account.domain)?.domain;
}

/** The account's keys predate the domain's first 2008+ DC (see passwordPredatesAes); null when unknown. */
export function aesKeysMissing(ctx: RuleContext, account: Account): boolean | null {
  return keysPredate(account, domainFacts(ctx, account.domain)?.firstAesDc ?? null);
}

interface DomainFacts {
  domain: Domain;
  /** rodcGroupCreated, parsed: the first Windows Server 2008+ DC. */
  firstAesDc: number | null;
}

/**
 * Per context, by the account's domain spelling as written: a million accounts share a handful of
 * spellings, so the case-folding search over ctx.domains and the date parse run once per spelling.
 */
function domainFacts(ctx: RuleContext, accountDomain: string): DomainFacts | undefined {
  let bySpelling = domainFactsMemo.get(ctx);
  if (!bySpelling) {
    bySpelling = new Map();
    domainFactsMemo.set(ctx, bySpelling);
  }
  if (bySpelling.has(accountDomain)) return bySpelling.get(accountDomain);
  const dns = accountDomain.toLowerCase();
  const domain = ctx.domains.find((d) => d.dnsName.toLowerCase() === dns);
  const facts = domain ? { domain, firstAesDc: parseTime(domain.rodcGroupCreated) } : undefined;
  bySpelling.set(accountDomain, facts);
  return facts;
}

const domainFactsMemo = new WeakMap<RuleContext, Map<string, DomainFacts | undefined>>();
