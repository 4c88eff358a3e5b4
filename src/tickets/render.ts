/**
 * Ticket bodies in each target's markup. Values are hostile (they come from AD and config files):
 * every renderer escapes prose for its markup and shows commands literally, and control or bidi
 * characters become visible `<U+XXXX>` markers. The marker footer goes last (see marker.ts).
 */
import { escapeMarkdown, markdownCode, revealInvisible } from '../report/escape.js';
import type { Block, Inline } from './content.js';
import { fingerprintMarker, metaMarker } from './marker.js';
import type { TicketMarker } from './types.js';

export type Markup = 'markdown' | 'textile' | 'jira-wiki' | 'plain';

// ---- Markdown (GitHub, Redmine common_mark) ----

function mdFence(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  return '`'.repeat(longest + 1);
}

function mdInline(parts: readonly Inline[]): string {
  return parts.map((p) => ('code' in p ? markdownCode(p.code) : escapeMarkdown(p.text))).join('');
}

export function renderMarkdown(blocks: readonly Block[], marker: TicketMarker | null): string {
  const out: string[] = [];
  for (const b of blocks) {
    if (b.kind === 'heading') out.push(`### ${escapeMarkdown(b.text)}`);
    else if (b.kind === 'para') out.push(mdInline(b.parts));
    else if (b.kind === 'list') out.push(b.items.map((item) => `- ${mdInline(item)}`).join('\n'));
    else {
      const text = revealInvisible(b.text, true);
      const fence = mdFence(text);
      out.push(`${fence}text\n${text}\n${fence}`);
    }
  }
  // GitHub hides HTML comments; escapeMarkdown turns every `<` of hostile text into &lt;, so no value can open or close one.
  if (marker) out.push(`<!-- ${fingerprintMarker(marker.key)} -->\n<!-- ${metaMarker(marker)} -->`);
  return `${out.join('\n\n')}\n`;
}

// ---- Textile (Redmine's default text formatting) ----

/**
 * Every ASCII punctuation character becomes a numeric entity: no Textile span, block signature,
 * Redmine link (#1, [[wiki]], @user, commit:, attachment:), macro ({{...}}) or HTML can form, and the
 * browser still shows the exact character.
 */
