import { computerAccountOf } from '../../analyze/endpoints.js';
import { fixAccount } from '../../analyze/context.js';
import { accountSetFix } from '../../analyze/fixes.js';
import type { Rule, RuleContext } from '../../analyze/types.js';
import type { Account } from '../../model/directory.js';
import type { Finding, Fix, Severity } from '../../model/finding.js';
import { releaseSpnsFixes, resetPasswordFix, updatePoolPasswordFix } from './common-fixes.js';
import { accountFinding, describeAccount, joinAnd, poolSuffix, spnCount } from './finding.js';
import { isDisabled, isExpired, isLockedOut, isPasswordExpired } from './flags.js';
import { poolLabels, scopedAccounts, type ScopedAccount } from './scope.js';

type Problem = 'disabled' | 'expired' | 'locked-out' | 'password-expired';

const PROBLEM_TEXT: Record<Problem, string> = {
  disabled: 'disabled',
  expired: 'expired (accountExpires is in the past)',
  'locked-out': 'locked out',
  'password-expired': 'past its password expiry',
};

function problemsOf(account: Account, now: Date): Problem[] {
  const problems: Problem[] = [];
  if (isDisabled(account)) problems.push('disabled');
  if (isExpired(account, now)) problems.push('expired');
  if (isLockedOut(account)) problems.push('locked-out');
  if (isPasswordExpired(account)) problems.push('password-expired');
  return problems;
}

function fixesFor(ctx: RuleContext, entry: ScopedAccount, problems: Problem[], isIisServer: boolean): Fix[] {
  const { account, pools } = entry;
  const target = fixAccount(ctx, account);
  const fixes: Fix[] = [];
  if (problems.includes('disabled')) {
    fixes.push(accountSetFix(target, { kind: 'flag', cmdlet: 'class', flag: 'Enabled', value: true, previous: false }, { note: 'if the account is still meant to run the service' }));
  }
  if (problems.includes('expired')) {
    fixes.push(
      accountSetFix(target, { kind: 'clear-expiry', previous: account.accountExpires }, { note: 'removes the expiry date' }),
    );
  }
  if (problems.includes('locked-out')) {
    fixes.push(
      accountSetFix(target, { kind: 'unlock' }, {
        note: 'first find what keeps sending the old password (often a pool or service with a stale stored password), or it locks out again',
      }),
    );
  }
  if (problems.includes('password-expired')) {
    fixes.push(resetPasswordFix(ctx, account, 'prompts for the new password'));
    const poolFix = updatePoolPasswordFix(pools);
    if (poolFix) fixes.push(poolFix);
  }
  // A retired account that only holds SPNs should give them up rather than come back to life.
  if (pools.length === 0 && !isIisServer && problems.some((p) => p === 'disabled' || p === 'expired')) {
    fixes.push(...releaseSpnsFixes(ctx, account, 'instead, if the account is retired: frees the SPN for the account that runs the service now'));
  }
  return fixes;
}

function severityFor(entry: ScopedAccount, isIisServer: boolean): Severity {
  if (entry.pools.length > 0 || isIisServer) return 'error';
  // Stale computer objects are common and their HOST/ SPNs rarely collide with web names.
  if (entry.account.kind === 'computer') return 'info';
  return 'warning';
}

function impactOf(entry: ScopedAccount, isIisServer: boolean): string {
  if (entry.pools.length > 0) {
    return 'IIS cannot log the pool on with it: the pool stops and its sites answer 503 Service Unavailable (WAS events 5057/5059)';
  }
  if (isIisServer) return 'the web server cannot authenticate to the domain, so Kerberos to its sites fails';
  return `nothing can run as it, yet it keeps its ${spnCount(entry.account.servicePrincipalNames.length)}: tickets for those names are encrypted for this account, and registering them on the account that runs the service fails as a duplicate (8647)`;
}

export const accountUnusableRule: Rule = {
  id: 'account-unusable',
  severity: 'error',
  category: 'account',
  title: 'SPN holder or pool identity is disabled, expired, locked out or has an expired password',
  why:
    'A disabled, expired or locked-out account, or a user whose password has expired, cannot log on: an application pool running as it stops (HTTP 503), and an SPN it still holds keeps tickets and blocks re-registration of the name elsewhere.',
  docs: 'docs/rules/account-unusable.md',
  needsInventory: false,
  check(ctx) {
    const now = ctx.options.now;
    const serverAccounts = new Set<Account>();
    for (const server of ctx.inventory?.servers ?? []) {
      const computer = computerAccountOf(ctx, server);
      if (computer) serverAccounts.add(computer);
    }
    const findings: Finding[] = [];
    for (const entry of scopedAccounts(ctx)) {
      const problems = problemsOf(entry.account, now);
      if (problems.length === 0) continue;
      const isIisServer = serverAccounts.has(entry.account);
      const pools = poolLabels(entry.pools);
      findings.push(
        accountFinding(accountUnusableRule, ctx, entry.account, {
          severity: severityFor(entry, isIisServer),
          message: `${describeAccount(ctx, entry.account)}${poolSuffix(pools)} is ${joinAnd(problems.map((p) => PROBLEM_TEXT[p]))}: ${impactOf(entry, isIisServer)}.`,
          evidence: {
            problems,
            userAccountControl: entry.account.userAccountControl,
            userAccountControlComputed: entry.account.userAccountControlComputed,
            accountExpires: entry.account.accountExpires,
            pools,
            iisServer: isIisServer,
            spnCount: entry.account.servicePrincipalNames.length,
          },
          fixes: fixesFor(ctx, entry, problems, isIisServer),
        }),
      );
    }
    return findings;
  },
};
