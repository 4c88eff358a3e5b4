/**
 * Searches read straight off the bound ldapts connection, without ldapts' response objects.
 *
 * ldapts is still what connects, verifies TLS, does StartTLS, binds and unbinds. After the bind, a
 * MessageRouter takes the place of its message parser on that connection: it frames the incoming
 * bytes into LDAPMessages, hands the answers to our searches to them, and passes anything else
 * whole to ldapts' parser. Why (measured on a 20,000-account Samba DC, see docs/performance.md):
 *
 * - a paged search asks for page N+1 the moment page N's SearchResultDone (with the cookie) arrives,
 *   before page N is decoded, so the DC computes the next page while we decode this one — ldapts
 *   decodes every entry of the page and hands it to the caller first, and the DC idles meanwhile;
 * - entries are decoded once, from bytes: ldapts decodes every value with a TextDecoder (dropping a
 *   leading U+FEFF) and builds an object per entry that we then took apart and decoded again.
 *
 * Same protocol as before: the same SearchRequest and paged-results control bytes (ldapts' own
 * encoders), the same result-code errors (ldapts' StatusCodeParser), the same timeout and closed-
 * connection messages; a timed-out request destroys the connection as ldapts does, so it is never
 * reused unauthenticated.
 */
import type { Duplex } from 'node:stream';
import { PagedResultsControl, SearchRequest, StatusCodeParser, type Client, type Filter } from 'ldapts';
import { BerCursor, BerError, TAG, messageLength, readMessageHead, readPagedCookie, readSearchDone, readSearchEntry, type MessageHead } from './ber.js';
import { LdapEntry } from './entry.js';

/** The parts of an ldapts Client this module relies on (not in its typings; checked at install). */
interface ClientInternals {
  socket?: Duplex & { destroyed: boolean };
  messageParser: { read(data: Buffer, details: unknown): void };
  _nextMessageId(): number;
  /** Destroys the socket and marks the client unbound at once (optional: else the close event does). */
  _destroySocket?(socket: unknown): void;
}

type Handler = (head: MessageHead, cursor: BerCursor) => void;

/** Frames the connection's bytes into LDAPMessages and dispatches them by messageID. */
export class MessageRouter {
  private pending: Buffer | null = null;
  private readonly handlers = new Map<number, Handler>();
  /** Why the stream became unreadable, if it did (the connection is then destroyed). */
  error: Error | null = null;

  constructor(
    private readonly forward: (message: Buffer, details: unknown) => void,
    private readonly destroy: (err: Error) => void,
  ) {}

  on(messageId: number, handler: Handler): void {
    this.handlers.set(messageId, handler);
  }

  off(messageId: number): void {
    this.handlers.delete(messageId);
  }

  /** Called by ldapts' socket data handler in place of its own parser. */
  read(data: Buffer, details: unknown): void {
    if (this.error) return;
    const buf = this.pending ? Buffer.concat([this.pending, data]) : data;
    this.pending = null;
    let pos = 0;
    try {
      const cursor = new BerCursor(buf);
      for (;;) {
        const length = messageLength(buf, pos);
        if (length < 0) break;
        const head = readMessageHead(cursor, pos, length);
        const handler = this.handlers.get(head.messageId);
        if (handler) handler(head, cursor);
        else this.forward(buf.subarray(pos, pos + length), details);
        pos += length;
      }
    } catch (err) {
      this.error = err instanceof Error ? err : new Error(String(err));
      this.handlers.clear();
      this.destroy(this.error);
      return;
    }
    if (pos < buf.length) this.pending = pos === 0 ? buf : buf.subarray(pos);
  }
}

const routers = new WeakMap<Client, { router: MessageRouter; internals: ClientInternals }>();

/**
 * Puts a MessageRouter in front of ldapts' parser on a bound client. Returns false (and changes
 * nothing) when this ldapts version does not have the internals it needs; searches then go through
 * ldapts as before.
 */
export function installRouter(client: Client): boolean {
  const internals = client as unknown as ClientInternals;
  const original = internals.messageParser;
  if (!internals.socket || typeof original?.read !== 'function' || typeof internals._nextMessageId !== 'function') return false;
  const router = new MessageRouter(
    (message, details) => original.read(message, details),
    (err) => internals.socket?.destroy(err),
  );
  internals.messageParser = router;
  routers.set(client, { router, internals });
  return true;
}

export function hasRouter(client: Client): boolean {
  return routers.has(client);
}

export interface RawSearchOptions {
  base: string;
  scope: 'base' | 'one' | 'sub';
  filter: Filter;
  attributes: string[];
  timeLimit: number;
  /** Page size for a paged search; null for one plain request. */
  pageSize: number | null;
  /** Per-request timeout, ms (0: none). */
  timeoutMs: number;
}

interface Page {
  entries: Buffer[];
  error: Error | null;
  last: boolean;
}

/**
 * One search on a client with a router: yields each page as LdapEntry[] (all values bytes). A paged
 * search keeps at most one request in flight and at most two undelivered pages.
 */
