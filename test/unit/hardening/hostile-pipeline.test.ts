/**
 * The hostile corpus through the WHOLE pipeline, from files the way a user feeds them: a snapshot whose
 * sAMAccountNames and SPNs carry every corpus value (including what no directory would store: NUL,
 * controls, 10 kB), an applicationHost.config and a JSON inventory whose site names, pool names, pool
 * userNames, anonymous userNames and host headers carry them too, and an account with 10,000 SPNs.
 * Everything goes through the real CLI (audit in every format, explain, iis, plan for every shell) and
 * the ticket sync for every provider, and each output is checked to be inert for its reader
 * (test/unit/hardening/hostile/inert.ts says what that means per format).
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneLine } from '../../../src/errors.js';
import type { AuditResult } from '../../../src/model/audit.js';
import { REPORT_FORMATS } from '../../../src/report/index.js';
import { revealInvisible, termText } from '../../../src/report/escape.js';
import { cliTable, displayWidth, drawTableAnyText, findingsTable, hardWrap } from '../../../src/report/table.js';
import { fingerprintMarker } from '../../../src/tickets/marker.js';
import { escapeJiraWiki, escapeTextile, plainText, renderAdf, renderMarkdown, renderTextile, adfPlainText } from '../../../src/tickets/render.js';
import { HOSTILE_VALUES } from '../../fixtures/hostile/corpus.js';
import { MANY_SPN_COUNT, MANY_SPN_SAM, hostileApplicationHost, hostileConfig, hostileSnapshot, placeValues, siteName, type PlacedValue } from '../../fixtures/hostile/pipeline.js';
import { runCli, type CliResult } from '../../support/cli.js';
import { writeSnapshot } from '../../../src/directory/snapshot-io.js';
import {
  RAW_INVISIBLE,
  expectCsvInert,
  expectHtmlInert,
  expectJsonInert,
  expectJunitInert,
  expectMarkdownInert,
  expectTerminalInert,
  expectValuesExact,
  scriptCommands,
  scriptKind,
} from './hostile/inert.js';
import { expectPlanIntent, type PlanJson } from './hostile/plan-intent.js';
import { expectTicketInert, removeTicketTmp, startProviders, syncOnce, type ProviderUnderTest } from './hostile/tickets.js';

const placed: PlacedValue[] = placeValues(HOSTILE_VALUES);
/** SPNs the snapshot holds (every value except the empty one). */
const spns = placed.map((p) => p.spn).filter((s): s is string => s !== null && s !== '');
let dir: string;
let inputs: string[];
const runs: Array<{ label: string; result: CliResult }> = [];

async function cli(label: string, args: string[]): Promise<CliResult> {
  const result = await runCli([...args, ...inputs], { timeoutMs: 120_000 });
  runs.push({ label, result });
  return result;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'spnaudit-hostile-pipeline-'));
  await writeFile(path.join(dir, 'HWEB1.applicationHost.config'), hostileApplicationHost(placed));
  await writeFile(path.join(dir, 'spnaudit.json'), JSON.stringify(hostileConfig(placed, 'HWEB1.applicationHost.config'), null, 2));
  await writeSnapshot(path.join(dir, 'snapshot.json'), hostileSnapshot(placed, HOSTILE_VALUES.map((h) => h.value)));
  inputs = ['--snapshot', path.join(dir, 'snapshot.json'), '--config', path.join(dir, 'spnaudit.json')];
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  removeTicketTmp();
});

