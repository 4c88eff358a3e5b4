/**
 * Ticket bodies for every provider, from one audit: each provider's strict fake records what was sent,
 * and the checks here say what "inert" means for each markup (docs/tickets.md "Hostile values").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { AuditResult } from '../../../../src/model/audit.js';
import { parseFingerprint } from '../../../../src/tickets/marker.js';
import { adfPlainText } from '../../../../src/tickets/render.js';
import { runTicketSync } from '../../../../src/tickets/run.js';
import { resolveTicketSettings, type TicketFlags } from '../../../../src/tickets/settings.js';
import { GithubFake } from '../../tickets/fakes/github.js';
import { JiraFake } from '../../tickets/fakes/jira.js';
import { ServicenowFake } from '../../tickets/fakes/servicenow.js';
import type { FakeRequest, StrictServer } from '../../tickets/fakes/strict-server.js';
import { WebhookFake } from '../../tickets/fakes/webhook.js';
import { RAW_INVISIBLE, expectMarkdownInert } from './inert.js';
import { RedmineFake } from './redmine-fake.js';

export const TICKET_TOKEN = 'tok-hostile-7c1e0b9d2f4a6385-SECRET';
export const TICKET_TOKEN_ENV = 'SPNAUDIT_TEST_HOSTILE_TICKET_TOKEN';
const basic = (user: string) => `Basic ${Buffer.from(`${user}:${TICKET_TOKEN}`).toString('base64')}`;

export interface ProviderUnderTest {
  name: string;
  server: StrictServer;
  flags: TicketFlags;
  options?: Record<string, unknown>;
  /** Tickets per dedup key, as the system holds them. */
  counts: () => Map<string, number>;
  /** Time passes until the next night (Jira Cloud: its search index catches up). */
  nextNight?: () => void;
  /** Every body/description/comment text sent, and every title. */
  bodies: () => Array<{ title: string; body: string; markup: 'markdown' | 'textile' | 'jira-wiki' | 'adf' | 'plain' | 'json' }>;
}

const posts = (server: StrictServer, test: (r: FakeRequest) => boolean): FakeRequest[] => server.log.filter((r) => r.method !== 'GET' && test(r));

function count(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

export async function startProviders(): Promise<ProviderUnderTest[]> {
  const keyOfLabels = (labels: string[]) => labels.find((l) => /^spnaudit-[0-9a-f]{32}$/.test(l))?.slice(9) ?? '';
  const cloud = new JiraFake({ deployment: 'cloud', project: 'SPN', authorization: basic('bot@example.test') });
  const server = new JiraFake({ deployment: 'server', project: 'SPN', authorization: `Bearer ${TICKET_TOKEN}` });
  const github = new GithubFake('contoso/infra', TICKET_TOKEN);
  const sn = new ServicenowFake(basic('svc.spnaudit'));
  const hook = new WebhookFake(TICKET_TOKEN, null);
  const redmine = new RedmineFake(TICKET_TOKEN);
  const jiraBodies = (fake: JiraFake, markup: 'adf' | 'jira-wiki') => () =>
    posts(fake.server, (r) => r.path.endsWith('/issue') || r.path.endsWith('/comment')).map((r) => {
      const j = r.json as { fields?: { summary: string; description: unknown }; body?: unknown };
      const body = j.fields?.description ?? j.body;
      return { title: j.fields?.summary ?? '', body: markup === 'adf' ? JSON.stringify(body) : String(body), markup };
    });
  return [
    {
      name: 'jira cloud (ADF)',
      server: cloud.server,
      flags: { provider: 'jira', url: await cloud.server.start(), project: 'SPN', user: 'bot@example.test' },
      options: { deployment: 'cloud' },
      nextNight: () => cloud.indexAll(),
      counts: () => count(cloud.issues.map((i) => keyOfLabels(i.labels))),
      bodies: jiraBodies(cloud, 'adf'),
    },
    {
      name: 'jira server (wiki markup)',
      server: server.server,
      flags: { provider: 'jira', url: await server.server.start(), project: 'SPN', auth: 'bearer' },
      counts: () => count(server.issues.map((i) => keyOfLabels(i.labels))),
      bodies: jiraBodies(server, 'jira-wiki'),
    },
    {
      name: 'github (markdown)',
      server: github.server,
      flags: { provider: 'github', url: await github.server.start(), project: 'contoso/infra' },
      counts: () => count(github.issues.filter((i) => !i.pull_request).map((i) => parseFingerprint(i.body) ?? '')),
      bodies: () => posts(github.server, () => true).map((r) => ({ title: String((r.json as { title?: string }).title ?? ''), body: String((r.json as { body?: string }).body ?? ''), markup: 'markdown' as const })),
    },
    {
      name: 'servicenow (plain text)',
      server: sn.server,
      flags: { provider: 'servicenow', url: await sn.server.start(), project: 'IAM', user: 'svc.spnaudit' },
      counts: () => count(sn.records.map((r) => r.correlation_id)),
      bodies: () =>
        posts(sn.server, () => true).map((r) => {
          const j = r.json as { short_description?: string; description?: string; work_notes?: string };
          return { title: j.short_description ?? '', body: j.description ?? j.work_notes ?? '', markup: 'plain' as const };
        }),
    },
    {
      name: 'webhook (PagerDuty JSON)',
      server: hook.server,
      flags: { provider: 'webhook', url: `${await hook.server.start()}/hook` },
      counts: () => count(hook.events.filter((e) => e.event_action === 'trigger').map((e) => e.dedup_key)),
      bodies: () => posts(hook.server, () => true).map((r) => ({ title: String((r.json as { payload?: { summary?: string } }).payload?.summary ?? ''), body: r.text, markup: 'json' as const })),
    },
    {
      name: 'redmine (textile)',
      server: redmine.server,
      flags: { provider: 'redmine', url: await redmine.server.start(), project: redmine.project, fingerprintField: redmine.field },
      counts: () => redmine.countsByKey(),
      bodies: () =>
        posts(redmine.server, () => true).map((r) => {
          const j = (r.json as { issue: { subject?: string; description?: string; notes?: string } }).issue;
          return { title: j.subject ?? '', body: j.description ?? j.notes ?? '', markup: 'textile' as const };
        }),
    },
  ];
}

export interface SyncRun {
  stdout: string;
  stderr: string;
  counts: Record<string, number>;
}

let tmp: string | null = null;
export function ticketTmp(): string {
  tmp ??= mkdtempSync(path.join(os.tmpdir(), 'spnaudit-hostile-tickets-'));
  return tmp;
}
export function removeTicketTmp(): void {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = null;
}

let seq = 0;
export async function syncOnce(audit: AuditResult, p: ProviderUnderTest, opts: { state?: string; timeoutMs?: number; extraFlags?: TicketFlags } = {}): Promise<SyncRun> {
  process.env[TICKET_TOKEN_ENV] = TICKET_TOKEN;
  const settings = resolveTicketSettings(
    { tokenEnv: TICKET_TOKEN_ENV, maxNew: '100000', stateFile: path.join(ticketTmp(), opts.state ?? `state-${++seq}.json`), ...p.flags, ...opts.extraFlags },
    null,
  );
  Object.assign(settings.options, p.options ?? {});
  let stdout = '';
  let stderr = '';
  const { report } = await runTicketSync(audit, settings, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    http: { sleep: async () => undefined, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) },
  });
  return { stdout, stderr, counts: report.counts };
}

