/**
 * Builders for the fixes attached to findings. Each returns a Fix with both the display command
 * (cmd.exe syntax, copy-pasteable, values quoted) and the structured action the plan command
 * re-renders for other shells. A value that cannot be quoted safely yields a 'manual' fix that
 * withholds the command instead of emitting something that could run more than intended.
 */
import type { AccountKind } from '../model/directory.js';
import type { AccountChange, Fix, FixAction } from '../model/finding.js';
import { accountChangeCommand, renderPsCommand } from '../remediate/powershell.js';
import { quoteCmd, quoteCmdAlways, quotePowerShell } from '../remediate/quote.js';

export interface FixAccount {
  /** NetBIOS domain name, e.g. CONTOSO. */
  netbiosDomain: string;
  /** DNS domain, e.g. contoso.test. */
  domain: string;
  /** sAMAccountName as stored (computers, gMSAs and MSAs end in $). */
  sAMAccountName: string;
  kind: AccountKind;
}

/**
 * A fix with its keys in the one order reports show (kind, command, note, action), built by
 * assignment: rules raise fixes by the hundred thousand, and object spreads cost more than the rest.
 */
function fixOf(kind: Fix['kind'], command: string, note: string | undefined, action?: FixAction): Fix {
  const fix: Fix = { kind, command };
  if (note) fix.note = note;
  if (action) fix.action = action;
  return fix;
}

function withheld(what: string, note: string | undefined, action?: FixAction): Fix {
  return fixOf('manual', `Command withheld: ${what} contains characters that cannot be quoted safely; review and apply by hand.`, note, action);
}

/** setspn selects the object type with -U (user) or -C (computer); gMSA/MSA are computer objects. */
function setspnTypeSwitch(kind: AccountKind): '-U' | '-C' {
  return kind === 'user' ? '-U' : '-C';
}

export function accountDisplay(a: FixAccount): string {
  return `${a.netbiosDomain}\\${a.sAMAccountName}`;
}

/**
 * `setspn -U -S HTTP/x DOMAIN\acct` — always -S (checks for duplicates first), never -A.
 * `forest` adds -F so the duplicate check covers the whole forest.
 */
export function setspnAdd(spn: string, account: FixAccount, opts: { forest?: boolean; note?: string } = {}): Fix {
  const qSpn = quoteCmd(spn);
  const qAcct = quoteCmd(accountDisplay(account));
  const action = { type: 'spn-add', spn, account: account.sAMAccountName, accountKind: account.kind, domain: account.domain } as const;
  if (qSpn === null || qAcct === null) return withheld('the SPN or account name', opts.note, action);
  const modifiers = opts.forest ? `${setspnTypeSwitch(account.kind)} -F` : setspnTypeSwitch(account.kind);
  return fixOf('setspn', `setspn ${modifiers} -S ${qSpn} ${qAcct}`, opts.note, action);
}

export function setspnRemove(spn: string, account: FixAccount, opts: { note?: string } = {}): Fix {
  const qSpn = quoteCmd(spn);
  const qAcct = quoteCmd(accountDisplay(account));
  const action = { type: 'spn-remove', spn, account: account.sAMAccountName, accountKind: account.kind, domain: account.domain } as const;
  if (qSpn === null || qAcct === null) return withheld('the SPN or account name', opts.note, action);
  return fixOf('setspn', `setspn ${setspnTypeSwitch(account.kind)} -D ${qSpn} ${qAcct}`, opts.note, action);
}

/**
 * `appcmd set config "Site/app" -section:<section> /<property>:"<value>" /commit:apphost`, run on `server`.
 * `location` is the site or site/app path ('' = server level).
 */
export function appcmdSet(
  server: string,
  location: string,
  section: string,
  property: string,
  value: string,
  previous: string | null,
  opts: { note?: string } = {},
): Fix {
  const action = { type: 'iis-set', server, location, section, property, value, previous } as const;
  const qLoc = location === '' ? '' : quoteCmdAlways(location);
  const qVal = quoteCmdAlways(value);
  // section and property names come from our rules, never from input; the check keeps it that way.
  if (qLoc === null || qVal === null || !/^[A-Za-z0-9./]+$/.test(section) || !/^[A-Za-z0-9.]+$/.test(property)) {
    return { ...withheld('the site/application path or value', opts.note), action };
  }
  const loc = qLoc === '' ? '' : ` ${qLoc}`;
  return {
    kind: 'appcmd',
    command: `%windir%\\system32\\inetsrv\\appcmd.exe set config${loc} -section:${section} /${property}:${qVal} /commit:apphost`,
    note: opts.note ?? `run on ${server}`,
    action,
  };
}