describe('audit: every report format from one hostile run', () => {
  let audit: AuditResult;
  const file = (format: string) => path.join(dir, `report.${format}`);

  beforeAll(async () => {
    const reports = REPORT_FORMATS.filter((f) => f !== 'json').flatMap((f) => ['--report', `${f}=${file(f)}`]);
    const r = await cli('audit', ['audit', '--format', 'json', '--output', file('json'), ...reports]);
    expect(r.code, r.stderr.slice(0, 500)).toBe(1);
    audit = JSON.parse(await readFile(file('json'), 'utf8')) as AuditResult;
  }, 120_000);

  it('found the hostile values: duplicates of every SPN, missing SPNs for every pool identity, the 10,000-SPN account', () => {
    const duplicated = new Set(audit.findings.filter((f) => f.ruleId === 'duplicate-spn').map((f) => f.subject.spn));
    expect(spns.filter((s) => !duplicated.has(s)).map((s) => JSON.stringify(s.slice(0, 40)))).toEqual([]);
    const big = audit.findings.find((f) => f.ruleId === 'kerberoastable-user' && f.subject.account?.endsWith(`\\${MANY_SPN_SAM}`));
    expect(big?.message).toContain(String(MANY_SPN_COUNT));
    expect(audit.findings.some((f) => f.ruleId === 'missing-spn')).toBe(true);
    expect(audit.findings.flatMap((f) => f.fixes).filter((x) => x.kind !== 'manual').length).toBeGreaterThan(placed.length);
  });

  it('json keeps every value exactly, with invisible characters as \\u escapes', async () => {
    const doc = expectJsonInert(await readFile(file('json'), 'utf8'), 'json');
    expectValuesExact(doc, spns, 'json');
    expectValuesExact(doc, placed.map((p) => siteName(p)), 'json site names');
  });

  it('sarif keeps every value exactly, one result per finding', async () => {
    const doc = expectJsonInert(await readFile(file('sarif'), 'utf8'), 'sarif') as { runs: Array<{ results: unknown[] }> };
    expect(doc.runs[0]!.results).toHaveLength(audit.findings.length);
    expectValuesExact(doc, spns, 'sarif');
  });

  it('html: only its own tags, no script/handler/resource, and every SPN shown (revealed) as text', async () => {
    expectHtmlInert(await readFile(file('html'), 'utf8'), spns, 'html');
  });

  it('markdown: no raw HTML outside code, no table row broken by | or a line break', async () => {
    expectMarkdownInert(await readFile(file('markdown'), 'utf8'), 'markdown');
  });

  it('csv: RFC 4180, one row per finding, no cell a spreadsheet would evaluate, every SPN readable', async () => {
    const rows = expectCsvInert(await readFile(file('csv'), 'utf8'), audit.findings.length, 'csv');
    const column = rows[0]!.indexOf('spn');
    const cells = new Set(rows.map((r) => r[column]));
    const shown = (s: string) => {
      const revealed = revealInvisible(s);
      return cells.has(revealed) || cells.has(`'${revealed}`);
    };
    expect(spns.filter((s) => !shown(s)).map((s) => JSON.stringify(s.slice(0, 40)))).toEqual([]);
  });

  it('junit: well-formed XML carrying no character XML forbids', async () => {
    expectJunitInert(await readFile(file('junit'), 'utf8'), 'junit');
  });

  it('table: no control or bidi character, every box line exactly the table width, every fix command shown whole', async () => {
    const table = await readFile(file('table'), 'utf8');
    expectTerminalInert(table, 'table');
    const box = table.split('\n').filter((l) => /^[┌├│└]/.test(l));
    expect(box.length).toBeGreaterThan(audit.findings.length);
    expect([...new Set(box.map(displayWidth))]).toEqual([120]);
    const fixes = table.slice(table.indexOf('\nFIXES\n'));
    const missing = audit.findings.flatMap((f) => f.fixes.map((x) => termText(x.command))).filter((c) => !fixes.includes(c));
    expect(missing.map((c) => c.slice(0, 80))).toEqual([]);
  });

  it('stderr: each IIS warning is one inert line', () => {
    const { stderr } = runs.find((r) => r.label === 'audit')!.result;
    expectTerminalInert(stderr, 'audit stderr');
    for (const line of stderr.trimEnd().split('\n')) expect(line).toMatch(/^spnaudit: warning: /);
  });
});

