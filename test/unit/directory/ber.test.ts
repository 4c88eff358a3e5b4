import { describe, expect, it } from 'vitest';
import { BerCursor, BerError, messageLength, readMessageHead, readPagedCookie, readSearchDone, readSearchEntry, PAGED_RESULTS_OID } from '../../../src/directory/ber.js';
import { tlv } from '../../lab/faults/ber.js';
import { octets, pagedControl, searchDone, searchEntry, seq } from './ldap-messages.js';

describe('BER framing of LDAP messages', () => {
  it('measures complete messages in short and long length form, -1 while incomplete', () => {
    const short = searchDone(1, 0, null);
    expect(messageLength(short, 0)).toBe(short.length);
    expect(messageLength(short.subarray(0, short.length - 1), 0)).toBe(-1);
    expect(messageLength(short.subarray(0, 1), 0)).toBe(-1);
    const long = searchEntry(2, 'CN=x', [['description', ['a'.repeat(300)]]]);
    expect(long[1]).toBe(0x82);
    expect(messageLength(long, 0)).toBe(long.length);
    expect(messageLength(long.subarray(0, 3), 0)).toBe(-1);
    const two = Buffer.concat([short, long]);
    expect(messageLength(two, short.length)).toBe(long.length);
  });

  it('refuses what cannot start an LDAP message, and indefinite lengths', () => {
    expect(() => messageLength(Buffer.from([0x04, 0x00]), 0)).toThrow(BerError);
    expect(() => messageLength(Buffer.from([0x30, 0x80, 0x00, 0x00]), 0)).toThrow(/indefinite/);
    expect(() => messageLength(Buffer.from([0x30, 0x85, 1, 1, 1, 1, 1]), 0)).toThrow(BerError);
  });
});

describe('SearchResultEntry', () => {
  it('reads the DN and every value as bytes, a leading U+FEFF and binary values included', () => {
    const guid = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const msg = searchEntry(7, '\ufeffCN=svc,DC=contoso,DC=test', [
      ['sAMAccountName', ['\ufeffsvc']],
      ['servicePrincipalName', ['HTTP/a', 'HTTP/a.contoso.test']],
      ['objectGUID', [guid]],
      ['memberOf', []],
    ]);
    const c = new BerCursor(msg);
    const head = readMessageHead(c, 0, msg.length);
    expect(head).toMatchObject({ messageId: 7, op: 0x64, controlsStart: -1 });
    const entry = readSearchEntry(c, head.opStart, head.opEnd);
    expect(entry.dn).toBe('\ufeffCN=svc,DC=contoso,DC=test');
    expect(entry.attributes.map((a) => a.type)).toEqual(['sAMAccountName', 'servicePrincipalName', 'objectGUID', 'memberOf']);
    expect(entry.attributes[0]!.values[0]!.toString('utf8')).toBe('\ufeffsvc');
    expect(entry.attributes[1]!.values.map((v) => v.toString())).toEqual(['HTTP/a', 'HTTP/a.contoso.test']);
    expect(entry.attributes[2]!.values[0]).toEqual(guid);
    expect(entry.attributes[3]!.values).toEqual([]);
  });

  it('throws on an element that runs past its container or a wrong tag', () => {
    const msg = searchEntry(7, 'CN=x', [['a', ['b']]]);
    const c = new BerCursor(msg);
    const head = readMessageHead(c, 0, msg.length);
    expect(() => readSearchEntry(c, head.opStart, head.opEnd - 1)).toThrow(BerError);
    const wrong = Buffer.from(msg);
    wrong[head.opStart] = 0x02; // objectName must be an OCTET STRING
    expect(() => readSearchEntry(new BerCursor(wrong), head.opStart, head.opEnd)).toThrow(/objectName/);
  });
});

describe('SearchResultDone and the paged-results cookie', () => {
  it('reads result code, diagnostic and cookie', () => {
    const msg = searchDone(3, 4, Buffer.from('next'), 'Size limit exceeded');
    const c = new BerCursor(msg);
    const head = readMessageHead(c, 0, msg.length);
    expect(head.op).toBe(0x65);
    expect(readSearchDone(c, head.opStart, head.opEnd)).toEqual({ resultCode: 4, matchedDN: '', diagnosticMessage: 'Size limit exceeded' });
    expect(readPagedCookie(c, head.controlsStart, head.controlsEnd)?.toString()).toBe('next');
  });

  it('an empty cookie is the last page; other controls are skipped; criticality is allowed', () => {
    const other = seq(octets('1.2.3.4'), octets(Buffer.from([1, 2])));
    const controls = Buffer.concat([other, pagedControl(Buffer.alloc(0), true)]);
    expect(readPagedCookie(new BerCursor(controls), 0, controls.length)).toEqual(Buffer.alloc(0));
    expect(readPagedCookie(new BerCursor(other), 0, other.length)).toBeNull();
  });

  it('a paged-results control without a value is an error, not the end of the result', () => {
    const bare = seq(octets(PAGED_RESULTS_OID));
    expect(() => readPagedCookie(new BerCursor(bare), 0, bare.length)).toThrow(/without a value/);
    const critical = seq(octets(PAGED_RESULTS_OID), tlv(0x01, Buffer.from([0xff])));
    expect(() => readPagedCookie(new BerCursor(critical), 0, critical.length)).toThrow(/without a value/);
  });
});
