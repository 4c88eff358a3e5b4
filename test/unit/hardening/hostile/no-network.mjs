/**
 * Preload (NODE_OPTIONS=--import <this file>) that ends the process with exit 97 and a line on stderr
 * on any network access: a TCP/TLS connection (all go through net.Socket.prototype.connect), a UDP
 * socket, a DNS lookup. Local IPC (a Unix socket path, which tsx uses to talk to its compiler) is
 * still allowed: it is not the network. Used to prove that a command opens no network connection.
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';

function die(what) {
  process.stderr.write(`spnaudit-test: NETWORK ACCESS: ${what}\n`);
  process.exit(97);
}

/** net's argument forms: (options), (port[, host]), (path); arrays come from internal normalization. */
function target(args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (typeof first === 'string' && !/^\d+$/.test(first)) return { ipc: true, text: first };
  if (first && typeof first === 'object') {
    if (typeof first.path === 'string') return { ipc: true, text: first.path };
    return { ipc: false, text: `${first.host ?? 'localhost'}:${first.port}` };
  }
  return { ipc: false, text: `${args[1] ?? 'localhost'}:${first}` };
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const t = target(args);
  if (!t.ipc) die(`TCP connect to ${t.text}`);
  return connect.apply(this, args);
};
dgram.createSocket = () => die('dgram.createSocket');
for (const name of ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveSrv', 'resolveAny']) {
  dns[name] = () => die(`dns.${name}`);
  dns.promises[name] = () => die(`dns.promises.${name}`);
}
