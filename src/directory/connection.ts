/**
 * One authenticated LDAP session (ldapts): ldap:// with optional StartTLS, or ldaps://; TLS
 * verification on unless explicitly disabled; simple bind. Every failure becomes a one-line
 * ConnectionError that says what failed, where, and what to do.
 */
import { readFile } from 'node:fs/promises';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { Client, ResultCodeError, type Entry } from 'ldapts';
import { ConnectionError, UsageError, oneLine } from '../errors.js';
import { bufferAttributeNames, LdapEntry } from './entry.js';
import { toLdapFilter } from './filter.js';
import { installRouter, rawSearch } from './raw-search.js';

export interface ConnectionSettings {
  url: string;
  bindDn: string;
  password: string;
  caFile?: string | undefined;
  starttls: boolean;
  tlsInsecure: boolean;
  /** Name to verify the server certificate against when the URL holds an IP or another alias. */
  tlsServerName?: string | undefined;
  /** Per-request and connect timeout, seconds. Also sent to the server as the search timeLimit. */
  timeoutSec: number;
  pageSize: number;
}

export interface SearchRequest {
  base: string;
  scope: 'base' | 'one' | 'sub';
  filter: string;
  attributes: string[];
  binaryAttributes: string[];
  paged: boolean;
}

export interface LdapSession {
  readonly url: string;
  /** Yields one page of entries at a time; never accumulates the whole result. */
  search(request: SearchRequest): AsyncGenerator<LdapEntry[]>;
  close(): Promise<void>;
}

/** `promise`, or a rejection with `message` after `seconds`; the caller cleans up what was left running. */
function withinTimeout<T>(promise: Promise<T>, seconds: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), seconds * 1000);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function parseLdapUrl(url: string): { secure: boolean; host: string; port: number } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url '${url}' is not a URL (expected ldap://host[:port] or ldaps://host[:port])`);
  }
  if (parsed.protocol !== 'ldap:' && parsed.protocol !== 'ldaps:') {
    throw new UsageError(`--url '${url}' must start with ldap:// or ldaps://`);
  }
  if ((parsed.pathname && parsed.pathname !== '/') || parsed.search || parsed.username || parsed.password) {
    throw new UsageError(`--url '${url}' must hold only scheme, host and port (give the base DN with --base-dn)`);
  }
  const secure = parsed.protocol === 'ldaps:';
  return { secure, host: parsed.hostname.replace(/^\[|\]$/g, ''), port: parsed.port ? Number(parsed.port) : secure ? 636 : 389 };
}

