import { fixAccount } from '../../analyze/context.js';
import { computerAccountOf } from '../../analyze/endpoints.js';
import { accountSetFix, manualFix } from '../../analyze/fixes.js';
import type { Rule, RuleContext } from '../../analyze/types.js';
import type { Account } from '../../model/directory.js';
import type { Finding, Fix, Severity } from '../../model/finding.js';
import type { IisServer } from '../../model/iis.js';
import { quotePowerShell } from '../../remediate/quote.js';
import { accountFinding, describeAccount, joinAnd } from './finding.js';
import { poolLabels, poolServers, scopedAccounts, type PoolUse } from './scope.js';

/** Principals every computer account belongs to: Everyone, Authenticated Users. */
const EVERY_COMPUTER_SIDS = new Set(['S-1-1-0', 'S-1-5-11']);

type Grant =
  /** The computer's SID, its primary group (e.g. Domain Computers) or a principal every computer is in. */
  | 'granted'
  /** Provably not granted: every SID in the descriptor is an account in the snapshot, none of them this computer. */
  | 'not-granted'
  /** Not granted directly, but the descriptor grants SIDs that may be groups the snapshot cannot expand. */
  | 'maybe-via-group'
  /** The server's computer account (or its SID) is not in the snapshot. */
  | 'unknown-computer';

interface ServerGrant {
  server: IisServer;
  computer: Account | null;
  grant: Grant;
}

const upper = (sid: string): string => sid.trim().toUpperCase();

function grantFor(computer: Account | null, granted: ReadonlySet<string>, unresolved: readonly string[]): Grant {
  if ([...granted].some((s) => EVERY_COMPUTER_SIDS.has(s))) return 'granted';
  if (!computer || !computer.objectSid) return 'unknown-computer';
  const sid = upper(computer.objectSid);
  if (granted.has(sid)) return 'granted';
  // Primary group membership (Domain Computers, RID 515) is not in memberOf, but it is a membership.
  if (computer.primaryGroupId !== null) {
    const primaryGroup = `${sid.replace(/-\d+$/, '')}-${computer.primaryGroupId}`;
    if (granted.has(primaryGroup)) return 'granted';
  }
  return unresolved.length > 0 ? 'maybe-via-group' : 'not-granted';
}

function computerSam(grant: ServerGrant): string {
  return grant.computer ? grant.computer.sAMAccountName : `${grant.server.netbiosName.toUpperCase()}$`;
}

function grantFix(ctx: RuleContext, gmsa: Account, membership: readonly string[], bySid: ReadonlyMap<string, Account>, missing: ServerGrant[], severity: Severity): Fix {
  // -PrincipalsAllowedToRetrieveManagedPassword replaces the list, so today's principals are repeated.
  const current = membership.map((sid) => bySid.get(upper(sid))?.sAMAccountName ?? sid);
  const names = [...new Set([...current, ...missing.map(computerSam)])];
  const quoted = names.map(quotePowerShell);
  if (quoted.some((q) => q === null)) {
    return manualFix(
      `Command withheld: a principal name contains characters that cannot be quoted safely; grant ${joinAnd(missing.map(computerSam))} the right to retrieve the password of ${ctx.displayName(gmsa)} by hand.`,
    );
  }
  return accountSetFix(
    fixAccount(ctx, gmsa),
    { kind: 'retrieve-password-principals', value: names, previous: current },
    {
      note:
        severity === 'error'
          ? 'replaces the list: the command repeats the principals granted today'
          : 'only if the server is not a member of the granted group(s); replaces the list: the command repeats the principals granted today',
    },
  );
}

function describeServers(grants: ServerGrant[]): string {
  return joinAnd(grants.map((g) => `${g.server.name} (${computerSam(g)})`));
}