describe('explain, iis', () => {
  const nasty = ['rtl-override', 'crlf', 'cmd-chain', 'escape', 'nul', 'long-10k', 'quote-2019', 'sh-command-subst'].map((id) => placed.find((p) => p.id === id)!);

  it.each(nasty.map((p) => [p.id, p] as const))('explain %s: text is inert, json exact', async (_id, p) => {
    // HWEB2 (hand-entered, any code point) answers on port 8080.
    const url = `http://${p.host}:8080/`;
    const text = await cli(`explain ${p.id}`, ['explain', url]);
    expect([0, 1]).toContain(text.code);
    expectTerminalInert(text.stdout + text.stderr, `explain ${p.id}`);
    expect(text.stdout).toContain(oneLine(siteName(p)));
    const json = await cli(`explain json ${p.id}`, ['explain', url, '--format', 'json']);
    const doc = expectJsonInert(json.stdout, `explain json ${p.id}`);
    expectValuesExact(doc, [siteName(p), p.sam], `explain json ${p.id}`);
  });

  it('iis --format table and json', async () => {
    const table = await runCli(['iis', '--config', path.join(dir, 'spnaudit.json')]);
    expect(table.code).toBe(0);
    expectTerminalInert(table.stdout, 'iis table');
    const json = await runCli(['iis', '--config', path.join(dir, 'spnaudit.json'), '--format', 'json']);
    const doc = expectJsonInert(json.stdout, 'iis json');
    // The loader trims names (IIS does too); everything else is kept exactly.
    expectValuesExact(doc, placed.map((p) => siteName(p).trim()), 'iis json');
    expectTerminalInert(json.stderr, 'iis stderr');
  }, 60_000);
});

describe('plan: every script line is inert, ours, or exactly its intended command', () => {
  it.each(['cmd', 'powershell', 'samba'] as const)('%s', async (shell) => {
    const out = path.join(dir, `plan-${shell}`);
    const r = await cli(`plan ${shell}`, ['plan', '--shell', shell, '--out-dir', out, '--min-severity', 'info']);
    expect(r.code, r.stderr.slice(0, 300)).toBe(0);
    expectTerminalInert(r.stdout, 'plan summary');
    const json = await cli(`plan json ${shell}`, ['plan', '--shell', shell, '--json', '--min-severity', 'info']);
    const plan = expectJsonInert(json.stdout, 'plan json') as PlanJson;
    const files = (await readdir(out)).sort();
    expect(files).toEqual([...plan.files].sort());
    let commands = 0;
    for (const name of files) {
      const content = await readFile(path.join(out, name), 'utf8');
      const found = scriptCommands(name, content);
      commands += found.length;
      expectPlanIntent(plan, name, scriptKind(name), found);
    }
    expect(commands).toBeGreaterThan(placed.length);
  }, 120_000);
});

describe('tickets: every provider body is inert for its markup', () => {
  let audit: AuditResult;
  let providers: ProviderUnderTest[];

  beforeAll(async () => {
    audit = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as AuditResult;
    providers = await startProviders();
  });

  afterAll(async () => {
    for (const p of providers ?? []) await p.server.stop();
  });

  it('creates one ticket per finding everywhere, and every title, body and summary line is inert', async () => {
    for (const p of providers) {
      const run = await syncOnce(audit, p);
      expect(p.server.violations, p.name).toEqual([]);
      expect(run.counts.create, p.name).toBe(audit.findings.length);
      expectTerminalInert(run.stdout + run.stderr, `${p.name} output`);
      const bodies = p.bodies();
      expect(bodies.length, p.name).toBeGreaterThanOrEqual(audit.findings.length);
      for (const [i, b] of bodies.entries()) expectTicketInert(b, `${p.name} #${i}`);
      expect([...p.counts().values()].every((n) => n === 1), p.name).toBe(true);
    }
  }, 120_000);
});

