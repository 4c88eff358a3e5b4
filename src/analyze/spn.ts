/**
 * SPN parsing and normalization. The comparison key is the stored value lower-cased and nothing
 * else: the KDC matches the stored string (case-insensitively), so a value with stray whitespace or
 * a trailing dot does NOT provide the clean SPN. Such values are reported by malformed-spn instead
 * of being silently "repaired" here.
 */
import type { ParsedSpn } from './types.js';

export type SpnParse = { ok: true; spn: ParsedSpn } | { ok: false; reason: string };

/** Service classes browsers use for HTTP Negotiate (HTTPS uses HTTP/ too). */
export const HTTP_CLASSES: ReadonlySet<string> = new Set(['http', 'www', 'w3svc']);

/** The comparison key of an SPN value (case-insensitive, exactly as stored otherwise). */
export function spnKey(value: string): string {
  return value.toLowerCase();
}

/** Controls, line breaks and invisible/bidi characters never belong in an SPN. */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00a0\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;

/**
 * Parses `class/host[:port|:instance][/serviceName]`. Returns the reason when the value cannot be
 * an SPN at all (empty parts, wrong number of parts, whitespace, URL syntax, bad port). Values that
 * parse but are still wrong for their purpose (HTTPS/ class, trailing dot, :80 on HTTP) parse here
 * and are judged by {@link spnDefects}.
 */
export function tryParseSpn(value: string): SpnParse {
  // Rules parse the same value back to back (spnDefects, then parseSpn): remember the last one.
  if (value === lastParsed.value && lastParsed.result !== null) return lastParsed.result;
  const result = parsePlain(value) ?? parseFull(value);
  lastParsed.value = value;
  lastParsed.result = result;
  return result;
}

const lastParsed: { value: string; result: SpnParse | null } = { value: '', result: null };

/** `class/host` or `class/host:port` of plain characters: nearly every SPN in a directory. */
const PLAIN = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)(?::(\d{1,5}))?$/;

/**
 * The common case without the checks of {@link parseFull}, which such a value passes by
 * construction (one "/", no whitespace, no URL scheme, at most one ":" followed by digits).
 * Returns null for anything else, including ports out of range, so parseFull gives the reason.
 */
function parsePlain(value: string): SpnParse | null {
  const m = PLAIN.exec(value);
  if (!m) return null;
  const port = m[3] === undefined ? null : Number(m[3]);
  if (port !== null && (port < 1 || port > 65535)) return null;
  return {
    ok: true,
    spn: { original: value, key: spnKey(value), serviceClass: m[1]!, host: m[2]!, port, instance: null, serviceName: null },
  };
}

function parseFull(value: string): SpnParse {
  if (value.length === 0) return { ok: false, reason: 'empty value' };
  if (value !== value.trim()) return { ok: false, reason: 'leading or trailing whitespace (the KDC matches the stored value, so this SPN is never requested)' };
  if (/\s/u.test(value)) return { ok: false, reason: 'contains whitespace' };
  if (INVISIBLE.test(value)) return { ok: false, reason: 'contains control or invisible characters' };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return { ok: false, reason: 'looks like a URL (the SPN is class/host, e.g. HTTP/web.contoso.test)' };

  const parts = value.split('/');
  if (parts.length < 2) return { ok: false, reason: 'missing "/" between service class and host' };
  if (parts.length > 3) return { ok: false, reason: `has ${parts.length} "/"-separated parts (an SPN has 2 or 3)` };
  const [serviceClass = '', hostPart = '', serviceName] = parts;
  if (serviceClass === '') return { ok: false, reason: 'empty service class' };
  if (serviceClass.includes(':')) return { ok: false, reason: `service class "${serviceClass}" contains ":" (URL-like)` };
  if (hostPart === '') return { ok: false, reason: 'empty host' };
  if (serviceName !== undefined && serviceName === '') return { ok: false, reason: 'empty service name after the second "/"' };

  const hostAndPort = splitHostPort(hostPart);
  if (!hostAndPort.ok) return hostAndPort;
  const { host, port, instance } = hostAndPort;

  return {
    ok: true,
    spn: {
      original: value,
      key: spnKey(value),
      serviceClass,
      host,
      port,
      instance,
      serviceName: serviceName ?? null,
    },
  };
}

/** The parsed SPN, or null when the value is not an SPN (see {@link tryParseSpn} for the reason). */
export function parseSpn(value: string): ParsedSpn | null {
  const r = tryParseSpn(value);
  return r.ok ? r.spn : null;
}

type HostPort = { ok: true; host: string; port: number | null; instance: string | null } | { ok: false; reason: string };

function splitHostPort(hostPart: string): HostPort {
  let host: string;
  let rest: string | null;
  if (hostPart.startsWith('[')) {
    // Bracketed IPv6 literal: [fe80::1]:8080
    const close = hostPart.indexOf(']');
    if (close < 0) return { ok: false, reason: 'unterminated "[" in host' };
    host = hostPart.slice(1, close);
    const after = hostPart.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return { ok: false, reason: 'unexpected text after "]" in host' };
    rest = after === '' ? null : after.slice(1);
  } else if ((hostPart.match(/:/g) ?? []).length > 1) {
    // Unbracketed IPv6 literal: no port can be told apart, so the whole part is the host.
    host = hostPart;
    rest = null;
  } else {
    const colon = hostPart.indexOf(':');
    host = colon < 0 ? hostPart : hostPart.slice(0, colon);
    rest = colon < 0 ? null : hostPart.slice(colon + 1);
  }
  if (host === '') return { ok: false, reason: 'empty host' };
  if (/[\\@]/.test(host)) return { ok: false, reason: `host "${host}" contains "\\" or "@"` };
  if (rest === null) return { ok: true, host, port: null, instance: null };
  if (rest === '') return { ok: false, reason: 'empty port or instance after ":"' };
  if (/^\d+$/.test(rest)) {
    const port = Number(rest);
    if (port < 1 || port > 65535) return { ok: false, reason: `port ${rest} is out of range` };
    return { ok: true, host, port, instance: null };
  }
  return { ok: true, host, port: null, instance: rest };
}

