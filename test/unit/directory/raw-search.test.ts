/**
 * Searches read off the wire (src/directory/raw-search.ts) against a tiny in-process LDAP server:
 * paging and read-ahead, byte-exact values, result codes, timeouts, closed connections, chunking.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openSession, type LdapSession, type SearchRequest } from '../../../src/directory/connection.js';
import { LdapEntry } from '../../../src/directory/entry.js';
import { decodeMessage, frameMessages, ldapResult, type LdapMessage } from '../../lab/faults/ber.js';
import { searchDone, searchEntry } from './ldap-messages.js';

interface Server {
  url: string;
  requests: Array<LdapMessage & { at: number }>;
  close(): Promise<void>;
}

type OnSearch = (index: number, req: LdapMessage, socket: net.Socket) => void;

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function startServer(onSearch: OnSearch): Promise<Server> {
  const requests: Server['requests'] = [];
  const sockets = new Set<net.Socket>();
  let searches = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      const framed = frameMessages(Buffer.concat([pending, chunk]));
      pending = framed.rest;
      for (const raw of framed.messages) {
        const req = decodeMessage(raw);
        requests.push({ ...req, at: Date.now() });
        if (req.op === 0) socket.write(ldapResult(req.messageId, 1, 0));
        else if (req.op === 2) socket.end();
        else if (req.op === 3) onSearch(searches++, req, socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const s: Server = {
    url: `ldap://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    requests,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  servers.push(s);
  return s;
}

async function session(s: Server, timeoutSec = 5, pageSize = 2): Promise<LdapSession> {
  return openSession({ url: s.url, bindDn: 'CN=auditor', password: 'pw', starttls: false, tlsInsecure: false, timeoutSec, pageSize });
}

const request: SearchRequest = { base: 'DC=contoso,DC=test', scope: 'sub', filter: '(servicePrincipalName=*)', attributes: ['sAMAccountName'], binaryAttributes: [], paged: true };

const entry = (id: number, name: string) => searchEntry(id, `CN=${name},DC=contoso,DC=test`, [['sAMAccountName', [name]]]);

/** Pages of names; page i is answered with cookie `p<i+1>` unless it is the last. */
function pages(names: string[][]): OnSearch {
  return (i, req, socket) => {
    const page = names[i] ?? [];
    const cookie = i < names.length - 1 ? Buffer.from(`p${i + 1}`) : Buffer.alloc(0);
    socket.write(Buffer.concat([...page.map((n) => entry(req.messageId, n)), searchDone(req.messageId, 0, cookie)]));
  };
}

async function readAll(s: LdapSession, req: SearchRequest = request, onPage?: (page: LdapEntry[]) => Promise<void>): Promise<string[]> {
  const names: string[] = [];
  for await (const page of s.search(req)) {
    names.push(...page.map((e) => e.string('sAMAccountName')!));
    await onPage?.(page);
  }
  return names;
}

describe('raw paged search', () => {
  it('reads every page in order, values byte for byte (a leading U+FEFF kept)', async () => {
    const server = await startServer(pages([['a', '\ufeffsvc'], ['c', 'd'], ['e']]));
    const s = await session(server);
    expect(await readAll(s)).toEqual(['a', '\ufeffsvc', 'c', 'd', 'e']);
    expect(server.requests.filter((r) => r.op === 3)).toHaveLength(3);
    await s.close();
  });

  it('asks for the next page before the caller has finished with the current one', async () => {
    const server = await startServer(pages([['a'], ['b'], ['c']]));
    const s = await session(server);
    let secondAskedWhileBusy = false;
    await readAll(s, request, async (page) => {
      if (page[0]!.string('sAMAccountName') !== 'a') return;
      await new Promise((r) => setTimeout(r, 100));
      secondAskedWhileBusy = server.requests.filter((r) => r.op === 3).length >= 2;
    });
    expect(secondAskedWhileBusy).toBe(true);
    await s.close();
  });

  it('frames messages split at any byte and several messages per chunk', async () => {
    const server = await startServer((i, req, socket) => {
      const bytes = Buffer.concat([entry(req.messageId, `x${i}`), entry(req.messageId, `y${i}`), searchDone(req.messageId, 0, i < 2 ? Buffer.from('c') : Buffer.alloc(0))]);
      socket.setNoDelay(true);
      let at = 0;
      const drip = () => {
        if (at >= bytes.length) return;
        socket.write(bytes.subarray(at, at + 3));
        at += 3;
        setImmediate(drip);
      };
      drip();
    });
    const s = await session(server);
    expect(await readAll(s)).toEqual(['x0', 'y0', 'x1', 'y1', 'x2', 'y2']);
    await s.close();
  });

  it('an empty page with a cookie is not the end (RFC 2696)', async () => {
    const server = await startServer(pages([['a'], [], ['c']]));
    const s = await session(server);
    expect(await readAll(s)).toEqual(['a', 'c']);
    await s.close();
  });

  it('a result code on the second page: the first page is delivered, then the LDAP error with its code', async () => {
    const server = await startServer((i, req, socket) => {
      if (i === 0) pages([['a'], []])(0, req, socket);
      else socket.write(searchDone(req.messageId, 4, null, 'Size limit exceeded'));
    });
    const s = await session(server);
    const seen: string[] = [];
    const err = await readAll(s, request, async (p) => void seen.push(...p.map((e) => e.dn))).catch((e: unknown) => e);
    expect(seen).toEqual(['CN=a,DC=contoso,DC=test']);
    expect(err).toMatchObject({ code: 4 });
    expect(String((err as Error).message)).toMatch(/Size limit exceeded/);
    await s.close();
  });

  it('a server that stops answering: the request times out, the connection is dropped, later searches refuse', async () => {
    const server = await startServer((i, req, socket) => {
      if (i === 0) pages([['a'], ['b']])(0, req, socket);
    });
    const s = await session(server, 1);
    const started = Date.now();
    await expect(readAll(s)).rejects.toThrow(/^SearchRequest: Operation timed out$/);
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(readAll(s)).rejects.toThrow(/was lost earlier in this run .*not reconnecting unauthenticated/);
    await s.close();
  });

  it('a connection closed in the middle of a page: the closed-connection error', async () => {
    const server = await startServer((i, req, socket) => {
      if (i === 0) pages([['a'], ['b']])(0, req, socket);
      else {
        socket.write(entry(req.messageId, 'b').subarray(0, 5));
        setTimeout(() => socket.destroy(), 20);
      }
    });
    const s = await session(server);
    await expect(readAll(s)).rejects.toThrow(/^Connection closed before message response was received/);
    await s.close();
  });

  it('bytes that are not LDAP drop the connection with the framing error', async () => {
    const server = await startServer((_i, _req, socket) => void socket.write(Buffer.from([0x04, 0x01, 0x00])));
    const s = await session(server);
    await expect(readAll(s)).rejects.toThrow(/not an LDAP message/);
    await s.close();
  });

  it('a caller that stops early leaves the connection usable: the page in flight is drained', async () => {
    const server = await startServer((i, req, socket) => {
      if (i < 2) pages([['a'], ['b'], ['c']])(i, req, socket);
      else socket.write(Buffer.concat([entry(req.messageId, 'z'), searchDone(req.messageId, 0, null)]));
    });
    const s = await session(server);
    for await (const page of s.search(request)) {
      expect(page[0]!.string('sAMAccountName')).toBe('a');
      break;
    }
    const plain = await readAll(s, { ...request, paged: false });
    expect(plain).toEqual(['z']);
    await s.close();
  });
});

