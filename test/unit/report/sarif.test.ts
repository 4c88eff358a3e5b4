/**
 * SARIF output against the SARIF 2.1.0 JSON schema (vendored unchanged from @microsoft/jest-sarif,
 * see test/fixtures/reports/README.md), plus the properties code-scanning consumers rely on.
 */
import { describe, expect, it } from 'vitest';
import { SARIF_FINGERPRINT_KEY, artifactUri, renderSarif } from '../../../src/report/sarif.js';
import { RENDER_OPTIONS, annotatedAudit, loadAudit } from './fixtures.js';
import { sarifValidator } from './validators.js';

const errorsOf = sarifValidator();

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  partialFingerprints: Record<string, string>;
  baselineState?: string;
  suppressions?: Array<{ kind: string; justification: string }>;
  locations: Array<{
    physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
    logicalLocations?: Array<{ name: string; fullyQualifiedName: string; kind: string }>;
  }>;
}

describe('sarif', () => {
  const audit = annotatedAudit().result;
  const log = JSON.parse(renderSarif(audit, RENDER_OPTIONS));
  const run = log.runs[0];
  const results = run.results as SarifResult[];

  it.each([
    ['annotated audit with rule metadata', () => log],
    ['incomplete audit without options', () => JSON.parse(renderSarif(loadAudit('example-audit-incomplete.json')))],
    ['empty audit', () => JSON.parse(renderSarif({ ...loadAudit('example-audit.json'), findings: [] }))],
  ] as const)('validates against the SARIF 2.1.0 schema: %s', (_name, make) => {
    expect(errorsOf(make())).toEqual([]);
  });

  it('the validator does reject broken logs (it is not vacuous)', () => {
    const broken = structuredClone(log);
    broken.runs[0].results[0].level = 'critical';
    delete broken.runs[0].tool.driver.name;
    expect(errorsOf(broken).length).toBeGreaterThanOrEqual(2);
  });

  it('describes the tool and every rule used', () => {
    const driver = run.tool.driver;
    expect(driver).toMatchObject({ name: 'spnaudit', version: '0.1.0', informationUri: 'https://example.invalid/spnaudit' });
    const ids = (driver.rules as Array<{ id: string }>).map((r) => r.id);
    expect(ids).toEqual([...ids].sort());
    for (const r of results) expect(ids).toContain(r.ruleId);
    expect(driver.rules.find((r: { id: string }) => r.id === 'duplicate-spn')).toEqual({
      id: 'duplicate-spn',
      shortDescription: { text: 'SPN registered on more than one account' },
      fullDescription: { text: 'The KDC cannot pick an account, so Kerberos fails and browsers fall back to NTLM.' },
      help: { text: 'The KDC cannot pick an account, so Kerberos fails and browsers fall back to NTLM.\nDocumentation: docs/rules.md#duplicate-spn' },
      helpUri: 'https://example.invalid/spnaudit/blob/main/docs/rules.md#duplicate-spn',
      defaultConfiguration: { level: 'error' },
      properties: { category: 'kerberos', tags: ['spnaudit', 'kerberos'] },
    });
  });

  it('ruleIndex points at the result rule', () => {
    for (const r of results) expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
  });

  it.each([
    ['error', 'error'],
    ['warning', 'warning'],
    ['info', 'note'],
  ] as const)('severity %s maps to level %s', (severity, level) => {
    const fps = audit.findings.filter((f) => f.severity === severity).map((f) => f.fingerprint);
    expect(fps.length).toBeGreaterThan(0);
    for (const r of results.filter((x) => fps.includes(x.partialFingerprints[SARIF_FINGERPRINT_KEY] ?? ''))) expect(r.level).toBe(level);
  });

  it('carries the finding fingerprint, one result per finding', () => {
    expect(results.map((r) => r.partialFingerprints[SARIF_FINGERPRINT_KEY]).sort()).toEqual(audit.findings.map((f) => f.fingerprint).sort());
  });

  it('points IIS findings at their applicationHost.config line and directory findings at the snapshot', () => {
    for (const f of audit.findings) {
      const r = results.find((x) => x.partialFingerprints[SARIF_FINGERPRINT_KEY] === f.fingerprint);
      const physical = r?.locations[0]?.physicalLocation;
      if (f.location) expect(physical).toEqual({ artifactLocation: { uri: f.location.file }, region: { startLine: f.location.line } });
      else expect(physical).toEqual({ artifactLocation: { uri: 'snapshots/contoso-2026-11-20.json' }, region: { startLine: 1 } });
    }
    const plain = JSON.parse(renderSarif(loadAudit('example-audit.json')));
    const dup = (plain.runs[0].results as SarifResult[]).find((r) => r.ruleId === 'unconstrained-delegation');
    expect(dup?.locations[0]?.physicalLocation.artifactLocation.uri).toBe('snapshot.json');
  });

  it('names accounts and SPNs as logical locations', () => {
    const r = results.find((x) => x.ruleId === 'spn-on-wrong-account');
    expect(r?.locations[0]?.logicalLocations).toEqual([
      { name: 'CONTOSO\\svc_hr', fullyQualifiedName: 'account:CONTOSO\\svc_hr', kind: 'resource' },
      { name: 'HTTP/hr.contoso.test', fullyQualifiedName: 'spn:HTTP/hr.contoso.test', kind: 'resource' },
      { name: 'hr.contoso.test', fullyQualifiedName: 'host:hr.contoso.test', kind: 'resource' },
      { name: 'HR', fullyQualifiedName: 'site:WEB02/HR', kind: 'module' },
    ]);
  });

  it('marks suppressed findings with an external suppression and baseline state on every result', () => {
    const suppressed = results.filter((r) => r.suppressions);
    expect(suppressed.map((r) => r.ruleId).sort()).toEqual(['anonymous-with-windows-auth', 'kerberoastable-user']);
    expect(suppressed[0]?.suppressions?.[0]?.kind).toBe('external');
    expect(new Set(results.map((r) => r.baselineState))).toEqual(new Set(['new', 'unchanged']));
  });

  it('reports an incomplete collection as an unsuccessful invocation with the errors', () => {
    const inc = JSON.parse(renderSarif(loadAudit('example-audit-incomplete.json')));
    const invocation = inc.runs[0].invocations[0];
    expect(invocation.executionSuccessful).toBe(false);
    expect(invocation.toolExecutionNotifications.filter((n: { level: string }) => n.level === 'error')).toHaveLength(2);
    expect(run.invocations[0].executionSuccessful).toBe(true);
  });

  it.each([
    ['WEB01/applicationHost.config', 'WEB01/applicationHost.config'],
    ['WEB 01\\applicationHost.config', 'WEB%2001/applicationHost.config'],
    ['x/#?%.config', 'x/%23%3F%25.config'],
  ])('artifactUri(%j) = %j', (file, uri) => {
    expect(artifactUri(file)).toBe(uri);
  });
});
