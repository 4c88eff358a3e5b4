/**
 * Just enough BER to read the LDAP responses of a search (RFC 4511 §4.1, §4.5.2, RFC 2696) straight
 * from the bytes: message framing, SearchResultEntry, SearchResultDone and the paged-results control.
 * Values stay bytes (views into the received buffer); callers decode them. LDAP uses definite lengths
 * only, so an indefinite length is a protocol error.
 */

export class BerError extends Error {
  override name = 'BerError';
}

export const TAG = {
  SEQUENCE: 0x30,
  SET: 0x31,
  INTEGER: 0x02,
  OCTET_STRING: 0x04,
  BOOLEAN: 0x01,
  ENUMERATED: 0x0a,
  SEARCH_ENTRY: 0x64,
  SEARCH_DONE: 0x65,
  SEARCH_REFERENCE: 0x73,
  CONTROLS: 0xa0,
  REFERRAL: 0xa3,
} as const;

export const PAGED_RESULTS_OID = '1.2.840.113556.1.4.319';

/** A cursor over one TLV at a time: after `read`, tag/start/end describe the element just read. */
export class BerCursor {
  tag = 0;
  /** First content byte of the element last read. */
  start = 0;
  /** One past its last content byte. */
  end = 0;

  constructor(readonly buf: Buffer) {}

