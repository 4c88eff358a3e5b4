/**
 * The IIS side of the model: what applicationHost.config (plus the inventory file) says about each
 * web server. Every value that can be wrong carries the position it was read from.
 */
import type { SourcePos } from './source.js';

export type IdentityType =
  | 'ApplicationPoolIdentity'
  | 'NetworkService'
  | 'LocalSystem'
  | 'LocalService'
  | 'SpecificUser';

/** How a SpecificUser userName resolves: a domain account, a (g)MSA (`name$`), or a machine-local one. */
export type IdentityScope = 'domain' | 'managed' | 'local';

export interface AppPool {
  name: string;
  identityType: IdentityType;
  /** SpecificUser only, as written (DOMAIN\user, user@domain.tld, .\user, MACHINE\user, DOMAIN\name$). */
  userName: string | null;
  /** Parsed userName: NetBIOS domain or UPN suffix, and account name without the domain. */
  identity: { scope: IdentityScope; domain: string | null; account: string } | null;
  pos: SourcePos | null;
}

export type BindingProtocol = 'http' | 'https' | string;

export interface Binding {
  protocol: BindingProtocol;
  /** true for http/https: the only bindings that take part in Kerberos-over-HTTP checks. */
  isHttp: boolean;
  /** As written in bindingInformation. */
  raw: string;
  /** http/https only: '*' for all unassigned, else the IP (IPv6 without brackets). */
  ip: string | null;
  port: number | null;
  /** http/https only: host header, lower-cased; '' = all names of the machine. */
  host: string | null;
  pos: SourcePos | null;
}

export interface ExtendedProtection {
  tokenChecking: 'None' | 'Allow' | 'Require';
  flags: string[];
  spns: string[];
}

export interface WindowsAuth {
  enabled: boolean;
  useKernelMode: boolean;
  useAppPoolCredentials: boolean;
  /** Effective provider list in order, e.g. ["Negotiate","NTLM"]. */
  providers: string[];
  extendedProtection: ExtendedProtection;
  pos: SourcePos | null;
}

export interface AnonymousAuth {
  enabled: boolean;
  /** 'IUSR' by default; '' means the application pool identity. */
  userName: string;
  pos: SourcePos | null;
}

/** The authentication sections spnaudit reads, by their short names. */
export type AuthSectionName =
  | 'windows'
  | 'anonymous'
  | 'basic'
  | 'digest'
  | 'clientCertificateMapping'
  | 'iisClientCertificateMapping';

/** Element names of the authentication sections under system.webServer/security/authentication. */
export const AUTH_SECTIONS: Readonly<Record<AuthSectionName, string>> = {
  windows: 'windowsAuthentication',
  anonymous: 'anonymousAuthentication',
  basic: 'basicAuthentication',
  digest: 'digestAuthentication',
  clientCertificateMapping: 'clientCertificateMappingAuthentication',
  iisClientCertificateMapping: 'iisClientCertificateMappingAuthentication',
};

export interface AuthSettings {
  windows: WindowsAuth;
  anonymous: AnonymousAuth;
  basic: { enabled: boolean; pos: SourcePos | null };
  digest: { enabled: boolean; pos: SourcePos | null };
  clientCertificateMapping: { enabled: boolean; pos: SourcePos | null };
  iisClientCertificateMapping: { enabled: boolean; pos: SourcePos | null };
  /**
   * Sections whose effective overrideMode is Allow: a web.config in the site's folder may still change
   * them, and spnaudit does not read web.config files. Absent = not known (hand-entered).
   */
  overridable?: AuthSectionName[];
}

export interface Application {
  /** Application path within the site: '/' or '/app'. */
  path: string;
  appPool: string;
  /** Effective authentication after inheritance (root → site → site/app locations). */
  auth: AuthSettings;
  pos: SourcePos | null;
  /**
   * true for a folder or virtual directory below an application that has its own <location> with
   * authentication settings: not an application, served by the pool of the application containing it.
   */
  locationOnly?: boolean;
}

export interface Site {
  id: number;
  name: string;
  bindings: Binding[];
  applications: Application[];
  pos: SourcePos | null;
}

export interface RegistryFacts {
  backConnectionHostNames?: string[];
  disableLoopbackCheck?: boolean;
  /** HTTP.sys limits (HKLM\SYSTEM\CurrentControlSet\Services\HTTP\Parameters). */
  maxFieldLength?: number;
  maxRequestBytes?: number;
}

export interface IisServer {
  /** Server name used in reports (usually the NetBIOS name). */
  name: string;
  netbiosName: string;
  fqdn: string | null;
  /** AD domain DNS name the server's computer account lives in, when known. */
  domain: string | null;
  iisVersion: string | null;
  /** The applicationHost.config file read, or null for hand-entered servers. */
  configFile: string | null;
  registry: RegistryFacts | null;
  /** Behind a TLS-offloading load balancer (for extended protection checks). */
  tlsOffload: boolean;
  appPools: AppPool[];
  sites: Site[];
}

export interface Farm {
  /** Load-balanced host name, lower-case. */
  name: string;
  servers: string[];
  tlsOffload: boolean;
}

export interface InventoryWarning {
  file: string;
  line: number | null;
  message: string;
}

export interface Inventory {
  servers: IisServer[];
  farms: Farm[];
  /** DNS facts: alias (lower-case) → canonical A-record name (lower-case). */
  cnames: Record<string, string>;
  /** Browser behaviour: do clients include a non-default port in the SPN (EnableAuthNegotiatePort)? */
  browsersIncludePort: boolean;
  warnings: InventoryWarning[];
}
