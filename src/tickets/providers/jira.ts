/**
 * Jira Cloud (REST v3: ADF descriptions, search via POST /rest/api/3/search/jql — the old /search
 * answers 410 on Cloud — with nextPageToken paging and `reconcileIssues` for issues created moments
 * ago) and Jira Server/Data Center (REST v2: wiki-markup descriptions, POST /rest/api/2/search with
 * startAt). The key is the label `spnaudit-<key>` next to the label `spnaudit`; closing and reopening
 * go through the workflow transition of the configured name (workflows differ per project).
 */
import { ConnectionError, UsageError } from '../../errors.js';
import type { Severity } from '../../model/finding.js';
import { expectStatus, parseJson, type HttpClient, type HttpRequest } from '../http.js';
import { parseMarker } from '../marker.js';
import { adfPlainText, renderAdf, renderJiraWiki, type AdfNode } from '../render.js';
import type { RemoteTicket, TicketDraft, TicketNote, TicketProvider } from '../types.js';
import { authorizationHeader, baseUrl, fitBody, HEX32, noteBlocks, type BasicOrBearer } from './common.js';

export type JiraDeployment = 'cloud' | 'server';

export interface JiraOptions {
  url: string;
  project: string;
  deployment: JiraDeployment;
  /** basic: `user` + API token (Cloud) or password (Server); bearer: OAuth 2.0 / personal access token. */
  auth: BasicOrBearer;
  issueType: string;
  closeTransition: string;
  reopenTransition: string;
  /** Priority names per severity; a severity left out sets no priority. */
  priorities: Partial<Record<Severity, string>>;
  labels: string[];
}

export const JIRA_DEFAULTS = {
  issueType: 'Bug',
  closeTransition: 'Done',
  reopenTransition: 'Reopen',
  priorities: { error: 'High', warning: 'Medium', info: 'Low' } as Partial<Record<Severity, string>>,
};

export const JIRA_LABEL = 'spnaudit';
export const jiraKeyLabel = (key: string) => `${JIRA_LABEL}-${key}`;
/** Jira limits a text field to 32,767 characters; ADF is measured as its JSON. */
const MAX_DESCRIPTION = 32_000;
const PAGE = 100;
const FIELDS = ['summary', 'status', 'labels', 'description'];

interface JiraIssue {
  id: string;
  key: string;
  fields?: { labels?: string[]; description?: unknown; status?: { statusCategory?: { key?: string } } };
}

