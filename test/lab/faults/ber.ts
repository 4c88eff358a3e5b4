/**
 * Just enough BER to watch and bend LDAP on the wire (RFC 4511): frame messages out of a TCP stream,
 * name each request's protocolOp, decode search requests (base, scope, filter as RFC 4515 text) and
 * extended requests (OID), and build or rewrite LDAPResult responses. Independent of ldapts on
 * purpose: the proof that the collector sends only reads must not trust the client library's encoder.
 */

export interface Tlv {
  tag: number;
  /** Offset of the value inside the buffer the TLV was read from. */
  start: number;
  end: number;
}

/** Reads one TLV at `offset`; null when the buffer does not hold all of it yet. */
export function readTlv(buf: Buffer, offset = 0): Tlv | null {
  if (buf.length < offset + 2) return null;
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new Error(`multi-byte BER tags are not used by LDAP (tag 0x${tag.toString(16)} at ${offset})`);
  let length = buf[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new Error(`unsupported BER length form 0x${length.toString(16)} at ${offset + 1}`);
    if (buf.length < start + count) return null;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buf[start + i]!;
    start += count;
  }
  if (buf.length < start + length) return null;
  return { tag, start, end: start + length };
}

/** The TLVs directly inside a constructed value. */
export function children(buf: Buffer, tlv: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let at = tlv.start;
  while (at < tlv.end) {
    const child = readTlv(buf, at);
    if (!child || child.end > tlv.end) throw new Error(`truncated BER inside tag 0x${tlv.tag.toString(16)}`);
    out.push(child);
    at = child.end;
  }
  return out;
}

const bytes = (buf: Buffer, tlv: Tlv): Buffer => buf.subarray(tlv.start, tlv.end);
const text = (buf: Buffer, tlv: Tlv): string => bytes(buf, tlv).toString('utf8');

function integer(buf: Buffer, tlv: Tlv): number {
  let n = 0;
  const value = bytes(buf, tlv);
  for (const b of value) n = n * 256 + b;
  // Two's complement: message IDs and result codes are never negative, but decode faithfully.
  if (value.length > 0 && value[0]! & 0x80) n -= 2 ** (8 * value.length);
  return n;
}

/** Splits complete LDAPMessages off the front of a stream buffer; `rest` waits for more bytes. */
export function frameMessages(buf: Buffer): { messages: Buffer[]; rest: Buffer } {
  const messages: Buffer[] = [];
  let at = 0;
  for (;;) {
    const tlv = readTlv(buf, at);
    if (!tlv) break;
    if (tlv.tag !== 0x30) throw new Error(`not an LDAPMessage: tag 0x${tlv.tag.toString(16)} at ${at}`);
    messages.push(buf.subarray(at, tlv.end));
    at = tlv.end;
  }
  return { messages, rest: buf.subarray(at) };
}

/** protocolOp numbers of RFC 4511 §4.2–4.14 ([APPLICATION n]). */
export const PROTOCOL_OPS: Record<number, string> = {
  0: 'bindRequest',
  1: 'bindResponse',
  2: 'unbindRequest',
  3: 'searchRequest',
  4: 'searchResEntry',
  5: 'searchResDone',
  6: 'modifyRequest',
  7: 'modifyResponse',
  8: 'addRequest',
  9: 'addResponse',
  10: 'delRequest',
  11: 'delResponse',
  12: 'modDNRequest',
  13: 'modDNResponse',
  14: 'compareRequest',
  15: 'compareResponse',
  16: 'abandonRequest',
  19: 'searchResRef',
  23: 'extendedReq',
  24: 'extendedResp',
  25: 'intermediateResponse',
};

export const STARTTLS_OID = '1.3.6.1.4.1.1466.20037';

export interface LdapMessage {
  messageId: number;
  /** The [APPLICATION n] number of the protocolOp. */
  op: number;
  opName: string;
  search?: { base: string; scope: number; sizeLimit: number; timeLimit: number; filter: string; attributes: string[] };
  extended?: { oid: string };
  /** bindRequest: the name only; the password is never decoded. */
  bind?: { name: string };
  /** LDAPResult of a response. */
  resultCode?: number;
}

