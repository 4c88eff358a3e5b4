/**
 * ServiceNow Table API (default table `incident`). The key is `correlation_id`; every spnaudit record
 * has `correlation_display = spnaudit`, by which all of them (active or not) are listed. Descriptions
 * and work notes are plain text. Closing sets the configured state, close_code and close_notes.
 */
import { ConnectionError } from '../../errors.js';
import type { Severity } from '../../model/finding.js';
import { expectStatus, parseJson, type HttpClient, type HttpRequest } from '../http.js';
import { parseMarker } from '../marker.js';
import { renderPlain } from '../render.js';
import type { RemoteTicket, TicketDraft, TicketNote, TicketProvider } from '../types.js';
import { authorizationHeader, baseUrl, fitBody, HEX32, noteBlocks, type BasicOrBearer } from './common.js';

export interface ServicenowOptions {
  url: string;
  auth: BasicOrBearer;
  table: string;
  /** incident state values: 6 Resolved, 7 Closed; 2 In Progress. */
  closeState: string;
  closeCode: string;
  reopenState: string;
  impact: Record<Severity, string>;
  urgency: Record<Severity, string>;
  /** Static fields for every record created (assignment_group, category, caller_id ...). */
  fields: Record<string, string>;
}

export const SERVICENOW_DEFAULTS = {
  table: 'incident',
  closeState: '6',
  closeCode: 'Solved (Permanently)',
  reopenState: '2',
  impact: { error: '2', warning: '2', info: '3' } as Record<Severity, string>,
  urgency: { error: '1', warning: '2', info: '3' } as Record<Severity, string>,
};

export const CORRELATION_DISPLAY = 'spnaudit';
/** short_description is 160 characters on a stock incident table; description 4000. */
const MAX_SHORT = 160;
const MAX_DESCRIPTION = 4000;
const PAGE = 100;
const FIELDS = 'sys_id,number,active,state,correlation_id,description';

interface SnRecord {
  sys_id: string;
  number?: string;
  active?: string | boolean;
  correlation_id?: string;
  description?: string;
}

export class ServicenowProvider implements TicketProvider {
  readonly name = 'servicenow' as const;
  readonly searchable = true;
  readonly dryRun: boolean;
  private readonly base: string;
  private readonly authorization: string;

  constructor(
    private readonly http: HttpClient,
    private readonly opts: ServicenowOptions,
  ) {
    this.base = baseUrl(opts.url);
    this.dryRun = http.dryRun;
    this.authorization = authorizationHeader(http, opts.auth);
  }

  private req(method: HttpRequest['method'], path: string, body?: unknown): HttpRequest {
    return { method, url: `${this.base}/api/now/table/${this.opts.table}${path}`, headers: { Authorization: this.authorization, Accept: 'application/json' }, ...(body !== undefined ? { body } : {}) };
  }

  async verify(): Promise<void> {
    const req = this.req('GET', '?sysparm_limit=1&sysparm_fields=sys_id');
    const res = await this.http.send(req);
    if (res.status === 401) throw new ConnectionError(`ServiceNow at ${this.base} rejected the credentials (HTTP 401)`);
    expectStatus(this.http, req, res, [200], `ServiceNow table ${this.opts.table}`);
  }

  private toTicket(r: SnRecord): RemoteTicket | null {
    const key = r.correlation_id ?? '';
    if (!HEX32.test(key)) return null;
    const active = r.active === true || r.active === 'true';
    return { id: r.sys_id, display: r.number ?? r.sys_id, key, open: active, marker: parseMarker(r.description ?? '', key), url: `${this.base}/nav_to.do?uri=${this.opts.table}.do?sys_id=${r.sys_id}` };
  }

  async list(): Promise<RemoteTicket[]> {
    const tickets: RemoteTicket[] = [];
    const query = encodeURIComponent(`correlation_display=${CORRELATION_DISPLAY}^ORDERBYsys_created_on`);
    for (let offset = 0; ; offset += PAGE) {
      const req = this.req('GET', `?sysparm_query=${query}&sysparm_fields=${FIELDS}&sysparm_limit=${PAGE}&sysparm_offset=${offset}&sysparm_exclude_reference_link=true`);
      const res = await this.http.send(req);
      expectStatus(this.http, req, res, [200], 'ServiceNow query');
      const rows = parseJson<{ result?: SnRecord[] }>(this.http, req, res, 'ServiceNow query').result ?? [];
      for (const r of rows) {
        const t = this.toTicket(r);
        if (t) tickets.push(t);
      }
      if (rows.length < PAGE) return tickets;
    }
  }

  async get(id: string): Promise<RemoteTicket | null> {
    const req = this.req('GET', `/${encodeURIComponent(id)}?sysparm_fields=${FIELDS}&sysparm_exclude_reference_link=true`);
    const res = await this.http.send(req);
    if (res.status === 404) return null;
    expectStatus(this.http, req, res, [200], `ServiceNow record ${id}`);
    const r = parseJson<{ result?: SnRecord }>(this.http, req, res, `ServiceNow record ${id}`).result;
    return r ? this.toTicket(r) : null;
  }

  private description(draft: TicketDraft): string {
    return fitBody(draft, (b) => renderPlain(b, draft.marker), (s) => s.length, MAX_DESCRIPTION);
  }

  async create(draft: TicketDraft): Promise<RemoteTicket> {
    const sev = draft.group.severity;
    const title = draft.title.length > MAX_SHORT ? `${draft.title.slice(0, MAX_SHORT - 1)}…` : draft.title;
    const body = {
      ...this.opts.fields,
      short_description: title,
      description: this.description(draft),
      correlation_id: draft.marker.key,
      correlation_display: CORRELATION_DISPLAY,
      impact: this.opts.impact[sev],
      urgency: this.opts.urgency[sev],
    };
    const req = this.req('POST', '', body);
    const res = await this.http.send(req);
    expectStatus(this.http, req, res, [201], 'ServiceNow create record');
    if (res.dryRun) return { id: '(dry-run)', display: '(dry-run)', key: draft.marker.key, open: true, marker: draft.marker };
    const r = parseJson<{ result: SnRecord }>(this.http, req, res, 'ServiceNow create record').result;
    return { id: r.sys_id, display: r.number ?? r.sys_id, key: draft.marker.key, open: true, marker: draft.marker };
  }

  private async patch(ticket: RemoteTicket, body: Record<string, string>, what: string): Promise<void> {
    const req = this.req('PATCH', `/${encodeURIComponent(ticket.id)}`, body);
    const res = await this.http.send(req);
    expectStatus(this.http, req, res, [200], `${what} ${ticket.display}`);
  }

  async update(ticket: RemoteTicket, draft: TicketDraft, note: TicketNote): Promise<void> {
    await this.patch(ticket, { description: this.description(draft), work_notes: renderPlain(noteBlocks(note), null) }, 'ServiceNow update');
  }

  async reopen(ticket: RemoteTicket, draft: TicketDraft, note: TicketNote): Promise<void> {
    await this.patch(ticket, { state: this.opts.reopenState, description: this.description(draft), work_notes: renderPlain(noteBlocks(note), null) }, 'ServiceNow reopen');
  }

  async close(ticket: RemoteTicket, note: TicketNote): Promise<void> {
    const text = renderPlain(noteBlocks(note), null);
    await this.patch(ticket, { state: this.opts.closeState, close_code: this.opts.closeCode, close_notes: text, work_notes: text }, 'ServiceNow close');
  }
}
