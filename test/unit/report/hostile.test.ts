/**
 * The fixture's hostile values (markup, a formula, backticks, a line break, `]]>`, a right-to-left
 * override) must come out inert in every format: shown to the reader, never interpreted.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { REPORT_FORMATS, renderReport } from '../../../src/report/index.js';
import { HTML_CSP } from '../../../src/report/html.js';
import { parseCsv } from './csv-parse.js';
import { RENDER_OPTIONS, annotatedAudit } from './fixtures.js';

const XSS_SPN = 'HTTP/</script><script>alert(1)</script>';
const FORMULA_SPN = "=cmd|' /C calc'!A0";
const BACKTICK_SPN = 'HTTP/we`b.contoso.test:8080';
const RTL = '\u202E';
const audit = annotatedAudit().result;
const render = (format: (typeof REPORT_FORMATS)[number]) => renderReport(format, audit, RENDER_OPTIONS);

/** Controls and bidi/zero-width characters; LF is checked separately where it matters. */
const INVISIBLE_EXCEPT_LF = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2069\ufeff]/u;

describe('no format lets a right-to-left override or control character through raw', () => {
  it.each(REPORT_FORMATS)('%s', (format) => {
    // CSV records end in CRLF by definition; any other CR would be a leak.
    const out = format === 'csv' ? render('csv').replace(/\r\n/g, '\n') : render(format);
    expect(out).not.toMatch(INVISIBLE_EXCEPT_LF);
    expect(out.includes(RTL)).toBe(false);
  });
});

describe('html', () => {
  const html = render('html');

  it('has no script element, event handler, or resource reference anywhere', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<\/?(iframe|object|embed|img|link|base|form|input)\b/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/\s(src|href|action|formaction|srcset|background)\s*=/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/@import/i);
  });

  it('puts the strict CSP in the head before any content', () => {
    const head = html.slice(0, html.indexOf('</head>'));
    expect(head).toContain(`<meta http-equiv="Content-Security-Policy" content="${HTML_CSP}">`);
    expect(HTML_CSP).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<title>'));
  });

  it('shows the hostile values escaped', () => {
    expect(html).toContain('HTTP/&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    // In the verdict table, identifiers get <wbr> break opportunities after separators (never inside an entity).
    expect(html).toContain('<code>static.<wbr>contoso.<wbr>test&lt;/<wbr>title&gt;&lt;script&gt;alert(2)&lt;/<wbr>script&gt;</code>');
    expect(html).toContain('=cmd|&#39; /C calc&#39;!A0');
    expect(html).toContain('CONTOSO\\svc_&lt;U+202E&gt;gpj.exe');
    expect(html).toContain('ends with ]]&gt; and has a\nline break');
  });

  it('every tag it writes is one of the expected structural ones', () => {
    const tags = new Set([...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => (m[1] ?? '').toLowerCase()));
    const allowed = ['html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'h3', 'p', 'div', 'span', 'strong', 'em', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'code', 'pre', 'section', 'article', 'svg', 'rect', 'text', 'ol', 'li', 'br', 'wbr', 'footer'];
    expect([...tags].filter((t) => !allowed.includes(t))).toEqual([]);
  });
});

describe('markdown', () => {
  const md = render('markdown');

  it('keeps every table row at its header width (no | or newline breaks out of a cell)', () => {
    const lines = md.split('\n');
    const cells = (line: string) => line.replace(/\\\\/g, '').replace(/\\\|/g, '').split('|').length;
    for (let i = 0; i < lines.length; i += 1) {
      const line = lines[i] ?? '';
      if (!line.startsWith('| ')) continue;
      // find this table's header (first row of the block)
      let h = i;
      while (h > 0 && (lines[h - 1] ?? '').startsWith('| ')) h -= 1;
      expect(cells(line), line).toBe(cells(lines[h] ?? ''));
    }
  });

  it('puts hostile values in code spans whose fence the value cannot close, or escapes them', () => {
    expect(md).toContain('spn ``HTTP/we`b.contoso.test:8080``');
    expect(md).toContain('spn `HTTP/</script><script>alert(1)</script>`');
    expect(md).toContain("spn `=cmd\\|' /C calc'!A0`");
    // In prose the markup is entity-encoded.
    expect(md).toContain('HTTP/&lt;/script&gt;&lt;script&gt;alert\\(1\\)&lt;/script&gt;');
  });

  it('has no raw < outside code spans', () => {
    const withoutCode = md.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, '');
    expect(withoutCode).not.toContain('<');
  });
});

describe('csv', () => {
  const rows = parseCsv(render('csv'));
  const header = rows[0] ?? [];

  it('parses back as RFC 4180 with one row per finding plus resolved/not-checked rows', () => {
    expect(rows.length).toBe(1 + audit.findings.length + (audit.baseline?.resolved.length ?? 0) + (audit.baseline?.notChecked.length ?? 0));
    for (const row of rows) expect(row.length).toBe(header.length);
  });

  it('guards every cell that a spreadsheet would evaluate', () => {
    for (const row of rows) for (const cell of row) expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/);
    const spn = header.indexOf('spn');
    expect(rows.map((r) => r[spn])).toContain(`'${FORMULA_SPN}`);
  });

  it('keeps the other hostile values readable in their cells', () => {
    const spns = rows.map((r) => r[header.indexOf('spn')]);
    expect(spns).toContain(XSS_SPN);
    expect(spns).toContain(BACKTICK_SPN);
    expect(rows.map((r) => r[header.indexOf('account')])).toContain('CONTOSO\\svc_<U+202E>gpj.exe');
  });
});

describe('junit', () => {
  const xml = render('junit');

  it('is well-formed XML that parses back with the hostile text intact', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(xml);
    const suites = parsed.testsuites.testsuite as Array<{ '@name': string; testcase: Array<Record<string, unknown>> }>;
    const portInSpn = suites.find((s) => s['@name'] === 'port-in-spn');
    const failure = portInSpn?.testcase[0]?.failure as { '#text': string };
    expect(failure['#text']).toContain('ends with ]]> and has a\\nline break');
    expect(failure['#text']).toContain('HTTP/we`b.contoso.test:8080');
    const malformed = suites.find((s) => s['@name'] === 'malformed-spn');
    expect(malformed?.testcase.map((c) => c['@name'])).toContain(`account CONTOSO\\svc_evil; spn ${XSS_SPN}; domain contoso.test`);
  });
});

describe('json and sarif keep exact values but write invisible characters as escapes', () => {
  it.each(['json', 'sarif'] as const)('%s', (format) => {
    const text = render(format);
    expect(text).toContain('svc_\\u202egpj.exe');
    const values = JSON.stringify(JSON.parse(text));
    expect(values).toContain(`svc_${RTL}gpj.exe`);
    expect(values).toContain(JSON.stringify(XSS_SPN).slice(1, -1));
  });
});

describe('table', () => {
  it('without color has no escape sequences and no hostile line breaks', () => {
    const out = render('table');
    expect(out).not.toContain('\u001b');
    expect(out).toContain('<U+202E>');
    expect(out).not.toMatch(/^The line break/m);
  });

  it('with color has only SGR color sequences', () => {
    const out = renderReport('table', audit, { color: true });
    const sequences = [...out.matchAll(/\u001b(\[[0-9;]*[A-Za-z]|.)/g)].map((m) => m[0]);
    expect(sequences.length).toBeGreaterThan(0);
    for (const s of sequences) expect(s).toMatch(/^\u001b\[[0-9;]*m$/);
  });
});
