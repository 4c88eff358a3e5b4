/**
 * What "rendered inert" means for each output spnaudit writes, as assertions over the written text.
 * The rules are the documented ones (docs/reports.md "Hostile values", docs/plan.md "Hostile names",
 * docs/tickets.md "Hostile values"); each check works on the output alone, so the unit suite (fixtures)
 * and the lab suite (real Samba accounts) share them.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { expect } from 'vitest';
import type { AuditResult } from '../../../../src/model/audit.js';
import { revealInvisible } from '../../../../src/report/escape.js';
import { parseCsv } from '../../report/csv-parse.js';
import { tokenizeCmdLine, tokenizePowerShellLine, tokenizeShLine, type CmdSegment } from '../../remediate/tokenizers.js';
import { FIXED_LINES } from '../../remediate/fixed-lines.js';

/** Characters no human-facing output may carry raw (LF aside): controls, bidi, zero-width, separators, BOM. */
export const RAW_INVISIBLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2069\ufeff]/u;

function firstInvisible(text: string): string | null {
  const m = RAW_INVISIBLE.exec(text);
  return m ? `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} at ${m.index}: ${JSON.stringify(text.slice(Math.max(0, m.index - 40), m.index + 40))}` : null;
}

/** Terminal text (table, explain, iis table, stderr, summaries): only LF, no escape sequence, no bidi. */
export function expectTerminalInert(text: string, label: string): void {
  expect(firstInvisible(text), label).toBeNull();
}

/** Every string anywhere in a parsed JSON document. */
export function jsonStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) jsonStrings(v, out);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      jsonStrings(v, out);
    }
  return out;
}

/**
 * JSON and SARIF: exact values, but every invisible character is a `\uXXXX` escape in the text
 * (`cat report.json` is inert). Returns the parsed document.
 */
export function expectJsonInert(text: string, label: string): unknown {
  expect(firstInvisible(text), label).toBeNull();
  return JSON.parse(text) as unknown;
}

/** Each value (non-empty) is found unchanged in some string of the document: exact, not lossy. */
export function expectValuesExact(doc: unknown, values: readonly string[], label: string): void {
  const all = jsonStrings(doc).join('\u0001');
  const missing = values.filter((v) => v !== '' && !all.includes(v));
  expect(missing.map((v) => JSON.stringify(v.slice(0, 60))), label).toEqual([]);
}

const HTML_TAGS = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'h3', 'p', 'div', 'span', 'strong', 'em', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'code', 'pre', 'section', 'article', 'svg', 'rect', 'text', 'ol', 'li', 'br', 'wbr', 'footer', 'ul', 'details', 'summary', 'small', 'a']);

