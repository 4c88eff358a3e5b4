import { fixAccount } from '../../analyze/context.js';
import { accountSetFix } from '../../analyze/fixes.js';
import type { Rule } from '../../analyze/types.js';
import type { Finding } from '../../model/finding.js';
import { accountFinding, describeAccount, poolSuffix } from './finding.js';
import { doesNotRequirePreauth, isEnabled, isPrivileged } from './flags.js';
import { poolLabels, scopedAccounts } from './scope.js';

export const preauthNotRequiredRule: Rule = {
  id: 'preauth-not-required',
  severity: 'warning',
  category: 'security',
  title: 'Kerberos pre-authentication not required',
  why:
    'DONT_REQ_PREAUTH lets anyone, without credentials, ask the KDC for an AS-REP encrypted with the account\'s key and crack the password offline (AS-REP roasting). Error when the account is privileged.',
  docs: 'docs/rules/preauth-not-required.md',
  needsInventory: false,
  check(ctx) {
    const findings: Finding[] = [];
    for (const { account, pools } of scopedAccounts(ctx)) {
      // The KDC refuses AS requests for disabled accounts, so they cannot be AS-REP roasted.
      if (!isEnabled(account) || !doesNotRequirePreauth(account)) continue;
      const labels = poolLabels(pools);
      const privileged = isPrivileged(account);
      findings.push(
        accountFinding(preauthNotRequiredRule, ctx, account, {
          severity: privileged ? 'error' : 'warning',
          message: `${describeAccount(ctx, account)}${poolSuffix(labels)} does not require Kerberos pre-authentication (DONT_REQ_PREAUTH): anyone on the network can request material encrypted with its key and crack the password offline${privileged ? ', and the account is privileged' : ''}.`,
          evidence: { userAccountControl: account.userAccountControl, privileged: account.privileged, adminCount: account.adminCount, pools: labels },
          fixes: [
            accountSetFix(
              fixAccount(ctx, account),
              { kind: 'flag', cmdlet: 'Set-ADAccountControl', flag: 'DoesNotRequirePreAuth', value: false, previous: true },
              { note: 'then change the password: it may already have been captured' },
            ),
          ],
        }),
      );
    }
    return findings;
  },
};
