/**
 * Jira Cloud (REST v3) and Server/DC (REST v2) as documented: ADF on v3, wiki strings on v2; the old
 * /rest/api/3/search answers 410; /search/jql pages with nextPageToken and, like the real thing, may
 * not show issues created moments ago unless they are named in reconcileIssues.
 */
import { check, checkKeys, checkQuery, StrictServer, type FakeRequest, type FakeReply } from './strict-server.js';

export interface JiraIssueRecord {
  id: string;
  key: string;
  summary: string;
  description: unknown;
  labels: string[];
  priority: string | null;
  done: boolean;
  comments: unknown[];
  /** Cloud: invisible to /search/jql until indexed (unless reconciled). */
  indexed: boolean;
}

const ADF_BLOCKS = new Set(['paragraph', 'heading', 'bulletList', 'codeBlock']);

export function checkAdf(doc: unknown, where = 'description'): void {
  checkKeys(doc, ['type', 'version', 'content'], [], where);
  check(doc.type === 'doc' && doc.version === 1, `${where} must be {type: doc, version: 1}`);
  check(Array.isArray(doc.content), `${where}.content must be a list`);
  const walk = (node: unknown, path: string, parent: string): void => {
    checkKeys(node, ['type'], ['content', 'text', 'marks', 'attrs'], path);
    const type = node.type as string;
    if (type === 'text') {
      check(typeof node.text === 'string' && node.text !== '', `${path}: text nodes need non-empty text`);
      check(parent !== 'doc', `${path}: text directly under doc`);
      if (node.marks !== undefined) check(Array.isArray(node.marks) && node.marks.every((m) => checkMark(m)), `${path}: bad marks`);
      return;
    }
    if (parent === 'doc') check(ADF_BLOCKS.has(type), `${path}: ${type} is not a top-level block used here`);
    if (type === 'heading') check((node.attrs as { level?: number } | undefined)?.level === 3, `${path}: heading needs attrs.level`);
    if (type === 'bulletList') check((node.content as Array<{ type: string }>).every((c) => c.type === 'listItem'), `${path}: bulletList holds listItems`);
    if (type === 'codeBlock') check((node.content as Array<{ type: string; marks?: unknown }>).every((c) => c.type === 'text' && c.marks === undefined), `${path}: codeBlock holds unmarked text`);
    check(Array.isArray(node.content), `${path}.content must be a list`);
    (node.content as unknown[]).forEach((c, i) => walk(c, `${path}.content[${i}]`, type));
  };
  (doc.content as unknown[]).forEach((c, i) => walk(c, `${where}.content[${i}]`, 'doc'));
}

function checkMark(m: unknown): boolean {
  return typeof m === 'object' && m !== null && (m as { type?: string }).type === 'code' && Object.keys(m).length === 1;
}

export interface JiraFakeOptions {
  deployment: 'cloud' | 'server';
  project: string;
  /** Expected Authorization header value. */
  authorization: string;
  transitions?: { close: string; reopen: string };
}

export class JiraFake {
  readonly issues: JiraIssueRecord[] = [];
  readonly server: StrictServer;
  private seq = 10000;
  private readonly v: string;