export function escapeTextile(value: string, keepNewlines = false): string {
  return revealInvisible(value, keepNewlines).replace(/[!-/:-@[-`{-~]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Redmine shows `<pre>`/`<code>` content literally (it escapes HTML there itself) — up to a closing tag. */
const TEXTILE_RAW_BREAKER = /<\s*\/?\s*(pre|code|notextile)\b/i;

function textileInline(parts: readonly Inline[]): string {
  return parts
    .map((p) => {
      if (!('code' in p)) return escapeTextile(p.text);
      const text = revealInvisible(p.code);
      return TEXTILE_RAW_BREAKER.test(text) || text.trim() === '' ? escapeTextile(p.code) : `<code>${text}</code>`;
    })
    .join('');
}

export function renderTextile(blocks: readonly Block[], marker: TicketMarker | null): string {
  const out: string[] = [];
  for (const b of blocks) {
    if (b.kind === 'heading') out.push(`h3. ${escapeTextile(b.text)}`);
    else if (b.kind === 'para') out.push(textileInline(b.parts));
    else if (b.kind === 'list') out.push(b.items.map((item) => `* ${textileInline(item)}`).join('\n'));
    else {
      const text = revealInvisible(b.text, true);
      out.push(TEXTILE_RAW_BREAKER.test(text) ? escapeTextile(b.text, true) : `<pre>\n${text}\n</pre>`);
    }
  }
  if (marker) out.push(`<code>${fingerprintMarker(marker.key)} ${metaMarker(marker)}</code>`);
  return `${out.join('\n\n')}\n`;
}

// ---- Jira wiki markup (Jira Server/Data Center, REST API v2) ----

/** Backslash before every character with a meaning in Jira wiki markup, including emoticon parentheses. */
export function escapeJiraWiki(value: string): string {
  return revealInvisible(value).replace(/[*_?\-+^~{}[\]|!#\\()]/g, (ch) => `\\${ch}`);
}

function wikiInline(parts: readonly Inline[]): string {
  return parts.map((p) => ('code' in p ? (p.code === '' ? '' : `{{${escapeJiraWiki(p.code)}}}`) : escapeJiraWiki(p.text))).join('');
}

export function renderJiraWiki(blocks: readonly Block[], marker: TicketMarker | null): string {
  const out: string[] = [];
  for (const b of blocks) {
    if (b.kind === 'heading') out.push(`h3. ${escapeJiraWiki(b.text)}`);
    else if (b.kind === 'para') out.push(wikiInline(b.parts));
    else if (b.kind === 'list') out.push(b.items.map((item) => `* ${wikiInline(item)}`).join('\n'));
    else {
      const text = revealInvisible(b.text, true);
      // {noformat} shows its content literally; only the word that closes it cannot be inside.
      out.push(/\{noformat/i.test(text) ? text.split('\n').map((l) => `{{${escapeJiraWiki(l)}}}`).join('\n') : `{noformat}\n${text}\n{noformat}`);
    }
  }
  if (marker) out.push(`{{${fingerprintMarker(marker.key)} ${metaMarker(marker)}}}`);
  return `${out.join('\n\n')}\n`;
}

// ---- Plain text (ServiceNow description and journal fields) ----

/** ServiceNow renders `[code]...[/code]` in journal fields as HTML: the tag is neutralised. */
export function plainText(value: string, keepNewlines = false): string {
  return revealInvisible(value, keepNewlines).replace(/\[(\/?)code\]/gi, '($1code)');
}

function plainInline(parts: readonly Inline[]): string {
  return parts.map((p) => plainText('code' in p ? p.code : p.text)).join('');
}

export function renderPlain(blocks: readonly Block[], marker: TicketMarker | null): string {
  const out: string[] = [];
  for (const b of blocks) {
    if (b.kind === 'heading') out.push(`== ${plainText(b.text)} ==`);
    else if (b.kind === 'para') out.push(plainInline(b.parts));
    else if (b.kind === 'list') out.push(b.items.map((item) => `- ${plainInline(item)}`).join('\n'));
    else out.push(plainText(b.text, true).split('\n').map((l) => `    ${l}`).join('\n'));
  }
  if (marker) out.push(`${fingerprintMarker(marker.key)}\n${metaMarker(marker)}`);
  return `${out.join('\n\n')}\n`;
}

export function renderText(markup: Markup, blocks: readonly Block[], marker: TicketMarker | null): string {
  switch (markup) {
    case 'markdown':
      return renderMarkdown(blocks, marker);
    case 'textile':
      return renderTextile(blocks, marker);
    case 'jira-wiki':
      return renderJiraWiki(blocks, marker);
    case 'plain':
      return renderPlain(blocks, marker);
  }
}

// ---- Atlassian Document Format (Jira Cloud, REST API v3) ----

export interface AdfNode {
  type: string;
  version?: number;
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
  text?: string;
  marks?: Array<{ type: string }>;
}

/** ADF text is literal (no markup to escape); empty text nodes are invalid, so they are dropped. */
function adfText(parts: readonly Inline[]): AdfNode[] {
  return parts
    .map((p): AdfNode => ('code' in p ? { type: 'text', text: revealInvisible(p.code), marks: [{ type: 'code' }] } : { type: 'text', text: revealInvisible(p.text) }))
    .filter((n) => n.text !== '');
}

export function renderAdf(blocks: readonly Block[], marker: TicketMarker | null): AdfNode {
  const content: AdfNode[] = [];
  for (const b of blocks) {
    if (b.kind === 'heading') content.push({ type: 'heading', attrs: { level: 3 }, content: adfText([{ text: b.text }]) });
    else if (b.kind === 'para') content.push({ type: 'paragraph', content: adfText(b.parts) });
    else if (b.kind === 'list') {
      content.push({ type: 'bulletList', content: b.items.map((item) => ({ type: 'listItem', content: [{ type: 'paragraph', content: adfText(item) }] })) });
    } else {
      const text = revealInvisible(b.text, true);
      content.push({ type: 'codeBlock', content: text === '' ? [] : [{ type: 'text', text }] });
    }
  }
  if (marker) content.push({ type: 'paragraph', content: [{ type: 'text', text: `${fingerprintMarker(marker.key)} ${metaMarker(marker)}`, marks: [{ type: 'code' }] }] });
  return { type: 'doc', version: 1, content };
}

/** All text of an ADF document (for marker parsing). */
export function adfPlainText(node: unknown): string {
  if (node === null || typeof node !== 'object') return typeof node === 'string' ? node : '';
  const n = node as AdfNode;
  return `${n.text ?? ''}${(n.content ?? []).map(adfPlainText).join('\n')}`;
}
