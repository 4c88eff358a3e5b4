/**
 * GitHub Issues (REST API 2022-11-28; GitHub Enterprise Server at https://host/api/v3). The key is a
 * hidden `<!-- spnaudit:fingerprint=... -->` in the body; every spnaudit issue also carries the
 * `spnaudit` label, by which they are listed with `state=all` (the default lists open ones only, and
 * closed ones are needed to reopen). Pull requests come back from the issues endpoint too: skipped.
 */
import { ConnectionError } from '../../errors.js';
import type { Severity } from '../../model/finding.js';
import { expectStatus, parseJson, type HttpClient, type HttpRequest } from '../http.js';
import { parseFingerprint, parseMarker } from '../marker.js';
import { renderMarkdown } from '../render.js';
import type { RemoteTicket, TicketDraft, TicketNote, TicketProvider } from '../types.js';
import { baseUrl, fitBody, noteBlocks } from './common.js';

export interface GithubOptions {
  /** https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server. */
  url: string;
  /** owner/repo */
  repo: string;
  token: string;
  /** Extra labels on every issue created. */
  labels: string[];
}

export const GITHUB_LABEL = 'spnaudit';
const MAX_BODY = 65_000;
const PER_PAGE = 100;

interface GithubIssue {
  number: number;
  state: 'open' | 'closed';
  body?: string | null;
  html_url?: string;
  pull_request?: unknown;
}

export function severityLabel(severity: Severity): string {
  return `severity:${severity}`;
}

export class GithubProvider implements TicketProvider {
  readonly name = 'github' as const;
  readonly searchable = true;
  readonly dryRun: boolean;
  private readonly base: string;

  constructor(
    private readonly http: HttpClient,
    private readonly opts: GithubOptions,
  ) {
    this.base = baseUrl(opts.url);
    this.dryRun = http.dryRun;
    http.addSecret(opts.token);
  }

  private req(method: HttpRequest['method'], path: string, body?: unknown): HttpRequest {
    return {
      method,
      url: `${this.base}${path}`,
      headers: { Accept: 'application/vnd.github+json', Authorization: `Bearer ${this.opts.token}`, 'X-GitHub-Api-Version': '2022-11-28' },
      ...(body !== undefined ? { body } : {}),
    };
  }

  private get repoPath(): string {
    const [owner, repo] = this.opts.repo.split('/');
    return `/repos/${encodeURIComponent(owner ?? '')}/${encodeURIComponent(repo ?? '')}`;
  }

  async verify(): Promise<void> {
    const req = this.req('GET', this.repoPath);
    const res = await this.http.send(req);
    if (res.status === 401) throw new ConnectionError(`GitHub at ${this.base} rejected the token (HTTP 401)`);
    if (res.status === 404) throw new ConnectionError(`GitHub repository ${this.opts.repo} not found, or the token cannot see it (HTTP 404)`);
    expectStatus(this.http, req, res, [200], 'GitHub repository check');
    const repo = parseJson<{ has_issues?: boolean }>(this.http, req, res, 'GitHub repository check');
    if (repo.has_issues === false) throw new ConnectionError(`GitHub repository ${this.opts.repo} has issues disabled`);
  }

  private toTicket(issue: GithubIssue): RemoteTicket | null {
    if (issue.pull_request !== undefined) return null;
    const body = issue.body ?? '';
    const key = parseFingerprint(body);
    if (key === null) return null;
    return { id: String(issue.number), display: `#${issue.number}`, key, open: issue.state === 'open', marker: parseMarker(body, key), ...(issue.html_url ? { url: issue.html_url } : {}) };
  }

  async list(): Promise<RemoteTicket[]> {
    const tickets: RemoteTicket[] = [];
    for (let page = 1; ; page++) {
      const req = this.req('GET', `${this.repoPath}/issues?labels=${GITHUB_LABEL}&state=all&sort=created&direction=asc&per_page=${PER_PAGE}&page=${page}`);
      const res = await this.http.send(req);
      expectStatus(this.http, req, res, [200], 'GitHub issue list');
      const issues = parseJson<GithubIssue[]>(this.http, req, res, 'GitHub issue list');
      for (const issue of issues) {
        const t = this.toTicket(issue);
        if (t) tickets.push(t);
      }
      if (!/\brel="next"/.test(res.headers.link ?? '')) return tickets;
    }
  }

  async get(id: string): Promise<RemoteTicket | null> {
    const req = this.req('GET', `${this.repoPath}/issues/${encodeURIComponent(id)}`);
    const res = await this.http.send(req);
    if (res.status === 404 || res.status === 410) return null;
    expectStatus(this.http, req, res, [200], `GitHub issue #${id}`);
    return this.toTicket(parseJson<GithubIssue>(this.http, req, res, `GitHub issue #${id}`));
  }

  private body(draft: TicketDraft): string {
    return fitBody(draft, (blocks) => renderMarkdown(blocks, draft.marker), (s) => s.length, MAX_BODY);
  }

  async create(draft: TicketDraft): Promise<RemoteTicket> {
    const labels = [GITHUB_LABEL, severityLabel(draft.group.severity), ...this.opts.labels];
    const req = this.req('POST', `${this.repoPath}/issues`, { title: draft.title, body: this.body(draft), labels });
    const res = await this.http.send(req);
    expectStatus(this.http, req, res, [201], 'GitHub create issue');
    if (res.dryRun) return { id: '(dry-run)', display: '(dry-run)', key: draft.marker.key, open: true, marker: draft.marker };
    const issue = parseJson<GithubIssue>(this.http, req, res, 'GitHub create issue');
    return { id: String(issue.number), display: `#${issue.number}`, key: draft.marker.key, open: true, marker: draft.marker };
  }

  private async comment(ticket: RemoteTicket, note: TicketNote): Promise<void> {
    const req = this.req('POST', `${this.repoPath}/issues/${encodeURIComponent(ticket.id)}/comments`, { body: renderMarkdown(noteBlocks(note), null) });
    const res = await this.http.send(req);
    expectStatus(this.http, req, res, [201], `GitHub comment on ${ticket.display}`);
  }

  private async patch(ticket: RemoteTicket, body: Record<string, unknown>, what: string): Promise<void> {
    const req = this.req('PATCH', `${this.repoPath}/issues/${encodeURIComponent(ticket.id)}`, body);
    const res = await this.http.send(req);
    expectStatus(this.http, req, res, [200], `${what} ${ticket.display}`);
  }

  async update(ticket: RemoteTicket, draft: TicketDraft, note: TicketNote): Promise<void> {
    await this.patch(ticket, { body: this.body(draft) }, 'GitHub update');
    await this.comment(ticket, note);
  }

  async reopen(ticket: RemoteTicket, draft: TicketDraft, note: TicketNote): Promise<void> {
    await this.patch(ticket, { state: 'open', body: this.body(draft) }, 'GitHub reopen');
    await this.comment(ticket, note);
  }

  async close(ticket: RemoteTicket, note: TicketNote): Promise<void> {
    await this.comment(ticket, note);
    await this.patch(ticket, { state: 'closed', state_reason: 'completed' }, 'GitHub close');
  }
}
