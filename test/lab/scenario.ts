/**
 * The seeded lab scenario (notes/scenario.md, "Users"/"Computers") as data: the seeder writes exactly this,
 * and the lab tests and e2e suites assert against the same source of truth.
 */
import { ENCTYPE, UAC } from '../../src/model/uac.js';
import type { AccountKind } from '../../src/model/directory.js';

export const LAB_REALM = 'CONTOSO.TEST';
export const LAB_DNS_DOMAIN = 'contoso.test';
export const LAB_NETBIOS = 'CONTOSO';
export const LAB_BASE_DN = 'DC=contoso,DC=test';
export const LAB_DC_HOSTNAME = 'dc1';

/** What an account is in the scenario for: the situations the audit rules must recognise. */
export type ScenarioTrait =
  | 'iis-farm-node'
  | 'iis-standalone'
  | 'missing-netbios-host-spn'
  | 'fqdn-only-http-spn'
  | 'duplicate-spn'
  | 'rc4-only'
  | 'des-only'
  | 'aes-only'
  | 'disabled'
  | 'range-retrieval'
  | 'unconstrained-delegation'
  | 'constrained-delegation-to-missing-spn'
  | 'privileged'
  | 'no-preauth'
  | 'app-pool-identity-without-spn'
  | 'gmsa';

export interface ScenarioDelegation {
  /** userAccountControl TRUSTED_FOR_DELEGATION. */
  unconstrained: boolean;
  /** msDS-AllowedToDelegateTo, as written. */
  allowedToDelegateTo: string[];
}

export interface ScenarioAccount {
  /** sAMAccountName (computers and gMSAs end in $). */
  name: string;
  kind: AccountKind;
  /** Parent container relative to the base DN; the RDN is CN=<name without $>. */
  container: 'CN=Users' | 'CN=Computers' | 'CN=Managed Service Accounts';
  /**
   * Every SPN the account holds in the seeded lab, as written. An SPN listed on several accounts is a
   * duplicate: the first holder in SCENARIO order gets it through the DSDB, later holders by a raw
   * partition write (Samba refuses duplicates on every normal path).
   */
  spns: readonly string[];
  dnsHostName: string | null;
  /** userAccountControl after seeding. */
  uac: number;
  /** msDS-SupportedEncryptionTypes; null = attribute not set. */
  enctypes: number | null;
  delegation: ScenarioDelegation;
  /** Groups (CN under CN=Users) the account is a direct member of, besides its primary group. */
  memberOf: readonly string[];
  /** gMSA only: sAMAccountNames granted password retrieval via msDS-GroupMSAMembership. */
  gmsaPasswordReaders: readonly string[];
  traits: readonly ScenarioTrait[];
}

const NO_DELEGATION: ScenarioDelegation = { unconstrained: false, allowedToDelegateTo: [] };
const USER = UAC.NORMAL_ACCOUNT;
const COMPUTER = UAC.WORKSTATION_TRUST_ACCOUNT;
const AES = ENCTYPE.AES128 | ENCTYPE.AES256;

export const BIG_SPN_COUNT = 2000;
export const bigSpns: readonly string[] = Array.from(
  { length: BIG_SPN_COUNT },
  (_, i) => `HTTP/big-${String(i + 1).padStart(4, '0')}.${LAB_DNS_DOMAIN}`,
);

function computer(
  name: string,
  spns: string[],
  traits: ScenarioTrait[],
): ScenarioAccount {
  return {
    name: `${name}$`,
    kind: 'computer',
    container: 'CN=Computers',
    spns,
    dnsHostName: `${name.toLowerCase()}.${LAB_DNS_DOMAIN}`,
    uac: COMPUTER,
    enctypes: null,
    delegation: NO_DELEGATION,
    memberOf: [],
    gmsaPasswordReaders: [],
    traits,
  };
}

function user(
  name: string,
  spns: readonly string[],
  traits: ScenarioTrait[],
  extra: Partial<Pick<ScenarioAccount, 'uac' | 'enctypes' | 'delegation' | 'memberOf'>> = {},
): ScenarioAccount {
  return {
    name,
    kind: 'user',
    container: 'CN=Users',
    spns,
    dnsHostName: null,
    uac: extra.uac ?? USER,
    enctypes: extra.enctypes ?? null,
    delegation: extra.delegation ?? NO_DELEGATION,
    memberOf: extra.memberOf ?? [],
    gmsaPasswordReaders: [],
    traits,
  };
}

