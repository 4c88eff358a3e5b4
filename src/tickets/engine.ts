/**
 * The sync: tonight's groups against the tickets the ticket system holds (searched by marker every
 * run — a lost or stale state file cannot cause duplicates), planned and executed in one pass:
 *   new group, no ticket            → create (at most --max-new per run)
 *   open ticket, evidence changed   → new description + one comment
 *   closed ticket, group is back    → reopen (or a new ticket that names the old one)
 *   open ticket, group gone         → "resolved as of <run>" + close, only when the audit is complete
 *                                     and covered the ticket's rules, domains and servers
 */
import type { ReportAudit } from '../report/types.js';
import { groupFindings, markerOf, whyNotCovered } from './group.js';
import { t, ticketBody, ticketTitle, type Block } from './content.js';
import { emptyState, readState, writeStateAtomic, type TicketState } from './state.js';
import type { GroupBy, RemoteTicket, ReopenPolicy, TicketDraft, TicketGroup, TicketProvider } from './types.js';

export const DEFAULT_MAX_NEW = 50;

export interface SyncOptions {
  groupBy: GroupBy;
  maxNew: number;
  reopen: ReopenPolicy;
  /** The run's name in notes: "resolved as of <run>". */
  run: string;
  /** Journal file; null: no local journal (searchable providers only). */
  stateFile: string | null;
  /** provider + URL + project, recorded in the journal. */
  target: string;
  log?: (line: string) => void;
}

export type ActionKind = 'create' | 'comment' | 'reopen' | 'replace' | 'close' | 'unchanged' | 'deferred' | 'kept-open' | 'foreign';

export interface SyncAction {
  kind: ActionKind;
  key: string;
  /** PROJ-12, #12, INC0010001 — or null for a ticket not created (deferred, dry-run). */
  ticket: string | null;
  title: string;
  /** Why a ticket stays open, or which ticket a replacement follows. */
  reason?: string;
}

export interface SyncReport {
  actions: SyncAction[];
  counts: Record<ActionKind, number>;
  /** Keys with more than one open ticket (made by hand or by an older tool): reported, the oldest is used. */
  duplicates: Array<{ key: string; tickets: string[] }>;
}

const ACTION_KINDS: readonly ActionKind[] = ['create', 'comment', 'reopen', 'replace', 'close', 'unchanged', 'deferred', 'kept-open', 'foreign'];

function numericOrder(a: RemoteTicket, b: RemoteTicket): number {
  const na = Number(a.id);
  const nb = Number(b.id);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a.display < b.display ? -1 : a.display > b.display ? 1 : 0;
}

/** One ticket per key: an open one if any (the oldest), else the newest closed one. */
export function indexTickets(tickets: readonly RemoteTicket[]): { byKey: Map<string, RemoteTicket>; duplicates: SyncReport['duplicates'] } {
  const groups = new Map<string, RemoteTicket[]>();
  for (const t of tickets) groups.set(t.key, [...(groups.get(t.key) ?? []), t]);
  const byKey = new Map<string, RemoteTicket>();
  const duplicates: SyncReport['duplicates'] = [];
  for (const [key, list] of groups) {
    const open = list.filter((t) => t.open).sort(numericOrder);
    const closed = list.filter((t) => !t.open).sort(numericOrder);
    const chosen = open[0] ?? closed[closed.length - 1];
    if (chosen) byKey.set(key, chosen);
    if (open.length > 1) duplicates.push({ key, tickets: open.map((t) => t.display) });
  }
  return { byKey, duplicates };
}

function journalTickets(state: TicketState): RemoteTicket[] {
  return Object.entries(state.tickets).map(([key, e]) => ({ id: e.id, display: e.display, key, open: e.open, marker: e.marker }));
}

