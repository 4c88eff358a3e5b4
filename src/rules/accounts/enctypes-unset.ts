import type { Rule } from '../../analyze/types.js';
import type { Finding, Fix } from '../../model/finding.js';
import { renewKeysFixes, setAesOnlyFix } from './common-fixes.js';
import { accountFinding, describeAccount, poolSuffix, spnCount } from './finding.js';
import { enctypesUnset, isDesOnly, isEnabled } from './flags.js';
import { aesKeysMissing, poolLabels, scopedAccounts } from './scope.js';

export const enctypesUnsetRule: Rule = {
  id: 'enctypes-unset',
  severity: 'info',
  category: 'encryption',
  title: 'SPN account has no msDS-SupportedEncryptionTypes',
  why:
    'Without msDS-SupportedEncryptionTypes the KDC uses the domain default: RC4 and AES before the April 2026 Kerberos hardening (KB5073381), AES only after it. Usually fine; an error when the account also has no AES keys (aes-keys-missing), because then no usable ticket can be issued once the AES-only default is enforced.',
  docs: 'docs/rules/enctypes-unset.md',
  needsInventory: false,
  check(ctx) {
    const findings: Finding[] = [];
    for (const { account, pools, holdsSpns } of scopedAccounts(ctx)) {
      // Only accounts that receive service tickets (hold SPNs) are affected by the KDC default;
      // USE_DES_KEY_ONLY overrides the attribute (des-only reports those).
      if (!holdsSpns || !isEnabled(account) || !enctypesUnset(account) || isDesOnly(account)) continue;
      const noAes = aesKeysMissing(ctx, account) === true;
      const labels = poolLabels(pools);
      const fixes: Fix[] = noAes ? [...renewKeysFixes(ctx, account, pools)] : [];
      fixes.push(setAesOnlyFix(ctx, account, noAes ? 'after the new password is set' : 'states the AES-only default explicitly'));
      const impact = noAes
        ? 'and its password predates AES keys (aes-keys-missing): once the AES-only default of KB5073381 is enforced, the KDC has no usable key and Kerberos to its SPNs fails'
        : 'so its tickets follow the domain default: RC4 allowed until the AES-only default of KB5073381 is enforced, AES only afterwards';
      findings.push(
        accountFinding(enctypesUnsetRule, ctx, account, {
          severity: noAes ? 'error' : 'info',
          message: `${describeAccount(ctx, account)}${poolSuffix(labels)} holds ${spnCount(account.servicePrincipalNames.length)} and ${account.supportedEncryptionTypes === null ? 'has no msDS-SupportedEncryptionTypes' : `sets no encryption type in msDS-SupportedEncryptionTypes (${account.supportedEncryptionTypes})`}, ${impact}.`,
          evidence: { supportedEncryptionTypes: account.supportedEncryptionTypes, aesKeysMissing: noAes, pools: labels, spnCount: account.servicePrincipalNames.length },
          fixes,
        }),
      );
    }
    return findings;
  },
};
