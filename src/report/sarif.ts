/**
 * SARIF 2.1.0 for code-scanning dashboards. Every result has a physical location (GitHub code
 * scanning rejects results without one): the applicationHost.config line for IIS findings, else
 * line 1 of the snapshot file. Accounts, SPNs, hosts and sites are logical locations.
 * Suppressed findings carry an external suppression; with a baseline, results carry baselineState.
 */
import type { RuleMeta } from '../analyze/types.js';
import type { Severity } from '../model/finding.js';
import { ruleIndex, sortFindings, subjectParts } from './common.js';
import { jsonText } from './escape.js';
import type { RenderOptions, ReportAudit, ReportFinding } from './types.js';

export const SARIF_FINGERPRINT_KEY = 'spnaudit/v1';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** A relative URI reference for a file path like `WEB01/applicationHost.config` (each segment percent-encoded). */
export function artifactUri(file: string): string {
  return file
    .replace(/\\/g, '/')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

function isAbsoluteHttpUri(value: string | undefined): value is string {
  if (value === undefined) return false;
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

interface SarifRule {
  id: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string };
  helpUri?: string;
  defaultConfiguration: { level: 'error' | 'warning' | 'note' };
  properties: { category?: string; tags: string[] };
}

function sarifRule(id: string, meta: RuleMeta | undefined, fallback: ReportFinding | undefined, opts: RenderOptions): SarifRule {
  const title = meta?.title ?? fallback?.title ?? id;
  const why = meta?.why ?? title;
  const severity = meta?.severity ?? fallback?.severity ?? 'warning';
  const rule: SarifRule = {
    id,
    shortDescription: { text: title },
    fullDescription: { text: why },
    help: { text: meta ? `${why}\nDocumentation: ${meta.docs}` : why },
    defaultConfiguration: { level: LEVEL[severity] },
    properties: meta ? { category: meta.category, tags: ['spnaudit', meta.category] } : { tags: ['spnaudit'] },
  };
  if (meta && isAbsoluteHttpUri(opts.docsBaseUri)) rule.helpUri = new URL(meta.docs, opts.docsBaseUri).href;
  return rule;
}

function logicalLocations(f: ReportFinding): Array<{ name: string; fullyQualifiedName: string; kind: string }> {
  const out: Array<{ name: string; fullyQualifiedName: string; kind: string }> = [];
  const s = f.subject;
  for (const [field, value] of subjectParts(s)) {
    if (field === 'account' || field === 'spn' || field === 'host') out.push({ name: value, fullyQualifiedName: `${field}:${value}`, kind: 'resource' });
  }
  if (s.server !== undefined && s.site !== undefined) out.push({ name: s.site, fullyQualifiedName: `site:${s.server}/${s.site}`, kind: 'module' });
  else if (s.server !== undefined) out.push({ name: s.server, fullyQualifiedName: `server:${s.server}`, kind: 'module' });
  return out;
}

export function renderSarif(result: ReportAudit, opts: RenderOptions = {}): string {
  const metas = ruleIndex(opts.rules);
  const findings = sortFindings(result.findings);
  // Rules: every catalogue rule given, plus any rule id a finding uses without metadata; sorted by id.
  const firstByRule = new Map<string, ReportFinding>();
  for (const f of findings) if (!firstByRule.has(f.ruleId)) firstByRule.set(f.ruleId, f);
  const ruleIds = [...new Set([...metas.keys(), ...firstByRule.keys()])].sort();
  const rules = ruleIds.map((id) => sarifRule(id, metas.get(id), firstByRule.get(id), opts));
  const indexOf = new Map(ruleIds.map((id, i) => [id, i]));
  const snapshotUri = artifactUri(opts.snapshotFile ?? 'snapshot.json');

  const results = findings.map((f) => {
    const physicalLocation = f.location
      ? { artifactLocation: { uri: artifactUri(f.location.file) }, region: { startLine: Math.max(1, f.location.line) } }
      : { artifactLocation: { uri: snapshotUri }, region: { startLine: 1 } };
    const logical = logicalLocations(f);
    return {
      ruleId: f.ruleId,
      ruleIndex: indexOf.get(f.ruleId) ?? 0,
      level: LEVEL[f.severity],
      message: { text: f.fixes.length > 0 ? `${f.message}\nFix: ${f.fixes.map((x) => x.command).join('\nFix: ')}` : f.message },
      locations: [{ physicalLocation, ...(logical.length > 0 ? { logicalLocations: logical } : {}) }],
      partialFingerprints: { [SARIF_FINGERPRINT_KEY]: f.fingerprint },
      ...(f.baseline ? { baselineState: f.baseline } : {}),
      ...(f.suppression
        ? {
            suppressions: [
              {
                kind: 'external',
                status: 'accepted',
                justification: `${f.suppression.reason} (${f.suppression.source}${f.suppression.expires ? `, expires ${f.suppression.expires}` : ''})`,
              },
            ],
          }
        : {}),
      properties: { title: f.title, subject: f.subject, evidence: f.evidence },
    };
  });

  const notifications = [
    ...result.scope.errors.map((e) => ({ level: 'error', message: { text: `Collection error at ${e.where}: ${e.message}` } })),
    ...result.scope.skipped.map((s) => ({ level: 'note', message: { text: `Check ${s.ruleId} not run: ${s.reason}` } })),
  ];

  const driver = {
    name: result.tool.name,
    version: result.tool.version,
    ...(isAbsoluteHttpUri(opts.informationUri) ? { informationUri: opts.informationUri } : {}),
    rules,
  };
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver },
        invocations: [{ executionSuccessful: result.scope.complete, ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}) }],
        results,
        properties: {
          generatedAt: result.generatedAt,
          complete: result.scope.complete,
          domains: result.scope.domains,
          servers: result.scope.servers,
        },
      },
    ],
  };
  return jsonText(log);
}
