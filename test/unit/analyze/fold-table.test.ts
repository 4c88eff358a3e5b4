import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldEquals, foldHash, FoldTable } from '../../../src/analyze/fold-table.js';

describe('foldHash / foldEquals', () => {
  it('agree with toLowerCase() on ASCII and non-ASCII text', () => {
    expect(foldEquals('HTTP/Web01.Contoso.Test', 'http/web01.contoso.test')).toBe(true);
    expect(foldHash('HTTP/Web01.Contoso.Test')).toBe(foldHash('http/web01.contoso.test'));
    expect(foldEquals('HTTP/web01', 'HTTP/web02')).toBe(false);
    // U+0130 lower-cases to two code units: equal keys of different lengths.
    expect(foldEquals('HTTP/\u0130x', 'http/i\u0307x')).toBe(true);
    expect(foldHash('HTTP/\u0130x')).toBe(foldHash('http/i\u0307x'));
    expect(foldEquals('HTTP/ÄRGER', 'http/ärger')).toBe(true);
    expect(foldEquals('HTTP/ÄRGER', 'http/arger')).toBe(false);
    // Only A-Z fold on the fast path: '[' (0x5b) and '{' (0x7b) differ by 0x20 but are not letters.
    expect(foldEquals('a[b', 'a{b')).toBe(false);
    expect(foldEquals('@', '`')).toBe(false);
  });

  it('matches toLowerCase() equality for arbitrary strings (property)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'A', 'z', 'Z', '[', '{', '@', '`', '/', '.', 'İ', 'i', '\u0307', 'Ä', 'ä', 'ß', 'K', '\u212a', 'k') });
    fc.assert(
      fc.property(text, text, (a, b) => {
        const same = a.toLowerCase() === b.toLowerCase();
        expect(foldEquals(a, b)).toBe(same);
        if (same) expect(foldHash(a)).toBe(foldHash(b));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('FoldTable', () => {
  it('interns the first spelling and finds every spelling of the key', () => {
    const t = new FoldTable();
    expect(t.intern('HTTP/Web01')).toBe(0);
    expect(t.intern('HOST/web01')).toBe(1);
    expect(t.intern('http/WEB01')).toBe(0);
    expect(t.spellings).toEqual(['HTTP/Web01', 'HOST/web01']);
    expect(t.find('http/web01')).toBe(0);
    expect(t.find('HTTP/web02')).toBe(-1);
    expect(t.size).toBe(2);
  });

  it('behaves like a Map keyed by toLowerCase() through many rehashes (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 6, unit: fc.constantFrom('a', 'B', 'b', 'İ', 'i', '/', '1') }), { maxLength: 5000 }), (values) => {
        const t = new FoldTable();
        const ref = new Map<string, number>();
        for (const v of values) {
          const key = v.toLowerCase();
          const expected = ref.get(key) ?? ref.size;
          if (!ref.has(key)) ref.set(key, expected);
          expect(t.intern(v)).toBe(expected);
        }
        expect(t.size).toBe(ref.size);
        for (const [key, id] of ref) {
          expect(t.find(key)).toBe(id);
          const upper = key.toUpperCase();
          // Upper-casing is not always reversible ('ı' → 'I' → 'i'); only a round trip is the same key.
          if (upper.toLowerCase() === key) expect(t.find(upper)).toBe(id);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('holds 100,000 distinct keys with their ids', () => {
    const t = new FoldTable();
    const ids = Array.from({ length: 100_000 }, (_, i) => t.intern(`HOST/Server${i}`));
    expect(ids.every((id, i) => id === i)).toBe(true);
    const found = Array.from({ length: 100_000 }, (_, i) => t.find(`host/SERVER${i}`));
    expect(found.every((id, i) => id === i)).toBe(true);
    expect(t.find('host/server100000')).toBe(-1);
  });
});
