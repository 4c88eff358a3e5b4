/**
 * Fix pieces several account rules share, built only from the builders in analyze/fixes.ts.
 */
import { fixAccount } from '../../analyze/context.js';
import { accountSetFix, manualFix, setspnRemove } from '../../analyze/fixes.js';
import type { RuleContext } from '../../analyze/types.js';
import type { Account } from '../../model/directory.js';
import type { Fix } from '../../model/finding.js';
import type { PoolUse } from './scope.js';
import { joinAnd } from './finding.js';

/** AES128_CTS_HMAC_SHA1_96 | AES256_CTS_HMAC_SHA1_96. */
const ENCTYPE_AES = 0x18;

/** Above this many SPNs, one manual step replaces the per-SPN setspn -D lines. */
const MAX_LISTED_SPN_REMOVALS = 20;

/** `Set-ADAccountPassword -Reset`: prompts for the new password, so no secret is ever in a command. */
export function resetPasswordFix(ctx: RuleContext, account: Account, note: string): Fix {
  return accountSetFix(fixAccount(ctx, account), { kind: 'reset-password' }, { note });
}

/** After a password change, every pool that stores the old password must get the new one. */
export function updatePoolPasswordFix(pools: readonly PoolUse[]): Fix | null {
  if (pools.length === 0) return null;
  const byServer = new Map<string, string[]>();
  for (const { server, pool } of pools) {
    const list = byServer.get(server.name) ?? [];
    list.push(`"${pool.name}"`);
    byServer.set(server.name, list);
  }
  const where = [...byServer].map(([server, names]) => `${names.join(', ')} on ${server}`);
  return manualFix(
    `Store the new password in application pool ${joinAnd(where)} (IIS Manager > Application Pools > Advanced Settings > Identity), then recycle the pool.`,
    'never paste the password into a script or ticket; or move the pool to a gMSA so no password is stored',
  );
}

/**
 * `setspn -D` for each SPN of a retired account, freeing the names for the account that really runs
 * the service. Never offered for computers: removing HOST/ and other machine SPNs breaks SMB, RPC
 * and WinRM; a retired computer is deleted instead.
 */
export function releaseSpnsFixes(ctx: RuleContext, account: Account, note: string): Fix[] {
  const spns = account.servicePrincipalNames;
  if (spns.length === 0) return [];
  if (account.kind === 'computer') {
    return [manualFix(`If ${ctx.displayName(account)} is retired, delete the computer object (Remove-ADComputer) rather than removing its HOST/ SPNs.`, note)];
  }
  const target = fixAccount(ctx, account);
  const listed = spns.slice(0, MAX_LISTED_SPN_REMOVALS).map((spn) => setspnRemove(spn, target, { note }));
  if (spns.length > MAX_LISTED_SPN_REMOVALS) {
    listed.push(
      manualFix(
        `Remove the other ${spns.length - MAX_LISTED_SPN_REMOVALS} SPNs of ${ctx.displayName(account)} the same way (setspn -L lists them).`,
        note,
      ),
    );
  }
  return listed;
}

/** msDS-SupportedEncryptionTypes = AES128 | AES256 (0x18) through the AD cmdlet for the object class. */
export function setAesOnlyFix(ctx: RuleContext, account: Account, note?: string): Fix {
  const notes = [
    ...(note ? [note] : []),
    ...(account.kind === 'computer'
      ? ['a Windows computer rewrites this attribute from its "Network security: Configure encryption types allowed for Kerberos" policy: allow AES there too']
      : []),
  ];
  return accountSetFix(
    fixAccount(ctx, account),
    { kind: 'encryption-types', value: ENCTYPE_AES, previous: account.supportedEncryptionTypes },
    notes.length > 0 ? { note: notes.join('; ') } : {},
  );
}

/**
 * New keys for an account whose keys predate AES: a password reset for users, a machine-side reset
 * for computers and managed service accounts (their passwords are not set by people).
 */
export function renewKeysFixes(ctx: RuleContext, account: Account, pools: readonly PoolUse[]): Fix[] {
  const name = ctx.displayName(account);
  if (account.kind === 'computer') {
    return [manualFix(`On the computer ${name}, renew the machine password: Reset-ComputerMachinePassword (or Test-ComputerSecureChannel -Repair).`, 'creates AES keys')];
  }
  if (account.kind === 'gmsa' || account.kind === 'msa') {
    return [manualFix(`On a host allowed to use ${name}, run Reset-ADServiceAccountPassword -Identity ${account.sAMAccountName}.`, 'creates AES keys')];
  }
  const fixes = [resetPasswordFix(ctx, account, 'prompts for the new password; creates AES keys')];
  const poolFix = updatePoolPasswordFix(pools);
  if (poolFix) fixes.push(poolFix);
  return fixes;
}
