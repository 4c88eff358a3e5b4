import { describe, expect, it } from 'vitest';
import {
  isDesOnly,
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
