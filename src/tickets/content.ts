/**
 * What a ticket says, as a small document tree (headings, paragraphs, lists, code blocks) that each
 * provider renders for its markup. Every string in it is raw and hostile: the renderers escape.
 */
import type { Verdict } from '../model/audit.js';
import { subjectParts } from '../report/common.js';
import { revealInvisible } from '../report/escape.js';
import type { ReportAudit, ReportFinding } from '../report/types.js';
import type { NoteKind, TicketGroup } from './types.js';

export type Inline = { text: string } | { code: string };
export type Block =
  | { kind: 'heading'; text: string }
  | { kind: 'para'; parts: Inline[] }
  | { kind: 'list'; items: Inline[][] }
  | { kind: 'code'; text: string };

export const t = (text: string): Inline => ({ text });
export const c = (code: string): Inline => ({ code });

export const TITLE_MAX = 240;

/** One line, no control characters, bounded: titles are plain text everywhere. */
export function ticketTitle(group: TicketGroup): string {
  const what =
    group.groupBy === 'finding'
      ? (group.findings[0]?.title ?? group.label)
      : `${group.findings.length} finding${group.findings.length === 1 ? '' : 's'} for ${group.groupBy} ${group.label}`;
  const subject = group.groupBy === 'finding' && group.findings[0] ? subjectSummary(group.findings[0]) : '';
  const raw = `[spnaudit] ${group.severity}: ${what}${subject ? ` (${subject})` : ''}`;
  const clean = revealInvisible(raw.replace(/[\r\n\t\u2028\u2029]+/g, ' ')).replace(/ +/g, ' ').trim();
  return clean.length > TITLE_MAX ? `${clean.slice(0, TITLE_MAX - 1)}…` : clean;
}

function subjectSummary(f: ReportFinding): string {
  const s = f.subject;
  return s.spn ?? s.account ?? s.host ?? s.server ?? '';
}

function evidenceValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
}

/** Verdicts about the finding's server (and host, when the finding names one). */
export function relatedVerdicts(f: ReportFinding, verdicts: readonly Verdict[]): Verdict[] {
  const server = f.subject.server?.toLowerCase();
  const host = f.subject.host?.toLowerCase();
  if (server === undefined && host === undefined) return [];
  return verdicts.filter((v) => (server === undefined || v.server.toLowerCase() === server) && (host === undefined || v.host.toLowerCase() === host));
}

function findingBlocks(f: ReportFinding, verdicts: readonly Verdict[]): Block[] {
  const blocks: Block[] = [{ kind: 'heading', text: `${f.severity}: ${f.title}` }];
  const facts: Inline[][] = [[t('Rule: '), c(f.ruleId)], [t(`Severity: ${f.severity}`)]];
  for (const [field, value] of subjectParts(f.subject)) facts.push([t(`${field}: `), c(value)]);
  if (f.location) facts.push([t('Config: '), c(`${f.location.file}:${f.location.line}`)]);
  blocks.push({ kind: 'list', items: facts }, { kind: 'para', parts: [t(f.message)] });
  const evidence = Object.entries(f.evidence);
  if (evidence.length > 0) {
    blocks.push({ kind: 'para', parts: [t('Evidence:')] }, { kind: 'list', items: evidence.map(([k, v]) => [t(`${k}: `), c(evidenceValue(v))]) });
  }
  const related = relatedVerdicts(f, verdicts);
  if (related.length > 0) {
    blocks.push(
      { kind: 'para', parts: [t('Kerberos verdict:')] },
      {
        kind: 'list',
        items: related.map((v) => [c(`${v.server} ${v.site}${v.application === '/' ? '' : v.application} ${v.host}`), t(`: ${v.verdict}, expects `), c(v.expectedSpn)]),
      },
    );
  }
  if (f.fixes.length > 0) {
    blocks.push({ kind: 'para', parts: [t(f.fixes.length === 1 ? 'Fix:' : 'Fixes (in order):')] });
    for (const fix of f.fixes) {
      if (fix.note) blocks.push({ kind: 'para', parts: [t(fix.note)] });
      if (fix.kind === 'manual') blocks.push({ kind: 'para', parts: [t(fix.command)] });
      else blocks.push({ kind: 'code', text: fix.command });
    }
  }
  return blocks;
}

/** How many of the findings not written out in full are still listed by rule and subject. */
export const BRIEF_LIST_MAX = 200;
/** Longest subject value a brief line or a note repeats: a 10 kB SPN must not make a body too big to send. */
export const BRIEF_VALUE_MAX = 120;

/** A value cut for a brief mention (the full value is in the audit report); cut before escaping, so no markup breaks. */
export function briefValue(value: string): string {
  const chars = [...value];
  return chars.length <= BRIEF_VALUE_MAX ? value : `${chars.slice(0, BRIEF_VALUE_MAX).join('')}… (${chars.length} characters)`;
}

function briefSubject(f: ReportFinding): string {
  return subjectParts(f.subject).map(([k, v]) => `${k} ${briefValue(v)}`).join('; ');
}

/**
 * The ticket body: an introduction, then each finding in full. `detailed` caps how many findings are
 * written out (bodies have size limits); `listed` caps how many of the rest are listed by rule and
 * (shortened) subject.
 */
export function ticketBody(group: TicketGroup, audit: Pick<ReportAudit, 'verdicts' | 'generatedAt'>, run: string, detailed = Infinity, listed = BRIEF_LIST_MAX): Block[] {
  const n = group.findings.length;
  const blocks: Block[] = [
    {
      kind: 'para',
      parts: [t(`spnaudit reported ${n === 1 ? 'this problem' : `${n} problems`} in the audit of ${run}. This ticket is updated by the nightly sync: it gets a comment when the evidence changes and is closed when a complete audit no longer finds the problem.`)],
    },
  ];
  group.findings.slice(0, detailed).forEach((f) => blocks.push(...findingBlocks(f, audit.verdicts)));
  const rest = group.findings.slice(detailed);
  if (rest.length > 0) {
    blocks.push(
      { kind: 'heading', text: `${rest.length} more finding${rest.length === 1 ? '' : 's'} (run spnaudit audit for the details)` },
      ...(listed > 0 ? [{ kind: 'list' as const, items: rest.slice(0, listed).map((f) => [c(f.ruleId), t(` ${f.severity}: `), t(briefSubject(f) || briefValue(f.title))]) }] : []),
    );
    if (rest.length > listed) blocks.push({ kind: 'para', parts: [t(`… and ${rest.length - Math.max(0, listed)} more.`)] });
  }
  return blocks;
}

const NOTE_TEXT: Record<NoteKind, (run: string) => string> = {
  changed: (run) => `The evidence changed as of ${run}; the description now shows the current state.`,
  resolved: (run) => `Resolved as of ${run}: a complete audit that covered this ticket's rules, domains and servers no longer finds the problem.`,
  reappeared: (run) => `The problem is back as of ${run}; the description shows the current state.`,
};

export function noteText(kind: NoteKind, run: string): string {
  return NOTE_TEXT[kind](run);
}

export function noteBody(kind: NoteKind, run: string, group?: TicketGroup): Block[] {
  const blocks: Block[] = [{ kind: 'para', parts: [t(noteText(kind, run))] }];
  if (group && kind !== 'resolved') {
    blocks.push({ kind: 'list', items: group.findings.slice(0, 50).map((f) => [t(`${f.severity}: ${briefValue(f.title)} `), c(briefSubject(f))]) });
  }
  return blocks;
}
