import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openSession } from '../../../src/directory/connection.js';
import { ConnectionError } from '../../../src/errors.js';
import { ldapResult } from '../../lab/faults/ber.js';

/**
 * A server that accepts StartTLS (ExtendedResponse success) and then never answers the TLS
 * handshake: ldapts has no timer there, so without our own the run would hang for good.
 */
const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function stallAfterStartTls(): Promise<{ url: string; closed: Promise<void>; bytesAfterStartTls: () => number }> {
  let answered = false;
  let after = 0;
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => markClosed());
    socket.on('data', (chunk: Buffer) => {
      if (answered) {
        after += chunk.length; // the TLS ClientHello: never answered
        return;
      }
      answered = true;
      socket.write(ldapResult(1, 24, 0)); // ExtendedResponse, success
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `ldap://127.0.0.1:${(server.address() as net.AddressInfo).port}`, closed, bytesAfterStartTls: () => after };
}

describe('StartTLS', () => {
  it('gives up on a server that stalls the TLS handshake after --timeout, with one line, and closes the socket', async () => {
    const s = await stallAfterStartTls();
    const started = Date.now();
    const err = await openSession({ url: s.url, bindDn: 'CN=auditor', password: 'pw', starttls: true, tlsInsecure: true, timeoutSec: 1, pageSize: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toMatch(/^StartTLS on ldap:\/\/127\.0\.0\.1:\d+ timed out \(the TLS handshake after StartTLS timed out after 1 s\); raise --timeout/);
    expect((err as Error).message).not.toContain('pw');
    expect(Date.now() - started).toBeLessThan(10_000);
    // The client did start the handshake (so the stall really was there), then hung up.
    expect(s.bytesAfterStartTls()).toBeGreaterThan(0);
    await s.closed;
  });
});
