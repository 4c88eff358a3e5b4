/** What every provider shares: fitting bodies into size limits, and note bodies. */
import { noteBody, type Block } from '../content.js';
import type { TicketDraft, TicketNote } from '../types.js';

/**
 * The body with as many findings in full as fit in `maxSize` (measured by `size` on the rendered
 * form); the rest are listed briefly. Halving keeps it to a handful of renders even for big groups.
 */
export function fitBody<T>(draft: TicketDraft, render: (blocks: Block[]) => T, size: (rendered: T) => number, maxSize: number): T {
  let detailed = draft.group.findings.length;
  for (;;) {
    const rendered = render(draft.body(detailed));
    if (size(rendered) <= maxSize || detailed === 0) return rendered;
    detailed = Math.floor(detailed / 2);
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
