/**
 * Golden reports for every format on the REAL example audit (examples/contoso.snapshot.json +
 * examples/spnaudit.yaml through the analyzer), with suppressions from
 * test/fixtures/reports/contoso-suppress.yaml and a baseline that is a mutated copy of the audit, so
 * new, unchanged, resolved, not-checked and suppressed findings all appear. The clock is fixed, so
 * the files only change when the analyzer's findings or a renderer change: regenerate with
 * `npx vitest run --project unit test/unit/report -u` and review the diff.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPORT_EXTENSIONS, REPORT_FORMATS, renderReport } from '../../../src/report/index.js';
import type { RenderOptions, ReportAudit } from '../../../src/report/types.js';
import { parseCsv } from './csv-parse.js';
import { FIXTURES } from './fixtures.js';
import { EXAMPLE_GENERATED_AT, EXAMPLE_SNAPSHOT, NEW_SINCE_BASELINE_RULES, REPO_ROOT, annotatedExampleAudit } from './real-audit.js';
import { auditSchemaValidator, sarifValidator } from './validators.js';

let annotated: ReportAudit;
let options: RenderOptions;
let warnings: string[];
const outputs = new Map<string, string>();

beforeAll(async () => {
  const example = await annotatedExampleAudit();
  annotated = example.annotated;
  options = example.options;
  warnings = example.warnings;
  for (const format of REPORT_FORMATS) outputs.set(format, renderReport(format, annotated, options));
});

const output = (format: string): string => {
  const text = outputs.get(format);
  if (text === undefined) throw new Error(`no ${format} output`);
  return text;
};

describe('golden reports of the real example audit', () => {
  it.each(REPORT_FORMATS)('%s', async (format) => {
    await expect(output(format)).toMatchFileSnapshot(`${FIXTURES}golden/contoso.${REPORT_EXTENSIONS[format]}`);
  });

  it('quiet table: the summary line alone', () => {
    expect(renderReport('table', annotated, { ...options, quiet: true })).toMatchInlineSnapshot(`
      "spnaudit 0.1.0: 22 errors, 9 warnings, 27 info (6 suppressed; 4 new, 1 resolved since baseline; 1 not checked)
      "
    `);
  });
});

describe('the annotations the goldens cover', () => {
  it('marks every status: new, unchanged, resolved, not checked, suppressed', () => {
    const newRules = new Set(annotated.findings.filter((f) => f.baseline === 'new').map((f) => f.ruleId));
    expect([...newRules].sort()).toEqual([...NEW_SINCE_BASELINE_RULES]);
    expect(annotated.findings.filter((f) => f.baseline === 'unchanged').length).toBeGreaterThan(40);
    expect(annotated.baseline?.resolved.map((f) => [f.ruleId, f.subject.spn])).toEqual([['duplicate-spn', 'HTTP/old-intranet.contoso.test']]);
    expect(annotated.baseline?.notChecked.map((n) => [n.finding.ruleId, n.reason])).toEqual([
      ['kernel-mode-preauth', 'server WEB04 is not in the current scope'],
    ]);
    const suppressed = annotated.findings.filter((f) => f.suppression).map((f) => `${f.ruleId} ${f.subject.account ?? `${f.subject.server}/${f.subject.site}`}`);
    expect(suppressed.sort()).toEqual([
      'kerberoastable-user CONTOSO\\svc_big',
      'kernel-mode-preauth WEB03/Apps',
      'kernel-mode-preauth WEB03/HR',
      'kernel-mode-preauth WEB03/Legacy',
      'kernel-mode-preauth WEB03/Portal',
      'kernel-mode-preauth WEB03/Reports',
    ]);
  });

  it('warns about the expired suppression, which no longer hides its finding', () => {
    expect(warnings).toEqual([
      'contoso-suppress.yaml:11: suppression of rc4-only for *svc_rc4 expired on 2026-06-30; matching findings are reported again',
    ]);
    expect(annotated.findings.find((f) => f.ruleId === 'rc4-only')?.suppression).toBeUndefined();
  });
});

describe('nothing machine- or clock-dependent in the compared output', () => {
  it('the snapshot and applicationHost.config paths are relative, and name files of this repository', () => {
    expect(annotated.scope.snapshotFile).toBe(EXAMPLE_SNAPSHOT);
    const located = annotated.findings.filter((f) => f.location);
    expect(located.length).toBeGreaterThan(0);
    for (const f of located) {
      const file = f.location?.file ?? '';
      expect(path.isAbsolute(file), file).toBe(false);
      const lines = readFileSync(path.join(REPO_ROOT, file), 'utf8').split('\n').length;
      expect(f.location?.line).toBeLessThanOrEqual(lines);
    }
  });

  it.each(REPORT_FORMATS)('%s: no absolute path of this machine', (format) => {
    const text = output(format);
    for (const local of [REPO_ROOT, process.cwd(), os.tmpdir(), 'file:']) expect(text, local).not.toContain(local);
  });

  it.each(REPORT_FORMATS)('%s: every timestamp comes from the inputs, none from the clock', (format) => {
    const snapshotText = readFileSync(path.join(REPO_ROOT, EXAMPLE_SNAPSHOT), 'utf8');
    const known = new Set([EXAMPLE_GENERATED_AT.toISOString(), annotated.baseline?.generatedAt, ...(snapshotText.match(/\d{4}-\d{2}-\d{2}T[\d:.]+Z/g) ?? [])]);
    const found = output(format).match(/\d{4}-\d{2}-\d{2}T[\d:.]+Z/g) ?? [];
    expect(found.filter((t) => !known.has(t))).toEqual([]);
  });
});

describe('machine formats of the real audit parse and validate', () => {
  it('json validates against docs/schema/audit-result.schema.json and round-trips the audit', () => {
    const data = JSON.parse(output('json'));
    expect(auditSchemaValidator()(data)).toEqual([]);
    expect(data.findings.map((f: { fingerprint: string }) => f.fingerprint).sort()).toEqual(annotated.findings.map((f) => f.fingerprint).sort());
  });

  it('sarif validates against the SARIF 2.1.0 schema; every physical location is a file of the repository', () => {
    const log = JSON.parse(output('sarif'));
    expect(sarifValidator()(log)).toEqual([]);
    const results = log.runs[0].results as Array<{ locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }>;
    expect(results).toHaveLength(annotated.findings.length);
    const uris = new Set(results.map((r) => r.locations[0]?.physicalLocation.artifactLocation.uri ?? ''));
    expect([...uris].sort()).toEqual([
      'examples/contoso.snapshot.json',
      'examples/iis/WEB01/applicationHost.config',
      'examples/iis/WEB02/applicationHost.config',
      'examples/iis/WEB03.applicationHost.config',
    ]);
    for (const uri of uris) expect(existsSync(path.join(REPO_ROOT, decodeURIComponent(uri))), uri).toBe(true);
  });

  it('junit parses back: one case per finding plus one per rule without findings; failures are the active errors and warnings', () => {
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['testsuite', 'testcase'].includes(name) });
    const root = parser.parse(output('junit')).testsuites;
    const cases = (root.testsuite as Array<{ testcase: Array<{ failure?: unknown; skipped?: unknown }> }>).flatMap((s) => s.testcase);
    const rulesWithFindings = new Set(annotated.findings.map((f) => f.ruleId));
    const quietRules = (options.rules ?? []).filter((r) => !rulesWithFindings.has(r.id));
    expect(cases).toHaveLength(annotated.findings.length + quietRules.length);
    const failing = annotated.findings.filter((f) => !f.suppression && f.severity !== 'info').length;
    expect(cases.filter((c) => c.failure)).toHaveLength(failing);
    expect(Number(root['@failures'])).toBe(failing);
    expect(cases.filter((c) => c.skipped)).toHaveLength(annotated.findings.filter((f) => f.suppression).length);
  });

  it('csv: one row per finding, then the resolved and not-checked baseline findings', () => {
    const rows = parseCsv(output('csv'));
    const b = annotated.baseline;
    expect(rows).toHaveLength(1 + annotated.findings.length + (b?.resolved.length ?? 0) + (b?.notChecked.length ?? 0));
    expect(rows.slice(-2).map((r) => r[0])).toEqual(['resolved', 'not checked']);
  });
});
