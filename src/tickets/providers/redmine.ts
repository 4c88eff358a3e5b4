/**
 * Redmine REST API (checked against Redmine 5.0.4): issues with the group key in a string custom field
 * that is "used as a filter" (`cf_<id>=*` lists every spnaudit issue, `status_id=*` includes closed
 * ones — the default lists open issues only). The API key is verified on /users/current.json first:
 * Redmine answers a wrong key on /issues.json with 200 and an empty list (as anonymous).
 */
import { ConnectionError, UsageError } from '../../errors.js';
import type { Severity } from '../../model/finding.js';
import { expectStatus, parseJson, type HttpClient, type HttpRequest } from '../http.js';
import { parseMarker } from '../marker.js';
import { renderMarkdown, renderTextile } from '../render.js';
import type { RemoteTicket, TicketDraft, TicketNote, TicketProvider } from '../types.js';
import type { Block } from '../content.js';
import { baseUrl, fitBody, HEX32, noteBlocks } from './common.js';

export type RedmineMarkup = 'textile' | 'common_mark';

export interface RedmineOptions {
  url: string;
  project: string;
  apiKey: string;
  /** Name or numeric id of the string issue custom field (is_filter) holding the key. */
  fingerprintField: string;
  /** Tracker name or id; default: the project's default tracker. */
  tracker?: string;
  /** Status set when closing (name or id); must be a closed status. */
  closedStatus: string;
  /** Status set when reopening (name or id); must be an open status. */
  reopenStatus: string;
  /** Priority name or id per severity. */
  priorities: Record<Severity, string>;
  /** Redmine's text formatting setting (Administration → Settings → General); Redmine's default is textile. */
  markup: RedmineMarkup;
}

export const REDMINE_DEFAULTS = {
  closedStatus: 'Closed',
  reopenStatus: 'New',
  priorities: { error: 'High', warning: 'Normal', info: 'Low' } as Record<Severity, string>,
  markup: 'textile' as RedmineMarkup,
};

const MAX_DESCRIPTION = 60_000;
const PAGE = 100;

interface IdName {
  id: number;
  name: string;
}
interface RedmineIssue {
  id: number;
  subject?: string;
  description?: string | null;
  status?: { id: number; name: string; is_closed?: boolean };
  custom_fields?: Array<{ id: number; value: unknown }>;
}

const asId = (value: string): number | null => (/^\d+$/.test(value.trim()) ? Number(value.trim()) : null);

export class RedmineProvider implements TicketProvider {
  readonly name = 'redmine' as const;
  readonly searchable = true;
  readonly dryRun: boolean;
  private readonly base: string;
  private fieldId = 0;
  private closedStatusId = 0;
  private reopenStatusId = 0;
  private trackerId: number | null = null;
  private readonly closedStatuses = new Set<number>();
  private priorityIds: Record<Severity, number> = { error: 0, warning: 0, info: 0 };

  constructor(
    private readonly http: HttpClient,
    private readonly opts: RedmineOptions,
  ) {
    this.base = baseUrl(opts.url);
    this.dryRun = http.dryRun;
    http.addSecret(opts.apiKey);
  }

  private req(method: HttpRequest['method'], path: string, body?: unknown): HttpRequest {
    return { method, url: `${this.base}${path}`, headers: { 'X-Redmine-API-Key': this.opts.apiKey }, ...(body !== undefined ? { body } : {}) };
  }

  private async getJson<T>(path: string, what: string, ok: readonly number[] = [200]): Promise<{ status: number; data: T | null }> {
    const req = this.req('GET', path);
    const res = await this.http.send(req);
    expectStatus(this.http, req, res, ok, what);
    return { status: res.status, data: res.status === 200 ? parseJson<T>(this.http, req, res, what) : null };
  }

