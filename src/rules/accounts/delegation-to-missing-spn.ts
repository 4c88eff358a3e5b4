import { fixAccount } from '../../analyze/context.js';
import { accountSetFix, manualFix } from '../../analyze/fixes.js';
import type { Rule } from '../../analyze/types.js';
import type { Finding, Fix } from '../../model/finding.js';
import { quotePowerShell } from '../../remediate/quote.js';
import { accountFinding, describeAccount } from './finding.js';

export const delegationToMissingSpnRule: Rule = {
  id: 'delegation-to-missing-spn',
  severity: 'warning',
  category: 'security',
  title: 'Constrained delegation to an SPN nobody holds',
  why:
    'An msDS-AllowedToDelegateTo value that no account in the forest holds (explicitly, or through the sPNMappings HOST alias) cannot work: delegation to it fails. Worse, whoever can register that SPN on an account they control receives the delegated user identities.',
  docs: 'docs/rules/delegation-to-missing-spn.md',
  needsInventory: false,
  check(ctx) {
    const findings: Finding[] = [];
    // The context's accounts are in display-name order already.
    for (const account of ctx.snapshot.accounts) {
      const forest = ctx.index.forestOf(account);
      for (const target of account.allowedToDelegateTo) {
        const resolution = ctx.index.resolve(target, forest);
        if (resolution.via !== 'none') continue;
        const quoted = quotePowerShell(target);
        const fixes: Fix[] = [
          quoted === null
            ? manualFix(
                'Command withheld: the SPN contains characters that cannot be quoted safely; remove the value from msDS-AllowedToDelegateTo by hand (Active Directory Users and Computers > Delegation).',
              )
            : accountSetFix(
                fixAccount(ctx, account),
                { kind: 'multi-value', attribute: 'msDS-AllowedToDelegateTo', op: 'remove', values: [target], previous: [...account.allowedToDelegateTo] },
                { note: 'when the back end is gone or was renamed (then add its current SPN instead)' },
              ),
          manualFix(
            `If the back-end service still exists under this name, register ${target} on the account that runs it (setspn -S), so nobody else can claim it.`,
          ),
        ];
        findings.push(
          accountFinding(delegationToMissingSpnRule, ctx, account, {
            spn: target,
            message: `${describeAccount(ctx, account)} may delegate to ${target}, but no account in forest ${forest} holds that SPN (nor HOST/ through sPNMappings): delegation to it fails, and anyone who registers it on an account they control receives the delegated identities.`,
            evidence: { allowedToDelegateTo: target, forest, resolution: resolution.via },
            fixes,
          }),
        );
      }
    }
    return findings;
  },
};
