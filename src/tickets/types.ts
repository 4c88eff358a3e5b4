/**
 * Ticket sync contracts: what the engine plans with (groups of findings, remote tickets) and what a
 * provider must implement. Providers speak HTTP; the engine never does.
 */
import type { Severity } from '../model/finding.js';
import type { ReportFinding } from '../report/types.js';
import type { Block } from './content.js';

export const PROVIDERS = ['jira', 'github', 'servicenow', 'redmine', 'webhook'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export const GROUP_BY = ['finding', 'rule', 'account', 'host'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/** What a closed ticket whose finding is back turns into. */
export type ReopenPolicy = 'reopen' | 'new';

/**
 * Where a group's findings live: a later audit may only close its ticket when it was complete and
 * looked at every one of these (and ran every rule).
 */
export interface TicketScope {
  rules: string[];
  domains: string[];
  servers: string[];
}

/** One ticket's worth of findings: one finding, or all findings of a rule / account / host. */
export interface TicketGroup {
  /** The ticket key: 32 hex characters (the finding fingerprint when grouping per finding). */
  key: string;
  groupBy: GroupBy;
  /** Human label of the group: the finding title, the rule id, the account or host name. */
  label: string;
  severity: Severity;
  findings: ReportFinding[];
  /** Hash of what a reader cares about (severity, evidence, fixes); a change earns one comment. */
  digest: string;
  scope: TicketScope;
}

/** The machine-readable part every ticket carries (hidden or in a footer). */
export interface TicketMarker {
  key: string;
  /** Tickets of another grouping are never closed by this one (switching --group-by must not close everything). */
  groupBy: GroupBy;
  digest: string;
  scope: TicketScope;
}

/** A ticket as found in the ticket system. */
export interface RemoteTicket {
  /** The id the API addresses it by (Redmine/GitHub number, Jira key, ServiceNow sys_id, webhook dedup key). */
  id: string;
  /** What a human calls it (PROJ-12, #12, INC0010001). */
  display: string;
  key: string;
  open: boolean;
  /** From the ticket's marker; null when it carries none the engine can read (then it is never closed). */
  marker: TicketMarker | null;
  url?: string;
}

/** A ticket to create, or the new content of an existing one. */
export interface TicketDraft {
  group: TicketGroup;
  title: string;
  marker: TicketMarker;
  /**
   * The body with at most `detailed` findings written out in full and at most `listed` of the rest
   * listed briefly (default {@link BRIEF_LIST_MAX}); bodies have size limits.
   */
  body(detailed: number, listed?: number): Block[];
  /** The ticket this one replaces (reopen policy `new`). */
  replaces?: RemoteTicket;
}

/** Notes the engine adds; providers render them for their markup. */
export type NoteKind = 'changed' | 'resolved' | 'reappeared';

export interface TicketNote {
  kind: NoteKind;
  /** The run label ("resolved as of <run>"). */
  run: string;
  /** The group's current findings (changed / reappeared notes list them). */
  group?: TicketGroup;
}

export interface TicketProvider {
  readonly name: ProviderName;
  /** False for the webhook: it cannot be searched, so the state file is its only memory. */
  readonly searchable: boolean;
  /** Fails loudly on a wrong credential or target (before anything is read or written). */
  verify(): Promise<void>;
  /** Every ticket that carries a spnaudit marker, open and closed. `journal` ids help eventually consistent search. */
  list(journal: readonly string[]): Promise<RemoteTicket[]>;
  /** Direct lookup by id (journal reconciliation); null when it does not exist. */
  get(id: string): Promise<RemoteTicket | null>;
  create(draft: TicketDraft): Promise<RemoteTicket>;
  /** New body/marker and one comment. */
  update(ticket: RemoteTicket, draft: TicketDraft, note: TicketNote): Promise<void>;
  reopen(ticket: RemoteTicket, draft: TicketDraft, note: TicketNote): Promise<void>;
  close(ticket: RemoteTicket, note: TicketNote): Promise<void>;
}
