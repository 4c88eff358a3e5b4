import { describe, expect, it } from 'vitest';
import { compareFindings, NO_IIS_INPUT_REASON, runAudit } from '../../../src/analyze/audit.js';
import { rules } from '../../../src/rules/index.js';
import { kerberosRules } from '../../../src/rules/kerberos/index.js';
import type { Finding } from '../../../src/model/finding.js';
import { account, computer, inventory, singleSite, snapshot } from '../../support/fixtures.js';

const snap = snapshot({
  accounts: [
    computer('WEB01'),
    account({ sam: 'svc_a', spns: ['HTTP/shared.contoso.test', 'HTTPS/bad.contoso.test'] }),
    account({ sam: 'svc_b', spns: ['HTTP/shared.contoso.test'] }),
    account({ sam: 'svc_web', spns: ['HTTP/intranet.contoso.test'] }),
  ],
});

describe('runAudit', () => {
  it('without IIS input skips (and lists) every IIS-dependent rule of the catalogue', () => {
    const result = runAudit(snap, null, { generatedAt: new Date('2026-06-02T00:00:00Z') });
    const iisRules = rules.filter((r) => r.needsInventory).map((r) => r.id);
    expect(result.scope.skipped).toEqual(iisRules.map((ruleId) => ({ ruleId, reason: NO_IIS_INPUT_REASON })));
    expect(result.verdicts).toEqual([]);
    expect(result.findings.some((f) => f.ruleId === 'duplicate-spn')).toBe(true);
    expect(result.findings.some((f) => rules.find((r) => r.id === f.ruleId)?.needsInventory)).toBe(false);
  });

  it('reports scope, summary and a deterministic order', () => {
    const inv = inventory({ servers: [singleSite({ identity: 'CONTOSO\\svc_web' })] });
    const result = runAudit(snap, inv, { rules: kerberosRules, generatedAt: new Date('2026-06-02T00:00:00Z'), snapshotFile: 'snap.json' });
    expect(result.scope).toEqual({
      domains: ['contoso.test'],
      forests: ['contoso.test'],
      servers: ['WEB01'],
      collectedAt: '2026-06-01T00:00:00.000Z',
      snapshotFile: 'snap.json',
      complete: true,
      errors: [],
      skipped: [],
    });
    expect(result.generatedAt).toBe('2026-06-02T00:00:00.000Z');
    expect(result.findings.map((f) => [f.severity, f.ruleId])).toEqual([
      ['error', 'duplicate-spn'],
      ['error', 'kernel-mode-needs-app-pool-credentials'],
      ['error', 'malformed-spn'],
      ['info', 'missing-spn-variant'],
    ]);
    expect(result.summary).toEqual({ error: 3, warning: 0, info: 1 });
    expect(result.verdicts.map((v) => v.verdict)).toEqual(['failure-401']);
    const again = runAudit(snap, inv, { rules: kerberosRules, generatedAt: new Date('2026-06-02T00:00:00Z'), snapshotFile: 'snap.json' });
    expect(again).toEqual(result);
  });

  it('copies an incomplete collection into the scope', () => {
    const partial = { ...snap, complete: false, errors: [{ where: 'DC=eu,DC=contoso,DC=test', message: 'referral not followed' }] };
    const result = runAudit(partial, null, { rules: [] });
    expect(result.scope.complete).toBe(false);
    expect(result.scope.errors).toEqual(partial.errors);
  });

  it('turns a crashing rule into an error naming the rule', () => {
    const broken = { ...kerberosRules[0]!, id: 'broken-rule', check: () => { throw new Error('boom'); } };
    expect(() => runAudit(snap, null, { rules: [broken] })).toThrow('rule broken-rule failed: boom');
  });
});

describe('compareFindings', () => {
  const f = (severity: Finding['severity'], ruleId: string, host: string, fingerprint = 'a'): Finding => ({
    fingerprint, ruleId, severity, title: '', message: '', subject: { host }, evidence: {}, fixes: [],
  });
  it('orders by severity, rule id, subject, fingerprint', () => {
    const list = [f('info', 'a', 'x'), f('error', 'b', 'y'), f('error', 'b', 'x', 'b'), f('error', 'b', 'x', 'a'), f('warning', 'a', 'z'), f('error', 'a', 'z')];
    expect(list.sort(compareFindings).map((x) => `${x.severity}:${x.ruleId}:${x.subject.host}:${x.fingerprint}`)).toEqual([
      'error:a:z:a',
      'error:b:x:a',
      'error:b:x:b',
      'error:b:y:a',
      'warning:a:z:a',
      'info:a:x:a',
    ]);
  });
});
