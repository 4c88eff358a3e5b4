import { fixAccount } from '../../analyze/context.js';
import { accountSetFix } from '../../analyze/fixes.js';
import type { Rule } from '../../analyze/types.js';
import type { Finding, Fix } from '../../model/finding.js';
import { setAesOnlyFix } from './common-fixes.js';
import { accountFinding, describeAccount, poolSuffix } from './finding.js';
import { enctypeNames, hasUseDesKeyOnly, isDesOnly, isEnabled } from './flags.js';
import { poolLabels, scopedAccounts } from './scope.js';

export const desOnlyRule: Rule = {
  id: 'des-only',
  severity: 'error',
  category: 'encryption',
  title: 'Account only supports DES for Kerberos',
  why:
    'USE_DES_KEY_ONLY, or msDS-SupportedEncryptionTypes with only DES types, limits tickets for the account to DES. DES is off by default since Windows 7 / Server 2008 R2, so clients and servers find no common encryption type (KDC_ERR_ETYPE_NOSUPP): Kerberos fails and browsers fall back to NTLM or get 401.',
  docs: 'docs/rules/des-only.md',
  needsInventory: false,
  check(ctx) {
    const findings: Finding[] = [];
    for (const { account, pools } of scopedAccounts(ctx)) {
      // A disabled account is reported by account-unusable; its encryption types do not matter until then.
      if (!isEnabled(account) || !isDesOnly(account)) continue;
      const byFlag = hasUseDesKeyOnly(account);
      const labels = poolLabels(pools);
      const fixes: Fix[] = [];
      if (byFlag) {
        fixes.push(
          accountSetFix(fixAccount(ctx, account), { kind: 'flag', cmdlet: 'Set-ADAccountControl', flag: 'UseDESKeyOnly', value: false, previous: true }),
        );
      }
      fixes.push(setAesOnlyFix(ctx, account, 'AES keys exist only if the password was set on a Windows Server 2008+ DC: reset it if aes-keys-missing is reported too'));
      const why = byFlag ? 'userAccountControl has USE_DES_KEY_ONLY' : `msDS-SupportedEncryptionTypes is ${account.supportedEncryptionTypes} (${enctypeNames(account.supportedEncryptionTypes).join(', ')})`;
      findings.push(
        accountFinding(desOnlyRule, ctx, account, {
          message: `${describeAccount(ctx, account)}${poolSuffix(labels)} only supports DES (${why}): systems with DES disabled (the default since Windows 7 / Server 2008 R2) cannot use its tickets, so Kerberos fails with KDC_ERR_ETYPE_NOSUPP and clients fall back to NTLM.`,
          evidence: {
            useDesKeyOnly: byFlag,
            supportedEncryptionTypes: account.supportedEncryptionTypes,
            enctypes: enctypeNames(account.supportedEncryptionTypes),
            pools: labels,
          },
          fixes,
        }),
      );
    }
    return findings;
  },
};
