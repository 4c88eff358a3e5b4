import type { Rule } from '../../analyze/types.js';
import type { Finding } from '../../model/finding.js';
import { setAesOnlyFix } from './common-fixes.js';
import { accountFinding, describeAccount, poolSuffix } from './finding.js';
import { enctypeNames, isDesOnly, isEnabled, isRc4Only } from './flags.js';
import { poolLabels, scopedAccounts } from './scope.js';

export const rc4OnlyRule: Rule = {
  id: 'rc4-only',
  severity: 'warning',
  category: 'encryption',
  title: 'Account allows RC4 but no AES for Kerberos',
  why:
    'msDS-SupportedEncryptionTypes allows RC4-HMAC and no AES type. Its service tickets are RC4, which can be cracked offline (Kerberoasting), and once RC4 is disabled on the servers or DCs (the deprecation path of KB5021131 / KB5073381) no common encryption type is left: KDC_ERR_ETYPE_NOSUPP, NTLM fallback or 401.',
  docs: 'docs/rules/rc4-only.md',
  needsInventory: false,
  check(ctx) {
    const findings: Finding[] = [];
    for (const { account, pools } of scopedAccounts(ctx)) {
      // DES-only accounts are des-only's (USE_DES_KEY_ONLY overrides the attribute); disabled ones account-unusable's.
      if (!isEnabled(account) || !isRc4Only(account) || isDesOnly(account)) continue;
      const labels = poolLabels(pools);
      const names = enctypeNames(account.supportedEncryptionTypes);
      findings.push(
        accountFinding(rc4OnlyRule, ctx, account, {
          message: `${describeAccount(ctx, account)}${poolSuffix(labels)} has msDS-SupportedEncryptionTypes ${account.supportedEncryptionTypes} (${names.join(', ')}): its tickets use RC4, which is crackable offline and stops working where RC4 is disabled (KDC_ERR_ETYPE_NOSUPP).`,
          evidence: { supportedEncryptionTypes: account.supportedEncryptionTypes, enctypes: names, pools: labels },
          fixes: [setAesOnlyFix(ctx, account, 'AES keys exist only if the password was set on a Windows Server 2008+ DC: reset it if aes-keys-missing is reported too')],
        }),
      );
    }
    return findings;
  },
};