describe('raw plain search (the AD range follow-ups of the collector)', () => {
  it('a servicePrincipalName;range=1500-* answer keeps every value byte for byte (a leading U+FEFF too) and merges into the entry', async () => {
    const dn = 'CN=svc,DC=contoso,DC=test';
    const server = await startServer((_i, req, socket) => {
      socket.write(Buffer.concat([searchEntry(req.messageId, dn, [['servicePrincipalName;range=1500-*', ['\ufeffHTTP/a', 'HTTP/b']]]), searchDone(req.messageId, 0, null)]));
    });
    const s = await session(server);
    const first = LdapEntry.fromAttributes(dn, [
      { type: 'servicePrincipalName;range=0-1499', values: [Buffer.from('HTTP/x')] },
      { type: 'servicePrincipalName', values: [] },
    ]);
    const [pending] = first.pendingRanges;
    expect(pending?.next).toBe(1500);
    let answer: LdapEntry | undefined;
    for await (const page of s.search({ base: dn, scope: 'base', filter: '(objectClass=*)', attributes: ['servicePrincipalName;range=1500-*'], binaryAttributes: [], paged: false })) answer = page[0];
    expect(answer).toBeDefined();
    const state = first.mergeRange(answer!, 'servicePrincipalName');
    expect(state.next).toBeNull();
    expect(first.strings('servicePrincipalName')).toEqual(['HTTP/x', '\ufeffHTTP/a', 'HTTP/b']);
    // One plain request: no paged-results control on the wire.
    expect(server.requests.filter((r) => r.op === 3)).toHaveLength(1);
    await s.close();
  });
});

describe('SPNAUDIT_LDAP_READER=ldapts (the way back to ldapts\' reader)', () => {
  afterEach(() => {
    delete process.env.SPNAUDIT_LDAP_READER;
  });

  it('takes effect: the same server read through ldapts shows ldapts\' behaviour (it stops at an empty page with a cookie)', async () => {
    const server = await startServer(pages([['a'], [], ['c']]));
    process.env.SPNAUDIT_LDAP_READER = 'ldapts';
    const s = await session(server);
    expect(await readAll(s)).toEqual(['a']);
    await s.close();
    delete process.env.SPNAUDIT_LDAP_READER;
    const raw = await session(await startServer(pages([['a'], [], ['c']])));
    expect(await readAll(raw)).toEqual(['a', 'c']);
    await raw.close();
  });
});

describe('prefetchPages (the ldapts path, when its internals are not there)', () => {
  it('asks for page N+1 before handing out page N, and swallows a read-ahead the caller no longer wants', async () => {
    const asked: number[] = [];
    async function* source() {
      for (let i = 0; i < 3; i++) {
        asked.push(i);
        if (i === 2) throw new Error('page 2 failed');
        yield { searchEntries: [{ dn: `CN=${i}` }] };
      }
    }
    const { prefetchPages } = await import('../../../src/directory/connection.js');
    const seen: string[] = [];
    for await (const page of prefetchPages(source())) {
      seen.push(page[0]!.dn);
      expect(asked).toContain(seen.length); // the next one was already asked for
      if (seen.length === 2) break; // page 2's failure is not the caller's any more
    }
    expect(seen).toEqual(['CN=0', 'CN=1']);
  });
});
