/**
 * PowerShell commands as data (cmdlet, parameters, typed values) and their one-line rendering.
 * Untrusted strings only ever appear inside single quotes (quotePowerShell); everything else on
 * the line comes from this module's own vocabulary, checked against narrow patterns, so a line
 * can be tokenized back to exactly the command it was built from (test/unit/remediate/).
 */
import type { AccountChange, AccountFlag } from '../model/finding.js';
import type { AccountKind } from '../model/directory.js';
import { quotePowerShell } from './quote.js';

export type PsValue =
  | { t: 'str'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'null' }
  | { t: 'int'; v: number }
  /** A bare enum list such as AES128,AES256 (our vocabulary, never input). */
  | { t: 'enum'; v: string[] }
  /** 'a','b' — an argument list of strings. */
  | { t: 'list'; v: string[] }
  /** @('a','b') */
  | { t: 'array'; v: string[] }
  /** @{'key'=value; ...} or @{Key=value} when the key is a plain word. */
  | { t: 'hash'; v: Array<[string, PsValue]> };

export interface PsParam {
  name: string;
  /** Absent: a switch parameter. */
  value?: PsValue;
  /** -Confirm:$false style (needed for switch parameters given a value). */
  colon?: boolean;
}

export interface PsCommand {
  name: string;
  params: PsParam[];
  /** Positional arguments after the parameters (native programs such as setspn). */
  args?: PsValue[];
}

const WORD = /^[A-Za-z][A-Za-z0-9-]*$/;
const ENUM = /^[A-Za-z0-9]+$/;

/** Renders one value, or null when a string in it cannot be quoted safely. */
export function renderPsValue(value: PsValue): string | null {
  switch (value.t) {
    case 'str':
      return quotePowerShell(value.v);
    case 'bool':
      return value.v ? '$true' : '$false';
    case 'null':
      return '$null';
    case 'int':
      return Number.isSafeInteger(value.v) ? String(value.v) : null;
    case 'enum':
      return value.v.length > 0 && value.v.every((e) => ENUM.test(e)) ? value.v.join(',') : null;
    case 'list':
    case 'array': {
      const quoted = value.v.map(quotePowerShell);
      if (quoted.some((q) => q === null)) return null;
      if (value.t === 'list') return quoted.length === 0 ? null : quoted.join(',');
      return `@(${quoted.join(',')})`;
    }
    case 'hash': {
      const parts: string[] = [];
      for (const [key, v] of value.v) {
        const k = WORD.test(key) && !key.includes('-') ? key : quotePowerShell(key);
        const rendered = v.t === 'list' ? renderPsValue({ t: 'array', v: v.v }) : renderPsValue(v);
        if (k === null || rendered === null) return null;
        parts.push(`${k}=${rendered}`);
      }
      return `@{${parts.join('; ')}}`;
    }
  }
}

/** The command on one line, or null when any value cannot be quoted safely (withhold it). */
export function renderPsCommand(cmd: PsCommand): string | null {
  if (!WORD.test(cmd.name)) return null;
  const out = [cmd.name];
  for (const p of cmd.params) {
    if (!WORD.test(p.name)) return null;
    if (p.value === undefined) {
      out.push(`-${p.name}`);
      continue;
    }
    const v = renderPsValue(p.value);
    if (v === null) return null;
    out.push(p.colon ? `-${p.name}:${v}` : `-${p.name} ${v}`);
  }
  for (const a of cmd.args ?? []) {
    const v = renderPsValue(a);
    if (v === null) return null;
    out.push(v);
  }
  return out.join(' ');
}

/** PowerShell AD cmdlet for the object class: Set-ADUser, Set-ADComputer or Set-ADServiceAccount. */
export function adCmdletFor(kind: AccountKind): 'Set-ADUser' | 'Set-ADComputer' | 'Set-ADServiceAccount' {
  if (kind === 'user') return 'Set-ADUser';
  if (kind === 'computer') return 'Set-ADComputer';
  return 'Set-ADServiceAccount';
}

const ENCTYPE_NAMES: ReadonlyArray<[number, string]> = [
  [0x3, 'DES'],
  [0x4, 'RC4'],
  [0x8, 'AES128'],
  [0x10, 'AES256'],
];

/** -KerberosEncryptionType names for a value, or null when the value has bits the enum cannot say. */
export function kerberosEncryptionTypeNames(value: number): string[] | null {
  let rest = value;
  const names: string[] = [];
  for (const [bits, name] of ENCTYPE_NAMES) {
    if ((rest & bits) === bits) {
      names.push(name);
      rest &= ~bits;
    }
  }
  return rest === 0 && names.length > 0 ? names : null;
}

export interface AccountTarget {
  sAMAccountName: string;
  kind: AccountKind;
  /** DNS domain, used as -Server. */
  domain: string;
}