  /** Reads the TLV at `pos` (which must end by `limit`); returns the position after it. */
  read(pos: number, limit: number): number {
    const buf = this.buf;
    if (pos + 2 > limit) throw new BerError(`truncated element at offset ${pos}`);
    this.tag = buf[pos]!;
    if ((this.tag & 0x1f) === 0x1f) throw new BerError(`multi-byte tag at offset ${pos}`);
    let len = buf[pos + 1]!;
    let at = pos + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0) throw new BerError(`indefinite length at offset ${pos}`);
      if (n > 4) throw new BerError(`length of ${n} bytes at offset ${pos}`);
      if (at + n > limit) throw new BerError(`truncated length at offset ${pos}`);
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + buf[at + i]!;
      at += n;
    }
    if (at + len > limit) throw new BerError(`element at offset ${pos} runs past its container`);
    this.start = at;
    this.end = at + len;
    return this.end;
  }

  /** Reads the TLV at `pos` and checks its tag. */
  expect(tag: number, pos: number, limit: number, what: string): number {
    const next = this.read(pos, limit);
    if (this.tag !== tag) throw new BerError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${this.tag.toString(16)} at offset ${pos}`);
    return next;
  }

  /** The content of the element last read as an unsigned/signed integer (INTEGER, ENUMERATED). */
  integer(): number {
    const { buf, start, end } = this;
    if (end === start) throw new BerError(`empty integer at offset ${start}`);
    if (end - start > 6) throw new BerError(`integer of ${end - start} bytes at offset ${start}`);
    let value = buf[start]! & 0x80 ? -1 : 0;
    for (let i = start; i < end; i++) value = value * 256 + buf[i]!;
    return value;
  }

  /** The content of the element last read, as UTF-8 text. */
  text(): string {
    return this.buf.toString('utf8', this.start, this.end);
  }

  /** The content of the element last read, as a view (no copy). */
  bytes(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }
}

/**
 * Length in bytes of the complete LDAPMessage that starts at `pos`, or -1 when `buf` does not hold
 * all of it yet. Throws when the bytes cannot be the start of an LDAPMessage.
 */
export function messageLength(buf: Buffer, pos: number): number {
  const avail = buf.length - pos;
  if (avail < 2) return -1;
  if (buf[pos] !== TAG.SEQUENCE) throw new BerError(`not an LDAP message: tag 0x${buf[pos]!.toString(16)} at offset ${pos}`);
  let len = buf[pos + 1]!;
  let header = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new BerError(`LDAP message with a length of ${n === 0 ? 'indefinite' : `${n} bytes`} size`);
    if (avail < 2 + n) return -1;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + 2 + i]!;
    header += n;
  }
  return avail < header + len ? -1 : header + len;
}

export interface MessageHead {
  messageId: number;
  /** Protocol operation tag (0x64 entry, 0x65 done, 0x73 reference, ...). */
  op: number;
  /** Content of the protocol operation. */
  opStart: number;
  opEnd: number;
  /** Content of the [0] controls, or -1 when absent. */
  controlsStart: number;
  controlsEnd: number;
}

/** messageID, protocolOp and controls of the LDAPMessage occupying buf[pos, pos + length). */
export function readMessageHead(c: BerCursor, pos: number, length: number): MessageHead {
  const limit = pos + length;
  c.expect(TAG.SEQUENCE, pos, limit, 'LDAPMessage');
  const seqEnd = c.end;
  let at = c.expect(TAG.INTEGER, c.start, seqEnd, 'messageID');
  const messageId = c.integer();
  at = c.read(at, seqEnd);
  const head: MessageHead = { messageId, op: c.tag, opStart: c.start, opEnd: c.end, controlsStart: -1, controlsEnd: -1 };
  if (at < seqEnd) {
    c.read(at, seqEnd);
    if (c.tag === TAG.CONTROLS) {
      head.controlsStart = c.start;
      head.controlsEnd = c.end;
    }
  }
  return head;
}

export interface RawAttribute {
  type: string;
  values: Buffer[];
}

/** SearchResultEntry content → DN and attributes, values as views into the buffer. */
export function readSearchEntry(c: BerCursor, start: number, end: number): { dn: string; attributes: RawAttribute[] } {
  let at = c.expect(TAG.OCTET_STRING, start, end, 'objectName');
  const dn = c.text();
  c.expect(TAG.SEQUENCE, at, end, 'attributes');
  const listEnd = c.end;
  at = c.start;
  const attributes: RawAttribute[] = [];
  while (at < listEnd) {
    const attrEnd = c.expect(TAG.SEQUENCE, at, listEnd, 'PartialAttribute');
    const seqEnd = c.end;
    let p = c.expect(TAG.OCTET_STRING, c.start, seqEnd, 'attribute type');
    const type = c.text();
    c.expect(TAG.SET, p, seqEnd, 'attribute values');
    const setEnd = c.end;
    p = c.start;
    const values: Buffer[] = [];
    while (p < setEnd) {
      p = c.expect(TAG.OCTET_STRING, p, setEnd, 'attribute value');
      values.push(c.bytes());
    }
    attributes.push({ type, values });
    at = attrEnd;
  }
  return { dn, attributes };
}

export interface SearchDone {
  resultCode: number;
  matchedDN: string;
  diagnosticMessage: string;
}

/** SearchResultDone (LDAPResult) content. Referral URLs, if any, are not needed here. */
export function readSearchDone(c: BerCursor, start: number, end: number): SearchDone {
  let at = c.expect(TAG.ENUMERATED, start, end, 'resultCode');
  const resultCode = c.integer();
  at = c.expect(TAG.OCTET_STRING, at, end, 'matchedDN');
  const matchedDN = c.text();
  c.expect(TAG.OCTET_STRING, at, end, 'diagnosticMessage');
  return { resultCode, matchedDN, diagnosticMessage: c.text() };
}

/**
 * The cookie of the paged-results control among the controls [0] content, or null when the control
 * is absent. An empty cookie (length 0) means the server has no more pages.
 */
export function readPagedCookie(c: BerCursor, start: number, end: number): Buffer | null {
  let at = start;
  while (at < end) {
    const next = c.expect(TAG.SEQUENCE, at, end, 'Control');
    const ctlEnd = c.end;
    let p = c.expect(TAG.OCTET_STRING, c.start, ctlEnd, 'controlType');
    const oid = c.buf.toString('latin1', c.start, c.end);
    if (oid === PAGED_RESULTS_OID) {
      // Control ::= SEQUENCE { controlType, criticality BOOLEAN DEFAULT FALSE, controlValue OCTET STRING OPTIONAL }
      let hasValue = false;
      if (p < ctlEnd) {
        p = c.read(p, ctlEnd);
        if (c.tag === TAG.BOOLEAN && p < ctlEnd) p = c.read(p, ctlEnd);
        hasValue = c.tag === TAG.OCTET_STRING && c.end === ctlEnd;
      }
      if (!hasValue) throw new BerError('paged results control without a value');
      const valueEnd = c.end;
      c.expect(TAG.SEQUENCE, c.start, valueEnd, 'realSearchControlValue');
      const seqEnd = c.end;
      const q = c.expect(TAG.INTEGER, c.start, seqEnd, 'paged size');
      c.expect(TAG.OCTET_STRING, q, seqEnd, 'paged cookie');
      return Buffer.from(c.bytes());
    }
    at = next;
  }
  return null;
}