/** HTML: only the report's own structural tags, no script/handler/resource, every value escaped. */
export function expectHtmlInert(html: string, values: readonly string[], label: string): void {
  expect(firstInvisible(html), label).toBeNull();
  const tags = new Set([...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase()));
  expect([...tags].filter((t) => !HTML_TAGS.has(t)), label).toEqual([]);
  // Values are text (their `<` escaped), so every tag is the renderer's: none may run or load anything.
  const openTags = html.match(/<[a-zA-Z][^>]*>/g) ?? [];
  expect(openTags.filter((t) => /\son[a-z]+\s*=|\s(src|href|action|formaction|srcset|background|style)\s*=|javascript:/i.test(t)), label).toEqual([]);
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]).join('\n');
  expect(styles, label).not.toMatch(/url\(|@import|expression\(/i);
  // Text between tags decodes to the revealed value: nothing the value carried became markup.
  const text = decodeEntities(html.replace(/<wbr>/g, '').replace(/<[^>]*>/g, '\u0001'));
  const missing = values.filter((v) => v !== '' && !text.includes(revealInvisible(v, true)));
  expect(missing.map((v) => JSON.stringify(v.slice(0, 60))), `${label}: values shown`).toEqual([]);
}

function decodeEntities(text: string): string {
  return text.replace(/&(#\d+|#x[0-9a-f]+|amp|lt|gt|quot|apos);/gi, (_m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e.toLowerCase()]!;
  });
}

/**
 * CommonMark code spans: a backtick run (not backslash-escaped) opens a span that the next run of
 * exactly the same length closes (a run with no partner is literal text). Returns the text outside spans.
 */
export function stripCodeSpans(md: string): string {
  let out = '';
  let i = 0;
  while (i < md.length) {
    if (md[i] === '\\' && i + 1 < md.length) {
      // A backslash-escaped character (a backtick too) is literal outside code spans.
      out += md.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (md[i] !== '`') {
      out += md[i];
      i += 1;
      continue;
    }
    let n = i;
    while (md[n] === '`') n += 1;
    const run = n - i;
    let j = n;
    let close = -1;
    while (j < md.length) {
      if (md[j] !== '`') {
        j += 1;
        continue;
      }
      let k = j;
      while (md[k] === '`') k += 1;
      if (k - j === run) {
        close = k;
        break;
      }
      j = k;
    }
    if (close < 0) {
      out += md.slice(i, n);
      i = n;
    } else {
      i = close;
    }
  }
  return out;
}

/** Markdown: no raw HTML outside code, every table row as wide as its header, no raw invisible. */
export function expectMarkdownInert(md: string, label: string): void {
  expect(firstInvisible(md), label).toBeNull();
  // The renderer writes no multi-line code span (line breaks are revealed), so spans are per line.
  const withoutCode = md
    .replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '')
    .split('\n')
    .map(stripCodeSpans)
    .join('\n');
  expect(withoutCode, label).not.toMatch(/<(?!U\+)[a-z!/?]/i);
  const lines = md.split('\n');
  const cells = (line: string) => line.replace(/\\\\/g, '').replace(/\\\|/g, '').split('|').length;
  for (let i = 0; i < lines.length; i += 1) {
    if (!lines[i]!.startsWith('|')) continue;
    let h = i;
    while (h > 0 && lines[h - 1]!.startsWith('|')) h -= 1;
    expect(cells(lines[i]!), `${label}: ${lines[i]!.slice(0, 100)}`).toBe(cells(lines[h]!));
  }
}

/** CSV: RFC 4180, one row per finding, no formula-starting cell, no raw invisible outside record ends. */
export function expectCsvInert(csv: string, findings: number, label: string): string[][] {
  const rows = parseCsv(csv);
  expect(rows.length, label).toBe(1 + findings);
  for (const row of rows) expect(row.length, label).toBe(rows[0]!.length);
  for (const row of rows) for (const cell of row) expect(cell, label).not.toMatch(/^[=+\-@\t\r]/);
  for (const row of rows) for (const cell of row) expect(firstInvisible(cell), label).toBeNull();
  return rows;
}

/** JUnit: well-formed XML 1.0 that parses, no raw invisible (XML cannot carry most controls at all). */
export function expectJunitInert(xml: string, label: string): void {
  expect(firstInvisible(xml), label).toBeNull();
  expect(XMLValidator.validate(xml), label).toBe(true);
  expect(xml, label).not.toMatch(/<!DOCTYPE|<!ENTITY|<\?xml-stylesheet/i);
  new XMLParser({ ignoreAttributes: false }).parse(xml);
}

/** The audit JSON's findings, for checks that need the intended values. */
export function fixCommands(audit: AuditResult): string[] {
  return audit.findings.flatMap((f) => f.fixes.map((x) => x.command));
}

// ---------------------------------------------------------------- plan scripts

export type ScriptKind = 'cmd' | 'powershell' | 'sh';


/** One command a script runs, as its shell will see it. */
export type ScriptCommand = { shell: 'cmd'; argv: string[]; line: string } | { shell: 'powershell'; name: string; line: string } | { shell: 'sh'; argv: string[]; line: string };

export function scriptKind(file: string): ScriptKind {
  return file.endsWith('.cmd') ? 'cmd' : file.endsWith('.ps1') ? 'powershell' : 'sh';
}

/**
 * A whole script file as written: every line is blank, an inert comment, one of the script's own fixed
 * lines, or exactly one command (cmd: followed only by `|| goto :failed`; the PowerShell behind
 * `-EncodedCommand` must itself be one tokenizable command). Returns the commands, for the intent checks.
 */
export function scriptCommands(name: string, content: string): ScriptCommand[] {
  const kind = scriptKind(name);
  const sep = kind === 'cmd' ? '\r\n' : '\n';
  const body = content.replace(/^\ufeff/, '');
  expect(body.endsWith(sep), name).toBe(true);
  if (kind === 'cmd') {
    expect(body.replace(/\r\n/g, ''), name).not.toMatch(/[\r\n]/);
    // cmd reads batch files in the OEM code page: the writer emits ASCII only.
    expect(body, name).toMatch(/^[\x20-\x7e\r\n]*$/);
  }
  expect(body, name).not.toMatch(/[\u0000\u0085\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
  const commands: ScriptCommand[] = [];
  for (const line of body.slice(0, -sep.length).split(sep)) {
    if (FIXED_LINES[kind].has(line)) continue;
    const where = `${name}: ${JSON.stringify(line.slice(0, 160))}`;
    if (kind === 'cmd') {
      const parsed = tokenizeCmdLine(line);
      if (parsed.kind !== 'commands') continue;
      const segments: CmdSegment[] = parsed.segments;
      const [first, ...rest] = segments;
      expect(rest.map((s) => s.argv), where).toEqual(rest.length === 0 ? [] : [['goto', ':failed']]);
      if (rest.length > 0) expect(first!.op, where).toBe('||');
      const argv = first!.argv;
      commands.push({ shell: 'cmd', argv, line });
      const encoded = argv.indexOf('-EncodedCommand');
      if (encoded >= 0) {
        const ps = Buffer.from(argv[encoded + 1] ?? '', 'base64').toString('utf16le');
        const inner = tokenizePowerShellLine(ps);
        expect(inner.kind, `${where} runs ${JSON.stringify(ps.slice(0, 120))}`).toBe('command');
        if (inner.kind === 'command') commands.push({ shell: 'powershell', name: inner.name, line: ps });
      }
    } else if (kind === 'powershell') {
      const parsed = tokenizePowerShellLine(line);
      if (parsed.kind === 'command') commands.push({ shell: 'powershell', name: parsed.name, line });
    } else {
      const parsed = tokenizeShLine(line);
      if (parsed.kind === 'command') commands.push({ shell: 'sh', argv: parsed.argv, line });
    }
  }
  return commands;
}
