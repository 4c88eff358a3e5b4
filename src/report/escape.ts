/**
 * Escaping for every output format. Values from AD, applicationHost.config and the config file are
 * hostile: an SPN may carry markup, a formula, backticks, line breaks or a right-to-left override
 * that makes `exe.txt` read as `txt.exe`. Human-facing formats show invisible and control
 * characters as visible `<U+XXXX>` markers (an auditor must see them, not be fooled by them);
 * machine formats (JSON, SARIF) keep the exact value and only write those characters as \u escapes.
 */

/**
 * Controls (C0, DEL, C1), bidi embeddings/overrides/isolates and marks, zero-width characters, line
 * and paragraph separators, BOM, interlinear annotation, noncharacters XML forbids, lone surrogates.
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2069\ufeff\ufff9-\ufffb\ufffe\uffff\ud800-\udfff]/gu;

function marker(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  return `<U+${cp.toString(16).toUpperCase().padStart(4, '0')}>`;
}

/** Replace invisible/control characters with `<U+XXXX>`; `keepNewlines` leaves LF alone (multi-line text blocks). */
export function revealInvisible(value: string, keepNewlines = false): string {
  return value.replace(INVISIBLE, (ch) => (keepNewlines && ch === '\n' ? ch : marker(ch)));
}

/** Terminal: nothing may reach the TTY as an escape sequence, a line break or a bidi control. */
export function termText(value: string): string {
  return revealInvisible(value);
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML text and (double- or single-quoted) attribute values. */
export function escapeHtml(value: string, keepNewlines = false): string {
  return revealInvisible(value, keepNewlines).replace(/[&<>"']/g, (ch) => HTML_ENTITIES[ch] ?? ch);
}

/**
 * Markdown prose: markup characters become entities (understood by every flavour, including ones
 * that ignore backslash escapes before `<`), every other ASCII punctuation character with a
 * meaning somewhere in CommonMark, GFM or common extensions is backslash-escaped: `|` in tables,
 * emphasis, links, autolinks, list/heading markers, @mentions, #references, :emoji:, $math$,
 * ==mark==, ^sup^. Only `"` `'` `,` `/` `;` `%` stay as they are (inert everywhere).
 */
export function escapeMarkdown(value: string): string {
  return revealInvisible(value).replace(/[!#$&(-+\-.:<-@[-`{-~]/g, (ch) => {
    if (ch === '&') return '&amp;';
    if (ch === '<') return '&lt;';
    if (ch === '>') return '&gt;';
    return `\\${ch}`;
  });
}

/**
 * A Markdown code span that shows `value` literally: the fence is one backtick longer than the
 * longest backtick run inside, padded when the value starts or ends with a backtick or space.
 * In a GFM table `|` must still be escaped inside code spans (the table splits cells first).
 */
export function markdownCode(value: string, inTable = false): string {
  let text = revealInvisible(value);
  if (text === '') return '*(empty)*';
  if (inTable) text = text.replace(/\|/g, '\\|');
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = /^[` ]|[` ]$/.test(text) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Cells a spreadsheet would evaluate as a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One RFC 4180 field. Invisible characters are revealed first, then formula-looking cells get a
 * leading `'`, then the field is quoted when it contains a comma, quote, CR or LF.
 * `lines` joins several values with LF inside one quoted cell (legal in RFC 4180).
 */
export function csvField(value: string | readonly string[]): string {
  const text = typeof value === 'string' ? revealInvisible(value) : value.map((v) => revealInvisible(v)).join('\n');
  const guarded = FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * XML 1.0 text content. Characters XML 1.0 cannot carry at all (most C0 controls, U+FFFE/U+FFFF,
 * lone surrogates) are revealed as markers, so is CR (parsers would normalize it away); LF stays.
 * `>` is always escaped, so `]]>` can never appear.
 */
export function xmlText(value: string): string {
  return revealInvisible(value, true).replace(/[&<>"']/g, (ch) => XML_ENTITIES[ch] ?? ch);
}

/** XML attribute value: like text, but LF is revealed too (attribute values are whitespace-normalized). */
export function xmlAttr(value: string): string {
  return revealInvisible(value).replace(/[&<>"']/g, (ch) => XML_ENTITIES[ch] ?? ch);
}

/** Characters valid in JSON strings that terminals, editors and some JS parsers treat specially. */
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2069\ufeff]/g;

/**
 * JSON with 2-space indent, exact values, and invisible characters written as \u escapes (they only
 * ever occur inside strings, so replacing them in the serialized text is safe). JSON.stringify
 * already escapes C0 controls and lone surrogates.
 */
export function jsonText(value: unknown): string {
  return `${escapeJsonUnsafe(JSON.stringify(value, null, 2))}\n`;
}

/** Serialized JSON with the characters of {@link JSON_UNSAFE} written as \u escapes (same value when parsed). */
export function escapeJsonUnsafe(json: string): string {
  return json.replace(JSON_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