/** The change's parameters (without -Identity/-Server) and the cmdlet that takes them. */
function changeCommand(kind: AccountKind, change: AccountChange): { name: string; params: PsParam[] } {
  const cls = adCmdletFor(kind);
  switch (change.kind) {
    case 'flag':
      return { name: change.cmdlet === 'class' ? cls : 'Set-ADAccountControl', params: [{ name: change.flag, value: { t: 'bool', v: change.value } }] };
    case 'encryption-types': {
      if (change.value === null) return { name: cls, params: [{ name: 'Clear', value: { t: 'str', v: 'msDS-SupportedEncryptionTypes' } }] };
      const names = kerberosEncryptionTypeNames(change.value);
      return {
        name: cls,
        params: names
          ? [{ name: 'KerberosEncryptionType', value: { t: 'enum', v: names } }]
          : [{ name: 'Replace', value: { t: 'hash', v: [['msDS-SupportedEncryptionTypes', { t: 'int', v: change.value }]] } }],
      };
    }
    case 'clear-expiry':
      return { name: cls, params: [{ name: 'AccountExpirationDate', value: { t: 'null' } }] };
    case 'unlock':
      return { name: 'Unlock-ADAccount', params: [{ name: 'Confirm', value: { t: 'bool', v: false }, colon: true }] };
    case 'reset-password':
      return { name: 'Set-ADAccountPassword', params: [{ name: 'Reset' }] };
    case 'multi-value': {
      const single = change.op === 'remove' && change.values.length === 1 ? change.values[0] : undefined;
      const v: PsValue = single !== undefined ? { t: 'str', v: single } : { t: 'array', v: change.values };
      return { name: cls, params: [{ name: change.op === 'add' ? 'Add' : 'Remove', value: { t: 'hash', v: [[change.attribute, v]] } }] };
    }
    case 'retrieve-password-principals':
      return {
        name: cls,
        params: [{ name: 'PrincipalsAllowedToRetrieveManagedPassword', value: change.value.length > 0 ? { t: 'list', v: change.value } : { t: 'null' } }],
      };
  }
}

/** `<cmdlet> -Identity 'sam' <parameters> -Server 'domain'` for an account change. */
export function accountChangeCommand(target: AccountTarget, change: AccountChange): PsCommand {
  const { name, params } = changeCommand(target.kind, change);
  return {
    name,
    params: [{ name: 'Identity', value: { t: 'str', v: target.sAMAccountName } }, ...params, { name: 'Server', value: { t: 'str', v: target.domain } }],
  };
}

/**
 * The change that undoes `change`, or null when it cannot be undone (an unlock needs no undo; a
 * password reset cannot be: the old password is not known) or the old value was not recorded.
 */
export function inverseAccountChange(change: AccountChange): AccountChange | null {
  switch (change.kind) {
    case 'flag':
      return change.previous === null ? null : { ...change, value: change.previous, previous: change.value };
    case 'encryption-types':
      return { kind: 'encryption-types', value: change.previous, previous: change.value };
    case 'clear-expiry':
      return null;
    case 'unlock':
    case 'reset-password':
      return null;
    case 'multi-value': {
      const had = new Set(change.previous.map((v) => v.toLowerCase()));
      // Undo only what the change really did: values it added that were not there, or removed that were.
      const values = change.op === 'add' ? change.values.filter((v) => !had.has(v.toLowerCase())) : change.values.filter((v) => had.has(v.toLowerCase()));
      if (values.length === 0) return null;
      const after = change.op === 'add' ? [...change.previous, ...values] : change.previous.filter((p) => !values.some((v) => v.toLowerCase() === p.toLowerCase()));
      return { kind: 'multi-value', attribute: change.attribute, op: change.op === 'add' ? 'remove' : 'add', values, previous: after };
    }
    case 'retrieve-password-principals':
      return { kind: 'retrieve-password-principals', value: change.previous, previous: change.value };
  }
}

/** What an undo of `change` needs from a person, when inverseAccountChange gives nothing. */
export function noInverseReason(change: AccountChange): string {
  switch (change.kind) {
    case 'unlock':
      return 'an unlock needs no undo';
    case 'reset-password':
      return 'a password reset cannot be undone (the old password is not known); set the password the service expects by hand';
    case 'clear-expiry':
      return change.previous ? `to restore the expiry, set it back to ${change.previous} by hand` : 'the account had no expiry date';
    default:
      return 'the previous value was not recorded; restore it by hand';
  }
}

export const ACCOUNT_FLAGS: readonly AccountFlag[] = [
  'Enabled',
  'UseDESKeyOnly',
  'DoesNotRequirePreAuth',
  'TrustedForDelegation',
  'TrustedToAuthForDelegation',
  'ChangePasswordAtLogon',
];
