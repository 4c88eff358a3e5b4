/**
 * What the renderers consume: the analyzer's AuditResult, optionally annotated with baseline status
 * and suppressions. A plain AuditResult is a valid ReportAudit (every extension is optional), so the
 * renderers work the same with or without `--baseline` / a `suppress` config section.
 *
 * These extensions belong in src/model/audit.ts once the lead accepts them; they live here until then.
 */
import type { RuleMeta } from '../analyze/types.js';
import type { AuditResult } from '../model/audit.js';
import type { Finding } from '../model/finding.js';

export type BaselineStatus = 'new' | 'unchanged';

/** Why a finding is not counted: it matched a `suppress` entry in the config (it is still shown). */
export interface SuppressionMark {
  /** The entry's rule id (or `*`). */
  rule: string;
  /** The entry's subject glob. */
  subject: string;
  reason: string;
  /** YYYY-MM-DD, inclusive; absent when the suppression does not expire. */
  expires?: string;
  /** `config.yaml:12`: where the entry is, so reviewers can find and remove it. */
  source: string;
}

export interface ReportFinding extends Finding {
  /** Set by compareWithBaseline: whether the baseline already had this fingerprint. */
  baseline?: BaselineStatus;
  /** Set by applySuppressions. */
  suppression?: SuppressionMark;
}

/** A baseline finding absent now, but whose scope the current audit did not fully cover. */
export interface NotCheckedFinding {
  finding: ReportFinding;
  reason: string;
}

export interface BaselineSummary {
  /** generatedAt of the baseline audit. */
  generatedAt: string;
  toolVersion: string;
  newCount: number;
  unchangedCount: number;
  /** In the baseline, absent now, and the current complete audit covered their domain/server. */
  resolved: ReportFinding[];
  /** In the baseline, absent now, but not covered by the current audit: nobody knows. */
  notChecked: NotCheckedFinding[];
}

export type ReportAudit = Omit<AuditResult, 'findings'> & {
  findings: ReportFinding[];
  baseline?: BaselineSummary;
};

/** One SPN holder for the HTML appendix (the CLI builds these from the snapshot). */
export interface SpnHolderSummary {
  /** DOMAIN\sAMAccountName */
  account: string;
  kind?: string;
  enabled?: boolean;
  spns: string[];
}

export interface RenderOptions {
  /** table: ANSI colors. The caller decides (TTY, --no-color); renderers never look at the terminal. */
  color?: boolean;
  /** table: print only the summary line. */
  quiet?: boolean;
  /** table: total width to wrap to (default 120). */
  width?: number;
  /** Rule catalogue metadata: titles, categories, why, docs (html rule reference, sarif rules, categories). */
  rules?: readonly RuleMeta[];
  /** html appendix: the SPN holders in scope. */
  spnHolders?: readonly SpnHolderSummary[];
  /** sarif: the artifact directory-only findings point at (default `snapshot.json`). */
  snapshotFile?: string;
  /** sarif: tool.driver.informationUri (absolute URI). */
  informationUri?: string;
  /** sarif: absolute base the rule `docs` paths are resolved against for helpUri. */
  docsBaseUri?: string;
}