const NO_PROSE_PUNCTUATION = /[<>*_[\]{}|@!"^~+=]/;

/** One ticket text is inert for its markup; the title is one plain line of at most 240 characters. */
export function expectTicketInert(t: ReturnType<ProviderUnderTest['bodies']>[number], label: string): void {
  expect(t.title.length, label).toBeLessThanOrEqual(240);
  expect(t.title, label).not.toMatch(/[\r\n]/);
  expect(RAW_INVISIBLE.test(t.title), `${label}: title ${JSON.stringify(t.title.slice(0, 80))}`).toBe(false);
  const raw = t.markup === 'adf' || t.markup === 'json' ? t.body : t.body;
  expect(RAW_INVISIBLE.test(raw), `${label}: body has a raw invisible character`).toBe(false);
  switch (t.markup) {
    case 'markdown':
      // The renderer's own hidden markers close the body; the checks are about everything before them.
      expectMarkdownInert(t.body.replace(/(\s*<!-- spnaudit:[^\n]*? -->)+\s*$/, ''), label);
      break;
    case 'textile': {
      // Outside <pre>/<code> (which the value cannot close) only entities: no span, link, macro, mention or HTML can form.
      for (const m of t.body.matchAll(/<(pre|code)>([\s\S]*?)<\/\1>/g)) expect(m[2], label).not.toMatch(/<\s*\/?\s*(pre|code|notextile)/i);
      const prose = t.body
        .replace(/<pre>\n[\s\S]*?\n<\/pre>/g, '')
        .replace(/<code>[^\n]*?<\/code>/g, '')
        .replace(/^(\* |h3\. )/gm, '')
        .replace(/&#\d+;/g, '')
        .replace(/spnaudit:(fingerprint|meta)=[^\s]*/g, '');
      expect(prose.match(NO_PROSE_PUNCTUATION)?.[0] ?? null, `${label}: ${JSON.stringify(prose.slice(0, 200))}`).toBeNull();
      break;
    }
    case 'jira-wiki':
      for (const m of t.body.matchAll(/\{noformat\}\n([\s\S]*?)\n\{noformat\}/g)) expect(m[1], label).not.toMatch(/\{noformat/i);
      break;
    case 'adf': {
      const adf = JSON.parse(t.body) as unknown;
      expect(RAW_INVISIBLE.test(adfPlainText(adf)), label).toBe(false);
      // Only the node types the renderer writes: no link marks, no mention/emoji/inlineCard nodes.
      const types = new Set([...t.body.matchAll(/"type":"([a-zA-Z]+)"/g)].map((m) => m[1]));
      expect([...types].filter((x) => !['doc', 'paragraph', 'text', 'heading', 'bulletList', 'listItem', 'codeBlock', 'code'].includes(x!)), label).toEqual([]);
      break;
    }
    case 'plain':
      expect(t.body, label).not.toMatch(/\[\/?code\]/i);
      break;
    case 'json':
      JSON.parse(t.body);
      break;
  }
}
