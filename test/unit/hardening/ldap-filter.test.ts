/**
 * Filters built from user and config input, as they leave the process: each bundled query template
 * with hostile values goes through the same conversion the live session uses, is encoded by ldapts,
 * and is read back from the BER bytes. What the server evaluates must be exactly one assertion per
 * value, carrying the value's bytes — no injected clauses, no re-encoded bytes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FilterParser, SearchRequest } from 'ldapts';
import { toLdapFilter } from '../../../src/directory/filter.js';
import { buildFilters, loadQueries } from '../../../src/directory/queries.js';
import { decodeMessage, escapeValue } from '../../lab/faults/ber.js';
import { sidBytes } from '../directory/fake-session.js';

const queries = await loadQueries();

function onTheWire(filter: string): string {
  const raw = new SearchRequest({ messageId: 1, baseDN: 'DC=contoso,DC=test', filter: toLdapFilter(filter) }).write();
  return decodeMessage(raw).search!.filter;
}

const DOMAIN_SID = 'S-1-5-21-2437143599-2953559181-3747685441';

describe('identity names in (sAMAccountName={value})', () => {
  it.each([
    ['*)(objectClass=*', '(sAMAccountName=\\2a\\29\\28objectClass=\\2a)'],
    ['svc\u0000web', '(sAMAccountName=svc\\00web)'],
    ['back\\slash', '(sAMAccountName=back\\5cslash)'],
    ['(paren)', '(sAMAccountName=\\28paren\\29)'],
    ['svc_café', '(sAMAccountName=svc_caf\\c3\\a9)'],
    ['\\2a', '(sAMAccountName=\\5c2a)'],
  ])('%j is one equality assertion with exactly its bytes', (name, wire) => {
    const [filter] = buildFilters(queries['accounts-by-name'], [name]);
    expect(onTheWire(filter!)).toBe(wire);
  });

  it('several names are OR-ed, each its own assertion', () => {
    const [filter] = buildFilters(queries['accounts-by-name'], ['a*', 'b)(|(c=*']);
    expect(onTheWire(filter!)).toBe('(|(sAMAccountName=a\\2a)(sAMAccountName=b\\29\\28|\\28c=\\2a))');
  });

  it('any string at all reaches the server as a single equality assertion of its UTF-8 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (name) => {
        fc.pre(!/[\uD800-\uDFFF]/.test(name)); // lone surrogates have no UTF-8 form
        const [filter] = buildFilters(queries['accounts-by-name'], [name]);
        expect(onTheWire(filter!)).toBe(`(sAMAccountName=${escapeValue(Buffer.from(name, 'utf8'))})`);
      }),
      { numRuns: 500 },
    );
  });
});

describe('binary SIDs in (objectSid={value})', () => {
  it.each([
    [`${DOMAIN_SID}-512`],
    [`${DOMAIN_SID}-521`],
    ['S-1-5-32-544'],
    ['S-1-5-21-4294967295-4294967295-4294967295-4294967295'],
  ])('%s is sent as its own bytes, every one of them', (sid) => {
    const [filter] = buildFilters(queries['well-known-groups'], [sid]);
    expect(onTheWire(filter!)).toBe(`(objectSid=${escapeValue(sidBytes(sid))})`);
  });
});

describe('group DNs in the nested-groups membership query', () => {
  it('escapes the DN as an assertion value', () => {
    const dn = 'CN=Domain Admins (Ops)\\, Tier*0,CN=Users,DC=contoso,DC=test';
    const [filter] = buildFilters(queries['nested-groups'], [dn]);
    expect(onTheWire(filter!)).toBe('(&(objectClass=group)(memberOf=CN=Domain Admins \\28Ops\\29\\5c, Tier\\2a0,CN=Users,DC=contoso,DC=test))');
  });
});

describe('why src/directory/filter.ts exists', () => {
  it('ldapts\' own FilterParser re-encodes escaped bytes >= 0x80 as UTF-8 pairs (a SID filter then matches nothing)', () => {
    const raw = new SearchRequest({ messageId: 1, filter: FilterParser.parseString('(objectSid=\\01\\9f)') }).write();
    expect(decodeMessage(raw).search!.filter).toBe('(objectSid=\\01\\c2\\9f)');
    expect(onTheWire('(objectSid=\\01\\9f)')).toBe('(objectSid=\\01\\9f)');
  });
});

describe('fixed filters of the bundled queries', () => {
  it.each(Object.values(queries).filter((q) => !q.filter.includes('{value}')).map((q) => [q.id, q.filter]))('%s: %s', (_id, filter) => {
    expect(onTheWire(filter)).toBe(filter);
  });
});

describe('toLdapFilter refuses what is not a filter', () => {
  it.each([
    ['(cn=x', /unbalanced|expected '\)'/],
    ['cn=x', /expected '\('/],
    ['(cn=x))', /unexpected text/],
    ['(cn=a(b)', /unescaped '\('/],
    ['(cn=\\zz)', /not a two-digit hex escape/],
    ['(=x)', /no attribute=value/],
    ['(&)', /empty '&'/],
    ['(cn>=\\ff)', /binary values are only supported in equality/],
  ])('%s', (text, message) => {
    expect(() => toLdapFilter(text)).toThrow(message);
  });
});
