/**
 * A strict fake of the Redmine REST API calls spnaudit makes (written from Redmine's REST API docs and
 * what test/redmine saw a real Redmine 5 answer): API key header, the custom-field filter query, the
 * issue envelope. Enough for the hostile-body and fault suites; the real server is test/redmine.
 */
import { check, checkKeys, checkQuery, StrictServer, type FakeReply, type FakeRequest } from '../../tickets/fakes/strict-server.js';

export interface RedmineFakeIssue {
  id: number;
  subject: string;
  description: string;
  status: number;
  priority: number;
  fingerprint: string;
  notes: string[];
}

const FIELD_ID = 7;
const OPEN = 1;
const CLOSED = 5;
const PROJECT = 'spn';

export class RedmineFake {
  readonly issues: RedmineFakeIssue[] = [];
  readonly server: StrictServer;
  readonly field = 'spnaudit fingerprint';
  readonly project = PROJECT;

  constructor(private readonly apiKey: string) {
    this.server = new StrictServer(
      [
        { method: 'GET', path: /^\/users\/current\.json$/, handle: () => ({ status: 200, body: { user: { id: 1, login: 'bot' } } }) },
        { method: 'GET', path: /^\/projects\/([^/]+)\.json$/, handle: (q, [p]) => this.projectInfo(q, p ?? '') },
        {
          method: 'GET',
          path: /^\/custom_fields\.json$/,
          handle: () => ({ status: 200, body: { custom_fields: [{ id: FIELD_ID, name: this.field, customized_type: 'issue', field_format: 'string', is_filter: true }] } }),
        },
        {
          method: 'GET',
          path: /^\/issue_statuses\.json$/,
          handle: () => ({ status: 200, body: { issue_statuses: [{ id: OPEN, name: 'New', is_closed: false }, { id: CLOSED, name: 'Closed', is_closed: true }] } }),
        },
        {
          method: 'GET',
          path: /^\/enumerations\/issue_priorities\.json$/,
          handle: () => ({ status: 200, body: { issue_priorities: [{ id: 2, name: 'Normal' }, { id: 3, name: 'High' }, { id: 1, name: 'Low' }] } }),
        },
        { method: 'GET', path: /^\/issues\.json$/, handle: (q) => this.list(q) },
        { method: 'GET', path: /^\/issues\/(\d+)\.json$/, handle: (_q, [id]) => this.get(Number(id)) },
        { method: 'POST', path: /^\/issues\.json$/, handle: (q) => this.create(q) },
        { method: 'PUT', path: /^\/issues\/(\d+)\.json$/, handle: (q, [id]) => this.update(q, Number(id)) },
      ],
      (q) => check(q.headers['x-redmine-api-key'] === this.apiKey, 'X-Redmine-API-Key missing or wrong'),
    );
  }

  private projectInfo(q: FakeRequest, project: string): FakeReply {
    checkQuery(q.query, { include: 'trackers' });
    check(project === PROJECT, `unknown project ${project}`);
    return { status: 200, body: { project: { id: 1, identifier: PROJECT, trackers: [{ id: 1, name: 'Bug' }] } } };
  }

  private view(i: RedmineFakeIssue) {
    return {
      id: i.id,
      subject: i.subject,
      description: i.description,
      status: { id: i.status, name: i.status === CLOSED ? 'Closed' : 'New', is_closed: i.status === CLOSED },
      custom_fields: [{ id: FIELD_ID, name: this.field, value: i.fingerprint }],
    };
  }

  private list(q: FakeRequest): FakeReply {
    checkQuery(q.query, { project_id: PROJECT, status_id: '*', [`cf_${FIELD_ID}`]: '*', sort: 'id', limit: /^\d+$/, offset: /^\d+$/ });
    const limit = Number(q.query.get('limit'));
    const offset = Number(q.query.get('offset'));
    const withKey = this.issues.filter((i) => i.fingerprint !== '');
    return { status: 200, body: { issues: withKey.slice(offset, offset + limit).map((i) => this.view(i)), total_count: withKey.length, offset, limit } };
  }

  private get(id: number): FakeReply {
    const issue = this.issues.find((i) => i.id === id);
    return issue ? { status: 200, body: { issue: this.view(issue) } } : { status: 404 };
  }

  private create(q: FakeRequest): FakeReply {
    checkKeys(q.json, ['issue']);
    const issue = (q.json as { issue: unknown }).issue;
    checkKeys(issue, ['project_id', 'subject', 'description', 'priority_id', 'custom_fields'], ['tracker_id'], 'issue');
    check(issue.project_id === PROJECT, 'issue.project_id');
    check(typeof issue.subject === 'string' && issue.subject.length <= 255 && !/[\r\n]/.test(issue.subject), 'issue.subject must be one line of at most 255 characters');
    check(typeof issue.description === 'string', 'issue.description');
    const cf = issue.custom_fields as Array<{ id: number; value: string }>;
    check(Array.isArray(cf) && cf.length === 1 && cf[0]!.id === FIELD_ID && /^[0-9a-f]{32}$/.test(cf[0]!.value), 'issue.custom_fields');
    const made: RedmineFakeIssue = {
      id: this.issues.length + 1,
      subject: issue.subject,
      description: issue.description as string,
      status: OPEN,
      priority: issue.priority_id as number,
      fingerprint: cf[0]!.value,
      notes: [],
    };
    this.issues.push(made);
    return { status: 201, body: { issue: this.view(made) } };
  }

  private update(q: FakeRequest, id: number): FakeReply {
    const found = this.issues.find((i) => i.id === id);
    check(found, `no issue ${id}`);
    checkKeys(q.json, ['issue']);
    const issue = (q.json as { issue: unknown }).issue;
    checkKeys(issue, [], ['status_id', 'description', 'notes'], 'issue');
    if (typeof issue.description === 'string') found.description = issue.description;
    if (typeof issue.notes === 'string') found.notes.push(issue.notes);
    if (typeof issue.status_id === 'number') found.status = issue.status_id;
    return { status: 204 };
  }

  /** Issues per fingerprint: more than one is a duplicate. */
  countsByKey(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const i of this.issues) counts.set(i.fingerprint, (counts.get(i.fingerprint) ?? 0) + 1);
    return counts;
  }
}