describe('properties: escaping functions over arbitrary strings', () => {
  const anyText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.array(fc.constantFrom(...'&|^%!"\'`$;()<>\\/ \t\n\r\u0000\u001b\u009b\u0085\u202e\u200b\u2028\ufeff\u2018\u2019\u201c\u201d\u2215\uff0f\uff02漢字é*_[]{}#@:=+-~'.split('')), { maxLength: 30 }).map((c) => c.join('')),
  );

  it('oneLine: one line, no control, bidi or zero-width character', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(RAW_INVISIBLE.test(oneLine(s))).toBe(false);
        expect(oneLine(s)).not.toMatch(/[\n\r]/);
      }),
      { numRuns: 500 },
    );
  });

  // Emoji are measured by string-width with a large regex (sequences, modifiers) that displayWidth does not copy.
  const EMOJI = /[\p{Extended_Pictographic}\p{Regional_Indicator}\p{Emoji_Modifier}\ufe0f\u20e3]/u;

  it('table cells: any value is shown whole, inside the box, on lines of exactly the table width', () => {
    fc.assert(
      fc.property(fc.array(anyText.filter((s) => !EMOJI.test(s)), { minLength: 1, maxLength: 4 }), fc.integer({ min: 60, max: 160 }), (values, width) => {
        const findings = values.map((v, i) => ({
          fingerprint: `f${i}`,
          ruleId: 'malformed-spn',
          severity: 'warning' as const,
          title: 't',
          message: v,
          subject: { spn: v, account: `CONTOSO\\${v}` },
          evidence: {},
          fixes: [],
        }));
        const table = findingsTable(findings, width, (t) => t, false, false);
        expect(RAW_INVISIBLE.test(table)).toBe(false);
        expect(new Set(table.split('\n').map(displayWidth)).size).toBe(1);
        // Nothing cut: every character of every revealed value is in the table, in order.
        const flat = table.replace(/[│┌┐└┘├┤┬┴┼─\n ]/g, '');
        for (const v of values) expect(flat).toContain(termText(v).replace(/ /g, ''));
      }),
      { numRuns: 300 },
    );
  });

  it('the fallback drawer measures like cli-table3 (string-width) for any non-emoji text', () => {
    const cellText = fc.string({ unit: fc.constantFrom('a', 'B', ' ', '/', 'é', 'ü', '\u0301', '漢', '字', 'ｶ', '／', '＂', 'Ω', '\n'), maxLength: 40 });
    fc.assert(
      fc.property(fc.array(fc.tuple(cellText, cellText), { minLength: 1, maxLength: 4 }), fc.integer({ min: 12, max: 30 }), (rows, w) => {
        const wrapped = rows.map(([a, b]) => [hardWrap(a, w - 2), hardWrap(b, 28)]);
        expect(drawTableAnyText(['x', 'y'], [w, 30], wrapped)).toBe(cliTable(['x', 'y'], [w, 30], wrapped));
      }),
      { numRuns: 300 },
    );
  });

  it('ticket markup: textile leaves no ASCII punctuation raw, jira wiki escapes its markup, plain text shows controls, ADF text is literal', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(escapeTextile(s).replace(/&#\d+;/g, '')).not.toMatch(/[!-/:-@[-`{-~]/);
        expect(escapeJiraWiki(s)).not.toMatch(/(^|[^\\])[*_{}[\]|!#^~+()-]/);
        expect(RAW_INVISIBLE.test(plainText(s))).toBe(false);
        expect(plainText(s)).not.toMatch(/\[\/?code\]/i);
        const blocks = [{ kind: 'para' as const, parts: [{ text: s }, { code: s }] }, { kind: 'code' as const, text: s }];
        expect(RAW_INVISIBLE.test(adfPlainText(renderAdf(blocks, null)))).toBe(false);
        const md = renderMarkdown(blocks, null);
        expect(RAW_INVISIBLE.test(md.replace(/\n/g, ''))).toBe(false);
        const textile = renderTextile(blocks, null);
        for (const m of textile.matchAll(/<(pre|code)>([\s\S]*?)<\/\1>/g)) expect(m[2]).not.toMatch(/<\s*\/?\s*(pre|code|notextile)/i);
        expect(fingerprintMarker('0'.repeat(32))).toMatch(/^[A-Za-z0-9:=<>!\- ]+$/);
      }),
      { numRuns: 500 },
    );
  });
});