export async function* rawSearch(client: Client, opts: RawSearchOptions): AsyncGenerator<LdapEntry[]> {
  const installed = routers.get(client);
  if (!installed) throw new Error('rawSearch needs installRouter() first');
  const { router, internals } = installed;
  const socket = internals.socket;
  const control = opts.pageSize === null ? null : new PagedResultsControl({ value: { size: opts.pageSize } });
  const request = new SearchRequest({
    messageId: 0,
    baseDN: opts.base,
    scope: opts.scope,
    filter: opts.filter,
    attributes: opts.attributes,
    sizeLimit: 0,
    timeLimit: opts.timeLimit,
    ...(control ? { controls: [control] } : {}),
  });

  const queue: Page[] = [];
  let current: Buffer[] = [];
  let inFlight: number | null = null;
  let nextCookie: Buffer | null = null;
  let stopped = false;
  let failed: Error | null = null;
  let timer: NodeJS.Timeout | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };

  const clearTimer = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };

  const fail = (err: Error) => {
    if (failed) return;
    failed = err;
    clearTimer();
    if (inFlight !== null) router.off(inFlight);
    inFlight = null;
    notify();
  };

  const onClose = () => {
    if (inFlight !== null || nextCookie !== null) {
      fail(router.error ?? closedError());
    }
  };

  const handler: Handler = (head, c) => {
    if (head.op === TAG.SEARCH_ENTRY) {
      if (!stopped) current.push(c.buf.subarray(head.opStart, head.opEnd));
      return;
    }
    if (head.op === TAG.SEARCH_REFERENCE) return; // continuation references: not followed (as before)
    if (head.op !== TAG.SEARCH_DONE) throw new BerError(`unexpected protocol operation 0x${head.op.toString(16)} in a search answer`);
    clearTimer();
    router.off(head.messageId);
    inFlight = null;
    const done = readSearchDone(c, head.opStart, head.opEnd);
    const cookie = control && head.controlsStart >= 0 ? readPagedCookie(c, head.controlsStart, head.controlsEnd) : null;
    const page: Page = { entries: current, error: null, last: true };
    current = [];
    if (done.resultCode !== 0) {
      page.error = StatusCodeParser.parse({ status: done.resultCode, errorMessage: done.diagnosticMessage } as Parameters<typeof StatusCodeParser.parse>[0]);
    } else if (cookie && cookie.length > 0) {
      // RFC 2696: a non-empty cookie means more pages, even after an empty one.
      page.last = false;
      nextCookie = cookie;
    }
    queue.push(page);
    if (!stopped) sendNext();
    notify();
  };

  const send = (cookie: Buffer | null) => {
    if (!socket || socket.destroyed || internals.socket !== socket) {
      fail(router.error ?? closedError());
      return;
    }
    const id = internals._nextMessageId();
    request.messageId = id;
    if (control) control.value = cookie ? { size: opts.pageSize!, cookie } : { size: opts.pageSize! };
    inFlight = id;
    router.on(id, handler);
    if (opts.timeoutMs > 0) {
      timer = setTimeout(() => {
        timer = null;
        // As ldapts does: the connection is dropped (and the client unbound at once), so nothing is ever
        // read from it unauthenticated.
        if (typeof internals._destroySocket === 'function') internals._destroySocket(socket);
        else socket.destroy();
        fail(new Error('SearchRequest: Operation timed out'));
      }, opts.timeoutMs);
    }
    socket.write(request.write());
  };

  /** Ask for the next page while no request is in flight and at most one page waits for the caller. */
  const sendNext = () => {
    if (failed || stopped || inFlight !== null || nextCookie === null || queue.length > 1) return;
    const cookie = nextCookie;
    nextCookie = null;
    send(cookie);
  };

  socket?.on('close', onClose);
  try {
    send(null);
    for (;;) {
      const page = queue.shift();
      if (!page) {
        if (failed) throw failed;
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      sendNext();
      if (page.error) throw page.error;
      yield decodeEntries(page.entries);
      if (page.last) return;
    }
  } finally {
    stopped = true;
    nextCookie = null;
    // A request still in flight keeps its handler until its SearchResultDone, so its entries are
    // consumed here instead of reaching ldapts' parser.
    if (inFlight === null) socket?.off('close', onClose);
    else {
      const id = inFlight;
      router.on(id, (head) => {
        if (head.op !== TAG.SEARCH_DONE) return;
        router.off(id);
        clearTimer();
        socket?.off('close', onClose);
      });
    }
  }
}

/** ldapts' message for a connection that closed under a request (kept word for word). */
function closedError(): Error {
  return new Error('Connection closed before message response was received. Message type: SearchRequest (0x63)');
}

function decodeEntries(raw: readonly Buffer[]): LdapEntry[] {
  const out: LdapEntry[] = new Array<LdapEntry>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const buf = raw[i]!;
    const { dn, attributes } = readSearchEntry(new BerCursor(buf), 0, buf.length);
    out[i] = LdapEntry.fromAttributes(dn, attributes);
  }
  return out;
}
