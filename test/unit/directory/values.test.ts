import { describe, expect, it } from 'vitest';
import {
  allowedSidsFromSecurityDescriptor,
  dnToDnsName,
  fileTimeToIso,
  generalizedTimeToIso,
  guidToString,
  sidToString,
} from '../../../src/directory/values.js';
import { guidBytes, sidBytes } from './fake-session.js';

describe('AD value decoding', () => {
  it('decodes objectSid', () => {
    expect(sidToString(sidBytes('S-1-5-21-1004336348-1177238915-682003330-512'))).toBe('S-1-5-21-1004336348-1177238915-682003330-512');
    expect(sidToString(sidBytes('S-1-5-32-544'))).toBe('S-1-5-32-544');
    expect(() => sidToString(Buffer.from([1, 5, 0]))).toThrow(/shorter/);
  });

  it('decodes objectGUID in its mixed-endian layout', () => {
    // Known pair: bytes as AD stores them vs the string setspn/PowerShell show.
    const bytes = Buffer.from('d1f1cd8bc9a3a2469bdb3c9e0e2e2c3f', 'hex');
    expect(guidToString(bytes)).toBe('8bcdf1d1-a3c9-46a2-9bdb-3c9e0e2e2c3f');
    expect(guidToString(guidBytes('8bcdf1d1-a3c9-46a2-9bdb-3c9e0e2e2c3f'))).toBe('8bcdf1d1-a3c9-46a2-9bdb-3c9e0e2e2c3f');
    expect(() => guidToString(Buffer.alloc(15))).toThrow(/16 bytes/);
  });

  it.each([
    ['0', null],
    ['9223372036854775807', null],
    ['133000000000000000', '2022-06-18T04:26:40.000Z'],
    ['116444736000000000', '1970-01-01T00:00:00.000Z'],
  ])('FILETIME %s', (raw, iso) => {
    expect(fileTimeToIso(raw)).toBe(iso);
  });

  it('rejects a non-numeric FILETIME', () => {
    expect(() => fileTimeToIso('yesterday')).toThrow(/FILETIME/);
  });

  it('decodes GeneralizedTime', () => {
    expect(generalizedTimeToIso('20261122103000.0Z')).toBe('2026-11-22T10:30:00.000Z');
    expect(() => generalizedTimeToIso('2026-11-22')).toThrow(/GeneralizedTime/);
  });

  it('maps a domain DN to its DNS name, ignoring escaped commas', () => {
    expect(dnToDnsName('CN=svc\\, web,OU=Svc,DC=Contoso,DC=Test')).toBe('contoso.test');
  });

  it('lists the SIDs an SD grants through allow and object-allow ACEs', () => {
    const sid1 = sidBytes('S-1-5-21-1-2-3-1105');
    const sid2 = sidBytes('S-1-5-21-1-2-3-1106');
    const ace = (type: number, body: Buffer) => {
      const h = Buffer.alloc(4);
      h.writeUInt8(type, 0);
      h.writeUInt16LE(4 + body.length, 2);
      return Buffer.concat([h, body]);
    };
    const mask = Buffer.from([0xff, 0x01, 0x0f, 0x00]);
    const allow = ace(0x00, Buffer.concat([mask, sid1]));
    const objectFlags = Buffer.alloc(4);
    objectFlags.writeUInt32LE(1, 0);
    const objectAllow = ace(0x05, Buffer.concat([mask, objectFlags, Buffer.alloc(16), sid2]));
    const deny = ace(0x01, Buffer.concat([mask, sidBytes('S-1-1-0')]));
    const aces = Buffer.concat([allow, objectAllow, deny]);
    const acl = Buffer.alloc(8);
    acl.writeUInt8(4, 0);
    acl.writeUInt16LE(8 + aces.length, 2);
    acl.writeUInt16LE(3, 4);
    const header = Buffer.alloc(20);
    header.writeUInt8(1, 0);
    header.writeUInt16LE(0x8004, 2);
    header.writeUInt32LE(20, 16);
    const sd = Buffer.concat([header, acl, aces]);
    expect(allowedSidsFromSecurityDescriptor(sd)).toEqual(['S-1-5-21-1-2-3-1105', 'S-1-5-21-1-2-3-1106']);
    expect(() => allowedSidsFromSecurityDescriptor(sd.subarray(0, 40))).toThrow(/outside/);
  });
});