/** A JQL string literal. */
export function jqlString(value: string): string {
  return `"${value.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
}

export class JiraProvider implements TicketProvider {
  readonly name = 'jira' as const;
  readonly searchable = true;
  readonly dryRun: boolean;
  private readonly base: string;
  private readonly authorization: string;
  private readonly api: string;

  constructor(
    private readonly http: HttpClient,
    private readonly opts: JiraOptions,
  ) {
    this.base = baseUrl(opts.url);
    this.api = opts.deployment === 'cloud' ? '/rest/api/3' : '/rest/api/2';
    this.dryRun = http.dryRun;
    this.authorization = authorizationHeader(http, opts.auth);
  }

  private req(method: HttpRequest['method'], path: string, body?: unknown): HttpRequest {
    return { method, url: `${this.base}${this.api}${path}`, headers: { Authorization: this.authorization, Accept: 'application/json' }, ...(body !== undefined ? { body } : {}) };
  }

  async verify(): Promise<void> {
    const req = this.req('GET', '/myself');
    const res = await this.http.send(req);
    if (res.status === 401) throw new ConnectionError(`Jira at ${this.base} rejected the credentials (HTTP 401 on ${this.api}/myself)`);
    expectStatus(this.http, req, res, [200], 'Jira credential check');
    const project = this.req('GET', `/project/${encodeURIComponent(this.opts.project)}`);
    const pres = await this.http.send(project);
    if (pres.status === 404) throw new ConnectionError(`Jira project ${this.opts.project} not found, or not visible to this account (HTTP 404)`);
    expectStatus(this.http, project, pres, [200], `Jira project ${this.opts.project}`);
  }

  private descriptionText(description: unknown): string {
    return typeof description === 'string' ? description : adfPlainText(description);
  }

  private toTicket(issue: JiraIssue): RemoteTicket | null {
    const labels = issue.fields?.labels ?? [];
    const key = labels.map((l) => l.slice(JIRA_LABEL.length + 1)).find((rest, i) => labels[i]?.startsWith(`${JIRA_LABEL}-`) && HEX32.test(rest));
    if (key === undefined) return null;
    const open = issue.fields?.status?.statusCategory?.key !== 'done';
    return { id: issue.id, display: issue.key, key, open, marker: parseMarker(this.descriptionText(issue.fields?.description), key), url: `${this.base}/browse/${issue.key}` };
  }

  private jql(): string {
    return `project = ${jqlString(this.opts.project)} AND labels = ${jqlString(JIRA_LABEL)} ORDER BY created ASC`;
  }

  async list(journal: readonly string[]): Promise<RemoteTicket[]> {
    const issues: JiraIssue[] = [];
    if (this.opts.deployment === 'cloud') {
      // Issues created moments ago may be missing from search: reconcileIssues (numeric ids, from the journal) asks for them.
      let nextPageToken: string | undefined;
      for (;;) {
        const body: Record<string, unknown> = { jql: this.jql(), fields: FIELDS, maxResults: PAGE };
        if (nextPageToken) body.nextPageToken = nextPageToken;
        const ids = journal.map(Number).filter((n) => Number.isInteger(n) && n > 0);
        if (ids.length > 0) body.reconcileIssues = ids;
        const req: HttpRequest = { ...this.req('POST', '/search/jql', body), readOnly: true };
        const res = await this.http.send(req);
        expectStatus(this.http, req, res, [200], 'Jira search');
        const page = parseJson<{ issues?: JiraIssue[]; nextPageToken?: string; isLast?: boolean }>(this.http, req, res, 'Jira search');
        issues.push(...(page.issues ?? []));
        if (!page.nextPageToken || page.isLast === true) break;
        nextPageToken = page.nextPageToken;
      }
    } else {
      for (let startAt = 0; ; startAt += PAGE) {
        const req: HttpRequest = { ...this.req('POST', '/search', { jql: this.jql(), fields: FIELDS, startAt, maxResults: PAGE }), readOnly: true };
        const res = await this.http.send(req);
        expectStatus(this.http, req, res, [200], 'Jira search');
        const page = parseJson<{ issues?: JiraIssue[]; total?: number }>(this.http, req, res, 'Jira search');
        const got = page.issues ?? [];
        issues.push(...got);
        if (got.length === 0 || startAt + got.length >= (page.total ?? 0)) break;
      }
    }
    return issues.map((i) => this.toTicket(i)).filter((t): t is RemoteTicket => t !== null);
  }

  async get(id: string): Promise<RemoteTicket | null> {
    const req = this.req('GET', `/issue/${encodeURIComponent(id)}?fields=${FIELDS.join(',')}`);
    const res = await this.http.send(req);
    if (res.status === 404) return null;
    expectStatus(this.http, req, res, [200], `Jira issue ${id}`);
    return this.toTicket(parseJson<JiraIssue>(this.http, req, res, `Jira issue ${id}`));
  }

  private description(draft: TicketDraft): AdfNode | string {
    if (this.opts.deployment === 'cloud') return fitBody(draft, (b) => renderAdf(b, draft.marker), (d) => JSON.stringify(d).length, MAX_DESCRIPTION);
    return fitBody(draft, (b) => renderJiraWiki(b, draft.marker), (s) => s.length, MAX_DESCRIPTION);
  }

  private noteBody(note: TicketNote): AdfNode | string {
    return this.opts.deployment === 'cloud' ? renderAdf(noteBlocks(note), null) : renderJiraWiki(noteBlocks(note), null);
  }

  async create(draft: TicketDraft): Promise<RemoteTicket> {
    const fields: Record<string, unknown> = {
      project: { key: this.opts.project },
      issuetype: { name: this.opts.issueType },
      summary: draft.title,
      description: this.description(draft),
      labels: [JIRA_LABEL, jiraKeyLabel(draft.marker.key), ...this.opts.labels],
    };
    const priority = this.opts.priorities[draft.group.severity];
    if (priority) fields.priority = { name: priority };
    const req = this.req('POST', '/issue', { fields });
    const res = await this.http.send(req);
    expectStatus(this.http, req, res, [201], 'Jira create issue');
    if (res.dryRun) return { id: '(dry-run)', display: '(dry-run)', key: draft.marker.key, open: true, marker: draft.marker };
    const made = parseJson<{ id: string; key: string }>(this.http, req, res, 'Jira create issue');
    return { id: made.id, display: made.key, key: draft.marker.key, open: true, marker: draft.marker };
  }

  private async comment(ticket: RemoteTicket, note: TicketNote): Promise<void> {
    const req = this.req('POST', `/issue/${encodeURIComponent(ticket.id)}/comment`, { body: this.noteBody(note) });
    const res = await this.http.send(req);
    expectStatus(this.http, req, res, [201], `Jira comment on ${ticket.display}`);
  }

  private async setDescription(ticket: RemoteTicket, draft: TicketDraft): Promise<void> {
    const req = this.req('PUT', `/issue/${encodeURIComponent(ticket.id)}`, { fields: { description: this.description(draft) } });
    const res = await this.http.send(req);
    expectStatus(this.http, req, res, [204], `Jira update ${ticket.display}`);
  }

  private async transition(ticket: RemoteTicket, name: string): Promise<void> {
    const list = this.req('GET', `/issue/${encodeURIComponent(ticket.id)}/transitions`);
    const res = await this.http.send(list);
    expectStatus(this.http, list, res, [200], `Jira transitions of ${ticket.display}`);
    const transitions = parseJson<{ transitions?: Array<{ id: string; name: string }> }>(this.http, list, res, `Jira transitions of ${ticket.display}`).transitions ?? [];
    const found = transitions.find((t) => t.name.toLowerCase() === name.toLowerCase());
    if (!found) {
      throw new UsageError(`Jira ${ticket.display} has no transition '${name}' (available: ${transitions.map((t) => t.name).join(', ') || 'none'}); set tickets.closeTransition / reopenTransition`);
    }
    const req = this.req('POST', `/issue/${encodeURIComponent(ticket.id)}/transitions`, { transition: { id: found.id } });
    const done = await this.http.send(req);
    expectStatus(this.http, req, done, [204], `Jira transition '${name}' of ${ticket.display}`);
  }

  async update(ticket: RemoteTicket, draft: TicketDraft, note: TicketNote): Promise<void> {
    await this.setDescription(ticket, draft);
    await this.comment(ticket, note);
  }

  async reopen(ticket: RemoteTicket, draft: TicketDraft, note: TicketNote): Promise<void> {
    await this.transition(ticket, this.opts.reopenTransition);
    await this.setDescription(ticket, draft);
    await this.comment(ticket, note);
  }

  async close(ticket: RemoteTicket, note: TicketNote): Promise<void> {
    await this.comment(ticket, note);
    await this.transition(ticket, this.opts.closeTransition);
  }
}
