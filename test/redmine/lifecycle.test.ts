/**
 * The nightly ticket sync against a real Redmine 5.0.4: every run goes through the same path as
 * `spnaudit tickets sync` (settings → secret from the environment → HTTP → Redmine), and every
 * expectation is read back from Redmine itself.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AuditResult } from '../../src/model/audit.js';
import { groupFindings } from '../../src/tickets/group.js';
import { escapeTextile } from '../../src/tickets/render.js';
import { runTicketSync } from '../../src/tickets/run.js';
import { resolveTicketSettings, type TicketFlags } from '../../src/tickets/settings.js';
import type { TicketProvider } from '../../src/tickets/types.js';
import { runCli } from '../support/cli.js';
import { audit, EXAMPLE_SNAPSHOT, incomplete, loadExample, withAccount, type Example } from '../unit/tickets/example-audit.js';
import { describeRedmine, requireRedmine } from './context.js';
import type { RedmineInfo } from './harness/server.js';

const KEY_ENV = 'SPNAUDIT_TEST_REDMINE_KEY';
const WRONG_KEY_ENV = 'SPNAUDIT_TEST_REDMINE_WRONG_KEY';

interface Issue {
  id: number;
  subject: string;
  description: string;
  status: { id: number; name: string; is_closed: boolean };
  priority: { id: number; name: string };
  custom_fields: Array<{ id: number; value: string | null }>;
  journals?: Array<{ notes: string | null; details: Array<{ property: string; name: string; new_value: string | null }> }>;
  relations?: Array<{ issue_id: number; issue_to_id: number; relation_type: string }>;
}

let rm: RedmineInfo;
let example: Example;
let tmp: string;
let projectSeq = 0;

async function api<T>(method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(`${rm.url}${p}`, {
    method,
    headers: { 'X-Redmine-API-Key': rm.apiKey, 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${p}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** A fresh project per test: no test sees another's tickets. */
async function newProject(): Promise<string> {
  projectSeq += 1;
  const identifier = `nightly-${projectSeq}-${Date.now().toString(36)}`;
  await api('POST', '/projects.json', { project: { name: identifier, identifier, is_public: false, tracker_ids: [1] } });
  return identifier;
}

async function issues(project: string): Promise<Issue[]> {
  const out: Issue[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = await api<{ issues: Issue[]; total_count: number }>('GET', `/issues.json?project_id=${project}&status_id=*&sort=id&limit=100&offset=${offset}`);
    out.push(...page.issues);
    if (offset + 100 >= page.total_count) return out;
  }
}

async function issue(id: number): Promise<Issue> {
  return (await api<{ issue: Issue }>('GET', `/issues/${id}.json?include=journals,relations`)).issue;
}

const fingerprintOf = (i: Issue) => i.custom_fields.find((f) => f.id === rm.fingerprintFieldId)?.value ?? null;
const notesOf = (i: Issue) => (i.journals ?? []).map((j) => j.notes ?? '').filter((n) => n !== '');
const keysOf = (a: AuditResult) => new Map(groupFindings(a, 'finding').map((g) => [g.key, g.digest]));

interface RunResult {
  writes: number;
  counts: Record<string, number>;
  stdout: string;
  stderr: string;
}

async function sync(result: AuditResult, project: string, flags: Partial<TicketFlags> & { stateFile?: string } = {}, wrap?: (p: TicketProvider) => TicketProvider): Promise<RunResult> {
  const settings = resolveTicketSettings(
    {
      provider: 'redmine',
      url: rm.url,
      project,
      tokenEnv: KEY_ENV,
      fingerprintField: rm.fingerprintFieldName,
      maxNew: '500',
      stateFile: path.join(tmp, `${project}.state.json`),
      ...flags,
    },
    null,
  );
  let stdout = '';
  let stderr = '';
  const { report, client } = await runTicketSync(result, settings, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    ...(wrap ? { wrapProvider: wrap } : {}),
  });
  return { writes: client.sent.filter((s) => s.write).length, counts: report.counts, stdout, stderr };
}

