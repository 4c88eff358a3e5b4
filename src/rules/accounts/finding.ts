/**
 * Builds the findings of the account rules with one fingerprint scheme: rule id + objectGUID
 * (+ the normalized SPN when the finding is about one SPN). Never a DN or a time.
 */
import { makeFinding } from '../../analyze/findings.js';
import { spnKey } from '../../analyze/spn.js';
import type { RuleContext, RuleMeta } from '../../analyze/types.js';
import type { Account } from '../../model/directory.js';
import type { Finding, FindingSubject, Fix, Severity } from '../../model/finding.js';
import type { SourcePos } from '../../model/source.js';

export interface AccountFindingInput {
  severity?: Severity;
  message: string;
  evidence: Record<string, unknown>;
  fixes: Fix[];
  /** Set when the finding is about one SPN of the account. */
  spn?: string;
  /** Extra stable identity parts (server, site, application) when one account has several findings. */
  key?: string[];
  subject?: Omit<FindingSubject, 'account' | 'accountGuid' | 'domain' | 'spn'>;
  location?: SourcePos | null;
}

export function accountFinding(rule: RuleMeta, ctx: RuleContext, account: Account, input: AccountFindingInput): Finding {
  // Built by assignment, not object spreads: a rule may raise tens of thousands of these, and
  // spreads of conditional objects cost more than the rest of the finding. Key order as before.
  const subject: FindingSubject = { account: ctx.displayName(account), accountGuid: account.objectGuid, domain: account.domain.toLowerCase() };
  const key: string[] = [account.objectGuid];
  if (input.spn !== undefined) {
    subject.spn = input.spn;
    key.push(spnKey(input.spn));
  }
  if (input.subject) Object.assign(subject, input.subject);
  if (input.key) key.push(...input.key);
  return makeFinding(rule, {
    severity: input.severity,
    message: input.message,
    subject,
    evidence: input.evidence,
    fixes: input.fixes,
    key,
    location: input.location ?? null,
  });
}

const KIND_LABELS: Record<Account['kind'], string> = { user: 'user', computer: 'computer', gmsa: 'gMSA', msa: 'MSA' };

/** "user CONTOSO\svc_web" / "gMSA CONTOSO\gmsa_apps$" for messages. */
export function describeAccount(ctx: RuleContext, account: Account): string {
  return `${KIND_LABELS[account.kind]} ${ctx.displayName(account)}`;
}

/** "CONTOSO\svc_web (pools WEB01/IntranetPool, WEB02/IntranetPool)" style suffix; '' without pools. */
export function poolSuffix(labels: readonly string[]): string {
  if (labels.length === 0) return '';
  return ` (pool identity of ${labels.join(', ')})`;
}

/** "a", "a and b", "a, b and c". */
export function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** "1 SPN" / "3 SPNs". */
export function spnCount(n: number): string {
  return `${n} SPN${n === 1 ? '' : 's'}`;
}
