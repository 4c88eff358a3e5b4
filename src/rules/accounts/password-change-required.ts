import { fixAccount } from '../../analyze/context.js';
import { accountSetFix } from '../../analyze/fixes.js';
import type { Rule } from '../../analyze/types.js';
import type { Finding, Fix } from '../../model/finding.js';
import { resetPasswordFix, updatePoolPasswordFix } from './common-fixes.js';
import { accountFinding, describeAccount, poolSuffix, spnCount } from './finding.js';
import { poolLabels, scopedAccounts } from './scope.js';

export const passwordChangeRequiredRule: Rule = {
  id: 'password-change-required',
  severity: 'error',
  category: 'account',
  title: 'Pool identity or SPN holder must change its password at next logon',
  why:
    'pwdLastSet = 0 means "user must change password at next logon". Such an account cannot log on non-interactively: an application pool running as it fails to start (HTTP 503), and so does any service running as an SPN holder in that state.',
  docs: 'docs/rules/password-change-required.md',
  needsInventory: false,
  check(ctx) {
    const findings: Finding[] = [];
    for (const entry of scopedAccounts(ctx)) {
      const { account, pools } = entry;
      // Computer, gMSA and MSA passwords are managed by machines, never "changed at next logon" by a person.
      if (account.kind !== 'user' || !account.mustChangePassword) continue;
      const labels = poolLabels(pools);
      const impact =
        pools.length > 0
          ? 'IIS cannot log the pool on with it (the logon fails with "password must change"), so the pool stops and its sites answer 503 Service Unavailable'
          : `a service running as it cannot log on until someone sets a password; it holds ${spnCount(account.servicePrincipalNames.length)}`;
      const fixes: Fix[] = [
        accountSetFix(fixAccount(ctx, account), { kind: 'flag', cmdlet: 'class', flag: 'ChangePasswordAtLogon', value: false, previous: true }, {
          note: 'when the password the service stores is already the account password',
        }),
        resetPasswordFix(ctx, account, 'otherwise set a new password (prompts for it), then clear the flag with the command above'),
      ];
      const poolFix = updatePoolPasswordFix(pools);
      if (poolFix) fixes.push(poolFix);
      findings.push(
        accountFinding(passwordChangeRequiredRule, ctx, account, {
          severity: pools.length > 0 ? 'error' : 'warning',
          message: `${describeAccount(ctx, account)}${poolSuffix(labels)} must change its password at next logon (pwdLastSet = 0): ${impact}.`,
          evidence: { mustChangePassword: true, pwdLastSet: null, pools: labels, spnCount: account.servicePrincipalNames.length },
          fixes,
        }),
      );
    }
    return findings;
  },
};
