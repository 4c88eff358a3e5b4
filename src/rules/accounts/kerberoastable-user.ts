import type { Rule, RuleContext } from '../../analyze/types.js';
import type { Account } from '../../model/directory.js';
import type { Finding, Fix } from '../../model/finding.js';
import { manualFix } from '../../analyze/fixes.js';
import { netbiosOf } from '../../model/account-order.js';
import { releaseSpnsFixes, resetPasswordFix, setAesOnlyFix } from './common-fixes.js';
import { accountFinding, describeAccount, joinAnd, poolSuffix, spnCount } from './finding.js';
import { isDesOnly, isEnabled, isPrivileged, passwordAgeDays, rc4Allowance } from './flags.js';
import { poolLabels, poolServers, scopedAccounts, type PoolUse } from './scope.js';

type Aggravation = 'rc4' | 'des' | 'old-password' | 'privileged';

function gmsaMigrationFix(ctx: RuleContext, account: Account, pools: readonly PoolUse[]): Fix {
  const servers = poolServers(pools).map((s) => `${s.netbiosName.toUpperCase()}$`);
  const allowed = servers.length > 0 ? servers.join(',') : '<the servers that run the service>';
  const domain = netbiosOf(ctx.domains, account.domain);
  return manualFix(
    `Create a gMSA for the service: New-ADServiceAccount -Name <gmsa> -DNSHostName <gmsa>.${account.domain.toLowerCase()} -KerberosEncryptionType AES128,AES256 -PrincipalsAllowedToRetrieveManagedPassword ${allowed}; ` +
      `move each SPN of ${ctx.displayName(account)} to it (the setspn -D commands below, then setspn -C -S <spn> ${domain}\\<gmsa>$), and run the service${pools.length > 0 ? ` (pools ${poolLabels(pools).join(', ')})` : ''} as ${domain}\\<gmsa>$.`,
    'preferred: a gMSA has a 120-character random password rotated by AD, so its tickets cannot be cracked',
  );
}

export const kerberoastableUserRule: Rule = {
  id: 'kerberoastable-user',
  severity: 'warning',
  category: 'security',
  title: 'User account with SPNs is exposed to Kerberoasting',
  why:
    'Any domain user can request a service ticket for an SPN and try to crack the service account\'s password offline from it. Computer accounts and gMSAs/MSAs have long random passwords; user accounts usually do not. Raised to error when RC4 is allowed, the password is old, or the account is privileged.',
  docs: 'docs/rules/kerberoastable-user.md',
  needsInventory: false,
  check(ctx) {
    const findings: Finding[] = [];
    const now = ctx.options.now;
    const maxAge = ctx.options.passwordAgeDays;
    for (const { account, pools, holdsSpns } of scopedAccounts(ctx)) {
      if (account.kind !== 'user' || !holdsSpns || !isEnabled(account)) continue;
      const aggravations: Aggravation[] = [];
      const reasons: string[] = [];
      const rc4 = rc4Allowance(account);
      if (isDesOnly(account)) {
        aggravations.push('des');
        reasons.push('it uses DES keys');
      } else if (rc4 === 'explicit') {
        aggravations.push('rc4');
        reasons.push('RC4, the fastest type to crack, is allowed explicitly (msDS-SupportedEncryptionTypes)');
      } else if (rc4 === 'implicit') {
        aggravations.push('rc4');
        reasons.push('RC4 is allowed implicitly (no msDS-SupportedEncryptionTypes: the domain default includes RC4 until the AES-only default of KB5073381)');
      }
      const age = passwordAgeDays(account, now);
      if (age !== null && age > maxAge) {
        aggravations.push('old-password');
        reasons.push(`its password is ${age} days old (threshold ${maxAge})`);
      }
      if (isPrivileged(account)) {
        aggravations.push('privileged');
        reasons.push(account.privileged ? 'it is a member of a privileged group (Domain/Enterprise/Schema Admins or Administrators)' : 'it is marked adminCount=1 (protected by AdminSDHolder)');
      }
      const labels = poolLabels(pools);
      const fixes: Fix[] = [gmsaMigrationFix(ctx, account, pools)];
      fixes.push(...releaseSpnsFixes(ctx, account, 'gMSA move, step 2: frees the SPN so setspn -S can register it on the gMSA'));
      if (aggravations.includes('rc4') || aggravations.includes('des')) fixes.push(setAesOnlyFix(ctx, account, 'if the account stays a user account'));
      fixes.push(resetPasswordFix(ctx, account, 'if the account stays a user account: a long (25+ characters) random password; store it in the pools that use it'));
      if (aggravations.includes('privileged')) {
        fixes.push(manualFix(`Remove ${ctx.displayName(account)} from privileged groups: a service account needs only the rights of its service.`));
      }
      const base = `${describeAccount(ctx, account)}${poolSuffix(labels)} holds ${spnCount(account.servicePrincipalNames.length)}, so any domain user can request a ticket for it and try to crack its password offline`;
      findings.push(
        accountFinding(kerberoastableUserRule, ctx, account, {
          severity: aggravations.length > 0 ? 'error' : 'warning',
          message: reasons.length > 0 ? `${base}; worse, ${joinAnd(reasons)}.` : `${base}.`,
          evidence: {
            aggravations,
            rc4: rc4,
            supportedEncryptionTypes: account.supportedEncryptionTypes,
            passwordAgeDays: age,
            passwordAgeThresholdDays: maxAge,
            privileged: account.privileged,
            adminCount: account.adminCount,
            pools: labels,
            spnCount: account.servicePrincipalNames.length,
          },
          fixes,
        }),
      );
    }
    return findings;
  },
};
