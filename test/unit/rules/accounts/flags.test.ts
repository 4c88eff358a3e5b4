import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  isDesOnly,
  parseTime,
  isDomainController,
  isExpired,
  isExplicitlyAesOnly,
  isLockedOut,
  isPasswordExpired,
  isRc4Only,
  keysSetAt,
  passwordAgeDays,
  passwordPredatesAes,
  rc4Allowance,
} from '../../../../src/rules/accounts/flags.js';
import { UAC } from '../../../../src/model/uac.js';
import { account, computer } from '../../../support/fixtures.js';

const NOW = new Date('2026-06-01T00:00:00.000Z');

describe('encryption-type predicates', () => {
  it.each([
    // enctypes, uac, desOnly, rc4Only, aesOnly, rc4Allowance
    [null, UAC.NORMAL_ACCOUNT, false, false, false, 'implicit'],
    [0x3, UAC.NORMAL_ACCOUNT, true, false, false, null],
    [0x4, UAC.NORMAL_ACCOUNT, false, true, false, 'explicit'],
    [0x7, UAC.NORMAL_ACCOUNT, false, true, false, 'explicit'],
    [0x18, UAC.NORMAL_ACCOUNT, false, false, true, null],
    [0x1c, UAC.NORMAL_ACCOUNT, false, false, false, 'explicit'],
    [0x20, UAC.NORMAL_ACCOUNT, false, false, true, null],
    [0x18, UAC.NORMAL_ACCOUNT | UAC.USE_DES_KEY_ONLY, true, false, true, null],
    [0, UAC.NORMAL_ACCOUNT, false, false, false, 'implicit'],
    [0x10000, UAC.NORMAL_ACCOUNT, false, false, false, 'implicit'],
    [0x10018, UAC.NORMAL_ACCOUNT, false, false, true, null],
  ] as const)('enctypes %j, uac %i → desOnly %j, rc4Only %j, aesOnly %j, rc4 %j', (enctypes, uac, desOnly, rc4Only, aesOnly, rc4) => {
    const a = account({ sam: 'x', enctypes, uac });
    expect([isDesOnly(a), isRc4Only(a), isExplicitlyAesOnly(a), rc4Allowance(a)]).toEqual([desOnly, rc4Only, aesOnly, rc4]);
  });
});

describe('account state predicates', () => {
  it('expiry: null never expires; a past or exact "now" date is expired', () => {
    expect(isExpired(account({ sam: 'a', accountExpires: null }), NOW)).toBe(false);
    expect(isExpired(account({ sam: 'a', accountExpires: '2026-06-01T00:00:00.000Z' }), NOW)).toBe(true);
    expect(isExpired(account({ sam: 'a', accountExpires: '2026-06-01T00:00:01.000Z' }), NOW)).toBe(false);
    expect(isExpired(account({ sam: 'a', accountExpires: 'not a date' }), NOW)).toBe(false);
  });

  it('lockout and password expiry come from the constructed attribute only', () => {
    expect(isLockedOut(account({ sam: 'a', uac: UAC.NORMAL_ACCOUNT | UAC.LOCKOUT, userAccountControlComputed: 0 }))).toBe(false);
    expect(isLockedOut(account({ sam: 'a', userAccountControlComputed: UAC.LOCKOUT }))).toBe(true);
    expect(isLockedOut(account({ sam: 'a', userAccountControlComputed: null }))).toBe(false);
    expect(isPasswordExpired(account({ sam: 'a', userAccountControlComputed: UAC.PASSWORD_EXPIRED }))).toBe(true);
    expect(isPasswordExpired(computer('W', { userAccountControlComputed: UAC.PASSWORD_EXPIRED }))).toBe(false);
  });

  it.each([
    [UAC.SERVER_TRUST_ACCOUNT, 516, true],
    [UAC.WORKSTATION_TRUST_ACCOUNT, 521, true],
    [UAC.SERVER_TRUST_ACCOUNT, 515, true],
    [UAC.WORKSTATION_TRUST_ACCOUNT, 515, false],
    [UAC.WORKSTATION_TRUST_ACCOUNT, null, false],
  ] as const)('domain controller: uac %i, primary group %j → %j', (uac, primaryGroupId, expected) => {
    expect(isDomainController(computer('X', { uac, primaryGroupId }))).toBe(expected);
  });
});

describe('password dates', () => {
  it('keys date is pwdLastSet, else whenCreated', () => {
    expect(keysSetAt(account({ sam: 'a', pwdLastSet: '2020-01-01T00:00:00Z', whenCreated: '2010-01-01T00:00:00Z' }))).toBe(Date.parse('2020-01-01T00:00:00Z'));
    expect(keysSetAt(account({ sam: 'a', pwdLastSet: null, whenCreated: '2010-01-01T00:00:00Z' }))).toBe(Date.parse('2010-01-01T00:00:00Z'));
    expect(keysSetAt(account({ sam: 'a', pwdLastSet: null, whenCreated: null }))).toBeNull();
  });

  it.each([
    ['2009-12-31T23:59:59Z', '2010-01-01T00:00:00Z', true],
    ['2010-01-01T00:00:00Z', '2010-01-01T00:00:00Z', false],
    ['2009-01-01T00:00:00Z', null, null],
  ] as const)('pwdLastSet %s vs first 2008+ DC %j → %j', (pwdLastSet, rodc, expected) => {
    expect(passwordPredatesAes(account({ sam: 'a', pwdLastSet }), rodc)).toBe(expected);
  });

  it('password age in whole days, null when unknown', () => {
    expect(passwordAgeDays(account({ sam: 'a', pwdLastSet: '2026-05-01T12:00:00Z' }), NOW)).toBe(30);
    expect(passwordAgeDays(account({ sam: 'a', pwdLastSet: null, mustChangePassword: true }), NOW)).toBeNull();
  });
});

describe('parseTime', () => {
  it('reads collector timestamps and refuses what is no time', () => {
    expect(parseTime('2026-03-01T12:34:56.789Z')).toBe(Date.UTC(2026, 2, 1, 12, 34, 56, 789));
    expect(parseTime('2024-02-29T00:00:00.000Z')).toBe(Date.UTC(2024, 1, 29));
    expect(parseTime('2026-02-30T00:00:00.000Z')).toBe(Number.isNaN(Date.parse('2026-02-30T00:00:00.000Z')) ? null : Date.parse('2026-02-30T00:00:00.000Z'));
    expect(parseTime('0050-01-01T00:00:00.000Z')).toBe(Date.parse('0050-01-01T00:00:00.000Z'));
    expect(parseTime('2026-13-01T00:00:00.000Z')).toBeNull();
    expect(parseTime('2026-01-01T00:00:00Z')).toBe(Date.UTC(2026, 0, 1));
    expect(parseTime('not a time')).toBeNull();
    expect(parseTime(null)).toBeNull();
  });

  it('agrees with Date.parse on every string of the collector shape (property)', () => {
    // Ranges just past every limit, so both the digit reader and the Date.parse fallback are reached.
    const part = (max: number, width: number) => fc.integer({ min: 0, max }).map((v) => String(v).padStart(width, '0'));
    const shaped = fc
      .tuple(part(9999, 4), part(13, 2), part(32, 2), part(25, 2), part(61, 2), part(61, 2), part(999, 3))
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`);
    fc.assert(
      fc.property(shaped, (iso) => {
        const t = Date.parse(iso);
        expect(parseTime(iso)).toBe(Number.isNaN(t) ? null : t);
      }),
      { numRuns: 20_000 },
    );
  });
});
