/**
 * Named predicates over an Account's userAccountControl / msDS-SupportedEncryptionTypes / dates, so
 * the account rules read as sentences and each bit test lives in exactly one place.
 */
import type { Account } from '../../model/directory.js';
import { ENCTYPE, UAC } from '../../model/uac.js';

const DES_BITS = ENCTYPE.DES_CBC_CRC | ENCTYPE.DES_CBC_MD5;
const AES_BITS = ENCTYPE.AES128 | ENCTYPE.AES256 | ENCTYPE.AES256_SK;
/** Domain Controllers (516) and Read-only Domain Controllers (521) primary groups. */
const DC_PRIMARY_GROUPS = new Set([516, 521]);

const hasUac = (a: Account, bit: number): boolean => (a.userAccountControl & bit) !== 0;
const hasComputed = (a: Account, bit: number): boolean => ((a.userAccountControlComputed ?? 0) & bit) !== 0;

export const isDisabled = (a: Account): boolean => hasUac(a, UAC.ACCOUNTDISABLE);
export const isEnabled = (a: Account): boolean => !isDisabled(a);

/** accountExpires is null for "never" (0 / 0x7FFFFFFFFFFFFFFF), otherwise an ISO time. */
export function isExpired(a: Account, now: Date): boolean {
  const t = parseTime(a.accountExpires);
  return t !== null && t <= now.getTime();
}

/** LOCKOUT is not persisted in userAccountControl: only the constructed attribute is authoritative. */
export const isLockedOut = (a: Account): boolean => hasComputed(a, UAC.LOCKOUT);

/**
 * PASSWORD_EXPIRED is constructed. Computer accounts keep receiving tickets with an expired
 * password (the machine renews it itself), and (g)MSA passwords are managed: this only matters for users.
 */
export const isPasswordExpired = (a: Account): boolean =>
  a.kind === 'user' && hasComputed(a, UAC.PASSWORD_EXPIRED);

export const isDomainController = (a: Account): boolean =>
  hasUac(a, UAC.SERVER_TRUST_ACCOUNT) || (a.primaryGroupId !== null && DC_PRIMARY_GROUPS.has(a.primaryGroupId));

/**
 * The KDC's own account (krbtgt, RID 502) and RODC krbtgt_NNNNN accounts: disabled by design, keys
 * managed by the KDC, holding kadmin/changepw. No account-health or exposure rule applies to them.
 */
export const isKrbtgt = (a: Account): boolean =>
  /^krbtgt(_\d+)?$/i.test(a.sAMAccountName) || (a.kind === 'user' && a.objectSid !== null && a.objectSid.endsWith('-502'));

export const isTrustedForDelegation = (a: Account): boolean => hasUac(a, UAC.TRUSTED_FOR_DELEGATION);
export const isTrustedToAuthForDelegation = (a: Account): boolean => hasUac(a, UAC.TRUSTED_TO_AUTH_FOR_DELEGATION);
export const doesNotRequirePreauth = (a: Account): boolean => hasUac(a, UAC.DONT_REQ_PREAUTH);
export const hasUseDesKeyOnly = (a: Account): boolean => hasUac(a, UAC.USE_DES_KEY_ONLY);

export const isPrivileged = (a: Account): boolean => a.privileged || a.adminCount === 1;

const ETYPE_BITS = DES_BITS | ENCTYPE.RC4_HMAC | AES_BITS;

/**
 * The encryption-type bits of msDS-SupportedEncryptionTypes, or null when the KDC uses the domain
 * default: attribute absent, 0, or only feature bits (FAST, claims, compound identity...).
 */
export function explicitEnctypes(a: Account): number | null {
  const set = a.supportedEncryptionTypes;
  if (set === null || (set & ETYPE_BITS) === 0) return null;
  return set & ETYPE_BITS;
}

export const enctypesUnset = (a: Account): boolean => explicitEnctypes(a) === null;

/** DES-only: USE_DES_KEY_ONLY, or an explicit msDS-SupportedEncryptionTypes with DES and nothing stronger. */
export function isDesOnly(a: Account): boolean {
  if (hasUseDesKeyOnly(a)) return true;
  const set = explicitEnctypes(a);
  return set !== null && (set & DES_BITS) !== 0 && (set & (ENCTYPE.RC4_HMAC | AES_BITS)) === 0;
}

/** Explicit msDS-SupportedEncryptionTypes that allows RC4 and no AES (the KB5021131 query). */
export function isRc4Only(a: Account): boolean {
  const set = explicitEnctypes(a);
  return set !== null && (set & ENCTYPE.RC4_HMAC) !== 0 && (set & AES_BITS) === 0;
}

