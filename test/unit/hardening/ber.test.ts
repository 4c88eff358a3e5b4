/**
 * The wire decoder the read-only and filter-escaping proofs rely on: checked against messages encoded
 * by a real LDAP client library, so a proof that "only searches were sent" is not a proof about a bug
 * in our own decoder.
 */
import { describe, expect, it } from 'vitest';
import {
  AddRequest,
  Attribute,
  BindRequest,
  Change,
  CompareRequest,
  DeleteRequest,
  ExtendedRequest,
  FilterParser,
  MessageParser,
  ModifyDNRequest,
  ModifyRequest,
  SearchRequest,
  UnbindRequest,
} from 'ldapts';

type Message = { messageId: number; write(): Buffer };
import { decodeMessage, frameMessages, ldapResult, STARTTLS_OID } from '../../lab/faults/ber.js';

const write = (m: Message): Buffer => m.write();

describe('decodeMessage names the protocolOp of every request kind', () => {
  it.each([
    ['bindRequest', 0, new BindRequest({ messageId: 1, dn: 'admin@contoso.test', password: 'secret-not-decoded' })],
    ['unbindRequest', 2, new UnbindRequest({ messageId: 2 })],
    ['searchRequest', 3, new SearchRequest({ messageId: 3, baseDN: 'DC=contoso,DC=test', filter: FilterParser.parseString('(cn=x)') })],
    ['modifyRequest', 6, new ModifyRequest({ messageId: 4, dn: 'CN=x', changes: [new Change({ operation: 'replace', modification: new Attribute({ type: 'description', values: ['y'] }) })] })],
    ['addRequest', 8, new AddRequest({ messageId: 5, dn: 'CN=x', attributes: [new Attribute({ type: 'cn', values: ['x'] })] })],
    ['delRequest', 10, new DeleteRequest({ messageId: 6, dn: 'CN=x' })],
    ['modDNRequest', 12, new ModifyDNRequest({ messageId: 7, dn: 'CN=x,DC=t', deleteOldRdn: true, newRdn: 'CN=y' })],
    ['compareRequest', 14, new CompareRequest({ messageId: 8, dn: 'CN=x', attribute: 'cn', value: 'x' })],
    ['extendedReq', 23, new ExtendedRequest({ messageId: 9, oid: STARTTLS_OID })],
  ] as Array<[string, number, Message]>)('%s → op %i', (name, op, message) => {
    const decoded = decodeMessage(write(message));
    expect(decoded).toMatchObject({ opName: name, op, messageId: message.messageId });
  });

  it('reads the bind name but never the password', () => {
    const decoded = decodeMessage(write(new BindRequest({ messageId: 1, dn: 'admin@contoso.test', password: 'secret-not-decoded' })));
    expect(decoded.bind).toEqual({ name: 'admin@contoso.test' });
    expect(JSON.stringify(decoded)).not.toContain('secret-not-decoded');
  });

  it('reads the StartTLS OID of an extended request', () => {
    expect(decodeMessage(write(new ExtendedRequest({ messageId: 9, oid: STARTTLS_OID }))).extended).toEqual({ oid: STARTTLS_OID });
  });
});

describe('search filters come back as the RFC 4515 text the server evaluates', () => {
  it.each([
    ['(servicePrincipalName=*)'],
    ['(sAMAccountName=svc_web)'],
    ['(sAMAccountName=\\2a\\29\\28objectClass=\\2a)'],
    ['(sAMAccountName=a\\00b\\5cc)'],
    ['(|(sAMAccountName=a)(sAMAccountName=b))'],
    ['(&(objectClass=user)(!(cn=x)))'],
    ['(cn=ab*cd*ef)'],
    ['(memberOf:1.2.840.113556.1.4.1941:=CN=Domain Admins,CN=Users,DC=contoso,DC=test)'],
  ])('%s', (filter) => {
    const raw = write(new SearchRequest({ messageId: 3, baseDN: 'DC=contoso,DC=test', scope: 'sub', filter: FilterParser.parseString(filter), attributes: ['cn', 'objectGUID'] }));
    expect(decodeMessage(raw).search).toEqual({ base: 'DC=contoso,DC=test', scope: 2, sizeLimit: 0, timeLimit: 10, filter, attributes: ['cn', 'objectGUID'] });
  });
});

describe('frameMessages', () => {
  it('splits a stream at message boundaries whatever the chunking', () => {
    const stream = Buffer.concat([
      write(new SearchRequest({ messageId: 1, filter: FilterParser.parseString(`(description=${'x'.repeat(300)})`) })),
      write(new UnbindRequest({ messageId: 2 })),
    ]);
    for (const cut of [1, 2, 3, 100, stream.length - 1]) {
      const first = frameMessages(stream.subarray(0, cut));
      const second = frameMessages(Buffer.concat([first.rest, stream.subarray(cut)]));
      const all = [...first.messages, ...second.messages].map((m) => decodeMessage(m).opName);
      expect(all, `cut at ${cut}`).toEqual(['searchRequest', 'unbindRequest']);
      expect(second.rest.length).toBe(0);
    }
  });
});

describe('ldapResult', () => {
  it.each([
    [5, 4, 'searchResDone with sizeLimitExceeded'],
    [24, 52, 'extendedResp with unavailable'],
    [5, 10, 'searchResDone with a referral'],
  ])('op %i code %i is what a real client parses (%s)', (op, code) => {
    const raw = ldapResult(7, op, code, 'diagnostic text', code === 10 ? ['ldap://other.test/DC=other,DC=test'] : []);
    expect(decodeMessage(raw)).toMatchObject({ messageId: 7, op, resultCode: code });
    const parser = new MessageParser();
    const seen: Array<{ messageId: number; status: number }> = [];
    parser.on('message', (m: { messageId: number; status: number }) => seen.push(m));
    parser.read(raw, new Map());
    expect(seen.map((m) => [m.messageId, m.status])).toEqual([[7, code]]);
  });
});
