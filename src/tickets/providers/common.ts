/** What every provider shares: fitting bodies into size limits, and note bodies. */
import { BRIEF_LIST_MAX, noteBody, type Block } from '../content.js';
import type { HttpClient } from '../http.js';
import type { TicketDraft, TicketNote } from '../types.js';

/**
 * The body with as many findings in full as fit in `maxSize` (measured by `size` on the rendered
 * form); the rest are listed briefly, and when even the brief list is too big (huge hostile values,
 * thousands of findings in one group) it is shortened too, down to a count. Halving keeps it to a
 * handful of renders even for big groups. A body the ticket system refuses as too long would fail
 * the whole nightly run.
 */
export function fitBody<T>(draft: TicketDraft, render: (blocks: Block[]) => T, size: (rendered: T) => number, maxSize: number): T {
  let detailed = draft.group.findings.length;
  let listed = BRIEF_LIST_MAX;
  for (;;) {
    const rendered = render(draft.body(detailed, listed));
    if (size(rendered) <= maxSize) return rendered;
    if (detailed > 0) detailed = Math.floor(detailed / 2);
    else if (listed > 0) listed = Math.floor(listed / 2);
    else return rendered;
  }
}

export function noteBlocks(note: TicketNote): Block[] {
  return noteBody(note.kind, note.run, note.group);
}

export const HEX32 = /^[0-9a-f]{32}$/;

/** Base URL without trailing slashes; paths are appended to it. */
export function baseUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Basic (user + password/API token) or bearer (personal access token) authentication. */
export type BasicOrBearer = { scheme: 'basic'; user: string; secret: string } | { scheme: 'bearer'; secret: string };

/**
 * The Authorization header value for `auth`, with every form of the secret registered for
 * redaction first (the secret itself and, for basic, the base64 credentials the header carries).
 */
export function authorizationHeader(http: HttpClient, auth: BasicOrBearer): string {
  http.addSecret(auth.secret);
  if (auth.scheme === 'bearer') return `Bearer ${auth.secret}`;
  const credentials = Buffer.from(`${auth.user}:${auth.secret}`).toString('base64');
  http.addSecret(credentials);
  return `Basic ${credentials}`;
}
