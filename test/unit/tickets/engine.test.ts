/** Grouping, coverage, the sync plan (in memory, against a recording provider) and settings errors. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/file.js';
import type { AuditResult } from '../../../src/model/audit.js';
import { syncTickets, type SyncOptions } from '../../../src/tickets/engine.js';
import { groupDigest, groupFindings, groupKey, whyNotCovered } from '../../../src/tickets/group.js';
import { resolveTicketSettings } from '../../../src/tickets/settings.js';
import type { RemoteTicket, TicketDraft, TicketProvider, TicketScope } from '../../../src/tickets/types.js';
import { audit, loadExample, type Example } from './example-audit.js';

let example: Example;
let result: AuditResult;
let tmp: string;
beforeAll(async () => {
  example = await loadExample();
  result = audit(example.snapshot, example.inventory);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'spnaudit-engine-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('groupFindings', () => {
  it('per finding: the key is the finding fingerprint, one group each', () => {
    const groups = groupFindings(result, 'finding');
    expect(groups.map((g) => g.key).sort()).toEqual(result.findings.map((f) => f.fingerprint).sort());
  });
  it.each([
    ['rule', (f: AuditResult['findings'][number]) => f.ruleId],
    ['account', (f: AuditResult['findings'][number]) => f.subject.accountGuid ?? f.subject.account ?? f.fingerprint],
    ['host', (f: AuditResult['findings'][number]) => f.subject.server ?? f.subject.host ?? f.fingerprint],
  ] as const)('per %s: one group per distinct member, every finding in exactly one group', (mode, member) => {
    const groups = groupFindings(result, mode);
    expect(groups).toHaveLength(new Set(result.findings.map((f) => member(f).toLowerCase())).size);
    expect(groups.flatMap((g) => g.findings.map((f) => f.fingerprint)).sort()).toEqual(result.findings.map((f) => f.fingerprint).sort());
    for (const g of groups) expect(g.key).toMatch(/^[0-9a-f]{32}$/);
  });
  it('group keys are stable, case-insensitive and differ between modes', () => {
    expect(groupKey('host', 'WEB01')).toBe(groupKey('host', 'web01'));
    expect(groupKey('host', 'web01')).not.toBe(groupKey('account', 'web01'));
  });
  it('suppressed findings get no ticket', () => {
    const first = result.findings[0];
    if (!first) throw new Error('example has findings');
    const suppressed = { ...result, findings: [{ ...first, suppression: { rule: '*', subject: '*', reason: 'accepted', source: 'x.yaml:1' } }, ...result.findings.slice(1)] };
    expect(groupFindings(suppressed, 'finding').map((g) => g.key)).not.toContain(first.fingerprint);
  });
  it('the digest ignores values that move every night (…AgeDays) and follows real evidence', () => {
    const f = result.findings[0];
    if (!f) throw new Error('example has findings');
    expect(groupDigest([{ ...f, evidence: { ...f.evidence, passwordAgeDays: 400 } }])).toBe(groupDigest([{ ...f, evidence: { ...f.evidence, passwordAgeDays: 401 } }]));
    expect(groupDigest([{ ...f, evidence: { ...f.evidence, holders: ['A'] } }])).not.toBe(groupDigest([{ ...f, evidence: { ...f.evidence, holders: ['B'] } }]));
  });
});

describe('whyNotCovered', () => {
  const scope = (s: Partial<TicketScope>): TicketScope => ({ rules: ['duplicate-spn'], domains: ['contoso.test'], servers: [], ...s });
  const audited = (s: Partial<AuditResult['scope']>) => ({ scope: { ...result.scope, ...s } });
  it.each<[string, TicketScope | null, Partial<AuditResult['scope']>, RegExp | null]>([
    ['complete audit of the domain', scope({}), {}, null],
    ['incomplete audit', scope({}), { complete: false }, /incomplete/],
    ['rule skipped tonight', scope({ rules: ['kernel-mode-spn'] }), { skipped: [{ ruleId: 'kernel-mode-spn', reason: 'no IIS input' }] }, /rule kernel-mode-spn was not run/],
    ['server not looked at', scope({ servers: ['web09'] }), {}, /server web09 is not in tonight's scope/],
    ['domain not looked at', scope({ domains: ['fabrikam.test'] }), {}, /domain fabrikam.test/],
    ['server names compare case-insensitively', scope({ servers: ['web01'] }), {}, null],
    ['no readable marker', null, {}, /no readable spnaudit scope/],
  ])('%s', (_name, s, auditScope, expected) => {
    const why = whyNotCovered(s, audited(auditScope));
    if (expected === null) expect(why).toBeNull();
    else expect(why).toMatch(expected);
  });
});

/** A provider in memory that records every call. */
class MemoryProvider implements TicketProvider {
  readonly name = 'redmine' as const;
  readonly searchable = true;
  tickets: RemoteTicket[] = [];
  calls: string[] = [];
  private seq = 0;
  async verify() {
    this.calls.push('verify');
  }
  async list() {
    this.calls.push('list');
    return this.tickets.map((t) => ({ ...t }));
  }
  async get(id: string) {
    this.calls.push(`get ${id}`);
    return this.tickets.find((t) => t.id === id) ?? null;
  }
  async create(d: TicketDraft) {
    this.seq += 1;
    const t: RemoteTicket = { id: String(this.seq), display: `#${this.seq}`, key: d.marker.key, open: true, marker: d.marker };
    this.tickets.push(t);
    this.calls.push(`create ${d.marker.key}`);
    return t;
  }
  async update(t: RemoteTicket, d: TicketDraft) {
    this.calls.push(`update ${t.id}`);
    Object.assign(this.tickets.find((x) => x.id === t.id) ?? {}, { marker: d.marker });
  }
  async reopen(t: RemoteTicket) {
    this.calls.push(`reopen ${t.id}`);
  }
  async close(t: RemoteTicket) {
    this.calls.push(`close ${t.id}`);
    Object.assign(this.tickets.find((x) => x.id === t.id) ?? {}, { open: false });
  }
}

