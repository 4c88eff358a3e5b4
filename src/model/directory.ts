/**
 * The directory side of the model: what the collector reads from AD and writes into a snapshot.
 * Everything here is plain JSON so a snapshot collected at a customer can be analyzed anywhere.
 */

export type AccountKind = 'user' | 'computer' | 'gmsa' | 'msa';

export interface Account {
  /** Distinguished name at collection time (display only: never part of a fingerprint). */
  dn: string;
  /** objectGUID as a lower-case GUID string: the stable identity of the account. */
  objectGuid: string;
  /** objectSid as S-1-5-... */
  objectSid: string | null;
  sAMAccountName: string;
  userPrincipalName: string | null;
  kind: AccountKind;
  /** The most specific objectClass values as read (e.g. ["top","person",...,"user"]). */
  objectClass: string[];
  /** DNS name of the domain that holds the account. */
  domain: string;
  userAccountControl: number;
  /** msDS-User-Account-Control-Computed when readable (not in the GC), else null. */
  userAccountControlComputed: number | null;
  servicePrincipalNames: string[];
  /** msDS-SupportedEncryptionTypes; null when the attribute is not set. */
  supportedEncryptionTypes: number | null;
  /** ISO timestamps; null when never / not set. pwdLastSet "0" is kept as mustChangePassword. */
  pwdLastSet: string | null;
  mustChangePassword: boolean;
  /** null = never expires (0 or 0x7FFFFFFFFFFFFFFF). */
  accountExpires: string | null;
  whenCreated: string | null;
  lastLogonTimestamp: string | null;
  dnsHostName: string | null;
  allowedToDelegateTo: string[];
  /** msDS-AllowedToActOnBehalfOfOtherIdentity is set (RBCD): SIDs allowed, when the SD parsed. */
  allowedToActOnBehalfOf: string[] | null;
  /** msDS-GroupMSAMembership (gMSA only): SIDs granted password retrieval, when the SD parsed. */
  groupMsaMembership: string[] | null;
  adminCount: number | null;
  memberOf: string[];
  primaryGroupId: number | null;
  /** Transitive membership of Domain/Enterprise/Schema Admins or Administrators (in-chain rule). */
  privileged: boolean;
}

export interface Forest {
  /** DNS name of the forest root domain. */
  rootDomain: string;
  configurationDn: string;
  /** sPNMappings values as stored, e.g. "host=alerter,http,...". */
  spnMappings: string[];
  /** dSHeuristics as stored; null when not set. */
  dsHeuristics: string | null;
}

export interface Domain {
  dnsName: string;
  netbiosName: string | null;
  dn: string;
  sid: string | null;
  /** Forest root DNS name this domain belongs to. */
  forest: string;
  /** domainFunctionality from the RootDSE / msDS-Behavior-Version. */
  functionalLevel: number | null;
  /** whenCreated of the Read-only Domain Controllers group (RID 521): first 2008+ DC. */
  rodcGroupCreated: string | null;
}

export interface CollectionError {
  /** What failed: a query id, an LDAP entry DN, a connection. */
  where: string;
  message: string;
  /** LDAP result code when there was one. */
  code?: number;
}

export interface SnapshotSource {
  url: string;
  baseDn: string;
  /** The bind identity (DN or UPN) — never the password. */
  bindIdentity: string;
  globalCatalog: boolean;
  tls: 'none' | 'ldaps' | 'starttls';
}

export const SNAPSHOT_SCHEMA_VERSION = 1;

export interface Snapshot {
  schemaVersion: typeof SNAPSHOT_SCHEMA_VERSION;
  tool: { name: string; version: string };
  collectedAt: string;
  source: SnapshotSource;
  complete: boolean;
  errors: CollectionError[];
  forests: Forest[];
  domains: Domain[];
  accounts: Account[];
}
