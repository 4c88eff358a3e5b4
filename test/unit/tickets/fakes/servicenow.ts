/** ServiceNow Table API for incident, as documented (sysparm_* parameters, {result: ...} envelopes). */
import { check, checkKeys, checkQuery, StrictServer, type FakeRequest, type FakeReply } from './strict-server.js';

export interface SnIncident {
  sys_id: string;
  number: string;
  short_description: string;
  description: string;
  correlation_id: string;
  correlation_display: string;
  impact: string;
  urgency: string;
  state: string;
  active: boolean;
  close_code: string;
  close_notes: string;
  work_notes: string[];
  extra: Record<string, string>;
}

const FIELDS = 'sys_id,number,active,state,correlation_id,description';

export class ServicenowFake {
  readonly records: SnIncident[] = [];
  readonly server: StrictServer;

  constructor(authorization: string, private readonly allowedExtra: readonly string[] = []) {
    this.server = new StrictServer(
      [
        { method: 'GET', path: /^\/api\/now\/table\/incident$/, handle: (q) => this.query(q) },
        { method: 'POST', path: /^\/api\/now\/table\/incident$/, handle: (q) => this.create(q) },
        { method: 'GET', path: /^\/api\/now\/table\/incident\/([0-9a-f]{32})$/, handle: (q, [id]) => this.get(q, id ?? '') },
        { method: 'PATCH', path: /^\/api\/now\/table\/incident\/([0-9a-f]{32})$/, handle: (q, [id]) => this.patch(q, id ?? '') },
      ],
      (q) => {
        check(q.headers.authorization === authorization, 'Authorization header missing or wrong');
        check(String(q.headers.accept).includes('application/json'), 'Accept: application/json expected');
      },
    );
  }

  private view(r: SnIncident) {
    return { sys_id: r.sys_id, number: r.number, active: String(r.active), state: r.state, correlation_id: r.correlation_id, description: r.description };
  }

  private query(q: FakeRequest): FakeReply {
    if (q.query.get('sysparm_limit') === '1' && !q.query.has('sysparm_query')) {
      checkQuery(q.query, { sysparm_limit: '1', sysparm_fields: 'sys_id' });
      return { status: 200, body: { result: this.records.slice(0, 1).map((r) => ({ sys_id: r.sys_id })) } };
    }
    checkQuery(q.query, { sysparm_query: 'correlation_display=spnaudit^ORDERBYsys_created_on', sysparm_fields: FIELDS, sysparm_limit: /^\d+$/, sysparm_offset: /^\d+$/, sysparm_exclude_reference_link: 'true' });
    const limit = Number(q.query.get('sysparm_limit'));
    const offset = Number(q.query.get('sysparm_offset'));
    const rows = this.records.filter((r) => r.correlation_display === 'spnaudit').slice(offset, offset + limit);
    return { status: 200, body: { result: rows.map((r) => this.view(r)) } };
  }

  private get(q: FakeRequest, id: string): FakeReply {
    checkQuery(q.query, { sysparm_fields: FIELDS, sysparm_exclude_reference_link: 'true' });
    const r = this.records.find((x) => x.sys_id === id);
    return r ? { status: 200, body: { result: this.view(r) } } : { status: 404, body: { error: { message: 'No Record found' }, status: 'failure' } };
  }

  private create(q: FakeRequest): FakeReply {
    checkKeys(q.json, ['short_description', 'description', 'correlation_id', 'correlation_display', 'impact', 'urgency'], this.allowedExtra);
    const b = q.json as Record<string, string>;
    check(typeof b.short_description === 'string' && b.short_description.length <= 160, 'short_description: at most 160 characters');
    check(typeof b.description === 'string' && b.description.length <= 4000, 'description: at most 4000 characters');
    check(/^[0-9a-f]{32}$/.test(b.correlation_id ?? ''), 'correlation_id');
    check(['1', '2', '3'].includes(b.impact ?? '') && ['1', '2', '3'].includes(b.urgency ?? ''), 'impact/urgency: 1..3');
    const n = this.records.length + 1;
    const extra = Object.fromEntries(this.allowedExtra.filter((k) => k in b).map((k) => [k, b[k] ?? '']));
    const rec: SnIncident = {
      sys_id: n.toString(16).padStart(32, 'a'),
      number: `INC${String(10000 + n).padStart(7, '0')}`,
      short_description: b.short_description ?? '',
      description: b.description ?? '',
      correlation_id: b.correlation_id ?? '',
      correlation_display: b.correlation_display ?? '',
      impact: b.impact ?? '',
      urgency: b.urgency ?? '',
      state: '1',
      active: true,
      close_code: '',
      close_notes: '',
      work_notes: [],
      extra,
    };
    this.records.push(rec);
    return { status: 201, body: { result: { ...this.view(rec), short_description: rec.short_description } } };
  }

  private patch(q: FakeRequest, id: string): FakeReply {
    const r = this.records.find((x) => x.sys_id === id);
    check(r, `no record ${id}`);
    checkKeys(q.json, [], ['description', 'work_notes', 'state', 'close_code', 'close_notes']);
    const b = q.json as Record<string, string>;
    if (b.state === '6' || b.state === '7') check(b.close_code && b.close_notes, 'resolving needs close_code and close_notes (business rule)');
    if (b.description !== undefined) r.description = b.description;
    if (b.work_notes !== undefined) r.work_notes.push(b.work_notes);
    if (b.state !== undefined) {
      r.state = b.state;
      r.active = !['6', '7', '8'].includes(b.state);
    }
    if (b.close_code !== undefined) r.close_code = b.close_code;
    if (b.close_notes !== undefined) r.close_notes = b.close_notes;
    return { status: 200, body: { result: this.view(r) } };
  }
}
