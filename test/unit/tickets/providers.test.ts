/**
 * Every provider through the real sync path (settings → secret from the environment → HTTP) against a
 * strict fake of its documented API: the nightly lifecycle, then provider-specific behaviour.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditResult } from '../../../src/model/audit.js';
import { groupFindings } from '../../../src/tickets/group.js';
import { parseFingerprint } from '../../../src/tickets/marker.js';
import { adfPlainText } from '../../../src/tickets/render.js';
import { runTicketSync } from '../../../src/tickets/run.js';
import { resolveTicketSettings, type TicketFlags } from '../../../src/tickets/settings.js';
import { audit, loadExample, withAccount, type Example } from './example-audit.js';
import { GithubFake } from './fakes/github.js';
import { JiraFake } from './fakes/jira.js';
import { ServicenowFake } from './fakes/servicenow.js';
import type { StrictServer } from './fakes/strict-server.js';
import { WebhookFake } from './fakes/webhook.js';

const TOKEN = 'tok-3f9a1c7e5b2d4a60-SECRET';
const TOKEN_ENV = 'SPNAUDIT_TEST_TICKET_TOKEN';
const ROUTING_ENV = 'SPNAUDIT_TEST_ROUTING_KEY';
const ROUTING = 'R0UT1NGKEY0123456789abcdef012345';
const basic = (user: string) => `Basic ${Buffer.from(`${user}:${TOKEN}`).toString('base64')}`;

let example: Example;
let tmp: string;
let before: AuditResult;
let changed: AuditResult;
let fixed: AuditResult;

beforeAll(async () => {
  process.env[TOKEN_ENV] = TOKEN;
  process.env[ROUTING_ENV] = ROUTING;
  example = await loadExample();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'spnaudit-tickets-unit-'));
  before = audit(example.snapshot, example.inventory);
  changed = audit(withAccount(example.snapshot, 'svc_dup1', (a) => (a.supportedEncryptionTypes = 24)), example.inventory);
  fixed = audit(withAccount(example.snapshot, 'svc_dup1', (a) => (a.servicePrincipalNames = [])), example.inventory);
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const keys = (a: AuditResult) => new Map(groupFindings(a, 'finding').map((g) => [g.key, g.digest]));

interface Run {
  writes: number;
  counts: Record<string, number>;
  stdout: string;
  stderr: string;
  waits: number[];
}

let runSeq = 0;
/** `options` stands for keys only the config file sets (tickets.deployment ...). */
async function sync(result: AuditResult, flags: TicketFlags, stateName = `state-${++runSeq}.json`, options: Record<string, unknown> = {}): Promise<Run> {
  const settings = resolveTicketSettings({ tokenEnv: TOKEN_ENV, maxNew: '500', stateFile: path.join(tmp, stateName), ...flags }, null);
  Object.assign(settings.options, options);
  let stdout = '';
  let stderr = '';
  const waits: number[] = [];
  const { report, client } = await runTicketSync(result, settings, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    http: { sleep: async (ms) => void waits.push(ms) },
  });
  return { writes: client.sent.filter((s) => s.write).length, counts: report.counts, stdout, stderr, waits };
}

interface ProviderCase {
  name: string;
  start: () => Promise<{ server: StrictServer; flags: TicketFlags; options?: Record<string, unknown>; open: () => string[]; closed: () => string[]; notes: (key: string) => string[] }>;
}