export function isHttpClass(serviceClass: string): boolean {
  return HTTP_CLASSES.has(serviceClass.toLowerCase());
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export function isIpLiteral(host: string): boolean {
  if (IPV4.test(host)) return true;
  return host.includes(':') && /^[0-9a-f:.]+(%[\w.-]+)?$/i.test(host);
}

export type SpnDefectCode =
  | 'unparseable'
  | 'https-class'
  | 'trailing-dot'
  | 'default-port'
  | 'ip-literal';

export interface SpnDefect {
  code: SpnDefectCode;
  severity: 'error' | 'warning' | 'info';
  message: string;
}

/**
 * True for the common clean shape `class/host` of plain characters ([A-Za-z0-9_.-], no port, no
 * trailing dot, a host that is no IPv4 literal, a class other than HTTPS), for which spnDefects
 * finds nothing and parseSpn gives no port, instance or service name. Allocation-free, for scans
 * of millions of SPNs; false only means "look closer".
 */
export function isCleanPlainSpn(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash <= 0 || slash >= value.length - 1 || value.charCodeAt(value.length - 1) === 0x2e) return false;
  let hostHasNonDigit = false;
  for (let i = 0; i < value.length; i += 1) {
    if (i === slash) continue;
    const c = value.charCodeAt(i);
    const lower = c | 0x20;
    const digit = c >= 0x30 && c <= 0x39;
    if (!(digit || (lower >= 0x61 && lower <= 0x7a) || c === 0x2d || c === 0x2e || c === 0x5f)) return false;
    if (i > slash && !digit && c !== 0x2e) hostHasNonDigit = true;
  }
  // Digits and dots only could be an IPv4 literal (ip-literal defect): the full check decides.
  if (!hostHasNonDigit) return false;
  return !(slash === 5 && value.slice(0, 5).toLowerCase() === 'https');
}

/**
 * What is wrong with a stored SPN value, independent of who holds it. Empty for a good SPN.
 * Ports and instance names are normal on non-HTTP classes (MSSQLSvc/host:1433, MSSQLSvc/host:INST).
 */
export function spnDefects(value: string): SpnDefect[] {
  return isCleanPlainSpn(value) ? [] : spnDefectsByParsing(value);
}

/** spnDefects without the isCleanPlainSpn shortcut (exported so tests can hold the two to the same answers). */
export function spnDefectsByParsing(value: string): SpnDefect[] {
  const parsed = tryParseSpn(value);
  if (!parsed.ok) return [{ code: 'unparseable', severity: 'error', message: parsed.reason }];
  const spn = parsed.spn;
  const defects: SpnDefect[] = [];
  const cls = spn.serviceClass.toLowerCase();
  if (cls === 'https') {
    defects.push({
      code: 'https-class',
      severity: 'error',
      message: 'service class HTTPS is never requested: browsers ask for HTTP/<host> for https:// URLs too',
    });
  }
  if (spn.host.endsWith('.')) {
    defects.push({
      code: 'trailing-dot',
      severity: 'error',
      message: `host "${spn.host}" ends with a dot; browsers request the name without it`,
    });
  }
  if ((isHttpClass(cls) || cls === 'https') && (spn.port === 80 || spn.port === 443)) {
    defects.push({
      code: 'default-port',
      severity: 'error',
      message: `port ${spn.port} is never part of the SPN browsers request (they omit default ports)`,
    });
  }
  if (isIpLiteral(spn.host)) {
    defects.push({
      code: 'ip-literal',
      severity: 'info',
      message: `host is an IP address: only clients with TryIPSPN (Windows 10 1507 / Server 2016+) request it`,
    });
  }
  return defects;
}

/** Builds an SPN string; hosts are written lower-case (how Windows registers them by default). */
export function formatSpn(serviceClass: string, host: string, port: number | null = null): string {
  return `${serviceClass}/${host.toLowerCase()}${port === null ? '' : `:${port}`}`;
}

/** The first DNS label of a dotted name ("intranet" for "intranet.contoso.test"), or null. */
export function shortName(host: string): string | null {
  const dot = host.indexOf('.');
  return dot > 0 ? host.slice(0, dot) : null;
}

/**
 * Service classes Windows registers on computer accounts itself (domain join, DC promotion, RDP,
 * WinRM). Removing them breaks SMB, RPC, remoting or replication, so fixes never do.
 */
export const MACHINE_SPN_CLASSES: ReadonlySet<string> = new Set([
  'host',
  'restrictedkrbhost',
  'termsrv',
  'wsman',
  'ldap',
  'gc',
  'dns',
  'e3514235-4b06-11d1-ab04-00c04fc2dcd2',
  'dfsr-12f9a27c-bf97-4787-9364-d31b6c55eb04',
]);

/** true when `spn` on an account of this kind is machine-registered and must never be removed. */
export function isProtectedMachineSpn(kind: 'user' | 'computer' | 'gmsa' | 'msa', spn: string): boolean {
  if (kind !== 'computer') return false;
  const slash = spn.indexOf('/');
  return slash > 0 && MACHINE_SPN_CLASSES.has(spn.slice(0, slash).trim().toLowerCase());
}
