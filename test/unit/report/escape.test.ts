import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { csvField, escapeHtml, escapeMarkdown, jsonText, markdownCode, revealInvisible, termText, xmlAttr, xmlText } from '../../../src/report/escape.js';
import { parseCsv } from './csv-parse.js';

describe('revealInvisible', () => {
  it.each([
    ['plain', 'HTTP/web01.contoso.test', 'HTTP/web01.contoso.test'],
    ['RTL override', 'svc_\u202Egpj.exe', 'svc_<U+202E>gpj.exe'],
    ['ANSI escape', '\u001b[31mred', '<U+001B>[31mred'],
    ['line break', 'a\nb', 'a<U+000A>b'],
    ['zero-width joiner and BOM', 'a\u200Db\uFEFF', 'a<U+200D>b<U+FEFF>'],
    ['C1 control', 'a\u009Bb', 'a<U+009B>b'],
    ['lone surrogate', 'a\uD800b', 'a<U+D800>b'],
    ['astral characters stay', 'a😀b', 'a😀b'],
    ['non-ASCII letters stay', 'Zürich-Ω', 'Zürich-Ω'],
  ])('%s', (_name, input, expected) => {
    expect(revealInvisible(input)).toBe(expected);
  });

  it('can keep LF for multi-line blocks', () => {
    expect(revealInvisible('a\nb\rc', true)).toBe('a\nb<U+000D>c');
  });
});

describe('escapeHtml', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    [`" onmouseover='x'`, '&quot; onmouseover=&#39;x&#39;'],
    ['a & b', 'a &amp; b'],
    ['x\u202Ey', 'x&lt;U+202E&gt;y'],
  ])('%j', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
  });

  it('never leaves a character that can open a tag, an entity or close an attribute', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => !/[<>"'&](?!(amp|lt|gt|quot|#39);)/.test(escapeHtml(s).replace(/&(amp|lt|gt|quot|#39);/g, ''))));
  });
});

describe('escapeMarkdown', () => {
  it.each([
    ['*bold* _em_ `code`', '\\*bold\\* \\_em\\_ \\`code\\`'],
    ['[x](javascript:alert(1))', '\\[x\\]\\(javascript\\:alert\\(1\\)\\)'],
    ['<img src=x>', '&lt;img src\\=x&gt;'],
    ['a | b', 'a \\| b'],
    ['@admin #12 :smile: $x$', '\\@admin \\#12 \\:smile\\: \\$x\\$'],
    ["plain, text; 50% / 'q' \"q\"", "plain, text; 50% / 'q' \"q\""],
    ['&amp;', '&amp;amp;'],
  ])('%j', (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });

  it('leaves no unescaped markup character', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const out = escapeMarkdown(s).replace(/\\[!-/:-@[-`{-~]/g, '').replace(/&(amp|lt|gt);/g, '');
        return !/[*_`[\]()<>|\\!#&@:$~=^{}+-]/.test(out) && !out.includes('\n');
      }),
    );
  });
});

/** What a CommonMark reader sees inside a code span (fence match, one space stripped from each side). */
function codeSpanContent(span: string): string | null {
  const m = /^(`+)([\s\S]*?)\1$/.exec(span);
  if (!m) return null;
  const fence = m[1] ?? '';
  let inner = m[2] ?? '';
  if (new RegExp(`(^|[^\`])${fence}([^\`]|$)`).test(inner)) return null; // closed early
  if (inner.length >= 2 && inner.startsWith(' ') && inner.endsWith(' ') && inner.trim() !== '') inner = inner.slice(1, -1);
  return inner;
}

describe('markdownCode', () => {
  it.each([
    ['setspn -S HTTP/x CONTOSO\\svc', false, '`setspn -S HTTP/x CONTOSO\\svc`'],
    ['we`b', false, '``we`b``'],
    ['`start', false, '`` `start ``'],
    ['a``b`', false, '``` a``b` ```'],
    ['a|b', true, '`a\\|b`'],
    ['a|b', false, '`a|b`'],
    ['', false, '*(empty)*'],
  ])('%j (table %s)', (input, inTable, expected) => {
    expect(markdownCode(input, inTable)).toBe(expected);
  });

  it('always shows exactly the revealed value (no backtick run can close the span early)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }).filter((s) => s.trim() !== ''), (s) => {
        return codeSpanContent(markdownCode(s)) === revealInvisible(s);
      }),
    );
  });
});

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
    ['+1', "'+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', '<U+0009>=1'],
    ['=1,2', `"'=1,2"`],
    ['line\nbreak', 'line<U+000A>break'],
  ])('%j → %j', (input, expected) => {
    expect(csvField(input)).toBe(expected);
  });

  it('joins a list with LF inside one quoted field', () => {
    expect(csvField(['setspn -S a b', '=evil'])).toBe('"setspn -S a b\n=evil"');
  });

  it('round-trips through an RFC 4180 reader and never starts with a formula character', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 5 }), (values) => {
        const line = `${values.map((v) => csvField(v)).join(',')}\r\n`;
        const [row] = parseCsv(line);
        return row?.length === values.length && row.every((cell, i) => !/^[=+\-@\t\r]/.test(cell) && cell.replace(/^'/, '') === revealInvisible(values[i] ?? '').replace(/^'/, ''));
      }),
    );
  });
});

describe('xml', () => {
  it.each([
    ['a]]>b', 'a]]&gt;b'],
    ['<x a="1">&', '&lt;x a=&quot;1&quot;&gt;&amp;'],
    ['nul\u0000 vt\u000b ffff\uffff', 'nul&lt;U+0000&gt; vt&lt;U+000B&gt; ffff&lt;U+FFFF&gt;'],
  ])('xmlText(%j)', (input, expected) => {
    expect(xmlText(input)).toBe(expected);
  });

  it('any string is well-formed as text and attribute, and parses back to its revealed form', () => {
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', trimValues: false, parseTagValue: false, parseAttributeValue: false, processEntities: true });
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1 }), (s) => {
        const doc = `<r a="${xmlAttr(s)}">${xmlText(s)}</r>`;
        if (XMLValidator.validate(doc) !== true) return false;
        const r = parser.parse(doc).r as { '@a': string; '#text'?: string };
        return r['@a'] === revealInvisible(s) && (r['#text'] ?? '') === revealInvisible(s, true);
      }),
    );
  });
});

describe('termText and jsonText', () => {
  it('termText leaves nothing a terminal interprets', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => !/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(termText(s))));
  });

  it('jsonText keeps the exact value and writes bidi/separator characters as escapes', () => {
    const value = { s: 'a\u202Eb\u2028c\u0085d"\\' };
    const text = jsonText(value);
    expect(text).toBe('{\n  "s": "a\\u202eb\\u2028c\\u0085d\\"\\\\"\n}\n');
    expect(JSON.parse(text)).toEqual(value);
  });
});
