import { fixAccount } from '../../analyze/context.js';
import { accountSetFix } from '../../analyze/fixes.js';
import type { Rule } from '../../analyze/types.js';
import type { Finding } from '../../model/finding.js';
import { accountFinding, describeAccount, poolSuffix } from './finding.js';
import { isDomainController, isEnabled, isTrustedToAuthForDelegation } from './flags.js';
import { poolLabels, scopedAccounts } from './scope.js';

export const protocolTransitionRule: Rule = {
  id: 'protocol-transition',
  severity: 'info',
  category: 'security',
  title: 'Constrained delegation with protocol transition',
  why:
    'TRUSTED_TO_AUTH_FOR_DELEGATION ("use any authentication protocol") lets the service obtain a ticket for any user without that user\'s credentials (S4U2Self) and forward it to the SPNs in msDS-AllowedToDelegateTo. Needed only when users reach the service without Kerberos (forms, certificates); otherwise Kerberos-only delegation is safer.',
  docs: 'docs/rules/protocol-transition.md',
  needsInventory: false,
  check(ctx) {
    const findings: Finding[] = [];
    for (const { account, pools } of scopedAccounts(ctx)) {
      if (!isEnabled(account) || !isTrustedToAuthForDelegation(account) || isDomainController(account)) continue;
      const labels = poolLabels(pools);
      const targets = account.allowedToDelegateTo;
      const reach = targets.length > 0 ? `to ${targets.join(', ')}` : 'to the SPNs it is allowed to delegate to (none listed today)';
      findings.push(
        accountFinding(protocolTransitionRule, ctx, account, {
          message: `${describeAccount(ctx, account)}${poolSuffix(labels)} is trusted to authenticate for delegation (protocol transition): whoever controls it can impersonate any user, without their password, ${reach}.`,
          evidence: { userAccountControl: account.userAccountControl, allowedToDelegateTo: targets, pools: labels },
          fixes: [
            accountSetFix(
              fixAccount(ctx, account),
              { kind: 'flag', cmdlet: 'Set-ADAccountControl', flag: 'TrustedToAuthForDelegation', value: false, previous: true },
              { note: 'only when every user reaches the service with Kerberos: delegation to the listed SPNs keeps working as Kerberos-only' },
            ),
          ],
        }),
      );
    }
    return findings;
  },
};
