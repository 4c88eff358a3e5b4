/** A receiver of PagerDuty Events API v2-shaped events that checks the HMAC signature of the raw body. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { check, checkKeys, StrictServer, type FakeRequest } from './strict-server.js';

export interface ReceivedEvent {
  event_action: 'trigger' | 'resolve';
  dedup_key: string;
  payload?: { summary: string; severity: string; source: string; custom_details?: Record<string, unknown> };
}

export class WebhookFake {
  readonly events: ReceivedEvent[] = [];
  readonly server: StrictServer;

  constructor(secret: string | null, routingKey: string | null, header = 'x-spnaudit-signature') {
    this.server = new StrictServer([{ method: 'POST', path: /^\/hook$/, handle: (q) => this.receive(q, routingKey) }], (q) => {
      if (secret === null) {
        check(q.headers[header] === undefined, 'unexpected signature header');
        return;
      }
      const got = String(q.headers[header] ?? '');
      const want = `sha256=${createHmac('sha256', secret).update(q.text, 'utf8').digest('hex')}`;
      check(got.length === want.length && timingSafeEqual(Buffer.from(got), Buffer.from(want)), 'signature header missing or wrong');
    });
  }

  private receive(q: FakeRequest, routingKey: string | null) {
    checkKeys(q.json, ['event_action', 'dedup_key'], ['routing_key', 'payload', 'client', 'client_url', 'images', 'links']);
    const e = q.json as Record<string, unknown>;
    if (routingKey !== null) check(e.routing_key === routingKey, 'routing_key');
    else check(e.routing_key === undefined, 'routing_key not configured but sent');
    check(e.event_action === 'trigger' || e.event_action === 'resolve', 'event_action: trigger or resolve');
    check(typeof e.dedup_key === 'string' && e.dedup_key.length <= 255, 'dedup_key: at most 255 characters');
    if (e.event_action === 'trigger') {
      checkKeys(e.payload, ['summary', 'source', 'severity'], ['timestamp', 'component', 'group', 'class', 'custom_details'], 'payload');
      const p = e.payload;
      check(typeof p.summary === 'string' && p.summary.length <= 1024, 'payload.summary: at most 1024 characters');
      check(['critical', 'error', 'warning', 'info'].includes(String(p.severity)), 'payload.severity');
    } else {
      check(e.payload === undefined, 'resolve carries no payload');
    }
    this.events.push(e as unknown as ReceivedEvent);
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: e.dedup_key } };
  }
}