beforeAll(async () => {
  rm = requireRedmine();
  process.env[KEY_ENV] = rm.apiKey;
  process.env[WRONG_KEY_ENV] = 'f'.repeat(40);
  example = await loadExample();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'spnaudit-redmine-test-'));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describeRedmine('tickets sync against a real Redmine 5', () => {
  it('runs on the text formatting this suite escapes for (Redmine 5 default: textile)', () => {
    expect(rm.textFormatting).toBe('textile');
  });

  it('first run opens one ticket per finding; a second run with the same findings sends no write, even without the state file', async () => {
    const project = await newProject();
    const result = audit(example.snapshot, example.inventory);
    const expected = keysOf(result);
    const first = await sync(result, project);
    expect(first.counts.create).toBe(expected.size);
    const made = await issues(project);
    expect(made.map(fingerprintOf).sort()).toEqual([...expected.keys()].sort());
    const errorFinding = result.findings.find((f) => f.severity === 'error');
    const errorIssue = made.find((i) => fingerprintOf(i) === errorFinding?.fingerprint);
    expect(errorIssue?.priority.name).toBe('High');
    expect(errorIssue?.description).toContain(`spnaudit:fingerprint=${errorFinding?.fingerprint}`);

    const second = await sync(result, project);
    expect(second.writes).toBe(0);
    expect(second.counts.unchanged).toBe(expected.size);

    rmSync(path.join(tmp, `${project}.state.json`));
    const lostState = await sync(result, project);
    expect(lostState.writes).toBe(0);
    expect((await issues(project)).length).toBe(expected.size);
  });

  it('changed evidence earns exactly one comment per changed ticket, and none the night after', async () => {
    const project = await newProject();
    const before = audit(example.snapshot, example.inventory);
    // AES-only on svc_dup1: same fingerprints for its findings, different evidence (RC4 no longer allowed).
    const after = audit(
      withAccount(example.snapshot, 'svc_dup1', (a) => {
        a.supportedEncryptionTypes = 24;
      }),
      example.inventory,
    );
    const a = keysOf(before);
    const b = keysOf(after);
    const changed = [...b].filter(([k, d]) => a.has(k) && a.get(k) !== d).map(([k]) => k);
    const gone = [...a.keys()].filter((k) => !b.has(k));
    expect(changed.length).toBeGreaterThan(0);

    await sync(before, project);
    const run = await sync(after, project, { runLabel: 'night-2' });
    expect(run.counts.comment).toBe(changed.length);
    expect(run.counts.close).toBe(gone.length);
    for (const i of await issues(project)) {
      const full = await issue(i.id);
      const notes = notesOf(full);
      if (changed.includes(fingerprintOf(i) ?? '')) {
        expect(notes).toHaveLength(1);
        expect(notes[0]).toContain('The evidence changed as of night');
        expect(full.description).toContain(`d=${b.get(fingerprintOf(i) ?? '')}`);
      } else if (!gone.includes(fingerprintOf(i) ?? '')) {
        expect(notes).toEqual([]);
      }
    }
    const third = await sync(after, project, { runLabel: 'night-3' });
    expect(third.writes).toBe(0);
  });

  it('a fixed finding is closed with "resolved as of <run>" only by a complete audit that covered it', async () => {
    const project = await newProject();
    const before = audit(example.snapshot, example.inventory);
    const fixedSnapshot = withAccount(example.snapshot, 'svc_dup1', (acc) => {
      acc.servicePrincipalNames = [];
    });
    const gone = [...keysOf(before).keys()].filter((k) => !keysOf(audit(fixedSnapshot, example.inventory)).has(k));
    expect(gone.length).toBeGreaterThan(0);
    await sync(before, project);

    const partialAudit = audit(incomplete(fixedSnapshot), example.inventory);
    const partial = await sync(partialAudit, project, { runLabel: 'night-incomplete' });
    expect(partial.counts.close).toBe(0);
    expect(partial.counts['kept-open']).toBe(gone.length);
    expect((await issues(project)).filter((i) => i.status.is_closed)).toEqual([]);

    // No IIS input tonight: IIS rules are skipped and no server was looked at — their tickets stay open.
    // (Every night opens tickets for what it finds: the incomplete night may have found something new.)
    const noIisAudit = audit(example.snapshot, null);
    const openBefore = new Set([...keysOf(before).keys(), ...keysOf(partialAudit).keys()]);
    const absentWithoutIis = [...openBefore].filter((k) => !keysOf(noIisAudit).has(k));
    expect(absentWithoutIis.length).toBeGreaterThan(0);
    const noIis = await sync(noIisAudit, project, { runLabel: 'night-no-iis' });
    expect(noIis.counts.close).toBe(0);
    expect(noIis.counts['kept-open']).toBe(absentWithoutIis.length);

    const opened = new Set([...openBefore, ...keysOf(noIisAudit).keys()]);
    const fixed = audit(fixedSnapshot, example.inventory);
    const expectedClosed = [...opened].filter((k) => !keysOf(fixed).has(k)).sort();
    expect(expectedClosed).toEqual(expect.arrayContaining(gone));
    const complete = await sync(fixed, project, { runLabel: 'night-fixed' });
    expect(complete.counts.close).toBe(expectedClosed.length);
    const closed = (await issues(project)).filter((i) => i.status.is_closed);
    expect(closed.map(fingerprintOf).sort()).toEqual(expectedClosed);
    for (const i of closed) {
      expect(i.status.name).toBe('Closed');
      expect(notesOf(await issue(i.id)).at(-1)).toContain(escapeTextile('Resolved as of night-fixed:'));
    }
  });

  it('a run killed between creates leaves no duplicate: the re-run finishes the job', async () => {
    const project = await newProject();
    const result = audit(example.snapshot, example.inventory);
    const total = keysOf(result).size;
    let creates = 0;
    const killAfterThree = (p: TicketProvider): TicketProvider => {
      const create = p.create.bind(p);
      p.create = async (draft) => {
        if (creates === 3) throw new Error('killed (simulated) between two create calls');
        creates += 1;
        return create(draft);
      };
      return p;
    };
    await expect(sync(result, project, {}, killAfterThree)).rejects.toThrow(/killed/);
    expect((await issues(project)).length).toBe(3);
    const journal = JSON.parse(readFileSync(path.join(tmp, `${project}.state.json`), 'utf8')) as { tickets: Record<string, unknown> };
    expect(Object.keys(journal.tickets)).toHaveLength(3);

    const rerun = await sync(result, project);
    expect(rerun.counts.create).toBe(total - 3);
    expect(rerun.counts.unchanged).toBe(3);
    const all = await issues(project);
    expect(all.length).toBe(total);
    expect(new Set(all.map(fingerprintOf)).size).toBe(total);
  });

  it('a closed ticket whose finding is back is reopened (default) or followed by a linked new ticket (--reopen new)', async () => {
    const before = audit(example.snapshot, example.inventory);
    const fixed = audit(withAccount(example.snapshot, 'svc_dup1', (acc) => (acc.servicePrincipalNames = [])), example.inventory);
    const back = [...keysOf(before).keys()].filter((k) => !keysOf(fixed).has(k));
    // The fixed night may raise findings of its own; they get tickets too (and are closed when gone again).
    const everything = new Set([...keysOf(before).keys(), ...keysOf(fixed).keys()]);

    const reopenProject = await newProject();
    await sync(before, reopenProject);
    await sync(fixed, reopenProject);
    const reopened = await sync(before, reopenProject, { runLabel: 'night-back' });
    expect(reopened.counts.reopen).toBe(back.length);
    expect(reopened.counts.create).toBe(0);
    const list = await issues(reopenProject);
    expect(list.length).toBe(everything.size);
    expect(list.filter((i) => i.status.is_closed).map(fingerprintOf)).toEqual(list.filter((i) => !keysOf(before).has(fingerprintOf(i) ?? '')).map(fingerprintOf));
    const sample = list.find((i) => fingerprintOf(i) === back[0]);
    expect(notesOf(await issue(sample?.id ?? 0)).at(-1)).toContain(escapeTextile('The problem is back as of night-back;'));

    const newProjectId = await newProject();
    await sync(before, newProjectId);
    await sync(fixed, newProjectId);
    const replaced = await sync(before, newProjectId, { reopen: 'new' });
    expect(replaced.counts.replace).toBe(back.length);
    const all = await issues(newProjectId);
    expect(all.length).toBe(everything.size + back.length);
    const forKey = all.filter((i) => fingerprintOf(i) === back[0]);
    expect(forKey.map((i) => i.status.is_closed)).toEqual([true, false]);
    const newer = await issue(forKey[1]?.id ?? 0);
    expect(newer.relations?.map((r) => [r.issue_id, r.issue_to_id].sort()).flat()).toEqual([forKey[0]?.id, forKey[1]?.id].sort());
    expect(newer.description).toContain(`tracked before in &#35;${forKey[0]?.id}`);
    const quiet = await sync(before, newProjectId, { reopen: 'new' });
    expect(quiet.writes).toBe(0);
  });

  it('a wrong API key fails loudly on /users/current.json (exit 3) before any search or write', async () => {
    const project = await newProject();
    const settings = resolveTicketSettings({ provider: 'redmine', url: rm.url, project, tokenEnv: WRONG_KEY_ENV, fingerprintField: String(rm.fingerprintFieldId), stateFile: path.join(tmp, 'wrong.json') }, null);
    const result = audit(example.snapshot, example.inventory);
    await expect(runTicketSync(result, settings, { stdout: () => undefined, stderr: () => undefined })).rejects.toThrow(/rejected the API key \(HTTP 401 on \/users\/current\.json\)/);

    const cli = await runCli(
      ['tickets', 'sync', '--provider', 'redmine', '--url', rm.url, '--project', project, '--token-env', WRONG_KEY_ENV, '--fingerprint-field', rm.fingerprintFieldName, '--snapshot', EXAMPLE_SNAPSHOT, '--state-file', path.join(tmp, 'cli-wrong.json')],
      { env: { ...process.env } },
    );
    expect(cli.code).toBe(3);
    expect(cli.stderr.trim().split('\n')).toHaveLength(1);
    expect(cli.stderr).toContain('rejected the API key');
    expect(cli.stderr + cli.stdout).not.toContain('f'.repeat(40));
    expect(await issues(project)).toEqual([]);
    expect(existsSync(path.join(tmp, 'cli-wrong.json'))).toBe(false);
  });

  it('the API key appears in no body, note, dry-run output, log line or state file', async () => {
    const project = await newProject();
    const before = audit(example.snapshot, example.inventory);
    const dry = await sync(before, project, { dryRun: true });
    expect(dry.writes).toBe(0);
    expect(dry.stdout).toContain('POST ');
    expect(dry.stdout).toContain('X-Redmine-API-Key: <redacted>');
    expect(await issues(project)).toEqual([]);
    const real = await sync(before, project);
    const after = audit(withAccount(example.snapshot, 'svc_dup1', (a) => (a.servicePrincipalNames = [])), example.inventory);
    const closing = await sync(after, project);
    const texts = [dry.stdout, dry.stderr, real.stdout, real.stderr, closing.stdout, closing.stderr, readFileSync(path.join(tmp, `${project}.state.json`), 'utf8')];
    for (const i of await issues(project)) {
      const full = await issue(i.id);
      texts.push(full.subject, full.description, ...notesOf(full));
    }
    for (const text of texts) expect(text).not.toContain(rm.apiKey);
  });

  it('hostile directory values render inert on Redmine pages (textile, links, mentions, macros, HTML)', async () => {
    const project = await newProject();
    const payload = '<script>alert(1)</script> *bold* @admin [[Wiki]] {{toc}} "x":http://evil.test </pre></code>';
    const hostile = withAccount(example.snapshot, 'svc_dup1', (a) => {
      a.servicePrincipalNames = [`HTTP/${payload}`];
    });
    const result = audit(hostile, example.inventory);
    const carrying = result.findings.filter((f) => JSON.stringify(f).includes('<script>'));
    expect(carrying.length).toBeGreaterThan(0);
    await sync(result, project);
    for (const f of carrying) {
      const found = (await issues(project)).find((i) => fingerprintOf(i) === f.fingerprint);
      const html = await (await fetch(`${rm.url}/issues/${found?.id}`, { headers: { 'X-Redmine-API-Key': rm.apiKey } })).text();
      const wiki = html.slice(html.indexOf('<div class="wiki">'));
      const body = wiki.slice(0, wiki.indexOf('spnaudit:fingerprint='));
      expect(body).not.toContain('<script>');
      expect(body).not.toContain('<strong>bold</strong>');
      expect(body).not.toContain('user-mention');
      expect(body).not.toContain('wiki-page');
      expect(body).not.toContain('href="http://evil.test"');
      expect(body).not.toContain('class="toc');
    }
  });
});
