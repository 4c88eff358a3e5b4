import { fixAccount } from '../../analyze/context.js';
import { accountSetFix, adCmdlet, manualFix } from '../../analyze/fixes.js';
import { quotePowerShell } from '../../remediate/quote.js';
import type { Rule } from '../../analyze/types.js';
import type { Finding } from '../../model/finding.js';
import { accountFinding, describeAccount, poolSuffix } from './finding.js';
import { isDomainController, isEnabled, isTrustedForDelegation } from './flags.js';
import { poolLabels, scopedAccounts } from './scope.js';

export const unconstrainedDelegationRule: Rule = {
  id: 'unconstrained-delegation',
  severity: 'error',
  category: 'security',
  title: 'Unconstrained delegation on a non-DC SPN holder or pool identity',
  why:
    'TRUSTED_FOR_DELEGATION makes every user\'s TGT travel to the service, which can then act as that user anywhere. Whoever controls the account (or the web server) can harvest TGTs, including those of admins coerced into authenticating: a path to domain compromise. Domain controllers are excluded (they need it).',
  docs: 'docs/rules/unconstrained-delegation.md',
  needsInventory: false,
  check(ctx) {
    const findings: Finding[] = [];
    for (const { account, pools } of scopedAccounts(ctx)) {
      if (!isEnabled(account) || !isTrustedForDelegation(account) || isDomainController(account)) continue;
      const labels = poolLabels(pools);
      const name = ctx.displayName(account);
      findings.push(
        accountFinding(unconstrainedDelegationRule, ctx, account, {
          message: `${describeAccount(ctx, account)}${poolSuffix(labels)} is trusted for unconstrained delegation (TRUSTED_FOR_DELEGATION): users' TGTs are sent to it, and anyone who controls it can impersonate them anywhere in the forest.`,
          evidence: {
            userAccountControl: account.userAccountControl,
            allowedToDelegateTo: account.allowedToDelegateTo,
            pools: labels,
          },
          fixes: [
            accountSetFix(fixAccount(ctx, account), { kind: 'flag', cmdlet: 'class', flag: 'TrustedForDelegation', value: false, previous: true }),
            manualFix(
              `If the application must reach back-end services as the user, delegate to just those SPNs instead: ${adCmdlet(account.kind)} -Identity ${quotePowerShell(account.sAMAccountName) ?? '<account>'} -Add @{'msDS-AllowedToDelegateTo'=@('<back-end SPN>')} (constrained delegation), or resource-based constrained delegation on the back-end account.`,
              `find out which back ends ${name} reaches before removing the flag`,
            ),
          ],
        }),
      );
    }
    return findings;
  },
};