  constructor(private readonly opts: JiraFakeOptions) {
    this.v = opts.deployment === 'cloud' ? '3' : '2';
    const api = `/rest/api/${this.v}`;
    const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const base = esc(api);
    this.server = new StrictServer(
      [
        { method: 'GET', path: new RegExp(`^${base}/myself$`), handle: () => ({ status: 200, body: { accountId: 'abc', displayName: 'spnaudit bot' } }) },
        { method: 'GET', path: new RegExp(`^${base}/project/([^/]+)$`), handle: (_r, [k]) => (k === opts.project ? { status: 200, body: { key: k } } : { status: 404, body: { errorMessages: ['No project'] } }) },
        { method: 'POST', path: /^\/rest\/api\/3\/search$/, handle: () => ({ status: 410, body: { errorMessages: ['The requested API has been removed. Please migrate to /rest/api/3/search/jql.'] } }) },
        { method: 'POST', path: new RegExp(`^${base}/search/jql$`), handle: (r) => this.searchJql(r) },
        { method: 'POST', path: /^\/rest\/api\/2\/search$/, handle: (r) => this.searchServer(r) },
        { method: 'POST', path: new RegExp(`^${base}/issue$`), handle: (r) => this.create(r) },
        { method: 'GET', path: new RegExp(`^${base}/issue/([^/]+)$`), handle: (r, [id]) => this.get(r, id ?? '') },
        { method: 'PUT', path: new RegExp(`^${base}/issue/([^/]+)$`), handle: (r, [id]) => this.edit(r, id ?? '') },
        { method: 'POST', path: new RegExp(`^${base}/issue/([^/]+)/comment$`), handle: (r, [id]) => this.comment(r, id ?? '') },
        { method: 'GET', path: new RegExp(`^${base}/issue/([^/]+)/transitions$`), handle: (r, [id]) => this.transitions(r, id ?? '') },
        { method: 'POST', path: new RegExp(`^${base}/issue/([^/]+)/transitions$`), handle: (r, [id]) => this.transition(r, id ?? '') },
      ],
      (r) => {
        check(r.headers.authorization === opts.authorization, 'Authorization header missing or wrong');
        check(String(r.headers.accept).includes('application/json'), 'Accept: application/json expected');
      },
    );
  }

  private find(idOrKey: string): JiraIssueRecord | undefined {
    return this.issues.find((i) => i.id === idOrKey || i.key === idOrKey);
  }

  private view(i: JiraIssueRecord) {
    return {
      id: i.id,
      key: i.key,
      fields: { summary: i.summary, labels: i.labels, description: i.description, status: { name: i.done ? 'Done' : 'To Do', statusCategory: { key: i.done ? 'done' : 'new' } } },
    };
  }

  private checkJql(jql: unknown): void {
    check(jql === `project = "${this.opts.project}" AND labels = "spnaudit" ORDER BY created ASC`, `unexpected JQL: ${String(jql)}`);
  }

  private checkFields(fields: unknown): void {
    check(Array.isArray(fields) && fields.every((f) => typeof f === 'string'), 'fields must be a list of field names');
  }

  private searchJql(r: FakeRequest): FakeReply {
    check(this.opts.deployment === 'cloud', 'search/jql on a v2 server');
    checkKeys(r.json, ['jql'], ['fields', 'maxResults', 'nextPageToken', 'reconcileIssues', 'expand', 'properties', 'fieldsByKeys']);
    this.checkJql(r.json.jql);
    this.checkFields(r.json.fields);
    const max = r.json.maxResults as number;
    check(Number.isInteger(max) && max >= 1 && max <= 5000, 'maxResults 1..5000');
    const reconcile = (r.json.reconcileIssues ?? []) as unknown[];
    check(Array.isArray(reconcile) && reconcile.every((x) => Number.isInteger(x)), 'reconcileIssues must be a list of numeric issue ids');
    const visible = this.issues.filter((i) => i.indexed || reconcile.includes(Number(i.id)));
    const start = r.json.nextPageToken === undefined ? 0 : Number(r.json.nextPageToken);
    const page = visible.slice(start, start + max);
    const more = start + max < visible.length;
    return { status: 200, body: { issues: page.map((i) => this.view(i)), ...(more ? { nextPageToken: String(start + max) } : {}), isLast: !more } };
  }

  private searchServer(r: FakeRequest): FakeReply {
    check(this.opts.deployment === 'server', '/rest/api/2/search on Cloud: use /rest/api/3/search/jql');
    checkKeys(r.json, ['jql'], ['startAt', 'maxResults', 'fields', 'expand', 'validateQuery']);
    this.checkJql(r.json.jql);
    this.checkFields(r.json.fields);
    const startAt = r.json.startAt as number;
    const max = r.json.maxResults as number;
    return { status: 200, body: { startAt, maxResults: max, total: this.issues.length, issues: this.issues.slice(startAt, startAt + max).map((i) => this.view(i)) } };
  }

