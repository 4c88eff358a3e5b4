/**
 * Suppressions: the config's `suppress` list accepts known findings on purpose. A suppressed finding
 * is marked with the reason and stays in every report (never dropped); it just stops counting.
 * An expired entry warns and no longer suppresses.
 *
 * ```yaml
 * suppress:
 *   - rule: kerberoastable-user        # rule id, or * for any rule
 *     subject: 'CONTOSO\svc_sql'       # glob over account, spn, host, server, site, server/site
 *     reason: migration to gMSA tracked in CHG-1042
 *     expires: 2027-03-31              # optional, inclusive (UTC)
 * ```
 */
import type { LoadedConfig } from '../config/file.js';
import { UsageError, oneLine } from '../errors.js';
import type { FindingSubject } from '../model/finding.js';
import type { ReportAudit, ReportFinding, SuppressionMark } from './types.js';

export interface Suppression {
  rule: string;
  subject: string;
  reason: string;
  /** YYYY-MM-DD */
  expires?: string;
  /** `file:line` of the entry. */
  source: string;
}

const KEYS = new Set(['rule', 'subject', 'reason', 'expires']);
const RULE_ID = /^(\*|[a-z0-9]+(-[a-z0-9]+)*)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isoDay(value: unknown): string | null {
  // YAML 1.1 timestamps would arrive as Date; the default YAML 1.2 core schema keeps them strings.
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
  if (typeof value !== 'string') return null;
  const m = DATE.exec(value);
  if (!m) return null;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value ? value : null;
}

/** Parse `config.data.suppress`; every error names `file:line` of the offending value. */
export function parseSuppressions(config: LoadedConfig): Suppression[] {
  const list = config.data.suppress;
  if (list === undefined || list === null) return [];
  const at = (path: Array<string | number>): string => `${config.file}:${config.lineOf(path) ?? config.lineOf(['suppress']) ?? 1}`;
  if (!Array.isArray(list)) throw new UsageError(`${at(['suppress'])}: suppress must be a list of {rule, subject, reason, expires?}`);
  return list.map((entry: unknown, i: number): Suppression => {
    const here = ['suppress', i];
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new UsageError(`${at(here)}: suppress[${i}] must be a mapping with rule, subject and reason`);
    }
    const e = entry as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (!KEYS.has(key)) throw new UsageError(`${at([...here, key])}: suppress[${i}]: unknown key "${oneLine(key)}" (allowed: rule, subject, reason, expires)`);
    }
    const text = (key: string): string => {
      const v = e[key];
      if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`${at(v === undefined ? here : [...here, key])}: suppress[${i}].${key} is required (a non-empty string)`);
      return v;
    };
    const rule = text('rule');
    if (!RULE_ID.test(rule)) throw new UsageError(`${at([...here, 'rule'])}: suppress[${i}].rule "${oneLine(rule)}" is not a rule id (kebab-case) or *`);
    const subject = text('subject');
    const reason = text('reason');
    const source = at(here);
    if (e.expires === undefined) return { rule, subject, reason, source };
    const expires = isoDay(e.expires);
    if (expires === null) throw new UsageError(`${at([...here, 'expires'])}: suppress[${i}].expires must be a date YYYY-MM-DD`);
    return { rule, subject, reason, expires, source };
  });
}

/** Case-insensitive glob: `*` any run, `?` one character, everything else (including `\`) literal. */
export function globToRegExp(glob: string): RegExp {
  const body = [...glob].map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 'isu');
}

/** The values a subject glob is matched against. */
export function subjectCandidates(subject: FindingSubject): string[] {
  const values = [subject.account, subject.spn, subject.host, subject.server, subject.site];
  if (subject.server !== undefined && subject.site !== undefined) values.push(`${subject.server}/${subject.site}`);
  return values.filter((v): v is string => v !== undefined && v !== '');
}

/** Expired when `now` is after the end (UTC) of the expiry day. */
export function isExpired(s: Suppression, now: Date): boolean {
  return s.expires !== undefined && now.getTime() >= Date.parse(`${s.expires}T00:00:00Z`) + 86_400_000;
}

export interface SuppressionOutcome {
  result: ReportAudit;
  /** One line each, for stderr: expired entries (their findings count again). */
  warnings: string[];
}

/**
 * Mark matching findings (first matching entry wins) and recompute `summary` over the findings that
 * still count. `now` is injected so the outcome is deterministic.
 */
export function applySuppressions(result: ReportAudit, suppressions: readonly Suppression[], now: Date): SuppressionOutcome {
  const warnings: string[] = [];
  const active: Array<{ s: Suppression; rule: RegExp; subject: RegExp }> = [];
  for (const s of suppressions) {
    if (isExpired(s, now)) {
      warnings.push(`${s.source}: suppression of ${oneLine(s.rule)} for ${oneLine(s.subject)} expired on ${s.expires}; matching findings are reported again`);
      continue;
    }
    active.push({ s, rule: globToRegExp(s.rule), subject: globToRegExp(s.subject) });
  }
  const findings: ReportFinding[] = result.findings.map((f) => {
    const candidates = subjectCandidates(f.subject);
    const hit = active.find((a) => a.rule.test(f.ruleId) && candidates.some((c) => a.subject.test(c)));
    if (!hit) {
      const { suppression: _stale, ...rest } = f;
      return rest;
    }
    const mark: SuppressionMark = { rule: hit.s.rule, subject: hit.s.subject, reason: hit.s.reason, source: hit.s.source };
    if (hit.s.expires !== undefined) mark.expires = hit.s.expires;
    return { ...f, suppression: mark };
  });
  const summary = { error: 0, warning: 0, info: 0 };
  for (const f of findings) if (!f.suppression) summary[f.severity] += 1;
  return { result: { ...result, findings, summary }, warnings };
}