/** Explicit msDS-SupportedEncryptionTypes that offers AES and nothing older (RC4/DES). */
export function isExplicitlyAesOnly(a: Account): boolean {
  const set = explicitEnctypes(a);
  return set !== null && (set & AES_BITS) !== 0 && (set & (ENCTYPE.RC4_HMAC | DES_BITS)) === 0;
}

/**
 * How RC4 is allowed for service tickets to this account: 'explicit' when msDS-SupportedEncryptionTypes
 * has the RC4 bit, 'implicit' when it sets no type (DefaultDomainSupportedEncTypes 0x27 until
 * the AES-only default of KB5073381 is enforced), or null.
 */
export function rc4Allowance(a: Account): 'explicit' | 'implicit' | null {
  const set = explicitEnctypes(a);
  if (set === null) return 'implicit';
  return (set & ENCTYPE.RC4_HMAC) !== 0 ? 'explicit' : null;
}

/** Names of the encryption types in msDS-SupportedEncryptionTypes, for evidence and messages. */
export function enctypeNames(set: number | null): string[] {
  if (set === null) return [];
  const names: Array<[number, string]> = [
    [ENCTYPE.DES_CBC_CRC, 'DES-CBC-CRC'],
    [ENCTYPE.DES_CBC_MD5, 'DES-CBC-MD5'],
    [ENCTYPE.RC4_HMAC, 'RC4-HMAC'],
    [ENCTYPE.AES128, 'AES128'],
    [ENCTYPE.AES256, 'AES256'],
    [ENCTYPE.AES256_SK, 'AES256-SK'],
  ];
  return names.filter(([bit]) => (set & bit) !== 0).map(([, name]) => name);
}

/** Milliseconds since the epoch, or null for null / unparseable values (never guessed). */
export function parseTime(iso: string | null): number | null {
  if (iso === null) return null;
  const fast = parseIsoUtc(iso);
  if (fast !== null) return fast;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/**
 * `YYYY-MM-DDTHH:mm:ss.sssZ` (what the collector writes) read digit by digit: Date.parse costs
 * ~180 ns, and rules read several times of each of a million accounts. Returns null for any
 * other shape and for the values where calendar rules matter (day > 28, hour > 23): those go to
 * Date.parse, so both paths always agree.
 */
function parseIsoUtc(s: string): number | null {
  if (s.length !== 24 || s.charCodeAt(4) !== 0x2d || s.charCodeAt(7) !== 0x2d || s.charCodeAt(10) !== 0x54 || s.charCodeAt(13) !== 0x3a || s.charCodeAt(16) !== 0x3a || s.charCodeAt(19) !== 0x2e || s.charCodeAt(23) !== 0x5a) {
    return null;
  }
  const year = digitsAt(s, 0, 4);
  const month = digitsAt(s, 5, 7);
  const day = digitsAt(s, 8, 10);
  const hour = digitsAt(s, 11, 13);
  const minute = digitsAt(s, 14, 16);
  const second = digitsAt(s, 17, 19);
  const ms = digitsAt(s, 20, 23);
  // Years before 1000 and days past 28 go to Date.parse (its two-digit-year and calendar rules).
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > 28 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || ms < 0) return null;
  return daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + ms;
}

/** The decimal number in s[from, to), or -1 when any of it is not a digit. */
function digitsAt(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i += 1) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil), for years >= 1000:
 * integer arithmetic where Date.UTC cost most of the parse.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Whole days between the account's last password set and now; null when unknown. */
export function passwordAgeDays(a: Account, now: Date): number | null {
  const t = parseTime(a.pwdLastSet);
  if (t === null) return null;
  return Math.floor((now.getTime() - t) / 86_400_000);
}

/**
 * The time the account's current keys were made: pwdLastSet, or whenCreated when the password was
 * never set or must change (pwdLastSet = 0). null when neither is known.
 */
export function keysSetAt(a: Account): number | null {
  return parseTime(a.pwdLastSet) ?? parseTime(a.whenCreated);
}

/**
 * AES keys are only generated by Windows Server 2008+ DCs; a password last set before the first such
 * DC (the Read-only Domain Controllers group's whenCreated, as PingCastle uses) has no AES keys.
 * null when either date is unknown: nothing is claimed then.
 */
export function passwordPredatesAes(a: Account, rodcGroupCreated: string | null): boolean | null {
  return keysPredate(a, parseTime(rodcGroupCreated));
}

/** passwordPredatesAes with the first 2008+ DC's time already parsed (once per domain, not per account). */
export function keysPredate(a: Account, firstAesDc: number | null): boolean | null {
  if (firstAesDc === null) return null;
  const keys = keysSetAt(a);
  if (keys === null) return null;
  return keys < firstAesDc;
}