  private checkDescription(d: unknown, where: string): void {
    if (this.opts.deployment === 'cloud') checkAdf(d, where);
    else check(typeof d === 'string', `${where} must be a wiki-markup string on REST v2`);
    check(JSON.stringify(d).length <= 32_767 + 2000, `${where} too long`);
  }

  private create(r: FakeRequest): FakeReply {
    checkKeys(r.json, ['fields'], ['update']);
    const f = r.json.fields;
    checkKeys(f, ['project', 'issuetype', 'summary'], ['description', 'labels', 'priority'], 'fields');
    checkKeys(f.project, ['key'], [], 'fields.project');
    check((f.project as { key: string }).key === this.opts.project, 'fields.project.key');
    checkKeys(f.issuetype, ['name'], [], 'fields.issuetype');
    check(typeof f.summary === 'string' && f.summary.length <= 255 && !/[\r\n]/.test(f.summary), 'summary: one line, at most 255 characters');
    this.checkDescription(f.description, 'fields.description');
    check(Array.isArray(f.labels) && f.labels.every((l) => typeof l === 'string' && !/\s/.test(l) && l.length <= 255), 'labels: no spaces');
    if (f.priority !== undefined) checkKeys(f.priority, ['name'], [], 'fields.priority');
    this.seq += 1;
    const rec: JiraIssueRecord = {
      id: String(this.seq),
      key: `${this.opts.project}-${this.issues.length + 1}`,
      summary: f.summary,
      description: f.description,
      labels: f.labels as string[],
      priority: (f.priority as { name: string } | undefined)?.name ?? null,
      done: false,
      comments: [],
      indexed: this.opts.deployment === 'server',
    };
    this.issues.push(rec);
    return { status: 201, body: { id: rec.id, key: rec.key, self: `${this.server.url}/rest/api/${this.v}/issue/${rec.id}` } };
  }

  /** Makes every issue visible to search (the index caught up). */
  indexAll(): void {
    for (const i of this.issues) i.indexed = true;
  }

  private get(r: FakeRequest, id: string): FakeReply {
    checkQuery(r.query, { fields: /^[a-z,]+$/ });
    const i = this.find(id);
    return i ? { status: 200, body: this.view(i) } : { status: 404, body: { errorMessages: ['Issue does not exist'] } };
  }

  private edit(r: FakeRequest, id: string): FakeReply {
    const i = this.find(id);
    check(i, `no issue ${id}`);
    checkKeys(r.json, ['fields'], []);
    checkKeys(r.json.fields, ['description'], [], 'fields');
    this.checkDescription(r.json.fields.description, 'fields.description');
    i.description = r.json.fields.description;
    return { status: 204 };
  }

  private comment(r: FakeRequest, id: string): FakeReply {
    const i = this.find(id);
    check(i, `no issue ${id}`);
    checkKeys(r.json, ['body'], ['visibility']);
    this.checkDescription(r.json.body, 'body');
    i.comments.push(r.json.body);
    return { status: 201, body: { id: String(i.comments.length) } };
  }

  private names() {
    return this.opts.transitions ?? { close: 'Done', reopen: 'Reopen' };
  }

  private transitions(r: FakeRequest, id: string): FakeReply {
    checkQuery(r.query, {});
    const i = this.find(id);
    check(i, `no issue ${id}`);
    const t = i.done ? [{ id: '11', name: this.names().reopen }] : [{ id: '21', name: 'In Progress' }, { id: '31', name: this.names().close }];
    return { status: 200, body: { transitions: t.map((x) => ({ ...x, to: { name: x.name } })) } };
  }

  private transition(r: FakeRequest, id: string): FakeReply {
    const i = this.find(id);
    check(i, `no issue ${id}`);
    checkKeys(r.json, ['transition'], ['fields', 'update']);
    checkKeys(r.json.transition, ['id'], [], 'transition');
    const tid = (r.json.transition as { id: string }).id;
    check((i.done && tid === '11') || (!i.done && (tid === '31' || tid === '21')), `transition ${tid} is not available from this status`);
    if (tid === '31') i.done = true;
    if (tid === '11') i.done = false;
    return { status: 204 };
  }
}