  async verify(): Promise<void> {
    const req = this.req('GET', '/users/current.json');
    const res = await this.http.send(req);
    if (res.status === 401) throw new ConnectionError(`Redmine at ${this.base} rejected the API key (HTTP 401 on /users/current.json); check the key and that the REST API is enabled`);
    if (res.status === 403) throw new ConnectionError(`Redmine at ${this.base} refused /users/current.json (HTTP 403): enable the REST API (Administration → Settings → API)`);
    expectStatus(this.http, req, res, [200], 'Redmine API key check');

    const project = await this.getJson<{ project: { id: number; trackers?: IdName[] } }>(`/projects/${encodeURIComponent(this.opts.project)}.json?include=trackers`, `Redmine project ${this.opts.project}`);
    await this.resolveField();
    const statuses = (await this.getJson<{ issue_statuses: Array<IdName & { is_closed: boolean }> }>('/issue_statuses.json', 'Redmine issue statuses')).data?.issue_statuses ?? [];
    for (const s of statuses) if (s.is_closed) this.closedStatuses.add(s.id);
    this.closedStatusId = this.pick(statuses, this.opts.closedStatus, 'closed status');
    this.reopenStatusId = this.pick(statuses, this.opts.reopenStatus, 'reopen status');
    if (!this.closedStatuses.has(this.closedStatusId)) throw new UsageError(`Redmine status '${this.opts.closedStatus}' is not a closed status`);
    if (this.closedStatuses.has(this.reopenStatusId)) throw new UsageError(`Redmine status '${this.opts.reopenStatus}' is a closed status; reopening needs an open one`);
    const priorities = (await this.getJson<{ issue_priorities: IdName[] }>('/enumerations/issue_priorities.json', 'Redmine priorities')).data?.issue_priorities ?? [];
    for (const sev of ['error', 'warning', 'info'] as const) this.priorityIds[sev] = this.pick(priorities, this.opts.priorities[sev], `priority for ${sev}`);
    if (this.opts.tracker !== undefined) this.trackerId = this.pick(project.data?.project.trackers ?? [], this.opts.tracker, 'tracker');
  }

  private pick(list: readonly IdName[], wanted: string, what: string): number {
    const id = asId(wanted);
    const found = list.find((x) => (id !== null ? x.id === id : x.name.toLowerCase() === wanted.trim().toLowerCase()));
    if (!found) throw new UsageError(`Redmine has no ${what} '${wanted}' (known: ${list.map((x) => `${x.id} ${x.name}`).join(', ') || 'none'})`);
    return found.id;
  }

  private async resolveField(): Promise<void> {
    const wanted = this.opts.fingerprintField;
    const id = asId(wanted);
    const res = await this.getJson<{ custom_fields: Array<IdName & { customized_type: string; field_format: string; is_filter: boolean }> }>(
      '/custom_fields.json',
      'Redmine custom fields',
      [200, 403],
    );
    if (res.status === 403) {
      // Only administrators may list custom fields; an id is taken on trust (listing with it proves it filters).
      if (id === null) throw new UsageError(`listing Redmine custom fields needs an administrator's key; give the field's numeric id instead of '${wanted}'`);
      this.fieldId = id;
      return;
    }
    const field = res.data?.custom_fields.find((f) => f.customized_type === 'issue' && (id !== null ? f.id === id : f.name.toLowerCase() === wanted.trim().toLowerCase()));
    if (!field) throw new UsageError(`Redmine has no issue custom field '${wanted}'; create a text field "used as a filter" for the fingerprint`);
    if (field.field_format !== 'string') throw new UsageError(`Redmine custom field '${field.name}' must be a Text (string) field, not ${field.field_format}`);
    if (!field.is_filter) throw new UsageError(`Redmine custom field '${field.name}' must be "Used as a filter" (otherwise cf_${field.id}= is ignored and every issue matches)`);
    this.fieldId = field.id;
  }

  private toTicket(issue: RedmineIssue): RemoteTicket | null {
    const value = issue.custom_fields?.find((f) => f.id === this.fieldId)?.value;
    if (typeof value !== 'string' || !HEX32.test(value)) return null;
    const closed = issue.status?.is_closed ?? this.closedStatuses.has(issue.status?.id ?? -1);
    return {
      id: String(issue.id),
      display: `#${issue.id}`,
      key: value,
      open: !closed,
      marker: parseMarker(issue.description ?? '', value),
      url: `${this.base}/issues/${issue.id}`,
    };
  }

