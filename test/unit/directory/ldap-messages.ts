/** LDAP response messages for the wire-level tests (raw-search, ber): entries, SearchResultDone, paged control. */
import { PAGED_RESULTS_OID } from '../../../src/directory/ber.js';
import { ldapResult, tlv } from '../../lab/faults/ber.js';

export const octets = (v: string | Buffer) => tlv(0x04, typeof v === 'string' ? Buffer.from(v, 'utf8') : v);
export const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));

export function searchEntry(messageId: number, dn: string, attrs: Array<[string, Array<string | Buffer>]>): Buffer {
  const attributes = seq(...attrs.map(([type, values]) => seq(octets(type), tlv(0x31, Buffer.concat(values.map(octets))))));
  return seq(tlv(0x02, Buffer.from([messageId])), tlv(0x64, Buffer.concat([octets(dn), attributes])));
}

export function pagedControl(cookie: Buffer, criticality = false): Buffer {
  const value = seq(tlv(0x02, Buffer.from([0])), octets(cookie));
  return seq(octets(PAGED_RESULTS_OID), ...(criticality ? [tlv(0x01, Buffer.from([0xff]))] : []), octets(value));
}

/** SearchResultDone with a paged-results control carrying `cookie` (null: no controls at all). */
export function searchDone(messageId: number, resultCode: number, cookie: Buffer | null, diagnostic = ''): Buffer {
  const plain = ldapResult(messageId, 5, resultCode, diagnostic);
  if (cookie === null) return plain;
  const body = plain.subarray(2); // short form: the test messages are < 128 bytes
  return seq(body, tlv(0xa0, pagedControl(cookie)));
}

