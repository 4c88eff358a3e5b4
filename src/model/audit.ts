/**
 * The audit result: the JSON report contract (`spnaudit audit --format json`) that reports,
 * baselines and tickets are built from. Public: change only on purpose, with a changelog note.
 */
import type { CollectionError } from './directory.js';
import type { Finding, Severity } from './finding.js';

export const AUDIT_SCHEMA_VERSION = 1;

export interface SkippedCheck {
  ruleId: string;
  reason: string;
}

/** Kerberos verdict for one (server, site, application, binding name). */
export type VerdictKind = 'kerberos-ok' | 'ntlm-fallback' | 'failure-401' | 'kerberos-not-tried';

export interface Verdict {
  server: string;
  site: string;
  application: string;
  host: string;
  /** SPN the browser will request, e.g. HTTP/intranet.contoso.test. */
  expectedSpn: string;
  /** DOMAIN\account that must decrypt the ticket, or null when nobody can. */
  decryptingAccount: string | null;
  /** DOMAIN\account(s) the KDC will issue the ticket for. */
  holders: string[];
  verdict: VerdictKind;
  /** The chain of facts that led to the verdict, in order. */
  reasons: string[];
}

export interface AuditResult {
  schemaVersion: typeof AUDIT_SCHEMA_VERSION;
  tool: { name: string; version: string };
  generatedAt: string;
  scope: {
    domains: string[];
    forests: string[];
    servers: string[];
    collectedAt: string | null;
    snapshotFile: string | null;
    complete: boolean;
    errors: CollectionError[];
    /** Checks not run, and why (e.g. IIS-dependent rules without IIS input). */
    skipped: SkippedCheck[];
  };
  summary: Record<Severity, number>;
  findings: Finding[];
  verdicts: Verdict[];
}