const CASES: ProviderCase[] = [
  {
    name: 'jira cloud',
    start: async () => {
      const fake = new JiraFake({ deployment: 'cloud', project: 'SPN', authorization: basic('bot@example.test') });
      const url = await fake.server.start();
      const keyOf = (labels: string[]) => labels.find((l) => /^spnaudit-[0-9a-f]{32}$/.test(l))?.slice(9) ?? '';
      return {
        server: fake.server,
        flags: { provider: 'jira', url, project: 'SPN', user: 'bot@example.test' },
        options: { deployment: 'cloud' },
        open: () => fake.issues.filter((i) => !i.done).map((i) => keyOf(i.labels)),
        closed: () => fake.issues.filter((i) => i.done).map((i) => keyOf(i.labels)),
        notes: (k) => fake.issues.filter((i) => keyOf(i.labels) === k).flatMap((i) => i.comments.map(adfPlainText)),
      };
    },
  },
  {
    name: 'jira server',
    start: async () => {
      const fake = new JiraFake({ deployment: 'server', project: 'SPN', authorization: `Bearer ${TOKEN}` });
      const url = await fake.server.start();
      const keyOf = (labels: string[]) => labels.find((l) => /^spnaudit-[0-9a-f]{32}$/.test(l))?.slice(9) ?? '';
      return {
        server: fake.server,
        flags: { provider: 'jira', url, project: 'SPN', auth: 'bearer' },
        open: () => fake.issues.filter((i) => !i.done).map((i) => keyOf(i.labels)),
        closed: () => fake.issues.filter((i) => i.done).map((i) => keyOf(i.labels)),
        notes: (k) => fake.issues.filter((i) => keyOf(i.labels) === k).flatMap((i) => i.comments as string[]),
      };
    },
  },
  {
    name: 'github',
    start: async () => {
      const fake = new GithubFake('contoso/infra', TOKEN);
      const url = await fake.server.start();
      return {
        server: fake.server,
        flags: { provider: 'github', url, project: 'contoso/infra' },
        open: () => fake.issues.filter((i) => i.state === 'open').map((i) => parseFingerprint(i.body) ?? ''),
        closed: () => fake.issues.filter((i) => i.state === 'closed').map((i) => parseFingerprint(i.body) ?? ''),
        notes: (k) => fake.issues.filter((i) => parseFingerprint(i.body) === k).flatMap((i) => i.comments),
      };
    },
  },
  {
    name: 'servicenow',
    start: async () => {
      const fake = new ServicenowFake(basic('svc.spnaudit'));
      const url = await fake.server.start();
      return {
        server: fake.server,
        flags: { provider: 'servicenow', url, project: 'IAM', user: 'svc.spnaudit' },
        open: () => fake.records.filter((r) => r.active).map((r) => r.correlation_id),
        closed: () => fake.records.filter((r) => !r.active).map((r) => r.correlation_id),
        notes: (k) => fake.records.filter((r) => r.correlation_id === k).flatMap((r) => r.work_notes),
      };
    },
  },
  {
    name: 'webhook',
    start: async () => {
      const fake = new WebhookFake(TOKEN, null);
      const url = await fake.server.start();
      const last = () => {
        const m = new Map<string, string>();
        for (const e of fake.events) m.set(e.dedup_key, e.event_action);
        return m;
      };
      return {
        server: fake.server,
        flags: { provider: 'webhook', url: `${url}/hook` },
        open: () => [...last()].filter(([, a]) => a === 'trigger').map(([k]) => k),
        closed: () => [...last()].filter(([, a]) => a === 'resolve').map(([k]) => k),
        notes: (k) => fake.events.filter((e) => e.dedup_key === k && e.payload?.custom_details?.note !== undefined).map((e) => String(e.payload?.custom_details?.note)),
      };
    },
  },
];

const servers: StrictServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

describe.each(CASES)('$name: the nightly lifecycle against a strict fake', ({ start }) => {
  it('opens, stays quiet, comments once on change, closes when fixed, reopens when back — every request as documented', async () => {
    const t = await start();
    servers.push(t.server);
    const state = `lifecycle-${t.flags.provider}-${runSeq++}.json`;
    const a = keys(before);
    const c = keys(changed);
    const f = keys(fixed);

    const first = await sync(before, t.flags, state, t.options);
    expect(t.server.violations).toEqual([]);
    expect(first.counts.create).toBe(a.size);
    expect(t.open().sort()).toEqual([...a.keys()].sort());

    const second = await sync(before, t.flags, state, t.options);
    expect(second.writes).toBe(0);

    const third = await sync(changed, { ...t.flags, runLabel: 'night3' }, state, t.options);
    const changedKeys = [...c].filter(([k, d]) => a.has(k) && a.get(k) !== d).map(([k]) => k);
    expect(changedKeys.length).toBeGreaterThan(0);
    expect(third.counts.comment).toBe(changedKeys.length);
    const goneTonight = [...a.keys()].filter((k) => !c.has(k));
    expect(third.counts.close).toBe(goneTonight.length);
    for (const k of changedKeys) expect(t.notes(k).join('\n')).toContain('The evidence changed as of night3');
    expect((await sync(changed, t.flags, state, t.options)).writes).toBe(0);

    const fourth = await sync(fixed, { ...t.flags, runLabel: 'night5' }, state, t.options);
    const goneNow = [...c.keys()].filter((k) => !f.has(k));
    const gone = [...new Set([...goneTonight, ...goneNow])].sort();
    expect(fourth.counts.close).toBe(goneNow.length);
    expect(t.closed().sort()).toEqual(gone);

    const fifth = await sync(before, t.flags, state, t.options);
    const back = gone.filter((k) => a.has(k));
    expect(fifth.counts.reopen).toBe(back.length);
    expect(t.server.violations).toEqual([]);
    for (const text of t.server.log.map((r) => r.text)) expect(text).not.toContain(TOKEN);
  });
});

