/**
 * A TCP proxy in front of the lab that sees every LDAP message: it records each request's protocolOp
 * (and a search's filter as it goes on the wire) and lets a test bend the conversation — stall (stop
 * forwarding but keep the socket open, as a hung server does), reset (RST, as a killed DC does), or
 * replace a response. After StartTLS the bytes are TLS: they are forwarded unread and nothing more is
 * recorded on that connection (`encryptedAfterStartTls`).
 */
import net from 'node:net';
import { decodeMessage, frameMessages, STARTTLS_OID, type LdapMessage } from './ber.js';

export type Action = 'forward' | 'stall' | 'reset';

export interface ProxyHooks {
  /** Decide what happens to a request from the client. */
  onRequest?(request: LdapMessage, connection: number): Action;
  /** Decide what happens to a response from the server; a Buffer replaces the message. */
  onResponse?(response: LdapMessage, raw: Buffer, connection: number): Action | Buffer;
}

export interface RecordedRequest extends LdapMessage {
  connection: number;
}

export class LdapProxy {
  readonly requests: RecordedRequest[] = [];
  readonly responses: Array<LdapMessage & { connection: number }> = [];
  /** Connections that switched to TLS with StartTLS; their later requests could not be read. */
  readonly encryptedAfterStartTls = new Set<number>();
  private readonly sockets = new Set<net.Socket>();
  private connections = 0;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  get url(): string {
    return `ldap://127.0.0.1:${this.port}`;
  }

  get connectionCount(): number {
    return this.connections;
  }

  static async start(target: string, hooks: ProxyHooks = {}): Promise<LdapProxy> {
    const { hostname, port } = new URL(target);
    let proxy!: LdapProxy;
    const server = net.createServer((client) => proxy.accept(client, hostname, Number(port || 389), hooks));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    proxy = new LdapProxy(server, (server.address() as net.AddressInfo).port);
    return proxy;
  }

  private accept(client: net.Socket, host: string, port: number, hooks: ProxyHooks): void {
    const id = ++this.connections;
    const upstream = net.connect(port, host);
    this.sockets.add(client);
    this.sockets.add(upstream);
    let stalled = false;
    let clientTls = false;
    let serverTls = false;
    let startTlsId: number | null = null;
    let fromClient: Buffer = Buffer.alloc(0);
    let fromServer: Buffer = Buffer.alloc(0);

    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    const reset = () => {
      stalled = true;
      client.resetAndDestroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', () => {
      this.sockets.delete(client);
      upstream.destroy();
    });
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      // A stalled server keeps the client waiting: that is the fault under test.
      if (!stalled) client.end();
    });

    client.on('data', (chunk: Buffer) => {
      if (stalled) return;
      if (clientTls) {
        upstream.write(chunk);
        return;
      }
      const framed = frameMessages(Buffer.concat([fromClient, chunk]));
      fromClient = framed.rest;
      for (const raw of framed.messages) {
        const request = decodeMessage(raw);
        this.requests.push({ ...request, connection: id });
        const action = hooks.onRequest?.(request, id) ?? 'forward';
        if (action === 'stall') {
          stalled = true;
          return;
        }
        if (action === 'reset') return reset();
        upstream.write(raw);
        if (request.extended?.oid === STARTTLS_OID) {
          startTlsId = request.messageId;
          clientTls = true;
          this.encryptedAfterStartTls.add(id);
          if (fromClient.length > 0) upstream.write(fromClient);
          return;
        }
      }
    });

    upstream.on('data', (chunk: Buffer) => {
      if (stalled) return;
      if (serverTls) {
        client.write(chunk);
        return;
      }
      const framed = frameMessages(Buffer.concat([fromServer, chunk]));
      fromServer = framed.rest;
      for (const raw of framed.messages) {
        const response = decodeMessage(raw);
        this.responses.push({ ...response, connection: id });
        const action = hooks.onResponse?.(response, raw, id) ?? 'forward';
        if (action === 'stall') {
          stalled = true;
          return;
        }
        if (action === 'reset') return reset();
        client.write(Buffer.isBuffer(action) ? action : raw);
        if (response.op === 24 && response.messageId === startTlsId && response.resultCode === 0) {
          serverTls = true;
          if (fromServer.length > 0) client.write(fromServer);
          return;
        }
      }
    });
  }

  /** Request op names in order (all connections), e.g. for the read-only proof. */
  opNames(): string[] {
    return this.requests.map((r) => r.opName);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
