import type { SourcePos } from './source.js';

export type Severity = 'error' | 'warning' | 'info';

export const SEVERITY_ORDER: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

export type RuleCategory = 'kerberos' | 'iis' | 'account' | 'encryption' | 'security';

export interface FindingSubject {
  /** DOMAIN\sAMAccountName for display. */
  account?: string;
  /** objectGUID of the account (stable; used for fingerprints). */
  accountGuid?: string;
  spn?: string;
  host?: string;
  server?: string;
  site?: string;
  appPool?: string;
  domain?: string;
}

export type FixKind = 'setspn' | 'appcmd' | 'powershell' | 'manual' | 'dns' | 'registry';

export interface Fix {
  kind: FixKind;
  /** The exact command, or a sentence for manual fixes. */
  command: string;
  note?: string;
  /** Structured form so remediation scripts can quote for any shell. */
  action?: FixAction;
}

export type FixAction =
  | { type: 'spn-add'; spn: string; account: string; accountKind: 'user' | 'computer' | 'gmsa' | 'msa'; domain: string }
  | { type: 'spn-remove'; spn: string; account: string; accountKind: 'user' | 'computer' | 'gmsa' | 'msa'; domain: string }
  | { type: 'iis-set'; server: string; location: string; section: string; property: string; value: string; previous: string | null }
  | {
      type: 'account-set';
      account: string;
      accountKind: 'user' | 'computer' | 'gmsa' | 'msa';
      domain: string;
      property: string;
      value: string;
      previous: string | null;
      /**
       * The change itself (which cmdlet and parameters, old and new values), so every shell can
       * re-render and invert it. Absent on fixes built before this field existed: those are shown
       * for manual review, never re-rendered from the display strings above.
       */
      change?: AccountChange;
    };

/** Flags an account fix turns on or off, by their AD PowerShell parameter names. */
export type AccountFlag =
  | 'Enabled'
  | 'UseDESKeyOnly'
  | 'DoesNotRequirePreAuth'
  | 'TrustedForDelegation'
  | 'TrustedToAuthForDelegation'
  | 'ChangePasswordAtLogon';

/**
 * A structured account change. `cmdlet: 'class'` means the Set-AD* cmdlet for the object class
 * (Set-ADUser, Set-ADComputer, Set-ADServiceAccount).
 */
export type AccountChange =
  | { kind: 'flag'; cmdlet: 'class' | 'Set-ADAccountControl'; flag: AccountFlag; value: boolean; previous: boolean | null }
  /** msDS-SupportedEncryptionTypes; null = the attribute is not set (cleared). */
  | { kind: 'encryption-types'; value: number | null; previous: number | null }
  /** -AccountExpirationDate $null; previous is the ISO expiry it replaces. */
  | { kind: 'clear-expiry'; previous: string | null }
  /** Unlock-ADAccount: nothing to restore. */
  | { kind: 'unlock' }
  /** Set-ADAccountPassword -Reset, prompting for the new password: cannot be undone. */
  | { kind: 'reset-password' }
  /** Values added to or removed from a multi-valued attribute (previous = the values before). */
  | { kind: 'multi-value'; attribute: 'msDS-AllowedToDelegateTo'; op: 'add' | 'remove'; values: string[]; previous: string[] }
  /** -PrincipalsAllowedToRetrieveManagedPassword replaces the whole list. */
  | { kind: 'retrieve-password-principals'; value: string[]; previous: string[] };

export interface Finding {
  /** Stable across runs: rule + objectGUID + normalized SPN/host (never a DN or a timestamp). */
  fingerprint: string;
  ruleId: string;
  severity: Severity;
  title: string;
  message: string;
  subject: FindingSubject;
  evidence: Record<string, unknown>;
  fixes: Fix[];
  /** applicationHost.config position when the finding comes from IIS config. */
  location?: SourcePos;
}