async function tlsOptions(s: ConnectionSettings, host: string): Promise<TlsOptions> {
  const opts: TlsOptions = { rejectUnauthorized: !s.tlsInsecure, minVersion: 'TLSv1.2' };
  if (s.caFile) {
    try {
      opts.ca = [await readFile(s.caFile)];
    } catch (err) {
      throw new UsageError(`cannot read --ca-file ${s.caFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  const serverName = s.tlsServerName ?? host;
  // SNI must not be an IP literal; the identity check still uses serverName.
  if (!/^[\d.]+$|:/.test(serverName)) opts.servername = serverName;
  if (s.tlsServerName) {
    const { checkServerIdentity } = await import('node:tls');
    opts.checkServerIdentity = (_host, cert) => checkServerIdentity(s.tlsServerName!, cert);
  }
  return opts;
}

export async function openSession(s: ConnectionSettings): Promise<LdapSession> {
  const { secure, host } = parseLdapUrl(s.url);
  if (secure && s.starttls) throw new UsageError('--starttls is for ldap:// URLs; ldaps:// is already TLS');
  const tls = secure || s.starttls ? await tlsOptions(s, host) : undefined;
  const client = new Client({
    url: s.url,
    timeout: s.timeoutSec * 1000,
    connectTimeout: s.timeoutSec * 1000,
    ...(secure && tls ? { tlsOptions: tls } : {}),
    strictDN: false,
  });
  const where = `${s.url}`;
  try {
    if (s.starttls && tls) {
      try {
        // ldapts times the StartTLS request but not the TLS handshake after it: a server that
        // stalls there would hang the run (and keep the process alive) for good.
        await withinTimeout(client.startTLS(tls), s.timeoutSec, `the TLS handshake after StartTLS timed out after ${s.timeoutSec} s`);
      } catch (err) {
        throw describeLdapError(err, where, s.bindDn, 'StartTLS');
      }
    }
    try {
      await client.bind(s.bindDn, s.password);
    } catch (err) {
      throw describeLdapError(err, where, s.bindDn, 'bind');
    }
  } catch (err) {
    await client.unbind().catch(() => undefined);
    throw err;
  }
  // Searches read the answers off the connection themselves (raw-search.ts); if this ldapts version
  // lacks the internals that needs, or SPNAUDIT_LDAP_READER=ldapts asks for it (a way back should a
  // directory server answer in a way the byte reader refuses), they go through ldapts as before.
  const raw = process.env.SPNAUDIT_LDAP_READER !== 'ldapts' && installRouter(client);
  return {
    url: s.url,
    async *search(req: SearchRequest): AsyncGenerator<LdapEntry[]> {
      // ldapts reconnects a dropped connection by itself, without the bind (and, after StartTLS, in
      // clear text): anything read that way would be what an anonymous user may see, not the directory.
      if (!client.isBound) {
        throw new ConnectionError(`the connection to ${where} was lost earlier in this run (reset or timed out); not reconnecting unauthenticated`);
      }
      // Our own parser: ldapts' would send escaped bytes >= 0x80 (every binary SID) as UTF-8 pairs.
      const filter = toLdapFilter(req.filter);
      if (raw) {
        // Every value arrives as bytes and is decoded by LdapEntry (ldapts' TextDecoder drops a leading
        // U+FEFF, so a sAMAccountName '\ufeffsvc_sql' would read as the real 'svc_sql').
        yield* rawSearch(client, {
          base: req.base,
          scope: req.scope,
          filter,
          attributes: req.attributes,
          timeLimit: s.timeoutSec,
          pageSize: req.paged ? s.pageSize : null,
          timeoutMs: s.timeoutSec * 1000,
        });
        return;
      }
      const options = {
        scope: req.scope,
        filter,
        attributes: req.attributes,
        // Every attribute as bytes, decoded by LdapEntry (see above). (Ranged follow-up answers, e.g.
        // servicePrincipalName;range=1500-2999, have names we cannot list in advance and still go through ldapts.)
        explicitBufferAttributes: bufferAttributeNames([...req.attributes, ...req.binaryAttributes]),
        timeLimit: s.timeoutSec,
        sizeLimit: 0,
        ...(req.paged ? { paged: { pageSize: s.pageSize } } : {}),
      };
      if (req.paged) {
        for await (const page of prefetchPages(client.searchPaginated(req.base, options))) yield page.map(LdapEntry.fromEntry);
      } else {
        const result = await client.search(req.base, options);
        yield result.searchEntries.map(LdapEntry.fromEntry);
      }
    },
    async close() {
      await client.unbind().catch(() => undefined);
    },
  };
}

/**
 * Asks for page N+1 before handing page N to the caller: the DC computes the next page while we
 * decode this one, instead of idling until we ask (a paged search is otherwise strictly
 * request → page → decode → request). At most one page is read ahead. A read-ahead that fails after
 * the caller stopped early is swallowed (the caller no longer wants it); one the caller waits for
 * rethrows as usual.
 */
export async function* prefetchPages(pages: AsyncIterable<{ searchEntries: Entry[] }>): AsyncGenerator<Entry[]> {
  const it = pages[Symbol.asyncIterator]();
  let next: Promise<IteratorResult<{ searchEntries: Entry[] }>> | null = it.next();
  try {
    for (;;) {
      const current: IteratorResult<{ searchEntries: Entry[] }> = await next;
      next = null;
      if (current.done) return;
      next = it.next();
      yield current.value.searchEntries;
    }
  } finally {
    if (next) {
      // Stopped early (break or a throw in the caller's loop): let the pending page finish, ignore it.
      next.catch(() => undefined);
    }
  }
}

const AD_BIND_DATA: Record<string, string> = {
  '525': 'user not found',
  '52e': 'invalid credentials',
  '530': 'logon not permitted at this time',
  '531': 'logon not permitted from this workstation',
  '532': 'password expired',
  '533': 'account disabled',
  '701': 'account expired',
  '773': 'password must be reset',
  '775': 'account locked out',
};

const TLS_CODES: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the certificate is not signed by a trusted CA',
  SELF_SIGNED_CERT_IN_CHAIN: 'the certificate chain ends in an untrusted self-signed CA',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed and not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the issuing CA is not trusted',
  CERT_HAS_EXPIRED: 'the certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate does not name this host',
};

/** One line: what failed, where, and what to do. Never includes the password. */
export function describeLdapError(err: unknown, where: string, bindDn: string, operation: string): ConnectionError {
  const e = err as NodeJS.ErrnoException & { code?: string | number; reason?: string };
  if (err instanceof ResultCodeError && operation === 'StartTLS') {
    // Whatever the code (2 unsupported, 52 no TLS configured, 53 unwilling…), the server is up and said no.
    return new ConnectionError(`${where} refused StartTLS (LDAP ${err.code}: ${oneLine(err.message.replace(/\s*Code: 0x[0-9a-f]+$/i, '')).slice(0, 200)}); use ldaps:// or check the DC's certificate`);
  }
  if (err instanceof ResultCodeError) {
    const data = /data ([0-9a-f]{3})/i.exec(err.message)?.[1]?.toLowerCase();
    switch (err.code) {
      case 49:
        return new ConnectionError(
          `${operation} as '${bindDn}' to ${where} rejected: ${data ? (AD_BIND_DATA[data] ?? 'invalid credentials') : 'invalid credentials'} (LDAP 49); check --bind-dn and the password source`,
        );
      case 8:
        return new ConnectionError(
          `${where} requires an encrypted connection for simple bind (LDAP 8, strong auth required); use ldaps:// or --starttls`,
        );
      case 13:
        return new ConnectionError(`${where} requires confidentiality (LDAP 13); use ldaps:// or --starttls`);
      case 52:
        return new ConnectionError(`${where} is unavailable (LDAP 52); try another domain controller`);
      case 51:
        return new ConnectionError(`${where} is busy (LDAP 51); retry later or use another domain controller`);
    }
    return new ConnectionError(`${operation} on ${where} failed: LDAP result ${err.code} (${err.message.split('\n')[0]})`);
  }
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code && TLS_CODES[code]) {
    return new ConnectionError(
      `TLS verification of ${where} failed: ${TLS_CODES[code]} (${code}); pass --ca-file with the issuing CA${code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? ' and --tls-server-name with the name on the certificate' : ''}, or --tls-insecure to skip verification (not recommended)`,
    );
  }
  switch (code) {
    case 'ECONNREFUSED':
      return new ConnectionError(`cannot connect to ${where}: connection refused (is the domain controller up and the port open?)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectionError(`cannot resolve the host of ${where} (${code}); check --url and DNS`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ConnectionError(`cannot reach ${where} (${code}); check the network path`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new ConnectionError(`${where} closed the connection during ${operation} (${code}); for ldaps:// check the port is LDAPS, for ldap:// try --starttls`);
  }
  const message = err instanceof Error ? err.message : String(err);
  if (/^Connection closed before message response/.test(message)) {
    return new ConnectionError(`${where} closed the connection during ${operation} without an answer; is this an LDAP port that accepts connections from here?`);
  }
  if (/timed? ?out/i.test(message)) {
    return new ConnectionError(`${operation} on ${where} timed out (${message}); raise --timeout or check the network path`);
  }
  if (/wrong version number|packet length too long|ssl/i.test(message)) {
    return new ConnectionError(`TLS handshake with ${where} failed (${message}); is the port speaking LDAPS?`);
  }
  return new ConnectionError(`${operation} on ${where} failed: ${message}`);
}