  async list(): Promise<RemoteTicket[]> {
    const tickets: RemoteTicket[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const path = `/issues.json?project_id=${encodeURIComponent(this.opts.project)}&status_id=*&cf_${this.fieldId}=*&sort=id&limit=${PAGE}&offset=${offset}`;
      const page = (await this.getJson<{ issues: RedmineIssue[]; total_count: number }>(path, 'Redmine issue search')).data;
      const issues = page?.issues ?? [];
      for (const issue of issues) {
        const t = this.toTicket(issue);
        if (t) tickets.push(t);
      }
      if (issues.length < PAGE || offset + PAGE >= (page?.total_count ?? 0)) return tickets;
    }
  }

  async get(id: string): Promise<RemoteTicket | null> {
    const res = await this.getJson<{ issue: RedmineIssue }>(`/issues/${encodeURIComponent(id)}.json`, `Redmine issue #${id}`, [200, 404]);
    return res.data ? this.toTicket(res.data.issue) : null;
  }

  private render(blocks: Block[], draft: TicketDraft | null): string {
    const marker = draft?.marker ?? null;
    return this.opts.markup === 'textile' ? renderTextile(blocks, marker) : renderMarkdown(blocks, marker);
  }

  private description(draft: TicketDraft): string {
    return fitBody(draft, (blocks) => this.render(blocks, draft), (s) => s.length, MAX_DESCRIPTION);
  }

  async create(draft: TicketDraft): Promise<RemoteTicket> {
    const issue: Record<string, unknown> = {
      project_id: this.opts.project,
      subject: draft.title,
      description: this.description(draft),
      priority_id: this.priorityIds[draft.group.severity],
      custom_fields: [{ id: this.fieldId, value: draft.marker.key }],
    };
    if (this.trackerId !== null) issue.tracker_id = this.trackerId;
    const req = this.req('POST', '/issues.json', { issue });
    const res = await this.http.send(req);
    expectStatus(this.http, req, res, [201], 'Redmine create issue');
    if (res.dryRun) return { id: '(dry-run)', display: '(dry-run)', key: draft.marker.key, open: true, marker: draft.marker };
    const made = parseJson<{ issue: RedmineIssue }>(this.http, req, res, 'Redmine create issue').issue;
    if (draft.replaces) await this.relate(made.id, draft.replaces.id);
    return { id: String(made.id), display: `#${made.id}`, key: draft.marker.key, open: true, marker: draft.marker };
  }

  private async relate(from: number, to: string): Promise<void> {
    const req = this.req('POST', `/issues/${from}/relations.json`, { relation: { issue_to_id: Number(to), relation_type: 'relates' } });
    const res = await this.http.send(req);
    expectStatus(this.http, req, res, [201], `Redmine relate #${from} to #${to}`);
  }

  private async put(ticket: RemoteTicket, issue: Record<string, unknown>, what: string): Promise<void> {
    const req = this.req('PUT', `/issues/${encodeURIComponent(ticket.id)}.json`, { issue });
    const res = await this.http.send(req);
    expectStatus(this.http, req, res, [200, 204], `${what} ${ticket.display}`);
  }

  async update(ticket: RemoteTicket, draft: TicketDraft, note: TicketNote): Promise<void> {
    await this.put(ticket, { description: this.description(draft), notes: this.render(noteBlocks(note), null) }, 'Redmine update');
  }

  async reopen(ticket: RemoteTicket, draft: TicketDraft, note: TicketNote): Promise<void> {
    await this.put(ticket, { status_id: this.reopenStatusId, description: this.description(draft), notes: this.render(noteBlocks(note), null) }, 'Redmine reopen');
  }

  async close(ticket: RemoteTicket, note: TicketNote): Promise<void> {
    await this.put(ticket, { status_id: this.closedStatusId, notes: this.render(noteBlocks(note), null) }, 'Redmine close');
  }
}
