/**
 * Findings → ticket groups, each keyed by a stable group fingerprint, and the rule that decides
 * whether tonight's audit may close a ticket (the same coverage rule as baselines).
 */
import { createHash } from 'node:crypto';
import type { ReportAudit, ReportFinding } from '../report/types.js';
import { isSuppressed, sortFindings } from '../report/common.js';
import { SEVERITY_ORDER, type Severity } from '../model/finding.js';
import type { GroupBy, TicketGroup, TicketMarker, TicketScope } from './types.js';

function sha(parts: readonly string[], length = 32): string {
  return createHash('sha256').update(parts.join('\u001f'), 'utf8').digest('hex').slice(0, length);
}

/** Per finding the key IS the finding's fingerprint; other groupings hash the mode with the member value. */
export function groupKey(groupBy: GroupBy, value: string): string {
  return groupBy === 'finding' ? value : sha(['spnaudit-ticket-group', groupBy, value.trim().toLowerCase()]);
}

/**
 * Evidence values that move every night without anything changing (a password's age in days) would
 * make every ticket "changed" daily: they are left out of the digest (the body still shows them).
 */
export function isVolatileEvidenceKey(key: string): boolean {
  return /AgeDays$/i.test(key);
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

export function groupDigest(findings: readonly ReportFinding[]): string {
  const material = [...findings]
    .sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0))
    .map((f) => ({
      fingerprint: f.fingerprint,
      severity: f.severity,
      evidence: canonical(Object.fromEntries(Object.entries(f.evidence).filter(([k]) => !isVolatileEvidenceKey(k)))),
      fixes: f.fixes.map((x) => x.command),
    }));
  return sha([JSON.stringify(material)], 16);
}

const uniqSorted = (values: Iterable<string>): string[] => [...new Set([...values].map((v) => v.toLowerCase()))].sort();

/**
 * A finding that names neither server nor domain is vouched for by the whole scope of the audit that
 * saw it: only a later audit covering all of that may close it.
 */
export function groupScope(findings: readonly ReportFinding[], audit: Pick<ReportAudit, 'scope'>): TicketScope {
  const domains: string[] = [];
  const servers: string[] = [];
  for (const f of findings) {
    const { server, domain } = f.subject;
    if (server !== undefined) servers.push(server);
    if (domain !== undefined) domains.push(domain);
    if (server === undefined && domain === undefined) {
      domains.push(...audit.scope.domains);
      servers.push(...audit.scope.servers);
    }
  }
  return { rules: uniqSorted(findings.map((f) => f.ruleId)), domains: uniqSorted(domains), servers: uniqSorted(servers) };
}

function memberValue(f: ReportFinding, groupBy: GroupBy): { value: string; label: string } | null {
  switch (groupBy) {
    case 'finding':
      return null;
    case 'rule':
      return { value: f.ruleId, label: f.ruleId };
    case 'account': {
      const id = f.subject.accountGuid ?? f.subject.account;
      return id === undefined ? null : { value: id, label: f.subject.account ?? id };
    }
    case 'host': {
      const host = f.subject.server ?? f.subject.host;
      return host === undefined ? null : { value: host, label: host };
    }
  }
}

const maxSeverity = (findings: readonly ReportFinding[]): Severity =>
  findings.reduce<Severity>((max, f) => (SEVERITY_ORDER[f.severity] > SEVERITY_ORDER[max] ? f.severity : max), 'info');

/**
 * Groups the audit's unsuppressed findings. Findings without the grouping's subject (no account for
 * `account`, no server/host for `host`) get a ticket of their own rather than one catch-all ticket.
 */
export function groupFindings(audit: ReportAudit, groupBy: GroupBy): TicketGroup[] {
  const buckets = new Map<string, { label: string; findings: ReportFinding[] }>();
  for (const f of sortFindings(audit.findings)) {
    if (isSuppressed(f)) continue;
    const member = memberValue(f, groupBy);
    const key = member ? groupKey(groupBy, member.value) : f.fingerprint;
    const bucket = buckets.get(key) ?? { label: member?.label ?? f.title, findings: [] };
    bucket.findings.push(f);
    buckets.set(key, bucket);
  }
  return [...buckets].map(([key, { label, findings }]) => ({
    key,
    groupBy,
    label,
    severity: maxSeverity(findings),
    findings,
    digest: groupDigest(findings),
    scope: groupScope(findings, audit),
  }));
}

export function markerOf(group: TicketGroup): TicketMarker {
  return { key: group.key, groupBy: group.groupBy, digest: group.digest, scope: group.scope };
}

/**
 * Null when tonight's audit may close a ticket with this scope; otherwise why not. An incomplete
 * audit, a skipped rule, or a domain/server not looked at tonight never closes anything.
 */
export function whyNotCovered(scope: TicketScope | null, audit: Pick<ReportAudit, 'scope'>): string | null {
  if (!audit.scope.complete) return 'the audit is incomplete';
  if (scope === null) return 'the ticket carries no readable spnaudit scope';
  const skipped = new Map(audit.scope.skipped.map((s) => [s.ruleId.toLowerCase(), s.reason]));
  const domains = new Set(audit.scope.domains.map((d) => d.toLowerCase()));
  const servers = new Set(audit.scope.servers.map((s) => s.toLowerCase()));
  for (const rule of scope.rules) {
    const reason = skipped.get(rule);
    if (reason !== undefined) return `rule ${rule} was not run: ${reason}`;
  }
  const server = scope.servers.find((s) => !servers.has(s));
  if (server !== undefined) return `server ${server} is not in tonight's scope`;
  const domain = scope.domains.find((d) => !domains.has(d));
  if (domain !== undefined) return `domain ${domain} is not in tonight's scope`;
  return null;
}
