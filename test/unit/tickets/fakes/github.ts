/** GitHub Issues REST API (2022-11-28) as documented, with pull requests mixed into the issue list. */
import { check, checkKeys, checkQuery, StrictServer, type FakeRequest, type FakeReply } from './strict-server.js';

export interface GithubIssueRecord {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: 'open' | 'closed';
  state_reason: string | null;
  comments: string[];
  pull_request?: { url: string };
}

export class GithubFake {
  readonly issues: GithubIssueRecord[] = [];
  readonly server: StrictServer;
  pageSize = 100;

  constructor(
    private readonly repo: string,
    private readonly token: string,
  ) {
    const r = repo.replace('/', '\\/');
    this.server = new StrictServer(
      [
        { method: 'GET', path: new RegExp(`^/repos/${r}$`), handle: () => ({ status: 200, body: { full_name: repo, has_issues: true } }) },
        { method: 'GET', path: new RegExp(`^/repos/${r}/issues$`), handle: (q) => this.list(q) },
        { method: 'POST', path: new RegExp(`^/repos/${r}/issues$`), handle: (q) => this.create(q) },
        { method: 'GET', path: new RegExp(`^/repos/${r}/issues/(\\d+)$`), handle: (_q, [n]) => this.get(Number(n)) },
        { method: 'PATCH', path: new RegExp(`^/repos/${r}/issues/(\\d+)$`), handle: (q, [n]) => this.patch(q, Number(n)) },
        { method: 'POST', path: new RegExp(`^/repos/${r}/issues/(\\d+)/comments$`), handle: (q, [n]) => this.comment(q, Number(n)) },
      ],
      (q) => {
        check(q.headers.authorization === `Bearer ${token}`, 'Authorization: Bearer <token> expected');
        check(q.headers.accept === 'application/vnd.github+json', 'Accept: application/vnd.github+json expected');
        check(q.headers['x-github-api-version'] === '2022-11-28', 'X-GitHub-Api-Version: 2022-11-28 expected');
        check(typeof q.headers['user-agent'] === 'string' && q.headers['user-agent'] !== '', 'GitHub rejects requests without User-Agent');
      },
    );
  }

  /** A pull request carrying the label: the issues endpoint returns it too. */
  addPullRequest(body: string): void {
    this.issues.push({ number: this.issues.length + 1, title: 'a PR', body, labels: ['spnaudit'], state: 'open', state_reason: null, comments: [], pull_request: { url: 'x' } });
  }

  private view(i: GithubIssueRecord) {
    return { number: i.number, title: i.title, body: i.body, state: i.state, state_reason: i.state_reason, labels: i.labels.map((name) => ({ name })), html_url: `https://github.test/${this.repo}/issues/${i.number}`, ...(i.pull_request ? { pull_request: i.pull_request } : {}) };
  }

  private list(q: FakeRequest): FakeReply {
    checkQuery(q.query, { labels: 'spnaudit', state: 'all', sort: 'created', direction: 'asc', per_page: /^\d+$/, page: /^\d+$/ });
    const per = Math.min(Number(q.query.get('per_page')), this.pageSize);
    const page = Number(q.query.get('page'));
    const matching = this.issues.filter((i) => i.labels.includes('spnaudit'));
    const slice = matching.slice((page - 1) * per, page * per);
    const last = Math.max(1, Math.ceil(matching.length / per));
    const link = page < last ? `<${this.server.url}/repos/${this.repo}/issues?page=${page + 1}>; rel="next", <${this.server.url}/repos/${this.repo}/issues?page=${last}>; rel="last"` : '';
    return { status: 200, body: slice.map((i) => this.view(i)), ...(link ? { headers: { link } } : {}) };
  }

  private create(q: FakeRequest): FakeReply {
    checkKeys(q.json, ['title'], ['body', 'labels', 'assignees', 'milestone', 'assignee', 'type']);
    check(typeof q.json.title === 'string' && q.json.title !== '', 'title');
    check(typeof q.json.body === 'string' && q.json.body.length <= 65_536, 'body: at most 65536 characters');
    check(Array.isArray(q.json.labels) && q.json.labels.every((l) => typeof l === 'string'), 'labels: list of names');
    const rec: GithubIssueRecord = { number: this.issues.length + 1, title: q.json.title, body: q.json.body, labels: q.json.labels as string[], state: 'open', state_reason: null, comments: [] };
    this.issues.push(rec);
    return { status: 201, body: this.view(rec) };
  }

  private find(n: number): GithubIssueRecord {
    const i = this.issues.find((x) => x.number === n && !x.pull_request);
    check(i, `no issue #${n}`);
    return i;
  }

  private get(n: number): FakeReply {
    const i = this.issues.find((x) => x.number === n);
    return i ? { status: 200, body: this.view(i) } : { status: 404, body: { message: 'Not Found' } };
  }

  private patch(q: FakeRequest, n: number): FakeReply {
    const i = this.find(n);
    checkKeys(q.json, [], ['title', 'body', 'state', 'state_reason', 'labels', 'assignees', 'milestone']);
    if (q.json.state !== undefined) check(q.json.state === 'open' || q.json.state === 'closed', 'state: open or closed');
    if (q.json.state_reason !== undefined) {
      check(['completed', 'not_planned', 'reopened'].includes(String(q.json.state_reason)), 'state_reason: completed, not_planned or reopened');
      check(q.json.state === 'closed' || q.json.state_reason === 'reopened', 'state_reason completed/not_planned goes with state closed');
    }
    if (typeof q.json.body === 'string') i.body = q.json.body;
    if (q.json.state === 'closed') {
      i.state = 'closed';
      i.state_reason = (q.json.state_reason as string | undefined) ?? 'completed';
    }
    if (q.json.state === 'open') {
      i.state = 'open';
      i.state_reason = 'reopened';
    }
    return { status: 200, body: this.view(i) };
  }

  private comment(q: FakeRequest, n: number): FakeReply {
    const i = this.find(n);
    checkKeys(q.json, ['body'], []);
    check(typeof q.json.body === 'string' && q.json.body !== '', 'body');
    i.comments.push(q.json.body);
    return { status: 201, body: { id: i.comments.length, body: q.json.body } };
  }
}