describe('provider specifics', () => {
  it('jira cloud: issues missing from eventually consistent search are found through the journal (reconcileIssues) — no duplicates', async () => {
    const fake = new JiraFake({ deployment: 'cloud', project: 'SPN', authorization: basic('bot@example.test') });
    servers.push(fake.server);
    const url = await fake.server.start();
    const flags: TicketFlags = { provider: 'jira', url, project: 'SPN', user: 'bot@example.test' };
    await sync(before, flags, 'jira-lag.json', { deployment: 'cloud' });
    // Nothing indexed yet: a quick re-run must not create again.
    const rerun = await sync(before, flags, 'jira-lag.json', { deployment: 'cloud' });
    expect(rerun.writes).toBe(0);
    expect(fake.issues.length).toBe(keys(before).size);
    const search = fake.server.log.filter((r) => r.path.endsWith('/search/jql')).at(-1);
    expect((search?.json as { reconcileIssues: number[] }).reconcileIssues).toHaveLength(keys(before).size);
    expect(fake.server.violations).toEqual([]);
  });

  it('jira: an unknown close transition name fails with the names the workflow offers', async () => {
    const fake = new JiraFake({ deployment: 'server', project: 'SPN', authorization: `Bearer ${TOKEN}`, transitions: { close: 'Resolve Issue', reopen: 'Reopen Issue' } });
    servers.push(fake.server);
    const url = await fake.server.start();
    const flags: TicketFlags = { provider: 'jira', url, project: 'SPN', auth: 'bearer' };
    await sync(before, flags, 'jira-tr.json');
    await expect(sync(fixed, flags, 'jira-tr.json')).rejects.toThrow(/has no transition 'Done' \(available: In Progress, Resolve Issue\)/);
  });

  it('github: pull requests with the label are skipped; a 403 rate limit is waited out (x-ratelimit-reset) and the POST retried', async () => {
    const fake = new GithubFake('contoso/infra', TOKEN);
    servers.push(fake.server);
    const url = await fake.server.start();
    const someKey = [...keys(before).keys()][0] ?? '';
    fake.addPullRequest(`<!-- spnaudit:fingerprint=${someKey} -->`);
    const resetAt = Math.floor(Date.now() / 1000) + 30;
    fake.server.inject((r) => r.method === 'POST' && r.path.endsWith('/issues'), { status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(resetAt) }, body: { message: 'API rate limit exceeded' } });
    fake.server.inject((r) => r.method === 'POST' && r.path.endsWith('/issues'), { status: 403, headers: { 'retry-after': '60' }, body: { message: 'You have exceeded a secondary rate limit' } });
    const run = await sync(before, { provider: 'github', url, project: 'contoso/infra' }, 'gh-rl.json');
    expect(run.counts.create).toBe(keys(before).size);
    expect(fake.issues.filter((i) => !i.pull_request)).toHaveLength(keys(before).size);
    expect(run.waits.some((w) => w > 25_000 && w <= 32_000)).toBe(true);
    expect(run.waits).toContain(60_000);
    // One second between content-creating requests.
    expect(run.waits.filter((w) => w > 0 && w <= 1000).length).toBeGreaterThan(0);
    expect(run.stderr).toMatch(/HTTP 403 rate limit; retry 1 in/);
    expect(fake.server.violations).toEqual([]);
  });

  it('servicenow: a 503 on PATCH is retried, a 502 on POST is not (it may have created the record) and the re-run finds it', async () => {
    const fake = new ServicenowFake(basic('svc.spnaudit'));
    servers.push(fake.server);
    const url = await fake.server.start();
    const flags: TicketFlags = { provider: 'servicenow', url, project: 'IAM', user: 'svc.spnaudit' };
    let posts = 0;
    fake.server.inject((r) => r.method === 'POST' && ++posts === 3, { status: 502, body: { error: 'bad gateway' } });
    await expect(sync(before, flags, 'sn.json')).rejects.toThrow(/ServiceNow create record: POST \/api\/now\/table\/incident answered HTTP 502/);
    const made = fake.records.length;
    expect(made).toBe(2);
    await sync(before, flags, 'sn.json');
    expect(fake.records.length).toBe(keys(before).size);
    fake.server.inject((r) => r.method === 'PATCH', { status: 503, headers: { 'retry-after': '7' } });
    const run = await sync(changed, flags, 'sn.json');
    expect(run.waits).toContain(7000);
    expect(run.counts.comment).toBeGreaterThan(0);
    expect(fake.records.filter((r) => r.work_notes.some((n) => n.includes('The evidence changed')))).toHaveLength(run.counts.comment ?? 0);
    expect(fake.records.filter((r) => !r.active).every((r) => r.close_code === 'Solved (Permanently)' && r.close_notes.startsWith('Resolved as of'))).toBe(true);
    expect(fake.server.violations).toEqual([]);
  });

  it('webhook: events are signed and remembered in the state file only; a lost state file re-triggers the same dedup_keys (idempotent at the receiver)', async () => {
    const fake = new WebhookFake(TOKEN, ROUTING);
    servers.push(fake.server);
    const url = await fake.server.start();
    const flags = { provider: 'webhook', url: `${url}/hook` } as TicketFlags;
    const withRouting = resolveTicketSettings({ ...flags, tokenEnv: TOKEN_ENV, maxNew: '500', stateFile: path.join(tmp, 'hook.json') }, null);
    withRouting.options.routingKeyEnv = ROUTING_ENV;
    let out = '';
    await runTicketSync(before, withRouting, { stdout: (t) => (out += t), stderr: () => undefined });
    expect(fake.events.filter((e) => e.event_action === 'trigger')).toHaveLength(keys(before).size);
    const state = readFileSync(path.join(tmp, 'hook.json'), 'utf8');
    expect(Object.keys((JSON.parse(state) as { tickets: object }).tickets)).toHaveLength(keys(before).size);
    expect(state + out).not.toContain(ROUTING);
    await runTicketSync(before, withRouting, { stdout: () => undefined, stderr: () => undefined });
    expect(fake.events).toHaveLength(keys(before).size);
    rmSync(path.join(tmp, 'hook.json'));
    await runTicketSync(before, withRouting, { stdout: () => undefined, stderr: () => undefined });
    expect(fake.events).toHaveLength(2 * keys(before).size);
    expect(new Set(fake.events.map((e) => e.dedup_key)).size).toBe(keys(before).size);
    expect(fake.server.violations).toEqual([]);
  });

  it('dry-run reads, prints every write with credentials redacted, and sends none', async () => {
    const fake = new GithubFake('contoso/infra', TOKEN);
    servers.push(fake.server);
    const url = await fake.server.start();
    const run = await sync(before, { provider: 'github', url, project: 'contoso/infra', dryRun: true, maxNew: '2' }, 'dry.json');
    expect(fake.server.writes()).toEqual([]);
    expect(run.stdout.match(/^POST http:\/\/127\.0\.0\.1:\d+\/repos\/contoso\/infra\/issues$/gm)).toHaveLength(2);
    expect(run.stdout).toContain('Authorization: <redacted>');
    expect(run.stdout).toMatch(/would create: \[spnaudit\]/);
    expect(run.stdout).toMatch(/would not create \(--max-new\)/);
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
  });
});
