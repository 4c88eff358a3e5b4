/** One directory entry → one Account of the snapshot. */
import type { Account, AccountKind } from '../model/directory.js';
import type { LdapEntry } from './entry.js';
import { allowedSidsFromSecurityDescriptor, fileTimeToIso, generalizedTimeToIso, guidToString, sidToString } from './values.js';

export function accountKind(objectClass: readonly string[]): AccountKind {
  const classes = new Set(objectClass.map((c) => c.toLowerCase()));
  if (classes.has('msds-groupmanagedserviceaccount')) return 'gmsa';
  if (classes.has('msds-managedserviceaccount')) return 'msa';
  if (classes.has('computer')) return 'computer';
  return 'user';
}

export interface AccountContext {
  /** Domain DNS name for the entry (resolved by the caller from the DN). */
  domain: string;
}

/**
 * Throws with a message naming the attribute when a value cannot be decoded; the caller records the
 * DN and marks the snapshot incomplete rather than guessing.
 */
export function entryToAccount(entry: LdapEntry, ctx: AccountContext): Account {
  const guid = entry.buffer('objectGUID');
  if (!guid) throw new Error('objectGUID missing');
  const sid = entry.buffer('objectSid');
  const sam = entry.string('sAMAccountName');
  if (sam === null) throw new Error('sAMAccountName missing');
  const objectClass = entry.strings('objectClass');
  const pwdLastSetRaw = entry.string('pwdLastSet');
  const accountExpiresRaw = entry.string('accountExpires');
  const lastLogonRaw = entry.string('lastLogonTimestamp');
  const whenCreatedRaw = entry.string('whenCreated');
  const rbcd = entry.buffer('msDS-AllowedToActOnBehalfOfOtherIdentity');
  const gmsa = entry.buffer('msDS-GroupMSAMembership');
  return {
    dn: entry.dn,
    objectGuid: guidToString(guid),
    objectSid: sid ? sidToString(sid) : null,
    sAMAccountName: sam,
    userPrincipalName: entry.string('userPrincipalName'),
    kind: accountKind(objectClass),
    objectClass,
    domain: ctx.domain,
    userAccountControl: entry.integer('userAccountControl') ?? 0,
    userAccountControlComputed: entry.integer('msDS-User-Account-Control-Computed'),
    servicePrincipalNames: entry.strings('servicePrincipalName'),
    supportedEncryptionTypes: entry.integer('msDS-SupportedEncryptionTypes'),
    pwdLastSet: pwdLastSetRaw === null ? null : fileTimeToIso(pwdLastSetRaw),
    mustChangePassword: pwdLastSetRaw === '0',
    accountExpires: accountExpiresRaw === null ? null : fileTimeToIso(accountExpiresRaw),
    whenCreated: whenCreatedRaw === null ? null : generalizedTimeToIso(whenCreatedRaw),
    lastLogonTimestamp: lastLogonRaw === null ? null : fileTimeToIso(lastLogonRaw),
    dnsHostName: entry.string('dNSHostName'),
    allowedToDelegateTo: entry.strings('msDS-AllowedToDelegateTo'),
    allowedToActOnBehalfOf: rbcd ? allowedSidsFromSecurityDescriptor(rbcd) : null,
    groupMsaMembership: gmsa ? allowedSidsFromSecurityDescriptor(gmsa) : null,
    adminCount: entry.integer('adminCount'),
    memberOf: entry.strings('memberOf'),
    primaryGroupId: entry.integer('primaryGroupID'),
    privileged: false,
  };
}
