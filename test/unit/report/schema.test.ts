/**
 * The published JSON Schema (docs/schema/audit-result.schema.json) against real renderer output, and
 * against the TypeScript types: the key lists below are checked by the compiler (`satisfies`), so a
 * field added to the model without the schema (or the reverse) fails here.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { CollectionError } from '../../../src/model/directory.js';
import type { AuditResult, SkippedCheck, Verdict } from '../../../src/model/audit.js';
import type { Fix, FindingSubject, FixAction } from '../../../src/model/finding.js';
import type { SourcePos } from '../../../src/model/source.js';
import { renderJson } from '../../../src/report/json.js';
import type { BaselineSummary, NotCheckedFinding, ReportAudit, ReportFinding, SuppressionMark } from '../../../src/report/types.js';
import { annotatedAudit, loadAudit } from './fixtures.js';

const schema = JSON.parse(readFileSync(new URL('../../../docs/schema/audit-result.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true });
const validate = ajv.compile(schema);

function errorsOf(data: unknown): string[] {
  return validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe('renderJson output validates against the schema', () => {
  it.each([
    ['complete audit', () => loadAudit('example-audit.json')],
    ['incomplete audit', () => loadAudit('example-audit-incomplete.json')],
    ['with suppressions and baseline', () => annotatedAudit().result],
  ] as const)('%s', (_name, audit) => {
    expect(errorsOf(JSON.parse(renderJson(audit())))).toEqual([]);
  });
});

describe('the schema is closed where the contract is', () => {
  const base = (): Record<string, unknown> => JSON.parse(renderJson(annotatedAudit().result));
  it.each([
    ['an unknown top-level key', (d: any) => void (d.extra = 1)],
    ['an unknown finding key', (d: any) => void (d.findings[0].category = 'kerberos')],
    ['an unknown subject key', (d: any) => void (d.findings[0].subject.dn = 'CN=x')],
    ['an unknown fix kind', (d: any) => void (d.findings[0].fixes[0].kind = 'bash')],
    ['a wrong severity', (d: any) => void (d.findings[0].severity = 'critical')],
    ['a missing fingerprint', (d: any) => void delete d.findings[0].fingerprint],
    ['a fix action with a mixed shape', (d: any) => void (d.findings[0].fixes[0].action.section = 'x')],
    ['a wrong verdict', (d: any) => void (d.verdicts[0].verdict = 'maybe')],
    ['a baseline status other than new/unchanged', (d: any) => void (d.findings[0].baseline = 'resolved')],
    ['schemaVersion 2', (d: any) => void (d.schemaVersion = 2)],
  ])('rejects %s', (_name, mutate) => {
    const data = base();
    mutate(data);
    expect(errorsOf(data).length).toBeGreaterThan(0);
  });
});

type RequiredKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T];

function keysOf<T>(all: Record<keyof T, true>, required: Record<RequiredKeys<T>, true>): { all: string[]; required: string[] } {
  return { all: Object.keys(all).sort(), required: Object.keys(required).sort() };
}

const defs = schema.$defs as Record<string, { properties: Record<string, unknown>; required?: string[] }>;
const props = (s: { properties: Record<string, unknown>; required?: string[] }) => ({ all: Object.keys(s.properties).sort(), required: [...(s.required ?? [])].sort() });

describe('schema keys match the TypeScript types', () => {
  it.each([
    ['AuditResult (+ report baseline)', props(schema), keysOf<ReportAudit>(
      { schemaVersion: true, tool: true, generatedAt: true, scope: true, summary: true, findings: true, verdicts: true, baseline: true },
      { schemaVersion: true, tool: true, generatedAt: true, scope: true, summary: true, findings: true, verdicts: true },
    )],
    ['scope', props(schema.properties.scope), keysOf<AuditResult['scope']>(
      { domains: true, forests: true, servers: true, collectedAt: true, snapshotFile: true, complete: true, errors: true, skipped: true },
      { domains: true, forests: true, servers: true, collectedAt: true, snapshotFile: true, complete: true, errors: true, skipped: true },
    )],
    ['CollectionError', props(defs.collectionError!), keysOf<CollectionError>({ where: true, message: true, code: true }, { where: true, message: true })],
    ['SkippedCheck', props(defs.skippedCheck!), keysOf<SkippedCheck>({ ruleId: true, reason: true }, { ruleId: true, reason: true })],
    ['FindingSubject', props(defs.subject!), keysOf<FindingSubject>(
      { account: true, accountGuid: true, spn: true, host: true, server: true, site: true, appPool: true, domain: true }, {},
    )],
    ['Fix', props(defs.fix!), keysOf<Fix>({ kind: true, command: true, note: true, action: true }, { kind: true, command: true })],
    ['SourcePos', props(defs.sourcePos!), keysOf<SourcePos>({ file: true, line: true }, { file: true, line: true })],
    ['SuppressionMark', props(defs.suppressionMark!), keysOf<SuppressionMark>(
      { rule: true, subject: true, reason: true, expires: true, source: true }, { rule: true, subject: true, reason: true, source: true },
    )],
    ['ReportFinding', props(defs.reportFinding!), keysOf<ReportFinding>(
      { fingerprint: true, ruleId: true, severity: true, title: true, message: true, subject: true, evidence: true, fixes: true, location: true, baseline: true, suppression: true },
      { fingerprint: true, ruleId: true, severity: true, title: true, message: true, subject: true, evidence: true, fixes: true },
    )],
    ['Verdict', props(defs.verdict!), keysOf<Verdict>(
      { server: true, site: true, application: true, host: true, expectedSpn: true, decryptingAccount: true, holders: true, verdict: true, reasons: true },
      { server: true, site: true, application: true, host: true, expectedSpn: true, decryptingAccount: true, holders: true, verdict: true, reasons: true },
    )],
    ['NotCheckedFinding', props(defs.notCheckedFinding!), keysOf<NotCheckedFinding>({ finding: true, reason: true }, { finding: true, reason: true })],
    ['BaselineSummary', props(defs.baselineSummary!), keysOf<BaselineSummary>(
      { generatedAt: true, toolVersion: true, newCount: true, unchangedCount: true, resolved: true, notChecked: true },
      { generatedAt: true, toolVersion: true, newCount: true, unchangedCount: true, resolved: true, notChecked: true },
    )],
  ])('%s', (_name, fromSchema, fromTypes) => {
    expect(fromSchema).toEqual(fromTypes);
  });

  const variants = (defs.fixAction as unknown as { oneOf: Array<{ properties: Record<string, unknown>; required: string[] }> }).oneOf;
  it.each([
    ['spn-add / spn-remove', 0, keysOf<Extract<FixAction, { type: 'spn-add' }>>(
      { type: true, spn: true, account: true, accountKind: true, domain: true }, { type: true, spn: true, account: true, accountKind: true, domain: true },
    )],
    ['iis-set', 1, keysOf<Extract<FixAction, { type: 'iis-set' }>>(
      { type: true, server: true, location: true, section: true, property: true, value: true, previous: true },
      { type: true, server: true, location: true, section: true, property: true, value: true, previous: true },
    )],
    ['account-set', 2, keysOf<Extract<FixAction, { type: 'account-set' }>>(
      { type: true, account: true, accountKind: true, domain: true, property: true, value: true, previous: true, change: true },
      { type: true, account: true, accountKind: true, domain: true, property: true, value: true, previous: true },
    )],
  ] as const)('FixAction %s', (_name, index, fromTypes) => {
    expect(props(variants[index]!)).toEqual(fromTypes);
  });
});
