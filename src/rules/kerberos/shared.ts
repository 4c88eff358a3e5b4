/**
 * Helpers the Kerberos-path rules share: who SHOULD decrypt an endpoint's tickets, subjects, and
 * the fix patterns (register on the right account without taking an SPN from someone else).
 */
import { appLocation, webEndpoints, type WebEndpoint } from '../../analyze/endpoints.js';
import { fixAccount } from '../../analyze/context.js';
import { setspnAdd } from '../../analyze/fixes.js';
import type { RuleContext, SpnHolder } from '../../analyze/types.js';
import type { Account } from '../../model/directory.js';
import type { FindingSubject, Fix } from '../../model/finding.js';

export const WINDOWS_AUTH_SECTION = 'system.webServer/security/authentication/windowsAuthentication';

/**
 * The classic misconfiguration (kernel mode on, useAppPoolCredentials off, a domain pool identity
 * that holds the site's SPN): the admin evidently meant the pool identity to decrypt. Returns that
 * identity when this endpoint's application is in that state, else null.
 */
export function classicKernelModeIdentity(ctx: RuleContext, e: WebEndpoint): Account | null {
  if (!e.windowsAuth.useKernelMode || e.windowsAuth.useAppPoolCredentials) return null;
  const pool = e.appPool;
  if (!pool || pool.identityType !== 'SpecificUser' || pool.identity?.scope === 'local' || !pool.userName) return null;
  const identity = ctx.findAccount(pool.userName, e.server.domain);
  if (!identity || identity.kind === 'computer') return null;
  const sameApp = webEndpoints(ctx).filter((x) => x.server === e.server && x.site === e.site && x.application === e.application);
  return sameApp.some((x) => x.resolution.via === 'explicit' && x.resolution.holders.some((h) => h.account === identity)) ? identity : null;
}

export interface IntendedDecryptor {
  account: Account | null;
  name: string | null;
  /** true when it differs from the current decryptor because of the classic kernel-mode case. */
  afterUseAppPoolCredentials: boolean;
}

/** The account that should decrypt once the kernel-mode classic is fixed; else the current decryptor. */
export function intendedDecryptor(ctx: RuleContext, e: WebEndpoint): IntendedDecryptor {
  const classic = classicKernelModeIdentity(ctx, e);
  if (classic) return { account: classic, name: ctx.displayName(classic), afterUseAppPoolCredentials: true };
  return { account: e.decryptor.account, name: e.decryptor.name, afterUseAppPoolCredentials: false };
}

export function sortedHolderNames(ctx: RuleContext, holders: readonly SpnHolder[]): string[] {
  return holders.map((h) => ctx.displayName(h.account)).sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
}

export function holdersSorted(ctx: RuleContext, holders: readonly SpnHolder[]): SpnHolder[] {
  return [...holders].sort((a, b) => {
    const x = ctx.displayName(a.account).toLowerCase();
    const y = ctx.displayName(b.account).toLowerCase();
    return x < y ? -1 : x > y ? 1 : a.account.objectGuid.localeCompare(b.account.objectGuid);
  });
}

/** Subject for an IIS-scoped finding; `account` is the account the finding is about, when any. */
export function endpointSubject(ctx: RuleContext, e: WebEndpoint, account: Account | null): FindingSubject {
  return {
    ...(account ? { account: ctx.displayName(account), accountGuid: account.objectGuid } : {}),
    spn: e.expectedSpn,
    host: e.host,
    server: e.server.name,
    site: appLocation(e.site, e.application),
    ...(e.appPool ? { appPool: e.appPool.name } : {}),
  };
}

/** Add -F when the forest has more than one domain, so setspn's duplicate check covers it. */
export function forestWideCheck(ctx: RuleContext, account: Account): boolean {
  const forest = ctx.index.forestOf(account);
  return ctx.domains.filter((d) => d.forest.toLowerCase() === forest).length > 1;
}

export function addSpnFix(ctx: RuleContext, spn: string, account: Account, note?: string): Fix {
  const opts: { forest: boolean; note?: string } = { forest: forestWideCheck(ctx, account) };
  if (note) opts.note = note;
  return setspnAdd(spn, fixAccount(ctx, account), opts);
}

/** Endpoints of one name grouped so each (server, site, application, SPN) is reported once. */
export function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const item of items) {
    const k = key(item);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(item);
  }
  return out;
}

export function endpointKey(e: WebEndpoint): string {
  return [e.server.name, e.site.name, e.application.path, e.expectedSpn].join('\u0000').toLowerCase();
}

export function aliasSideEffect(spn: string, aliasHolder: string, newHolder: string): string {
  return `an explicit ${spn} overrides the HOST alias on ${aliasHolder}: every HTTP-class Kerberos service on that name (WinRM, PowerShell remoting, other sites) will get tickets for ${newHolder}`;
}
