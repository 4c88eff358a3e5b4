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
  | { type: 'account-set'; account: string; accountKind: 'user' | 'computer' | 'gmsa' | 'msa'; domain: string; property: string; value: string; previous: string | null };

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