export async function syncTickets(audit: ReportAudit, provider: TicketProvider, opts: SyncOptions): Promise<SyncReport> {
  const log = opts.log ?? (() => undefined);
  await provider.verify();
  const state = opts.stateFile ? await readState(opts.stateFile, opts.target) : emptyState(opts.target);
  const dryRun = isDryRun(provider);
  const saveState = async () => {
    if (opts.stateFile && !dryRun) await writeStateAtomic(opts.stateFile, state);
  };
  const remember = async (key: string, ticket: Pick<RemoteTicket, 'id' | 'display'>, open: boolean, draft: TicketDraft | null, persist: boolean) => {
    const previous = state.tickets[key];
    const marker = draft?.marker ?? previous?.marker;
    if (!marker || dryRun) return;
    state.tickets[key] = { id: ticket.id, display: ticket.display, open, marker, updatedAt: new Date().toISOString() };
    if (persist) await saveState();
  };

  let remote: RemoteTicket[];
  if (provider.searchable) {
    const journal = Object.values(state.tickets).map((e) => e.id);
    remote = await provider.list(journal);
    // Search may lag behind creates (Jira Cloud): journaled tickets missing from it are looked up directly.
    const found = new Set(remote.map((t) => `${t.key}\u0000${t.id}`));
    for (const [key, entry] of Object.entries(state.tickets)) {
      if (found.has(`${key}\u0000${entry.id}`)) continue;
      const direct = await provider.get(entry.id);
      if (direct && direct.key === key) remote.push(direct);
      else delete state.tickets[key];
    }
  } else {
    remote = journalTickets(state);
  }
  const { byKey, duplicates } = indexTickets(remote);
  for (const d of duplicates) log(`warning: ${d.tickets.length} open tickets carry the same spnaudit key ${d.key}: ${d.tickets.join(', ')}; using ${d.tickets[0]}`);

  const groups = groupFindings(audit, opts.groupBy);
  const actions: SyncAction[] = [];
  const draftOf = (group: TicketGroup, replaces?: RemoteTicket): TicketDraft => ({
    group,
    title: ticketTitle(group),
    marker: markerOf(group),
    body: (detailed: number, listed?: number): Block[] => {
      const blocks = ticketBody(group, audit, opts.run, detailed, listed);
      return replaces ? [{ kind: 'para', parts: [t(`This problem was tracked before in ${replaces.display} (closed); it is back.`)] }, ...blocks] : blocks;
    },
    ...(replaces ? { replaces } : {}),
  });
  let created = 0;

  for (const group of groups) {
    const ticket = byKey.get(group.key);
    const draft = draftOf(group);
    if (ticket?.open) {
      if (ticket.marker?.digest === group.digest) {
        actions.push({ kind: 'unchanged', key: group.key, ticket: ticket.display, title: draft.title });
        await remember(group.key, ticket, true, draft, false);
        continue;
      }
      await provider.update(ticket, draft, { kind: 'changed', run: opts.run, group });
      actions.push({ kind: 'comment', key: group.key, ticket: ticket.display, title: draft.title });
      await remember(group.key, ticket, true, draft, true);
      continue;
    }
    if (ticket && opts.reopen === 'reopen') {
      await provider.reopen(ticket, draft, { kind: 'reappeared', run: opts.run, group });
      actions.push({ kind: 'reopen', key: group.key, ticket: ticket.display, title: draft.title });
      await remember(group.key, ticket, true, draft, true);
      continue;
    }
    if (created >= opts.maxNew) {
      actions.push({ kind: 'deferred', key: group.key, ticket: null, title: draft.title, reason: `--max-new ${opts.maxNew} reached` });
      continue;
    }
    const replacement = ticket ? draftOf(group, ticket) : draft;
    const made = await provider.create(replacement);
    created += 1;
    // Journal first: a run killed right after this create must not forget the ticket.
    await remember(group.key, made, true, replacement, true);
    actions.push({ kind: ticket ? 'replace' : 'create', key: group.key, ticket: dryRun ? null : made.display, title: replacement.title, ...(ticket ? { reason: `follows closed ${ticket.display}` } : {}) });
  }

  const current = new Set(groups.map((g) => g.key));
  for (const [key, ticket] of byKey) {
    if (current.has(key) || !ticket.open) continue;
    const title = `ticket ${ticket.display}`;
    if (ticket.marker && ticket.marker.groupBy !== opts.groupBy) {
      actions.push({ kind: 'foreign', key, ticket: ticket.display, title, reason: `grouped by ${ticket.marker.groupBy}, this run groups by ${opts.groupBy}` });
      continue;
    }
    const why = whyNotCovered(ticket.marker?.scope ?? null, audit);
    if (why !== null) {
      actions.push({ kind: 'kept-open', key, ticket: ticket.display, title, reason: why });
      continue;
    }
    await provider.close(ticket, { kind: 'resolved', run: opts.run });
    actions.push({ kind: 'close', key, ticket: ticket.display, title });
    await remember(key, ticket, false, null, true);
  }
  await saveState();

  const counts = Object.fromEntries(ACTION_KINDS.map((k) => [k, 0])) as Record<ActionKind, number>;
  for (const a of actions) counts[a.kind] += 1;
  return { actions, counts, duplicates };
}

/** Providers built on a dry-run HttpClient say so; the engine then journals nothing. */
function isDryRun(provider: TicketProvider): boolean {
  return (provider as { dryRun?: boolean }).dryRun === true;
}

const VERB: Record<ActionKind, [string, string]> = {
  create: ['created', 'would create'],
  comment: ['commented (evidence changed)', 'would comment (evidence changed)'],
  reopen: ['reopened', 'would reopen'],
  replace: ['created (replacing a closed ticket)', 'would create (replacing a closed ticket)'],
  close: ['closed (resolved)', 'would close (resolved)'],
  unchanged: ['unchanged', 'unchanged'],
  deferred: ['not created (--max-new)', 'would not create (--max-new)'],
  'kept-open': ['kept open (not covered tonight)', 'would keep open (not covered tonight)'],
  foreign: ['left alone (other grouping)', 'would leave alone (other grouping)'],
};

/** One line per action that did (or would) change something, then the counts. Titles are single-line already. */
export function formatSummary(report: SyncReport, dryRun: boolean): string[] {
  const lines: string[] = [];
  for (const a of report.actions) {
    if (a.kind === 'unchanged') continue;
    lines.push(`${VERB[a.kind][dryRun ? 1 : 0]}: ${a.ticket ? `${a.ticket} ` : ''}${a.title}${a.reason ? ` — ${a.reason}` : ''}`);
  }
  const counts = ACTION_KINDS.filter((k) => report.counts[k] > 0).map((k) => `${report.counts[k]} ${VERB[k][dryRun ? 1 : 0]}`);
  lines.push(`${dryRun ? 'dry run: ' : ''}${counts.length > 0 ? counts.join(', ') : 'nothing to do'}`);
  return lines;
}