export const gmsaNotRetrievableRule: Rule = {
  id: 'gmsa-not-retrievable',
  severity: 'error',
  category: 'account',
  title: 'Server not allowed to retrieve the gMSA password of its pool identity',
  why:
    'A server can run an application pool as a gMSA only if msDS-GroupMSAMembership (PrincipalsAllowedToRetrieveManagedPassword) grants its computer account, directly or through a group. Otherwise the server cannot fetch the password and the pool fails to start there (HTTP 503 on that node).',
  docs: 'docs/rules/gmsa-not-retrievable.md',
  needsInventory: true,
  check(ctx) {
    const findings: Finding[] = [];
    // An unreadable descriptor proves nothing either way.
    const candidates = scopedAccounts(ctx).filter(({ account, pools }) => account.kind === 'gmsa' && pools.length > 0 && account.groupMsaMembership !== null);
    if (candidates.length === 0) return findings;
    // Only the SIDs some descriptor grants are looked up: not a map of every account of the snapshot.
    const wanted = new Set(candidates.flatMap(({ account }) => (account.groupMsaMembership ?? []).map(upper)));
    const bySid = new Map<string, Account>();
    for (const a of ctx.snapshot.accounts) {
      if (!a.objectSid) continue;
      const sid = upper(a.objectSid);
      if (wanted.has(sid)) bySid.set(sid, a);
    }
    for (const { account: gmsa, pools } of candidates) {
      const membership = gmsa.groupMsaMembership ?? [];
      const granted = new Set(membership.map(upper));
      const unresolved = membership.filter((sid) => !bySid.has(upper(sid)) && !EVERY_COMPUTER_SIDS.has(upper(sid)));
      const grants: ServerGrant[] = poolServers(pools).map((server) => {
        const computer = computerAccountOf(ctx, server);
        return { server, computer, grant: grantFor(computer, granted, unresolved) };
      });
      const notGranted = grants.filter((g) => g.grant === 'not-granted');
      const uncertain = grants.filter((g) => g.grant === 'maybe-via-group' || g.grant === 'unknown-computer');
      if (notGranted.length === 0 && uncertain.length === 0) continue;
      const severity: Severity = notGranted.length > 0 ? 'error' : 'info';
      const poolsOn = (server: IisServer): PoolUse[] => pools.filter((p) => p.server === server);
      const parts: string[] = [];
      if (notGranted.length > 0) {
        parts.push(
          `msDS-GroupMSAMembership does not grant ${describeServers(notGranted)}, so ${notGranted.length === 1 ? 'that server' : 'those servers'} cannot retrieve its password and ${joinAnd(notGranted.flatMap((g) => poolLabels(poolsOn(g.server))))} cannot start (HTTP 503)`,
        );
      }
      const viaGroup = uncertain.filter((g) => g.grant === 'maybe-via-group');
      if (viaGroup.length > 0) {
        parts.push(
          `${describeServers(viaGroup)} ${viaGroup.length === 1 ? 'is' : 'are'} not granted directly; the descriptor also grants ${joinAnd(unresolved)}, probably group(s) whose membership cannot be resolved from the snapshot: check that ${viaGroup.length === 1 ? 'it is a member' : 'they are members'}`,
        );
      }
      const unknown = uncertain.filter((g) => g.grant === 'unknown-computer');
      if (unknown.length > 0) {
        parts.push(`the computer account of ${joinAnd(unknown.map((g) => g.server.name))} is not in the snapshot (or has no SID), so whether it is granted was not checked`);
      }
      const fixes: Fix[] = [grantFix(ctx, gmsa, membership, bySid, [...notGranted, ...uncertain], severity)];
      fixes.push(
        manualFix(
          `On ${joinAnd([...notGranted, ...uncertain].map((g) => g.server.name))}: Test-ADServiceAccount ${gmsa.sAMAccountName} must return True; then recycle ${joinAnd([...notGranted, ...uncertain].flatMap((g) => poolsOn(g.server).map((p) => `"${p.pool.name}"`)))}.`,
          'a grant through a group needs a reboot of the server (or klist -li 0x3e7 purge) before the new membership counts',
        ),
      );
      findings.push(
        accountFinding(gmsaNotRetrievableRule, ctx, gmsa, {
          severity,
          message: `${describeAccount(ctx, gmsa)} is the identity of ${joinAnd(poolLabels(pools))}: ${parts.join('; ')}.`,
          evidence: {
            groupMsaMembership: membership,
            servers: grants.map((g) => ({ server: g.server.name, computer: computerSam(g), grant: g.grant })),
            unresolvedPrincipals: unresolved,
          },
          fixes,
        }),
      );
    }
    return findings;
  },
};
