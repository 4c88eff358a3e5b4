import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Account, Domain } from '../../../src/model/directory.js';
import { accountOrderKey, compareAccountOrder, compareKeys, inAccountOrder } from '../../../src/model/account-order.js';

const account = (sam: string, domain = 'contoso.test', guid = '00000000-0000-4000-8000-000000000001'): Account => ({ sAMAccountName: sam, domain, objectGuid: guid }) as Account;
const domains = [
  { dnsName: 'contoso.test', netbiosName: 'CONTOSO' },
  { dnsName: 'child.contoso.test', netbiosName: 'CHILD' },
] as Domain[];

// Characters whose lower case is longer (U+0130), ASCII (the Kelvin sign U+212A), or depends on what
// follows (final sigma), a surrogate pair and a lone surrogate, next to ASCII letters, digits and the
// punctuation around the letters in code order.
const tricky = fc.constantFrom('a', 'A', 'z', 'Z', '0', '$', '-', '_', '.', '~', '{', '[', '\\', 'İ', '\u212a', 'Σ', 'σ', 'ς', 'é', 'É', 'ß', 'ẞ', '\u00a0', '\ud83d\ude00', '\ud83d');
const name = fc.array(tricky, { maxLength: 8 }).map((cs) => cs.join(''));

describe('account order', () => {
  it('the comparison without keys agrees with comparing the lower-cased display names', () => {
    fc.assert(
      fc.property(name, name, fc.constantFrom('CONTOSO', 'CHILD', 'CONTOSO2', 'ΣΑ'), fc.constantFrom('CONTOSO', 'CHILD', 'Σ'), (samA, samB, nbA, nbB) => {
        const a = account(samA, 'x', 'g1');
        const b = account(samB, 'x', 'g2');
        const fast = compareAccountOrder(nbA, a, nbB, b);
        const exact = compareKeys(accountOrderKey(nbA, samA), accountOrderKey(nbB, samB), a, b);
        expect(Math.sign(fast)).toBe(Math.sign(exact));
      }),
      { numRuns: 20_000 },
    );
  });

  it('orders by NETBIOS\\sam lower-cased by code unit, then objectGUID', () => {
    const list = [
      account('web01$', 'contoso.test', 'b'),
      account('svc_web'),
      account('SVC_big'),
      account('svc_hr', 'child.contoso.test'),
      account('WEB01$', 'contoso.test', 'a'),
    ];
    const ordered = inAccountOrder(list, domains);
    expect(ordered.map((a) => `${a.domain}/${a.sAMAccountName}/${a.objectGuid}`)).toEqual([
      'child.contoso.test/svc_hr/00000000-0000-4000-8000-000000000001',
      'contoso.test/SVC_big/00000000-0000-4000-8000-000000000001',
      'contoso.test/svc_web/00000000-0000-4000-8000-000000000001',
      'contoso.test/WEB01$/a',
      'contoso.test/web01$/b',
    ]);
    expect(ordered).not.toBe(list);
  });

  it('returns the same array, not a copy, when it is already in order', () => {
    const list = [account('a'), account('B'), account('c')];
    expect(inAccountOrder(list, domains)).toBe(list);
  });

  it('sorts any list into the order the exact comparison gives', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, fc.constantFrom('contoso.test', 'child.contoso.test', 'other.test'), fc.constantFrom('a', 'b', 'c')), { maxLength: 30 }), (rows) => {
        const list = rows.map(([sam, domain, guid]) => account(sam, domain, guid));
        const ordered = inAccountOrder(list, domains);
        const nb = (d: string) => (d === 'contoso.test' ? 'CONTOSO' : d === 'child.contoso.test' ? 'CHILD' : 'OTHER');
        for (let i = 1; i < ordered.length; i += 1) {
          const [p, q] = [ordered[i - 1]!, ordered[i]!];
          expect(compareKeys(accountOrderKey(nb(p.domain), p.sAMAccountName), accountOrderKey(nb(q.domain), q.sAMAccountName), p, q)).toBeLessThanOrEqual(0);
        }
        // The same accounts, none lost or repeated.
        expect(ordered).toHaveLength(list.length);
        expect(new Set(ordered)).toEqual(new Set(list));
      }),
      { numRuns: 2000 },
    );
  });
});
