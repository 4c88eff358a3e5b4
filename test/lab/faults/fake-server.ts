/**
 * Tiny LDAP-ish TCP servers for faults the real lab cannot produce: a server that refuses StartTLS
 * with an LDAP result code, and one that closes every connection as soon as it opens.
 */
import net from 'node:net';
import { decodeMessage, frameMessages, ldapResult, type LdapMessage } from './ber.js';

export interface FakeServer {
  url: string;
  /** Every request the server saw. */
  requests: LdapMessage[];
  close(): Promise<void>;
}

export type FakeBehaviour =
  /** Answer the StartTLS extended request with this result code (and anything else with success). */
  | { kind: 'refuse-starttls'; resultCode: number; diagnostic: string }
  /** Accept, then close at once without a word. */
  | { kind: 'close-on-connect' };

export async function startFakeServer(behaviour: FakeBehaviour): Promise<FakeServer> {
  const requests: LdapMessage[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    if (behaviour.kind === 'close-on-connect') {
      socket.end();
      return;
    }
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      const framed = frameMessages(Buffer.concat([pending, chunk]));
      pending = framed.rest;
      for (const raw of framed.messages) {
        const request = decodeMessage(raw);
        requests.push(request);
        if (request.op === 23) socket.write(ldapResult(request.messageId, 24, behaviour.resultCode, behaviour.diagnostic));
        else if (request.op === 0) socket.write(ldapResult(request.messageId, 1, 0));
        else if (request.op === 2) socket.end();
        else socket.write(ldapResult(request.messageId, 5, 0));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `ldap://127.0.0.1:${port}`,
    requests,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