export function decodeMessage(msg: Buffer): LdapMessage {
  const outer = readTlv(msg);
  if (!outer || outer.tag !== 0x30) throw new Error('not an LDAPMessage');
  const [id, op] = children(msg, outer);
  if (!id || id.tag !== 0x02 || !op) throw new Error('LDAPMessage without messageID and protocolOp');
  if ((op.tag & 0xc0) !== 0x40) throw new Error(`protocolOp is not an APPLICATION tag: 0x${op.tag.toString(16)}`);
  const number = op.tag & 0x1f;
  const out: LdapMessage = { messageId: integer(msg, id), op: number, opName: PROTOCOL_OPS[number] ?? `application-${number}` };
  const constructed = (op.tag & 0x20) !== 0;
  const parts = constructed ? children(msg, op) : [];
  if (number === 3) {
    const [base, scope, , sizeLimit, timeLimit, , filter, attributes] = parts;
    out.search = {
      base: text(msg, base!),
      scope: integer(msg, scope!),
      sizeLimit: integer(msg, sizeLimit!),
      timeLimit: integer(msg, timeLimit!),
      filter: filterToString(msg, filter!),
      attributes: children(msg, attributes!).map((a) => text(msg, a)),
    };
  } else if (number === 23) {
    const name = parts.find((p) => p.tag === 0x80);
    out.extended = { oid: name ? text(msg, name) : '' };
  } else if (number === 0) {
    out.bind = { name: text(msg, parts[1]!) };
  } else if ([1, 5, 7, 9, 11, 13, 15, 24].includes(number)) {
    out.resultCode = integer(msg, parts[0]!);
  }
  return out;
}

/** RFC 4515 escaping of an assertion value: the specials, NUL, and anything not printable ASCII. */
export function escapeValue(value: Buffer): string {
  let out = '';
  for (const b of value) {
    const special = b === 0x2a || b === 0x28 || b === 0x29 || b === 0x5c || b < 0x20 || b > 0x7e;
    out += special ? `\\${b.toString(16).padStart(2, '0')}` : String.fromCharCode(b);
  }
  return out;
}

/** A filter as RFC 4515 text, values escaped: what the server will evaluate, byte for byte. */
export function filterToString(buf: Buffer, f: Tlv): string {
  const pair = (op: string) => {
    const [attr, value] = children(buf, f);
    return `(${text(buf, attr!)}${op}${escapeValue(bytes(buf, value!))})`;
  };
  switch (f.tag) {
    case 0xa0:
      return `(&${children(buf, f).map((c) => filterToString(buf, c)).join('')})`;
    case 0xa1:
      return `(|${children(buf, f).map((c) => filterToString(buf, c)).join('')})`;
    case 0xa2:
      return `(!${filterToString(buf, children(buf, f)[0]!)})`;
    case 0xa3:
      return pair('=');
    case 0xa5:
      return pair('>=');
    case 0xa6:
      return pair('<=');
    case 0xa8:
      return pair('~=');
    case 0x87:
      return `(${text(buf, f)}=*)`;
    case 0xa4: {
      const [attr, subs] = children(buf, f);
      let initial = '';
      const any: string[] = [];
      let final = '';
      for (const s of children(buf, subs!)) {
        const v = escapeValue(bytes(buf, s));
        if (s.tag === 0x80) initial = v;
        else if (s.tag === 0x81) any.push(v);
        else final = v;
      }
      return `(${text(buf, attr!)}=${[initial, ...any, final].join('*')})`;
    }
    case 0xa9: {
      let rule = '';
      let type = '';
      let value = '';
      let dn = false;
      for (const c of children(buf, f)) {
        if (c.tag === 0x81) rule = text(buf, c);
        else if (c.tag === 0x82) type = text(buf, c);
        else if (c.tag === 0x83) value = escapeValue(bytes(buf, c));
        else if (c.tag === 0x84) dn = buf[c.start] !== 0;
      }
      return `(${type}${dn ? ':dn' : ''}${rule ? `:${rule}` : ''}:=${value})`;
    }
    default:
      throw new Error(`unknown filter choice 0x${f.tag.toString(16)}`);
  }
}

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const out: number[] = [];
  while (n > 0) {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return Buffer.from([0x80 | out.length, ...out]);
}

export function tlv(tag: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(value.length), value]);
}

function encodeInteger(tag: number, n: number): Buffer {
  const out: number[] = [];
  do {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  } while (n > 0);
  if (out[0]! & 0x80) out.unshift(0);
  return tlv(tag, Buffer.from(out));
}

/**
 * A response carrying only an LDAPResult (bindResponse, searchResDone, extendedResp, …) with the given
 * result code: for a fake server, or to replace a real server's answer in a rewriting proxy.
 */
export function ldapResult(messageId: number, op: number, resultCode: number, diagnostic = '', referrals: string[] = []): Buffer {
  const parts = [encodeInteger(0x0a, resultCode), tlv(0x04, Buffer.alloc(0)), tlv(0x04, Buffer.from(diagnostic, 'utf8'))];
  if (referrals.length > 0) parts.push(tlv(0xa3, Buffer.concat(referrals.map((r) => tlv(0x04, Buffer.from(r, 'utf8'))))));
  return tlv(0x30, Buffer.concat([encodeInteger(0x02, messageId), tlv(0x60 | op, Buffer.concat(parts))]));
}
