import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { REPORT_FORMATS, isReportFormat, renderReport } from '../../../src/report/index.js';
import { renderJunit } from '../../../src/report/junit.js';
import { renderTable } from '../../../src/report/table.js';
import { parseCsv } from './csv-parse.js';
import { RENDER_OPTIONS, RULES, annotatedAudit, loadAudit } from './fixtures.js';

const complete = annotatedAudit().result;
const incomplete = loadAudit('example-audit-incomplete.json');

describe('incomplete audits say so first', () => {
  it('table: first line is the INCOMPLETE banner, also in quiet mode', () => {
    expect(renderTable(incomplete).split('\n')[0]).toBe('!!! INCOMPLETE AUDIT: 2 collection errors; findings may be missing and nothing absent can be called resolved. !!!');
    expect(renderTable(incomplete, { quiet: true })).toMatch(/^INCOMPLETE AUDIT: spnaudit 0\.1\.0: 4 errors, 5 warnings, 3 info/);
    expect(renderTable(complete).split('\n')[0]).toMatch(/^spnaudit 0\.1\.0: /);
  });

  it.each([
    ['markdown', (s: string) => s.split('\n')[2], '> **INCOMPLETE AUDIT\\: 2 collection errors; findings may be missing and nothing absent can be called resolved\\.**'],
    ['html', (s: string) => /<body>\n<header>\n<h1>[^<]*<\/h1>\n(.*)/.exec(s)?.[1], '<div class="incomplete" role="alert">INCOMPLETE AUDIT: 2 collection errors; findings may be missing and nothing absent can be called resolved.</div>'],
  ] as const)('%s: banner right under the title', (format, pick, expected) => {
    expect(pick(renderReport(format, incomplete))).toBe(expected);
    expect(renderReport(format, complete, RENDER_OPTIONS)).not.toContain('INCOMPLETE');
  });
});

describe('table', () => {
  it('quiet prints only the summary line', () => {
    expect(renderTable(complete, { quiet: true }).split('\n')).toHaveLength(2);
  });

  it('colors only when asked', () => {
    expect(renderTable(complete)).not.toContain('\u001b[');
    expect(renderTable(complete, { color: true })).toContain('\u001b[31merror\u001b[0m');
  });

  it.each([100, 120, 160])('keeps table lines within width %i', (width) => {
    const lines = renderTable(complete, { width }).split('\n').filter((l) => /^[┌│├└]/.test(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(width);
  });

  it('never truncates a value (no ellipsis) even in narrow columns', () => {
    expect(renderTable(complete, { width: 100 })).not.toContain('…');
  });

  it('lists suppressed findings apart with their reason, and fixes only for active findings', () => {
    const out = renderTable(complete);
    const suppressedBlock = out.slice(out.indexOf('SUPPRESSED (2)'), out.indexOf('FIXES'));
    expect(suppressedBlock).toContain('kerberoastable-user');
    expect(suppressedBlock).toContain('Legacy SQL 2012 instance');
    expect(out.slice(out.indexOf('FIXES'))).not.toContain('[kerberoastable-user]');
  });
});

describe('junit', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['testsuite', 'testcase'].includes(name) });
  type Case = { '@name': string; failure?: { '@type': string }; skipped?: unknown; 'system-out'?: string };
  type Suite = { '@name': string; '@tests': string; '@failures': string; '@skipped': string; testcase: Case[] };
  const suitesOf = (xml: string) => parser.parse(xml).testsuites.testsuite as Suite[];

  it('one suite per rule, one case per rule × subject; counts add up', () => {
    const xml = renderJunit(complete, RENDER_OPTIONS);
    const suites = suitesOf(xml);
    const root = parser.parse(xml).testsuites;
    const cases = suites.flatMap((s) => s.testcase);
    expect(Number(root['@tests'])).toBe(cases.length);
    expect(Number(root['@failures'])).toBe(cases.filter((c) => c.failure).length);
    for (const s of suites) expect(Number(s['@tests'])).toBe(s.testcase.length);
    const ruleIds = new Set([...complete.findings.map((f) => f.ruleId), ...RULES.map((r) => r.id)]);
    expect(suites.map((s) => s['@name']).sort()).toEqual([...ruleIds].sort());
  });

  it.each([
    ['duplicate-spn', 'failure', 'error'],
    ['missing-spn-variant', 'failure', 'warning'],
    ['kerberoastable-user', 'skipped', null],
    ['kerberos-only-provider', 'system-out', null],
  ] as const)('%s → %s', (rule, element, type) => {
    const suite = suitesOf(renderJunit(complete, RENDER_OPTIONS)).find((s) => s['@name'] === rule);
    const c = suite?.testcase[0];
    expect(c?.[element]).toBeDefined();
    if (type) expect(c?.failure?.['@type']).toBe(type);
  });

  it('a skipped check is a skipped case; a catalogue rule without findings passes', () => {
    const suites = suitesOf(renderJunit(complete, RENDER_OPTIONS));
    expect(suites.find((s) => s['@name'] === 'loopback-check')?.testcase).toEqual([{ '@name': 'check not run', '@classname': 'spnaudit.loopback-check', '@time': '0', skipped: expect.anything() }]);
  });

  it('an incomplete audit adds a failing collection case', () => {
    const suite = suitesOf(renderJunit(incomplete)).find((s) => s['@name'] === 'collection');
    expect(suite?.testcase[0]?.failure?.['@type']).toBe('incomplete');
  });
});

describe('csv', () => {
  it('has one row per finding with the documented columns', () => {
    const rows = parseCsv(renderReport('csv', incomplete));
    expect(rows[0]).toEqual(['baseline', 'suppressed', 'severity', 'rule', 'title', 'account', 'spn', 'host', 'server', 'site', 'app_pool', 'domain', 'message', 'fix_commands', 'location', 'suppression_reason', 'fingerprint']);
    expect(rows).toHaveLength(1 + incomplete.findings.length);
  });
});

describe('renderReport', () => {
  it('knows every format and nothing else', () => {
    expect(REPORT_FORMATS.every(isReportFormat)).toBe(true);
    expect(isReportFormat('pdf')).toBe(false);
  });

  it('renders an audit with no findings in every format', () => {
    const empty = { ...loadAudit('example-audit.json'), findings: [], verdicts: [], summary: { error: 0, warning: 0, info: 0 } };
    for (const format of REPORT_FORMATS) expect(renderReport(format, empty).length, format).toBeGreaterThan(0);
    expect(renderReport('table', empty)).toContain('No findings.');
  });
});