const d = LAB_DNS_DOMAIN;

export const SCENARIO: readonly ScenarioAccount[] = [
  computer('WEB01', ['HOST/WEB01', `HOST/web01.${d}`], ['iis-farm-node']),
  computer('WEB02', [`HOST/web02.${d}`], ['iis-farm-node', 'missing-netbios-host-spn']),
  computer('WEB03', ['HOST/WEB03', `HOST/web03.${d}`, `HTTP/hr.${d}`], ['iis-standalone', 'duplicate-spn']),
  computer('SQL01', ['HOST/SQL01', `HOST/sql01.${d}`, `MSSQLSvc/sql01.${d}:1433`], []),
  user('svc_intranet', [`HTTP/intranet.${d}`, 'HTTP/intranet'], ['aes-only'], { enctypes: AES }),
  user('svc_portal', [`HTTP/portal.${d}`], ['fqdn-only-http-spn', 'aes-only'], { enctypes: AES }),
  user('svc_dup1', [`HTTP/shared.${d}`], ['duplicate-spn']),
  user('svc_dup2', [`HTTP/shared.${d}`], ['duplicate-spn']),
  user('svc_hr', [`HTTP/hr.${d}`], ['duplicate-spn']),
  user('svc_rc4', [`HTTP/rc4app.${d}`], ['rc4-only'], { enctypes: ENCTYPE.RC4_HMAC }),
  user('svc_des', [`HTTP/desapp.${d}`], ['des-only'], { uac: USER | UAC.USE_DES_KEY_ONLY }),
  user('svc_aes', [`HTTP/aesapp.${d}`], ['aes-only'], { enctypes: AES }),
  user('svc_disabled', [`HTTP/old.${d}`], ['disabled'], { uac: USER | UAC.ACCOUNTDISABLE }),
  user('svc_big', bigSpns, ['range-retrieval']),
  user('svc_unconstrained', [`HTTP/deleg.${d}`], ['unconstrained-delegation'], {
    uac: USER | UAC.TRUSTED_FOR_DELEGATION,
    delegation: { unconstrained: true, allowedToDelegateTo: [] },
  }),
  user('svc_kcd', [`HTTP/reports.${d}`], ['constrained-delegation-to-missing-spn'], {
    delegation: { unconstrained: false, allowedToDelegateTo: [`cifs/sql01.${d}`, `MSSQLSvc/sql02.${d}:1433`] },
  }),
  user('svc_admin', [`HTTP/admin.${d}`], ['privileged'], { memberOf: ['Domain Admins'] }),
  user('svc_nopreauth', [`HTTP/nopreauth.${d}`], ['no-preauth'], { uac: USER | UAC.DONT_REQ_PREAUTH }),
  user('svc_apppool_nospn', [], ['app-pool-identity-without-spn']),
  {
    name: 'gmsa_apps$',
    kind: 'gmsa',
    container: 'CN=Managed Service Accounts',
    spns: [`HTTP/apps.${d}`],
    dnsHostName: `gmsa_apps.${d}`,
    uac: COMPUTER,
    enctypes: AES,
    delegation: NO_DELEGATION,
    memberOf: [],
    gmsaPasswordReaders: ['WEB01$'],
    traits: ['gmsa'],
  },
];

/** CN=<name without trailing $>,<container>,<base DN>. */
export function scenarioDn(account: ScenarioAccount): string {
  return `CN=${account.name.replace(/\$$/, '')},${account.container},${LAB_BASE_DN}`;
}

export function scenarioAccount(name: string): ScenarioAccount {
  const found = SCENARIO.find((a) => a.name.toLowerCase() === name.toLowerCase());
  if (!found) throw new Error(`no scenario account named ${name}`);
  return found;
}

/** SPN (lower-cased) → holders in scenario order, for SPNs held by more than one account. */
export function scenarioDuplicates(accounts: readonly ScenarioAccount[] = SCENARIO): Map<string, ScenarioAccount[]> {
  const holders = new Map<string, ScenarioAccount[]>();
  for (const account of accounts) {
    for (const spn of new Set(account.spns.map((s) => s.toLowerCase()))) {
      const list = holders.get(spn) ?? [];
      list.push(account);
      holders.set(spn, list);
    }
  }
  return new Map([...holders].filter(([, list]) => list.length > 1));
}
