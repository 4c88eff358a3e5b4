import type { Binding } from '../model/iis.js';
import type { SourcePos } from '../model/source.js';
import { show } from './text.js';

export type BindingResult = { ok: true; binding: Binding } | { ok: false; reason: string };

const HTTP_PROTOCOLS = new Set(['http', 'https']);
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6_CHARS = /^[0-9a-fA-F:.%A-Za-z0-9]+$/;
/** Host headers IIS accepts: DNS names, IIS 10 wildcards (`*.contoso.test`), no spaces or slashes. */
const HOST = /^(?:\*\.)?[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?\.?$/;

/**
 * Parse one `<binding protocol bindingInformation>`. http/https use `IP:PORT:HOST` (IP `*`, IPv4 or
 * `[IPv6]`; empty HOST = every name of the machine). Any other protocol (net.tcp `808:*`, net.pipe
 * `*`, msmq.formatname `localhost`, ftp `*:21:`) has its own format and is kept as written.
 */
export function parseBinding(protocolWritten: string, raw: string, pos: SourcePos | null): BindingResult {
  const protocol = protocolWritten.trim().toLowerCase();
  if (!HTTP_PROTOCOLS.has(protocol)) {
    return { ok: true, binding: { protocol: protocolWritten.trim(), isHttp: false, raw, ip: null, port: null, host: null, pos } };
  }
  let ip: string;
  let rest: string;
  if (raw.startsWith('[')) {
    const close = raw.indexOf(']');
    if (close < 0) return { ok: false, reason: 'IPv6 address without closing bracket' };
    ip = raw.slice(1, close);
    if (ip === '' || !ip.includes(':') || !IPV6_CHARS.test(ip)) return { ok: false, reason: `${show(ip)} is not an IPv6 address` };
    if (raw[close + 1] !== ':') return { ok: false, reason: "expected ':' after the IPv6 address" };
    rest = raw.slice(close + 2);
  } else {
    const colon = raw.indexOf(':');
    if (colon < 0) return { ok: false, reason: 'expected IP:PORT:HOST' };
    ip = raw.slice(0, colon);
    rest = raw.slice(colon + 1);
    if (ip === '') ip = '*';
    if (ip !== '*' && !IPV4.test(ip)) return { ok: false, reason: `${show(ip)} is not '*', an IPv4 address or a bracketed IPv6 address` };
  }
  const colon = rest.indexOf(':');
  if (colon < 0) return { ok: false, reason: 'expected IP:PORT:HOST (two colons)' };
  const portText = rest.slice(0, colon);
  const host = rest.slice(colon + 1).trim().toLowerCase();
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    return { ok: false, reason: `port ${show(portText)} is not a number from 1 to 65535` };
  }
  if (host !== '' && !HOST.test(host)) return { ok: false, reason: `host ${show(host)} is not a valid host name` };
  return { ok: true, binding: { protocol, isHttp: true, raw, ip, port: Number(portText), host: host.replace(/\.$/, ''), pos } };
}
