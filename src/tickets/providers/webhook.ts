/**
 * A webhook receiving PagerDuty Events API v2-shaped events: `trigger` for a new or changed group,
 * `resolve` when it is gone (same coverage rule as tickets), `dedup_key` = the group key. A webhook
 * cannot be searched, so the state file is its memory. With a secret (--token-env/--token-file) the
 * raw body is signed: `<signatureHeader>: sha256=<hex HMAC-SHA256 of the body>`.
 */
import { createHmac } from 'node:crypto';
import type { Severity } from '../../model/finding.js';
import { briefValue, noteText } from '../content.js';
import { expectStatus, type HttpClient, type HttpRequest } from '../http.js';
import type { RemoteTicket, TicketDraft, TicketNote, TicketProvider } from '../types.js';
import { fitBody } from './common.js';
import { plainText, renderPlain } from '../render.js';
import { escapeJsonUnsafe } from '../../report/escape.js';

export interface WebhookOptions {
  url: string;
  /** HMAC secret; no signature header without it. */
  secret: string | null;
  signatureHeader: string;
  /** PagerDuty routing key (integration key), when the receiver is PagerDuty itself. */
  routingKey: string | null;
  /** payload.source: the system the events are about. */
  source: string;
}

export const WEBHOOK_DEFAULTS = { signatureHeader: 'X-Spnaudit-Signature', source: 'spnaudit' };

const PD_SEVERITY: Record<Severity, 'error' | 'warning' | 'info'> = { error: 'error', warning: 'warning', info: 'info' };
const MAX_DETAILS = 16_000;

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** PagerDuty shows `component` in its UI: one line, controls revealed, bounded. */
function displayValue(value: string | undefined): string | undefined {
  return value === undefined ? undefined : plainText(briefValue(value));
}

export class WebhookProvider implements TicketProvider {
  readonly name = 'webhook' as const;
  readonly searchable = false;
  readonly dryRun: boolean;

  constructor(
    private readonly http: HttpClient,
    private readonly opts: WebhookOptions,
  ) {
    this.dryRun = http.dryRun;
    if (opts.secret) http.addSecret(opts.secret);
    if (opts.routingKey) http.addSecret(opts.routingKey);
  }

  async verify(): Promise<void> {
    // Nothing to ask a webhook without sending an event.
  }

  async list(): Promise<RemoteTicket[]> {
    return [];
  }

  async get(): Promise<RemoteTicket | null> {
    return null;
  }

  private async post(event: Record<string, unknown>, what: string): Promise<void> {
    // Exact values (findings, scope) for the receiver's automation, but no raw bidi/C1/zero-width character.
    const body = escapeJsonUnsafe(JSON.stringify({ ...(this.opts.routingKey ? { routing_key: this.opts.routingKey } : {}), ...event }));
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (this.opts.secret) headers[this.opts.signatureHeader] = signBody(this.opts.secret, body);
    const req: HttpRequest = { method: 'POST', url: this.opts.url, headers, rawBody: body };
    const res = await this.http.send(req);
    expectStatus(this.http, req, res, [200, 201, 202, 204], what);
  }

  private trigger(draft: TicketDraft, note: TicketNote | null): Record<string, unknown> {
    const details = fitBody(draft, (b) => renderPlain(b, null), (s) => s.length, MAX_DETAILS);
    return {
      event_action: 'trigger',
      dedup_key: draft.marker.key,
      client: 'spnaudit',
      payload: {
        summary: draft.title.slice(0, 1024),
        source: this.opts.source,
        severity: PD_SEVERITY[draft.group.severity],
        component: displayValue(draft.group.findings[0]?.subject.server ?? draft.group.findings[0]?.subject.account),
        group: draft.group.groupBy === 'finding' ? draft.group.findings[0]?.ruleId : draft.group.label,
        class: draft.group.findings.map((f) => f.ruleId).filter((v, i, a) => a.indexOf(v) === i).join(','),
        custom_details: {
          spnaudit_key: draft.marker.key,
          digest: draft.marker.digest,
          scope: draft.marker.scope,
          ...(note ? { note: noteText(note.kind, note.run) } : {}),
          findings: draft.group.findings.map((f) => ({ fingerprint: f.fingerprint, ruleId: f.ruleId, severity: f.severity, title: f.title, subject: f.subject })),
          details,
        },
      },
    };
  }

  async create(draft: TicketDraft): Promise<RemoteTicket> {
    await this.post(this.trigger(draft, null), 'webhook trigger');
    return { id: draft.marker.key, display: `dedup_key ${draft.marker.key.slice(0, 12)}`, key: draft.marker.key, open: true, marker: draft.marker };
  }

  async update(_ticket: RemoteTicket, draft: TicketDraft, note: TicketNote): Promise<void> {
    await this.post(this.trigger(draft, note), 'webhook trigger (changed)');
  }

  async reopen(_ticket: RemoteTicket, draft: TicketDraft, note: TicketNote): Promise<void> {
    await this.post(this.trigger(draft, note), 'webhook trigger (reappeared)');
  }

  async close(ticket: RemoteTicket, note: TicketNote): Promise<void> {
    // Events v2: a resolve carries only the dedup_key (no payload, no free text).
    void note;
    await this.post({ event_action: 'resolve', dedup_key: ticket.key, client: 'spnaudit' }, 'webhook resolve');
  }
}
