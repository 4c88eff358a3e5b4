import type { Rule } from '../../analyze/types.js';
import type { Finding } from '../../model/finding.js';
import { renewKeysFixes } from './common-fixes.js';
import { accountFinding, describeAccount, poolSuffix } from './finding.js';
import { enctypeNames, isEnabled, isExplicitlyAesOnly } from './flags.js';
import { aesKeysMissing, domainOf, poolLabels, scopedAccounts } from './scope.js';

export const aesKeysMissingRule: Rule = {
  id: 'aes-keys-missing',
  severity: 'warning',
  category: 'encryption',
  title: 'Account password predates AES keys',
  why:
    'AES keys are created when a password is set on a Windows Server 2008+ DC. An account whose password was last set before the domain got one (the Read-only Domain Controllers group\'s creation) has only RC4/DES keys: with AES-only encryption types, or once the AES-only default of KB5073381 is enforced, the KDC has no suitable key and Kerberos fails (KDC event 14/16).',
  docs: 'docs/rules/aes-keys-missing.md',
  needsInventory: false,
  check(ctx) {
    const findings: Finding[] = [];
    for (const { account, pools } of scopedAccounts(ctx)) {
      if (!isEnabled(account) || aesKeysMissing(ctx, account) !== true) continue;
      const labels = poolLabels(pools);
      const firstAesDc = domainOf(ctx, account)?.rodcGroupCreated ?? null;
      const keysFrom = account.pwdLastSet !== null ? `its password was last set ${account.pwdLastSet}` : `its password was never changed since it was created ${account.whenCreated}`;
      // Explicitly AES-only with no AES keys: the KDC cannot issue a ticket for it today.
      const broken = isExplicitlyAesOnly(account);
      const impact = broken
        ? `its encryption types are AES only (${enctypeNames(account.supportedEncryptionTypes).join(', ')}), so the KDC cannot issue tickets for it now: Kerberos fails`
        : 'it has no AES keys, so Kerberos to it fails once only AES is allowed (the AES-only default of KB5073381, or RC4 disabled)';
      findings.push(
        accountFinding(aesKeysMissingRule, ctx, account, {
          severity: broken ? 'error' : 'warning',
          message: `${describeAccount(ctx, account)}${poolSuffix(labels)}: ${keysFrom}, before the domain's first Windows Server 2008+ DC (${firstAesDc}); ${impact}.`,
          evidence: {
            pwdLastSet: account.pwdLastSet,
            mustChangePassword: account.mustChangePassword,
            whenCreated: account.whenCreated,
            firstAesCapableDc: firstAesDc,
            supportedEncryptionTypes: account.supportedEncryptionTypes,
            pools: labels,
          },
          fixes: renewKeysFixes(ctx, account, pools),
        }),
      );
    }
    return findings;
  },
};
