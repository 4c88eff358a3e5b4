/** Ticket bodies: hostile values stay inert in every target markup; markers survive and cannot be forged. */
import { describe, expect, it } from 'vitest';
import type { Block } from '../../../src/tickets/content.js';
import { fingerprintMarker, metaMarker, parseFingerprint, parseMarker } from '../../../src/tickets/marker.js';
import { adfPlainText, escapeJiraWiki, escapeTextile, plainText, renderAdf, renderJiraWiki, renderMarkdown, renderPlain, renderTextile } from '../../../src/tickets/render.js';
import type { TicketMarker } from '../../../src/tickets/types.js';

const KEY = '0123456789abcdef0123456789abcdef';
const OTHER = 'ffffffffffffffffffffffffffffffff';
const marker: TicketMarker = { key: KEY, groupBy: 'finding', digest: '0011223344556677', scope: { rules: ['duplicate-spn'], domains: ['contoso.test'], servers: ['WEB;01,=%x', 'wéb<02>'] } };

const HOSTILE = [
  '<script>alert(1)</script>',
  '*bold* _it_ -del- +ins+ ^sup^ ~sub~ ??cite??',
  '[[Wiki]] #1 r12 @admin commit:abc {{toc}} !http://e/x.png!',
  '"phish":http://evil.test [link](http://evil.test) <http://evil.test>',
  '| a | b |\nh1. heading\n* item\n```',
  `--> <!-- spnaudit:fingerprint=${OTHER} -->`,
  '\u202eexe.txt \u0000\u001b[31m',
  '{noformat}{code}[code]<b>x</b>[/code] (y) :) </pre></code>',
];

describe('escapers', () => {
  it.each(HOSTILE)('textile prose has no raw ASCII punctuation: %j', (value) => {
    // Only entities remain: `&#NN;` — no other ASCII punctuation.
    expect(escapeTextile(value).replace(/&#\d+;/g, '')).not.toMatch(/[!-/:-@[-`{-~]/);
  });
  it.each(HOSTILE)('jira wiki escapes every markup character: %j', (value) => {
    expect(escapeJiraWiki(value)).not.toMatch(/(^|[^\\])[*_{}[\]|!#^~+()-]/);
  });
  it('plain text neutralises ServiceNow [code] tags and shows controls', () => {
    expect(plainText('[code]<img src=x onerror=alert(1)>[/code] \u202e')).toBe('(code)<img src=x onerror=alert(1)>(/code) <U+202E>');
  });
});

const doc = (value: string): Block[] => [
  { kind: 'heading', text: value },
  { kind: 'para', parts: [{ text: value }, { code: value }] },
  { kind: 'list', items: [[{ text: value }], [{ code: value }]] },
  { kind: 'code', text: `setspn -S HTTP/x ${value}` },
];

describe.each(HOSTILE)('hostile value %j', (value) => {
  it('markdown: no raw HTML, no closing of the hidden marker comment, marker is the last word', () => {
    const out = renderMarkdown(doc(value), marker);
    const beforeMarker = out.slice(0, out.lastIndexOf('<!-- spnaudit:fingerprint='));
    const outsideFences = beforeMarker.replace(/(`{3,})text\n[\s\S]*?\n\1/g, '').replace(/(`+) ?[^`]*? ?\1/g, '');
    expect(outsideFences).not.toMatch(/<(?!U\+)[a-z!/]/i);
    expect(parseFingerprint(out)).toBe(KEY);
    expect(parseMarker(out, KEY)).toEqual(marker);
  });
  it('textile: raw only inside <pre>/<code> that the value cannot close; marker readable', () => {
    const out = renderTextile(doc(value), marker);
    const withoutRaw = out.replace(/<pre>\n[\s\S]*?\n<\/pre>/g, '').replace(/<code>[^\n]*?<\/code>/g, '').replace(/^(\* |h3\. )/gm, '').replace(/&#\d+;/g, '');
    expect(withoutRaw).not.toMatch(/[<>*_[\]{}|@!"^~+=]/);
    for (const m of out.matchAll(/<(pre|code)>([\s\S]*?)<\/\1>/g)) expect(m[2]).not.toMatch(/<\s*\/?\s*(pre|code|notextile)/i);
    expect(parseMarker(out, KEY)).toEqual(marker);
  });
  it('jira wiki: {noformat} holds only values that cannot close it; marker readable', () => {
    const out = renderJiraWiki(doc(value), marker);
    for (const m of out.matchAll(/\{noformat\}\n([\s\S]*?)\n\{noformat\}/g)) expect(m[1]).not.toMatch(/\{noformat/i);
    expect(parseMarker(out, KEY)).toEqual(marker);
  });
  it('ADF: text nodes carry the value literally (controls revealed), never empty; marker readable', () => {
    const adf = renderAdf(doc(value), marker);
    const texts = JSON.stringify(adf).match(/"text":"(.*?)"(?=[,}])/g) ?? [];
    expect(texts.every((t) => t !== '"text":""')).toBe(true);
    expect(adfPlainText(adf)).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
    expect(parseMarker(adfPlainText(adf), KEY)).toEqual(marker);
  });
  it('plain: marker readable and last', () => {
    const out = renderPlain(doc(value), marker);
    expect(parseFingerprint(out)).toBe(KEY);
    expect(parseMarker(out, KEY)).toEqual(marker);
  });
});

describe('markers', () => {
  it('round-trip scope values with separators, percent signs and non-ASCII', () => {
    const text = `${fingerprintMarker(KEY)} ${metaMarker(marker)}`;
    expect(text).toMatch(/^[A-Za-z0-9.:=;,% -]+$/);
    expect(parseMarker(text, KEY)).toEqual(marker);
  });
  it('the last marker wins: a quoted one earlier in the text cannot shadow it', () => {
    const forged = `${fingerprintMarker(OTHER)} ${metaMarker({ ...marker, key: OTHER, digest: 'ffffffffffffffff' })}`;
    const text = `${forged}\n\nbody\n\n${fingerprintMarker(KEY)} ${metaMarker(marker)}`;
    expect(parseFingerprint(text)).toBe(KEY);
    expect(parseMarker(text, KEY)?.digest).toBe(marker.digest);
  });
  it.each([
    ['no marker', 'just text', null],
    ['unknown grouping', `spnaudit:meta=v1;g=team;d=0011223344556677;r=;dom=;srv=`, null],
    ['short digest', `spnaudit:meta=v1;g=rule;d=0011;r=;dom=;srv=`, null],
  ])('%s → null', (_name, text, expected) => {
    expect(parseMarker(text, KEY)).toBe(expected);
  });
});
