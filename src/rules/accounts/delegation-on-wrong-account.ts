import { fixAccount } from '../../analyze/context.js';
import { appLocation, webEndpoints } from '../../analyze/endpoints.js';
import { accountSetFix, appcmdSet, manualFix } from '../../analyze/fixes.js';
import type { Rule, RuleContext } from '../../analyze/types.js';
import type { Account } from '../../model/directory.js';
import type { Finding, Fix } from '../../model/finding.js';
import { quotePowerShell } from '../../remediate/quote.js';
import { accountFinding, describeAccount, joinAnd } from './finding.js';
import { isTrustedForDelegation } from './flags.js';
import { resolvePoolIdentity } from './scope.js';

const WINDOWS_AUTH_SECTION = 'system.webServer/security/authentication/windowsAuthentication';

interface Delegation {
  unconstrained: boolean;
  /** msDS-AllowedToDelegateTo values. */
  constrained: string[];
  /** Accounts whose msDS-AllowedToActOnBehalfOfOtherIdentity lets this account delegate to them (RBCD). */
  rbcdBackEnds: Account[];
}

function rbcdIndex(ctx: RuleContext): Map<string, Account[]> {
  const bySid = new Map<string, Account[]>();
  for (const backEnd of ctx.snapshot.accounts) {
    for (const sid of backEnd.allowedToActOnBehalfOf ?? []) {
      const key = sid.trim().toUpperCase();
      bySid.set(key, [...(bySid.get(key) ?? []), backEnd]);
    }
  }
  return bySid;
}

function delegationOf(account: Account, rbcd: ReadonlyMap<string, Account[]>): Delegation {
  return {
    unconstrained: isTrustedForDelegation(account),
    constrained: account.allowedToDelegateTo,
    rbcdBackEnds: account.objectSid ? (rbcd.get(account.objectSid.trim().toUpperCase()) ?? []) : [],
  };
}

const hasAny = (d: Delegation): boolean => d.unconstrained || d.constrained.length > 0 || d.rbcdBackEnds.length > 0;

/** The decrypting account already delegates everywhere the pool identity was set up to. */
function covers(decryptor: Delegation, pool: Delegation): boolean {
  if (decryptor.unconstrained) return true;
  if (pool.unconstrained) return false;
  const targets = new Set(decryptor.constrained.map((s) => s.toLowerCase()));
  return pool.constrained.every((s) => targets.has(s.toLowerCase())) && pool.rbcdBackEnds.every((b) => decryptor.rbcdBackEnds.includes(b));
}

function describeDelegation(ctx: RuleContext, d: Delegation): string {
  const parts: string[] = [];
  if (d.unconstrained) parts.push('unconstrained delegation');
  if (d.constrained.length > 0) parts.push(`constrained delegation to ${d.constrained.join(', ')}`);
  if (d.rbcdBackEnds.length > 0) parts.push(`resource-based delegation to ${d.rbcdBackEnds.map((b) => ctx.displayName(b)).join(', ')}`);
  return joinAnd(parts);
}

function moveDelegationFixes(ctx: RuleContext, computer: Account | null, computerName: string, pool: Delegation): Fix[] {
  const fixes: Fix[] = [];
  const already = new Set((computer?.allowedToDelegateTo ?? []).map((s) => s.toLowerCase()));
  const missing = pool.constrained.filter((s) => !already.has(s.toLowerCase()));
  if (missing.length > 0 && computer) {
    const quoted = missing.map(quotePowerShell);
    fixes.push(
      quoted.some((q) => q === null)
        ? manualFix(`Command withheld: an SPN contains characters that cannot be quoted safely; add the pool identity's delegation targets to ${computerName} by hand.`)
        : accountSetFix(
            fixAccount(ctx, computer),
            { kind: 'multi-value', attribute: 'msDS-AllowedToDelegateTo', op: 'add', values: missing, previous: [...computer.allowedToDelegateTo] },
            { note: 'instead of useAppPoolCredentials: delegate from the account that decrypts the tickets (kernel mode stays as it is)' },
          ),
    );
  }
  const rbcdMissing = pool.rbcdBackEnds.filter((b) => !(computer?.objectSid && (b.allowedToActOnBehalfOf ?? []).some((sid) => sid.toUpperCase() === computer.objectSid?.toUpperCase())));
  if (rbcdMissing.length > 0) {
    fixes.push(
      manualFix(
        `Or allow ${computerName} on ${joinAnd(rbcdMissing.map((b) => ctx.displayName(b)))} (PrincipalsAllowedToDelegateToAccount on each back end, keeping the principals it lists today).`,
      ),
    );
  }
  return fixes;
}

