/**
 * One way to build a Finding from a rule, so every rule fingerprints and shapes findings alike.
 */
import type { Finding, FindingSubject, Fix, Severity } from '../model/finding.js';
import type { SourcePos } from '../model/source.js';
import { fingerprint } from './fingerprint.js';
import type { RuleMeta } from './types.js';

export interface FindingInput {
  /** Defaults to the rule's severity. */
  severity?: Severity;
  message: string;
  subject: FindingSubject;
  evidence?: Record<string, unknown>;
  fixes: Fix[];
  /** Stable identity parts after the rule id: objectGUID, normalized SPN/host, server/site. Never a DN or a time. */
  key: ReadonlyArray<string | null | undefined>;
  location?: SourcePos | null;
}

export function makeFinding(rule: RuleMeta, input: FindingInput): Finding {
  const finding: Finding = {
    fingerprint: fingerprint(rule.id, input.key),
    ruleId: rule.id,
    severity: input.severity ?? rule.severity,
    title: rule.title,
    message: input.message,
    subject: input.subject,
    evidence: input.evidence ?? {},
    fixes: input.fixes,
  };
  if (input.location) finding.location = input.location;
  return finding;
}
