import { describe, expect, it } from 'vitest';
import type { AuditResult } from '../../../src/model/audit.js';
import type { Finding, FindingSubject, Severity } from '../../../src/model/finding.js';
import { compareWithBaseline, hasNewAtOrAbove, parseBaseline } from '../../../src/report/baseline.js';
import { loadAudit, readFixture } from './fixtures.js';

function finding(fingerprint: string, ruleId: string, subject: FindingSubject, severity: Severity = 'warning'): Finding {
  return { fingerprint, ruleId, severity, title: ruleId, message: ruleId, subject, evidence: {}, fixes: [] };
}

function audit(findings: Finding[], scope: Partial<AuditResult['scope']> = {}): AuditResult {
  return {
    schemaVersion: 1,
    tool: { name: 'spnaudit', version: '0.1.0' },
    generatedAt: '2026-11-20T00:00:00.000Z',
    scope: { domains: ['contoso.test'], forests: ['contoso.test'], servers: ['WEB01'], collectedAt: null, snapshotFile: null, complete: true, errors: [], skipped: [], ...scope },
    summary: { error: 0, warning: 0, info: 0 },
    findings,
    verdicts: [],
  };
}

describe('compareWithBaseline on the fixtures', () => {
  const diff = compareWithBaseline(loadAudit('example-audit.json'), loadAudit('baseline-audit.json'));

  it('marks every current finding new or unchanged by fingerprint', () => {
    expect(diff.unchanged.map((f) => f.ruleId).sort()).toEqual([
      'anonymous-with-windows-auth',
      'duplicate-spn',
      'kerberoastable-user',
      'kernel-mode-needs-app-pool-credentials',
      'missing-spn-variant',
      'rc4-only',
      'unconstrained-delegation',
    ]);
    expect(diff.new.map((f) => f.ruleId).sort()).toEqual(['enctypes-unset', 'kerberos-only-provider', 'malformed-spn', 'malformed-spn', 'missing-spn', 'port-in-spn', 'spn-on-wrong-account']);
    expect(diff.result.findings.every((f) => f.baseline === 'new' || f.baseline === 'unchanged')).toBe(true);
    expect(diff.result.baseline).toMatchObject({ generatedAt: '2026-10-20T08:30:00.000Z', toolVersion: '0.1.0', newCount: 7, unchangedCount: 7 });
  });

  it('calls resolved only what the current scope covered, and says why the rest is not checked', () => {
    expect(diff.resolved.map((f) => f.subject.spn)).toEqual(['HTTP/portal.contoso.test']);
    expect(diff.notChecked.map((n) => [n.finding.ruleId, n.reason])).toEqual([
      ['des-only', 'domain fabrikam.test is not in the current scope'],
      ['missing-spn', 'server WEB03 is not in the current scope'],
    ]);
  });

  it('never calls anything resolved when the current audit is incomplete', () => {
    const inc = compareWithBaseline(loadAudit('example-audit-incomplete.json'), loadAudit('baseline-audit.json'));
    expect(inc.resolved).toEqual([]);
    expect(inc.notChecked.length).toBe(4);
    expect(new Set(inc.notChecked.map((n) => n.reason))).toEqual(new Set(['the current audit is incomplete (collection errors)']));
  });

  it('does not change the findings it was given', () => {
    const current = loadAudit('example-audit.json');
    compareWithBaseline(current, loadAudit('baseline-audit.json'));
    expect(current.findings.some((f) => 'baseline' in f)).toBe(false);
  });
});

describe('resolved vs not checked', () => {
  const gone = (subject: FindingSubject, ruleId = 'missing-spn') => finding('old', ruleId, subject);
  const cases: Array<[string, Finding, Partial<AuditResult['scope']>, string | null]> = [
    ['server in scope (any case)', gone({ server: 'web01', domain: 'contoso.test' }), {}, null],
    ['server out of scope', gone({ server: 'WEB09' }), {}, 'server WEB09 is not in the current scope'],
    ['domain out of scope', gone({ account: 'FABRIKAM\\x', domain: 'fabrikam.test' }), {}, 'domain fabrikam.test is not in the current scope'],
    ['rule skipped now', gone({ server: 'WEB01' }), { skipped: [{ ruleId: 'missing-spn', reason: 'no IIS input' }] }, 'rule missing-spn was not run: no IIS input'],
    ['incomplete', gone({ server: 'WEB01' }), { complete: false }, 'the current audit is incomplete (collection errors)'],
    ['no server/domain, scope unchanged', gone({ spn: 'HTTP/x' }), {}, null],
    ['no server/domain, scope shrank', gone({ spn: 'HTTP/x' }), { servers: [] }, 'the finding names no server or domain and server WEB01 is not in the current scope'],
  ];
  it.each(cases)('%s', (_name, old, scope, reason) => {
    const diff = compareWithBaseline(audit([], scope), audit([old]));
    if (reason === null) {
      expect(diff.resolved.map((f) => f.fingerprint)).toEqual(['old']);
      expect(diff.notChecked).toEqual([]);
    } else {
      expect(diff.resolved).toEqual([]);
      expect(diff.notChecked).toEqual([{ finding: old, reason }]);
    }
  });
});

describe('hasNewAtOrAbove', () => {
  const base = audit([finding('a', 'rc4-only', {}, 'error')]);
  it.each([
    ['only unchanged findings', [finding('a', 'rc4-only', {}, 'error')], 'info', false],
    ['a new warning vs threshold error', [finding('b', 'x', {}, 'warning')], 'error', false],
    ['a new warning vs threshold warning', [finding('b', 'x', {}, 'warning')], 'warning', true],
    ['a new error vs threshold info', [finding('b', 'x', {}, 'error')], 'info', true],
  ] as const)('%s → %s', (_name, current, severity, expected) => {
    expect(hasNewAtOrAbove(compareWithBaseline(audit([...current]), base), severity)).toBe(expected);
  });

  it('ignores a new finding that is suppressed', () => {
    const suppressed = { ...finding('b', 'x', {}, 'error'), suppression: { rule: 'x', subject: '*', reason: 'accepted', source: 'c.yaml:3' } };
    expect(hasNewAtOrAbove(compareWithBaseline({ ...audit([]), findings: [suppressed] }, base), 'info')).toBe(false);
  });
});

describe('parseBaseline', () => {
  it('reads the fixture', () => {
    expect(parseBaseline(readFixture('baseline-audit.json'), 'b.json').findings).toHaveLength(10);
  });
  const valid = JSON.parse(readFixture('baseline-audit.json'));
  it.each([
    ['not JSON', '{', /^b\.json: not a JSON report: /],
    ['a list', '[]', /^b\.json: not a spnaudit JSON report/],
    ['another schema version', JSON.stringify({ ...valid, schemaVersion: 2 }), /^b\.json: report schemaVersion 2 is not supported \(expected 1\)$/],
    ['no scope', JSON.stringify({ ...valid, scope: null }), /^b\.json: scope must have/],
    ['a finding without fingerprint', JSON.stringify({ ...valid, findings: [{ ...valid.findings[0], fingerprint: '' }] }), /^b\.json: findings\[0\] needs a fingerprint/],
    ['a bad severity', JSON.stringify({ ...valid, findings: [{ ...valid.findings[0], severity: 'fatal' }] }), /^b\.json: findings\[0\]\.severity must be/],
  ])('rejects %s with a one-line error naming the file', (_name, text, message) => {
    expect(() => parseBaseline(text, 'b.json')).toThrow(message);
  });
});
