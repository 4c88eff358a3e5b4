import type { Entry } from 'ldapts';
import type { LdapSession, SearchRequest } from '../../../src/directory/connection.js';
import { LdapEntry } from '../../../src/directory/entry.js';

export interface Responder {
  (req: SearchRequest): Entry[][] | Error;
}

/**
 * An in-memory LdapSession that answers like AD would, for collector tests that need shapes Samba
 * never produces (range-truncated attributes, limits, mid-paging failures). Records every request.
 */
export class FakeSession implements LdapSession {
  readonly url = 'ldap://fake.example';
  readonly requests: SearchRequest[] = [];
  closed = false;
  constructor(private readonly respond: Responder) {}

  async *search(req: SearchRequest): AsyncGenerator<LdapEntry[]> {
    this.requests.push(req);
    const answer = this.respond(req);
    if (answer instanceof Error) throw answer;
    for (const page of answer) yield page.map(LdapEntry.fromEntry);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** objectGUID bytes for a readable GUID string (inverse of guidToString). */
export function guidBytes(guid: string): Buffer {
  const hex = guid.replace(/-/g, '');
  const b = Buffer.from(hex, 'hex');
  return Buffer.concat([
    Buffer.from(b.subarray(0, 4)).reverse(),
    Buffer.from(b.subarray(4, 6)).reverse(),
    Buffer.from(b.subarray(6, 8)).reverse(),
    b.subarray(8),
  ]);
}

export function sidBytes(sid: string): Buffer {
  const parts = sid.split('-').slice(1).map(Number);
  const [rev, auth, ...subs] = parts as [number, number, ...number[]];
  const buf = Buffer.alloc(8 + 4 * subs.length);
  buf.writeUInt8(rev, 0);
  buf.writeUInt8(subs.length, 1);
  buf.writeUIntBE(auth, 2, 6);
  subs.forEach((s, i) => buf.writeUInt32LE(s, 8 + 4 * i));
  return buf;
}
