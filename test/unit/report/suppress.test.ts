import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/file.js';
import { UsageError } from '../../../src/errors.js';
import { applySuppressions, globToRegExp, isExpired, parseSuppressions, subjectCandidates } from '../../../src/report/suppress.js';
import { NOW, loadAudit, readFixture } from './fixtures.js';

const parse = (yaml: string) => parseSuppressions(parseConfigText(yaml, 'spnaudit.yaml'));

describe('parseSuppressions', () => {
  it('reads entries with their file:line', () => {
    expect(parse(readFixture('suppress.yaml'))).toEqual([
      { rule: 'kerberoastable-user', subject: 'CONTOSO\\svc_sql', reason: 'Legacy SQL 2012 instance; migration to gMSA tracked in CHG-1042', expires: '2027-03-31', source: 'spnaudit.yaml:3' },
      { rule: 'anonymous-with-windows-auth', subject: 'WEB01/Default*', reason: 'Public landing page, anonymous by design', source: 'spnaudit.yaml:7' },
      { rule: 'rc4-only', subject: '*svc_sql', reason: 'Exception granted until the SQL upgrade', expires: '2026-01-31', source: 'spnaudit.yaml:10' },
    ]);
  });

  it('accepts a config without a suppress section', () => {
    expect(parse('ldap:\n  url: ldaps://dc01\n')).toEqual([]);
  });

  it.each([
    ['not a list', 'suppress: yes\n', 'spnaudit.yaml:1: suppress must be a list'],
    ['an entry that is a string', 'suppress:\n  - duplicate-spn\n', 'spnaudit.yaml:2: suppress[0] must be a mapping'],
    ['a missing reason', 'suppress:\n  - rule: duplicate-spn\n    subject: "*"\n', 'spnaudit.yaml:2: suppress[0].reason is required'],
    ['an empty subject', 'suppress:\n  - rule: duplicate-spn\n    subject: "  "\n    reason: x\n', 'spnaudit.yaml:3: suppress[0].subject is required'],
    ['an unknown key', 'suppress:\n  - rule: duplicate-spn\n    subject: "*"\n    reason: x\n    ruleId: y\n', 'spnaudit.yaml:5: suppress[0]: unknown key "ruleId"'],
    ['a rule that is not an id', 'suppress:\n  - rule: Duplicate SPN\n    subject: "*"\n    reason: x\n', 'spnaudit.yaml:2: suppress[0].rule "Duplicate SPN" is not a rule id'],
    ['a bad date', 'suppress:\n  - rule: duplicate-spn\n    subject: "*"\n    reason: x\n    expires: 2026-02-30\n', 'spnaudit.yaml:5: suppress[0].expires must be a date YYYY-MM-DD'],
    ['a date that is a number', 'suppress:\n  - rule: duplicate-spn\n    subject: "*"\n    reason: x\n    expires: 20260101\n', 'spnaudit.yaml:5: suppress[0].expires must be a date'],
  ])('rejects %s at its line', (_name, yaml, message) => {
    let error: unknown;
    try {
      parse(yaml);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message.startsWith(message), (error as Error).message).toBe(true);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('subject globs', () => {
  it.each([
    ['CONTOSO\\svc_sql', 'contoso\\SVC_SQL', true],
    ['CONTOSO\\svc_*', 'CONTOSO\\svc_web', true],
    ['CONTOSO\\svc_?', 'CONTOSO\\svc_ab', false],
    ['HTTP/*.contoso.test', 'HTTP/intranet.contoso.test', true],
    ['HTTP/*.contoso.test', 'HTTP/intranet.contoso.test.evil', false],
    ['a.b', 'axb', false],
    ['(x)+[y]', '(x)+[y]', true],
    ['*', '', true],
  ])('%j matches %j: %s', (glob, value, expected) => {
    expect(globToRegExp(glob).test(value)).toBe(expected);
  });

  it('offers account, spn, host, server, site and server/site', () => {
    expect(subjectCandidates({ account: 'A', accountGuid: 'g', spn: 'S', host: 'H', server: 'W', site: 'X', appPool: 'P', domain: 'D' })).toEqual(['A', 'S', 'H', 'W', 'X', 'W/X']);
  });
});

describe('applySuppressions', () => {
  const entries = parse(readFixture('suppress.yaml'));
  const audit = loadAudit('example-audit.json');
  const { result, warnings } = applySuppressions(audit, entries, NOW);

  it('marks matching findings with the reason and keeps every finding', () => {
    expect(result.findings).toHaveLength(audit.findings.length);
    const marked = result.findings.filter((f) => f.suppression).map((f) => [f.ruleId, f.suppression?.reason, f.suppression?.source]);
    expect(marked).toEqual([
      ['kerberoastable-user', 'Legacy SQL 2012 instance; migration to gMSA tracked in CHG-1042', 'spnaudit.yaml:3'],
      ['anonymous-with-windows-auth', 'Public landing page, anonymous by design', 'spnaudit.yaml:7'],
    ]);
  });

  it('does not let an expired entry suppress, and warns about it with its line', () => {
    expect(result.findings.find((f) => f.ruleId === 'rc4-only')?.suppression).toBeUndefined();
    expect(warnings).toEqual(['spnaudit.yaml:10: suppression of rc4-only for *svc_sql expired on 2026-01-31; matching findings are reported again']);
  });

  it('recomputes the summary over findings that still count', () => {
    expect(audit.summary).toEqual({ error: 4, warning: 7, info: 3 });
    expect(result.summary).toEqual({ error: 4, warning: 6, info: 2 });
  });

  it('rule * matches any rule; a subject matching no candidate suppresses nothing', () => {
    const all = applySuppressions(audit, [{ rule: '*', subject: 'WEB02', reason: 'decommissioned', source: 'c:1' }], NOW).result;
    expect(all.findings.filter((f) => f.suppression).map((f) => f.ruleId).sort()).toEqual(['kerberos-only-provider', 'missing-spn', 'spn-on-wrong-account']);
    const none = applySuppressions(audit, [{ rule: '*', subject: 'WEB0', reason: 'typo', source: 'c:1' }], NOW).result;
    expect(none.findings.some((f) => f.suppression)).toBe(false);
  });

  it.each([
    ['2026-11-20', '2026-11-20T23:59:59Z', false],
    ['2026-11-20', '2026-11-21T00:00:00Z', true],
    [undefined, '2100-01-01T00:00:00Z', false],
  ] as const)('expires %s at %s → expired %s', (expires, now, expected) => {
    expect(isExpired({ rule: 'x', subject: '*', reason: 'r', source: 's:1', ...(expires ? { expires } : {}) }, new Date(now))).toBe(expected);
  });
});