export const delegationOnWrongAccountRule: Rule = {
  id: 'delegation-on-wrong-account',
  severity: 'warning',
  category: 'security',
  title: 'Delegation configured on an account that does not decrypt the front-end ticket',
  why:
    'Delegation (constrained, unconstrained or resource-based) only works for the account the front-end ticket is issued to. With kernel-mode authentication and useAppPoolCredentials off, HTTP.sys decrypts with the computer account, so delegation set up for the pool identity does nothing: the second hop to the back end fails (access denied or anonymous).',
  docs: 'docs/rules/delegation-on-wrong-account.md',
  needsInventory: true,
  check(ctx) {
    const findings: Finding[] = [];
    const rbcd = rbcdIndex(ctx);
    const seen = new Set<string>();
    for (const ep of webEndpoints(ctx)) {
      // Without Negotiate there is no Kerberos ticket to delegate (negotiate-disabled covers that).
      if (!ep.negotiates || ep.decryptor.kind !== 'computer' || ep.appPool?.identityType !== 'SpecificUser') continue;
      const resolved = resolvePoolIdentity(ctx, { server: ep.server, pool: ep.appPool });
      if (resolved.status !== 'found') continue;
      const identity = resolved.account;
      const poolDelegation = delegationOf(identity, rbcd);
      if (!hasAny(poolDelegation)) continue;
      const location = appLocation(ep.site, ep.application);
      const key = `${identity.objectGuid}|${ep.server.name}|${location}`.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);

      const computer = ep.computer;
      const computerName = ep.decryptor.name ?? `${ep.server.netbiosName}$`;
      const computerDelegation: Delegation = computer ? delegationOf(computer, rbcd) : { unconstrained: false, constrained: [], rbcdBackEnds: [] };
      const covered = computer !== null && covers(computerDelegation, poolDelegation);
      const impact = covered
        ? `${computerName} already has matching delegation, so the setting on ${ctx.displayName(identity)} is unused`
        : `the second hop to the back end fails (access denied or anonymous)`;
      findings.push(
        accountFinding(delegationOnWrongAccountRule, ctx, identity, {
          severity: covered ? 'info' : 'warning',
          message: `${describeAccount(ctx, identity)} has ${describeDelegation(ctx, poolDelegation)}, but "${location}" on ${ep.server.name} runs with kernel-mode authentication and useAppPoolCredentials off, so tickets are issued to and decrypted by ${computerName}: delegation configured on the pool identity does nothing, and ${impact}.`,
          subject: { server: ep.server.name, site: ep.site.name, appPool: ep.appPool.name },
          key: [ep.server.name, location],
          evidence: {
            location,
            decryptingAccount: computerName,
            poolIdentity: ctx.displayName(identity),
            poolDelegation: {
              unconstrained: poolDelegation.unconstrained,
              constrained: poolDelegation.constrained,
              resourceBased: poolDelegation.rbcdBackEnds.map((b) => ctx.displayName(b)),
            },
            decryptorDelegation: {
              unconstrained: computerDelegation.unconstrained,
              constrained: computerDelegation.constrained,
              resourceBased: computerDelegation.rbcdBackEnds.map((b) => ctx.displayName(b)),
            },
          },
          fixes: covered
            ? [
                manualFix(
                  `Nothing breaks today: ${computerName} already delegates there. Remove the delegation from ${ctx.displayName(identity)} if no application decrypts tickets with it (useAppPoolCredentials on, or kernel mode off), so a stolen password of it reaches less.`,
                ),
              ]
            : [
                appcmdSet(ep.server.name, location, WINDOWS_AUTH_SECTION, 'useAppPoolCredentials', 'True', 'False', {
                  note: `run on ${ep.server.name}: ${ctx.displayName(identity)} then decrypts the tickets and its delegation applies; it must hold the HTTP/ SPNs of the site's names`,
                }),
                ...moveDelegationFixes(ctx, computer, computerName, poolDelegation),
              ],
          location: ep.application.pos ?? ep.appPool.pos,
        }),
      );
    }
    return findings;
  },
};