/** PowerShell AD cmdlet for the object class: Set-ADUser, Set-ADComputer or Set-ADServiceAccount. */
export function adCmdlet(kind: AccountKind): 'Set-ADUser' | 'Set-ADComputer' | 'Set-ADServiceAccount' {
  if (kind === 'user') return 'Set-ADUser';
  if (kind === 'computer') return 'Set-ADComputer';
  return 'Set-ADServiceAccount';
}

/** The display strings of an account change (property / value / previous), kept for reports. */
function changeStrings(change: AccountChange): { property: string; value: string; previous: string | null } {
  switch (change.kind) {
    case 'flag':
      return { property: change.flag, value: String(change.value), previous: change.previous === null ? null : String(change.previous) };
    case 'encryption-types':
      return {
        property: 'msDS-SupportedEncryptionTypes',
        value: change.value === null ? '(not set)' : String(change.value),
        previous: change.previous === null ? null : String(change.previous),
      };
    case 'clear-expiry':
      return { property: 'AccountExpirationDate', value: '(never)', previous: change.previous };
    case 'unlock':
      return { property: 'LockedOut', value: 'false', previous: 'true' };
    case 'reset-password':
      return { property: 'password', value: '(reset)', previous: null };
    case 'multi-value':
      return {
        property: change.attribute,
        value: change.op === 'remove' ? `(remove ${change.values.join(',')})` : change.values.join(','),
        previous: change.previous.join(',') || null,
      };
    case 'retrieve-password-principals':
      return { property: 'PrincipalsAllowedToRetrieveManagedPassword', value: change.value.join(','), previous: change.previous.join(',') };
  }
}

/**
 * An account fix from a structured change, e.g. `Set-ADUser -Identity 'svc' -KerberosEncryptionType
 * AES128,AES256 -Server 'contoso.test'`. The command is rendered from `change`, and the action
 * carries `change`, so the plan can render the same fix (and its inverse) for any shell.
 */
export function accountSetFix(account: FixAccount, change: AccountChange, opts: { note?: string } = {}): Fix {
  const shown = changeStrings(change);
  const action: FixAction = {
    type: 'account-set',
    account: account.sAMAccountName,
    accountKind: account.kind,
    domain: account.domain,
    property: shown.property,
    value: shown.value,
    previous: shown.previous,
    change,
  };
  const command = renderPsCommand(accountChangeCommand({ sAMAccountName: account.sAMAccountName, kind: account.kind, domain: account.domain }, change));
  if (command === null) return withheld(change.kind === 'multi-value' || change.kind === 'retrieve-password-principals' ? 'a value' : 'the account name', opts.note, action);
  return fixOf('powershell', command, opts.note, action);
}

/**
 * Legacy: a PowerShell account fix from a parameter string. Its action has no `change`, so the plan
 * cannot re-render it for another shell and lists it for manual review; prefer accountSetFix.
 * `parameters` is already-safe PowerShell syntax chosen by the rule (never untrusted text).
 */
export function powershellAccountFix(
  account: FixAccount,
  parameters: string,
  change: { property: string; value: string; previous: string | null },
  opts: { note?: string; cmdlet?: string } = {},
): Fix {
  const action = { type: 'account-set', account: account.sAMAccountName, accountKind: account.kind, domain: account.domain, ...change } as const;
  const qId = quotePowerShell(account.sAMAccountName);
  const qServer = quotePowerShell(account.domain);
  if (qId === null || qServer === null) return withheld('the account name', opts.note, action);
  const cmdlet = opts.cmdlet ?? adCmdlet(account.kind);
  return fixOf('powershell', `${cmdlet} -Identity ${qId} ${parameters} -Server ${qServer}`, opts.note, action);
}

export function manualFix(text: string, note?: string): Fix {
  return fixOf('manual', text, note);
}