const opts = (o: Partial<SyncOptions> = {}): SyncOptions => ({ groupBy: 'finding', maxNew: 500, reopen: 'reopen', run: 'r1', stateFile: null, target: 't', ...o });

describe('syncTickets', () => {
  it('--max-new caps creates per run; the next run continues where it stopped', async () => {
    const p = new MemoryProvider();
    const first = await syncTickets(result, p, opts({ maxNew: 10 }));
    expect(first.counts.create).toBe(10);
    expect(first.counts.deferred).toBe(result.findings.length - 10);
    const second = await syncTickets(result, p, opts({ maxNew: 10 }));
    expect(second.counts).toMatchObject({ create: 10, unchanged: 10 });
  });

  it('two open tickets for one key: reported, the oldest is used, nothing new is created', async () => {
    const p = new MemoryProvider();
    await syncTickets(result, p, opts());
    const f = result.findings[0]?.fingerprint ?? '';
    const original = p.tickets.find((t) => t.key === f);
    p.tickets.push({ ...(original as RemoteTicket), id: '9999', display: '#9999' });
    const logs: string[] = [];
    const again = await syncTickets(result, p, opts({ log: (l) => logs.push(l) }));
    expect(again.duplicates).toEqual([{ key: f, tickets: [original?.display, '#9999'] }]);
    expect(again.counts.create).toBe(0);
    expect(logs.join('\n')).toContain(`using ${original?.display}`);
  });

  it('tickets of another grouping are left alone, not closed as resolved', async () => {
    const p = new MemoryProvider();
    await syncTickets(result, p, opts({ groupBy: 'rule' }));
    const byFinding = await syncTickets(result, p, opts({ groupBy: 'finding' }));
    expect(byFinding.counts.close).toBe(0);
    expect(byFinding.counts.foreign).toBe(groupFindings(result, 'rule').length);
  });

  it('journals after every create, atomically: no temp file is ever left, and the journal names each ticket', async () => {
    const p = new MemoryProvider();
    const stateFile = path.join(tmp, 'journal.json');
    let seen = 0;
    const create = p.create.bind(p);
    p.create = async (d) => {
      // Before each create, the journal already holds every earlier one.
      const journal = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as { tickets: object }).tickets : {};
      expect(Object.keys(journal)).toHaveLength(seen);
      seen += 1;
      return create(d);
    };
    await syncTickets(result, p, opts({ stateFile, maxNew: 5 }));
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('resolveTicketSettings errors name the file and line', () => {
  const cfg = (text: string) => parseConfigText(text, 'nightly.yaml');
  it.each([
    ['tickets:\n  provider: trello\n', /^nightly\.yaml:2: tickets\.provider: 'trello' is not one of jira, github, servicenow, redmine, webhook$/],
    ['tickets:\n  provider: github\n  url: https://api.github.com\n  project: contoso\n', /^nightly\.yaml:4: tickets\.project: 'contoso' must be owner\/repo$/],
    ['tickets:\n  provider: github\n  url: https://api.github.com\n  project: a/b\n  fingerprintField: fp\n', /^nightly\.yaml:5: tickets\.fingerprintField is a redmine setting, not for github$/],
    ['tickets:\n  provider: redmine\n  url: http://r\n  project: p\n', /tickets\.fingerprintField: is required for redmine/],
    ['tickets:\n  provider: redmine\n  url: ldap://dc1\n  project: p\n  fingerprintField: 1\n', /^nightly\.yaml:3: tickets\.url: 'ldap:\/\/dc1' must be http:\/\/ or https:\/\/ \(the LDAP server of live collection is --ldap-url here\)$/],
    ['tickets:\n  provider: jira\n  url: https://x.atlassian.net\n  project: SPN\n  maxNew: lots\n', /^nightly\.yaml:5: tickets\.maxNew: 'lots' must be a whole number >= 0$/],
    ['tickets:\n  provider: jira\n  url: https://x.atlassian.net\n  project: SPN\n  auth: basic\n', /^nightly\.yaml:5: tickets\.auth: basic authentication needs --user/],
    ['tickets:\n  provider: servicenow\n  url: https://u:p@x.service-now.com\n  project: IAM\n', /must not contain credentials/],
    ['tickets: [1]\n', /tickets must be a mapping/],
  ])('%j', (text, expected) => {
    expect(() => resolveTicketSettings({}, cfg(text))).toThrow(expected);
  });
  it('flags win over the file and are named in their errors', () => {
    const c = cfg('tickets:\n  provider: github\n  url: https://api.github.com\n  project: a/b\n');
    expect(resolveTicketSettings({ project: 'c/d', groupBy: 'rule' }, c)).toMatchObject({ project: 'c/d', groupBy: 'rule', maxNew: 50, stateFile: 'spnaudit-tickets-github.state.json' });
    expect(() => resolveTicketSettings({ groupBy: 'team' }, c)).toThrow(/^--group-by: 'team' is not one of finding, rule, account, host$/);
    expect(() => resolveTicketSettings({ fingerprintField: 'x' }, c)).toThrow(/--fingerprint-field is for redmine/);
  });
});

describe('examples/tickets/*.yaml', () => {
  const dir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../examples/tickets');
  it.each(['redmine', 'jira', 'github', 'servicenow', 'webhook'])('%s.yaml is a valid tickets section for its provider', async (provider) => {
    const { loadConfigFile } = await import('../../../src/config/file.js');
    const settings = resolveTicketSettings({}, await loadConfigFile(path.join(dir, `${provider}.yaml`)));
    expect(settings.provider).toBe(provider);
    expect(settings.tokenEnv).toMatch(/^[A-Z_]+$/);
  });
});
